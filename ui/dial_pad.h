#pragma once
// DialPad: where a call starts — the address to call (completed from the targets dialled before),
// twelve digit keys, the account to call from (only registered ones) and the Call button.

#include <QList>
#include <QWidget>

class QComboBox;
class QCompleter;
class QLineEdit;
class QPushButton;
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

public slots:
    // Emits dialRequested for the field's target from the chosen account, when both are there.
    void call();

signals:
    void dialRequested(const QString &accountId, const QString &target);

private:
    void appendDigit(QChar digit);
    void remember(const QString &target);
    void updateCallButton();

    QString m_settingsFile;
    QLineEdit *m_target;
    QStringListModel *m_history;
    QCompleter *m_completer;
    QComboBox *m_account;
    QPushButton *m_call;
};

} // namespace ds::ui
