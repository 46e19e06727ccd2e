#include "rtp_tracker.h"

#include "sdp/session_description.h"
#include "sip/message.h"

#include <QStringList>
#include <QVarLengthArray>

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

QVarLengthArray<QByteArrayView, 16> splitView(QByteArrayView v, char sep)
{
    QVarLengthArray<QByteArrayView, 16> parts;
    for (qsizetype pos = 0; pos <= v.size();) {
        qsizetype end = v.indexOf(sep, pos);
        if (end < 0)
            end = v.size();
        if (end > pos)
            parts.push_back(v.sliced(pos, end - pos));
        pos = end + 1;
    }
    return parts;
}

} // namespace

void RtpTracker::noteSdp(quint32 call, QByteArrayView sdpBody)
{
    // Only what finds and names RTP: c=, m= and a=rtpmap (RFC 4566 5.7, 5.14, 6), read in place.
    // A full parse per offer costs more than the rest of an import.
    if (m_codecSets.empty())
        m_codecSets.emplace_back(); // id 0: no names known
    struct Media {
        QByteArrayView mLine; // "audio 49170 RTP/AVP 0 8 101"
        QByteArrayView address;
        QByteArray codecKey; // the m= formats and rtpmap lines: equal keys, equal names
    };
    QByteArrayView sessionAddress;
    QVarLengthArray<Media, 4> media;
    auto connectionAddress = [](QByteArrayView v) { // "IN IP4 192.0.2.1/127"
        const qsizetype a = v.indexOf(' '), b = a < 0 ? -1 : v.indexOf(' ', a + 1);
        if (b < 0)
            return QByteArrayView();
        QByteArrayView address = sip::trimmed(v.sliced(b + 1));
        if (const qsizetype slash = address.indexOf('/'); slash >= 0)
            address = address.first(slash);
        return address;
    };
    for (qsizetype pos = 0; pos < sdpBody.size();) {
        qsizetype end = sdpBody.indexOf('\n', pos);
        if (end < 0)
            end = sdpBody.size();
        QByteArrayView line = sdpBody.sliced(pos, end - pos);
        pos = end + 1;
        if (line.endsWith('\r'))
            line.chop(1);
        if (line.size() < 3 || line[1] != '=')
            continue;
        const QByteArrayView value = line.sliced(2);
        if (line[0] == 'c') {
            (media.isEmpty() ? sessionAddress : media.back().address) = connectionAddress(value);
        } else if (line[0] == 'm') {
            if (media.size() >= sdp::kMaxSdpMedia)
                break;
            const qsizetype sp = value.indexOf(' ');
            media.push_back(Media {value, {}, sp < 0 ? QByteArray() : value.sliced(sp).toByteArray()});
        } else if (line[0] == 'a' && !media.isEmpty() && value.startsWith("rtpmap:")) {
            media.back().codecKey += '\n';
            media.back().codecKey += value;
        }
    }
    for (const Media &m : media) {
        // m=<media> <port>[/<count>] <proto> <fmt> ...
        const auto f = splitView(m.mLine, ' ');
        if (f.size() < 3 || !f[2].contains("RTP/")) // RTP/AVP, RTP/SAVP, UDP/TLS/RTP/SAVPF
            continue;
        const int port = splitView(f[1], '/').value(0).toInt();
        const QByteArrayView text = m.address.isEmpty() ? sessionAddress : m.address;
        if (port <= 0 || text.isEmpty() || text == "0.0.0.0")
            continue;
        const auto address = addressOf(text.toByteArray(), port);
        if (!address || (m_expected.size() >= kMaxExpected && !m_expected.contains(*address)))
            continue;
        quint32 codecs = 0;
        if (const auto known = m_codecSetIds.constFind(m.codecKey); known != m_codecSetIds.cend()) {
            codecs = *known;
        } else if (m_codecSets.size() < 4096) { // a hostile capture inventing offers shares set 0
            CodecSet names;
            QHash<int, QString> rtpmaps;
            for (const QByteArrayView l : splitView(m.codecKey, '\n')) {
                const QByteArrayView v = l.sliced(std::min<qsizetype>(7, l.size())); // after "rtpmap:"
                const qsizetype sp = v.indexOf(' ');
                bool ok = false;
                const int pt = sp > 0 ? v.first(sp).toInt(&ok) : -1;
                if (ok && pt >= 0 && pt < 128)
                    rtpmaps.insert(pt, QString::fromLatin1(sip::trimmed(v.sliced(sp + 1))));
            }
            for (qsizetype i = 3; i < f.size() && i < 64; ++i) {
                bool ok = false;
                const int pt = f[i].toInt(&ok);
                if (!ok || pt < 0 || pt >= 128)
                    continue;
                if (const auto named = rtpmaps.constFind(pt); named != rtpmaps.cend())
                    names.insert(pt, *named);
                else if (const auto fixed = sdp::staticCodec(pt))
                    names.insert(pt, QString::fromLatin1(fixed->toString()));
            }
            m_codecSets.push_back(std::move(names));
            codecs = quint32(m_codecSets.size() - 1);
            m_codecSetIds.insert(m.codecKey, codecs);
        }
        m_expected.insert(*address, Expected {call, codecs});
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
        s.codec = codecOf(*expected, pt);
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
    if (!m_callCodec.contains(s.call) && !s.codec.isEmpty())
        m_callCodec.insert(s.call, s.codec);
    ++s.packets;
    ++m_packets;
    s.lastUs = timeUs;
    const qint64 expectedCount = qint64(q.max) - qint64(q.base) + 1;
    s.lost = expectedCount > qint64(q.received) ? quint64(expectedCount - qint64(q.received)) : 0;
    if (s.codec.isEmpty() && pt != s.payloadType)
        s.codec = codecOf(*expected, pt);
    return true;
}

void RtpTracker::report(const RtpStreamInfo &stream)
{
    if (!m_callCodec.contains(stream.call) && !stream.codec.isEmpty())
        m_callCodec.insert(stream.call, stream.codec);
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
    m_codecSets.clear();
    m_codecSetIds.clear();
    m_callCodec.clear();
    m_index.clear();
    m_streams.clear();
    m_sequences.clear();
    m_packets = 0;
}

} // namespace ds::diag
