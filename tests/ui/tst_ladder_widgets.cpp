// The widgets around the ladder over a TraceStore of realistic traffic: the raw message pane
// (exact text, highlighting, escaped bytes, header meanings, digest and SDP tabs), the call list
// model (one row per Call-ID, incremental refresh, under QAbstractItemModelTester) and the
// filter bar (the LadderFilter its controls make, and what it hides when applied).

#include "sip/digest.h"
#include "sip/header_names.h"
#include "ui/header_help.h"
#include "ui/ladder_call_model.h"
#include "ui/ladder_filter_bar.h"
#include "ui/raw_message_view.h"
#include "ui/sip_highlighter.h"

#include <QAbstractItemModelTester>
#include <QAction>
#include <QDateTime>
#include <QHelpEvent>
#include <QLineEdit>
#include <QMenu>
#include <QPlainTextEdit>
#include <QSignalSpy>
#include <QTabWidget>
#include <QTest>
#include <QTextBlock>
#include <QTextLayout>
#include <QToolButton>
#include <QToolTip>

using namespace ds;
using diag::LadderFilter;
using diag::NetAddress;
using ui::SipHighlighter;
using Role = ui::SipHighlighter::Role;

namespace {

NetAddress addr(quint8 a, quint8 b, quint8 c, quint8 d, quint16 port)
{
    NetAddress n;
    n.ip = {a, b, c, d};
    n.port = port;
    return n;
}

const NetAddress kPhone = addr(10, 0, 0, 10, 5060);
const NetAddress kPbx = addr(10, 0, 0, 1, 5060);
const NetAddress kScanner = addr(203, 0, 113, 66, 5070);

const QByteArray kPassword = "s3cret-pw"; // used to compute the response; must never be shown
const QByteArray kNonce = "5f3a1c9e7b2d4a60";
const QByteArray kCnonce = "0a4f113b";
const QByteArray kInviteUri = "sip:bob@pbx.example.com";

// A message with CRLF line ends and the right Content-Length.
QByteArray sipMessage(const QByteArray &startLine, const QList<QByteArray> &headers, const QByteArray &body = {})
{
    QByteArray m = startLine + "\r\n";
    for (const QByteArray &h : headers)
        m += h + "\r\n";
    m += "Content-Length: " + QByteArray::number(body.size()) + "\r\n\r\n" + body;
    return m;
}

QByteArray offer(const QByteArray &ip, int port)
{
    return "v=0\r\no=- 2890844526 2890844526 IN IP4 " + ip + "\r\ns=-\r\nc=IN IP4 " + ip + "\r\nt=0 0\r\nm=audio " + QByteArray::number(port)
        + " RTP/AVP 0 8 101\r\na=rtpmap:0 PCMU/8000\r\na=rtpmap:8 PCMA/8000\r\na=rtpmap:101 telephone-event/8000\r\na=fmtp:101 0-16\r\n"
          "a=ptime:20\r\na=sendrecv\r\n";
}

QByteArray inviteHeaders(int cseq, const QByteArray &branch, const QByteArray &extra = {})
{
    QByteArray h = "Via: SIP/2.0/UDP 10.0.0.10:5060;branch=" + branch
        + ";rport\r\nMax-Forwards: 70\r\n"
          "From: \"Alice\" <sip:alice@pbx.example.com>;tag=1928301774\r\nTo: <sip:bob@pbx.example.com>\r\n"
          "Call-ID: a84b4c76e66710@10.0.0.10\r\nCSeq: "
        + QByteArray::number(cseq) + " INVITE\r\nContact: <sip:alice@10.0.0.10:5060>\r\nContent-Type: application/sdp";
    if (!extra.isEmpty())
        h += "\r\n" + extra;
    return h;
}

QByteArray responseHeaders(const QByteArray &branch, int cseq, const QByteArray &method, const QByteArray &toTag = {})
{
    return "Via: SIP/2.0/UDP 10.0.0.10:5060;branch=" + branch
        + ";rport=5060;received=10.0.0.10\r\n"
          "From: \"Alice\" <sip:alice@pbx.example.com>;tag=1928301774\r\nTo: <sip:bob@pbx.example.com>"
        + (toTag.isEmpty() ? QByteArray() : ";tag=" + toTag) + "\r\nCall-ID: a84b4c76e66710@10.0.0.10\r\nCSeq: " + QByteArray::number(cseq) + " " + method;
}

sip::DigestResult inviteDigest()
{
    sip::DigestInput in;
    in.username = "alice";
    in.realm = "pbx.example.com";
    in.password = kPassword;
    in.method = "INVITE";
    in.uri = kInviteUri;
    in.nonce = kNonce;
    in.cnonce = kCnonce;
    in.nc = 1;
    in.qop = "auth";
    return sip::computeDigest(in);
}

QByteArray registerMessage(int cseq, const QByteArray &branch, const QByteArray &auth = {})
{
    QList<QByteArray> h {"Via: SIP/2.0/UDP 10.0.0.10:5060;branch=" + branch, "Max-Forwards: 70", "From: <sip:alice@pbx.example.com>;tag=reg77",
        "To: <sip:alice@pbx.example.com>", "Call-ID: reg-1@10.0.0.10", "CSeq: " + QByteArray::number(cseq) + " REGISTER",
        "Contact: <sip:alice@10.0.0.10:5060>;expires=3600"};
    if (!auth.isEmpty())
        h << auth;
    return sipMessage("REGISTER sip:pbx.example.com SIP/2.0", h);
}

QByteArray registerResponse(const QByteArray &status, int cseq, const QByteArray &branch, const QByteArray &extra = {})
{
    QList<QByteArray> h {"Via: SIP/2.0/UDP 10.0.0.10:5060;branch=" + branch, "From: <sip:alice@pbx.example.com>;tag=reg77",
        "To: <sip:alice@pbx.example.com>;tag=srv9", "Call-ID: reg-1@10.0.0.10", "CSeq: " + QByteArray::number(cseq) + " REGISTER"};
    if (!extra.isEmpty())
        h << extra;
    return sipMessage("SIP/2.0 " + status, h);
}

// The format the highlighter gave the character at `pos` of a block.
QTextCharFormat formatAt(const QTextBlock &block, int pos)
{
    for (const QTextLayout::FormatRange &r : block.layout()->formats())
        if (pos >= r.start && pos < r.start + r.length)
            return r.format;
    return {};
}

int lineStartingWith(const QPlainTextEdit *edit, const QString &prefix)
{
    for (QTextBlock b = edit->document()->begin(); b.isValid(); b = b.next())
        if (b.text().startsWith(prefix))
            return b.blockNumber();
    return -1;
}

} // namespace

