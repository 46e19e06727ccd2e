// Interop baseline: two baresip softphones call each other through Kamailio, registrar and
// call proxy (the INVITE challenged with 407, routed to the callee's registered contact), for
// each codec; each hears the other's tone. Proves the harness dialscope's call tests stand on
// before dialscope takes one of the two places.
#include "media/wav_file.h"
#include "support/baresip.h"
#include "support/kamailio_registrar.h"
#include "support/peer.h"
#include "support/signal.h"

#include <QDir>
#include <QRegularExpression>
#include <QTemporaryDir>
#include <QtTest>

#include <cmath>
#include <expected>
#include <memory>
#include <vector>

using namespace ds::test;
using namespace Qt::StringLiterals;

namespace {

using Account = KamailioRegistrar::Subscriber;
const Account kAlice {u"alice"_s, u"secret"_s};
const Account kBob {u"bob"_s, u"hunter2"_s};
const Account kCarol {u"carol"_s, u"carols-pw"_s}; // a subscriber that never registers

// ausine tones, integer Hz so a one-second window holds whole cycles (no Goertzel leakage).
constexpr int kAliceHz = 1000;
constexpr int kBobHz = 440;
// ausine sends half of full scale: a sine with an RMS of -9 dBFS. G.711 and opus keep it
// within a dB or so; far below means silence or a wrong gain, far above noise or clipping.
constexpr double kMinDbfs = -12;
constexpr double kMaxDbfs = -6;
constexpr double kMinToneShare = 0.9;

// What one second of a recording holds, from 0.5 s in (past the jitter buffer's start).
struct Heard {
    int sampleRate = 0;
    double seconds = 0; // the whole recording
    double rmsDbfs = -200;
    double toneShare = 0; // of the energy, the part at the expected frequency
};

std::expected<Heard, QString> analyse(const QString &path, double hz)
{
    auto reader = ds::media::WavReader::open(path);
    if (!reader)
        return std::unexpected(path + u": "_s + reader.error().toString());
    Heard heard;
    heard.sampleRate = reader->format().sampleRate;
    const std::size_t channels = std::size_t(reader->format().channels);
    std::vector<std::int16_t> first; // the first channel (both carry the same sine)
    first.reserve(std::size_t(reader->frameCount()));
    std::vector<std::int16_t> buffer(4096 * channels);
    while (true) {
        const auto samples = reader->read(buffer);
        if (!samples)
            return std::unexpected(path + u": "_s + samples.error().toString());
        if (*samples == 0)
            break;
        for (std::size_t i = 0; i < *samples; i += channels)
            first.push_back(buffer[i]);
    }
    heard.seconds = double(first.size()) / heard.sampleRate;
    const std::size_t start = std::size_t(heard.sampleRate) / 2;
    const std::size_t length = std::size_t(heard.sampleRate);
    if (first.size() < start + length)
        return heard; // too short to judge: the caller sees seconds
    const std::span<const std::int16_t> window = std::span(first).subspan(start, length);
    const double level = rms(window);
    heard.rmsDbfs = level > 0 ? 20 * std::log10(level / 32768.0) : -200;
    // A sine of amplitude A over N samples (whole cycles): Goertzel power (A N / 2)^2, and
    // sum of squares A^2 N / 2, so the ratio below is 1 for a pure tone.
    const double energy = level * level * double(length);
    heard.toneShare = energy > 0 ? toneEnergy(window, hz, heard.sampleRate) / (energy * double(length) / 2) : 0;
    return heard;
}

} // namespace

class TstCallBaresipBaseline : public QObject {
    Q_OBJECT

private slots:
    void initTestCase();
    void cleanup();

    void callThroughKamailio_data();
    void callThroughKamailio();
    void unregisteredCalleeIsNotFound();
    void cancelReachesTheCallee();
    void calleeAnswersAndHangsUp();
    void directCallWithoutRegistrar();

private:
    QString caseDir() const;
    bool startKamailio();
    bool startPeer(std::unique_ptr<BaresipPeer> &peer, const Account &account, quint16 registrarPort, const QString &codec, int toneHz, bool autoAnswer = true);
    void checkHeard(BaresipPeer &listener, int hz, int sampleRate);
    QString details();

