#include "demo_peer.h"

#include "dtmf/dtmf_report.h"
#include "sip/random.h"
#include "sip/uri.h"

namespace ds::demo {

namespace {

constexpr DemoPeer::Extension kExtensions[] = {DemoPeer::Extension::Echo, DemoPeer::Extension::Tone, DemoPeer::Extension::Dtmf};

// The extension a Request-URI asks for, by its user part (any case).
std::optional<DemoPeer::Extension> extensionOf(QByteArrayView requestUri, QByteArray *user = nullptr)
{
    auto uri = sip::Uri::parse(requestUri);
    if (!uri)
        return std::nullopt;
    if (user)
        *user = uri->user;
    for (DemoPeer::Extension e : kExtensions)
        if (QString::fromUtf8(uri->user).compare(DemoPeer::extensionName(e), Qt::CaseInsensitive) == 0)
            return e;
    return std::nullopt;
}

QString extensionText(const phone::Call *call)
{
    const auto e = extensionOf(call->session()->initialInvite().requestUri());
    return e ? DemoPeer::extensionName(*e) : QString();
}

} // namespace

QString DemoPeer::extensionName(Extension e)
{
    switch (e) {
    case Extension::Echo:
        return QStringLiteral("echo");
    case Extension::Tone:
        return QStringLiteral("tone");
    case Extension::Dtmf:
        return QStringLiteral("dtmf");
    }
    return {};
}

QStringList DemoPeer::extensionNames()
{
    QStringList names;
    for (Extension e : kExtensions)
        names << extensionName(e);
    return names;
}

DemoPeer::DemoPeer(media::MediaEngine &media, QObject *parent)
    : QObject(parent)
    , m_media(media)
    , m_clock(this)
    , m_password(sip::randomHex(8))
{
}

DemoPeer::~DemoPeer()
{
    m_center.reset(); // the BYEs go out over the stack, which goes last
    if (m_agent)
        m_agent->setFirstRequestHandler({});
    m_registrar.reset();
    m_agent.reset();
}

void DemoPeer::setPassword(const QByteArray &password)
{
    Q_ASSERT(!m_agent); // the registrar has it from start() on
    m_password = password;
}

bool DemoPeer::isRunning() const { return m_agent && m_agent->isReady(); }

sip::Endpoint DemoPeer::endpoint() const { return isRunning() ? m_agent->localEndpoint() : sip::Endpoint {}; }

phone::Account DemoPeer::account() const
{
    if (!isRunning())
        return {};
    phone::Account a;
    a.id = QStringLiteral("demo");
    a.displayName = tr("Demo (built-in)");
    a.user = QString::fromLatin1(DemoRegistrar::kUser.toByteArray());
    a.server = endpoint().toString();
    a.transport = QStringLiteral("udp");
    a.dtmfMode = QStringLiteral("auto");
    a.callsOnlyThroughServer = true; // the peer never calls: nothing else may ring the demo account
    return a;
}

QString DemoPeer::uriOf(Extension e) const { return isRunning() ? QString::fromUtf8(phone::sipUri(extensionName(e), endpoint().toString())) : QString(); }

QList<phone::Call *> DemoPeer::calls() const { return m_center ? m_center->calls() : QList<phone::Call *> {}; }

std::expected<void, QString> DemoPeer::start(const QHostAddress &address, quint16 port)
{
    if (m_agent)
        return std::unexpected(tr("the demo peer is already running on %1").arg(endpoint().toString()));
    // It is not a PBX: nothing beyond this machine may reach it.
    if (address.isNull() || !address.isLoopback())
        return std::unexpected(
            tr("the demo peer listens on loopback only (127.0.0.1 or ::1), not on %1").arg(address.isNull() ? tr("no address") : address.toString()));
    phone::Account own;
    own.id = QStringLiteral("demo-peer");
    own.user = QString::fromLatin1(DemoRegistrar::kUser.toByteArray());
    own.displayName = QStringLiteral("dialscope demo peer");
    phone::AgentOptions options;
    options.bindAddress = address;
    options.bindPort = port;
    auto agent = std::make_unique<phone::UserAgent>(own, options, m_clock);
    QString failure;
    connect(agent.get(), &phone::UserAgent::failed, this, [&failure](const phone::Diagnosis &d) { failure = d.reason; });
    agent->start(); // no server: binds at once, ready() or failed() before it returns
    disconnect(agent.get(), &phone::UserAgent::failed, this, nullptr);
    if (!agent->isReady())
        return std::unexpected(tr("the demo peer cannot listen on %1: %2")
                                   .arg(sip::Endpoint {address, port}.toString(), failure.isEmpty() ? tr("the SIP stack did not start") : failure));
    m_agent = std::move(agent);
    connect(m_agent.get(), &phone::UserAgent::traced, this, &DemoPeer::traced);
    connect(m_agent.get(), &phone::UserAgent::finding, this, &DemoPeer::finding);

    m_registrar = std::make_unique<DemoRegistrar>(m_clock, m_password);
    connect(m_registrar.get(), &DemoRegistrar::bindingsChanged, this, &DemoPeer::onBindingsChanged);
    connect(m_registrar.get(), &DemoRegistrar::refused, this, &DemoPeer::registrationRefused);
    m_agent->setFirstRequestHandler([registrar = m_registrar.get()](const sip::Message &m, sip::ServerTransaction *t) { return t && registrar->handle(m, t); });

    m_center = std::make_unique<phone::CallCenter>(*m_agent, nullptr, m_media, QByteArray());
    m_center->setIncomingPolicy([this](const sip::Message &invite) { return settingsFor(invite); });
    connect(m_center.get(), &phone::CallCenter::callAdded, this, &DemoPeer::onCallAdded);
    connect(m_center.get(), &phone::CallCenter::callEnded, this, [this](phone::Call *call) {
        if (call->property("ds_demo_started").toBool())
            emit callEnded(extensionText(call), call);
    });
    return {};
}

std::expected<phone::CallSettings, sip::InviteRefusal> DemoPeer::settingsFor(const sip::Message &invite)
{
    QByteArray user;
    const auto extension = extensionOf(invite.requestUri(), &user);
    if (!extension) {
        const QString names = extensionNames().join(QStringLiteral(", "));
        sip::InviteRefusal r;
        r.status = 404;
        r.reason = "Not Found (extensions: " + names.toLatin1() + ')';
        r.why = tr("the demo peer has no extension \"%1\"; call one of %2").arg(QString::fromUtf8(user.left(64)), names);
        emit callRefused(QString::fromUtf8(user.left(64)), r.status, r.why);
        return std::unexpected(r);
    }
    phone::CallSettings s;
    s.autoAnswerMs = 0; // every extension answers at once
    s.srtp = sdp::SrtpMode::Optional; // SRTP when the caller offers it, plain RTP otherwise
    switch (*extension) {
    case Extension::Echo:
        s.audio.echo = true;
        s.audio.echoDelayMs = kEchoDelayMs;
        break;
    case Extension::Tone:
        s.audio.toneHz = kToneHz;
        s.audio.toneDbfs = kToneDbfs;
        break;
    case Extension::Dtmf:
        break; // silence; the call listens for DTMF in every mode whatever its settings
    }
    return s;
}

void DemoPeer::onCallAdded(phone::Call *call)
{
    if (call->direction() != phone::Call::Direction::Incoming)
        return;
    const auto extension = extensionOf(call->session()->initialInvite().requestUri());
    if (!extension)
        return;
    const QString name = extensionName(*extension);
    connect(call, &phone::Call::stateChanged, this, [this, call, name](phone::Call::State s) {
        if (s == phone::Call::State::Connecting && !call->property("ds_demo_started").toBool()) {
            call->setProperty("ds_demo_started", true);
            emit callStarted(name, call);
        }
    });
    if (*extension != Extension::Dtmf)
        return;
    // The reporter: every digit heard, in whichever mode, goes back as a MESSAGE of its own.
    connect(call, &phone::Call::dtmf, this, [this, call](const dtmf::DigitEvent &e) {
        if (e.dir != dtmf::Direction::In)
            return;
        if (auto queued = call->sendMessage(dtmf::kReportContentType.toByteArray(), dtmf::formatReport(e)); !queued) {
            emit finding(QStringLiteral("warning"), tr("the DTMF reporter could not report %1: %2").arg(QChar::fromLatin1(e.digit), queued.error()));
            return;
        }
        emit digitReported(call, e);
    });
}

void DemoPeer::onBindingsChanged()
{
    const QList<DemoRegistrar::Binding> now = m_registrar->bindings();
    const qint64 at = m_clock.nowMs();
    for (const DemoRegistrar::Binding &b : m_bindings) {
        const bool kept = std::any_of(now.begin(), now.end(), [&](const DemoRegistrar::Binding &n) { return n.contact == b.contact; });
        if (!kept)
            emit unregistered(QString::fromUtf8(b.contact));
    }
    for (const DemoRegistrar::Binding &b : now) {
        const auto before = std::find_if(m_bindings.begin(), m_bindings.end(), [&](const DemoRegistrar::Binding &o) { return o.contact == b.contact; });
        if (before == m_bindings.end() || before->updatedAtMs != b.updatedAtMs || before->cseq != b.cseq)
            emit registered(QString::fromUtf8(b.contact), int(std::max<qint64>(0, (b.expiresAtMs - at + 999) / 1000)));
    }
    m_bindings = now;
}

} // namespace ds::demo
