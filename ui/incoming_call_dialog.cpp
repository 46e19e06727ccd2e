#include "incoming_call_dialog.h"

#include "icons.h"

#include "audio_check.h"

#include "phone/call.h"

#include <QApplication>
#include <QDialogButtonBox>
#include <QLabel>
#include <QPushButton>
#include <QStyle>
#include <QSystemTrayIcon>
#include <QThread>
#include <QTimer>
#include <QVBoxLayout>

namespace ds::ui {

using phone::Call;

IncomingCallDialog::IncomingCallDialog(Call *call, const QString &accountName, QWidget *parent)
    : QDialog(parent)
    , m_call(call)
{
    setObjectName(QStringLiteral("incomingCallDialog"));
    setAttribute(Qt::WA_DeleteOnClose);
    setModal(false);
    const QString caller = call->remoteParty();
    setWindowTitle(tr("Incoming call from %1").arg(caller));

    m_caller = new QLabel(this);
    m_caller->setObjectName(QStringLiteral("incomingCaller"));
    m_caller->setTextFormat(Qt::PlainText);
    m_caller->setText(caller);
    QFont big = m_caller->font();
    big.setPointSizeF(big.pointSizeF() * 1.4);
    big.setBold(true);
    m_caller->setFont(big);
    m_caller->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_account = new QLabel(tr("calls %1").arg(accountName), this);
    m_account->setObjectName(QStringLiteral("incomingAccount"));

    m_answer = new QPushButton(icon(u"call-start"), tr("&Answer"), this);
    m_answer->setObjectName(QStringLiteral("answerButton"));
    m_busy = new QPushButton(tr("&Busy"), this);
    m_busy->setObjectName(QStringLiteral("rejectButton"));
    m_busy->setToolTip(tr("Refuse with 486 Busy Here: the caller may be sent to voicemail"));
    m_decline = new QPushButton(icon(u"call-stop"), tr("&Decline"), this);
    m_decline->setObjectName(QStringLiteral("declineButton"));
    m_decline->setToolTip(tr("Refuse with 603 Decline: the call is not wanted anywhere"));
    auto *buttons = new QDialogButtonBox(this);
    buttons->addButton(m_answer, QDialogButtonBox::AcceptRole);
    buttons->addButton(m_busy, QDialogButtonBox::RejectRole);
    buttons->addButton(m_decline, QDialogButtonBox::DestructiveRole);
    m_answer->setDefault(true);

    auto *layout = new QVBoxLayout(this);
    layout->addWidget(m_caller);
    layout->addWidget(m_account);
    layout->addSpacing(8);
    layout->addWidget(buttons);

    connect(m_answer, &QPushButton::clicked, this, &IncomingCallDialog::answer);
    connect(m_busy, &QPushButton::clicked, this, [this] { reject(486); });
    connect(m_decline, &QPushButton::clicked, this, [this] { reject(603); });
    // Answered elsewhere (auto-answer, the call panel), cancelled by the caller, or gone.
    connect(call, &Call::stateChanged, this, &IncomingCallDialog::followCall);
    connect(call, &Call::ended, this, &IncomingCallDialog::close);
    connect(call, &QObject::destroyed, this, &IncomingCallDialog::close);

    // A window alone is easy to miss behind others: a tray notification where there is a tray.
    if (QSystemTrayIcon::isSystemTrayAvailable()) {
        m_tray = new QSystemTrayIcon(windowIcon().isNull() ? style()->standardIcon(QStyle::SP_MessageBoxInformation) : windowIcon(), this);
        m_tray->setToolTip(windowTitle());
        m_tray->show();
        m_notification = tr("%1 calls %2").arg(caller, accountName);
        m_tray->showMessage(tr("Incoming call"), m_notification, QSystemTrayIcon::Information, 30000);
        connect(m_tray, &QSystemTrayIcon::messageClicked, this, [this] {
            show();
            raise();
            activateWindow();
        });
    }
    QApplication::alert(this);
    startRingtone();
    QTimer::singleShot(0, this, &IncomingCallDialog::followCall); // already answered by the time it shows
}

IncomingCallDialog::~IncomingCallDialog()
{
    stopRingtone();
    if (m_tray)
        m_tray->hide();
}

void IncomingCallDialog::startRingtone()
{
    // A generated ring on the speaker the calls use; nothing when calls use files or tones.
    const phone::AudioSettings &audio = m_call->settings().audio;
    if (!audio.soundCard)
        return;
    m_ringThread = new QThread(this);
    m_ringThread->setObjectName(QStringLiteral("ringtone"));
    auto *ring = new AudioCheck(AudioCheck::Mode::Ringtone, audio.outputDevice);
    ring->moveToThread(m_ringThread);
    connect(m_ringThread, &QThread::started, ring, &AudioCheck::start);
    connect(m_ringThread, &QThread::finished, ring, &QObject::deleteLater);
    m_ringThread->start();
}

void IncomingCallDialog::stopRingtone()
{
    if (!m_ringThread)
        return;
    m_ringThread->quit();
    m_ringThread->wait(); // the stream closes on its thread as it finishes
    delete m_ringThread;
    m_ringThread = nullptr;
}

Call *IncomingCallDialog::call() const { return m_call; }

void IncomingCallDialog::answer()
{
    if (m_call)
        m_call->answer();
    stopRingtone();
    close();
}

void IncomingCallDialog::reject(int status)
{
    if (m_call)
        m_call->reject(status);
    stopRingtone();
    close();
}

void IncomingCallDialog::followCall()
{
    if (!m_call || m_call->state() != Call::State::Incoming) {
        stopRingtone();
        close();
    }
}

} // namespace ds::ui
