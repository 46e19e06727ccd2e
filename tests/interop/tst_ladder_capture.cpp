// Interop: captures the test makes itself with tshark on loopback while Kamailio, SIPp and
// dialscope talk, imported with `dialscope ladder FILE --json --messages`, and what dialscope
// found compared with what tshark reads from the same file: the SIP messages (frame by frame),
// the Call-IDs and the messages of each, the endpoints, the RTP packets of each stream.
#include "support/dialscope_cli.h"
#include "support/kamailio_registrar.h"
#include "support/test_case_dir.h"

#include <QDir>
#include <QFile>
#include <QHostAddress>
#include <QJsonDocument>
#include <QRegularExpression>
#include <QTcpSocket>
#include <QTemporaryDir>
#include <QThread>
#include <QUdpSocket>
#include <QtTest>

#include <unistd.h>

#include <algorithm>
#include <memory>
#include <optional>

using namespace ds::test;
using namespace Qt::StringLiterals;

namespace {

using Account = KamailioRegistrar::Subscriber;
const Account kAlice {u"alice"_s, u"secret"_s};
const Account kBob {u"bob"_s, u"hunter2"_s};

// Where dialscope binds its RTP (CallSettings: 16384-32767, below Linux's ephemeral ports), so a
// capture filter can take in the media of a call whose ports nobody knows beforehand.
const QString kRtpPorts = u"udp portrange 16384-32767"_s;

constexpr int kSippCalls = 20;

// What one reader found in a capture file: tshark, or `dialscope ladder`.
struct Tally {
    qint64 frames = 0;
    QStringList messages; // "frame 12: Call-ID", one per SIP message, by the frame that completed it
    QMap<QString, int> perCallId;
    QMap<QString, int> kinds; // "REGISTER", "401": requests by method, responses by status
    QSet<QString> endpoints; // "127.0.0.1:5060": who sent and who received the SIP messages
    QMap<QString, qint64> rtp; // "src > dst ssrc" -> RTP packets
    QList<qint64> multiMessageFrames; // frames that hold more than one SIP message
    QStringList oddities; // tshark's SIP frames without a Call-ID (keep-alives), which neither side counts

