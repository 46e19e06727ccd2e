#include "registration.h"

#include "sip/header_values.h"
#include "sip/random.h"

#include <QMetaMethod>

#include <QSysInfo>
#include <QUuid>
#include <chrono>

namespace ds::phone {

namespace {

QByteArray randomToken(int bytes) { return sip::randomHex(bytes); }

qint64 steadyNs() { return std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now().time_since_epoch()).count(); }

RegIdentity identityOf(const Account &a) { return {a.user, a.authUser, a.domain, a.displayName}; }

// Read once: a registration test creates thousands of registrations.
const QByteArray &machineId()
{
    static const QByteArray id = QSysInfo::machineUniqueId();
    return id;
}

} // namespace

int Registration::refreshDelayFor(int expires)
{
    // Refresh at half the interval; for short intervals that would refresh too eagerly, so
    // use the expiry minus a margin instead, never less than half (RFC 3261 10.2.4 leaves the
    // time to the client; softphones use the same rule).
    if (expires <= 1)
        return 1;
    if (expires <= 120)
        return std::max(expires / 2, expires - 15);
    return expires / 2;
}

int Registration::retryDelayFor(int attempt)
{
    int delay = 30;
    for (int i = 1; i < attempt && delay < 600; ++i)
        delay *= 2;
    return std::min(delay, 600);
}

Registration::Registration(UserAgent &agent, QByteArray password, QObject *parent)
    : Registration(agent, identityOf(agent.account()), std::move(password), parent)
{
}

Registration::Registration(UserAgent &agent, RegIdentity identity, QByteArray password, QObject *parent)
    : QObject(parent)
    , m_agent(agent)
    , m_identity(std::move(identity))
    , m_auth((m_identity.authUser.isEmpty() ? m_identity.user : m_identity.authUser).toUtf8(), std::move(password))
    , m_callId(randomToken(12) + "@dialscope")
    , m_fromTag(randomToken(6))
    , m_requestedExpires(agent.account().expires)
{
    // A stable +sip.instance (RFC 5626 4.1): the same machine and AOR give the same UUID, so
    // a registrar replaces our old binding instead of collecting stale ones.
    const QByteArray seed = machineId() + '/' + m_identity.user.toUtf8() + '@' + m_identity.domain.toUtf8() + '/' + agent.account().server.toUtf8();
    m_instance
        = "<urn:uuid:" + QUuid::createUuidV5(QUuid(QStringLiteral("6ba7b811-9dad-11d1-80b4-00c04fd430c8")), seed).toByteArray(QUuid::WithoutBraces) + ">";
    connect(&m_agent, &UserAgent::ready, this, [this] {
        if (m_state == State::Registering || m_state == State::Unregistering)
            send(false);
    });
    connect(&m_agent, &UserAgent::connectionLost, this, [this](const QString &reason) {
        // A TCP/TLS connection dropped while the binding was live: the registrar can no
        // longer reach us, so register again over a new connection.
        if (m_state == State::Registered && !m_transaction)
            fail({Outcome::NetworkError, 0, reason});
    });
    connect(&m_agent, &UserAgent::failed, this, [this](const Diagnosis &d) {
        if (m_state == State::Registering || m_state == State::Unregistering)
            fail(d);
    });
}

Registration::~Registration()
{
    cancelRefresh();
    if (m_transaction)
        m_transaction->abandon();
}

QString Registration::domain() const { return m_identity.domain.isEmpty() ? m_agent.domain() : m_identity.domain; }

void Registration::registerNow()
{
    cancelRefresh();
    m_timing = {steadyNs(), 0, 0};
    m_unregistering = false;
    m_minExpiresRetries = 0;
    m_retryAttempt = 0;
    m_requestedExpires = m_agent.account().expires;
    setState(State::Registering, 0);
    if (!m_agent.isReady()) {
        m_agent.start();
        return;
    }
    send(m_auth.hasCredentials());
}

void Registration::cancel()
{
    cancelRefresh();
    if (m_transaction)
        m_transaction->abandon();
    m_transaction = nullptr;
}

void Registration::unregister()
{
    cancelRefresh();
    m_timing = {steadyNs(), 0, 0};
    m_unregistering = true;
    setState(State::Unregistering, 0);
    if (!m_agent.isReady()) {
        m_agent.start();
        return;
    }
    send(m_auth.hasCredentials());
}

