// Interop: `dialscope call` and `dialscope answer` talking directly to SIPp on loopback, where
// SIPp plays the far end that a second softphone will not play on demand: one that never answers
// (CANCEL), is busy, offers only a codec we lack (488), puts us on hold (re-INVITE), sends no
// offer (offer in the 200, answer in the ACK), or loses a 200 or an ACK. Scenarios: sipp/call_*.xml.
#include "support/dialscope_cli.h"
#include "support/test_case_dir.h"

#include <QDir>
#include <QRegularExpression>
#include <QTemporaryDir>
#include <QtTest>

#include <memory>

using namespace ds::test;
using namespace Qt::StringLiterals;

namespace {

QString scenario(const QString &name) { return QStringLiteral(DS_INTEROP_DIR "/sipp/") + name; }

QByteArray viaBranch(const QByteArray &raw) { return sip::param(sip::header(raw, "Via", 'v'), "branch"); }

QByteArray cseqMethod(const QByteArray &raw) { return sip::header(raw, "CSeq").split(' ').last(); }

quint32 cseqNumber(const QByteArray &raw) { return sip::header(raw, "CSeq").split(' ').first().toUInt(); }

QByteArray body(const QByteArray &raw)
{
    const qsizetype end = raw.indexOf("\r\n\r\n");
    return end < 0 ? QByteArray() : raw.mid(end + 4);
}

// The o= line of an SDP body split in its fields: user, session id, version, ...
QList<QByteArray> origin(const QByteArray &sdp)
{
    for (const QByteArray &line : sdp.split('\n')) {
        if (line.startsWith("o="))
            return line.mid(2).trimmed().split(' ');
    }
    return {};
}

// The messages dialscope sent (dir "out") or received ("in") that are a request of method what
// ("ACK") or a response "STATUS METHOD" ("200 INVITE"), in order; every copy, or each distinct one once.
QList<QByteArray> messages(const DialscopeRun &run, const QString &dir, const QByteArray &what, Retransmissions retransmissions)
{
    QList<QByteArray> found;
    for (const QJsonObject &e : run.sip(dir)) {
        const QByteArray raw = e.value(u"raw").toString().toUtf8();
        const QByteArray method = sip::method(raw);
        const QByteArray name = method.isEmpty() ? QByteArray::number(sip::status(raw)) + ' ' + cseqMethod(raw) : method;
        if (name == what && (retransmissions == Retransmissions::Kept || !found.contains(raw)))
            found << raw;
    }
    return found;
}

} // namespace

class TstCallSipp : public QObject {
    Q_OBJECT

private slots:
    void initTestCase();
    void cleanup();
    void cleanupTestCase();

    // dialscope calls SIPp.
    void unansweredCallIsCancelled();
    void busyIsReportedAndAcked();
    void retransmitted200IsAckedAgain();
    // SIPp calls dialscope.
    void offerWithoutCommonCodecGets488();
    void holdReinviteIsAnsweredRecvonly();
    void inviteWithoutOfferGetsOfferIn200();
    void lost200IsRetransmitted();

private:
    enum class Role { Callee, Caller };
    bool startSipp(Role role, const QString &scenarioFile, bool noRetransmissions, quint16 dialscopePort = 0);
    QStringList callArgs(const QStringList &extra = {}) const;
    QStringList answerArgs(quint16 port) const;
    void checkScenarioCompleted();
    // SIPp plays scenarioFile as the caller against `dialscope answer`; *run is what dialscope
    // printed once it exited (both finished, its output all JSON), else the test has failed.
    void sippCallsDialscope(const QString &scenarioFile, bool noRetransmissions, DialscopeRun *run);

    QString m_sippBin;
    std::unique_ptr<QTemporaryDir> m_tmp;
    std::unique_ptr<PeerProcess> m_sipp;
    QString m_caseDir;
    QString m_error;
    quint16 m_port = 0; // SIPp's SIP port
    bool m_anyFailed = false;
};

