// The ladder view over a small, realistic capture — registration with a digest challenge, a call
// through a proxy with a retransmitted INVITE, DTMF INFO, RTP both ways, a busy call, a SIP
// scanner and a malformed message: clicking an arrow selects its message, keys move the
// selection, follow mode keeps the newest row in view until the user scrolls away, a frame of
// a million-message trace paints (timed, printed, never asserted), and the SVG/PNG exports.

#include "diag/ladder_model.h"
#include "diag/rtp_tracker.h"
#include "diag/trace_store.h"
#include "support/palettes.h"
#include "ui/ladder_export_image.h"
#include "ui/ladder_media.h"
#include "ui/ladder_painter.h"
#include "ui/ladder_view.h"

#include <QElapsedTimer>
#include <QHelpEvent>
#include <QHostAddress>
#include <QImage>
#include <QPainter>
#include <QScrollBar>
#include <QSignalSpy>
#include <QSvgRenderer>
#include <QTemporaryDir>
#include <QTest>
#include <QToolTip>

using namespace ds;
using diag::kNoMessage;
using diag::LadderModel;
using diag::NetAddress;
using diag::TraceStore;

namespace {

NetAddress addr(const char *ip, quint16 port) { return NetAddress::fromEndpoint(sip::Endpoint {QHostAddress(QString::fromLatin1(ip)), port}); }

const NetAddress kAlice = addr("192.0.2.10", 5060);
const NetAddress kPbx = addr("192.0.2.1", 5060);
const NetAddress kBob = addr("192.0.2.20", 5062);
const NetAddress kScanner = addr("203.0.113.66", 5070);
const NetAddress kAliceRtp = addr("192.0.2.10", 4000);
const NetAddress kBobRtp = addr("192.0.2.20", 5004);

QByteArray crlf(const char *text) { return QByteArray(text).replace("\n", "\r\n"); }

// A SIP message from its head (LF line ends) and body; Content-Length is added.
QByteArray sipText(const char *head, const QByteArray &body = {})
{
    return crlf(head) + "Content-Length: " + QByteArray::number(body.size()) + "\r\n\r\n" + body;
}

const QByteArray kAliceSdp = crlf("v=0\no=alice 1 1 IN IP4 192.0.2.10\ns=-\nc=IN IP4 192.0.2.10\nt=0 0\nm=audio 4000 RTP/AVP 0 8 101\n"
                                  "a=rtpmap:0 PCMU/8000\na=rtpmap:8 PCMA/8000\na=rtpmap:101 telephone-event/8000\na=sendrecv\n");
const QByteArray kBobSdp = crlf("v=0\no=bob 7 7 IN IP4 192.0.2.20\ns=-\nc=IN IP4 192.0.2.20\nt=0 0\nm=audio 5004 RTP/AVP 0 101\n"
                                "a=rtpmap:0 PCMU/8000\na=rtpmap:101 telephone-event/8000\na=sendrecv\n");

// RFC 3550 5.1: a version 2 RTP packet with a 160-byte PCMU payload.
QByteArray rtpPacket(quint16 seq, quint32 ssrc)
{
    QByteArray p(12 + 160, char(0xff));
    p[0] = char(0x80);
    p[1] = 0; // PCMU
    p[2] = char(seq >> 8);
    p[3] = char(seq);
    for (int i = 0; i < 4; ++i)
        p[8 + i] = char(ssrc >> (24 - 8 * i));
    return p;
}

// A capture being imported: SIP into the store, SDP and RTP into the tracker.
struct Capture {
    TraceStore store;
    diag::RtpTracker rtp;
    qint64 startUs = 1'790'000'000'000'000;

