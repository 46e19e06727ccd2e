// Interop: dialscope against baresip, a second softphone, through Kamailio as registrar and call
// proxy (every new INVITE challenged with 407, then routed to the callee's registered contact):
// dialscope calls baresip and baresip calls dialscope, for PCMU, PCMA and opus. Each side sends
// its own tone and records what it hears; each recording must hold the other side's tone, at
// about the level it was sent: the audio is judged, not the packet counts.
#include "support/baresip.h"
#include "support/dialscope_cli.h"
#include "support/kamailio_registrar.h"
#include "support/wav_analysis.h"

#include <QDir>
#include <QRegularExpression>
#include <QTemporaryDir>
#include <QtTest>

#include <memory>
#include <optional>

using namespace ds::test;
using namespace Qt::StringLiterals;

namespace {

using Account = KamailioRegistrar::Subscriber;
const Account kAlice {u"alice"_s, u"secret"_s}; // dialscope
const Account kBob {u"bob"_s, u"hunter2"_s}; // baresip

// Integer Hz, so one second of audio holds whole cycles (no Goertzel leakage).
constexpr int kDialscopeHz = 1000;
constexpr int kBaresipHz = 440;
// What each side sends: dialscope's --tone a sine of -12 dBFS peak, -15 dBFS RMS; baresip's
// ausine half of full scale, -9 dBFS RMS. Measured: 1000 Hz arrives at -14.9 (G.711) and -15.1
// dBFS (opus); 440 Hz at -9.0 (opus) and -10.3 dBFS (G.711: baresip's own resampling to 8 kHz,
// the same between two baresips). The windows are 6 dB either side of what was sent: far below
// means silence or a wrong gain, far above noise or clipping.
constexpr double kDialscopeToneDbfs = -15;
constexpr double kBaresipToneDbfs = -9;
constexpr double kLevelTolerance = 6;
constexpr double kMinToneShare = 0.8;
constexpr double kCallSeconds = 3;

// The raw SIP messages of a trace in one direction that match: requests by method, responses
// by status and the method of their CSeq.
QList<QByteArray> messages(const DialscopeRun &run, const QString &dir, const QByteArray &method, int status = 0)
{
    QList<QByteArray> found;
    for (const QJsonObject &e : run.sip(dir)) {
        const QByteArray raw = e.value(u"raw").toString().toUtf8();
        const bool match = status == 0 ? sip::method(raw) == method : sip::status(raw) == status && sip::header(raw, "CSeq").endsWith(' ' + method);
        if (match && !found.contains(raw))
            found << raw;
    }
    return found;
}

// The header section of a message, for failure messages.
QString headOf(const QByteArray &raw) { return QString::fromUtf8(raw.left(raw.indexOf("\r\n\r\n"))).replace(u"\r\n"_s, u"\n"_s); }

} // namespace

class TstCallBaresip : public QObject {
    Q_OBJECT

private slots:
    void initTestCase();
    void cleanup();

    void dialscopeCallsBaresip_data();
    void dialscopeCallsBaresip();
    void baresipCallsDialscope_data();
    void baresipCallsDialscope();

private:
    void addCodecRows();
    QString caseDir() const;
    bool startKamailio();
    bool startBob(const QString &codec);
    QString server() const;
    QByteArray proxyRoute() const;
    void checkHeard(const QString &who, const QString &recording, int hz, double sentDbfs);
    void checkBaresipDecoded(const QString &codec);
    QString details();

    std::unique_ptr<QTemporaryDir> m_tmp;
    std::unique_ptr<KamailioRegistrar> m_kamailio;
    std::unique_ptr<BaresipPeer> m_bob;
    std::optional<DialscopeRun> m_call; // `dialscope call` of the current case
    std::unique_ptr<DialscopeProcess> m_answerer; // `dialscope answer` of the current case
    QString m_error;
};