void TstCallSipp::initTestCase()
{
    m_sippBin = findProgram(QStringLiteral("sipp"));
    if (m_sippBin.isEmpty())
        QSKIP("sipp not found: install the Debian package sip-tester");
    QVERIFY2(QFileInfo::exists(QStringLiteral(DIALSCOPE_BIN)), "dialscope is not built at " DIALSCOPE_BIN);
    m_tmp = std::make_unique<QTemporaryDir>(QDir::tempPath() + QStringLiteral("/dialscope-sipp-call-XXXXXX"));
    QVERIFY(m_tmp->isValid());
}

void TstCallSipp::cleanup()
{
    if (QTest::currentTestFailed()) {
        m_anyFailed = true;
        if (m_sipp) {
            qWarning().noquote() << "SIPp:" << m_sipp->commandLine() << "\n--- messages SIPp saw:\n"
                                 << readTextFile(m_caseDir + QStringLiteral("/sipp-messages.log")).right(6000) << "\n--- errors:\n"
                                 << readTextFile(m_caseDir + QStringLiteral("/sipp-errors.log")).right(3000);
        }
    }
    m_sipp.reset(); // stops it
}

void TstCallSipp::cleanupTestCase()
{
    m_sipp.reset();
    if (m_tmp && m_anyFailed) {
        m_tmp->setAutoRemove(false);
        qInfo().noquote() << "kept the test files (SIPp logs) in" << m_tmp->path();
    }
}

// Starts SIPp playing scenarioFile once (-m 1) on a free UDP port of 127.0.0.1: as the callee it
// waits for dialscope's INVITE; as the caller it calls dialscope listening on dialscopePort
// (dialscope must listen already). -nr: SIPp neither retransmits nor folds a received
// retransmission into the previous <recv>, so a scenario can expect the second copy.
// -timeout_error and -recv_timeout: a scenario that stalls ends SIPp with an error.
bool TstCallSipp::startSipp(Role role, const QString &scenarioFile, bool noRetransmissions, quint16 dialscopePort)
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
    QStringList args;
    if (role == Role::Caller)
        args << QStringLiteral("127.0.0.1:%1").arg(dialscopePort) << QStringLiteral("-s") << QStringLiteral("dialscope");
    args << QStringLiteral("-sf") << scenarioFile << QStringLiteral("-i") << QStringLiteral("127.0.0.1") << QStringLiteral("-p") << QString::number(m_port)
         << QStringLiteral("-mp") << QString::number(mediaPort) << QStringLiteral("-cp") << QString::number(controlPort) << QStringLiteral("-m")
         << QStringLiteral("1") << QStringLiteral("-nostdin") << QStringLiteral("-timeout") << QStringLiteral("30") << QStringLiteral("-timeout_error")
         << QStringLiteral("-recv_timeout") << QStringLiteral("10000") << QStringLiteral("-trace_err") << QStringLiteral("-error_file")
         << m_caseDir + QStringLiteral("/sipp-errors.log") << QStringLiteral("-trace_msg") << QStringLiteral("-message_file")
         << m_caseDir + QStringLiteral("/sipp-messages.log");
    if (noRetransmissions)
        args << QStringLiteral("-nr");
    m_sipp = std::make_unique<PeerProcess>(QStringLiteral("sipp"), m_caseDir + QStringLiteral("/sipp-screen.log"));
    // The caller starts calling at once and may be done before any probe could see it.
    const QList<ReadyProbe> probes = role == Role::Callee ? QList<ReadyProbe> {{ReadyProbe::UdpBound, m_port}} : QList<ReadyProbe> {};
    if (!m_sipp->start(m_sippBin, args, m_caseDir, probes)) {
        m_error = m_sipp->errorString();
        return false;
    }
    return true;
}

// A direct call to SIPp, no registrar (ARCHITECTURE.md: without --server the target's host is
// where the INVITE goes).
QStringList TstCallSipp::callArgs(const QStringList &extra) const
{
    return QStringList {QStringLiteral("call"), QStringLiteral("sipp@127.0.0.1:%1").arg(m_port), QStringLiteral("--bind"), QStringLiteral("127.0.0.1:0"),
               QStringLiteral("--json")}
    + extra;
}

