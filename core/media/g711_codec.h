#pragma once
// G711Codec: G.711 (PCMU/PCMA, RTP payload types 0/8, RFC 3551 4.5.14) behind AudioCodec; media thread.

#include "media/audio_codec.h"
#include "media/g711.h"

#include <array>

namespace ds::media {

// Concealment repeats the last good frame and fades it out, reaching silence after fadeFrames losses.
class G711Codec final : public AudioCodec {
public:
    static constexpr std::size_t maxFrameSamples = 960; // 120 ms at 8 kHz, the longest payload remembered for concealment
    static constexpr int fadeFrames = 3; // concealed frames until silence (60 ms at 20 ms ptime)

    explicit G711Codec(G711::Law law, std::size_t frameSamples = 160);

    std::string_view name() const override { return m_law == G711::Law::Ulaw ? "PCMU" : "PCMA"; }
    int clockRate() const override { return 8000; }
    std::size_t frameSamples() const override { return m_frameSamples; }
    std::expected<std::size_t, Error> encode(std::span<const std::int16_t> frame, std::span<std::uint8_t> out) override;
    std::expected<std::size_t, Error> decode(std::span<const std::uint8_t> payload, std::span<std::int16_t> out) override;
    std::expected<std::size_t, Error> conceal(std::span<std::int16_t> out) override;

private:
    G711::Law m_law;
    std::size_t m_frameSamples;
    std::array<std::int16_t, maxFrameSamples> m_last {};
    std::size_t m_lastSamples = 0;
    int m_lost = 0;
};

} // namespace ds::media
