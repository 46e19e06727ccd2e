// E-model MOS estimate: the R-to-MOS curve at its known points, and the direction each impairment
// (loss, delay past the 177.3 ms knee, codec robustness) moves the score a user sees on the call panel.

#include "media/quality.h"

#include <QTest>

using namespace ds::media;

class TestQuality : public QObject {
    Q_OBJECT
private slots:
    void rToMos_data()
    {
        QTest::addColumn<double>("r");
        QTest::addColumn<double>("mos");
        QTest::newRow("G.711 ideal") << 93.2 << 4.41;
        QTest::newRow("R 80") << 80.0 << 4.02;
        QTest::newRow("R 70") << 70.0 << 3.60;
        QTest::newRow("R 50") << 50.0 << 2.58;
        QTest::newRow("R 0") << 0.0 << 1.0;
        QTest::newRow("negative") << -20.0 << 1.0;
        QTest::newRow("tiny R stays at 1") << 3.0 << 1.0;
        QTest::newRow("R 100") << 100.0 << 4.5;
        QTest::newRow("above 100") << 120.0 << 4.5;
    }
    void rToMos()
    {
        QFETCH(double, r);
        QFETCH(double, mos);
        QVERIFY2(qAbs(ds::media::mosFromR(r) - mos) < 0.01, qPrintable(QString::number(ds::media::mosFromR(r))));
    }

    void idealG711IsToll()
    {
        // A loopback call: no loss, no jitter, a few ms of round trip, 40 ms buffer, 20 ms packets.
        const double mos = estimateMos("PCMU", 0.0, 0.0, 1.0, 40);
        QVERIFY2(mos > 4.3 && mos <= 4.41, qPrintable(QString::number(mos)));
        QCOMPARE(estimateMos("pcma", 0.0, 0.0, 1.0, 40), mos); // codec names are case-insensitive
    }

    void lossLowersMosMonotonically_data()
    {
        QTest::addColumn<QByteArray>("codec");
        QTest::newRow("PCMU") << QByteArray("PCMU");
        QTest::newRow("opus") << QByteArray("opus");
        QTest::newRow("unknown") << QByteArray("G729");
    }
    void lossLowersMosMonotonically()
    {
        QFETCH(QByteArray, codec);
        double previous = 5.0;
        for (double loss : {0.0, 0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.4}) {
            const double mos = estimateMos(codec, loss, 5.0, 50.0, 60);
            QVERIFY2(mos < previous, qPrintable(QStringLiteral("loss %1: %2 !< %3").arg(loss).arg(mos).arg(previous)));
            QVERIFY(mos >= 1.0 && mos <= 4.5);
            previous = mos;
        }
    }

    void concealmentMakesLossHurtLess()
    {
        // G.113 Table I.3: G.711 with PLC (Bpl 25.1) against G.711 without (Bpl 4.3, our unknown codec).
        QVERIFY(estimateMos("PCMU", 0.05, 0, 20.0, 40) > estimateMos("G729", 0.05, 0, 20.0, 40) + 0.5);
        // 5 % random loss on G.711 with PLC: Ie,eff = 95 * 5 / 30.1 = 15.8.
        const QualityEstimate q = estimateQuality("PCMA", 0.05, 0, std::nullopt, 40);
        QVERIFY(qAbs(q.equipmentImpairment - 15.78) < 0.01);
    }

    void delayPastTheKneeHurtsMore()
    {
        // Id's slope is 0.024 per ms up to 177.3 ms one way, 0.134 beyond it.
        QVERIFY(qAbs(delayImpairment(100) - 2.4) < 1e-9);
        QVERIFY(qAbs(delayImpairment(277.3) - (0.024 * 277.3 + 11.0)) < 1e-9);
        const auto mosAtRtt = [](double rttMs) { return estimateMos("PCMU", 0.0, 0.0, rttMs, 40); };
        const double before = mosAtRtt(100) - mosAtRtt(200); // one way 110 -> 160 ms
        const double after = mosAtRtt(300) - mosAtRtt(400); // one way 210 -> 260 ms
        QVERIFY2(before > 0 && after > 3 * before, qPrintable(QStringLiteral("%1 %2").arg(before).arg(after)));
    }

    void jitterCountsWhenTheBufferDelayIsUnknown()
    {
        const QualityEstimate measured = estimateQuality("PCMU", 0, 30.0, 20.0, 50);
        QCOMPARE(measured.oneWayDelayMs, 10.0 + 50 + 20);
        const QualityEstimate guessed = estimateQuality("PCMU", 0, 30.0, 20.0, 0);
        QCOMPARE(guessed.oneWayDelayMs, 10.0 + 60 + 20);
        QCOMPARE(estimateQuality("opus", 0, 0, std::nullopt, 40, 60).oneWayDelayMs, 40 + 60 + 6.5);
    }
};

QTEST_GUILESS_MAIN(TestQuality)
#include "tst_quality.moc"
