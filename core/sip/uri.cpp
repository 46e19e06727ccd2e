#include "uri.h"

#include "message.h"
#include "parser.h"

#include <QHostAddress>

namespace ds::sip {

namespace {

Error uriError(QString what) { return Error {std::move(what), 0, 0, {}}; }

int hexValue(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

bool isUnreserved(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_' || c == '.' || c == '!' || c == '~' || c == '*'
        || c == '\'' || c == '(' || c == ')';
}

// RFC 3261 25.1 user: unreserved / escaped / user-unreserved (& = + $ , ; ? /)
bool isUserChar(char c) { return isUnreserved(c) || c == '&' || c == '=' || c == '+' || c == '$' || c == ',' || c == ';' || c == '?' || c == '/' || c == '%'; }

bool isPasswordChar(char c) { return isUnreserved(c) || c == '&' || c == '=' || c == '+' || c == '$' || c == ',' || c == '%'; }

// param-unreserved and the characters URI parameters allow
bool isParamChar(char c) { return isUnreserved(c) || c == '[' || c == ']' || c == '/' || c == ':' || c == '&' || c == '+' || c == '$' || c == '%'; }

bool isHeaderChar(char c) { return isUnreserved(c) || c == '[' || c == ']' || c == '/' || c == '?' || c == ':' || c == '+' || c == '$' || c == '%'; }

bool validHostname(QByteArrayView h)
{
    if (h.isEmpty() || h.size() > 255)
        return false;
    for (char c : h)
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '.'))
            return false;
    return h.front() != '.' && h.front() != '-';
}

} // namespace

const Param *findParam(const Params &params, QByteArrayView name)
{
    for (const Param &p : params)
        if (equalsNoCase(p.name, name))
            return &p;
    return nullptr;
}

std::optional<QByteArray> unescape(QByteArrayView in)
{
    if (!in.contains('%'))
        return in.toByteArray();
    QByteArray out;
    out.reserve(in.size());
    for (qsizetype i = 0; i < in.size(); ++i) {
        if (in[i] != '%') {
            out.append(in[i]);
            continue;
        }
        if (i + 2 >= in.size())
            return std::nullopt;
        const int hi = hexValue(in[i + 1]), lo = hexValue(in[i + 2]);
        if (hi < 0 || lo < 0)
            return std::nullopt;
        out.append(char(hi * 16 + lo));
        i += 2;
    }
    return out;
}

std::expected<Params, Error> parseParams(QByteArrayView text)
{
    Params out;
    qsizetype i = 0;
    while (i < text.size()) {
        while (i < text.size() && (text[i] == ' ' || text[i] == '\t'))
            ++i;
        if (i >= text.size())
            break;
        if (text[i] != ';')
            return std::unexpected(uriError(QStringLiteral("expected ';' before a parameter, found '%1'").arg(QChar(text[i]))));
        ++i;
        while (i < text.size() && (text[i] == ' ' || text[i] == '\t'))
            ++i;
        const qsizetype nb = i;
        while (i < text.size() && (isTokenChar(text[i]) || isParamChar(text[i])) && text[i] != '=')
            ++i;
        if (i == nb)
            return std::unexpected(uriError(QStringLiteral("a parameter has no name")));
        Param p;
        p.name = text.sliced(nb, i - nb).toByteArray();
        while (i < text.size() && (text[i] == ' ' || text[i] == '\t'))
            ++i;
        if (i < text.size() && text[i] == '=') {
            ++i;
            while (i < text.size() && (text[i] == ' ' || text[i] == '\t'))
                ++i;
            p.hasValue = true;
            if (i < text.size() && text[i] == '"') {
                ++i;
                QByteArray v;
                bool closed = false;
                while (i < text.size()) {
                    if (text[i] == '\\' && i + 1 < text.size()) {
                        v.append(text[i + 1]);
                        i += 2;
                    } else if (text[i] == '"') {
                        closed = true;
                        ++i;
                        break;
                    } else {
                        v.append(text[i++]);
                    }
                }
                if (!closed)
                    return std::unexpected(
                        uriError(QStringLiteral("the value of parameter \"%1\" has an unterminated quoted string").arg(QString::fromLatin1(p.name))));
                p.value = v;
            } else {
                const qsizetype vb = i;
                while (i < text.size() && (isTokenChar(text[i]) || isParamChar(text[i]) || text[i] == '@'))
                    ++i;
                p.value = text.sliced(vb, i - vb).toByteArray();
            }
        }
        out.append(std::move(p));
        while (i < text.size() && (text[i] == ' ' || text[i] == '\t'))
            ++i;
        if (i < text.size() && text[i] != ';')
            return std::unexpected(
                uriError(QStringLiteral("unexpected character '%1' in parameter \"%2\"").arg(QChar(text[i])).arg(QString::fromLatin1(out.back().name))));
    }
    return out;
}

