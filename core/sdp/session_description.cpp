#include "session_description.h"

#include <cmath>

namespace ds::sdp {

namespace {

using Fail = std::unexpected<QString>;

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

std::optional<quint64> number(QByteArrayView v, quint64 max = std::numeric_limits<quint64>::max())
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

} // namespace

QByteArray directionName(Direction d)
{
    switch (d) {
    case Direction::SendRecv:
        return "sendrecv";
    case Direction::SendOnly:
        return "sendonly";
    case Direction::RecvOnly:
        return "recvonly";
    case Direction::Inactive:
        return "inactive";
    }
    return "sendrecv";
}

std::optional<Direction> directionFromName(QByteArrayView name)
{
    for (Direction d : {Direction::SendRecv, Direction::SendOnly, Direction::RecvOnly, Direction::Inactive})
        if (name == directionName(d))
            return d;
    return std::nullopt;
}

bool sends(Direction d) { return d == Direction::SendRecv || d == Direction::SendOnly; }
bool receives(Direction d) { return d == Direction::SendRecv || d == Direction::RecvOnly; }

Direction makeDirection(bool send, bool receive)
{
    if (send)
        return receive ? Direction::SendRecv : Direction::SendOnly;
    return receive ? Direction::RecvOnly : Direction::Inactive;
}

Direction reversed(Direction d) { return makeDirection(receives(d), sends(d)); }

QByteArray Codec::toString() const
{
    QByteArray s = encoding + '/' + QByteArray::number(clockRate);
    if (channels != 1)
        s += '/' + QByteArray::number(channels);
    return s;
}

std::optional<Codec> staticCodec(int payloadType)
{
    // RFC 3551 6, table 4.
    switch (payloadType) {
    case 0:
        return Codec {0, "PCMU", 8000, 1, {}};
    case 3:
        return Codec {3, "GSM", 8000, 1, {}};
    case 4:
        return Codec {4, "G723", 8000, 1, {}};
    case 8:
        return Codec {8, "PCMA", 8000, 1, {}};
    case 9:
        return Codec {9, "G722", 8000, 1, {}}; // RTP clock 8000 though sampled at 16000 (RFC 3551 4.5.2)
    case 13:
        return Codec {13, "CN", 8000, 1, {}};
    case 18:
        return Codec {18, "G729", 8000, 1, {}};
    default:
        return std::nullopt;
    }
}

std::optional<QByteArray> AttributeList::attribute(QByteArrayView name) const
{
    for (const Attribute &a : attributes)
        if (a.name == name)
            return a.value;
    return std::nullopt;
}

QList<QByteArray> AttributeList::attributeValues(QByteArrayView name) const
{
    QList<QByteArray> out;
    for (const Attribute &a : attributes)
        if (a.name == name)
            out.append(a.value);
    return out;
}

bool AttributeList::hasAttribute(QByteArrayView name) const { return attribute(name).has_value(); }

void AttributeList::addAttribute(const QByteArray &name, const QByteArray &value) { attributes.append(Attribute {name, value, !value.isEmpty()}); }

void AttributeList::removeAttributes(QByteArrayView name)
{
    attributes.removeIf([&](const Attribute &a) { return a.name == name; });
}

std::optional<Direction> AttributeList::direction() const
{
    for (const Attribute &a : attributes)
        if (auto d = directionFromName(a.name))
            return d;
    return std::nullopt;
}

void AttributeList::setDirection(std::optional<Direction> d)
{
    attributes.removeIf([](const Attribute &a) { return directionFromName(a.name).has_value(); });
    if (d)
        addAttribute(directionName(*d));
}

QList<int> MediaDescription::payloadTypes() const
{
    QList<int> out;
    for (const QByteArray &f : formats)
        if (auto n = number(f, 127))
            out.append(int(*n));
    return out;
}

QList<RtpMap> MediaDescription::rtpMaps() const
{
    QList<RtpMap> out;
    for (const QByteArray &v : attributeValues("rtpmap"))
        if (auto r = parseRtpMap(v))
            out.append(*r);
    return out;
}

std::optional<QByteArray> MediaDescription::fmtp(int payloadType) const
{
    const QByteArray pt = QByteArray::number(payloadType);
    for (const QByteArray &v : attributeValues("fmtp")) {
        const auto f = fields(v);
        if (!f.isEmpty() && f[0] == pt)
            return v.sliced(f[0].size()).trimmed();
    }
    return std::nullopt;
}

std::optional<int> MediaDescription::ptime() const
{
    const auto v = attribute("ptime");
    return v ? parsePtime(*v) : std::nullopt;
}

std::optional<int> MediaDescription::maxptime() const
{
    const auto v = attribute("maxptime");
    return v ? parsePtime(*v) : std::nullopt;
}

std::optional<int> MediaDescription::rtcpPort() const
{
    const auto v = attribute("rtcp");
    if (!v)
        return std::nullopt;
    const auto f = fields(*v);
    const auto n = f.isEmpty() ? std::nullopt : number(f[0], 65535);
    return n ? std::optional<int>(int(*n)) : std::nullopt;
}

QList<Codec> MediaDescription::codecs() const
{
    QList<Codec> out;
    if (!isRtp())
        return out;
    const QList<RtpMap> maps = rtpMaps();
    for (int pt : payloadTypes()) {
        std::optional<Codec> c;
        for (const RtpMap &m : maps)
            if (m.payloadType == pt) {
                c = Codec {pt, m.encoding, m.clockRate, m.channels, {}};
                break;
            }
        if (!c)
            c = staticCodec(pt); // RFC 3551 6: static types need no rtpmap
        if (!c)
            continue;
        c->fmtp = fmtp(pt).value_or(QByteArray());
        out.append(*c);
    }
    return out;
}

void MediaDescription::addCodec(const Codec &codec)
{
    const QByteArray pt = QByteArray::number(codec.payloadType);
    formats.append(pt);
    addAttribute("rtpmap", pt + ' ' + codec.toString());
    if (!codec.fmtp.isEmpty())
        addAttribute("fmtp", pt + ' ' + codec.fmtp);
}

std::optional<Connection> SessionDescription::connectionOf(qsizetype mediaIndex) const
{
    if (mediaIndex >= 0 && mediaIndex < media.size() && media[mediaIndex].connection)
        return media[mediaIndex].connection;
    return connection;
}

Direction SessionDescription::directionOf(qsizetype mediaIndex) const
{
    if (mediaIndex >= 0 && mediaIndex < media.size())
        if (auto d = media[mediaIndex].direction())
            return *d;
    return direction().value_or(Direction::SendRecv);
}

std::optional<int> SessionDescription::ptimeOf(qsizetype mediaIndex) const
{
    if (mediaIndex >= 0 && mediaIndex < media.size())
        if (auto p = media[mediaIndex].ptime())
            return p;
    const auto v = attribute("ptime");
    return v ? parsePtime(*v) : std::nullopt;
}

QByteArray SessionDescription::toBytes() const
{
    // RFC 4566 5: v o s i u e p c b t r z k a, then per media m i c b k a.
    QByteArray out;
    writeLine(out, 'v', QByteArray::number(version));
    writeLine(out, 'o',
        origin.username + ' ' + origin.sessionId + ' ' + QByteArray::number(origin.sessionVersion) + ' ' + origin.netType + ' ' + origin.addrType + ' '
            + origin.address);
    writeLine(out, 's', sessionName.isEmpty() ? QByteArray("-") : sessionName);
    if (!information.isEmpty())
        writeLine(out, 'i', information);
    if (!uri.isEmpty())
        writeLine(out, 'u', uri);
    for (const QByteArray &e : emails)
        writeLine(out, 'e', e);
    for (const QByteArray &p : phones)
        writeLine(out, 'p', p);
    if (connection)
        writeLine(out, 'c', connectionText(*connection));
    for (const Bandwidth &b : bandwidths)
        writeLine(out, 'b', b.type + ':' + QByteArray::number(b.value));
    for (const Timing &t : timings.isEmpty() ? QList<Timing> {Timing {}} : timings) {
        writeLine(out, 't', QByteArray::number(t.start) + ' ' + QByteArray::number(t.stop));
        for (const QByteArray &r : t.repeats)
            writeLine(out, 'r', r);
    }
    if (!zoneAdjustments.isEmpty())
        writeLine(out, 'z', zoneAdjustments);
    if (!key.isEmpty())
        writeLine(out, 'k', key);
    writeAttributes(out, *this);
    for (const MediaDescription &m : media) {
        QByteArray line = m.media + ' ' + QByteArray::number(m.port);
        if (m.portCount != 1)
            line += '/' + QByteArray::number(m.portCount);
        line += ' ' + m.proto;
        for (const QByteArray &f : m.formats)
            line += ' ' + f;
        writeLine(out, 'm', line);
        if (!m.title.isEmpty())
            writeLine(out, 'i', m.title);
        if (m.connection)
            writeLine(out, 'c', connectionText(*m.connection));
        for (const Bandwidth &b : m.bandwidths)
            writeLine(out, 'b', b.type + ':' + QByteArray::number(b.value));
        if (!m.key.isEmpty())
            writeLine(out, 'k', m.key);
        writeAttributes(out, m);
    }
    return out;
}

std::expected<SessionDescription, Error> SessionDescription::parse(QByteArrayView text)
{
    auto fail = [](int line, QString what) { return std::unexpected(Error {Error::Code::Syntax, std::move(what), line}); };
    if (text.size() > kMaxSdpBytes)
        return fail(0, QStringLiteral("the SDP is %1 bytes, more than the %2 allowed").arg(text.size()).arg(kMaxSdpBytes));
    if (text.trimmed().isEmpty())
        return fail(0, QStringLiteral("the SDP is empty"));

    SessionDescription sdp;
    sdp.timings.clear();
    bool seenV = false, seenO = false, seenS = false;
    QList<int> mediaLines; // line number of each m=
    int lineNo = 0;
    qsizetype pos = 0;
    while (pos < text.size()) {
        qsizetype end = text.indexOf('\n', pos);
        if (end < 0)
            end = text.size();
        QByteArrayView line = text.sliced(pos, end - pos);
        pos = end + 1;
        ++lineNo;
        if (line.endsWith('\r')) // RFC 4566 5: CRLF, but parsers should also accept LF
            line.chop(1);
        if (line.isEmpty())
            continue; // stray blank lines, usually at the end
        if (line.size() > kMaxSdpLineLength)
            return fail(lineNo, QStringLiteral("the line is %1 bytes long, more than the %2 allowed").arg(line.size()).arg(kMaxSdpLineLength));
        for (char c : line)
            if ((uchar(c) < 0x20 && c != '\t') || c == 0x7f)
                return fail(lineNo, QStringLiteral("the line contains a control character (0x%1)").arg(uchar(c), 2, 16, QLatin1Char('0')));
        if (line.size() < 2 || line[1] != '=' || line[0] < 'a' || line[0] > 'z')
            return fail(lineNo, QStringLiteral("expected <type>=<value>, got %1").arg(quoted(line)));
        const char type = line[0];
        const QByteArrayView value = line.sliced(2);
        if (!seenV && type != 'v')
            return fail(lineNo, QStringLiteral("an SDP must start with v=, got %1").arg(quoted(line)));

        MediaDescription *m = sdp.media.isEmpty() ? nullptr : &sdp.media.last();
        AttributeList &level = m ? static_cast<AttributeList &>(*m) : sdp;
        if (m && !QByteArrayView("icbkam").contains(type))
            return fail(
                lineNo, QStringLiteral("%1= is not allowed inside a media section (after the m= on line %2)").arg(QLatin1Char(type)).arg(mediaLines.last()));

        switch (type) {
        case 'v':
            if (seenV)
                return fail(lineNo, QStringLiteral("second v= line"));
            if (value != "0")
                return fail(lineNo, QStringLiteral("v= must be 0, got %1").arg(quoted(value)));
            seenV = true;
            break;
        case 'o': {
            if (seenO)
                return fail(lineNo, QStringLiteral("second o= line"));
            auto o = parseOrigin(value);
            if (!o)
                return fail(lineNo, o.error());
            sdp.origin = *o;
            seenO = true;
            break;
        }
        case 's':
            if (seenS)
                return fail(lineNo, QStringLiteral("second s= line"));
            sdp.sessionName = value.toByteArray();
            seenS = true;
            break;
        case 'i':
            (m ? m->title : sdp.information) = value.toByteArray();
            break;
        case 'u':
            sdp.uri = value.toByteArray();
            break;
        case 'e':
            sdp.emails.append(value.toByteArray());
            break;
        case 'p':
            sdp.phones.append(value.toByteArray());
            break;
        case 'c': {
            auto c = parseConnection(value);
            if (!c)
                return fail(lineNo, c.error());
            (m ? m->connection : sdp.connection) = *c;
            break;
        }
        case 'b': {
            auto b = parseBandwidth(value);
            if (!b)
                return fail(lineNo, b.error());
            (m ? m->bandwidths : sdp.bandwidths).append(*b);
            break;
        }
        case 't': {
            auto t = parseTiming(value);
            if (!t)
                return fail(lineNo, t.error());
            if (sdp.timings.size() >= 64)
                return fail(lineNo, QStringLiteral("more than 64 t= lines"));
            sdp.timings.append(*t);
            break;
        }
        case 'r':
            if (sdp.timings.isEmpty())
                return fail(lineNo, QStringLiteral("r= must follow a t= line"));
            if (sdp.timings.last().repeats.size() >= 64)
                return fail(lineNo, QStringLiteral("more than 64 r= lines"));
            sdp.timings.last().repeats.append(value.toByteArray());
            break;
        case 'z':
            sdp.zoneAdjustments = value.toByteArray();
            break;
        case 'k':
            (m ? m->key : sdp.key) = value.toByteArray();
            break;
        case 'a': {
            if (level.attributes.size() >= kMaxSdpAttributes)
                return fail(lineNo, QStringLiteral("more than %1 a= lines").arg(kMaxSdpAttributes));
            const qsizetype colon = value.indexOf(':');
            Attribute a {(colon < 0 ? value : value.first(colon)).toByteArray(), colon < 0 ? QByteArray() : value.sliced(colon + 1).toByteArray(), colon >= 0};
            if (!isToken(a.name))
                return fail(lineNo, QStringLiteral("a= needs an attribute name, got %1").arg(quoted(value)));
            if (auto problem = checkAttribute(a))
                return fail(lineNo, *problem);
            level.attributes.append(std::move(a));
            break;
        }
        case 'm': {
            if (sdp.media.size() >= kMaxSdpMedia)
                return fail(lineNo, QStringLiteral("more than %1 m= lines").arg(kMaxSdpMedia));
            auto media = parseMedia(value);
            if (!media)
                return fail(lineNo, media.error());
            sdp.media.append(std::move(*media));
            mediaLines.append(lineNo);
            break;
        }
        default:
            // RFC 4566 5: a type letter we do not understand makes the whole description unusable.
            return fail(lineNo, QStringLiteral("unknown line type %1=").arg(QLatin1Char(type)));
        }
    }
    if (!seenO)
        return fail(0, QStringLiteral("the SDP has no o= line"));
    if (!seenS)
        return fail(0, QStringLiteral("the SDP has no s= line"));
    if (sdp.timings.isEmpty())
        return fail(0, QStringLiteral("the SDP has no t= line"));
    // RFC 4566 5.7: a c= at session level or in every media section (we excuse disabled ones).
    for (qsizetype i = 0; i < sdp.media.size(); ++i)
        if (sdp.media[i].port != 0 && !sdp.connectionOf(i))
            return fail(mediaLines[i], QStringLiteral("m= has no c= line and there is none at session level"));
    return sdp;
}

} // namespace ds::sdp