    std::unique_ptr<QTemporaryDir> m_tmp;
    std::unique_ptr<KamailioRegistrar> m_kamailio;
    std::unique_ptr<BaresipPeer> m_alice;
    std::unique_ptr<BaresipPeer> m_bob;
    QString m_error;
};

void TstCallBaresipBaseline::initTestCase()
{
    if (const BaresipPeer::Result installed = BaresipPeer::installed(); !installed)
        QSKIP(qPrintable(installed.error().message));
    m_tmp = std::make_unique<QTemporaryDir>(QDir::tempPath() + u"/dialscope-baresip-XXXXXX"_s);
    QVERIFY(m_tmp->isValid());
    m_kamailio = std::make_unique<KamailioRegistrar>(m_tmp->path());
    if (const KamailioRegistrar::Result prepared = m_kamailio->prepare(); !prepared) {
        if (prepared.error().skip)
            QSKIP(qPrintable(prepared.error().message));
        QFAIL(qPrintable(prepared.error().message));
    }
}

void TstCallBaresipBaseline::cleanup()
{
    if (QTest::currentTestFailed() && m_tmp) {
        m_tmp->setAutoRemove(false);
        qWarning().noquote() << details() << "\n(files kept in" << m_tmp->path() << ")";
    }
    // The phones first, so they do not retry against a registrar that is gone.
    m_alice.reset();
    m_bob.reset();
    if (m_kamailio)
        m_kamailio->stop();
}

QString TstCallBaresipBaseline::caseDir() const
{
    QString name = QString::fromLatin1(QTest::currentTestFunction());
    if (QTest::currentDataTag())
        name += u'-' + QString::fromLatin1(QTest::currentDataTag());
    const QString dir = m_tmp->path() + u'/' + name;
    QDir().mkpath(dir);
    return dir;
}

bool TstCallBaresipBaseline::startKamailio()
{
    const KamailioRegistrar::Result started = m_kamailio->start(u"MD5"_s, {kAlice, kBob, kCarol}, caseDir());
    m_error = started ? QString() : started.error().message;
    return started.has_value();
}

bool TstCallBaresipBaseline::startPeer(
    std::unique_ptr<BaresipPeer> &peer, const Account &account, quint16 registrarPort, const QString &codec, int toneHz, bool autoAnswer)
{
    peer = std::make_unique<BaresipPeer>(account.user, caseDir());
    BaresipOptions options;
    options.user = account.user;
    options.password = account.password;
    options.registrarPort = registrarPort;
    options.codec = codec;
    options.toneHz = toneHz;
    options.autoAnswer = autoAnswer;
    const BaresipPeer::Result started = peer->start(options);
    if (!started) {
        m_error = started.error().message;
        return false;
    }
    if (!peer->waitRegistered()) {
        m_error = peer->errorString();
        return false;
    }
    return true;
}

// What the listener received holds the other side's tone, at about the level it was sent.
void TstCallBaresipBaseline::checkHeard(BaresipPeer &listener, int hz, int sampleRate)
{
    const auto recording = listener.lastRecording(BaresipPeer::Stream::Received);
    // (Qt 6.4's QVERIFY2 evaluates its message even when the check passes.)
    QVERIFY2(recording, qPrintable(recording ? QString() : recording.error()));
    const auto heard = analyse(*recording, hz);
    QVERIFY2(heard, qPrintable(heard ? QString() : heard.error()));
    const QString what = u"%1 heard in %2: %3 Hz, %4 s, %5 dBFS, %6 of the energy at %7 Hz"_s.arg(listener.directUri(), *recording)
                             .arg(heard->sampleRate)
                             .arg(heard->seconds, 0, 'f', 2)
                             .arg(heard->rmsDbfs, 0, 'f', 1)
                             .arg(heard->toneShare, 0, 'f', 3)
                             .arg(hz);
    qInfo().noquote() << what;
    QVERIFY2(heard->sampleRate == sampleRate, qPrintable(what));
    QVERIFY2(heard->seconds >= 1.5, qPrintable(what));
    QVERIFY2(heard->rmsDbfs >= kMinDbfs && heard->rmsDbfs <= kMaxDbfs, qPrintable(what));
    QVERIFY2(heard->toneShare >= kMinToneShare, qPrintable(what));
}

