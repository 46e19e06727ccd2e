// Interop: dialscope listening for calls while real hostile programs talk to it. sipvicious's svmap
// and svwar scan it (INVITEs to users that are not ours get 404 and ring nothing); with "calls only
// through the server" a direct INVITE to our own user gets 403; SIPp floods it with 5,000 INVITEs
// and OPTIONS a second from one address during a call (the call's audio goes on, the log says so
// once); and a relay dropping 20 % of the datagrams both ways (tests/support/lossy_udp_relay.h,
// since the kernel may lack netem) sits in front of Kamailio and of a SIPp callee (registration and
// call set-up complete, and the ladder marks the retransmissions that did it).

#include "support/dialscope_cli.h"
#include "support/kamailio_registrar.h"
#include "support/lossy_udp_relay.h"
#include "support/test_case_dir.h"

#include "phone/phone.h"

#include <QDir>
#include <QJsonArray>
#include <QTemporaryDir>
#include <QtTest>

#include <memory>

#include <signal.h>

using namespace ds::test;
using namespace Qt::StringLiterals;

namespace {

using Subscriber = KamailioRegistrar::Subscriber;
const Subscriber kAlice {u"alice"_s, u"alice-secret"_s};
const Subscriber kBob {u"bob"_s, u"bob-secret"_s};
// Where the hostile traffic comes from: another loopback address, so that "from the server's
// address" (127.0.0.1) and "from elsewhere" differ on one machine.
const QString kAttacker = u"127.0.0.2"_s;

QString scenario(const QString &name) { return QStringLiteral(DS_INTEROP_DIR "/sipp/") + name; }

// The distinct raw messages of a run in one direction whose remote address is host, requests by
// method or responses by status.
QList<QByteArray> messagesWith(const DialscopeRun &run, const QString &dir, const QString &host, const QByteArray &method, int status = 0)
{
    QList<QByteArray> found;
    for (const QJsonObject &e : run.sip(dir)) {
        if (!e.value(u"remote").toString().startsWith(host + u':'))
            continue;
        const QByteArray raw = e.value(u"raw").toString().toUtf8();
        const bool match = status ? sip::status(raw) == status && sip::header(raw, "CSeq").endsWith(' ' + method) : sip::method(raw) == method;
        if (match && !found.contains(raw)) // a retransmission once
            found << raw;
    }
    return found;
}

// Runs a program to its end while this process's event loop goes on (a Phone of the test answers
// meanwhile). Its output (both channels) in *output.
bool runSpinning(const QString &program, const QStringList &args, const QString &workDir, QString *output, int timeoutMs)
{
    QProcess p;
    p.setWorkingDirectory(workDir);
    p.setProcessChannelMode(QProcess::MergedChannels);
    p.setStandardInputFile(QProcess::nullDevice());
    p.setChildProcessModifier(detachChild);
    p.start(program, args);
    if (!p.waitForStarted(10000)) {
        *output = p.errorString();
        return false;
    }
    const QDeadlineTimer deadline(timeoutMs);
    while (p.state() != QProcess::NotRunning && !deadline.hasExpired())
        QTest::qWait(50);
    if (p.state() != QProcess::NotRunning) {
        ::kill(-pid_t(p.processId()), SIGKILL);
        p.waitForFinished(5000);
    }
    *output = QString::fromUtf8(p.readAll());
    return p.exitStatus() == QProcess::NormalExit && !deadline.hasExpired();
}

// `dialscope ladder FILE --json --messages`: the ladder's own reading of a capture.
QList<QJsonObject> ladderMessages(const QString &pcap, QString *error)
{
    const DialscopeRun run = runDialscope({u"ladder"_s, pcap, u"--json"_s, u"--messages"_s});
    if (!run.finished || run.exitCode != 0)
        *error = run.describe();
    return run.sip();
}

} // namespace

class TstHostile : public QObject {
    Q_OBJECT

private slots:
    void initTestCase();
    void cleanup();
    void cleanupTestCase();

