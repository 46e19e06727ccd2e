#pragma once
// UdpTransport: one bound UDP socket; each datagram is one message (RFC 3261 18.3).

#include "transport.h"

#include <QUdpSocket>

namespace ds::sip {

class UdpTransport final : public Transport {
    Q_OBJECT
public:
    explicit UdpTransport(QObject *parent = nullptr);
    // Binds to address:port (port 0 picks a free one). Returns an error sentence on failure.
    std::optional<QString> bind(const QHostAddress &address, quint16 port);
    TransportKind kind() const override { return TransportKind::Udp; }
    Endpoint localEndpoint() const override;
    // The address to report when bound to a wildcard (our address toward the peer).
    void setAdvertisedAddress(const QHostAddress &a) { m_advertised = a; }
    void send(const QByteArray &bytes, const Endpoint &to) override;
    void close() override { m_socket.close(); }

private:
    void readPending();
    QUdpSocket m_socket;
    QHostAddress m_advertised;
};

} // namespace ds::sip
