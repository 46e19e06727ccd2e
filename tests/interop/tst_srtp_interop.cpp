// Interop: SRTP with SDES keys (RFC 4568, RFC 3711) between real phones. Two dialscopes through
// Kamailio over TLS with mandatory SRTP; mandatory against off refused with 488 both ways; keys
// over UDP reported; baresip 1.0 (srtp module, mediaenc=srtp and srtp-mand) in both directions;
// and RTP injected from a foreign address in the middle of a call ignored. Audio is judged in
// the recordings: a tone that arrives was decrypted.
#include "support/baresip.h"
#include "support/dialscope_cli.h"
#include "support/kamailio_registrar.h"
#include "support/test_case_dir.h"
#include "support/wav_analysis.h"

#include <QDir>
#include <QRegularExpression>
#include <QTemporaryDir>
#include <QUdpSocket>
#include <QtTest>

#include <memory>
#include <optional>

using namespace ds::test;
using namespace Qt::StringLiterals;

namespace {

using Account = KamailioRegistrar::Subscriber;
const Account kAlice {u"alice"_s, u"secret"_s}; // dialscope, calling
const Account kCarol {u"carol"_s, u"s3cret"_s}; // dialscope, answering
const Account kBob {u"bob"_s, u"hunter2"_s}; // baresip

constexpr int kCallerHz = 1000;
constexpr int kAnswererHz = 600;
constexpr int kBaresipHz = 440;
const QString kSuite80 = u"AES_CM_128_HMAC_SHA1_80"_s;

// Every finding text of a run, joined, for searching and failure messages.
QString findings(const DialscopeRun &run)
{
    QStringList texts;
    for (const QJsonObject &f : run.eventsOf(u"finding"_s))
        texts << f.value(u"text").toString();
    return texts.join(u"\n"_s);
}

// The SDP m= line and a=crypto lines of the first message in that direction carrying an SDP with m=audio.
QByteArray firstSdp(const DialscopeRun &run, const QString &dir)
{
    for (const QJsonObject &e : run.sip(dir)) {
        const QByteArray raw = e.value(u"raw").toString().toUtf8();
        const qsizetype m = raw.indexOf("m=audio ");
        if (m >= 0)
            return raw.mid(m);
    }
    return {};
}

quint16 audioPortOf(const QByteArray &sdp)
{
    static const QRegularExpression re(u"^m=audio (\\d+) "_s);
    const auto match = re.match(QString::fromUtf8(sdp));
    return match.hasMatch() ? quint16(match.captured(1).toUInt()) : 0;
}

} // namespace

class TstSrtpInterop : public QObject {
    Q_OBJECT

private slots:
    void initTestCase();
    void cleanup();

    void dialscopeToDialscopeOverTls();
    void refusals_data();
    void refusals();
    void keysOverUdpAreReported();
    void baresip_data();
    void baresip();
    void injectedRtpIsIgnored();

private:
    QString caseDir() const;
    bool startKamailio();
    QString details();
    void checkHeard(const QString &who, const QString &recording, int hz);
    void checkSrtpResult(const QJsonObject &result, const QString &who);

    std::unique_ptr<QTemporaryDir> m_tmp;
    std::unique_ptr<KamailioRegistrar> m_kamailio;
    std::unique_ptr<BaresipPeer> m_bob;
    std::optional<DialscopeRun> m_call;
    std::unique_ptr<DialscopeProcess> m_caller;
    std::unique_ptr<DialscopeProcess> m_answerer;
    QString m_error;
};

void TstSrtpInterop::initTestCase()
{
    QVERIFY2(QFileInfo::exists(QStringLiteral(DIALSCOPE_BIN)), "dialscope is not built: " DIALSCOPE_BIN);
    m_tmp = std::make_unique<QTemporaryDir>(QDir::tempPath() + u"/dialscope-srtp-XXXXXX"_s);
    QVERIFY(m_tmp->isValid());
    m_kamailio = std::make_unique<KamailioRegistrar>(m_tmp->path());
}

void TstSrtpInterop::cleanup()
{
    if (QTest::currentTestFailed() && m_tmp) {
        m_tmp->setAutoRemove(false);
        qWarning().noquote() << details() << "\n(files kept in" << m_tmp->path() << ")";
    }
    m_caller.reset();
    m_answerer.reset();
    m_call.reset();
    m_bob.reset();
    if (m_kamailio)
        m_kamailio->stop();
    m_error.clear();
}

