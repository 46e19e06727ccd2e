#pragma once
// CaptureWriter: writes pcap or pcapng files that Wireshark and CaptureReader open, either by
// synthesising Ethernet (or raw IP) + IPv4/IPv6 + UDP/TCP around messages, or by copying the
// original frames of a capture byte for byte.

#include "capture_reader.h"

#include <QByteArray>
#include <QHash>
#include <QString>

#include <expected>
#include <functional>
#include <memory>

class QIODevice;

namespace ds::diag {

class CaptureWriter {
public:
    enum class Format { Pcap, Pcapng };
    static constexpr int kLinkEthernet = 1; // LINKTYPE_ETHERNET
    static constexpr int kLinkRaw = 101; // LINKTYPE_RAW: IPv4 or IPv6 without a link header
    static constexpr quint32 kSnapLength = 262144;
    static constexpr qsizetype kMtu = 1500;

    // linkType is the LINKTYPE_ of the file (pcap) or of its first interface (pcapng);
    // writeMessage() needs kLinkEthernet or kLinkRaw.
    static std::expected<std::unique_ptr<CaptureWriter>, CaptureError> open(const QString &path, Format format, int linkType = kLinkEthernet);
    // Writes to a device already open for writing, which the writer does not own.
    static std::expected<std::unique_ptr<CaptureWriter>, CaptureError> open(QIODevice *device, Format format, int linkType = kLinkEthernet);
    ~CaptureWriter(); // flushes

    Format format() const { return m_format; }
    int linkType() const { return m_linkType; }
    quint64 framesWritten() const { return m_frames; }

    // One message (SIP, RTP, anything) as the packets that carried it: UDP datagrams over 1500
    // bytes become IP fragments; TCP is cut into MSS-sized PSH|ACK segments with sequence and
    // acknowledgement numbers consistent per flow. Checksums are correct. TLS is written as TCP.
    // False when the payload cannot fit one datagram, the link type cannot be synthesised, or
    // the write failed.
    bool writeMessage(qint64 timeUs, sip::TransportKind transport, const CaptureAddress &src, const CaptureAddress &dst, QByteArrayView payload);
    // pcapng only: a Decryption Secrets Block (pcapng 4.7, TLS_KEYLOG 0x544c534b) carrying NSS
    // key log lines, so Wireshark decrypts the TLS that follows it.
    bool writeTlsKeyLog(QByteArrayView keyLogLines);
    // pcapng only: the section header's comment (e.g. the SRTP keys); before anything else is written.
    bool setComment(const QString &comment);
    // An original frame, byte for byte. In pcap the link type must be the file's; pcapng adds
    // an interface per link type.
    bool writeRawFrame(qint64 timeUs, int linkType, QByteArrayView frame, quint32 originalLength);
    // False once a write failed (the file is then incomplete).
    bool flush();
    QString errorString() const { return m_error; } // the last failure

private:
    struct Flow {
        CaptureAddress src, dst;
        bool operator==(const Flow &) const = default;
    };
    friend size_t qHash(const Flow &f, size_t seed) noexcept { return qHash(f.src, qHash(f.dst, seed)); }

    CaptureWriter(QIODevice *device, std::unique_ptr<QIODevice> owned, Format format, int linkType);
    bool writeHeader();
    int interfaceFor(int linkType);
    bool writeFrame(qint64 timeUs, int interfaceId, QByteArrayView frame, quint32 originalLength);
    bool writeBytes(QByteArrayView bytes);
    bool fail(const QString &error);
    // Builds link + IP header(s) for one packet in m_packet and writes it.
    bool writeIpPacket(qint64 timeUs, const CaptureAddress &src, const CaptureAddress &dst, quint8 protocol, QByteArrayView l4, qsizetype fragmentOffset,
        bool moreFragments, bool fragmented);

    std::unique_ptr<QIODevice> m_owned;
    QIODevice *m_device;
    Format m_format;
    int m_linkType;
    bool m_headerWritten = false;
    bool m_ioFailed = false;
    QString m_comment;
    QString m_error;
    quint64 m_frames = 0;
    QHash<int, int> m_interfaces; // pcapng: link type -> interface id
    QHash<Flow, quint32> m_nextSeq; // TCP: next sequence number per flow
    quint32 m_ipId = 0;
    QByteArray m_packet, m_l4, m_block; // scratch buffers, reused
};

// Re-reads a capture and writes into out exactly the frames that carried the wanted SIP
// messages (every IP fragment and TCP segment of them), byte for byte, in capture order. A pcap
// out must have been opened with the capture's link type (CaptureReader::linkTypeOf). Returns
// the number of frames written.
std::expected<quint64, CaptureError> copyFrames(const QString &path, const std::function<bool(const CapturedSip &)> &wanted, CaptureWriter &out);

} // namespace ds::diag
