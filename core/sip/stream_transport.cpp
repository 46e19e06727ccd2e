#include "stream_transport.h"

#include "parser.h"

#include <QFile>

#include <chrono>

namespace ds::sip {

namespace {

constexpr qsizetype kReadChunk = 16 * 1024;

qint64 nowUs()
{
    using namespace std::chrono;
    return duration_cast<microseconds>(system_clock::now().time_since_epoch()).count();
}

// SSLKEYLOGFILE, the convention of browsers and curl: the user asked for the session keys in
// that file, so that Wireshark can decrypt what they capture themselves.
void appendToKeyLogFile(const QString &path, const QByteArray &line)
{
    QFile file(path);
    // Owner-only when we create it: the lines decrypt the session.
    if (!file.open(QIODevice::WriteOnly | QIODevice::Append, QFileDevice::ReadOwner | QFileDevice::WriteOwner) || file.write(line + '\n') != line.size() + 1)
        qWarning("cannot append the TLS key log to SSLKEYLOGFILE (%s): %s", qPrintable(path), qPrintable(file.errorString()));
}

} // namespace

StreamTransport::StreamTransport(TransportKind kind, QObject *parent)
    : Transport(parent)
    , m_kind(kind)
    , m_socket(this)
    , m_keyLogFile(qEnvironmentVariable("SSLKEYLOGFILE"))
    , m_chunk(kReadChunk, Qt::Uninitialized)
{
    // Bounded: Qt stops reading from the kernel while this much waits for onReadyRead, and TCP
    // flow control holds back a peer that sends faster than we process.
    m_socket.setReadBufferSize(4 * kReadChunk);
    for (QTimer *t : {&m_connectTimer, &m_messageTimer}) {
        t->setSingleShot(true);
        t->setInterval(kDefaultTimeout);
    }
    connect(&m_connectTimer, &QTimer::timeout, this, [this] {
        fail(m_tlsClient ? TransportError::Kind::Tls : TransportError::Kind::Network,
            QStringLiteral("cannot connect to %1 over %2: no %3 within %4 s")
                .arg(m_peer.toString(), QString::fromLatin1(transportName(m_kind)),
                    m_socket.state() == QAbstractSocket::ConnectedState ? QStringLiteral("TLS handshake") : QStringLiteral("connection"))
                .arg(double(m_connectTimer.interval()) / 1000.0));
    });
    connect(&m_messageTimer, &QTimer::timeout, this, [this] {
        if (m_framer.buffered() == 0)
            return;
        emit malformed(m_framer.takeBuffered(),
            Error {QStringLiteral("the message did not end within %1 s").arg(double(m_messageTimer.interval()) / 1000.0), 0, 0, {}}, m_peer);
        fail(TransportError::Kind::Network,
            QStringLiteral("%1 began a message over %2 and did not end it within %3 s; closed the connection")
                .arg(m_peer.toString(), QString::fromLatin1(transportName(m_kind)))
                .arg(double(m_messageTimer.interval()) / 1000.0));
    });
    connect(&m_socket, &QTcpSocket::connected, this, &StreamTransport::onConnected);
    connect(&m_socket, &QTcpSocket::readyRead, this, &StreamTransport::onReadyRead);
    connect(&m_socket, &QTcpSocket::errorOccurred, this, &StreamTransport::onError);
    connect(&m_socket, &QTcpSocket::disconnected, this, &StreamTransport::onDisconnected);
}

StreamTransport::~StreamTransport()
{
    // Whoever listened may be gone already: no signals from here on, not even failed().
    m_socket.disconnect(this);
    if (m_tlsClient && m_tlsClient->state() == TlsClient::State::Established && m_socket.state() == QAbstractSocket::ConnectedState) {
        m_tlsClient->shutdown(); // close_notify (RFC 8446 6.1), best effort
        m_socket.write(m_tlsClient->takeOutgoing());
        m_socket.flush();
    }
    m_socket.abort();
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
        writeMessage(bytes);
        return;
    }
    if (m_queued + bytes.size() > kMaxUnsent) {
        emit failed({TransportError::Kind::Network,
            QStringLiteral("cannot send to %1 over %2: over %3 KiB wait for the connection")
                .arg(to.toString(), QString::fromLatin1(transportName(m_kind)))
                .arg(kMaxUnsent / 1024)});
        return;
    }
    m_queue.append(bytes);
    m_queued += bytes.size();
    if (m_socket.state() == QAbstractSocket::UnconnectedState)
        connectTo(to);
}

