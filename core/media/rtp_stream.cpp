#include "media/rtp_stream.h"

#include "media/byte_order.h"
#include "media/g711_codec.h"
#include "media/opus_codec.h"
#include "media/quality.h"
#include "media/rtcp.h"
#include "media/rtp_packet.h"

#include <QDateTime>
#include <QRandomGenerator>
#include <QTimer>
#include <QUdpSocket>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstring>
#include <numbers>

#ifdef Q_OS_LINUX
#include <linux/errqueue.h>
#include <netinet/in.h>
#include <sys/socket.h>
#endif

namespace ds::media {

namespace {

constexpr qint64 kMaxLagMs = 200; // behind by more: skip ahead rather than burst
constexpr qint64 kStatsIntervalMs = 250;
constexpr qint64 kErrorReportMs = 5000; // failed() at most this often
constexpr std::uint64_t kNtpUnixOffset = 2208988800ull; // seconds from 1900 to 1970 (RFC 868)

double levelDbfs(std::span<const std::int16_t> x)
{
    double sum = 0;
    for (std::int16_t v : x)
        sum += double(v) * v;
    if (x.empty() || sum == 0)
        return StreamStats::silentDbfs;
    // 0 dBFS is a full-scale sine (AES17), so a TonePort tone at -10 dBFS reads -10.
    const double rms = std::sqrt(sum / double(x.size()));
    return std::max(StreamStats::silentDbfs, 20.0 * std::log10(rms * std::numbers::sqrt2 / 32767.0));
}

QString endpoint(const QHostAddress &a, quint16 port)
{
    return a.protocol() == QAbstractSocket::IPv6Protocol ? QStringLiteral("[%1]:%2").arg(a.toString()).arg(port)
                                                         : QStringLiteral("%1:%2").arg(a.toString()).arg(port);
}

// ICMP errors about datagrams we sent (port, host or network unreachable). An unconnected UDP socket hears of them
// on Linux only with IP_RECVERR, which queues them on the socket's error queue; that queue must then be drained,
// or the socket stays readable (POLLERR) and the event loop spins.
void enableIcmpErrors(QUdpSocket *socket)
{
#ifdef Q_OS_LINUX
    const int on = 1;
    const int fd = int(socket->socketDescriptor());
    if (socket->localAddress().protocol() == QAbstractSocket::IPv6Protocol)
        ::setsockopt(fd, IPPROTO_IPV6, IPV6_RECVERR, &on, sizeof on);
    ::setsockopt(fd, IPPROTO_IP, IP_RECVERR, &on, sizeof on); // also for IPv4 on a dual-stack socket
#else
    Q_UNUSED(socket);
#endif
}

struct IcmpErrors {
    int portUnreachable = 0;
    int other = 0;
    int lastErrno = 0;
};

IcmpErrors drainIcmpErrors(QUdpSocket *socket)
{
    IcmpErrors r;
#ifdef Q_OS_LINUX
    const int fd = int(socket->socketDescriptor());
    for (int i = 0; fd >= 0 && i < 64; ++i) {
        alignas(cmsghdr) char control[256];
        std::uint8_t data[16]; // the start of our datagram comes back too; not needed
        iovec iov {data, sizeof data};
        msghdr msg {};
        msg.msg_iov = &iov;
        msg.msg_iovlen = 1;
        msg.msg_control = control;
        msg.msg_controllen = sizeof control;
        if (::recvmsg(fd, &msg, MSG_ERRQUEUE | MSG_DONTWAIT) < 0)
            break;
        for (cmsghdr *c = CMSG_FIRSTHDR(&msg); c; c = CMSG_NXTHDR(&msg, c)) {
            if (!(c->cmsg_level == IPPROTO_IP && c->cmsg_type == IP_RECVERR) && !(c->cmsg_level == IPPROTO_IPV6 && c->cmsg_type == IPV6_RECVERR))
                continue;
            sock_extended_err ee;
            std::memcpy(&ee, CMSG_DATA(c), sizeof ee);
            if (ee.ee_errno == ECONNREFUSED)
                ++r.portUnreachable;
            else if (ee.ee_errno != 0) {
                ++r.other;
                r.lastErrno = int(ee.ee_errno);
            }
        }
    }
#else
    Q_UNUSED(socket);
#endif
    return r;
}

std::expected<std::unique_ptr<AudioCodec>, QString> makeCodec(const StreamParams &p)
{
    const auto is = [&p](const char *name) { return p.codec.compare(name, Qt::CaseInsensitive) == 0; };
    if (is("PCMU") || is("PCMA")) {
        const std::size_t samples = std::size_t(std::max(0, p.ptime)) * 8;
        if (samples == 0 || samples > G711Codec::maxFrameSamples)
            return std::unexpected(QStringLiteral("ptime %1 ms is outside 1..120 ms for %2").arg(p.ptime).arg(QString::fromLatin1(p.codec)));
        return std::make_unique<G711Codec>(is("PCMU") ? G711::Law::Ulaw : G711::Law::Alaw, samples);
    }
    if (is("opus")) {
        OpusCodec::Config config;
        config.frameMs = p.ptime;
        config.fec = p.opusFec;
        config.dtx = p.opusDtx;
        auto codec = OpusCodec::create(config);
        if (!codec)
            return std::unexpected(codec.error().toString());
        return std::make_unique<OpusCodec>(std::move(*codec));
    }
    return std::unexpected(QStringLiteral("unsupported codec \"%1\"").arg(QString::fromLatin1(p.codec)));
}

} // namespace

RtpStream::RtpStream()
    : m_rtp(new QUdpSocket(this))
    , m_rtcp(new QUdpSocket(this))
    , m_timer(new QTimer(this))
    , m_ssrc(QRandomGenerator::system()->generate()) // RFC 3550 8.1: random SSRC
    , m_seq(quint16(QRandomGenerator::system()->generate())) // RFC 3550 5.1: random initial sequence and timestamp
    , m_ts(QRandomGenerator::system()->generate())
    , m_pcm(kMaxSamples)
    , m_datagram(kMaxDatagram)
    , m_packet(RtpPacket::fixedHeaderSize + kMaxPayload + SrtpContext::kMaxTrailer)
{
    quint32 words[3]; // RFC 7022 5: a random 96-bit CNAME, base64
    QRandomGenerator::system()->fillRange(words);
    m_cname = QByteArray(reinterpret_cast<const char *>(words), sizeof words).toBase64();
    m_timer->setTimerType(Qt::PreciseTimer);
    // Armed for the next thing due (a frame to send or play, RTCP, statistics), not on a fixed
    // tick: a 5 ms tick cost 200 wake-ups a second and most of the stream's CPU.
    m_timer->setSingleShot(true);
    connect(m_timer, &QTimer::timeout, this, &RtpStream::tick);
    connect(m_rtp, &QUdpSocket::readyRead, this, &RtpStream::readRtp);
    connect(m_rtcp, &QUdpSocket::readyRead, this, &RtpStream::readRtcp);
}

RtpStream::~RtpStream()
{
    if (m_running) { // deleted without stop(), e.g. as the engine shuts down: still say goodbye (RFC 3550 6.6)
        m_timer->stop();
        sendRtcp(true);
    }
}

std::expected<std::unique_ptr<RtpStream>, QString> RtpStream::bind(const QHostAddress &address, quint16 portMin, quint16 portMax)
{
    const QString where = QStringLiteral("%1 in %2-%3").arg(address.toString()).arg(portMin).arg(portMax);
    const int first = (portMin + 1) & ~1; // lowest even port
    const int last = portMax >= 1 ? (portMax - 1) & ~1 : -1; // highest even port whose +1 still fits
    if (first > last)
        return std::unexpected(QStringLiteral("no RTP/RTCP port pair (even, odd) fits on %1").arg(where));
    std::unique_ptr<RtpStream> s(new RtpStream);
    const int pairs = (last - first) / 2 + 1;
    const int start = int(QRandomGenerator::global()->bounded(pairs));
    for (int i = 0; i < pairs; ++i) {
        const quint16 port = quint16(first + 2 * ((start + i) % pairs));
        // DontShareAddress: without it Qt sets SO_REUSEADDR and two calls could share a port.
        if (!s->m_rtp->bind(address, port, QAbstractSocket::DontShareAddress)) {
            if (s->m_rtp->error() != QAbstractSocket::AddressInUseError)
                return std::unexpected(QStringLiteral("cannot bind RTP on %1:%2: %3").arg(address.toString()).arg(port).arg(s->m_rtp->errorString()));
            continue;
        }
        if (s->m_rtcp->bind(address, port + 1, QAbstractSocket::DontShareAddress)) {
            enableIcmpErrors(s->m_rtp);
            enableIcmpErrors(s->m_rtcp);
            s->m_localAddress = s->m_rtp->localAddress();
            s->m_localPort = port;
            return s;
        }
        s->m_rtp->close();
    }
    return std::unexpected(QStringLiteral("no free RTP/RTCP port pair on %1").arg(where));
}

void RtpStream::setPorts(std::shared_ptr<AudioPort> source, std::shared_ptr<AudioPort> sink)
{
    Q_ASSERT(!source || source->isSource());
    Q_ASSERT(!sink || sink->isSink());
    m_source = std::move(source);
    m_sink = std::move(sink);
    if (m_codec)
        if (auto error = configureAudio())
            emit failed(*error);
}

std::optional<QString> RtpStream::configureAudio()
{
    // Control path: allocations are fine here, never in the per-frame path.
    const int codecRate = m_codec->clockRate();
    m_captureResampler.reset();
    m_playResampler.reset();
    m_capturedCount = 0;
    if (m_source) {
        // Streaming start: with the filter delay skipped, the first codec frame would wait for a
        // second source frame, and that frame's worth of backlog would stay for the whole call.
        auto r = Resampler::create(m_source->sampleRate(), codecRate, Resampler::defaultQuality, Resampler::Start::Streaming);
        if (!r)
            return r.error().toString();
        m_captureResampler.emplace(std::move(*r));
        m_sourceFrame.assign(std::size_t(m_source->sampleRate()) * std::size_t(m_params.ptime) / 1000, 0);
        m_captured.assign(kMaxSamples + m_captureResampler->maxOutput(m_sourceFrame.size()), 0);
    }
    const int sinkRate = m_sink ? m_sink->sampleRate() : codecRate;
    auto r = Resampler::create(codecRate, sinkRate, Resampler::defaultQuality, Resampler::Start::Streaming);
    if (!r)
        return r.error().toString();
    m_playResampler.emplace(std::move(*r));
    m_playOut.assign(std::max(m_playResampler->maxOutput(kMaxSamples), std::size_t(sinkRate) * 120 / 1000), 0);
    return std::nullopt;
}

void RtpStream::resetJitterBuffer(int frameMs)
{
    JitterBufferConfig config;
    config.clockRate = std::uint32_t(m_codec->clockRate());
    config.frameMs = frameMs;
    config.capacity = std::size_t(std::max(25, 1000 / frameMs)); // a second of audio
    config.maxPayload = kMaxPayload;
    m_jitter.emplace(config);
    m_playFrameMs = frameMs;
    m_playPhased = false; // the next packet sets the playout slots' phase
}

std::optional<QString> RtpStream::applyCodec(const StreamParams &params)
{
    auto codec = makeCodec(params);
    if (!codec)
        return codec.error();
    const bool clockChanged = !m_codec || (*codec)->clockRate() != m_codec->clockRate();
    m_codec = std::move(*codec);
    m_params = params;
    m_dtmf.configure(m_codec->clockRate(), params.ptime, params.telephoneEventPt.has_value());
    if (clockChanged || !m_receiver) {
        m_receiver.emplace(std::uint32_t(m_codec->clockRate())); // jitter is in timestamp units of this clock
        m_haveRemote = false;
    }
    m_havePrevAudio = false;
    m_ptimeVotes = 0;
    resetJitterBuffer(params.ptime);
    return configureAudio();
}

std::optional<QString> RtpStream::applySrtp(const StreamParams &params)
{
    if (!params.srtp) {
        m_srtp.reset();
        m_srtpParams.reset();
        m_stats.srtpSuite.clear();
        return std::nullopt;
    }
    if (m_srtp && m_srtpParams && *m_srtpParams == *params.srtp)
        return std::nullopt; // same keys: the same context keeps its rollover counters and replay windows
    m_srtp.reset(); // fail closed while the new keys are not in place
    m_srtpParams.reset();
    m_stats.srtpSuite.clear();
    auto c = SrtpContext::create(*params.srtp);
    if (!c)
        return c.error();
    m_srtp = std::move(*c);
    m_srtpParams = params.srtp;
    m_stats.srtpSuite = QString::fromLatin1(srtpProfileName(params.srtp->profile));
    return std::nullopt;
}

void RtpStream::start(const StreamParams &params)
{
    if (m_running) {
        update(params);
        return;
    }
    if (auto error = applyCodec(params)) {
        emit failed(QStringLiteral("cannot start media: %1").arg(*error));
        return;
    }
    m_srtp.reset();
    if (auto error = applySrtp(params)) {
        emit failed(QStringLiteral("cannot start media: SRTP: %1").arg(*error));
        return;
    }
    const QString suite = m_stats.srtpSuite;
    m_stats = StreamStats {};
    m_stats.srtpSuite = suite;
    m_stats.muted = m_muted;
    m_receiver.emplace(std::uint32_t(m_codec->clockRate())); // a new run: nothing heard yet
    m_haveRemote = false;
    m_lastSourcePort = 0;
    m_clock.start();
    m_wallAtStartUs = QDateTime::currentMSecsSinceEpoch() * 1000;
    m_nextSendMs = m_nextPlayMs = 0;
    m_nextStatsMs = kStatsIntervalMs;
    m_heardNegotiated = false;
    m_latchedPort = 0;
    m_ignoredPort = 0;
    m_latchFromMs = params.remotePort ? 0 : -1;
    m_lastSr = 0;
    m_marker = true;
    m_sentSinceReport = false;
    m_lastErrorReportMs = -1;
    scheduleRtcp(0, 0.5); // RFC 3550 6.2: the first report after half the minimum interval
    m_running = true;
    armTimer();
}

void RtpStream::update(const StreamParams &params)
{
    if (!m_running) {
        m_params = params;
        return;
    }
    const bool resume = !m_params.send && params.send;
    const bool remoteChanged = params.remotePort != m_params.remotePort || !params.remoteAddress.isEqual(m_params.remoteAddress);
    const bool rtcpChanged = params.rtcpIntervalMs != m_params.rtcpIntervalMs;
    if (params.codec.compare(m_params.codec, Qt::CaseInsensitive) != 0 || params.ptime != m_params.ptime || params.opusFec != m_params.opusFec
        || params.opusDtx != m_params.opusDtx) {
        if (auto error = applyCodec(params)) {
            emit failed(QStringLiteral("cannot change media: %1").arg(*error));
            return; // the old codec carries on
        }
    } else if (params.telephoneEventPt.has_value() != m_params.telephoneEventPt.has_value()) {
        m_dtmf.configure(m_codec->clockRate(), params.ptime, params.telephoneEventPt.has_value());
    }
    if ((m_params.send && !params.send) || (m_params.telephoneEventPt && !params.telephoneEventPt)) {
        // Hold, or events no longer negotiated: digits waiting would play out at the wrong time or not at all.
        if (m_dtmf.sending())
            emit failed(QStringLiteral("DTMF digits still waiting were dropped: the call went on hold or stopped accepting RFC 4733 events"));
        m_dtmf.clearQueue();
        flushDtmf();
    }
    if (!m_params.receive && params.receive)
        resetJitterBuffer(m_playFrameMs); // what it held is stale, and so is its play-out position
    if (auto error = applySrtp(params))
        emit failed(QStringLiteral("SRTP: %1; nothing is sent or played until new keys work").arg(*error));
    if (remoteChanged) {
        // A new negotiated remote: what was latched belonged to the old one.
        m_latchedPort = 0;
        m_heardNegotiated = false;
        m_latchFromMs = params.remotePort ? m_clock.elapsed() : -1;
    }
    m_params = params;
    if (resume)
        m_marker = true;
    if (rtcpChanged)
        scheduleRtcp(m_clock.elapsed());
    armTimer(); // the next report or frame may now be due sooner
}

void RtpStream::setLocalTone(std::shared_ptr<AudioPort> tone)
{
    Q_ASSERT(!tone || tone->isSource());
    m_localTone = std::move(tone);
}

void RtpStream::sendDtmf(const QByteArray &digits, dtmf::Mode mode, const dtmf::SendSettings &settings, quint64 batch)
{
    const auto refuse = [&](const QString &why) {
        emit failed(QStringLiteral("DTMF \"%1\" not sent: %2").arg(QString::fromLatin1(digits), why));
        m_dtmf.enqueue({}, mode, settings, batch); // nothing queued: the drained report still comes
        flushDtmf();
    };
    if (mode == dtmf::Mode::Info)
        return refuse(QStringLiteral("SIP INFO is sent by the call, not the media stream"));
    if (!m_running || !m_params.send || m_params.remoteAddress.isNull() || m_params.remotePort == 0)
        return refuse(QStringLiteral("the stream sends no RTP now (on hold, or not started)"));
    if (mode == dtmf::Mode::Rfc4733 && !m_params.telephoneEventPt)
        return refuse(QStringLiteral("telephone-event was not negotiated"));
    const std::size_t queued = m_dtmf.enqueue(std::span(digits.constData(), std::size_t(digits.size())), mode, settings, batch);
    if (queued < std::size_t(digits.size()))
        emit failed(QStringLiteral("DTMF queue full (%1 digits waiting): %2 of \"%3\" dropped")
                        .arg(dtmf::StreamDtmf::kMaxQueued)
                        .arg(digits.size() - qsizetype(queued))
                        .arg(QString::fromLatin1(digits)));
    armTimer();
}

void RtpStream::clearDtmf() { m_dtmf.clearQueue(); }

void RtpStream::setSpectrogramEnabled(bool on) { m_dtmf.setSpectrogramEnabled(on); }

void RtpStream::flushDtmf()
{
    for (const dtmf::DigitEvent &e : m_dtmf.takeDigits())
        emit dtmf(e);
    if (const auto batch = m_dtmf.queueDrained())
        emit dtmfQueueDrained(*batch);
}

void RtpStream::setMuted(bool muted)
{
    m_muted = muted;
    m_stats.muted = muted;
}

void RtpStream::stop()
{
    if (!m_running)
        return;
    m_timer->stop();
    sendRtcp(true);
    m_running = false;
    publish();
}

void RtpStream::scheduleRtcp(qint64 now, double scale)
{
    // RFC 3550 6.3.1: the interval randomised over [0.5, 1.5] so reports from many sources do not synchronise.
    // (No division by e - 3/2: that compensates for timer reconsideration, which a two-party call does without.)
    const double factor = 0.5 + QRandomGenerator::global()->generateDouble();
    m_nextRtcpMs = now + qint64(std::max(1, m_params.rtcpIntervalMs) * scale * factor);
}

std::uint64_t RtpStream::ntpNow() const
{
    const std::uint64_t us = std::uint64_t(m_wallAtStartUs + m_clock.nsecsElapsed() / 1000);
    return (us / 1000000 + kNtpUnixOffset) << 32 | ((us % 1000000) << 32) / 1000000;
}

void RtpStream::tick()
{
    const qint64 now = m_clock.elapsed();
    const auto catchUp = [this, now](qint64 &next, int stepMs) {
        if (now - next <= kMaxLagMs)
            return false;
        const qint64 skipped = (now - next) / stepMs;
        next += skipped * stepMs;
        m_stats.framesSkipped += quint64(skipped);
        return true;
    };
    // Playout first, so an EchoPort hands the frame just played straight to the send path.
    catchUp(m_nextPlayMs, m_playFrameMs);
    while (m_running && m_nextPlayMs <= now) {
        playFrame(m_nextPlayMs);
        m_nextPlayMs += m_playFrameMs;
    }
    const qint64 sendBefore = m_nextSendMs;
    if (catchUp(m_nextSendMs, m_params.ptime)) { // the skipped time passes in the RTP clock too
        m_ts += quint32((m_nextSendMs - sendBefore) * m_codec->clockRate() / 1000);
        m_marker = true;
    }
    while (m_running && m_nextSendMs <= now) {
        sendFrame();
        m_nextSendMs += m_params.ptime;
    }
    m_dtmf.tick(now);
    flushDtmf();
    if (now >= m_nextRtcpMs) {
        sendRtcp(false);
        scheduleRtcp(now);
    }
    if (now >= m_nextStatsMs) {
        publish();
        m_nextStatsMs = now + kStatsIntervalMs;
    }
    armTimer();
}

void RtpStream::armTimer()
{
    if (!m_running)
        return;
    const qint64 next = std::min({m_nextSendMs, m_nextPlayMs, m_nextRtcpMs, m_nextStatsMs});
    const qint64 waitNs = next * 1000000 - m_clock.nsecsElapsed();
    m_timer->start(int(std::max<qint64>(0, (waitNs + 999999) / 1000000)));
}

void RtpStream::capture(std::span<std::int16_t> frame)
{
    if (!m_source) {
        std::fill(frame.begin(), frame.end(), std::int16_t(0));
        m_stats.sendLevelDbfs = StreamStats::silentDbfs;
        return;
    }
    // Pull source frames through the resampler until a codec frame is there (rates need not divide evenly).
    for (int guard = 0; m_capturedCount < frame.size() && guard < 8; ++guard) {
        const std::size_t got = m_source->read(m_sourceFrame);
        if (got == 0) // end of stream: silence from now on
            std::fill(m_sourceFrame.begin(), m_sourceFrame.end(), std::int16_t(0));
        else
            ++m_stats.framesCaptured;
        m_stats.sendLevelDbfs = levelDbfs(m_sourceFrame);
        const auto r = m_captureResampler->process(m_sourceFrame, std::span(m_captured).subspan(m_capturedCount));
        m_capturedCount += r.produced;
    }
    const std::size_t n = std::min(frame.size(), m_capturedCount);
    std::copy_n(m_captured.begin(), n, frame.begin());
    std::fill(frame.begin() + std::ptrdiff_t(n), frame.end(), std::int16_t(0));
    std::copy(m_captured.begin() + std::ptrdiff_t(n), m_captured.begin() + std::ptrdiff_t(m_capturedCount), m_captured.begin());
    m_capturedCount -= n;
}

void RtpStream::sendFrame()
{
    const std::size_t samples = m_codec->frameSamples();
    const auto frame = std::span(m_pcm).first(samples);
    capture(frame); // also on hold, so a device ring never overflows and a file keeps its place in time
    const quint32 ts = m_ts;
    m_ts += quint32(samples);
    if (!m_params.send || m_params.remoteAddress.isNull() || m_params.remotePort == 0) {
        m_marker = true; // RFC 3551 4.1: the first packet after silence starts a talkspurt
        return;
    }
    if (m_muted)
        std::fill(frame.begin(), frame.end(), std::int16_t(0));
    // DTMF after mute: a muted phone still dials. An RFC 4733 event replaces the audio packet.
    if (const auto event = m_dtmf.onSendFrame(frame, ts, m_clock.elapsed())) {
        if (m_params.telephoneEventPt)
            sendEvent(*event);
        if (event->replacesAudio)
            return;
        // The last end packets' copies (RFC 4733 2.5.1.4) go out beside the audio again.
    }
    const auto payload = std::span(m_packet).subspan(RtpPacket::fixedHeaderSize, kMaxPayload);
    const auto encoded = m_codec->encode(frame, payload);
    if (!encoded) {
        reportError("RTP", QStringLiteral("cannot encode: %1").arg(encoded.error().toString()));
        return;
    }
    ++m_stats.framesEncoded;
    if (m_params.opusDtx && *encoded <= 2) { // RFC 7587 3.1.3: DTX, nothing worth sending
        m_marker = true;
        return;
    }
    RtpPacket p;
    p.marker = m_marker;
    p.payloadType = std::uint8_t(m_params.payloadType);
    p.sequence = m_seq;
    p.timestamp = ts;
    p.ssrc = m_ssrc;
    p.payload = payload.first(*encoded); // already in place after the header
    auto size = p.serialize(m_packet);
    if (!size || !protect(m_packet, *size, false))
        return;
    const qint64 sent = m_rtp->writeDatagram(reinterpret_cast<const char *>(m_packet.data()), qint64(*size), rtpDestination(), rtpDestinationPort());
    const int error = errno;
    checkIcmp(m_rtp, "RTP"); // on loopback the ICMP error is already there
    if (sent < 0) {
        noteSocketError(m_rtp, "RTP", error);
        // The sequence number is not used up: the peer sees no loss for a packet that never left. Except with SRTP: the
        // index is spent, and protecting another payload under it would reuse its keystream (RFC 3711 9.1).
        if (m_srtp)
            ++m_seq;
        return;
    }
    ++m_seq;
    m_marker = false;
    m_sentSinceReport = true;
    ++m_stats.rtpSent;
    m_stats.octetsSent += *encoded;
}

bool RtpStream::sendEvent(const dtmf::OutgoingEvent &event)
{
    std::array<std::uint8_t, dtmf::EventPayload::size> body {};
    if (!dtmf::writeEvent(event.payload, body))
        return false;
    RtpPacket p;
    p.marker = event.marker; // RFC 4733 2.5.1.1: the first packet of an event
    p.payloadType = std::uint8_t(*m_params.telephoneEventPt);
    p.sequence = m_seq;
    p.timestamp = event.timestamp; // RFC 4733 2.5.1.2: the event's start, the same in every packet of it
    p.ssrc = m_ssrc;
    p.payload = body;
    auto size = p.serialize(m_packet);
    if (!size || !protect(m_packet, *size, false)) // RFC 4733 events are RTP: SRTP protects them too
        return false;
    const qint64 sent = m_rtp->writeDatagram(reinterpret_cast<const char *>(m_packet.data()), qint64(*size), rtpDestination(), rtpDestinationPort());
    const int error = errno;
    checkIcmp(m_rtp, "RTP");
    if (sent < 0) {
        noteSocketError(m_rtp, "RTP", error);
        if (m_srtp)
            ++m_seq; // the SRTP index is spent (see sendFrame)
        return false;
    }
    ++m_seq;
    m_sentSinceReport = true;
    ++m_stats.eventPacketsSent;
    m_stats.octetsSent += body.size();
    return true;
}

void RtpStream::reportError(const char *what, const QString &why)
{
    const qint64 now = m_clock.isValid() ? m_clock.elapsed() : 0;
    if (m_lastErrorReportMs >= 0 && now - m_lastErrorReportMs < kErrorReportMs)
        return; // a failing path fails for every packet: say so now and then, never per packet
    m_lastErrorReportMs = now;
    emit failed(QStringLiteral("%1 to %2: %3").arg(QLatin1StringView(what), endpoint(m_params.remoteAddress, m_params.remotePort), why));
}

void RtpStream::noteSocketError(QUdpSocket *socket, const char *what, int error)
{
    // An ICMP port unreachable for an earlier datagram makes a later call fail with ECONNREFUSED: nobody listens at
    // the remote port (yet). Counted, not fatal: the peer may still open it. On Linux the error queue counts it.
#ifdef Q_OS_LINUX
    if (error == ECONNREFUSED)
        return;
#else
    Q_UNUSED(error);
    if (socket->error() == QAbstractSocket::ConnectionRefusedError) {
        ++m_stats.portUnreachable;
        return;
    }
#endif
    if (socket->error() == QAbstractSocket::TemporaryError) // EAGAIN: nothing to read after all
        return;
    ++m_stats.sendErrors;
    reportError(what, socket->errorString());
}

void RtpStream::checkIcmp(QUdpSocket *socket, const char *what)
{
    const IcmpErrors e = drainIcmpErrors(socket);
    m_stats.portUnreachable += quint64(e.portUnreachable);
    if (e.other) {
        m_stats.sendErrors += quint64(e.other);
        reportError(what, QString::fromLocal8Bit(std::strerror(e.lastErrno))); // "No route to host"
    }
}

void RtpStream::playFrame(qint64 at)
{
    // sendonly/inactive: silence at once, not the buffer's remains and a tail of concealment.
    const JitterBuffer::Output out = m_params.receive ? m_jitter->get(at) : JitterBuffer::Output {};
    std::size_t n = 0;
    if (m_localTone && m_localTone->sampleRate() == m_codec->clockRate()) {
        // Ringback: the local tone stands in for the far end until the call is answered.
        n = std::min(m_pcm.size(), std::size_t(m_codec->clockRate()) * std::size_t(m_playFrameMs) / 1000);
        n = m_localTone->read(std::span<std::int16_t>(m_pcm).first(n));
        if (m_sink && n > 0) {
            const auto r = m_playResampler->process(std::span<const std::int16_t>(m_pcm).first(n), m_playOut);
            m_sink->write(std::span<const std::int16_t>(m_playOut).first(r.produced));
        }
        return;
    }
    if (out.kind == JitterBuffer::Kind::Frame) {
        const auto r = m_codec->decode(out.payload, m_pcm);
        if (r) {
            n = *r;
            ++m_stats.decoded;
        } else {
            ++m_stats.decodeErrors;
        }
    }
    if (out.kind != JitterBuffer::Kind::NotYet && n == 0) { // lost, late, growing the buffer, or undecodable
        const auto r = m_codec->conceal(m_pcm);
        n = r ? *r : 0;
        ++m_stats.concealed;
    }
    if (n == 0) { // nothing yet: keep the sink fed with silence
        n = std::min(m_pcm.size(), std::size_t(m_codec->clockRate()) * std::size_t(m_playFrameMs) / 1000);
        std::fill_n(m_pcm.begin(), n, std::int16_t(0));
    } else if (m_sink) {
        ++m_stats.played;
    }
    const auto decoded = std::span<const std::int16_t>(m_pcm).first(n);
    m_stats.receiveLevelDbfs = levelDbfs(decoded);
    m_dtmf.onPlayed(decoded, at); // the in-band detector listens whatever the DTMF mode
    if (!m_sink)
        return;
    const auto r = m_playResampler->process(decoded, m_playOut);
    m_sink->write(std::span<const std::int16_t>(m_playOut).first(r.produced));
}

void RtpStream::publish()
{
    StreamStats s = m_stats;
    s.elapsedMs = m_clock.isValid() ? m_clock.elapsed() : 0;
    if (m_lastSourcePort)
        s.lastSource = endpoint(m_lastSourceAddress, m_lastSourcePort);
    if (m_ignoredPort)
        s.ignoredSource = endpoint(m_ignoredAddress, m_ignoredPort);
    if (m_latchedPort)
        s.latchedSource = endpoint(m_latchedAddress, m_latchedPort);
    if (m_haveRemote) {
        s.remoteSsrc = m_remoteSsrc;
        s.lost = m_receiver->cumulativeLost();
        s.late = m_receiver->late();
        s.duplicates = m_receiver->duplicates();
        s.jitterMs = m_receiver->jitterMs();
    }
    if (m_jitter)
        s.jitterBufferDelayMs = m_jitter->currentDelayMs();
    if (s.decoded > 0) {
        // The whole call so far, as RFC 6035's session reports do: fractionLost alone would forget a burst.
        const double expected = double(m_receiver->expected());
        const double loss = expected > 0 ? std::max(0.0, double(s.lost)) / expected : 0.0;
        s.mos = estimateMos(m_params.codec, loss, s.jitterMs, s.rttMs, s.jitterBufferDelayMs, s.receivedPtimeMs ? s.receivedPtimeMs : m_params.ptime);
    }
    emit statsUpdated(s);
    std::int64_t firstColumnMs = 0;
    if (const auto columns = m_dtmf.takeSpectrum(&firstColumnMs); !columns.empty())
        emit spectrum(QByteArray(reinterpret_cast<const char *>(columns.data()), qsizetype(columns.size())), qint64(firstColumnMs));
}

} // namespace ds::media
