// screenInvite: which new INVITEs ring and which are refused without ringing — what sipvicious
// sends (svmap's INVITE to 100@, svwar's extension guesses), another device's GRUU, a direct
// INVITE when calls come only through the server.

#include "sip/invite_screen.h"
#include "sip/parser.h"

#include <QTest>

using namespace ds::sip;

namespace {

Message invite(const QByteArray &requestUri)
{
    const QByteArray bytes = "INVITE " + requestUri
        + " SIP/2.0\r\nVia: SIP/2.0/UDP 192.0.2.66:5060;branch=z9hG4bK1\r\nMax-Forwards: 70\r\nFrom: <sip:100@192.0.2.66>;tag=1\r\n"
          "To: <sip:100@192.0.2.10>\r\nCall-ID: c1\r\nCSeq: 1 INVITE\r\nContent-Length: 0\r\n\r\n";
    auto m = Parser::parse(bytes);
    if (!m)
        qFatal("%s", qPrintable(m.error().toString()));
    return *m;
}

const QByteArray kInstance = "<urn:uuid:f81d4fae-7dec-11d0-a765-00a0c91e6bf6>";
const QHostAddress kServer(QStringLiteral("192.0.2.1"));
const QHostAddress kElsewhere(QStringLiteral("192.0.2.66"));

} // namespace

class TestInviteScreen : public QObject {
    Q_OBJECT
private slots:
    void screen_data();
    void screen();
    void directCallsRingForAnyUser();
};

void TestInviteScreen::screen_data()
{
    QTest::addColumn<QByteArray>("requestUri");
    QTest::addColumn<QString>("source");
    QTest::addColumn<bool>("onlyThroughServer");
    QTest::addColumn<int>("status"); // 0: rings

    const QString server = kServer.toString(), elsewhere = kElsewhere.toString();
    QTest::newRow("our contact, from the server") << QByteArray("sip:alice@192.0.2.10:5062") << server << false << 0;
    QTest::newRow("our contact, direct") << QByteArray("sip:alice@192.0.2.10:5062") << elsewhere << false << 0;
    QTest::newRow("escaped user is the same user") << QByteArray("sip:%61lice@192.0.2.10") << elsewhere << false << 0;
    QTest::newRow("digest user") << QByteArray("sip:alice-auth@192.0.2.10") << elsewhere << false << 0;
    QTest::newRow("svmap: 100@") << QByteArray("sip:100@192.0.2.10") << elsewhere << false << 404;
    QTest::newRow("no user at all") << QByteArray("sip:192.0.2.10") << elsewhere << false << 404;
    QTest::newRow("user differs in case") << QByteArray("sip:Alice@192.0.2.10") << elsewhere << false << 404;
    QTest::newRow("tel URI") << QByteArray("tel:+15551234") << elsewhere << false << 404;
    QTest::newRow("our GRUU") << QByteArray("sip:alice@example.com;gr=urn:uuid:f81d4fae-7dec-11d0-a765-00a0c91e6bf6") << server << false << 0;
    QTest::newRow("our GRUU, upper-case UUID") << QByteArray("sip:alice@example.com;gr=urn:uuid:F81D4FAE-7DEC-11D0-A765-00A0C91E6BF6") << server << false << 0;
    QTest::newRow("public GRUU (bare gr)") << QByteArray("sip:alice@example.com;gr") << server << false << 0;
    QTest::newRow("another device's GRUU") << QByteArray("sip:alice@example.com;gr=urn:uuid:00000000-0000-0000-0000-000000000001") << server << false << 404;
    QTest::newRow("another instance") << QByteArray("sip:alice@192.0.2.10;+sip.instance=\"<urn:uuid:00000000-0000-0000-0000-000000000001>\"") << server << false
                                      << 404;
    QTest::newRow("only through server: from it") << QByteArray("sip:alice@192.0.2.10") << server << true << 0;
    QTest::newRow("only through server: from it, IPv4-mapped") << QByteArray("sip:alice@192.0.2.10") << QStringLiteral("::ffff:192.0.2.1") << true << 0;
    QTest::newRow("only through server: direct") << QByteArray("sip:alice@192.0.2.10") << elsewhere << true << 403;
    QTest::newRow("only through server: scanner") << QByteArray("sip:100@192.0.2.10") << elsewhere << true << 403;
}

void TestInviteScreen::screen()
{
    QFETCH(QByteArray, requestUri);
    QFETCH(QString, source);
    QFETCH(bool, onlyThroughServer);
    QFETCH(int, status);
    InviteScreen screen;
    screen.users = {"alice", "alice-auth"};
    screen.instance = kInstance;
    if (onlyThroughServer)
        screen.onlyFrom = kServer;
    const auto refusal = screenInvite(invite(requestUri), QHostAddress(source), screen);
    QCOMPARE(refusal ? refusal->status : 0, status);
    if (refusal) {
        QCOMPARE(refusal->reason, status == 403 ? QByteArray("Forbidden") : QByteArray("Not Found"));
        QVERIFY(!refusal->why.isEmpty());
    }
}

void TestInviteScreen::directCallsRingForAnyUser()
{
    // No server: people call user@our-address with whatever user they like.
    QVERIFY(!screenInvite(invite("sip:100@192.0.2.10"), kElsewhere, {}));
    QVERIFY(!screenInvite(invite("sip:192.0.2.10"), kElsewhere, {}));
}

QTEST_GUILESS_MAIN(TestInviteScreen)
#include "tst_invite_screen.moc"
