// What the call widgets show and keep without a live call: the call panel's words (state, how a call
// ended, where the audio stops, the offer/answer next to what arrives, with mismatches flagged), the
// dial pad (keys, accounts, Enter, the history kept in QSettings), the audio settings (no sound card,
// devices by name, codec order) and the main window saying once whether there is a sound card.
// Calls themselves are driven through the window in tst_call_window.

#include "phone/phone.h"
#include "sdp/offer_answer.h"
#include "ui/account_store.h"
#include "ui/audio_check.h"
#include "ui/audio_settings_dialog.h"
#include "ui/call_summary.h"
#include "ui/dial_pad.h"
#include "ui/finding_list_model.h"
#include "ui/main_window.h"

#include <QAbstractItemView>
#include <QAction>
#include <QComboBox>
#include <QCompleter>
#include <QDialogButtonBox>
#include <QLabel>
#include <QLineEdit>
#include <QListWidget>
#include <QPushButton>
#include <QRadioButton>
#include <QScopeGuard>
#include <QSignalSpy>
#include <QSpinBox>
#include <QStandardItemModel>
#include <QTemporaryDir>
#include <QTest>
#include <QThread>
#include <QToolButton>

using namespace ds;
using phone::Call;
using ui::CallSummary;

namespace {

QByteArray sdpText(const char *lines) { return QByteArray(lines).replace("\n", "\r\n"); }

const QByteArray kOffer = sdpText("v=0\no=- 1 1 IN IP4 127.0.0.1\ns=-\nc=IN IP4 127.0.0.1\nt=0 0\nm=audio 4000 RTP/AVP 0 8 101\n"
                                  "a=rtpmap:0 PCMU/8000\na=rtpmap:8 PCMA/8000\na=rtpmap:101 telephone-event/8000\na=ptime:20\na=sendrecv\n");
const QByteArray kAnswer = sdpText("v=0\no=- 7 7 IN IP4 192.0.2.7\ns=-\nc=IN IP4 192.0.2.7\nt=0 0\nm=audio 5000 RTP/AVP 8 101\n"
                                   "a=rtpmap:8 PCMA/8000\na=rtpmap:101 telephone-event/8000\na=ptime:20\na=sendrecv\n");

std::optional<sdp::Negotiated> negotiate()
{
    auto n = sdp::processAnswer(*sdp::SessionDescription::parse(kOffer), *sdp::SessionDescription::parse(kAnswer));
    return n ? std::optional<sdp::Negotiated>(*n) : std::nullopt;
}

media::StreamStats flowing()
{
    media::StreamStats s;
    s.framesCaptured = s.framesEncoded = s.rtpSent = 250;
    s.rtpReceived = s.decoded = s.played = 248;
    s.lastSource = QStringLiteral("192.0.2.7:5000");
    s.receivedPayloadType = 8;
    s.receivedPtimeMs = 20;
    s.sendLevelDbfs = -20;
    return s;
}

media::AudioDevice device(int index, const QString &name, int in, int out)
{
    media::AudioDevice d;
    d.index = index;
    d.name = name;
    d.hostApi = QStringLiteral("ALSA");
    d.maxInputChannels = in;
    d.maxOutputChannels = out;
    d.defaultSampleRate = 48000;
    d.isDefaultInput = in > 0 && index == 0;
    d.isDefaultOutput = out > 0 && index == 0;
    return d;
}

QPushButton *okButton(QWidget &dialog) { return dialog.findChild<QDialogButtonBox *>()->button(QDialogButtonBox::Ok); }

template <typename T> T *child(QWidget *w, const char *name)
{
    T *c = w->findChild<T *>(QLatin1String(name));
    if (!c)
        qWarning("no child %s", name);
    return c;
}

} // namespace

class TestCallPanel : public QObject {
    Q_OBJECT
private slots:
    void initTestCase();

    void stateAndEndTexts_data();
    void stateAndEndTexts();
    void durations();
    void whereAudioStops_data();
    void whereAudioStops();
    void negotiationSideBySide();
    void negotiationFlagsWhatContradictsIt();

    void dialPadKeysAccountsAndEnter();
    void dialPadKeepsTheHistory();

    void audioSettingsWithoutSoundCard();
    void audioSettingsWithDevices();
    void audioSettingsCodecOrder();
    void audioChecksOnANullSoundCard();
    void windowSaysOnceWhetherThereIsASoundCard();

private:
    QTemporaryDir m_tmp;
};