    quint32 sip(int ms, const NetAddress &src, const NetAddress &dst, const QByteArray &raw)
    {
        const quint32 m = store.append(startUs + qint64(ms) * 1000, sip::TransportKind::Udp, src, dst, raw, store.size() + 1);
        if (store.record(m).is(diag::MessageRecord::HasSdp))
            rtp.noteSdp(store.record(m).call, raw.sliced(raw.indexOf("\r\n\r\n") + 4));
        return m;
    }
    void media(int fromMs, int toMs, const NetAddress &src, const NetAddress &dst, quint32 ssrc, int dropEvery)
    {
        quint16 seq = 100;
        for (int ms = fromMs; ms <= toMs; ms += 20, ++seq)
            if (dropEvery == 0 || seq % dropEvery)
                rtp.datagram(startUs + qint64(ms) * 1000, src, dst, rtpPacket(seq, ssrc));
    }
};

// The messages of the realistic flow worth naming in the tests.
struct Flow {
    quint32 register1, challenge, register2, invite, inviteRetransmission, trying, ringing, ok, bye, busy, malformed;
};

Flow buildFlow(Capture &c)
{
    Flow f {};
    f.register1 = c.sip(0, kAlice, kPbx,
        sipText("REGISTER sip:pbx.example.com SIP/2.0\nVia: SIP/2.0/UDP 192.0.2.10:5060;branch=z9hG4bK-r1;rport\nMax-Forwards: 70\n"
                "From: <sip:alice@pbx.example.com>;tag=a1\nTo: <sip:alice@pbx.example.com>\nCall-ID: reg-1@192.0.2.10\nCSeq: 1 REGISTER\n"
                "Contact: <sip:alice@192.0.2.10:5060>\nExpires: 3600\nUser-Agent: dialscope\n"));
    f.challenge = c.sip(12, kPbx, kAlice,
        sipText("SIP/2.0 401 Unauthorized\nVia: SIP/2.0/UDP 192.0.2.10:5060;branch=z9hG4bK-r1;rport=5060\n"
                "From: <sip:alice@pbx.example.com>;tag=a1\nTo: <sip:alice@pbx.example.com>;tag=p1\nCall-ID: reg-1@192.0.2.10\nCSeq: 1 REGISTER\n"
                "WWW-Authenticate: Digest realm=\"pbx.example.com\", nonce=\"5f2a9c\", algorithm=MD5, qop=\"auth\"\n"));
    f.register2 = c.sip(20, kAlice, kPbx,
        sipText("REGISTER sip:pbx.example.com SIP/2.0\nVia: SIP/2.0/UDP 192.0.2.10:5060;branch=z9hG4bK-r2;rport\nMax-Forwards: 70\n"
                "From: <sip:alice@pbx.example.com>;tag=a1\nTo: <sip:alice@pbx.example.com>\nCall-ID: reg-1@192.0.2.10\nCSeq: 2 REGISTER\n"
                "Contact: <sip:alice@192.0.2.10:5060>\nExpires: 3600\n"
                "Authorization: Digest username=\"alice\", realm=\"pbx.example.com\", nonce=\"5f2a9c\", uri=\"sip:pbx.example.com\", "
                "response=\"6629fae49393a05397450978507c4ef1\", algorithm=MD5, qop=auth, nc=00000001, cnonce=\"0a4f113b\"\n"));
    c.sip(31, kPbx, kAlice,
        sipText("SIP/2.0 200 OK\nVia: SIP/2.0/UDP 192.0.2.10:5060;branch=z9hG4bK-r2;rport=5060\n"
                "From: <sip:alice@pbx.example.com>;tag=a1\nTo: <sip:alice@pbx.example.com>;tag=p2\nCall-ID: reg-1@192.0.2.10\nCSeq: 2 REGISTER\n"
                "Contact: <sip:alice@192.0.2.10:5060>;expires=3600\n"));

    const char *invite = "INVITE sip:bob@pbx.example.com SIP/2.0\nVia: SIP/2.0/UDP 192.0.2.10:5060;branch=z9hG4bK-i1;rport\nMax-Forwards: 70\n"
                         "From: \"Alice\" <sip:alice@pbx.example.com>;tag=a2\nTo: <sip:bob@pbx.example.com>\nCall-ID: call-1@192.0.2.10\nCSeq: 1 INVITE\n"
                         "Contact: <sip:alice@192.0.2.10:5060>\nContent-Type: application/sdp\n";
    f.invite = c.sip(1000, kAlice, kPbx, sipText(invite, kAliceSdp));
    f.inviteRetransmission = c.sip(1500, kAlice, kPbx, sipText(invite, kAliceSdp));
    f.trying = c.sip(1510, kPbx, kAlice,
        sipText("SIP/2.0 100 Trying\nVia: SIP/2.0/UDP 192.0.2.10:5060;branch=z9hG4bK-i1;rport=5060\n"
                "From: \"Alice\" <sip:alice@pbx.example.com>;tag=a2\nTo: <sip:bob@pbx.example.com>\nCall-ID: call-1@192.0.2.10\nCSeq: 1 INVITE\n"));
    c.sip(1520, kPbx, kBob,
        sipText("INVITE sip:bob@192.0.2.20:5062 SIP/2.0\nVia: SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bK-p1\n"
                "Via: SIP/2.0/UDP 192.0.2.10:5060;branch=z9hG4bK-i1;rport=5060\nRecord-Route: <sip:192.0.2.1;lr>\nMax-Forwards: 69\n"
                "From: \"Alice\" <sip:alice@pbx.example.com>;tag=a2\nTo: <sip:bob@pbx.example.com>\nCall-ID: call-1@192.0.2.10\nCSeq: 1 INVITE\n"
                "Contact: <sip:alice@192.0.2.10:5060>\nContent-Type: application/sdp\n",
            kAliceSdp));
    const char *bobVias = "Via: SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bK-p1\nVia: SIP/2.0/UDP 192.0.2.10:5060;branch=z9hG4bK-i1;rport=5060\n";
    const char *aliceVia = "Via: SIP/2.0/UDP 192.0.2.10:5060;branch=z9hG4bK-i1;rport=5060\n";
    const QByteArray dialog = "From: \"Alice\" <sip:alice@pbx.example.com>;tag=a2\nTo: <sip:bob@pbx.example.com>;tag=b1\nCall-ID: call-1@192.0.2.10\n";
    auto response = [&](const char *status, const char *vias, const char *rest) {
        return QByteArray("SIP/2.0 ") + status + '\n' + vias + dialog + "CSeq: 1 INVITE\nRecord-Route: <sip:192.0.2.1;lr>\n" + rest;
    };
    c.sip(1600, kBob, kPbx, sipText(response("180 Ringing", bobVias, "")));
    f.ringing = c.sip(1605, kPbx, kAlice, sipText(response("180 Ringing", aliceVia, "")));
    const char *answer = "Contact: <sip:bob@192.0.2.20:5062>\nContent-Type: application/sdp\n";
    c.sip(3000, kBob, kPbx, sipText(response("200 OK", bobVias, answer), kBobSdp));
    f.ok = c.sip(3005, kPbx, kAlice, sipText(response("200 OK", aliceVia, answer), kBobSdp));
    c.sip(3010, kAlice, kPbx,
        sipText("ACK sip:bob@192.0.2.20:5062 SIP/2.0\nVia: SIP/2.0/UDP 192.0.2.10:5060;branch=z9hG4bK-i2;rport\nRoute: <sip:192.0.2.1;lr>\nMax-Forwards: 70\n"
            + dialog + "CSeq: 1 ACK\n"));
    c.sip(3015, kPbx, kBob,
        sipText("ACK sip:bob@192.0.2.20:5062 SIP/2.0\nVia: SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bK-p2\n"
                "Via: SIP/2.0/UDP 192.0.2.10:5060;branch=z9hG4bK-i2;rport=5060\nMax-Forwards: 69\n"
            + dialog + "CSeq: 1 ACK\n"));
    c.media(3020, 8000, kAliceRtp, kBobRtp, 0x1111aaaa, 0);
    c.media(3030, 8000, kBobRtp, kAliceRtp, 0x2222bbbb, 40); // one packet in 40 lost
    c.sip(5000, kAlice, kPbx,
        sipText("INFO sip:bob@192.0.2.20:5062 SIP/2.0\nVia: SIP/2.0/UDP 192.0.2.10:5060;branch=z9hG4bK-i4;rport\nMax-Forwards: 70\n" + dialog
                + "CSeq: 2 INFO\nContent-Type: application/dtmf-relay\n",
            crlf("Signal=5\nDuration=160\n")));
    c.sip(5010, kPbx, kAlice, sipText("SIP/2.0 200 OK\nVia: SIP/2.0/UDP 192.0.2.10:5060;branch=z9hG4bK-i4;rport=5060\n" + dialog + "CSeq: 2 INFO\n"));
    const QByteArray byeDialog = "From: <sip:bob@pbx.example.com>;tag=b1\nTo: \"Alice\" <sip:alice@pbx.example.com>;tag=a2\nCall-ID: call-1@192.0.2.10\n";
    f.bye = c.sip(8000, kBob, kPbx,
        sipText("BYE sip:alice@192.0.2.10:5060 SIP/2.0\nVia: SIP/2.0/UDP 192.0.2.20:5062;branch=z9hG4bK-b1\nMax-Forwards: 70\n" + byeDialog + "CSeq: 1 BYE\n"));
    c.sip(8005, kPbx, kAlice,
        sipText("BYE sip:alice@192.0.2.10:5060 SIP/2.0\nVia: SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bK-p3\n"
                "Via: SIP/2.0/UDP 192.0.2.20:5062;branch=z9hG4bK-b1\nMax-Forwards: 69\n"
            + byeDialog + "CSeq: 1 BYE\n"));
    c.sip(8020, kAlice, kPbx,
        sipText("SIP/2.0 200 OK\nVia: SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bK-p3\nVia: SIP/2.0/UDP 192.0.2.20:5062;branch=z9hG4bK-b1\n" + byeDialog
            + "CSeq: 1 BYE\n"));
    c.sip(8025, kPbx, kBob, sipText("SIP/2.0 200 OK\nVia: SIP/2.0/UDP 192.0.2.20:5062;branch=z9hG4bK-b1\n" + byeDialog + "CSeq: 1 BYE\n"));

    const QByteArray carol = "From: \"Alice\" <sip:alice@pbx.example.com>;tag=a3\nTo: <sip:carol@pbx.example.com>\nCall-ID: call-2@192.0.2.10\n";
    c.sip(9000, kAlice, kPbx,
        sipText("INVITE sip:carol@pbx.example.com SIP/2.0\nVia: SIP/2.0/UDP 192.0.2.10:5060;branch=z9hG4bK-i3;rport\nMax-Forwards: 70\n" + carol
                + "CSeq: 1 INVITE\nContact: <sip:alice@192.0.2.10:5060>\nContent-Type: application/sdp\n",
            kAliceSdp));
    f.busy = c.sip(9040, kPbx, kAlice,
        sipText("SIP/2.0 486 Busy Here\nVia: SIP/2.0/UDP 192.0.2.10:5060;branch=z9hG4bK-i3;rport=5060\n"
            + QByteArray(carol).replace("<sip:carol@pbx.example.com>", "<sip:carol@pbx.example.com>;tag=c9") + "CSeq: 1 INVITE\n"));
    c.sip(9045, kAlice, kPbx,
        sipText("ACK sip:carol@pbx.example.com SIP/2.0\nVia: SIP/2.0/UDP 192.0.2.10:5060;branch=z9hG4bK-i3;rport\nMax-Forwards: 70\n"
            + QByteArray(carol).replace("<sip:carol@pbx.example.com>", "<sip:carol@pbx.example.com>;tag=c9") + "CSeq: 1 ACK\n"));

    for (int k = 0; k < 2; ++k) {
        const QByteArray n = QByteArray::number(100 + k);
        c.sip(9500 + 50 * k, kScanner, kPbx,
            sipText("OPTIONS sip:" + n + "@192.0.2.1 SIP/2.0\nVia: SIP/2.0/UDP 203.0.113.66:5070;branch=z9hG4bK-s" + n
                + "\nMax-Forwards: 70\n"
                  "From: \"sipvicious\" <sip:"
                + n + "@1.1.1.1>;tag=s" + n + "\nTo: \"sipvicious\" <sip:" + n + "@1.1.1.1>\nCall-ID: scan-" + n
                + "\nCSeq: 1 OPTIONS\nUser-Agent: friendly-scanner\nAccept: application/sdp\n"));
        c.sip(9510 + 50 * k, kPbx, kScanner,
            sipText("SIP/2.0 404 Not Found\nVia: SIP/2.0/UDP 203.0.113.66:5070;branch=z9hG4bK-s" + n + "\nFrom: \"sipvicious\" <sip:" + n + "@1.1.1.1>;tag=s"
                + n + "\nTo: \"sipvicious\" <sip:" + n + "@1.1.1.1>;tag=x\nCall-ID: scan-" + n + "\nCSeq: 1 OPTIONS\n"));
    }
    f.malformed = c.sip(9800, kAlice, kPbx, crlf("NOTIFY sip:pbx.example.com SIP/3.0\nCall-ID: broken-1\nContent-Length: 0\n\n"));
    return f;
}

void nameEndpoints(LadderModel &model)
{
    model.setEndpointName(kAlice, QStringLiteral("alice"));
    model.setEndpointName(kPbx, QStringLiteral("PBX"));
    model.setEndpointName(kBob, QStringLiteral("bob"));
    model.addTrusted(kPbx);
}

// OPTIONS keep-alives from alice, each with a new Call-ID (for growing a live trace).
void keepAlives(Capture &c, int first, int count)
{
    for (int k = first; k < first + count; ++k) {
        const QByteArray n = QByteArray::number(k);
        const QByteArray common = "From: <sip:alice@pbx.example.com>;tag=k" + n + "\nTo: <sip:pbx.example.com>\nCall-ID: ka-" + n + "\nCSeq: 1 OPTIONS\n";
        c.sip(20000 + 1000 * k, kAlice, kPbx,
            sipText("OPTIONS sip:pbx.example.com SIP/2.0\nVia: SIP/2.0/UDP 192.0.2.10:5060;branch=z9hG4bK-k" + n + "\nMax-Forwards: 70\n" + common));
        c.sip(20000 + 1000 * k + 8, kPbx, kAlice, sipText("SIP/2.0 200 OK\nVia: SIP/2.0/UDP 192.0.2.10:5060;branch=z9hG4bK-k" + n + "\n" + common));
    }
}

void screenshot(QWidget &w, const QString &name)
{
    QCoreApplication::processEvents(); // the scroll area lays out its bars on a posted event
    if (const QString dir = qEnvironmentVariable("DS_UI_SCREENSHOTS"); !dir.isEmpty())
        QVERIFY(w.grab().save(dir + u'/' + name + QStringLiteral(".png")));
}

bool lastRowVisible(const ui::LadderView &view, const LadderModel &model)
{
    const QRect r = view.rowRect(model.rowCount() - 1);
    return r.top() >= view.ladderPainter()->headerHeight() && r.bottom() < view.viewport()->height();
}

} // namespace

