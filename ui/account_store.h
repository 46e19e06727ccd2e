#pragma once
// AccountStore: keeps the configured accounts in QSettings and their passwords in the system
// keychain (QtKeychain) — or, when no keychain service works, in memory for this session only.
// Settings never hold a password.

#include "phone/account.h"

#include <QHash>
#include <QObject>
#include <QSet>

class QSettings;
namespace QKeychain {
class Job;
}

namespace ds::ui {

class AccountStore final : public QObject {
    Q_OBJECT
public:
    enum class KeychainMode {
        Auto, // use the system keychain when one answers
        Disabled, // session-only passwords (tests, --no-keychain)
    };

    struct Options {
        QString settingsPath; // INI file; empty: the application's QSettings
        QString keychainService = QStringLiteral("dialscope"); // the keychain's service name
        KeychainMode keychain = KeychainMode::Auto;
    };

    explicit AccountStore(QObject *parent = nullptr);
    explicit AccountStore(Options options, QObject *parent = nullptr);
    ~AccountStore() override;

    QList<ds::phone::Account> accounts() const { return m_accounts; }
    std::optional<ds::phone::Account> account(const QString &id) const;

    // Adds or replaces the account (an empty id gets a new one) and returns its id. A password
    // of std::nullopt keeps the one stored.
    QString save(ds::phone::Account account, std::optional<QByteArray> password);
    void remove(const QString &id);

    // The password as far as known now (empty until the keychain has answered).
    QByteArray password(const QString &id) const { return m_passwords.value(id); }
    // The keychain has not answered yet for this account.
    bool passwordPending(const QString &id) const { return m_pendingReads.contains(id); }

    // True once a keychain answered; false before the probe finished and when none works.
    bool keychainAvailable() const { return m_keychain == Keychain::Available; }
    // The probe has finished (either way).
    bool keychainChecked() const { return m_keychain != Keychain::Probing; }
    QString settingsFileName() const;

    static QString newId();

signals:
    void keychainAvailabilityChanged(bool available);
    // The keychain answered for this account (the password may be empty: none stored).
    void passwordLoaded(const QString &id);
    // A keychain operation failed for a reason other than a missing backend.
    void keychainError(const QString &message);

private:
    enum class Keychain { Probing, Available, Unavailable };
    void load();
    void writeAccount(const ds::phone::Account &a);
    void writeOrder();
    void probeKeychain();
    void setKeychain(Keychain state);
    void readPassword(const QString &id);
    void writePassword(const QString &id);
    void deletePassword(const QString &id);
    // True when the job failed because no keychain backend works (then the store goes session-only).
    bool backendMissing(const QKeychain::Job *job);

    Options m_options;
    QSettings *m_settings = nullptr;
    QList<ds::phone::Account> m_accounts;
    QHash<QString, QByteArray> m_passwords; // this session's copy; never written to settings
    QSet<QString> m_pendingReads;
    QSet<QString> m_pendingWrites; // saved while the probe was running
    QSet<QString> m_pendingDeletes;
    Keychain m_keychain = Keychain::Probing;
};

} // namespace ds::ui