QByteArrayView Uri::paramValue(QByteArrayView name) const
{
    const Param *p = findParam(params, name);
    return p ? QByteArrayView(p->value) : QByteArrayView();
}

QByteArray Uri::hostPort() const
{
    QByteArray s = ipv6 ? '[' + host + ']' : host;
    if (port)
        s += ':' + QByteArray::number(port);
    return s;
}

QByteArray Uri::toString() const
{
    QByteArray s;
    switch (scheme) {
    case Scheme::Sip:
        s = "sip:";
        break;
    case Scheme::Sips:
        s = "sips:";
        break;
    case Scheme::Tel:
        return "tel:" + opaque;
    case Scheme::Other:
        return schemeText + ':' + opaque;
    }
    if (!user.isEmpty()) {
        for (char c : user) {
            if (isUnreserved(c) || (isUserChar(c) && c != '%'))
                s += c;
            else
                s += '%' + QByteArray(1, c).toHex().toUpper();
        }
        s += '@';
    }
    s += hostPort();
    for (const Param &p : params) {
        s += ';' + p.name;
        if (p.hasValue)
            s += '=' + p.value;
    }
    for (qsizetype i = 0; i < headers.size(); ++i)
        s += (i ? '&' : '?') + headers[i].first + '=' + headers[i].second;
    return s;
}