QString TstSrtpInterop::caseDir() const { return testCaseDir(m_tmp->path()); }

bool TstSrtpInterop::startKamailio()
{
    if (const KamailioRegistrar::Result prepared = m_kamailio->prepare(); !prepared) {
        m_error = prepared.error().message;
        if (prepared.error().skip)
            m_error.prepend(u"SKIP: "_s);
        return false;
    }
    const KamailioRegistrar::Result started = m_kamailio->start(u"MD5"_s, {kAlice, kCarol, kBob}, caseDir());
    m_error = started ? QString() : started.error().message;
    return started.has_value();
}

QString TstSrtpInterop::details()
{
    QString text = m_error.isEmpty() ? QString() : u"\n"_s + m_error;
    if (m_call)
        text += m_call->describe();
    if (m_caller)
        text += m_caller->describe();
    if (m_answerer)
        text += m_answerer->describe();
    if (m_bob)
        text += m_bob->describe(4000);
    if (m_kamailio)
        text += u"\n"_s + m_kamailio->logTail(2000);
    return text;
}

// The recording holds the other side's tone: the SRTP packets were authenticated and decrypted.
void TstSrtpInterop::checkHeard(const QString &who, const QString &recording, int hz)
{
    const ToneCheck tone = checkTone(recording, hz);
    QVERIFY2(tone.ok, qPrintable(recording + u": "_s + tone.error));
    const QString what = u"%1 heard %2 s, %3 dBFS, %4 of the energy at %5 Hz"_s.arg(who)
                             .arg(tone.seconds, 0, 'f', 2)
                             .arg(tone.rmsDbfs, 0, 'f', 1)
                             .arg(tone.toneShare, 0, 'f', 3)
                             .arg(hz);
    qInfo().noquote() << what;
    QVERIFY2(tone.seconds >= 1.0, qPrintable(what));
    QVERIFY2(tone.rmsDbfs > -25 && tone.rmsDbfs < -3, qPrintable(what));
    QVERIFY2(tone.toneShare >= 0.8, qPrintable(what));
}

// The call was protected with the usual suite, and every packet that came authenticated.
void TstSrtpInterop::checkSrtpResult(const QJsonObject &result, const QString &who)
{
    const QJsonObject rtp = result.value(u"rtp").toObject();
    const QString what = who + u": "_s + QString::fromUtf8(QJsonDocument(result).toJson(QJsonDocument::Compact));
    QVERIFY2(result.value(u"srtp").toString() == kSuite80, qPrintable(what));
    QVERIFY2(rtp.value(u"srtp").toString() == kSuite80, qPrintable(what));
    QVERIFY2(rtp.value(u"srtp_decrypted").toInteger() > 40, qPrintable(what));
    QVERIFY2(rtp.value(u"srtp_auth_failures").toInteger() == 0, qPrintable(what));
    QVERIFY2(rtp.value(u"decoded").toInteger() > 40, qPrintable(what));
}

