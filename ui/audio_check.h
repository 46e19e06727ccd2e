#pragma once
// AudioCheck: a short-lived sound card stream for the audio settings — the microphone's level, or
// a test tone on the speaker — on a thread of its own.

#include <QElapsedTimer>
#include <QObject>

#include <cstdint>
#include <memory>
#include <vector>

class QTimer;

namespace ds::media {
class AudioPort;
class PortAudioPort;
} // namespace ds::media

namespace ds::ui {

// The microphone's level a few times a second, a 1 kHz tone for 1 s, or a ringtone until stopped
// (the thread quits); reports by queued signal.
class AudioCheck final : public QObject {
    Q_OBJECT
public:
    enum class Mode { Microphone, Speaker, Ringtone };
    // device: a PortAudio index, -1 for PortAudio's default.
    AudioCheck(Mode mode, int device);
    ~AudioCheck() override;
    void start(); // on its thread

signals:
    void level(double dbfs); // Microphone: about 10 times a second
    void finished(const QString &error); // Speaker: the tone has played; either: the stream failed (error)

private:
    void tick();

    Mode m_mode;
    int m_device;
    std::unique_ptr<ds::media::PortAudioPort> m_port;
    std::unique_ptr<ds::media::AudioPort> m_tone; // Speaker, Ringtone
    std::vector<std::int16_t> m_frame;
    QTimer *m_timer = nullptr;
    QElapsedTimer m_clock;
    qint64 m_framesDone = 0;
    qint64 m_endAt = -1; // Speaker: ms at which the last tone frame has been played
};

} // namespace ds::ui
