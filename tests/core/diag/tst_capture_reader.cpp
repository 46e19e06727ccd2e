// CaptureReader: SIP found in what CaptureWriter wrote (UDP, TCP, IPv4, IPv6, fragments, every
// link type), in hand-damaged captures (reordered, lost, truncated, garbage, cut files), and
// never a crash on mutated input.

#include "capture_test_util.h"
#include "diag/capture_reader.h"
#include "diag/capture_writer.h"

#include <QBuffer>
#include <QRandomGenerator>
#include <QTest>
#include <QtEndian>

using namespace ds::diag;
using ds::sip::TransportKind;

namespace {

using ds::test::Frame;
using ds::test::parsePcap;
using ds::test::v6;

constexpr qint64 kT0 = 1'700'000'000'000'000; // 2023-11-14, in microseconds

// A body of bodySize bytes that ends its last line, as SDP does.
QByteArray body(int bodySize, char c) { return bodySize >= 2 ? QByteArray(bodySize - 2, c) + "\r\n" : QByteArray(bodySize, c); }

QByteArray sipRequest(const QByteArray &callId, int cseq, int bodySize = 0)
{
    const QByteArray body = ::body(bodySize, 'x');
    return "OPTIONS sip:bob@example.com SIP/2.0\r\nVia: SIP/2.0/UDP 10.0.0.1:5060;branch=z9hG4bK-" + callId + "-" + QByteArray::number(cseq)
        + "\r\nMax-Forwards: 70\r\nFrom: <sip:alice@example.com>;tag=a1\r\nTo: <sip:bob@example.com>\r\nCall-ID: " + callId + "\r\nCSeq: "
        + QByteArray::number(cseq) + " OPTIONS\r\nContent-Type: text/plain\r\nContent-Length: " + QByteArray::number(body.size()) + "\r\n\r\n" + body;
}

QByteArray sipResponse(const QByteArray &callId, int cseq, int bodySize = 0)
{
    const QByteArray body = ::body(bodySize, 'y');
    return "SIP/2.0 200 OK\r\nVia: SIP/2.0/UDP 10.0.0.1:5060;branch=z9hG4bK-" + callId + "-" + QByteArray::number(cseq)
        + "\r\nFrom: <sip:alice@example.com>;tag=a1\r\nTo: <sip:bob@example.com>;tag=b1\r\nCall-ID: " + callId + "\r\nCSeq: " + QByteArray::number(cseq)
        + " OPTIONS\r\nContent-Type: text/plain\r\nContent-Length: " + QByteArray::number(body.size()) + "\r\n\r\n" + body;
}

CaptureAddress v4(quint8 last, quint16 port) { return CaptureAddress::ipv4(0x0a000000 | last, port); }

QByteArray writeCapture(
    const std::function<void(CaptureWriter &)> &write, CaptureWriter::Format format = CaptureWriter::Format::Pcap, int linkType = CaptureWriter::kLinkEthernet)
{
    QBuffer buffer;
    buffer.open(QIODevice::WriteOnly);
    {
        auto w = CaptureWriter::open(&buffer, format, linkType);
        Q_ASSERT(w);
        write(**w);
        Q_ASSERT((*w)->flush());
    }
    return buffer.data();
}

QByteArray framesToCapture(const QList<Frame> &frames, int linkType)
{
    return writeCapture(
        [&](CaptureWriter &w) {
            for (const Frame &f : frames)
                w.writeRawFrame(f.timeUs, linkType, f.data, f.length);
        },
        CaptureWriter::Format::Pcap, linkType);
}

struct Result {
    CaptureCounts counts;
    QList<CapturedSip> sip;
    QList<CapturedDatagram> datagrams;
    QList<QByteArray> datagramPayloads;
    QString error;
};

Result read(const QByteArray &capture)
{
    Result r;
    auto counts = CaptureReader::readBytes(
        capture, [&](CapturedSip &&m) { r.sip.append(std::move(m)); },
        [&](const CapturedDatagram &d) {
            r.datagrams.append(d);
            r.datagramPayloads.append(d.payload.toByteArray());
        });
    if (counts)
        r.counts = *counts;
    else
        r.error = counts.error().text;
    return r;
}

QList<QByteArray> raws(const QList<CapturedSip> &sip)
{
    QList<QByteArray> out;
    for (const auto &m : sip)
        out.append(m.raw);
    return out;
}

// A hand-made Ethernet + IPv4 + TCP frame (the reader ignores checksums, as captures with
// offloading need).
Frame tcpFrame(const CaptureAddress &src, const CaptureAddress &dst, quint32 seq, quint8 flags, const QByteArray &payload, qint64 timeUs = kT0)
{
    QByteArray f("\x02\0\0\0\0\2\x02\0\0\0\0\1\x08\0", 14);
    QByteArray ip(20, '\0');
    ip[0] = 0x45;
    qToBigEndian(quint16(40 + payload.size()), ip.data() + 2);
    ip[8] = 64;
    ip[9] = 6;
    std::memcpy(ip.data() + 12, src.ip.data(), 4);
    std::memcpy(ip.data() + 16, dst.ip.data(), 4);
    QByteArray tcp(20, '\0');
    qToBigEndian(src.port, tcp.data());
    qToBigEndian(dst.port, tcp.data() + 2);
    qToBigEndian(seq, tcp.data() + 4);
    tcp[12] = 5 << 4;
    tcp[13] = char(flags);
    f += ip + tcp + payload;
    return {timeUs, f, quint32(f.size())};
}

constexpr quint8 kSyn = 0x02, kAck = 0x10, kPshAck = 0x18, kFin = 0x11, kRst = 0x04;

} // namespace

