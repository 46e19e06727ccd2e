#include "media/tone_port.h"

#include <algorithm>
#include <cmath>
#include <numbers>

namespace ds::media {

namespace {

qint64 samplesFor(int rate, std::optional<std::chrono::milliseconds> duration)
{
    if (!duration)
        return -1;
    Q_ASSERT(duration->count() >= 0);
    return qint64(std::llround(double(duration->count()) * rate / 1000.0));
}

} // namespace

double TonePort::amplitude(double levelDbfs) { return 32767.0 * std::pow(10.0, levelDbfs / 20.0); }

TonePort::Oscillator TonePort::oscillator(int sampleRate, Tone tone)
{
    Q_ASSERT(tone.frequency > 0 && tone.frequency < sampleRate / 2.0);
    return {tone.frequency / sampleRate, amplitude(tone.levelDbfs), 0.0};
}

TonePort::TonePort(int sampleRate, Tone tone, std::optional<std::chrono::milliseconds> duration)
    : m_rate(sampleRate)
    , m_osc {oscillator(sampleRate, tone), {}}
    , m_count(1)
    , m_total(samplesFor(sampleRate, duration))
    , m_left(m_total)
{
    Q_ASSERT(sampleRate > 0);
}

TonePort::TonePort(int sampleRate, Tone low, Tone high, std::optional<std::chrono::milliseconds> duration)
    : m_rate(sampleRate)
    , m_osc {oscillator(sampleRate, low), oscillator(sampleRate, high)}
    , m_count(2)
    , m_total(samplesFor(sampleRate, duration))
    , m_left(m_total)
{
    Q_ASSERT(sampleRate > 0);
}

void TonePort::reset()
{
    for (auto &o : m_osc)
        o.phase = 0;
    m_left = m_total;
}

std::size_t TonePort::read(std::span<std::int16_t> frame)
{
    std::size_t n = frame.size();
    if (m_left >= 0)
        n = std::size_t(std::min<qint64>(m_left, qint64(n)));
    for (std::size_t i = 0; i < n; ++i) {
        double v = 0;
        for (int k = 0; k < m_count; ++k) {
            Oscillator &o = m_osc[k];
            v += o.amplitude * std::sin(2.0 * std::numbers::pi * o.phase);
            // A phase accumulator in cycles, wrapped every sample, keeps sin()'s argument small
            // so precision does not decay however long the tone runs.
            o.phase += o.step;
            if (o.phase >= 1.0)
                o.phase -= 1.0;
        }
        frame[i] = std::int16_t(std::clamp(std::lround(v), -32768L, 32767L));
    }
    std::fill(frame.begin() + std::ptrdiff_t(n), frame.end(), std::int16_t(0));
    if (m_left >= 0)
        m_left -= qint64(n);
    return n;
}

void TonePort::write(std::span<const std::int16_t>) { Q_ASSERT_X(false, "TonePort::write", "a tone is a source only"); }

} // namespace ds::media
