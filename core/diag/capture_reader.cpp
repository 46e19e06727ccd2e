#include "capture_reader.h"

#include "ip_defragmenter.h"
#include "sip_sniffer.h"
#include "tcp_reassembler.h"

#include <QFile>
#include <QHostAddress>

#include <pcap/pcap.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <limits>
#include <memory>

namespace ds::diag {

int linkTypeFromDlt(int dlt) { return dlt == DLT_RAW ? 101 : dlt; }

namespace {

// LINKTYPE_ values (https://www.tcpdump.org/linktypes.html).
constexpr int kNull = 0, kEthernet = 1, kRaw = 101, kLoop = 108, kSll = 113, kIpv4 = 228, kIpv6 = 229, kSll2 = 276;

bool supportedLinkType(int t) { return t == kNull || t == kEthernet || t == kRaw || t == kLoop || t == kSll || t == kIpv4 || t == kIpv6 || t == kSll2; }

// Capture time in microseconds; a damaged record's absurd seconds saturate instead of overflowing.
qint64 timeUs(const timeval &ts)
{
    qint64 us = 0;
    if (__builtin_mul_overflow(qint64(ts.tv_sec), qint64(1'000'000), &us) || __builtin_add_overflow(us, qint64(ts.tv_usec), &us))
        return ts.tv_sec < 0 ? std::numeric_limits<qint64>::min() : std::numeric_limits<qint64>::max();
    return us;
}

quint16 be16(const uchar *p) { return quint16(p[0] << 8 | p[1]); }
quint32 be32(const uchar *p) { return quint32(p[0]) << 24 | quint32(p[1]) << 16 | quint32(p[2]) << 8 | p[3]; }

// Decodes one frame after another down to UDP and TCP, and hands SIP on. Allocates nothing per
// packet but the QByteArray of each SIP message found in UDP.
class FrameDecoder {
public:
    FrameDecoder(CaptureCounts &counts, int linkType, const CaptureReader::FramedSipSink &sip, const CaptureReader::DatagramSink &datagrams)
        : m_counts(counts)
        , m_linkType(linkType)
        , m_sip(sip)
        , m_datagrams(datagrams)
        , m_tcp(counts, sip)
    {
    }

    void frame(const pcap_pkthdr &h, const uchar *data, quint32 number)
    {
        m_frame = number;
        m_timeUs = timeUs(h.ts);
        link(data, qsizetype(h.caplen), h.caplen < h.len);
    }
    void finish() { m_tcp.finish(); }

private:
    // Headers that do not fit: cut by the snap length, or nonsense.
    void fail(bool cut) { ++(cut ? m_counts.truncated : m_counts.garbage); }

    void link(const uchar *p, qsizetype n, bool cut)
    {
        switch (m_linkType) {
        case kEthernet:
            if (n < 14)
                return fail(cut);
            return ethertype(be16(p + 12), p + 14, n - 14, cut);
        case kSll: // https://www.tcpdump.org/linktypes/LINKTYPE_LINUX_SLL.html
            if (n < 16)
                return fail(cut);
            return ethertype(be16(p + 14), p + 16, n - 16, cut);
        case kSll2: // https://www.tcpdump.org/linktypes/LINKTYPE_LINUX_SLL2.html
            if (n < 20)
                return fail(cut);
            return ethertype(be16(p), p + 20, n - 20, cut);
        case kNull:
        case kLoop: { // a 4-byte address family, in the byte order of the machine that captured
            if (n < 4)
                return fail(cut);
            quint32 family = quint32(p[0]) | quint32(p[1]) << 8 | quint32(p[2]) << 16 | quint32(p[3]) << 24;
            if (family > 0xffff)
                family = be32(p);
            if (family == 2)
                return ipv4(p + 4, n - 4, cut);
            if (family == 10 || family == 24 || family == 28 || family == 30) // AF_INET6: Linux, BSDs, FreeBSD, macOS
                return ipv6(p + 4, n - 4, cut);
            ++m_counts.otherTraffic;
            return;
        }
        case kRaw:
        case kIpv4:
        case kIpv6:
            if (n < 1)
                return fail(cut);
            if (p[0] >> 4 == 4)
                return ipv4(p, n, cut);
            if (p[0] >> 4 == 6)
                return ipv6(p, n, cut);
            ++m_counts.garbage;
            return;
        default:
            return;
        }
    }