// Both peers' commands, events and logs and Kamailio's log: printed by cleanup() on failure.
QString TstCallBaresipBaseline::details()
{
    QString text = m_error.isEmpty() ? QString() : u"\n"_s + m_error;
    if (m_alice)
        text += m_alice->describe(4000);
    if (m_bob)
        text += m_bob->describe(4000);
    if (m_kamailio)
        text += u"\n"_s + m_kamailio->logTail(3000);
    return text;
}

void TstCallBaresipBaseline::callThroughKamailio_data()
{
    QTest::addColumn<QString>("codec");
    QTest::addColumn<int>("sampleRate"); // of the decoded audio baresip records

    QTest::newRow("PCMU") << u"PCMU"_s << 8000;
    QTest::newRow("PCMA") << u"PCMA"_s << 8000;
    QTest::newRow("opus") << u"opus"_s << 48000;
}

void TstCallBaresipBaseline::callThroughKamailio()
{
    QFETCH(QString, codec);
    QFETCH(int, sampleRate);
    QVERIFY2(startKamailio(), qPrintable(m_error));
    const quint16 proxy = m_kamailio->udpPort();
    QVERIFY2(startPeer(m_alice, kAlice, proxy, codec, kAliceHz), qPrintable(m_error));
    QVERIFY2(startPeer(m_bob, kBob, proxy, codec, kBobHz), qPrintable(m_error));

    // Alice calls bob's address of record at the proxy; bob answers by himself.
    QVERIFY2(m_alice->dial(m_bob->aor()), qPrintable(m_alice->errorString()));
    QVERIFY2(m_alice->waitEvent(u"CALL_ESTABLISHED"_s), qPrintable(m_alice->errorString()));
    QVERIFY2(m_bob->waitEvent(u"CALL_ESTABLISHED"_s), qPrintable(m_bob->errorString()));

    // Two seconds of each tone, both ways, then alice hangs up.
    QVERIFY2(m_bob->waitForAudio(BaresipPeer::Stream::Received, 2.0), qPrintable(m_bob->errorString()));
    QVERIFY2(m_alice->waitForAudio(BaresipPeer::Stream::Received, 2.0), qPrintable(m_alice->errorString()));
    QVERIFY2(m_alice->hangup(), qPrintable(m_alice->errorString()));
    QVERIFY2(m_alice->waitEvent(u"CALL_CLOSED"_s), qPrintable(m_alice->errorString()));
    // The BYE came through the proxy.
    QVERIFY2(m_bob->waitEvent(u"CALL_CLOSED"_s), qPrintable(m_bob->errorString()));

    checkHeard(*m_bob, kAliceHz, sampleRate);
    if (QTest::currentTestFailed())
        return;
    checkHeard(*m_alice, kBobHz, sampleRate);
    if (QTest::currentTestFailed())
        return;

    // Both sides decoded the codec the test forced.
    const QString decoder = u"audio: Set audio decoder: %1 "_s.arg(codec);
    QVERIFY2(readTextFile(m_alice->logPath()).contains(decoder), qPrintable(decoder));
    QVERIFY2(readTextFile(m_bob->logPath()).contains(decoder), qPrintable(decoder));

    // RFC 3261 22.3: the proxy challenged the first INVITE with 407 and relayed the authorized
    // one to bob's registered contact, without the credentials and with its Record-Route.
    const QString kamailioLog = m_kamailio->log();
    QVERIFY2(kamailioLog.contains(u"challenged INVITE from sip:alice@127.0.0.1"_s), "Kamailio did not challenge the INVITE");
    static const QRegularExpression routed(u"INVITE from sip:alice@127\\.0\\.0\\.1\\S* routed to sip:bob"_s);
    QVERIFY2(kamailioLog.contains(routed), "Kamailio did not route the INVITE to bob's contact");
    const QString aliceLog = readTextFile(m_alice->logPath());
    QVERIFY2(aliceLog.contains(u"SIP/2.0 407 Proxy Authentication Required"_s), "alice got no 407");
    QVERIFY2(aliceLog.contains(u"Proxy-Authorization: Digest username=\"alice\""_s), "alice sent no Proxy-Authorization");
    // Bob's SIP trace (baresip -s) has the INVITE as he received it: its header section.
    const QString bobLog = readTextFile(m_bob->logPath());
    const qsizetype invite = bobLog.indexOf(u"\nINVITE sip:bob"_s);
    QVERIFY2(invite >= 0, "no INVITE in bob's SIP trace");
    const QString inviteHead = bobLog.mid(invite, bobLog.indexOf(u"\r\n\r\n"_s, invite) - invite);
    QVERIFY2(!inviteHead.contains(u"Proxy-Authorization"_s), qPrintable(u"the proxy passed alice's credentials on to bob:"_s + inviteHead));
    QVERIFY2(inviteHead.contains(u"Record-Route: <sip:127.0.0.1:%1;lr"_s.arg(proxy)), qPrintable(u"no Record-Route of the proxy:"_s + inviteHead));
}