class TestCaptureReader : public QObject {
    Q_OBJECT
private slots:
    void roundTrip_data()
    {
        QTest::addColumn<int>("format");
        QTest::addColumn<int>("transport");
        QTest::addColumn<bool>("ipv6");
        QTest::addColumn<int>("port");
        QTest::addColumn<int>("bodySize");
        QTest::addColumn<int>("linkType");
        const int pcap = int(CaptureWriter::Format::Pcap), pcapng = int(CaptureWriter::Format::Pcapng);
        const int udp = int(TransportKind::Udp), tcp = int(TransportKind::Tcp);
        const int eth = CaptureWriter::kLinkEthernet, raw = CaptureWriter::kLinkRaw;
        QTest::newRow("udp4 pcap") << pcap << udp << false << 5060 << 100 << eth;
        QTest::newRow("udp4 pcapng") << pcapng << udp << false << 5060 << 100 << eth;
        QTest::newRow("udp6") << pcap << udp << true << 5060 << 100 << eth;
        QTest::newRow("tcp4") << pcap << tcp << false << 5060 << 100 << eth;
        QTest::newRow("tcp6 pcapng") << pcapng << tcp << true << 5060 << 100 << eth;
        QTest::newRow("udp4 fragments") << pcap << udp << false << 5060 << 4000 << eth;
        QTest::newRow("udp6 fragments") << pcapng << udp << true << 5060 << 4000 << eth;
        QTest::newRow("udp4 largest") << pcap << udp << false << 5060 << 60000 << eth;
        QTest::newRow("tcp4 split") << pcap << tcp << false << 5060 << 4000 << eth;
        QTest::newRow("tcp6 split") << pcap << tcp << true << 5060 << 70000 << eth;
        QTest::newRow("udp port 7777") << pcap << udp << false << 7777 << 10 << eth;
        QTest::newRow("tcp port 7777") << pcap << tcp << false << 7777 << 10 << eth;
        QTest::newRow("raw ip udp4") << pcap << udp << false << 5060 << 10 << raw;
        QTest::newRow("raw ip tcp6 pcapng") << pcapng << tcp << true << 5080 << 3000 << raw;
    }
    void roundTrip()
    {
        QFETCH(int, format);
        QFETCH(int, transport);
        QFETCH(bool, ipv6);
        QFETCH(int, port);
        QFETCH(int, bodySize);
        QFETCH(int, linkType);
        const auto kind = TransportKind(transport);
        const CaptureAddress a = ipv6 ? v6(1, 40000) : v4(1, 40000), b = ipv6 ? v6(2, quint16(port)) : v4(2, quint16(port));
        QList<QByteArray> sent;
        for (int i = 1; i <= 3; ++i) {
            sent.append(sipRequest("call-" + QByteArray::number(i), i, bodySize));
            sent.append(sipResponse("call-" + QByteArray::number(i), i, i == 2 ? 0 : bodySize));
        }
        const QByteArray capture = writeCapture(
            [&](CaptureWriter &w) {
                for (int i = 0; i < sent.size(); ++i)
                    QVERIFY(w.writeMessage(kT0 + i * 1000, kind, i % 2 ? b : a, i % 2 ? a : b, sent[i]));
            },
            CaptureWriter::Format(format), linkType);
        const Result r = read(capture);
        QCOMPARE(r.error, QString());
        QCOMPARE(raws(r.sip), sent);
        QCOMPARE(r.counts.sipMessages, quint64(sent.size()));
        QCOMPARE(r.counts.linkType, linkType);
        QCOMPARE(r.counts.garbage, 0u);
        QCOMPARE(r.counts.truncated, 0u);
        QCOMPARE(r.counts.tcpGaps, 0u);
        QCOMPARE(r.counts.nonSipUdp, 0u);
        QCOMPARE(r.counts.tcpStreams, kind == TransportKind::Tcp ? 1u : 0u);
        QVERIFY(!r.counts.cutShort);
        const bool fragmented = kind == TransportKind::Udp && bodySize > 1400;
        QCOMPARE(r.counts.reassembledDatagrams, fragmented ? 5u : 0u); // the bodiless response fits one packet
        quint32 previousLast = 0;
        for (int i = 0; i < r.sip.size(); ++i) {
            const CapturedSip &m = r.sip[i];
            QCOMPARE(m.transport, kind);
            QCOMPARE(m.src, i % 2 ? b : a);
            QCOMPARE(m.dst, i % 2 ? a : b);
            QCOMPARE(m.timeUs, kT0 + i * 1000);
            QCOMPARE(m.firstFrame, previousLast + 1);
            QVERIFY(m.lastFrame >= m.firstFrame);
            QCOMPARE(m.lastFrame > m.firstFrame, m.raw.size() > 1400);
            previousLast = m.lastFrame;
        }
        QCOMPARE(r.counts.frames, quint64(previousLast));
    }

    void addressConversions()
    {
        const ds::sip::Endpoint e4 {QHostAddress(QStringLiteral("192.0.2.7")), 5062};
        const ds::sip::Endpoint e6 {QHostAddress(QStringLiteral("2001:db8::5")), 5063};
        QCOMPARE(CaptureAddress::fromEndpoint(e4).toEndpoint(), e4);
        QCOMPARE(CaptureAddress::fromEndpoint(e6).toEndpoint(), e6);
        QCOMPARE(CaptureAddress::fromEndpoint(e4), CaptureAddress::ipv4(0xc0000207, 5062));
        QCOMPARE(CaptureAddress::fromEndpoint(e6).toString(), QStringLiteral("[2001:db8::5]:5063"));
        QVERIFY(qHash(CaptureAddress::fromEndpoint(e4)) != qHash(CaptureAddress::fromEndpoint(e6)));
    }

