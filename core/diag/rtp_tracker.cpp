#include "rtp_tracker.h"

#include "sdp/session_description.h"

#include <QHostAddress>

namespace ds::diag {

namespace {

constexpr qsizetype kMaxExpected = 100000; // announced media addresses kept (bounded for huge captures)
constexpr size_t kMaxStreams = 100000;

std::optional<NetAddress> addressOf(const QByteArray &text, int port)
{
    QHostAddress a;
    if (!a.setAddress(QString::fromLatin1(text)) || port <= 0 || port > 65535)
        return std::nullopt;
    return NetAddress::fromEndpoint(sip::Endpoint {a, quint16(port)});
}

} // namespace

void RtpTracker::noteSdp(quint32 call, QByteArrayView sdpBody)
{
    const auto sdp = sdp::SessionDescription::parse(sdpBody);
    if (!sdp)
        return;
    for (qsizetype m = 0; m < sdp->media.size(); ++m) {
        const sdp::MediaDescription &media = sdp->media[m];
        const auto connection = sdp->connectionOf(m);
        if (!media.isRtp() || media.port == 0 || !connection || connection->isNullHold())
            continue;
        const auto address = addressOf(connection->address, media.port);
        if (!address || (m_expected.size() >= kMaxExpected && !m_expected.contains(*address)))
            continue;
        Expected e;
        e.call = call;
        for (const sdp::Codec &c : media.codecs())
            e.codecs.insert(c.payloadType, QString::fromLatin1(c.toString()));
        m_expected.insert(*address, e);
    }
}

bool RtpTracker::datagram(qint64 timeUs, const NetAddress &src, const NetAddress &dst, QByteArrayView payload)
{
    // RFC 3550 5.1: version 2, a 12-byte fixed header plus CSRCs.
    if (payload.size() < 12 || (quint8(payload[0]) >> 6) != 2)
        return false;
    const int pt = quint8(payload[1]) & 0x7f;
    if (pt >= 72 && pt <= 76) // RFC 5761 4: RTCP packet types 200-204 with the marker bit
        return false;
    // Sent to an announced address, or — symmetric RTP behind NAT (RFC 4961) — from one, back to
    // wherever the other side really sends from.
    auto expected = m_expected.constFind(dst);
    if (expected == m_expected.cend())
        expected = m_expected.constFind(src);
    if (expected == m_expected.cend())
        return false;
    const quint32 ssrc = quint32(quint8(payload[8])) << 24 | quint32(quint8(payload[9])) << 16 | quint32(quint8(payload[10])) << 8 | quint8(payload[11]);
    const quint16 seq = quint16(quint8(payload[2]) << 8 | quint8(payload[3]));
    const Key key {src, dst, ssrc};
    auto it = m_index.constFind(key);
    if (it == m_index.cend()) {
        if (m_streams.size() >= kMaxStreams)
            return false;
        RtpStreamInfo s;
        s.src = src;
        s.dst = dst;
        s.ssrc = ssrc;
        s.call = expected->call;
        s.payloadType = pt;
        s.codec = expected->codecs.value(pt);
        s.firstUs = timeUs;
        m_streams.push_back(s);
        m_sequences.push_back(Sequence {seq, seq, 0});
        it = m_index.insert(key, m_streams.size() - 1);
    }
    RtpStreamInfo &s = m_streams[*it];
    Sequence &q = m_sequences[*it];
    // RFC 3550 A.1: extend the 16-bit number by the cycle closest to the highest seen.
    const quint32 cycle = q.max & 0xffff0000u;
    qint64 candidate = qint64(cycle | seq);
    const qint64 max = qint64(q.max);
    if (candidate < max - 0x8000)
        candidate += 0x10000;
    else if (candidate > max + 0x8000 && candidate >= 0x10000)
        candidate -= 0x10000;
    if (candidate > max)
        q.max = quint32(candidate);
    if (candidate < qint64(q.base))
        q.base = quint32(candidate);
    ++q.received;
    ++s.packets;
    ++m_packets;
    s.lastUs = timeUs;
    const qint64 expectedCount = qint64(q.max) - qint64(q.base) + 1;
    s.lost = expectedCount > qint64(q.received) ? quint64(expectedCount - qint64(q.received)) : 0;
    if (s.codec.isEmpty() && pt != s.payloadType)
        s.codec = expected->codecs.value(pt);
    return true;
}

void RtpTracker::report(const RtpStreamInfo &stream)
{
    const Key key {stream.src, stream.dst, stream.ssrc};
    const auto it = m_index.constFind(key);
    if (it != m_index.cend()) {
        m_streams[*it] = stream;
        return;
    }
    m_streams.push_back(stream);
    m_sequences.push_back(Sequence {});
    m_index.insert(key, m_streams.size() - 1);
}

void RtpTracker::clear()
{
    m_expected.clear();
    m_index.clear();
    m_streams.clear();
    m_sequences.clear();
    m_packets = 0;
}

} // namespace ds::diag
