#include "demo_registrar.h"

#include "sip/header_values.h"
#include "sip/random.h"
#include "sip/response_builder.h"

#include <QDateTime>
#include <QLocale>

#include <algorithm>

namespace ds::demo {

namespace {

QString text(QByteArrayView v) { return QString::fromUtf8(sip::clip(v, 80)); }

// delta-seconds (RFC 3261 25.1), bounded to 2^32-1.
std::optional<qint64> parseSeconds(QByteArrayView v)
{
    v = sip::trimmed(v);
    if (v.isEmpty() || v.size() > 10)
        return std::nullopt;
    qint64 n = 0;
    for (char c : v) {
        if (c < '0' || c > '9')
            return std::nullopt;
        n = n * 10 + (c - '0');
    }
    return n <= 0xffffffffLL ? std::optional<qint64>(n) : std::nullopt;
}

// RFC 3261 20.17: Date in RFC 1123 form, always GMT.
QByteArray httpDate() { return QLocale::c().toString(QDateTime::currentDateTimeUtc(), QStringLiteral("ddd, dd MMM yyyy hh:mm:ss 'GMT'")).toLatin1(); }

} // namespace

DemoRegistrar::DemoRegistrar(sip::Clock &clock, QByteArray password, QByteArray realm, QObject *parent)
    : QObject(parent)
    , m_clock(clock)
    , m_password(std::move(password))
    , m_realm(std::move(realm))
    , m_digest(
          clock, sip::DigestServer::Options {m_realm, {sip::DigestAlgorithm::Sha256, sip::DigestAlgorithm::Md5}, sip::DigestServer::kDefaultNonceLifetimeMs})
{
}

DemoRegistrar::~DemoRegistrar()
{
    if (m_expiryTimer)
        m_clock.cancel(m_expiryTimer);
}

std::optional<sip::Endpoint> DemoRegistrar::contactFor(QByteArrayView user) const
{
    if (user != kUser || m_bindings.isEmpty())
        return std::nullopt;
    const qint64 now = m_clock.nowMs();
    const Binding *newest = nullptr;
    for (const Binding &b : m_bindings)
        if (b.expiresAtMs > now && (!newest || b.updatedAtMs >= newest->updatedAtMs))
            newest = &b;
    return newest ? std::optional<sip::Endpoint>(newest->source) : std::nullopt;
}

void DemoRegistrar::respond(const sip::Message &request, sip::ServerTransaction *transaction, int code, QByteArrayView reason, const QByteArray &extra)
{
    transaction->respond(sip::makeResponse(request, code, reason, sip::randomHex(4), extra + "Server: dialscope demo peer\r\n"), code);
}

void DemoRegistrar::refuse(const sip::Message &request, sip::ServerTransaction *transaction, const Refusal &r)
{
    respond(request, transaction, r.code, r.reason, r.extraHeaders);
    m_lastFailure = r.explanation;
    emit refused(r.explanation);
}

bool DemoRegistrar::handle(const sip::Message &request, sip::ServerTransaction *transaction)
{
    if (request.method() != "REGISTER")
        return false;
    Q_ASSERT(transaction);
    removeExpired();
    const QString from = transaction->source().toString();
    auto bad = [&](QByteArrayView reason, const QString &why) {
        refuse(request, transaction, {400, reason.toByteArray(), QStringLiteral("400 to the REGISTER from %1: %2").arg(from, why), {}});
        return true;
    };
    if (request.callId().isEmpty())
        return bad("Missing Call-ID", QStringLiteral("it has no Call-ID header"));
    const auto cseq = sip::parseCSeq(request.header(sip::HeaderId::CSeq));
    if (!cseq || cseq->method != "REGISTER")
        return bad("Bad CSeq", QStringLiteral("its CSeq header is not \"<number> REGISTER\""));
    const auto to = sip::parseNameAddr(request.header(sip::HeaderId::To));
    if (!to || to->wildcard)
        return bad("Bad To header", QStringLiteral("its To header is malformed: %1").arg(to ? QStringLiteral("*") : to.error().what));

    // RFC 3261 10.3 step 2: no extension is supported here.
    const QList<QByteArrayView> required = request.values(sip::HeaderId::Require);
    if (!required.isEmpty()) {
        QByteArray list;
        for (qsizetype i = 0; i < required.size() && i < 8; ++i)
            list += (i ? ", " : "") + required[i].toByteArray();
        refuse(request, transaction,
            {420, "Bad Extension",
                QStringLiteral("420 to the REGISTER from %1: it requires %2, which the demo registrar does not support").arg(from, text(list)),
                "Unsupported: " + list + "\r\n"});
        return true;
    }
    // RFC 3261 10.3 step 5 (before authentication, so a wrong user name reads as not-found).
    if (to->uri.user != kUser) {
        refuse(request, transaction,
            {404, "Not Found",
                QStringLiteral("404 to the REGISTER from %1: the demo registrar knows only the user demo, not \"%2\"").arg(from, text(to->uri.user)), {}});
        return true;
    }

    // RFC 3261 10.3 step 3, 22.4.
    const sip::DigestServer::Verdict verdict = m_digest.verify(request, kUser, m_password);
    if (verdict.check == sip::DigestServer::Check::Missing || verdict.check == sip::DigestServer::Check::Stale) {
        // The first challenge, or a nonce too old: the usual course of a registration, not a refusal.
        respond(request, transaction, 401, "Unauthorized", m_digest.challengeHeaders(verdict.check == sip::DigestServer::Check::Stale));
        return true;
    }
    if (!verdict.ok()) {
        // A fresh challenge: our own client (sip/authenticator.h) reads a second 401 after its
        // credentials as wrong credentials.
        refuse(request, transaction,
            {401, "Unauthorized",
                QStringLiteral("401 to the REGISTER from %1: %2 (%3)").arg(from, verdict.explanation, sip::DigestServer::checkName(verdict.check)),
                m_digest.challengeHeaders(false)});
        return true;
    }

    // RFC 3261 10.3 steps 6-7: all binding updates, or none.
    QList<Binding> next = m_bindings;
    if (const auto refusal = apply(request, transaction->source(), next)) {
        Refusal r = *refusal;
        r.explanation = QStringLiteral("%1 to the REGISTER from %2: %3").arg(QString::number(r.code), from, r.explanation);
        refuse(request, transaction, r);
        return true;
    }
    const bool changed = !request.values(sip::HeaderId::Contact).isEmpty();
    m_bindings = std::move(next);
    scheduleExpiry();
    // RFC 3261 10.3 step 8: the 200 lists every current binding, with a Date.
    respond(request, transaction, 200, "OK", okHeaders());
    if (changed)
        emit bindingsChanged();
    return true;
}

std::optional<DemoRegistrar::Refusal> DemoRegistrar::apply(const sip::Message &request, const sip::Endpoint &source, QList<Binding> &bindings) const
{
    auto bad = [](QByteArrayView reason, QString why) { return std::optional<Refusal>(Refusal {400, reason.toByteArray(), std::move(why), {}}); };
    std::optional<qint64> headerExpires;
    if (request.hasHeader(sip::HeaderId::Expires)) {
        headerExpires = parseSeconds(request.header(sip::HeaderId::Expires));
        if (!headerExpires)
            return bad(
                "Bad Expires header", QStringLiteral("the Expires header \"%1\" is not a number of seconds").arg(text(request.header(sip::HeaderId::Expires))));
    }
    const QList<QByteArrayView> values = request.values(sip::HeaderId::Contact);
    if (values.isEmpty()) {
        if (request.hasHeader(sip::HeaderId::Contact))
            return bad("Empty Contact header", QStringLiteral("its Contact header is empty"));
        return std::nullopt; // a query: the 200 lists the bindings (RFC 3261 10.2.3)
    }
    if (values.size() > kMaxContacts)
        return bad("Too many Contact values", QStringLiteral("it has %1 Contact values, more than %2").arg(values.size()).arg(kMaxContacts));
    QList<sip::NameAddr> contacts;
    for (const QByteArrayView v : values) {
        auto na = sip::parseNameAddr(v);
        if (!na)
            return bad("Bad Contact header", QStringLiteral("the Contact \"%1\" is malformed: %2").arg(text(v), na.error().what));
        contacts.append(std::move(*na));
    }
    const QByteArray callId = request.callId().toByteArray();
    const std::uint32_t cseq = request.cseqNumber();
    const qint64 now = m_clock.nowMs();
    const auto outOfOrder = [&](const Binding &b) {
        return Refusal {500, "Out Of Order CSeq",
            QStringLiteral("CSeq %1 is not above %2 of the binding %3 with the same Call-ID (RFC 3261 10.3 step 7)").arg(cseq).arg(b.cseq).arg(text(b.contact)),
            {}};
    };

    if (std::any_of(contacts.cbegin(), contacts.cend(), [](const sip::NameAddr &n) { return n.wildcard; })) {
        // RFC 3261 10.3 step 6: "*" only alone and with Expires: 0; it removes every binding.
        if (contacts.size() != 1)
            return bad("Bad Contact header", QStringLiteral("Contact: * must be the only Contact"));
        if (headerExpires != 0)
            return bad("Bad Expires header", QStringLiteral("Contact: * requires Expires: 0"));
        for (const Binding &b : bindings)
            if (b.callId == callId && cseq <= b.cseq)
                return outOfOrder(b);
        bindings.clear();
        return std::nullopt;
    }

    QList<QByteArray> seen; // contacts of this request: a repeat is not out of order
    for (const sip::NameAddr &na : contacts) {
        qint64 expires = headerExpires.value_or(kMaxExpires);
        if (const sip::Param *p = sip::findParam(na.params, "expires")) {
            const auto e = parseSeconds(p->value);
            if (!e)
                return bad("Bad expires parameter", QStringLiteral("the Contact's expires parameter \"%1\" is not a number of seconds").arg(text(p->value)));
            expires = *e;
        }
        // RFC 3261 10.3 step 7 / 10.2.8: too brief an interval is refused with our minimum.
        if (expires > 0 && expires < kMinExpires)
            return Refusal {423, "Interval Too Brief", QStringLiteral("the expiry of %1 s is below the minimum of %2 s").arg(expires).arg(kMinExpires),
                "Min-Expires: " + QByteArray::number(kMinExpires) + "\r\n"};
        expires = std::min<qint64>(expires, kMaxExpires);
        const QByteArray uri = na.uri.toString();
        const sip::Param *inst = sip::findParam(na.params, "+sip.instance");
        const QByteArray instance = inst ? inst->value : QByteArray();
        // The same binding: the same URI, or the same instance (RFC 5626 6: a new address of the same device).
        const auto it = std::find_if(
            bindings.begin(), bindings.end(), [&](const Binding &b) { return b.contact == uri || (!instance.isEmpty() && b.instance == instance); });
        if (it != bindings.end() && it->callId == callId && cseq <= it->cseq && !seen.contains(uri))
            return outOfOrder(*it);
        seen.append(uri);
        if (expires == 0) {
            if (it != bindings.end())
                bindings.erase(it);
            continue;
        }
        Binding b {uri, instance, callId, cseq, now + expires * 1000, now, now, source};
        if (it != bindings.end()) {
            b.registeredAtMs = it->registeredAtMs;
            *it = b;
        } else {
            bindings.append(b);
        }
    }
    while (bindings.size() > kMaxBindings)
        bindings.removeFirst(); // the oldest
    return std::nullopt;
}

QByteArray DemoRegistrar::okHeaders() const
{
    QByteArray out;
    const qint64 now = m_clock.nowMs();
    for (const Binding &b : m_bindings) {
        const qint64 remaining = std::max<qint64>(1, (b.expiresAtMs - now + 999) / 1000);
        out += "Contact: <" + b.contact + ">;expires=" + QByteArray::number(remaining);
        if (!b.instance.isEmpty())
            out += ";+sip.instance=" + sip::quoted(b.instance);
        out += "\r\n";
    }
    out += "Date: " + httpDate() + "\r\n";
    return out;
}

void DemoRegistrar::removeExpired()
{
    const qint64 now = m_clock.nowMs();
    const qsizetype removed = m_bindings.removeIf([now](const Binding &b) { return b.expiresAtMs <= now; });
    if (removed > 0)
        emit bindingsChanged();
}

void DemoRegistrar::scheduleExpiry()
{
    qint64 earliest = 0;
    for (const Binding &b : m_bindings)
        if (!earliest || b.expiresAtMs < earliest)
            earliest = b.expiresAtMs;
    if (earliest == m_expiryAt && (m_expiryTimer || !earliest))
        return;
    if (m_expiryTimer)
        m_clock.cancel(m_expiryTimer);
    m_expiryTimer = 0;
    m_expiryAt = earliest;
    if (!earliest)
        return;
    m_expiryTimer = m_clock.schedule(std::max<qint64>(0, earliest - m_clock.nowMs()), [this] {
        m_expiryTimer = 0;
        m_expiryAt = 0;
        removeExpired();
        scheduleExpiry();
    });
}

} // namespace ds::demo