// Alice calls carol through Kamailio over TLS, both with SRTP mandatory: RTP/SAVP both ways, the
// keys never crossed in clear, and each hears the other's tone.
void TstSrtpInterop::dialscopeToDialscopeOverTls()
{
    if (!startKamailio()) {
        if (m_error.startsWith(u"SKIP: "_s))
            QSKIP(qPrintable(m_error));
        QFAIL(qPrintable(m_error));
    }
    const QString server = u"127.0.0.1:%1"_s.arg(m_kamailio->tlsPort());
    const QStringList tls {u"--transport"_s, u"tls"_s, u"--ca"_s, m_kamailio->caFile(), u"--srtp"_s, u"mandatory"_s, u"--codecs"_s, u"PCMU"_s};
    const QString carolHeard = caseDir() + u"/carol.wav"_s, aliceHeard = caseDir() + u"/alice.wav"_s;
    m_answerer
        = std::make_unique<DialscopeProcess>(QStringList {u"answer"_s, u"--server"_s, server, u"--user"_s, kCarol.user, u"--password"_s, kCarol.password,
                                                 u"--tone"_s, QString::number(kAnswererHz), u"--record"_s, carolHeard, u"--json"_s, u"--timeout"_s, u"30"_s}
            + tls);
    QVERIFY2(m_answerer->start(), qPrintable(m_answerer->describe()));
    QVERIFY2(m_answerer->waitRegistered(10000), "dialscope answer did not register over TLS");

    m_call = runDialscope(QStringList {u"call"_s, kCarol.user, u"--server"_s, server, u"--user"_s, kAlice.user, u"--password"_s, kAlice.password, u"--tone"_s,
                              QString::number(kCallerHz), u"--record"_s, aliceHeard, u"--duration"_s, u"2.5"_s, u"--json"_s, u"--timeout"_s, u"30"_s}
            + tls,
        {}, 45000);
    QVERIFY2(m_call->finished && m_call->exitCode == 0, qPrintable(m_call->describe()));
    const QJsonObject result = m_call->result();
    QCOMPARE(result.value(u"outcome").toString(), u"answered"_s);
    checkSrtpResult(result, u"alice"_s);
    QVERIFY2(!result.contains(u"finding"), qPrintable(result.value(u"finding").toString())); // nothing wrong to say: TLS carried the keys
    const QByteArray offer = firstSdp(*m_call, u"out"_s);
    QVERIFY2(offer.startsWith("m=audio ") && offer.contains(" RTP/SAVP ") && offer.contains("a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:"), offer.constData());
    QVERIFY2(!findings(*m_call).contains(u"in clear"_s), qPrintable(findings(*m_call)));
    for (const QJsonObject &e : m_call->sip())
        QVERIFY2(e.value(u"transport").toString().compare(u"tls"_s, Qt::CaseInsensitive) == 0, "a SIP message went over something else than TLS");

    QVERIFY2(m_answerer->waitFinished(15000), qPrintable(m_answerer->describe()));
    const QJsonObject answered = m_answerer->run().result();
    QCOMPARE(answered.value(u"outcome").toString(), u"answered"_s);
    checkSrtpResult(answered, u"carol"_s);
    const QByteArray answer = firstSdp(m_answerer->run(), u"out"_s);
    QVERIFY2(answer.contains(" RTP/SAVP ") && answer.contains("a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:"), answer.constData());
    QVERIFY2(answer.count("a=crypto:") == 1, answer.constData()); // RFC 4568 6.1: one line in the answer

    checkHeard(u"carol"_s, carolHeard, kCallerHz);
    checkHeard(u"alice"_s, aliceHeard, kAnswererHz);
}

void TstSrtpInterop::refusals_data()
{
    QTest::addColumn<QString>("caller");
    QTest::addColumn<QString>("callee");
    QTest::addColumn<QString>("callerSays"); // in the caller's result finding
    QTest::addColumn<QString>("calleeSays"); // in the callee's findings
    QTest::newRow("mandatory calls off") << u"mandatory"_s << u"off"_s << u"refused our SRTP-only offer"_s << u"SRTP is off for this account"_s;
    QTest::newRow("off calls mandatory") << u"off"_s << u"mandatory"_s << QString() << u"SRTP is mandatory and the offer has no a=crypto line"_s;
}

// Mandatory SRTP against a phone with SRTP off: 488 Not Acceptable Here, and both sides say why.
void TstSrtpInterop::refusals()
{
    QFETCH(QString, caller);
    QFETCH(QString, callee);
    QFETCH(QString, callerSays);
    QFETCH(QString, calleeSays);
    const quint16 port = freePort(PortKind::Udp);
    m_answerer = std::make_unique<DialscopeProcess>(
        QStringList {u"answer"_s, u"--json"_s, u"--bind"_s, u"127.0.0.1:%1"_s.arg(port), u"--srtp"_s, callee, u"--timeout"_s, u"20"_s});
    QVERIFY2(m_answerer->start(), qPrintable(m_answerer->describe()));
    QVERIFY2(m_answerer->waitListening(10000), qPrintable(m_answerer->describe()));
    m_call = runDialscope({u"call"_s, u"bob@127.0.0.1:%1"_s.arg(port), u"--srtp"_s, caller, u"--duration"_s, u"1"_s, u"--json"_s, u"--bind"_s, u"127.0.0.1:0"_s,
        u"--timeout"_s, u"20"_s});
    QVERIFY2(m_call->finished && m_call->exitCode == 1, qPrintable(m_call->describe()));
    const QJsonObject result = m_call->result();
    QCOMPARE(result.value(u"outcome").toString(), u"rejected"_s);
    QCOMPARE(result.value(u"status").toInt(), 488);
    QCOMPARE(result.value(u"srtp").toString(), u"off"_s);
    if (!callerSays.isEmpty())
        QVERIFY2(result.value(u"finding").toString().contains(callerSays), qPrintable(m_call->describe()));

    QVERIFY2(m_answerer->waitFinished(15000), qPrintable(m_answerer->describe()));
    const QString said = findings(m_answerer->run());
    QVERIFY2(said.contains(calleeSays) && said.contains(u"488 Not Acceptable Here"_s), qPrintable(said));
    QVERIFY2(m_answerer->run().result().value(u"finding").toString().contains(calleeSays), qPrintable(m_answerer->describe()));
}

