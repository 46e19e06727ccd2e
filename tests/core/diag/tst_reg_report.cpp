// RegReport and LatencyStats: percentiles within 1 % of the exact nearest-rank value, the
// histogram holding every sample, counts by outcome, failures kept in a bounded list.
#include "diag/reg_report.h"

#include <QtTest>

#include <algorithm>
#include <random>

using namespace ds::diag;
using namespace Qt::StringLiterals;

class TstRegReport : public QObject {
    Q_OBJECT

private slots:
    void emptyStatsAreZero();
    void percentilesWithinOnePercent_data();
    void percentilesWithinOnePercent();
    void histogramHoldsEverySample();
    void histogramOfOneValue();
    void ignoresNonsense();
    void countsAndFailures();
    void failuresAreBounded();
    void textReport();
    void formatsMs_data();
    void formatsMs();
};

void TstRegReport::emptyStatsAreZero()
{
    LatencyStats s;
    QCOMPARE(s.count(), 0);
    QCOMPARE(s.percentile(50), 0.0);
    QCOMPARE(s.max(), 0.0);
    QVERIFY(s.histogram().isEmpty());
    RegReport r;
    QCOMPARE(r.ratePerSecond(), 0.0);
    QVERIFY(r.text().contains(u"0 attempted"_s));
}

void TstRegReport::percentilesWithinOnePercent_data()
{
    QTest::addColumn<QString>("distribution");
    QTest::newRow("uniform 0.1-5 ms") << u"uniform"_s;
    QTest::newRow("lognormal around 1 ms") << u"lognormal"_s;
    QTest::newRow("bimodal: fast and 32 s timeouts") << u"bimodal"_s;
}

void TstRegReport::percentilesWithinOnePercent()
{
    QFETCH(QString, distribution);
    std::mt19937 rng(42);
    std::uniform_real_distribution<double> uniform(0.1, 5.0);
    std::lognormal_distribution<double> lognormal(0.0, 0.8);
    std::vector<double> samples;
    for (int i = 0; i < 20000; ++i) {
        if (distribution == u"uniform")
            samples.push_back(uniform(rng));
        else if (distribution == u"lognormal")
            samples.push_back(lognormal(rng));
        else
            samples.push_back(i % 50 == 0 ? 32000.0 + uniform(rng) : uniform(rng));
    }
    LatencyStats s;
    for (double v : samples)
        s.add(v);
    std::vector<double> sorted = samples;
    std::sort(sorted.begin(), sorted.end());
    QCOMPARE(s.count(), qint64(samples.size()));
    for (double p : {1.0, 50.0, 90.0, 95.0, 99.0, 99.9}) {
        const size_t rank = size_t(std::ceil(p / 100.0 * double(sorted.size())));
        const double exact = sorted[rank - 1];
        const double got = s.percentile(p);
        QVERIFY2(std::abs(got - exact) <= 0.01 * exact, qPrintable(u"p%1: %2 instead of %3"_s.arg(p).arg(got).arg(exact)));
    }
    QCOMPARE(s.max(), sorted.back());
    QCOMPARE(s.min(), sorted.front());
    QCOMPARE(s.percentile(100), sorted.back());
}

void TstRegReport::histogramHoldsEverySample()
{
    LatencyStats s;
    const QList<double> values {0.3, 0.4, 0.9, 1.1, 1.9, 2.5, 7.0, 7.5, 40.0, 150.0};
    for (double v : values)
        s.add(v);
    const auto bins = s.histogram();
    QVERIFY(!bins.isEmpty());
    qint64 total = 0;
    for (qsizetype i = 0; i < bins.size(); ++i) {
        total += bins[i].count;
        QVERIFY(bins[i].fromMs < bins[i].toMs);
        if (i)
            QCOMPARE(bins[i].fromMs, bins[i - 1].toMs); // contiguous
    }
    QCOMPARE(total, qint64(values.size()));
    QVERIFY(bins.first().fromMs <= 0.3);
    QVERIFY(bins.last().toMs > 150.0);
    // 1-2-5 steps: 0.2-0.5 holds 0.3 and 0.4; 0.5-1 holds 0.9; 1-2 holds 1.1 and 1.9.
    QCOMPARE(bins[0].fromMs, 0.2);
    QCOMPARE(bins[0].count, 2);
    QCOMPARE(bins[1].count, 1);
    QCOMPARE(bins[2].count, 2);
}

void TstRegReport::histogramOfOneValue()
{
    LatencyStats s;
    s.add(1.0);
    const auto bins = s.histogram();
    QCOMPARE(bins.size(), 1);
    QCOMPARE(bins.first().count, 1);
    QVERIFY(bins.first().fromMs <= 1.0 && bins.first().toMs > 1.0);
}

