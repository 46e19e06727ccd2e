#pragma once
// DemoRegistrar: the registrar of the built-in demo peer (RFC 3261 10.3) — digest-authenticated bindings of the one user `demo`. Main thread.

#include "sip/clock.h"
#include "sip/digest_server.h"
#include "sip/message.h"
#include "sip/server_transaction.h"
#include "sip/transport.h"

#include <QByteArray>
#include <QList>
#include <QObject>
#include <QString>

#include <cstdint>
#include <optional>

namespace ds::demo {

class DemoRegistrar final : public QObject {
    Q_OBJECT
public:
    static constexpr QByteArrayView kUser = "demo";
    static constexpr QByteArrayView kDefaultRealm = "dialscope-demo";
    static constexpr int kMinExpires = 30; // below it (and not 0): 423 with Min-Expires
    static constexpr int kMaxExpires = 3600; // longer requests are granted this much
    static constexpr int kMaxBindings = 16; // beyond it the oldest binding goes
    static constexpr int kMaxContacts = 32; // Contact values in one REGISTER

    struct Binding {
        QByteArray contact; // the Contact URI, as registered
        QByteArray instance; // +sip.instance (RFC 5626), empty when none
        QByteArray callId;
        std::uint32_t cseq = 0;
        qint64 expiresAtMs = 0; // Clock time
        qint64 registeredAtMs = 0; // Clock time of the first registration of this binding
        qint64 updatedAtMs = 0; // Clock time of its last registration or refresh
        sip::Endpoint source; // where the REGISTER came from
    };

    // The password is used for digest checks only: never logged nor shown.
    DemoRegistrar(sip::Clock &clock, QByteArray password, QByteArray realm = kDefaultRealm.toByteArray(), QObject *parent = nullptr);
    ~DemoRegistrar() override;

    // Answers a REGISTER on its server transaction; false (nothing sent) for any other method.
    bool handle(const sip::Message &request, sip::ServerTransaction *transaction);

    QList<Binding> bindings() const { return m_bindings; }
    // Where to reach a registered user: the source of its most recent binding (the address the
    // REGISTER came from, right through NAT), nullopt when the user has none.
    std::optional<sip::Endpoint> contactFor(QByteArrayView user) const;
    // Why the last REGISTER was refused (not counting the first challenge), empty when none was.
    QString lastFailure() const { return m_lastFailure; }
    // The digest algorithms offered, in order (default SHA-256 then MD5, RFC 8760 2.4). Clients that
    // give up on the first challenge they cannot answer (SIPp 3.6, baresip 1.0) need MD5 alone.
    void setAlgorithms(QList<sip::DigestAlgorithm> algorithms) { m_digest.setAlgorithms(std::move(algorithms)); }
    QList<sip::DigestAlgorithm> algorithms() const { return m_digest.options().algorithms; }
    const QByteArray &realm() const { return m_realm; }

signals:
    void bindingsChanged();
    // A REGISTER was refused: one sentence for logs and the command line, without the password.
    void refused(const QString &explanation);

private:
    struct Refusal {
        int code = 400;
        QByteArray reason;
        QString explanation;
        QByteArray extraHeaders;
    };
    void respond(const sip::Message &request, sip::ServerTransaction *transaction, int code, QByteArrayView reason, const QByteArray &extra = {});
    void refuse(const sip::Message &request, sip::ServerTransaction *transaction, const Refusal &r);
    // RFC 3261 10.3 steps 6-7: the bindings after this request, or why it fails.
    std::optional<Refusal> apply(const sip::Message &request, const sip::Endpoint &source, QList<Binding> &bindings) const;
    QByteArray okHeaders() const;
    void removeExpired();
    void scheduleExpiry();

    sip::Clock &m_clock;
    QByteArray m_password;
    QByteArray m_realm;
    sip::DigestServer m_digest;
    QList<Binding> m_bindings; // oldest first
    QString m_lastFailure;
    sip::Clock::TimerId m_expiryTimer = 0;
    qint64 m_expiryAt = 0;
};

} // namespace ds::demo