void StreamTransport::connectTo(const Endpoint &to)
{
    if (m_socket.state() != QAbstractSocket::UnconnectedState)
        return;
    ++m_connection;
    m_peer = to;
    m_failed = false;
    m_ready = false;
    m_framer = StreamFramer();
    m_messageTimer.stop();
    m_tlsClient.reset();
    if (!m_bindAddress.isNull() && !m_socket.bind(m_bindAddress, m_bindPort)) {
        m_failed = true;
        emit failed({TransportError::Kind::Network,
            QStringLiteral("cannot bind %1 %2:%3: %4")
                .arg(QString::fromLatin1(transportName(m_kind)), m_bindAddress.toString())
                .arg(m_bindPort)
                .arg(m_socket.errorString())});
        return;
    }
    if (m_kind == TransportKind::Tls) {
        TlsClientOptions options;
        for (const QSslCertificate &ca : std::as_const(m_tls.caCertificates))
            options.caPem += ca.toPem();
        options.insecure = m_tls.insecure;
        options.serverName = m_tls.peerName.isEmpty() ? to.address.toString() : m_tls.peerName;
        auto client = TlsClient::create(options);
        if (!client) {
            m_failed = true;
            m_queue.clear();
            m_queued = 0;
            emit failed({TransportError::Kind::Tls, QStringLiteral("TLS handshake with %1 failed: %2").arg(m_peer.toString(), client.error())});
            return;
        }
        m_tlsClient = std::move(*client);
    }
    m_connectTimer.start();
    m_socket.connectToHost(to.address, to.port);
}

void StreamTransport::onConnected()
{
    if (!m_tlsClient) {
        onReady();
        return;
    }
    const auto started = m_tlsClient->start();
    emitKeyLog();
    flushTls(); // the ClientHello, or an alert
    if (!started)
        fail(TransportError::Kind::Tls, QStringLiteral("TLS handshake with %1 failed: %2").arg(m_peer.toString(), started.error()));
}

void StreamTransport::onReady()
{
    m_connectTimer.stop();
    m_ready = true;
    emit connectedToPeer();
    const QList<QByteArray> queue = std::exchange(m_queue, {});
    m_queued = 0;
    for (const QByteArray &b : queue) {
        if (!m_ready || !writeMessage(b))
            return;
    }
}

void StreamTransport::onReadyRead()
{
    // A chunk at a time, each processed before the next is read: at most a chunk of ciphertext,
    // a chunk of plaintext and one message being framed are held here.
    while (!m_failed && m_socket.bytesAvailable() > 0) {
        const qint64 n = m_socket.read(m_chunk.data(), m_chunk.size());
        if (n <= 0 || !receiveChunk(QByteArray(m_chunk.constData(), n)))
            return;
    }
}

bool StreamTransport::receiveChunk(const QByteArray &bytes)
{
    emit wireBytes(false, bytes, nowUs());
    if (!m_tlsClient)
        return deliver(bytes);
    const quint64 connection = m_connection;
    const bool handshaking = m_tlsClient->state() == TlsClient::State::Handshaking;
    const auto received = m_tlsClient->receive(bytes);
    emitKeyLog();
    flushTls(); // the rest of the handshake, our close_notify, or an alert
    if (!received) {
        fail(TransportError::Kind::Tls,
            (m_ready ? QStringLiteral("TLS error on the connection with %1: %2") : QStringLiteral("TLS handshake with %1 failed: %2"))
                .arg(m_peer.toString(), received.error()));
        return false;
    }
    if (handshaking && m_tlsClient->state() != TlsClient::State::Handshaking) {
        for (const QString &problem : m_tlsClient->warnings())
            emit tlsWarning(QStringLiteral("accepted the TLS certificate of %1 without verification: %2").arg(m_peer.toString(), problem));
        onReady();
        if (m_failed || connection != m_connection)
            return false;
    }
    if (!deliver(m_tlsClient->takePlaintext()) || connection != m_connection)
        return false;
    if (m_tlsClient->state() == TlsClient::State::Closed) { // the server's close_notify
        m_socket.flush();
        fail(TransportError::Kind::Network, QStringLiteral("%1 closed the TLS connection").arg(m_peer.toString()));
        return false;
    }
    return true;
}