    qint64 rtpPackets() const
    {
        qint64 n = 0;
        for (const qint64 packets : rtp)
            n += packets;
        return n;
    }
};

QString streamKey(const QString &src, const QString &dst, quint32 ssrc) { return u"%1 > %2 0x%3"_s.arg(src, dst).arg(ssrc, 8, 16, QLatin1Char('0')); }

template <typename Map> QStringList entries(const Map &map)
{
    QStringList lines;
    for (auto it = map.cbegin(); it != map.cend(); ++it)
        lines << u"%1 = %2"_s.arg(it.key()).arg(it.value());
    return lines;
}

// What only one of two lists holds, counting duplicates, for failure messages.
QString difference(QStringList tshark, QStringList dialscope)
{
    QStringList onlyTshark;
    for (const QString &line : std::as_const(tshark)) {
        if (!dialscope.removeOne(line))
            onlyTshark << line;
    }
    auto head = [](const QStringList &l) { return l.mid(0, 25).join(u"\n    "_s) + (l.size() > 25 ? u"\n    ... %1 more"_s.arg(l.size() - 25) : QString()); };
    return u"\n  only tshark has (%1):\n    %2\n  only dialscope has (%3):\n    %4"_s.arg(onlyTshark.size())
        .arg(head(onlyTshark))
        .arg(dialscope.size())
        .arg(head(dialscope));
}

// "REGISTER" for a request line, "401" for a status line.
QString kindOf(const QString &firstLine)
{
    if (firstLine.startsWith(u"SIP/2.0 "_s))
        return firstLine.section(u' ', 1, 1);
    return firstLine.section(u' ', 0, 0);
}

// The first of the values tshark printed for a field (aggregated with ',').
QString first(const QString &field) { return field.section(u',', 0, 0); }

// Reads a capture with tshark in one pass: every frame, with its SIP Call-IDs (a TCP segment can
// complete several messages: one value each), request methods, status codes, addresses, RTP SSRC.
// Wireshark finds SIP by content on any port (its sip_udp/sip_tcp heuristics) and RTP from the SDP.
// Limits, none of which the test's peers meet: a message/sip body adds its own Call-ID; the TCP
// heuristic misses a message whose start line is cut across segments; "sip/2.0" in lower case
// (valid, RFC 3261 7.1) is not SIP to Wireshark.
std::optional<Tally> tallyWithTshark(const QString &tshark, const QString &file, QString *error)
{
    QProcess p;
    p.setChildProcessModifier(detachChild);
    p.start(tshark,
        {u"-r"_s, file, u"-n"_s, u"-T"_s, u"fields"_s, u"-E"_s, u"occurrence=a"_s, u"-E"_s, u"aggregator=,"_s, u"-e"_s, u"frame.number"_s, u"-e"_s,
            u"sip.Call-ID"_s, u"-e"_s, u"sip.Method"_s, u"-e"_s, u"sip.Status-Code"_s, u"-e"_s, u"ip.src"_s, u"-e"_s, u"udp.srcport"_s, u"-e"_s,
            u"tcp.srcport"_s, u"-e"_s, u"ip.dst"_s, u"-e"_s, u"udp.dstport"_s, u"-e"_s, u"tcp.dstport"_s, u"-e"_s, u"rtp.ssrc"_s, u"-e"_s,
            u"_ws.col.Protocol"_s});
    if (!p.waitForStarted(10000) || !p.waitForFinished(60000) || p.exitStatus() != QProcess::NormalExit || p.exitCode() != 0) {
        p.kill();
        p.waitForFinished(5000);
        *error = u"tshark -r %1 failed: %2"_s.arg(file, QString::fromLocal8Bit(p.readAllStandardError()));
        return std::nullopt;
    }
    Tally t;
    for (const QByteArray &line : p.readAllStandardOutput().split('\n')) {
        if (line.isEmpty())
            continue;
        const QStringList f = QString::fromUtf8(line).split(u'\t');
        if (f.size() < 12) {
            *error = u"tshark printed an unexpected line: %1"_s.arg(QString::fromUtf8(line));
            return std::nullopt;
        }
        ++t.frames;
        const QString frame = f[0];
        const QString src = first(f[4]) + u':' + first(f[5].isEmpty() ? f[6] : f[5]);
        const QString dst = first(f[7]) + u':' + first(f[8].isEmpty() ? f[9] : f[8]);
        if (!f[1].isEmpty()) {
            const QStringList ids = f[1].split(u',');
            for (const QString &id : ids) {
                t.messages << u"frame %1: %2"_s.arg(frame, id);
                ++t.perCallId[id];
            }
            if (ids.size() > 1)
                t.multiMessageFrames << frame.toLongLong();
            for (const QString &column : {f[2], f[3]}) {
                for (const QString &kind : column.split(u',', Qt::SkipEmptyParts))
                    ++t.kinds[kind];
            }
            t.endpoints << src << dst;
        } else if (!f[10].isEmpty()) {
            for (const QString &ssrc : f[10].split(u','))
                t.rtp[streamKey(src, dst, ssrc.toUInt(nullptr, 16))] += 1;
        } else if (f[11].contains(u"SIP"_s)) {
            t.oddities << u"frame %1: %2 without a Call-ID"_s.arg(frame, f[11]);
        }
    }
    t.messages.sort();
    return t;
}

// The same from `dialscope ladder FILE --json --messages`.
std::optional<Tally> tallyWithDialscope(const DialscopeRun &run, QString *error)
{
    if (!run.finished || run.exitCode != 0 || !run.badLines.isEmpty() || run.result().isEmpty()) {
        *error = u"dialscope ladder did not import the capture:"_s + run.describe();
        return std::nullopt;
    }
    Tally t;
    t.frames = run.result().value(u"frames").toInteger();
    QMap<qint64, int> perFrame;
    for (const QJsonObject &e : run.eventsOf(u"sip"_s)) {
        const qint64 frame = e.value(u"frame").toInteger();
        t.messages << u"frame %1: %2"_s.arg(frame).arg(e.value(u"call_id").toString());
        ++perFrame[frame];
        ++t.kinds[kindOf(e.value(u"first_line").toString())];
        t.endpoints << e.value(u"src").toString() << e.value(u"dst").toString();
    }
    for (auto it = perFrame.cbegin(); it != perFrame.cend(); ++it) {
        if (it.value() > 1)
            t.multiMessageFrames << it.key();
    }
    for (const QJsonObject &e : run.eventsOf(u"call"_s))
        t.perCallId[e.value(u"call_id").toString()] += e.value(u"messages").toInt();
    for (const QJsonObject &e : run.eventsOf(u"media"_s)) {
        t.rtp[streamKey(e.value(u"src").toString(), e.value(u"dst").toString(), e.value(u"ssrc").toString().toUInt(nullptr, 16))]
            += e.value(u"packets").toInteger();
    }
    t.messages.sort();
    return t;
}

// True when a TCP socket listens on port of 127.0.0.1 (read from /proc/net/tcp, so that the probe
// does not open a connection the peer would see).
bool tcpListening(quint16 port)
{
    QFile f(u"/proc/net/tcp"_s);
    if (!f.open(QIODevice::ReadOnly))
        return false;
    const QByteArray local = "0100007F:" + QByteArray::number(port, 16).toUpper().rightJustified(4, '0');
    for (const QByteArray &line : f.readAll().split('\n')) {
        const QList<QByteArray> fields = line.simplified().split(' ');
        if (fields.size() > 3 && fields[1] == local && fields[3] == "0A") // TCP_LISTEN
            return true;
    }
    return false;
}

// An OPTIONS to the server itself (the registrar answers 200, see registrar.cfg).
QByteArray options(quint16 port, const QByteArray &callId)
{
    return "OPTIONS sip:127.0.0.1:" + QByteArray::number(port)
        + " SIP/2.0\r\n"
          "Via: SIP/2.0/TCP 127.0.0.1:9;rport;branch=z9hG4bK-"
        + callId
        + "\r\n"
          "Max-Forwards: 70\r\n"
          "From: <sip:ladder@127.0.0.1>;tag="
        + callId
        + "\r\n"
          "To: <sip:127.0.0.1>\r\n"
          "Call-ID: "
        + callId
        + "\r\n"
          "CSeq: 1 OPTIONS\r\n"
          "User-Agent: tst_ladder_capture\r\n"
          "Content-Length: 0\r\n\r\n";
}

// Two OPTIONS over one TCP connection, written so that the capture holds one message split over
// two segments, and one segment with the end of that message and the whole second one (RFC 3261
// 18.3: the stream is framed by Content-Length, not by segments). True once both got a response.
bool optionsInPieces(quint16 port, QString *error)
{
    const QByteArray tag = QByteArray::number(::getpid());
    const QByteArray a = options(port, "ladder-split-a-" + tag);
    const QByteArray b = options(port, "ladder-split-b-" + tag);
    QTcpSocket socket;
    socket.connectToHost(QHostAddress::LocalHost, port);
    if (!socket.waitForConnected(3000)) {
        *error = u"no TCP connection to 127.0.0.1:%1: %2"_s.arg(port).arg(socket.errorString());
        return false;
    }
    socket.setSocketOption(QAbstractSocket::LowDelayOption, 1);
    const qsizetype half = a.size() / 2;
    socket.write(a.left(half));
    socket.waitForBytesWritten(1000);
    QThread::msleep(20); // the first piece leaves alone, not corked with the rest
    socket.write(a.mid(half) + b);
    socket.waitForBytesWritten(1000);
    QByteArray replies;
    QDeadlineTimer deadline(5000);
    while (replies.count("SIP/2.0 200") < 2 && !deadline.hasExpired() && socket.waitForReadyRead(int(std::max<qint64>(1, deadline.remainingTime()))))
        replies += socket.readAll();
    socket.disconnectFromHost();
    if (socket.state() != QAbstractSocket::UnconnectedState)
        socket.waitForDisconnected(1000);
    if (replies.count("SIP/2.0 200") < 2) {
        *error = u"the registrar did not answer both OPTIONS over TCP; it sent:\n"_s + QString::fromUtf8(replies);
        return false;
    }
    return true;
}

QStringList ladderArgs(const QString &file, const QStringList &more) { return QStringList {u"ladder"_s, file} + more; }

} // namespace

