// Registration over a real network stack against SIPp registrars that do what Kamailio won't
// on demand: a 2-second binding that must be refreshed, and a NAT seen through received/rport.

#include "phone/phone.h"

#include "sip/parser.h"

#include <QFile>
#include <QProcess>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTcpServer>
#include <QTemporaryDir>
#include <QTest>
#include <QUdpSocket>

using namespace ds;

class TestRegistration : public QObject {
    Q_OBJECT

    struct Sipp {
        QProcess process;
        quint16 port = 0;
        QTemporaryDir dir;
        ~Sipp()
        {
            if (process.state() != QProcess::NotRunning) {
                process.kill();
                process.waitForFinished(3000);
            }
        }
    };

    // Starts SIPp as a UAS with a scenario from tests/data/sipp on a free UDP port.
    static bool startSipp(Sipp &s, const QString &scenario, bool tcp = false)
    {
        QUdpSocket probe;
        probe.bind(QHostAddress::LocalHost, 0);
        s.port = probe.localPort();
        probe.close();
        s.process.setProgram(QStringLiteral("sipp"));
        s.process.setWorkingDirectory(s.dir.path());
        s.process.setArguments({QStringLiteral("-sf"), QStringLiteral(DS_TEST_DATA "/sipp/") + scenario, QStringLiteral("-i"), QStringLiteral("127.0.0.1"),
            QStringLiteral("-p"), QString::number(s.port), QStringLiteral("-m"), QStringLiteral("1"), QStringLiteral("-nostdin"), QStringLiteral("-trace_err"),
            QStringLiteral("-error_file"), s.dir.filePath(QStringLiteral("errors.log"))});
        if (tcp)
            s.process.setArguments(s.process.arguments() << QStringLiteral("-t") << QStringLiteral("t1"));
        s.process.setProcessChannelMode(QProcess::MergedChannels);
        s.process.start();
        if (!s.process.waitForStarted(5000))
            return false;
        // Ready once it holds the port (read from /proc, so the check never takes the port itself).
        for (int i = 0; i < 100; ++i) {
            if (portInUse(s.port, tcp))
                return true;
            QTest::qWait(50);
        }
        return false;
    }

    static bool portInUse(quint16 port, bool tcp)
    {
        QFile f(tcp ? QStringLiteral("/proc/net/tcp") : QStringLiteral("/proc/net/udp"));
        if (!f.open(QIODevice::ReadOnly))
            return false;
        const QByteArray needle = ':' + QByteArray::number(port, 16).toUpper().rightJustified(4, '0') + ' ';
        for (const QByteArray &line : f.readAll().split('\n')) {
            const QList<QByteArray> cols = line.simplified().split(' ');
            if (cols.size() > 3 && (cols[1] + ' ').endsWith(needle) && (!tcp || cols[3] == "0A"))
                return true;
        }
        return false;
    }

    static phone::Account account(quint16 port)
    {
        phone::Account a;
        a.id = QStringLiteral("t1");
        a.user = QStringLiteral("alice");
        a.server = QStringLiteral("127.0.0.1:%1").arg(port);
        a.expires = 600;
        return a;
    }

private slots:
    void initTestCase()
    {
        if (QStandardPaths::findExecutable(QStringLiteral("sipp")).isEmpty())
            QSKIP("sipp is not installed (Debian package sip-tester)");
    }

    void refreshesBeforeExpiry()
    {
        Sipp sipp;
        QVERIFY(startSipp(sipp, QStringLiteral("refresh.xml")));
        phone::Phone phone;
        QList<sip::TraceEvent> trace;
        QList<phone::Diagnosis> results;
        connect(&phone, &phone::Phone::traced, this, [&](const QString &, const sip::TraceEvent &e) { trace.append(e); });
        connect(&phone, &phone::Phone::registrationFinished, this, [&](const QString &, const phone::Diagnosis &d) { results.append(d); });
        phone.setAccount(account(sipp.port), "secret");
        phone.registerAccount(QStringLiteral("t1"));
        QTRY_COMPARE_WITH_TIMEOUT(results.size(), 1, 10000);
        QCOMPARE(results[0].outcome, phone::Outcome::Registered);
        const phone::Registration *r = phone.registration(QStringLiteral("t1"));
        QCOMPARE(r->grantedExpires(), 2);
        QCOMPARE(r->requestedExpires(), 600);
        QVERIFY(r->nextRefreshAt() > 0);
        // The refresh comes by itself, before the 2 s binding runs out.
        QTRY_COMPARE_WITH_TIMEOUT(results.size(), 2, 10000);
        QCOMPARE(results[1].outcome, phone::Outcome::Registered);
        QCOMPARE(r->grantedExpires(), 3600);
        QList<sip::Message> out;
        for (const auto &e : trace)
            if (e.direction == sip::TraceEvent::Direction::Out)
                out.append(*sip::Parser::parse(e.raw));
        QCOMPARE(out.size(), 2);
        QCOMPARE(out[1].callId(), out[0].callId());
        QCOMPARE(out[1].cseqNumber(), out[0].cseqNumber() + 1);
        QVERIFY(out[1].topViaBranch() != out[0].topViaBranch());
        QVERIFY2(
            sipp.process.state() == QProcess::NotRunning || sipp.process.waitForFinished(10000), qPrintable(QString::fromLocal8Bit(sipp.process.readAll())));
        QCOMPARE(sipp.process.exitCode(), 0);
    }

