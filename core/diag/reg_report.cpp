#include "reg_report.h"

#include <algorithm>
#include <cmath>

namespace ds::diag {

namespace {

constexpr double kLowestMs = 0.001; // 1 µs
constexpr double kGrowth = 1.01;
const double kLogGrowth = std::log(kGrowth);

// 1-2-5 steps: the display edges people read without effort.
double stepAtOrBelow(double ms)
{
    const double decade = std::pow(10.0, std::floor(std::log10(ms)));
    for (const double m : {5.0, 2.0, 1.0})
        if (ms >= m * decade * (1 - 1e-9))
            return m * decade;
    return decade;
}

double nextStep(double edge)
{
    const double decade = std::pow(10.0, std::floor(std::log10(edge) + 1e-9));
    const double m = edge / decade;
    if (m < 1.5)
        return 2 * decade;
    if (m < 3.5)
        return 5 * decade;
    return 10 * decade;
}

} // namespace

int LatencyStats::bucketOf(double ms)
{
    if (!(ms > kLowestMs))
        return 0;
    const int b = int(std::log(ms / kLowestMs) / kLogGrowth);
    return std::clamp(b, 0, kBuckets - 1);
}

double LatencyStats::bucketLow(int bucket) { return kLowestMs * std::pow(kGrowth, bucket); }

void LatencyStats::add(double ms)
{
    if (!std::isfinite(ms) || ms < 0)
        return;
    ++m_buckets[size_t(bucketOf(ms))];
    m_min = m_count ? std::min(m_min, ms) : ms;
    m_max = m_count ? std::max(m_max, ms) : ms;
    m_sum += ms;
    ++m_count;
}

double LatencyStats::percentile(double p) const
{
    if (!m_count)
        return 0;
    if (p >= 100)
        return m_max;
    // The sample of rank ceil(p/100 * n) (nearest-rank), at its bucket's geometric middle.
    const qint64 rank = std::max<qint64>(1, qint64(std::ceil(p / 100.0 * double(m_count))));
    qint64 seen = 0;
    for (int b = 0; b < kBuckets; ++b) {
        seen += m_buckets[size_t(b)];
        if (seen >= rank)
            return std::clamp(std::sqrt(bucketLow(b) * bucketHigh(b)), m_min, m_max);
    }
    return m_max;
}

QList<LatencyStats::Bin> LatencyStats::histogram() const
{
    QList<Bin> bins;
    if (!m_count)
        return bins;
    double edge = stepAtOrBelow(std::max(m_min, kLowestMs));
    while (edge <= m_max || bins.isEmpty()) {
        const double next = nextStep(edge);
        bins.append({edge, next, 0});
        edge = next;
    }
    int bin = 0;
    for (int b = 0; b < kBuckets; ++b) {
        const qint64 n = m_buckets[size_t(b)];
        if (!n)
            continue;
        const double mid = std::clamp(std::sqrt(bucketLow(b) * bucketHigh(b)), m_min, m_max);
        while (bin + 1 < bins.size() && mid >= bins[bin].toMs)
            ++bin;
        bins[bin].count += n;
    }
    return bins;
}

void RegReport::add(const RegAttempt &a)
{
    ++m_attempted;
    ++m_byOutcome[a.outcome];
    if (a.registered) {
        ++m_registered;
        if (a.totalMs >= 0)
            m_total.add(a.totalMs);
    } else if (m_failures.size() < kMaxFailuresKept) {
        m_failures.append(a);
    } else {
        ++m_failuresDropped;
    }
    if (a.challengeMs >= 0)
        m_challenge.add(a.challengeMs);
    if (a.unregisterOutcome == QLatin1String("unregistered"))
        ++m_unregistered;
}

QString formatMs(double ms)
{
    if (ms >= 1000)
        return QStringLiteral("%1 s").arg(ms / 1000, 0, 'f', ms >= 10000 ? 1 : 2);
    if (ms >= 100)
        return QStringLiteral("%1 ms").arg(ms, 0, 'f', 0);
    if (ms >= 10)
        return QStringLiteral("%1 ms").arg(ms, 0, 'f', 1);
    return QStringLiteral("%1 ms").arg(ms, 0, 'f', 2);
}

QString RegReport::text(int maxFailuresShown) const
{
    QString t;
    t += QStringLiteral("%1 attempted, %2 registered, %3 failed in %4 s: %5 registrations/s\n")
             .arg(m_attempted)
             .arg(m_registered)
             .arg(failed())
             .arg(m_elapsed, 0, 'f', 2)
             .arg(ratePerSecond(), 0, 'f', 1);
    for (auto it = m_byOutcome.begin(); it != m_byOutcome.end(); ++it)
        t += QStringLiteral("  %1 %2\n").arg(it.key(), -20).arg(it.value(), 8);
    if (m_unregistered)
        t += QStringLiteral("  %1 %2\n").arg(QStringLiteral("then unregistered"), -20).arg(m_unregistered, 8);
    auto line = [&](const QString &name, const LatencyStats &s) {
        if (!s.count())
            return;
        t += QStringLiteral("%1 p50 %2  p95 %3  p99 %4  max %5  (%6 samples)\n")
                 .arg(name, -16)
                 .arg(formatMs(s.percentile(50)), formatMs(s.percentile(95)), formatMs(s.percentile(99)), formatMs(s.max()))
                 .arg(s.count());
    };
    line(QStringLiteral("challenge round"), m_challenge);
    line(QStringLiteral("registration"), m_total);
    if (m_total.count()) {
        const auto bins = m_total.histogram();
        qint64 most = 1;
        for (const auto &b : bins)
            most = std::max(most, b.count);
        t += QStringLiteral("registration time histogram:\n");
        for (const auto &b : bins) {
            const int bar = int(std::lround(40.0 * double(b.count) / double(most)));
            t += QStringLiteral("  %1 - %2 %3 %4\n").arg(formatMs(b.fromMs), 9).arg(formatMs(b.toMs), -9).arg(QString(bar, QLatin1Char('#')), -40).arg(b.count);
        }
    }
    if (!m_failures.isEmpty()) {
        t += QStringLiteral("failed accounts:\n");
        for (qsizetype i = 0; i < m_failures.size() && i < maxFailuresShown; ++i) {
            const RegAttempt &a = m_failures[i];
            t += QStringLiteral("  %1 %2: %3\n").arg(a.user, a.outcome, a.reason);
        }
        const qint64 more = m_failures.size() - std::min<qint64>(m_failures.size(), maxFailuresShown) + m_failuresDropped;
        if (more > 0)
            t += QStringLiteral("  ... and %1 more\n").arg(more);
    }
    return t;
}

} // namespace ds::diag
