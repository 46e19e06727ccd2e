#pragma once
// RegTestTrace: the SIP messages of a registration test's failed attempts, for their ladders —
// bounded whatever the test's size. Each attempt's messages wait by Call-ID while it is in
// flight (at most a few per attempt, and only as many attempts as may be in flight); when it
// ends, a failure's messages go into a TraceStore and a success's are dropped. The store keeps
// the first kMaxLadders failures (RegReport lists the first 10,000) within kMaxRawBytes.

#include "reg_report.h"
#include "trace_store.h"

#include <QByteArray>
#include <QHash>
#include <QList>

#include <deque>
#include <memory>

namespace ds::diag {

class RegTestTrace {
public:
    static constexpr int kMaxLadders = 1000; // failed attempts whose messages are kept
    static constexpr quint64 kMaxRawBytes = 16 * 1024 * 1024;
    static constexpr int kMaxMessagesPerAttempt = 32; // retransmissions past these are left out

    explicit RegTestTrace(int concurrency = 200);

    // A new test: forgets every message; up to about 2 x concurrency attempts may wait.
    void reset(int concurrency);
    void add(const sip::TraceEvent &event);
    // The attempt ended: keeps its messages when it failed (and there is room), else drops them.
    void finish(const diag::RegAttempt &attempt);

    const diag::TraceStore &store() const { return *m_store; }
    bool hasLadder(const QByteArray &callId) const { return m_store->findCall(callId).has_value(); }
    int laddersKept() const { return m_kept; }
    qint64 laddersDropped() const { return m_dropped; }
    // Attempts whose messages wait (bounded by the concurrency).
    qsizetype waiting() const { return m_pending.size(); }

private:
    struct Pending {
        qint64 seq = 0;
        QList<sip::TraceEvent> events;
    };
    bool full() const { return m_kept >= kMaxLadders || m_store->rawBytes() >= kMaxRawBytes; }
    void evict();

    std::unique_ptr<diag::TraceStore> m_store;
    QHash<QByteArray, Pending> m_pending;
    // Call-IDs in order of their first message, for evicting those no attempt claims (messages
    // that come after their attempt ended); stale entries are skipped and compacted away.
    std::deque<std::pair<qint64, QByteArray>> m_order;
    qint64 m_seq = 0;
    qsizetype m_maxPending = 0;
    int m_kept = 0;
    qint64 m_dropped = 0;
};

} // namespace ds::diag
