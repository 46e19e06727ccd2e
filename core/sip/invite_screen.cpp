#include "invite_screen.h"

#include "uri.h"

namespace ds::sip {

namespace {

// "<urn:uuid:x>" or "urn:uuid:x", compared without the angle brackets and quotes, case-insensitively
// (RFC 4122 3: UUIDs are compared as hexadecimal values, RFC 8141 3: the URN scheme and NID too).
QByteArray bareInstance(QByteArrayView v)
{
    QByteArray s = v.trimmed().toByteArray();
    if (s.startsWith('"') && s.endsWith('"') && s.size() >= 2)
        s = s.mid(1, s.size() - 2);
    if (s.startsWith('<') && s.endsWith('>'))
        s = s.mid(1, s.size() - 2);
    return s.toLower();
}

InviteRefusal notFound(QString why) { return {404, "Not Found", std::move(why)}; }

} // namespace

std::optional<InviteRefusal> screenInvite(const Message &invite, const QHostAddress &source, const InviteScreen &screen)
{
    if (!screen.onlyFrom.isNull() && !screen.onlyFrom.isEqual(source, QHostAddress::TolerantConversion))
        return InviteRefusal {403, "Forbidden",
            QStringLiteral("calls come only through the server (%1), and this one came from %2").arg(screen.onlyFrom.toString(), source.toString())};
    if (screen.users.isEmpty() && screen.instance.isEmpty())
        return std::nullopt;
    auto uri = Uri::parse(invite.requestUri());
    if (!uri || (uri->scheme != Uri::Scheme::Sip && uri->scheme != Uri::Scheme::Sips))
        return notFound(QStringLiteral("the Request-URI is not a SIP URI of ours"));
    // RFC 3261 19.1.4: the user part compares case-sensitively, after unescaping.
    if (!screen.users.isEmpty() && !screen.users.contains(uri->user))
        return notFound(QStringLiteral("the call is for \"%1\", not for this account's user").arg(QString::fromUtf8(uri->user)));
    if (!screen.instance.isEmpty()) {
        const QByteArray ours = bareInstance(screen.instance);
        for (QByteArrayView name : {QByteArrayView("gr"), QByteArrayView("+sip.instance")}) {
            const Param *p = findParam(uri->params, name);
            // A bare gr (no value) is the public GRUU: the AOR, any instance (RFC 5627 3.1).
            if (p && p->hasValue && !p->value.isEmpty() && bareInstance(p->value) != ours)
                return notFound(QStringLiteral("the call is for another device of this user (%1=%2)")
                                    .arg(QString::fromLatin1(name.toByteArray()), QString::fromUtf8(p->value)));
        }
    }
    return std::nullopt;
}

} // namespace ds::sip
