#pragma once
// RtpPacket: an RFC 3550 RTP packet as a view into a caller's buffer; parse and serialize never allocate (media thread).

#include <array>
#include <cstddef>
#include <cstdint>
#include <expected>
#include <span>

namespace ds::media {

enum class RtpError {
    TooShort, // fewer than the 12 fixed header bytes
    BadVersion, // RFC 3550 5.1: V must be 2
    CsrcTruncated, // CC says more CSRCs than the packet holds
    ExtensionTruncated, // X set but the extension header or its length runs past the end
    BadPadding, // P set but the last octet is 0 or larger than what follows the header
    BufferTooSmall, // serialize: the output buffer cannot hold the packet
    BadExtension, // serialize: extension data is not a whole number of 32-bit words, or too long
    BadField, // serialize: payload type > 127 or more than 15 CSRCs
};

const char *describe(RtpError e); // a plain sentence for logs and the trace

class RtpPacket {
public:
    static constexpr std::size_t fixedHeaderSize = 12;
    static constexpr std::size_t maxCsrcs = 15;
    static constexpr std::uint16_t oneByteExtensionProfile = 0xBEDE; // RFC 8285 4.2
    static constexpr std::uint16_t twoByteExtensionProfileMask = 0xFFF0; // RFC 8285 4.3: 0x100 + appbits
    static constexpr std::uint16_t twoByteExtensionProfile = 0x1000;

    bool marker = false;
    std::uint8_t payloadType = 0;
    std::uint16_t sequence = 0;
    std::uint32_t timestamp = 0;
    std::uint32_t ssrc = 0;
    std::uint8_t csrcCount = 0;
    std::array<std::uint32_t, maxCsrcs> csrcs {};

    bool hasExtension = false;
    std::uint16_t extensionProfile = 0; // "defined by profile" field, RFC 3550 5.3.1
    std::span<const std::uint8_t> extension; // extension data after its 4-byte header, raw
    std::span<const std::uint8_t> payload;
    std::uint8_t padding = 0; // padding octets, including the count octet; serialize adds them when non-zero

    bool hasOneByteExtensions() const { return hasExtension && extensionProfile == oneByteExtensionProfile; }
    bool hasTwoByteExtensions() const { return hasExtension && (extensionProfile & twoByteExtensionProfileMask) == twoByteExtensionProfile; }

    // The spans in the result point into `packet`, which must outlive them.
    static std::expected<RtpPacket, RtpError> parse(std::span<const std::uint8_t> packet);

    std::size_t headerSize() const { return fixedHeaderSize + 4 * csrcCount + (hasExtension ? 4 + extension.size() : 0); }
    std::size_t size() const { return headerSize() + payload.size() + padding; }

    // Writes the packet into `out` and returns the bytes written. `payload` may already lie in `out`
    // at headerSize() (build the payload in place, then serialize) or anywhere else.
    std::expected<std::size_t, RtpError> serialize(std::span<std::uint8_t> out) const;
};

} // namespace ds::media
