#pragma once
// DigestServer: the server side of digest authentication (RFC 3261 22.4, RFC 7616, RFC 8760):
// challenges with stateless nonces that expire, and verification of credentials with a bounded
// memory of nonce counts against replay. Main thread (it uses the Clock of the SIP stack).

#include "clock.h"
#include "digest.h"
#include "message.h"

#include <QByteArray>
#include <QHash>
#include <QList>
#include <QString>

#include <cstdint>
#include <list>

namespace ds::sip {

class DigestServer {
public:
    static constexpr qint64 kDefaultNonceLifetimeMs = 300'000; // RFC 7616 3.3 leaves it to the server
    static constexpr qsizetype kMaxCredentialsSize = 4096; // one Authorization value, bytes
    static constexpr int kMaxCredentialHeaders = 8; // Authorization headers looked at per request
    static constexpr int kMaxParams = 32; // directives in one credentials value
    static constexpr qsizetype kMaxParamSize = 1024; // one directive's value, bytes
    static constexpr int kMaxRecentNonces = 4096; // nonces whose last nonce-count is remembered

    struct Options {
        QByteArray realm;
        // Offered in this order, one challenge each: RFC 8760 2.4 puts the preferred first.
        QList<DigestAlgorithm> algorithms {DigestAlgorithm::Sha256, DigestAlgorithm::Md5};
        qint64 nonceLifetimeMs = kDefaultNonceLifetimeMs;
    };

    // Which check decided: Ok, or the first that failed.
    enum class Check {
        Ok,
        Missing, // no credentials for our realm at all: the first request of a client
        Malformed, // the Authorization value does not parse, is too large or repeats a directive
        Scheme, // not "Digest"
        Realm,
        Username,
        Nonce, // not a nonce we issued (or tampered with)
        Opaque,
        Algorithm, // not among those offered
        Uri, // differs from the Request-URI
        Qop, // qop, nc or cnonce missing or invalid
        Response, // the digest does not match: wrong password
        Stale, // right credentials, but the nonce is too old or forgotten: challenge with stale=true
        Replay, // a nonce-count not above the last one accepted for this nonce
    };

    struct Verdict {
        Check check = Check::Missing;
        QString explanation; // one sentence for logs; never the password nor HA1
        DigestAlgorithm algorithm = DigestAlgorithm::Md5;
        QByteArray username;
        std::uint32_t nc = 0;
        bool ok() const { return check == Check::Ok; }
    };

    DigestServer(Clock &clock, Options options);

    const Options &options() const { return m_options; }
    // Changes what later challenges offer and credentials may use (not empty); issued nonces stay valid.
    void setAlgorithms(QList<DigestAlgorithm> algorithms);

    // One challenge value per algorithm offered, each with a fresh nonce.
    QList<QByteArray> challenges(bool stale = false) const;
    // The same as complete header lines for makeResponse(): "WWW-Authenticate: Digest ...\r\n".
    QByteArray challengeHeaders(bool stale = false, HeaderId header = HeaderId::WwwAuthenticate) const;

    // Checks the credentials of a request (Authorization, or Proxy-Authorization for a proxy) for
    // one user and password. An accepted nonce-count is remembered so it cannot be replayed.
    Verdict verify(const Message &request, QByteArrayView username, QByteArrayView password, HeaderId header = HeaderId::Authorization);

    // A short name for a check, for logs and tests: "ok", "wrong-password", "stale-nonce"...
    static QString checkName(Check c);

private:
    enum class NonceState { Valid, Stale, Invalid };
    QByteArray newNonce() const;
    NonceState checkNonce(QByteArrayView nonce) const;
    QByteArray mac(QByteArrayView data) const;
    // The last nonce-count accepted for a nonce, 0 when not remembered.
    std::uint32_t lastCount(const QByteArray &nonce) const;
    void remember(const QByteArray &nonce, std::uint32_t nc);

    Clock &m_clock;
    Options m_options;
    QByteArray m_secret; // random per instance: nonces of another instance are not ours
    QByteArray m_opaque;
    // LRU of nonces in use: front is the most recent.
    std::list<std::pair<QByteArray, std::uint32_t>> m_recent;
    QHash<QByteArray, std::list<std::pair<QByteArray, std::uint32_t>>::iterator> m_recentIndex;
};

} // namespace ds::sip
