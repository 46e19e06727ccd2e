// CaptureWriter: files that libpcap and Wireshark (tshark, when installed) read back as written —
// headers, checksums, TCP sequence numbers, fragments, pcapng blocks with a TLS key log — and
// copyFrames exporting exactly the frames of the wanted messages, byte for byte.

#include "capture_test_util.h"
#include "diag/capture_reader.h"
#include "diag/capture_writer.h"

#include <QBuffer>
#include <QProcess>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>
#include <QtEndian>

using namespace ds::diag;
using ds::sip::TransportKind;

namespace {

using ds::test::Frame;
using ds::test::parsePcap;
using ds::test::v6;

// Reads a little-endian 32-bit value byte by byte (GCC 12 misreads qFromLittleEndian on
// QByteArray data as an out-of-bounds access at -O2).
quint32 le32At(const QByteArray &b, qsizetype at)
{
    return quint32(quint8(b.at(at))) | quint32(quint8(b.at(at + 1))) << 8 | quint32(quint8(b.at(at + 2))) << 16 | quint32(quint8(b.at(at + 3))) << 24;
}

constexpr qint64 kT0 = 1'700'000'000'000'000;

QByteArray sipMessage(const QByteArray &callId, int cseq, int bodySize = 0, bool response = false)
{
    const QByteArray body = bodySize >= 2 ? QByteArray(bodySize - 2, 'b') + "\r\n" : QByteArray(bodySize, 'b');
    const QByteArray start = response ? QByteArray("SIP/2.0 200 OK") : QByteArray("MESSAGE sip:bob@example.com SIP/2.0");
    return start + "\r\nVia: SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bK-" + callId + QByteArray::number(cseq)
        + "\r\nMax-Forwards: 70\r\nFrom: <sip:alice@example.com>;tag=1\r\nTo: <sip:bob@example.com>\r\nCall-ID: " + callId + "\r\nCSeq: "
        + QByteArray::number(cseq) + " MESSAGE\r\nContent-Type: text/plain\r\nContent-Length: " + QByteArray::number(body.size()) + "\r\n\r\n" + body;
}

CaptureAddress v4(quint8 last, quint16 port) { return CaptureAddress::ipv4(0xc0000200 | last, port); }

QByteArray readAll(const QString &path)
{
    QFile f(path);
    return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray();
}

// RFC 1071: a correct checksum makes the ones' complement sum 0xffff.
quint32 sum16(const uchar *p, qsizetype n, quint32 acc = 0)
{
    for (; n > 1; p += 2, n -= 2)
        acc += quint32(p[0]) << 8 | p[1];
    if (n)
        acc += quint32(p[0]) << 8;
    return acc;
}
quint16 folded(quint32 acc)
{
    while (acc >> 16)
        acc = (acc & 0xffff) + (acc >> 16);
    return quint16(acc);
}

struct Run {
    int exitCode = -1;
    QByteArray out, err;
};

Run runTshark(const QStringList &args)
{
    QProcess p;
    p.start(QStandardPaths::findExecutable(QStringLiteral("tshark")), args);
    p.waitForFinished(60000);
    Run r {p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -1, p.readAllStandardOutput(), {}};
    // tshark warns when run as root; that is the environment, not the file.
    for (const QByteArray &line : p.readAllStandardError().split('\n'))
        if (!line.trimmed().isEmpty() && !line.contains("Running as user"))
            r.err += line + '\n';
    return r;
}

// A device whose writes fail after a number of bytes, as a full disk does.
class FullDevice : public QIODevice {
public:
    explicit FullDevice(qint64 room)
        : m_room(room)
    {
        open(QIODevice::WriteOnly);
    }

protected:
    qint64 readData(char *, qint64) override { return -1; }
    qint64 writeData(const char *, qint64 len) override
    {
        if (len > m_room) {
            setErrorString(QStringLiteral("No space left on device"));
            return -1;
        }
        m_room -= len;
        return len;
    }

private:
    qint64 m_room;
};

} // namespace