// SRTP over UDP signalling works, but the result says the keys crossed in clear.
void TstSrtpInterop::keysOverUdpAreReported()
{
    const quint16 port = freePort(PortKind::Udp);
    const QString heard = caseDir() + u"/answerer.wav"_s;
    m_answerer = std::make_unique<DialscopeProcess>(QStringList {
        u"answer"_s, u"--json"_s, u"--bind"_s, u"127.0.0.1:%1"_s.arg(port), u"--srtp"_s, u"optional"_s, u"--record"_s, heard, u"--timeout"_s, u"20"_s});
    QVERIFY2(m_answerer->start(), qPrintable(m_answerer->describe()));
    QVERIFY2(m_answerer->waitListening(10000), qPrintable(m_answerer->describe()));
    m_call = runDialscope({u"call"_s, u"bob@127.0.0.1:%1"_s.arg(port), u"--srtp"_s, u"optional"_s, u"--tone"_s, QString::number(kCallerHz), u"--duration"_s,
        u"2"_s, u"--json"_s, u"--bind"_s, u"127.0.0.1:0"_s, u"--timeout"_s, u"20"_s});
    QVERIFY2(m_call->finished && m_call->exitCode == 0, qPrintable(m_call->describe()));
    const QJsonObject result = m_call->result();
    checkSrtpResult(result, u"caller"_s);
    // The best-effort offer: RTP/AVP with a=crypto lines.
    const QByteArray offer = firstSdp(*m_call, u"out"_s);
    QVERIFY2(offer.contains(" RTP/AVP ") && offer.contains("a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:"), offer.constData());
    QVERIFY2(result.value(u"finding").toString().contains(u"crossed the network in clear over UDP"_s), qPrintable(m_call->describe()));
    QVERIFY2(m_answerer->waitFinished(15000), qPrintable(m_answerer->describe()));
    QVERIFY2(m_answerer->run().result().value(u"finding").toString().contains(u"in clear"_s), qPrintable(m_answerer->describe()));
    checkHeard(u"answerer"_s, heard, kCallerHz);
}

void TstSrtpInterop::baresip_data()
{
    QTest::addColumn<bool>("dialscopeCalls");
    QTest::addColumn<QString>("ourMode");
    QTest::addColumn<QString>("mediaEnc"); // baresip's
    QTest::addColumn<QByteArray>("proto"); // of the offer
    QTest::newRow("dialscope mandatory calls baresip srtp-mand") << true << u"mandatory"_s << u"srtp-mand"_s << QByteArray("RTP/SAVP");
    QTest::newRow("dialscope optional calls baresip srtp") << true << u"optional"_s << u"srtp"_s << QByteArray("RTP/AVP");
    QTest::newRow("baresip srtp calls dialscope mandatory") << false << u"mandatory"_s << u"srtp"_s << QByteArray("RTP/AVP");
    QTest::newRow("baresip srtp-mand calls dialscope optional") << false << u"optional"_s << u"srtp-mand"_s << QByteArray("RTP/SAVP");
}

