#pragma once
// StreamTransport: one outgoing TCP or TLS connection to a server (RFC 3261 18; RFC 5246 via
// QSslSocket), as a softphone keeps to its registrar. TLS verifies the server certificate
// against the system store by default, or a private CA; skipping verification is explicit.

#include "stream_framer.h"
#include "transport.h"

#include <QList>
#include <QSslCertificate>
#include <QSslSocket>

namespace ds::sip {

struct TlsOptions {
    QList<QSslCertificate> caCertificates; // replaces the system store when not empty
    bool insecure = false; // skip certificate verification (warned about)
    QString peerName; // name to verify; the server host by default
};

class StreamTransport final : public Transport {
    Q_OBJECT
public:
    StreamTransport(TransportKind kind, QObject *parent = nullptr);
    void setTlsOptions(TlsOptions options) { m_tls = std::move(options); }
    void setBindAddress(const QHostAddress &address, quint16 port)
    {
        m_bindAddress = address;
        m_bindPort = port;
    }
    TransportKind kind() const override { return m_kind; }
    Endpoint localEndpoint() const override;
    void send(const QByteArray &bytes, const Endpoint &to) override;
    // Opens the connection (TLS handshake included); connectedToPeer() or failed() follows.
    void connectTo(const Endpoint &to);
    void close() override;
    bool isConnected() const { return m_socket.state() == QAbstractSocket::ConnectedState && (m_kind != TransportKind::Tls || m_socket.isEncrypted()); }

signals:
    void connectedToPeer();

private:
    void onReady();
    void onReadyRead();
    void onError(QAbstractSocket::SocketError e);
    void onSslErrors(const QList<QSslError> &errors);
    void flush();

    TransportKind m_kind;
    QSslSocket m_socket;
    TlsOptions m_tls;
    QHostAddress m_bindAddress;
    quint16 m_bindPort = 0;
    Endpoint m_peer;
    StreamFramer m_framer;
    QList<QByteArray> m_queue; // messages waiting for the connection
    bool m_ready = false;
    bool m_failed = false;
    QString m_sslErrorText;
};

} // namespace ds::sip