// tshark capturing on lo into a pcapng file, as a peer process of one test case. Every packet's
// UDP ports are printed as tshark takes it in (-P), so a marker datagram that tshark shows tells
// that everything sent before it is in its hands: once at the start (tshark says "Capturing on"
// even when it then finds it may not), and at the end, since a capture stopped at once loses
// what the kernel still buffers.
class LoopbackCapture {
public:
    LoopbackCapture(QString tshark, QString file, QString logPath)
        : m_tshark(std::move(tshark))
        , m_file(std::move(file))
        , m_peer(u"tshark"_s, std::move(logPath))
    {
    }

    // Starts capturing what filter (BPF) lets through, plus the markers; returns once a marker
    // went through.
    bool start(const QString &filter, QString *error)
    {
        if (!m_marker.bind(QHostAddress::LocalHost, 0) || (m_markerPort = freePort(PortKind::Udp)) == 0) {
            *error = u"no UDP port for the capture's marker"_s;
            return false;
        }
        const QString bpf = u"(%1) or (udp src port %2 and dst port %3)"_s.arg(filter).arg(m_marker.localPort()).arg(m_markerPort);
        const QStringList args {u"-i"_s, u"lo"_s, u"-n"_s, u"-f"_s, bpf, u"-w"_s, m_file, u"-P"_s, u"-l"_s, u"-T"_s, u"fields"_s, u"-e"_s, u"udp.srcport"_s,
            u"-e"_s, u"udp.dstport"_s};
        if (!m_peer.start(m_tshark, args, QFileInfo(m_file).absolutePath(), {})) {
            *error = m_peer.errorString();
            return false;
        }
        const QDeadlineTimer deadline(20000);
        while (!readTextFile(m_peer.logPath()).contains(u"Capturing on '"_s)) {
            // waitForExit, not running(): QProcess notices an exit only while it waits.
            if (deadline.hasExpired() || m_peer.waitForExit(20))
                break;
        }
        if (!mark()) {
            *error = u"tshark is not capturing on lo: "_s + m_peer.commandLine() + u"\n--- its output:\n"_s + m_peer.logTail();
            m_peer.stop();
            return false;
        }
        return true;
    }

