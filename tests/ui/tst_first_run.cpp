// The first run, as a newcomer sees it: an empty profile, the built-in demo peer on loopback and the
// demo account registered to it with digest authentication; an echo test call from the Test call menu
// whose recording holds the tone we sent, delayed; the tone extension's 1004 Hz; the DTMF reporter
// hearing digits sent in each mode (RFC 4733, in-band, SIP INFO), shown in the call's DTMF panel.
// Under Xvfb (DS_SCREENSHOTS set by CTest) it also takes the README's screenshots, so they stay true.

#include "support/wav_analysis.h"

#include "demo/demo_peer.h"
#include "phone/call.h"
#include "phone/phone.h"
#include "ui/account_list_model.h"
#include "ui/account_store.h"
#include "ui/call_panel.h"
#include "ui/dial_pad.h"
#include "ui/dtmf_panel.h"
#include "ui/ladder_panel.h"
#include "ui/main_window.h"
#include "ui/message_log_model.h"

#include <QAction>
#include <QDir>
#include <QDockWidget>
#include <QLabel>
#include <QMenu>
#include <QMenuBar>
#include <QPushButton>
#include <QTabWidget>
#include <QTemporaryDir>
#include <QTest>
#include <QToolButton>

#include <memory>

using namespace ds;
using namespace ds::test;
using phone::Call;
using ui::CallPanel;

namespace {

constexpr double kSentHz = 1000;
constexpr int kTimeout = 20000;

} // namespace

class TestFirstRun : public QObject {
    Q_OBJECT
private slots:
    void init();
    void cleanup();

    void demoAccountRegistersOnAnEmptyProfile();
    void echoTestHoldsTheTone();
    void toneExtensionPlaysTheTestSignal();
    void dtmfReporterHearsEachMode();

private:
    void makeWindow();
    void registerDemo();
    QAction *action(const char *name) const;
    CallPanel *onlyPanel() const;
    Call *onlyCall() const;
    QString panelText(CallPanel *panel, const char *name) const;
    void hangUpAndWait(CallPanel *panel);
    void screenshot(QWidget *w, const QString &name);

    std::unique_ptr<QTemporaryDir> m_dir;
    std::unique_ptr<ui::AccountStore> m_store;
    std::unique_ptr<phone::Phone> m_phone;
    std::unique_ptr<ui::MainWindow> m_window;
    QString m_received;
};

void TestFirstRun::init()
{
    m_dir = std::make_unique<QTemporaryDir>();
    QVERIFY(m_dir->isValid());
    m_received = m_dir->filePath(QStringLiteral("received.wav"));
}

void TestFirstRun::cleanup()
{
    if (QTest::currentTestFailed() && m_window) {
        const QAbstractItemModel *log = m_window->messageLog();
        for (int r = std::max(0, log->rowCount() - 12); r < log->rowCount(); ++r)
            qWarning().noquote() << log->index(r, 0).data(ui::MessageLogModel::RawTextRole).toString().left(400);
    }
    m_window.reset();
    m_phone.reset();
    m_store.reset();
    m_dir.reset();
}

void TestFirstRun::makeWindow()
{
    ui::AccountStore::Options options;
    options.settingsPath = m_dir->filePath(QStringLiteral("dialscope.ini"));
    options.keychain = ui::AccountStore::KeychainMode::Disabled;
    m_store = std::make_unique<ui::AccountStore>(options);
    QVERIFY(m_store->accounts().isEmpty());
    m_phone = std::make_unique<phone::Phone>();
    m_window = std::make_unique<ui::MainWindow>(*m_phone, *m_store);
    // No sound card needed: the calls send a tone and record what comes back.
    phone::CallSettings settings = m_phone->callSettings();
    settings.audio = {};
    settings.audio.toneHz = kSentHz;
    settings.audio.recordFile = m_received;
    m_phone->setCallSettings(settings);
    m_window->show();
    QVERIFY(QTest::qWaitForWindowExposed(m_window.get()));
}

void TestFirstRun::registerDemo()
{
    makeWindow();
    // What the GUI's start does on an empty profile.
    QVERIFY(m_window->startDemoIfWanted());
    const QAbstractItemModel *accounts = m_window->accountModel();
    QTRY_COMPARE(accounts->rowCount(), 1);
    QTRY_COMPARE_WITH_TIMEOUT(accounts->index(0, ui::AccountListModel::StateColumn).data().toString(), QStringLiteral("registered"), kTimeout);
}

