// Directions, codecs and the attribute and media-section accessors of the SDP model.

#include "field_parsers.h"

namespace ds::sdp {

using namespace lines;

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

} // namespace ds::sdp