    // Marks the end, then stops tshark (SIGTERM: it closes the file).
    bool finish(QString *error)
    {
        const bool marked = mark();
        m_peer.stop(5000);
        if (!marked) {
            *error = u"tshark never showed the end-of-capture marker: "_s + m_peer.commandLine() + u"\n--- its output:\n"_s + m_peer.logTail();
            return false;
        }
        if (m_peer.exitCode() != 0 || !QFileInfo(m_file).isFile()) {
            *error = u"tshark exited with %1 and left no capture %2:\n"_s.arg(m_peer.exitCode()).arg(m_file) + m_peer.logTail();
            return false;
        }
        return true;
    }

    QString file() const { return m_file; }

private:
    // Sends a marker datagram every half second until tshark has shown one more than before.
    bool mark()
    {
        const QString line = u"\n%1\t%2\n"_s.arg(m_marker.localPort()).arg(m_markerPort);
        const qsizetype before = readTextFile(m_peer.logPath()).count(line);
        const QDeadlineTimer deadline(15000);
        while (m_peer.running() && !deadline.hasExpired()) {
            m_marker.writeDatagram("dialscope test: capture marker", QHostAddress::LocalHost, m_markerPort);
            for (int i = 0; i < 25; ++i) {
                if (m_peer.waitForExit(20))
                    return false;
                if (readTextFile(m_peer.logPath()).count(line) > before)
                    return true;
            }
        }
        return false;
    }

    QString m_tshark;
    QString m_file;
    PeerProcess m_peer;
    QUdpSocket m_marker;
    quint16 m_markerPort = 0;
};

class TstLadderCapture : public QObject {
    Q_OBJECT

private slots:
    void initTestCase();
    void cleanup();
    void cleanupTestCase();

    void registrations_data();
    void registrations();
    void callThroughKamailio_data();
    void callThroughKamailio();
    void sippCalls_data();
    void sippCalls();

private:
    QString caseDir() const;
    bool startCapture(const QString &filter);
    bool startKamailio();
    bool startSipp(PeerProcess &peer, const QStringList &args, quint16 port, bool tcp);
    void compareWithTshark(const QStringList &arrows, bool rtp);

    QString m_tshark;
    QString m_sipp;
    std::unique_ptr<QTemporaryDir> m_tmp;
    std::unique_ptr<KamailioRegistrar> m_kamailio;
    std::unique_ptr<LoopbackCapture> m_capture;
    std::optional<Tally> m_wire; // the case's capture as tshark read it
    QString m_error;
    QString m_details; // printed when the case fails: what was compared, where the capture is
    bool m_anyFailed = false;
};

