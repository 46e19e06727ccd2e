#include "field_parsers.h"

#include <cmath>

namespace ds::sdp::lines {

QString quoted(QByteArrayView v)
{
    const qsizetype shown = 60;
    QString s = QString::fromUtf8(v.first(std::min(v.size(), shown)));
    return QLatin1Char('"') + s + (v.size() > shown ? QStringLiteral("...\"") : QStringLiteral("\""));
}

// Fields separated by spaces; RFC 4566 9 says one space, real stacks sometimes write more.
QList<QByteArrayView> fields(QByteArrayView v)
{
    QList<QByteArrayView> out;
    qsizetype i = 0;
    while (i < v.size()) {
        while (i < v.size() && (v[i] == ' ' || v[i] == '\t'))
            ++i;
        const qsizetype start = i;
        while (i < v.size() && v[i] != ' ' && v[i] != '\t')
            ++i;
        if (i > start)
            out.append(v.sliced(start, i - start));
    }
    return out;
}

std::optional<quint64> number(QByteArrayView v, quint64 max)
{
    if (v.isEmpty() || v.size() > 20)
        return std::nullopt;
    quint64 n = 0;
    for (char c : v) {
        if (c < '0' || c > '9')
            return std::nullopt;
        const quint64 d = quint64(c - '0');
        if (n > (max - d) / 10)
            return std::nullopt;
        n = n * 10 + d;
    }
    return n;
}

bool isToken(QByteArrayView v)
{
    // RFC 4566 9: token-char is any visible ASCII except the separators below.
    if (v.isEmpty())
        return false;
    for (char c : v)
        if (c <= ' ' || c >= 0x7f || QByteArrayView("\"(),/:;<=>?@[\\]{}").contains(c))
            return false;
    return true;
}

bool isDottedQuad(QByteArrayView v)
{
    int parts = 0;
    qsizetype i = 0;
    while (i <= v.size()) {
        qsizetype j = v.indexOf('.', i);
        if (j < 0)
            j = v.size();
        if (!number(v.sliced(i, j - i), 255) || j - i > 3)
            return false;
        ++parts;
        i = j + 1;
    }
    return parts == 4;
}

std::expected<Connection, QString> parseConnection(QByteArrayView value)
{
    const auto f = fields(value);
    if (f.size() != 3)
        return Fail(QStringLiteral("c= needs <nettype> <addrtype> <address>, got %1").arg(quoted(value)));
    Connection c;
    c.netType = f[0].toByteArray();
    c.addrType = f[1].toByteArray();
    if (c.netType != "IN")
        return Fail(QStringLiteral("c= network type must be IN, got %1").arg(quoted(f[0])));
    if (c.addrType != "IP4" && c.addrType != "IP6")
        return Fail(QStringLiteral("c= address type must be IP4 or IP6, got %1").arg(quoted(f[1])));
    const qsizetype slash = f[2].indexOf('/');
    const QByteArrayView address = slash < 0 ? f[2] : f[2].first(slash);
    c.address = address.toByteArray();
    if (slash >= 0) {
        // RFC 4566 5.7: /<ttl>[/<number of addresses>] for IP4, /<number of addresses> for IP6.
        c.suffix = f[2].sliced(slash).toByteArray();
        for (const QByteArray &part : c.suffix.mid(1).split('/'))
            if (!number(part, 65535))
                return Fail(QStringLiteral("c= multicast suffix %1 must be /<ttl>[/<count>]").arg(quoted(c.suffix)));
    }
    const bool looksNumeric = !address.isEmpty() && std::all_of(address.begin(), address.end(), [](char ch) { return ch == '.' || (ch >= '0' && ch <= '9'); });
    if (address.isEmpty() || (c.addrType == "IP4" && looksNumeric && !isDottedQuad(address)) || (c.addrType == "IP6" && !address.contains(':') && looksNumeric))
        return Fail(QStringLiteral("c= address %1 is not a valid %2 address").arg(quoted(address), QString::fromLatin1(c.addrType)));
    return c;
}

std::expected<Origin, QString> parseOrigin(QByteArrayView value)
{
    const auto f = fields(value);
    if (f.size() != 6)
        return Fail(QStringLiteral("o= needs 6 fields (username sess-id sess-version nettype addrtype address), got %1").arg(f.size()));
    Origin o;
    o.username = f[0].toByteArray();
    if (!number(f[1]))
        return Fail(QStringLiteral("o= session id must be a number, got %1").arg(quoted(f[1])));
    o.sessionId = f[1].toByteArray();
    const auto version = number(f[2]);
    if (!version)
        return Fail(QStringLiteral("o= session version must be a number, got %1").arg(quoted(f[2])));
    o.sessionVersion = *version;
    o.netType = f[3].toByteArray();
    o.addrType = f[4].toByteArray();
    o.address = f[5].toByteArray();
    return o;
}

std::expected<Bandwidth, QString> parseBandwidth(QByteArrayView value)
{
    const qsizetype colon = value.indexOf(':');
    const auto n = colon > 0 ? number(value.sliced(colon + 1)) : std::nullopt;
    if (colon <= 0 || !n || !isToken(value.first(colon)))
        return Fail(QStringLiteral("b= must be <bwtype>:<bandwidth>, got %1").arg(quoted(value)));
    return Bandwidth {value.first(colon).toByteArray(), *n};
}

std::expected<Timing, QString> parseTiming(QByteArrayView value)
{
    const auto f = fields(value);
    const auto start = f.size() == 2 ? number(f[0]) : std::nullopt;
    const auto stop = f.size() == 2 ? number(f[1]) : std::nullopt;
    if (!start || !stop)
        return Fail(QStringLiteral("t= must be <start-time> <stop-time>, got %1").arg(quoted(value)));
    return Timing {*start, *stop, {}};
}

std::expected<MediaDescription, QString> parseMedia(QByteArrayView value)
{
    const auto f = fields(value);
    if (f.isEmpty() || !isToken(f[0]))
        return Fail(QStringLiteral("m= needs a media type, got %1").arg(quoted(value)));
    MediaDescription m;
    m.media = f[0].toByteArray();
    if (f.size() < 2)
        return Fail(QStringLiteral("m= needs a port after the media type"));
    const qsizetype slash = f[1].indexOf('/');
    const auto port = number(slash < 0 ? f[1] : f[1].first(slash), 65535);
    if (!port)
        return Fail(QStringLiteral("m= needs a port, got %1").arg(quoted(f[1])));
    m.port = int(*port);
    if (slash >= 0) {
        const auto count = number(f[1].sliced(slash + 1), 65535);
        if (!count || *count == 0)
            return Fail(QStringLiteral("m= port count must be a number of at least 1, got %1").arg(quoted(f[1])));
        m.portCount = int(*count);
    }
    if (f.size() < 3 || f[2].isEmpty())
        return Fail(QStringLiteral("m= needs a transport protocol after the port"));
    m.proto = f[2].toByteArray();
    if (f.size() < 4)
        return Fail(QStringLiteral("m= lists no formats"));
    for (qsizetype i = 3; i < f.size(); ++i) {
        if (m.isRtp() && !number(f[i], 127))
            return Fail(QStringLiteral("m= format %1 is not an RTP payload type (0-127)").arg(quoted(f[i])));
        m.formats.append(f[i].toByteArray());
    }
    return m;
}

std::expected<RtpMap, QString> parseRtpMap(QByteArrayView value)
{
    // RFC 4566 6: a=rtpmap:<payload type> <encoding name>/<clock rate>[/<encoding parameters>]
    const auto f = fields(value);
    const auto pt = f.size() == 2 ? number(f[0], 127) : std::nullopt;
    const QList<QByteArray> parts = f.size() == 2 ? f[1].toByteArray().split('/') : QList<QByteArray> {};
    const auto rate = parts.size() >= 2 ? number(parts[1], 10'000'000) : std::nullopt;
    const auto channels = parts.size() == 3 ? number(parts[2], 255) : std::optional<quint64>(1);
    if (!pt || parts.size() < 2 || parts.size() > 3 || parts[0].isEmpty() || !rate || *rate == 0 || !channels || *channels == 0)
        return Fail(QStringLiteral("rtpmap must be <payload type> <encoding>/<clock rate>[/<channels>], got %1").arg(quoted(value)));
    return RtpMap {int(*pt), parts[0], int(*rate), int(*channels)};
}

std::optional<int> parsePtime(QByteArrayView value)
{
    // Integer milliseconds (RFC 4566 6); some stacks write "20.0".
    bool ok = false;
    const double ms = value.toByteArray().toDouble(&ok);
    if (!ok || !(ms > 0) || ms > 10000 || value.contains('e') || value.contains('E'))
        return std::nullopt;
    return int(std::lround(ms));
}

std::optional<QString> checkAttribute(const Attribute &a)
{
    if (a.name == "rtpmap") {
        if (auto r = parseRtpMap(a.value); !r)
            return r.error();
    } else if (a.name == "fmtp") {
        const auto f = fields(a.value);
        if (f.isEmpty() || f[0].contains(':'))
            return QStringLiteral("fmtp must be <format> <parameters>, got %1").arg(quoted(a.value));
    } else if (a.name == "ptime" || a.name == "maxptime") {
        if (!parsePtime(a.value))
            return QStringLiteral("%1 must be a number of milliseconds, got %2").arg(QString::fromLatin1(a.name), quoted(a.value));
    } else if (a.name == "rtcp") {
        // RFC 3605 2.1: a=rtcp:<port> [<nettype> <addrtype> <connection-address>]
        const auto f = fields(a.value);
        if ((f.size() != 1 && f.size() != 4) || !number(f[0], 65535))
            return QStringLiteral("rtcp must be <port> [IN IP4|IP6 <address>], got %1").arg(quoted(a.value));
    }
    return std::nullopt;
}

void writeLine(QByteArray &out, char type, QByteArrayView value)
{
    out += type;
    out += '=';
    out += value;
    out += "\r\n";
}

QByteArray connectionText(const Connection &c) { return c.netType + ' ' + c.addrType + ' ' + c.address + c.suffix; }

void writeAttributes(QByteArray &out, const AttributeList &list)
{
    for (const Attribute &a : list.attributes)
        writeLine(out, 'a', a.hasValue ? a.name + ':' + a.value : a.name);
}

} // namespace ds::sdp::lines
