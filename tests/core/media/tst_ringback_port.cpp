// RingbackPort: the tone is on and off in its cadence, and each burst is the tone at its level.

#include "media/ringback_port.h"
#include "support/signal.h"

#include <QTest>

#include <vector>

using namespace ds::media;

class TestRingbackPort : public QObject {
    Q_OBJECT
private slots:
    void cadence_data()
    {
        QTest::addColumn<int>("frame");
        QTest::newRow("20 ms frames") << 160;
        QTest::newRow("odd frames") << 77;
        QTest::newRow("one read") << 80000;
    }
    void cadence()
    {
        QFETCH(int, frame);
        constexpr int rate = 8000;
        RingbackPort port(rate, {425.0, -16.0}, {1000, 4000});
        std::vector<std::int16_t> all(std::size_t(rate) * 10); // two periods
        for (std::size_t done = 0; done < all.size();) {
            const std::size_t n = std::min<std::size_t>(std::size_t(frame), all.size() - done);
            QCOMPARE(port.read(std::span(all).subspan(done, n)), n);
            done += n;
        }
        const auto second
            = [&](double from, double to) { return std::span<const std::int16_t>(all).subspan(std::size_t(from * rate), std::size_t((to - from) * rate)); };
        for (double start : {0.0, 5.0}) {
            const auto on = second(start + 0.05, start + 0.95);
            const auto off = second(start + 1.05, start + 4.95);
            // -16 dBFS peak is about -19 dBFS RMS: 32767 * 10^(-16/20) / sqrt(2) = 3654.
            QVERIFY(std::abs(ds::test::rms(on) - 3654) < 100);
            QCOMPARE(ds::test::rms(off), 0.0);
            double total = 0;
            for (std::int16_t v : on)
                total += double(v) * v;
            QVERIFY(ds::test::toneEnergy(on, 425, rate) / (total * double(on.size()) / 2.0) > 0.95);
        }
    }
};

QTEST_GUILESS_MAIN(TestRingbackPort)
#include "tst_ringback_port.moc"
