#include "media/echo_port.h"

#include <algorithm>

namespace ds::media {

EchoPort::EchoPort(int sampleRate, std::chrono::milliseconds capacity, std::chrono::milliseconds delay)
    : m_rate(sampleRate)
    , m_ring(std::max<std::size_t>(1, std::size_t(qint64(sampleRate) * (capacity.count() + delay.count()) / 1000)))
    , m_count(std::size_t(qint64(sampleRate) * delay.count() / 1000)) // the ring starts zeroed: silence
{
    Q_ASSERT(sampleRate > 0 && capacity.count() > 0 && delay.count() >= 0);
}

std::size_t EchoPort::read(std::span<std::int16_t> frame)
{
    if (frame.empty())
        return 0;
    if (m_count < frame.size()) {
        std::fill(frame.begin(), frame.end(), std::int16_t(0));
        ++m_underruns;
        return frame.size();
    }
    // At most two runs: up to the end of the ring, then from its start.
    const std::size_t first = std::min(frame.size(), m_ring.size() - m_head);
    std::copy_n(m_ring.begin() + std::ptrdiff_t(m_head), first, frame.begin());
    std::copy_n(m_ring.begin(), frame.size() - first, frame.begin() + std::ptrdiff_t(first));
    m_head = (m_head + frame.size()) % m_ring.size();
    m_count -= frame.size();
    return frame.size();
}

void EchoPort::write(std::span<const std::int16_t> frame)
{
    const std::size_t cap = m_ring.size();
    if (frame.size() > cap) { // only the newest capacity's worth can survive
        m_dropped += qint64(m_count + frame.size() - cap);
        frame = frame.last(cap);
        m_head = 0;
        m_count = 0;
    }
    const std::size_t overflow = m_count + frame.size() > cap ? m_count + frame.size() - cap : 0;
    if (overflow) { // drop the oldest
        m_head = (m_head + overflow) % cap;
        m_count -= overflow;
        m_dropped += qint64(overflow);
    }
    std::size_t tail = (m_head + m_count) % cap;
    const std::size_t first = std::min(frame.size(), cap - tail);
    std::copy_n(frame.begin(), first, m_ring.begin() + std::ptrdiff_t(tail));
    std::copy_n(frame.begin() + std::ptrdiff_t(first), frame.size() - first, m_ring.begin());
    m_count += frame.size();
}

} // namespace ds::media
