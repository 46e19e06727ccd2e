// Interop: `dialscope regtest` against a real Kamailio registrar (auth_db over db_text, digest
// MD5) with hundreds of subscribers, reading SIPp injection files and our CSV, over UDP, TCP
// and TLS; failures classified per account; an unreachable server; bad account files.
#include "support/dialscope_cli.h"
#include "support/kamailio_registrar.h"
#include "support/test_case_dir.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QTemporaryDir>
#include <QUdpSocket>
#include <QtTest>

#include <memory>

using namespace ds::test;
using namespace Qt::StringLiterals;

namespace {

using Subscriber = KamailioRegistrar::Subscriber;

// user0000..userNNNN with passwords that differ per user.
QList<Subscriber> subscribers(int n)
{
    QList<Subscriber> list;
    for (int i = 0; i < n; ++i)
        list.append({QStringLiteral("user%1").arg(i, 4, 10, QLatin1Char('0')), QStringLiteral("pw-%1-x").arg(i * 7919 % 10007)});
    return list;
}

// A SIPp injection file as SIPp's documentation writes them (and as `sipp -inf` reads it).
QByteArray sippFile(const QList<Subscriber> &list)
{
    QByteArray f = "SEQUENTIAL\n";
    for (const Subscriber &s : list)
        f += s.user.toUtf8() + ";[authentication username=" + s.user.toUtf8() + " password=" + s.password.toUtf8() + "]\n";
    return f;
}

qint64 outcomeCount(const QJsonObject &result, const QString &outcome) { return qint64(result.value(u"by_outcome").toObject().value(outcome).toDouble()); }

} // namespace

class TstRegtest : public QObject {
    Q_OBJECT

private slots:
    void initTestCase();
    void cleanup();
    void cleanupTestCase();

    void sippInjectionFile_data();
    void sippInjectionFile();
    void failuresClassifiedPerAccount();
    void countCyclesAndUnregisterAfter();
    void unreachableServerTimesOut();
    void badAccountsFile_data();
    void badAccountsFile();

private:
    bool startKamailio(const QList<Subscriber> &list);
    QString writeFile(const QString &name, const QByteArray &content) const;
    void checkPercentiles(const QJsonObject &result, qint64 registered, const QString &why);

    std::unique_ptr<QTemporaryDir> m_tmp;
    std::unique_ptr<KamailioRegistrar> m_kamailio;
    QString m_error;
    bool m_anyFailed = false;
};

void TstRegtest::initTestCase()
{
    m_tmp = std::make_unique<QTemporaryDir>(QDir::tempPath() + QStringLiteral("/dialscope-regtest-XXXXXX"));
    QVERIFY(m_tmp->isValid());
    m_kamailio = std::make_unique<KamailioRegistrar>(m_tmp->path());
    if (const KamailioRegistrar::Result prepared = m_kamailio->prepare(); !prepared) {
        if (prepared.error().skip)
            QSKIP(qPrintable(prepared.error().message));
        QFAIL(qPrintable(prepared.error().message));
    }
    QVERIFY2(QFileInfo::exists(QStringLiteral(DIALSCOPE_BIN)), "dialscope is not built at " DIALSCOPE_BIN);
}

void TstRegtest::cleanup()
{
    if (QTest::currentTestFailed()) {
        m_anyFailed = true;
        if (const QString log = m_kamailio ? m_kamailio->logTail(3000) : QString(); !log.isEmpty())
            qWarning().noquote() << log;
    }
    if (m_kamailio)
        m_kamailio->stop();
}

void TstRegtest::cleanupTestCase()
{
    m_kamailio.reset();
    if (m_tmp && m_anyFailed) {
        m_tmp->setAutoRemove(false);
        qInfo().noquote() << "kept the test files (configs, logs) in" << m_tmp->path();
    }
}

bool TstRegtest::startKamailio(const QList<Subscriber> &list)
{
    m_error.clear();
    const KamailioRegistrar::Result started = m_kamailio->start(QStringLiteral("MD5"), list, testCaseDir(m_tmp->path()));
    if (!started)
        m_error = started.error().message;
    return started.has_value();
}

QString TstRegtest::writeFile(const QString &name, const QByteArray &content) const
{
    const QString path = testCaseDir(m_tmp->path()) + QLatin1Char('/') + name;
    QFile f(path);
    if (!f.open(QIODevice::WriteOnly) || f.write(content) != content.size())
        return {};
    return path;
}

