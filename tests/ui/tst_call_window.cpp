// Calls through the main window against a real Kamailio on loopback, which registers both users and
// proxies their INVITEs (with its 407 challenge): the window's account dials with the dial pad, a
// second Phone in the same process answers; and the other way round, the incoming call window rings
// and answers, refuses with 603, or goes away when the caller gives up. No sound card is needed:
// each side sends a tone and records what it receives to a WAV file.

#include "support/kamailio_registrar.h"
#include "support/wav_analysis.h"
#include "test_window.h"

#include "phone/call.h"
#include "phone/phone.h"
#include "ui/account_list_model.h"
#include "ui/account_store.h"
#include "ui/audio_settings_dialog.h"
#include "ui/call_panel.h"
#include "ui/dial_pad.h"
#include "ui/dtmf_panel.h"
#include "ui/finding_list_model.h"
#include "ui/incoming_call_dialog.h"
#include "ui/main_window.h"
#include "ui/message_log_model.h"
#include "ui/spectrogram_view.h"

#include <QAction>
#include <QComboBox>
#include <QDir>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QSignalSpy>
#include <QTableView>
#include <QTemporaryDir>
#include <QTest>
#include <QToolButton>
#include <QTreeWidget>

#include <memory>

using namespace ds;
using namespace ds::test;
using phone::Call;
using ui::CallPanel;

namespace {

const QString kAlice = QStringLiteral("alice");
const QString kBob = QStringLiteral("bob");
const QString kPassword = QStringLiteral("Call-Pa55word-4k");
constexpr double kAliceHz = 1000; // what the window's account sends
constexpr double kBobHz = 440; // what the second phone sends
constexpr int kCallTimeout = 20000;

} // namespace

class TestCallWindow : public QObject {
    Q_OBJECT
private slots:
    void initTestCase();
    void init();
    void cleanup();
    void cleanupTestCase();

    void callsThroughTheDialPad();
    void incomingCallIsAnsweredFromItsWindow();
    void incomingCallIsDeclined();
    void incomingWindowGoesWhenTheCallerGivesUp();
    void dialErrorsAreShownNotThrown();
    void dialPadSendsDtmfInEachMode();
    void echoTestGoesToTheAccountsEchoNumber();

private:
    void makeWindow();
    void registerBob(int autoAnswerMs);
    CallPanel *onlyPanel() const;
    QString text(CallPanel *panel, const char *name) const;
    qint64 number(CallPanel *panel, const char *name) const { return text(panel, name).toLongLong(); }
    QPushButton *panelButton(CallPanel *panel, const char *name) const { return panel->findChild<QPushButton *>(QLatin1String(name)); }
    Call *bobCall() const;
    QString server() const { return QStringLiteral("127.0.0.1:%1").arg(m_kamailio->udpPort()); }

    std::unique_ptr<QTemporaryDir> m_tmp;
    std::unique_ptr<KamailioRegistrar> m_kamailio;
    QString m_ini;
    QString m_aliceWav;
    QString m_bobWav;
    QString m_bobId;
    std::unique_ptr<ui::AccountStore> m_store;
    std::unique_ptr<phone::Phone> m_phone;
    std::unique_ptr<ui::MainWindow> m_window;
    std::unique_ptr<phone::Phone> m_bob;
};

void TestCallWindow::initTestCase()
{
    m_tmp = std::make_unique<QTemporaryDir>(QDir::tempPath() + QStringLiteral("/dialscope-calls-XXXXXX"));
    QVERIFY(m_tmp->isValid());
    m_kamailio = std::make_unique<KamailioRegistrar>(m_tmp->path());
    DS_START_KAMAILIO(*m_kamailio, QStringLiteral("MD5"), {{kAlice, kPassword}, {kBob, kPassword}}, m_tmp->path());
}

void TestCallWindow::init()
{
    const QString name = QString::fromLatin1(QTest::currentTestFunction());
    m_ini = m_tmp->filePath(name + QStringLiteral(".ini"));
    m_aliceWav = m_tmp->filePath(name + QStringLiteral("-alice.wav"));
    m_bobWav = m_tmp->filePath(name + QStringLiteral("-bob.wav"));
    for (const QString &f : {m_ini, m_aliceWav, m_bobWav})
        QFile::remove(f);
}