void TstCallBaresip::initTestCase()
{
    if (const BaresipPeer::Result installed = BaresipPeer::installed(); !installed)
        QSKIP(qPrintable(installed.error().message));
    QVERIFY2(QFileInfo::exists(QStringLiteral(DIALSCOPE_BIN)), "dialscope is not built: " DIALSCOPE_BIN);
    m_tmp = std::make_unique<QTemporaryDir>(QDir::tempPath() + u"/dialscope-call-baresip-XXXXXX"_s);
    QVERIFY(m_tmp->isValid());
    m_kamailio = std::make_unique<KamailioRegistrar>(m_tmp->path());
    if (const KamailioRegistrar::Result prepared = m_kamailio->prepare(); !prepared) {
        if (prepared.error().skip)
            QSKIP(qPrintable(prepared.error().message));
        QFAIL(qPrintable(prepared.error().message));
    }
}

void TstCallBaresip::cleanup()
{
    if (QTest::currentTestFailed() && m_tmp) {
        m_tmp->setAutoRemove(false);
        qWarning().noquote() << details() << "\n(files kept in" << m_tmp->path() << ")";
    }
    // The phones first, so they do not retry against a registrar that is gone.
    m_answerer.reset();
    m_call.reset();
    m_bob.reset();
    if (m_kamailio)
        m_kamailio->stop();
    m_error.clear();
}

QString TstCallBaresip::caseDir() const
{
    QString name = QString::fromLatin1(QTest::currentTestFunction());
    if (QTest::currentDataTag())
        name += u'-' + QString::fromLatin1(QTest::currentDataTag());
    const QString dir = m_tmp->path() + u'/' + name;
    QDir().mkpath(dir);
    return dir;
}

bool TstCallBaresip::startKamailio()
{
    const KamailioRegistrar::Result started = m_kamailio->start(u"MD5"_s, {kAlice, kBob}, caseDir());
    m_error = started ? QString() : started.error().message;
    return started.has_value();
}

// Bob: baresip registered at the proxy, answering at once, sending kBaresipHz, only codec.
bool TstCallBaresip::startBob(const QString &codec)
{
    m_bob = std::make_unique<BaresipPeer>(kBob.user, caseDir());
    BaresipOptions options;
    options.user = kBob.user;
    options.password = kBob.password;
    options.registrarPort = m_kamailio->udpPort();
    options.codec = codec;
    options.toneHz = kBaresipHz;
    options.autoAnswer = true;
    if (const BaresipPeer::Result started = m_bob->start(options); !started) {
        m_error = started.error().message;
        return false;
    }
    if (!m_bob->waitRegistered()) {
        m_error = m_bob->errorString();
        return false;
    }
    return true;
}

QString TstCallBaresip::server() const { return u"127.0.0.1:%1"_s.arg(m_kamailio->udpPort()); }

// The URI the proxy record-routes with (registrar.cfg: record_route()).
QByteArray TstCallBaresip::proxyRoute() const { return "<sip:127.0.0.1:" + QByteArray::number(m_kamailio->udpPort()) + ";lr"; }

// The recording holds the other side's tone, at about the level it was sent.
void TstCallBaresip::checkHeard(const QString &who, const QString &recording, int hz, double sentDbfs)
{
    const ToneCheck tone = checkTone(recording, hz);
    QVERIFY2(tone.ok, qPrintable(recording + u": "_s + tone.error));
    const QString what = u"%1 heard in %2: %3 Hz, %4 s, %5 dBFS, %6 of the energy at %7 Hz"_s.arg(who, recording)
                             .arg(tone.sampleRate)
                             .arg(tone.seconds, 0, 'f', 2)
                             .arg(tone.rmsDbfs, 0, 'f', 1)
                             .arg(tone.toneShare, 0, 'f', 3)
                             .arg(hz);
    qInfo().noquote() << what;
    QVERIFY2(tone.seconds >= kCallSeconds - 1, qPrintable(what));
    QVERIFY2(tone.rmsDbfs >= sentDbfs - kLevelTolerance && tone.rmsDbfs <= sentDbfs + kLevelTolerance, qPrintable(what));
    QVERIFY2(tone.toneShare >= kMinToneShare, qPrintable(what));
}