// The percentiles are ordered, positive, and the histogram holds every registration.
void TstRegtest::checkPercentiles(const QJsonObject &result, qint64 registered, const QString &why)
{
    const double p50 = result.value(u"p50_ms").toDouble();
    const double p95 = result.value(u"p95_ms").toDouble();
    const double p99 = result.value(u"p99_ms").toDouble();
    const double max = result.value(u"max_ms").toDouble();
    QVERIFY2(p50 > 0 && p50 <= p95 && p95 <= p99 && p99 <= max, qPrintable(why));
    const double c50 = result.value(u"challenge_p50_ms").toDouble();
    QVERIFY2(c50 > 0 && c50 < p50, qPrintable(u"the challenge round is part of the registration: "_s + why));
    qint64 inHistogram = 0;
    for (const QJsonValue &bin : result.value(u"histogram").toArray()) {
        QVERIFY2(bin.toObject().value(u"from_ms").toDouble() < bin.toObject().value(u"to_ms").toDouble(), qPrintable(why));
        inHistogram += qint64(bin.toObject().value(u"count").toDouble());
    }
    QCOMPARE(inHistogram, registered);
}

void TstRegtest::sippInjectionFile_data()
{
    QTest::addColumn<QString>("transport");
    QTest::newRow("udp") << u"udp"_s;
    QTest::newRow("tcp") << u"tcp"_s;
    QTest::newRow("tls") << u"tls"_s;
}

// 300 accounts from a SIPp injection file, all registered, each with a 401 round first.
void TstRegtest::sippInjectionFile()
{
    QFETCH(QString, transport);
    const QList<Subscriber> list = subscribers(300);
    QVERIFY2(startKamailio(list), qPrintable(m_error));
    const QString file = writeFile(u"users.csv"_s, sippFile(list));
    QVERIFY(!file.isEmpty());

    const quint16 port = transport == u"tls" ? m_kamailio->tlsPort() : m_kamailio->udpPort();
    QStringList args {u"regtest"_s, u"127.0.0.1:%1"_s.arg(port), u"--accounts"_s, file, u"--transport"_s, transport, u"--rate"_s, u"1000/s"_s,
        u"--concurrency"_s, u"50"_s, u"--json"_s};
    if (transport == u"tls")
        args << u"--ca"_s << m_kamailio->caFile();
    const DialscopeRun run = runDialscope(args);
    const QString why = run.describe();
    QVERIFY2(run.finished && run.badLines.isEmpty(), qPrintable(why));
    QVERIFY2(run.exitCode == 0, qPrintable(why));
    const QJsonObject result = run.result();
    QCOMPARE(result.value(u"outcome").toString(), u"registered"_s);
    QCOMPARE(result.value(u"attempted").toInt(), 300);
    QCOMPARE(result.value(u"registered").toInt(), 300);
    QCOMPARE(result.value(u"failed").toInt(), 0);
    QCOMPARE(outcomeCount(result, u"registered"_s), 300);
    QVERIFY2(result.value(u"rate_per_s").toDouble() > 0, qPrintable(why));
    checkPercentiles(result, 300, why);
    QVERIFY2(run.eventsOf(u"attempt"_s).isEmpty(), qPrintable(why)); // only failures are listed

    // Kamailio saw each account authenticate once (auth_check 1), after one challenge each.
    const QString log = m_kamailio->log();
    for (const Subscriber &s : list)
        QVERIFY2(log.contains(u"REGISTER sip:%1@127.0.0.1 from 127.0.0.1"_s.arg(s.user)), qPrintable(s.user));
    QCOMPARE(log.count(u"auth_check=1\n"_s), 300);
    for (const Subscriber &s : list.first(20))
        QVERIFY2(!run.out.contains(s.password.toUtf8()) && !run.err.contains(s.password.toUtf8()), "a password was printed");
}