class TestLadderView : public QObject {
    Q_OBJECT
private slots:
    void theFlowIsWhatTheTestsExpect();
    void clickingAnArrowSelectsItsMessage();
    void keysMoveTheSelection();
    void followModeKeepsTheNewestRowInView();
    void rtpStreamsAreBandsBetweenTheirEndpoints();
    void mediaFindsItsLifelines();
    void filteringKeepsOrDropsTheSelection();
    void paintsOneFrameOfAMillionMessages();
    void exportsSvgAndPng();
    void exportErrorsNameTheFile();
};

void TestLadderView::theFlowIsWhatTheTestsExpect()
{
    Capture c;
    const Flow f = buildFlow(c);
    const auto &s = c.store;
    QVERIFY(s.record(f.register2).is(diag::MessageRecord::AuthRetry));
    QCOMPARE(s.record(f.register2).related, f.challenge);
    QVERIFY(s.record(f.inviteRetransmission).is(diag::MessageRecord::Retransmission));
    QCOMPARE(s.record(f.inviteRetransmission).timer, 'A');
    QVERIFY(s.record(f.malformed).is(diag::MessageRecord::Malformed));
    QCOMPARE(c.rtp.streams().size(), size_t(2));
    LadderModel model(s, &c.rtp);
    nameEndpoints(model);
    model.update();
    QCOMPARE(model.unsolicitedRequests(), 2u);
    QVERIFY(model.column(model.columnCount() - 1).unsolicited);
}