    void severalMessagesPerSegment()
    {
        const CaptureAddress a = v4(1, 5060), b = v4(2, 5060);
        const QByteArray m1 = sipRequest("p1", 1), m2 = sipRequest("p2", 2), m3 = sipRequest("p3", 3, 2000);
        const QByteArray capture = writeCapture([&](CaptureWriter &w) {
            w.writeMessage(kT0, TransportKind::Tcp, a, b, "\r\n\r\n" + m1 + m2 + "\r\n"); // keep-alive, two messages, keep-alive
            w.writeMessage(kT0 + 5, TransportKind::Tcp, a, b, m3); // then one across two segments
        });
        const Result r = read(capture);
        QCOMPARE(raws(r.sip), (QList<QByteArray> {m1, m2, m3}));
        QCOMPARE(r.sip[0].firstFrame, 1u);
        QCOMPARE(r.sip[1].lastFrame, 1u);
        QCOMPARE(r.sip[2].firstFrame, 2u);
        QCOMPARE(r.sip[2].lastFrame, 3u);
        QCOMPARE(r.counts.garbage, 0u);
    }

    void tcpReordered_data()
    {
        QTest::addColumn<bool>("syn"); // the capture holds the SYN (frame 1), or joins the connection midway
        QTest::addColumn<QList<int>>("order"); // indices into the writer's segments; repeats are retransmissions
        QTest::addColumn<quint32>("firstFrameOfLast"); // frame numbers after reordering
        QTest::addColumn<quint32>("lastFrameOfLast");
        QTest::newRow("in order") << true << QList<int> {0, 1, 2, 3} << 3u << 5u;
        QTest::newRow("swapped") << true << QList<int> {0, 2, 1, 3} << 3u << 5u;
        QTest::newRow("reversed") << true << QList<int> {3, 2, 1, 0} << 2u << 4u;
        QTest::newRow("retransmitted") << true << QList<int> {0, 1, 1, 2, 1, 3, 3} << 3u << 7u;
        QTest::newRow("all twice") << true << QList<int> {0, 0, 1, 1, 2, 2, 3, 3} << 4u << 8u;
        QTest::newRow("midway, swapped") << false << QList<int> {0, 2, 1, 3} << 2u << 4u;
        QTest::newRow("midway, retransmitted") << false << QList<int> {0, 0, 1, 2, 1, 3} << 3u << 6u;
    }
    void tcpReordered()
    {
        QFETCH(bool, syn);
        QFETCH(QList<int>, order);
        QFETCH(quint32, firstFrameOfLast);
        QFETCH(quint32, lastFrameOfLast);
        const CaptureAddress a = v4(1, 5060), b = v4(2, 5060);
        const QByteArray m1 = sipRequest("r1", 1), m2 = sipRequest("r2", 2, 3500); // one segment, then three
        const QList<Frame> written = parsePcap(writeCapture([&](CaptureWriter &w) {
            w.writeMessage(kT0, TransportKind::Tcp, a, b, m1);
            w.writeMessage(kT0 + 10, TransportKind::Tcp, a, b, m2);
        }));
        QCOMPARE(written.size(), 4);
        QList<Frame> frames;
        if (syn)
            frames.append(tcpFrame(a, b, qFromBigEndian<quint32>(written[0].data.constData() + 14 + 20 + 4) - 1, kSyn, {}));
        for (int i : order)
            frames.append(written[i]);
        const Result r = read(framesToCapture(frames, CaptureWriter::kLinkEthernet));
        QCOMPARE(raws(r.sip).size(), 2);
        QVERIFY(raws(r.sip).contains(m1));
        QCOMPARE(r.sip.last().raw, m2);
        QCOMPARE(r.sip.last().firstFrame, firstFrameOfLast);
        QCOMPARE(r.sip.last().lastFrame, lastFrameOfLast);
        QCOMPARE(r.counts.tcpGaps, 0u);
        QCOMPARE(r.counts.garbage, 0u);
    }

    void tcpOverlappingSegments()
    {
        const CaptureAddress a = v4(1, 5060), b = v4(2, 5060);
        const QByteArray stream = sipRequest("o1", 1, 300) + sipRequest("o2", 2, 300);
        const quint32 isn = 1000;
        // Segments [0,200) [100,500) [450,end) with a retransmission of [0,200) at the end.
        QList<Frame> frames {tcpFrame(a, b, isn, kSyn, {}), tcpFrame(a, b, isn + 1, kPshAck, stream.mid(0, 200)),
            tcpFrame(a, b, isn + 1 + 100, kPshAck, stream.mid(100, 400)), tcpFrame(a, b, isn + 1 + 450, kPshAck, stream.mid(450)),
            tcpFrame(a, b, isn + 1, kPshAck, stream.mid(0, 200)), tcpFrame(a, b, isn + 1 + quint32(stream.size()), kFin, {})};
        const Result r = read(framesToCapture(frames, CaptureWriter::kLinkEthernet));
        QCOMPARE(raws(r.sip), (QList<QByteArray> {sipRequest("o1", 1, 300), sipRequest("o2", 2, 300)}));
        QCOMPARE(r.counts.tcpGaps, 0u);
        QCOMPARE(r.counts.truncated, 0u);
    }

