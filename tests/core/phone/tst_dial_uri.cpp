// parseDialUri: the links a desktop hands dialscope (sip:, sips:, tel:, callto:, and the sloppy
// forms other softphones accept) become targets CallCenter dials; headers never reach the INVITE;
// bad links get an error naming what was wrong.

#include "phone/call_center.h"
#include "phone/dial_uri.h"

#include <QTest>

using namespace ds::phone;

namespace {

const QString kDomain = QStringLiteral("example.org"); // the calling account's domain

} // namespace

class TestDialUri : public QObject {
    Q_OBJECT
private slots:
    void parses_data();
    void parses();
    void refuses_data();
    void refuses();
    void reportsWhatWasDropped();
    void recognisesLinks_data();
    void recognisesLinks();
};

void TestDialUri::parses_data()
{
    QTest::addColumn<QString>("link");
    QTest::addColumn<QString>("target");
    QTest::addColumn<QString>("scheme");
    QTest::addColumn<QStringList>("droppedHeaders");
    // What CallCenter::targetUri makes of the target in kDomain; empty: not checked.
    QTest::addColumn<QString>("requestUri");

    const QStringList none;
    const auto row = [](const char *name) -> QTestData & { return QTest::newRow(name); };
    row("sip") << "sip:alice@example.com"
               << "sip:alice@example.com"
               << "sip" << none << "sip:alice@example.com";
    row("sips") << "sips:bob@example.com"
                << "sips:bob@example.com"
                << "sips" << none << "sips:bob@example.com";
    row("port and transport") << "sip:alice@example.com:5070;transport=tcp"
                              << "sip:alice@example.com:5070;transport=tcp"
                              << "sip" << none << "sip:alice@example.com:5070;transport=tcp";
    row("upper-case scheme") << "SIP:alice@Example.com"
                             << "sip:alice@Example.com"
                             << "sip" << none << "sip:alice@Example.com";
    row("surrounding whitespace") << "\t sip:alice@example.com \n"
                                  << "sip:alice@example.com"
                                  << "sip" << none << "sip:alice@example.com";
    row("quoted") << "\"sip:alice@example.com\""
                  << "sip:alice@example.com"
                  << "sip" << none << "sip:alice@example.com";
    row("angle brackets") << "<sip:alice@example.com>"
                          << "sip:alice@example.com"
                          << "sip" << none << "sip:alice@example.com";
    row("sip:// with a trailing slash") << "sip://alice@example.com/"
                                        << "sip:alice@example.com"
                                        << "sip" << none << "sip:alice@example.com";
    row("escaped space in the user") << "sip:alice%20smith@example.com"
                                     << "sip:alice%20smith@example.com"
                                     << "sip" << none << "sip:alice%20smith@example.com";
    row("needless escape") << "sip:%61lice@example.com"
                           << "sip:alice@example.com"
                           << "sip" << none << "sip:alice@example.com";
    row("escaped once more") << "sip%3Aalice%40example.com"
                             << "sip:alice@example.com"
                             << "sip" << none << "sip:alice@example.com";
    row("IPv6 host") << "sip:[2001:db8::1]:5070"
                     << "sip:[2001:db8::1]:5070"
                     << "sip" << none << "sip:[2001:db8::1]:5070";
    row("user=phone") << "sip:+15550100@192.0.2.10;user=phone"
                      << "sip:+15550100@192.0.2.10;user=phone"
                      << "sip" << none << "sip:+15550100@192.0.2.10;user=phone";
    row("headers dropped") << "sip:alice@example.com?Route=%3Csip:evil.example.net;lr%3E&Subject=hi"
                           << "sip:alice@example.com"
                           << "sip" << QStringList {"Route", "Subject"} << "sip:alice@example.com";
    row("unescaped header value") << "sip:alice@example.com;transport=tcp?Route=<sip:x@evil.example.net>"
                                  << "sip:alice@example.com;transport=tcp"
                                  << "sip" << QStringList {"Route"} << "sip:alice@example.com;transport=tcp";
    row("body header") << "sips:alice@example.com?body=hello&Content-Type=text/plain"
                       << "sips:alice@example.com"
                       << "sips" << QStringList {"body", "Content-Type"} << "sips:alice@example.com";
    row("tel global") << "tel:+1-555-0100"
                      << "tel:+15550100"
                      << "tel" << none << "sip:+15550100@example.org;user=phone";
    row("tel with brackets, dots, spaces") << "tel:+1 (555) 010.0"
                                           << "tel:+15550100"
                                           << "tel" << none << "sip:+15550100@example.org;user=phone";
    row("tel escaped") << "tel:%2B1%20555%200100"
                       << "tel:+15550100"
                       << "tel" << none << "sip:+15550100@example.org;user=phone";
    row("tel://") << "tel://+15550100"
                  << "tel:+15550100"
                  << "tel" << none << "sip:+15550100@example.org;user=phone";
    row("tel local") << "tel:1000"
                     << "tel:1000"
                     << "tel" << none << "sip:1000@example.org;user=phone";
    row("tel star and hash") << "tel:*67#"
                             << "tel:*67#"
                             << "tel" << none << "sip:*67%23@example.org;user=phone";
    // RFC 3261 19.1.6: the tel URI's parameters go into the user part.
    row("tel phone-context domain") << "tel:7042;phone-context=example.com"
                                    << "tel:7042;phone-context=example.com"
                                    << "tel" << none << "sip:7042;phone-context=example.com@example.org;user=phone";
    row("tel phone-context number") << "tel:70-42;phone-context=+1-212-555"
                                    << "tel:7042;phone-context=+1212555"
                                    << "tel" << none << "sip:7042;phone-context=+1212555@example.org;user=phone";
    row("tel extension") << "tel:+1-555-0100;ext=12-3"
                         << "tel:+15550100;ext=123"
                         << "tel" << none << "sip:+15550100;ext=123@example.org;user=phone";
    row("callto number") << "callto:+1-555-0100"
                         << "+15550100"
                         << "callto" << none << "sip:+15550100@example.org";
    row("callto://") << "callto://+15550100"
                     << "+15550100"
                     << "callto" << none << "sip:+15550100@example.org";
    row("callto upper case") << "CALLTO:1000"
                             << "1000"
                             << "callto" << none << "sip:1000@example.org";
    row("callto user") << "callto:alice"
                       << "alice"
                       << "callto" << none << "sip:alice@example.org";
    row("callto user@host") << "callto:alice@example.com"
                            << "sip:alice@example.com"
                            << "callto" << none << "sip:alice@example.com";
    row("callto sip") << "callto:sip:alice@example.com?Subject=x"
                      << "sip:alice@example.com"
                      << "callto" << QStringList {"Subject"} << "sip:alice@example.com";
    row("callto Skype action") << "callto:+15550100?call"
                               << "+15550100"
                               << "callto" << QStringList {"call"} << "sip:+15550100@example.org";
}

