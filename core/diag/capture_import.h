#pragma once
// Capture import: a pcap or pcapng file into a TraceStore (every SIP message, UDP and TCP) and
// an RtpTracker (the RTP streams the capture's SDP announced), with the counts of what was
// damaged or not SIP. Runs on whichever thread calls it; the GUI uses a worker thread.

#include "capture_reader.h"
#include "rtp_tracker.h"
#include "trace_store.h"

#include <functional>

namespace ds::diag {

struct ImportSummary {
    CaptureCounts counts;
    quint64 rtpPackets = 0;
};

// progress(messages so far) is called every few thousand messages; returning false cancels
// (the result is then an error saying so).
// stop, when given and set, ends the read within a few thousand frames (see CaptureReader).
std::expected<ImportSummary, CaptureError> importCapture(
    const QString &path, TraceStore &store, RtpTracker &rtp, const std::function<bool(quint64)> &progress = {}, const std::atomic<bool> *stop = nullptr);
std::expected<ImportSummary, CaptureError> importCaptureBytes(const QByteArray &capture, TraceStore &store, RtpTracker &rtp);

} // namespace ds::diag
