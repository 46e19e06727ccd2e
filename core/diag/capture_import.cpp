#include "capture_import.h"

#include "sip/parser.h"

#include <cstring>

namespace ds::diag {

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
        const quint32 i = store.append(m.timeUs, m.transport, m.src, m.dst, m.raw, m.lastFrame);
        if (store.record(i).is(MessageRecord::HasSdp)) {
            // The body follows the blank line (HasSdp says the message parsed and has one).
            const QByteArrayView raw = store.raw(i);
            const qsizetype blank = raw.indexOf("\r\n\r\n");
            const qsizetype bare = blank < 0 ? raw.indexOf("\n\n") : -1;
            if (blank >= 0 || bare >= 0)
                rtp.noteSdp(store.record(i).call, raw.sliced(blank >= 0 ? blank + 4 : bare + 2));
        }
        if (progress && store.size() % kProgressEvery == 0 && !progress(store.size()))
            cancelled = true;
    }
    void datagram(const CapturedDatagram &d)
    {
        if (!cancelled)
            rtp.datagram(d.timeUs, d.src, d.dst, d.payload);
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

std::expected<ImportSummary, CaptureError> importCapture(
    const QString &path, TraceStore &store, RtpTracker &rtp, const std::function<bool(quint64)> &progress, const std::atomic<bool> *stop)
{
    return run(store, rtp, progress,
        [&path, stop](const CaptureReader::SipSink &s, const CaptureReader::DatagramSink &d) { return CaptureReader::readFile(path, s, d, stop); });
}

std::expected<ImportSummary, CaptureError> importCaptureBytes(const QByteArray &capture, TraceStore &store, RtpTracker &rtp)
{
    return run(
        store, rtp, {}, [&capture](const CaptureReader::SipSink &s, const CaptureReader::DatagramSink &d) { return CaptureReader::readBytes(capture, s, d); });
}

} // namespace ds::diag