    void tcpGapResynchronises()
    {
        const CaptureAddress a = v4(1, 5060), b = v4(2, 5060);
        QList<QByteArray> messages;
        for (int i = 0; i < 4; ++i)
            messages.append(sipRequest("g" + QByteArray::number(i), i, 2000)); // two segments each
        const QList<Frame> written = parsePcap(writeCapture([&](CaptureWriter &w) {
            for (int i = 0; i < messages.size(); ++i)
                w.writeMessage(kT0 + i, TransportKind::Tcp, a, b, messages[i]);
        }));
        QCOMPARE(written.size(), 8);
        QList<Frame> lost = written;
        lost.removeAt(3); // the second half of message 1 never made it into the capture
        const Result r = read(framesToCapture(lost, CaptureWriter::kLinkEthernet));
        QCOMPARE(raws(r.sip), (QList<QByteArray> {messages[0], messages[2], messages[3]}));
        QCOMPARE(r.counts.tcpGaps, 1u);
    }

    void tcpTinySegments_data()
    {
        QTest::addColumn<QByteArray>("first");
        QTest::addColumn<int>("segmentSize");
        QTest::newRow("1-byte segments") << sipRequest("tiny", 1, 3000) << 1;
        QTest::newRow("7-byte segments") << sipRequest("tiny", 1, 3000) << 7;
        QTest::newRow("bare LF framing") << QByteArray("OPTIONS sip:b SIP/2.0\nCall-ID: lf\nContent-Length: 5\n\nhello") << 3;
    }
    void tcpTinySegments()
    {
        // Start line and body trickle in: the stream is still recognised, and framed in linear time.
        QFETCH(QByteArray, first);
        QFETCH(int, segmentSize);
        const CaptureAddress a = v4(1, 5060), b = v4(2, 5060);
        const QByteArray second = sipResponse("tiny", 1);
        const QByteArray stream = first + second;
        QList<Frame> frames {tcpFrame(a, b, 99, kSyn, {})};
        for (qsizetype at = 0; at < stream.size(); at += segmentSize)
            frames.append(tcpFrame(a, b, 100 + quint32(at), kPshAck, stream.mid(at, segmentSize), kT0 + at));
        const Result r = read(framesToCapture(frames, CaptureWriter::kLinkEthernet));
        QCOMPARE(raws(r.sip), (QList<QByteArray> {first, second}));
        const quint32 lastOfFirst = quint32(1 + (first.size() + segmentSize - 1) / segmentSize);
        QCOMPARE(r.sip[0].firstFrame, 2u);
        QCOMPARE(r.sip[0].lastFrame, lastOfFirst);
        QCOMPARE(r.sip[0].timeUs, frames[int(lastOfFirst) - 1].timeUs); // the packet that completed it
        QCOMPARE(r.sip[1].lastFrame, quint32(frames.size()));
        QCOMPARE(r.counts.garbage, 0u);
    }

    void tcpJoinedMidway()
    {
        // The capture starts inside a message: no SYN, the first bytes are a body's end.
        const CaptureAddress a = v4(1, 5060), b = v4(2, 5060);
        const QByteArray m1 = sipRequest("m1", 1, 500), m2 = sipRequest("m2", 2), m3 = sipResponse("m2", 2);
        const QByteArray stream = m1 + m2;
        QList<Frame> frames {
            tcpFrame(a, b, 77777, kPshAck, stream.mid(300, 400)), tcpFrame(a, b, 77777 + 400, kPshAck, stream.mid(700)), tcpFrame(b, a, 5000, kPshAck, m3)};
        const Result r = read(framesToCapture(frames, CaptureWriter::kLinkEthernet));
        QCOMPARE(raws(r.sip), (QList<QByteArray> {m2, m3}));
        QCOMPARE(r.counts.tcpStreams, 1u);
        QCOMPARE(r.counts.garbage, 0u);
    }

    void tcpConnections()
    {
        // SYN, data, FIN; then the same ports again with another ISN; an RST ends a third.
        const CaptureAddress a = v4(1, 40000), b = v4(2, 5060);
        const QByteArray m1 = sipRequest("c1", 1), m2 = sipRequest("c2", 1), m3 = sipRequest("c3", 1), partial = sipRequest("c4", 1).left(60);
        QList<Frame> frames {tcpFrame(a, b, 100, kSyn, {}), tcpFrame(b, a, 900, kSyn | kAck, {}), tcpFrame(a, b, 101, kAck, {}),
            tcpFrame(a, b, 101, kPshAck, m1), tcpFrame(a, b, 101 + quint32(m1.size()), kFin, {}), tcpFrame(a, b, 101, kPshAck, m1), // late retransmission
            tcpFrame(a, b, 5000, kSyn, {}), tcpFrame(a, b, 5001, kPshAck, m2), tcpFrame(a, b, 5001 + quint32(m2.size()), kFin, {}),
            tcpFrame(a, b, 9000, kSyn, {}), tcpFrame(a, b, 9001, kPshAck, m3 + partial), tcpFrame(b, a, 1, kRst, {})};
        const Result r = read(framesToCapture(frames, CaptureWriter::kLinkEthernet));
        QCOMPARE(raws(r.sip), (QList<QByteArray> {m1, m2, m3}));
        QCOMPARE(r.counts.tcpStreams, 3u);
        QCOMPARE(r.counts.truncated, 1u); // the message the RST cut off
    }

