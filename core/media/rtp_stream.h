#pragma once
// RtpStream: one call's RTP/RTCP session (RFC 3550): capture -> encode -> send, receive -> buffer -> decode -> play; media thread.

#include "dtmf/stream_dtmf.h"
#include "media/audio_codec.h"
#include "media/audio_port.h"
#include "media/jitter_buffer.h"
#include "media/receiver_stats.h"
#include "media/resampler.h"
#include "media/srtp_context.h"
#include "media/stream_params.h"

#include <QElapsedTimer>
#include <QHostAddress>
#include <QObject>

#include <array>
#include <expected>
#include <memory>
#include <optional>
#include <vector>

class QTimer;
class QUdpSocket;

namespace ds::media {

// Life: bind() on the creating thread (the caller learns the ports at once), moveToThread(media thread),
// then every other call arrives there by queued invocation. Sockets and timer are QObject children and
// move with it; delete it on the media thread (deleteLater).
//
// Clock: a 5 ms precise QTimer wakes the stream; a QElapsedTimer decides which frames are due, so exactly
// one ptime of audio goes each way per ptime of elapsed time in the long run. After a stall of more than
// 200 ms the schedule skips ahead (StreamStats::framesSkipped) instead of bursting.
//
// Nothing allocates per packet or per frame once started: datagrams, PCM and RTCP use buffers sized by
// bind()/setPorts()/start()/update(). (Qt's own QUdpSocket::readDatagram does allocate a sender address.)
class RtpStream : public QObject {
    Q_OBJECT
public:
    // Binds RTP on an even port and RTCP on the next (RFC 3550 11) within [portMin, portMax], starting at a random
    // pair and moving on past ports in use. Errors name the address and the range.
    static std::expected<std::unique_ptr<RtpStream>, QString> bind(const QHostAddress &address, quint16 portMin, quint16 portMax);
    ~RtpStream() override;

    // Creating thread, before moveToThread.
    QHostAddress localAddress() const { return m_localAddress; }
    quint16 localPort() const { return m_localPort; }
    quint16 localRtcpPort() const { return quint16(m_localPort + 1); }

    // Media thread. Either port may be null: no source sends silence, no sink discards. Any sample rate;
    // source and sink may be the same object (EchoPort).
    void setPorts(std::shared_ptr<AudioPort> source, std::shared_ptr<AudioPort> sink);
    // Starts sending and receiving; an unsupported codec or bad ptime emits failed() and does not start.
    void start(const StreamParams &params);
    // Re-INVITE: direction, remote address, ptime or codec; SSRC, sequence and timestamp carry on.
    void update(const StreamParams &params);
    // Muted: frames are still captured and packets still sent (pinholes stay open), with a silent payload.
    void setMuted(bool muted);
    // A local source played to the sink instead of the received audio (ringback while the far end
    // rings); null ends it. Runs at any rate; resampled like the received audio.
    void setLocalTone(std::shared_ptr<AudioPort> tone);
    // Queues DTMF digits ("123#", ',' a pause) as RFC 4733 events or in-band tones (StreamDtmf);
    // RFC 4733 needs a negotiated telephone-event payload type, else failed() says so and nothing is queued.
    // dtmfQueueDrained(batch) follows every call, also when nothing could be queued.
    void sendDtmf(const QByteArray &digits, ds::dtmf::Mode mode, const ds::dtmf::SendSettings &settings, quint64 batch = 0);
    void clearDtmf();
    // Spectrogram columns of the received audio, published with the statistics (for the DTMF panel).
    void setSpectrogramEnabled(bool on);
    // Sends RTCP BYE (RFC 3550 6.6), stops the clock and publishes the final statistics.
    void stop();
    bool isRunning() const { return m_running; }
    quint32 ssrc() const { return m_ssrc; }

signals:
    // About four times a second while running, and once at stop(); never per packet.
    void statsUpdated(const ds::media::StreamStats &stats);
    // A digit sent (when it starts) or received in any mode (when it completes); rare, never per packet.
    void dtmf(const ds::dtmf::DigitEvent &event);
    void dtmfQueueDrained(quint64 batch); // every digit queued up to that batch has been sent (or dropped)
    // Spectrogram columns of the received audio (dtmf::Spectrogram::kBins bytes each), with the statistics.
    void spectrum(const QByteArray &columns, qint64 firstColumnMs);
    // A socket or codec problem in a sentence; the stream carries on where it can.
    void failed(const QString &reason);

private:
    static constexpr std::size_t kMaxSamples = 5760; // 120 ms at 48 kHz: the longest frame either codec handles
    static constexpr std::size_t kMaxDatagram = 4096; // larger datagrams are counted as malformed
    static constexpr std::size_t kMaxPayload = 1500;

