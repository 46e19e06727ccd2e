// fuzz_rfc4733: telephone-event payloads from the network (RFC 4733 2.3) through dtmf::parseEvent,
// and a stream of them through an EventReceiver as the media thread feeds it.
//
// Input layout: one configuration byte (bit 0: 48 kHz clock instead of 8 kHz), then records of
//   u32 RTP timestamp (big endian), u8 control, 4 payload bytes (fewer in the last record);
// control bits 0-6: milliseconds since the previous packet; bit 7: call tick() 600 ms later.
// The whole input is also given to parseEvent as one payload.

#include "dtmf/rfc4733.h"

#include "fuzz_util.h"

#include <algorithm>
#include <array>
#include <cstdint>
#include <cstdio>
#include <cstdlib>

using namespace ds::dtmf;
using ds::fuzz::keep;

namespace {

void touch(const ReceivedEvent &e, int clockRate)
{
    keep(std::size_t(e.digit + e.timestamp + e.durationUnits + e.volume + e.endSeen + e.endRepeats + e.durationMs(clockRate)));
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size)
{
    const std::span<const std::uint8_t> in(data, size);
    if (const auto e = parseEvent(in)) {
        keep(std::size_t(e->event + e->end + e->volume + e->duration + digitOfEvent(e->event).value_or(0)));
        std::array<std::uint8_t, EventPayload::size> out {};
        if (const auto n = writeEvent(*e, out); !n || parseEvent(out) != e) { // volume is 6 bits on the wire, so it always fits
            std::fprintf(stderr, "fuzz_rfc4733: parseEvent -> writeEvent -> parseEvent changed the event\n");
            std::abort();
        }
    }
    if (size == 0)
        return 0;

    const int clockRate = (data[0] & 1) ? 48000 : 8000;
    EventReceiver receiver(clockRate);
    std::int64_t nowMs = 0;
    for (std::size_t at = 1; at + 5 <= size;) {
        const std::uint32_t timestamp = std::uint32_t(data[at]) << 24 | std::uint32_t(data[at + 1]) << 16 | std::uint32_t(data[at + 2]) << 8 | data[at + 3];
        const std::uint8_t control = data[at + 4];
        at += 5;
        const std::size_t n = std::min<std::size_t>(EventPayload::size, size - at);
        nowMs += control & 0x7f;
        for (const ReceivedEvent &e : receiver.packet(timestamp, in.subspan(at, n), nowMs))
            touch(e, clockRate);
        at += n;
        if (control & 0x80) {
            nowMs += 600;
            if (const auto e = receiver.tick(nowMs))
                touch(*e, clockRate);
        }
    }
    if (const auto e = receiver.tick(nowMs + 10'000))
        touch(*e, clockRate);
    keep(receiver.malformed());
    return 0;
}