class TestLadderWidgets : public QObject {
    Q_OBJECT

    // Message indexes in the store, named.
    enum : quint32 {
        Invite1,
        Proxy407,
        Ack407,
        Invite2,
        Trying,
        Ringing,
        RingingAgain,
        Ok,
        Ack,
        Bye,
        ByeOk,
        Register1,
        Register401,
        Register2,
        Register200,
        ScannerOptions,
        MessageCount
    };
    diag::TraceStore m_store;
    qint64 m_t0 = QDateTime(QDate(2024, 5, 6), QTime(12, 34, 56, 789)).toMSecsSinceEpoch() * 1000;
    quint32 m_frame = 0;

    quint32 add(qint64 offsetMs, const NetAddress &src, const NetAddress &dst, const QByteArray &raw)
    {
        ++m_frame;
        return m_store.append(m_t0 + offsetMs * 1000, sip::TransportKind::Udp, src, dst, raw, m_frame);
    }

    void fill()
    {
        const sip::DigestResult d = inviteDigest();
        const QByteArray credentials = "Proxy-Authorization: Digest username=\"alice\", realm=\"pbx.example.com\", nonce=\"" + kNonce + "\", uri=\""
            + kInviteUri + "\", response=\"" + d.response + "\", algorithm=MD5, cnonce=\"" + kCnonce + "\", opaque=\"op4q\", qop=auth, nc=00000001";
        const QByteArray challenge
            = "Proxy-Authenticate: Digest realm=\"pbx.example.com\", nonce=\"" + kNonce + "\", opaque=\"op4q\", algorithm=MD5, qop=\"auth\", stale=FALSE";
        add(0, kPhone, kPbx, sipMessage("INVITE " + kInviteUri + " SIP/2.0", {inviteHeaders(1, "z9hG4bK74bf9")}, offer("10.0.0.10", 4000)));
        add(12, kPbx, kPhone, sipMessage("SIP/2.0 407 Proxy Authentication Required", {responseHeaders("z9hG4bK74bf9", 1, "INVITE", "p1"), challenge}));
        add(13, kPhone, kPbx,
            sipMessage("ACK " + kInviteUri + " SIP/2.0",
                {"Via: SIP/2.0/UDP 10.0.0.10:5060;branch=z9hG4bK74bf9", "Max-Forwards: 70", "From: \"Alice\" <sip:alice@pbx.example.com>;tag=1928301774",
                    "To: <sip:bob@pbx.example.com>;tag=p1", "Call-ID: a84b4c76e66710@10.0.0.10", "CSeq: 1 ACK"}));
        add(20, kPhone, kPbx,
            sipMessage("INVITE " + kInviteUri + " SIP/2.0",
                {inviteHeaders(2, "z9hG4bK776asdhds", credentials + "\r\nP-Asserted-Identity: <sip:+15551234@pbx.example.com>")}, offer("10.0.0.10", 4000)));
        add(25, kPbx, kPhone, sipMessage("SIP/2.0 100 Trying", {responseHeaders("z9hG4bK776asdhds", 2, "INVITE")}));
        add(300, kPbx, kPhone, sipMessage("SIP/2.0 180 Ringing", {responseHeaders("z9hG4bK776asdhds", 2, "INVITE", "b0b")}));
        add(800, kPbx, kPhone, sipMessage("SIP/2.0 180 Ringing", {responseHeaders("z9hG4bK776asdhds", 2, "INVITE", "b0b")}));
        add(2300, kPbx, kPhone,
            sipMessage("SIP/2.0 200 OK",
                {responseHeaders("z9hG4bK776asdhds", 2, "INVITE", "b0b"), "Contact: <sip:bob@10.0.0.1>", "Content-Type: application/sdp"},
                offer("10.0.0.1", 30000)));
        add(2310, kPhone, kPbx,
            sipMessage("ACK sip:bob@10.0.0.1 SIP/2.0",
                {"Via: SIP/2.0/UDP 10.0.0.10:5060;branch=z9hG4bKack2", "Max-Forwards: 70", "From: \"Alice\" <sip:alice@pbx.example.com>;tag=1928301774",
                    "To: <sip:bob@pbx.example.com>;tag=b0b", "Call-ID: a84b4c76e66710@10.0.0.10", "CSeq: 2 ACK"}));
        add(9310, kPhone, kPbx,
            sipMessage("BYE sip:bob@10.0.0.1 SIP/2.0",
                {"Via: SIP/2.0/UDP 10.0.0.10:5060;branch=z9hG4bKbye3", "Max-Forwards: 70", "From: \"Alice\" <sip:alice@pbx.example.com>;tag=1928301774",
                    "To: <sip:bob@pbx.example.com>;tag=b0b", "Call-ID: a84b4c76e66710@10.0.0.10", "CSeq: 3 BYE", "Reason: Q.850;cause=16"}));
        add(9320, kPbx, kPhone, sipMessage("SIP/2.0 200 OK", {responseHeaders("z9hG4bKbye3", 3, "BYE", "b0b")}));

        add(10000, kPhone, kPbx, registerMessage(1, "z9hG4bKr1"));
        add(10010, kPbx, kPhone,
            registerResponse("401 Unauthorized", 1, "z9hG4bKr1", "WWW-Authenticate: Digest realm=\"pbx.example.com\", nonce=\"abc123\", algorithm=MD5"));
        add(10020, kPhone, kPbx,
            registerMessage(2, "z9hG4bKr2",
                "Authorization: Digest username=\"alice\", realm=\"pbx.example.com\", nonce=\"abc123\", uri=\"sip:pbx.example.com\", "
                "response=\"0123456789abcdef0123456789abcdef\", algorithm=MD5"));
        add(10030, kPbx, kPhone, registerResponse("200 OK", 2, "z9hG4bKr2", "Contact: <sip:alice@10.0.0.10:5060>;expires=3600"));

        // A scanner, with bytes that are not text in a header.
        add(11000, kScanner, kPbx,
            sipMessage("OPTIONS sip:100@10.0.0.1 SIP/2.0",
                {"Via: SIP/2.0/UDP 203.0.113.66:5070;branch=z9hG4bK-scan1", "Max-Forwards: 70", "From: \"sipvicious\" <sip:100@1.1.1.1>;tag=6b6f",
                    "To: \"sipvicious\" <sip:100@1.1.1.1>", "Call-ID: 1234567890-scan", "CSeq: 1 OPTIONS", "User-Agent: friendly-scanner",
                    QByteArray("X-Junk: ok\xff\xfe\x01 end", 17), "Accept: application/sdp"}));
    }

private slots:
    void initTestCase()
    {
        fill();
        QCOMPARE(m_store.size(), quint32(MessageCount));
        QCOMPARE(m_store.callCount(), 3u);
        QVERIFY(m_store.record(RingingAgain).is(diag::MessageRecord::Retransmission));
        QVERIFY(m_store.record(Invite2).is(diag::MessageRecord::AuthRetry));
    }