    void ethertype(quint16 type, const uchar *p, qsizetype n, bool cut)
    {
        // IEEE 802.1Q / 802.1ad: VLAN tags, possibly stacked.
        for (int tags = 0; type == 0x8100 || type == 0x88a8 || type == 0x9100; ++tags) {
            if (tags == 4) {
                ++m_counts.garbage;
                return;
            }
            if (n < 4)
                return fail(cut);
            type = be16(p + 2);
            p += 4, n -= 4;
        }
        if (type == 0x0800)
            return ipv4(p, n, cut);
        if (type == 0x86dd)
            return ipv6(p, n, cut);
        ++m_counts.otherTraffic;
    }

    // RFC 791 3.1
    void ipv4(const uchar *p, qsizetype n, bool cut)
    {
        if (n < 20)
            return fail(cut);
        const qsizetype ihl = (p[0] & 0x0f) * 4;
        if (p[0] >> 4 != 4 || ihl < 20) {
            ++m_counts.garbage;
            return;
        }
        if (n < ihl)
            return fail(cut);
        qsizetype total = be16(p + 2);
        if (total == 0) // segmentation offload captured before the NIC filled the length in
            total = n;
        if (total < ihl) {
            ++m_counts.garbage;
            return;
        }
        if (total > n)
            return fail(cut);
        CaptureAddress src, dst;
        std::memcpy(src.ip.data(), p + 12, 4);
        std::memcpy(dst.ip.data(), p + 16, 4);
        const quint16 fragment = be16(p + 6);
        const QByteArrayView payload(p + ihl, total - ihl);
        if (fragment & 0x3fff) { // MF or an offset
            ++m_counts.ipFragments;
            const auto dg = m_defrag.add({src, dst, be16(p + 4), p[9], quint32(fragment & 0x1fff) * 8, (fragment & 0x2000) != 0, payload, m_frame, m_timeUs});
            if (!dg)
                return;
            ++m_counts.reassembledDatagrams;
            return transport(dg->protocol, src, dst, dg->payload, dg->frames);
        }
        transport(p[9], src, dst, payload, std::span<const quint32>(&m_frame, 1));
    }

    // RFC 8200 3
    void ipv6(const uchar *p, qsizetype n, bool cut)
    {
        if (n < 40)
            return fail(cut);
        if (p[0] >> 4 != 6) {
            ++m_counts.garbage;
            return;
        }
        qsizetype length = be16(p + 4);
        if (length == 0) // a jumbogram, or segmentation offload
            length = n - 40;
        if (40 + length > n)
            return fail(cut);
        CaptureAddress src, dst;
        src.v6 = dst.v6 = true;
        std::memcpy(src.ip.data(), p + 8, 16);
        std::memcpy(dst.ip.data(), p + 24, 16);
        ipv6Payload(p[6], src, dst, QByteArrayView(p + 40, length), std::span<const quint32>(&m_frame, 1), true);
    }

    // RFC 8200 4: walks the extension headers to the upper layer.
    void ipv6Payload(quint8 next, const CaptureAddress &src, const CaptureAddress &dst, QByteArrayView b, std::span<const quint32> frames, bool whole)
    {
        const auto *p = reinterpret_cast<const uchar *>(b.data());
        qsizetype off = 0;
        for (int headers = 0; headers < 16; ++headers) {
            const qsizetype left = b.size() - off;
            switch (next) {
            case 0: // hop-by-hop options
            case 43: // routing
            case 60: // destination options
            case 51: { // RFC 4302 AH
                if (left < 8) {
                    ++m_counts.garbage;
                    return;
                }
                const qsizetype len = next == 51 ? (p[off + 1] + 2) * 4 : (p[off + 1] + 1) * 8;
                if (len > left) {
                    ++m_counts.garbage;
                    return;
                }
                next = p[off];
                off += len;
                continue;
            }
            case 44: { // RFC 8200 4.5: fragment header
                if (left < 8 || !whole) {
                    ++m_counts.garbage;
                    return;
                }
                ++m_counts.ipFragments;
                const quint16 fo = be16(p + off + 2);
                const bool atomic = (fo & 0xfff9) == 0;
                const auto dg = m_defrag.add({src, dst, be32(p + off + 4), p[off], quint32(fo & 0xfff8), (fo & 1) != 0, b.sliced(off + 8), m_frame, m_timeUs});
                if (!dg)
                    return;
                if (!atomic)
                    ++m_counts.reassembledDatagrams;
                return ipv6Payload(dg->protocol, src, dst, dg->payload, dg->frames, false);
            }
            default:
                return transport(next, src, dst, b.sliced(off), frames);
            }
        }
        ++m_counts.garbage;
    }