    void nonSipTcpIgnored()
    {
        const CaptureAddress a = v4(1, 40000), b = v4(2, 80), c = v4(3, 40001), d = v4(4, 5060);
        QList<Frame> frames {tcpFrame(a, b, 1, kSyn, {}), tcpFrame(a, b, 2, kPshAck, "GET / HTTP/1.1\r\nHost: x\r\n\r\n"),
            tcpFrame(b, a, 7, kPshAck, "HTTP/1.1 200 OK\r\nContent-Length: 5000\r\n\r\n" + QByteArray(1000, 'h')),
            tcpFrame(b, a, 7 + 1041, kPshAck, QByteArray(1000, 'h')), tcpFrame(c, d, 50, kPshAck, sipRequest("s", 1))};
        const Result r = read(framesToCapture(frames, CaptureWriter::kLinkEthernet));
        QCOMPARE(raws(r.sip), QList<QByteArray> {sipRequest("s", 1)});
        QCOMPARE(r.counts.otherTraffic, 4u);
        QCOMPARE(r.counts.garbage, 0u);
    }

    void tcpWithoutContentLength()
    {
        // RFC 3261 18.3: over a stream Content-Length is mandatory; the stream recovers at the next start line.
        const CaptureAddress a = v4(1, 5060), b = v4(2, 5060);
        const QByteArray bad = "OPTIONS sip:b SIP/2.0\r\nCall-ID: bad\r\n\r\n", good = sipRequest("good", 2);
        const QByteArray capture = writeCapture([&](CaptureWriter &w) { w.writeMessage(kT0, TransportKind::Tcp, a, b, bad + good); });
        const Result r = read(capture);
        QCOMPARE(raws(r.sip), QList<QByteArray> {good});
        QCOMPARE(r.counts.garbage, 1u);
    }

    void ipFragmentsReordered_data()
    {
        QTest::addColumn<bool>("ipv6");
        QTest::newRow("ipv4") << false;
        QTest::newRow("ipv6") << true;
    }
    void ipFragmentsReordered()
    {
        QFETCH(bool, ipv6);
        const CaptureAddress a = ipv6 ? v6(1, 5060) : v4(1, 5060), b = ipv6 ? v6(2, 5060) : v4(2, 5060);
        const QByteArray m1 = sipRequest("f1", 1, 5000), m2 = sipRequest("f2", 2, 5000);
        const QList<Frame> written = parsePcap(writeCapture([&](CaptureWriter &w) {
            w.writeMessage(kT0, TransportKind::Udp, a, b, m1);
            w.writeMessage(kT0 + 1, TransportKind::Udp, b, a, m2);
        }));
        QCOMPARE(written.size(), 8);
        // Interleave the two datagrams' fragments, each in reverse order, with one duplicate.
        const QList<Frame> frames {written[3], written[7], written[2], written[6], written[1], written[1], written[5], written[0], written[4]};
        const Result r = read(framesToCapture(frames, CaptureWriter::kLinkEthernet));
        QCOMPARE(raws(r.sip), (QList<QByteArray> {m1, m2}));
        QCOMPARE(r.sip[0].firstFrame, 1u);
        QCOMPARE(r.sip[0].lastFrame, 8u);
        QCOMPARE(r.counts.ipFragments, 9u);
        QCOMPARE(r.counts.reassembledDatagrams, 2u);
    }

    void ipFragmentsBounded()
    {
        // Thousands of datagrams whose last fragment never comes: the oldest are given up and a
        // later complete datagram still reassembles.
        const CaptureAddress a = v4(1, 5060), b = v4(2, 5060);
        const QByteArray message = sipRequest("late", 1, 3000);
        QList<Frame> frames;
        for (int i = 0; i < 3000; ++i) {
            const QList<Frame> w = parsePcap(writeCapture(
                [&](CaptureWriter &w) { w.writeMessage(kT0, TransportKind::Udp, CaptureAddress::ipv4(0x0b000000 | quint32(i), 5060), b, message); }));
            frames.append(w[0]);
        }
        const QList<Frame> complete = parsePcap(writeCapture([&](CaptureWriter &w) { w.writeMessage(kT0 + 60'000'000, TransportKind::Udp, a, b, message); }));
        frames += complete;
        const Result r = read(framesToCapture(frames, CaptureWriter::kLinkEthernet));
        QCOMPARE(raws(r.sip), QList<QByteArray> {message});
        QCOMPARE(r.counts.reassembledDatagrams, 1u);
    }

