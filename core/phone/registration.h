#pragma once
// Registration: keeps one account registered (RFC 3261 10.2): REGISTER with digest
// authentication, 423 Min-Expires retry, refresh before expiry, NAT detection from
// received/rport (RFC 3581), unregistration — and a diagnosis of every outcome.

#include "outcome.h"
#include "user_agent.h"

#include "sip/authenticator.h"

#include <QDateTime>
#include <QObject>

namespace ds::phone {

// Who registers, when it is not the agent's own account: a registration test shares one agent
// (one socket) among thousands of identities.
struct RegIdentity {
    QString user;
    QString authUser; // empty: user
    QString domain; // empty: the agent's domain; else the server is an outbound proxy
    QString displayName;
};

// When the attempt's steps happened, in steady-clock nanoseconds (0: not reached).
struct RegTiming {
    qint64 startedNs = 0; // first REGISTER handed to the transaction layer
    qint64 challengedNs = 0; // first 401/407 received
    qint64 finishedNs = 0; // final outcome
};

class Registration final : public QObject {
    Q_OBJECT
public:
    enum class State { Idle, Registering, Registered, Unregistering, Unregistered, Failed };
    Q_ENUM(State)

    Registration(UserAgent &agent, QByteArray password, QObject *parent = nullptr);
    Registration(UserAgent &agent, RegIdentity identity, QByteArray password, QObject *parent = nullptr);
    ~Registration() override;

    void registerNow();
    void unregister();
    // Stops everything under way (the transaction, the refresh) without a word: the owner is done
    // with this registration (a registration test's finished attempt).
    void cancel();

    State state() const { return m_state; }
    int requestedExpires() const { return m_requestedExpires; }
    int grantedExpires() const { return m_grantedExpires; }
    // Clock time (ms) of the next refresh, 0 when none is planned.
    qint64 nextRefreshAt() const { return m_refreshAt; }
    // The same as a wall-clock time, invalid when no refresh is planned.
    QDateTime nextRefreshTime() const;
    // Seconds after the 200 OK at which the refresh is planned.
    int refreshDelay() const { return m_refreshDelay; }
    const Diagnosis &lastDiagnosis() const { return m_diagnosis; }
    QByteArray contact() const { return m_contactUri; }
    // Our address as the registrar saw it (Via received/rport), when it differs from Contact.
    QString publicAddress() const { return m_publicAddress; }
    QByteArray instanceId() const { return m_instance; }
    QByteArray callId() const { return m_callId; }
    const RegIdentity &identity() const { return m_identity; }
    QString domain() const; // the AOR domain
    // The times of the last registerNow() / unregister() attempt.
    const RegTiming &timing() const { return m_timing; }

    // When to refresh a binding granted for `expires` seconds.
    static int refreshDelayFor(int expires);
    // Seconds to wait before retry number `attempt` (1, 2...) after a failure: 30 s doubling
    // up to 10 minutes, as phones do so as not to hammer a registrar that is down.
    static int retryDelayFor(int attempt);

    // Keep trying after network, timeout and server failures (a phone's behaviour; the CLI's
    // one-shot test leaves it off). Credential and policy refusals are never retried.
    void setAutoRetry(bool on) { m_autoRetry = on; }

signals:
    void stateChanged(ds::phone::Registration::State state, int status, int expires);
    void finished(const ds::phone::Diagnosis &diagnosis);
    void authComputed(const ds::sip::AuthExplanation &explanation);
    // A finding in plain words: NAT detected, refresh planned, Min-Expires raised...
    void finding(const QString &severity, const QString &text);

private:
    void send(bool withCredentials);
    QByteArray buildRequest(int expires, const QList<QPair<QByteArray, QByteArray>> &auth) const;
    void onResponse(const sip::Message &response);
    void onSuccess(const sip::Message &response);
    void fail(Diagnosis d);
    void setState(State s, int status);
    void scheduleRefresh();
    void cancelRefresh();
    void updateContact();
    ResponseContext context(const sip::Message &response) const;

    UserAgent &m_agent;
    RegIdentity m_identity;
    sip::Authenticator m_auth;
    RegTiming m_timing;
    State m_state = State::Idle;
    bool m_unregistering = false;
    QByteArray m_callId;
    QByteArray m_fromTag;
    QByteArray m_instance;
    QByteArray m_viaHost; // our host:port toward the server, for Via
    QByteArray m_contactHost; // host:port used in Contact
    QByteArray m_contactUri;
    QString m_publicAddress;
    bool m_natRetried = false;
    std::uint32_t m_cseq = 0;
    int m_requestedExpires = 3600;
    int m_grantedExpires = 0;
    int m_refreshDelay = 0;
    int m_minExpiresRetries = 0;
    bool m_credentialsSent = false;
    qint64 m_refreshAt = 0;
    bool m_autoRetry = false;
    int m_retryAttempt = 0;
    sip::Clock::TimerId m_refreshTimer = 0;
    sip::ClientTransaction *m_transaction = nullptr;
    Diagnosis m_diagnosis;
};

} // namespace ds::phone