void TestCallPanel::initTestCase()
{
    QVERIFY(m_tmp.isValid());
    qputenv("JACK_NO_START_SERVER", "1"); // PortAudio's JACK backend probes; never start a server
}

void TestCallPanel::stateAndEndTexts_data()
{
    QTest::addColumn<int>("cause");
    QTest::addColumn<int>("status");
    QTest::addColumn<QByteArray>("reason");
    QTest::addColumn<QString>("text");
    using C = sip::SessionEnd::Cause;
    QTest::newRow("busy") << int(C::Rejected) << 486 << QByteArray("Busy Here") << QStringLiteral("busy (486 Busy Here)");
    QTest::newRow("declined") << int(C::Rejected) << 603 << QByteArray("Decline") << QStringLiteral("declined (603 Decline)");
    QTest::newRow("not found") << int(C::Rejected) << 404 << QByteArray("Not Found") << QStringLiteral("no such user (404 Not Found)");
    QTest::newRow("we hung up") << int(C::LocalBye) << 0 << QByteArray() << QStringLiteral("you hung up");
    QTest::newRow("they hung up") << int(C::RemoteBye) << 0 << QByteArray() << QStringLiteral("the far end hung up");
    QTest::newRow("caller gave up") << int(C::RemoteCancel) << 0 << QByteArray() << QStringLiteral("the caller gave up before the answer");
    QTest::newRow("we refused") << int(C::Declined) << 486 << QByteArray("Busy Here") << QStringLiteral("you refused the call (486 Busy Here)");
    QTest::newRow("timeout") << int(C::Timeout) << 408 << QByteArray("Request Timeout") << QStringLiteral("no response in time (408 Request Timeout)");
}

void TestCallPanel::stateAndEndTexts()
{
    QFETCH(int, cause);
    QFETCH(int, status);
    QFETCH(QByteArray, reason);
    QFETCH(QString, text);
    QCOMPARE(CallSummary::endText(sip::SessionEnd {sip::SessionEnd::Cause(cause), status, reason}), text);
    QCOMPARE(CallSummary::stateText(Call::State::Held), QStringLiteral("On hold"));
    QCOMPARE(CallSummary::stateText(Call::State::RemoteHeld), QStringLiteral("Held by far end"));
    QCOMPARE(CallSummary::stateText(Call::State::EarlyMedia), QStringLiteral("Early media"));
}

void TestCallPanel::durations()
{
    QCOMPARE(CallSummary::durationText(0), QStringLiteral("00:00"));
    QCOMPARE(CallSummary::durationText(61999), QStringLiteral("01:01"));
    QCOMPARE(CallSummary::durationText(3723000), QStringLiteral("1:02:03"));
    QCOMPARE(CallSummary::msText(std::nullopt), QStringLiteral("—"));
    QCOMPARE(CallSummary::msText(12.34), QStringLiteral("12.3 ms"));
}

void TestCallPanel::whereAudioStops_data()
{
    QTest::addColumn<media::StreamStats>("stats");
    QTest::addColumn<qint64>("connectedMs");
    QTest::addColumn<bool>("soundCard");
    QTest::addColumn<QString>("path");

    QTest::newRow("flowing") << flowing() << qint64(5000) << true << QStringLiteral("audio flows: 250 packets sent, 248 received");
    media::StreamStats s;
    s.rtpSent = 250;
    QTest::newRow("nothing arrives") << s << qint64(5000) << false << QStringLiteral("no RTP arriving from 192.0.2.7:5000");
    QTest::newRow("early: patience") << s << qint64(500) << false << QStringLiteral("waiting for the far end's RTP: 250 packets sent");
    s = flowing();
    s.rtpFromUnexpected = 248;
    s.lastSource = QStringLiteral("198.51.100.9:7078");
    QTest::newRow("from elsewhere") << s << qint64(5000) << false << QStringLiteral("RTP from unexpected address 198.51.100.9:7078");
    s = flowing();
    s.sendLevelDbfs = media::StreamStats::silentDbfs;
    QTest::newRow("silent microphone") << s << qint64(5000) << true << QStringLiteral("microphone silent");
    QTest::newRow("silent file: not a microphone") << s << qint64(5000) << false << QStringLiteral("audio flows: 250 packets sent, 248 received");
    s = flowing();
    s.decodeErrors = 3;
    s.portUnreachable = 2;
    QTest::newRow("two problems") << s << qint64(5000) << false
                                  << QStringLiteral("nobody listens at 192.0.2.7:5000 (ICMP port unreachable) · decode errors: 3");
    s = flowing();
    s.unknownPayloadType = 40;
    s.lastUnknownPayloadType = 18;
    QTest::newRow("unknown payload type") << s << qint64(5000) << false << QStringLiteral("40 packets with unexpected payload type 18");
    s = flowing();
    s.muted = true;
    QTest::newRow("muted") << s << qint64(5000) << true << QStringLiteral("muted: silence goes out");
}

