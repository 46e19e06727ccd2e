#pragma once
// SessionDescription: an RFC 4566 session description, parsed from and serialized to text.

#include "error.h"

#include <QByteArray>
#include <QList>

#include <expected>
#include <optional>

namespace ds::sdp {

// RFC 3264 6.1 / RFC 4566 6: the media direction attributes.
enum class Direction { SendRecv, SendOnly, RecvOnly, Inactive };

QByteArray directionName(Direction d);
std::optional<Direction> directionFromName(QByteArrayView name);
bool sends(Direction d);
bool receives(Direction d);
Direction makeDirection(bool send, bool receive);
Direction reversed(Direction d); // the other party's view: sendonly <-> recvonly

// RFC 4566 5.7: c=<nettype> <addrtype> <connection-address>[/<ttl>][/<number of addresses>]
struct Connection {
    QByteArray netType = "IN";
    QByteArray addrType = "IP4"; // IP4 or IP6
    QByteArray address; // without the /ttl/count suffix
    QByteArray suffix; // "/127" or "/127/3" for multicast, kept as written, else empty

    bool isNullHold() const { return address == "0.0.0.0"; } // RFC 3264 8.4 legacy hold (RFC 2543)
    bool operator==(const Connection &) const = default;
};

// RFC 4566 5.2: o=<username> <sess-id> <sess-version> <nettype> <addrtype> <unicast-address>
struct Origin {
    QByteArray username = "-";
    QByteArray sessionId = "0"; // digits, kept as written
    quint64 sessionVersion = 0;
    QByteArray netType = "IN";
    QByteArray addrType = "IP4";
    QByteArray address;
    bool operator==(const Origin &) const = default;
};

// RFC 4566 5.8: b=<bwtype>:<bandwidth>
struct Bandwidth {
    QByteArray type; // CT, AS, TIAS, ...
    quint64 value = 0;
    bool operator==(const Bandwidth &) const = default;
};

// RFC 4566 5.9 and 5.10: t=<start-time> <stop-time>, followed by its r= lines.
struct Timing {
    quint64 start = 0;
    quint64 stop = 0;
    QList<QByteArray> repeats; // r= values, kept as written
    bool operator==(const Timing &) const = default;
};

// RFC 4566 5.13: a=<attribute> or a=<attribute>:<value>
struct Attribute {
    QByteArray name;
    QByteArray value;
    bool hasValue = false;
    bool operator==(const Attribute &) const = default;
};

// RFC 4566 6: a=rtpmap:<payload type> <encoding name>/<clock rate>[/<encoding parameters>]
struct RtpMap {
    int payloadType = 0;
    QByteArray encoding;
    int clockRate = 0;
    int channels = 1; // audio: the encoding parameters, 1 when absent
};

// A payload format usable on an RTP stream: rtpmap and fmtp resolved, or a static type (RFC 3551 6).
struct Codec {
    int payloadType = 0;
    QByteArray encoding; // as written ("PCMU", "opus", "telephone-event")
    int clockRate = 0;
    int channels = 1;
    QByteArray fmtp; // the a=fmtp parameters, empty when none

    bool is(QByteArrayView name) const { return encoding.compare(name, Qt::CaseInsensitive) == 0; }
    QByteArray toString() const; // "opus/48000/2", "PCMU/8000"
};

// The static audio payload types of RFC 3551 6 that are still met on the wire.
std::optional<Codec> staticCodec(int payloadType);

// Attribute list with the typed accessors shared by the session and media levels.
struct AttributeList {
    QList<Attribute> attributes; // in the order written

    std::optional<QByteArray> attribute(QByteArrayView name) const; // the first one's value
    QList<QByteArray> attributeValues(QByteArrayView name) const;
    bool hasAttribute(QByteArrayView name) const;
    void addAttribute(const QByteArray &name, const QByteArray &value = {});
    void removeAttributes(QByteArrayView name);
    std::optional<Direction> direction() const; // as written at this level
    void setDirection(std::optional<Direction> d); // replaces any direction attribute
};

// RFC 4566 5.14: one m= section and what follows it.
struct MediaDescription : AttributeList {
    QByteArray media = "audio"; // audio, video, text, application, message, image
    int port = 0; // 0 rejects or disables the stream (RFC 3264 6)
    int portCount = 1; // the /<number of ports>, 1 when absent
    QByteArray proto = "RTP/AVP";
    QList<QByteArray> formats; // payload type numbers for RTP protocols, else as written
    QByteArray title; // i=
    std::optional<Connection> connection;
    QList<Bandwidth> bandwidths;
    QByteArray key; // k=, kept as written

    bool isRtp() const { return proto.startsWith("RTP/"); }
    QList<int> payloadTypes() const; // the formats that are numbers
    QList<RtpMap> rtpMaps() const;
    std::optional<QByteArray> fmtp(int payloadType) const;
    std::optional<int> ptime() const;
    std::optional<int> maxptime() const;
    bool rtcpMux() const { return hasAttribute("rtcp-mux"); }
    std::optional<int> rtcpPort() const; // a=rtcp (RFC 3605)
    // The formats of the m= line in order, resolved through rtpmap/fmtp or the static table;
    // a dynamic type without rtpmap is left out.
    QList<Codec> codecs() const;
    void addCodec(const Codec &codec); // appends the format, its rtpmap and its fmtp
};

struct SessionDescription : AttributeList {
    int version = 0; // v=
    Origin origin;
    QByteArray sessionName = "-"; // s=
    QByteArray information; // i=
    QByteArray uri; // u=
    QList<QByteArray> emails; // e=
    QList<QByteArray> phones; // p=
    std::optional<Connection> connection;
    QList<Bandwidth> bandwidths;
    QList<Timing> timings {Timing {}};
    QByteArray zoneAdjustments; // z=
    QByteArray key; // k=
    QList<MediaDescription> media;

    // Media-level c= over session-level c= (RFC 4566 5.7).
    std::optional<Connection> connectionOf(qsizetype mediaIndex) const;
    // Media-level attribute over session-level; sendrecv when neither says (RFC 3264 5.1).
    Direction directionOf(qsizetype mediaIndex) const;
    std::optional<int> ptimeOf(qsizetype mediaIndex) const;

    QByteArray toBytes() const; // CRLF line ends, RFC 4566 5 field order

    static std::expected<SessionDescription, Error> parse(QByteArrayView text);
};

// Limits on input from outside, so a hostile body costs bounded memory and time.
inline constexpr qsizetype kMaxSdpBytes = 64 * 1024;
inline constexpr qsizetype kMaxSdpLineLength = 4096;
inline constexpr qsizetype kMaxSdpMedia = 64;
inline constexpr qsizetype kMaxSdpAttributes = 512; // per level

} // namespace ds::sdp
