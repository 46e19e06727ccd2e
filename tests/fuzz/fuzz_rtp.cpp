// fuzz_rtp: one UDP datagram from the media port through the RTP parser (RFC 3550 5.1, RFC 8285
// extensions) and the RTCP parsers (RFC 3550 6.4), as the media session reads them. The RTP
// round trip parse -> serialize -> parse must give back the same packet.

#include "media/rtcp.h"
#include "media/rtp_packet.h"

#include "fuzz_util.h"

#include <algorithm>
#include <array>
#include <cstdint>
#include <cstdio>
#include <cstdlib>

using namespace ds::media;
using ds::fuzz::keep;

namespace {

std::array<std::uint8_t, 70 * 1024> g_out; // serialize target, preallocated like the media thread's

[[noreturn]] void fail(const char *what)
{
    std::fprintf(stderr, "fuzz_rtp: %s\n", what);
    std::abort();
}

void checkRtp(std::span<const std::uint8_t> in)
{
    const auto p = RtpPacket::parse(in);
    if (!p) {
        keep(std::size_t(describe(p.error())[0]));
        return;
    }
    keep(std::size_t(p->marker + p->payloadType + p->sequence + p->timestamp + p->ssrc + p->padding + p->hasOneByteExtensions() + p->hasTwoByteExtensions()
        + p->headerSize() + p->size()));
    std::uint32_t sum = 0;
    for (std::uint8_t i = 0; i < p->csrcCount; ++i)
        sum += p->csrcs[i];
    for (std::uint8_t b : p->extension)
        sum += b;
    for (std::uint8_t b : p->payload)
        sum += b;
    keep(sum);
    if (p->size() != in.size())
        fail("a parsed RTP packet's size() differs from the bytes it was parsed from");

    const auto written = p->serialize(g_out);
    if (!written)
        fail("a parsed RTP packet does not serialize");
    const auto q = RtpPacket::parse(std::span<const std::uint8_t>(g_out.data(), *written));
    if (!q)
        fail("a serialized RTP packet does not parse");
    if (q->marker != p->marker || q->payloadType != p->payloadType || q->sequence != p->sequence || q->timestamp != p->timestamp || q->ssrc != p->ssrc
        || q->csrcCount != p->csrcCount || q->csrcs != p->csrcs || q->hasExtension != p->hasExtension || q->extensionProfile != p->extensionProfile
        || !std::ranges::equal(q->extension, p->extension) || !std::ranges::equal(q->payload, p->payload) || q->padding != p->padding)
        fail("RTP parse -> serialize -> parse changed the packet");
}

void touchReport(const RtcpReport &r)
{
    keep(std::size_t(r.ssrc + r.reportCount));
    if (r.sender)
        keep(std::size_t(r.sender->ntpTimestamp + r.sender->rtpTimestamp + r.sender->packetCount + r.sender->octetCount));
    if (r.block) {
        const ReportBlock &b = *r.block;
        keep(std::size_t(b.ssrc + b.fractionLost + b.cumulativeLost + b.extendedHighestSequence + b.jitter + b.lastSr + b.delaySinceLastSr));
        keep(std::size_t(roundTripTime(b.ssrc, b.lastSr, b.delaySinceLastSr).value_or(0)));
    }
}

void checkRtcp(std::span<const std::uint8_t> in)
{
    if (const auto r = rtcp::parseReport(in)) {
        touchReport(*r);
        // Rebuilt (with at most the first block), it parses again with the same sender.
        if (const auto n = rtcp::buildReport(*r, g_out)) {
            const auto again = rtcp::parseReport(std::span<const std::uint8_t>(g_out.data(), *n));
            if (!again || again->ssrc != r->ssrc || again->sender != r->sender)
                fail("RTCP parseReport -> buildReport -> parseReport changed the report");
        }
    } else {
        keep(std::size_t(describe(r.error())[0]));
    }
    if (const auto c = rtcp::parseCompound(in)) {
        touchReport(c->report);
        if (c->cname) {
            std::uint32_t sum = 0;
            for (char ch : *c->cname)
                sum += std::uint8_t(ch);
            keep(sum);
            if (const auto n = rtcp::buildCompound(c->report, *c->cname, g_out))
                if (!rtcp::parseCompound(std::span<const std::uint8_t>(g_out.data(), *n)))
                    fail("RTCP parseCompound -> buildCompound -> parseCompound failed");
        }
    }
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size)
{
    const std::span<const std::uint8_t> in(data, size);
    checkRtp(in);
    checkRtcp(in);
    return 0;
}