    void rawViewShowsTheMessageAsSent()
    {
        ui::RawMessageView view;
        view.showMessage(m_store, Invite1);
        QCOMPARE(view.message(), quint32(Invite1));
        QCOMPARE(view.messageText(), QString::fromUtf8(m_store.raw(Invite1)).remove(QLatin1Char('\r')));
        const QString summary = view.summaryText();
        QVERIFY2(summary.contains(QStringLiteral("10.0.0.10:5060 → 10.0.0.1:5060")), qPrintable(summary));
        QVERIFY(summary.contains(QStringLiteral("UDP")));
        QVERIFY(summary.contains(QStringLiteral("frame 1")));
        QVERIFY(summary.contains(QDateTime::fromMSecsSinceEpoch(m_t0 / 1000).toString(QStringLiteral("hh:mm:ss.zzz"))));
        QVERIFY(view.isTabEnabled(ui::RawMessageView::SdpTab));
        QVERIFY(!view.isTabEnabled(ui::RawMessageView::DigestTab));

        view.showMessage(m_store, RingingAgain);
        QVERIFY(view.summaryText().contains(QStringLiteral("retransmission")));
        QVERIFY(!view.isTabEnabled(ui::RawMessageView::SdpTab));

        view.clear();
        QCOMPARE(view.message(), diag::kNoMessage);
        QVERIFY(view.messageText().isEmpty());
    }

