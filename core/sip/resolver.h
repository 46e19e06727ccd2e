#pragma once
// Resolver: finds where to send requests for a SIP server (RFC 3263 4): a literal address or
// explicit port is used as given; a name without a port goes through NAPTR, then SRV, then
// A/AAAA, each step through QDnsLookup / QHostInfo, asynchronously on the main thread.

#include "transport.h"

#include <QDnsLookup>
#include <QObject>
#include <QPointer>

#include <expected>

namespace ds::sip {

struct ServerTarget {
    Endpoint endpoint;
    TransportKind transport = TransportKind::Udp;
};

struct ServerSpec {
    QString host; // name or address, IPv6 without brackets
    quint16 port = 0; // 0 when not given
    std::optional<TransportKind> transport; // from ;transport= or --transport
    bool sips = false;
};

// Parses "host", "host:port", "[v6]:port" or "sip:host:port;transport=tcp" / "sips:host".
std::expected<ServerSpec, QString> parseServerSpec(const QString &text);

class Resolver final : public QObject {
    Q_OBJECT
public:
    explicit Resolver(QObject *parent = nullptr);
    void resolve(const ServerSpec &spec);
    // Ask this DNS server (port 53) instead of the system's, for every step (NAPTR, SRV, A).
    void setNameserver(const QHostAddress &server) { m_nameserver = server; }
    // The steps taken, for the user ("NAPTR example.com: none; SRV _sip._udp.example.com: ...").
    QStringList steps() const { return m_steps; }

signals:
    void resolved(const QList<ds::sip::ServerTarget> &targets);
    void failed(const QString &reason);

private:
    void lookupNaptr();
    void lookupSrv(QStringList names, int index);
    void lookupAddress(const QString &host, quint16 port, TransportKind transport);
    static quint16 defaultPort(TransportKind t) { return t == TransportKind::Tls ? 5061 : 5060; }

    void lookupAddressDns(const QString &host, quint16 port, TransportKind transport, QDnsLookup::Type type);

    ServerSpec m_spec;
    QStringList m_steps;
    QHostAddress m_nameserver;
};

} // namespace ds::sip
