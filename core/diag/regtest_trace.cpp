#include "regtest_trace.h"

#include "sip/parser.h"

#include <algorithm>

namespace ds::diag {

RegTestTrace::RegTestTrace(int concurrency) { reset(concurrency); }

void RegTestTrace::reset(int concurrency)
{
    m_store = std::make_unique<diag::TraceStore>();
    m_pending.clear();
    m_order.clear();
    m_seq = 0;
    m_maxPending = 2 * qsizetype(std::max(1, concurrency)) + 64;
    m_kept = 0;
    m_dropped = 0;
}

void RegTestTrace::add(const sip::TraceEvent &event)
{
    if (event.malformed)
        return;
    const auto parsed = sip::Parser::parse(event.raw);
    if (!parsed)
        return;
    const QByteArray callId = parsed->callId().toByteArray();
    if (callId.isEmpty())
        return;
    // A kept failure's late message (a retransmitted 401): its ladder shows it too.
    if (m_store->findCall(callId)) {
        if (m_store->rawBytes() < kMaxRawBytes)
            m_store->append(event);
        return;
    }
    auto it = m_pending.find(callId);
    if (it == m_pending.end()) {
        it = m_pending.insert(callId, Pending {++m_seq, {}});
        m_order.emplace_back(m_seq, callId);
        evict();
        it = m_pending.find(callId);
    }
    if (it != m_pending.end() && it->events.size() < kMaxMessagesPerAttempt)
        it->events.append(event);
}

void RegTestTrace::finish(const diag::RegAttempt &attempt)
{
    auto it = m_pending.find(attempt.callId);
    if (it == m_pending.end())
        return;
    if (!attempt.registered) { // as RegReport lists failures
        if (full()) {
            ++m_dropped;
        } else {
            for (const sip::TraceEvent &e : std::as_const(it->events))
                m_store->append(e);
            ++m_kept;
        }
    }
    m_pending.erase(it);
}

void RegTestTrace::evict()
{
    // Messages whose attempt never claimed them (after it ended, or not of this test): the oldest go.
    while (m_pending.size() > m_maxPending && !m_order.empty()) {
        const auto [seq, callId] = m_order.front();
        m_order.pop_front();
        if (const auto it = m_pending.constFind(callId); it != m_pending.cend() && it->seq == seq)
            m_pending.erase(it);
    }
    if (qsizetype(m_order.size()) > 4 * m_maxPending) {
        std::erase_if(m_order, [this](const std::pair<qint64, QByteArray> &o) {
            const auto it = m_pending.constFind(o.second);
            return it == m_pending.cend() || it->seq != o.first;
        });
    }
}

} // namespace ds::diag