    void transport(quint8 protocol, CaptureAddress src, CaptureAddress dst, QByteArrayView b, std::span<const quint32> frames)
    {
        const auto *p = reinterpret_cast<const uchar *>(b.data());
        if (protocol == 17) { // RFC 768
            if (b.size() < 8 || be16(p + 4) < 8 || be16(p + 4) > b.size()) {
                ++m_counts.garbage;
                return;
            }
            src.port = be16(p);
            dst.port = be16(p + 2);
            return udp(src, dst, b.sliced(8, be16(p + 4) - 8), frames);
        }
        if (protocol == 6) { // RFC 9293 3.1
            const qsizetype offset = b.size() >= 20 ? (p[12] >> 4) * 4 : 0;
            if (offset < 20 || offset > b.size()) {
                ++m_counts.garbage;
                return;
            }
            src.port = be16(p);
            dst.port = be16(p + 2);
            m_tcp.add({src, dst, be32(p + 4), p[13], b.sliced(offset), frames, m_timeUs});
            return;
        }
        ++m_counts.otherTraffic;
    }

    void udp(const CaptureAddress &src, const CaptureAddress &dst, QByteArrayView payload, std::span<const quint32> frames)
    {
        if (startsWithSipStartLine(payload)) { // RFC 3261 18.3: one message per datagram
            ++m_counts.sipMessages;
            if (m_sip) {
                const auto [first, last] = std::minmax_element(frames.begin(), frames.end());
                m_sip(CapturedSip {m_timeUs, sip::TransportKind::Udp, src, dst, QByteArray(payload.data(), payload.size()), *first, *last}, frames);
            }
            return;
        }
        if (isSipKeepAlive(payload) || isStun(payload)) {
            ++m_counts.otherTraffic;
            return;
        }
        ++m_counts.nonSipUdp;
        if (m_datagrams)
            m_datagrams(CapturedDatagram {m_timeUs, src, dst, payload, m_frame});
    }

