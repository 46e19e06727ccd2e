#include "media/ringback_port.h"

#include <algorithm>
#include <cassert>

namespace ds::media {

RingbackPort::RingbackPort(int sampleRate, TonePort::Tone tone, Cadence cadence)
    : m_tone(sampleRate, tone)
    , m_onSamples(qint64(sampleRate) * cadence.onMs / 1000)
    , m_periodSamples(qint64(sampleRate) * (cadence.onMs + cadence.offMs) / 1000)
{
    assert(m_periodSamples > 0);
}

RingbackPort::RingbackPort(int sampleRate, TonePort::Tone low, TonePort::Tone high, Cadence cadence)
    : m_tone(sampleRate, low, high)
    , m_onSamples(qint64(sampleRate) * cadence.onMs / 1000)
    , m_periodSamples(qint64(sampleRate) * (cadence.onMs + cadence.offMs) / 1000)
{
    assert(m_periodSamples > 0);
}

std::size_t RingbackPort::read(std::span<std::int16_t> frame)
{
    std::size_t done = 0;
    while (done < frame.size()) {
        const bool on = m_position < m_onSamples;
        const qint64 untilSwitch = on ? m_onSamples - m_position : m_periodSamples - m_position;
        const std::size_t n = std::size_t(std::min<qint64>(untilSwitch, qint64(frame.size() - done)));
        const auto part = frame.subspan(done, n);
        if (on)
            m_tone.read(part);
        else
            std::fill(part.begin(), part.end(), std::int16_t(0));
        done += n;
        m_position += qint64(n);
        if (m_position >= m_periodSamples) {
            m_position = 0;
            m_tone.reset(); // each burst starts at phase 0, so it begins without a click
        }
    }
    return frame.size();
}

void RingbackPort::write(std::span<const std::int16_t>) { assert(false && "RingbackPort is a source"); }

} // namespace ds::media
