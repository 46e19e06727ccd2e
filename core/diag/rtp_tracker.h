#pragma once
// RtpTracker: recognises the RTP streams of a trace from its SDP — every m= line says where
// media will arrive (c= address, m= port) and what payload types mean — and counts the
// datagrams of each stream: packets, loss from the sequence numbers, payload type, codec.
// The capture importer feeds it datagrams; our own calls report their live counters.

#include "trace_store.h"

#include <QHash>
#include <QString>

#include <vector>

namespace ds::diag {

struct RtpStreamInfo {
    NetAddress src, dst;
    quint32 ssrc = 0;
    quint32 call = 0; // the call (Call-ID index in the store) whose SDP announced it
    int payloadType = -1;
    QString codec; // "PCMU/8000"
    quint64 packets = 0;
    quint64 lost = 0; // RFC 3550 A.3: expected minus received, never negative
    qint64 firstUs = 0, lastUs = 0;
};

class RtpTracker {
public:
    // An SDP body seen in `call`: its media addresses become expected RTP destinations.
    void noteSdp(quint32 call, QByteArrayView sdpBody);
    // A UDP datagram that is not SIP; counted when it goes to an announced address and looks
    // like RTP version 2 (RTCP, by payload types 200-204, is left out). Returns whether it counted.
    bool datagram(qint64 timeUs, const NetAddress &src, const NetAddress &dst, QByteArrayView payload);
    // A stream of one of our own calls, with the counters the media engine measured.
    void report(const RtpStreamInfo &stream);

    const std::vector<RtpStreamInfo> &streams() const { return m_streams; }
    quint64 rtpPackets() const { return m_packets; }
    // The codec of the call's first stream that has one; empty when none.
    QString codecOfCall(quint32 call) const { return m_callCodec.value(call); }
    void clear();

private:
    struct Expected {
        quint32 call = 0;
        quint32 codecs = 0; // index into m_codecSets: captures repeat the same few offers
    };
    using CodecSet = QHash<int, QString>; // payload type -> "PCMU/8000"
    struct Key {
        NetAddress src, dst;
        quint32 ssrc = 0;
        bool operator==(const Key &) const = default;
    };
    friend size_t qHash(const Key &k, size_t seed) noexcept { return qHashMulti(seed, k.src, k.dst, k.ssrc); }
    struct Sequence {
        quint32 base = 0, max = 0; // extended sequence numbers
        quint64 received = 0;
    };

    QString codecOf(const Expected &e, int payloadType) const { return m_codecSets[e.codecs].value(payloadType); }

    QHash<NetAddress, Expected> m_expected;
    std::vector<CodecSet> m_codecSets;
    QHash<QByteArray, quint32> m_codecSetIds; // by the m= formats and rtpmap lines as written
    QHash<Key, size_t> m_index;
    std::vector<RtpStreamInfo> m_streams;
    std::vector<Sequence> m_sequences;
    quint64 m_packets = 0;
    QHash<quint32, QString> m_callCodec;
};

} // namespace ds::diag