class TestCaptureWriter : public QObject {
    Q_OBJECT
private slots:
    void emptyPcapIsValid()
    {
        QBuffer buffer;
        buffer.open(QIODevice::WriteOnly);
        {
            auto w = CaptureWriter::open(&buffer, CaptureWriter::Format::Pcap);
            QVERIFY(w);
            QVERIFY((*w)->flush());
        }
        const QByteArray b = buffer.data();
        QCOMPARE(b.size(), 24);
        QCOMPARE(b.left(8), QByteArray("\xd4\xc3\xb2\xa1\x02\x00\x04\x00", 8));
        QCOMPARE(le32At(b, 16), CaptureWriter::kSnapLength);
        QCOMPARE(le32At(b, 20), 1u);
        auto r = CaptureReader::readBytes(b, {});
        QVERIFY(r);
        QCOMPARE(r->frames, 0u);
    }

    void pcapngBlocks()
    {
        QBuffer buffer;
        buffer.open(QIODevice::WriteOnly);
        const QByteArray keys = "CLIENT_RANDOM 00112233 4455\n"; // not a multiple of 4: padded
        const QByteArray message = sipMessage("ng", 1);
        {
            auto w = CaptureWriter::open(&buffer, CaptureWriter::Format::Pcapng);
            QVERIFY(w);
            QVERIFY((*w)->setComment(QStringLiteral("SRTP: AES_CM_128_HMAC_SHA1_80 inline:abc")));
            QVERIFY((*w)->writeTlsKeyLog(keys));
            QVERIFY((*w)->writeMessage(kT0, TransportKind::Udp, v4(1, 5060), v4(2, 5060), message));
            QVERIFY(!(*w)->setComment(QStringLiteral("too late")));
        }
        const QByteArray b = buffer.data();
        QList<quint32> types;
        for (qsizetype at = 0; at + 12 <= b.size();) {
            const quint32 type = le32At(b, at);
            const quint32 length = le32At(b, at + 4);
            QVERIFY(length % 4 == 0 && length >= 12 && at + length <= b.size());
            QCOMPARE(le32At(b, at + length - 4), length);
            const QByteArray block = b.mid(at, length);
            if (type == 0x0A0D0D0A)
                QVERIFY(block.contains("SRTP: AES_CM_128_HMAC_SHA1_80 inline:abc"));
            if (type == 0x0000000A) {
                QCOMPARE(le32At(block, 8), 0x544c534bu);
                QCOMPARE(le32At(block, 12), quint32(keys.size()));
                QCOMPARE(block.mid(16, keys.size()), keys);
            }
            types.append(type);
            at += length;
        }
        QCOMPARE(types, (QList<quint32> {0x0A0D0D0A, 1, 0x0A, 6}));
        QList<QByteArray> got;
        QVERIFY(CaptureReader::readBytes(b, [&](CapturedSip &&m) { got.append(m.raw); }));
        QCOMPARE(got, QList<QByteArray> {message});
    }

    void checksums_data()
    {
        QTest::addColumn<int>("transport");
        QTest::addColumn<bool>("ipv6");
        QTest::addColumn<int>("size");
        QTest::newRow("udp4") << int(TransportKind::Udp) << false << 301;
        QTest::newRow("udp6") << int(TransportKind::Udp) << true << 300;
        QTest::newRow("tcp4") << int(TransportKind::Tcp) << false << 3001;
        QTest::newRow("tcp6") << int(TransportKind::Tcp) << true << 3000;
        QTest::newRow("udp4 fragments") << int(TransportKind::Udp) << false << 4000;
    }
    void checksums()
    {
        QFETCH(int, transport);
        QFETCH(bool, ipv6);
        QFETCH(int, size);
        const CaptureAddress a = ipv6 ? v6(1, 5060) : v4(1, 5060), b = ipv6 ? v6(2, 5062) : v4(2, 5062);
        QBuffer buffer;
        buffer.open(QIODevice::WriteOnly);
        {
            auto w = CaptureWriter::open(&buffer, CaptureWriter::Format::Pcap);
            QVERIFY((*w)->writeMessage(kT0, TransportKind(transport), a, b, QByteArray(size, 'p')));
        }
        const QList<Frame> frames = parsePcap(buffer.data());
        QVERIFY(!frames.isEmpty());
        QByteArray udpDatagram;
        for (const Frame &f : frames) {
            QVERIFY(f.data.size() <= 14 + CaptureWriter::kMtu);
            const auto *ip = reinterpret_cast<const uchar *>(f.data.constData() + 14);
            const qsizetype ipLength = f.data.size() - 14;
            qsizetype header = 40;
            quint8 protocol = ip[6];
            if (!ipv6) {
                header = 20;
                protocol = ip[9];
                QCOMPARE(folded(sum16(ip, 20)), quint16(0xffff));
                QCOMPARE(qsizetype(qFromBigEndian<quint16>(ip + 2)), ipLength);
            } else if (protocol == 44) {
                header = 48;
                protocol = ip[40];
            }
            const uchar *l4 = ip + header;
            const qsizetype l4Length = ipLength - header;
            if (frames.size() > 1 && protocol == 17) { // fragments: the checksum covers the whole datagram
                udpDatagram.append(reinterpret_cast<const char *>(l4), l4Length);
                continue;
            }
            const qsizetype n = ipv6 ? 16 : 4;
            quint32 pseudo = sum16(ip + (ipv6 ? 8 : 12), n) + sum16(ip + (ipv6 ? 24 : 16), n) + protocol + quint32(l4Length);
            QCOMPARE(folded(sum16(l4, l4Length, pseudo)), quint16(0xffff));
        }
        if (!udpDatagram.isEmpty()) {
            const auto *ip = reinterpret_cast<const uchar *>(frames[0].data.constData() + 14);
            quint32 pseudo = sum16(ip + 12, 4) + sum16(ip + 16, 4) + 17 + quint32(udpDatagram.size());
            QCOMPARE(folded(sum16(reinterpret_cast<const uchar *>(udpDatagram.constData()), udpDatagram.size(), pseudo)), quint16(0xffff));
            QCOMPARE(udpDatagram.size(), 8 + size);
        }
    }

