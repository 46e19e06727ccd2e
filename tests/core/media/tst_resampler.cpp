// Resampler: a tone keeps its pitch and level across rate changes, the output length follows the
// rate ratio, tones above the new Nyquist frequency are filtered out, and equal rates are identity.

#include "media/resampler.h"
#include "support/signal.h"

#include <QTest>

#include <cmath>
#include <numbers>
#include <vector>

using namespace ds::media;

namespace {

using ds::test::rms;
using ds::test::sine;
using ds::test::toneEnergy;

// Feeds `in` in 20 ms chunks, as the media thread does, into one preallocated output buffer.
std::vector<std::int16_t> run(Resampler &r, std::span<const std::int16_t> in)
{
    const std::size_t chunk = std::size_t(r.inRate() / 50);
    std::vector<std::int16_t> out;
    std::vector<std::int16_t> buf(r.maxOutput(chunk));
    for (std::size_t pos = 0; pos < in.size();) {
        const auto res = r.process(in.subspan(pos, std::min(chunk, in.size() - pos)), buf);
        if (res.consumed == 0 && res.produced == 0)
            qFatal("resampler made no progress");
        pos += res.consumed;
        out.insert(out.end(), buf.begin(), buf.begin() + std::ptrdiff_t(res.produced));
    }
    return out;
}

} // namespace

class TestResampler : public QObject {
    Q_OBJECT
private slots:
    void createValidates()
    {
        QVERIFY(!Resampler::create(0, 8000).has_value());
        QVERIFY(!Resampler::create(8000, -1).has_value());
        QVERIFY(!Resampler::create(8000, 48000, 11).has_value());
        auto r = Resampler::create(8000, 48000);
        QVERIFY(r);
        QVERIFY(!r->isIdentity());
        QCOMPARE(r->inRate(), 8000);
        QCOMPARE(r->outRate(), 48000);
    }

    void streamingStartGivesAFullFrameAtOnce()
    {
        // Live audio: a 20 ms frame in gives a 20 ms frame out from the first call (the filter
        // delay rides in front as output), so no frame waits for the next; aligned starts short.
        for (auto [from, to] : {std::pair {48000, 8000}, std::pair {8000, 48000}, std::pair {16000, 48000}}) {
            auto streaming = Resampler::create(from, to, Resampler::defaultQuality, Resampler::Start::Streaming);
            auto aligned = Resampler::create(from, to);
            QVERIFY(streaming && aligned);
            const auto in = sine(1000, 10000, std::size_t(from / 50), from);
            std::vector<std::int16_t> out(streaming->maxOutput(in.size()));
            const auto s = streaming->process(in, out);
            QCOMPARE(s.consumed, in.size());
            QVERIFY2(std::abs(qint64(s.produced) - qint64(to / 50)) <= 1, qPrintable(QStringLiteral("%1 -> %2: %3").arg(from).arg(to).arg(s.produced)));
            const auto a = aligned->process(in, out);
            QVERIFY(a.produced < s.produced);
            streaming->reset(); // stays streaming
            QVERIFY(std::abs(qint64(streaming->process(in, out).produced) - qint64(to / 50)) <= 1);
        }
    }

    void toneKeepsPitchAndLevel_data()
    {
        QTest::addColumn<int>("from");
        QTest::addColumn<int>("to");
        for (int from : {8000, 16000, 44100, 48000})
            for (int to : {8000, 16000, 44100, 48000})
                if (from != to)
                    QTest::addRow("%d->%d", from, to) << from << to;
    }
    void toneKeepsPitchAndLevel()
    {
        QFETCH(int, from);
        QFETCH(int, to);
        auto r = Resampler::create(from, to);
        QVERIFY(r);
        const std::size_t seconds = 3;
        const auto in = sine(1000, 10000, seconds * std::size_t(from), from);
        const auto out = run(*r, in);
        // Length follows the ratio, short only by the filter delay.
        const double expected = double(in.size()) * to / from;
        QVERIFY2(std::abs(double(out.size()) - expected) <= r->outputLatency() + 2,
            qPrintable(QStringLiteral("%1 samples, expected %2").arg(out.size()).arg(expected)));
        // Past the filter's start-up, pitch and level are the input's.
        const auto steady = std::span<const std::int16_t>(out).subspan(std::size_t(to / 10));
        const double at1k = toneEnergy(steady, 1000, to);
        for (double hz : {500.0, 1500.0, 2000.0, 3000.0})
            QVERIFY2(at1k > 1e4 * toneEnergy(steady, hz, to), qPrintable(QStringLiteral("energy at %1 Hz").arg(hz)));
        const double dB = 20 * std::log10(rms(steady) / (10000 / std::numbers::sqrt2));
        QVERIFY2(std::abs(dB) < 0.5, qPrintable(QStringLiteral("level changed by %1 dB").arg(dB)));
    }