void TstLadderCapture::initTestCase()
{
    m_tshark = findProgram(u"tshark"_s);
    if (m_tshark.isEmpty())
        QSKIP("tshark not found: install the Debian package tshark");
    m_sipp = findProgram(u"sipp"_s);
    if (m_sipp.isEmpty())
        QSKIP("sipp not found: install the Debian package sip-tester");
    m_tmp = std::make_unique<QTemporaryDir>(QDir::tempPath() + u"/dialscope-ladder-capture-XXXXXX"_s);
    QVERIFY(m_tmp->isValid());
    m_kamailio = std::make_unique<KamailioRegistrar>(m_tmp->path());
    if (const KamailioRegistrar::Result prepared = m_kamailio->prepare(); !prepared) {
        if (prepared.error().skip)
            QSKIP(qPrintable(prepared.error().message));
        QFAIL(qPrintable(prepared.error().message));
    }

    // Capturing on lo needs root or dumpcap's capabilities (Debian asks when wireshark-common is
    // installed: `dpkg-reconfigure wireshark-common`, then join the wireshark group).
    LoopbackCapture probe(m_tshark, m_tmp->path() + u"/probe.pcapng"_s, m_tmp->path() + u"/probe-tshark.log"_s);
    if (!probe.start(u"udp port 9"_s, &m_error))
        QSKIP(qPrintable(u"tshark cannot capture on lo here (it needs root or dumpcap's capabilities): "_s + m_error));
    QVERIFY2(QFileInfo::exists(QStringLiteral(DIALSCOPE_BIN)), "dialscope is not built at " DIALSCOPE_BIN);
}

void TstLadderCapture::cleanup()
{
    if (QTest::currentTestFailed()) {
        m_anyFailed = true;
        qWarning().noquote() << m_details;
        if (m_kamailio && !m_kamailio->logTail(2000).isEmpty())
            qWarning().noquote() << "--- Kamailio:\n" << m_kamailio->logTail(2000);
    }
    m_capture.reset();
    if (m_kamailio)
        m_kamailio->stop();
    m_wire.reset();
    m_details.clear();
}

void TstLadderCapture::cleanupTestCase()
{
    m_capture.reset();
    m_kamailio.reset();
    if (m_tmp && m_anyFailed) {
        m_tmp->setAutoRemove(false);
        qInfo().noquote() << "kept the captures, tshark's and the peers' logs in" << m_tmp->path();
    }
}

QString TstLadderCapture::caseDir() const { return testCaseDir(m_tmp->path()); }

bool TstLadderCapture::startCapture(const QString &filter)
{
    m_capture = std::make_unique<LoopbackCapture>(m_tshark, caseDir() + u"/capture.pcapng"_s, caseDir() + u"/tshark.log"_s);
    m_details = u"capture: "_s + m_capture->file();
    return m_capture->start(filter, &m_error);
}

bool TstLadderCapture::startKamailio()
{
    const KamailioRegistrar::Result started = m_kamailio->start(u"MD5"_s, {kAlice, kBob}, caseDir());
    if (!started)
        m_error = started.error().message;
    return started.has_value();
}

// Starts SIPp with args and waits until it listens on port (UDP, or TCP when tcp).
bool TstLadderCapture::startSipp(PeerProcess &peer, const QStringList &args, quint16 port, bool tcp)
{
    const QList<ReadyProbe> probes = tcp ? QList<ReadyProbe> {} : QList<ReadyProbe> {{ReadyProbe::UdpBound, port}};
    if (!peer.start(m_sipp, args, caseDir(), probes)) {
        m_error = peer.errorString();
        return false;
    }
    const QDeadlineTimer deadline(10000);
    while (tcp && !tcpListening(port)) {
        if (!peer.running() || deadline.hasExpired()) {
            m_error = u"SIPp does not listen on TCP port %1: %2\n"_s.arg(port).arg(peer.commandLine()) + peer.logTail();
            return false;
        }
        QThread::msleep(20);
    }
    return true;
}

