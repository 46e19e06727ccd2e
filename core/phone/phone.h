#pragma once
// Phone: the facade ui/ and app/ drive — the accounts, each with its SIP stack and
// registration, and one stream of events (state changes, trace, findings) about all of them.

#include "account.h"
#include "call_center.h"
#include "registration.h"
#include "user_agent.h"

#include <QObject>

#include <memory>
#include <vector>

namespace ds::phone {

class Phone final : public QObject {
    Q_OBJECT
public:
    explicit Phone(QObject *parent = nullptr);
    ~Phone() override;

    // Options every account's stack uses (bind address, TLS trust, timers).
    void setAgentOptions(AgentOptions options) { m_options = std::move(options); }

    // Adds or replaces an account (by id); a replaced account is unregistered first.
    void setAccount(const Account &account, const QByteArray &password);
    void removeAccount(const QString &id);
    QList<Account> accounts() const;

    void registerAccount(const QString &id);
    void unregisterAccount(const QString &id);
    // The account's registration, or nullptr before the first register.
    const Registration *registration(const QString &id) const;

    // Calls. dial() needs the account registered (its stack running).
    void setCallSettings(const CallSettings &settings);
    const CallSettings &callSettings() const { return m_callSettings; }
    std::expected<Call *, QString> dial(const QString &accountId, const QString &target);
    QList<Call *> calls() const;
    media::MediaEngine &mediaEngine();

signals:
    void registrationChanged(const QString &accountId, ds::phone::Registration::State state, int status, int expires);
    void registrationFinished(const QString &accountId, const ds::phone::Diagnosis &diagnosis);
    void traced(const QString &accountId, const ds::sip::TraceEvent &event);
    void wire(const QString &accountId, const ds::sip::WireEvent &event);
    void tlsKeyLogLine(const QString &accountId, const QByteArray &line);
    void finding(const QString &accountId, const QString &severity, const QString &text);
    void authComputed(const QString &accountId, const ds::sip::AuthExplanation &explanation);
    void callAdded(const QString &accountId, ds::phone::Call *call);
    void incomingCall(const QString &accountId, ds::phone::Call *call);
    void callEnded(const QString &accountId, ds::phone::Call *call); // deleted soon after

private:
    struct Entry {
        Account account;
        QByteArray password;
        std::unique_ptr<UserAgent> agent;
        std::unique_ptr<Registration> registration;
        std::unique_ptr<CallCenter> calls; // destroyed first: hangs up over the stack
    };
    Entry *find(const QString &id);
    const Entry *find(const QString &id) const;
    void ensureStack(Entry &e);
    CallSettings settingsFor(const Account &account) const; // the common settings with the account's own (DTMF mode)
    void retire(Entry &e);

    sip::SystemClock m_clock;
    std::unique_ptr<media::MediaEngine> m_media; // the media thread, started with the first call
    CallSettings m_callSettings;
    AgentOptions m_options;
    std::vector<std::unique_ptr<Entry>> m_entries;
    std::vector<std::unique_ptr<Entry>> m_retiring; // unregistering on their way out
};

} // namespace ds::phone