    void linkTypes_data()
    {
        QTest::addColumn<QString>("encapsulation");
        QTest::addColumn<bool>("ipv6");
        QTest::addColumn<int>("linkType");
        QTest::newRow("vlan") << "vlan" << false << 1;
        QTest::newRow("qinq v6") << "qinq" << true << 1;
        QTest::newRow("sll") << "sll" << false << 113;
        QTest::newRow("sll v6") << "sll" << true << 113;
        QTest::newRow("sll2") << "sll2" << false << 276;
        QTest::newRow("sll2 v6") << "sll2" << true << 276;
        QTest::newRow("null little-endian") << "null-le" << false << 0;
        QTest::newRow("null big-endian v6") << "null-be" << true << 0;
        QTest::newRow("loop big-endian") << "null-be" << false << 108;
        QTest::newRow("loop little-endian v6") << "null-le" << true << 108;
        QTest::newRow("ipv4 link") << "none" << false << 228;
        QTest::newRow("ipv6 link") << "none" << true << 229;
    }
    void linkTypes()
    {
        QFETCH(QString, encapsulation);
        QFETCH(bool, ipv6);
        QFETCH(int, linkType);
        const CaptureAddress a = ipv6 ? v6(1, 5060) : v4(1, 5060), b = ipv6 ? v6(2, 5060) : v4(2, 5060);
        const QList<QByteArray> sent {sipRequest("l1", 1), sipResponse("l1", 1, 3000), sipRequest("l2", 2, 3000)};
        const QList<Frame> written = parsePcap(writeCapture([&](CaptureWriter &w) {
            w.writeMessage(kT0, TransportKind::Udp, a, b, sent[0]);
            w.writeMessage(kT0 + 1, TransportKind::Udp, b, a, sent[1]);
            w.writeMessage(kT0 + 2, TransportKind::Tcp, a, b, sent[2]);
        }));
        QList<Frame> frames;
        for (Frame f : written) {
            const QByteArray ip = f.data.mid(14);
            const QByteArray ethertype = ipv6 ? QByteArray("\x86\xdd", 2) : QByteArray("\x08\x00", 2);
            const quint32 family = ipv6 ? 30 : 2;
            if (encapsulation == u"vlan")
                f.data = f.data.left(12) + QByteArray("\x81\x00\x00\x64", 4) + f.data.mid(12);
            else if (encapsulation == u"qinq")
                f.data = f.data.left(12) + QByteArray("\x88\xa8\x00\x0a\x81\x00\x00\x64", 8) + f.data.mid(12);
            else if (encapsulation == u"sll")
                f.data = QByteArray("\x00\x00\x00\x01\x00\x06\x02\x00\x00\x00\x00\x01\x00\x00", 14) + ethertype + ip;
            else if (encapsulation == u"sll2")
                f.data = ethertype + QByteArray("\x00\x00\x00\x00\x00\x02\x00\x01\x04\x06\x02\x00\x00\x00\x00\x01\x00\x00", 18) + ip;
            else if (encapsulation == u"null-le")
                f.data = QByteArray(reinterpret_cast<const char *>(&family), 4) + ip; // x86: little-endian
            else if (encapsulation == u"null-be")
                f.data = QByteArray(1, 0) + QByteArray(1, 0) + QByteArray(1, 0) + QByteArray(1, char(family)) + ip;
            else
                f.data = ip;
            f.length = quint32(f.data.size());
            frames.append(f);
        }
        const Result r = read(framesToCapture(frames, linkType));
        QCOMPARE(r.error, QString());
        QCOMPARE(r.counts.linkType, linkType);
        QCOMPARE(raws(r.sip), sent);
        QCOMPARE(r.counts.garbage, 0u);
        QCOMPARE(r.counts.truncated, 0u);
    }

    void ipv6ExtensionHeaders()
    {
        // RFC 8200 4.3, 4.6: hop-by-hop and destination options before UDP and TCP are skipped.
        const QList<QByteArray> sent {sipRequest("x1", 1), sipResponse("x1", 1, 2000)};
        const QList<Frame> written = parsePcap(writeCapture([&](CaptureWriter &w) {
            w.writeMessage(kT0, TransportKind::Udp, v6(1, 5060), v6(2, 5060), sent[0]);
            w.writeMessage(kT0 + 1, TransportKind::Tcp, v6(2, 5060), v6(1, 5060), sent[1]);
        }));
        QList<Frame> frames;
        for (Frame f : written) {
            const char upper = f.data[14 + 6];
            const QByteArray hopByHop = QByteArray(1, 60) + QByteArray("\x00\x01\x04\x00\x00\x00\x00", 7); // PadN to 8 bytes
            const QByteArray destination = QByteArray(1, upper) + QByteArray("\x00\x01\x04\x00\x00\x00\x00", 7);
            f.data[14 + 6] = 0;
            qToBigEndian(quint16(qFromBigEndian<quint16>(f.data.constData() + 14 + 4) + 16), f.data.data() + 14 + 4);
            f.data.insert(14 + 40, hopByHop + destination);
            f.length = quint32(f.data.size());
            frames.append(f);
        }
        const Result r = read(framesToCapture(frames, CaptureWriter::kLinkEthernet));
        QCOMPARE(raws(r.sip), sent);
        QCOMPARE(r.counts.garbage, 0u);
    }

    void unsupportedLinkType()
    {
        const QByteArray capture = writeCapture([](CaptureWriter &w) { w.writeRawFrame(kT0, 147, "abc", 3); }, CaptureWriter::Format::Pcap, 147);
        const Result r = read(capture);
        QVERIFY2(r.error.contains(QLatin1String("unsupported link type 147")), qPrintable(r.error));
    }

    void nonSipUdp()
    {
        const CaptureAddress a = v4(1, 16384), b = v4(2, 16386);
        QByteArray rtp("\x80\x00\x00\x01\x00\x00\x00\xa0\x12\x34\x56\x78", 12);
        rtp += QByteArray(160, char(0xff));
        QByteArray stun("\x00\x01\x00\x00\x21\x12\xa4\x42", 8);
        stun += QByteArray(12, 'T');
        const QByteArray capture = writeCapture([&](CaptureWriter &w) {
            w.writeMessage(kT0, TransportKind::Udp, a, b, rtp);
            w.writeMessage(kT0 + 20, TransportKind::Udp, v4(1, 5060), v4(2, 5060), "\r\n\r\n"); // RFC 5626 keep-alive
            w.writeMessage(kT0 + 30, TransportKind::Udp, a, b, stun);
            w.writeMessage(kT0 + 40, TransportKind::Udp, b, a, "HTTP/1.1 200 OK\r\n\r\n");
            w.writeMessage(kT0 + 50, TransportKind::Udp, a, b, "SIP/2.0 20 OK\r\n\r\n"); // not a status line
        });
        const Result r = read(capture);
        QCOMPARE(r.sip.size(), 0);
        QCOMPARE(r.datagramPayloads, (QList<QByteArray> {rtp, "HTTP/1.1 200 OK\r\n\r\n", "SIP/2.0 20 OK\r\n\r\n"}));
        QCOMPARE(r.datagrams[0].src, a);
        QCOMPARE(r.datagrams[0].dst, b);
        QCOMPARE(r.datagrams[0].timeUs, kT0);
        QCOMPARE(r.datagrams[0].frame, 1u);
        QCOMPARE(r.counts.nonSipUdp, 3u);
        QCOMPARE(r.counts.otherTraffic, 2u);
        QCOMPARE(r.counts.garbage, 0u);
    }