void TestCallWindow::cleanup()
{
    if (QTest::currentTestFailed() && m_kamailio)
        qWarning().noquote() << m_kamailio->logTail(4000);
    // The window before the Phone it shows; each Phone hangs up what is left on its way out.
    m_window.reset();
    m_phone.reset();
    m_store.reset();
    m_bob.reset();
}

void TestCallWindow::cleanupTestCase() { m_kamailio.reset(); }

// The window with alice registered through its Register button; her calls send a tone and record
// to a WAV file, as saved by the audio settings.
void TestCallWindow::makeWindow()
{
    phone::CallSettings settings;
    settings.audio.toneHz = kAliceHz;
    settings.audio.recordFile = m_aliceWav;
    phone::Account alice = registrarAccount(QStringLiteral("Alice"), kAlice, server());
    alice.echoTest = kBob; // "the PBX's echo test" here: bob, who sends back a tone
    makeTestWindow(m_store, m_phone, m_window, m_ini, settings, {alice}, kPassword);
    m_window->show();
    QVERIFY(QTest::qWaitForWindowExposed(m_window.get()));
    QCOMPARE(m_phone->callSettings().audio.toneHz, kAliceHz);
    QCOMPARE(m_phone->callSettings().audio.recordFile, m_aliceWav);
    registerFirstAccount(*m_window, kCallTimeout);
}

// bob on a plain Phone in the same process: sends 440 Hz, records, answers after autoAnswerMs (-1: never).
void TestCallWindow::registerBob(int autoAnswerMs)
{
    m_bob = std::make_unique<phone::Phone>();
    phone::CallSettings settings;
    settings.autoAnswerMs = autoAnswerMs;
    settings.audio.toneHz = kBobHz;
    settings.audio.recordFile = m_bobWav;
    m_bob->setCallSettings(settings);
    phone::Account bob;
    bob.id = m_bobId = QStringLiteral("bob-test");
    bob.displayName = QStringLiteral("Bob");
    bob.user = kBob;
    bob.server = server();
    m_bob->setAccount(bob, kPassword.toUtf8());
    m_bob->registerAccount(m_bobId);
    QTRY_VERIFY_WITH_TIMEOUT(m_bob->registration(m_bobId) && m_bob->registration(m_bobId)->state() == phone::Registration::State::Registered, kCallTimeout);
}

CallPanel *TestCallWindow::onlyPanel() const
{
    const QList<CallPanel *> panels = m_window->callPanels();
    return panels.size() == 1 ? panels.first() : nullptr;
}

QString TestCallWindow::text(CallPanel *panel, const char *name) const
{
    const auto *l = panel->findChild<QLabel *>(QLatin1String(name));
    return l ? l->text() : QStringLiteral("<no label %1>").arg(QLatin1String(name));
}

Call *TestCallWindow::bobCall() const
{
    const QList<Call *> calls = m_bob->calls();
    return calls.size() == 1 ? calls.first() : nullptr;
}

