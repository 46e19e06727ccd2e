// Outcome classification and refresh planning: what a support engineer would say.

#include "phone/outcome.h"
#include "phone/registration.h"

#include <QTest>

using namespace ds::phone;

class TestOutcome : public QObject {
    Q_OBJECT
private slots:
    void classify_data()
    {
        QTest::addColumn<int>("status");
        QTest::addColumn<bool>("credentials");
        QTest::addColumn<QString>("outcome");
        QTest::addColumn<QString>("phrase");
        QTest::newRow("401 again") << 401 << true << "wrong-credentials"
                                   << "password";
        QTest::newRow("407 again") << 407 << true << "wrong-credentials"
                                   << "password";
        QTest::newRow("403 after digest") << 403 << true << "forbidden"
                                          << "knows the credentials but forbids this account or IP";
        QTest::newRow("403 at once") << 403 << false << "forbidden"
                                     << "without asking for credentials";
        QTest::newRow("404") << 404 << false << "not-found"
                             << "does not know alice@example.com";
        QTest::newRow("500") << 500 << true << "server-error"
                             << "overloaded";
        QTest::newRow("503") << 503 << false << "server-error"
                             << "503 Service Unavailable";
        QTest::newRow("302") << 302 << false << "refused"
                             << "redirects";
        QTest::newRow("603") << 603 << false << "refused"
                             << "declined";
        QTest::newRow("488") << 488 << false << "refused"
                             << "488";
    }
    void classify()
    {
        QFETCH(int, status);
        QFETCH(bool, credentials);
        QFETCH(QString, outcome);
        QFETCH(QString, phrase);
        ResponseContext c;
        c.status = status;
        c.reasonPhrase = status == 503 ? QStringLiteral("Service Unavailable") : QStringLiteral("X");
        c.credentialsSent = credentials;
        c.user = QStringLiteral("alice");
        c.domain = QStringLiteral("example.com");
        const Diagnosis d = classifyResponse(c);
        QCOMPARE(outcomeName(d.outcome), outcome);
        QCOMPARE(d.status, status);
        QVERIFY2(d.reason.contains(phrase), qPrintable(d.reason));
    }
    void unknownUserAs403()
    {
        ResponseContext c;
        c.status = 403;
        c.reasonPhrase = QStringLiteral("Unknown user");
        c.user = QStringLiteral("nobody");
        c.domain = QStringLiteral("example.com");
        const Diagnosis d = classifyResponse(c);
        QCOMPARE(d.outcome, Outcome::NotFound);
        QVERIFY(d.reason.contains(QLatin1String("does not know nobody@example.com")));
    }
    void networkOutcomes()
    {
        QVERIFY(outcomeIsNetwork(Outcome::Timeout));
        QVERIFY(outcomeIsNetwork(Outcome::TlsError));
        QVERIFY(outcomeIsNetwork(Outcome::DnsError));
        QVERIFY(outcomeIsNetwork(Outcome::NetworkError));
        QVERIFY(!outcomeIsNetwork(Outcome::Forbidden));
    }
    void refreshDelay()
    {
        QCOMPARE(Registration::refreshDelayFor(3600), 1800);
        QCOMPARE(Registration::refreshDelayFor(600), 300);
        QCOMPARE(Registration::refreshDelayFor(60), 45); // short: expiry minus a margin
        QCOMPARE(Registration::refreshDelayFor(20), 10); // never earlier than half
        QCOMPARE(Registration::refreshDelayFor(1), 1);
    }
};

QTEST_GUILESS_MAIN(TestOutcome)
#include "tst_outcome.moc"
