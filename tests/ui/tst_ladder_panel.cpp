// LadderPanel: a capture opened on the worker thread, an arrow clicked shows its message, the
// call list filters the ladder, and every export writes a file that reads back.

#include "diag/capture_import.h"
#include "diag/capture_writer.h"
#include "ui/ladder_call_model.h"
#include "ui/ladder_filter_bar.h"
#include "ui/ladder_panel.h"
#include "ui/ladder_view.h"
#include "ui/raw_message_view.h"

#include <QHeaderView>
#include <QImage>
#include <QJsonArray>
#include <QJsonDocument>
#include <QSignalSpy>
#include <QTableView>
#include <QTemporaryDir>
#include <QTest>

using namespace ds;
using namespace ds::diag;

namespace {

QByteArray crlf(QByteArray text) { return text.replace("\n", "\r\n"); }

QByteArray message(const QByteArray &firstLine, const QByteArray &callId, const QByteArray &cseq, const QByteArray &branch)
{
    return crlf(firstLine + "\nVia: SIP/2.0/UDP 192.0.2.10:5060;branch=" + branch + "\nFrom: <sip:alice@example.com>;tag=a\nTo: <sip:bob@example.com>"
        + (firstLine.startsWith("SIP/2.0") ? ";tag=b" : "") + "\nCall-ID: " + callId + "\nCSeq: " + cseq + "\nContent-Length: 0\n\n");
}

CaptureAddress at(quint8 last)
{
    CaptureAddress a;
    a.ip = {192, 0, 2, last};
    a.port = 5060;
    return a;
}

// Three calls: an INVITE answered busy, an OPTIONS ping and a registration.
QString writeCapture(const QString &dir)
{
    const QString path = dir + QStringLiteral("/three.pcapng");
    auto w = CaptureWriter::open(path, CaptureWriter::Format::Pcapng);
    if (!w)
        return {};
    qint64 t = 1'760'000'000'000'000;
    auto put = [&](quint8 from, quint8 to, const QByteArray &m) { (*w)->writeMessage(t += 20'000, sip::TransportKind::Udp, at(from), at(to), m); };
    put(10, 20, message("INVITE sip:bob@example.com SIP/2.0", "busy@x", "1 INVITE", "z9hG4bK1"));
    put(20, 10, message("SIP/2.0 100 Trying", "busy@x", "1 INVITE", "z9hG4bK1"));
    put(20, 10, message("SIP/2.0 486 Busy Here", "busy@x", "1 INVITE", "z9hG4bK1"));
    put(10, 20, message("ACK sip:bob@example.com SIP/2.0", "busy@x", "1 ACK", "z9hG4bK1"));
    put(30, 20, message("OPTIONS sip:bob@example.com SIP/2.0", "ping@y", "7 OPTIONS", "z9hG4bK2"));
    put(20, 30, message("SIP/2.0 200 OK", "ping@y", "7 OPTIONS", "z9hG4bK2"));
    put(10, 20, message("REGISTER sip:example.com SIP/2.0", "reg@x", "1 REGISTER", "z9hG4bK3"));
    put(20, 10, message("SIP/2.0 200 OK", "reg@x", "1 REGISTER", "z9hG4bK3"));
    (*w)->flush();
    return path;
}

} // namespace

class TestLadderPanel : public QObject {
    Q_OBJECT
private slots:
    void captureClickFilterExport()
    {
        QTemporaryDir dir;
        const QString capture = writeCapture(dir.path());
        QVERIFY(!capture.isEmpty());
        ui::LadderPanel panel;
        panel.resize(1400, 700);
        panel.show();
        QVERIFY(QTest::qWaitForWindowExposed(&panel));
        QSignalSpy loaded(&panel, &ui::LadderPanel::loaded);
        panel.openCapture(capture);
        QVERIFY(loaded.wait(20000));
        QVERIFY2(loaded.first().first().toString().contains(u"8 SIP"), qPrintable(loaded.first().first().toString()));
        const LadderModel &model = panel.model();
        QCOMPARE(model.rowCount(), 8);
        QCOMPARE(model.columnCount(), 3);
        QCOMPARE(panel.callList()->model()->rowCount(), 3);

        // Click the 486's arrow: the raw pane shows exactly that message.
        ui::LadderView *view = panel.view();
        view->setFollow(false);
        const int busyRow = 2;
        QTest::mouseClick(view->viewport(), Qt::LeftButton, {}, view->arrowRect(busyRow).center());
        QTRY_COMPARE(panel.rawView()->message(), model.messageAt(busyRow));
        QVERIFY2(panel.rawView()->messageText().startsWith(u"SIP/2.0 486 Busy Here") && panel.rawView()->messageText().contains(u"Call-ID: busy@x"),
            qPrintable(panel.rawView()->messageText()));

        // Selecting the OPTIONS call in the call list hides the other calls.
        QTableView *calls = panel.callList();
        const int optionsRow = 1;
        QCOMPARE(calls->model()->index(optionsRow, 2).data().toString(), QStringLiteral("OPTIONS"));
        calls->selectRow(optionsRow);
        QTRY_COMPARE(model.rowCount(), 2);
        for (int r = 0; r < model.rowCount(); ++r)
            QCOMPARE(model.store().callId(model.store().record(model.messageAt(r)).call).toByteArray(), QByteArray("ping@y"));
        QCOMPARE(model.columnCount(), 2);

        // Every export of what is shown.
        QVERIFY(panel.exportText(dir.filePath(QStringLiteral("l.txt"))).has_value());
        QFile text(dir.filePath(QStringLiteral("l.txt")));
        QVERIFY(text.open(QIODevice::ReadOnly));
        const QByteArray ladder = text.readAll();
        QVERIFY2(ladder.contains("OPTIONS") && !ladder.contains("INVITE"), ladder.constData());
        QVERIFY(panel.exportJson(dir.filePath(QStringLiteral("l.json"))).has_value());
        QFile json(dir.filePath(QStringLiteral("l.json")));
        QVERIFY(json.open(QIODevice::ReadOnly));
        QCOMPARE(QJsonDocument::fromJson(json.readAll())[QStringLiteral("messages")].toArray().size(), 2);
        QVERIFY(panel.exportSvg(dir.filePath(QStringLiteral("l.svg"))).has_value());
        QVERIFY(panel.exportPng(dir.filePath(QStringLiteral("l.png"))).has_value());
        QVERIFY(!QImage(dir.filePath(QStringLiteral("l.png"))).isNull());
        // A capture keeps its original packets: the OPTIONS call's two frames.
        QVERIFY(panel.exportCapture(dir.filePath(QStringLiteral("l.pcap")), false).has_value());
        TraceStore back;
        RtpTracker rtp;
        const auto imported = importCapture(dir.filePath(QStringLiteral("l.pcap")), back, rtp);
        QVERIFY(imported.has_value());
        QCOMPARE(imported->counts.frames, quint64(2));
        QCOMPARE(back.size(), 2u);
    }

    void damagedCaptureFailsWithAReason()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("bad.pcap"));
        QFile f(path);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write("this is not a capture at all");
        f.close();
        ui::LadderPanel panel;
        QSignalSpy failed(&panel, &ui::LadderPanel::failed);
        panel.openCapture(path);
        QVERIFY(failed.wait(20000));
        QVERIFY2(failed.first().first().toString().contains(u"bad.pcap"), qPrintable(failed.first().first().toString()));
        QCOMPARE(panel.model().rowCount(), 0);
    }
};

QTEST_MAIN(TestLadderPanel)
#include "tst_ladder_panel.moc"
