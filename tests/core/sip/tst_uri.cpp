// Uri: SIP, SIPS and tel URIs with parameters, headers, escapes and IPv6 references.

#include "sip/uri.h"

#include <QTest>

using namespace ds::sip;

class TestUri : public QObject {
    Q_OBJECT
private slots:
    void sip()
    {
        auto u = Uri::parse("sips:alice%20b:pw@[2001:db8::10]:5061;transport=tcp;lr?subject=project%20x&priority=urgent");
        QVERIFY2(u, u ? "" : qPrintable(u.error().what));
        QCOMPARE(u->scheme, Uri::Scheme::Sips);
        QCOMPARE(u->user, "alice b");
        QCOMPARE(u->password, "pw");
        QCOMPARE(u->host, "2001:db8::10");
        QVERIFY(u->ipv6);
        QCOMPARE(u->port, 5061);
        QCOMPARE(u->paramValue("transport"), "tcp");
        QVERIFY(u->hasParam("lr"));
        QCOMPARE(u->headers.size(), 2);
        QCOMPARE(u->headers[0].second, "project x");
        QCOMPARE(u->hostPort(), "[2001:db8::10]:5061");
    }
    void tel()
    {
        auto u = Uri::parse("tel:+1-201-555-0123;phone-context=example.com");
        QVERIFY(u);
        QCOMPARE(u->scheme, Uri::Scheme::Tel);
        QCOMPARE(u->user, "+1-201-555-0123");
        QCOMPARE(u->paramValue("phone-context"), "example.com");
    }
    void roundTrip()
    {
        auto u = Uri::parse("sip:bob@example.com:5070;transport=udp");
        QVERIFY(u);
        QCOMPARE(u->toString(), "sip:bob@example.com:5070;transport=udp");
    }
    void invalid_data()
    {
        QTest::addColumn<QByteArray>("text");
        QTest::addColumn<QString>("expected");
        QTest::newRow("no scheme") << QByteArray("example.com") << "no scheme";
        QTest::newRow("space") << QByteArray("sip:a b@example.com") << "whitespace";
        QTest::newRow("bad port") << QByteArray("sip:a@example.com:99999") << "65535";
        QTest::newRow("bad v6") << QByteArray("sip:[2001:zz::1]") << "IPv6";
        QTest::newRow("unclosed v6") << QByteArray("sip:[::1") << "closing";
        QTest::newRow("bad escape") << QByteArray("sip:a%2@example.com") << "escape";
        QTest::newRow("empty user") << QByteArray("sip:@example.com") << "user";
        QTest::newRow("angle") << QByteArray("<sip:a@b>") << "scheme";
    }
    void invalid()
    {
        QFETCH(QByteArray, text);
        QFETCH(QString, expected);
        auto u = Uri::parse(text);
        QVERIFY(!u);
        QVERIFY2(u.error().what.contains(expected, Qt::CaseInsensitive), qPrintable(u.error().what));
    }
};

QTEST_GUILESS_MAIN(TestUri)
#include "tst_uri.moc"