    void scannersRingNothing();
    void callsOnlyThroughServer();
    void floodLeavesTheCallAlone();
    void lossyRegistration();
    void lossyCallSetUp();

private:
    bool startKamailio();
    QString server() const { return u"127.0.0.1:%1"_s.arg(m_kamailio->udpPort()); }
    QStringList answerArgs(quint16 port, const QStringList &extra = {}) const;

    QString m_sippBin, m_svmapBin, m_svwarBin;
    std::unique_ptr<QTemporaryDir> m_tmp;
    std::unique_ptr<KamailioRegistrar> m_kamailio;
    QString m_error;
    bool m_anyFailed = false;
};

void TstHostile::initTestCase()
{
    QVERIFY2(QFileInfo::exists(QStringLiteral(DIALSCOPE_BIN)), "dialscope is not built at " DIALSCOPE_BIN);
    m_sippBin = findProgram(u"sipp"_s);
    m_svmapBin = findProgram(u"svmap"_s);
    m_svwarBin = findProgram(u"svwar"_s);
    m_tmp = std::make_unique<QTemporaryDir>(QDir::tempPath() + u"/dialscope-hostile-XXXXXX"_s);
    QVERIFY(m_tmp->isValid());
    m_kamailio = std::make_unique<KamailioRegistrar>(m_tmp->path());
    if (const KamailioRegistrar::Result prepared = m_kamailio->prepare(); !prepared) {
        if (prepared.error().skip)
            QSKIP(qPrintable(prepared.error().message));
        QFAIL(qPrintable(prepared.error().message));
    }
}

void TstHostile::cleanup()
{
    if (QTest::currentTestFailed()) {
        m_anyFailed = true;
        if (m_kamailio)
            qWarning().noquote() << m_kamailio->logTail(3000);
    }
    if (m_kamailio)
        m_kamailio->stop();
    m_error.clear();
}

void TstHostile::cleanupTestCase()
{
    if (m_tmp && m_anyFailed) {
        m_tmp->setAutoRemove(false);
        qInfo().noquote() << "kept the test files in" << m_tmp->path();
    }
}

bool TstHostile::startKamailio()
{
    const KamailioRegistrar::Result started = m_kamailio->start(u"MD5"_s, {kAlice, kBob}, testCaseDir(m_tmp->path()));
    m_error = started ? QString() : started.error().message;
    return started.has_value();
}

QStringList TstHostile::answerArgs(quint16 port, const QStringList &extra) const
{
    return QStringList {u"answer"_s, u"--server"_s, server(), u"--user"_s, kBob.user, u"--password"_s, kBob.password, u"--bind"_s, u"127.0.0.1:%1"_s.arg(port),
               u"--json"_s, u"--timeout"_s, u"40"_s}
    + extra;
}