void TstRegReport::ignoresNonsense()
{
    LatencyStats s;
    s.add(-1);
    s.add(std::numeric_limits<double>::quiet_NaN());
    s.add(std::numeric_limits<double>::infinity());
    QCOMPARE(s.count(), 0);
    s.add(0); // below the first bucket: kept, at its bottom
    s.add(1e9); // 11 days: kept, at the top
    QCOMPARE(s.count(), 2);
    QCOMPARE(s.max(), 1e9);
    QCOMPARE(s.percentile(100), 1e9);
}

void TstRegReport::countsAndFailures()
{
    RegReport r;
    for (int i = 0; i < 10; ++i)
        r.add({.index = i,
            .user = u"u%1"_s.arg(i),
            .outcome = u"registered"_s,
            .status = 200,
            .challengeMs = 0.5,
            .totalMs = 1.0 + i,
            .registered = true,
            .unregisterOutcome = i < 4 ? u"unregistered"_s : QString()});
    r.add({.index = 10, .user = u"bad"_s, .outcome = u"wrong-credentials"_s, .status = 401, .reason = u"the password is wrong"_s, .challengeMs = 0.6});
    r.add({.index = 11, .user = u"gone"_s, .outcome = u"timeout"_s, .reason = u"no answer"_s});
    r.setElapsedSeconds(2.0);
    QCOMPARE(r.attempted(), 12);
    QCOMPARE(r.registered(), 10);
    QCOMPARE(r.failed(), 2);
    QCOMPARE(r.unregistered(), 4);
    QCOMPARE(r.byOutcome().value(u"registered"_s), 10);
    QCOMPARE(r.byOutcome().value(u"wrong-credentials"_s), 1);
    QCOMPARE(r.byOutcome().value(u"timeout"_s), 1);
    QCOMPARE(r.failures().size(), 2);
    QCOMPARE(r.failures().first().user, u"bad"_s);
    QCOMPARE(r.ratePerSecond(), 6.0);
    QCOMPARE(r.total().count(), 10); // only registrations count for the whole-registration time
    QCOMPARE(r.challenge().count(), 11); // every challenged attempt
}

void TstRegReport::failuresAreBounded()
{
    RegReport r;
    for (int i = 0; i < RegReport::kMaxFailuresKept + 25; ++i)
        r.add({.index = i, .user = u"u"_s, .outcome = u"timeout"_s});
    QCOMPARE(r.failures().size(), RegReport::kMaxFailuresKept);
    QCOMPARE(r.failuresDropped(), 25);
    QCOMPARE(r.failed(), qint64(RegReport::kMaxFailuresKept + 25));
    QVERIFY(r.text(3).contains(u"... and %1 more"_s.arg(RegReport::kMaxFailuresKept + 22)));
}

void TstRegReport::textReport()
{
    RegReport r;
    for (int i = 0; i < 100; ++i)
        r.add({.index = i, .user = u"u%1"_s.arg(i), .outcome = u"registered"_s, .challengeMs = 0.2, .totalMs = 0.5 + 0.01 * i, .registered = true});
    r.add({.index = 100, .user = u"alice"_s, .outcome = u"not-found"_s, .status = 404, .reason = u"the registrar does not know alice"_s});
    r.setElapsedSeconds(0.5);
    const QString t = r.text();
    QVERIFY2(t.contains(u"101 attempted, 100 registered, 1 failed in 0.50 s: 202.0 registrations/s"_s), qPrintable(t));
    QVERIFY2(t.contains(u"registration     p50 "_s), qPrintable(t));
    QVERIFY2(t.contains(u"challenge round  p50 0.20 ms"_s), qPrintable(t));
    QVERIFY2(t.contains(u"alice not-found: the registrar does not know alice"_s), qPrintable(t));
    QVERIFY2(t.contains(u"#"_s), qPrintable(t));
}

void TstRegReport::formatsMs_data()
{
    QTest::addColumn<double>("ms");
    QTest::addColumn<QString>("text");
    QTest::newRow("sub-ms") << 0.834 << u"0.83 ms"_s;
    QTest::newRow("tens") << 12.44 << u"12.4 ms"_s;
    QTest::newRow("hundreds") << 512.4 << u"512 ms"_s;
    QTest::newRow("seconds") << 1200.0 << u"1.20 s"_s;
    QTest::newRow("timeout") << 32000.0 << u"32.0 s"_s;
}

void TstRegReport::formatsMs()
{
    QFETCH(double, ms);
    QFETCH(QString, text);
    QCOMPARE(formatMs(ms), text);
}

QTEST_GUILESS_MAIN(TstRegReport)
#include "tst_reg_report.moc"