// Stops the capture, reads it with tshark and with `dialscope ladder`, and compares: every SIP
// message (by the frame that completed it and its Call-ID), the messages of each Call-ID, the
// kinds of message, the endpoints, the RTP streams (when rtp) and the frames; then the text
// ladder (arrows labelled with each word of arrows) and --call for the busiest Call-ID. What
// tshark read stays in m_wire.
void TstLadderCapture::compareWithTshark(const QStringList &arrows, bool rtp)
{
    QVERIFY2(m_capture->finish(&m_error), qPrintable(m_error));
    const QString file = m_capture->file();
    m_wire = tallyWithTshark(m_tshark, file, &m_error);
    QVERIFY2(m_wire, qPrintable(m_error));
    const Tally *tshark = &*m_wire;
    const DialscopeRun run = runDialscope(ladderArgs(file, {u"--json"_s, u"--messages"_s}));
    const std::optional<Tally> ds = tallyWithDialscope(run, &m_error);
    QVERIFY2(ds, qPrintable(m_error));
    const QJsonObject result = run.result();
    m_details += u"\ntshark read %1 SIP messages in %2 Call-IDs, %3 RTP packets; dialscope's result: %4"_s.arg(tshark->messages.size())
                     .arg(tshark->perCallId.size())
                     .arg(tshark->rtpPackets())
                     .arg(QString::fromUtf8(QJsonDocument(result).toJson(QJsonDocument::Compact)));
    if (!tshark->oddities.isEmpty())
        m_details += u"\ntshark's SIP frames without a Call-ID (keep-alives?), not compared:\n  "_s + tshark->oddities.join(u"\n  "_s);
    QVERIFY2(!tshark->messages.isEmpty(), "tshark found no SIP message in the capture");

    QCOMPARE(result.value(u"outcome").toString(), u"ok"_s);
    QCOMPARE(result.value(u"truncated").toInteger(), 0);
    QCOMPARE(result.value(u"garbage").toInteger(), 0);
    QCOMPARE(result.value(u"frames").toInteger(), tshark->frames);
    QVERIFY2(ds->messages == tshark->messages, qPrintable(u"the SIP messages differ"_s + difference(tshark->messages, ds->messages)));
    QCOMPARE(result.value(u"messages").toInteger(), qint64(tshark->messages.size()));
    QVERIFY2(
        ds->perCallId == tshark->perCallId, qPrintable(u"the messages per Call-ID differ"_s + difference(entries(tshark->perCallId), entries(ds->perCallId))));
    QCOMPARE(result.value(u"call_ids").toInteger(), qint64(tshark->perCallId.size()));
    QVERIFY2(ds->kinds == tshark->kinds, qPrintable(u"the kinds of message differ"_s + difference(entries(tshark->kinds), entries(ds->kinds))));
    QVERIFY2(ds->endpoints == tshark->endpoints, qPrintable(u"the endpoints differ"_s + difference(tshark->endpoints.values(), ds->endpoints.values())));
    QCOMPARE(result.value(u"endpoints").toInteger(), qint64(tshark->endpoints.size()));
    QVERIFY2(ds->multiMessageFrames == tshark->multiMessageFrames, "the frames holding several SIP messages differ");
    if (rtp) {
        QVERIFY2(tshark->rtp.size() >= 2, qPrintable(u"tshark found fewer than two RTP streams:\n"_s + entries(tshark->rtp).join(u'\n')));
        for (const qint64 packets : tshark->rtp)
            QVERIFY2(packets > 50, qPrintable(u"an RTP stream has few packets:\n"_s + entries(tshark->rtp).join(u'\n')));
    }
    QVERIFY2(ds->rtp == tshark->rtp, qPrintable(u"the RTP streams differ"_s + difference(entries(tshark->rtp), entries(ds->rtp))));
    QCOMPARE(result.value(u"rtp_packets").toInteger(), tshark->rtpPackets());
    QCOMPARE(result.value(u"rtp_streams").toInteger(), qint64(tshark->rtp.size()));

    // The text ladder: a line per message, each an arrow between two lifelines.
    const DialscopeRun text = runDialscope(ladderArgs(file, {u"--text"_s}));
    QVERIFY2(text.finished && text.exitCode == 0, qPrintable(text.describe()));
    const QStringList lines = QString::fromUtf8(text.out).split(u'\n');
    for (const QString &word : arrows) {
        const bool drawn = std::any_of(lines.cbegin(), lines.cend(), [&word](const QString &l) {
            return l.contains(word) && (l.contains(u"->"_s) || l.contains(u"<-"_s) || l.contains(u".>"_s) || l.contains(u"<."_s));
        });
        QVERIFY2(drawn, qPrintable(u"no %1 arrow in the text ladder:\n"_s.arg(word) + text.describe()));
    }

    // --call: only that Call-ID's messages.
    QString busiest;
    for (auto it = tshark->perCallId.cbegin(); it != tshark->perCallId.cend(); ++it) {
        if (busiest.isEmpty() || it.value() > tshark->perCallId.value(busiest))
            busiest = it.key();
    }
    const DialscopeRun one = runDialscope(ladderArgs(file, {u"--json"_s, u"--call"_s, busiest}));
    QVERIFY2(one.finished && one.exitCode == 0 && !one.result().isEmpty(), qPrintable(one.describe()));
    QCOMPARE(one.result().value(u"messages").toInteger(), qint64(tshark->perCallId.value(busiest)));
    QCOMPARE(one.result().value(u"call_ids").toInteger(), 1);
    const QList<QJsonObject> calls = one.eventsOf(u"call"_s);
    QCOMPARE(calls.size(), 1);
    QCOMPARE(calls.first().value(u"call_id").toString(), busiest);
}