// dialscope and baresip through Kamailio, each direction: SRTP agreed, and each side's recording
// holds the other's tone, so both decrypted what the other encrypted.
void TstSrtpInterop::baresip()
{
    QFETCH(bool, dialscopeCalls);
    QFETCH(QString, ourMode);
    QFETCH(QString, mediaEnc);
    QFETCH(QByteArray, proto);
    if (const BaresipPeer::Result installed = BaresipPeer::installed(); !installed)
        QSKIP(qPrintable(installed.error().message));
    if (!QFileInfo::exists(u"/usr/lib/baresip/modules/srtp.so"_s))
        QSKIP("baresip's srtp module is missing: install the Debian package baresip-core");
    if (!startKamailio()) {
        if (m_error.startsWith(u"SKIP: "_s))
            QSKIP(qPrintable(m_error));
        QFAIL(qPrintable(m_error));
    }
    m_bob = std::make_unique<BaresipPeer>(kBob.user, caseDir());
    BaresipOptions options;
    options.user = kBob.user;
    options.password = kBob.password;
    options.registrarPort = m_kamailio->udpPort();
    options.codec = u"PCMU"_s;
    options.toneHz = kBaresipHz;
    options.mediaEnc = mediaEnc;
    const BaresipPeer::Result started = m_bob->start(options);
    QVERIFY2(started, qPrintable(started ? QString() : started.error().message));
    QVERIFY2(m_bob->waitRegistered(), qPrintable(m_bob->errorString()));

    const QString server = u"127.0.0.1:%1"_s.arg(m_kamailio->udpPort());
    const QString recording = caseDir() + u"/dialscope.wav"_s;
    DialscopeRun run;
    if (dialscopeCalls) {
        m_call = runDialscope(
            {u"call"_s, kBob.user, u"--server"_s, server, u"--user"_s, kAlice.user, u"--password"_s, kAlice.password, u"--codecs"_s, u"PCMU"_s, u"--srtp"_s,
                ourMode, u"--tone"_s, QString::number(kCallerHz), u"--record"_s, recording, u"--duration"_s, u"3"_s, u"--json"_s, u"--timeout"_s, u"30"_s},
            {}, 45000);
        QVERIFY2(m_call->finished && m_call->exitCode == 0, qPrintable(m_call->describe()));
        QVERIFY2(m_bob->waitEvent(u"CALL_CLOSED"_s, 5000), qPrintable(m_bob->errorString()));
        run = *m_call;
        const QByteArray offer = firstSdp(run, u"out"_s);
        QVERIFY2(offer.contains(' ' + proto + ' ') && offer.contains("a=crypto:"), offer.constData());
    } else {
        m_answerer = std::make_unique<DialscopeProcess>(
            QStringList {u"answer"_s, u"--server"_s, server, u"--user"_s, kAlice.user, u"--password"_s, kAlice.password, u"--codecs"_s, u"PCMU"_s, u"--srtp"_s,
                ourMode, u"--tone"_s, QString::number(kCallerHz), u"--record"_s, recording, u"--json"_s, u"--timeout"_s, u"30"_s});
        QVERIFY2(m_answerer->start(), qPrintable(m_answerer->describe()));
        QVERIFY2(m_answerer->waitRegistered(10000), "dialscope answer did not register");
        QVERIFY2(m_bob->dial(u"sip:%1@127.0.0.1:%2"_s.arg(kAlice.user).arg(m_kamailio->udpPort())), qPrintable(m_bob->errorString()));
        QVERIFY2(m_bob->waitEvent(u"CALL_ESTABLISHED"_s), qPrintable(m_bob->errorString()));
        QVERIFY2(m_bob->waitForAudio(BaresipPeer::Stream::Received, 3), qPrintable(m_bob->errorString()));
        QVERIFY2(m_bob->hangup(), qPrintable(m_bob->errorString()));
        QVERIFY2(m_bob->waitEvent(u"CALL_CLOSED"_s), qPrintable(m_bob->errorString()));
        QVERIFY2(m_answerer->waitFinished(10000), qPrintable(m_answerer->describe()));
        run = m_answerer->run();
        QVERIFY2(run.exitCode == 0, qPrintable(m_answerer->describe()));
        const QByteArray offer = firstSdp(run, u"in"_s);
        QVERIFY2(offer.contains(' ' + proto + ' ') && offer.contains("a=crypto:1 AES_CM_128_HMAC_SHA1_80"), offer.constData());
    }
    const QJsonObject result = run.result();
    QCOMPARE(result.value(u"outcome").toString(), u"answered"_s);
    checkSrtpResult(result, u"dialscope"_s);
    // Over UDP: the finding that the keys were readable on the way.
    QVERIFY2(result.value(u"finding").toString().contains(u"in clear over UDP"_s), qPrintable(result.value(u"finding").toString()));
    const QString bobLog = readTextFile(m_bob->logPath());
    // baresip's srtp module says so once it has both keys ("srtp: audio: SRTP is Enabled (cryptosuite=...)").
    static const QRegularExpression enabled(u"SRTP is Enabled \\(cryptosuite=AES_CM_128_HMAC_SHA1_80\\)"_s);
    QVERIFY2(bobLog.contains(enabled), qPrintable(u"baresip's log does not say SRTP is enabled:\n"_s + bobLog.right(3000)));
    QVERIFY2(!bobLog.contains(u"failed to decrypt"_s), "baresip could not decrypt some of dialscope's packets");

    const auto bobHeard = m_bob->lastRecording(BaresipPeer::Stream::Received);
    QVERIFY2(bobHeard, qPrintable(bobHeard ? QString() : bobHeard.error()));
    checkHeard(u"baresip"_s, *bobHeard, kCallerHz);
    checkHeard(u"dialscope"_s, recording, kBaresipHz);
}

