#pragma once
// Network byte order (big-endian) reads and writes for RTP and RTCP headers (RFC 3550 5.1, 6.4).

#include <cstdint>

namespace ds::media {

inline std::uint16_t be16(const std::uint8_t *p) { return static_cast<std::uint16_t>(p[0] << 8 | p[1]); }
inline std::uint32_t be32(const std::uint8_t *p) { return std::uint32_t(p[0]) << 24 | std::uint32_t(p[1]) << 16 | std::uint32_t(p[2]) << 8 | p[3]; }
inline void put16(std::uint8_t *p, std::uint16_t v)
{
    p[0] = std::uint8_t(v >> 8);
    p[1] = std::uint8_t(v);
}
inline void put32(std::uint8_t *p, std::uint32_t v)
{
    put16(p, std::uint16_t(v >> 16));
    put16(p + 2, std::uint16_t(v));
}

} // namespace ds::media
