#include "ladder_overlay.h"

#include <algorithm>

namespace ds::ui {

using diag::kNoMessage;
using diag::MessageRecord;

namespace {

constexpr quint32 kScan = 4096; // messages looked at around a transaction

// The message a transaction hangs on: a response's request, a retransmission's original, the
// INVITE of an ACK or CANCEL (RFC 3261 17.1.1.3, 9.1). `related` always points back in time.
quint32 rootOf(const diag::TraceStore &store, quint32 m)
{
    for (int hop = 0; hop < 8; ++hop) {
        const MessageRecord &r = store.record(m);
        if (r.related == kNoMessage || r.related >= m)
            return m;
        if (r.is(MessageRecord::AuthRetry) && !r.is(MessageRecord::Retransmission))
            return m; // its `related` is the challenge: another transaction
        if (r.is(MessageRecord::Request) && !r.is(MessageRecord::Retransmission)) {
            const QByteArrayView method = store.methodName(r.method);
            if (method != "ACK" && method != "CANCEL")
                return m;
        }
        m = r.related;
    }
    return m;
}

} // namespace

bool LadderOverlay::contains(quint32 message) const { return std::binary_search(messages.begin(), messages.end(), message); }

LadderOverlay ladderOverlay(const diag::LadderModel &model, quint32 message)
{
    LadderOverlay o;
    const diag::TraceStore &store = model.store();
    if (message >= store.size())
        return o;
    const quint32 root = rootOf(store, message);
    const quint32 call = store.record(root).call;
    const quint32 last = store.call(call).lastMessage;
    for (quint32 i = root; i <= last && i - root < kScan; ++i)
        if (store.record(i).call == call && rootOf(store, i) == root)
            o.messages.push_back(i);
    // RFC 3261 22.2: a 401/407 in the transaction and the request that retries with credentials.
    const MessageRecord &request = store.record(root);
    if (request.is(MessageRecord::AuthRetry) && request.related < store.size())
        o.authLinks.push_back(AuthLink {request.related, root});
    const size_t own = o.messages.size();
    for (size_t k = 0; k < own; ++k) {
        const quint32 c = o.messages[k];
        const MessageRecord &r = store.record(c);
        if ((r.status != 401 && r.status != 407) || r.is(MessageRecord::Retransmission))
            continue;
        for (quint32 i = c + 1; i <= last && i - c < kScan; ++i) {
            const MessageRecord &x = store.record(i);
            if (x.call == call && x.is(MessageRecord::AuthRetry) && x.related == c) {
                o.authLinks.push_back(AuthLink {c, i});
                break;
            }
        }
    }
    for (const AuthLink &l : o.authLinks)
        o.messages.insert(o.messages.end(), {l.challenge, l.retry});
    std::sort(o.messages.begin(), o.messages.end());
    o.messages.erase(std::unique(o.messages.begin(), o.messages.end()), o.messages.end());
    return o;
}

} // namespace ds::ui