// baresip decoded what dialscope sent with the codec the test forced.
void TstCallBaresip::checkBaresipDecoded(const QString &codec)
{
    const QString decoder = u"audio: Set audio decoder: %1 "_s.arg(codec);
    QVERIFY2(readTextFile(m_bob->logPath()).contains(decoder), qPrintable(u"not in baresip's log: "_s + decoder));
}

// dialscope's output, baresip's commands, events and log and Kamailio's log: printed by
// cleanup() on failure.
QString TstCallBaresip::details()
{
    QString text = m_error.isEmpty() ? QString() : u"\n"_s + m_error;
    if (m_call)
        text += m_call->describe();
    if (m_answerer)
        text += m_answerer->describe();
    if (m_bob)
        text += m_bob->describe(4000);
    if (m_kamailio)
        text += u"\n"_s + m_kamailio->logTail(3000);
    return text;
}

void TstCallBaresip::addCodecRows()
{
    QTest::addColumn<QString>("codec"); // for --codecs and baresip's audio_codecs
    QTest::addColumn<QString>("expectedCodec"); // what dialscope reports

    QTest::newRow("PCMU") << u"PCMU"_s << u"PCMU/8000"_s;
    QTest::newRow("PCMA") << u"PCMA"_s << u"PCMA/8000"_s;
    QTest::newRow("opus") << u"opus"_s << u"opus/48000/2"_s;
}

void TstCallBaresip::dialscopeCallsBaresip_data() { addCodecRows(); }

// Alice (dialscope) calls bob's address at the proxy; bob (baresip) answers by himself; alice
// hangs up after the call's duration.
void TstCallBaresip::dialscopeCallsBaresip()
{
    QFETCH(QString, codec);
    QFETCH(QString, expectedCodec);
    QVERIFY2(startKamailio(), qPrintable(m_error));
    QVERIFY2(startBob(codec), qPrintable(m_error));

    const QString recording = caseDir() + u"/alice.wav"_s;
    m_call = runDialscope(
        {u"call"_s, kBob.user, u"--server"_s, server(), u"--user"_s, kAlice.user, u"--password"_s, kAlice.password, u"--codecs"_s, codec, u"--tone"_s,
            QString::number(kDialscopeHz), u"--record"_s, recording, u"--duration"_s, QString::number(kCallSeconds), u"--json"_s, u"--timeout"_s, u"30"_s},
        {}, 45000);
    const DialscopeRun &call = *m_call;
    QVERIFY2(call.finished && call.exitCode == 0, qPrintable(call.describe()));
    QVERIFY2(call.badLines.isEmpty(), qPrintable(call.badLines.join(u'\n')));
    const QJsonObject result = call.result();
    QCOMPARE(result.value(u"outcome").toString(), u"answered"_s);
    QCOMPARE(result.value(u"codec").toString(), expectedCodec);

    // RFC 3261 22.3: the proxy challenged the INVITE with 407 and alice sent it again with her
    // credentials in Proxy-Authorization; bob's 200 OK came back through the proxy.
    const QList<QByteArray> invites = messages(call, u"out"_s, "INVITE");
    QVERIFY2(invites.size() >= 2, "dialscope sent fewer than two INVITEs");
    QVERIFY2(sip::header(invites.first(), "Proxy-Authorization").isEmpty(), qPrintable(headOf(invites.first())));
    QVERIFY2(!messages(call, u"in"_s, "INVITE", 407).isEmpty(), "dialscope's trace has no 407 to its INVITE");
    const QByteArray credentials = sip::header(invites.last(), "Proxy-Authorization");
    QVERIFY2(credentials.startsWith("Digest ") && sip::param(credentials, "username") == kAlice.user.toUtf8(), qPrintable(headOf(invites.last())));
    QVERIFY2(!messages(call, u"in"_s, "INVITE", 200).isEmpty(), "dialscope's trace has no 200 OK to its INVITE");
    const QString kamailioLog = m_kamailio->log();
    QVERIFY2(kamailioLog.contains(u"challenged INVITE from sip:alice@127.0.0.1"_s), "Kamailio did not challenge the INVITE");
    static const QRegularExpression routed(u"INVITE from sip:alice@127\\.0\\.0\\.1\\S* routed to sip:bob"_s);
    QVERIFY2(kamailioLog.contains(routed), "Kamailio did not route the INVITE to bob's contact");

    // Alice hung up: her BYE followed the route set that bob's 200 OK recorded (RFC 3261 12.1.2,
    // 16.12) through the proxy to bob, and baresip then closed its recordings.
    QVERIFY2(m_bob->waitEvent(u"CALL_ESTABLISHED"_s, 0), qPrintable(m_bob->errorString()));
    QVERIFY2(m_bob->waitEvent(u"CALL_CLOSED"_s, 5000), qPrintable(m_bob->errorString()));
    const QList<QByteArray> byes = messages(call, u"out"_s, "BYE");
    QVERIFY2(!byes.isEmpty(), "dialscope sent no BYE");
    QVERIFY2(sip::header(byes.first(), "Route").contains(proxyRoute()), qPrintable(u"the BYE has no Route to the proxy:\n"_s + headOf(byes.first())));
    const QString bobLog = readTextFile(m_bob->logPath());
    const qsizetype bye = bobLog.indexOf(u"\nBYE sip:bob"_s);
    QVERIFY2(bye >= 0, "no BYE in bob's SIP trace");
    const QString byeHead = bobLog.mid(bye, bobLog.indexOf(u"\r\n\r\n"_s, bye) - bye);
    QVERIFY2(
        byeHead.contains(u"Via: SIP/2.0/UDP 127.0.0.1:%1;"_s.arg(m_kamailio->udpPort())), qPrintable(u"the BYE did not come through the proxy:"_s + byeHead));
    checkBaresipDecoded(codec);
    if (QTest::currentTestFailed())
        return;

    const auto bobHeard = m_bob->lastRecording(BaresipPeer::Stream::Received);
    // (Qt 6.4's QVERIFY2 evaluates its message even when the check passes.)
    QVERIFY2(bobHeard, qPrintable(bobHeard ? QString() : bobHeard.error()));
    checkHeard(u"baresip"_s, *bobHeard, kDialscopeHz, kDialscopeToneDbfs);
    if (QTest::currentTestFailed())
        return;
    checkHeard(u"dialscope"_s, recording, kBaresipHz, kBaresipToneDbfs);
}