    void noAliasingWhenDownsampling_data()
    {
        QTest::addColumn<int>("from");
        QTest::addColumn<int>("to");
        QTest::addColumn<double>("hz");
        QTest::newRow("48000->8000 6 kHz") << 48000 << 8000 << 6000.0; // would alias to 2 kHz
        QTest::newRow("48000->8000 5 kHz") << 48000 << 8000 << 5000.0; // would alias to 3 kHz
        QTest::newRow("48000->16000 12 kHz") << 48000 << 16000 << 12000.0; // would alias to 4 kHz
        QTest::newRow("44100->8000 7 kHz") << 44100 << 8000 << 7000.0; // would alias to 1 kHz
    }
    void noAliasingWhenDownsampling()
    {
        QFETCH(int, from);
        QFETCH(int, to);
        QFETCH(double, hz);
        auto r = Resampler::create(from, to);
        QVERIFY(r);
        const auto in = sine(hz, 20000, std::size_t(from), from);
        const auto out = run(*r, in);
        const auto steady = std::span<const std::int16_t>(out).subspan(std::size_t(to / 10));
        QVERIFY(steady.size() > std::size_t(to / 2));
        const double dB = 20 * std::log10(std::max(rms(steady), 1e-3) / rms(in)); // -143 dB: every sample is 0
        qInfo("%g Hz at %d -> %d Hz: %.1f dB", hz, from, to, dB);
        QVERIFY2(dB < -40, qPrintable(QStringLiteral("only %1 dB down").arg(dB)));
    }

    void equalRatesAreIdentity()
    {
        auto r = Resampler::create(16000, 16000);
        QVERIFY(r);
        QVERIFY(r->isIdentity());
        QCOMPARE(r->outputLatency(), 0);
        const auto in = sine(1000, 10000, 320, 16000);
        std::vector<std::int16_t> out(320);
        const auto res = r->process(in, out);
        QCOMPARE(res.consumed, std::size_t(320));
        QCOMPARE(res.produced, std::size_t(320));
        QVERIFY(out == in);
        // A short output buffer limits both counts.
        std::vector<std::int16_t> small(100);
        const auto part = r->process(in, small);
        QCOMPARE(part.consumed, std::size_t(100));
        QCOMPARE(part.produced, std::size_t(100));
        QVERIFY(std::equal(small.begin(), small.end(), in.begin()));
    }

    void shortOutputBufferKeepsTheRest()
    {
        // When `out` is full, the unconsumed input is handed back, and nothing is lost or repeated.
        auto whole = Resampler::create(8000, 48000);
        auto pieces = Resampler::create(8000, 48000);
        const auto in = sine(440, 10000, 800, 8000);
        std::vector<std::int16_t> a(whole->maxOutput(in.size()));
        const auto resA = whole->process(in, a);
        QCOMPARE(resA.consumed, in.size());
        std::vector<std::int16_t> b;
        std::vector<std::int16_t> buf(77);
        for (std::size_t pos = 0; pos < in.size();) {
            const auto res = pieces->process(std::span(in).subspan(pos), buf);
            pos += res.consumed;
            b.insert(b.end(), buf.begin(), buf.begin() + std::ptrdiff_t(res.produced));
        }
        QCOMPARE(b.size(), resA.produced);
        QVERIFY(std::equal(b.begin(), b.end(), a.begin()));
    }

    void resetForgetsHistory()
    {
        auto r = Resampler::create(48000, 8000);
        const auto loud = sine(1000, 20000, 960, 48000);
        std::vector<std::int16_t> out(r->maxOutput(960));
        r->process(loud, out);
        r->reset();
        const std::vector<std::int16_t> silence(960, 0);
        const auto res = r->process(silence, out);
        QCOMPARE(rms(std::span(out).first(res.produced)), 0.0);
    }
};

QTEST_GUILESS_MAIN(TestResampler)
#include "tst_resampler.moc"