void TestCallPanel::whereAudioStops()
{
    QFETCH(media::StreamStats, stats);
    QFETCH(qint64, connectedMs);
    QFETCH(bool, soundCard);
    QFETCH(QString, path);
    QCOMPARE(CallSummary::audioPath(stats, negotiate(), connectedMs, soundCard), path);
    QCOMPARE(CallSummary::audioPath(stats, std::nullopt, connectedMs, soundCard), QStringLiteral("no media negotiated yet"));
}

void TestCallPanel::negotiationSideBySide()
{
    const auto n = negotiate();
    QVERIFY(n);
    const QList<ui::NegotiationRow> rows = CallSummary::negotiationRows(kOffer, kAnswer, n, flowing(), true);
    QCOMPARE(rows.size(), 6);
    QCOMPARE(rows[0].item, QStringLiteral("Codec"));
    QCOMPARE(rows[0].offered, QStringLiteral("PCMU/8000 (0), PCMA/8000 (8)"));
    QCOMPARE(rows[0].answered, QStringLiteral("PCMA/8000 (8)"));
    QCOMPARE(rows[0].received, QStringLiteral("PCMA/8000"));
    QCOMPARE(rows[1].offered, QStringLiteral("0 8 101"));
    QCOMPARE(rows[1].answered, QStringLiteral("8 101"));
    QCOMPARE(rows[1].received, QStringLiteral("8"));
    QCOMPARE(rows[2].received, QStringLiteral("20 ms"));
    QCOMPARE(rows[3].offered, QStringLiteral("telephone-event/8000 (101)"));
    QCOMPARE(rows[4].answered, QStringLiteral("sendrecv"));
    QCOMPARE(rows[5].offered, QStringLiteral("127.0.0.1:4000"));
    QCOMPARE(rows[5].answered, QStringLiteral("192.0.2.7:5000"));
    QCOMPARE(rows[5].received, QStringLiteral("192.0.2.7:5000"));
    for (const ui::NegotiationRow &r : rows)
        QVERIFY2(r.problem.isEmpty(), qPrintable(r.item + QStringLiteral(": ") + r.problem));
    QCOMPARE(CallSummary::offeredTitle(true), QStringLiteral("Our offer"));
    QCOMPARE(CallSummary::answeredTitle(false), QStringLiteral("Our answer"));

    // Before anything arrives, the wire column is empty and nothing is flagged.
    for (const ui::NegotiationRow &r : CallSummary::negotiationRows(kOffer, kAnswer, n, media::StreamStats {}, true)) {
        QVERIFY2(r.received.isEmpty(), qPrintable(r.item));
        QVERIFY(r.problem.isEmpty());
    }
}

void TestCallPanel::negotiationFlagsWhatContradictsIt()
{
    media::StreamStats s = flowing();
    s.receivedPayloadType = 0; // PCMU arrives though PCMA was agreed
    s.receivedPtimeMs = 30;
    s.rtpFromUnexpected = 10;
    s.lastSource = QStringLiteral("198.51.100.9:7078");
    const QList<ui::NegotiationRow> rows = CallSummary::negotiationRows(kOffer, kAnswer, negotiate(), s, true);
    QCOMPARE(rows[0].received, QStringLiteral("PCMU/8000"));
    QCOMPARE(rows[1].problem, QStringLiteral("payload type 0 arrives, 8 (PCMA/8000) was negotiated"));
    QCOMPARE(rows[2].problem, QStringLiteral("30 ms packets arrive, 20 ms were asked for"));
    QCOMPARE(rows[5].problem, QStringLiteral("RTP comes from 198.51.100.9:7078, the SDP said 192.0.2.7:5000"));
    QVERIFY(rows[3].problem.isEmpty());
}