void TestCallWindow::callsThroughTheDialPad()
{
    makeWindow();
    registerBob(0);
    ui::DialPad *pad = m_window->dialPad();
    QVERIFY(pad);
    auto *target = pad->findChild<QLineEdit *>(QStringLiteral("dialTarget"));
    auto *callButton = pad->findChild<QPushButton *>(QStringLiteral("callButton"));
    QTRY_COMPARE(pad->currentAccountId(), m_store->accounts().first().id); // registered: offered
    QVERIFY(!callButton->isEnabled()); // nobody to call yet
    QTest::keyClicks(target, kBob);
    QVERIFY(callButton->isEnabled());
    QTest::mouseClick(callButton, Qt::LeftButton);

    CallPanel *panel = nullptr;
    QTRY_VERIFY((panel = onlyPanel()));
    QVERIFY2(panel->remoteParty().contains(u"bob@127.0.0.1"), qPrintable(panel->remoteParty()));
    QTRY_COMPARE_WITH_TIMEOUT(panel->stateText(), QStringLiteral("Active"), kCallTimeout);
    QTRY_VERIFY(bobCall() && bobCall()->state() == Call::State::Active);
    QCOMPARE(text(panel, "callCodec"), QStringLiteral("PCMU/8000"));
    QVERIFY2(text(panel, "callRemoteAddress").contains(u"127.0.0.1:"), qPrintable(text(panel, "callRemoteAddress")));
    QVERIFY(pad->history().contains(kBob));
    // Through the proxy, which challenged the INVITE: on the message log.
    const QAbstractItemModel *log = m_window->messageLog();
    const auto logged = [log](const QString &prefix) {
        for (int r = 0; r < log->rowCount(); ++r)
            if (log->index(r, ui::MessageLogModel::FirstLineColumn).data().toString().startsWith(prefix))
                return true;
        return false;
    };
    QTRY_VERIFY(logged(QStringLiteral("INVITE sip:bob@127.0.0.1")));
    QVERIFY(logged(QStringLiteral("SIP/2.0 407")));

    // Audio both ways: the counters rise and the path says so.
    QTRY_VERIFY_WITH_TIMEOUT(number(panel, "rtpReceived") > 10, kCallTimeout);
    const qint64 received = number(panel, "rtpReceived");
    // Rising, until well over a second of bob's tone is in the recording, before hold interrupts it.
    QTRY_VERIFY_WITH_TIMEOUT(number(panel, "rtpReceived") > received + 70, kCallTimeout);
    QVERIFY(number(panel, "rtpSent") > 0);
    QVERIFY2(text(panel, "audioPath").startsWith(u"audio flows"), qPrintable(text(panel, "audioPath")));
    QTRY_VERIFY(text(panel, "mos") != QStringLiteral("—"));

    // The negotiation next to what arrives: PCMU both ways, no row flagged.
    auto *toggle = panel->findChild<QToolButton *>(QStringLiteral("negotiationToggle"));
    QTest::mouseClick(toggle, Qt::LeftButton);
    if (const QString dir = qEnvironmentVariable("DS_UI_SCREENSHOTS"); !dir.isEmpty()) {
        QDir().mkpath(dir);
        QVERIFY(m_window->grab().save(dir + QStringLiteral("/call.png")));
    }
    auto *table = panel->findChild<QTreeWidget *>(QStringLiteral("negotiation"));
    QVERIFY(table->isVisible());
    QCOMPARE(table->headerItem()->text(1), QStringLiteral("Our offer"));
    QTRY_COMPARE(table->topLevelItem(0)->text(3), QStringLiteral("PCMU/8000"));
    QVERIFY2(table->topLevelItem(0)->text(2).startsWith(u"PCMU/8000 (0)"), qPrintable(table->topLevelItem(0)->text(2)));
    QTRY_COMPARE(table->topLevelItem(2)->text(3), QStringLiteral("20 ms"));
    for (int r = 0; r < table->topLevelItemCount(); ++r)
        QVERIFY2(table->topLevelItem(r)->toolTip(3).isEmpty(), qPrintable(table->topLevelItem(r)->toolTip(3)));
    QVERIFY2(text(panel, "callTiming").contains(u"post-dial delay"), qPrintable(text(panel, "callTiming")));

    // Hold and resume: re-INVITEs through the proxy, each side's state follows.
    QPushButton *hold = panelButton(panel, "holdButton");
    QVERIFY(hold->isEnabled());
    QTest::mouseClick(hold, Qt::LeftButton);
    QTRY_COMPARE_WITH_TIMEOUT(panel->stateText(), QStringLiteral("On hold"), kCallTimeout);
    QVERIFY(hold->isChecked());
    QCOMPARE(hold->text(), QStringLiteral("&Resume"));
    QTRY_COMPARE(bobCall()->state(), Call::State::RemoteHeld);
    QTest::mouseClick(hold, Qt::LeftButton);
    QTRY_COMPARE_WITH_TIMEOUT(panel->stateText(), QStringLiteral("Active"), kCallTimeout);
    QVERIFY(!hold->isChecked());
    QTRY_COMPARE(bobCall()->state(), Call::State::Active);

    // Mute: the stream reports it.
    QPushButton *mute = panelButton(panel, "muteButton");
    QTest::mouseClick(mute, Qt::LeftButton);
    QTRY_VERIFY(text(panel, "audioPath").contains(u"muted"));
    QTest::mouseClick(mute, Qt::LeftButton);
    QTRY_VERIFY(!text(panel, "audioPath").contains(u"muted"));

    // Hang up: both ends see the end; the panel stays, closable.
    QSignalSpy bobEnded(m_bob.get(), &phone::Phone::callEnded);
    QTest::mouseClick(panelButton(panel, "hangUpButton"), Qt::LeftButton);
    QTRY_VERIFY_WITH_TIMEOUT(panel->isEnded(), kCallTimeout);
    QCOMPARE(panel->stateText(), QStringLiteral("Ended: you hung up"));
    QTRY_COMPARE_WITH_TIMEOUT(bobEnded.size(), 1, kCallTimeout);
    QVERIFY(!panelButton(panel, "hangUpButton")->isVisible());
    QVERIFY(!hold->isEnabled());
    QVERIFY(text(panel, "callTimer").contains(u':'));

    // What bob sent is in alice's recording.
    QTRY_VERIFY_WITH_TIMEOUT(checkTone(m_aliceWav, kBobHz).ok, kCallTimeout);
    const ToneCheck heard = checkTone(m_aliceWav, kBobHz);
    QVERIFY2(heard.toneShare > 0.8, qPrintable(QStringLiteral("%1 Hz share %2, %3 dBFS").arg(kBobHz).arg(heard.toneShare).arg(heard.rmsDbfs)));

    QPushButton *close = panelButton(panel, "closeButton");
    QVERIFY(close->isVisible());
    QTest::mouseClick(close, Qt::LeftButton);
    QTRY_VERIFY(m_window->callPanels().isEmpty());
}

