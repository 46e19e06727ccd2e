#pragma once
// Ladder flows: SIP message flows kept as readable text under tests/data/ladder/, loaded into a
// TraceStore for the diag tests. A flow file is
//
//   # comment lines
//   @name 192.0.2.101:5060 Alice          column name (LadderModel::setEndpointName)
//   @local 192.0.2.101:5060               optional: our own trace, messages from/to here are Out/In
//   === F1 0.000 udp 192.0.2.101:5060 -> 192.0.2.4:5060 : answers F0
//   <the message, LF line ends; the loader sends CRLF>
//
// After the separator's ':' comes what the store must link the message to, by F number:
// "answers Fn" (a response to request n), "retransmits Fn [timer X]", "acks Fn" (an ACK of INVITE
// n), "cancels Fn", "retries Fn" (credentials answering challenge n); nothing means no link. A
// message is its lines up to the next separator without trailing empty lines; after its first
// empty line comes the body, every body line ending with CRLF.

#include "diag/trace_store.h"

#include <QDateTime>
#include <QDir>
#include <QFile>
#include <QHostAddress>
#include <QList>
#include <QRegularExpression>
#include <QString>

#include <expected>
#include <optional>

namespace ds::test {

struct FlowLink {
    enum Kind { None, Answers, Retransmits, Acks, Cancels, Retries };
    Kind kind = None;
    quint32 target = diag::kNoMessage; // store index of the linked message
    char timer = 0;
};

struct FlowMessage {
    int number = 0; // the F number, 1-based
    double seconds = 0;
    sip::TransportKind transport = sip::TransportKind::Udp;
    diag::NetAddress src, dst;
    QByteArray raw;
    FlowLink link;
};

struct Flow {
    QString name; // the file name without .flow
    QList<FlowMessage> messages;
    QList<QPair<diag::NetAddress, QString>> names;
    std::optional<diag::NetAddress> local;
};

inline constexpr qint64 kFlowEpochUs = 1700000000LL * 1000000; // 2023-11-14T22:13:20Z

inline QString ladderDataDir() { return QStringLiteral(DS_TEST_DATA "/ladder/"); }

// "192.0.2.1:5060" or "[2001:db8::1]:5060".
inline std::optional<diag::NetAddress> flowAddress(QStringView text)
{
    const qsizetype colon = text.lastIndexOf(QLatin1Char(':'));
    if (colon <= 0)
        return std::nullopt;
    QStringView host = text.first(colon);
    if (host.startsWith(QLatin1Char('[')) && host.endsWith(QLatin1Char(']')))
        host = host.sliced(1, host.size() - 2);
    bool ok = false;
    const uint port = text.sliced(colon + 1).toUInt(&ok);
    QHostAddress a;
    if (!ok || port > 65535 || !a.setAddress(host.toString()))
        return std::nullopt;
    return diag::NetAddress::fromEndpoint(sip::Endpoint {a, quint16(port)});
}

inline std::expected<Flow, QString> parseFlow(const QString &name, const QByteArray &text)
{
    Flow flow;
    flow.name = name;
    static const QRegularExpression sep(QStringLiteral(R"(^=== F(\d+) (\d+\.\d+) (udp|tcp|tls) (\S+) -> (\S+)(?: : (.*))?$)"));
    static const QRegularExpression linkRe(QStringLiteral(R"(^(answers|retransmits|acks|cancels|retries) F(\d+)(?: timer ([AEG]))?$)"));
    QList<QByteArray> lines = text.split('\n');
    for (QByteArray &line : lines)
        if (line.endsWith('\r')) // a checkout with CRLF line ends
            line.chop(1);
    QList<QByteArray> block;
    auto finish = [&] {
        if (flow.messages.isEmpty())
            return;
        while (!block.isEmpty() && block.last().isEmpty())
            block.removeLast();
        const qsizetype blank = block.indexOf(QByteArray());
        QByteArray raw;
        for (qsizetype i = 0; i < (blank < 0 ? block.size() : blank); ++i)
            raw += block[i] + "\r\n";
        raw += "\r\n";
        for (qsizetype i = blank < 0 ? block.size() : blank + 1; i < block.size(); ++i)
            raw += block[i] + "\r\n";
        flow.messages.last().raw = raw;
        block.clear();
    };
    for (qsizetype n = 0; n < lines.size(); ++n) {
        const QByteArray &line = lines[n];
        if (line.startsWith("=== ")) {
            finish();
            const auto m = sep.match(QString::fromUtf8(line));
            if (!m.hasMatch())
                return std::unexpected(QStringLiteral("%1:%2: bad separator").arg(name).arg(n + 1));
            FlowMessage msg;
            msg.number = m.captured(1).toInt();
            if (msg.number != flow.messages.size() + 1)
                return std::unexpected(QStringLiteral("%1:%2: F%3 out of order").arg(name).arg(n + 1).arg(msg.number));
            msg.seconds = m.captured(2).toDouble();
            const QString t = m.captured(3);
            msg.transport = t == QLatin1String("udp") ? sip::TransportKind::Udp : t == QLatin1String("tcp") ? sip::TransportKind::Tcp : sip::TransportKind::Tls;
            const auto src = flowAddress(m.captured(4)), dst = flowAddress(m.captured(5));
            if (!src || !dst)
                return std::unexpected(QStringLiteral("%1:%2: bad address").arg(name).arg(n + 1));
            msg.src = *src;
            msg.dst = *dst;
            if (!m.captured(6).isEmpty()) {
                const auto l = linkRe.match(m.captured(6));
                if (!l.hasMatch())
                    return std::unexpected(QStringLiteral("%1:%2: bad link \"%3\"").arg(name).arg(n + 1).arg(m.captured(6)));
                const QString kind = l.captured(1);
                msg.link.kind = kind == QLatin1String("answers") ? FlowLink::Answers
                    : kind == QLatin1String("retransmits")       ? FlowLink::Retransmits
                    : kind == QLatin1String("acks")              ? FlowLink::Acks
                    : kind == QLatin1String("cancels")           ? FlowLink::Cancels
                                                                 : FlowLink::Retries;
                const int target = l.captured(2).toInt();
                if (target < 1 || target >= msg.number)
                    return std::unexpected(QStringLiteral("%1:%2: link to a later message").arg(name).arg(n + 1));
                msg.link.target = quint32(target - 1);
                msg.link.timer = l.captured(3).isEmpty() ? 0 : l.captured(3).at(0).toLatin1();
            }
            flow.messages << msg;
        } else if (!flow.messages.isEmpty()) {
            block << line;
        } else if (line.startsWith("@name ") || line.startsWith("@local ")) {
            const QStringList parts = QString::fromUtf8(line).split(QLatin1Char(' '), Qt::SkipEmptyParts);
            const auto a = parts.size() >= 2 ? flowAddress(parts[1]) : std::nullopt;
            if (!a)
                return std::unexpected(QStringLiteral("%1:%2: bad directive").arg(name).arg(n + 1));
            if (parts[0] == QLatin1String("@local"))
                flow.local = *a;
            else
                flow.names.append({*a, parts.mid(2).join(QLatin1Char(' '))});
        } else if (!line.isEmpty() && !line.startsWith('#')) {
            return std::unexpected(QStringLiteral("%1:%2: text before the first message").arg(name).arg(n + 1));
        }
    }
    finish();
    return flow;
}

inline std::expected<Flow, QString> loadFlow(const QString &name)
{
    QFile f(ladderDataDir() + name + QStringLiteral(".flow"));
    if (!f.open(QIODevice::ReadOnly))
        return std::unexpected(QStringLiteral("cannot read %1").arg(f.fileName()));
    return parseFlow(name, f.readAll());
}

inline qint64 flowTimeUs(const FlowMessage &m) { return kFlowEpochUs + qRound64(m.seconds * 1e6); }

// Appends one message: a TraceEvent of our own trace when the flow has @local, else a capture.
inline quint32 feed(diag::TraceStore &store, const Flow &flow, const FlowMessage &m)
{
    if (!flow.local)
        return store.append(flowTimeUs(m), m.transport, m.src, m.dst, m.raw, quint32(m.number));
    sip::TraceEvent e;
    const bool out = m.src == *flow.local;
    e.direction = out ? sip::TraceEvent::Direction::Out : sip::TraceEvent::Direction::In;
    e.time = QDateTime::fromMSecsSinceEpoch(flowTimeUs(m) / 1000, Qt::UTC);
    e.transport = m.transport;
    e.local = (out ? m.src : m.dst).toEndpoint();
    e.remote = (out ? m.dst : m.src).toEndpoint();
    e.raw = m.raw;
    return store.append(e);
}

inline void feedAll(diag::TraceStore &store, const Flow &flow)
{
    for (const FlowMessage &m : flow.messages)
        feed(store, flow, m);
}

// Every flow with an expected ladder next to it.
inline QStringList flowNames()
{
    QStringList names;
    const QStringList files = QDir(ladderDataDir()).entryList({QStringLiteral("*.flow")}, QDir::Files, QDir::Name);
    for (const QString &f : files)
        names << f.chopped(5);
    return names;
}

} // namespace ds::test
