#include "dial_uri.h"

#include "sip/message.h"
#include "sip/uri.h"

#include <QCoreApplication>
#include <QRegularExpression>

#include <algorithm>
#include <array>
#include <cctype>
#include <optional>

namespace ds::phone {

namespace {

using Result = std::expected<DialUri, QString>;

constexpr qsizetype kMaxDroppedNames = 16; // header names listed; more are summed up as "…"

const std::array<QLatin1StringView, 4> kSchemes = {QLatin1StringView("sip"), QLatin1StringView("sips"), QLatin1StringView("tel"), QLatin1StringView("callto")};

QString tr(const char *text) { return QCoreApplication::translate("ds::phone::DialUri", text); }

std::unexpected<QString> fail(QString why) { return std::unexpected(std::move(why)); }

QString clipped(QStringView s, qsizetype n = 60) { return s.size() > n ? s.first(n - 1).toString() + QChar(0x2026) : s.toString(); }

std::optional<QChar> controlChar(QStringView s)
{
    for (QChar c : s)
        if (c.unicode() < 0x20 || c.unicode() == 0x7f)
            return c;
    return std::nullopt;
}

QString controlCharError(QChar c, const QString &where)
{
    return tr("%1 contains a control character (U+%2)").arg(where, QStringLiteral("%1").arg(c.unicode(), 4, 16, QLatin1Char('0')).toUpper());
}

// Percent-decodes (UTF-8 escapes); nullopt on a malformed escape.
std::optional<QString> unescaped(QStringView s)
{
    if (!s.contains(QLatin1Char('%')))
        return s.toString();
    const auto bytes = sip::unescape(s.toUtf8());
    if (!bytes)
        return std::nullopt;
    return QString::fromUtf8(*bytes);
}

// RFC 3966 5.1.1 visual separators, and the spaces people (and web pages) put in numbers.
QString withoutSeparators(QStringView number)
{
    QString n;
    n.reserve(number.size());
    for (QChar c : number)
        if (c != u'-' && c != u'.' && c != u'(' && c != u')' && !c.isSpace())
            n += c;
    return n;
}

// The ?name=value&... part of a link: the names go to the report, nothing else is kept.
void dropHeaders(QStringView headers, DialUri &out)
{
    const QList<QStringView> items = headers.split(QLatin1Char('&'), Qt::SkipEmptyParts);
    for (QStringView item : items) {
        if (out.droppedHeaders.size() == kMaxDroppedNames) {
            out.droppedHeaders << QString(QChar(0x2026));
            return;
        }
        const qsizetype eq = item.indexOf(QLatin1Char('='));
        const QStringView name = eq < 0 ? item : item.first(eq);
        out.droppedHeaders << (name.isEmpty() ? tr("(unnamed)") : clipped(name, 40));
    }
    if (items.isEmpty())
        out.droppedHeaders << tr("(empty)");
}

// Splits off the header part at the first '?' (a user part with a '?' is not supported in links).
QStringView takeHeaders(QStringView rest, DialUri &out)
{
    const qsizetype q = rest.indexOf(QLatin1Char('?'));
    if (q < 0)
        return rest;
    dropHeaders(rest.sliced(q + 1), out);
    return rest.first(q);
}

Result parseSip(const QString &scheme, QStringView rest, DialUri out)
{
    const QStringView base = takeHeaders(rest, out);
    auto uri = sip::Uri::parse((scheme + QLatin1Char(':') + base.toString()).toUtf8());
    if (!uri)
        return fail(tr("not a valid %1: address: %2").arg(scheme, uri.error().what));
    if (auto c = controlChar(QString::fromUtf8(uri->user)))
        return fail(controlCharError(*c, tr("the user part")));
    if (!uri->password.isEmpty()) {
        uri->password.clear();
        out.droppedPassword = true;
    }
    const auto method = std::remove_if(uri->params.begin(), uri->params.end(), [](const sip::Param &p) { return sip::equalsNoCase(p.name, "method"); });
    if (method != uri->params.end()) {
        uri->params.erase(method, uri->params.end());
        out.droppedMethod = true;
    }
    uri->headers.clear();
    out.target = QString::fromUtf8(uri->toString());
    return out;
}

// A tel: number as RFC 3966 3 has it: global (+ and digits) or local (hex digits, * and #).
std::optional<QString> badNumber(const QString &n)
{
    const bool global = n.startsWith(QLatin1Char('+'));
    if (global && n.size() == 1)
        return tr("the number \"+\" has no digits");
    for (qsizetype i = global ? 1 : 0; i < n.size(); ++i) {
        const QChar c = n[i];
        const bool ok = global ? c.isDigit() && c.unicode() < 128 : (c.unicode() < 128 && (std::isxdigit(c.toLatin1()) || c == u'*' || c == u'#'));
        if (!ok)
            return global ? tr("the number \"%1\" contains '%2': after the + only digits may follow").arg(clipped(n), QString(c))
                          : tr("the number \"%1\" contains '%2': a number has digits, * and #").arg(clipped(n), QString(c));
    }
    return std::nullopt;
}

Result parseTel(QStringView rest, DialUri out)
{
    rest = takeHeaders(rest, out);
    const qsizetype semi = rest.indexOf(QLatin1Char(';'));
    const auto number = unescaped(semi < 0 ? rest : rest.first(semi));
    if (!number)
        return fail(tr("the number of the tel: link has a malformed %-escape"));
    if (auto c = controlChar(*number))
        return fail(controlCharError(*c, tr("the number of the tel: link")));
    const QString n = withoutSeparators(*number);
    if (n.isEmpty())
        return fail(tr("the tel: link has no number"));
    if (auto bad = badNumber(n))
        return fail(*bad);
    QString target = QStringLiteral("tel:") + n;
    if (semi >= 0) {
        auto params = sip::parseParams(rest.sliced(semi).toUtf8());
        if (!params)
            return fail(tr("the parameters of the tel: link: %1").arg(params.error().what));
        for (sip::Param p : *params) {
            // RFC 3966 5.1.5: phone-context is a domain name or a global number prefix (whose
            // separators go like the number's); ext (5.1.3) is digits.
            const QByteArray name = p.name.toLower();
            if ((name == "phone-context" && p.value.startsWith('+')) || name == "ext")
                p.value = withoutSeparators(QString::fromLatin1(p.value)).toLatin1();
            target += QLatin1Char(';') + QString::fromLatin1(p.name);
            if (p.hasValue)
                target += QLatin1Char('=') + QString::fromLatin1(p.value);
        }
    }
    out.target = target;
    return out;
}

// callto: (Skype, NetMeeting, many CRMs): a number, a user, user@host, or a SIP/tel URI inside.
Result parseCallto(QStringView rest, DialUri out)
{
    rest = takeHeaders(rest, out);
    const auto value = unescaped(rest);
    if (!value)
        return fail(tr("the callto: link has a malformed %-escape"));
    const QString v = value->trimmed();
    if (auto c = controlChar(v))
        return fail(controlCharError(*c, tr("the callto: link")));
    if (v.isEmpty())
        return fail(tr("the callto: link names no one to call"));
    for (const QLatin1StringView inner : {kSchemes[0], kSchemes[1], kSchemes[2]}) {
        if (!v.startsWith(QString(inner) + QLatin1Char(':'), Qt::CaseInsensitive))
            continue;
        auto parsed = parseDialUri(v);
        if (!parsed)
            return parsed;
        parsed->scheme = out.scheme;
        parsed->droppedHeaders = out.droppedHeaders + parsed->droppedHeaders;
        return parsed;
    }
    if (rest.contains(QLatin1Char('@')))
        return parseSip(QStringLiteral("sip"), rest, std::move(out));
    if (v.contains(QLatin1Char('@'))) // the '@' itself was escaped: so was the rest, once
        return parseSip(QStringLiteral("sip"), v, std::move(out));
    static const QRegularExpression number(QStringLiteral("^\\+?[0-9*#]+$"));
    static const QRegularExpression user(QStringLiteral("^[A-Za-z0-9._~!*'+-]+$"));
    if (const QString n = withoutSeparators(v); number.match(n).hasMatch())
        out.target = n;
    else if (user.match(v).hasMatch())
        out.target = v;
    else
        return fail(tr("\"%1\" in the callto: link is neither a number, a user name nor user@host").arg(clipped(v)));
    return out;
}

} // namespace

QString DialUri::droppedText() const
{
    QStringList parts;
    if (!droppedHeaders.isEmpty())
        parts << tr("the headers %1").arg(droppedHeaders.join(QStringLiteral(", ")));
    if (droppedPassword)
        parts << tr("the password");
    if (droppedMethod)
        parts << tr("the method parameter");
    if (parts.isEmpty())
        return {};
    return tr("Left out of the call: %1 (a link may not choose what our INVITE carries)").arg(parts.join(QStringLiteral(", ")));
}

bool isDialUri(const QString &arg)
{
    for (const QLatin1StringView scheme : kSchemes)
        if (arg.size() > scheme.size() && arg.startsWith(scheme, Qt::CaseInsensitive) && arg[scheme.size()] == u':')
            return true;
    return false;
}

std::expected<DialUri, QString> parseDialUri(const QString &text)
{
    if (text.size() > DialUri::kMaxLength)
        return fail(tr("the link is %1 characters long; at most %2 are accepted").arg(text.size()).arg(DialUri::kMaxLength));
    QString t = text.trimmed();
    // Quotes or angle brackets around it, as copied from a page, a shell or a From header.
    for (const auto &[open, close] : {std::pair {u'"', u'"'}, std::pair {u'\'', u'\''}, std::pair {u'<', u'>'}})
        if (t.size() >= 2 && t.front() == open && t.back() == close)
            t = t.sliced(1, t.size() - 2).trimmed();
    if (t.isEmpty())
        return fail(tr("the link is empty"));
    if (auto c = controlChar(t))
        return fail(controlCharError(*c, tr("the link")));
    // A link escaped once more than it should be ("sip%3Aalice%40example.com"): decoded once.
    if (!t.contains(QLatin1Char(':')))
        for (const QLatin1StringView scheme : kSchemes)
            if (t.startsWith(QString(scheme) + QLatin1String("%3A"), Qt::CaseInsensitive)) {
                const auto decoded = unescaped(t);
                if (!decoded)
                    return fail(tr("the link has a malformed %-escape"));
                if (auto c = controlChar(*decoded))
                    return fail(controlCharError(*c, tr("the link")));
                t = *decoded;
                break;
            }
    const qsizetype colon = t.indexOf(QLatin1Char(':'));
    if (colon <= 0)
        return fail(tr("\"%1\" is not a link: it has no scheme such as sip: or tel:").arg(clipped(t)));
    DialUri out;
    out.scheme = t.first(colon).toLower();
    if (std::find(kSchemes.begin(), kSchemes.end(), out.scheme) == kSchemes.end())
        return fail(tr("%1: links cannot be called: dialscope calls sip:, sips:, tel: and callto: links").arg(clipped(out.scheme, 20)));
    QStringView rest = QStringView(t).sliced(colon + 1);
    // sip://alice@example.com/ and callto://+15550100: a "//" after the scheme (and a trailing '/').
    if (rest.startsWith(u"//")) {
        rest = rest.sliced(2);
        if (rest.endsWith(QLatin1Char('/')))
            rest.chop(1);
    }
    if (rest.trimmed().isEmpty())
        return fail(tr("the %1: link names no one to call").arg(out.scheme));
    if (out.scheme == QLatin1String("tel"))
        return parseTel(rest, std::move(out));
    if (out.scheme == QLatin1String("callto"))
        return parseCallto(rest, std::move(out));
    const QString scheme = out.scheme;
    return parseSip(scheme, rest, std::move(out));
}

} // namespace ds::phone