// `dialscope answer` listening on port, for SIPp to call.
QStringList TstCallSipp::answerArgs(quint16 port) const
{
    return {QStringLiteral("answer"), QStringLiteral("--bind"), QStringLiteral("127.0.0.1:%1").arg(port), QStringLiteral("--json"), QStringLiteral("--timeout"),
        QStringLiteral("20")};
}

// SIPp ran the scenario to its end: exit status 0 after its one call.
void TstCallSipp::checkScenarioCompleted()
{
    QVERIFY2(m_sipp->waitForExit(20000), qPrintable(u"SIPp is still in the scenario: "_s + m_sipp->logTail(2000)));
    QVERIFY2(m_sipp->exitCode() == 0,
        qPrintable(u"SIPp exit status %1 (its call failed): "_s.arg(m_sipp->exitCode()) + readTextFile(m_caseDir + QStringLiteral("/sipp-errors.log"))));
}

void TstCallSipp::sippCallsDialscope(const QString &scenarioFile, bool noRetransmissions, DialscopeRun *run)
{
    const quint16 port = freePort(PortKind::Udp);
    DialscopeProcess answerer(answerArgs(port));
    QVERIFY2(answerer.start(), qPrintable(answerer.describe()));
    QVERIFY2(answerer.waitListening(15000), qPrintable(answerer.describe()));
    QVERIFY2(startSipp(Role::Caller, scenario(scenarioFile), noRetransmissions, port), qPrintable(m_error));
    checkScenarioCompleted();
    if (QTest::currentTestFailed())
        return;
    answerer.waitFinished(15000);
    *run = answerer.run();
    QVERIFY2(run->finished, qPrintable(run->describe()));
    QVERIFY2(run->badLines.isEmpty(), qPrintable(run->describe()));
}

// RFC 3261 9.1: giving up on a ringing call sends CANCEL in the INVITE's transaction (same
// branch, same CSeq number); the callee's 487 is ACKed in that transaction too (17.1.1.3).
// An unanswered call is "no-answer", not a network failure.
void TstCallSipp::unansweredCallIsCancelled()
{
    QVERIFY2(startSipp(Role::Callee, scenario(QStringLiteral("call_cancel.xml")), false), qPrintable(m_error));
    const DialscopeRun run = runDialscope(callArgs({QStringLiteral("--timeout"), QStringLiteral("3")}));
    const QString why = run.describe();
    QVERIFY2(run.finished, qPrintable(why));
    QVERIFY2(run.badLines.isEmpty(), qPrintable(why));
    const QStringList expected {u"out INVITE"_s, u"in 100"_s, u"in 180"_s, u"out CANCEL"_s, u"in 200"_s, u"in 487"_s, u"out ACK"_s};
    QCOMPARE(run.exchange(), expected);

    const QByteArray invite = messages(run, u"out"_s, "INVITE", Retransmissions::Folded).value(0);
    const QByteArray cancel = messages(run, u"out"_s, "CANCEL", Retransmissions::Folded).value(0);
    const QByteArray ack = messages(run, u"out"_s, "ACK", Retransmissions::Folded).value(0);
    QCOMPARE(viaBranch(cancel), viaBranch(invite));
    QCOMPARE(cseqNumber(cancel), cseqNumber(invite));
    QCOMPARE(sip::startLine(cancel).split(' ').value(1), sip::startLine(invite).split(' ').value(1)); // same Request-URI
    QCOMPARE(viaBranch(ack), viaBranch(invite));
    QCOMPARE(cseqNumber(ack), cseqNumber(invite));
    checkScenarioCompleted(); // SIPp got the CANCEL, sent 487 and got its ACK

    QCOMPARE(run.result().value(u"outcome").toString(), u"no-answer"_s);
    QCOMPARE(run.result().value(u"status").toInt(), 487);
    QVERIFY2(run.exitCode == 1, qPrintable(why));
}