void TestCallPanel::dialPadKeysAccountsAndEnter()
{
    ui::DialPad pad(m_tmp.filePath(QStringLiteral("keys.ini")));
    pad.show();
    QVERIFY(QTest::qWaitForWindowExposed(&pad));
    auto *target = child<QLineEdit>(&pad, "dialTarget");
    auto *call = child<QPushButton>(&pad, "callButton");
    auto *accounts = child<QComboBox>(&pad, "dialAccount");
    QSignalSpy dialled(&pad, &ui::DialPad::dialRequested);

    // No registered account: the keys type, nothing dials.
    pad.setAccounts({{QStringLiteral("a1"), QStringLiteral("Alice"), false}});
    for (const char *key : {"digit_1", "digit_star", "digit_0", "digit_hash", "digit_9"})
        QTest::mouseClick(child<QToolButton>(&pad, key), Qt::LeftButton);
    QCOMPARE(target->text(), QStringLiteral("1*0#9"));
    QVERIFY(pad.currentAccountId().isEmpty());
    QVERIFY(!call->isEnabled());
    QTest::keyClick(target, Qt::Key_Return);
    QCOMPARE(dialled.size(), 0);

    // The registered account is chosen; the other stays listed but cannot be picked.
    pad.setAccounts({{QStringLiteral("a1"), QStringLiteral("Alice"), false}, {QStringLiteral("b2"), QStringLiteral("Bob"), true}});
    QCOMPARE(pad.currentAccountId(), QStringLiteral("b2"));
    QCOMPARE(accounts->count(), 2);
    QVERIFY(!qobject_cast<QStandardItemModel *>(accounts->model())->item(0)->isEnabled());
    QVERIFY(accounts->itemText(0).contains(u"not registered"));
    QVERIFY(call->isEnabled());
    QTest::keyClick(target, Qt::Key_Return);
    QCOMPARE(dialled.size(), 1);
    QCOMPARE(dialled[0][0].toString(), QStringLiteral("b2"));
    QCOMPARE(dialled[0][1].toString(), QStringLiteral("1*0#9"));

    // Alice registers too: the choice stays on Bob. Bob goes: Alice is chosen.
    pad.setAccounts({{QStringLiteral("a1"), QStringLiteral("Alice"), true}, {QStringLiteral("b2"), QStringLiteral("Bob"), true}});
    QCOMPARE(pad.currentAccountId(), QStringLiteral("b2"));
    pad.setAccounts({{QStringLiteral("a1"), QStringLiteral("Alice"), true}, {QStringLiteral("b2"), QStringLiteral("Bob"), false}});
    QCOMPARE(pad.currentAccountId(), QStringLiteral("a1"));
    QTest::mouseClick(call, Qt::LeftButton);
    QCOMPARE(dialled.size(), 2);
    QCOMPARE(dialled[1][0].toString(), QStringLiteral("a1"));
}

void TestCallPanel::dialPadKeepsTheHistory()
{
    const QString ini = m_tmp.filePath(QStringLiteral("history.ini"));
    {
        ui::DialPad pad(ini);
        pad.setAccounts({{QStringLiteral("a1"), QStringLiteral("Alice"), true}});
        for (const QString &t : {QStringLiteral("1000"), QStringLiteral("bob@example.com"), QStringLiteral("1000")}) {
            pad.setTarget(t);
            pad.call();
        }
        QCOMPARE(pad.history(), (QStringList {QStringLiteral("1000"), QStringLiteral("bob@example.com")}));
    }
    // A new dial pad (the next start) completes from what was dialled.
    ui::DialPad pad(ini);
    QCOMPARE(pad.history(), (QStringList {QStringLiteral("1000"), QStringLiteral("bob@example.com")}));
    pad.show();
    QVERIFY(QTest::qWaitForWindowExposed(&pad));
    auto *target = child<QLineEdit>(&pad, "dialTarget");
    QTest::keyClicks(target, QStringLiteral("example"));
    QCompleter *completer = target->completer();
    QVERIFY(completer);
    QTRY_COMPARE(completer->completionCount(), 1);
    QCOMPARE(completer->currentCompletion(), QStringLiteral("bob@example.com"));

    for (int i = 0; i < ui::DialPad::kMaxHistory + 5; ++i) {
        pad.setTarget(QString::number(2000 + i));
        pad.setAccounts({{QStringLiteral("a1"), QStringLiteral("Alice"), true}});
        pad.call();
    }
    QCOMPARE(pad.history().size(), ui::DialPad::kMaxHistory);
    QCOMPARE(pad.history().first(), QString::number(2000 + ui::DialPad::kMaxHistory + 4));
}

