// Interop: `dialscope register` against SIPp playing registrars that misbehave on
// purpose (lost request, 423, stale nonce, auth-int, refusals, silence): what a
// real registrar such as Kamailio will not do on demand. Scenarios: sipp/*.xml.
#include "support/dialscope_cli.h"
#include "support/test_case_dir.h"

#include <QDir>
#include <QTemporaryDir>
#include <QtTest>

#include <memory>

using namespace ds::test;
using namespace Qt::StringLiterals;

namespace {

const QString kUser = QStringLiteral("alice");
const QString kPassword = QStringLiteral("secret"); // what the scenarios' verifyauth expects

QString scenario(const QString &name) { return QStringLiteral(DS_INTEROP_DIR "/sipp/") + name; }

QByteArray viaBranch(const QByteArray &raw) { return sip::param(sip::header(raw, "Via", 'v'), "branch"); }

} // namespace

class TstRegisterSipp : public QObject {
    Q_OBJECT

private slots:
    void initTestCase();
    void cleanup();
    void cleanupTestCase();

    void lostFirstRegisterIsRetransmitted();
    void intervalTooBriefRetriesWithMinExpires();
    void staleNonceIsNotACredentialFailure();
    void authIntChallengeIsAnswered();
    void refusals_data();
    void refusals();
    void silentRegistrarTimesOut();

private:
    bool startSipp(const QString &scenarioFile);
    QStringList registerArgs() const;
    void checkScenarioCompleted();

    QString m_sippBin;
    std::unique_ptr<QTemporaryDir> m_tmp;
    std::unique_ptr<PeerProcess> m_sipp;
    QString m_caseDir;
    QString m_error;
    quint16 m_port = 0;
    bool m_anyFailed = false;
};

void TstRegisterSipp::initTestCase()
{
    m_sippBin = findProgram(QStringLiteral("sipp"));
    if (m_sippBin.isEmpty())
        QSKIP("sipp not found: install the Debian package sip-tester");
    QVERIFY2(QFileInfo::exists(QStringLiteral(DIALSCOPE_BIN)), "dialscope is not built at " DIALSCOPE_BIN);
    m_tmp = std::make_unique<QTemporaryDir>(QDir::tempPath() + QStringLiteral("/dialscope-sipp-XXXXXX"));
    QVERIFY(m_tmp->isValid());
}

void TstRegisterSipp::cleanup()
{
    if (QTest::currentTestFailed()) {
        m_anyFailed = true;
        if (m_sipp) {
            qWarning().noquote() << "SIPp:" << m_sipp->commandLine() << "\n--- messages SIPp saw:\n"
                                 << readTextFile(m_caseDir + QStringLiteral("/sipp-messages.log")).right(4000) << "\n--- errors:\n"
                                 << readTextFile(m_caseDir + QStringLiteral("/sipp-errors.log")).right(2000);
        }
    }
    m_sipp.reset(); // stops it
}

void TstRegisterSipp::cleanupTestCase()
{
    m_sipp.reset();
    if (m_tmp && m_anyFailed) {
        m_tmp->setAutoRemove(false);
        qInfo().noquote() << "kept the test files (scenarios, SIPp logs) in" << m_tmp->path();
    }
}