void TstLadderCapture::registrations_data()
{
    QTest::addColumn<QString>("transport");
    QTest::newRow("udp") << u"udp"_s;
    QTest::newRow("tcp") << u"tcp"_s;
}

// Alice registers, then registers with a wrong password (401 twice), then OPTIONS: over UDP, or
// over TCP, where two of the OPTIONS are cut across segments on purpose.
void TstLadderCapture::registrations()
{
    QFETCH(QString, transport);
    QVERIFY2(startKamailio(), qPrintable(m_error));
    const quint16 port = m_kamailio->udpPort(); // TCP has the same number
    QVERIFY2(startCapture(u"port %1"_s.arg(port)), qPrintable(m_error));

    const QStringList common {
        u"register"_s, u"127.0.0.1:%1"_s.arg(port), u"--transport"_s, transport, u"--user"_s, kAlice.user, u"--json"_s, u"--timeout"_s, u"20"_s};
    const DialscopeRun ok = runDialscope(QStringList(common) << u"--password"_s << kAlice.password);
    QVERIFY2(ok.finished && ok.exitCode == 0, qPrintable(ok.describe()));
    const DialscopeRun wrong = runDialscope(QStringList(common) << u"--password"_s << u"not-alices-password"_s);
    QVERIFY2(wrong.finished && wrong.exitCode == 1, qPrintable(wrong.describe()));
    QVERIFY2(sipOptionsAnswered(port, transport == u"tcp"), "the registrar did not answer OPTIONS");
    if (transport == u"tcp")
        QVERIFY2(optionsInPieces(port, &m_error), qPrintable(m_error));

    compareWithTshark({u"REGISTER"_s, u"OPTIONS"_s}, false);
    if (QTest::currentTestFailed())
        return;
    const Tally *tshark = &*m_wire;
    QVERIFY2(tshark->kinds.value(u"401"_s) >= 3, qPrintable(entries(tshark->kinds).join(u'\n'))); // one for the good password, two for the wrong
    QVERIFY2(tshark->kinds.value(u"OPTIONS"_s) >= 1, qPrintable(entries(tshark->kinds).join(u'\n')));
    if (transport == u"tcp")
        QVERIFY2(!tshark->multiMessageFrames.isEmpty(), "no TCP segment held two SIP messages");
}

void TstLadderCapture::callThroughKamailio_data() { registrations_data(); }

// Bob (`dialscope answer`) registered at Kamailio; alice (`dialscope call`) calls him through it
// (INVITE challenged with 407) and sends a tone for two seconds: RTP in both directions, found
// from SDP bodies that came over UDP, or out of TCP streams.
void TstLadderCapture::callThroughKamailio()
{
    QFETCH(QString, transport);
    QVERIFY2(startKamailio(), qPrintable(m_error));
    const QStringList common {u"--server"_s, u"127.0.0.1:%1"_s.arg(m_kamailio->udpPort()), u"--transport"_s, transport, u"--codecs"_s, u"PCMU"_s, u"--json"_s,
        u"--timeout"_s, u"30"_s};
    QVERIFY2(startCapture(u"port %1 or %2"_s.arg(m_kamailio->udpPort()).arg(kRtpPorts)), qPrintable(m_error));

    DialscopeProcess answerer(QStringList {u"answer"_s, u"--user"_s, kBob.user, u"--password"_s, kBob.password, u"--tone"_s, u"440"_s} + common);
    QVERIFY2(answerer.start(), qPrintable(answerer.describe()));
    bool registered = false;
    const bool listening = answerer.waitFor(
        [&registered](const QJsonObject &e) {
            const QString kind = e.value(u"event").toString();
            registered = registered || (kind == u"registration" && e.value(u"state").toString() == u"registered");
            return registered && kind == u"finding" && e.value(u"text").toString().startsWith(u"waiting for calls");
        },
        10000);
    QVERIFY2(listening, qPrintable(answerer.describe()));

    const DialscopeRun call = runDialscope(
        QStringList {u"call"_s, kBob.user, u"--user"_s, kAlice.user, u"--password"_s, kAlice.password, u"--tone"_s, u"1000"_s, u"--duration"_s, u"2"_s}
            + common,
        {}, 40000);
    QVERIFY2(call.finished && call.exitCode == 0, qPrintable(call.describe()));
    QVERIFY2(answerer.waitFinished(10000), qPrintable(answerer.describe()));
    QCOMPARE(answerer.run().exitCode, 0);

    compareWithTshark({u"REGISTER"_s, u"INVITE"_s, u"BYE"_s}, true);
}