// RFC 3261 17.1.1.3: a 486 is ACKed in the INVITE's transaction; the user sees "busy".
void TstCallSipp::busyIsReportedAndAcked()
{
    QVERIFY2(startSipp(Role::Callee, scenario(QStringLiteral("call_busy.xml")), false), qPrintable(m_error));
    const DialscopeRun run = runDialscope(callArgs({QStringLiteral("--duration"), QStringLiteral("1"), QStringLiteral("--timeout"), QStringLiteral("20")}));
    const QString why = run.describe();
    QVERIFY2(run.finished, qPrintable(why));
    QVERIFY2(run.badLines.isEmpty(), qPrintable(why));
    QVERIFY2(run.exitCode == 1, qPrintable(why));
    QCOMPARE(run.result().value(u"outcome").toString(), u"busy"_s);
    QCOMPARE(run.result().value(u"status").toInt(), 486);
    const QStringList expected {u"out INVITE"_s, u"in 100"_s, u"in 486"_s, u"out ACK"_s};
    QCOMPARE(run.exchange(), expected);
    const QByteArray invite = messages(run, u"out"_s, "INVITE", Retransmissions::Folded).value(0);
    const QByteArray ack = messages(run, u"out"_s, "ACK", Retransmissions::Folded).value(0);
    QCOMPARE(viaBranch(ack), viaBranch(invite));
    QCOMPARE(cseqMethod(ack), QByteArray("ACK"));
    checkScenarioCompleted(); // SIPp got the ACK
}

// RFC 3261 13.2.2.4: the caller ACKs every 2xx retransmission it receives (the callee sends it
// again when the ACK was lost), with the same ACK; the call goes on and ends with BYE.
void TstCallSipp::retransmitted200IsAckedAgain()
{
    QVERIFY2(startSipp(Role::Callee, scenario(QStringLiteral("call_lost_ack.xml")), true), qPrintable(m_error));
    const DialscopeRun run = runDialscope(callArgs({QStringLiteral("--duration"), QStringLiteral("1"), QStringLiteral("--timeout"), QStringLiteral("20")}));
    const QString why = run.describe();
    QVERIFY2(run.finished, qPrintable(why));
    QVERIFY2(run.badLines.isEmpty(), qPrintable(why));
    QVERIFY2(run.exitCode == 0, qPrintable(why));
    QCOMPARE(run.result().value(u"outcome").toString(), u"answered"_s);
    QCOMPARE(run.result().value(u"codec").toString(), u"PCMU/8000"_s);

    const QList<QByteArray> acks = messages(run, u"out"_s, "ACK", Retransmissions::Kept);
    QVERIFY2(acks.size() == 2, qPrintable(u"expected one ACK per 200 OK"_s + why));
    QCOMPARE(acks[1], acks[0]);
    QCOMPARE(messages(run, u"out"_s, "BYE", Retransmissions::Folded).size(), 1);
    checkScenarioCompleted(); // SIPp got both ACKs, then the BYE
}

// RFC 3264 6 / RFC 3261 13.3.1.3: an offer with no codec we support is refused with 488 Not
// Acceptable Here, never answered with a 200 we cannot keep.
void TstCallSipp::offerWithoutCommonCodecGets488()
{
    DialscopeRun run;
    sippCallsDialscope(QStringLiteral("call_488.xml"), false, &run); // SIPp got the 488 and ACKed it
    if (QTest::currentTestFailed())
        return;
    const QString why = run.describe();
    QVERIFY2(messages(run, u"out"_s, "488 INVITE", Retransmissions::Folded).size() == 1, qPrintable(why));
    QVERIFY2(messages(run, u"out"_s, "200 INVITE", Retransmissions::Folded).isEmpty(), qPrintable(why));
    QCOMPARE(run.result().value(u"status").toInt(), 488);
    QVERIFY2(run.result().value(u"outcome").toString() != u"answered"_s, qPrintable(why));
    QVERIFY2(run.exitCode == 1, qPrintable(why)); // the call was not answered
}