// Starts SIPp as a UAS playing scenarioFile once (-m 1) on a free UDP port of
// 127.0.0.1. -nr: SIPp neither retransmits nor folds received retransmissions into
// the previous <recv>, so a scenario can tell the first copy from the second.
bool TstRegisterSipp::startSipp(const QString &scenarioFile)
{
    m_sipp.reset();
    m_caseDir = testCaseDir(m_tmp->path());

    m_port = freePort(PortKind::Udp);
    const quint16 mediaPort = freeUdpPortPair(); // SIPp binds -mp and -mp + 2
    const quint16 controlPort = freePort(PortKind::Udp);
    if (m_port == 0 || mediaPort == 0 || controlPort == 0) {
        m_error = QStringLiteral("no free UDP port on 127.0.0.1");
        return false;
    }
    const QStringList args {QStringLiteral("-sf"), scenarioFile, QStringLiteral("-i"), QStringLiteral("127.0.0.1"), QStringLiteral("-p"),
        QString::number(m_port), QStringLiteral("-mp"), QString::number(mediaPort), QStringLiteral("-cp"), QString::number(controlPort), QStringLiteral("-m"),
        QStringLiteral("1"), QStringLiteral("-nr"), QStringLiteral("-nostdin"), QStringLiteral("-timeout"), QStringLiteral("120"), QStringLiteral("-trace_err"),
        QStringLiteral("-error_file"), m_caseDir + QStringLiteral("/sipp-errors.log"), QStringLiteral("-trace_msg"), QStringLiteral("-message_file"),
        m_caseDir + QStringLiteral("/sipp-messages.log")};
    m_sipp = std::make_unique<PeerProcess>(QStringLiteral("sipp"), m_caseDir + QStringLiteral("/sipp-screen.log"));
    if (!m_sipp->start(m_sippBin, args, m_caseDir, {{ReadyProbe::UdpBound, m_port}})) {
        m_error = m_sipp->errorString();
        return false;
    }
    return true;
}

QStringList TstRegisterSipp::registerArgs() const
{
    return {QStringLiteral("register"), QStringLiteral("127.0.0.1:%1").arg(m_port), QStringLiteral("--transport"), QStringLiteral("udp"),
        QStringLiteral("--user"), kUser, QStringLiteral("--password"), kPassword, QStringLiteral("--json"), QStringLiteral("--timeout"), QStringLiteral("20")};
}

// SIPp ran the scenario to its end: exit status 0 after its one call.
void TstRegisterSipp::checkScenarioCompleted()
{
    QVERIFY2(m_sipp->waitForExit(15000), qPrintable(u"SIPp is still in the scenario: "_s + m_sipp->logTail(2000)));
    QVERIFY2(m_sipp->exitCode() == 0,
        qPrintable(u"SIPp exit status %1 (its call failed): "_s.arg(m_sipp->exitCode()) + readTextFile(m_caseDir + QStringLiteral("/sipp-errors.log"))));
}

// RFC 3261 17.1.2.2: over UDP the REGISTER is retransmitted after T1, unchanged.
void TstRegisterSipp::lostFirstRegisterIsRetransmitted()
{
    QVERIFY2(startSipp(scenario(QStringLiteral("lost_first_register.xml"))), qPrintable(m_error));
    const DialscopeRun run = runDialscope(registerArgs() << QStringLiteral("--t1") << QStringLiteral("100"));
    const QString why = run.describe();
    QVERIFY2(run.finished, qPrintable(why));
    QVERIFY2(run.badLines.isEmpty(), qPrintable(why));
    QVERIFY2(run.exitCode == 0, qPrintable(why));
    QCOMPARE(run.result().value(u"outcome").toString(), u"registered"_s);
    QVERIFY2(run.result().value(u"expires").toInt() > 0, qPrintable(why));

    const QList<QByteArray> sent = run.sentRegisters(Retransmissions::Kept);
    QVERIFY2(sent.size() >= 2, qPrintable(u"no retransmission of the REGISTER"_s + why));
    QCOMPARE(sent[1], sent[0]); // the same bytes: a retransmission, not a new request
    QCOMPARE(viaBranch(sent[1]), viaBranch(sent[0]));
    QVERIFY2(viaBranch(sent[0]).startsWith("z9hG4bK"), qPrintable(why)); // RFC 3261 8.1.1.7
    QCOMPARE(run.sentRegisters(Retransmissions::Folded).size(), 1);
    checkScenarioCompleted();
}

