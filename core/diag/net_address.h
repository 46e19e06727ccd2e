#pragma once
// NetAddress: an IP address and port as a compact value — what a packet or a trace record
// carries — without QHostAddress's cost per message. IPv4 uses the first 4 bytes of ip (network
// order) and leaves the rest zero.

#include "sip/transport.h"

#include <QString>

#include <array>

namespace ds::diag {

struct NetAddress {
    std::array<quint8, 16> ip {};
    bool v6 = false;
    quint16 port = 0;

    sip::Endpoint toEndpoint() const;
    static NetAddress fromEndpoint(const sip::Endpoint &endpoint);
    static NetAddress ipv4(quint32 address, quint16 port); // address in host order: 0x7f000001 is 127.0.0.1
    QString toString() const; // "127.0.0.1:5060", "[::1]:5060"
    bool operator==(const NetAddress &) const = default;
};
size_t qHash(const NetAddress &address, size_t seed = 0) noexcept;

} // namespace ds::diag
