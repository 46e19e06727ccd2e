#pragma once
// Options every network subcommand shares (ARCHITECTURE.md): --bind, --transport, --json,
// --ladder, --timeout, TLS trust and the RFC 3261 timers; and where the password comes from.

#include "phone/user_agent.h"

#include <QCommandLineParser>

#include <expected>

namespace ds::cli {

struct CommonOptions {
    QHostAddress bindAddress;
    quint16 bindPort = 0;
    QString transport; // empty: from the server URI, else UDP
    bool json = false;
    bool ladder = false;
    QString pcapPath; // --pcap: the session's capture, empty when not asked for
    double timeoutSeconds = 120;
    sip::TlsOptions tls;
    sip::TimerConfig timers;
    QHostAddress dnsServer;

    phone::AgentOptions agentOptions() const;
};

void addCommonOptions(QCommandLineParser &p);
std::expected<CommonOptions, QString> readCommonOptions(const QCommandLineParser &p);
// --bind's value: "IP[:PORT]" or "[IPv6]:PORT" (no port: 0, a free one); the error names what is wrong.
std::expected<std::pair<QHostAddress, quint16>, QString> parseBind(QString b);
// Parses `dialscope COMMAND ARGS` with p (its options added, common ones included): prints a usage
// error (and gives ExitUsage) or the help (ExitOk) itself; else gives the common options.
std::expected<CommonOptions, int> parseCommand(QCommandLineParser &p, const QString &command, const QStringList &args);

// --password, else $DIALSCOPE_PASSWORD, else empty.
QByteArray passwordFrom(const QCommandLineParser &p);

} // namespace ds::cli
