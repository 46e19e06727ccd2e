#include "user_agent.h"

#include "sdp/offer_answer.h"
#include "sip/response_builder.h"
#include "sip/udp_transport.h"
#include "sip/uri.h"

#include <QLoggingCategory>
#include <QRandomGenerator>
#include <QUdpSocket>

Q_LOGGING_CATEGORY(lcSipGuard, "dialscope.sip.guard")

namespace ds::phone {

QByteArray sipUri(const QString &user, const QString &hostPort)
{
    sip::Uri u;
    u.user = user.toUtf8();
    return u.toString() + hostPort.toUtf8(); // "sip:user@" with the user part escaped
}

UserAgent::UserAgent(Account account, AgentOptions options, sip::Clock &clock, QObject *parent)
    : QObject(parent)
    , m_account(std::move(account))
    , m_options(std::move(options))
    , m_clock(clock)
    , m_resolver(this)
{
    m_resolver.setNameserver(m_options.dnsServer);
    connect(&m_resolver, &sip::Resolver::resolved, this, [this](const QList<sip::ServerTarget> &targets) {
        const QStringList steps = m_resolver.steps();
        if (!steps.isEmpty())
            emit resolved(QStringLiteral("resolved %1: %2 -> %3 over %4")
                              .arg(m_spec.host, steps.join(QStringLiteral("; ")), targets.first().endpoint.toString(),
                                  QString::fromLatin1(sip::transportName(targets.first().transport))));
        open(targets.first());
    });
    connect(&m_resolver, &sip::Resolver::failed, this, [this](const QString &reason) {
        m_starting = false;
        emit failed({Outcome::DnsError, 0, QStringLiteral("%1: check the server name and the DNS settings").arg(reason)});
    });
}

UserAgent::~UserAgent()
{
    m_layer.reset(); // before the transport it refers to
}

QString UserAgent::domain() const
{
    if (!m_account.domain.isEmpty())
        return m_account.domain;
    if (m_account.server.isEmpty()) // direct calls only: our own address is the AOR's host
        return QString::fromLatin1(localEndpoint().hostText());
    return m_spec.host.contains(QLatin1Char(':')) ? QLatin1Char('[') + m_spec.host + QLatin1Char(']') : m_spec.host;
}

QString UserAgent::serverText() const
{
    return QStringLiteral("%1 over %2").arg(m_target.endpoint.toString(), QString::fromLatin1(sip::transportName(m_target.transport)));
}

sip::Endpoint UserAgent::localEndpoint() const
{
    sip::Endpoint e = m_transport ? m_transport->localEndpoint() : sip::Endpoint {};
    if (e.address.isNull() || e.address == QHostAddress::Any || e.address == QHostAddress::AnyIPv4 || e.address == QHostAddress::AnyIPv6)
        e.address = m_routeAddress;
    return e;
}

void UserAgent::start()
{
    if (m_starting || m_layer)
        return; // already on its way; ready() or failed() will come
    m_starting = true;
    if (m_account.server.isEmpty()) {
        listen();
        return;
    }
    auto spec = sip::parseServerSpec(m_account.server);
    if (!spec) {
        m_starting = false;
        emit failed({Outcome::DnsError, 0, spec.error()});
        return;
    }
    m_spec = *spec;
    const QString t = !m_options.transportOverride.isEmpty() ? m_options.transportOverride : m_account.transport;
    if (!t.isEmpty() && !m_spec.transport) {
        m_spec.transport = sip::transportFromName(t.toLatin1());
        if (!m_spec.transport) {
            m_starting = false;
            emit failed({Outcome::NetworkError, 0, QStringLiteral("unknown transport \"%1\": use udp, tcp or tls").arg(t)});
            return;
        }
    }
    m_resolver.resolve(m_spec);
}

void UserAgent::listen()
{
    // No server: take direct calls on the bound address (UDP), as `dialscope answer --bind` does.
    m_target = {};
    m_target.transport = sip::TransportKind::Udp;
    const QHostAddress bindAddress = m_options.bindAddress.isNull() ? QHostAddress(QHostAddress::AnyIPv4) : m_options.bindAddress;
    m_routeAddress = bindAddress;
    if (bindAddress == QHostAddress::AnyIPv4 || bindAddress == QHostAddress::Any) {
        m_routeAddress = QHostAddress(QHostAddress::LocalHost);
        QUdpSocket probe; // the address other hosts reach us on: the one routed toward the outside
        probe.connectToHost(QHostAddress(QStringLiteral("192.0.2.1")), 9);
        if (probe.waitForConnected(1000) && !probe.localAddress().isNull())
            m_routeAddress = probe.localAddress();
    }
    auto udp = std::make_unique<sip::UdpTransport>();
    if (auto error = udp->bind(bindAddress, m_options.bindPort)) {
        m_starting = false;
        emit failed({Outcome::NetworkError, 0, *error});
        return;
    }
    udp->setAdvertisedAddress(m_routeAddress);
    m_transport = std::move(udp);
    emit resolved(QStringLiteral("listening for direct calls on %1 over UDP").arg(localEndpoint().toString()));
    createLayer();
}

void UserAgent::open(const sip::ServerTarget &target)
{
    m_target = target;
    // Our address toward the server: what the kernel would route from (a connected UDP socket
    // tells without sending anything).
    if (!m_options.bindAddress.isNull() && m_options.bindAddress != QHostAddress::Any && m_options.bindAddress != QHostAddress::AnyIPv4) {
        m_routeAddress = m_options.bindAddress;
    } else {
        QUdpSocket probe;
        probe.connectToHost(target.endpoint.address, target.endpoint.port);
        m_routeAddress = probe.waitForConnected(1000) ? probe.localAddress() : QHostAddress(QHostAddress::LocalHost);
    }
    // A server on loopback (the built-in demo peer, a local proxy) is reached from loopback only: the
    // socket then listens there too, not on every interface where anyone could ring it.
    const QHostAddress any
        = target.endpoint.address.protocol() == QAbstractSocket::IPv6Protocol ? QHostAddress(QHostAddress::AnyIPv6) : QHostAddress(QHostAddress::AnyIPv4);
    const QHostAddress bindAddress = !m_options.bindAddress.isNull() ? m_options.bindAddress : target.endpoint.address.isLoopback() ? m_routeAddress : any;
    if (target.transport == sip::TransportKind::Udp) {
        auto udp = std::make_unique<sip::UdpTransport>();
        if (auto error = udp->bind(bindAddress, m_options.bindPort)) {
            m_starting = false;
            emit failed({Outcome::NetworkError, 0, *error});
            return;
        }
        udp->setAdvertisedAddress(m_routeAddress);
        m_transport = std::move(udp);
    } else {
        auto stream = std::make_unique<sip::StreamTransport>(target.transport);
        if (!m_options.bindAddress.isNull() || m_options.bindPort)
            stream->setBindAddress(bindAddress, m_options.bindPort);
        stream->setTlsOptions(m_options.tls);
        sip::StreamTransport *s = stream.get();
        m_transport = std::move(stream);
        if (target.transport == sip::TransportKind::Tls) {
            connect(s, &sip::StreamTransport::wireBytes, this, [this, s, peer = target.endpoint](bool outgoing, const QByteArray &bytes, qint64 timeUs) {
                emit wire({outgoing, sip::TransportKind::Tls, s->localEndpoint(), peer, bytes, timeUs});
            });
            connect(s, &sip::StreamTransport::tlsKeyLogLine, this, &UserAgent::tlsKeyLogLine);
        }
        // Connect first, so that Via and Contact carry the real local port.
        connect(s, &sip::StreamTransport::connectedToPeer, this, [this] {
            if (!m_layer)
                createLayer();
        });
        connect(s, &sip::Transport::failed, this, [this](const sip::TransportError &e) {
            if (m_layer) {
                // Reported to active transactions by the layer; drop the stack afterwards.
                QMetaObject::invokeMethod(
                    this,
                    [this, text = e.text] {
                        m_layer.reset();
                        if (m_transport)
                            m_transport.release()->deleteLater();
                        emit connectionLost(text);
                    },
                    Qt::QueuedConnection);
                return;
            }
            m_starting = false;
            m_transport.release()->deleteLater(); // a later start() tries afresh
            if (e.kind == sip::TransportError::Kind::Tls)
                emit failed({Outcome::TlsError, 0,
                    e.text
                        + QStringLiteral(": the server certificate is not trusted or does not match; use --ca FILE to trust a private CA, or --insecure to "
                                         "skip verification")});
            else
                emit failed({Outcome::NetworkError, 0, e.text + QStringLiteral(": nothing listens on that port, or a firewall rejects the connection")});
        });
        s->connectTo(target.endpoint);
        return;
    }
    createLayer();
}

void UserAgent::createLayer()
{
    m_starting = false;
    m_layer = std::make_unique<sip::TransactionLayer>(*m_transport, m_clock);
    m_layer->setTimers(m_options.timers);
    connect(m_layer.get(), &sip::TransactionLayer::traced, this, &UserAgent::traced);
    connect(m_layer.get(), &sip::TransactionLayer::requestReceived, this, &UserAgent::answerRequest);
    connect(m_layer.get(), &sip::TransactionLayer::strayResponse, this, [this](const sip::Message &m, const sip::Endpoint &) { emit strayResponse(m); });
    // The registrar/proxy is never limited: a flood from elsewhere must not cost us the binding or
    // the calls it routes. Without a server (direct calls) every source has the same budget.
    if (!m_account.server.isEmpty())
        m_layer->floodGuard().setTrusted({m_target.endpoint.address});
    m_layer->setDialogMatcher(m_dialogMatcher);
    connect(m_layer.get(), &sip::TransactionLayer::guardReport, this, [this](const QString &text) {
        qCWarning(lcSipGuard).noquote() << text; // the log: once when a flood starts, once when it ends
        emit finding(QStringLiteral("warning"), text);
    });
    emit ready();
}

void UserAgent::setDialogMatcher(std::function<bool(const sip::Message &)> matcher)
{
    m_dialogMatcher = std::move(matcher);
    if (m_layer)
        m_layer->setDialogMatcher(m_dialogMatcher);
}

void UserAgent::answerRequest(const sip::Message &request, sip::ServerTransaction *transaction)
{
    if (m_firstHandler && m_firstHandler(request, transaction))
        return;
    if (m_requestHandler && m_requestHandler(request, transaction))
        return; // a feature (a call) took it
    if (!transaction)
        return; // an ACK outside a transaction: nothing to answer
    const QByteArray tag = QByteArray::number(QRandomGenerator::global()->generate(), 16);
    const QByteArrayView allow = "Allow: INVITE, ACK, CANCEL, BYE, OPTIONS, INFO, NOTIFY\r\n";
    // Registrars and proxies probe with OPTIONS (keep-alive, monitoring): answer 200 (RFC 3261 11.2).
    if (request.method() == "OPTIONS") {
        // RFC 3261 11.2: our methods, what we accept, and an SDP listing the codecs we can do.
        sdp::LocalMedia caps;
        caps.address = localEndpoint().address.toString().toLatin1();
        caps.audioPort = 0;
        caps.username = "dialscope";
        const QByteArray body = sdp::makeOffer(caps).toBytes();
        transaction->respond(sip::makeResponse(request, 200, "OK", tag,
                                 QByteArray(allow.toByteArray() + "Accept: application/sdp, application/dtmf-relay\r\nAccept-Language: en\r\n"
                                     + "Supported: replaces\r\nUser-Agent: dialscope/" DS_VERSION "\r\n"),
                                 "application/sdp", body),
            200);
        return;
    }
    if (request.method() == "NOTIFY") {
        transaction->respond(sip::makeResponse(request, 200, "OK", tag), 200); // e.g. message-summary
        return;
    }
    if (request.method() == "INVITE") {
        // No call feature took it (a stack without calls, or a re-INVITE for no known call).
        const bool inDialog = request.header(sip::HeaderId::To).contains(";tag=");
        transaction->respond(inDialog ? sip::makeResponse(request, 481, "Call/Transaction Does Not Exist", tag)
                                      : sip::makeResponse(request, 480, "Temporarily Unavailable", tag),
            inDialog ? 481 : 480);
        return;
    }
    if (request.method() == "CANCEL" || request.method() == "BYE" || request.method() == "INFO" || request.method() == "UPDATE") {
        transaction->respond(sip::makeResponse(request, 481, "Call/Transaction Does Not Exist", tag), 481);
        return;
    }
    // RFC 3261 8.2.1: a method we do not take here, with the list of those we do.
    transaction->respond(sip::makeResponse(request, 405, "Method Not Allowed", tag, allow), 405);
}

} // namespace ds::phone