// A subscriber that is not registered: the proxy still authenticates alice (407 first), then
// finds no contact and answers 404.
void TstCallBaresipBaseline::unregisteredCalleeIsNotFound()
{
    QVERIFY2(startKamailio(), qPrintable(m_error));
    QVERIFY2(startPeer(m_alice, kAlice, m_kamailio->udpPort(), u"PCMU"_s, kAliceHz), qPrintable(m_error));

    QVERIFY2(m_alice->dial(u"sip:%1@127.0.0.1:%2"_s.arg(kCarol.user).arg(m_kamailio->udpPort())), qPrintable(m_alice->errorString()));
    const auto closed = m_alice->waitEvent(u"CALL_CLOSED"_s);
    QVERIFY2(closed, qPrintable(m_alice->errorString()));
    QVERIFY2(closed->value(u"param").toString().contains(u"404"_s), qPrintable(closed->value(u"param").toString()));
    QVERIFY2(!m_alice->waitEvent(u"CALL_ESTABLISHED"_s, 0), "the call to an unregistered user was answered");

    const QString kamailioLog = m_kamailio->log();
    QVERIFY2(kamailioLog.contains(u"challenged INVITE from sip:alice@127.0.0.1"_s), "Kamailio did not challenge the INVITE");
    QVERIFY2(kamailioLog.contains(u"user not registered"_s), "Kamailio did not look carol up");
}

// Alice gives up while bob's phone rings: the proxy relays her CANCEL (RFC 3261 16.10).
void TstCallBaresipBaseline::cancelReachesTheCallee()
{
    QVERIFY2(startKamailio(), qPrintable(m_error));
    const quint16 proxy = m_kamailio->udpPort();
    QVERIFY2(startPeer(m_alice, kAlice, proxy, u"PCMU"_s, kAliceHz), qPrintable(m_error));
    QVERIFY2(startPeer(m_bob, kBob, proxy, u"PCMU"_s, kBobHz, false), qPrintable(m_error));

    QVERIFY2(m_alice->dial(m_bob->aor()), qPrintable(m_alice->errorString()));
    QVERIFY2(m_bob->waitEvent(u"CALL_INCOMING"_s), qPrintable(m_bob->errorString()));
    QVERIFY2(m_alice->waitEvent(u"CALL_RINGING"_s), qPrintable(m_alice->errorString()));
    QVERIFY2(m_alice->hangup(), qPrintable(m_alice->errorString()));
    QVERIFY2(m_bob->waitEvent(u"CALL_CLOSED"_s), qPrintable(m_bob->errorString()));
    QVERIFY2(m_alice->waitEvent(u"CALL_CLOSED"_s), qPrintable(m_alice->errorString()));
    QVERIFY2(!m_bob->waitEvent(u"CALL_ESTABLISHED"_s, 0), "bob's call was established");
    QVERIFY2(readTextFile(m_bob->logPath()).contains(u"\nCANCEL sip:bob"_s), "bob's SIP trace has no CANCEL");
}

