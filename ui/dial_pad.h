#pragma once
// DialPad: where a call starts — the address to call (completed from the targets dialled before),
// sixteen digit keys, the account to call from (only registered ones) and the Call button; during a
// call the keys send DTMF in the mode chosen next to them.

#include "phone/call_settings.h"

#include <QList>
#include <QWidget>

class QComboBox;
class QCompleter;
class QLineEdit;
class QPushButton;
class QToolButton;
class QStringListModel;

namespace ds::ui {

class DialPad final : public QWidget {
    Q_OBJECT
public:
    // One account the dial pad offers; only registered ones can be chosen.
    struct AccountChoice {
        QString id;
        QString name;
        bool registered = false;
    };
    static constexpr int kMaxHistory = 50;

    // settingsFile: the INI file holding "history/dialled"; empty: the application's QSettings.
    explicit DialPad(const QString &settingsFile = {}, QWidget *parent = nullptr);

    // Replaces the account list, keeping the current choice when it is still registered.
    void setAccounts(const QList<AccountChoice> &accounts);
    QString currentAccountId() const; // empty when no registered account is chosen
    QString target() const;
    void setTarget(const QString &target);
    // Most recent first.
    QStringList history() const;
    // In a call the keys (and typed digits) send DTMF instead of editing the address.
    void setInCall(bool inCall);
    bool inCall() const { return m_inCall; }
    // The mode the keys send in; nullopt: the account's own (its settings).
    std::optional<ds::phone::DtmfMode> dtmfMode() const;
    void setDtmfMode(std::optional<ds::phone::DtmfMode> mode);

public slots:
    // Emits dialRequested for the field's target from the chosen account, when both are there.
    void call();

signals:
    void dialRequested(const QString &accountId, const QString &target);
    void dtmfRequested(QChar digit, std::optional<ds::phone::DtmfMode> mode);

private:
    void keyPressed(QChar digit);
    void keyPressEvent(QKeyEvent *event) override;
    bool eventFilter(QObject *watched, QEvent *event) override;
    bool takeDtmfKey(QKeyEvent *event); // in a call: a typed key sent as DTMF
    void remember(const QString &target);
    void updateCallButton();

    QString m_settingsFile;
    QLineEdit *m_target;
    QStringListModel *m_history;
    QCompleter *m_completer;
    QComboBox *m_account;
    QPushButton *m_call;
    QComboBox *m_dtmfMode;
    QList<QToolButton *> m_keys;
    bool m_inCall = false;
};

} // namespace ds::ui
