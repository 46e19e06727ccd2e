#include "media/g711.h"

#include <QtGlobal>

#include <algorithm>
#include <array>

namespace ds::media {

namespace {

// G.191 g711.c alaw_compress: 13-bit magnitude (sample >> 4, one's complement when negative),
// segment search, sign bit set for >= 0, even bits inverted (XOR 0x55, G.711 table 1a).
// The result depends on sample >> 4 only, so the encode table has 4096 entries.
constexpr std::uint8_t alawCompress(int sample)
{
    int ix = sample < 0 ? (~sample) >> 4 : sample >> 4;
    if (ix > 15) {
        int exp = 1;
        while (ix > 16 + 15) {
            ix >>= 1;
            ++exp;
        }
        ix -= 16;
        ix += exp << 4;
    }
    if (sample >= 0)
        ix |= 0x80;
    return static_cast<std::uint8_t>(ix ^ 0x55);
}

// G.191 g711.c alaw_expand: mid-point of the quantisation interval, scaled to 16 bits.
constexpr std::int16_t alawExpand(std::uint8_t code)
{
    const int ix = (code ^ 0x55) & 0x7F;
    const int exp = ix >> 4;
    int mant = ix & 0x0F;
    if (exp > 0)
        mant += 16;
    mant = (mant << 4) + 8;
    if (exp > 1)
        mant <<= exp - 1;
    return static_cast<std::int16_t>(code > 127 ? mant : -mant);
}

// G.191 g711.c ulaw_compress: 14-bit magnitude (sample >> 2) plus bias 33, clipped to 0x1FFF,
// segment search, all bits inverted (G.711 table 2a). Depends on sample >> 2: 16384 entries.
constexpr std::uint8_t ulawCompress(int sample)
{
    int absno = (sample < 0 ? (~sample) >> 2 : sample >> 2) + 33;
    if (absno > 0x1FFF)
        absno = 0x1FFF;
    int segno = 1;
    for (int i = absno >> 6; i != 0; i >>= 1)
        ++segno;
    const int high = 0x08 - segno;
    const int low = 0x0F - ((absno >> segno) & 0x0F);
    int code = (high << 4) | low;
    if (sample >= 0)
        code |= 0x80;
    return static_cast<std::uint8_t>(code);
}

// G.191 g711.c ulaw_expand.
constexpr std::int16_t ulawExpand(std::uint8_t code)
{
    const int sign = code < 0x80 ? -1 : 1;
    const int inv = ~code;
    const int exponent = (inv >> 4) & 0x07;
    const int mantissa = inv & 0x0F;
    const int step = 4 << (exponent + 1);
    return static_cast<std::int16_t>(sign * ((0x80 << exponent) + step * mantissa + step / 2 - 4 * 33));
}

template <std::size_t N, typename T, typename F> constexpr std::array<T, N> makeTable(F f)
{
    std::array<T, N> t {};
    for (std::size_t i = 0; i < N; ++i)
        t[i] = f(i);
    return t;
}

// Encode tables are indexed by the unsigned bit pattern of (sample >> shift); entry i holds
// the code of the sample whose top bits are i, i.e. of (int16_t)(i << shift).
constexpr auto kAlawEncode = makeTable<4096, std::uint8_t>([](std::size_t i) { return alawCompress(static_cast<std::int16_t>(i << 4)); });
constexpr auto kUlawEncode = makeTable<16384, std::uint8_t>([](std::size_t i) { return ulawCompress(static_cast<std::int16_t>(i << 2)); });
constexpr auto kAlawDecode = makeTable<256, std::int16_t>([](std::size_t i) { return alawExpand(static_cast<std::uint8_t>(i)); });
constexpr auto kUlawDecode = makeTable<256, std::int16_t>([](std::size_t i) { return ulawExpand(static_cast<std::uint8_t>(i)); });

static_assert(kUlawEncode[0] == 0xFF && kAlawEncode[0] == 0xD5);
static_assert(kUlawDecode[0x80] == 32124 && kAlawDecode[0xAA] == 32256);

inline std::uint8_t encodeAlaw(std::int16_t s) { return kAlawEncode[static_cast<std::uint16_t>(s) >> 4]; }
inline std::uint8_t encodeUlaw(std::int16_t s) { return kUlawEncode[static_cast<std::uint16_t>(s) >> 2]; }

} // namespace

std::uint8_t G711::encode(Law law, std::int16_t sample) { return law == Law::Ulaw ? encodeUlaw(sample) : encodeAlaw(sample); }

std::int16_t G711::decode(Law law, std::uint8_t code) { return law == Law::Ulaw ? kUlawDecode[code] : kAlawDecode[code]; }

std::size_t G711::encode(Law law, std::span<const std::int16_t> in, std::span<std::uint8_t> out)
{
    Q_ASSERT(in.size() == out.size());
    const std::size_t n = std::min(in.size(), out.size());
    if (law == Law::Ulaw)
        std::transform(in.begin(), in.begin() + n, out.begin(), encodeUlaw);
    else
        std::transform(in.begin(), in.begin() + n, out.begin(), encodeAlaw);
    return n;
}

std::size_t G711::decode(Law law, std::span<const std::uint8_t> in, std::span<std::int16_t> out)
{
    Q_ASSERT(in.size() == out.size());
    const std::size_t n = std::min(in.size(), out.size());
    const auto &table = law == Law::Ulaw ? kUlawDecode : kAlawDecode;
    std::transform(in.begin(), in.begin() + n, out.begin(), [&table](std::uint8_t c) { return table[c]; });
    return n;
}

} // namespace ds::media