// Bob answers by hand and hangs up first: his BYE follows the Record-Route back to alice.
void TstCallBaresipBaseline::calleeAnswersAndHangsUp()
{
    QVERIFY2(startKamailio(), qPrintable(m_error));
    const quint16 proxy = m_kamailio->udpPort();
    QVERIFY2(startPeer(m_alice, kAlice, proxy, u"PCMA"_s, kAliceHz), qPrintable(m_error));
    QVERIFY2(startPeer(m_bob, kBob, proxy, u"PCMA"_s, kBobHz, false), qPrintable(m_error));

    QVERIFY2(m_alice->dial(m_bob->aor()), qPrintable(m_alice->errorString()));
    QVERIFY2(m_bob->waitEvent(u"CALL_INCOMING"_s), qPrintable(m_bob->errorString()));
    QVERIFY2(m_bob->answer(), qPrintable(m_bob->errorString()));
    QVERIFY2(m_alice->waitEvent(u"CALL_ESTABLISHED"_s), qPrintable(m_alice->errorString()));
    QVERIFY2(m_bob->waitEvent(u"CALL_ESTABLISHED"_s), qPrintable(m_bob->errorString()));
    QVERIFY2(m_bob->hangup(), qPrintable(m_bob->errorString()));
    QVERIFY2(m_alice->waitEvent(u"CALL_CLOSED"_s), qPrintable(m_alice->errorString()));
    QVERIFY2(m_bob->waitEvent(u"CALL_CLOSED"_s), qPrintable(m_bob->errorString()));

    // The BYE reached alice through the proxy, which had record-routed the dialog.
    const QString aliceLog = readTextFile(m_alice->logPath());
    const qsizetype bye = aliceLog.indexOf(u"\nBYE sip:alice"_s);
    QVERIFY2(bye >= 0, "no BYE in alice's SIP trace");
    const QString byeHead = aliceLog.mid(bye, aliceLog.indexOf(u"\r\n\r\n"_s, bye) - bye);
    QVERIFY2(byeHead.contains(u"Via: SIP/2.0/UDP 127.0.0.1:%1;"_s.arg(proxy)), qPrintable(u"the BYE did not come through the proxy:"_s + byeHead));
}

// Without a registrar, as the far end of a direct call (what dialscope's `call TARGET` without
// --server does): the peer answers at directUri().
void TstCallBaresipBaseline::directCallWithoutRegistrar()
{
    QVERIFY2(startPeer(m_alice, kAlice, 0, u"PCMA"_s, kAliceHz), qPrintable(m_error));
    QVERIFY2(startPeer(m_bob, kBob, 0, u"PCMA"_s, kBobHz), qPrintable(m_error));

    QVERIFY2(m_alice->dial(m_bob->directUri()), qPrintable(m_alice->errorString()));
    QVERIFY2(m_alice->waitEvent(u"CALL_ESTABLISHED"_s), qPrintable(m_alice->errorString()));
    QVERIFY2(m_bob->waitForAudio(BaresipPeer::Stream::Received, 1.5), qPrintable(m_bob->errorString()));
    QVERIFY2(m_alice->hangup(), qPrintable(m_alice->errorString()));
    QVERIFY2(m_bob->waitEvent(u"CALL_CLOSED"_s), qPrintable(m_bob->errorString()));
    checkHeard(*m_bob, kAliceHz, 8000);
}

QTEST_GUILESS_MAIN(TstCallBaresipBaseline)
#include "tst_call_baresip_baseline.moc"
