#include "media/rtcp.h"

#include "media/byte_order.h"

#include <algorithm>

namespace ds::media {

const char *describe(RtcpError e)
{
    switch (e) {
    case RtcpError::TooShort:
        return "RTCP packet too short";
    case RtcpError::BadVersion:
        return "RTCP version is not 2";
    case RtcpError::BadLength:
        return "RTCP length field does not match the packet";
    case RtcpError::BadPadding:
        return "RTCP padding count is invalid";
    case RtcpError::NotCompound:
        return "RTCP compound packet does not start with SR or RR";
    case RtcpError::BufferTooSmall:
        return "output buffer too small for the RTCP packet";
    case RtcpError::BadField:
        return "RTCP field out of range";
    }
    return "unknown RTCP error";
}

namespace {

constexpr std::size_t kHeader = 4, kSenderInfo = 20, kBlock = 24;

// RFC 3550 6.4.1 header: V=2, P, RC/SC (5 bits), PT, length in 32-bit words minus one.
void putHeader(std::uint8_t *p, std::uint8_t count, std::uint8_t pt, std::size_t bytes)
{
    p[0] = std::uint8_t(0x80 | count);
    p[1] = pt;
    put16(p + 2, std::uint16_t(bytes / 4 - 1));
}

struct Header {
    std::uint8_t count;
    std::uint8_t type;
    std::span<const std::uint8_t> body; // after the 4-byte header, padding removed
    std::size_t total; // bytes of the whole packet including padding
};

std::expected<Header, RtcpError> readHeader(std::span<const std::uint8_t> in)
{
    if (in.size() < kHeader)
        return std::unexpected(RtcpError::TooShort);
    if ((in[0] >> 6) != 2)
        return std::unexpected(RtcpError::BadVersion);
    const std::size_t total = (std::size_t(in[2]) << 8 | in[3]) * 4 + 4;
    if (total > in.size())
        return std::unexpected(RtcpError::BadLength);
    std::size_t end = total;
    if (in[0] & 0x20) { // RFC 3550 6.4.1: the last octet counts the padding octets, itself included
        const std::size_t pad = in[total - 1];
        if (pad == 0 || pad > total - kHeader)
            return std::unexpected(RtcpError::BadPadding);
        end -= pad;
    }
    return Header {std::uint8_t(in[0] & 0x1F), in[1], in.subspan(kHeader, end - kHeader), total};
}

std::expected<RtcpReport, RtcpError> parseReportBody(const Header &h)
{
    const bool sr = h.type == rtcp::kSenderReport;
    const std::size_t fixed = 4 + (sr ? kSenderInfo : 0);
    if (h.body.size() < fixed)
        return std::unexpected(RtcpError::TooShort);
    if (h.body.size() < fixed + h.count * kBlock)
        return std::unexpected(RtcpError::BadLength);
    const std::uint8_t *p = h.body.data();
    RtcpReport r;
    r.ssrc = be32(p);
    r.reportCount = h.count;
    p += 4;
    if (sr) {
        r.sender = SenderInfo {std::uint64_t(be32(p)) << 32 | be32(p + 4), be32(p + 8), be32(p + 12), be32(p + 16)};
        p += kSenderInfo;
    }
    if (h.count > 0) {
        ReportBlock b;
        b.ssrc = be32(p);
        b.fractionLost = p[4];
        const std::uint32_t lost = be32(p + 4) & 0xFFFFFF;
        b.cumulativeLost = (lost & 0x800000) ? std::int32_t(lost) - 0x1000000 : std::int32_t(lost); // sign-extend 24 bits
        b.extendedHighestSequence = be32(p + 8);
        b.jitter = be32(p + 12);
        b.lastSr = be32(p + 16);
        b.delaySinceLastSr = be32(p + 20);
        r.block = b;
    }
    return r;
}

// Returns the CNAME of the chunk for `ssrc`, else of the first chunk carrying one.
std::expected<std::optional<std::string_view>, RtcpError> parseSdes(const Header &h, std::uint32_t ssrc)
{
    std::optional<std::string_view> first, match;
    std::size_t pos = 0;
    const auto body = h.body;
    for (std::uint8_t chunk = 0; chunk < h.count; ++chunk) {
        if (pos + 4 > body.size())
            return std::unexpected(RtcpError::BadLength);
        const std::uint32_t chunkSsrc = be32(body.data() + pos);
        pos += 4;
        for (;;) { // items until a null octet, then padding to the next 32-bit boundary (RFC 3550 6.5)
            if (pos >= body.size())
                return std::unexpected(RtcpError::BadLength);
            const std::uint8_t type = body[pos];
            if (type == 0) {
                pos = (pos + 4) & ~std::size_t(3);
                break;
            }
            if (pos + 2 > body.size() || pos + 2 + body[pos + 1] > body.size())
                return std::unexpected(RtcpError::BadLength);
            const std::string_view text(reinterpret_cast<const char *>(body.data() + pos + 2), body[pos + 1]);
            if (type == rtcp::kCname) {
                if (!first)
                    first = text;
                if (chunkSsrc == ssrc)
                    match = text;
            }
            pos += 2 + body[pos + 1];
        }
        if (pos > body.size())
            return std::unexpected(RtcpError::BadLength);
    }
    return match ? match : first;
}

} // namespace

namespace rtcp {

std::expected<std::size_t, RtcpError> buildReport(const RtcpReport &report, std::span<std::uint8_t> out)
{
    const std::size_t size = kHeader + 4 + (report.sender ? kSenderInfo : 0) + (report.block ? kBlock : 0);
    if (out.size() < size)
        return std::unexpected(RtcpError::BufferTooSmall);
    std::uint8_t *p = out.data();
    putHeader(p, report.block ? 1 : 0, report.sender ? kSenderReport : kReceiverReport, size);
    put32(p + 4, report.ssrc);
    p += 8;
    if (const auto &s = report.sender) {
        put32(p, std::uint32_t(s->ntpTimestamp >> 32));
        put32(p + 4, std::uint32_t(s->ntpTimestamp));
        put32(p + 8, s->rtpTimestamp);
        put32(p + 12, s->packetCount);
        put32(p + 16, s->octetCount);
        p += kSenderInfo;
    }
    if (const auto &b = report.block) {
        put32(p, b->ssrc);
        // RFC 3550 6.4.1: cumulative lost is a signed 24-bit field; clamp, do not wrap.
        const std::int32_t lost = std::clamp(b->cumulativeLost, -0x800000, 0x7FFFFF);
        put32(p + 4, std::uint32_t(b->fractionLost) << 24 | (std::uint32_t(lost) & 0xFFFFFF));
        put32(p + 8, b->extendedHighestSequence);
        put32(p + 12, b->jitter);
        put32(p + 16, b->lastSr);
        put32(p + 20, b->delaySinceLastSr);
    }
    return size;
}

std::expected<std::size_t, RtcpError> buildCompound(const RtcpReport &report, std::string_view cname, std::span<std::uint8_t> out)
{
    if (cname.size() > 255)
        return std::unexpected(RtcpError::BadField);
    auto first = buildReport(report, out);
    if (!first)
        return first;
    // SDES: header, SSRC, CNAME item (type, length, text), then at least one null octet up to a word boundary.
    const std::size_t items = 2 + cname.size();
    const std::size_t chunk = 4 + (items + 4) / 4 * 4;
    const std::size_t size = kHeader + chunk;
    if (out.size() < *first + size)
        return std::unexpected(RtcpError::BufferTooSmall);
    std::uint8_t *p = out.data() + *first;
    putHeader(p, 1, kSourceDescription, size);
    put32(p + 4, report.ssrc);
    p[8] = kCname;
    p[9] = std::uint8_t(cname.size());
    std::copy(cname.begin(), cname.end(), p + 10);
    std::fill(p + 10 + cname.size(), p + size, std::uint8_t(0));
    return *first + size;
}

std::expected<RtcpReport, RtcpError> parseReport(std::span<const std::uint8_t> packet)
{
    auto h = readHeader(packet);
    if (!h)
        return std::unexpected(h.error());
    if (h->total != packet.size())
        return std::unexpected(RtcpError::BadLength);
    if (h->type != kSenderReport && h->type != kReceiverReport)
        return std::unexpected(RtcpError::NotCompound);
    return parseReportBody(*h);
}

std::expected<RtcpCompound, RtcpError> parseCompound(std::span<const std::uint8_t> packet)
{
    RtcpCompound result;
    std::size_t pos = 0;
    bool firstPacket = true;
    std::optional<Header> sdes;
    while (pos < packet.size()) {
        auto h = readHeader(packet.subspan(pos));
        if (!h)
            return std::unexpected(h.error());
        if (firstPacket) {
            if (h->type != kSenderReport && h->type != kReceiverReport) // RFC 3550 6.1
                return std::unexpected(RtcpError::NotCompound);
            auto r = parseReportBody(*h);
            if (!r)
                return std::unexpected(r.error());
            result.report = *r;
            firstPacket = false;
        } else if (h->type == kSourceDescription && !sdes) {
            sdes = *h;
        }
        pos += h->total;
    }
    if (firstPacket)
        return std::unexpected(RtcpError::TooShort);
    if (sdes) {
        auto cname = parseSdes(*sdes, result.report.ssrc);
        if (!cname)
            return std::unexpected(cname.error());
        result.cname = *cname;
    }
    return result;
}

} // namespace rtcp

} // namespace ds::media
