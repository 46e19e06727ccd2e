#include "capture_writer.h"

#include <QFile>
#include <QtEndian>

#include <cstring>
#include <vector>

namespace ds::diag {

namespace {

// pcapng (draft-ietf-opsawg-pcapng) block types and option codes.
constexpr quint32 kShb = 0x0A0D0D0A, kIdb = 0x00000001, kEpb = 0x00000006, kDsb = 0x0000000A;
constexpr quint32 kTlsKeyLog = 0x544c534b;
constexpr quint16 kOptComment = 1, kOptUserAppl = 4;

void put16(QByteArray &b, quint16 v)
{
    char c[2];
    qToLittleEndian(v, c);
    b.append(c, 2);
}
void put32(QByteArray &b, quint32 v)
{
    char c[4];
    qToLittleEndian(v, c);
    b.append(c, 4);
}
void putBe16(QByteArray &b, quint16 v)
{
    char c[2];
    qToBigEndian(v, c);
    b.append(c, 2);
}
void putBe32(QByteArray &b, quint32 v)
{
    char c[4];
    qToBigEndian(v, c);
    b.append(c, 4);
}
void pad4(QByteArray &b)
{
    while (b.size() % 4)
        b.append('\0');
}
void putOption(QByteArray &b, quint16 code, QByteArrayView value)
{
    put16(b, code);
    put16(b, quint16(value.size()));
    b.append(value.data(), value.size());
    pad4(b);
}
// Starts a pcapng block: type and a length patched by endBlock().
void beginBlock(QByteArray &b, quint32 type)
{
    b.clear();
    put32(b, type);
    put32(b, 0);
}
void endBlock(QByteArray &b)
{
    const quint32 total = quint32(b.size() + 4);
    qToLittleEndian(total, b.data() + 4);
    put32(b, total);
}

// RFC 1071: the ones' complement sum, folded.
quint32 sum16(const uchar *p, qsizetype n, quint32 acc)
{
    for (; n > 1; p += 2, n -= 2)
        acc += quint32(p[0]) << 8 | p[1];
    if (n)
        acc += quint32(p[0]) << 8;
    return acc;
}
quint16 fold(quint32 acc)
{
    while (acc >> 16)
        acc = (acc & 0xffff) + (acc >> 16);
    return quint16(~acc);
}
// RFC 768 / RFC 9293 3.1 (IPv4) and RFC 8200 8.1 (IPv6): the pseudo-header sum.
quint32 pseudoSum(const CaptureAddress &src, const CaptureAddress &dst, quint8 protocol, quint32 length)
{
    const qsizetype n = src.v6 ? 16 : 4;
    quint32 acc = sum16(src.ip.data(), n, 0);
    acc = sum16(dst.ip.data(), n, acc);
    return acc + protocol + (length >> 16) + (length & 0xffff);
}

void putMac(QByteArray &b, const CaptureAddress &a)
{
    // A locally administered address derived from the IP, so each host keeps one MAC.
    const qsizetype at = a.v6 ? 12 : 0;
    const char mac[6] = {0x02, 0x00, char(a.ip[at]), char(a.ip[at + 1]), char(a.ip[at + 2]), char(a.ip[at + 3])};
    b.append(mac, 6);
}

} // namespace

CaptureWriter::CaptureWriter(QIODevice *device, std::unique_ptr<QIODevice> owned, Format format, int linkType)
    : m_owned(std::move(owned))
    , m_device(device)
    , m_format(format)
    , m_linkType(linkType)
{
}

CaptureWriter::~CaptureWriter()
{
    flush();
    if (m_owned)
        m_owned->close();
}

std::expected<std::unique_ptr<CaptureWriter>, CaptureError> CaptureWriter::open(const QString &path, Format format, int linkType)
{
    if (linkType < 0 || linkType > 0xffff)
        return std::unexpected(CaptureError {QStringLiteral("%1: link type %2 is not a LINKTYPE_ value").arg(path).arg(linkType)});
    auto file = std::make_unique<QFile>(path);
    if (!file->open(QIODevice::WriteOnly | QIODevice::Truncate))
        return std::unexpected(CaptureError {QStringLiteral("%1: cannot write: %2").arg(path, file->errorString())});
    QIODevice *device = file.get();
    return std::unique_ptr<CaptureWriter>(new CaptureWriter(device, std::move(file), format, linkType));
}

std::expected<std::unique_ptr<CaptureWriter>, CaptureError> CaptureWriter::open(QIODevice *device, Format format, int linkType)
{
    if (!device || !device->isWritable())
        return std::unexpected(CaptureError {QStringLiteral("capture: the device is not open for writing")});
    if (linkType < 0 || linkType > 0xffff)
        return std::unexpected(CaptureError {QStringLiteral("capture: link type %1 is not a LINKTYPE_ value").arg(linkType)});
    return std::unique_ptr<CaptureWriter>(new CaptureWriter(device, nullptr, format, linkType));
}

bool CaptureWriter::fail(const QString &error)
{
    m_error = error;
    return false;
}

bool CaptureWriter::writeBytes(QByteArrayView bytes)
{
    if (m_ioFailed)
        return false;
    if (m_device->write(bytes.data(), bytes.size()) != bytes.size()) {
        m_ioFailed = true; // the file is incomplete from here on: every later write fails too
        m_error = QStringLiteral("cannot write the capture: %1").arg(m_device->errorString());
        return false;
    }
    return true;
}

bool CaptureWriter::writeHeader()
{
    if (m_headerWritten)
        return !m_ioFailed;
    m_headerWritten = true;
    if (m_format == Format::Pcap) { // https://www.tcpdump.org/manpages/pcap-savefile.5.html
        m_block.clear();
        put32(m_block, 0xa1b2c3d4); // microsecond timestamps
        put16(m_block, 2);
        put16(m_block, 4);
        put32(m_block, 0);
        put32(m_block, 0);
        put32(m_block, kSnapLength);
        put32(m_block, quint32(m_linkType));
        return writeBytes(m_block);
    }
    beginBlock(m_block, kShb); // pcapng 4.1: Section Header Block
    put32(m_block, 0x1A2B3C4D);
    put16(m_block, 1);
    put16(m_block, 0);
    put32(m_block, 0xffffffff); // section length unknown
    put32(m_block, 0xffffffff);
    if (!m_comment.isEmpty())
        putOption(m_block, kOptComment, m_comment.toUtf8());
    putOption(m_block, kOptUserAppl, "dialscope");
    put32(m_block, 0); // opt_endofopt
    endBlock(m_block);
    return writeBytes(m_block) && interfaceFor(m_linkType) >= 0;
}

int CaptureWriter::interfaceFor(int linkType)
{
    if (auto it = m_interfaces.constFind(linkType); it != m_interfaces.cend())
        return *it;
    const int id = int(m_interfaces.size());
    m_interfaces.insert(linkType, id);
    beginBlock(m_block, kIdb); // pcapng 4.2: Interface Description Block, microsecond timestamps
    put16(m_block, quint16(linkType));
    put16(m_block, 0);
    put32(m_block, kSnapLength);
    endBlock(m_block);
    return writeBytes(m_block) ? id : -1;
}

bool CaptureWriter::writeFrame(qint64 timeUs, int interfaceId, QByteArrayView frame, quint32 originalLength)
{
    if (timeUs < 0)
        timeUs = 0;
    if (frame.size() > qsizetype(kSnapLength))
        frame = frame.first(kSnapLength);
    originalLength = std::max(originalLength, quint32(frame.size()));
    m_block.clear();
    if (m_format == Format::Pcap) {
        put32(m_block, quint32(timeUs / 1'000'000));
        put32(m_block, quint32(timeUs % 1'000'000));
        put32(m_block, quint32(frame.size()));
        put32(m_block, originalLength);
        m_block.append(frame.data(), frame.size());
    } else {
        beginBlock(m_block, kEpb); // pcapng 4.3: Enhanced Packet Block
        put32(m_block, quint32(interfaceId));
        put32(m_block, quint32(quint64(timeUs) >> 32));
        put32(m_block, quint32(quint64(timeUs)));
        put32(m_block, quint32(frame.size()));
        put32(m_block, originalLength);
        m_block.append(frame.data(), frame.size());
        pad4(m_block);
        endBlock(m_block);
    }
    if (!writeBytes(m_block))
        return false;
    ++m_frames;
    return true;
}

bool CaptureWriter::setComment(const QString &comment)
{
    if (m_format != Format::Pcapng)
        return fail(QStringLiteral("a pcap file cannot hold a comment"));
    if (m_headerWritten)
        return fail(QStringLiteral("the comment must be set before anything is written"));
    m_comment = comment;
    return true;
}

bool CaptureWriter::writeTlsKeyLog(QByteArrayView keyLogLines)
{
    if (m_format != Format::Pcapng)
        return fail(QStringLiteral("a pcap file cannot hold TLS keys"));
    if (!writeHeader())
        return false;
    beginBlock(m_block, kDsb); // pcapng 4.7: Decryption Secrets Block
    put32(m_block, kTlsKeyLog);
    put32(m_block, quint32(keyLogLines.size()));
    m_block.append(keyLogLines.data(), keyLogLines.size());
    pad4(m_block);
    endBlock(m_block);
    return writeBytes(m_block);
}

bool CaptureWriter::writeRawFrame(qint64 timeUs, int linkType, QByteArrayView frame, quint32 originalLength)
{
    if (!writeHeader())
        return false;
    if (m_format == Format::Pcap && linkType != m_linkType)
        return fail(QStringLiteral("a frame of link type %1 cannot go into a pcap file of link type %2").arg(linkType).arg(m_linkType));
    if (linkType < 0 || linkType > 0xffff)
        return fail(QStringLiteral("link type %1 is not a LINKTYPE_ value").arg(linkType));
    const int id = m_format == Format::Pcapng ? interfaceFor(linkType) : 0;
    return id >= 0 && writeFrame(timeUs, id, frame, originalLength);
}

bool CaptureWriter::writeIpPacket(qint64 timeUs, const CaptureAddress &src, const CaptureAddress &dst, quint8 protocol, QByteArrayView l4,
    qsizetype fragmentOffset, bool moreFragments, bool fragmented)
{
    QByteArray &b = m_packet;
    b.clear();
    if (m_linkType == kLinkEthernet) {
        putMac(b, dst);
        putMac(b, src);
        putBe16(b, src.v6 ? 0x86dd : 0x0800);
    }
    const qsizetype ipStart = b.size();
    if (!src.v6) { // RFC 791 3.1
        b.append(char(0x45));
        b.append('\0');
        putBe16(b, quint16(20 + l4.size()));
        putBe16(b, quint16(m_ipId));
        putBe16(b, fragmented ? quint16((moreFragments ? 0x2000 : 0) | (fragmentOffset / 8)) : quint16(0x4000)); // DF when whole
        b.append(char(64));
        b.append(char(protocol));
        putBe16(b, 0);
        b.append(reinterpret_cast<const char *>(src.ip.data()), 4);
        b.append(reinterpret_cast<const char *>(dst.ip.data()), 4);
        const quint16 sum = fold(sum16(reinterpret_cast<const uchar *>(b.constData() + ipStart), 20, 0));
        qToBigEndian(sum, b.data() + ipStart + 10);
    } else { // RFC 8200 3, 4.5
        putBe32(b, 0x60000000);
        putBe16(b, quint16(l4.size() + (fragmented ? 8 : 0)));
        b.append(char(fragmented ? 44 : protocol));
        b.append(char(64));
        b.append(reinterpret_cast<const char *>(src.ip.data()), 16);
        b.append(reinterpret_cast<const char *>(dst.ip.data()), 16);
        if (fragmented) {
            b.append(char(protocol));
            b.append('\0');
            putBe16(b, quint16(fragmentOffset | (moreFragments ? 1 : 0)));
            putBe32(b, m_ipId);
        }
    }
    b.append(l4.data(), l4.size());
    return writeFrame(timeUs, 0, b, quint32(b.size()));
}

bool CaptureWriter::writeMessage(qint64 timeUs, sip::TransportKind transport, const CaptureAddress &src, const CaptureAddress &dst, QByteArrayView payload)
{
    if (!writeHeader())
        return false;
    if (m_linkType != kLinkEthernet && m_linkType != kLinkRaw)
        return fail(QStringLiteral("cannot synthesise packets for link type %1").arg(m_linkType));
    if (src.v6 != dst.v6)
        return fail(QStringLiteral("%1 and %2 are not of the same IP version").arg(src.toString(), dst.toString()));
    const qsizetype ipHeader = src.v6 ? 40 : 20;
    QByteArray &l4 = m_l4;
    l4.clear();
    if (transport == sip::TransportKind::Udp) {
        const qsizetype length = 8 + payload.size();
        if (length > 0xffff - (src.v6 ? 0 : 20))
            return fail(QStringLiteral("a UDP payload of %1 bytes does not fit one datagram").arg(payload.size()));
        ++m_ipId;
        putBe16(l4, src.port);
        putBe16(l4, dst.port);
        putBe16(l4, quint16(length));
        putBe16(l4, 0);
        l4.append(payload.data(), payload.size());
        quint16 sum = fold(sum16(reinterpret_cast<const uchar *>(l4.constData()), l4.size(), pseudoSum(src, dst, 17, quint32(length))));
        qToBigEndian(quint16(sum ? sum : 0xffff), l4.data() + 6); // RFC 768: 0 means "no checksum"
        if (ipHeader + length <= kMtu)
            return writeIpPacket(timeUs, src, dst, 17, l4, 0, false, false);
        // RFC 791 / RFC 8200 4.5: fragments carry multiples of 8 bytes but the last.
        const qsizetype chunk = ((kMtu - ipHeader - (src.v6 ? 8 : 0)) / 8) * 8;
        for (qsizetype off = 0; off < length; off += chunk)
            if (!writeIpPacket(timeUs, src, dst, 17, QByteArrayView(l4).sliced(off, std::min(chunk, length - off)), off, off + chunk < length, true))
                return false;
        return true;
    }
    // TCP (and TLS, whose bytes the caller gives): RFC 9293 3.1, segments of at most one MSS.
    const Flow flow {src, dst}, reverse {dst, src};
    if (!m_nextSeq.contains(flow)) {
        const quint32 isn = 0x1000 * quint32(m_nextSeq.size() + 1);
        m_nextSeq.insert(flow, isn);
        if (!m_nextSeq.contains(reverse))
            m_nextSeq.insert(reverse, isn + 0x10000000);
    }
    quint32 &seq = m_nextSeq[flow];
    const quint32 ack = m_nextSeq.value(reverse);
    const qsizetype mss = kMtu - ipHeader - 20;
    qsizetype off = 0;
    do {
        const qsizetype n = std::min(mss, payload.size() - off);
        l4.clear();
        putBe16(l4, src.port);
        putBe16(l4, dst.port);
        putBe32(l4, seq);
        putBe32(l4, ack);
        l4.append(char(5 << 4)); // data offset: 20 bytes
        l4.append(char(0x18)); // PSH|ACK
        putBe16(l4, 0xffff); // window
        putBe16(l4, 0); // checksum
        putBe16(l4, 0); // urgent pointer
        l4.append(payload.data() + off, n);
        const quint16 sum = fold(sum16(reinterpret_cast<const uchar *>(l4.constData()), l4.size(), pseudoSum(src, dst, 6, quint32(l4.size()))));
        qToBigEndian(sum, l4.data() + 16);
        ++m_ipId;
        if (!writeIpPacket(timeUs, src, dst, 6, l4, 0, false, false))
            return false;
        seq += quint32(n);
        off += n;
    } while (off < payload.size());
    return true;
}

bool CaptureWriter::flush()
{
    if (!writeHeader()) // an empty capture is still a valid file
        return false;
    if (auto *file = qobject_cast<QFileDevice *>(m_device); file && !file->flush()) {
        m_ioFailed = true;
        m_error = QStringLiteral("cannot write the capture: %1").arg(file->errorString());
        return false;
    }
    return true;
}

std::expected<quint64, CaptureError> copyFrames(const QString &path, const std::function<bool(const CapturedSip &)> &wanted, CaptureWriter &out)
{
    std::vector<bool> keep;
    const auto counts = CaptureReader::readFileFrames(path, [&](CapturedSip &&m, std::span<const quint32> frames) {
        if (!wanted || !wanted(m))
            return;
        for (quint32 f : frames) {
            if (f >= keep.size())
                keep.resize(size_t(f) + 1);
            keep[f] = true;
        }
    });
    if (!counts)
        return std::unexpected(counts.error());
    if (out.format() == CaptureWriter::Format::Pcap && out.linkType() != counts->linkType)
        return std::unexpected(CaptureError {
            QStringLiteral("%1: its link type is %2 but the output was opened for link type %3").arg(path).arg(counts->linkType).arg(out.linkType())});
    quint64 written = 0;
    bool failed = false;
    if (keep.empty())
        return written;
    const int linkType = counts->linkType;
    const auto copied = CaptureReader::forEachFrame(path, [&](const CapturedFrame &f) {
        if (failed || f.number >= keep.size() || !keep[f.number])
            return;
        if (out.writeRawFrame(f.timeUs, linkType, f.data, f.originalLength))
            ++written;
        else
            failed = true;
    });
    if (!copied)
        return std::unexpected(copied.error());
    if (failed)
        return std::unexpected(CaptureError {QStringLiteral("%1: %2").arg(path, out.errorString())});
    return written;
}

} // namespace ds::diag
