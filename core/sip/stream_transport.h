#pragma once
// StreamTransport: one outgoing TCP or TLS connection to a server (RFC 3261 18; RFC 5246 and
// RFC 8446 via TlsClient over the TCP socket), as a softphone keeps to its registrar. TLS verifies
// the server certificate against the system store by default, or a private CA; skipping
// verification is explicit. Shows the exact bytes on the wire and, for TLS, the session keys.
// A peer cannot hold it: the connection (TLS handshake included) must be up within a deadline,
// a message that has begun must end within another, and one may not exceed the framer's limit.

#include "stream_framer.h"
#include "tls_client.h"
#include "transport.h"

#include <QList>
#include <QSslCertificate>
#include <QTcpSocket>
#include <QTimer>

#include <chrono>

#include <memory>

namespace ds::sip {

struct TlsOptions {
    QList<QSslCertificate> caCertificates; // replaces the system store when not empty
    bool insecure = false; // skip certificate verification (the problems are still reported by tlsWarning)
    QString peerName; // name to verify; the server host by default
};

class StreamTransport final : public Transport {
    Q_OBJECT
public:
    // The most bytes that may wait to go out (queued until the connection is up, or not yet taken
    // by the kernel from a peer that does not read): beyond, the connection fails instead of growing.
    static constexpr qsizetype kMaxUnsent = 1024 * 1024;
    // RFC 3261 Timer B/F (64*T1): how long connecting may take, and how long a message that has
    // begun to arrive may take to end (a peer sending endless or stalled headers is cut off).
    static constexpr std::chrono::milliseconds kDefaultTimeout {32000};

    StreamTransport(TransportKind kind, QObject *parent = nullptr);
    ~StreamTransport() override;
    void setTlsOptions(TlsOptions options) { m_tls = std::move(options); }
    void setBindAddress(const QHostAddress &address, quint16 port)
    {
        m_bindAddress = address;
        m_bindPort = port;
    }
    void setTimeouts(std::chrono::milliseconds connect, std::chrono::milliseconds message)
    {
        m_connectTimer.setInterval(connect);
        m_messageTimer.setInterval(message);
    }
    TransportKind kind() const override { return m_kind; }
    Endpoint localEndpoint() const override;
    void send(const QByteArray &bytes, const Endpoint &to) override;
    // Opens the connection (TLS handshake included); connectedToPeer() or failed() follows.
    void connectTo(const Endpoint &to);
    // Sends TLS close_notify (best effort) and closes the connection at once.
    void close() override;
    bool isConnected() const { return m_ready && m_socket.state() == QAbstractSocket::ConnectedState; }
    // The negotiated TLS version and cipher suite ("TLSv1.3 TLS_AES_256_GCM_SHA384"); empty for TCP.
    QString tlsSummary() const { return m_tlsClient ? m_tlsClient->summary() : QString(); }

signals:
    void connectedToPeer();
    // Exactly the bytes written to or read from the TCP socket, as they went: TLS records for
    // TLS, the SIP stream for TCP. timeUs: microseconds since the Unix epoch.
    void wireBytes(bool outgoing, const QByteArray &bytes, qint64 timeUs);
    // One NSS key log line (no newline) of the TLS session, which decrypts it: handed to whoever
    // listens (an export that embeds it), never logged or written to disk unless the user set
    // the SSLKEYLOGFILE environment variable, as browsers do, to a file these lines are appended to.
    void tlsKeyLogLine(const QByteArray &line);
    // A certificate problem the handshake went past because TlsOptions::insecure is set.
    void tlsWarning(const QString &text);

private:
    void onConnected();
    void onReadyRead();
    bool receiveChunk(const QByteArray &bytes);
    bool deliver(const QByteArray &plaintext);
    void onReady();
    void onError(QAbstractSocket::SocketError e);
    void onDisconnected();
    bool writeMessage(const QByteArray &message);
    void writeWire(const QByteArray &bytes);
    void flushTls();
    void emitKeyLog();
    void fail(TransportError::Kind kind, const QString &text);

    TransportKind m_kind;
    QTcpSocket m_socket;
    TlsOptions m_tls;
    std::unique_ptr<TlsClient> m_tlsClient; // for the connection being made or up
    QString m_keyLogFile; // SSLKEYLOGFILE, empty when unset
    QHostAddress m_bindAddress;
    quint16 m_bindPort = 0;
    Endpoint m_peer;
    StreamFramer m_framer;
    QByteArray m_chunk; // read buffer, reused
    QList<QByteArray> m_queue; // messages waiting for the connection
    qsizetype m_queued = 0; // their bytes
    quint64 m_connection = 0; // counts connectTo(): a slot that reconnects ends the old bytes' processing
    QTimer m_connectTimer; // from connectTo() until the connection is ready
    QTimer m_messageTimer; // from the first byte of a message until it is complete
    bool m_ready = false;
    bool m_failed = false;
};

} // namespace ds::sip