    void highlighterColoursTheParts()
    {
        ui::RawMessageView view;
        view.resize(800, 600);
        view.showMessage(m_store, Invite2, QStringLiteral("ALICE"));
        const SipHighlighter *h = view.highlighter();
        const QPlainTextEdit *edit = view.messageEdit();
        const QTextBlock start = edit->document()->firstBlock();
        QCOMPARE(formatAt(start, 0).foreground(), h->formatFor(Role::Method).foreground()); // INVITE

        const QTextBlock via = edit->document()->findBlockByNumber(lineStartingWith(edit, QStringLiteral("Via:")));
        QCOMPARE(formatAt(via, 0).foreground(), h->formatFor(Role::HeaderName).foreground());
        QCOMPARE(formatAt(via, 5).foreground(), h->formatFor(Role::HeaderValue).foreground());
        const int branch = int(via.text().indexOf(QStringLiteral("branch=")));
        QCOMPARE(formatAt(via, branch).foreground(), h->formatFor(Role::KeyParam).foreground());
        QCOMPARE(formatAt(via, branch).fontWeight(), int(QFont::Bold));
        QCOMPARE(formatAt(via, branch + 8).foreground(), h->formatFor(Role::ParamValue).foreground());

        const QTextBlock auth = edit->document()->findBlockByNumber(lineStartingWith(edit, QStringLiteral("Proxy-Authorization:")));
        const int realm = int(auth.text().indexOf(QStringLiteral("realm=")));
        QCOMPARE(formatAt(auth, realm).foreground(), h->formatFor(Role::ParamName).foreground());
        QCOMPARE(formatAt(auth, realm + 7).foreground(), h->formatFor(Role::ParamValue).foreground());

        const QTextBlock media = edit->document()->findBlockByNumber(lineStartingWith(edit, QStringLiteral("m=audio")));
        QCOMPARE(formatAt(media, 0).foreground(), h->formatFor(Role::SdpType).foreground());
        QCOMPARE(formatAt(media, 2).foreground(), h->formatFor(Role::SdpAttribute).foreground());
        const QTextBlock rtpmap = edit->document()->findBlockByNumber(lineStartingWith(edit, QStringLiteral("a=rtpmap:0")));
        QCOMPARE(formatAt(rtpmap, 2).foreground(), h->formatFor(Role::SdpAttribute).foreground());

        // The search hits, case-insensitive, on top of the syntax colours.
        const QTextBlock from = edit->document()->findBlockByNumber(lineStartingWith(edit, QStringLiteral("From:")));
        const int hit = int(from.text().indexOf(QStringLiteral("Alice")));
        QCOMPARE(formatAt(from, hit).background(), h->formatFor(Role::SearchHit).background());
        QVERIFY(formatAt(from, 0).background() != h->formatFor(Role::SearchHit).background());
        view.setSearchText({});
        QVERIFY(formatAt(from, hit).background() != h->formatFor(Role::SearchHit).background());

        // A status line: the code in the colour of its class.
        view.showMessage(m_store, Proxy407);
        const QTextBlock status = view.messageEdit()->document()->firstBlock();
        QCOMPARE(formatAt(status, 8).foreground(), h->statusFormat(4).foreground());
        QVERIFY(h->statusFormat(4).foreground() != h->statusFormat(2).foreground());
    }

    void bytesThatAreNotTextAreEscaped()
    {
        ui::RawMessageView view;
        view.showMessage(m_store, ScannerOptions);
        const QString text = view.messageText();
        QVERIFY2(text.contains(QStringLiteral("X-Junk: ok\\xff\\xfe\\x01 end")), qPrintable(text));
        QVERIFY(!text.contains(QChar::ReplacementCharacter));
        const QPlainTextEdit *edit = view.messageEdit();
        const QTextBlock junk = edit->document()->findBlockByNumber(lineStartingWith(edit, QStringLiteral("X-Junk:")));
        const int at = int(junk.text().indexOf(QStringLiteral("\\xff")));
        QCOMPARE(formatAt(junk, at).background(), view.highlighter()->formatFor(Role::Escaped).background());
        QVERIFY(formatAt(junk, 0).background() != view.highlighter()->formatFor(Role::Escaped).background());

        // Valid UTF-8 stays text; a lone CR and a NUL are escaped.
        QList<std::pair<int, int>> escapes;
        static const char kText[] = "To: \"J\xc3\xbcrgen\"\r\nX: a\rb\0c\r\n\r\n";
        QCOMPARE(ui::RawMessageView::displayText(QByteArrayView(kText, sizeof kText - 1), &escapes), QStringLiteral("To: \"Jürgen\"\nX: a\\x0db\\x00c\n\n"));
        QCOMPARE(escapes.size(), 2);
        QCOMPARE(escapes[0], std::make_pair(17, 4));
        QCOMPARE(escapes[1], std::make_pair(22, 4));
        QCOMPARE(ui::RawMessageView::displayText("\xe0\x80\xaf"), QStringLiteral("\\xe0\\x80\\xaf")); // overlong
    }

