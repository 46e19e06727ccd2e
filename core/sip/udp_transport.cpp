#include "udp_transport.h"

#include "parser.h"

#include <QVariant>

namespace ds::sip {

UdpTransport::UdpTransport(QObject *parent)
    : Transport(parent)
    , m_socket(this)
    , m_buffer(kMaxDatagram, Qt::Uninitialized)
{
    connect(&m_socket, &QUdpSocket::readyRead, this, &UdpTransport::readPending);
}

std::optional<QString> UdpTransport::bind(const QHostAddress &address, quint16 port)
{
    if (!m_socket.bind(address, port))
        return QStringLiteral("cannot bind UDP %1:%2: %3").arg(address.toString()).arg(port).arg(m_socket.errorString());
    // A burst of answers (a registration test keeps hundreds of transactions in flight, a PBX
    // sends NOTIFYs in bulk) must not overflow the kernel's default 208 KiB, each datagram
    // costing it a few KiB: 1 MiB, as far as net.core.rmem_max allows.
    m_socket.setSocketOption(QAbstractSocket::ReceiveBufferSizeSocketOption, QVariant(kReceiveBuffer));
    return std::nullopt;
}

Endpoint UdpTransport::localEndpoint() const
{
    const QHostAddress a = m_socket.localAddress();
    const bool wildcard = a == QHostAddress::AnyIPv4 || a == QHostAddress::AnyIPv6 || a == QHostAddress::Any;
    return {wildcard && !m_advertised.isNull() ? m_advertised : a, m_socket.localPort()};
}

void UdpTransport::send(const QByteArray &bytes, const Endpoint &to)
{
    const qint64 n = m_socket.writeDatagram(bytes, to.address, to.port);
    if (n != bytes.size()) {
        emit failed({TransportError::Kind::Network, QStringLiteral("cannot send to %1 over UDP: %2").arg(to.toString(), m_socket.errorString())});
        return;
    }
    emit sent(bytes, to);
}

void UdpTransport::readPending()
{
    // At most a batch per call: Qt signals readyRead again on the next turn of the event loop
    // while datagrams wait, and timers, paint events and the other sockets get their turn between.
    // Read until the socket is empty rather than asking hasPendingDatagrams() first: that is a
    // MSG_PEEK syscall per datagram. The read that finds nothing costs one per batch, and Qt reports
    // it as a TemporaryError ("No datagram available"), which is not a failure.
    for (int n = 0; n < kBatch; ++n) {
        quint16 port = 0;
        const qint64 size = m_socket.readDatagram(m_buffer.data(), m_buffer.size(), &m_from, &port);
        if (size < 0)
            break;
        const Endpoint from {m_from, port};
        const QByteArrayView bytes(m_buffer.constData(), size);
        // A bare CRLF (or CRLFCRLF) is a keep-alive ping (RFC 5626 4.4.1), not a message.
        if (bytes.trimmed().isEmpty())
            continue;
        auto m = Parser::parse(bytes.toByteArray(), Framing::Datagram);
        if (m)
            emit received(*m, from);
        else
            emit malformed(bytes.toByteArray(), m.error(), from);
    }
}

} // namespace ds::sip
