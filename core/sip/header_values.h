#pragma once
// Typed parsers for the header values the stack acts on: name-addr (From, To, Contact, Route),
// Via, CSeq and authentication challenges/credentials (RFC 3261 20, 25.1; RFC 7616).

#include "uri.h"

#include <QByteArrayView>

#include <cstdint>
#include <expected>
#include <optional>

namespace ds::sip {

struct NameAddr {
    QByteArray displayName; // unquoted
    Uri uri;
    Params params; // header parameters (tag, expires, q, +sip.instance...)
    bool wildcard = false; // Contact: *
    QByteArrayView tag() const;
};

// name-addr or addr-spec followed by header parameters.
std::expected<NameAddr, Error> parseNameAddr(QByteArrayView value);

struct Via {
    QByteArray protocolName; // "SIP"
    QByteArray protocolVersion; // "2.0"
    QByteArray transport; // "UDP", "TCP", "TLS"...
    QByteArray host;
    bool ipv6 = false;
    int port = 0;
    Params params;
    QByteArrayView branch() const;
    QByteArrayView received() const;
    bool hasRport() const;
    int rport() const; // 0 when absent or empty
};

std::expected<Via, Error> parseVia(QByteArrayView value);

struct CSeq {
    std::uint32_t number = 0;
    QByteArray method;
};

std::expected<CSeq, Error> parseCSeq(QByteArrayView value);

// One challenge or credentials: `Digest realm="x", nonce="y", qop="auth,auth-int"`.
struct AuthValue {
    QByteArray scheme;
    QList<QPair<QByteArray, QByteArray>> params; // names lower-cased, values unquoted
    QByteArray param(QByteArrayView name) const;
    bool has(QByteArrayView name) const;
};

// A WWW-Authenticate / Proxy-Authenticate value may hold several challenges (RFC 7235 4.1).
std::expected<QList<AuthValue>, Error> parseAuthValues(QByteArrayView value);

// Quotes a string for a header parameter: "a\"b".
QByteArray quoted(QByteArrayView s);

} // namespace ds::sip
