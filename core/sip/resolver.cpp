#include "resolver.h"

#include "uri.h"

#include <QCoreApplication>
#include <QHostInfo>
#include <QThread>

#include <arpa/nameser.h>
#include <netinet/in.h>
#include <resolv.h>

namespace ds::sip {

std::expected<ServerSpec, QString> parseServerSpec(const QString &text)
{
    ServerSpec spec;
    const QString t = text.trimmed();
    if (t.isEmpty())
        return std::unexpected(QStringLiteral("the server is empty"));
    if (t.startsWith(QLatin1String("sip:"), Qt::CaseInsensitive) || t.startsWith(QLatin1String("sips:"), Qt::CaseInsensitive)) {
        auto uri = Uri::parse(t.toUtf8());
        if (!uri)
            return std::unexpected(QStringLiteral("the server URI \"%1\" is malformed: %2").arg(t, uri.error().what));
        spec.host = QString::fromUtf8(uri->host);
        spec.port = quint16(uri->port);
        spec.sips = uri->scheme == Uri::Scheme::Sips;
        if (const QByteArrayView tp = uri->paramValue("transport"); !tp.isEmpty()) {
            spec.transport = transportFromName(tp);
            if (!spec.transport)
                return std::unexpected(QStringLiteral("unsupported transport \"%1\" in the server URI").arg(QString::fromLatin1(tp)));
        }
        if (spec.sips)
            spec.transport = TransportKind::Tls;
        return spec;
    }
    // host[:port] or [v6][:port]
    QString host = t;
    QString port;
    if (t.startsWith(QLatin1Char('['))) {
        const int close = t.indexOf(QLatin1Char(']'));
        if (close < 0)
            return std::unexpected(QStringLiteral("the IPv6 address in \"%1\" has no closing ']'").arg(t));
        host = t.mid(1, close - 1);
        const QString rest = t.mid(close + 1);
        if (rest.startsWith(QLatin1Char(':')))
            port = rest.mid(1);
        else if (!rest.isEmpty())
            return std::unexpected(QStringLiteral("unexpected \"%1\" after the IPv6 address").arg(rest));
    } else if (t.count(QLatin1Char(':')) == 1) {
        host = t.section(QLatin1Char(':'), 0, 0);
        port = t.section(QLatin1Char(':'), 1);
    } else if (t.count(QLatin1Char(':')) > 1) {
        host = t; // a bare IPv6 address
    }
    if (!port.isEmpty()) {
        bool ok = false;
        const uint p = port.toUInt(&ok);
        if (!ok || p == 0 || p > 65535)
            return std::unexpected(QStringLiteral("the port \"%1\" is not a number between 1 and 65535").arg(port));
        spec.port = quint16(p);
    }
    if (host.isEmpty())
        return std::unexpected(QStringLiteral("the server \"%1\" has no host").arg(t));
    for (QChar c : host)
        if (!(c.isLetterOrNumber() || c == QLatin1Char('.') || c == QLatin1Char('-') || c == QLatin1Char(':') || c == QLatin1Char('_')))
            return std::unexpected(QStringLiteral("the server host \"%1\" contains '%2'").arg(host, c));
    spec.host = host;
    return spec;
}

Resolver::Resolver(QObject *parent)
    : QObject(parent)
{
}

void Resolver::resolve(const ServerSpec &spec)
{
    m_spec = spec;
    m_steps.clear();
    const TransportKind explicitOrUdp = spec.transport.value_or(TransportKind::Udp);
    QHostAddress literal;
    // RFC 3263 4.1/4.2: a numeric address, or an explicit port, skips NAPTR and SRV.
    if (literal.setAddress(spec.host) || spec.port != 0 || !spec.host.contains(QLatin1Char('.'))) {
        lookupAddress(spec.host, spec.port ? spec.port : defaultPort(explicitOrUdp), explicitOrUdp);
        return;
    }
    if (spec.transport) {
        const QString prefix = *spec.transport == TransportKind::Tls ? QStringLiteral("_sips._tcp.")
            : *spec.transport == TransportKind::Tcp                  ? QStringLiteral("_sip._tcp.")
                                                                     : QStringLiteral("_sip._udp.");
        lookupSrv({prefix + spec.host}, 0);
        return;
    }
    lookupNaptr();
}

namespace {

struct NaptrRecord {
    int order = 0;
    int preference = 0;
    QByteArray flags;
    QByteArray service;
    QString replacement;
};

// Qt 6.4's QDnsLookup has no NAPTR type, so this one query goes through the C library's
// resolver (libresolv), on a worker thread because res_nquery blocks.
QList<NaptrRecord> queryNaptr(const QByteArray &name, const QHostAddress &nameserver, QString *error)
{
    QList<NaptrRecord> out;
    struct __res_state state { };
    if (res_ninit(&state) != 0) {
        *error = QStringLiteral("cannot initialise the DNS resolver");
        return out;
    }
    if (!nameserver.isNull() && nameserver.protocol() == QAbstractSocket::IPv4Protocol) {
        state.nscount = 1;
        state.nsaddr_list[0].sin_family = AF_INET;
        state.nsaddr_list[0].sin_port = htons(53);
        state.nsaddr_list[0].sin_addr.s_addr = htonl(nameserver.toIPv4Address());
    }
    unsigned char answer[8192];
    const int len = res_nquery(&state, name.constData(), ns_c_in, ns_t_naptr, answer, sizeof answer);
    if (len < 0) {
        *error = QStringLiteral("no records");
        res_nclose(&state);
        return out;
    }
    ns_msg msg;
    if (ns_initparse(answer, len, &msg) != 0) {
        *error = QStringLiteral("malformed DNS answer");
        res_nclose(&state);
        return out;
    }
    const int count = ns_msg_count(msg, ns_s_an);
    for (int i = 0; i < count; ++i) {
        ns_rr rr;
        if (ns_parserr(&msg, ns_s_an, i, &rr) != 0 || ns_rr_type(rr) != ns_t_naptr)
            continue;
        const unsigned char *p = ns_rr_rdata(rr);
        const unsigned char *end = p + ns_rr_rdlen(rr);
        if (end - p < 4)
            continue;
        NaptrRecord r;
        r.order = (p[0] << 8) | p[1];
        r.preference = (p[2] << 8) | p[3];
        p += 4;
        QByteArray strings[3];
        bool ok = true;
        for (QByteArray &str : strings) {
            if (p >= end || p + 1 + *p > end) {
                ok = false;
                break;
            }
            str = QByteArray(reinterpret_cast<const char *>(p + 1), *p);
            p += 1 + *p;
        }
        char host[NS_MAXDNAME];
        if (!ok || dn_expand(ns_msg_base(msg), ns_msg_end(msg), p, host, sizeof host) < 0)
            continue;
        r.flags = strings[0].toLower();
        r.service = strings[1].toUpper();
        r.replacement = QString::fromLatin1(host);
        out.append(r);
    }
    res_nclose(&state);
    return out;
}

} // namespace

void Resolver::lookupNaptr()
{
    QPointer<Resolver> self(this);
    const QByteArray name = m_spec.host.toLatin1();
    const QHostAddress nameserver = m_nameserver;
    QThread *worker = QThread::create([self, name, nameserver] {
        QString error;
        QList<NaptrRecord> records = queryNaptr(name, nameserver, &error);
        QMetaObject::invokeMethod(
            qApp,
            [self, records, error] {
                if (!self)
                    return;
                // RFC 3263 4.1: SIP+D2U, SIP+D2T, SIPS+D2T, lowest order then preference.
                QList<NaptrRecord> usable;
                for (const NaptrRecord &r : records)
                    if (r.flags == "s" && (r.service == "SIP+D2U" || r.service == "SIP+D2T" || r.service == "SIPS+D2T")
                        && (!self->m_spec.sips || r.service == "SIPS+D2T"))
                        usable.append(r);
                std::sort(usable.begin(), usable.end(),
                    [](const NaptrRecord &a, const NaptrRecord &b) { return a.order != b.order ? a.order < b.order : a.preference < b.preference; });
                const QString host = self->m_spec.host;
                if (!usable.isEmpty()) {
                    self->m_steps << QStringLiteral("NAPTR %1: %2 -> %3").arg(host, QString::fromLatin1(usable.first().service), usable.first().replacement);
                    QStringList srv;
                    for (const NaptrRecord &r : usable)
                        srv << r.replacement;
                    self->lookupSrv(srv, 0);
                    return;
                }
                self->m_steps << QStringLiteral("NAPTR %1: %2").arg(host, error.isEmpty() ? QStringLiteral("no SIP records") : error);
                // RFC 3263 4.1: without NAPTR, try the SRV records of each supported transport.
                const QStringList srv = self->m_spec.sips
                    ? QStringList {QStringLiteral("_sips._tcp.") + host}
                    : QStringList {QStringLiteral("_sip._udp.") + host, QStringLiteral("_sip._tcp.") + host, QStringLiteral("_sips._tcp.") + host};
                self->lookupSrv(srv, 0);
            },
            Qt::QueuedConnection);
    });
    connect(worker, &QThread::finished, worker, &QObject::deleteLater);
    worker->start();
}

void Resolver::lookupSrv(QStringList names, int index)
{
    if (index >= names.size()) {
        const TransportKind t = m_spec.transport.value_or(m_spec.sips ? TransportKind::Tls : TransportKind::Udp);
        lookupAddress(m_spec.host, defaultPort(t), t);
        return;
    }
    auto *dns = new QDnsLookup(QDnsLookup::SRV, names[index], this);
    if (!m_nameserver.isNull())
        dns->setNameserver(m_nameserver);
    connect(dns, &QDnsLookup::finished, this, [this, dns, names, index] {
        dns->deleteLater();
        const QString name = names[index];
        const TransportKind t = name.startsWith(QLatin1String("_sips._tcp")) ? TransportKind::Tls
            : name.startsWith(QLatin1String("_sip._tcp"))                    ? TransportKind::Tcp
                                                                             : TransportKind::Udp;
        auto records = dns->serviceRecords();
        if (dns->error() != QDnsLookup::NoError || records.isEmpty()) {
            m_steps << QStringLiteral("SRV %1: %2").arg(name, dns->error() == QDnsLookup::NoError ? QStringLiteral("no records") : dns->errorString());
            lookupSrv(names, index + 1);
            return;
        }
        // RFC 2782: lowest priority first (weights are honoured by taking the heaviest first).
        std::sort(records.begin(), records.end(), [](const QDnsServiceRecord &a, const QDnsServiceRecord &b) {
            return a.priority() != b.priority() ? a.priority() < b.priority() : a.weight() > b.weight();
        });
        m_steps << QStringLiteral("SRV %1: %2:%3").arg(name, records.first().target()).arg(records.first().port());
        lookupAddress(records.first().target(), records.first().port(), t);
    });
    dns->lookup();
}

void Resolver::lookupAddress(const QString &host, quint16 port, TransportKind transport)
{
    QHostAddress literal;
    if (literal.setAddress(host)) {
        emit resolved({ServerTarget {{literal, port}, transport}});
        return;
    }
    if (!m_nameserver.isNull()) {
        lookupAddressDns(host, port, transport, QDnsLookup::A);
        return;
    }
    QPointer<Resolver> self(this);
    QHostInfo::lookupHost(host, this, [self, host, port, transport](const QHostInfo &info) {
        if (!self)
            return;
        if (info.error() != QHostInfo::NoError || info.addresses().isEmpty()) {
            self->m_steps << QStringLiteral("A/AAAA %1: %2").arg(host, info.errorString());
            emit self->failed(QStringLiteral("cannot resolve \"%1\": %2").arg(host, info.errorString()));
            return;
        }
        QList<ServerTarget> targets;
        // IPv4 first: most PBXs listen there, and a loopback name maps to both.
        for (const QHostAddress &a : info.addresses())
            if (a.protocol() == QAbstractSocket::IPv4Protocol)
                targets.append({{a, port}, transport});
        for (const QHostAddress &a : info.addresses())
            if (a.protocol() != QAbstractSocket::IPv4Protocol)
                targets.append({{a, port}, transport});
        self->m_steps << QStringLiteral("A/AAAA %1: %2").arg(host, targets.first().endpoint.address.toString());
        emit self->resolved(targets);
    });
}

void Resolver::lookupAddressDns(const QString &host, quint16 port, TransportKind transport, QDnsLookup::Type type)
{
    auto *dns = new QDnsLookup(type, host, this);
    dns->setNameserver(m_nameserver);
    connect(dns, &QDnsLookup::finished, this, [this, dns, host, port, transport, type] {
        dns->deleteLater();
        const auto records = dns->hostAddressRecords();
        if (dns->error() != QDnsLookup::NoError || records.isEmpty()) {
            if (type == QDnsLookup::A) { // then AAAA
                lookupAddressDns(host, port, transport, QDnsLookup::AAAA);
                return;
            }
            m_steps << QStringLiteral("A/AAAA %1: %2").arg(host, dns->errorString());
            emit failed(QStringLiteral("cannot resolve \"%1\" at DNS server %2: %3").arg(host, m_nameserver.toString(), dns->errorString()));
            return;
        }
        QList<ServerTarget> targets;
        for (const QDnsHostAddressRecord &r : records)
            targets.append({{r.value(), port}, transport});
        m_steps << QStringLiteral("%1 %2: %3")
                       .arg(type == QDnsLookup::A ? QStringLiteral("A") : QStringLiteral("AAAA"), host, targets.first().endpoint.address.toString());
        emit resolved(targets);
    });
    dns->lookup();
}

} // namespace ds::sip