void TestCallWindow::incomingCallIsAnsweredFromItsWindow()
{
    makeWindow();
    registerBob(-1);
    const auto dialled = m_bob->dial(m_bobId, kAlice);
    QVERIFY2(dialled, dialled ? "" : qPrintable(dialled.error()));
    ui::IncomingCallDialog *ringing = nullptr;
    QTRY_VERIFY_WITH_TIMEOUT((ringing = m_window->findChild<ui::IncomingCallDialog *>()) && ringing->isVisible(), kCallTimeout);
    const QString caller = ringing->findChild<QLabel *>(QStringLiteral("incomingCaller"))->text();
    QVERIFY2(caller.contains(u"Bob") && caller.contains(u"bob@127.0.0.1"), qPrintable(caller));
    CallPanel *panel = onlyPanel();
    QVERIFY(panel);
    QCOMPARE(panel->stateText(), QStringLiteral("Incoming"));
    QTRY_COMPARE(bobCall()->state(), Call::State::Ringing);

    QTest::mouseClick(ringing->findChild<QPushButton *>(QStringLiteral("answerButton")), Qt::LeftButton);
    QTRY_VERIFY(!m_window->findChild<ui::IncomingCallDialog *>()); // closed and deleted
    QTRY_COMPARE_WITH_TIMEOUT(panel->stateText(), QStringLiteral("Active"), kCallTimeout);
    QTRY_COMPARE_WITH_TIMEOUT(bobCall()->state(), Call::State::Active, kCallTimeout);
    QTRY_VERIFY_WITH_TIMEOUT(number(panel, "rtpReceived") > 10, kCallTimeout);
    auto *table = panel->findChild<QTreeWidget *>(QStringLiteral("negotiation"));
    QCOMPARE(table->headerItem()->text(1), QStringLiteral("Their offer"));

    bobCall()->hangUp();
    QTRY_VERIFY_WITH_TIMEOUT(panel->isEnded(), kCallTimeout);
    QCOMPARE(panel->stateText(), QStringLiteral("Ended: the far end hung up"));
    const auto *status = m_window->findChild<QLabel *>(QStringLiteral("statusText"));
    QVERIFY2(status->text().contains(u"the far end hung up"), qPrintable(status->text()));
}

