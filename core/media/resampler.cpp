#include "media/resampler.h"

#include <speex/speex_resampler.h>

#include <algorithm>
#include <climits>
#include <cstring>

namespace ds::media {

void Resampler::StateDeleter::operator()(SpeexResamplerState_ *s) const { speex_resampler_destroy(s); }

Resampler::Resampler(int inRate, int outRate)
    : m_inRate(inRate)
    , m_outRate(outRate)
{
}

Resampler::Resampler(Resampler &&) noexcept = default;
Resampler &Resampler::operator=(Resampler &&) noexcept = default;
Resampler::~Resampler() = default;

std::expected<Resampler, Error> Resampler::create(int inRate, int outRate, int quality, Start start)
{
    if (inRate <= 0 || outRate <= 0)
        return std::unexpected(Error {QStringLiteral("invalid resampling rates %1 -> %2 Hz").arg(inRate).arg(outRate)});
    if (quality < SPEEX_RESAMPLER_QUALITY_MIN || quality > SPEEX_RESAMPLER_QUALITY_MAX)
        return std::unexpected(Error {QStringLiteral("resampler quality %1 is outside 0..10").arg(quality)});
    Resampler r(inRate, outRate);
    if (inRate == outRate)
        return r;
    int err = RESAMPLER_ERR_SUCCESS;
    r.m_state.reset(speex_resampler_init(1, spx_uint32_t(inRate), spx_uint32_t(outRate), quality, &err));
    if (err != RESAMPLER_ERR_SUCCESS || !r.m_state)
        return std::unexpected(
            Error {QStringLiteral("speex_resampler_init %1 -> %2 Hz: %3").arg(inRate).arg(outRate).arg(QString::fromUtf8(speex_resampler_strerror(err)))});
    r.m_start = start;
    if (start == Start::Aligned)
        speex_resampler_skip_zeros(r.m_state.get()); // the first output sample lines up with the first input
    return r;
}

std::size_t Resampler::maxOutput(std::size_t inSamples) const
{
    return (inSamples * std::size_t(m_outRate) + std::size_t(m_inRate) - 1) / std::size_t(m_inRate) + 1;
}

int Resampler::outputLatency() const { return m_state ? speex_resampler_get_output_latency(m_state.get()) : 0; }

Resampler::Result Resampler::process(std::span<const std::int16_t> in, std::span<std::int16_t> out)
{
    if (!m_state) {
        const std::size_t n = std::min(in.size(), out.size());
        if (n)
            std::memcpy(out.data(), in.data(), n * sizeof(std::int16_t));
        return {n, n};
    }
    spx_uint32_t inLen = spx_uint32_t(std::min<std::size_t>(in.size(), UINT32_MAX));
    spx_uint32_t outLen = spx_uint32_t(std::min<std::size_t>(out.size(), UINT32_MAX));
    // Only fails for invalid arguments (channel index, null state), which cannot happen here.
    speex_resampler_process_int(m_state.get(), 0, in.data(), &inLen, out.data(), &outLen);
    return {inLen, outLen};
}

void Resampler::reset()
{
    if (m_state) {
        speex_resampler_reset_mem(m_state.get());
        if (m_start == Start::Aligned)
            speex_resampler_skip_zeros(m_state.get());
    }
}

} // namespace ds::media