// svmap and svwar INVITE users at bob's registered address from another host: each gets 404, no
// call rings; bob's real call through the proxy still does.
void TstHostile::scannersRingNothing()
{
    if (m_svmapBin.isEmpty() || m_svwarBin.isEmpty())
        QSKIP("svmap / svwar not found: install the Debian package sipvicious");
    QVERIFY2(startKamailio(), qPrintable(m_error));
    const QString dir = testCaseDir(m_tmp->path());
    const quint16 port = freePort(PortKind::Udp);
    DialscopeProcess bob(answerArgs(port, {u"--duration"_s, u"1"_s}));
    QVERIFY2(bob.start(), qPrintable(bob.describe()));
    QVERIFY2(bob.waitRegistered(15000), qPrintable(bob.describe()));

    QString log;
    QVERIFY2(
        runSpinning(m_svmapBin, {u"-b"_s, kAttacker, u"-p"_s, QString::number(port), u"-m"_s, u"INVITE"_s, u"127.0.0.1"_s}, dir, &log, 30000), qPrintable(log));
    // svwar 0.3.3 ignores its -b: it reaches bob through a relay on 127.0.0.2 that drops nothing.
    LossyUdpRelay nat(port, 0, 1, "127.0.0.2");
    QVERIFY(nat.start());
    QVERIFY2(runSpinning(m_svwarBin, {u"-p"_s, QString::number(nat.port()), u"-m"_s, u"INVITE"_s, u"-e"_s, u"100-110"_s, u"127.0.0.1"_s}, dir, &log, 60000),
        qPrintable(log));
    // svwar found no extension: every answer was the same refusal.
    QVERIFY2(!log.contains(u"| 10"_s), qPrintable(log));

    const DialscopeRun &scanned = bob.run();
    const QList<QByteArray> invites = messagesWith(scanned, u"in"_s, kAttacker, "INVITE");
    QVERIFY2(invites.size() >= 12, qPrintable(u"%1 INVITEs from the scanners"_s.arg(invites.size())));
    QCOMPARE(messagesWith(scanned, u"out"_s, kAttacker, "INVITE", 404).size(), invites.size());
    QCOMPARE(messagesWith(scanned, u"out"_s, kAttacker, "INVITE", 180).size(), 0);
    QCOMPARE(messagesWith(scanned, u"out"_s, kAttacker, "INVITE", 200).size(), 0);
    QVERIFY2(scanned.eventsOf(u"call"_s).isEmpty(), qPrintable(scanned.describe()));

    // The call bob is there for, through the proxy: it rings and is answered.
    const DialscopeRun call = runDialscope({u"call"_s, kBob.user, u"--server"_s, server(), u"--user"_s, kAlice.user, u"--password"_s, kAlice.password,
                                               u"--duration"_s, u"1"_s, u"--json"_s, u"--timeout"_s, u"20"_s, u"--bind"_s, u"127.0.0.1:0"_s},
        {}, 40000);
    QVERIFY2(call.finished && call.exitCode == 0, qPrintable(call.describe()));
    QVERIFY2(bob.waitFinished(20000), qPrintable(bob.describe()));
    QCOMPARE(bob.run().exitCode, 0);
    QCOMPARE(bob.run().result().value(u"calls"_s).toInt(), 1);
}

// An account that takes calls only through its server (a Phone, as the GUI runs it): svwar's
// INVITE to our very user from another address gets 403 and nothing rings; the same user called
// through the proxy rings.
void TstHostile::callsOnlyThroughServer()
{
    if (m_svwarBin.isEmpty())
        QSKIP("svwar not found: install the Debian package sipvicious");
    QVERIFY2(startKamailio(), qPrintable(m_error));
    const QString dir = testCaseDir(m_tmp->path());
    const quint16 port = freePort(PortKind::Udp);

    ds::phone::Phone phone;
    ds::phone::AgentOptions options;
    options.bindAddress = QHostAddress(QHostAddress::LocalHost);
    options.bindPort = port;
    phone.setAgentOptions(options);
    ds::phone::CallSettings settings = phone.callSettings();
    settings.autoAnswerMs = 0;
    phone.setCallSettings(settings);
    ds::phone::Account account;
    account.id = u"bob"_s;
    account.user = kBob.user;
    account.server = server();
    account.callsOnlyThroughServer = true;
    phone.setAccount(account, kBob.password.toUtf8());
    bool registered = false;
    int rang = 0;
    QList<ds::sip::TraceEvent> trace;
    connect(&phone, &ds::phone::Phone::registrationChanged, this,
        [&](const QString &, ds::phone::Registration::State s) { registered = registered || s == ds::phone::Registration::State::Registered; });
    connect(&phone, &ds::phone::Phone::incomingCall, this, [&] { ++rang; });
    connect(&phone, &ds::phone::Phone::traced, this, [&](const QString &, const ds::sip::TraceEvent &e) { trace << e; });
    phone.registerAccount(account.id);
    QTRY_VERIFY_WITH_TIMEOUT(registered, 15000);

    QVERIFY(writeTextFile(dir + u"/users.txt"_s, u"bob\n100\nalice\n"_s));
    QString log;
    LossyUdpRelay nat(port, 0, 1, "127.0.0.2"); // svwar 0.3.3 ignores its -b
    QVERIFY(nat.start());
    QVERIFY2(runSpinning(m_svwarBin, {u"-p"_s, QString::number(nat.port()), u"-m"_s, u"INVITE"_s, u"--force"_s, u"-d"_s, dir + u"/users.txt"_s, u"127.0.0.1"_s},
                 dir, &log, 60000),
        qPrintable(log));
    QString lines;
    for (const ds::sip::TraceEvent &e : std::as_const(trace))
        lines += (e.direction == ds::sip::TraceEvent::Direction::In ? u"<- "_s : u"-> "_s) + e.remote.toString() + u' '
            + QString::fromUtf8(e.raw.left(e.raw.indexOf('\r'))) + u'\n';
    // --force skips svwar's check of a random user first (whose 403 makes it give up: "an
    // authentication request for an unknown extension"); our own user comes first, as a scanner
    // that knows it would try, and its 403 ends the scan ("unknown response").
    int invites = 0, forbidden = 0, toBob = 0;
    for (const ds::sip::TraceEvent &e : std::as_const(trace)) {
        if (e.remote.address.toString() != kAttacker)
            continue;
        if (e.direction == ds::sip::TraceEvent::Direction::In && e.raw.startsWith("INVITE ")) {
            ++invites;
            toBob += e.raw.startsWith("INVITE sip:bob@") ? 1 : 0;
        }
        forbidden += e.direction == ds::sip::TraceEvent::Direction::Out && e.raw.startsWith("SIP/2.0 403 ") ? 1 : 0;
    }
    QVERIFY2(toBob >= 1, qPrintable(log + lines));
    QVERIFY2(invites >= 1 && forbidden >= invites, qPrintable(u"%1 INVITEs from the scanner, %2 answered 403"_s.arg(invites).arg(forbidden)));
    QCOMPARE(rang, 0);

    // Alice calls bob through the proxy: that one rings (and is answered at once).
    QString callLog;
    QVERIFY2(runSpinning(QStringLiteral(DIALSCOPE_BIN),
                 {u"call"_s, kBob.user, u"--server"_s, server(), u"--user"_s, kAlice.user, u"--password"_s, kAlice.password, u"--duration"_s, u"1"_s,
                     u"--timeout"_s, u"20"_s, u"--bind"_s, u"127.0.0.1:0"_s},
                 dir, &callLog, 40000),
        qPrintable(callLog));
    QCOMPARE(rang, 1);
    QVERIFY2(callLog.contains(u"answered"_s), qPrintable(callLog));
}