void TestLadderView::clickingAnArrowSelectsItsMessage()
{
    Capture c;
    const Flow f = buildFlow(c);
    LadderModel model(c.store, &c.rtp);
    nameEndpoints(model);
    model.update();
    ui::LadderView view;
    view.resize(1100, 700);
    view.setFollow(false);
    view.setModel(&model);
    view.modelChanged();
    view.show();
    QVERIFY(QTest::qWaitForWindowExposed(&view));
    QSignalSpy selected(&view, &ui::LadderView::messageSelected);

    const int row = model.rowOf(f.challenge);
    QVERIFY(view.viewport()->rect().contains(view.arrowRect(row).center()));
    QTest::mouseClick(view.viewport(), Qt::LeftButton, {}, view.arrowRect(row).center());
    QCOMPARE(selected.size(), 1);
    QCOMPARE(selected.takeFirst().at(0).value<quint32>(), f.challenge);
    QCOMPARE(view.selectedMessage(), f.challenge);

    // The transaction overlay: the REGISTER, its 401 and the retry with credentials, linked.
    const ui::LadderOverlay overlay = ui::ladderOverlay(model, f.challenge);
    QVERIFY(overlay.contains(f.register1) && overlay.contains(f.challenge) && overlay.contains(f.register2));
    QCOMPARE(overlay.authLinks.size(), size_t(1));
    QCOMPARE(overlay.authLinks[0].challenge, f.challenge);
    QCOMPARE(overlay.authLinks[0].retry, f.register2);
    // The INVITE's transaction: its retransmission and responses, not the other leg's.
    const ui::LadderOverlay call = ui::ladderOverlay(model, f.ok);
    QVERIFY(call.contains(f.invite) && call.contains(f.inviteRetransmission) && call.contains(f.trying) && call.contains(f.ringing));
    QVERIFY(!call.contains(f.bye) && !call.contains(f.register1));

    // The tooltip of an arrow: its full label and detail.
    const QPoint scene = view.arrowRect(row).center() + QPoint(view.horizontalScrollBar()->value(), view.verticalScrollBar()->value());
    const QString tip = view.ladderPainter()->toolTipAt(scene);
    QVERIFY2(tip.contains(QStringLiteral("401 Unauthorized")) && tip.contains(QStringLiteral("realm")) && tip.contains(QStringLiteral("CSeq 1 REGISTER")),
        qPrintable(tip));
    screenshot(view, QStringLiteral("ladder-selected-challenge"));

    // The same through the view's tooltip event.
    QHelpEvent help(QEvent::ToolTip, view.arrowRect(row).center(), view.viewport()->mapToGlobal(view.arrowRect(row).center()));
    QCoreApplication::sendEvent(view.viewport(), &help);
    QTRY_VERIFY2(QToolTip::text().contains(QStringLiteral("CSeq 1 REGISTER")), qPrintable(QToolTip::text()));
    QToolTip::hideText();

    // Clicking the same arrow again selects nothing new.
    QTest::mouseClick(view.viewport(), Qt::LeftButton, {}, view.arrowRect(row).center());
    QCOMPARE(selected.size(), 0);

    view.selectMessage(f.inviteRetransmission);
    QCOMPARE(view.selectedMessage(), f.inviteRetransmission);
    screenshot(view, QStringLiteral("ladder-selected-invite"));

    // A dark theme: the view takes its colours from the palette.
    const QPalette dark = ds::test::darkPalette();
    view.setPalette(dark);
    QCOMPARE(view.ladderPainter()->palette().color(QPalette::Base), QColor(0x1e, 0x1f, 0x22));
    view.selectMessage(f.challenge);
    screenshot(view, QStringLiteral("ladder-dark"));
}

