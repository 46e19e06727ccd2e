#include "trace_store.h"

#include "sip/header_names.h"
#include "sip/parser.h"

#include <QHostAddress>

#include <cstring>

namespace ds::diag {

namespace {

constexpr qint64 kTransactionLifeUs = 64 * 500 * 1000; // RFC 3261 17.1.1.2: 64*T1 bounds a transaction
constexpr quint32 kPruneEvery = 4096;
constexpr quint32 kAckSearch = 512; // messages searched back for the 2xx an ACK acknowledges

ByteSpan spanOf(QByteArrayView whole, QByteArrayView part)
{
    if (part.isEmpty())
        return {};
    qsizetype off = part.data() - whole.data();
    if (part.data() < whole.data() || part.data() + part.size() > whole.data() + whole.size()) {
        // A folded header (RFC 3261 7.3.1) was unfolded into the parser's side buffer. A branch
        // or a tag is a token, never folded itself: the same bytes are in the message.
        off = whole.indexOf(part);
        if (off < 0)
            return {};
    }
    if (off > 0xffff || part.size() > 0xffff)
        return {};
    return ByteSpan {quint16(off), quint16(part.size())};
}

// The tag parameter of a From or To value (RFC 3261 19.3), outside the <>.
QByteArrayView tagOf(QByteArrayView value)
{
    const qsizetype gt = value.lastIndexOf('>');
    qsizetype at = gt < 0 ? 0 : gt;
    while (true) {
        const qsizetype semi = value.indexOf(';', at);
        if (semi < 0)
            return {};
        QByteArrayView rest = sip::trimmed(value.sliced(semi + 1));
        if (rest.size() > 4 && sip::equalsNoCase(rest.first(3), "tag") && sip::trimmed(rest.sliced(3)).startsWith('=')) {
            rest = sip::trimmed(sip::trimmed(rest.sliced(3)).sliced(1));
            qsizetype end = 0;
            while (end < rest.size() && rest[end] != ';' && rest[end] != ' ' && rest[end] != '\t' && rest[end] != '\r')
                ++end;
            return rest.first(end);
        }
        at = semi + 1;
    }
}

} // namespace

TraceStore::TraceStore()
{
    internMethod(""); // id 0: none
    internMethod("INVITE");
}

TraceStore::~TraceStore() = default;

void TraceStore::clear()
{
    m_chunks.clear();
    m_openChunk = kNoChunk;
    m_chunkUsed = 0;
    m_rawBytes = 0;
    m_records.clear();
    m_endpoints.clear();
    m_endpointIds.clear();
    m_calls.clear();
    m_callIds.clear();
    m_callIndex.clear();
    m_methods.clear();
    m_methodIds.clear();
    m_transactions.clear();
    m_lastPruneUs = 0;
    internMethod("");
    internMethod("INVITE");
}

quint32 TraceStore::append(const sip::TraceEvent &event)
{
    MessageRecord rec;
    rec.timeUs = event.time.toMSecsSinceEpoch() * 1000;
    rec.transport = quint8(event.transport);
    const bool out = event.direction == sip::TraceEvent::Direction::Out;
    const quint32 local = internEndpoint(NetAddress::fromEndpoint(event.local));
    const quint32 remote = internEndpoint(NetAddress::fromEndpoint(event.remote));
    rec.src = out ? local : remote;
    rec.dst = out ? remote : local;
    rec.flags = MessageRecord::Directional | (out ? MessageRecord::Outgoing : 0) | (event.malformed ? MessageRecord::Malformed : 0);
    return add(rec, event.raw);
}

quint32 TraceStore::append(qint64 timeUs, sip::TransportKind transport, const NetAddress &src, const NetAddress &dst, QByteArrayView raw, quint32 frame)
{
    MessageRecord rec;
    rec.timeUs = timeUs;
    rec.transport = quint8(transport);
    rec.src = internEndpoint(src);
    rec.dst = internEndpoint(dst);
    rec.frame = frame;
    return add(rec, raw);
}

quint32 TraceStore::add(MessageRecord rec, QByteArrayView raw)
{
    const QByteArrayView stored = store(raw, rec.rawOffset);
    rec.rawLength = quint32(stored.size());
    index(rec, stored);
    const quint32 i = quint32(m_records.size());
    m_records.push_back(rec);
    link(i);
    if (i % kPruneEvery == 0)
        prune(rec.timeUs);
    return i;
}

QByteArrayView TraceStore::store(QByteArrayView raw, quint64 &offset)
{
    const quint64 n = quint64(raw.size());
    m_rawBytes += n;
    if (n > kChunk / 4) { // a huge message gets a chunk of its own; the open chunk stays open
        m_chunks.push_back(std::make_unique_for_overwrite<char[]>(n));
        std::memcpy(m_chunks.back().get(), raw.data(), n);
        offset = quint64(m_chunks.size() - 1) << 32;
        return QByteArrayView(m_chunks.back().get(), qsizetype(n));
    }
    if (m_openChunk == kNoChunk || m_chunkUsed + n > kChunk) {
        m_chunks.push_back(std::make_unique_for_overwrite<char[]>(kChunk));
        m_openChunk = m_chunks.size() - 1;
        m_chunkUsed = 0;
    }
    char *dst = m_chunks[m_openChunk].get() + m_chunkUsed;
    if (n)
        std::memcpy(dst, raw.data(), n);
    offset = quint64(m_openChunk) << 32 | m_chunkUsed;
    m_chunkUsed += n;
    return QByteArrayView(dst, qsizetype(n));
}

QByteArrayView TraceStore::raw(quint32 i) const
{
    const MessageRecord &r = m_records[i];
    return QByteArrayView(m_chunks[r.rawOffset >> 32].get() + (r.rawOffset & 0xffffffffu), qsizetype(r.rawLength));
}

QByteArrayView TraceStore::firstLine(quint32 i) const
{
    const QByteArrayView v = raw(i);
    qsizetype end = v.indexOf('\n');
    if (end < 0)
        end = v.size();
    if (end > 0 && v[end - 1] == '\r')
        --end;
    return v.first(end);
}

std::expected<sip::Message, sip::Error> TraceStore::parse(quint32 i) const
{
    const QByteArrayView v = raw(i);
    const sip::Framing framing = m_records[i].transport == quint8(sip::TransportKind::Udp) ? sip::Framing::Datagram : sip::Framing::Stream;
    return sip::Parser::parse(QByteArray::fromRawData(v.data(), v.size()), framing);
}

quint32 TraceStore::internEndpoint(const NetAddress &a)
{
    const auto it = m_endpointIds.constFind(a);
    if (it != m_endpointIds.cend())
        return *it;
    const quint32 id = quint32(m_endpoints.size());
    m_endpoints.push_back(a);
    m_endpointIds.insert(a, id);
    return id;
}

quint16 TraceStore::internMethod(QByteArrayView name)
{
    // Looked up without a copy: once per message.
    const auto it = m_methodIds.constFind(QByteArray::fromRawData(name.data(), name.size()));
    if (it != m_methodIds.cend())
        return *it;
    if (m_methods.size() >= 0xffff) // a capture full of invented methods: fold the rest into one
        return 0;
    const QByteArray key = name.toByteArray();
    const quint16 id = quint16(m_methods.size());
    m_methods.append(key);
    m_methodIds.insert(key, id);
    return id;
}

std::optional<quint16> TraceStore::findMethod(QByteArrayView name) const
{
    const auto it = m_methodIds.constFind(name.toByteArray());
    if (it == m_methodIds.cend())
        return std::nullopt;
    return *it;
}

quint32 TraceStore::internCall(QByteArrayView callId, quint32 message, quint16 method)
{
    const auto it = m_callIndex.constFind(callId);
    if (it != m_callIndex.cend())
        return *it;
    const quint32 c = quint32(m_calls.size());
    CallRecord call;
    call.firstMessage = message;
    call.firstMethod = method;
    m_calls.push_back(call);
    m_callIds.push_back(callId); // a view into the arena, which never moves
    m_callIndex.insert(callId, c);
    return c;
}

std::optional<quint32> TraceStore::findCall(QByteArrayView callId) const
{
    const auto it = m_callIndex.constFind(callId);
    if (it == m_callIndex.cend())
        return std::nullopt;
    return *it;
}

void TraceStore::index(MessageRecord &rec, QByteArrayView raw)
{
    const quint32 i = quint32(m_records.size());
    const sip::Framing framing = rec.transport == quint8(sip::TransportKind::Udp) ? sip::Framing::Datagram : sip::Framing::Stream;
    auto parsed = sip::Parser::parse(QByteArray::fromRawData(raw.data(), raw.size()), framing);
    if (!parsed) {
        rec.flags |= MessageRecord::Malformed;
        // Still group it by its Call-ID when one can be read, so a broken message shows in its call.
        QByteArrayView callId;
        qsizetype pos = 0;
        while (pos < raw.size()) {
            qsizetype end = raw.indexOf('\n', pos);
            if (end < 0)
                end = raw.size();
            const QByteArrayView line = raw.sliced(pos, end - pos);
            const qsizetype colon = line.indexOf(':');
            if (colon > 0 && sip::headerIdFromName(sip::trimmed(line.first(colon))) == sip::HeaderId::CallId) {
                callId = sip::trimmed(line.sliced(colon + 1));
                break;
            }
            if (line.isEmpty() || line == "\r")
                break;
            pos = end + 1;
        }
        rec.call = internCall(!callId.isEmpty() ? callId : QByteArrayView("(malformed)"), i, 0);
        return;
    }
    const sip::Message &m = *parsed;
    if (m.isRequest()) {
        rec.flags |= MessageRecord::Request;
        rec.method = internMethod(m.method());
    } else {
        rec.status = quint16(m.statusCode());
        rec.method = internMethod(m.cseqMethod());
    }
    rec.cseq = m.cseqNumber();
    rec.branch = spanOf(raw, m.topViaBranch());
    rec.fromTag = spanOf(raw, tagOf(m.header(sip::HeaderId::From)));
    rec.toTag = spanOf(raw, tagOf(m.header(sip::HeaderId::To)));
    if (m.hasHeader(sip::HeaderId::Authorization) || m.hasHeader(sip::HeaderId::ProxyAuthorization))
        rec.flags |= MessageRecord::HasAuthorization;
    if (!m.body().isEmpty() && m.header(sip::HeaderId::ContentType).contains("sdp"))
        rec.flags |= MessageRecord::HasSdp;
    QByteArrayView callId = m.callId();
    if (callId.isEmpty()) {
        callId = "(no Call-ID)";
    } else if (callId.data() < raw.data() || callId.data() + callId.size() > raw.data() + raw.size()) {
        quint64 ignored = 0; // a folded header was unfolded elsewhere: keep a copy in the arena
        callId = store(callId, ignored);
        m_rawBytes -= quint64(callId.size());
    }
    rec.call = internCall(callId, i, rec.method);
}

quint64 TraceStore::transactionKey(quint32 call, QByteArrayView branch, quint16 method, quint32 cseq) const
{
    // RFC 3261 17.1.3: a response matches a client transaction by the top Via branch and the
    // CSeq method. Without a branch (RFC 2543 peers) the Call-ID and CSeq stand in.
    const size_t seed = qHashMulti(0x5eed, call, method);
    return branch.isEmpty() ? quint64(qHashMulti(seed, cseq)) : quint64(qHash(branch, seed));
}

void TraceStore::link(quint32 i)
{
    MessageRecord &r = m_records[i];
    CallRecord &call = m_calls[r.call];
    if (call.messages++ == 0)
        call.firstMessage = i;
    call.lastMessage = i;
    if (r.is(MessageRecord::Malformed))
        return;
    const QByteArrayView branch = field(i, r.branch);
    const QByteArrayView method = m_methods[r.method];
    const bool udp = r.transport == quint8(sip::TransportKind::Udp);
    auto toTagHash = [&] { return quint32(qHash(field(i, r.toTag), 1)); };

    if (!r.is(MessageRecord::Request)) {
        const auto tx = m_transactions.find(transactionKey(r.call, branch, r.method, r.cseq));
        if (tx == m_transactions.end())
            return; // a response to a request the trace never saw
        r.related = tx->request;
        const quint32 tag = toTagHash();
        // The same status with the same To tag again. A forked INVITE (RFC 3261 16.7) has one
        // response stream per To tag: a fork's retransmission may follow another fork's response.
        for (const Transaction::Response &seen : tx->responses) {
            if (seen.message == kNoMessage || seen.status != r.status || seen.toTagHash != tag)
                continue;
            r.flags |= MessageRecord::Retransmission;
            r.related = seen.message;
            // RFC 3261 17.2.1: Timer G retransmits an INVITE server transaction's final
            // response over UDP; 13.3.1.4 does the same for a 2xx.
            if (udp && r.status >= 200 && method == "INVITE")
                r.timer = 'G';
            return;
        }
        tx->responses[tx->nextResponse++ % tx->responses.size()] = Transaction::Response {i, tag, r.status};
        tx->lastUs = r.timeUs;
        if (r.status == 401 || r.status == 407)
            call.lastChallenge = i;
        else if (r.status >= 200)
            call.lastChallenge = kNoMessage;
        if (method == "INVITE" && r.status >= 200 && r.status != 401 && r.status != 407 && call.inviteStatus == 0)
            call.inviteStatus = r.status;
        return;
    }

    if (method == "ACK") {
        // RFC 3261 17.1.1.3: the ACK of a non-2xx final shares the INVITE's branch.
        const auto invite = m_transactions.find(transactionKey(r.call, branch, kInvite, r.cseq));
        if (invite != m_transactions.end()) {
            if (invite->ack != kNoMessage) {
                r.flags |= MessageRecord::Retransmission;
                r.related = invite->ack;
            } else {
                invite->ack = i;
                r.related = invite->request;
            }
            return;
        }
        // RFC 3261 13.2.2.4: the ACK of a 2xx is a transaction of its own, same CSeq number. It
        // belongs to the INVITE whose 2xx (same To tag) reached the ACK's sender: through proxies
        // every hop has an INVITE of its own, and a fork a 2xx of its own.
        const QByteArrayView tag = field(i, r.toTag);
        for (quint32 k = i; k-- > call.firstMessage && i - k <= kAckSearch;) {
            const MessageRecord &o = m_records[k];
            if (o.call != r.call || o.is(MessageRecord::Request) || o.method != kInvite || o.status < 200 || o.status >= 300 || o.cseq != r.cseq
                || o.dst != r.src || o.related == kNoMessage || field(k, o.toTag) != tag)
                continue;
            r.related = o.is(MessageRecord::Retransmission) ? m_records[o.related].related : o.related;
            break;
        }
        if (r.related == kNoMessage && call.lastInvite != kNoMessage && m_records[call.lastInvite].cseq == r.cseq)
            r.related = call.lastInvite;
    }
    if (method == "BYE")
        call.byeSeen = true;
    const quint64 key = transactionKey(r.call, branch, r.method, r.cseq);
    const auto tx = m_transactions.find(key);
    if (tx != m_transactions.end()) {
        r.flags |= MessageRecord::Retransmission;
        r.related = tx->request;
        // RFC 3261 17.1.1.2 Timer A (INVITE) and 17.1.2.2 Timer E (others) over UDP.
        if (udp && method != "ACK")
            r.timer = method == "INVITE" ? 'A' : 'E';
        tx->lastUs = r.timeUs;
        return;
    }
    Transaction t;
    t.request = i;
    t.lastUs = r.timeUs;
    m_transactions.insert(key, t);
    if (method == "CANCEL") {
        // RFC 3261 9.1: a CANCEL carries the branch of the INVITE it cancels.
        call.cancelSeen = true;
        const auto invite = m_transactions.constFind(transactionKey(r.call, branch, kInvite, r.cseq));
        if (invite != m_transactions.cend())
            r.related = invite->request;
        return;
    }
    if (method == "INVITE")
        call.lastInvite = i;
    if (r.is(MessageRecord::HasAuthorization) && call.lastChallenge != kNoMessage && m_records[call.lastChallenge].method == r.method
        && m_records[call.lastChallenge].cseq < r.cseq) {
        r.flags |= MessageRecord::AuthRetry;
        r.related = call.lastChallenge;
        call.lastChallenge = kNoMessage;
    }
}

void TraceStore::prune(qint64 nowUs)
{
    if (nowUs - m_lastPruneUs < kTransactionLifeUs)
        return;
    m_lastPruneUs = nowUs;
    m_transactions.removeIf([nowUs](const QHash<quint64, Transaction>::iterator &it) { return nowUs - it->lastUs > 2 * kTransactionLifeUs; });
}

quint64 TraceStore::overheadBytes() const
{
    quint64 n = m_records.capacity() * sizeof(MessageRecord);
    n += m_calls.capacity() * (sizeof(CallRecord) + sizeof(QByteArrayView));
    n += quint64(m_callIndex.capacity()) * (sizeof(QByteArrayView) + sizeof(quint32) + 16); // node + span
    n += m_endpoints.capacity() * sizeof(NetAddress) + quint64(m_endpointIds.capacity()) * (sizeof(NetAddress) + 24);
    n += quint64(m_transactions.capacity()) * (sizeof(Transaction) + 24);
    if (m_openChunk != kNoChunk)
        n += kChunk - m_chunkUsed; // the open chunk's free tail
    return n;
}

} // namespace ds::diag