void TestCallWindow::incomingCallIsDeclined()
{
    makeWindow();
    registerBob(-1);
    QSignalSpy ended(m_bob.get(), &phone::Phone::callEnded);
    int status = 0;
    connect(m_bob.get(), &phone::Phone::callEnded, this, [&status](const QString &, Call *c) { status = c->end().status; });
    QVERIFY(m_bob->dial(m_bobId, kAlice));
    ui::IncomingCallDialog *ringing = nullptr;
    QTRY_VERIFY_WITH_TIMEOUT((ringing = m_window->findChild<ui::IncomingCallDialog *>()) && ringing->isVisible(), kCallTimeout);
    QTest::mouseClick(ringing->findChild<QPushButton *>(QStringLiteral("declineButton")), Qt::LeftButton);
    QTRY_COMPARE_WITH_TIMEOUT(ended.size(), 1, kCallTimeout);
    QCOMPARE(status, 603);
    CallPanel *panel = onlyPanel();
    QTRY_VERIFY(panel->isEnded());
    QVERIFY2(panel->stateText().startsWith(u"Ended: you refused the call"), qPrintable(panel->stateText()));
}

void TestCallWindow::incomingWindowGoesWhenTheCallerGivesUp()
{
    makeWindow();
    registerBob(-1);
    QVERIFY(m_bob->dial(m_bobId, kAlice));
    QTRY_VERIFY_WITH_TIMEOUT(m_window->findChild<ui::IncomingCallDialog *>(), kCallTimeout);
    QTRY_COMPARE(bobCall()->state(), Call::State::Ringing);
    bobCall()->hangUp(); // CANCEL
    QTRY_VERIFY_WITH_TIMEOUT(!m_window->findChild<ui::IncomingCallDialog *>(), kCallTimeout);
    CallPanel *panel = onlyPanel();
    QTRY_VERIFY(panel->isEnded());
    QCOMPARE(panel->stateText(), QStringLiteral("Ended: the caller gave up before the answer"));
}

void TestCallWindow::dialErrorsAreShownNotThrown()
{
    makeWindow();
    ui::DialPad *pad = m_window->dialPad();
    pad->setTarget(QStringLiteral("not <a> number"));
    QTest::keyClick(pad->findChild<QLineEdit *>(QStringLiteral("dialTarget")), Qt::Key_Return);
    const auto *status = m_window->findChild<QLabel *>(QStringLiteral("statusText"));
    QVERIFY2(status->text().startsWith(u"Cannot call not <a> number:"), qPrintable(status->text()));
    QVERIFY(m_window->callPanels().isEmpty());
    const ui::FindingListModel *findings = m_window->findings();
    QCOMPARE(findings->index(findings->rowCount() - 1, ui::FindingListModel::TextColumn).data().toString(), status->text());

    // Calling someone the registrar does not know ends with its answer, on the panel.
    pad->setTarget(QStringLiteral("nobody"));
    pad->call();
    CallPanel *panel = nullptr;
    QTRY_VERIFY((panel = onlyPanel()));
    QTRY_VERIFY_WITH_TIMEOUT(panel->isEnded(), kCallTimeout);
    QVERIFY2(panel->stateText().contains(u"404"), qPrintable(panel->stateText()));
}