    RtpStream();
    void tick();
    void armTimer();
    void readRtp();
    void readRtcp();
    void onRtp(std::span<std::uint8_t> datagram, qint64 now);
    void onRtcp(std::span<std::uint8_t> datagram);
    // Where RTP goes: the latched source (symmetric RTP) once there is one, else the negotiated remote.
    const QHostAddress &rtpDestination() const { return m_latchedPort ? m_latchedAddress : m_params.remoteAddress; }
    quint16 rtpDestinationPort() const { return m_latchedPort ? m_latchedPort : m_params.remotePort; }
    // Protects a packet built in m_packet (or m_rtcpBuffer) in place; false when it must not go out.
    bool protect(std::span<std::uint8_t> buffer, std::size_t &length, bool rtcp);
    bool unprotect(std::span<std::uint8_t> &packet, bool rtcp); // counts failures
    std::optional<QString> applySrtp(const StreamParams &params); // (re)keys when the keys changed
    void sendFrame();
    void capture(std::span<std::int16_t> frame);
    void playFrame(qint64 at);
    void sendRtcp(bool bye);
    void scheduleRtcp(qint64 now, double scale = 1.0);
    void publish();
    void flushDtmf();
    bool sendEvent(const dtmf::OutgoingEvent &event);
    std::optional<QString> applyCodec(const StreamParams &params);
    std::optional<QString> configureAudio();
    void resetJitterBuffer(int frameMs);
    void noteSocketError(QUdpSocket *socket, const char *what, int error);
    void checkIcmp(QUdpSocket *socket, const char *what);
    void reportError(const char *what, const QString &why);
    std::uint64_t ntpNow() const;

    // Sockets, clock, identity.
    QUdpSocket *m_rtp;
    QUdpSocket *m_rtcp;
    QTimer *m_timer;
    QHostAddress m_localAddress;
    quint16 m_localPort = 0;
    QElapsedTimer m_clock;
    qint64 m_wallAtStartUs = 0;
    quint32 m_ssrc;
    quint16 m_seq;
    quint32 m_ts;
    QByteArray m_cname; // RFC 7022: random per session
    bool m_running = false;
    bool m_muted = false;
    bool m_marker = true; // RFC 3551 4.1: first packet of a talkspurt
    bool m_sentSinceReport = false;
    qint64 m_lastErrorReportMs = -1;
    StreamParams m_params;

    // Audio graph.
    std::shared_ptr<AudioPort> m_source, m_sink;
    std::shared_ptr<AudioPort> m_localTone; // at the codec rate, see setLocalTone
    std::unique_ptr<AudioCodec> m_codec;
    std::optional<Resampler> m_captureResampler; // source rate -> codec rate
    std::optional<Resampler> m_playResampler; // codec rate -> sink rate
    std::optional<JitterBuffer> m_jitter;
    std::optional<ReceiverStats> m_receiver;
    std::vector<std::int16_t> m_sourceFrame; // one ptime at the source rate
    std::vector<std::int16_t> m_captured; // resampled capture waiting to be encoded
    std::size_t m_capturedCount = 0;
    std::vector<std::int16_t> m_pcm; // one codec frame to encode, or one decoded packet
    std::vector<std::int16_t> m_playOut; // decoded audio at the sink rate
    std::vector<std::uint8_t> m_datagram; // received datagram
    std::vector<std::uint8_t> m_packet; // RTP being sent
    static constexpr std::size_t kMaxRtcp = 512; // a compound report, before SRTCP's trailer
    std::array<std::uint8_t, kMaxRtcp + SrtpContext::kMaxTrailer> m_rtcpBuffer {};
    std::unique_ptr<SrtpContext> m_srtp; // with m_params.srtp; null then means fail closed: nothing sent or played
    std::optional<SrtpParams> m_srtpParams; // what m_srtp was made with
    QHostAddress m_from; // sender of the datagram just read (reused)
    quint16 m_fromPort = 0;

    // Schedule, in ms of m_clock.
    int m_playFrameMs = 20;
    qint64 m_nextSendMs = 0, m_nextPlayMs = 0, m_nextRtcpMs = 0, m_nextStatsMs = 0;
    bool m_playPhased = false; // the playout slots follow the first packet since the jitter buffer's reset
    bool m_heardNegotiated = false; // a packet came from the negotiated remote: no latching from then on
    qint64 m_latchFromMs = -1; // the latch window opens when a remote is negotiated (not at ringback's start)
    QHostAddress m_latchedAddress; // symmetric RTP: the source latched onto early in the call
    quint16 m_latchedPort = 0;
    QHostAddress m_ignoredAddress; // the last stranger whose packet was dropped
    quint16 m_ignoredPort = 0;

    // Receive side.
    bool m_haveRemote = false;
    quint32 m_remoteSsrc = 0;
    bool m_havePrevAudio = false;
    quint16 m_prevSeq = 0;
    quint32 m_prevTs = 0;
    int m_eventsSinceAudio = 0; // RFC 4733 packets since the last audio packet
    quint16 m_audioSeqOffset = 0; // event packets beside the audio, left out of the jitter buffer's sequence space
    int m_ptimeCandidate = 0, m_ptimeVotes = 0;
    quint32 m_lastSr = 0; // LSR: middle 32 bits of the peer's last SR NTP time
    std::uint64_t m_lastSrArrival = 0; // our NTP time when it came
    QHostAddress m_lastSourceAddress;
    quint16 m_lastSourcePort = 0;
    StreamStats m_stats;
    dtmf::StreamDtmf m_dtmf;
};

} // namespace ds::media
