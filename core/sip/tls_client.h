#pragma once
// TlsClient: the client side of one TLS 1.2 or 1.3 connection (RFC 5246, RFC 8446) as a state
// machine over memory: the caller carries the ciphertext to and from its socket, so it sees the
// exact records on the wire and the session secrets (NSS key log lines). No sockets, no timers.
// Verifies the server like a browser: trusted chain, names the server (RFC 6125), TLS 1.2 at least.

#include <QByteArray>
#include <QList>
#include <QString>
#include <QStringList>

#include <expected>
#include <memory>

struct bio_st;
struct ssl_st;
struct ssl_ctx_st;
struct x509_store_ctx_st;

namespace ds::sip {

struct TlsClientOptions {
    QByteArray caPem; // PEM certificates trusted instead of the system store; empty: the system store
    bool insecure = false; // complete the handshake whatever the certificate; the problems become warnings()
    QString serverName; // host name (also sent as SNI, RFC 6066 3) or IP address the certificate must name
};

class TlsClient {
public:
    enum class State { Idle, Handshaking, Established, Closed, Failed };
    // Bytes received but not yet handed out (ciphertext in OpenSSL plus plaintext not taken):
    // a peer that sends more is cut off rather than allowed to grow memory.
    static constexpr qsizetype kMaxPending = 1024 * 1024;

    static std::expected<std::unique_ptr<TlsClient>, QString> create(const TlsClientOptions &options);
    ~TlsClient();
    TlsClient(const TlsClient &) = delete;
    TlsClient &operator=(const TlsClient &) = delete;

    // Starts the handshake: the ClientHello is then in takeOutgoing().
    std::expected<void, QString> start();
    // Ciphertext from the network: advances the handshake and decrypts application data into
    // takePlaintext(). An error (the sentence in errorString()) ends the connection; an alert for
    // the server may then wait in takeOutgoing().
    std::expected<void, QString> receive(QByteArrayView ciphertext);
    // Encrypts application data into takeOutgoing(); only once Established.
    std::expected<void, QString> send(QByteArrayView plaintext);
    // Queues close_notify (RFC 8446 6.1) in takeOutgoing(), best effort; the state becomes Closed.
    void shutdown();

    QByteArray takeOutgoing(); // ciphertext to write to the network, in order
    QByteArray takePlaintext(); // decrypted application data, in order
    // NSS key log lines ("CLIENT_RANDOM <hex> <hex>", TLS 1.3 traffic secrets), without newline,
    // as the handshake derives them. They decrypt the session: keep them as secret as a password.
    QList<QByteArray> takeKeyLogLines();

    State state() const { return m_state; }
    QString errorString() const { return m_error; }
    // The certificate problems the handshake went through because insecure was set.
    QStringList warnings() const { return m_warnings; }
    // "TLSv1.3 TLS_AES_256_GCM_SHA384" once established, empty before.
    QString summary() const;

private:
    explicit TlsClient(const TlsClientOptions &options);
    std::expected<void, QString> setUp();
    std::expected<void, QString> fail(QString error);
    std::expected<void, QString> readApplicationData();
    QString handshakeError();
    qsizetype pendingInput() const;

    static int verifyEach(int ok, x509_store_ctx_st *store);
    static int verifyChain(x509_store_ctx_st *store, void *arg);
    static void keyLog(const ssl_st *ssl, const char *line);

    struct Free {
        void operator()(ssl_st *ssl) const;
        void operator()(ssl_ctx_st *ctx) const;
    };

    TlsClientOptions m_options;
    std::unique_ptr<ssl_ctx_st, Free> m_ctx;
    std::unique_ptr<ssl_st, Free> m_ssl;
    bio_st *m_in = nullptr; // network -> OpenSSL (owned by m_ssl)
    bio_st *m_out = nullptr; // OpenSSL -> network (owned by m_ssl)
    State m_state = State::Idle;
    QString m_error;
    QStringList m_problems; // certificate problems found by the last verification
    int m_firstError = 0; // X509_V_OK
    QStringList m_warnings;
    QByteArray m_plain;
    QList<QByteArray> m_keyLog;
};

} // namespace ds::sip