// SIPp sends 2,500 INVITEs and 2,500 OPTIONS a second for 2 s from 127.0.0.2 while alice and bob
// talk through the proxy: bob's recording keeps its tone, RTP arrives without loss, the flood is in
// bob's trace only up to its budget, and his log says so once when it starts and once when it ends.
void TstHostile::floodLeavesTheCallAlone()
{
    if (m_sippBin.isEmpty())
        QSKIP("sipp not found: install the Debian package sip-tester");
    QVERIFY2(startKamailio(), qPrintable(m_error));
    const QString dir = testCaseDir(m_tmp->path());
    const quint16 port = freePort(PortKind::Udp);
    DialscopeProcess bob(answerArgs(port, {u"--record"_s, dir + u"/bob.wav"_s}));
    QVERIFY2(bob.start(), qPrintable(bob.describe()));
    QVERIFY2(bob.waitRegistered(15000), qPrintable(bob.describe()));
    constexpr int kCallSeconds = 8;
    DialscopeProcess alice({u"call"_s, kBob.user, u"--server"_s, server(), u"--user"_s, kAlice.user, u"--password"_s, kAlice.password, u"--tone"_s, u"1000"_s,
        u"--codecs"_s, u"PCMU"_s, u"--duration"_s, QString::number(kCallSeconds), u"--json"_s, u"--timeout"_s, u"20"_s, u"--bind"_s, u"127.0.0.1:0"_s});
    QVERIFY2(alice.start(), qPrintable(alice.describe()));
    QVERIFY2(bob.waitFor([](const QJsonObject &e) { return e.value(u"event").toString() == u"call" && e.value(u"state").toString() == u"active"; }, 20000),
        qPrintable(bob.describe()));

    const quint16 sippPort = freePort(PortKind::Udp);
    QString log;
    QVERIFY2(runSpinning(m_sippBin,
                 {u"127.0.0.1:%1"_s.arg(port), u"-sf"_s, scenario(u"flood_invite_options.xml"_s), u"-i"_s, kAttacker, u"-p"_s, QString::number(sippPort),
                     u"-r"_s, u"2500"_s, u"-rp"_s, u"1000"_s, u"-m"_s, u"5000"_s, u"-nostdin"_s},
                 dir, &log, 30000),
        qPrintable(log));

    QVERIFY2(alice.waitFinished(30000), qPrintable(alice.describe()));
    QCOMPARE(alice.run().result().value(u"outcome"_s).toString(), u"answered"_s);
    QVERIFY2(bob.waitFinished(20000), qPrintable(bob.describe()));
    const DialscopeRun &run = bob.run();
    QVERIFY2(run.exitCode == 0, qPrintable(run.describe()));
    const QJsonObject rtp = run.result().value(u"rtp"_s).toObject();
    const qint64 received = rtp.value(u"received"_s).toInteger();
    const qint64 lost = rtp.value(u"lost"_s).toInteger();
    const qint64 concealed = rtp.value(u"concealed"_s).toInteger();
    const QString figures = u"RTP received %1, lost %2, concealed %3"_s.arg(received).arg(lost).arg(concealed);
    qInfo().noquote() << figures;
    // 50 packets a second for the call; on loopback nothing may be lost, and the decoder conceals
    // at most a handful of frames (jitter, not holes).
    QVERIFY2(received >= (kCallSeconds - 1) * 50, qPrintable(figures));
    QVERIFY2(lost == 0, qPrintable(figures));
    QVERIFY2(concealed <= received / 50, qPrintable(figures));

    // The flood in the trace: its budget's worth, then nothing.
    const int fromFlood = int(messagesWith(run, u"in"_s, kAttacker, "INVITE").size() + messagesWith(run, u"in"_s, kAttacker, "OPTIONS").size());
    QVERIFY2(fromFlood > 0 && fromFlood <= 100, qPrintable(u"%1 flood messages traced"_s.arg(fromFlood)));
    // The log: one line when it began, one when it stopped, nothing per packet.
    const QString err = QString::fromUtf8(run.err);
    QCOMPARE(err.count(u"flood from 127.0.0.2: "_s), 1);
    QVERIFY2(err.contains(u"ignoring until it stops"_s), qPrintable(err));
    QCOMPARE(err.count(u"flood from 127.0.0.2 stopped: ignored "_s), 1);
    QVERIFY2(err.count(u'\n') < 40, qPrintable(err.left(4000)));
}