void TstCallBaresip::baresipCallsDialscope_data() { addCodecRows(); }

// Bob (baresip) calls alice's address at the proxy; alice (`dialscope answer`) answers; bob
// hangs up once he has heard three seconds of her.
void TstCallBaresip::baresipCallsDialscope()
{
    QFETCH(QString, codec);
    QFETCH(QString, expectedCodec);
    QVERIFY2(startKamailio(), qPrintable(m_error));
    QVERIFY2(startBob(codec), qPrintable(m_error));

    const QString recording = caseDir() + u"/alice.wav"_s;
    m_answerer = std::make_unique<DialscopeProcess>(QStringList {u"answer"_s, u"--server"_s, server(), u"--user"_s, kAlice.user, u"--password"_s,
        kAlice.password, u"--codecs"_s, codec, u"--tone"_s, QString::number(kDialscopeHz), u"--record"_s, recording, u"--json"_s, u"--timeout"_s, u"30"_s});
    QVERIFY2(m_answerer->start(), qPrintable(m_answerer->describe()));
    QVERIFY2(m_answerer->waitRegistered(10000), "dialscope answer did not register and listen");

    QVERIFY2(m_bob->dial(u"sip:%1@127.0.0.1:%2"_s.arg(kAlice.user).arg(m_kamailio->udpPort())), qPrintable(m_bob->errorString()));
    QVERIFY2(m_bob->waitEvent(u"CALL_ESTABLISHED"_s), qPrintable(m_bob->errorString()));
    QVERIFY2(m_bob->waitForAudio(BaresipPeer::Stream::Received, kCallSeconds), qPrintable(m_bob->errorString()));
    QVERIFY2(m_bob->hangup(), qPrintable(m_bob->errorString()));
    QVERIFY2(m_bob->waitEvent(u"CALL_CLOSED"_s), qPrintable(m_bob->errorString()));

    QVERIFY2(m_answerer->waitFinished(10000), "dialscope answer did not exit after the call");
    const DialscopeRun &answer = m_answerer->run();
    QVERIFY2(answer.exitCode == 0, "dialscope answer did not exit with 0");
    QVERIFY2(answer.badLines.isEmpty(), qPrintable(answer.badLines.join(u'\n')));
    const QJsonObject result = answer.result();
    QCOMPARE(result.value(u"outcome").toString(), u"answered"_s);
    QCOMPARE(result.value(u"codec").toString(), expectedCodec);

    // The INVITE came through the proxy, authorized there (bob got the 407), without bob's
    // credentials and record-routed (whether the dialog kept that route is checked last, after
    // the audio).
    const QList<QByteArray> invites = messages(answer, u"in"_s, "INVITE");
    QVERIFY2(invites.size() == 1, qPrintable(u"dialscope got %1 distinct INVITEs"_s.arg(invites.size())));
    const QString inviteHead = headOf(invites.first());
    QVERIFY2(sip::header(invites.first(), "Proxy-Authorization").isEmpty(), qPrintable(u"the proxy passed bob's credentials on:\n"_s + inviteHead));
    QVERIFY2(sip::header(invites.first(), "Record-Route").contains(proxyRoute()), qPrintable(u"no Record-Route of the proxy:\n"_s + inviteHead));
    const QList<QByteArray> oks = messages(answer, u"out"_s, "INVITE", 200);
    QVERIFY2(!oks.isEmpty(), "dialscope sent no 200 OK to the INVITE");
    const QList<QByteArray> byes = messages(answer, u"in"_s, "BYE");
    QVERIFY2(!byes.isEmpty(), "dialscope's trace has no BYE");
    QVERIFY2(m_kamailio->log().contains(u"challenged INVITE from sip:bob@127.0.0.1"_s), "Kamailio did not challenge bob's INVITE");
    const QString bobLog = readTextFile(m_bob->logPath());
    QVERIFY2(bobLog.contains(u"SIP/2.0 407 Proxy Authentication Required"_s), "bob got no 407");
    QVERIFY2(bobLog.contains(u"Proxy-Authorization: Digest username=\"bob\""_s), "bob sent no Proxy-Authorization");
    checkBaresipDecoded(codec);
    if (QTest::currentTestFailed())
        return;

    const auto bobHeard = m_bob->lastRecording(BaresipPeer::Stream::Received);
    QVERIFY2(bobHeard, qPrintable(bobHeard ? QString() : bobHeard.error()));
    checkHeard(u"baresip"_s, *bobHeard, kDialscopeHz, kDialscopeToneDbfs);
    if (QTest::currentTestFailed())
        return;
    checkHeard(u"dialscope"_s, recording, kBaresipHz, kBaresipToneDbfs);
    if (QTest::currentTestFailed())
        return;

    // RFC 3261 12.1.1: the UAS copies the INVITE's Record-Route into its 2xx, so the caller's
    // route set (12.1.2) keeps the proxy on the dialog's path: bob's ACK and BYE then come
    // through it, as they do when baresip answers (tst_call_baresip_baseline).
    QVERIFY2(sip::header(oks.first(), "Record-Route").contains(proxyRoute()),
        qPrintable(u"dialscope's 200 OK did not copy the INVITE's Record-Route (RFC 3261 12.1.1):\n"_s + headOf(oks.first())));
    QVERIFY2(sip::header(byes.first(), "Via").contains(u"127.0.0.1:%1;"_s.arg(m_kamailio->udpPort()).toUtf8()),
        qPrintable(u"bob's BYE did not come through the proxy:\n"_s + headOf(byes.first())));
}

QTEST_GUILESS_MAIN(TstCallBaresip)
#include "tst_call_baresip.moc"
