#pragma once
// Transport: sends and receives SIP messages over one socket (RFC 3261 18). Each transport
// parses what it receives and reports bytes that are not SIP; it never interprets messages.

#include "error.h"
#include "message.h"

#include <QHostAddress>
#include <QObject>

namespace ds::sip {

enum class TransportKind { Udp, Tcp, Tls };

QByteArray transportName(TransportKind k); // "UDP", "TCP", "TLS"
std::optional<TransportKind> transportFromName(QByteArrayView name);

struct Endpoint {
    QHostAddress address;
    quint16 port = 0;
    QString toString() const; // "127.0.0.1:5060", "[::1]:5060"
    QByteArray hostText() const; // "127.0.0.1" or "[::1]"
    bool operator==(const Endpoint &o) const { return address == o.address && port == o.port; }
};

// Why a transport could not deliver.
struct TransportError {
    enum class Kind { Network, Tls };
    Kind kind = Kind::Network;
    QString text;
};

class Transport : public QObject {
    Q_OBJECT
public:
    using QObject::QObject;
    virtual TransportKind kind() const = 0;
    bool reliable() const { return kind() != TransportKind::Udp; }
    virtual Endpoint localEndpoint() const = 0;
    // Sends one serialized message; stream transports connect first when needed.
    virtual void send(const QByteArray &bytes, const Endpoint &to) = 0;
    virtual void close() = 0;

signals:
    void received(const ds::sip::Message &message, const ds::sip::Endpoint &from);
    // Bytes that arrived but are not a SIP message: shown in the trace, never acted on.
    void malformed(const QByteArray &bytes, const ds::sip::Error &error, const ds::sip::Endpoint &from);
    void failed(const ds::sip::TransportError &error);
    // The message as it left (after the connection was made, so local is known).
    void sent(const QByteArray &bytes, const ds::sip::Endpoint &to);
};

} // namespace ds::sip

Q_DECLARE_METATYPE(ds::sip::Endpoint)