    void headerLinesExplainThemselves()
    {
        ui::RawMessageView view;
        view.showMessage(m_store, Invite2);
        const QPlainTextEdit *edit = view.messageEdit();
        const QString via = view.toolTipForLine(lineStartingWith(edit, QStringLiteral("Via:")));
        QVERIFY2(via.contains(QStringLiteral("RFC 3261 20.42")) && via.contains(QStringLiteral("branch")), qPrintable(via));
        const QString pai = view.toolTipForLine(lineStartingWith(edit, QStringLiteral("P-Asserted-Identity:")));
        QVERIFY2(pai.contains(QStringLiteral("RFC 3325")) && pai.contains(QStringLiteral("trusted")), qPrintable(pai));
        QVERIFY(view.toolTipForLine(lineStartingWith(edit, QStringLiteral("Call-ID:"))).contains(QStringLiteral("RFC 3261 20.8")));
        QVERIFY(view.toolTipForLine(0).isEmpty()); // the start line
        QVERIFY(view.toolTipForLine(lineStartingWith(edit, QStringLiteral("m=audio"))).isEmpty()); // the body

        view.showMessage(m_store, ScannerOptions);
        QVERIFY(view.toolTipForLine(lineStartingWith(view.messageEdit(), QStringLiteral("X-Junk:"))).contains(QStringLiteral("private extension")));
    }

    void hoveringAHeaderShowsItsMeaning()
    {
        ui::RawMessageView view;
        view.resize(800, 600);
        view.show();
        QVERIFY(QTest::qWaitForWindowExposed(&view));
        view.showMessage(m_store, Invite2);
        QPlainTextEdit *edit = view.messageEdit();
        QTextCursor cursor(edit->document()->findBlockByNumber(lineStartingWith(edit, QStringLiteral("CSeq:"))));
        const QPoint at = edit->cursorRect(cursor).center() + QPoint(4, 0);
        QHelpEvent hover(QEvent::ToolTip, at, edit->viewport()->mapToGlobal(at));
        QCoreApplication::sendEvent(edit->viewport(), &hover);
        QTRY_VERIFY(QToolTip::isVisible());
        QVERIFY2(QToolTip::text().contains(QStringLiteral("RFC 3261 20.16")), qPrintable(QToolTip::text()));
        QToolTip::hideText();
    }

    void everyKnownHeaderHasAMeaning_data()
    {
        QTest::addColumn<QByteArray>("name");
        for (int id = int(sip::HeaderId::Other) + 1; id < int(sip::HeaderId::Count); ++id) {
            const QByteArray name = sip::headerLongName(sip::HeaderId(id)).toByteArray();
            QTest::newRow(name.constData()) << name;
        }
        for (const char *extension : {"P-Asserted-Identity", "Privacy", "Session-Expires", "Min-SE", "RSeq", "RAck", "Refer-To", "Replaces", "Reason",
                 "Diversion", "History-Info", "X-Anything", "v", "i", "m"})
            QTest::newRow(extension) << QByteArray(extension);
    }

    void everyKnownHeaderHasAMeaning()
    {
        QFETCH(QByteArray, name);
        const auto meaning = ui::HeaderHelp::lookup(name);
        QVERIFY(meaning);
        QVERIFY(!meaning->meaning.isEmpty());
        QVERIFY(meaning->reference.startsWith(QStringLiteral("RFC ")));
        QVERIFY(ui::HeaderHelp::lookup(name.toLower()));
    }

    void digestTabShowsInputsNeverThePassword()
    {
        ui::RawMessageView view;
        view.showMessage(m_store, Invite2);
        QVERIFY(view.isTabEnabled(ui::RawMessageView::DigestTab));
        const QString digest = view.digestText();
        const sip::DigestResult expected = inviteDigest();
        for (const QByteArray &part : {QByteArray("Proxy-Authorization"), QByteArray("alice"), QByteArray("pbx.example.com"), kNonce, kInviteUri, kCnonce,
                 QByteArray("00000001"), QByteArray("op4q"), expected.response, expected.ha2, QByteArray("MD5(alice:pbx.example.com:********)"),
                 QByteArray("MD5(INVITE:") + kInviteUri + ")"})
            QVERIFY2(digest.contains(QString::fromUtf8(part)), qPrintable(QString::fromUtf8(part) + QStringLiteral("\n") + digest));
        QVERIFY(!digest.contains(QString::fromUtf8(kPassword)));
        QVERIFY(!digest.contains(QString::fromUtf8(expected.ha1))); // HA1 needs the password: not computed
        QVERIFY2(!digest.contains(QStringLiteral("! ")), qPrintable(digest)); // matches its challenge: nothing to object

        // The challenge: realm, nonce, algorithm, qop, stale, opaque.
        view.showMessage(m_store, Proxy407);
        const QString challenge = view.digestText();
        for (const char *part : {"Proxy-Authenticate", "realm", "pbx.example.com", "nonce", "5f3a1c9e7b2d4a60", "algorithm", "MD5", "qop", "auth (offered)",
                 "stale", "FALSE", "opaque", "op4q"})
            QVERIFY2(challenge.contains(QLatin1String(part)), part);

        // A REGISTER's credentials: the Digest tab; no SDP.
        view.showMessage(m_store, Register2);
        QVERIFY(view.digestText().contains(QStringLiteral("Authorization")));
        QVERIFY(!view.isTabEnabled(ui::RawMessageView::SdpTab));

        // Moving to a message without credentials leaves the disabled tab for the message.
        view.tabs()->setCurrentIndex(ui::RawMessageView::DigestTab);
        view.showMessage(m_store, Ringing);
        QVERIFY(!view.isTabEnabled(ui::RawMessageView::DigestTab));
        QCOMPARE(view.tabs()->currentIndex(), int(ui::RawMessageView::MessageTab));
    }

