#include "audio_check.h"

#include "media/portaudio_port.h"
#include "media/ringback_port.h"
#include "media/tone_port.h"

#include <QTimer>

#include <chrono>

namespace ds::ui {

using media::PortAudioPort;

namespace {
constexpr int kFrameMs = 20;
}

AudioCheck::AudioCheck(Mode mode, int device)
    : m_mode(mode)
    , m_device(device)
{
}

AudioCheck::~AudioCheck() = default; // on its thread (QThread::finished -> deleteLater): closes the stream there

void AudioCheck::start()
{
    const std::optional<int> device = m_device >= 0 ? std::optional<int>(m_device) : std::nullopt;
    auto opened = m_mode == Mode::Microphone ? PortAudioPort::open(device, PortAudioPort::kNoDevice) : PortAudioPort::open(PortAudioPort::kNoDevice, device);
    if (!opened) {
        emit finished(opened.error());
        return;
    }
    m_port = std::move(*opened);
    m_frame.assign(std::size_t(m_port->sampleRate() * kFrameMs / 1000), 0);
    if (m_mode == Mode::Speaker)
        m_tone = std::make_unique<media::TonePort>(m_port->sampleRate(), media::TonePort::Tone {1000.0, -12.0}, std::chrono::milliseconds(1000));
    else if (m_mode == Mode::Ringtone) // a North American-style ring: 440+480 Hz, 2 s on, 4 s off
        m_tone = std::make_unique<media::RingbackPort>(
            m_port->sampleRate(), media::TonePort::Tone {440.0, -14.0}, media::TonePort::Tone {480.0, -14.0}, media::RingbackCadence {2000, 4000});
    m_timer = new QTimer(this);
    m_timer->setTimerType(Qt::PreciseTimer);
    connect(m_timer, &QTimer::timeout, this, &AudioCheck::tick);
    m_clock.start();
    m_timer->start(kFrameMs / 2);
}

void AudioCheck::tick()
{
    if (!m_port->streamRunning()) {
        m_timer->stop();
        emit finished(m_port->lastError());
        return;
    }
    // One frame per 20 ms of elapsed time, whatever the timer's jitter.
    for (const qint64 due = m_clock.elapsed() / kFrameMs; m_framesDone < due; ++m_framesDone) {
        if (m_mode == Mode::Microphone) {
            m_port->read(m_frame);
            if (m_framesDone % 5 == 0)
                emit level(m_port->inputLevelDbfs());
        } else if (m_tone->read(m_frame) > 0) {
            m_port->write(m_frame);
        } else if (m_endAt < 0) {
            m_endAt = m_clock.elapsed() + 200; // what is queued plays out
        }
    }
    if (m_endAt >= 0 && m_clock.elapsed() >= m_endAt) {
        m_timer->stop();
        emit finished({});
    }
}

} // namespace ds::ui