// RFC 3261 10.2.8: after 423 the client retries with expires >= Min-Expires.
void TstRegisterSipp::intervalTooBriefRetriesWithMinExpires()
{
    QVERIFY2(startSipp(scenario(QStringLiteral("interval_too_brief.xml"))), qPrintable(m_error));
    const DialscopeRun run = runDialscope(registerArgs() << QStringLiteral("--expires") << QStringLiteral("60"));
    const QString why = run.describe();
    QVERIFY2(run.finished, qPrintable(why));
    QVERIFY2(run.exitCode == 0, qPrintable(why));
    QCOMPARE(run.result().value(u"outcome").toString(), u"registered"_s);
    const QStringList expected {u"out REGISTER"_s, u"in 423"_s, u"out REGISTER"_s, u"in 200"_s};
    QCOMPARE(run.exchange(), expected);

    const QList<QByteArray> registers = run.sentRegisters(Retransmissions::Folded);
    QCOMPARE(sip::requestedExpires(registers[0]), 60);
    QCOMPARE(sip::requestedExpires(registers[1]), 1800);
    // A new request of the same registration: same Call-ID, higher CSeq (10.2.4).
    QCOMPARE(sip::header(registers[1], "Call-ID", 'i'), sip::header(registers[0], "Call-ID", 'i'));
    QVERIFY2(sip::header(registers[1], "CSeq").split(' ').first().toUInt() > sip::header(registers[0], "CSeq").split(' ').first().toUInt(), qPrintable(why));
    QCOMPARE(run.result().value(u"expires").toInt(), 1800); // the 200 echoes it
    checkScenarioCompleted();
}

// RFC 2617 3.2.1 / RFC 7616 3.3: stale=true means the credentials were right and
// only the nonce expired: retry with the new nonce, do not report a failure.
void TstRegisterSipp::staleNonceIsNotACredentialFailure()
{
    QVERIFY2(startSipp(scenario(QStringLiteral("stale_nonce.xml"))), qPrintable(m_error));
    const DialscopeRun run = runDialscope(registerArgs());
    const QString why = run.describe();
    QVERIFY2(run.finished, qPrintable(why));
    QVERIFY2(run.exitCode == 0, qPrintable(why));
    QCOMPARE(run.result().value(u"outcome").toString(), u"registered"_s);
    const QStringList expected {u"out REGISTER"_s, u"in 401"_s, u"out REGISTER auth"_s, u"in 401"_s, u"out REGISTER auth"_s, u"in 200"_s};
    QCOMPARE(run.exchange(), expected);

    const QList<QByteArray> registers = run.sentRegisters(Retransmissions::Folded);
    QCOMPARE(sip::param(sip::header(registers[1], "Authorization"), "nonce"), QByteArray("5f2b7c1a9d3e4f60first"));
    QCOMPARE(sip::param(sip::header(registers[2], "Authorization"), "nonce"), QByteArray("8e4d0a6b2c7f1e93second"));
    checkScenarioCompleted(); // SIPp's verifyauth accepted both digests
}

// RFC 2617 3.2.2.3: with qop=auth-int, A2 includes H(entity-body).
void TstRegisterSipp::authIntChallengeIsAnswered()
{
    QVERIFY2(startSipp(scenario(QStringLiteral("auth_int.xml"))), qPrintable(m_error));
    const DialscopeRun run = runDialscope(registerArgs());
    const QString why = run.describe();
    QVERIFY2(run.finished, qPrintable(why));
    QVERIFY2(run.exitCode == 0, qPrintable(why));
    QCOMPARE(run.result().value(u"outcome").toString(), u"registered"_s);

    const QList<QByteArray> registers = run.sentRegisters(Retransmissions::Folded);
    QVERIFY2(registers.size() == 2, qPrintable(why));
    const QByteArray credentials = sip::header(registers[1], "Authorization");
    QCOMPARE(sip::param(credentials, "qop"), QByteArray("auth-int"));
    QVERIFY2(!sip::param(credentials, "cnonce").isEmpty(), qPrintable(why));
    QCOMPARE(sip::param(credentials, "nc"), QByteArray("00000001"));
    const QList<QJsonObject> auths = run.eventsOf(QStringLiteral("auth"));
    QVERIFY2(!auths.isEmpty(), qPrintable(u"no auth event"_s + why));
    QCOMPARE(auths.first().value(u"qop").toString(), u"auth-int"_s);
    checkScenarioCompleted(); // SIPp's verifyauth accepted the auth-int digest
}