// Registration through a relay that drops 20 % both ways (fixed seed): it completes, and the
// ladder of its capture marks each retransmission that made up for a drop.
void TstHostile::lossyRegistration()
{
    QVERIFY2(startKamailio(), qPrintable(m_error));
    const QString dir = testCaseDir(m_tmp->path());
    LossyUdpRelay relay(m_kamailio->udpPort(), 20, 20240605);
    QVERIFY(relay.start());
    int registered = 0, retransmissions = 0;
    for (int i = 0; i < 4; ++i) {
        const QString pcap = dir + u"/register-%1.pcapng"_s.arg(i);
        const DialscopeRun run = runDialscope({u"register"_s, u"127.0.0.1:%1"_s.arg(relay.port()), u"--user"_s, kAlice.user, u"--password"_s, kAlice.password,
                                                  u"--expires"_s, u"60"_s, u"--json"_s, u"--pcap"_s, pcap, u"--timeout"_s, u"40"_s},
            {}, 60000);
        QVERIFY2(run.finished && run.exitCode == 0, qPrintable(run.describe()));
        ++registered;
        QString error;
        const QList<QJsonObject> ladder = ladderMessages(pcap, &error);
        QVERIFY2(error.isEmpty(), qPrintable(error));
        for (const QJsonObject &m : ladder) {
            if (m.value(u"retransmission"_s).toBool()) {
                ++retransmissions;
                QCOMPARE(m.value(u"timer"_s).toString(), u"E"_s); // RFC 3261 17.1.2.2: REGISTER is retransmitted on Timer E
            }
        }
    }
    const LossyUdpRelay::Counts c = relay.counts();
    qInfo().noquote() << u"relay: %1 forwarded, %2 dropped toward Kamailio; %3 forwarded, %4 dropped back; %5 retransmissions marked"_s.arg(c.toTarget)
                             .arg(c.droppedToTarget)
                             .arg(c.toClient)
                             .arg(c.droppedToClient)
                             .arg(retransmissions);
    QCOMPARE(registered, 4);
    QVERIFY2(c.droppedToTarget + c.droppedToClient > 0, "the relay dropped nothing: choose another seed");
    // Every REGISTER or 401/200 the relay dropped had to be made up by a retransmission.
    QVERIFY2(retransmissions >= 1, "no retransmission in the ladder");
}

