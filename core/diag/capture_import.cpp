#include "capture_import.h"

#include "sip/parser.h"

#include <cstring>

namespace ds::diag {

NetAddress toNetAddress(const CaptureAddress &a)
{
    NetAddress n;
    n.ip = a.ip;
    n.v6 = a.v6;
    n.port = a.port;
    return n;
}

namespace {

constexpr quint64 kProgressEvery = 8192;

struct Importer {
    TraceStore &store;
    RtpTracker &rtp;
    const std::function<bool(quint64)> &progress;
    bool cancelled = false;

    void sip(CapturedSip &&m)
    {
        if (cancelled)
            return;
        const quint32 i = store.append(m.timeUs, m.transport, toNetAddress(m.src), toNetAddress(m.dst), m.raw, m.lastFrame);
        if (store.record(i).is(MessageRecord::HasSdp)) {
            if (const auto parsed = store.parse(i))
                rtp.noteSdp(store.record(i).call, parsed->body());
        }
        if (progress && store.size() % kProgressEvery == 0 && !progress(store.size()))
            cancelled = true;
    }
    void datagram(const CapturedDatagram &d)
    {
        if (!cancelled)
            rtp.datagram(d.timeUs, toNetAddress(d.src), toNetAddress(d.dst), d.payload);
    }
};

template <typename Read>
std::expected<ImportSummary, CaptureError> run(TraceStore &store, RtpTracker &rtp, const std::function<bool(quint64)> &progress, Read read)
{
    Importer importer {store, rtp, progress};
    const auto counts = read([&importer](CapturedSip &&m) { importer.sip(std::move(m)); }, [&importer](const CapturedDatagram &d) { importer.datagram(d); });
    if (!counts)
        return std::unexpected(counts.error());
    if (importer.cancelled)
        return std::unexpected(CaptureError {QStringLiteral("the import was cancelled")});
    ImportSummary s;
    s.counts = *counts;
    s.rtpPackets = rtp.rtpPackets();
    return s;
}

} // namespace

std::expected<ImportSummary, CaptureError> importCapture(const QString &path, TraceStore &store, RtpTracker &rtp, const std::function<bool(quint64)> &progress)
{
    return run(
        store, rtp, progress, [&path](const CaptureReader::SipSink &s, const CaptureReader::DatagramSink &d) { return CaptureReader::readFile(path, s, d); });
}

std::expected<ImportSummary, CaptureError> importCaptureBytes(const QByteArray &capture, TraceStore &store, RtpTracker &rtp)
{
    return run(
        store, rtp, {}, [&capture](const CaptureReader::SipSink &s, const CaptureReader::DatagramSink &d) { return CaptureReader::readBytes(capture, s, d); });
}

} // namespace ds::diag