void TestDialUri::parses()
{
    QFETCH(QString, link);
    QFETCH(QString, target);
    QFETCH(QString, scheme);
    QFETCH(QStringList, droppedHeaders);
    QFETCH(QString, requestUri);

    const auto parsed = parseDialUri(link);
    QVERIFY2(parsed, qPrintable(parsed ? QString() : parsed.error()));
    QCOMPARE(parsed->target, target);
    QCOMPARE(parsed->scheme, scheme);
    QCOMPARE(parsed->droppedHeaders, droppedHeaders);
    const auto uri = CallCenter::targetUri(parsed->target, kDomain);
    QVERIFY2(uri, qPrintable(uri ? QString() : uri.error()));
    QVERIFY2(!uri->contains('?'), uri->constData()); // no header reaches the Request-URI
    if (!requestUri.isEmpty())
        QCOMPARE(QString::fromUtf8(*uri), requestUri);
}

void TestDialUri::refuses_data()
{
    QTest::addColumn<QString>("link");
    QTest::addColumn<QString>("expected"); // in the error, case-insensitive

    QTest::newRow("empty") << ""
                           << "empty";
    QTest::newRow("blank") << "  \t "
                           << "empty";
    QTest::newRow("quotes only") << "\"\""
                                 << "empty";
    QTest::newRow("web link") << "http://example.com/"
                              << "http: links cannot be called";
    QTest::newRow("no scheme") << "alice@example.com"
                               << "no scheme";
    QTest::newRow("sip without anyone") << "sip:"
                                        << "names no one";
    QTest::newRow("sip:// without anyone") << "sip://"
                                           << "names no one";
    QTest::newRow("space in the host") << "sip:alice@exa mple.com"
                                       << "whitespace";
    QTest::newRow("port too large") << "sip:alice@example.com:99999"
                                    << "65535";
    QTest::newRow("bad escape") << "sip:al%ZZice@example.com"
                                << "escape";
    QTest::newRow("escaped CRLF in the user") << "sip:alice%0D%0AVia:x@example.com"
                                              << "control character (U+000D)";
    QTest::newRow("CRLF in the link") << "sip:alice@example.com\r\nRoute: <sip:evil>"
                                      << "control character";
    QTest::newRow("only headers") << "sip:?Route=x"
                                  << "no host";
    QTest::newRow("tel without number") << "tel:"
                                        << "names no one";
    QTest::newRow("tel separators only") << "tel:--"
                                         << "no number";
    QTest::newRow("tel plus only") << "tel:+"
                                   << "no digits";
    QTest::newRow("tel letters") << "tel:+1-555-CALL"
                                 << "contains 'C'";
    QTest::newRow("tel non-hex") << "tel:55x0"
                                 << "contains 'x'";
    QTest::newRow("tel bad escape") << "tel:%zz"
                                    << "escape";
    QTest::newRow("tel escaped newline") << "tel:+1555%0A"
                                         << "control character";
    QTest::newRow("tel bad parameter") << "tel:+15550100;=x"
                                       << "parameter";
    QTest::newRow("callto without anyone") << "callto:"
                                           << "names no one";
    QTest::newRow("callto gibberish") << "callto:a b/c"
                                      << "neither a number";
    QTest::newRow("callto empty sip") << "callto:sip:"
                                      << "names no one";
    QTest::newRow("too long") << QString(DialUri::kMaxLength + 1, u'1') << "2049 characters";
    QTest::newRow("too long sip") << "sip:" + QString(DialUri::kMaxLength, u'a') + "@example.com"
                                  << "at most 2048";
}