// A call to a SIPp callee behind the same lossy relay (its Contact names the relay, so the ACK
// and BYE cross it too): answered, and the INVITE's retransmissions are in the ladder.
void TstHostile::lossyCallSetUp()
{
    if (m_sippBin.isEmpty())
        QSKIP("sipp not found: install the Debian package sip-tester");
    const QString dir = testCaseDir(m_tmp->path());
    const quint16 sippPort = freePort(PortKind::Udp);
    const quint16 mediaPort = freeUdpPortPair();
    LossyUdpRelay relay(sippPort, 20, 7);
    QVERIFY(relay.start());
    PeerProcess sipp(u"sipp"_s, dir + u"/sipp.log"_s);
    QVERIFY2(sipp.start(m_sippBin,
                 {u"-sf"_s, scenario(u"uas_via_relay.xml"_s), u"-i"_s, u"127.0.0.1"_s, u"-p"_s, QString::number(sippPort), u"-mp"_s, QString::number(mediaPort),
                     u"-key"_s, u"relay_port"_s, QString::number(relay.port()), u"-m"_s, u"3"_s, u"-nostdin"_s, u"-trace_err"_s, u"-error_file"_s,
                     dir + u"/sipp-errors.log"_s},
                 dir, {{ReadyProbe::UdpBound, sippPort}}),
        qPrintable(sipp.errorString()));
    int retransmittedInvites = 0, answered = 0;
    for (int i = 0; i < 3; ++i) {
        const QString pcap = dir + u"/call-%1.pcapng"_s.arg(i);
        const DialscopeRun run = runDialscope({u"call"_s, u"sipp@127.0.0.1:%1"_s.arg(relay.port()), u"--duration"_s, u"1"_s, u"--codecs"_s, u"PCMU"_s,
                                                  u"--json"_s, u"--pcap"_s, pcap, u"--bind"_s, u"127.0.0.1:0"_s, u"--timeout"_s, u"40"_s},
            {}, 60000);
        QVERIFY2(run.finished, qPrintable(run.describe()));
        QVERIFY2(run.result().value(u"outcome"_s).toString() == u"answered"_s, qPrintable(run.describe()));
        ++answered;
        QString error;
        for (const QJsonObject &m : ladderMessages(pcap, &error))
            if (m.value(u"retransmission"_s).toBool() && m.value(u"first_line"_s).toString().startsWith(u"INVITE "_s)) {
                ++retransmittedInvites;
                QCOMPARE(m.value(u"timer"_s).toString(), u"A"_s); // RFC 3261 17.1.1.2
            }
        QVERIFY2(error.isEmpty(), qPrintable(error));
    }
    const LossyUdpRelay::Counts c = relay.counts();
    qInfo().noquote() << u"relay: %1 forwarded, %2 dropped toward SIPp; %3 forwarded, %4 dropped back; %5 INVITE retransmissions marked"_s.arg(c.toTarget)
                             .arg(c.droppedToTarget)
                             .arg(c.toClient)
                             .arg(c.droppedToClient)
                             .arg(retransmittedInvites);
    QCOMPARE(answered, 3);
    QVERIFY2(c.droppedToTarget + c.droppedToClient > 0, "the relay dropped nothing: choose another seed");
    QVERIFY2(retransmittedInvites >= 1, "no INVITE retransmission in the ladder: choose a seed that drops an INVITE or its 100/180/200");
}

QTEST_GUILESS_MAIN(TstHostile)
#include "tst_hostile.moc"