void TestCallWindow::dialPadSendsDtmfInEachMode()
{
    // During a call the pad's keys are DTMF in the mode chosen next to them; bob's phone hears each
    // digit in exactly that mode, and alice's DTMF panel shows the digits sent and the spectrogram
    // of bob's audio.
    makeWindow();
    registerBob(0);
    ui::DialPad *pad = m_window->dialPad();
    QTRY_COMPARE(pad->currentAccountId(), m_store->accounts().first().id);
    QTest::keyClicks(pad->findChild<QLineEdit *>(QStringLiteral("dialTarget")), kBob);
    QTest::mouseClick(pad->findChild<QPushButton *>(QStringLiteral("callButton")), Qt::LeftButton);
    CallPanel *panel = nullptr;
    QTRY_VERIFY((panel = onlyPanel()));
    QTRY_COMPARE_WITH_TIMEOUT(panel->stateText(), QStringLiteral("Active"), kCallTimeout);
    QTRY_VERIFY(bobCall() && bobCall()->state() == Call::State::Active);
    QTRY_VERIFY(pad->inCall());
    const QString target = pad->target();

    auto *mode = pad->findChild<QComboBox *>(QStringLiteral("dtmfMode"));
    QVERIFY(mode);
    const struct {
        const char *mode;
        const char *key;
        char digit;
        dtmf::Mode expected;
    } presses[]
        = {{"rfc4733", "digit_5", '5', dtmf::Mode::Rfc4733}, {"inband", "digit_hash", '#', dtmf::Mode::Inband}, {"info", "digit_a", 'A', dtmf::Mode::Info}};
    QList<dtmf::DigitEvent> heard;
    connect(bobCall(), &Call::dtmf, this, [&heard](const dtmf::DigitEvent &e) { heard << e; });
    for (const auto &p : presses) {
        mode->setCurrentIndex(mode->findData(QString::fromLatin1(p.mode)));
        QTest::mouseClick(pad->findChild<QToolButton *>(QLatin1String(p.key)), Qt::LeftButton);
        QTRY_VERIFY_WITH_TIMEOUT(!heard.isEmpty(), kCallTimeout);
        QTest::qWait(400); // any copy in another mode would have arrived by now
        QCOMPARE(heard.size(), 1);
        QCOMPARE(heard[0].digit, p.digit);
        QCOMPARE(heard[0].mode, p.expected);
        heard.clear();
    }
    // Typed digits too, even with the focus in the address field; they do not edit the address.
    auto *field = pad->findChild<QLineEdit *>(QStringLiteral("dialTarget"));
    field->setFocus();
    QTest::keyClick(field, '7');
    QTRY_VERIFY_WITH_TIMEOUT(!heard.isEmpty(), kCallTimeout);
    QCOMPARE(heard[0].digit, '7');
    QCOMPARE(heard[0].mode, dtmf::Mode::Info); // the mode chosen last
    QCOMPARE(pad->target(), target);

    auto *toggle = panel->findChild<QToolButton *>(QStringLiteral("dtmfToggle"));
    QVERIFY(toggle);
    QTest::mouseClick(toggle, Qt::LeftButton);
    auto *dtmfPanel = panel->findChild<ui::DtmfPanel *>(QStringLiteral("dtmfPanel"));
    QVERIFY(dtmfPanel && dtmfPanel->isVisible());
    QTRY_COMPARE(onlyPanel()->call()->dtmfAnalyzer().digits().size(), 4); // the INFO's digit once its 200 is in
    const auto sent = onlyPanel()->call()->dtmfAnalyzer().digits();
    for (const dtmf::MergedDigit &d : sent)
        QCOMPARE(d.dir, dtmf::Direction::Out);
    QTRY_VERIFY(dtmfPanel->spectrogram()->columnCount() > 50); // bob's tone, a column every 16 ms
    if (const QString dir = qEnvironmentVariable("DS_UI_SCREENSHOTS"); !dir.isEmpty()) {
        QDir().mkpath(dir);
        QVERIFY(m_window->grab().save(dir + QStringLiteral("/dtmf.png")));
    }
    QTest::mouseClick(panelButton(panel, "hangUpButton"), Qt::LeftButton);
    QTRY_VERIFY_WITH_TIMEOUT(panel->isEnded(), kCallTimeout);
    QTRY_VERIFY(!pad->inCall());
}

// Calls > Test call > Echo test from a PBX account goes to that account's echo test number, through
// the PBX (the demo peer on loopback is out of a PBX's reach).
void TestCallWindow::echoTestGoesToTheAccountsEchoNumber()
{
    makeWindow();
    registerBob(0);
    auto *echo = m_window->findChild<QAction *>(QStringLiteral("testCallEcho"));
    QVERIFY(echo);
    QTRY_VERIFY(echo->isEnabled());
    echo->trigger();
    CallPanel *panel = nullptr;
    QTRY_VERIFY((panel = onlyPanel()));
    QVERIFY2(panel->remoteParty().contains(u"bob@127.0.0.1"), qPrintable(panel->remoteParty()));
    QTRY_COMPARE_WITH_TIMEOUT(panel->stateText(), QStringLiteral("Active"), kCallTimeout);
    QTRY_VERIFY(bobCall() && bobCall()->state() == Call::State::Active);
    QVERIFY(!m_window->demoPeer()); // nothing started on loopback for it
    QTest::mouseClick(panelButton(panel, "hangUpButton"), Qt::LeftButton);
    QTRY_VERIFY_WITH_TIMEOUT(!bobCall(), kCallTimeout);
}

QTEST_MAIN(TestCallWindow)
#include "tst_call_window.moc"