void TestDialUri::refuses()
{
    QFETCH(QString, link);
    QFETCH(QString, expected);
    const auto parsed = parseDialUri(link);
    QVERIFY2(!parsed, qPrintable(parsed ? parsed->target : QString()));
    QVERIFY2(parsed.error().contains(expected, Qt::CaseInsensitive), qPrintable(parsed.error()));
}

void TestDialUri::reportsWhatWasDropped()
{
    const auto plain = parseDialUri(QStringLiteral("sip:alice@example.com"));
    QVERIFY(plain);
    QVERIFY(!plain->droppedAnything());
    QVERIFY(plain->droppedText().isEmpty());

    const auto parsed = parseDialUri(QStringLiteral("sip:alice:s3cret@example.com;method=REGISTER;transport=udp?Route=%3Csip:evil.example.net%3E"));
    QVERIFY2(parsed, qPrintable(parsed ? QString() : parsed.error()));
    QCOMPARE(parsed->target, QStringLiteral("sip:alice@example.com;transport=udp"));
    QVERIFY(parsed->droppedPassword);
    QVERIFY(parsed->droppedMethod);
    const QString text = parsed->droppedText();
    for (const char *word : {"Route", "password", "method"})
        QVERIFY2(text.contains(QLatin1String(word)), qPrintable(text));
    // What was left out is named, never repeated: neither the password nor the header's value.
    QVERIFY2(!text.contains(QLatin1String("s3cret")) && !text.contains(QLatin1String("evil")), qPrintable(text));

    // A flood of headers is summed up, not listed without end.
    QString many = QStringLiteral("sip:alice@example.com?");
    for (int i = 0; i < 100; ++i)
        many += QStringLiteral("h%1=v&").arg(i);
    const auto flooded = parseDialUri(many);
    QVERIFY(flooded);
    QVERIFY(flooded->droppedHeaders.size() <= 17);
    QCOMPARE(flooded->droppedHeaders.last(), QString(QChar(0x2026)));
}

void TestDialUri::recognisesLinks_data()
{
    QTest::addColumn<QString>("arg");
    QTest::addColumn<bool>("link");
    QTest::newRow("sip") << "sip:alice@example.com" << true;
    QTest::newRow("SIPS") << "SIPS:alice@example.com" << true;
    QTest::newRow("tel") << "Tel:+15550100" << true;
    QTest::newRow("callto") << "callto:1000" << true;
    QTest::newRow("subcommand") << "register" << false;
    QTest::newRow("call subcommand") << "call" << false;
    QTest::newRow("option") << "--help" << false;
    QTest::newRow("scheme alone") << "sip" << false;
    QTest::newRow("other scheme") << "sipx:1" << false;
    QTest::newRow("web") << "https://example.com" << false;
}

void TestDialUri::recognisesLinks()
{
    QFETCH(QString, arg);
    QFETCH(bool, link);
    QCOMPARE(isDialUri(arg), link);
}

QTEST_GUILESS_MAIN(TestDialUri)
#include "tst_dial_uri.moc"