void TstLadderCapture::sippCalls_data()
{
    QTest::addColumn<bool>("tcp");
    QTest::newRow("udp") << false;
    QTest::newRow("tcp, one connection") << true;
}

// SIPp's built-in UAC calls its built-in UAS directly, twenty calls at ten a second: many
// Call-IDs. Over UDP the UAS listens on 7777 when that is free: nothing but content says SIP.
void TstLadderCapture::sippCalls()
{
    QFETCH(bool, tcp);
    const PortKind kind = tcp ? PortKind::Tcp : PortKind::Udp;
    quint16 uasPort = 0;
    if (!tcp) {
        QUdpSocket probe;
        if (probe.bind(QHostAddress::LocalHost, 7777))
            uasPort = 7777;
    }
    if (uasPort == 0)
        uasPort = freePort(kind);
    const quint16 uacPort = freePort(kind);
    const quint16 uasMedia = freeUdpPortPair(), uacMedia = freeUdpPortPair(); // SIPp binds -mp and -mp + 2
    const quint16 uasControl = freePort(PortKind::Udp), uacControl = freePort(PortKind::Udp);
    QVERIFY(uasPort && uacPort && uasMedia && uacMedia && uasControl && uacControl);
    const QString dir = caseDir();
    const QString mode = tcp ? u"t1"_s : u"u1"_s;

    PeerProcess uas(u"sipp uas"_s, dir + u"/sipp-uas.log"_s);
    QVERIFY2(startSipp(uas,
                 {u"-sn"_s, u"uas"_s, u"-i"_s, u"127.0.0.1"_s, u"-p"_s, QString::number(uasPort), u"-t"_s, mode, u"-mp"_s, QString::number(uasMedia), u"-cp"_s,
                     QString::number(uasControl), u"-nostdin"_s, u"-trace_err"_s, u"-error_file"_s, dir + u"/sipp-uas-errors.log"_s},
                 uasPort, tcp),
        qPrintable(m_error));
    QVERIFY2(startCapture(u"port %1"_s.arg(uasPort)), qPrintable(m_error));

    QString log;
    const bool ran = runTool(m_sipp,
        {u"-sn"_s, u"uac"_s, u"127.0.0.1:%1"_s.arg(uasPort), u"-i"_s, u"127.0.0.1"_s, u"-p"_s, QString::number(uacPort), u"-t"_s, mode, u"-mp"_s,
            QString::number(uacMedia), u"-cp"_s, QString::number(uacControl), u"-m"_s, QString::number(kSippCalls), u"-r"_s, u"10"_s, u"-nostdin"_s,
            u"-timeout"_s, u"30"_s, u"-trace_err"_s, u"-error_file"_s, dir + u"/sipp-uac-errors.log"_s},
        dir, &log, 40000);
    QVERIFY2(ran, qPrintable(u"SIPp's UAC did not complete its calls:\n"_s + log.right(3000) + readTextFile(dir + u"/sipp-uac-errors.log"_s).right(2000)));

    compareWithTshark({u"INVITE"_s, u"BYE"_s}, false);
    if (QTest::currentTestFailed())
        return;
    const Tally *tshark = &*m_wire;
    QCOMPARE(tshark->perCallId.size(), kSippCalls);
    QVERIFY2(tshark->kinds.value(u"INVITE"_s) >= kSippCalls, qPrintable(entries(tshark->kinds).join(u'\n')));
}

QTEST_GUILESS_MAIN(TstLadderCapture)
#include "tst_ladder_capture.moc"
