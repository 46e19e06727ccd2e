#pragma once
// Authenticator: answers 401/407 digest challenges for one set of credentials and keeps the
// per-realm state between requests (nonce, nc, cnonce, opaque), recognising stale nonces and
// credential failures so a client never retries a wrong password in a loop (RFC 3261 22.2-22.3,
// RFC 7616).

#include "digest.h"
#include "message.h"

#include <QList>
#include <QMetaType>
#include <QString>

namespace ds::sip {

// What one computed Authorization shows to a person: every input, password masked, and HA1
// (a password equivalent) cut to its first 8 hex digits.
struct AuthExplanation {
    QByteArray headerName; // "Authorization" or "Proxy-Authorization"
    QByteArray algorithm;
    QByteArray realm;
    QByteArray qop;
    QByteArray nonce;
    QByteArray cnonce;
    QByteArray opaque;
    QByteArray username;
    QByteArray method;
    QByteArray uri;
    bool stale = false; // answering a stale=true challenge
    DigestResult digest;
};

class Authenticator {
public:
    enum class Verdict {
        Answered, // credentials computed; resend the request with them
        WrongCredentials, // credentials for this realm were already sent and refused
        Unsupported, // no challenge we can answer (algorithm, scheme)
        Malformed, // the challenge header could not be parsed
    };

    struct Result {
        Verdict verdict = Verdict::Malformed;
        QString reason; // a sentence for Unsupported / Malformed / WrongCredentials
    };

    Authenticator() = default;
    Authenticator(QByteArray username, QByteArray password)
        : m_username(std::move(username))
        , m_password(std::move(password))
    {
    }

    // Reads the challenges of a 401 or 407 to a request with this method and URI.
    Result onChallenge(const Message &response);

    // Authorization headers for a request (pre-emptive, after a challenge was answered): each
    // call increments the nonce count. Fills explanations when given.
    QList<QPair<QByteArray, QByteArray>> authorize(
        QByteArrayView method, QByteArrayView uri, QByteArrayView body, QList<AuthExplanation> *explanations = nullptr);

    // The request carrying credentials succeeded: a later challenge is answered afresh.
    void onSuccess();
    bool hasCredentials() const { return !m_realms.isEmpty(); }
    bool hasPassword() const { return !m_password.isEmpty(); }

    // For tests: fixes the cnonce instead of drawing a random one.
    void setCnonceForTesting(QByteArray cnonce) { m_fixedCnonce = std::move(cnonce); }

private:
    struct RealmState {
        bool proxy = false;
        DigestAlgorithm algorithm = DigestAlgorithm::Md5;
        QByteArray realm;
        QByteArray nonce;
        QByteArray opaque;
        QByteArray qop;
        QByteArray cnonce;
        std::uint32_t nc = 0;
        bool credentialsSent = false; // sent since the last success or fresh challenge
        bool staleAnswered = false;
        bool stale = false;
        bool provenGood = false; // these credentials were accepted with an earlier nonce
    };
    QByteArray newCnonce() const;

    QByteArray m_username;
    QByteArray m_password;
    QByteArray m_fixedCnonce;
    QList<RealmState> m_realms;
};

} // namespace ds::sip

Q_DECLARE_METATYPE(ds::sip::AuthExplanation)