void TestLadderView::keysMoveTheSelection()
{
    Capture c;
    buildFlow(c);
    keepAlives(c, 0, 40);
    LadderModel model(c.store, &c.rtp);
    nameEndpoints(model);
    model.update();
    ui::LadderView view;
    view.resize(900, 400);
    view.setFollow(false);
    view.setModel(&model);
    view.show();
    QVERIFY(QTest::qWaitForWindowExposed(&view));
    view.setFocus();
    QSignalSpy selected(&view, &ui::LadderView::messageSelected);

    QTest::keyClick(&view, Qt::Key_Home);
    QCOMPARE(view.selectedMessage(), model.messageAt(0));
    QTest::keyClick(&view, Qt::Key_Down);
    QTest::keyClick(&view, Qt::Key_Down);
    QCOMPARE(view.selectedMessage(), model.messageAt(2));
    QTest::keyClick(&view, Qt::Key_Up);
    QCOMPARE(view.selectedMessage(), model.messageAt(1));
    QTest::keyClick(&view, Qt::Key_Up);
    QTest::keyClick(&view, Qt::Key_Up); // stays on the first row
    QCOMPARE(view.selectedMessage(), model.messageAt(0));
    QCOMPARE(selected.size(), 5);

    QTest::keyClick(&view, Qt::Key_PageDown);
    const int page = model.rowOf(view.selectedMessage());
    QVERIFY2(page > 1 && page < model.rowCount() - 1, qPrintable(QString::number(page)));
    QVERIFY(view.viewport()->rect().contains(view.arrowRect(page).center()));
    QTest::keyClick(&view, Qt::Key_End);
    QCOMPARE(view.selectedMessage(), model.messageAt(model.rowCount() - 1));
    QVERIFY(lastRowVisible(view, model));
    QVERIFY(view.follows()); // the end of the ladder is in view again
    QTest::keyClick(&view, Qt::Key_PageUp);
    QCOMPARE(model.rowOf(view.selectedMessage()), model.rowCount() - 1 - page);
    QVERIFY(view.viewport()->rect().contains(view.arrowRect(model.rowCount() - 1 - page).center()));
}

void TestLadderView::followModeKeepsTheNewestRowInView()
{
    Capture c;
    buildFlow(c);
    LadderModel model(c.store, &c.rtp);
    nameEndpoints(model);
    model.update();
    ui::LadderView view;
    view.resize(900, 420);
    view.setModel(&model);
    view.show();
    QVERIFY(QTest::qWaitForWindowExposed(&view));
    QVERIFY(view.follows());
    QVERIFY(lastRowVisible(view, model));
    QSignalSpy follow(&view, &ui::LadderView::followChanged);

    // Live: new messages arrive; the newest row stays in view.
    for (int batch = 0; batch < 3; ++batch) {
        keepAlives(c, 10 * batch, 10);
        QVERIFY(model.update() > 0);
        view.modelChanged();
        QVERIFY(view.follows());
        QVERIFY2(lastRowVisible(view, model), qPrintable(QStringLiteral("batch %1").arg(batch)));
    }
    QCOMPARE(follow.size(), 0);
    screenshot(view, QStringLiteral("ladder-follow"));

    // The user scrolls up to read: follow turns off, and new rows no longer move the view.
    QTest::keyClick(view.verticalScrollBar(), Qt::Key_PageUp);
    QVERIFY(!view.follows());
    QCOMPARE(follow.size(), 1);
    QCOMPARE(follow.takeFirst().at(0).toBool(), false);
    const int reading = view.verticalScrollBar()->value();
    keepAlives(c, 30, 10);
    model.update();
    view.modelChanged();
    QCOMPARE(view.verticalScrollBar()->value(), reading);
    QVERIFY(!lastRowVisible(view, model));
    QVERIFY(!view.follows());

    // Back to the end: following again.
    view.verticalScrollBar()->setValue(view.verticalScrollBar()->maximum());
    QVERIFY(view.follows());
    QCOMPARE(follow.size(), 1);
    QCOMPARE(follow.takeFirst().at(0).toBool(), true);
    keepAlives(c, 40, 5);
    model.update();
    view.modelChanged();
    QVERIFY(lastRowVisible(view, model));

    // Or by asking for it.
    view.verticalScrollBar()->setValue(0);
    QVERIFY(!view.follows());
    view.setFollow(true);
    QVERIFY(view.follows());
    QVERIFY(lastRowVisible(view, model));
}

