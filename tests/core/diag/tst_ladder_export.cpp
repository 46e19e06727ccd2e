// The ladder's exports: JSON document, HTML page, ZIP bundle container, and captures — our own
// trace synthesised into packets, a capture's subset copied frame for frame — read back.

#include "diag/call_bundle.h"
#include "diag/capture_import.h"
#include "diag/capture_writer.h"
#include "diag/ladder_export.h"
#include "diag/ladder_html.h"
#include "diag/ladder_json.h"
#include "diag/zip_writer.h"

#include <QBuffer>
#include <QDateTime>
#include <QFileInfo>
#include <QHostAddress>
#include <QJsonArray>
#include <QJsonDocument>
#include <QProcess>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>

using namespace ds;
using namespace ds::diag;

namespace {

QByteArray crlf(QByteArray text) { return text.replace("\r\n", "\n").replace("\n", "\r\n"); }

QByteArray invite(const QByteArray &callId, const QByteArray &branch)
{
    const QByteArray sdp = crlf("v=0\no=- 1 1 IN IP4 192.0.2.10\ns=-\nc=IN IP4 192.0.2.10\nt=0 0\nm=audio 4000 RTP/AVP 0 8\na=sendrecv\n");
    return crlf("INVITE sip:bob@192.0.2.20 SIP/2.0\nVia: SIP/2.0/UDP 192.0.2.10:5060;branch=" + branch
               + "\nFrom: <sip:alice@example.com>;tag=a1\nTo: <sip:bob@example.com>\nCall-ID: " + callId
               + "\nCSeq: 1 INVITE\nContact: <sip:alice@192.0.2.10>\nContent-Type: application/sdp\nContent-Length: " + QByteArray::number(sdp.size()) + "\n\n")
        + sdp;
}

QByteArray response(const QByteArray &status, const QByteArray &callId, const QByteArray &branch, const QByteArray &method = "INVITE")
{
    return crlf("SIP/2.0 " + status + "\nVia: SIP/2.0/UDP 192.0.2.10:5060;branch=" + branch
        + "\nFrom: <sip:alice@example.com>;tag=a1\nTo: <sip:bob@example.com>;tag=b1\nCall-ID: " + callId + "\nCSeq: 1 " + method + "\nContent-Length: 0\n\n");
}

NetAddress v4(quint8 last, quint16 port)
{
    NetAddress a;
    a.ip = {192, 0, 2, last};
    a.port = port;
    return a;
}

// Two calls, three messages each, between 192.0.2.10 and 192.0.2.20.
void fill(TraceStore &store)
{
    qint64 t = 1'700'000'000'000'000;
    for (const QByteArray &id : {QByteArray("call-one@192.0.2.10"), QByteArray("call-two@192.0.2.10")}) {
        const QByteArray branch = "z9hG4bK-" + id.left(8);
        store.append(t += 1000, sip::TransportKind::Udp, v4(10, 5060), v4(20, 5060), invite(id, branch), 0);
        store.append(t += 1000, sip::TransportKind::Udp, v4(20, 5060), v4(10, 5060), response("180 Ringing", id, branch), 0);
        store.append(t += 1000, sip::TransportKind::Udp, v4(20, 5060), v4(10, 5060), response("486 Busy Here", id, branch), 0);
    }
}

} // namespace

class TstLadderExport : public QObject {
    Q_OBJECT
private slots:
    void crcKnownAnswer()
    {
        QCOMPARE(crc32("123456789"), 0xCBF43926u); // the check value of CRC-32/ISO-HDLC
        QCOMPARE(crc32(""), 0u);
    }

