// RtpStream's receive side: RTP and RTCP datagrams in, reception statistics, and the RTCP
// reports we send (RFC 3550 6); media thread. The send side and the clock are in rtp_stream.cpp.

#include "media/rtp_stream.h"

#include "media/byte_order.h"
#include "media/rtcp.h"
#include "media/rtp_packet.h"

#include <QUdpSocket>

#include <cerrno>

namespace ds::media {

namespace {

constexpr int kMaxReadsPerWake = 256; // the notifier fires again for the rest

} // namespace

void RtpStream::readRtp()
{
    checkIcmp(m_rtp, "RTP");
    for (int i = 0; i < kMaxReadsPerWake && m_rtp->hasPendingDatagrams(); ++i) {
        const qint64 pending = m_rtp->pendingDatagramSize();
        const qint64 n = m_rtp->readDatagram(reinterpret_cast<char *>(m_datagram.data()), qint64(m_datagram.size()), &m_from, &m_fromPort);
        if (n < 0) {
            noteSocketError(m_rtp, "RTP", errno);
            break;
        }
        if (!m_running)
            continue; // before start() or after stop(): drained and dropped
        const auto bytes = std::span<std::uint8_t>(m_datagram).first(std::size_t(n));
        // RFC 5761 4: with rtcp-mux the second octet of RTCP is a packet type 192..223, never an RTP payload type.
        if (n >= 2 && bytes[1] >= 192 && bytes[1] <= 223) {
            onRtcp(bytes);
            continue;
        }
        ++m_stats.rtpReceived;
        m_lastSourceAddress = m_from;
        m_lastSourcePort = m_fromPort;
        if (pending > qint64(m_datagram.size())) {
            ++m_stats.rtpMalformed; // truncated by our buffer
            continue;
        }
        onRtp(bytes, m_clock.elapsed());
    }
}

bool RtpStream::protect(std::span<std::uint8_t> buffer, std::size_t &length, bool rtcp)
{
    if (!m_params.srtp)
        return true;
    if (!m_srtp) { // keys that did not work: nothing goes out in the clear
        ++m_stats.srtpErrors;
        return false;
    }
    const auto n = rtcp ? m_srtp->protectRtcp(buffer, length) : m_srtp->protectRtp(buffer, length);
    if (!n) {
        ++m_stats.srtpErrors;
        return false;
    }
    length = *n;
    return true;
}

bool RtpStream::unprotect(std::span<std::uint8_t> &packet, bool rtcp)
{
    if (!m_params.srtp)
        return true;
    if (!m_srtp) {
        ++m_stats.srtpErrors;
        return false;
    }
    const auto n = rtcp ? m_srtp->unprotectRtcp(packet) : m_srtp->unprotectRtp(packet);
    if (!n) {
        switch (n.error()) {
        case SrtpStatus::AuthFailed:
            ++m_stats.srtpAuthFailures;
            break;
        case SrtpStatus::Replay:
            ++m_stats.srtpReplays;
            break;
        default:
            ++m_stats.srtpErrors;
        }
        return false;
    }
    ++m_stats.srtpDecrypted;
    packet = packet.first(*n);
    return true;
}

void RtpStream::onRtp(std::span<std::uint8_t> datagram, qint64 now)
{
    // Plain RTP is checked before its source, so garbage counts as malformed wherever it comes from; SRTP's payload
    // (and padding) can only be read after unprotecting, which is worth doing only for a source we would play.
    if (!m_params.srtp && !RtpPacket::parse(datagram)) {
        ++m_stats.rtpMalformed;
        return;
    }
    const bool fromNegotiated = m_fromPort == m_params.remotePort && m_from.isEqual(m_params.remoteAddress, QHostAddress::TolerantConversion);
    const bool fromLatched
        = !fromNegotiated && m_latchedPort && m_fromPort == m_latchedPort && m_from.isEqual(m_latchedAddress, QHostAddress::TolerantConversion);
    bool latch = false;
    if (!fromNegotiated && !fromLatched) {
        ++m_stats.rtpFromUnexpected;
        // Symmetric RTP latching: a peer behind a NAT sends from another address than its SDP says. Only early in
        // the call, only before the negotiated address has spoken, and only once: later, a stranger's packets are
        // an injection or another call's bleed, and are dropped (counted).
        latch = !m_heardNegotiated && m_latchedPort == 0 && m_latchFromMs >= 0 && now - m_latchFromMs < m_params.latchWindowMs;
        if (!latch) {
            ++m_stats.rtpIgnored;
            m_ignoredAddress = m_from;
            m_ignoredPort = m_fromPort;
            return;
        }
    }
    if (!unprotect(datagram, false)) { // with SRTP, only an authentic packet latches
        if (latch) {
            ++m_stats.rtpIgnored;
            m_ignoredAddress = m_from;
            m_ignoredPort = m_fromPort;
        }
        return;
    }
    const auto p = RtpPacket::parse(datagram);
    if (!p) {
        ++m_stats.rtpMalformed;
        return;
    }
    if (fromNegotiated) {
        m_heardNegotiated = true;
    } else if (latch) {
        m_latchedAddress = m_from;
        m_latchedPort = m_fromPort;
    }
    if (m_haveRemote && p->ssrc != m_remoteSsrc) { // a new source (peer restarted, call transferred): start over
        m_receiver->reset();
        resetJitterBuffer(m_playFrameMs);
        m_havePrevAudio = false;
        m_lastSr = 0;
    }
    m_haveRemote = true;
    m_remoteSsrc = p->ssrc;
    // Every packet of the source shares its sequence space (RFC 4733 2.1), so all of them go into the loss figures.
    const bool event = m_params.telephoneEventPt && p->payloadType == *m_params.telephoneEventPt;
    m_receiver->onPacketMs(p->sequence, p->timestamp, now, !event);
    if (event) {
        ++m_stats.eventPackets;
        ++m_eventsSinceAudio;
        m_dtmf.onEventPacket(p->timestamp, p->payload, now, m_jitter ? m_jitter->currentDelayMs() : 0);
        return;
    }
    if (p->payloadType != m_params.payloadType) {
        ++m_stats.unknownPayloadType;
        m_stats.lastUnknownPayloadType = p->payloadType;
        return;
    }
    m_stats.receivedPayloadType = p->payloadType;
    // Packetisation of what the peer really sends, from consecutive packets; the jitter buffer follows it once it is
    // stable, whatever a=ptime said (RFC 4566 6: ptime is only a preference).
    if (m_havePrevAudio && quint16(p->sequence - m_prevSeq) == 1 && p->timestamp != m_prevTs) {
        const qint64 units = qint32(p->timestamp - m_prevTs);
        const int ms = int(units * 1000 / m_codec->clockRate());
        if (units > 0 && ms >= 5 && ms <= 120) {
            m_stats.receivedPtimeMs = ms;
            m_ptimeVotes = ms == m_ptimeCandidate ? m_ptimeVotes + 1 : 1;
            m_ptimeCandidate = ms;
            if (ms != m_playFrameMs && m_ptimeVotes >= 3)
                resetJitterBuffer(ms);
        }
    }
    if (m_havePrevAudio && m_eventsSinceAudio > 0 && qint16(p->sequence - m_prevSeq) > 1) {
        // RFC 4733 events took sequence numbers between these two audio packets. Where they replaced
        // the audio (the timestamp moved on as far as the sequence did), the gap is real silence and
        // the jitter buffer conceals it. Where the audio went on beside them (baresip does), they
        // are not missing frames: the jitter buffer's sequence space leaves them out.
        const int gap = qint16(p->sequence - m_prevSeq);
        const qint64 frameUnits = std::max<qint64>(1, qint64(m_playFrameMs) * m_codec->clockRate() / 1000);
        const int frames = int(std::max<qint64>(1, (qint64(qint32(p->timestamp - m_prevTs)) + frameUnits / 2) / frameUnits));
        m_audioSeqOffset = quint16(m_audioSeqOffset + std::clamp(gap - frames, 0, m_eventsSinceAudio));
    }
    if (!m_havePrevAudio || qint16(p->sequence - m_prevSeq) > 0) {
        m_eventsSinceAudio = 0;
        m_prevSeq = p->sequence;
        m_prevTs = p->timestamp;
        m_havePrevAudio = true;
    }
    if (!m_params.receive)
        return; // sendonly/inactive: counted, not played
    if (m_jitter->put(quint16(p->sequence - m_audioSeqOffset), p->timestamp, p->payload, now) == JitterBuffer::PutResult::Oversize) {
        ++m_stats.rtpMalformed;
        return;
    }
    if (!m_playPhased) {
        // Playout slots in phase with the first packet: the buffer then starts playing after exactly
        // its target delay, not that plus up to a frame waiting for a slot of the old phase.
        m_playPhased = true;
        m_nextPlayMs = now;
        armTimer();
    }
}

void RtpStream::readRtcp()
{
    checkIcmp(m_rtcp, "RTCP");
    for (int i = 0; i < kMaxReadsPerWake && m_rtcp->hasPendingDatagrams(); ++i) {
        const qint64 n = m_rtcp->readDatagram(reinterpret_cast<char *>(m_datagram.data()), qint64(m_datagram.size()), &m_from, &m_fromPort);
        if (n < 0) {
            noteSocketError(m_rtcp, "RTCP", errno);
            break;
        }
        if (m_running)
            onRtcp(std::span<std::uint8_t>(m_datagram).first(std::size_t(n)));
    }
}

void RtpStream::onRtcp(std::span<std::uint8_t> datagram)
{
    if (!unprotect(datagram, true)) // RFC 3711 3.4: SRTCP is always authenticated
        return;
    const auto c = rtcp::parseCompound(datagram);
    if (!c) {
        ++m_stats.rtcpMalformed;
        return;
    }
    ++m_stats.rtcpReceived;
    const RtcpReport &r = c->report;
    if (r.sender && (!m_haveRemote || r.ssrc == m_remoteSsrc)) { // remember it for LSR/DLSR in our next report
        m_lastSr = ntpMiddle32(r.sender->ntpTimestamp);
        m_lastSrArrival = ntpNow();
    }
    if (r.block && r.block->ssrc == m_ssrc) {
        m_stats.remoteFractionLost = r.block->fractionLost / 256.0;
        // RFC 3550 6.4.1: RTT = A - LSR - DLSR. A clock step can make it "negative": then it is ~0.
        if (const auto rtt = roundTripTime(ntpMiddle32(ntpNow()), r.block->lastSr, r.block->delaySinceLastSr))
            m_stats.rttMs = *rtt & 0x80000000u ? 0.0 : rtcpUnitsToMs(*rtt);
    }
}

void RtpStream::sendRtcp(bool bye)
{
    if (m_params.remoteAddress.isNull() || m_params.remotePort == 0)
        return;
    RtcpReport report;
    report.ssrc = m_ssrc;
    const std::uint64_t ntp = ntpNow();
    if (m_sentSinceReport) { // RFC 3550 6.4: SR when we sent data since the last report, else RR
        const qint64 ahead = m_nextSendMs - m_clock.elapsed(); // m_ts belongs to the frame due at m_nextSendMs
        report.sender = SenderInfo {ntp, quint32(m_ts - quint32(ahead * m_codec->clockRate() / 1000)), quint32(m_stats.rtpSent + m_stats.eventPacketsSent),
            quint32(m_stats.octetsSent)};
    }
    if (m_haveRemote) {
        ReportBlock b = m_receiver->takeReportBlock(m_remoteSsrc);
        m_stats.fractionLost = b.fractionLost / 256.0;
        if (m_lastSr) {
            b.lastSr = m_lastSr;
            b.delaySinceLastSr = ntpMiddle32(ntp) - ntpMiddle32(m_lastSrArrival);
        }
        report.block = b;
    }
    auto size = rtcp::buildCompound(report, std::string_view(m_cname.constData(), std::size_t(m_cname.size())), std::span(m_rtcpBuffer).first(kMaxRtcp));
    if (!size)
        return;
    if (bye && *size + 8 <= kMaxRtcp) { // RFC 3550 6.6: BYE with our SSRC closes the compound
        std::uint8_t *p = m_rtcpBuffer.data() + *size;
        p[0] = 0x81; // V=2, P=0, SC=1
        p[1] = 203;
        put16(p + 2, 1); // length in 32-bit words minus one
        put32(p + 4, m_ssrc);
        *size += 8;
    }
    if (!protect(m_rtcpBuffer, *size, true))
        return;
    const qint64 sent = m_rtcp->writeDatagram(reinterpret_cast<const char *>(m_rtcpBuffer.data()), qint64(*size), m_params.remoteAddress, m_params.rtcpPort());
    const int error = errno;
    checkIcmp(m_rtcp, "RTCP");
    if (sent < 0) {
        noteSocketError(m_rtcp, "RTCP", error);
        return;
    }
    m_sentSinceReport = false;
    ++m_stats.rtcpSent;
}

} // namespace ds::media