    void detectsNatAndUsesPublicAddress()
    {
        Sipp sipp;
        QVERIFY(startSipp(sipp, QStringLiteral("nat.xml")));
        phone::Phone phone;
        QList<phone::Diagnosis> results;
        QStringList findings;
        QList<QByteArray> contacts;
        connect(&phone, &phone::Phone::traced, this, [&](const QString &, const sip::TraceEvent &e) {
            if (e.direction == sip::TraceEvent::Direction::Out)
                contacts.append(sip::Parser::parse(e.raw)->header(sip::HeaderId::Contact).toByteArray());
        });
        connect(&phone, &phone::Phone::registrationFinished, this, [&](const QString &, const phone::Diagnosis &d) { results.append(d); });
        connect(&phone, &phone::Phone::finding, this, [&](const QString &, const QString &, const QString &text) { findings.append(text); });
        phone.setAccount(account(sipp.port), "secret");
        phone.registerAccount(QStringLiteral("t1"));
        QTRY_COMPARE_WITH_TIMEOUT(results.size(), 1, 10000);
        QCOMPARE(results[0].outcome, phone::Outcome::Registered);
        QVERIFY2(findings.join(QLatin1Char('\n')).contains(QLatin1String("NAT detected")), qPrintable(findings.join(QLatin1Char('\n'))));
        const phone::Registration *r = phone.registration(QStringLiteral("t1"));
        QCOMPARE(r->publicAddress(), QStringLiteral("203.0.113.7:40000"));
        QVERIFY(r->contact().contains("@203.0.113.7:40000"));
        QCOMPARE(contacts.size(), 2);
        QVERIFY(contacts[0].contains("@127.0.0.1:"));
        QVERIFY(contacts[1].contains("@203.0.113.7:40000>"));
        QVERIFY(sipp.process.state() == QProcess::NotRunning || sipp.process.waitForFinished(10000));
        QVERIFY2(sipp.process.exitCode() == 0, qPrintable(QString::fromLocal8Bit(sipp.process.readAll())));
    }

    void lostConnectionIsRetried()
    {
        Sipp sipp;
        QVERIFY(startSipp(sipp, QStringLiteral("register_once.xml"), true));
        phone::Phone phone;
        QList<phone::Diagnosis> results;
        QStringList findings;
        connect(&phone, &phone::Phone::registrationFinished, this, [&](const QString &, const phone::Diagnosis &d) { results.append(d); });
        connect(&phone, &phone::Phone::finding, this, [&](const QString &, const QString &, const QString &text) { findings.append(text); });
        phone::Account a = account(sipp.port);
        a.transport = QStringLiteral("tcp");
        phone.setAccount(a, "secret");
        phone.registerAccount(QStringLiteral("t1"));
        QTRY_VERIFY_WITH_TIMEOUT(results.size() >= 1, 10000);
        auto all = [&] {
            QStringList l;
            for (const auto &d : results)
                l << phone::outcomeName(d.outcome) + QLatin1String(": ") + d.reason;
            return l.join(QLatin1Char('\n'));
        };
        QVERIFY2(results[0].outcome == phone::Outcome::Registered, qPrintable(all()));
        // SIPp ends its scenario and closes the connection: the phone notices and plans a retry.
        QTRY_VERIFY_WITH_TIMEOUT(results.size() >= 2, 15000);
        QVERIFY2(results.size() == 2 && results[1].outcome == phone::Outcome::NetworkError, qPrintable(all()));
        QVERIFY2(results[1].reason.contains(QLatin1String("closed")), qPrintable(results[1].reason));
        QVERIFY2(findings.join(QLatin1Char('\n')).contains(QLatin1String("registering again in 30 s")), qPrintable(findings.join(QLatin1Char('\n'))));
        QVERIFY(phone.registration(QStringLiteral("t1"))->nextRefreshTime().isValid());
    }

    void retryBackoff()
    {
        QCOMPARE(phone::Registration::retryDelayFor(1), 30);
        QCOMPARE(phone::Registration::retryDelayFor(2), 60);
        QCOMPARE(phone::Registration::retryDelayFor(5), 480);
        QCOMPARE(phone::Registration::retryDelayFor(9), 600);
    }
};

QTEST_GUILESS_MAIN(TestRegistration)
#include "tst_registration.moc"