    CaptureCounts &m_counts;
    const int m_linkType;
    const CaptureReader::FramedSipSink &m_sip;
    const CaptureReader::DatagramSink &m_datagrams;
    IpDefragmenter m_defrag;
    TcpReassembler m_tcp;
    quint32 m_frame = 0;
    qint64 m_timeUs = 0;
};

struct PcapCloser {
    void operator()(pcap_t *p) const { pcap_close(p); }
};
using PcapPtr = std::unique_ptr<pcap_t, PcapCloser>;

std::expected<PcapPtr, CaptureError> openStream(FILE *f, const QString &name)
{
    char errbuf[PCAP_ERRBUF_SIZE] = {};
    pcap_t *p = pcap_fopen_offline_with_tstamp_precision(f, PCAP_TSTAMP_PRECISION_MICRO, errbuf);
    if (!p) {
        std::fclose(f);
        return std::unexpected(CaptureError {QStringLiteral("%1: not a pcap or pcapng file (%2)").arg(name, QString::fromLocal8Bit(errbuf))});
    }
    return PcapPtr(p);
}

std::expected<PcapPtr, CaptureError> openPath(const QString &path)
{
    FILE *f = std::fopen(QFile::encodeName(path).constData(), "rb");
    if (!f)
        return std::unexpected(CaptureError {QStringLiteral("%1: cannot open: %2").arg(path, QString::fromLocal8Bit(std::strerror(errno)))});
    std::setvbuf(f, nullptr, _IOFBF, 1 << 20);
    if (std::fgetc(f) == EOF) {
        std::fclose(f);
        return std::unexpected(CaptureError {QStringLiteral("%1: the file is empty, not a pcap or pcapng file").arg(path)});
    }
    std::rewind(f);
    return openStream(f, path);
}

std::expected<int, CaptureError> checkedLinkType(pcap_t *p, const QString &name)
{
    const int dlt = pcap_datalink(p);
    const int linkType = linkTypeFromDlt(dlt);
    if (supportedLinkType(linkType))
        return linkType;
    const char *dltName = pcap_datalink_val_to_name(dlt);
    return std::unexpected(CaptureError {dltName ? QStringLiteral("%1: unsupported link type %2 (%3)").arg(name).arg(linkType).arg(QString::fromLatin1(dltName))
                                                 : QStringLiteral("%1: unsupported link type %2").arg(name).arg(linkType)});
}

std::expected<CaptureCounts, CaptureError> readPcap(pcap_t *p, const QString &name, const CaptureReader::FramedSipSink &sip,
    const CaptureReader::DatagramSink &datagrams, const std::atomic<bool> *stop = nullptr)
{
    const auto linkType = checkedLinkType(p, name);
    if (!linkType)
        return std::unexpected(linkType.error());
    CaptureCounts counts;
    counts.linkType = *linkType;
    FrameDecoder decoder(counts, *linkType, sip, datagrams);
    for (;;) {
        pcap_pkthdr *header = nullptr;
        const u_char *data = nullptr;
        const int r = pcap_next_ex(p, &header, &data);
        if (r == 1) {
            decoder.frame(*header, data, quint32(++counts.frames));
            if (stop && counts.frames % 4096 == 0 && stop->load(std::memory_order_relaxed))
                return std::unexpected(CaptureError {QStringLiteral("%1: reading was cancelled").arg(name)});
            continue;
        }
        if (r == -1) // libpcap: "truncated dump file", or a damaged record: keep what came before
            counts.cutShort = true;
        break;
    }
    decoder.finish();
    return counts;
}

CaptureReader::FramedSipSink framed(const CaptureReader::SipSink &sink)
{
    if (!sink)
        return {};
    return [&sink](CapturedSip &&m, std::span<const quint32>) { sink(std::move(m)); };
}

} // namespace

std::expected<CaptureCounts, CaptureError> CaptureReader::readFileFrames(
    const QString &path, const FramedSipSink &sip, const DatagramSink &datagrams, const std::atomic<bool> *stop)
{
    auto p = openPath(path);
    if (!p)
        return std::unexpected(p.error());
    return readPcap(p->get(), path, sip, datagrams, stop);
}

std::expected<CaptureCounts, CaptureError> CaptureReader::readFile(
    const QString &path, const SipSink &sip, const DatagramSink &datagrams, const std::atomic<bool> *stop)
{
    return readFileFrames(path, framed(sip), datagrams, stop);
}

std::expected<CaptureCounts, CaptureError> CaptureReader::readBytes(const QByteArray &capture, const SipSink &sip, const DatagramSink &datagrams)
{
    const QString name = QStringLiteral("capture");
    if (capture.isEmpty())
        return std::unexpected(CaptureError {QStringLiteral("%1: empty, not a pcap or pcapng file").arg(name)});
    FILE *f = fmemopen(const_cast<char *>(capture.constData()), size_t(capture.size()), "rb");
    if (!f)
        return std::unexpected(CaptureError {QStringLiteral("%1: cannot open: %2").arg(name, QString::fromLocal8Bit(std::strerror(errno)))});
    auto p = openStream(f, name);
    if (!p)
        return std::unexpected(p.error());
    return readPcap(p->get(), name, framed(sip), datagrams);
}

std::expected<CaptureCounts, CaptureError> CaptureReader::forEachFrame(const QString &path, const FrameSink &frames)
{
    auto p = openPath(path);
    if (!p)
        return std::unexpected(p.error());
    const auto linkType = checkedLinkType(p->get(), path);
    if (!linkType)
        return std::unexpected(linkType.error());
    CaptureCounts counts;
    counts.linkType = *linkType;
    for (;;) {
        pcap_pkthdr *header = nullptr;
        const u_char *data = nullptr;
        const int r = pcap_next_ex(p->get(), &header, &data);
        if (r != 1) {
            counts.cutShort = r == -1;
            break;
        }
        ++counts.frames;
        if (frames)
            frames(CapturedFrame {timeUs(header->ts), quint32(counts.frames), header->len, QByteArrayView(data, header->caplen)});
    }
    return counts;
}

std::expected<int, CaptureError> CaptureReader::linkTypeOf(const QString &path)
{
    auto p = openPath(path);
    if (!p)
        return std::unexpected(p.error());
    return checkedLinkType(p->get(), path);
}

} // namespace ds::diag
