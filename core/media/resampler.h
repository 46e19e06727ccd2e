#pragma once
// Resampler: converts mono 16-bit audio between sample rates with speexdsp's resampler; media thread.

#include "media/error.h"

#include <cstddef>
#include <cstdint>
#include <expected>
#include <memory>
#include <span>

struct SpeexResamplerState_;

namespace ds::media {

class Resampler {
public:
    static constexpr int defaultQuality = 5; // speexdsp's VoIP setting: 0 (fast) .. 10 (best)

    struct Result {
        std::size_t consumed = 0; // input samples used; keep the rest for the next call
        std::size_t produced = 0; // output samples written
    };

    // How the output starts. Aligned: the filter delay is skipped, so the first output sample lines
    // up with the first input sample (files, where alignment matters and latency does not).
    // Streaming: the output starts at once with the filter's delay in front, so a frame in gives
    // a full frame out and no frame waits for the next (live audio, where every ms counts).
    enum class Start { Aligned, Streaming };

    // Allocates the filter state; equal rates give an identity pass-through without any state.
    static std::expected<Resampler, Error> create(int inRate, int outRate, int quality = defaultQuality, Start start = Start::Aligned);

    Resampler(Resampler &&) noexcept;
    Resampler &operator=(Resampler &&) noexcept;
    ~Resampler();

    int inRate() const { return m_inRate; }
    int outRate() const { return m_outRate; }
    bool isIdentity() const { return !m_state; }
    // Output space that is always enough for `inSamples` input samples in one call.
    std::size_t maxOutput(std::size_t inSamples) const;
    // Filter delay in output samples (0 for identity).
    int outputLatency() const;

    // Converts as much of `in` as fits in `out`; allocation free.
    Result process(std::span<const std::int16_t> in, std::span<std::int16_t> out);
    // Forgets the filter history, e.g. at the start of a new call.
    void reset();

private:
    struct StateDeleter {
        void operator()(SpeexResamplerState_ *s) const;
    };
    Resampler(int inRate, int outRate);

    int m_inRate;
    int m_outRate;
    std::unique_ptr<SpeexResamplerState_, StateDeleter> m_state;
    Start m_start = Start::Aligned;
};

} // namespace ds::media