void Registration::updateContact()
{
    m_viaHost = m_agent.localEndpoint().toString().toLatin1();
    const QByteArray host = m_publicAddress.isEmpty() ? m_viaHost : m_publicAddress.toLatin1();
    if (host == m_contactHost && !m_contactUri.isEmpty())
        return; // unchanged: most sends, and every one of a registration test
    m_contactHost = host;
    m_contactUri = sipUri(m_identity.user, QString::fromLatin1(m_contactHost));
    if (m_agent.transportKind() != sip::TransportKind::Udp)
        m_contactUri += ";transport=" + sip::transportName(m_agent.transportKind()).toLower();
}

QByteArray Registration::buildRequest(int expires, const QList<QPair<QByteArray, QByteArray>> &auth) const
{
    const QByteArray domain = this->domain().toUtf8();
    const QByteArray aor = sipUri(m_identity.user, QString::fromUtf8(domain));
    const QByteArray display = m_identity.displayName.isEmpty() ? QByteArray() : sip::quoted(m_identity.displayName.toUtf8()) + ' ';
    QByteArray r;
    r.reserve(900);
    // RFC 3261 10.2: the Request-URI names the registrar's domain, without user part.
    r += "REGISTER sip:" + domain + " SIP/2.0\r\n";
    // RFC 3581: rport asks the registrar to tell us the source port it saw.
    r += "Via: SIP/2.0/" + sip::transportName(m_agent.transportKind()) + ' ' + m_viaHost + ";rport;branch=" + sip::TransactionLayer::newBranch() + "\r\n";
    r += "Max-Forwards: 70\r\n";
    if (!m_identity.domain.isEmpty() || !m_agent.account().domain.isEmpty()) {
        // The server is an outbound proxy for another domain (RFC 3261 8.1.2, loose routing).
        QByteArray route = "<sip:" + m_agent.server().toString().toLatin1();
        if (m_agent.transportKind() != sip::TransportKind::Udp)
            route += ";transport=" + sip::transportName(m_agent.transportKind()).toLower();
        r += "Route: " + route + ";lr>\r\n";
    }
    r += "From: " + display + '<' + aor + ">;tag=" + m_fromTag + "\r\n";
    r += "To: " + display + '<' + aor + ">\r\n";
    r += "Call-ID: " + m_callId + "\r\n";
    r += "CSeq: " + QByteArray::number(m_cseq) + " REGISTER\r\n";
    r += "Contact: <" + m_contactUri + ">;+sip.instance=\"" + m_instance + "\"";
    if (expires == 0)
        r += ";expires=0";
    r += "\r\n";
    r += "Expires: " + QByteArray::number(expires) + "\r\n";
    r += "Allow: INVITE, ACK, CANCEL, BYE, OPTIONS, INFO, NOTIFY\r\n";
    r += "User-Agent: dialscope/" DS_VERSION "\r\n";
    for (const auto &h : auth)
        r += h.first + ": " + h.second + "\r\n";
    r += "Content-Length: 0\r\n\r\n";
    return r;
}

void Registration::send(bool withCredentials)
{
    updateContact();
    ++m_cseq;
    const int expires = m_unregistering ? 0 : m_requestedExpires;
    QList<QPair<QByteArray, QByteArray>> auth;
    if (withCredentials && m_auth.hasCredentials()) {
        QList<sip::AuthExplanation> explanations;
        // The explanations cost string work; a registration test with nobody listening skips them.
        const bool explain = isSignalConnected(QMetaMethod::fromSignal(&Registration::authComputed));
        auth = m_auth.authorize("REGISTER", "sip:" + domain().toUtf8(), {}, explain ? &explanations : nullptr);
        for (const auto &e : explanations)
            emit authComputed(e);
    }
    m_credentialsSent = !auth.isEmpty();
    sip::ClientTransaction::Callbacks cb;
    cb.response = [this](const sip::Message &m) { onResponse(m); };
    cb.timeout = [this] {
        m_transaction = nullptr;
        const QString t = QStringLiteral("%1 s").arg(double(m_agent.layer()->timers().timeout()) / 1000.0, 0, 'g', 3);
        fail({Outcome::Timeout, 0,
            QStringLiteral("no answer from %1 in %2: wrong address, port or firewall, or nothing listens there").arg(m_agent.serverText(), t)});
    };
    cb.transportError = [this](const sip::TransportError &e) {
        m_transaction = nullptr;
        if (e.kind == sip::TransportError::Kind::Tls)
            fail({Outcome::TlsError, 0, e.text});
        else
            fail({Outcome::NetworkError, 0, e.text + QStringLiteral(": nothing listens on that port, or a firewall rejects the connection")});
    };
    QString error;
    sip::ClientTransaction *t = m_agent.layer()->request(buildRequest(expires, auth), m_agent.server(), std::move(cb), &error);
    if (!t) {
        m_transaction = nullptr;
        fail({Outcome::Refused, 0, QStringLiteral("cannot build a valid REGISTER for %1@%2: %3").arg(m_identity.user, domain(), error)});
        return;
    }
    // A send that failed at once has ended the transaction (and this attempt) already.
    m_transaction = t->state() == sip::ClientTransaction::State::Terminated ? nullptr : t;
}

