#pragma once
// StreamParams and StreamStats: what one call's RTP stream is told (from SDP offer/answer) and what it reports back.

#include "media/srtp_context.h"

#include <QByteArray>
#include <QHostAddress>
#include <QMetaType>
#include <QString>

#include <optional>

namespace ds::media {

// The negotiated media of one RTP session (RFC 3264 answer), as the media thread needs it.
struct StreamParams {
    QByteArray codec; // SDP encoding name, case-insensitive: "PCMU", "PCMA" or "opus"
    int payloadType = 0; // the audio PT both directions use
    int clockRate = 8000; // RTP clock: 8000 for G.711, 48000 for opus (RFC 7587 4.1)
    int ptime = 20; // ms of audio per packet we send (RFC 4566 a=ptime)
    std::optional<int> telephoneEventPt; // RFC 4733: packets with this PT are counted as events, not decoded
    QHostAddress remoteAddress; // where to send RTP (c= line)
    quint16 remotePort = 0; // m= port
    quint16 remoteRtcpPort = 0; // RFC 3605 a=rtcp; 0 means remotePort + 1 (RFC 3550 11)
    bool send = true; // false: recvonly/inactive (hold), no RTP goes out
    bool receive = true; // false: sendonly/inactive, received packets are counted but not played
    bool opusFec = true; // RFC 7587 useinbandfec
    bool opusDtx = false; // RFC 7587 usedtx
    int rtcpIntervalMs = 5000; // RFC 3550 6.2 minimum interval; tests shorten it
    std::optional<SrtpParams> srtp; // RFC 3711: protect RTP and RTCP with these keys; empty: plain RTP
    // Symmetric RTP latching (RFC 4961 practice for peers behind NAT): RTP from another address than the
    // negotiated one is played, and answered there, only when it comes within this long of start() and nothing
    // has come from the negotiated address yet; with SRTP only a packet that authenticates latches. 0: never.
    int latchWindowMs = 5000;

    quint16 rtcpPort() const { return remoteRtcpPort ? remoteRtcpPort : quint16(remotePort + 1); }
};

// Counters at every stage of both media paths, so a call panel can say where audio stops. A value type
// published by the media thread a few times a second (never per packet).
struct StreamStats {
    static constexpr double silentDbfs = -127.0; // the level of digital silence (no -inf, so JSON stays valid)

    // Send path: source port -> encoder -> socket.
    quint64 framesCaptured = 0; // frames read from the source port (0 with no source: nothing captured)
    quint64 framesEncoded = 0;
    quint64 rtpSent = 0;
    quint64 octetsSent = 0; // payload octets, as the SR sender's octet count (RFC 3550 6.4.1)
    quint64 sendErrors = 0; // datagrams the socket refused, other than ICMP port unreachable
    quint64 portUnreachable = 0; // ICMP port unreachable reported by the socket: nobody listens at the remote port
    quint64 framesSkipped = 0; // frames skipped by the clock catching up after a stall of the media thread

    // Receive path: socket -> RTP -> jitter buffer -> decoder -> sink port.
    quint64 rtpReceived = 0; // datagrams read from the RTP socket, whatever they hold
    quint64 rtpFromUnexpected = 0; // from an address:port other than the negotiated remote
    quint64 rtpIgnored = 0; // of those, dropped: a stranger after the latch window, or once the negotiated remote spoke
    QString ignoredSource; // "addr:port" of the last dropped one
    QString latchedSource; // "addr:port" the stream latched onto early in the call (symmetric RTP), else empty
    QString lastSource; // "addr:port" of the last datagram
    quint64 rtpMalformed = 0; // not RTP (RFC 3550 5.1), or larger than the receive buffer
    quint64 unknownPayloadType = 0; // neither the audio PT nor telephone-event
    int lastUnknownPayloadType = -1;
    quint64 eventPackets = 0; // RFC 4733 telephone-event packets
    quint64 eventPacketsSent = 0; // RFC 4733 packets we sent (not in rtpSent)
    quint64 decoded = 0;
    quint64 decodeErrors = 0;
    quint64 concealed = 0; // frames made up by the decoder's PLC (lost, late or buffer growth)
    quint64 played = 0; // audio frames written to the sink (silence before the first packet not counted)
    qint64 lost = 0; // RFC 3550 6.4.1 cumulative number of packets lost (negative with duplicates)
    quint64 late = 0; // arrived after a newer packet
    quint64 duplicates = 0;
    double fractionLost = 0; // 0..1, RFC 3550 A.3 over our last report interval
    double remoteFractionLost = 0; // 0..1, from the peer's report block about us
    double jitterMs = 0; // RFC 3550 A.8 interarrival jitter
    std::optional<double> rttMs; // RFC 3550 6.4.1 from LSR/DLSR of the peer's report about us
    quint64 rtcpSent = 0;
    quint64 rtcpReceived = 0;
    quint64 rtcpMalformed = 0;
    int jitterBufferDelayMs = 0;
    int receivedPtimeMs = 0; // measured from timestamp deltas of consecutive audio packets; 0 until known
    int receivedPayloadType = -1; // PT of the last audio packet
    quint32 remoteSsrc = 0;

    // SRTP (RFC 3711): counted, never logged per packet.
    QString srtpSuite; // "AES_CM_128_HMAC_SHA1_80" while SRTP protects the stream, empty for plain RTP
    quint64 srtpAuthFailures = 0; // SRTP/SRTCP packets whose tag did not verify (tampered, wrong key, or plain RTP)
    quint64 srtpReplays = 0; // packets whose index was seen before (RFC 3711 3.3.2)
    quint64 srtpErrors = 0; // anything else: malformed, cipher failure, protect failures on the send side
    quint64 srtpDecrypted = 0; // SRTP packets authenticated and decrypted

    double sendLevelDbfs = silentDbfs; // RMS of the last captured frame (before mute), 0 dBFS = full-scale sine
    double receiveLevelDbfs = silentDbfs; // RMS of the last frame written to the sink
    bool muted = false;
    double mos = 0; // E-model estimate (quality.h); 0 until audio has been received
    qint64 elapsedMs = 0; // since start()
};

} // namespace ds::media

Q_DECLARE_METATYPE(ds::media::StreamParams)
Q_DECLARE_METATYPE(ds::media::StreamStats)