QAction *TestFirstRun::action(const char *name) const { return m_window->findChild<QAction *>(QLatin1String(name)); }

CallPanel *TestFirstRun::onlyPanel() const
{
    const QList<CallPanel *> panels = m_window->callPanels();
    return panels.size() == 1 ? panels.first() : nullptr;
}

Call *TestFirstRun::onlyCall() const
{
    const QList<Call *> calls = m_phone->calls();
    return calls.size() == 1 ? calls.first() : nullptr;
}

QString TestFirstRun::panelText(CallPanel *panel, const char *name) const
{
    const auto *l = panel->findChild<QLabel *>(QLatin1String(name));
    return l ? l->text() : QString();
}

void TestFirstRun::hangUpAndWait(CallPanel *panel)
{
    auto *hangUp = panel->findChild<QPushButton *>(QStringLiteral("hangUpButton"));
    QVERIFY(hangUp && hangUp->isEnabled());
    QTest::mouseClick(hangUp, Qt::LeftButton);
    QTRY_VERIFY_WITH_TIMEOUT(m_phone->calls().isEmpty(), kTimeout);
}

void TestFirstRun::screenshot(QWidget *w, const QString &name)
{
    const QString dir = qEnvironmentVariable("DS_SCREENSHOTS");
    if (dir.isEmpty())
        return;
    QVERIFY(QDir().mkpath(dir));
    QTest::qWait(200); // the last repaint
    QVERIFY2(w->grab().save(dir + u'/' + name + QStringLiteral(".png")), qPrintable(dir));
}

void TestFirstRun::demoAccountRegistersOnAnEmptyProfile()
{
    registerDemo();
    const QAbstractItemModel *accounts = m_window->accountModel();
    QCOMPARE(accounts->index(0, ui::AccountListModel::NameColumn).data().toString(), QStringLiteral("Demo (built-in)"));
    // Digest authentication happened for real: a 401 challenge, then the 200, on the log.
    const QAbstractItemModel *log = m_window->messageLog();
    bool challenged = false, registered = false;
    for (int r = 0; r < log->rowCount(); ++r) {
        const QString raw = log->index(r, 0).data(ui::MessageLogModel::RawTextRole).toString();
        challenged |= raw.startsWith(QStringLiteral("SIP/2.0 401")) && raw.contains(QStringLiteral("algorithm=SHA-256"));
        registered |= raw.startsWith(QStringLiteral("SIP/2.0 200")) && raw.contains(QStringLiteral("REGISTER"));
    }
    QVERIFY(challenged);
    QVERIFY(registered);
    // The demo account is not stored: the profile stays the user's own.
    QVERIFY(m_store->accounts().isEmpty());
    // The demo peer listens on loopback only.
    QVERIFY(m_window->demoPeer());
    QVERIFY(m_window->demoPeer()->endpoint().address.isLoopback());
    // A Test call entry for each extension, enabled now that the demo account is registered.
    for (const char *name : {"testCallEcho", "testCallTone", "testCallDtmf"}) {
        QAction *a = action(name);
        QVERIFY2(a, name);
        QVERIFY2(a->isEnabled(), name);
    }
    m_window->resize(1280, 800);
    screenshot(m_window.get(), QStringLiteral("main-window"));
}

void TestFirstRun::echoTestHoldsTheTone()
{
    registerDemo();
    action("testCallEcho")->trigger();
    CallPanel *panel = nullptr;
    QTRY_VERIFY((panel = onlyPanel()));
    QTRY_COMPARE_WITH_TIMEOUT(panel->stateText(), QStringLiteral("Active"), kTimeout);
    QTRY_VERIFY_WITH_TIMEOUT(onlyCall() && onlyCall()->stats().rtpReceived > 150, kTimeout); // 3 s of echo
    // The call's panel with its negotiation open, and the live ladder on its own.
    if (auto *negotiation = panel->findChild<QToolButton *>(QStringLiteral("negotiationToggle")))
        negotiation->setChecked(true);
    screenshot(panel, QStringLiteral("call"));
    auto *tabs = m_window->findChild<QTabWidget *>(QStringLiteral("traceTabs"));
    QVERIFY(tabs);
    tabs->setCurrentWidget(m_window->ladder());
    screenshot(m_window->ladder(), QStringLiteral("ladder"));
    hangUpAndWait(panel);
    // The media thread finishes the WAV file after the call is gone.
    QTRY_VERIFY_WITH_TIMEOUT(checkTone(m_received, kSentHz).ok, kTimeout);
    const ToneCheck c = checkTone(m_received, kSentHz);
    QVERIFY2(c.ok, qPrintable(c.error));
    QVERIFY2(c.toneShare > 0.8, qPrintable(QStringLiteral("the echo holds %1 of the tone's energy").arg(c.toneShare)));
    QVERIFY(c.rmsDbfs > -30);
}

