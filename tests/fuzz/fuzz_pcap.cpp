// fuzz_pcap: a capture file (pcap or pcapng) through the importer the GUI and `dialscope import`
// use: CaptureReader over libpcap (in memory, fmemopen), IP defragmentation, TCP reassembly, the
// trace store and the RTP tracker; then every stored message is read back through its accessors.

#include "diag/capture_import.h"

#include "fuzz_util.h"

#include <cstdint>

using namespace ds::diag;
using ds::fuzz::keep;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size)
{
    const QByteArray capture = QByteArray::fromRawData(reinterpret_cast<const char *>(data), qsizetype(size));

    TraceStore store;
    RtpTracker rtp;
    const auto summary = importCaptureBytes(capture, store, rtp);
    if (!summary) {
        keep(std::size_t(summary.error().text.size()));
        return 0;
    }
    const CaptureCounts &c = summary->counts;
    keep(std::size_t(c.frames + c.sipMessages + c.truncated + c.garbage + c.nonSipUdp + c.otherTraffic + c.ipFragments + c.reassembledDatagrams + c.tcpStreams
        + c.tcpGaps + c.linkType + c.cutShort + summary->rtpPackets));

    for (quint32 i = 0; i < store.size(); ++i) {
        const MessageRecord &r = store.record(i);
        keep(std::size_t(store.raw(i).size() + store.firstLine(i).size() + store.field(i, r.branch).size() + store.field(i, r.fromTag).size()
            + store.field(i, r.toTag).size() + r.status + r.cseq));
        keep(std::size_t(store.endpoint(r.src).port + store.endpoint(r.dst).port + store.methodName(r.method).size()));
        if (const auto m = store.parse(i))
            keep(std::size_t(m->headers().size()));
    }
    for (quint32 call = 0; call < store.callCount(); ++call)
        keep(std::size_t(store.call(call).messages + store.callId(call).size() + rtp.codecOfCall(call).size()));
    for (const RtpStreamInfo &s : rtp.streams())
        keep(std::size_t(s.packets + s.lost + s.codec.size()));
    return 0;
}
