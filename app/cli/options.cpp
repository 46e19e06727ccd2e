#include "options.h"

#include "commands.h"
#include "event_writer.h"

#include <QFile>

#include <cstdio>

namespace ds::cli {

phone::AgentOptions CommonOptions::agentOptions() const
{
    phone::AgentOptions o;
    o.bindAddress = bindAddress;
    o.bindPort = bindPort;
    o.tls = tls;
    o.timers = timers;
    o.transportOverride = transport;
    o.dnsServer = dnsServer;
    return o;
}

void addCommonOptions(QCommandLineParser &p)
{
    p.addOption({QStringLiteral("bind"), QStringLiteral("Local address and port to use (port 0 picks a free one)."), QStringLiteral("IP[:PORT]")});
    p.addOption({QStringLiteral("transport"), QStringLiteral("udp, tcp or tls."), QStringLiteral("T")});
    p.addOption({QStringLiteral("json"), QStringLiteral("Print JSON Lines events on stdout.")});
    p.addOption({QStringLiteral("ladder"), QStringLiteral("Print a text ladder of the SIP messages at the end.")});
    p.addOption({QStringLiteral("pcap"),
        QStringLiteral("Write the SIP messages to FILE at the end: pcapng with the TLS key log (Wireshark decrypts SIP over TLS), or pcap when FILE "
                       "ends in .pcap."),
        QStringLiteral("FILE")});
    p.addOption({QStringLiteral("timeout"), QStringLiteral("Give up after S seconds (default 120)."), QStringLiteral("S"), QStringLiteral("120")});
    p.addOption({QStringLiteral("ca"), QStringLiteral("Trust the CA certificates in FILE (PEM) for TLS instead of the system store."), QStringLiteral("FILE")});
    p.addOption({QStringLiteral("insecure"), QStringLiteral("Do not verify the TLS server certificate (warned about).")});
    p.addOption({QStringLiteral("t1"), QStringLiteral("RFC 3261 timer T1 in ms (default 500)."), QStringLiteral("MS"), QStringLiteral("500")});
    p.addOption({QStringLiteral("t2"), QStringLiteral("RFC 3261 timer T2 in ms (default 4000)."), QStringLiteral("MS"), QStringLiteral("4000")});
    p.addOption(
        {QStringLiteral("dns-server"), QStringLiteral("Resolve the server (NAPTR, SRV, A) at this DNS server instead of the system's."), QStringLiteral("IP")});
    p.addOption({{QStringLiteral("h"), QStringLiteral("help")}, QStringLiteral("Show this help.")});
}

// "IP[:PORT]" or "[IPv6]:PORT"; the error names what is wrong.
std::expected<std::pair<QHostAddress, quint16>, QString> parseBind(QString b)
{
    QString port;
    if (b.startsWith(QLatin1Char('['))) {
        const int close = b.indexOf(QLatin1Char(']'));
        if (close < 0)
            return std::unexpected(QStringLiteral("--bind: the IPv6 address has no closing ']'"));
        port = b.mid(close + 1).startsWith(QLatin1Char(':')) ? b.mid(close + 2) : QString();
        b = b.mid(1, close - 1);
    } else if (b.count(QLatin1Char(':')) == 1) {
        port = b.section(QLatin1Char(':'), 1);
        b = b.section(QLatin1Char(':'), 0, 0);
    }
    QHostAddress address;
    if (!address.setAddress(b))
        return std::unexpected(QStringLiteral("--bind: \"%1\" is not an IP address").arg(b));
    quint16 n = 0;
    if (!port.isEmpty()) {
        bool ok = false;
        const uint v = port.toUInt(&ok);
        if (!ok || v > 65535)
            return std::unexpected(QStringLiteral("--bind: \"%1\" is not a port number").arg(port));
        n = quint16(v);
    }
    return std::pair {address, n};
}

std::expected<CommonOptions, QString> readCommonOptions(const QCommandLineParser &p)
{
    CommonOptions o;
    o.json = p.isSet(QStringLiteral("json"));
    o.ladder = p.isSet(QStringLiteral("ladder"));
    o.pcapPath = p.value(QStringLiteral("pcap"));
    if (p.isSet(QStringLiteral("transport"))) {
        o.transport = p.value(QStringLiteral("transport")).toLower();
        if (o.transport != QLatin1String("udp") && o.transport != QLatin1String("tcp") && o.transport != QLatin1String("tls"))
            return std::unexpected(QStringLiteral("--transport must be udp, tcp or tls, not \"%1\"").arg(p.value(QStringLiteral("transport"))));
    }
    if (p.isSet(QStringLiteral("bind"))) {
        auto bind = parseBind(p.value(QStringLiteral("bind")));
        if (!bind)
            return std::unexpected(bind.error());
        std::tie(o.bindAddress, o.bindPort) = *bind;
    }
    bool ok = false;
    o.timeoutSeconds = p.value(QStringLiteral("timeout")).toDouble(&ok);
    if (!ok || o.timeoutSeconds <= 0)
        return std::unexpected(QStringLiteral("--timeout must be a positive number of seconds"));
    o.timers.t1 = p.value(QStringLiteral("t1")).toLongLong(&ok);
    if (!ok || o.timers.t1 < 1 || o.timers.t1 > 60000)
        return std::unexpected(QStringLiteral("--t1 must be between 1 and 60000 ms"));
    o.timers.t2 = p.value(QStringLiteral("t2")).toLongLong(&ok);
    if (!ok || o.timers.t2 < o.timers.t1 || o.timers.t2 > 600000)
        return std::unexpected(QStringLiteral("--t2 must be at least T1 and at most 600000 ms"));
    if (p.isSet(QStringLiteral("ca"))) {
        const QString path = p.value(QStringLiteral("ca"));
        QFile f(path);
        if (!f.open(QIODevice::ReadOnly))
            return std::unexpected(QStringLiteral("--ca: cannot read \"%1\": %2").arg(path, f.errorString()));
        o.tls.caCertificates = QSslCertificate::fromData(f.readAll(), QSsl::Pem);
        if (o.tls.caCertificates.isEmpty())
            return std::unexpected(QStringLiteral("--ca: \"%1\" holds no PEM certificate").arg(path));
    }
    o.tls.insecure = p.isSet(QStringLiteral("insecure"));
    if (p.isSet(QStringLiteral("dns-server")) && !o.dnsServer.setAddress(p.value(QStringLiteral("dns-server"))))
        return std::unexpected(QStringLiteral("--dns-server: \"%1\" is not an IP address").arg(p.value(QStringLiteral("dns-server"))));
    return o;
}

QByteArray passwordFrom(const QCommandLineParser &p)
{
    if (p.isSet(QStringLiteral("password")))
        return p.value(QStringLiteral("password")).toUtf8();
    return qgetenv("DIALSCOPE_PASSWORD");
}

std::expected<CommonOptions, int> parseCommand(QCommandLineParser &p, const QString &command, const QStringList &args)
{
    const QString name = QStringLiteral("dialscope ") + command;
    if (!p.parse(QStringList {name} + args)) {
        EventWriter::error(QStringLiteral("%1: %2").arg(name, p.errorText()));
        return std::unexpected(int(ExitUsage));
    }
    if (p.isSet(QStringLiteral("help"))) {
        std::fputs(qPrintable(p.helpText()), stdout);
        return std::unexpected(int(ExitOk));
    }
    auto common = readCommonOptions(p);
    if (!common) {
        EventWriter::error(QStringLiteral("%1: %2").arg(name, common.error()));
        return std::unexpected(int(ExitUsage));
    }
    return *common;
}

} // namespace ds::cli