ResponseContext Registration::context(const sip::Message &response) const
{
    ResponseContext c;
    c.status = response.statusCode();
    c.reasonPhrase = QString::fromUtf8(response.reasonPhrase());
    c.credentialsSent = m_credentialsSent;
    c.user = m_identity.user;
    c.domain = domain();
    c.server = m_agent.serverText();
    c.warning = QString::fromUtf8(response.header(sip::HeaderId::Warning));
    return c;
}

void Registration::onResponse(const sip::Message &response)
{
    const int code = response.statusCode();
    if (code < 200)
        return;
    m_transaction = nullptr;
    if (code < 300) {
        onSuccess(response);
        return;
    }
    if (code == 401 || code == 407) {
        if (!m_timing.challengedNs)
            m_timing.challengedNs = steadyNs();
        if (!m_auth.hasPassword()) {
            fail({Outcome::WrongCredentials, code,
                QStringLiteral("the registrar asks for credentials (%1 %2) but no password was given")
                    .arg(code)
                    .arg(QString::fromUtf8(response.reasonPhrase()))});
            return;
        }
        const auto result = m_auth.onChallenge(response);
        switch (result.verdict) {
        case sip::Authenticator::Verdict::Answered:
            send(true);
            return;
        case sip::Authenticator::Verdict::WrongCredentials:
            fail(classifyResponse(context(response)));
            return;
        case sip::Authenticator::Verdict::Unsupported:
        case sip::Authenticator::Verdict::Malformed:
            fail({Outcome::Refused, code, result.reason});
            return;
        }
    }
    if (code == 423 && !m_unregistering) {
        // RFC 3261 10.2.8: retry with at least Min-Expires.
        bool ok = false;
        const int min = QByteArrayView(response.header(sip::HeaderId::MinExpires)).toInt(&ok);
        if (ok && min > m_requestedExpires && m_minExpiresRetries < 2) {
            ++m_minExpiresRetries;
            emit finding(QStringLiteral("info"),
                QStringLiteral("the registrar wants at least %1 s (423 Min-Expires); asked for %2 s, retrying with %1 s").arg(min).arg(m_requestedExpires));
            m_requestedExpires = min;
            send(m_auth.hasCredentials());
            return;
        }
    }
    fail(classifyResponse(context(response)));
}