void TestLadderView::rtpStreamsAreBandsBetweenTheirEndpoints()
{
    Capture c;
    const Flow f = buildFlow(c);
    LadderModel model(c.store, &c.rtp);
    nameEndpoints(model);
    model.update();
    ui::LadderPainter painter(model);
    painter.layout();
    QCOMPARE(painter.mediaLines(), 2);
    // A media line per stream between the ACK and the BYE: the rows after it move down.
    const int withoutMedia = painter.headerHeight() + model.rowOf(f.bye) * painter.rowHeight();
    QCOMPARE(painter.rowRect(model.rowOf(f.bye)).top(), withoutMedia + 2 * painter.rowHeight());
    QCOMPARE(painter.rowAt(painter.rowRect(model.rowOf(f.bye)).center().y()), model.rowOf(f.bye));
    // ACK, the two media lines, INFO, 200, BYE: the line just above the INFO is bob's stream.
    const int y = painter.rowRect(model.rowOf(f.bye) - 2).top() - painter.rowHeight() / 2;
    QCOMPARE(painter.rowAt(y), -1);
    const int bobX = painter.columnX(model.columnOf(c.store.record(f.bye).src));
    const int aliceX = painter.columnX(model.columnOf(c.store.record(f.invite).src));
    const QString tip = painter.toolTipAt(QPoint((aliceX + bobX) / 2, y));
    QVERIFY2(tip.contains(QStringLiteral("PCMU/8000")) && tip.contains(QStringLiteral("pkts")) && tip.contains(QStringLiteral("2.4% lost")), qPrintable(tip));
    QVERIFY2(tip.contains(QStringLiteral("192.0.2.20:5004")), qPrintable(tip));
}

void TestLadderView::mediaFindsItsLifelines()
{
    // Two user agents on one host (the demo peer on loopback), and a media relay whose address only
    // the PBX's SDP names: the SDP that announced an address says whose it is.
    Capture c;
    const NetAddress ua = addr("127.0.0.1", 5070), peer = addr("127.0.0.1", 5080), relay = addr("198.51.100.5", 30000);
    auto sdp = [](const char *ip, int port) {
        return crlf(QByteArray("v=0\no=- 1 1 IN IP4 ") + ip + "\ns=-\nc=IN IP4 " + ip + "\nt=0 0\nm=audio " + QByteArray::number(port)
            + " RTP/AVP 8\na=rtpmap:8 PCMA/8000\n");
    };
    const QByteArray dialog = "From: <sip:ua@127.0.0.1>;tag=u\nTo: <sip:peer@127.0.0.1>\nCall-ID: loop-1\nCSeq: 1 INVITE\n";
    const quint32 invite = c.sip(0, ua, peer,
        sipText("INVITE sip:peer@127.0.0.1:5080 SIP/2.0\nVia: SIP/2.0/UDP 127.0.0.1:5070;branch=z9hG4bK-l1\nMax-Forwards: 70\n" + dialog
                + "Contact: <sip:ua@127.0.0.1:5070>\nContent-Type: application/sdp\n",
            sdp("127.0.0.1", 40000)));
    c.sip(10, peer, ua,
        sipText("SIP/2.0 200 OK\nVia: SIP/2.0/UDP 127.0.0.1:5070;branch=z9hG4bK-l1\n" + QByteArray(dialog).replace("peer@127.0.0.1>", "peer@127.0.0.1>;tag=p")
                + "Contact: <sip:peer@127.0.0.1:5080>\nContent-Type: application/sdp\n",
            sdp("198.51.100.5", 30000)));
    LadderModel model(c.store, &c.rtp);
    model.update();
    const quint32 call = c.store.record(invite).call;
    const int uaColumn = model.columnOf(c.store.record(invite).src), peerColumn = model.columnOf(c.store.record(invite).dst);
    QVERIFY(uaColumn != peerColumn);
    QCOMPARE(ui::mediaColumn(model, addr("127.0.0.1", 40000), call), uaColumn);
    QCOMPARE(ui::mediaColumn(model, relay, call), peerColumn);
    QCOMPARE(ui::mediaColumn(model, addr("203.0.113.9", 7000), call), -1);

    c.media(20, 1000, addr("127.0.0.1", 40000), relay, 0x3333, 0);
    model.update();
    const std::vector<ui::MediaPlacement> placed = ui::placeMediaStreams(model, model.rowCount());
    QCOMPARE(placed.size(), size_t(1));
    QCOMPARE(placed[0].from, uaColumn);
    QCOMPARE(placed[0].to, peerColumn);
    QCOMPARE(placed[0].afterRow, 1); // after the 200 OK
    QCOMPARE(placed[0].endRow, 1);
    QVERIFY(ui::placeMediaStreams(model, 1).empty()); // cut before the stream began
}

