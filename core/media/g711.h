#pragma once
// G711: ITU-T G.711 µ-law and A-law companding, bit exact with ITU-T G.191 g711.c; pure, any thread.

#include <cstddef>
#include <cstdint>
#include <span>

namespace ds::media {

class G711 {
public:
    enum class Law { Ulaw, Alaw };

    // One sample. Linear samples are 16-bit; µ-law decodes to ±32124, A-law to ±32256.
    static std::uint8_t encode(Law law, std::int16_t sample);
    static std::int16_t decode(Law law, std::uint8_t code);

    // Whole frames, allocation free. Converts min(in, out) samples and returns that count;
    // passing spans of different sizes is a programming error (asserted).
    static std::size_t encode(Law law, std::span<const std::int16_t> in, std::span<std::uint8_t> out);
    static std::size_t decode(Law law, std::span<const std::uint8_t> in, std::span<std::int16_t> out);

    // Codes for digital silence (+0): 0xFF in µ-law, 0xD5 in A-law (G.711 tables 1a and 2a).
    static constexpr std::uint8_t ulawSilence = 0xFF;
    static constexpr std::uint8_t alawSilence = 0xD5;
};

} // namespace ds::media