void TestCallPanel::audioSettingsWithoutSoundCard()
{
    const ui::AudioDeviceList none = QList<media::AudioDevice> {};
    phone::CallSettings current;
    current.audio.soundCard = true; // chosen on a machine that had one
    current.autoAnswerMs = 1500;
    ui::AudioSettingsDialog dialog(current, none);
    const QString sentence = media::describeAudioAvailability(none);
    QVERIFY(sentence.startsWith(u"no sound card"));
    QCOMPARE(dialog.availability(), sentence);
    QCOMPARE(child<QLabel>(&dialog, "audioAvailability")->text(), sentence);
    for (const char *name : {"sourceMicrophone", "sinkSpeaker"})
        QVERIFY2(!child<QRadioButton>(&dialog, name)->isEnabled(), name);
    for (const char *name : {"micTest", "speakerTest"}) {
        QVERIFY2(!child<QPushButton>(&dialog, name)->isEnabled(), name);
        QCOMPARE(child<QPushButton>(&dialog, name)->toolTip(), sentence);
    }
    // Without a card the dialog falls back to what works here.
    QVERIFY(child<QRadioButton>(&dialog, "sourceSilence")->isChecked());
    QVERIFY(child<QRadioButton>(&dialog, "sinkNone")->isChecked());

    child<QRadioButton>(&dialog, "sourceTone")->setChecked(true);
    child<QSpinBox>(&dialog, "toneHz")->setValue(440);
    child<QRadioButton>(&dialog, "sinkFile")->setChecked(true);
    QPushButton *ok = okButton(dialog);
    QVERIFY(!ok->isEnabled()); // where to record?
    QVERIFY(child<QLabel>(&dialog, "audioProblem")->text().contains(u"record"));
    const QString wav = m_tmp.filePath(QStringLiteral("heard.wav"));
    QTest::keyClicks(child<QLineEdit>(&dialog, "recordFile"), wav);
    QVERIFY(ok->isEnabled());
    const phone::CallSettings chosen = dialog.callSettings();
    QCOMPARE(chosen.audio.toneHz, 440.0);
    QCOMPARE(chosen.audio.recordFile, wav);
    QVERIFY(chosen.audio.playFile.isEmpty());
    QVERIFY(!chosen.audio.soundCard);
    QCOMPARE(chosen.autoAnswerMs, 1500); // not shown, kept

    const QString ini = m_tmp.filePath(QStringLiteral("nocard.ini"));
    QCOMPARE(ui::AudioSettingsDialog::load(ini, current, none).audio.soundCard, true); // nothing saved yet
    ui::AudioSettingsDialog::save(ini, chosen, none);
    const phone::CallSettings loaded = ui::AudioSettingsDialog::load(ini, phone::CallSettings {}, none);
    QCOMPARE(loaded.audio.toneHz, 440.0);
    QCOMPARE(loaded.audio.recordFile, wav);
    QVERIFY(!loaded.audio.soundCard);
}