void TestLadderView::filteringKeepsOrDropsTheSelection()
{
    Capture c;
    const Flow f = buildFlow(c);
    LadderModel model(c.store, &c.rtp);
    nameEndpoints(model);
    model.update();
    ui::LadderView view;
    view.resize(1000, 600);
    view.setModel(&model);
    view.show();
    QVERIFY(QTest::qWaitForWindowExposed(&view));
    view.selectMessage(f.busy);
    QSignalSpy selected(&view, &ui::LadderView::messageSelected);

    diag::LadderFilter filter;
    filter.text = QStringLiteral("carol");
    model.setFilter(filter);
    view.modelChanged();
    QCOMPARE(view.selectedMessage(), f.busy); // still shown, now a search hit
    QCOMPARE(selected.size(), 0);
    screenshot(view, QStringLiteral("ladder-search"));

    filter.text = QStringLiteral("REGISTER");
    model.setFilter(filter);
    view.modelChanged();
    QCOMPARE(view.selectedMessage(), kNoMessage);
    QCOMPARE(selected.size(), 1);
    QCOMPARE(selected.takeFirst().at(0).value<quint32>(), kNoMessage);

    filter.text = QStringLiteral("no such text anywhere");
    model.setFilter(filter);
    view.modelChanged();
    QCOMPARE(model.rowCount(), 0);
    QCOMPARE(view.rowAt(QPoint(100, 200)), -1);
    view.grab(); // paints the placeholder
}

void TestLadderView::paintsOneFrameOfAMillionMessages()
{
    // 200,000 messages by default: a million take 15 s to import under ASan (the parser, not the
    // ladder); DS_LADDER_BIG=1000000 runs the full size. One call of seven messages, repeated with new Call-IDs (same length, so the templates are
    // patched in place): the store and model are built in one pass.
    const int kMessages = qEnvironmentVariableIntValue("DS_LADDER_BIG") > 0 ? qEnvironmentVariableIntValue("DS_LADDER_BIG") : 200'000;
    const QByteArray dialog = "From: <sip:alice@pbx.example.com>;tag=a1\nTo: <sip:bob@pbx.example.com>;tag=b1\nCall-ID: XXXXXXXXXX@192.0.2.10\n";
    const QByteArray via = "Via: SIP/2.0/UDP 192.0.2.10:5060;branch=z9hG4bK-1\n";
    QList<std::pair<bool, QByteArray>> call {
        // (from alice, text)
        {true,
            sipText("INVITE sip:bob@pbx.example.com SIP/2.0\n" + via + "Max-Forwards: 70\n" + dialog + "CSeq: 1 INVITE\nContent-Type: application/sdp\n",
                kAliceSdp)},
        {false, sipText("SIP/2.0 100 Trying\n" + via + dialog + "CSeq: 1 INVITE\n")},
        {false, sipText("SIP/2.0 180 Ringing\n" + via + dialog + "CSeq: 1 INVITE\n")},
        {false, sipText("SIP/2.0 200 OK\n" + via + dialog + "CSeq: 1 INVITE\nContent-Type: application/sdp\n", kBobSdp)},
        {true, sipText("ACK sip:bob@192.0.2.20 SIP/2.0\nVia: SIP/2.0/UDP 192.0.2.10:5060;branch=z9hG4bK-2\nMax-Forwards: 70\n" + dialog + "CSeq: 1 ACK\n")},
        {true, sipText("BYE sip:bob@192.0.2.20 SIP/2.0\nVia: SIP/2.0/UDP 192.0.2.10:5060;branch=z9hG4bK-3\nMax-Forwards: 70\n" + dialog + "CSeq: 2 BYE\n")},
        {false, sipText("SIP/2.0 200 OK\nVia: SIP/2.0/UDP 192.0.2.10:5060;branch=z9hG4bK-3\n" + dialog + "CSeq: 2 BYE\n")},
    };
    QList<qsizetype> at;
    for (auto &[out, text] : call)
        at << text.indexOf("XXXXXXXXXX");
    QElapsedTimer clock;
    clock.start();
    TraceStore store;
    qint64 us = 1'790'000'000'000'000;
    for (int n = 0; int(store.size()) < kMessages; ++n) {
        const QByteArray id = QByteArray::number(n).rightJustified(10, '0');
        for (qsizetype k = 0; k < call.size() && int(store.size()) < kMessages; ++k) {
            auto &[out, text] = call[k];
            std::copy(id.begin(), id.end(), text.begin() + at[k]);
            store.append(us += 700, sip::TransportKind::Udp, out ? kAlice : kPbx, out ? kPbx : kAlice, text, 0);
        }
    }
    const qint64 built = clock.restart();
    LadderModel model(store);
    nameEndpoints(model);
    model.update();
    QCOMPARE(model.rowCount(), kMessages);
    qInfo("%d messages: store built in %lld ms, model in %lld ms", kMessages, built, clock.elapsed());

    ui::LadderView view;
    view.resize(1000, 700);
    view.setModel(&model);
    view.modelChanged();
    view.show();
    QVERIFY(QTest::qWaitForWindowExposed(&view));
    QVERIFY(lastRowVisible(view, model));
    QScrollBar *bar = view.verticalScrollBar();
    QVERIFY(bar->maximum() > 0);
    for (const auto &[name, value] : {std::pair {"top", 0}, std::pair {"middle", bar->maximum() / 2}, std::pair {"end", bar->maximum()}}) {
        bar->setValue(value);
        double fastest = 1e9, slowest = 0;
        QSize size;
        for (int k = 0; k < 5; ++k) { // the machine is shared: the fastest is the cost, the slowest the noise
            clock.restart();
            size = view.viewport()->grab().size();
            const double ms = double(clock.nsecsElapsed()) / 1e6;
            fastest = std::min(fastest, ms);
            slowest = std::max(slowest, ms);
        }
        qInfo("paint of one %dx%d frame at the %s of %d rows: %.2f ms (slowest of 5: %.2f ms)", size.width(), size.height(), name, model.rowCount(), fastest,
            slowest);
    }
    // The last row is where the view says it is, a million rows down.
    view.selectMessage(model.messageAt(model.rowCount() - 1));
    QCOMPARE(view.rowAt(view.arrowRect(model.rowCount() - 1).center()), model.rowCount() - 1);
    QTest::mouseClick(view.viewport(), Qt::LeftButton, {}, view.arrowRect(model.rowCount() - 2).center());
    QCOMPARE(view.selectedMessage(), model.messageAt(model.rowCount() - 2));
    screenshot(view, QStringLiteral("ladder-million"));

    // Exports of a big trace are cut: SVG at maxRows, PNG at a height still worth opening.
    QTemporaryDir dir;
    clock.restart();
    QVERIFY(ui::exportLadderSvg(model, dir.filePath(QStringLiteral("big.svg")), 1000));
    const qint64 svgMs = clock.restart();
    QVERIFY(ui::exportLadderPng(model, dir.filePath(QStringLiteral("big.png"))));
    qInfo("exports of %d rows: SVG (1000 rows) %lld ms, PNG (its height limit) %lld ms", model.rowCount(), svgMs, clock.elapsed());
    QFile svg(dir.filePath(QStringLiteral("big.svg")));
    QVERIFY(svg.open(QIODevice::ReadOnly));
    QVERIFY(svg.readAll().contains(QString::number(model.rowCount() - 1000).toLatin1() + " more messages not shown"));
    const QImage png(dir.filePath(QStringLiteral("big.png")));
    QVERIFY(!png.isNull());
    QVERIFY(png.height() <= ui::kMaxPngHeight && png.height() > ui::kMaxPngHeight - 4 * 60);
}

