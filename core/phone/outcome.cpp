#include "outcome.h"

namespace ds::phone {

QString outcomeName(Outcome o)
{
    switch (o) {
    case Outcome::Registered:
        return QStringLiteral("registered");
    case Outcome::Unregistered:
        return QStringLiteral("unregistered");
    case Outcome::WrongCredentials:
        return QStringLiteral("wrong-credentials");
    case Outcome::Forbidden:
        return QStringLiteral("forbidden");
    case Outcome::NotFound:
        return QStringLiteral("not-found");
    case Outcome::Timeout:
        return QStringLiteral("timeout");
    case Outcome::TlsError:
        return QStringLiteral("tls-error");
    case Outcome::DnsError:
        return QStringLiteral("dns-error");
    case Outcome::NetworkError:
        return QStringLiteral("network-error");
    case Outcome::ServerError:
        return QStringLiteral("server-error");
    case Outcome::Refused:
        return QStringLiteral("refused");
    }
    return QStringLiteral("refused");
}

bool outcomeIsNetwork(Outcome o) { return o == Outcome::Timeout || o == Outcome::TlsError || o == Outcome::DnsError || o == Outcome::NetworkError; }

Diagnosis classifyResponse(const ResponseContext &c)
{
    const QString status = QStringLiteral("%1 %2").arg(c.status).arg(c.reasonPhrase).trimmed();
    const QString aor = QStringLiteral("%1@%2").arg(c.user, c.domain);
    const QString warn = c.warning.isEmpty() ? QString() : QStringLiteral(" (the server says: %1)").arg(c.warning);
    switch (c.status) {
    case 401:
    case 407:
        return {Outcome::WrongCredentials, c.status,
            QStringLiteral(
                "the registrar refused the credentials for %1 (%2 again after digest authentication): the password or the authentication user name is wrong%3")
                .arg(aor, status, warn)};
    case 403:
        // Kamailio and others answer an unknown user with "403 Unknown user".
        if (c.reasonPhrase.contains(QLatin1String("unknown user"), Qt::CaseInsensitive)
            || c.reasonPhrase.contains(QLatin1String("not found"), Qt::CaseInsensitive))
            return {Outcome::NotFound, c.status,
                QStringLiteral("the registrar does not know %1 (%2): check the user name, the authentication user and the domain%3").arg(aor, status, warn)};
        if (c.credentialsSent)
            return {
                Outcome::Forbidden, c.status, QStringLiteral("the registrar knows the credentials but forbids this account or IP (%1)%2").arg(status, warn)};
        return {Outcome::Forbidden, c.status,
            QStringLiteral(
                "the registrar refuses %1 without asking for credentials (%2): the account is disabled, the domain is wrong, or this IP is not allowed%3")
                .arg(aor, status, warn)};
    case 404:
        return {
            Outcome::NotFound, c.status, QStringLiteral("the registrar does not know %1 (%2): check the user name and the domain%3").arg(aor, status, warn)};
    case 408:
        return {Outcome::Timeout, c.status,
            QStringLiteral("the registrar timed out handling the request (%1): a backend behind it did not answer%2").arg(status, warn)};
    case 423:
        return {Outcome::Refused, c.status,
            QStringLiteral("the registrar keeps refusing the expiry interval (%1) and gives no usable Min-Expires%2").arg(status, warn)};
    case 400:
        return {Outcome::Refused, c.status, QStringLiteral("the registrar says the REGISTER is malformed (%1)%2").arg(status, warn)};
    case 420:
    case 421:
        return {Outcome::Refused, c.status, QStringLiteral("the registrar and dialscope disagree on SIP extensions (%1)%2").arg(status, warn)};
    case 482:
    case 483:
        return {Outcome::Refused, c.status,
            QStringLiteral("the request looped or went through too many proxies (%1): check the routing between dialscope and the registrar%2")
                .arg(status, warn)};
    default:
        break;
    }
    if (c.status >= 500 && c.status < 600)
        return {Outcome::ServerError, c.status,
            QStringLiteral("the registrar failed to handle the request (%1): it is overloaded, misconfigured, or a database or service behind it is down%2")
                .arg(status, warn)};
    if (c.status >= 600)
        return {Outcome::Refused, c.status, QStringLiteral("the registrar declined the registration everywhere (%1)%2").arg(status, warn)};
    if (c.status >= 300 && c.status < 400)
        return {
            Outcome::Refused, c.status, QStringLiteral("the registrar redirects elsewhere (%1): point dialscope at the server it names%2").arg(status, warn)};
    return {Outcome::Refused, c.status, QStringLiteral("the registrar refused the registration (%1)%2").arg(status, warn)};
}

} // namespace ds::phone
