#pragma once
// TraceStore: every SIP message of a session or of a capture, kept compactly — the raw bytes in
// a chunked arena that never moves, and one 64-byte index record per message (time, endpoints,
// transport, Call-ID, CSeq, branch, tags, transaction link). Parsing for display is lazy.
// Transactions are linked as messages arrive (RFC 3261 17): a response to its request, a
// retransmission to its original, ACK and CANCEL to their INVITE, a request that answers a
// 401/407 to the challenge. Main thread, or any one thread at a time.

#include "net_address.h"
#include "sip/message.h"
#include "sip/trace_event.h"
#include "sip/transport.h"

#include <QByteArray>
#include <QHash>
#include <QList>

#include <array>
#include <cstdint>
#include <expected>
#include <memory>
#include <vector>

namespace ds::diag {

inline constexpr quint32 kNoMessage = 0xffffffffu;

// Where a field lies inside a message's raw bytes.
struct ByteSpan {
    quint16 offset = 0;
    quint16 length = 0;
};

struct MessageRecord {
    enum Flag : quint8 {
        Request = 1,
        Directional = 2, // our own trace: the direction below is known
        Outgoing = 4,
        Malformed = 8,
        Retransmission = 16, // `related` is the original
        AuthRetry = 32, // a request with credentials; `related` is the 401/407 it answers
        HasSdp = 64,
        HasAuthorization = 128,
    };
    qint64 timeUs = 0; // microseconds since the Unix epoch
    quint64 rawOffset = 0; // into the arena
    quint32 rawLength = 0;
    quint32 src = 0; // endpoint ids
    quint32 dst = 0;
    quint32 call = 0; // call index (one per Call-ID)
    quint32 cseq = 0;
    quint32 frame = 0; // capture frame that completed the message; 0 for our own trace
    quint32 related = kNoMessage; // the request of a response, the INVITE of an ACK/CANCEL, see flags
    quint16 method = 0; // method id: the request's, or the CSeq method of a response
    quint16 status = 0; // 0 for requests
    ByteSpan branch, fromTag, toTag;
    quint8 flags = 0;
    quint8 transport = 0; // sip::TransportKind
    char timer = 0; // a retransmission: the RFC 3261 timer that fired it ('A', 'E', 'G'), else 0
    quint8 reserved = 0;

    bool is(Flag f) const { return flags & f; }
};
static_assert(sizeof(MessageRecord) == 64, "the index record is the per-message memory budget");

// One Call-ID: everything with it is one ladder group.
struct CallRecord {
    quint32 firstMessage = kNoMessage;
    quint32 lastMessage = kNoMessage;
    quint32 messages = 0;
    quint32 lastInvite = kNoMessage; // the latest INVITE request (original, not a retransmission)
    quint32 lastChallenge = kNoMessage; // the latest 401/407
    quint16 firstMethod = 0; // what the Call-ID was created for (INVITE, REGISTER, ...)
    quint16 inviteStatus = 0; // the final status of the first INVITE (0 while none)
    bool byeSeen = false;
    bool cancelSeen = false;
};

class TraceStore {
public:
    TraceStore();
    ~TraceStore();
    TraceStore(const TraceStore &) = delete;
    TraceStore &operator=(const TraceStore &) = delete;

    // Our own trace: direction, local and remote known.
    quint32 append(const sip::TraceEvent &event);
    // A capture: source and destination.
    quint32 append(qint64 timeUs, sip::TransportKind transport, const NetAddress &src, const NetAddress &dst, QByteArrayView raw, quint32 frame);

    quint32 size() const { return quint32(m_records.size()); }
    bool isEmpty() const { return m_records.empty(); }
    const MessageRecord &record(quint32 i) const { return m_records[i]; }
    QByteArrayView raw(quint32 i) const;
    QByteArrayView field(quint32 i, ByteSpan s) const { return raw(i).sliced(s.offset, s.length); }
    QByteArrayView firstLine(quint32 i) const;
    // The message parsed on demand (the bytes are not copied).
    std::expected<sip::Message, sip::Error> parse(quint32 i) const;