    void sipStartLines_data()
    {
        QTest::addColumn<QByteArray>("payload");
        QTest::addColumn<bool>("sip");
        QTest::newRow("request") << QByteArray("INVITE sip:bob@b.example SIP/2.0\r\n\r\n") << true;
        QTest::newRow("extension method") << QByteArray("X-FOO.bar sip:b SIP/2.0\r\n\r\n") << true;
        QTest::newRow("lower-case version") << QByteArray("OPTIONS sip:b sip/2.0\r\n\r\n") << true;
        QTest::newRow("bare LF") << QByteArray("OPTIONS sip:b SIP/2.0\n\n") << true;
        QTest::newRow("status") << QByteArray("SIP/2.0 486 Busy Here\r\n\r\n") << true;
        QTest::newRow("status without phrase") << QByteArray("SIP/2.0 200\r\n\r\n") << true;
        QTest::newRow("http") << QByteArray("GET / HTTP/1.1\r\n\r\n") << false;
        QTest::newRow("no uri") << QByteArray("OPTIONS  SIP/2.0\r\n\r\n") << false;
        QTest::newRow("version 3") << QByteArray("OPTIONS sip:b SIP/3.0\r\n\r\n") << false;
        QTest::newRow("line not ended") << QByteArray("OPTIONS sip:b SIP/2.0 x\r\n") << false;
        QTest::newRow("binary") << QByteArray("\x80\x08\x00\x01 sip:b SIP/2.0\r\n", 20) << false;
        QTest::newRow("two-digit status") << QByteArray("SIP/2.0 20 OK\r\n") << false;
    }
    void sipStartLines()
    {
        QFETCH(QByteArray, payload);
        QFETCH(bool, sip);
        const QByteArray capture = writeCapture([&](CaptureWriter &w) { w.writeMessage(kT0, TransportKind::Udp, v4(1, 9), v4(2, 9), payload); });
        const Result r = read(capture);
        QCOMPARE(r.counts.sipMessages, sip ? 1u : 0u);
        QCOMPARE(r.counts.nonSipUdp, sip ? 0u : 1u);
    }

    void truncatedAndGarbage()
    {
        const CaptureAddress a = v4(1, 5060), b = v4(2, 5060);
        const QList<Frame> written = parsePcap(writeCapture([&](CaptureWriter &w) {
            w.writeMessage(kT0, TransportKind::Udp, a, b, sipRequest("t1", 1));
            w.writeMessage(kT0 + 1, TransportKind::Udp, a, b, sipRequest("t2", 2));
        }));
        Frame cut = written[0]; // snap length 100: the SIP message is cut
        cut.data.truncate(100);
        Frame headerCut = written[0]; // snap length 20: even the IP header is cut
        headerCut.data.truncate(20);
        Frame badVersion = written[1];
        badVersion.data[14] = char(0x75);
        Frame badUdpLength = written[1];
        qToBigEndian(quint16(4), badUdpLength.data.data() + 14 + 20 + 4);
        Frame lying = written[1]; // IP total length beyond the frame, which was not cut
        qToBigEndian(quint16(3000), lying.data.data() + 14 + 2);
        const Frame tiny {kT0, QByteArray("\x01\x02\x03", 3), 3};
        const Frame arp {kT0, QByteArray(12, '\xff') + QByteArray("\x08\x06", 2) + QByteArray(28, '\0'), 42};
        const Result r = read(framesToCapture({cut, headerCut, badVersion, badUdpLength, lying, tiny, arp, written[1]}, CaptureWriter::kLinkEthernet));
        QCOMPARE(raws(r.sip), QList<QByteArray> {sipRequest("t2", 2)});
        QCOMPARE(r.counts.frames, 8u);
        QCOMPARE(r.counts.truncated, 2u);
        QCOMPARE(r.counts.garbage, 4u);
        QCOMPARE(r.counts.otherTraffic, 1u);
    }

    void fileCutMidRecord_data()
    {
        QTest::addColumn<int>("format");
        QTest::newRow("pcap") << int(CaptureWriter::Format::Pcap);
        QTest::newRow("pcapng") << int(CaptureWriter::Format::Pcapng);
    }
    void fileCutMidRecord()
    {
        QFETCH(int, format);
        const QByteArray capture = writeCapture(
            [&](CaptureWriter &w) {
                for (int i = 0; i < 5; ++i)
                    w.writeMessage(kT0 + i, TransportKind::Udp, v4(1, 5060), v4(2, 5060), sipRequest("cut", i));
            },
            CaptureWriter::Format(format));
        const Result r = read(capture.left(capture.size() - 50));
        QCOMPARE(r.error, QString());
        QCOMPARE(r.counts.sipMessages, 4u);
        QVERIFY(r.counts.cutShort);
        const Result whole = read(capture);
        QCOMPARE(whole.counts.sipMessages, 5u);
        QVERIFY(!whole.counts.cutShort);
    }

