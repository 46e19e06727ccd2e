#pragma once
// MediaSession: the main-thread handle a Call owns on its RTP stream, which lives on the media thread.

#include "dtmf/digit_event.h"
#include "dtmf/stream_dtmf.h"
#include "media/audio_port.h"
#include "media/stream_params.h"

#include <QHostAddress>
#include <QObject>

#include <memory>

namespace ds::media {

class MediaEngine;
class RtpStream;

// Every command is forwarded to the stream by a queued call (never a blocking one); statistics come back by
// queued signal and are cached, so stats() answers at once with the latest published figures. Destroying the
// session stops the stream and deletes it on the media thread. Made by MediaEngine::openSession().
class MediaSession : public QObject {
    Q_OBJECT
public:
    ~MediaSession() override;

    QHostAddress localAddress() const { return m_localAddress; }
    quint16 localPort() const { return m_localPort; } // RTP: even; RTCP is localPort() + 1
    quint16 localRtcpPort() const { return quint16(m_localPort + 1); }

    // The ports are handed to the media thread, which alone uses them from then on (see AudioPort).
    void setPorts(std::shared_ptr<AudioPort> source, std::shared_ptr<AudioPort> sink);
    void start(const StreamParams &params);
    void update(const StreamParams &params);
    void setMuted(bool muted);
    // Plays `tone` (a source at the codec's clock rate) to the sink instead of the received audio,
    // e.g. ringback; null ends it.
    void setLocalTone(std::shared_ptr<AudioPort> tone);
    // DTMF in RFC 4733 or in-band mode (see RtpStream::sendDtmf); the stream reports back by dtmf().
    void sendDtmf(const QByteArray &digits, ds::dtmf::Mode mode, const ds::dtmf::SendSettings &settings, quint64 batch = 0);
    void clearDtmf();
    void setSpectrogramEnabled(bool on);
    void stop();

    const StreamStats &stats() const { return m_stats; }
    // False once the engine is gone (the media thread with it): commands are then ignored.
    bool isAttached() const { return m_stream != nullptr; }

signals:
    void statsUpdated(const ds::media::StreamStats &stats);
    void failed(const QString &reason);
    void dtmf(const ds::dtmf::DigitEvent &event);
    void dtmfQueueDrained(quint64 batch);
    void spectrum(const QByteArray &columns, qint64 firstColumnMs);

private:
    friend class MediaEngine;
    MediaSession(RtpStream *stream, QObject *parent);
    void detach(); // stop and delete the stream on its thread; the session stays as an inert shell
    template <typename F> void post(F &&f);

    RtpStream *m_stream; // lives on the media thread; deleted there by deleteLater
    QHostAddress m_localAddress;
    quint16 m_localPort;
    StreamStats m_stats;
};

} // namespace ds::media
