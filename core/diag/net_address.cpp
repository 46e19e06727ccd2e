#include "net_address.h"

#include <QHostAddress>

#include <cstring>

namespace ds::diag {

sip::Endpoint NetAddress::toEndpoint() const
{
    if (v6)
        return sip::Endpoint {QHostAddress(ip.data()), port};
    return sip::Endpoint {QHostAddress(quint32(ip[0]) << 24 | quint32(ip[1]) << 16 | quint32(ip[2]) << 8 | ip[3]), port};
}

NetAddress NetAddress::fromEndpoint(const sip::Endpoint &e)
{
    NetAddress a;
    a.port = e.port;
    bool ok = false;
    const quint32 v4 = e.address.toIPv4Address(&ok);
    if (ok) {
        a.ip[0] = quint8(v4 >> 24), a.ip[1] = quint8(v4 >> 16), a.ip[2] = quint8(v4 >> 8), a.ip[3] = quint8(v4);
    } else if (e.address.protocol() == QAbstractSocket::IPv6Protocol) {
        const Q_IPV6ADDR v6 = e.address.toIPv6Address();
        std::memcpy(a.ip.data(), v6.c, 16);
        a.v6 = true;
    }
    return a;
}

NetAddress NetAddress::ipv4(quint32 address, quint16 port)
{
    NetAddress a;
    a.ip[0] = quint8(address >> 24), a.ip[1] = quint8(address >> 16), a.ip[2] = quint8(address >> 8), a.ip[3] = quint8(address);
    a.port = port;
    return a;
}

QString NetAddress::toString() const { return toEndpoint().toString(); }

size_t qHash(const NetAddress &a, size_t seed) noexcept { return qHashMulti(seed, qHashBits(a.ip.data(), a.ip.size(), 0), a.v6, a.port); }

} // namespace ds::diag
