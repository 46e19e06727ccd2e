#pragma once
// Uri: a SIP, SIPS or tel URI (RFC 3261 19.1, RFC 3966), or any other absolute URI kept opaque.

#include "error.h"

#include <QByteArray>
#include <QList>
#include <QPair>

#include <expected>
#include <optional>

namespace ds::sip {

struct Param {
    QByteArray name;
    QByteArray value; // empty for a flag parameter ("lr")
    bool hasValue = false;
};

using Params = QList<Param>;

const Param *findParam(const Params &params, QByteArrayView name);

struct Uri {
    enum class Scheme { Sip, Sips, Tel, Other };
    Scheme scheme = Scheme::Sip;
    QByteArray schemeText; // as written, for Other
    QByteArray user; // unescaped
    QByteArray password; // unescaped; present only when the URI carries one
    QByteArray host; // without brackets for IPv6 ("::1")
    bool ipv6 = false;
    int port = 0; // 0 when absent
    Params params;
    QList<QPair<QByteArray, QByteArray>> headers; // ?name=value&..., unescaped
    QByteArray opaque; // tel number or the rest of an Other URI

    QByteArrayView paramValue(QByteArrayView name) const;
    bool hasParam(QByteArrayView name) const { return findParam(params, name) != nullptr; }
    QByteArray hostPort() const; // host[:port], IPv6 in brackets
    QByteArray toString() const;

    static std::expected<Uri, Error> parse(QByteArrayView text);
};

// Percent-decodes; fails on a bad escape. Decoded NULs are kept.
std::optional<QByteArray> unescape(QByteArrayView in);

// Parses ;name=value;flag parameters (value may be a quoted string); `text` starts at the first ';'.
std::expected<Params, Error> parseParams(QByteArrayView text);

} // namespace ds::sip