    void tcpSequenceNumbers()
    {
        const CaptureAddress a = v4(1, 40000), b = v4(2, 5060);
        QBuffer buffer;
        buffer.open(QIODevice::WriteOnly);
        {
            auto w = CaptureWriter::open(&buffer, CaptureWriter::Format::Pcap);
            (*w)->writeMessage(kT0, TransportKind::Tcp, a, b, QByteArray(3000, 'a')); // 3 segments
            (*w)->writeMessage(kT0 + 1, TransportKind::Tcp, b, a, QByteArray(100, 'b'));
            (*w)->writeMessage(kT0 + 2, TransportKind::Tcp, a, b, QByteArray(10, 'c'));
        }
        const QList<Frame> frames = parsePcap(buffer.data());
        QCOMPARE(frames.size(), 5);
        auto field = [&](int i, int offset) { return qFromBigEndian<quint32>(frames[i].data.constData() + 14 + 20 + offset); };
        auto payload = [&](int i) { return frames[i].data.size() - 14 - 40; };
        QCOMPARE(payload(0), 1460);
        QCOMPARE(payload(2), 80);
        QCOMPARE(field(1, 4), field(0, 4) + 1460); // seq
        QCOMPARE(field(2, 4), field(1, 4) + 1460);
        QCOMPARE(field(4, 4), field(2, 4) + 80);
        QCOMPARE(field(0, 8), field(3, 4)); // ack = the other side's next seq
        QCOMPARE(field(4, 8), field(3, 4) + 100);
        QCOMPARE(field(3, 8), field(4, 4));
        for (int i = 0; i < frames.size(); ++i)
            QCOMPARE(quint8(frames[i].data[14 + 20 + 13]), quint8(0x18)); // PSH|ACK
    }

