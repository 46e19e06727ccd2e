#include "media/rtp_packet.h"

#include "media/byte_order.h"

#include <cstring>

namespace ds::media {

const char *describe(RtpError e)
{
    switch (e) {
    case RtpError::TooShort:
        return "RTP packet shorter than the 12-byte fixed header";
    case RtpError::BadVersion:
        return "RTP version is not 2";
    case RtpError::CsrcTruncated:
        return "RTP CSRC list runs past the end of the packet";
    case RtpError::ExtensionTruncated:
        return "RTP header extension runs past the end of the packet";
    case RtpError::BadPadding:
        return "RTP padding count is 0 or longer than the payload";
    case RtpError::BufferTooSmall:
        return "RTP packet does not fit the output buffer";
    case RtpError::BadExtension:
        return "RTP header extension is not a whole number of 32-bit words";
    case RtpError::BadField:
        return "RTP payload type above 127 or more than 15 CSRCs";
    }
    return "RTP error";
}

std::expected<RtpPacket, RtpError> RtpPacket::parse(std::span<const std::uint8_t> packet)
{
    // RFC 3550 5.1: V(2) P(1) X(1) CC(4) | M(1) PT(7) | sequence(16) | timestamp(32) | SSRC(32) | CSRC*(32)
    if (packet.size() < fixedHeaderSize)
        return std::unexpected(RtpError::TooShort);
    const std::uint8_t *p = packet.data();
    if ((p[0] >> 6) != 2)
        return std::unexpected(RtpError::BadVersion);
    RtpPacket r;
    const bool hasPadding = p[0] & 0x20;
    r.hasExtension = p[0] & 0x10;
    r.csrcCount = p[0] & 0x0F;
    r.marker = p[1] & 0x80;
    r.payloadType = p[1] & 0x7F;
    r.sequence = be16(p + 2);
    r.timestamp = be32(p + 4);
    r.ssrc = be32(p + 8);
    std::size_t pos = fixedHeaderSize;
    if (packet.size() < pos + 4 * r.csrcCount)
        return std::unexpected(RtpError::CsrcTruncated);
    for (int i = 0; i < r.csrcCount; ++i, pos += 4)
        r.csrcs[i] = be32(p + pos);
    if (r.hasExtension) {
        // RFC 3550 5.3.1: 16 bits defined by profile, 16-bit length in 32-bit words excluding this header.
        // RFC 8285's one-byte (0xBEDE) and two-byte (0x100x) forms are kept raw in `extension`.
        if (packet.size() < pos + 4)
            return std::unexpected(RtpError::ExtensionTruncated);
        r.extensionProfile = be16(p + pos);
        const std::size_t bytes = std::size_t(be16(p + pos + 2)) * 4;
        pos += 4;
        if (packet.size() - pos < bytes)
            return std::unexpected(RtpError::ExtensionTruncated);
        r.extension = packet.subspan(pos, bytes);
        pos += bytes;
    }
    std::size_t end = packet.size();
    if (hasPadding) {
        // RFC 3550 5.1: the last octet counts the padding octets, itself included.
        const std::uint8_t count = p[end - 1];
        if (count == 0 || count > end - pos)
            return std::unexpected(RtpError::BadPadding);
        r.padding = count;
        end -= count;
    }
    r.payload = packet.subspan(pos, end - pos);
    return r;
}

std::expected<std::size_t, RtpError> RtpPacket::serialize(std::span<std::uint8_t> out) const
{
    if (payloadType > 127 || csrcCount > maxCsrcs)
        return std::unexpected(RtpError::BadField);
    if (hasExtension && (extension.size() % 4 != 0 || extension.size() / 4 > 0xFFFF))
        return std::unexpected(RtpError::BadExtension);
    const std::size_t header = headerSize();
    const std::size_t total = size();
    if (out.size() < total)
        return std::unexpected(RtpError::BufferTooSmall);
    std::uint8_t *p = out.data();
    // Payload first: memmove copes with a payload already built in place (or overlapping) in `out`.
    if (!payload.empty())
        std::memmove(p + header, payload.data(), payload.size());
    p[0] = std::uint8_t(2 << 6 | (padding ? 0x20 : 0) | (hasExtension ? 0x10 : 0) | csrcCount);
    p[1] = std::uint8_t((marker ? 0x80 : 0) | payloadType);
    put16(p + 2, sequence);
    put32(p + 4, timestamp);
    put32(p + 8, ssrc);
    std::size_t pos = fixedHeaderSize;
    for (int i = 0; i < csrcCount; ++i, pos += 4)
        put32(p + pos, csrcs[i]);
    if (hasExtension) {
        put16(p + pos, extensionProfile);
        put16(p + pos + 2, std::uint16_t(extension.size() / 4));
        if (!extension.empty())
            std::memmove(p + pos + 4, extension.data(), extension.size());
    }
    if (padding) {
        std::memset(p + header + payload.size(), 0, padding - 1u);
        p[total - 1] = padding;
    }
    return total;
}

} // namespace ds::media
