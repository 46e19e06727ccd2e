#include "call_list.h"

#include "call_panel.h"
#include "call_summary.h"
#include "dial_pad.h"
#include "incoming_call_dialog.h"

#include "phone/call.h"
#include "phone/phone.h"

#include <QLabel>
#include <QScrollArea>
#include <QVBoxLayout>

namespace ds::ui {

using phone::Call;

CallList::CallList(phone::Phone &phone, const QString &settingsFile, AccountName accountName, QWidget *parent)
    : QWidget(parent)
    , m_phone(phone)
    , m_accountName(std::move(accountName))
{
    m_dialPad = new DialPad(settingsFile, this);
    m_dialPad->setObjectName(QStringLiteral("dialPad"));

    m_noCalls = new QLabel(tr("No calls. Register an account, then dial a number, a user or a SIP address."), this);
    m_noCalls->setObjectName(QStringLiteral("noCalls"));
    m_noCalls->setWordWrap(true);
    m_noCalls->setEnabled(false);
    auto *list = new QWidget(this);
    m_list = new QVBoxLayout(list);
    m_list->setContentsMargins(0, 0, 0, 0);
    m_list->addWidget(m_noCalls);
    m_list->addStretch();
    auto *scroll = new QScrollArea(this);
    scroll->setObjectName(QStringLiteral("callList"));
    scroll->setWidgetResizable(true);
    scroll->setFrameShape(QFrame::NoFrame);
    scroll->setWidget(list);

    auto *layout = new QVBoxLayout(this);
    layout->addWidget(m_dialPad);
    layout->addWidget(scroll, 1);

    connect(m_dialPad, &DialPad::dialRequested, this, &CallList::dial);
    connect(m_dialPad, &DialPad::dtmfRequested, this, &CallList::sendDtmf);
    connect(&m_phone, &phone::Phone::callAdded, this, &CallList::addPanel);
    connect(&m_phone, &phone::Phone::incomingCall, this, &CallList::ring);
    connect(&m_phone, &phone::Phone::callEnded, this, &CallList::ended);
}

CallPanel *CallList::panelOf(const Call *call) const
{
    for (CallPanel *p : m_panels)
        if (call && p->call() == call)
            return p;
    return nullptr;
}

void CallList::dial(const QString &accountId, const QString &target)
{
    const auto call = m_phone.dial(accountId, target);
    if (call) {
        emit status(tr("Calling %1 from %2").arg(target, m_accountName(accountId)));
        return;
    }
    const QString why = tr("Cannot call %1: %2").arg(target, call.error());
    emit status(why);
    emit finding(m_accountName(accountId), QStringLiteral("error"), why);
}

void CallList::addPanel(const QString &accountId, Call *call)
{
    if (panelOf(call))
        return;
    const QString name = m_accountName(accountId);
    auto *panel = new CallPanel(call, name, this);
    m_panels.prepend(panel);
    m_list->insertWidget(0, panel);
    m_noCalls->hide();
    connect(panel, &CallPanel::closeRequested, this, [this, panel] { removePanel(panel); });
    // The call's diagnoses go to the findings pane too, under the account.
    connect(call, &Call::finding, this, [this, name](const QString &severity, const QString &text) { emit finding(name, severity, text); });
    connect(call, &Call::dtmfFinding, this,
        [this, name](const dtmf::Finding &f) { emit finding(name, QString::fromLatin1(dtmf::severityName(f.severity)), f.text); });
    connect(call, &Call::stateChanged, this, &CallList::updateDialPadMode);
    updateDialPadMode();
    emit activity();
}

void CallList::ring(const QString &accountId, Call *call)
{
    addPanel(accountId, call);
    if (call->state() != Call::State::Incoming)
        return; // answered automatically
    auto *dialog = new IncomingCallDialog(call, m_accountName(accountId), window());
    dialog->show();
    dialog->raise();
    emit status(tr("%1 calls %2").arg(call->remoteParty(), m_accountName(accountId)));
}

void CallList::ended(const QString &accountId, Call *call)
{
    emit status(tr("Call with %1 on %2 ended: %3").arg(call->remoteParty(), m_accountName(accountId), CallSummary::endText(call->end())));
    // Ended calls stay for a look at their figures; the oldest go past a few.
    int kept = 0;
    for (CallPanel *p : QList<CallPanel *>(m_panels))
        if (p->isEnded() && p->call() != call && ++kept >= kKeepEnded)
            removePanel(p);
}

void CallList::removePanel(CallPanel *panel)
{
    m_panels.removeOne(panel);
    panel->deleteLater();
    m_noCalls->setVisible(m_panels.isEmpty());
    updateDialPadMode();
}

Call *CallList::activeCall() const
{
    for (CallPanel *p : m_panels)
        if (Call *c = p->call(); c && (c->state() == Call::State::Active || c->state() == Call::State::RemoteHeld))
            return c;
    return nullptr;
}

void CallList::updateDialPadMode() { m_dialPad->setInCall(activeCall() != nullptr); }

void CallList::sendDtmf(QChar digit, std::optional<phone::DtmfMode> mode)
{
    Call *call = activeCall();
    if (!call)
        return;
    const auto sent = call->sendDtmf(QString(digit), mode);
    if (!sent)
        emit status(sent.error());
    else
        emit status(tr("DTMF %1 sent as %2").arg(digit).arg(QString::fromLatin1(dtmf::modeName(*sent))));
}

} // namespace ds::ui
