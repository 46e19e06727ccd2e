// EchoPort: what is written comes back in order across the ring's seam, silence when short of a frame,
// oldest audio dropped when full, so `answer --echo` returns the caller's voice with a bounded delay.

#include "media/echo_port.h"
#include "media/tone_port.h"
#include "support/signal.h"

#include <QTest>

#include <numeric>
#include <vector>

using namespace ds::media;
using namespace std::chrono_literals;

namespace {
std::vector<std::int16_t> ramp(std::size_t n, int start)
{
    std::vector<std::int16_t> v(n);
    std::iota(v.begin(), v.end(), std::int16_t(start));
    return v;
}
} // namespace

class TestEchoPort : public QObject {
    Q_OBJECT
private slots:
    void isSourceAndSink()
    {
        EchoPort echo(16000, 100ms);
        QVERIFY(echo.isSource() && echo.isSink());
        QCOMPARE(echo.sampleRate(), 16000);
        QCOMPARE(echo.capacity(), std::size_t(1600));
    }

    void readsBackInOrderAcrossTheSeam()
    {
        EchoPort echo(8000, 10ms); // 80 samples: frames of 30 wrap around the end
        std::vector<std::int16_t> out(30);
        for (int i = 0; i < 20; ++i) {
            const auto in = ramp(30, i * 30);
            echo.write(in);
            QCOMPARE(echo.read(out), std::size_t(30));
            QCOMPARE(out, in);
        }
        QCOMPARE(echo.buffered(), std::size_t(0));
        QCOMPARE(echo.droppedSamples(), 0);
    }

    void underflowReadsSilenceAndKeepsThePartialFrame()
    {
        EchoPort echo(8000);
        std::vector<std::int16_t> out(160, 7);
        QCOMPARE(echo.read(out), std::size_t(160)); // empty: silence, the source never ends
        QVERIFY(std::all_of(out.begin(), out.end(), [](auto s) { return s == 0; }));
        const auto in = ramp(100, 1);
        echo.write(in);
        QCOMPARE(echo.read(out), std::size_t(160)); // 100 of 160: still silence
        QVERIFY(std::all_of(out.begin(), out.end(), [](auto s) { return s == 0; }));
        QCOMPARE(echo.underruns(), 2);
        echo.write(ramp(100, 101));
        echo.read(out);
        QCOMPARE(out, ramp(160, 1)); // nothing was lost or reordered
        QCOMPARE(echo.buffered(), std::size_t(40));
    }

    void delayPrimesTheFifoWithSilence()
    {
        EchoPort echo(8000, 100ms, 300ms); // what is written comes back 300 ms (2400 samples) later
        QCOMPARE(echo.buffered(), std::size_t(2400));
        QCOMPARE(echo.capacity(), std::size_t(3200)); // the delay on top of the capacity: still bounded
        std::vector<std::int16_t> out(160);
        std::vector<std::int16_t> received;
        // Reads and writes in step, as the media clock drives them: 50 frames of a ramp in.
        for (int i = 0; i < 50; ++i) {
            echo.write(ramp(160, i * 160));
            echo.read(out);
            received.insert(received.end(), out.begin(), out.end());
        }
        // The first 2400 samples are the primed silence, then the ramp from its start, nothing lost.
        QVERIFY(std::all_of(received.begin(), received.begin() + 2400, [](auto s) { return s == 0; }));
        const std::vector<std::int16_t> after(received.begin() + 2400, received.end());
        QCOMPARE(after, ramp(after.size(), 0));
        QCOMPARE(echo.buffered(), std::size_t(2400)); // the delay stays the delay
        QCOMPARE(echo.underruns(), 0);
        QCOMPARE(echo.droppedSamples(), 0);
    }

    void overflowDropsTheOldest()
    {
        EchoPort echo(8000, 20ms); // 160 samples
        echo.write(ramp(100, 0));
        echo.write(ramp(100, 100)); // 40 oldest dropped
        QCOMPARE(echo.droppedSamples(), 40);
        std::vector<std::int16_t> out(160);
        echo.read(out);
        QCOMPARE(out, ramp(160, 40));
        echo.write(ramp(500, 0)); // larger than the whole ring: only its newest 160 stay
        echo.read(out);
        QCOMPARE(out, ramp(160, 340));
        QCOMPARE(echo.droppedSamples(), 40 + 340);
    }

    void echoesATone()
    {
        TonePort tone(48000, {1000.0, -10.0});
        EchoPort echo(48000);
        std::vector<std::int16_t> frame(960), back(960);
        for (int i = 0; i < 10; ++i) {
            tone.read(frame);
            echo.write(frame);
            echo.read(back);
        }
        const double level = 20 * std::log10(ds::test::rms(back) * std::sqrt(2.0) / 32767.0);
        QVERIFY(qAbs(level + 10.0) < 0.1);
    }
};

QTEST_GUILESS_MAIN(TestEchoPort)
#include "tst_echo_port.moc"