void TestCallPanel::audioSettingsWithDevices()
{
    const ui::AudioDeviceList devices = QList<media::AudioDevice> {
        device(0, QStringLiteral("default"), 2, 2), device(3, QStringLiteral("USB Headset"), 1, 0), device(4, QStringLiteral("HDMI"), 0, 8)};
    ui::AudioSettingsDialog dialog(phone::CallSettings {}, devices);
    QVERIFY2(dialog.availability().startsWith(u"sound card ready"), qPrintable(dialog.availability()));
    auto *input = child<QComboBox>(&dialog, "inputDevice");
    auto *output = child<QComboBox>(&dialog, "outputDevice");
    QCOMPARE(input->count(), 3);
    QCOMPARE(input->itemText(0), QStringLiteral("System default"));
    QCOMPARE(input->itemText(2), QStringLiteral("USB Headset (ALSA)"));
    QCOMPARE(output->count(), 3);
    QCOMPARE(output->itemText(2), QStringLiteral("HDMI (ALSA)"));
    QVERIFY(child<QPushButton>(&dialog, "speakerTest")->isEnabled());
    QVERIFY(child<QPushButton>(&dialog, "micTest")->isEnabled());

    child<QRadioButton>(&dialog, "sourceMicrophone")->setChecked(true);
    child<QRadioButton>(&dialog, "sinkSpeaker")->setChecked(true);
    input->setCurrentIndex(2);
    output->setCurrentIndex(2);
    const phone::CallSettings chosen = dialog.callSettings();
    QVERIFY(chosen.audio.soundCard);
    QCOMPARE(chosen.audio.inputDevice, 3);
    QCOMPARE(chosen.audio.outputDevice, 4);
    QCOMPARE(chosen.audio.toneHz, 0.0);

    // Kept by name: after a replug the headset has another index, and is found again.
    const QString ini = m_tmp.filePath(QStringLiteral("devices.ini"));
    ui::AudioSettingsDialog::save(ini, chosen, devices);
    const ui::AudioDeviceList later = QList<media::AudioDevice> {device(0, QStringLiteral("default"), 2, 2), device(7, QStringLiteral("USB Headset"), 1, 0)};
    const phone::CallSettings loaded = ui::AudioSettingsDialog::load(ini, phone::CallSettings {}, later);
    QVERIFY(loaded.audio.soundCard);
    QCOMPARE(loaded.audio.inputDevice, 7);
    QCOMPARE(loaded.audio.outputDevice, -1); // HDMI is gone: the default

    // Silence while listening on the speaker cannot be expressed: the dialog says what to do instead.
    child<QRadioButton>(&dialog, "sourceSilence")->setChecked(true);
    QVERIFY(!okButton(dialog)->isEnabled());
    QVERIFY(child<QLabel>(&dialog, "audioProblem")->text().contains(u"mute"));
}

void TestCallPanel::audioSettingsCodecOrder()
{
    phone::CallSettings current;
    current.codecs = {"PCMA", "PCMU"};
    ui::AudioSettingsDialog dialog(current, std::unexpected(QStringLiteral("PortAudio could not start")));
    QVERIFY(dialog.availability().contains(u"PortAudio could not start"));
    auto *codecs = child<QListWidget>(&dialog, "codecs");
    QCOMPARE(codecs->count(), 3);
    QCOMPARE(codecs->item(0)->text(), QStringLiteral("PCMA"));
    QCOMPARE(codecs->item(2)->text(), QStringLiteral("opus"));
    QCOMPARE(codecs->item(2)->checkState(), Qt::Unchecked);

    codecs->item(2)->setCheckState(Qt::Checked);
    codecs->setCurrentRow(2);
    QTest::mouseClick(child<QToolButton>(&dialog, "codecUp"), Qt::LeftButton);
    QTest::mouseClick(child<QToolButton>(&dialog, "codecUp"), Qt::LeftButton);
    QTest::mouseClick(child<QToolButton>(&dialog, "codecUp"), Qt::LeftButton); // already first
    codecs->item(1)->setCheckState(Qt::Unchecked); // PCMA
    QCOMPARE(dialog.callSettings().codecs, (QList<QByteArray> {"opus", "PCMU"}));
    codecs->setCurrentRow(0);
    QTest::mouseClick(child<QToolButton>(&dialog, "codecDown"), Qt::LeftButton);
    QCOMPARE(dialog.callSettings().codecs, (QList<QByteArray> {"opus", "PCMU"})); // past PCMA, unticked: same preference
    QCOMPARE(codecs->item(1)->text(), QStringLiteral("opus"));

    for (int i = 0; i < codecs->count(); ++i)
        codecs->item(i)->setCheckState(Qt::Unchecked);
    QVERIFY(!okButton(dialog)->isEnabled());
    QVERIFY(child<QLabel>(&dialog, "audioProblem")->text().contains(u"codec"));
}