void TstRegisterSipp::refusals_data()
{
    QTest::addColumn<int>("code");
    QTest::addColumn<QString>("reason");
    QTest::addColumn<QString>("outcome");

    QTest::newRow("403") << 403 << u"Forbidden"_s << u"forbidden"_s;
    QTest::newRow("404") << 404 << u"Not Found"_s << u"not-found"_s;
    QTest::newRow("500") << 500 << u"Server Internal Error"_s << u"server-error"_s;
    QTest::newRow("503") << 503 << u"Service Unavailable"_s << u"server-error"_s;
}

void TstRegisterSipp::refusals()
{
    QFETCH(int, code);
    QFETCH(QString, reason);
    QFETCH(QString, outcome);

    // reject.xml is a template: SIPp reads the status code before any substitution.
    const QString file = m_tmp->path() + QStringLiteral("/reject_%1.xml").arg(code);
    QVERIFY(writeTextFile(file,
        fillTemplate(
            readTextFile(scenario(QStringLiteral("reject.xml"))), {{QStringLiteral("CODE"), QString::number(code)}, {QStringLiteral("REASON"), reason}})));
    QVERIFY2(startSipp(file), qPrintable(m_error));
    const DialscopeRun run = runDialscope(registerArgs());
    const QString why = run.describe();
    QVERIFY2(run.finished, qPrintable(why));
    QVERIFY2(run.badLines.isEmpty(), qPrintable(why));
    QVERIFY2(run.exitCode == 1, qPrintable(why));
    QCOMPARE(run.result().value(u"outcome").toString(), outcome);
    QCOMPARE(run.result().value(u"status").toInt(), code);
    QVERIFY2(!run.result().value(u"reason").toString().isEmpty(), qPrintable(why));
    // A final refusal is not retried.
    QCOMPARE(run.sentRegisters(Retransmissions::Folded).size(), 1);
    checkScenarioCompleted();
}

// RFC 3261 17.1.2.2: Timer E retransmits, Timer F (64*T1, 3.2 s with T1 = 50 ms)
// ends the transaction; the outcome is a timeout, exit status 3.
void TstRegisterSipp::silentRegistrarTimesOut()
{
    QVERIFY2(startSipp(scenario(QStringLiteral("no_answer.xml"))), qPrintable(m_error));
    const DialscopeRun run = runDialscope(registerArgs() << QStringLiteral("--t1") << QStringLiteral("50"));
    const QString why = run.describe();
    QVERIFY2(run.finished, qPrintable(why));
    QVERIFY2(run.badLines.isEmpty(), qPrintable(why));
    QVERIFY2(run.exitCode == 3, qPrintable(why));
    QCOMPARE(run.result().value(u"outcome").toString(), u"timeout"_s);
    QVERIFY2(!run.result().value(u"reason").toString().isEmpty(), qPrintable(why));

    const QList<QByteArray> sent = run.sentRegisters(Retransmissions::Kept);
    QVERIFY2(sent.size() > 1, qPrintable(u"no retransmissions"_s + why));
    QCOMPARE(run.sentRegisters(Retransmissions::Folded).size(), 1); // all copies of one request
    QVERIFY2(run.sip(QStringLiteral("in")).isEmpty(), qPrintable(why));
    QVERIFY2(m_sipp->running(), "SIPp left the scenario; the registrar must stay silent");
}

QTEST_GUILESS_MAIN(TstRegisterSipp)
#include "tst_register_sipp.moc"
