#include "call_center.h"

#include "sip/header_values.h"
#include "sip/response_builder.h"

#include <QRegularExpression>

#include <algorithm>

namespace ds::phone {

CallCenter::CallCenter(UserAgent &agent, Registration *registration, media::MediaEngine &media, QByteArray password, QObject *parent)
    : QObject(parent)
    , m_agent(agent)
    , m_registration(registration)
    , m_media(media)
    , m_auth(agent.account().effectiveAuthUser().toUtf8(), std::move(password))
{
    m_agent.setRequestHandler([this](const sip::Message &m, sip::ServerTransaction *t) { return onRequest(m, t); });
    m_agent.setDialogMatcher([this](const sip::Message &m) { return matchesDialog(m); });
    connect(&m_agent, &UserAgent::strayResponse, this, &CallCenter::onStrayResponse);
    // A dropped TCP/TLS connection takes the transaction layer with it: the calls on it are over.
    connect(&m_agent, &UserAgent::connectionLost, this, [this](const QString &reason) {
        const QList<Call *> calls = m_calls;
        for (Call *c : calls)
            if (c->isLive())
                c->session()->abandon("the connection to the server was lost: " + reason.toUtf8());
    });
}

CallCenter::~CallCenter()
{
    m_agent.setRequestHandler({});
    m_agent.setDialogMatcher({});
    const QList<Call *> calls = m_calls; // a call may end (and leave the list) as it hangs up
    for (Call *c : calls)
        if (c->isLive())
            c->hangUp(); // the BYE or CANCEL goes out; its transaction outlives the call
}

QList<Call *> CallCenter::calls() const { return m_calls; }

std::expected<QByteArray, QString> CallCenter::targetUri(const QString &target, const QString &domain)
{
    const QString t = target.trimmed();
    if (t.isEmpty())
        return std::unexpected(QStringLiteral("no one to call: give a number, user@host or a SIP URI"));
    if (t.startsWith(QLatin1String("sip:"), Qt::CaseInsensitive) || t.startsWith(QLatin1String("sips:"), Qt::CaseInsensitive)) {
        auto uri = sip::Uri::parse(t.toUtf8());
        if (!uri)
            return std::unexpected(QStringLiteral("\"%1\" is not a valid SIP URI: %2").arg(t, uri.error().toString()));
        return uri->toString();
    }
    if (t.startsWith(QLatin1String("tel:"), Qt::CaseInsensitive)) {
        // RFC 3261 19.1.6: a telephone number becomes sip:number@domain;user=phone.
        // RFC 3966 5.1.1: visual separators go from the number only; its parameters (phone-context) stay.
        QString number = t.mid(4);
        const qsizetype params = number.indexOf(QLatin1Char(';'));
        QString digits = params < 0 ? number : number.left(params);
        digits.remove(QRegularExpression(QStringLiteral("[()\\-. ]")));
        return sipUri(digits + (params < 0 ? QString() : number.mid(params)), domain) + ";user=phone";
    }
    const qsizetype at = t.indexOf(QLatin1Char('@'));
    if (at > 0) {
        auto uri = sip::Uri::parse(("sip:" + t).toUtf8());
        if (!uri)
            return std::unexpected(QStringLiteral("\"%1\" is not a valid address: %2").arg(t, uri.error().toString()));
        return uri->toString();
    }
    QString user = t;
    if (user.contains(QLatin1Char(' ')) || user.contains(QLatin1Char('<')) || user.contains(QLatin1Char('>')))
        return std::unexpected(QStringLiteral("\"%1\" is not a number or user name").arg(t));
    // Dial-pad style numbers: drop the separators people type.
    static const QRegularExpression phoneLike(QStringLiteral("^[+0-9()\\-. ]+$"));
    if (phoneLike.match(user).hasMatch())
        user.remove(QRegularExpression(QStringLiteral("[()\\-. ]")));
    return sipUri(user, domain);
}

QByteArray CallCenter::aorUri() const { return sipUri(m_agent.account().user, m_agent.domain()); }

QByteArray CallCenter::contactValue() const
{
    // The registered Contact (public address when NAT was detected), else our address toward the server.
    QByteArray uri = m_registration ? m_registration->contact() : QByteArray();
    if (uri.isEmpty()) {
        uri = sipUri(m_agent.account().user, m_agent.localEndpoint().toString());
        if (m_agent.transportKind() != sip::TransportKind::Udp)
            uri += ";transport=" + sip::transportName(m_agent.transportKind()).toLower();
    }
    return '<' + uri + '>';
}

sip::SessionContext CallCenter::sessionContext()
{
    sip::SessionContext c;
    c.layer = m_agent.layer();
    c.transport = m_agent.transportKind();
    UserAgent *agent = &m_agent;
    c.viaSentBy = [agent] { return "SIP/2.0/" + sip::transportName(agent->transportKind()) + ' ' + agent->localEndpoint().toString().toLatin1(); };
    c.contact = contactValue();
    c.firstHop = m_agent.server();
    if (!m_agent.account().domain.isEmpty()) {
        QByteArray route = "<sip:" + m_agent.server().toString().toLatin1();
        if (m_agent.transportKind() != sip::TransportKind::Udp)
            route += ";transport=" + sip::transportName(m_agent.transportKind()).toLower();
        c.outboundRoute = route + ";lr>";
    }
    c.nextHop = [agent](const sip::Uri &uri) {
        // A stream transport has one connection (to the server); UDP goes where the URI says
        // when it names an address, else to the server (we do not resolve names mid-call).
        if (agent->transportKind() != sip::TransportKind::Udp)
            return agent->server();
        const QHostAddress address(QString::fromLatin1(uri.host));
        if (address.isNull())
            return agent->server();
        return sip::Endpoint {address, quint16(uri.port ? uri.port : 5060)};
    };
    c.auth = &m_auth;
    c.userAgent = "dialscope/" DS_VERSION;
    return c;
}

std::expected<Call *, QString> CallCenter::dial(const QString &target) { return dial(target, m_settings); }

std::expected<Call *, QString> CallCenter::dial(const QString &target, const CallSettings &settings)
{
    if (!m_agent.isReady())
        return std::unexpected(QStringLiteral("the account's SIP stack is not running yet"));
    auto uri = targetUri(target, m_agent.domain());
    if (!uri)
        return std::unexpected(uri.error());
    const Account &a = m_agent.account();
    const QByteArray display = a.displayName.isEmpty() ? QByteArray() : sip::quoted(a.displayName.toUtf8()) + ' ';
    const QByteArray from = display + '<' + aorUri() + '>';
    const QByteArray to = '<' + *uri + '>';
    sip::SessionContext context = sessionContext();
    if (m_agent.account().server.isEmpty()) {
        // No server (direct calls): the INVITE goes straight to the host the URI names.
        auto parsed = sip::Uri::parse(*uri);
        const QHostAddress host(parsed ? QString::fromLatin1(parsed->host) : QString());
        if (host.isNull())
            return std::unexpected(QStringLiteral("without a server, call an address with an IP host: user@192.0.2.1[:port]"));
        context.firstHop = context.nextHop(*parsed);
    }
    auto *session = new sip::InviteSession(std::move(context), m_agent.clock());
    connect(session, &sip::InviteSession::authComputed, this, &CallCenter::authComputed);
    auto *call = new Call(Call::Direction::Outgoing, session, m_media, settings, this);
    adopt(call);
    if (auto ok = call->dial(*uri, from, to, m_agent.localEndpoint().address); !ok) {
        m_calls.removeOne(call);
        delete call;
        return std::unexpected(ok.error());
    }
    emit callAdded(call);
    holdOthers(call);
    return call;
}

void CallCenter::adopt(Call *call)
{
    m_calls.append(call);
    connect(call, &Call::ended, this, [this, call] {
        emit callEnded(call);
        m_calls.removeOne(call);
        call->deleteLater();
    });
    connect(call, &Call::stateChanged, this, [this, call](Call::State s) {
        if (s == Call::State::Connecting || (s == Call::State::Active && call->direction() == Call::Direction::Outgoing))
            holdOthers(call);
    });
}

void CallCenter::holdOthers(Call *active)
{
    const QList<Call *> calls = m_calls;
    for (Call *c : calls)
        if (c != active && c->state() == Call::State::Active)
            c->setHold(true);
}

bool CallCenter::matchesDialog(const sip::Message &request) const
{
    return std::any_of(m_calls.begin(), m_calls.end(), [&](Call *c) { return c->isLive() && c->session()->matchesRequest(request); });
}

sip::InviteScreen CallCenter::inviteScreen() const
{
    sip::InviteScreen screen;
    const Account &a = m_agent.account();
    if (a.server.isEmpty())
        return screen; // direct calls: whoever knows our address may call any user at it
    // The registrar/proxy routes a call to the Contact we registered (RFC 3261 16.5), whose user
    // is ours; some address the AOR itself, or the digest user.
    screen.users << a.user.toUtf8();
    if (!a.authUser.isEmpty())
        screen.users << a.authUser.toUtf8();
    if (m_registration) {
        if (const QByteArray contact = m_registration->contact(); !contact.isEmpty())
            if (auto uri = sip::Uri::parse(contact); uri && !screen.users.contains(uri->user))
                screen.users << uri->user;
        screen.instance = m_registration->instanceId();
    }
    if (a.callsOnlyThroughServer && m_agent.isReady())
        screen.onlyFrom = m_agent.server().address;
    return screen;
}

bool CallCenter::refuse(const sip::Message &request, sip::ServerTransaction *transaction)
{
    std::optional<sip::InviteRefusal> refusal = sip::screenInvite(request, transaction->source().address, inviteScreen());
    if (!refusal) {
        const auto live = std::count_if(m_calls.begin(), m_calls.end(), [](Call *c) { return c->isLive(); });
        if (live < kMaxCalls)
            return false;
        refusal = sip::InviteRefusal {486, "Busy Here", QStringLiteral("%1 calls are under way already").arg(kMaxCalls)};
    }
    respondRefusal(request, transaction, *refusal);
    return true;
}

void CallCenter::respondRefusal(const sip::Message &request, sip::ServerTransaction *transaction, const sip::InviteRefusal &refusal)
{
    // No call, no ringing, no signal: the trace shows the INVITE and its answer, and that is all.
    Q_ASSERT(refusal.status >= 300 && refusal.status <= 699);
    const QByteArray tag = sip::TransactionLayer::newBranch().mid(7, 10);
    transaction->respond(sip::makeResponse(request, refusal.status, refusal.reason, tag), refusal.status);
}

bool CallCenter::onRequest(const sip::Message &request, sip::ServerTransaction *transaction)
{
    for (Call *c : std::as_const(m_calls)) {
        if (c->session()->matchesRequest(request)) {
            c->session()->receiveRequest(request, transaction);
            return true;
        }
    }
    if (request.method() != "INVITE" || !transaction || request.header(sip::HeaderId::To).contains(";tag="))
        return false;
    if (!m_accepting)
        return false; // shutting down: the agent answers 480
    if (refuse(request, transaction))
        return true; // not for us (a scanner), or too many calls
    CallSettings settings = m_settings;
    if (m_incomingPolicy) {
        auto chosen = m_incomingPolicy(request);
        if (!chosen) {
            respondRefusal(request, transaction, chosen.error());
            return true;
        }
        settings = std::move(*chosen);
    }
    // A new call.
    auto *session = new sip::InviteSession(sessionContext(), m_agent.clock());
    if (!session->receiveInvite(request, transaction)) {
        delete session;
        return true; // answered with an error already
    }
    auto *call = new Call(Call::Direction::Incoming, session, m_media, settings, this);
    adopt(call);
    emit callAdded(call);
    if (auto ok = call->receive(request, m_agent.localEndpoint().address); !ok)
        return true; // rejected (488...); the call ends and goes away
    emit incomingCall(call);
    return true;
}

void CallCenter::onStrayResponse(const sip::Message &response)
{
    for (Call *c : std::as_const(m_calls))
        if (c->session()->matchesResponse(response)) {
            c->session()->receiveStrayResponse(response);
            return;
        }
}

} // namespace ds::phone