// The microphone meter and the speaker test through the real PortAudio path, on an ALSA "null" PCM
// defined in a private ALSA config (as tst_portaudio_port does; read when PortAudio initialises, so
// switched only while no PortAudio handle lives). The null PCM is unpaced and its capture holds
// whatever its buffer holds: the speaker test must finish, the meter must run without failing.
void TestCallPanel::audioChecksOnANullSoundCard()
{
    QCOMPARE(media::PortAudioLibrary::useCount(), 0);
    const QString config = m_tmp.filePath(QStringLiteral("null.conf"));
    {
        QFile f(config);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write("pcm.dsnull {\n    type null\n}\npcm.!default {\n    type plug\n    slave.pcm \"dsnull\"\n}\n");
    }
    const QByteArray old = qgetenv("ALSA_CONFIG_PATH");
    qputenv("ALSA_CONFIG_PATH", config.toLocal8Bit());
    const auto restore = qScopeGuard([&old] {
        if (old.isEmpty())
            qunsetenv("ALSA_CONFIG_PATH");
        else
            qputenv("ALSA_CONFIG_PATH", old);
    });
    const ui::AudioDeviceList devices = media::listAudioDevices();
    if (!devices || devices->isEmpty())
        QSKIP(qPrintable(QStringLiteral("PortAudio lists no ALSA null device here: %1").arg(media::describeAudioAvailability(devices))));

    ui::AudioSettingsDialog dialog(phone::CallSettings {}, devices);
    dialog.show();
    QVERIFY(QTest::qWaitForWindowExposed(&dialog));
    auto *speaker = child<QPushButton>(&dialog, "speakerTest");
    auto *status = child<QLabel>(&dialog, "checkStatus");
    QVERIFY(speaker->isEnabled());
    QTest::mouseClick(speaker, Qt::LeftButton);
    QVERIFY(!speaker->isEnabled()); // while it plays
    QTRY_COMPARE_WITH_TIMEOUT(status->text(), QStringLiteral("The tone has played: did you hear it?"), 10000);
    QVERIFY(speaker->isEnabled());

    auto *mic = child<QPushButton>(&dialog, "micTest");
    QTest::mouseClick(mic, Qt::LeftButton);
    QVERIFY(mic->isChecked());
    QTest::qWait(300);
    QVERIFY2(!status->text().contains(u"failed"), qPrintable(status->text()));
    QVERIFY(mic->isChecked());
    QTest::mouseClick(mic, Qt::LeftButton); // stops the capture and its thread
    QVERIFY(!mic->isChecked());
    QTRY_COMPARE(media::PortAudioLibrary::useCount(), 0);

    // The incoming-call ringtone: rings until its thread is stopped, without failing.
    QThread thread;
    auto *ring = new ui::AudioCheck(ui::AudioCheck::Mode::Ringtone, -1);
    ring->moveToThread(&thread);
    connect(&thread, &QThread::started, ring, &ui::AudioCheck::start);
    connect(&thread, &QThread::finished, ring, &QObject::deleteLater);
    QSignalSpy finished(ring, &ui::AudioCheck::finished);
    thread.start();
    QTRY_COMPARE(media::PortAudioLibrary::useCount(), 1);
    QTest::qWait(300);
    QCOMPARE(finished.count(), 0); // a ringtone has no end of its own, and the stream did not fail
    thread.quit();
    QVERIFY(thread.wait(5000));
    QTRY_COMPARE(media::PortAudioLibrary::useCount(), 0);
}

// This machine, as it is: the findings pane says once whether there is a sound card, and the audio
// settings say the same.
void TestCallPanel::windowSaysOnceWhetherThereIsASoundCard()
{
    ui::AccountStore::Options o;
    o.settingsPath = m_tmp.filePath(QStringLiteral("window.ini"));
    o.keychain = ui::AccountStore::KeychainMode::Disabled;
    ui::AccountStore store(o);
    phone::Phone phone;
    ui::MainWindow window(phone, store);
    window.show();
    QVERIFY(QTest::qWaitForWindowExposed(&window));
    const QString sentence = media::audioAvailability();
    const ui::FindingListModel *findings = window.findings();
    int said = 0;
    for (int r = 0; r < findings->rowCount(); ++r)
        said += findings->index(r, ui::FindingListModel::TextColumn).data().toString() == sentence;
    QCOMPARE(said, 1);

    QAction *settings = window.findChild<QAction *>(QStringLiteral("audioSettings"));
    QVERIFY(settings);
    settings->trigger();
    ui::AudioSettingsDialog *dialog = nullptr;
    QTRY_VERIFY((dialog = window.findChild<ui::AudioSettingsDialog *>()) && dialog->isVisible());
    QCOMPARE(dialog->availability(), sentence);
    dialog->reject();
    QTRY_VERIFY(!window.findChild<ui::AudioSettingsDialog *>());
}

QTEST_MAIN(TestCallPanel)
#include "tst_call_panel.moc"