    void zipReadByUnzip()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("b.zip"));
        QFile f(path);
        QVERIFY(f.open(QIODevice::WriteOnly));
        ZipWriter zip(f);
        QVERIFY(zip.add(QStringLiteral("ladder.html"), "<html>ladder</html>"));
        QVERIFY(zip.add(QStringLiteral("sub/empty.txt"), ""));
        QByteArray big(300000, 'x');
        for (int i = 0; i < big.size(); i += 7)
            big[i] = char(i);
        QVERIFY(zip.add(QStringLiteral("capture.pcapng"), big));
        QVERIFY(!zip.add(QStringLiteral("../escape"), "no"));
        QVERIFY(!zip.errorString().isEmpty());
        QVERIFY(zip.finish());
        f.close();
        const QString unzip = QStandardPaths::findExecutable(QStringLiteral("unzip"));
        if (unzip.isEmpty())
            QSKIP("unzip is not installed (Debian package unzip)");
        QProcess p;
        p.start(unzip, {QStringLiteral("-t"), path});
        QVERIFY(p.waitForFinished(20000));
        const QByteArray out = p.readAllStandardOutput();
        QVERIFY2(p.exitCode() == 0, out.constData());
        QVERIFY(out.contains("No errors detected"));
        p.start(unzip, {QStringLiteral("-p"), path, QStringLiteral("capture.pcapng")});
        QVERIFY(p.waitForFinished(20000));
        QCOMPARE(p.readAllStandardOutput(), big);
    }

    void jsonDocument()
    {
        TraceStore store;
        fill(store);
        LadderModel model(store);
        model.update();
        QBuffer buf;
        buf.open(QIODevice::WriteOnly);
        QVERIFY(writeLadderJson(model, buf).has_value());
        QJsonParseError error;
        const QJsonDocument doc = QJsonDocument::fromJson(buf.data(), &error);
        QVERIFY2(error.error == QJsonParseError::NoError, qPrintable(error.errorString()));
        QCOMPARE(doc[QStringLiteral("messages")].toArray().size(), 6);
        QCOMPARE(doc[QStringLiteral("calls")].toArray().size(), 2);
        QCOMPARE(doc[QStringLiteral("endpoints")].toArray().size(), 2);
        const QJsonObject first = doc[QStringLiteral("messages")].toArray().first().toObject();
        QCOMPARE(first[QStringLiteral("first_line")].toString(), QStringLiteral("INVITE sip:bob@192.0.2.20 SIP/2.0"));
        QCOMPARE(first[QStringLiteral("src")].toString(), QStringLiteral("192.0.2.10:5060"));
        QCOMPARE(first[QStringLiteral("raw")].toString().toUtf8(), store.raw(0).toByteArray());
        const QJsonObject call = doc[QStringLiteral("calls")].toArray().first().toObject();
        QCOMPARE(call[QStringLiteral("state")].toString(), QStringLiteral("busy (486)"));
        QCOMPARE(call[QStringLiteral("messages")].toInt(), 3);

        // The filter applies: one call only.
        LadderFilter f;
        f.calls.insert(1);
        model.setFilter(f);
        QBuffer one;
        one.open(QIODevice::WriteOnly);
        QVERIFY(writeLadderJson(model, one).has_value());
        const QJsonDocument doc1 = QJsonDocument::fromJson(one.data());
        QCOMPARE(doc1[QStringLiteral("messages")].toArray().size(), 3);
        QCOMPARE(doc1[QStringLiteral("calls")].toArray().first()[QStringLiteral("call_id")].toString(), QStringLiteral("call-two@192.0.2.10"));
    }

    // The call list's words for a registration: registered, or unregistered after Expires: 0
    // or a contact with expires=0 (RFC 3261 10.2.2).
    void registrationStates_data()
    {
        QTest::addColumn<QByteArray>("headers");
        QTest::addColumn<QString>("state");
        QTest::newRow("register") << QByteArray("Contact: <sip:a@192.0.2.10>\nExpires: 300\n") << QStringLiteral("registered");
        QTest::newRow("expires 0") << QByteArray("Contact: <sip:a@192.0.2.10>\nExpires: 0\n") << QStringLiteral("unregistered");
        QTest::newRow("contact expires=0") << QByteArray("Contact: <sip:a@192.0.2.10>;expires=0\n") << QStringLiteral("unregistered");
        QTest::newRow("contact expires=05") << QByteArray("Contact: <sip:a@192.0.2.10>;expires=05\n") << QStringLiteral("registered");
        QTest::newRow("wildcard") << QByteArray("Contact: *\nExpires: 0\n") << QStringLiteral("unregistered");
    }
    void registrationStates()
    {
        QFETCH(QByteArray, headers);
        QFETCH(QString, state);
        TraceStore store;
        const QByteArray head = "Via: SIP/2.0/UDP 192.0.2.10:5060;branch=z9hG4bKr1\nFrom: <sip:a@example.com>;tag=f\nTo: <sip:a@example.com>\nCall-ID: "
                                "reg@192.0.2.10\nCSeq: 1 REGISTER\n";
        store.append(1'000'000, sip::TransportKind::Udp, v4(10, 5060), v4(20, 5060),
            crlf("REGISTER sip:example.com SIP/2.0\n" + head + headers + "Content-Length: 0\n\n"), 0);
        store.append(1'010'000, sip::TransportKind::Udp, v4(20, 5060), v4(10, 5060), crlf("SIP/2.0 200 OK\n" + head + "Content-Length: 0\n\n"), 0);
        LadderModel model(store);
        model.update();
        QCOMPARE(model.callSummary(0).state, state);
    }

    void htmlPage()
    {
        TraceStore store;
        fill(store);
        const QByteArray evil = crlf("OPTIONS sip:x@192.0.2.20 SIP/2.0\nVia: SIP/2.0/UDP 192.0.2.10;branch=z9hG4bKe\nFrom: "
                                     "<sip:a@b>;tag=1\nTo: <sip:x@192.0.2.20>\nCall-ID: <script>alert(1)</script>\nCSeq: 1 OPTIONS\nContent-Length: 0\n\n");
        store.append(1'700'000'000'100'000, sip::TransportKind::Udp, v4(10, 5060), v4(20, 5060), evil, 0);
        LadderModel model(store);
        model.update();
        const QByteArray html = renderHtmlLadder(model, QStringLiteral("two calls"));
        QVERIFY(html.startsWith("<!DOCTYPE html>"));
        QCOMPARE(html.count("<g class='msg"), 7);
        QVERIFY(html.contains("486 Busy Here"));
        QVERIFY(html.contains("INVITE sip:bob@192.0.2.20 SIP/2.0"));
        QVERIFY(!html.contains("<script>alert(1)</script>")); // the raw text is escaped
        QVERIFY(html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"));
        const QByteArray cut = renderHtmlLadder(model, QStringLiteral("cut"), 2);
        QCOMPARE(cut.count("<g class='msg"), 2);
        QVERIFY(cut.contains("5 more messages are left out"));
    }

    void ownTraceSynthesisedAndReadBack_data()
    {
        QTest::addColumn<bool>("pcapng");
        QTest::newRow("pcap") << false;
        QTest::newRow("pcapng") << true;
    }
    void ownTraceSynthesisedAndReadBack()
    {
        QFETCH(bool, pcapng);
        TraceStore store;
        fill(store);
        LadderModel model(store);
        model.update();
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("own.cap"));
        CaptureExportOptions options;
        options.format = pcapng ? CaptureWriter::Format::Pcapng : CaptureWriter::Format::Pcap;
        if (pcapng)
            options.comment = QStringLiteral("SRTP keys: none");
        const auto written = exportCapture(model, path, options);
        QVERIFY2(written.has_value(), written ? "" : qPrintable(written.error()));
        QCOMPARE(*written, quint64(6));
        TraceStore back;
        RtpTracker rtp;
        const auto imported = importCapture(path, back, rtp);
        QVERIFY2(imported.has_value(), imported ? "" : qPrintable(imported.error().text));
        QCOMPARE(back.size(), store.size());
        for (quint32 i = 0; i < store.size(); ++i) {
            QCOMPARE(back.raw(i).toByteArray(), store.raw(i).toByteArray());
            QCOMPARE(back.record(i).timeUs, store.record(i).timeUs);
            QCOMPARE(back.endpoint(back.record(i).src), store.endpoint(store.record(i).src));
        }
    }

    // An export never overwrites the capture it copies frames from; the JSON of a call is valid
    // whatever bytes its Call-ID holds.
    void exportOntoItsSourceIsRefused()
    {
        QTemporaryDir dir;
        const QString source = dir.filePath(QStringLiteral("src.pcap"));
        {
            TraceStore own;
            fill(own);
            LadderModel m(own);
            m.update();
            CaptureExportOptions o;
            o.format = CaptureWriter::Format::Pcap;
            QVERIFY(exportCapture(m, source, o).has_value());
        }
        const qint64 size = QFileInfo(source).size();
        TraceStore store;
        RtpTracker rtp;
        QVERIFY(importCapture(source, store, rtp).has_value());
        LadderModel model(store);
        model.update();
        CaptureExportOptions options;
        options.format = CaptureWriter::Format::Pcap;
        options.sourceCapture = source;
        const auto written = exportCapture(model, dir.path() + QStringLiteral("/./src.pcap"), options);
        QVERIFY(!written.has_value());
        QVERIFY2(written.error().contains(u"exported from"), qPrintable(written.error()));
        QCOMPARE(QFileInfo(source).size(), size);
    }

    // Our TLS connection carried two calls; the export of one call must not hand out the
    // connection's encrypted packets with its keys (they would reveal the other call): its
    // messages go out as plain text, and no secret is written.
    void oneCallOfASharedTlsConnection()
    {
        TraceStore store;
        auto event = [](const QByteArray &raw, qint64 ms) {
            sip::TraceEvent e;
            e.direction = sip::TraceEvent::Direction::Out;
            e.time = QDateTime::fromMSecsSinceEpoch(ms);
            e.transport = sip::TransportKind::Tls;
            e.local = {QHostAddress(QStringLiteral("192.0.2.10")), 40000};
            e.remote = {QHostAddress(QStringLiteral("192.0.2.20")), 5061};
            e.raw = raw;
            return e;
        };
        store.append(event(invite("one@x", "z9hG4bK1"), 1000));
        store.append(event(invite("two@x", "z9hG4bK2"), 2000));
        WireLog wire;
        QByteArray hello(60, '\x01');
        hello[0] = 0x16;
        hello[5] = 0x01;
        wire.add({true, sip::TransportKind::Tls, {QHostAddress(QStringLiteral("192.0.2.10")), 40000}, {QHostAddress(QStringLiteral("192.0.2.20")), 5061}, hello,
            500'000});
        wire.addKeyLogLine("CLIENT_RANDOM " + hello.mid(11, 32).toHex() + " 00");
        LadderModel model(store);
        model.update();
        LadderFilter f;
        f.calls.insert(0);
        model.setFilter(f);
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("one.pcapng"));
        CaptureExportOptions options;
        options.wire = &wire;
        QVERIFY(exportCapture(model, path, options).has_value());
        QFile file(path);
        QVERIFY(file.open(QIODevice::ReadOnly));
        const QByteArray bytes = file.readAll();
        QVERIFY(bytes.contains("Call-ID: one@x"));
        QVERIFY(!bytes.contains("Call-ID: two@x"));
        QVERIFY2(!bytes.contains("CLIENT_RANDOM"), "the key log of a connection not written whole was exported");
        // Both calls shown: the real packets and the key go out instead of the plain text.
        model.setFilter({});
        QVERIFY(exportCapture(model, path, options).has_value());
        file.close();
        QVERIFY(file.open(QIODevice::ReadOnly));
        const QByteArray whole = file.readAll();
        QVERIFY(whole.contains("CLIENT_RANDOM"));
        QVERIFY(!whole.contains("Call-ID: one@x"));
    }

    void callJsonWithInvalidUtf8()
    {
        TraceStore store;
        store.append(1'000'000, sip::TransportKind::Udp, v4(10, 5060), v4(20, 5060), invite("bad\xff\xfe\"id\x01@x", "z9hG4bKu"), 0);
        LadderModel model(store);
        model.update();
        const QByteArray line = callJsonLine(model, 0, 1.5);
        QJsonParseError error;
        const QJsonDocument doc = QJsonDocument::fromJson(line, &error);
        QVERIFY2(error.error == QJsonParseError::NoError, line.constData());
        QVERIFY(doc[QStringLiteral("call_id")].toString().startsWith(u"bad\ufffd"));
        QCOMPARE(callJson(model, 0)[QStringLiteral("messages")].toInt(), 1);
    }

    // The one-call bundle: the call's packets, timeline, ladders, recordings and a README in one
    // ZIP that unzip reads; the other call stays out.
    void callBundle()
    {
        const QString unzip = QStandardPaths::findExecutable(QStringLiteral("unzip"));
        if (unzip.isEmpty())
            QSKIP("unzip is not installed (Debian package unzip)");
        TraceStore store;
        fill(store);
        QTemporaryDir dir;
        const QString sent = dir.filePath(QStringLiteral("call-two-sent.wav"));
        QFile wav(sent);
        QVERIFY(wav.open(QIODevice::WriteOnly));
        wav.write("RIFF....WAVE");
        wav.close();
        BundleInputs inputs;
        inputs.audioFiles = {sent, dir.filePath(QStringLiteral("call-two-received.wav"))};
        const QString zip = dir.filePath(QStringLiteral("bundle.zip"));
        const auto written = writeCallBundle(store, nullptr, *store.findCall("call-two@192.0.2.10"), zip, inputs);
        QVERIFY2(written.has_value(), written ? "" : qPrintable(written.error()));
        QProcess p;
        p.start(unzip, {QStringLiteral("-Z1"), zip});
        QVERIFY(p.waitForFinished(20000));
        const QStringList names = QString::fromUtf8(p.readAllStandardOutput()).split(QLatin1Char('\n'), Qt::SkipEmptyParts);
        QCOMPARE(names,
            (QStringList {QStringLiteral("capture.pcapng"), QStringLiteral("timeline.json"), QStringLiteral("ladder.html"), QStringLiteral("ladder.txt"),
                QStringLiteral("audio/call-two-sent.wav"), QStringLiteral("README.txt")}));
        QVERIFY(QProcess::execute(unzip, {QStringLiteral("-q"), zip, QStringLiteral("-d"), dir.filePath(QStringLiteral("x"))}) == 0);
        TraceStore back;
        RtpTracker rtp;
        QVERIFY(importCapture(dir.filePath(QStringLiteral("x/capture.pcapng")), back, rtp).has_value());
        QCOMPARE(back.size(), 3u);
        QCOMPARE(back.callId(0).toByteArray(), QByteArray("call-two@192.0.2.10"));
        QFile readme(dir.filePath(QStringLiteral("x/README.txt")));
        QVERIFY(readme.open(QIODevice::ReadOnly));
        const QByteArray text = readme.readAll();
        QVERIFY2(text.contains("Call-ID: call-two@192.0.2.10") && text.contains("call-two-received.wav was not found"), text.constData());
    }

    void captureSubsetKeepsOriginalFrames()
    {
        // A "real" capture: two calls with RTP between them, then the ladder of one call exported.
        QTemporaryDir dir;
        const QString source = dir.filePath(QStringLiteral("source.pcap"));
        {
            auto w = CaptureWriter::open(source, CaptureWriter::Format::Pcap);
            QVERIFY(w.has_value());
            TraceStore store;
            fill(store);
            for (quint32 i = 0; i < store.size(); ++i) {
                const MessageRecord &r = store.record(i);
                CaptureAddress s, d;
                s.ip = store.endpoint(r.src).ip, s.port = store.endpoint(r.src).port;
                d.ip = store.endpoint(r.dst).ip, d.port = store.endpoint(r.dst).port;
                QVERIFY((*w)->writeMessage(r.timeUs, sip::TransportKind::Udp, s, d, store.raw(i)));
                QByteArray rtp(172, '\0'); // not SIP: must not be copied
                rtp[0] = char(0x80);
                CaptureAddress rs = s, rd = d;
                rs.port = 4000, rd.port = 4002;
                QVERIFY((*w)->writeMessage(r.timeUs + 10, sip::TransportKind::Udp, rs, rd, rtp));
            }
            QVERIFY((*w)->flush());
        }
        TraceStore store;
        RtpTracker rtp;
        QVERIFY(importCapture(source, store, rtp).has_value());
        QCOMPARE(store.size(), 6u);
        LadderModel model(store, &rtp);
        model.update();
        LadderFilter f;
        f.calls.insert(*store.findCall("call-two@192.0.2.10"));
        model.setFilter(f);
        const QString out = dir.filePath(QStringLiteral("call-two.pcap"));
        CaptureExportOptions options;
        options.format = CaptureWriter::Format::Pcap;
        options.sourceCapture = source;
        const auto written = exportCapture(model, out, options);
        QVERIFY2(written.has_value(), written ? "" : qPrintable(written.error()));
        QCOMPARE(*written, quint64(3));
        TraceStore back;
        RtpTracker rtpBack;
        const auto imported = importCapture(out, back, rtpBack);
        QVERIFY(imported.has_value());
        QCOMPARE(imported->counts.frames, quint64(3));
        QCOMPARE(back.size(), 3u);
        QCOMPARE(back.callCount(), 1u);
        QCOMPARE(back.callId(0).toByteArray(), QByteArray("call-two@192.0.2.10"));
    }
};

QTEST_GUILESS_MAIN(TstLadderExport)
#include "tst_ladder_export.moc"
