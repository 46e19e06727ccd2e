#pragma once
// CaptureReader: finds the SIP messages (UDP and TCP, IPv4 and IPv6, fragmented or not) and the
// other UDP datagrams of a pcap or pcapng capture read through libpcap. A capture is untrusted
// input: what is damaged is counted and skipped, memory stays bounded, nothing throws.

#include "net_address.h"
#include "sip/transport.h"

#include <QByteArray>
#include <QByteArrayView>
#include <QString>

#include <array>
#include <atomic>
#include <expected>
#include <functional>
#include <span>

namespace ds::diag {

// Addresses in packets: the same compact value the trace store keeps.
using CaptureAddress = NetAddress;

// One SIP message found in the capture.
struct CapturedSip {
    qint64 timeUs = 0; // capture timestamp, microseconds since the Unix epoch, of the packet that completed the message
    sip::TransportKind transport = sip::TransportKind::Udp; // Udp or Tcp
    CaptureAddress src, dst;
    QByteArray raw; // exactly one SIP message
    quint32 firstFrame = 0, lastFrame = 0; // 1-based frame numbers (pcap order) of the first and last packet that carried it
};

// A UDP datagram that is not SIP (candidate RTP/RTCP); payload is a zero-copy view valid only during the callback.
struct CapturedDatagram {
    qint64 timeUs = 0;
    CaptureAddress src, dst;
    QByteArrayView payload;
    quint32 frame = 0; // the last frame of it (the one that completed it when it was fragmented)
};

// One frame of a capture as it is in the file; data is valid only during the callback.
struct CapturedFrame {
    qint64 timeUs = 0;
    quint32 number = 0; // 1-based
    quint32 originalLength = 0; // on the wire; data may be shorter (snap length)
    QByteArrayView data;
};

// What the reader saw. Every frame lands in frames; the others say what became of them.
struct CaptureCounts {
    quint64 frames = 0; // records read
    quint64 sipMessages = 0; // messages given to the SIP sink
    quint64 truncated = 0; // packets cut by the snap length (or headers cut), and TCP SIP messages cut off by the end of their stream
    quint64 garbage = 0; // headers that make no sense, TCP SIP streams that could not be framed
    quint64 nonSipUdp = 0; // UDP datagrams given to the datagram sink
    quint64 otherTraffic = 0; // other protocols, non-SIP TCP, TCP segments without SIP bytes, keep-alives and STUN
    quint64 ipFragments = 0; // IP fragments seen
    quint64 reassembledDatagrams = 0; // IP datagrams rebuilt from fragments
    quint64 tcpStreams = 0; // TCP connections that carried SIP
    quint64 tcpGaps = 0; // holes in TCP SIP streams that the capture never filled
    int linkType = 0; // LINKTYPE_ value of the file (1 Ethernet, 101 raw IP, 113 SLL, ...)
    bool cutShort = false; // the file ended in the middle of a record (the counts cover what came before)
};

// Why a capture could not be read at all: names the file and what is wrong.
struct CaptureError {
    QString text; // "x.pcap: not a pcap or pcapng file", "x.pcap: unsupported link type 147 (USER0)"
};

class CaptureReader {
public:
    using SipSink = std::function<void(CapturedSip &&)>;
    using DatagramSink = std::function<void(const CapturedDatagram &)>;
    // Also receives every frame that carried the message (IP fragments, TCP segments), in no particular order.
    using FramedSipSink = std::function<void(CapturedSip &&, std::span<const quint32> frames)>;

    // stop, when given, is polled every few thousand frames: set, the read ends with an error
    // saying it was cancelled (a GUI closing a capture still loading).
    static std::expected<CaptureCounts, CaptureError> readFile(
        const QString &path, const SipSink &sip, const DatagramSink &datagrams = {}, const std::atomic<bool> *stop = nullptr);
    // For tests and fuzzing (fmemopen + pcap_fopen_offline).
    static std::expected<CaptureCounts, CaptureError> readBytes(const QByteArray &capture, const SipSink &sip, const DatagramSink &datagrams = {});
    static std::expected<CaptureCounts, CaptureError> readFileFrames(
        const QString &path, const FramedSipSink &sip, const DatagramSink &datagrams = {}, const std::atomic<bool> *stop = nullptr);
    // Every frame as it is, undecoded (to copy some of them); the counts hold frames, linkType and cutShort.
    using FrameSink = std::function<void(const CapturedFrame &)>;
    static std::expected<CaptureCounts, CaptureError> forEachFrame(const QString &path, const FrameSink &frames);
    // The LINKTYPE_ value of a capture, without reading its packets.
    static std::expected<int, CaptureError> linkTypeOf(const QString &path);
};

// The file-format LINKTYPE_ value for a libpcap DLT_ value (they differ for raw IP).
int linkTypeFromDlt(int dlt);

} // namespace ds::diag