    void fragmentLayout_data()
    {
        QTest::addColumn<bool>("ipv6");
        QTest::newRow("ipv4") << false;
        QTest::newRow("ipv6") << true;
    }
    void fragmentLayout()
    {
        QFETCH(bool, ipv6);
        QBuffer buffer;
        buffer.open(QIODevice::WriteOnly);
        {
            auto w = CaptureWriter::open(&buffer, CaptureWriter::Format::Pcap, CaptureWriter::kLinkRaw);
            QVERIFY((*w)->writeMessage(kT0, TransportKind::Udp, ipv6 ? v6(1, 1) : v4(1, 1), ipv6 ? v6(2, 2) : v4(2, 2), QByteArray(4000, 'f')));
            QVERIFY(!(*w)->writeMessage(kT0, TransportKind::Udp, v4(1, 1), v4(2, 2), QByteArray(70000, 'f')));
            QVERIFY((*w)->errorString().contains(QLatin1String("does not fit")));
        }
        const QList<Frame> frames = parsePcap(buffer.data());
        QCOMPARE(frames.size(), 3);
        qsizetype expectedOffset = 0;
        for (int i = 0; i < frames.size(); ++i) {
            const auto *ip = reinterpret_cast<const uchar *>(frames[i].data.constData());
            QVERIFY(frames[i].data.size() <= CaptureWriter::kMtu);
            const bool last = i == frames.size() - 1;
            if (!ipv6) {
                const quint16 flags = qFromBigEndian<quint16>(ip + 6);
                QCOMPARE((flags & 0x2000) != 0, !last); // MF
                QCOMPARE(qsizetype(flags & 0x1fff) * 8, expectedOffset);
                QCOMPARE(qFromBigEndian<quint16>(ip + 4), qFromBigEndian<quint16>(frames[0].data.constData() + 4)); // one Identification
                expectedOffset += frames[i].data.size() - 20;
            } else {
                QCOMPARE(ip[6], quint8(44));
                QCOMPARE(ip[40], quint8(17));
                const quint16 fo = qFromBigEndian<quint16>(ip + 42);
                QCOMPARE((fo & 1) != 0, !last);
                QCOMPARE(qsizetype(fo & 0xfff8), expectedOffset);
                expectedOffset += frames[i].data.size() - 48;
            }
        }
        QCOMPARE(expectedOffset, 4008);
    }