void TestFirstRun::toneExtensionPlaysTheTestSignal()
{
    registerDemo();
    action("testCallTone")->trigger();
    CallPanel *panel = nullptr;
    QTRY_VERIFY((panel = onlyPanel()));
    QTRY_VERIFY_WITH_TIMEOUT(onlyCall() && onlyCall()->stats().rtpReceived > 100, kTimeout);
    hangUpAndWait(panel);
    QTRY_VERIFY_WITH_TIMEOUT(checkTone(m_received, demo::DemoPeer::kToneHz).ok, kTimeout);
    const ToneCheck c = checkTone(m_received, demo::DemoPeer::kToneHz);
    QVERIFY2(c.ok, qPrintable(c.error));
    QVERIFY2(c.toneShare > 0.8, qPrintable(QStringLiteral("%1 of the energy at the test frequency").arg(c.toneShare)));
}

void TestFirstRun::dtmfReporterHearsEachMode()
{
    registerDemo();
    phone::CallSettings settings = m_phone->callSettings();
    settings.audio.toneHz = 0; // silence under the digits, as from a quiet microphone
    m_phone->setCallSettings(settings);
    action("testCallDtmf")->trigger();
    CallPanel *panel = nullptr;
    QTRY_VERIFY((panel = onlyPanel()));
    QTRY_COMPARE_WITH_TIMEOUT(panel->stateText(), QStringLiteral("Active"), kTimeout);
    auto *dtmf = panel->findChild<ui::DtmfPanel *>(QStringLiteral("dtmfPanel"));
    QVERIFY(dtmf);
    auto *toggle = panel->findChild<QToolButton *>(QStringLiteral("dtmfToggle"));
    QVERIFY(toggle);
    toggle->setChecked(true);
    const QList<QPair<phone::DtmfMode, QString>> modes {{phone::DtmfMode::Rfc4733, QStringLiteral("rfc4733")},
        {phone::DtmfMode::Inband, QStringLiteral("inband")}, {phone::DtmfMode::Info, QStringLiteral("info")}};
    const QString digits[] = {QStringLiteral("12"), QStringLiteral("34"), QStringLiteral("5#")};
    QString heard;
    int i = 0;
    for (const auto &[mode, name] : modes) {
        // The dial pad's keys, in this mode, as a user sends them during the call.
        ui::DialPad *pad = m_window->dialPad();
        QVERIFY(pad->inCall());
        pad->setDtmfMode(mode);
        for (QChar d : digits[i]) {
            QTest::keyClick(pad, d.toLatin1());
            QTest::qWait(300);
        }
        heard += (heard.isEmpty() ? QString() : QStringLiteral(" ")) + QString(digits[i][0]) + u' ' + digits[i][1];
        QTRY_COMPARE_WITH_TIMEOUT(dtmf->farEndText(), QStringLiteral("The far end heard: %1").arg(heard), kTimeout);
        // Each report names the mode the reporter detected the digit in.
        const QLabel *farEnd = dtmf->findChild<QLabel *>(QStringLiteral("dtmfFarEnd"));
        QVERIFY(farEnd);
        QVERIFY2(farEnd->toolTip().contains(QStringLiteral("%1 by %2").arg(digits[i][1], name)), qPrintable(farEnd->toolTip()));
        ++i;
    }
    // The call's panel alone, wide enough for the timeline: the README's DTMF picture.
    if (auto *dock = m_window->findChild<QDockWidget *>(QStringLiteral("callsDock")))
        m_window->resizeDocks({dock}, {720}, Qt::Horizontal);
    QTest::qWait(100);
    screenshot(panel, QStringLiteral("dtmf"));
    hangUpAndWait(panel);
}

QTEST_MAIN(TestFirstRun)
#include "tst_first_run.moc"