// RFC 3264 8.4 and 6.1: the far end holds the call with a sendonly re-INVITE; the answer is
// recvonly, in the same SDP session with its version one higher (RFC 3264 8).
void TstCallSipp::holdReinviteIsAnsweredRecvonly()
{
    DialscopeRun run;
    sippCallsDialscope(QStringLiteral("call_reinvite.xml"), false, &run); // SIPp found a=recvonly in the 200 to its re-INVITE
    if (QTest::currentTestFailed())
        return;
    const QString why = run.describe();
    QVERIFY2(run.exitCode == 0, qPrintable(why));
    QCOMPARE(run.result().value(u"outcome").toString(), u"answered"_s);
    QCOMPARE(run.result().value(u"codec").toString(), u"PCMU/8000"_s);

    const QList<QByteArray> oks = messages(run, u"out"_s, "200 INVITE", Retransmissions::Folded);
    QVERIFY2(oks.size() == 2, qPrintable(u"expected a 200 to the INVITE and one to the re-INVITE"_s + why));
    const QByteArray first = body(oks[0]);
    const QByteArray hold = body(oks[1]);
    QVERIFY2(!first.contains("a=recvonly") && !first.contains("a=sendonly") && !first.contains("a=inactive"), qPrintable(why));
    QVERIFY2(hold.contains("a=recvonly"), qPrintable(why));
    QVERIFY2(origin(first).size() >= 3 && origin(hold).size() >= 3, qPrintable(why));
    QCOMPARE(origin(hold).value(1), origin(first).value(1)); // the same session
    QCOMPARE(origin(hold).value(2).toULongLong(), origin(first).value(2).toULongLong() + 1);
}

// RFC 3261 13.2.1 / RFC 3264 5: an INVITE without a body asks the callee to offer; the offer
// goes in the 200 OK and the answer comes in the ACK, and the audio goes where that answer says.
void TstCallSipp::inviteWithoutOfferGetsOfferIn200()
{
    DialscopeRun run;
    sippCallsDialscope(QStringLiteral("call_no_sdp.xml"), false, &run); // SIPp found m=audio in the 200
    if (QTest::currentTestFailed())
        return;
    const QString why = run.describe();
    QVERIFY2(run.exitCode == 0, qPrintable(why));
    QCOMPARE(run.result().value(u"outcome").toString(), u"answered"_s);
    QCOMPARE(run.result().value(u"codec").toString(), u"PCMU/8000"_s); // from the answer in the ACK

    const QList<QByteArray> oks = messages(run, u"out"_s, "200 INVITE", Retransmissions::Folded);
    QVERIFY2(oks.size() == 1, qPrintable(why));
    QVERIFY2(sip::header(oks[0], "Content-Type", 'c').startsWith("application/sdp"), qPrintable(why));
    QVERIFY2(body(oks[0]).contains("m=audio "), qPrintable(why));
    QVERIFY2(run.result().value(u"rtp").toObject().value(u"sent").toInteger() > 0, qPrintable(u"no RTP sent to the port of the answer"_s + why));
}

// RFC 3261 13.3.1.4: the callee sends its 2xx again, unchanged, until the ACK arrives.
void TstCallSipp::lost200IsRetransmitted()
{
    DialscopeRun run;
    sippCallsDialscope(QStringLiteral("call_lost_200.xml"), true, &run); // SIPp received the 200 twice, then ACKed and hung up
    if (QTest::currentTestFailed())
        return;
    const QString why = run.describe();
    QVERIFY2(run.exitCode == 0, qPrintable(why));
    QCOMPARE(run.result().value(u"outcome").toString(), u"answered"_s);
    const QList<QByteArray> oks = messages(run, u"out"_s, "200 INVITE", Retransmissions::Kept);
    QVERIFY2(oks.size() >= 2, qPrintable(u"the 200 OK was not retransmitted"_s + why));
    QCOMPARE(oks[1], oks[0]); // the same bytes: a retransmission, not a new answer
    QCOMPARE(messages(run, u"out"_s, "200 INVITE", Retransmissions::Folded).size(), 1);
}

QTEST_GUILESS_MAIN(TstCallSipp)
#include "tst_call_sipp.moc"
