#pragma once
// MediaEngine: owns the one media thread and opens the RTP sessions that run on it; main thread.

#include <QHostAddress>
#include <QList>
#include <QObject>
#include <QPointer>
#include <QThread>

#include <expected>

namespace ds::media {

class MediaSession;

// The phone builds one engine and hands it down; every call asks it for a MediaSession. The media thread starts
// with the engine and is quit and joined by its destructor, after the streams of sessions still alive have been
// stopped and deleted there (those sessions stay, inert: MediaSession::isAttached() is then false).
class MediaEngine : public QObject {
    Q_OBJECT
public:
    explicit MediaEngine(QObject *parent = nullptr);
    ~MediaEngine() override;

    // Binds an RTP/RTCP port pair (even/odd) on `bind` within [portMin, portMax] synchronously, so the caller can
    // put the port in its SDP at once. The session belongs to `parent`, or to the engine when none is given.
    std::expected<MediaSession *, QString> openSession(const QHostAddress &bind, quint16 portMin = 16384, quint16 portMax = 32767, QObject *parent = nullptr);

    QThread *mediaThread() { return &m_thread; }

private:
    QThread m_thread;
    QList<QPointer<MediaSession>> m_sessions;
};

} // namespace ds::media