    void digestNamesWhatAServerWouldObjectTo()
    {
        const QByteArray raw = sipMessage("INVITE sip:bob@pbx.example.com SIP/2.0",
            {"Via: SIP/2.0/UDP 10.0.0.10;branch=z9hG4bKx", "From: <sip:a@b>;tag=1", "To: <sip:bob@pbx.example.com>", "Call-ID: x", "CSeq: 1 INVITE",
                "Authorization: Digest username=\"a\", realm=\"r\", nonce=\"n\", uri=\"sip:pbx.example.com\", "
                "response=\"00\", qop=auth"});
        diag::TraceStore store;
        store.append(0, sip::TransportKind::Udp, kPhone, kPbx, raw, 1);
        const auto m = store.parse(0);
        QVERIFY(m);
        const QString text = ui::RawMessageView::digestExplanation(*m);
        QVERIFY2(text.contains(QStringLiteral("differs from the Request-URI")), qPrintable(text));
        QVERIFY(text.contains(QStringLiteral("nc or cnonce is missing")));
    }

    void sdpTabListsTheCodecs()
    {
        ui::RawMessageView view;
        view.showMessage(m_store, Ok);
        QVERIFY(view.isTabEnabled(ui::RawMessageView::SdpTab));
        const QString sdp = view.sdpText();
        for (const char *part : {"audio", "10.0.0.1:30000", "RTP/AVP", "sendrecv", "ptime 20", "PCMU/8000", "PCMA/8000", "telephone-event/8000", "fmtp 0-16",
                 "RFC 4733", "crypto: none"})
            QVERIFY2(sdp.contains(QLatin1String(part)), qPrintable(QLatin1String(part) + QLatin1Char('\n') + sdp));

        const QString bad = ui::RawMessageView::sdpExplanation("v=0\r\no=- 1 1 IN IP4 1.2.3.4\r\ns=-\r\nt=0 0\r\nm=audio abc RTP/AVP 0\r\n");
        QVERIFY2(bad.startsWith(QStringLiteral("The SDP does not parse")), qPrintable(bad));
        QVERIFY(bad.contains(QStringLiteral("line 5")));

        const QString srtp = ui::RawMessageView::sdpExplanation(
            "v=0\r\no=- 1 1 IN IP4 1.2.3.4\r\ns=-\r\nc=IN IP4 0.0.0.0\r\nt=0 0\r\nm=audio 5004 RTP/SAVP 0 96\r\na=sendonly\r\n"
            "a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:WVNfX19zZW1jdGwgKCkgewkyMjA7fQp9CnVubGVz|2^20|1:4\r\n");
        for (const char *part : {"0.0.0.0:5004", "sendonly", "on hold", "AES_CM_128_HMAC_SHA1_80", "no rtpmap", "no telephone-event"})
            QVERIFY2(srtp.contains(QLatin1String(part)), qPrintable(QLatin1String(part) + QLatin1Char('\n') + srtp));
        QVERIFY(!srtp.contains(QStringLiteral("WVNfX19zZW1jdGwg"))); // the key stays out
    }

