#include "g711_codec.h"

#include <algorithm>
#include <cassert>

namespace ds::media {

G711Codec::G711Codec(G711::Law law, std::size_t frameSamples)
    : m_law(law)
    , m_frameSamples(frameSamples)
{
    assert(frameSamples > 0 && frameSamples <= maxFrameSamples);
}

std::expected<std::size_t, Error> G711Codec::encode(std::span<const std::int16_t> frame, std::span<std::uint8_t> out)
{
    assert(frame.size() == m_frameSamples);
    if (out.size() < frame.size())
        return std::unexpected(Error {QStringLiteral("G.711 output buffer too small: %1 bytes for %2 samples").arg(out.size()).arg(frame.size())});
    return G711::encode(m_law, frame, out.first(frame.size()));
}

std::expected<std::size_t, Error> G711Codec::decode(std::span<const std::uint8_t> payload, std::span<std::int16_t> out)
{
    if (payload.empty())
        return std::unexpected(Error {QStringLiteral("empty G.711 payload")});
    if (out.size() < payload.size())
        return std::unexpected(Error {QStringLiteral("G.711 payload of %1 bytes does not fit a %2-sample buffer").arg(payload.size()).arg(out.size())});
    const std::size_t n = G711::decode(m_law, payload, out.first(payload.size()));
    // Remember the end of what was just decoded (not of the whole buffer) for concealment.
    m_lastSamples = std::min(n, maxFrameSamples);
    std::copy_n(out.begin() + std::ptrdiff_t(n - m_lastSamples), m_lastSamples, m_last.begin());
    m_lost = 0;
    return n;
}

std::expected<std::size_t, Error> G711Codec::conceal(std::span<std::int16_t> out)
{
    const std::size_t n = m_lastSamples ? m_lastSamples : m_frameSamples;
    if (out.size() < n)
        return std::unexpected(Error {QStringLiteral("G.711 concealment needs %1 samples, buffer has %2").arg(n).arg(out.size())});
    // Gain falls linearly from (1 - lost/fade) to (1 - (lost+1)/fade) across this frame.
    const float g0 = std::max(0.0f, 1.0f - float(m_lost) / fadeFrames);
    const float g1 = std::max(0.0f, 1.0f - float(m_lost + 1) / fadeFrames);
    for (std::size_t i = 0; i < n; ++i) {
        const float g = g0 + (g1 - g0) * float(i) / float(n);
        out[i] = m_lastSamples ? std::int16_t(float(m_last[i]) * g) : std::int16_t(0);
    }
    ++m_lost;
    return n;
}

} // namespace ds::media
