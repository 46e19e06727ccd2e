#include "session_description.h"

#include "field_parsers.h"

#include <cmath>

namespace ds::sdp {

using namespace lines;

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
