#include "media/media_session.h"

#include "media/rtp_stream.h"

namespace ds::media {

MediaSession::MediaSession(RtpStream *stream, QObject *parent)
    : QObject(parent)
    , m_stream(stream)
    , m_localAddress(stream->localAddress())
    , m_localPort(stream->localPort())
{
    // Queued: the stream emits on the media thread.
    connect(stream, &RtpStream::statsUpdated, this, [this](const StreamStats &s) {
        m_stats = s;
        emit statsUpdated(s);
    });
    connect(stream, &RtpStream::failed, this, &MediaSession::failed);
    connect(stream, &RtpStream::dtmf, this, &MediaSession::dtmf);
    connect(stream, &RtpStream::dtmfQueueDrained, this, &MediaSession::dtmfQueueDrained);
    connect(stream, &RtpStream::spectrum, this, &MediaSession::spectrum);
}

MediaSession::~MediaSession() { detach(); }

void MediaSession::detach()
{
    if (!m_stream)
        return;
    disconnect(m_stream, nullptr, this, nullptr);
    post([](RtpStream *s) { s->stop(); }); // sends RTCP BYE
    m_stream->deleteLater(); // posted after stop(), so it runs after it, on the media thread
    m_stream = nullptr;
}

template <typename F> void MediaSession::post(F &&f)
{
    if (!m_stream)
        return;
    RtpStream *s = m_stream;
    QMetaObject::invokeMethod(
        s, [s, f = std::forward<F>(f)]() mutable { f(s); }, Qt::QueuedConnection);
}

void MediaSession::setPorts(std::shared_ptr<AudioPort> source, std::shared_ptr<AudioPort> sink)
{
    post([source = std::move(source), sink = std::move(sink)](RtpStream *s) mutable { s->setPorts(std::move(source), std::move(sink)); });
}

void MediaSession::start(const StreamParams &params)
{
    post([params](RtpStream *s) { s->start(params); });
}

void MediaSession::update(const StreamParams &params)
{
    post([params](RtpStream *s) { s->update(params); });
}

void MediaSession::setMuted(bool muted)
{
    m_stats.muted = muted;
    post([muted](RtpStream *s) { s->setMuted(muted); });
}

void MediaSession::setLocalTone(std::shared_ptr<AudioPort> tone)
{
    post([tone = std::move(tone)](RtpStream *s) mutable { s->setLocalTone(std::move(tone)); });
}

void MediaSession::stop()
{
    post([](RtpStream *s) { s->stop(); });
}

void MediaSession::sendDtmf(const QByteArray &digits, dtmf::Mode mode, const dtmf::SendSettings &settings, quint64 batch)
{
    if (!m_stream) { // the engine is gone: nothing will answer from the media thread
        emit dtmfQueueDrained(batch);
        return;
    }
    post([digits, mode, settings, batch](RtpStream *s) { s->sendDtmf(digits, mode, settings, batch); });
}

void MediaSession::clearDtmf()
{
    post([](RtpStream *s) { s->clearDtmf(); });
}

void MediaSession::setSpectrogramEnabled(bool on)
{
    post([on](RtpStream *s) { s->setSpectrogramEnabled(on); });
}

} // namespace ds::media
