#include "media/media_engine.h"

#include "dtmf/digit_event.h"

#include "media/media_session.h"
#include "media/rtp_stream.h"

namespace ds::media {

MediaEngine::MediaEngine(QObject *parent)
    : QObject(parent)
{
    qRegisterMetaType<ds::media::StreamStats>();
    qRegisterMetaType<ds::media::StreamParams>();
    qRegisterMetaType<ds::dtmf::DigitEvent>();
    m_thread.setObjectName(QStringLiteral("media"));
    m_thread.start(QThread::TimeCriticalPriority);
}

MediaEngine::~MediaEngine()
{
    for (const QPointer<MediaSession> &s : std::as_const(m_sessions))
        if (s)
            s->detach();
    // Deletions posted before quit() are carried out when the thread finishes (QThread, deleteLater()).
    m_thread.quit();
    m_thread.wait();
}

std::expected<MediaSession *, QString> MediaEngine::openSession(const QHostAddress &bind, quint16 portMin, quint16 portMax, QObject *parent)
{
    auto stream = RtpStream::bind(bind, portMin, portMax);
    if (!stream)
        return std::unexpected(stream.error());
    (*stream)->moveToThread(&m_thread); // the sockets and timer, its children, go with it
    auto *session = new MediaSession(stream->release(), parent ? parent : this);
    m_sessions.removeIf([](const QPointer<MediaSession> &s) { return s.isNull(); });
    m_sessions.append(session);
    return session;
}

} // namespace ds::media
