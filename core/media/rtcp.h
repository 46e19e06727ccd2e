#pragma once
// Rtcp: builds and parses RFC 3550 RTCP SR/RR packets and SR|RR + SDES CNAME compounds in caller buffers, no allocation (media thread).

#include <cstddef>
#include <cstdint>
#include <expected>
#include <optional>
#include <span>
#include <string_view>

namespace ds::media {

enum class RtcpError {
    TooShort, // fewer bytes than a header, or than the packet type's fixed part
    BadVersion, // RFC 3550 6.4.1: V must be 2
    BadLength, // the length field disagrees with the bytes present or with the report count
    BadPadding, // P set but the padding count is 0 or larger than the packet
    NotCompound, // RFC 3550 6.1: a compound packet must start with SR or RR
    BufferTooSmall, // build: the output buffer cannot hold the packet
    BadField, // build: CNAME longer than 255 octets
};

const char *describe(RtcpError e); // a plain sentence for logs and the trace

// RFC 3550 6.4.1: the middle 32 bits of a 64-bit NTP timestamp (16.16 fixed point seconds), as LSR carries it.
constexpr std::uint32_t ntpMiddle32(std::uint64_t ntp) { return std::uint32_t(ntp >> 16); }

// RFC 3550 6.4.1: RTT = A - LSR - DLSR, all in 1/65536 s; A is the arrival time of the RR as ntpMiddle32().
// nullopt when LSR is 0 (the peer has not received an SR yet).
constexpr std::optional<std::uint32_t> roundTripTime(std::uint32_t arrival, std::uint32_t lsr, std::uint32_t dlsr)
{
    if (lsr == 0)
        return std::nullopt;
    return std::uint32_t(arrival - lsr - dlsr);
}
constexpr double rtcpUnitsToMs(std::uint32_t units) { return double(units) * 1000.0 / 65536.0; }

// One RFC 3550 6.4.1 report block.
struct ReportBlock {
    std::uint32_t ssrc = 0; // the source this block reports on
    std::uint8_t fractionLost = 0; // lost / expected since the last report, in 1/256
    std::int32_t cumulativeLost = 0; // 24-bit signed on the wire; clamped to [-0x800000, 0x7FFFFF] when built
    std::uint32_t extendedHighestSequence = 0;
    std::uint32_t jitter = 0; // interarrival jitter in timestamp units
    std::uint32_t lastSr = 0; // LSR: ntpMiddle32 of the last SR received from ssrc, 0 if none
    std::uint32_t delaySinceLastSr = 0; // DLSR, 1/65536 s
    bool operator==(const ReportBlock &) const = default;
};

// RFC 3550 6.4.1 sender info (SR only).
struct SenderInfo {
    std::uint64_t ntpTimestamp = 0;
    std::uint32_t rtpTimestamp = 0;
    std::uint32_t packetCount = 0;
    std::uint32_t octetCount = 0;
    bool operator==(const SenderInfo &) const = default;
};

// An SR (when `sender` is set) or RR with at most one report block built; parse keeps the first block
// and the count of all of them.
struct RtcpReport {
    std::uint32_t ssrc = 0; // of the packet's sender
    std::optional<SenderInfo> sender; // set: SR (PT 200); unset: RR (PT 201)
    std::optional<ReportBlock> block;
    std::uint8_t reportCount = 0; // RC from the header; parse only
};

// A parsed compound packet; cname points into the parsed buffer.
struct RtcpCompound {
    RtcpReport report;
    std::optional<std::string_view> cname; // SDES CNAME of the chunk for report.ssrc (or the first chunk)
};

namespace rtcp {
constexpr std::uint8_t kSenderReport = 200; // RFC 3550 12.1
constexpr std::uint8_t kReceiverReport = 201;
constexpr std::uint8_t kSourceDescription = 202;
constexpr std::uint8_t kCname = 1; // RFC 3550 6.5.1

// Writes one SR or RR packet; returns the bytes written.
std::expected<std::size_t, RtcpError> buildReport(const RtcpReport &report, std::span<std::uint8_t> out);
// Writes SR|RR followed by an SDES packet with one chunk carrying CNAME (RFC 3550 6.1).
std::expected<std::size_t, RtcpError> buildCompound(const RtcpReport &report, std::string_view cname, std::span<std::uint8_t> out);
// Parses one SR or RR packet that fills `packet` exactly.
std::expected<RtcpReport, RtcpError> parseReport(std::span<const std::uint8_t> packet);
// Parses a compound packet: first SR or RR, then any packets; SDES CNAME is picked up, other types skipped.
std::expected<RtcpCompound, RtcpError> parseCompound(std::span<const std::uint8_t> packet);
} // namespace rtcp

} // namespace ds::media