    void callModelHasOneRowPerCallId()
    {
        diag::LadderModel ladder(m_store);
        ladder.update();
        ui::LadderCallModel model;
        QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        model.setLadder(&ladder);
        QCOMPARE(model.rowCount(), 3);
        QCOMPARE(model.columnCount(), int(ui::LadderCallModel::ColumnCount));
        const auto cell = [&model](int row, int column, int role = Qt::DisplayRole) { return model.index(row, column).data(role); };
        using M = ui::LadderCallModel;
        QCOMPARE(cell(0, M::FromColumn).toString(), QStringLiteral("sip:alice@pbx.example.com"));
        QCOMPARE(cell(0, M::ToColumn).toString(), QStringLiteral("sip:bob@pbx.example.com"));
        QCOMPARE(cell(0, M::MethodColumn).toString(), QStringLiteral("INVITE"));
        QCOMPARE(cell(0, M::StateColumn).toString(), QStringLiteral("ended"));
        QCOMPARE(cell(0, M::MessagesColumn).toInt(), 11);
        QCOMPARE(cell(0, M::DurationColumn).toString(), QStringLiteral("9.320 s"));
        QCOMPARE(cell(0, M::FirstColumn).toString(), QDateTime::fromMSecsSinceEpoch(m_t0 / 1000).toString(QStringLiteral("hh:mm:ss.zzz")));
        QCOMPARE(cell(0, M::LastColumn).toString(), QDateTime::fromMSecsSinceEpoch(m_t0 / 1000 + 9320).toString(QStringLiteral("hh:mm:ss.zzz")));
        QCOMPARE(cell(0, M::DurationColumn, M::SortRole).toLongLong(), 9'320'000);
        QCOMPARE(cell(0, 0, M::CallIdRole).toString(), QStringLiteral("a84b4c76e66710@10.0.0.10"));
        QVERIFY(cell(0, 0, Qt::ToolTipRole).toString().contains(QStringLiteral("a84b4c76e66710@10.0.0.10")));
        QCOMPARE(cell(1, M::MethodColumn).toString(), QStringLiteral("REGISTER"));
        QCOMPARE(cell(1, M::StateColumn).toString(), QStringLiteral("registered"));
        QCOMPARE(model.callAt(2), 2u);

        // The scanner's call: marked, not hidden.
        QVERIFY(!cell(0, 0, M::UnsolicitedRole).toBool());
        QVERIFY(cell(2, 0, M::UnsolicitedRole).toBool());
        QVERIFY(cell(2, M::FromColumn, Qt::FontRole).value<QFont>().italic());
        QVERIFY(cell(2, M::FromColumn, Qt::ForegroundRole).isValid());
        QVERIFY(cell(2, M::StateColumn, Qt::ToolTipRole).toString().contains(QStringLiteral("Unsolicited")));
        QVERIFY(!cell(0, M::FromColumn, Qt::FontRole).isValid());

        QCOMPARE(M::formatDuration(125'300'000), QStringLiteral("2:05.300"));
        QCOMPARE(M::formatDuration(3'723'000'000), QStringLiteral("1:02:03"));
    }

    void callModelGrowsIncrementally()
    {
        diag::TraceStore store;
        const auto copy = [&store, this](quint32 from, quint32 to) {
            for (quint32 i = from; i < to; ++i) {
                const diag::MessageRecord &r = m_store.record(i);
                store.append(r.timeUs, sip::TransportKind(r.transport), m_store.endpoint(r.src), m_store.endpoint(r.dst), m_store.raw(i), r.frame);
            }
        };
        copy(0, Register401 + 1);
        diag::LadderModel ladder(store);
        ladder.update();
        ui::LadderCallModel model;
        QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        model.setLadder(&ladder);
        QCOMPARE(model.rowCount(), 2);
        QCOMPARE(model.index(1, ui::LadderCallModel::StateColumn).data().toString(), QStringLiteral("challenged (401)"));
        QCOMPARE(model.index(1, ui::LadderCallModel::MessagesColumn).data().toInt(), 2);

        QSignalSpy inserted(&model, &QAbstractItemModel::rowsInserted);
        QSignalSpy changed(&model, &QAbstractItemModel::dataChanged);
        QSignalSpy reset(&model, &QAbstractItemModel::modelReset);
        model.refresh(); // nothing new: nothing announced
        QCOMPARE(inserted.size() + changed.size(), 0);

        copy(Register2, MessageCount);
        ladder.update();
        model.refresh();
        QCOMPARE(inserted.size(), 1);
        QCOMPARE(inserted[0][1].toInt(), 2);
        QCOMPARE(inserted[0][2].toInt(), 2);
        QCOMPARE(changed.size(), 1);
        const auto topLeft = changed[0][0].value<QModelIndex>(), bottomRight = changed[0][1].value<QModelIndex>();
        QVERIFY(topLeft.row() <= 1 && bottomRight.row() >= 1);
        QCOMPARE(reset.size(), 0);
        QCOMPARE(model.rowCount(), 3);
        QCOMPARE(model.index(1, ui::LadderCallModel::StateColumn).data().toString(), QStringLiteral("registered"));
        QCOMPARE(model.index(1, ui::LadderCallModel::MessagesColumn).data().toInt(), 4);
        QVERIFY(model.index(2, 0).data(ui::LadderCallModel::UnsolicitedRole).toBool());

        model.setLadder(nullptr);
        QCOMPARE(model.rowCount(), 0);
    }

    void filterBarMakesTheFilter()
    {
        ui::LadderFilterBar bar;
        QSignalSpy spy(&bar, &ui::LadderFilterBar::filterChanged);
        QSignalSpy merge(&bar, &ui::LadderFilterBar::mergeRelatedChanged);
        QSignalSpy findNext(&bar, &ui::LadderFilterBar::findNextRequested);
        const auto last = [&spy] { return spy.last().at(0).value<LadderFilter>(); };
        QCOMPARE(bar.filter(), LadderFilter {});

        bar.statusClassButton(0)->click(); // hide requests
        QCOMPARE(spy.size(), 1);
        QCOMPARE(last().statusClasses, quint8(0x7e));
        bar.statusClassButton(4)->click();
        QCOMPARE(last().statusClasses, quint8(0x6e));
        bar.statusClassButton(0)->click();
        bar.statusClassButton(4)->click();
        QCOMPARE(last().statusClasses, quint8(0x7f));

        // Clicking a method in the menu toggles it and leaves the menu open for the next one.
        QMenu *menu = bar.methodButton()->menu();
        menu->popup(QPoint(0, 0));
        QVERIFY(QTest::qWaitForWindowExposed(menu));
        QTest::mouseClick(menu, Qt::LeftButton, {}, menu->actionGeometry(bar.methodAction("INVITE")).center());
        QVERIFY(menu->isVisible());
        menu->hide();
        QCOMPARE(last().methods, QSet<QByteArray>({"INVITE"}));
        bar.methodAction("BYE")->trigger();
        QCOMPARE(last().methods, QSet<QByteArray>({"INVITE", "BYE"}));
        QCOMPARE(bar.methodButton()->text(), QStringLiteral("INVITE, BYE"));
        QCOMPARE(ui::LadderFilterBar::methodNames().size(), 14);

        bar.retransmissionsButton()->click();
        QVERIFY(!last().showRetransmissions);
        bar.unsolicitedButton()->click();
        QVERIFY(!last().showUnsolicited);
        const int before = int(spy.size());
        bar.mergeButton()->click();
        QCOMPARE(merge.size(), 1);
        QVERIFY(merge[0][0].toBool());
        QVERIFY(bar.mergeRelated());
        QCOMPARE(spy.size(), before); // a view option, not part of the filter

        // Typing filters after a pause, once; Enter applies at once and asks to jump.
        QTest::keyClicks(bar.searchField(), QStringLiteral("bob"));
        QCOMPARE(spy.size(), before);
        QTRY_COMPARE(spy.size(), before + 1);
        QCOMPARE(last().text, QStringLiteral("bob"));
        QTest::keyClicks(bar.searchField(), QStringLiteral("@"));
        QTest::keyClick(bar.searchField(), Qt::Key_Return);
        QCOMPARE(spy.size(), before + 2);
        QCOMPARE(last().text, QStringLiteral("bob@"));
        QCOMPARE(findNext.size(), 1);
        QCOMPARE(findNext[0][0].toString(), QStringLiteral("bob@"));

        bar.setCalls({1, 2});
        QCOMPARE(last().calls, QSet<quint32>({1, 2}));
        bar.setCalls({1, 2}); // unchanged: no signal
        QCOMPARE(spy.size(), before + 3);

        bar.clearButton()->click();
        QCOMPARE(last(), LadderFilter {});
        QVERIFY(bar.searchField()->text().isEmpty());
        QVERIFY(bar.mergeRelated());
        QTest::qWait(ui::LadderFilterBar::kSearchDelayMs + 50); // the cleared text does not come back late
        QCOMPARE(spy.size(), before + 4);

        LadderFilter f;
        f.methods = {"INVITE", "FOO"};
        f.statusClasses = 0x05;
        f.text = QStringLiteral("x");
        bar.setFilter(f);
        QCOMPARE(bar.filter(), f);
        QCOMPARE(last(), f);
        QVERIFY(bar.methodAction("INVITE")->isChecked());
    }

    void appliedFilterHidesTheOtherCalls()
    {
        diag::LadderModel ladder(m_store);
        ladder.update();
        QCOMPARE(ladder.rowCount(), int(MessageCount));
        ui::LadderFilterBar bar;
        QObject::connect(&bar, &ui::LadderFilterBar::filterChanged, &bar, [&ladder](const LadderFilter &f) { ladder.setFilter(f); });
        QObject::connect(&bar, &ui::LadderFilterBar::mergeRelatedChanged, &bar, [&ladder](bool m) { ladder.setMergeRelated(m); });

        bar.setCalls({0});
        QCOMPARE(ladder.rowCount(), int(ByeOk + 1));
        for (int row = 0; row < ladder.rowCount(); ++row)
            QCOMPARE(m_store.record(ladder.messageAt(row)).call, 0u);
        bar.retransmissionsButton()->click();
        QCOMPARE(ladder.rowCount(), int(ByeOk)); // the second 180 is gone
        QCOMPARE(ladder.rowOf(RingingAgain), -1);

        bar.clearFilter();
        bar.unsolicitedButton()->click();
        QCOMPARE(ladder.rowCount(), int(MessageCount) - 1);
        QCOMPARE(ladder.rowOf(ScannerOptions), -1);

        bar.clearFilter();
        bar.searchField()->setText(QStringLiteral("REGISTER"));
        QTest::keyClick(bar.searchField(), Qt::Key_Return);
        QCOMPARE(ladder.rowCount(), 4);
        for (int row = 0; row < ladder.rowCount(); ++row)
            QCOMPARE(m_store.record(ladder.messageAt(row)).call, 1u);
    }
};

QTEST_MAIN(TestLadderWidgets)
#include "tst_ladder_widgets.moc"