    void tshark_data()
    {
        QTest::addColumn<int>("format");
        QTest::addColumn<int>("transport");
        QTest::addColumn<bool>("ipv6");
        QTest::addColumn<int>("bodySize");
        const int pcap = int(CaptureWriter::Format::Pcap), pcapng = int(CaptureWriter::Format::Pcapng);
        QTest::newRow("udp4") << pcap << int(TransportKind::Udp) << false << 100;
        QTest::newRow("udp6 pcapng") << pcapng << int(TransportKind::Udp) << true << 100;
        QTest::newRow("udp4 fragments") << pcap << int(TransportKind::Udp) << false << 5000;
        QTest::newRow("udp6 fragments") << pcapng << int(TransportKind::Udp) << true << 5000;
        QTest::newRow("tcp4") << pcap << int(TransportKind::Tcp) << false << 100;
        QTest::newRow("tcp4 segments") << pcap << int(TransportKind::Tcp) << false << 5000;
        QTest::newRow("tcp6 segments pcapng") << pcapng << int(TransportKind::Tcp) << true << 3000;
    }
    void tshark()
    {
        if (QStandardPaths::findExecutable(QStringLiteral("tshark")).isEmpty())
            QSKIP("tshark is not installed");
        QFETCH(int, format);
        QFETCH(int, transport);
        QFETCH(bool, ipv6);
        QFETCH(int, bodySize);
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("t.cap"));
        const CaptureAddress a = ipv6 ? v6(1, 5060) : v4(1, 5060), b = ipv6 ? v6(2, 5060) : v4(2, 5060);
        QByteArrayList callIds;
        {
            auto w = CaptureWriter::open(path, CaptureWriter::Format(format));
            QVERIFY(w);
            for (int i = 0; i < 4; ++i) {
                callIds.append("call-" + QByteArray::number(i) + "@dialscope");
                QVERIFY((*w)->writeMessage(
                    kT0 + i * 20000, TransportKind(transport), i % 2 ? b : a, i % 2 ? a : b, sipMessage(callIds.last(), i, i == 1 ? 0 : bodySize, i % 2)));
            }
            QVERIFY((*w)->flush());
        }
        const Run r = runTshark({QStringLiteral("-r"), path, QStringLiteral("-Y"), QStringLiteral("sip"), QStringLiteral("-T"), QStringLiteral("fields"),
            QStringLiteral("-e"), QStringLiteral("sip.Call-ID")});
        QCOMPARE(r.exitCode, 0);
        QCOMPARE(r.err, QByteArray());
        QCOMPARE(r.out.trimmed().split('\n'), callIds);
        // The reader agrees.
        QByteArrayList ours;
        QVERIFY(CaptureReader::readFile(path, [&](CapturedSip &&m) { ours.append(m.raw.mid(m.raw.indexOf("Call-ID: ") + 9).split('\r').first()); }));
        QCOMPARE(ours, callIds);
    }

    void tsharkReadsKeyLog()
    {
        if (QStandardPaths::findExecutable(QStringLiteral("tshark")).isEmpty())
            QSKIP("tshark is not installed");
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("tls.pcapng"));
        {
            auto w = CaptureWriter::open(path, CaptureWriter::Format::Pcapng);
            QVERIFY((*w)->setComment(QStringLiteral("dialscope export; SRTP keys: none")));
            QVERIFY((*w)->writeTlsKeyLog("CLIENT_RANDOM " + QByteArray(64, 'a') + ' ' + QByteArray(96, 'b') + "\n"));
            for (int i = 0; i < 3; ++i)
                QVERIFY((*w)->writeMessage(kT0 + i, TransportKind::Tcp, v4(1, 40000), v4(2, 5061), QByteArray(700, char('x' + i))));
        }
        const Run r
            = runTshark({QStringLiteral("-r"), path, QStringLiteral("-T"), QStringLiteral("fields"), QStringLiteral("-e"), QStringLiteral("frame.number")});
        QCOMPARE(r.exitCode, 0);
        QCOMPARE(r.err, QByteArray());
        QCOMPARE(r.out, QByteArray("1\n2\n3\n"));
    }

    void copyFramesExportsExactlyTheWantedFrames_data()
    {
        QTest::addColumn<int>("outFormat");
        QTest::newRow("to pcap") << int(CaptureWriter::Format::Pcap);
        QTest::newRow("to pcapng") << int(CaptureWriter::Format::Pcapng);
    }
    void copyFramesExportsExactlyTheWantedFrames()
    {
        QFETCH(int, outFormat);
        QTemporaryDir dir;
        const QString in = dir.filePath(QStringLiteral("in.pcap")), out = dir.filePath(QStringLiteral("out.cap"));
        const CaptureAddress a = v4(1, 5060), b = v4(2, 5060), c = v4(3, 5060), d = v4(4, 5060);
        QByteArrayList wantedMessages;
        {
            auto w = CaptureWriter::open(in, CaptureWriter::Format::Pcap);
            auto put = [&](TransportKind t, const CaptureAddress &s, const CaptureAddress &r, const QByteArray &m, bool want) {
                QVERIFY((*w)->writeMessage(kT0 + qint64((*w)->framesWritten()) * 1000, t, s, r, m));
                if (want)
                    wantedMessages.append(m);
            };
            put(TransportKind::Udp, a, b, sipMessage("want", 1), true); // frame 1
            put(TransportKind::Udp, c, d, sipMessage("other", 1), false); // 2
            put(TransportKind::Udp, a, b, QByteArray(172, '\x80'), false); // 3: RTP
            put(TransportKind::Udp, b, a, sipMessage("want", 1, 3000, true), true); // 4-6: fragments
            put(TransportKind::Tcp, c, d, sipMessage("other", 2, 2000), false); // 7-8
            put(TransportKind::Tcp, a, b, sipMessage("want", 2, 2000), true); // 9-10
            put(TransportKind::Tcp, a, b, sipMessage("want", 3), true); // 11
            put(TransportKind::Tcp, c, d, sipMessage("other", 3), false); // 12
        }
        const QList<Frame> original = parsePcap(readAll(in));
        QCOMPARE(original.size(), 12);
        auto w = CaptureWriter::open(out, CaptureWriter::Format(outFormat), CaptureWriter::kLinkEthernet);
        QVERIFY(w);
        const auto copied = copyFrames(
            in, [](const CapturedSip &m) { return m.raw.contains("Call-ID: want\r\n"); }, **w);
        QVERIFY2(copied, copied ? "" : qPrintable(copied.error().text));
        QCOMPARE(*copied, 7u);
        QVERIFY((*w)->flush());
        QByteArrayList reread;
        const auto counts = CaptureReader::readFile(out, [&](CapturedSip &&m) { reread.append(m.raw); });
        QVERIFY(counts);
        QCOMPARE(reread, wantedMessages);
        QCOMPARE(counts->frames, 7u);
        if (outFormat == int(CaptureWriter::Format::Pcap)) {
            const QList<Frame> exported = parsePcap(readAll(out));
            const QList<int> expected {0, 3, 4, 5, 8, 9, 10};
            QCOMPARE(exported.size(), expected.size());
            for (int i = 0; i < expected.size(); ++i) {
                QCOMPARE(exported[i].data, original[expected[i]].data);
                QCOMPARE(exported[i].timeUs, original[expected[i]].timeUs);
            }
        }
    }

    void copyFramesKeepsTheLinkType()
    {
        // A Linux cooked capture stays one: the frames are copied, not re-synthesised.
        QTemporaryDir dir;
        const QString in = dir.filePath(QStringLiteral("sll.pcap")), out = dir.filePath(QStringLiteral("out.pcap"));
        QByteArray ip;
        {
            QBuffer buffer;
            buffer.open(QIODevice::WriteOnly);
            auto w = CaptureWriter::open(&buffer, CaptureWriter::Format::Pcap, CaptureWriter::kLinkRaw);
            (*w)->writeMessage(kT0, TransportKind::Udp, v4(1, 5060), v4(2, 5060), sipMessage("sll", 1));
            (*w)->flush();
            ip = parsePcap(buffer.data()).first().data;
        }
        const QByteArray sll = QByteArray("\x00\x00\x00\x01\x00\x06\x02\x00\x00\x00\x00\x01\x00\x00\x08\x00", 16) + ip;
        {
            auto w = CaptureWriter::open(in, CaptureWriter::Format::Pcap, 113);
            QVERIFY((*w)->writeRawFrame(kT0, 113, sll, quint32(sll.size())));
            QVERIFY(!(*w)->writeRawFrame(kT0, 1, sll, quint32(sll.size()))); // one link type per pcap file
        }
        QCOMPARE(CaptureReader::linkTypeOf(in).value_or(-1), 113);
        {
            auto wrong = CaptureWriter::open(out, CaptureWriter::Format::Pcap, CaptureWriter::kLinkEthernet);
            const auto copied = copyFrames(
                in, [](const CapturedSip &) { return true; }, **wrong);
            QVERIFY(!copied);
            QVERIFY2(copied.error().text.contains(QLatin1String("link type")), qPrintable(copied.error().text));
        }
        auto w = CaptureWriter::open(out, CaptureWriter::Format::Pcap, 113);
        QCOMPARE(copyFrames(
                     in, [](const CapturedSip &) { return true; }, **w)
                     .value_or(0),
            1u);
        QVERIFY((*w)->flush());
        QCOMPARE(parsePcap(readAll(out)).first().data, sll);
        QCOMPARE(CaptureReader::linkTypeOf(out).value_or(-1), 113);
    }

    void errors()
    {
        QTemporaryDir dir;
        const QString badPath = dir.filePath(QStringLiteral("no/such/dir/x.pcap"));
        auto bad = CaptureWriter::open(badPath, CaptureWriter::Format::Pcap);
        QVERIFY(!bad);
        QVERIFY(bad.error().text.startsWith(badPath));
        QBuffer readOnly;
        readOnly.open(QIODevice::ReadOnly);
        QVERIFY(!CaptureWriter::open(&readOnly, CaptureWriter::Format::Pcap));

        QBuffer buffer;
        buffer.open(QIODevice::WriteOnly);
        auto pcap = CaptureWriter::open(&buffer, CaptureWriter::Format::Pcap);
        QVERIFY(!(*pcap)->setComment(QStringLiteral("x")));
        QVERIFY(!(*pcap)->writeTlsKeyLog("CLIENT_RANDOM x y\n"));
        QVERIFY(!(*pcap)->writeMessage(kT0, TransportKind::Udp, v4(1, 1), v6(2, 2), "x"));
        QVERIFY((*pcap)->writeMessage(kT0, TransportKind::Udp, v4(1, 1), v4(2, 2), "still fine")); // argument errors do not stick
        QVERIFY((*pcap)->flush());

        QBuffer sllBuffer;
        sllBuffer.open(QIODevice::WriteOnly);
        auto sll = CaptureWriter::open(&sllBuffer, CaptureWriter::Format::Pcap, 113);
        QVERIFY(!(*sll)->writeMessage(kT0, TransportKind::Udp, v4(1, 1), v4(2, 2), "x"));
        QVERIFY((*sll)->errorString().contains(QLatin1String("link type 113")));

        FullDevice full(100);
        auto w = CaptureWriter::open(&full, CaptureWriter::Format::Pcapng);
        QVERIFY(w);
        QVERIFY(!(*w)->writeMessage(kT0, TransportKind::Udp, v4(1, 1), v4(2, 2), QByteArray(200, 'x')));
        QVERIFY(!(*w)->flush());
        QVERIFY((*w)->errorString().contains(QLatin1String("No space left on device")));
    }
};

QTEST_GUILESS_MAIN(TestCaptureWriter)
#include "tst_capture_writer.moc"