// Our CSV form with every kind of failure: each failed account named with its explanation.
void TstRegtest::failuresClassifiedPerAccount()
{
    const QList<Subscriber> list = subscribers(20);
    QVERIFY2(startKamailio(list), qPrintable(m_error));
    QByteArray csv = "# user;password[;auth_user[;domain]]\n";
    for (const Subscriber &s : list)
        csv += s.user.toUtf8() + ';' + s.password.toUtf8() + "\r\n";
    csv += "user0001;wrong-password\n"; // wrong credentials (a second attempt for user0001)
    csv += "user0002;also-wrong\n";
    csv += "nosuchuser;whatever\n"; // unknown user: 403 Unknown user -> not-found
    csv += "user0003;" + list[4].password.toUtf8() + ";user0004\n"; // auth user differs from To: forbidden
    csv += "this line has no password\n"; // skipped with a warning naming line 26
    const QString file = writeFile(u"mixed.csv"_s, csv);

    const DialscopeRun run = runDialscope({u"regtest"_s, u"127.0.0.1:%1"_s.arg(m_kamailio->udpPort()), u"--accounts"_s, file, u"--json"_s});
    const QString why = run.describe();
    QVERIFY2(run.finished && run.badLines.isEmpty(), qPrintable(why));
    QVERIFY2(run.exitCode == 1, qPrintable(why));
    const QJsonObject result = run.result();
    QCOMPARE(result.value(u"outcome").toString(), u"failed"_s);
    QCOMPARE(result.value(u"attempted").toInt(), 24);
    QCOMPARE(result.value(u"registered").toInt(), 20);
    QCOMPARE(result.value(u"failed").toInt(), 4);
    QCOMPARE(outcomeCount(result, u"wrong-credentials"_s), 2);
    QCOMPARE(outcomeCount(result, u"not-found"_s), 1);
    QCOMPARE(outcomeCount(result, u"forbidden"_s), 1);
    QVERIFY2(result.value(u"reason").toString().contains(u"4 of 24"_s), qPrintable(why));
    QVERIFY2(run.err.contains("line 26"), qPrintable(why));

    QMap<QString, QJsonObject> failures;
    for (const QJsonValue &f : result.value(u"failures").toArray())
        failures.insert(f.toObject().value(u"user").toString(), f.toObject());
    QCOMPARE(failures.size(), 4);
    QCOMPARE(failures.value(u"user0001"_s).value(u"outcome").toString(), u"wrong-credentials"_s);
    QCOMPARE(failures.value(u"user0001"_s).value(u"status").toInt(), 401);
    QVERIFY2(failures.value(u"user0001"_s).value(u"reason").toString().contains(u"password"_s), qPrintable(why));
    QCOMPARE(failures.value(u"nosuchuser"_s).value(u"outcome").toString(), u"not-found"_s);
    QCOMPARE(failures.value(u"user0003"_s).value(u"outcome").toString(), u"forbidden"_s);
    QCOMPARE(failures.value(u"user0003"_s).value(u"status").toInt(), 403);
    QCOMPARE(run.eventsOf(u"attempt"_s).size(), 4); // each failure also as it happened
    for (const QByteArray &pw : {QByteArray("wrong-password"), QByteArray("also-wrong"), list[4].password.toUtf8()})
        QVERIFY2(!run.out.contains(pw) && !run.err.contains(pw), "a password was printed");

    // The text report lists the same, for people.
    const DialscopeRun text = runDialscope({u"regtest"_s, u"127.0.0.1:%1"_s.arg(m_kamailio->udpPort()), u"--accounts"_s, file, u"--ladder"_s});
    QVERIFY2(text.exitCode == 1, qPrintable(text.describe()));
    QVERIFY2(text.out.contains("24 attempted, 20 registered, 4 failed"), qPrintable(text.describe()));
    QVERIFY2(text.out.contains("nosuchuser not-found:"), qPrintable(text.describe()));
    QVERIFY2(text.out.contains("registration time histogram"), qPrintable(text.describe()));
    // --ladder: the first failed attempt's exchange, and only its own.
    const qsizetype ladderAt = text.out.indexOf("the first failed attempt:");
    QVERIFY2(ladderAt >= 0, qPrintable(text.describe()));
    const QByteArray ladder = text.out.mid(ladderAt);
    QVERIFY2(ladder.contains("REGISTER") && (ladder.contains("401") || ladder.contains("403")), qPrintable(text.describe()));
    QVERIFY2(ladder.count("REGISTER") <= 8, qPrintable(text.describe()));
}

