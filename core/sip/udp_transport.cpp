#include "udp_transport.h"

#include "parser.h"

#include <QNetworkDatagram>

namespace ds::sip {

UdpTransport::UdpTransport(QObject *parent)
    : Transport(parent)
    , m_socket(this)
{
    connect(&m_socket, &QUdpSocket::readyRead, this, &UdpTransport::readPending);
}

std::optional<QString> UdpTransport::bind(const QHostAddress &address, quint16 port)
{
    if (!m_socket.bind(address, port))
        return QStringLiteral("cannot bind UDP %1:%2: %3").arg(address.toString()).arg(port).arg(m_socket.errorString());
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
    while (m_socket.hasPendingDatagrams()) {
        const QNetworkDatagram d = m_socket.receiveDatagram(65536);
        const Endpoint from {d.senderAddress(), quint16(d.senderPort())};
        QByteArray data = d.data();
        // A bare CRLF (or CRLFCRLF) is a keep-alive ping (RFC 5626 4.4.1), not a message.
        if (data.trimmed().isEmpty())
            continue;
        auto m = Parser::parse(data, Framing::Datagram);
        if (m)
            emit received(*m, from);
        else
            emit malformed(data, m.error(), from);
    }
}

} // namespace ds::sip
