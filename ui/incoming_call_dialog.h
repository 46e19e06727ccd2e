#pragma once
// IncomingCallDialog: the window that rings for one incoming call — who calls, on which account,
// Answer / Busy (486) / Decline (603) — and goes away by itself once the call is answered
// elsewhere, cancelled by the caller or ended.

#include <QDialog>
#include <QPointer>

class QLabel;
class QPushButton;
class QSystemTrayIcon;
class QThread;

namespace ds::phone {
class Call;
}

namespace ds::ui {

class IncomingCallDialog final : public QDialog {
    Q_OBJECT
public:
    // Non-modal and deleted on close. Shows a tray notification too when a system tray exists.
    IncomingCallDialog(ds::phone::Call *call, const QString &accountName, QWidget *parent = nullptr);
    ~IncomingCallDialog() override;

    ds::phone::Call *call() const; // null once the call is gone
    // What the notification said; empty when no tray was available.
    QString notification() const { return m_notification; }
    bool isRinging() const { return m_ringThread != nullptr; }

private:
    void answer();
    void reject(int status);
    void followCall();
    void startRingtone();
    void stopRingtone();

    QPointer<ds::phone::Call> m_call;
    QThread *m_ringThread = nullptr; // the ringtone on the speaker, when calls use the sound card
    QLabel *m_caller;
    QLabel *m_account;
    QPushButton *m_answer;
    QPushButton *m_busy;
    QPushButton *m_decline;
    QSystemTrayIcon *m_tray = nullptr;
    QString m_notification;
};

} // namespace ds::ui