std::expected<Uri, Error> Uri::parse(QByteArrayView text)
{
    Uri u;
    const qsizetype colon = text.indexOf(':');
    if (colon <= 0)
        return std::unexpected(uriError(QStringLiteral("\"%1\" is not a URI: it has no scheme").arg(QString::fromLatin1(clip(text, 60)))));
    const QByteArrayView scheme = text.first(colon);
    for (qsizetype i = 0; i < scheme.size(); ++i) {
        const char c = scheme[i];
        const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (i > 0 && ((c >= '0' && c <= '9') || c == '+' || c == '-' || c == '.'));
        if (!ok)
            return std::unexpected(uriError(QStringLiteral("the URI scheme \"%1\" contains '%2'").arg(QString::fromLatin1(scheme)).arg(QChar(c))));
    }
    QByteArrayView rest = text.sliced(colon + 1);
    for (char c : rest)
        if (c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '<' || c == '>' || c == '"' || (unsigned char)c < 32)
            return std::unexpected(
                uriError(QStringLiteral("the URI \"%1\" contains whitespace or a character not allowed in a URI").arg(QString::fromLatin1(clip(text, 60)))));
    if (equalsNoCase(scheme, "tel")) {
        u.scheme = Scheme::Tel;
        u.opaque = rest.toByteArray();
        if (rest.isEmpty())
            return std::unexpected(uriError(QStringLiteral("the tel URI has no number")));
        const qsizetype semi = rest.indexOf(';');
        u.user = rest.first(semi < 0 ? rest.size() : semi).toByteArray();
        if (semi >= 0) {
            auto params = parseParams(rest.sliced(semi));
            if (!params)
                return std::unexpected(params.error());
            u.params = *params;
        }
        return u;
    }
    if (!equalsNoCase(scheme, "sip") && !equalsNoCase(scheme, "sips")) {
        u.scheme = Scheme::Other;
        u.schemeText = scheme.toByteArray();
        u.opaque = rest.toByteArray();
        return u;
    }
    u.scheme = equalsNoCase(scheme, "sips") ? Scheme::Sips : Scheme::Sip;

    // userinfo: everything up to the last '@' before any '?' (users may contain ';' and '?').
    qsizetype at = -1;
    for (qsizetype i = 0; i < rest.size(); ++i) {
        if (rest[i] == '@')
            at = i;
    }
    if (at >= 0) {
        const QByteArrayView userinfo = rest.first(at);
        const qsizetype pc = userinfo.indexOf(':');
        const QByteArrayView user = pc < 0 ? userinfo : userinfo.first(pc);
        if (user.isEmpty())
            return std::unexpected(uriError(QStringLiteral("the SIP URI has an '@' but no user part")));
        for (char c : user)
            if (!isUserChar(c))
                return std::unexpected(uriError(QStringLiteral("the user part of the SIP URI contains '%1', which must be escaped").arg(QChar(c))));
        auto un = unescape(user);
        if (!un)
            return std::unexpected(uriError(QStringLiteral("the user part of the SIP URI has a malformed %-escape")));
        u.user = *un;
        if (pc >= 0) {
            const QByteArrayView pw = userinfo.sliced(pc + 1);
            for (char c : pw)
                if (!isPasswordChar(c))
                    return std::unexpected(uriError(QStringLiteral("the password part of the SIP URI contains '%1'").arg(QChar(c))));
            auto up = unescape(pw);
            if (!up)
                return std::unexpected(uriError(QStringLiteral("the password part of the SIP URI has a malformed %-escape")));
            u.password = *up;
        }
        rest = rest.sliced(at + 1);
    }
    // hostport
    qsizetype i = 0;
    if (rest.startsWith('[')) {
        const qsizetype close = rest.indexOf(']');
        if (close < 0)
            return std::unexpected(uriError(QStringLiteral("the IPv6 reference in the SIP URI has no closing ']'")));
        const QByteArrayView addr = rest.sliced(1, close - 1);
        QHostAddress ha;
        if (!ha.setAddress(QString::fromLatin1(addr)) || ha.protocol() != QAbstractSocket::IPv6Protocol)
            return std::unexpected(uriError(QStringLiteral("\"%1\" is not a valid IPv6 address").arg(QString::fromLatin1(addr))));
        u.host = addr.toByteArray();
        u.ipv6 = true;
        i = close + 1;
    } else {
        while (i < rest.size() && rest[i] != ':' && rest[i] != ';' && rest[i] != '?')
            ++i;
        const QByteArrayView host = rest.first(i);
        if (host.isEmpty())
            return std::unexpected(uriError(QStringLiteral("the SIP URI has no host")));
        if (!validHostname(host))
            return std::unexpected(
                uriError(QStringLiteral("the host \"%1\" of the SIP URI is not a valid host name or address").arg(QString::fromLatin1(clip(host, 60)))));
        u.host = host.toByteArray();
    }
    if (i < rest.size() && rest[i] == ':') {
        ++i;
        const qsizetype pb = i;
        qint64 port = 0;
        while (i < rest.size() && rest[i] >= '0' && rest[i] <= '9') {
            port = port * 10 + (rest[i] - '0');
            if (port > 65535)
                return std::unexpected(uriError(QStringLiteral("the port of the SIP URI is larger than 65535")));
            ++i;
        }
        if (i == pb)
            return std::unexpected(uriError(QStringLiteral("the SIP URI has a ':' after the host but no port number")));
        u.port = int(port);
    }
    qsizetype q = rest.indexOf('?', i);
    const QByteArrayView paramText = rest.sliced(i, (q < 0 ? rest.size() : q) - i);
    if (!paramText.isEmpty()) {
        if (paramText[0] != ';')
            return std::unexpected(uriError(QStringLiteral("unexpected '%1' after the host of the SIP URI").arg(QChar(paramText[0]))));
        auto params = parseParams(paramText);
        if (!params)
            return std::unexpected(params.error());
        u.params = *params;
    }
    if (q >= 0) {
        const QByteArrayView hs = rest.sliced(q + 1);
        for (QByteArrayView item : hs.toByteArray().split('&')) {
            const qsizetype eq = item.indexOf('=');
            if (eq <= 0)
                return std::unexpected(uriError(QStringLiteral("the URI header \"%1\" has no '='").arg(QString::fromLatin1(item))));
            for (char c : item)
                if (c != '=' && !isHeaderChar(c))
                    return std::unexpected(uriError(QStringLiteral("the URI header \"%1\" contains '%2'").arg(QString::fromLatin1(item)).arg(QChar(c))));
            auto n = unescape(item.first(eq));
            auto v = unescape(item.sliced(eq + 1));
            if (!n || !v)
                return std::unexpected(uriError(QStringLiteral("the URI header \"%1\" has a malformed %-escape").arg(QString::fromLatin1(item))));
            u.headers.append({*n, *v});
        }
    }
    return u;
}

} // namespace ds::sip