void TestLadderView::exportsSvgAndPng()
{
    Capture c;
    buildFlow(c);
    LadderModel model(c.store, &c.rtp);
    nameEndpoints(model);
    model.update();
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const QString svgPath = dir.filePath(QStringLiteral("ladder.svg")), pngPath = dir.filePath(QStringLiteral("ladder.png"));
    const auto svg = ui::exportLadderSvg(model, svgPath);
    QVERIFY2(svg, qPrintable(svg ? QString() : svg.error()));
    const auto png = ui::exportLadderPng(model, pngPath);
    QVERIFY2(png, qPrintable(png ? QString() : png.error()));

    QFile file(svgPath);
    QVERIFY(file.open(QIODevice::ReadOnly));
    const QByteArray text = file.readAll();
    for (const char *word : {"REGISTER", "401 Unauthorized", "INVITE", "180 Ringing", "200 OK", "ACK", "INFO", "BYE", "486 Busy Here", "OPTIONS", "PCMU/8000"})
        QVERIFY2(text.contains(word), word);
    QVERIFY(!text.contains("not shown"));
    QSvgRenderer renderer(svgPath);
    QVERIFY(renderer.isValid());

    QImage image(pngPath);
    QVERIFY(!image.isNull());
    QCOMPARE(image.size(), renderer.viewBox().size()); // the same scene
    ui::LadderPainter painter(model);
    QFont font;
    font.setPixelSize(13);
    painter.setFont(font);
    painter.layout();
    QCOMPARE(image.height(), painter.sceneSize().height()); // header, every row and both RTP lines
    QVERIFY(image.width() >= painter.sceneSize().width());
    QVERIFY(image.width() > 4 * 150 && image.height() > (model.rowCount() + 2) * 30);
    if (const QString shots = qEnvironmentVariable("DS_UI_SCREENSHOTS"); !shots.isEmpty())
        QVERIFY(QFile::copy(pngPath, shots + QStringLiteral("/ladder-export.png")) || QFile::exists(shots + QStringLiteral("/ladder-export.png")));

    // Cut: the first rows and a line saying how many were left out.
    const QString shortPng = dir.filePath(QStringLiteral("short.png")), shortSvg = dir.filePath(QStringLiteral("short.svg"));
    QVERIFY(ui::exportLadderPng(model, shortPng, 5));
    QVERIFY(ui::exportLadderSvg(model, shortSvg, 5));
    const QImage cut(shortPng);
    QCOMPARE(cut.width(), image.width());
    QVERIFY(cut.height() < image.height() / 2);
    QFile shortFile(shortSvg);
    QVERIFY(shortFile.open(QIODevice::ReadOnly));
    const QByteArray shortText = shortFile.readAll();
    QVERIFY(shortText.contains(QString::number(model.rowCount() - 5).toLatin1() + " more messages not shown"));
    QVERIFY(!shortText.contains("BYE"));
}

void TestLadderView::exportErrorsNameTheFile()
{
    Capture c;
    buildFlow(c);
    LadderModel model(c.store);
    model.update();
    const QString path = QStringLiteral("/nonexistent-dialscope-dir/ladder.svg");
    const auto svg = ui::exportLadderSvg(model, path);
    QVERIFY(!svg);
    QVERIFY2(svg.error().contains(path), qPrintable(svg.error()));
    const auto png = ui::exportLadderPng(model, QStringLiteral("/nonexistent-dialscope-dir/ladder.png"));
    QVERIFY(!png);
    QVERIFY2(png.error().contains(QStringLiteral("/nonexistent-dialscope-dir/ladder.png")), qPrintable(png.error()));
}

QTEST_MAIN(TestLadderView)
#include "tst_ladder_view.moc"
