#pragma once
// UdpTransport: one bound UDP socket; each datagram is one message (RFC 3261 18.3). It reads a
// bounded batch of datagrams per turn of the event loop, so a flood cannot starve the rest of the
// main thread; what it has not read waits in the kernel's socket buffer (bounded, dropped when full).

#include "transport.h"

#include <QUdpSocket>

namespace ds::sip {

class UdpTransport final : public Transport {
    Q_OBJECT
public:
    static constexpr int kBatch = 64; // datagrams read per readyRead
    static constexpr int kReceiveBuffer = 1 << 20; // SO_RCVBUF asked for
    static constexpr qsizetype kMaxDatagram = 65536; // more than UDP can carry: no message is cut
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
    QByteArray m_buffer; // one datagram, reused
    QHostAddress m_from; // its sender, reused
};

} // namespace ds::sip
