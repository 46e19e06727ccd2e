// MainWindow and the built-in demo peer: the demo account registered to it on loopback (shown on an
// empty profile, or when the user asks for it; never stored), and the Test call menu that calls its
// extensions — the echo test, the 1004 Hz test tone and the DTMF reporter.

#include "main_window.h"

#include "account_list_model.h"
#include "account_store.h"
#include "call_list.h"
#include "finding_list_model.h"
#include "icons.h"

#include "demo/demo_peer.h"
#include "phone/phone.h"

#include <QAction>
#include <QDateTime>
#include <QLabel>
#include <QMenu>
#include <QMenuBar>
#include <QSettings>

namespace ds::ui {

using phone::Registration;

namespace {

const QString kShowDemoKey = QStringLiteral("demo/show");

} // namespace

QString MainWindow::demoAccountId() const { return m_demo ? m_demo->account().id : QString(); }

bool MainWindow::isDemoAccount(const QString &id) const { return m_demo && !id.isEmpty() && id == m_demo->account().id; }

void MainWindow::createTestCallMenu(QMenu *calls)
{
    QMenu *test = calls->addMenu(icon(u"test-call"), tr("&Test call"));
    test->setObjectName(QStringLiteral("testCallMenu"));
    test->setToolTipsVisible(true);
    const auto add = [this, test](const char *name, const QString &text, const QString &extension, const QString &tip) {
        QAction *a = test->addAction(text, this, [this, extension] { placeTestCall(extension); });
        a->setObjectName(QLatin1String(name));
        a->setToolTip(tip);
        a->setStatusTip(tip);
        m_testCallActions.append(a);
        return a;
    };
    QAction *echo = add("testCallEcho", tr("&Echo test"), QStringLiteral("echo"),
        tr("Call an echo: the selected account's echo test number when it has one (account dialog), else the built-in demo peer's echo, "
           "%1 ms later, over real SIP and RTP on loopback")
            .arg(demo::DemoPeer::kEchoDelayMs));
    echo->setShortcut(QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_E));
    add("testCallTone", tr("T&one test"), QStringLiteral("tone"),
        tr("Call the demo peer's test tone: %1 Hz, the telephone test frequency, as a check of your speaker").arg(demo::DemoPeer::kToneHz));
    add("testCallDtmf", tr("&DTMF reporter"), QStringLiteral("dtmf"),
        tr("Call the demo peer's DTMF reporter: it listens in RFC 4733, in-band and SIP INFO at once and reports each digit it heard "
           "in a SIP MESSAGE, shown in the call's DTMF panel"));

    m_showDemoAction = new QAction(tr("Show the built-in &demo account"), this);
    m_showDemoAction->setObjectName(QStringLiteral("showDemoAccount"));
    m_showDemoAction->setCheckable(true);
    m_showDemoAction->setStatusTip(tr("A demo account registered to dialscope's own demo peer on this computer: echo test, test tone, DTMF reporter"));
    connect(m_showDemoAction, &QAction::toggled, this, [this](bool on) {
        QSettings(m_store.settingsFileName(), QSettings::IniFormat).setValue(kShowDemoKey, on);
        if (on)
            startDemo();
        else
            stopDemo();
    });
    updateTestCallActions();
}

bool MainWindow::startDemoIfWanted()
{
    // On an empty profile the demo account is what a newcomer sees first; later it is the user's choice.
    const bool wanted = QSettings(m_store.settingsFileName(), QSettings::IniFormat).value(kShowDemoKey, m_store.accounts().isEmpty()).toBool();
    if (!wanted)
        return true;
    const QSignalBlocker block(m_showDemoAction);
    m_showDemoAction->setChecked(true);
    return startDemo();
}

bool MainWindow::startDemo()
{
    if (!m_demo) {
        auto peer = std::make_unique<demo::DemoPeer>(m_phone.mediaEngine());
        if (auto ok = peer->start(); !ok) {
            const QString why = tr("The built-in demo peer cannot start: %1").arg(ok.error());
            m_findingModel->add(QDateTime::currentDateTime(), tr("demo"), QStringLiteral("error"), why);
            m_status->setText(why);
            const QSignalBlocker block(m_showDemoAction);
            m_showDemoAction->setChecked(false);
            return false;
        }
        m_demo = std::move(peer);
    }
    const phone::Account account = m_demo->account();
    if (m_accountModel->rowOf(account.id) < 0) {
        m_phone.setAccount(account, m_demo->password());
        m_accountModel->upsertAccount(account);
        if (selectedId().isEmpty())
            selectAccount(account.id);
    }
    registerNow(account.id);
    m_findingModel->add(QDateTime::currentDateTime(), account.displayName, QStringLiteral("info"),
        tr("The demo peer listens on %1 (loopback only). Calls > Test call places an echo test, a test tone or a DTMF reporter call.")
            .arg(m_demo->endpoint().toString()));
    updateTestCallActions();
    return true;
}

void MainWindow::stopDemo()
{
    if (!m_demo)
        return;
    const QString id = m_demo->account().id;
    m_phone.removeAccount(id);
    m_accountModel->removeAccount(id);
    m_demo.reset();
    updateActions();
    updateTestCallActions();
}

void MainWindow::placeTestCall(const QString &extension)
{
    // An echo test from a PBX account goes to the PBX's own echo (its echo test number): the demo
    // peer on loopback is out of a PBX's reach.
    if (extension == QLatin1String("echo")) {
        const QString selected = selectedId();
        if (const auto account = m_store.account(selected); account && !account->echoTest.isEmpty()) {
            const Registration *r = m_phone.registration(selected);
            if (!r || r->state() != Registration::State::Registered) {
                m_status->setText(tr("%1 is not registered: register it for its echo test").arg(accountName(selected)));
                return;
            }
            m_calls->dial(selected, account->echoTest);
            return;
        }
    }
    if (!m_demo && !startDemo())
        return;
    const QString id = m_demo->account().id;
    const Registration *r = m_phone.registration(id);
    if (!r || r->state() != Registration::State::Registered) {
        m_status->setText(tr("The demo account is not registered yet: try again in a moment"));
        registerNow(id);
        return;
    }
    m_calls->dial(id, extension);
}

void MainWindow::updateTestCallActions()
{
    const Registration *r = m_demo ? m_phone.registration(m_demo->account().id) : nullptr;
    const bool ready = r && r->state() == Registration::State::Registered;
    for (QAction *a : std::as_const(m_testCallActions))
        a->setEnabled(ready || !m_demo); // without the demo peer a test call starts it first
}

} // namespace ds::ui
