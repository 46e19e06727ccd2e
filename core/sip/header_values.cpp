#include "header_values.h"

#include "message.h"
#include "parser.h"

#include <QHostAddress>

namespace ds::sip {

namespace {

Error valueError(QString what) { return Error {std::move(what), 0, 0, {}}; }

inline bool isWs(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }

void skipWs(QByteArrayView v, qsizetype &i)
{
    while (i < v.size() && isWs(v[i]))
        ++i;
}

// Reads a quoted-string starting at v[i] == '"'; returns the unquoted text.
std::optional<QByteArray> readQuoted(QByteArrayView v, qsizetype &i)
{
    QByteArray out;
    ++i;
    while (i < v.size()) {
        const char c = v[i];
        if (c == '\\') {
            if (i + 1 >= v.size())
                return std::nullopt;
            out.append(v[i + 1]);
            i += 2;
        } else if (c == '"') {
            ++i;
            return out;
        } else {
            out.append(c);
            ++i;
        }
    }
    return std::nullopt;
}

} // namespace

QByteArray quoted(QByteArrayView s)
{
    QByteArray out = "\"";
    for (char c : s) {
        if (c == '"' || c == '\\')
            out.append('\\');
        out.append(c);
    }
    out.append('"');
    return out;
}

QByteArrayView NameAddr::tag() const
{
    const Param *p = findParam(params, "tag");
    return p ? QByteArrayView(p->value) : QByteArrayView();
}

std::expected<NameAddr, Error> parseNameAddr(QByteArrayView value)
{
    NameAddr na;
    value = trimmed(value);
    if (value == "*") {
        na.wildcard = true;
        return na;
    }
    qsizetype i = 0;
    QByteArrayView uriText;
    qsizetype after = 0;
    if (value.startsWith('"')) {
        auto dn = readQuoted(value, i);
        if (!dn)
            return std::unexpected(valueError(QStringLiteral("the display name has an unterminated quoted string (missing closing '\"')")));
        na.displayName = *dn;
        skipWs(value, i);
        if (i >= value.size() || value[i] != '<')
            return std::unexpected(valueError(QStringLiteral("a quoted display name must be followed by a URI in <>")));
    }
    const qsizetype lt = value.indexOf('<', i);
    if (lt >= 0) {
        const QByteArrayView dn = trimmed(value.sliced(i, lt - i));
        if (!dn.isEmpty()) {
            // display-name = *(token LWS) / quoted-string
            for (char c : dn)
                if (!isTokenChar(c) && !isWs(c))
                    return std::unexpected(valueError(
                        QStringLiteral("the display name \"%1\" contains '%2'; it must be quoted").arg(QString::fromUtf8(clip(dn, 60))).arg(QChar(c))));
            na.displayName = dn.toByteArray();
        }
        const qsizetype gt = value.indexOf('>', lt);
        if (gt < 0)
            return std::unexpected(valueError(QStringLiteral("the URI has an opening '<' but no closing '>'")));
        uriText = value.sliced(lt + 1, gt - lt - 1);
        after = gt + 1;
    } else {
        if (value.indexOf('>') >= 0)
            return std::unexpected(valueError(QStringLiteral("the value has a closing '>' but no opening '<'")));
        // addr-spec: the URI may not contain ',', ';' or '?' unbracketed; parameters follow ';'.
        const qsizetype semi = value.indexOf(';', i);
        uriText = trimmed(value.sliced(i, (semi < 0 ? value.size() : semi) - i));
        after = semi < 0 ? value.size() : semi;
        for (char c : uriText)
            if (isWs(c))
                return std::unexpected(valueError(QStringLiteral("the address \"%1\" contains whitespace; a name-addr must enclose its URI in <>")
                                                      .arg(QString::fromUtf8(clip(uriText, 60)))));
        if (uriText.contains('?'))
            return std::unexpected(valueError(QStringLiteral("a URI with headers ('?') must be enclosed in <>")));
    }
    auto uri = Uri::parse(uriText);
    if (!uri)
        return std::unexpected(uri.error());
    na.uri = *uri;
    auto params = parseParams(value.sliced(after));
    if (!params)
        return std::unexpected(params.error());
    na.params = *params;
    return na;
}

QByteArrayView Via::branch() const
{
    const Param *p = findParam(params, "branch");
    return p ? QByteArrayView(p->value) : QByteArrayView();
}

QByteArrayView Via::received() const
{
    const Param *p = findParam(params, "received");
    return p ? QByteArrayView(p->value) : QByteArrayView();
}

bool Via::hasRport() const { return findParam(params, "rport") != nullptr; }

int Via::rport() const
{
    const Param *p = findParam(params, "rport");
    return p ? p->value.toInt() : 0;
}

std::expected<Via, Error> parseVia(QByteArrayView value)
{
    Via via;
    qsizetype i = 0;
    skipWs(value, i);
    // sent-protocol = protocol-name SLASH protocol-version SLASH transport, LWS allowed around '/'
    QByteArray parts[3];
    for (int k = 0; k < 3; ++k) {
        skipWs(value, i);
        const qsizetype b = i;
        while (i < value.size() && isTokenChar(value[i]))
            ++i;
        if (i == b)
            return std::unexpected(valueError(QStringLiteral("the Via sent-protocol must be like \"SIP/2.0/UDP\"")));
        parts[k] = value.sliced(b, i - b).toByteArray();
        skipWs(value, i);
        if (k < 2) {
            if (i >= value.size() || value[i] != '/')
                return std::unexpected(valueError(QStringLiteral("the Via sent-protocol must be like \"SIP/2.0/UDP\"")));
            ++i;
        }
    }
    via.protocolName = parts[0];
    via.protocolVersion = parts[1];
    via.transport = parts[2].toUpper();
    if (!equalsNoCase(via.protocolName, "SIP") || via.protocolVersion != "2.0")
        return std::unexpected(valueError(QStringLiteral("the Via protocol is \"%1/%2\", expected SIP/2.0")
                                              .arg(QString::fromLatin1(via.protocolName), QString::fromLatin1(via.protocolVersion))));
    skipWs(value, i);
    if (i >= value.size())
        return std::unexpected(valueError(QStringLiteral("the Via has no sent-by host")));
    if (value[i] == '[') {
        const qsizetype close = value.indexOf(']', i);
        if (close < 0)
            return std::unexpected(valueError(QStringLiteral("the IPv6 reference in the Via has no closing ']'")));
        via.host = value.sliced(i + 1, close - i - 1).toByteArray();
        QHostAddress ha;
        if (!ha.setAddress(QString::fromLatin1(via.host)) || ha.protocol() != QAbstractSocket::IPv6Protocol)
            return std::unexpected(valueError(QStringLiteral("the Via host \"%1\" is not a valid IPv6 address").arg(QString::fromLatin1(via.host))));
        via.ipv6 = true;
        i = close + 1;
    } else {
        const qsizetype b = i;
        while (i < value.size() && (isTokenChar(value[i])) && value[i] != ':')
            ++i;
        via.host = value.sliced(b, i - b).toByteArray();
        if (via.host.isEmpty())
            return std::unexpected(valueError(QStringLiteral("the Via has no sent-by host")));
    }
    skipWs(value, i);
    if (i < value.size() && value[i] == ':') {
        ++i;
        skipWs(value, i);
        const qsizetype b = i;
        qint64 port = 0;
        while (i < value.size() && value[i] >= '0' && value[i] <= '9') {
            port = port * 10 + (value[i] - '0');
            if (port > 65535)
                return std::unexpected(valueError(QStringLiteral("the Via port is larger than 65535")));
            ++i;
        }
        if (i == b)
            return std::unexpected(valueError(QStringLiteral("the Via has a ':' but no port number")));
        via.port = int(port);
    }
    auto params = parseParams(value.sliced(i));
    if (!params)
        return std::unexpected(Error {QStringLiteral("malformed Via parameters: ") + params.error().what, 0, 0, {}});
    via.params = *params;
    if (const Param *rp = findParam(via.params, "rport"); rp && rp->hasValue) {
        bool ok = false;
        const int p = rp->value.toInt(&ok);
        if (!ok || p < 1 || p > 65535)
            return std::unexpected(valueError(QStringLiteral("the Via rport \"%1\" is not a port number").arg(QString::fromLatin1(rp->value))));
    }
    return via;
}

std::expected<CSeq, Error> parseCSeq(QByteArrayView value)
{
    value = trimmed(value);
    qsizetype i = 0;
    std::uint64_t n = 0;
    while (i < value.size() && value[i] >= '0' && value[i] <= '9') {
        n = n * 10 + std::uint64_t(value[i] - '0');
        if (n > 0xffffffffULL)
            return std::unexpected(valueError(QStringLiteral("the CSeq number is larger than 2^32-1 (RFC 3261 8.1.1.5)")));
        ++i;
    }
    if (i == 0)
        return std::unexpected(valueError(QStringLiteral("the CSeq must start with a sequence number")));
    const qsizetype ws = i;
    skipWs(value, i);
    if (i == ws)
        return std::unexpected(valueError(QStringLiteral("the CSeq needs whitespace between the number and the method")));
    const qsizetype b = i;
    while (i < value.size() && isTokenChar(value[i]))
        ++i;
    if (i == b || i != value.size())
        return std::unexpected(valueError(QStringLiteral("the CSeq method \"%1\" is not a valid method token").arg(QString::fromLatin1(value.sliced(b)))));
    return CSeq {std::uint32_t(n), value.sliced(b).toByteArray()};
}

QByteArray AuthValue::param(QByteArrayView name) const
{
    for (const auto &p : params)
        if (equalsNoCase(p.first, name))
            return p.second;
    return {};
}

bool AuthValue::has(QByteArrayView name) const
{
    for (const auto &p : params)
        if (equalsNoCase(p.first, name))
            return true;
    return false;
}

std::expected<QList<AuthValue>, Error> parseAuthValues(QByteArrayView value)
{
    QList<AuthValue> out;
    qsizetype i = 0;
    while (true) {
        skipWs(value, i);
        while (i < value.size() && value[i] == ',') {
            ++i;
            skipWs(value, i);
        }
        if (i >= value.size())
            break;
        // Either a new scheme (token followed by whitespace and then a param) or a param.
        qsizetype b = i;
        while (i < value.size() && isTokenChar(value[i]))
            ++i;
        if (i == b)
            return std::unexpected(valueError(QStringLiteral("unexpected '%1' in the authentication header").arg(QChar(value[i]))));
        const QByteArrayView tok = value.sliced(b, i - b);
        qsizetype j = i;
        skipWs(value, j);
        const bool isParam = j < value.size() && value[j] == '=';
        if (!isParam) {
            AuthValue av;
            av.scheme = tok.toByteArray();
            out.append(av);
            i = j;
            continue;
        }
        if (out.isEmpty())
            return std::unexpected(valueError(QStringLiteral("the authentication header has no scheme (expected \"Digest\")")));
        i = j + 1;
        skipWs(value, i);
        QByteArray v;
        if (i < value.size() && value[i] == '"') {
            auto q = readQuoted(value, i);
            if (!q)
                return std::unexpected(valueError(
                    QStringLiteral("the value of \"%1\" in the authentication header has an unterminated quoted string").arg(QString::fromLatin1(tok))));
            v = *q;
        } else {
            const qsizetype vb = i;
            while (i < value.size() && value[i] != ',' && !isWs(value[i]))
                ++i;
            v = value.sliced(vb, i - vb).toByteArray();
        }
        out.back().params.append({tok.toByteArray().toLower(), v});
        skipWs(value, i);
        if (i < value.size() && value[i] != ',')
            return std::unexpected(
                valueError(QStringLiteral("expected ',' after parameter \"%1\" in the authentication header").arg(QString::fromLatin1(tok))));
    }
    if (out.isEmpty())
        return std::unexpected(valueError(QStringLiteral("the authentication header is empty")));
    return out;
}

} // namespace ds::sip