    quint32 endpointCount() const { return quint32(m_endpoints.size()); }
    const NetAddress &endpoint(quint32 id) const { return m_endpoints[id]; }

    quint32 callCount() const { return quint32(m_calls.size()); }
    const CallRecord &call(quint32 c) const { return m_calls[c]; }
    QByteArrayView callId(quint32 c) const { return m_callIds[c]; }
    std::optional<quint32> findCall(QByteArrayView callId) const;

    QByteArrayView methodName(quint16 id) const { return m_methods[id]; }
    std::optional<quint16> findMethod(QByteArrayView name) const;

    // What the store holds beyond the raw bytes, in bytes: records, call and endpoint tables,
    // link state (for the 64-bytes-per-message budget).
    quint64 overheadBytes() const;
    quint64 rawBytes() const { return m_rawBytes; }

    void clear();

private:
    struct Transaction {
        quint32 request = kNoMessage;
        quint32 ack = kNoMessage; // the ACK of a non-2xx final, same branch (RFC 3261 17.1.1.3)
        qint64 lastUs = 0;
        // The latest distinct responses (status, To tag): forks answer with To tags of their own.
        struct Response {
            quint32 message = kNoMessage;
            quint32 toTagHash = 0;
            quint16 status = 0;
        };
        std::array<Response, 4> responses {};
        quint8 nextResponse = 0;
    };
    quint64 transactionKey(quint32 call, QByteArrayView branch, quint16 method, quint32 cseq) const;
    quint32 add(MessageRecord rec, QByteArrayView raw);
    QByteArrayView store(QByteArrayView raw, quint64 &offset);
    quint32 internEndpoint(const NetAddress &a);
    quint16 internMethod(QByteArrayView name);
    static constexpr quint16 kInvite = 1; // interned first, after the empty name
    quint32 internCall(QByteArrayView callId, quint32 message, quint16 method);
    void index(MessageRecord &rec, QByteArrayView raw);
    void link(quint32 i);
    void prune(qint64 nowUs);

    // The records in fixed chunks: growing never copies them nor doubles their memory (a vector
    // at 100k records holds 131072), and a record never moves.
    class RecordChunks {
    public:
        static constexpr quint32 kPerChunk = 8192; // 512 KiB
        quint32 size() const { return m_size; }
        bool empty() const { return m_size == 0; }
        quint64 capacity() const { return quint64(m_chunks.size()) * kPerChunk; }
        MessageRecord &operator[](quint32 i) { return m_chunks[i / kPerChunk][i % kPerChunk]; }
        const MessageRecord &operator[](quint32 i) const { return m_chunks[i / kPerChunk][i % kPerChunk]; }
        void push_back(const MessageRecord &r)
        {
            if (m_size == capacity())
                m_chunks.push_back(std::make_unique<MessageRecord[]>(kPerChunk));
            (*this)[m_size++] = r;
        }
        void clear()
        {
            m_chunks.clear();
            m_size = 0;
        }

    private:
        std::vector<std::unique_ptr<MessageRecord[]>> m_chunks;
        quint32 m_size = 0;
    };

    static constexpr quint64 kChunk = 4 * 1024 * 1024;
    std::vector<std::unique_ptr<char[]>> m_chunks;
    static constexpr size_t kNoChunk = size_t(-1);
    size_t m_openChunk = kNoChunk;
    quint64 m_chunkUsed = 0;
    quint64 m_rawBytes = 0;

    RecordChunks m_records;
    std::vector<NetAddress> m_endpoints;
    QHash<NetAddress, quint32> m_endpointIds;
    std::vector<CallRecord> m_calls;
    std::vector<QByteArrayView> m_callIds; // views into the arena
    QHash<QByteArrayView, quint32> m_callIndex;
    QList<QByteArray> m_methods;
    QHash<QByteArray, quint16> m_methodIds;
    // Open transactions by (branch, method): bounded by the traffic of the last minute of
    // capture time, not by the size of the trace (pruned as time moves on).
    QHash<quint64, Transaction> m_transactions;
    qint64 m_lastPruneUs = 0;
};

} // namespace ds::diag