    void notACapture_data()
    {
        QTest::addColumn<QByteArray>("bytes");
        QTest::newRow("text") << QByteArray("INVITE sip:bob@example.com SIP/2.0\r\n\r\n");
        QTest::newRow("empty") << QByteArray();
        QTest::newRow("short") << QByteArray("\xd4\xc3\xb2", 3);
        QTest::newRow("header cut") << QByteArray("\xd4\xc3\xb2\xa1\x02\x00\x04\x00", 8);
    }
    void notACapture()
    {
        QFETCH(QByteArray, bytes);
        const Result r = read(bytes);
        QVERIFY2(r.error.contains(QLatin1String("not a pcap or pcapng file")), qPrintable(r.error));
    }

    void fileErrorsNameTheFile()
    {
        QTemporaryDir dir;
        const QString missing = dir.filePath(QStringLiteral("missing.pcap"));
        auto r = CaptureReader::readFile(missing, {});
        QVERIFY(!r);
        QVERIFY2(r.error().text.startsWith(missing), qPrintable(r.error().text));
        const QString text = dir.filePath(QStringLiteral("x.pcap"));
        QFile f(text);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write("hello, this is not a capture at all\n");
        f.close();
        r = CaptureReader::readFile(text, {});
        QVERIFY(!r);
        QVERIFY2(r.error().text.startsWith(text + QStringLiteral(": not a pcap or pcapng file")), qPrintable(r.error().text));
    }

    void readFileMatchesReadBytes()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("a.pcapng"));
        {
            auto w = CaptureWriter::open(path, CaptureWriter::Format::Pcapng);
            QVERIFY(w);
            (*w)->writeMessage(kT0, TransportKind::Tcp, v4(1, 5060), v4(2, 5060), sipRequest("file", 1, 3000));
        }
        QList<CapturedSip> got;
        auto r = CaptureReader::readFile(path, [&](CapturedSip &&m) { got.append(std::move(m)); });
        QVERIFY(r);
        QCOMPARE(got.size(), 1);
        QCOMPARE(got[0].raw, sipRequest("file", 1, 3000));
        QCOMPARE(CaptureReader::linkTypeOf(path).value_or(-1), CaptureWriter::kLinkEthernet);
        QList<quint32> frames;
        r = CaptureReader::readFileFrames(path, [&](CapturedSip &&, std::span<const quint32> f) { frames.append(QList<quint32>(f.begin(), f.end())); });
        QVERIFY(r);
        std::sort(frames.begin(), frames.end());
        QCOMPARE(frames, (QList<quint32> {1, 2, 3}));
    }

    void manyTcpStreams()
    {
        // More connections than the reader tracks: it gives up the oldest, not the newest.
        const CaptureAddress b = v4(2, 5060);
        QList<Frame> frames;
        for (int i = 0; i < 17000; ++i)
            frames.append(tcpFrame(CaptureAddress::ipv4(0x0c000000 | quint32(i), 1024), b, 1, kPshAck, "OPTIONS sip:b SIP/2.0\r\n"));
        const QByteArray m = sipRequest("last", 1);
        frames.append(tcpFrame(v4(1, 1024), b, 1, kPshAck, m));
        const Result r = read(framesToCapture(frames, CaptureWriter::kLinkEthernet));
        QCOMPARE(raws(r.sip), QList<QByteArray> {m});
        QCOMPARE(r.counts.tcpStreams, 17001u);
        QCOMPARE(r.counts.truncated, 17000u); // each stream ended inside its message
    }

    void mutatedCapturesNeverCrash()
    {
        // Fuzzing in miniature: flipped, cut and duplicated bytes of a capture holding every
        // kind of traffic. Only not crashing (under ASan/UBSan) and sane counts are asserted.
        const CaptureAddress a = v4(1, 5060), b = v4(2, 5060), c = v6(1, 5060), d = v6(2, 5060);
        const QByteArray base = writeCapture([&](CaptureWriter &w) {
            w.writeMessage(kT0, TransportKind::Udp, a, b, sipRequest("z1", 1, 3000));
            w.writeMessage(kT0 + 1, TransportKind::Tcp, a, b, sipRequest("z2", 1, 3000) + sipRequest("z3", 2));
            w.writeMessage(kT0 + 2, TransportKind::Udp, c, d, sipRequest("z4", 1, 2000));
            w.writeMessage(kT0 + 3, TransportKind::Tcp, d, c, sipResponse("z4", 1, 1500));
            w.writeMessage(kT0 + 4, TransportKind::Udp, a, b, QByteArray(200, '\x80'));
        });
        QRandomGenerator rng(20240601);
        for (int round = 0; round < 400; ++round) {
            QByteArray bytes = base;
            const int edits = 1 + int(rng.bounded(8));
            for (int e = 0; e < edits; ++e) {
                const qsizetype at = 24 + qsizetype(rng.bounded(int(bytes.size() - 24)));
                switch (rng.bounded(4)) {
                case 0:
                    bytes[at] = char(rng.bounded(256));
                    break;
                case 1:
                    bytes[at] = char(bytes[at] ^ (1 << rng.bounded(8)));
                    break;
                case 2:
                    bytes.remove(at, qsizetype(rng.bounded(64)));
                    break;
                default:
                    bytes.insert(at, bytes.mid(at, qsizetype(rng.bounded(64))));
                    break;
                }
            }
            const Result r = read(bytes);
            if (!r.error.isEmpty())
                continue;
            for (const auto &m : r.sip)
                QVERIFY(!m.raw.isEmpty() && m.firstFrame >= 1 && m.lastFrame <= r.counts.frames);
        }
    }
};

QTEST_GUILESS_MAIN(TestCaptureReader)
#include "tst_capture_reader.moc"