void Registration::onSuccess(const sip::Message &response)
{
    m_auth.onSuccess();
    if (m_unregistering) {
        m_grantedExpires = 0;
        m_diagnosis
            = {Outcome::Unregistered, response.statusCode(), QStringLiteral("the registrar removed the binding of %1@%2").arg(m_identity.user, domain())};
        setState(State::Unregistered, response.statusCode());
        emit finished(m_diagnosis);
        return;
    }
    // NAT detection (RFC 3581): the registrar tells where our request came from.
    const QList<QByteArrayView> vias = response.values(sip::HeaderId::Via);
    if (!vias.isEmpty()) {
        if (auto via = sip::parseVia(vias.first())) {
            const sip::Endpoint local = m_agent.localEndpoint();
            const QByteArray host = via->received().isEmpty() ? local.address.toString().toLatin1() : via->received().toByteArray();
            const int port = via->rport() ? via->rport() : local.port;
            QHostAddress seen(QString::fromLatin1(host));
            const sip::Endpoint seenEp {seen, quint16(port)};
            const QString seenText = seen.isNull() ? QString() : seenEp.toString();
            if (!seenText.isEmpty() && seenText != QString::fromLatin1(m_contactHost) && m_agent.transportKind() == sip::TransportKind::Udp) {
                if (!m_natRetried) {
                    m_natRetried = true;
                    emit finding(QStringLiteral("warning"),
                        QStringLiteral(
                            "NAT detected: the registrar sees this phone at %1 but its Contact said %2; registering again with %1 so calls can reach it")
                            .arg(seenText, QString::fromLatin1(m_contactHost)));
                    m_publicAddress = seenText;
                    send(true);
                    return;
                }
            }
        }
    }
    // The granted interval: our Contact's expires parameter, else Expires, else what we asked.
    int granted = -1;
    for (const QByteArrayView c : response.values(sip::HeaderId::Contact)) {
        auto na = sip::parseNameAddr(c);
        if (!na)
            continue;
        const sip::Param *inst = sip::findParam(na->params, "+sip.instance");
        const bool ours = (inst && inst->value == m_instance) || na->uri.toString() == m_contactUri;
        if (const sip::Param *e = sip::findParam(na->params, "expires"); e && ours)
            granted = e->value.toInt();
    }
    if (granted < 0) {
        bool ok = false;
        const int e = QByteArrayView(response.header(sip::HeaderId::Expires)).toInt(&ok);
        granted = ok ? e : m_requestedExpires;
    }
    m_grantedExpires = granted;
    m_retryAttempt = 0;
    if (granted < m_requestedExpires)
        emit finding(QStringLiteral("info"), QStringLiteral("the registrar granted %1 s of the %2 s asked for").arg(granted).arg(m_requestedExpires));
    m_diagnosis = {Outcome::Registered, response.statusCode(),
        QStringLiteral("registered %1@%2 at %3 for %4 s").arg(m_identity.user, domain(), m_agent.serverText()).arg(granted)};
    setState(State::Registered, response.statusCode());
    scheduleRefresh();
    emit finished(m_diagnosis);
}

void Registration::scheduleRefresh()
{
    cancelRefresh();
    if (m_grantedExpires <= 0)
        return;
    m_refreshDelay = refreshDelayFor(m_grantedExpires);
    m_refreshAt = m_agent.clock().nowMs() + qint64(m_refreshDelay) * 1000;
    m_refreshTimer = m_agent.clock().schedule(qint64(m_refreshDelay) * 1000, [this] {
        m_refreshTimer = 0;
        m_refreshAt = 0;
        m_minExpiresRetries = 0;
        setState(State::Registering, 0);
        send(true);
    });
}

QDateTime Registration::nextRefreshTime() const
{
    // Computed when asked: the local wall clock costs a time-zone lookup, too much per registration
    // in a registration test.
    return m_refreshAt ? QDateTime::currentDateTime().addMSecs(m_refreshAt - m_agent.clock().nowMs()) : QDateTime();
}

void Registration::cancelRefresh()
{
    if (m_refreshTimer)
        m_agent.clock().cancel(m_refreshTimer);
    m_refreshTimer = 0;
    m_refreshAt = 0;
}

void Registration::fail(Diagnosis d)
{
    cancelRefresh();
    m_diagnosis = std::move(d);
    setState(State::Failed, m_diagnosis.status);
    emit finished(m_diagnosis);
    const bool transient = outcomeIsNetwork(m_diagnosis.outcome) || m_diagnosis.outcome == Outcome::ServerError;
    if (m_autoRetry && transient && !m_unregistering) {
        const int delay = retryDelayFor(++m_retryAttempt);
        emit finding(QStringLiteral("info"), QStringLiteral("registering again in %1 s (attempt %2)").arg(delay).arg(m_retryAttempt + 1));
        m_refreshAt = m_agent.clock().nowMs() + qint64(delay) * 1000;
        m_refreshTimer = m_agent.clock().schedule(qint64(delay) * 1000, [this] {
            m_refreshTimer = 0;
            m_refreshAt = 0;
            const int attempt = m_retryAttempt;
            registerNow();
            m_retryAttempt = attempt;
        });
    }
}

void Registration::setState(State s, int status)
{
    if (s == State::Registered || s == State::Unregistered || s == State::Failed)
        m_timing.finishedNs = steadyNs();
    m_state = s;
    emit stateChanged(s, status, s == State::Registered ? m_grantedExpires : 0);
}

} // namespace ds::phone
