#include "media/null_port.h"

#include <algorithm>

namespace ds::media {

NullPort::NullPort(int sampleRate)
    : m_rate(sampleRate)
{
    Q_ASSERT(sampleRate > 0);
}

std::size_t NullPort::read(std::span<std::int16_t> frame)
{
    std::ranges::fill(frame, std::int16_t(0));
    ++m_framesRead;
    m_samplesRead += qint64(frame.size());
    return frame.size();
}

void NullPort::write(std::span<const std::int16_t> frame)
{
    ++m_framesWritten;
    m_samplesWritten += qint64(frame.size());
}

} // namespace ds::media
