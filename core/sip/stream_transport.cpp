#include "stream_transport.h"

#include "parser.h"

#include <QSslConfiguration>

namespace ds::sip {

StreamTransport::StreamTransport(TransportKind kind, QObject *parent)
    : Transport(parent)
    , m_kind(kind)
    , m_socket(this)
{
    connect(&m_socket, &QSslSocket::connected, this, [this] {
        if (m_kind == TransportKind::Tcp)
            onReady();
    });
    connect(&m_socket, &QSslSocket::encrypted, this, &StreamTransport::onReady);
    connect(&m_socket, &QSslSocket::readyRead, this, &StreamTransport::onReadyRead);
    connect(&m_socket, &QSslSocket::errorOccurred, this, &StreamTransport::onError);
    connect(&m_socket, &QSslSocket::sslErrors, this, &StreamTransport::onSslErrors);
    connect(&m_socket, &QSslSocket::disconnected, this, [this] {
        m_ready = false;
        if (!m_failed) {
            m_failed = true;
            emit failed({TransportError::Kind::Network,
                QStringLiteral("%1 closed the %2 connection").arg(m_peer.toString(), QString::fromLatin1(transportName(m_kind)))});
        }
    });
}

Endpoint StreamTransport::localEndpoint() const
{
    if (m_socket.state() == QAbstractSocket::ConnectedState)
        return {m_socket.localAddress(), m_socket.localPort()};
    return {m_bindAddress, m_bindPort};
}

void StreamTransport::send(const QByteArray &bytes, const Endpoint &to)
{
    if (m_ready) {
        m_socket.write(bytes);
        emit sent(bytes, m_peer);
        return;
    }
    m_queue.append(bytes);
    if (m_socket.state() == QAbstractSocket::UnconnectedState)
        connectTo(to);
}

void StreamTransport::connectTo(const Endpoint &to)
{
    if (m_socket.state() != QAbstractSocket::UnconnectedState)
        return;
    m_peer = to;
    m_failed = false;
    m_framer = StreamFramer();
    if (!m_bindAddress.isNull() && !m_socket.bind(m_bindAddress, m_bindPort)) {
        m_failed = true;
        emit failed({TransportError::Kind::Network,
            QStringLiteral("cannot bind %1 %2:%3: %4")
                .arg(QString::fromLatin1(transportName(m_kind)), m_bindAddress.toString())
                .arg(m_bindPort)
                .arg(m_socket.errorString())});
        return;
    }
    if (m_kind == TransportKind::Tcp) {
        m_socket.connectToHost(to.address, to.port);
        return;
    }
    QSslConfiguration conf = QSslConfiguration::defaultConfiguration();
    if (!m_tls.caCertificates.isEmpty())
        conf.setCaCertificates(m_tls.caCertificates);
    conf.setPeerVerifyMode(m_tls.insecure ? QSslSocket::VerifyNone : QSslSocket::VerifyPeer);
    m_socket.setSslConfiguration(conf);
    const QString host = to.address.toString();
    m_socket.connectToHostEncrypted(host, to.port, m_tls.peerName.isEmpty() ? host : m_tls.peerName);
}

void StreamTransport::onReady()
{
    m_ready = true;
    emit connectedToPeer();
    flush();
}

void StreamTransport::flush()
{
    const QList<QByteArray> queue = std::exchange(m_queue, {});
    for (const QByteArray &b : queue) {
        m_socket.write(b);
        emit sent(b, m_peer);
    }
}

void StreamTransport::onReadyRead()
{
    m_framer.append(m_socket.readAll());
    while (true) {
        auto next = m_framer.next();
        if (!next) {
            emit malformed(m_framer.takeBuffered() + m_socket.readAll(), next.error(), m_peer);
            close();
            return;
        }
        if (!next->has_value())
            return;
        auto m = Parser::parse(**next, Framing::Stream);
        if (m)
            emit received(*m, m_peer);
        else
            emit malformed(**next, m.error(), m_peer);
    }
}

void StreamTransport::onSslErrors(const QList<QSslError> &errors)
{
    if (m_tls.insecure) {
        m_socket.ignoreSslErrors();
        return;
    }
    QStringList texts;
    for (const QSslError &e : errors)
        texts << e.errorString();
    m_sslErrorText = texts.join(QStringLiteral("; "));
}

void StreamTransport::onError(QAbstractSocket::SocketError e)
{
    if (m_failed)
        return;
    if (e == QAbstractSocket::RemoteHostClosedError && m_ready)
        return; // reported by disconnected()
    m_failed = true;
    m_ready = false;
    m_queue.clear();
    const bool tls = m_kind == TransportKind::Tls
        && (e == QAbstractSocket::SslHandshakeFailedError || e == QAbstractSocket::SslInternalError || e == QAbstractSocket::SslInvalidUserDataError
            || !m_sslErrorText.isEmpty());
    if (tls) {
        emit failed({TransportError::Kind::Tls,
            QStringLiteral("TLS handshake with %1 failed: %2").arg(m_peer.toString(), m_sslErrorText.isEmpty() ? m_socket.errorString() : m_sslErrorText)});
    } else {
        emit failed({TransportError::Kind::Network,
            QStringLiteral("cannot connect to %1 over %2: %3").arg(m_peer.toString(), QString::fromLatin1(transportName(m_kind)), m_socket.errorString())});
    }
}

void StreamTransport::close()
{
    m_ready = false;
    m_failed = true;
    m_socket.abort();
}

} // namespace ds::sip
