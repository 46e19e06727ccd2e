#pragma once
// RegReport: the figures of a bulk registration test — counts by outcome, each failed account with
// its explanation, latency percentiles and histograms of the challenge round and of the whole
// registration, and the achieved rate. Pure data, any thread; memory bounded whatever the count.

#include <QList>
#include <QMap>
#include <QString>

#include <array>
#include <cstdint>

namespace ds::diag {

// LatencyStats: a log-bucketed histogram (about 1 % wide buckets from 1 µs to 20 min), so
// percentiles are within 1 % of the exact value and memory is fixed (HdrHistogram's idea).
class LatencyStats {
public:
    void add(double ms);
    qint64 count() const { return m_count; }
    double percentile(double p) const; // 0 < p <= 100; 0 when empty
    double max() const { return m_max; }
    double min() const { return m_count ? m_min : 0; }
    double mean() const { return m_count ? m_sum / double(m_count) : 0; }

    struct Bin {
        double fromMs = 0;
        double toMs = 0;
        qint64 count = 0;
    };
    // The samples in bins of equal width on a log scale, 1-2-5 steps, covering min to max.
    QList<Bin> histogram() const;

    static constexpr int kBuckets = 2100;

private:
    static int bucketOf(double ms);
    static double bucketLow(int bucket);
    static double bucketHigh(int bucket) { return bucketLow(bucket + 1); }

    std::array<qint64, kBuckets> m_buckets {};
    qint64 m_count = 0;
    double m_sum = 0;
    double m_min = 0;
    double m_max = 0;
};

// One account's attempt, as the report keeps it.
struct RegAttempt {
    qint64 index = 0; // 0-based order of start
    QString user {};
    QString outcome {}; // "registered", "wrong-credentials"... (phone::outcomeName)
    int status = 0; // the deciding SIP status, 0 when none
    QString reason {}; // one sentence, never a password
    QByteArray callId {}; // to find its messages in the trace
    double challengeMs = -1; // REGISTER to 401/407; -1 when not challenged
    double totalMs = -1; // REGISTER to the final outcome
    bool registered = false;
    // --unregister-after: how removing the binding went ("", "unregistered" or an outcome name).
    QString unregisterOutcome {};
};

class RegReport {
public:
    void add(const RegAttempt &attempt);
    void setElapsedSeconds(double s) { m_elapsed = s; }

    qint64 attempted() const { return m_attempted; }
    qint64 registered() const { return m_registered; }
    qint64 failed() const { return m_attempted - m_registered; }
    qint64 unregistered() const { return m_unregistered; }
    const QMap<QString, qint64> &byOutcome() const { return m_byOutcome; }
    // The failed attempts, the first kMaxFailuresKept of them; failuresDropped() counts the rest.
    const QList<RegAttempt> &failures() const { return m_failures; }
    qint64 failuresDropped() const { return m_failuresDropped; }
    const LatencyStats &challenge() const { return m_challenge; }
    const LatencyStats &total() const { return m_total; }
    double elapsedSeconds() const { return m_elapsed; }
    double ratePerSecond() const { return m_elapsed > 0 ? double(m_attempted) / m_elapsed : 0; }

    // The text report the CLI prints and the GUI copies: counts, percentiles, histogram, failures.
    QString text(int maxFailuresShown = 50) const;

    static constexpr int kMaxFailuresKept = 10000;

private:
    qint64 m_attempted = 0;
    qint64 m_registered = 0;
    qint64 m_unregistered = 0;
    QMap<QString, qint64> m_byOutcome;
    QList<RegAttempt> m_failures;
    qint64 m_failuresDropped = 0;
    LatencyStats m_challenge;
    LatencyStats m_total;
    double m_elapsed = 0;
};

// "0.83 ms", "12.4 ms", "1.20 s": three significant digits.
QString formatMs(double ms);

} // namespace ds::diag
