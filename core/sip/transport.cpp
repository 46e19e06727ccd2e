#include "transport.h"

namespace ds::sip {

QByteArray transportName(TransportKind k)
{
    switch (k) {
    case TransportKind::Udp:
        return "UDP";
    case TransportKind::Tcp:
        return "TCP";
    case TransportKind::Tls:
        return "TLS";
    }
    return "UDP";
}

std::optional<TransportKind> transportFromName(QByteArrayView name)
{
    if (equalsNoCase(name, "udp"))
        return TransportKind::Udp;
    if (equalsNoCase(name, "tcp"))
        return TransportKind::Tcp;
    if (equalsNoCase(name, "tls"))
        return TransportKind::Tls;
    return std::nullopt;
}

QByteArray Endpoint::hostText() const
{
    QHostAddress a = address;
    bool ok = false;
    const quint32 v4 = a.toIPv4Address(&ok);
    if (ok)
        return QHostAddress(v4).toString().toLatin1();
    return '[' + a.toString().toLatin1() + ']';
}

QString Endpoint::toString() const { return QString::fromLatin1(hostText()) + QLatin1Char(':') + QString::number(port); }

} // namespace ds::sip