// --count goes round the accounts; --unregister-after removes every binding again.
void TstRegtest::countCyclesAndUnregisterAfter()
{
    const QList<Subscriber> list = subscribers(7);
    QVERIFY2(startKamailio(list), qPrintable(m_error));
    const QString file = writeFile(u"seven.csv"_s, sippFile(list));
    const DialscopeRun run = runDialscope({u"regtest"_s, u"127.0.0.1:%1"_s.arg(m_kamailio->tcpPort()), u"--transport"_s, u"tcp"_s, u"--accounts"_s, file,
        u"--count"_s, u"50"_s, u"--concurrency"_s, u"5"_s, u"--unregister-after"_s, u"--expires"_s, u"120"_s, u"--json"_s});
    const QString why = run.describe();
    QVERIFY2(run.finished && run.exitCode == 0, qPrintable(why));
    const QJsonObject result = run.result();
    QCOMPARE(result.value(u"attempted").toInt(), 50);
    QCOMPARE(result.value(u"registered").toInt(), 50);
    QCOMPARE(result.value(u"unregistered").toInt(), 50);
    // 50 attempts over 7 accounts: user0000 is used 8 times (0, 7, ... 49), user0006 7 times.
    const QString log = m_kamailio->log();
    QCOMPARE(log.count(u"REGISTER sip:user0000@127.0.0.1 from"_s), 8 * 2 + 8); // challenge, credentials, removal
    QCOMPARE(log.count(u"REGISTER sip:user0006@127.0.0.1 from"_s), 7 * 2 + 7);
}

// Nothing answers: every attempt ends at Timer F with the explanation, quickly with a small T1.
void TstRegtest::unreachableServerTimesOut()
{
    QUdpSocket silent; // bound, never read: datagrams vanish
    QVERIFY(silent.bind(QHostAddress::LocalHost, 0));
    const QList<Subscriber> list = subscribers(5);
    const QString file = writeFile(u"five.csv"_s, sippFile(list));
    const DialscopeRun run
        = runDialscope({u"regtest"_s, u"127.0.0.1:%1"_s.arg(silent.localPort()), u"--accounts"_s, file, u"--t1"_s, u"20"_s, u"--t2"_s, u"40"_s, u"--json"_s});
    const QString why = run.describe();
    QVERIFY2(run.finished && run.exitCode == 1, qPrintable(why));
    const QJsonObject result = run.result();
    QCOMPARE(result.value(u"attempted").toInt(), 5);
    QCOMPARE(outcomeCount(result, u"timeout"_s), 5);
    const QJsonArray failures = result.value(u"failures").toArray();
    QCOMPARE(failures.size(), 5);
    QVERIFY2(failures.first().toObject().value(u"reason").toString().contains(u"no answer from"_s), qPrintable(why));

    // --timeout ends the test while attempts are in flight: they count as timeouts too.
    const DialscopeRun cut
        = runDialscope({u"regtest"_s, u"127.0.0.1:%1"_s.arg(silent.localPort()), u"--accounts"_s, file, u"--timeout"_s, u"0.5"_s, u"--json"_s});
    QVERIFY2(cut.finished && cut.exitCode == 1, qPrintable(cut.describe()));
    QCOMPARE(cut.result().value(u"attempted").toInt(), 5);
    QCOMPARE(outcomeCount(cut.result(), u"timeout"_s), 5);
    QVERIFY2(cut.result().value(u"failures").toArray().first().toObject().value(u"reason").toString().contains(u"--timeout"_s), qPrintable(cut.describe()));
}

void TstRegtest::badAccountsFile_data()
{
    QTest::addColumn<QByteArray>("content");
    QTest::addColumn<QString>("expected");
    QTest::newRow("empty") << QByteArray() << u"no account"_s;
    QTest::newRow("binary") << QByteArray("\x7f"
                                          "ELF\x02\x01\x01\0\0\0\0",
        12) << u"not a text file"_s;
    QTest::newRow("only comments") << QByteArray("# nothing here\n") << u"no account"_s;
}

// A file that cannot be used: exit 2, naming the file, before any REGISTER.
void TstRegtest::badAccountsFile()
{
    QFETCH(QByteArray, content);
    QFETCH(QString, expected);
    const QString file = writeFile(u"bad.csv"_s, content);
    const DialscopeRun run = runDialscope({u"regtest"_s, u"127.0.0.1:5060"_s, u"--accounts"_s, file, u"--json"_s});
    QVERIFY2(run.finished && run.exitCode == 2, qPrintable(run.describe()));
    QVERIFY2(run.err.contains(file.toUtf8()), qPrintable(run.describe()));
    QVERIFY2(QString::fromUtf8(run.err).contains(expected, Qt::CaseInsensitive), qPrintable(run.describe()));
    QVERIFY2(run.events.isEmpty(), qPrintable(run.describe()));

    const DialscopeRun missing = runDialscope({u"regtest"_s, u"127.0.0.1:5060"_s, u"--accounts"_s, file + u".missing"_s});
    QVERIFY2(missing.exitCode == 2 && missing.err.contains((file + u".missing"_s).toUtf8()), qPrintable(missing.describe()));
}

QTEST_GUILESS_MAIN(TstRegtest)
#include "tst_regtest.moc"