bool StreamTransport::deliver(const QByteArray &plaintext)
{
    if (!plaintext.isEmpty())
        m_framer.append(plaintext);
    const quint64 connection = m_connection;
    while (!m_failed && connection == m_connection) {
        auto next = m_framer.next();
        if (!next) {
            QByteArray rest = m_framer.takeBuffered();
            if (!m_tlsClient) { // the stream itself is what the trace shows
                const QByteArray more = m_socket.readAll();
                if (!more.isEmpty())
                    emit wireBytes(false, more, nowUs());
                rest += more;
            }
            emit malformed(rest, next.error(), m_peer);
            close();
            return false;
        }
        if (!next->has_value()) {
            // Part of a message waits: it must end in time. Each complete message restarts the count.
            if (m_framer.buffered() == 0)
                m_messageTimer.stop();
            else if (!m_messageTimer.isActive())
                m_messageTimer.start();
            return true;
        }
        m_messageTimer.stop();
        auto m = Parser::parse(**next, Framing::Stream);
        if (m)
            emit received(*m, m_peer);
        else
            emit malformed(**next, m.error(), m_peer);
    }
    return false;
}

bool StreamTransport::writeMessage(const QByteArray &message)
{
    if (m_tlsClient) {
        if (const auto encrypted = m_tlsClient->send(message); !encrypted) {
            flushTls();
            fail(TransportError::Kind::Tls, QStringLiteral("TLS error on the connection with %1: %2").arg(m_peer.toString(), encrypted.error()));
            return false;
        }
        flushTls();
    } else {
        writeWire(message);
    }
    if (m_socket.bytesToWrite() > kMaxUnsent) {
        fail(TransportError::Kind::Network,
            QStringLiteral("%1 does not read what we send over %2: over %3 KiB wait")
                .arg(m_peer.toString(), QString::fromLatin1(transportName(m_kind)))
                .arg(kMaxUnsent / 1024));
        return false;
    }
    emit sent(message, m_peer);
    return true;
}

void StreamTransport::writeWire(const QByteArray &bytes)
{
    if (bytes.isEmpty() || m_socket.state() != QAbstractSocket::ConnectedState)
        return;
    emit wireBytes(true, bytes, nowUs());
    m_socket.write(bytes);
}

void StreamTransport::flushTls()
{
    if (m_tlsClient)
        writeWire(m_tlsClient->takeOutgoing());
}

void StreamTransport::emitKeyLog()
{
    const QList<QByteArray> lines = m_tlsClient->takeKeyLogLines();
    for (const QByteArray &line : lines) {
        if (!m_keyLogFile.isEmpty())
            appendToKeyLogFile(m_keyLogFile, line);
        emit tlsKeyLogLine(line);
    }
}

void StreamTransport::onError(QAbstractSocket::SocketError e)
{
    if (m_failed)
        return;
    if (e == QAbstractSocket::RemoteHostClosedError && m_ready)
        return; // reported by onDisconnected()
    if (e == QAbstractSocket::RemoteHostClosedError && m_tlsClient) {
        fail(TransportError::Kind::Network,
            QStringLiteral("cannot connect to %1 over TLS: the server closed the connection during the TLS handshake").arg(m_peer.toString()));
        return;
    }
    fail(TransportError::Kind::Network,
        QStringLiteral("cannot connect to %1 over %2: %3").arg(m_peer.toString(), QString::fromLatin1(transportName(m_kind)), m_socket.errorString()));
}

void StreamTransport::onDisconnected()
{
    m_connectTimer.stop();
    m_messageTimer.stop();
    m_ready = false;
    if (!m_failed) {
        m_failed = true;
        emit failed(
            {TransportError::Kind::Network, QStringLiteral("%1 closed the %2 connection").arg(m_peer.toString(), QString::fromLatin1(transportName(m_kind)))});
    }
}

void StreamTransport::fail(TransportError::Kind kind, const QString &text)
{
    if (m_failed)
        return;
    m_connectTimer.stop();
    m_messageTimer.stop();
    m_failed = true;
    m_ready = false;
    m_queue.clear();
    m_queued = 0;
    m_socket.flush(); // an alert for the server, best effort
    m_socket.abort();
    emit failed({kind, text});
}

void StreamTransport::close()
{
    m_connectTimer.stop();
    m_messageTimer.stop();
    m_failed = true;
    m_queue.clear();
    m_queued = 0;
    if (m_ready && m_tlsClient && m_tlsClient->state() == TlsClient::State::Established) {
        m_tlsClient->shutdown(); // close_notify (RFC 8446 6.1), best effort
        flushTls();
        m_socket.flush();
    }
    m_ready = false;
    m_socket.abort();
}

} // namespace ds::sip