// A stranger sends RTP at the answerer's port in the middle of a call, after the caller's RTP has
// arrived: it is counted and reported, never played.
void TstSrtpInterop::injectedRtpIsIgnored()
{
    const quint16 port = freePort(PortKind::Udp);
    const QString heard = caseDir() + u"/answerer.wav"_s;
    m_answerer = std::make_unique<DialscopeProcess>(QStringList {
        u"answer"_s, u"--json"_s, u"--bind"_s, u"127.0.0.1:%1"_s.arg(port), u"--record"_s, heard, u"--codecs"_s, u"PCMU"_s, u"--timeout"_s, u"20"_s});
    QVERIFY2(m_answerer->start(), qPrintable(m_answerer->describe()));
    QVERIFY2(m_answerer->waitListening(10000), qPrintable(m_answerer->describe()));
    m_caller = std::make_unique<DialscopeProcess>(QStringList {u"call"_s, u"bob@127.0.0.1:%1"_s.arg(port), u"--tone"_s, QString::number(kCallerHz),
        u"--codecs"_s, u"PCMU"_s, u"--duration"_s, u"3"_s, u"--json"_s, u"--bind"_s, u"127.0.0.1:0"_s, u"--timeout"_s, u"20"_s});
    QVERIFY2(m_caller->start(), qPrintable(m_caller->describe()));
    // The answerer has played the caller's audio for a while: the media event of its first second.
    QVERIFY2(m_answerer->waitFor([](const QJsonObject &e) { return e.value(u"event").toString() == u"media" && e.value(u"decoded").toInteger() > 10; }, 10000),
        qPrintable(m_answerer->describe()));
    const quint16 rtpPort = audioPortOf(firstSdp(m_answerer->run(), u"out"_s));
    QVERIFY2(rtpPort != 0, qPrintable(m_answerer->describe()));

    QUdpSocket stranger;
    QVERIFY(stranger.bind(QHostAddress::LocalHost, 0));
    QByteArray packet(12 + 160, char(0x55)); // loud noise in PCMU, another SSRC
    packet[0] = char(0x80);
    packet[1] = 0;
    for (int i = 0; i < 50; ++i) {
        packet[2] = char(i >> 8);
        packet[3] = char(i);
        packet[8] = char(0xBA);
        packet[9] = char(0xAD);
        stranger.writeDatagram(packet, QHostAddress::LocalHost, rtpPort);
    }
    QVERIFY2(m_caller->waitFinished(20000), qPrintable(m_caller->describe()));
    QVERIFY2(m_answerer->waitFinished(15000), qPrintable(m_answerer->describe()));
    const QJsonObject result = m_answerer->run().result();
    const QJsonObject rtp = result.value(u"rtp").toObject();
    QVERIFY2(rtp.value(u"ignored").toInteger() == 50, qPrintable(m_answerer->describe()));
    QVERIFY2(!rtp.contains(u"latched"), qPrintable(m_answerer->describe()));
    const QString said = findings(m_answerer->run());
    QVERIFY2(said.contains(QRegularExpression(u"\\d+ RTP packets from 127\\.0\\.0\\.1:%1 were ignored"_s.arg(stranger.localPort()))), qPrintable(said));
    QCOMPARE(said.count(u"were ignored"_s), 1); // reported once
    checkHeard(u"answerer"_s, heard, kCallerHz); // the caller's tone only: nothing of the noise was played
}

QTEST_GUILESS_MAIN(TstSrtpInterop)
#include "tst_srtp_interop.moc"
