#pragma once
// UserAgent: the SIP stack of one account — where its server is (RFC 3263), the transport to
// it and the transaction layer over that transport. Registration and, later, calls use it.

#include "account.h"
#include "outcome.h"

#include "sip/clock.h"
#include "sip/resolver.h"
#include "sip/stream_transport.h"
#include "sip/trace_event.h"
#include "sip/transaction_layer.h"

#include <QObject>

#include <functional>
#include <memory>

namespace ds::phone {

// "sip:user@host:port", the user part escaped (RFC 3261 25.1).
QByteArray sipUri(const QString &user, const QString &hostPort);

struct AgentOptions {
    QHostAddress bindAddress; // null: any address of the route to the server
    quint16 bindPort = 0; // 0: a free port
    sip::TlsOptions tls;
    sip::TimerConfig timers;
    QString transportOverride; // --transport, wins over the account's
    QHostAddress dnsServer; // null: the system's resolver
};

class UserAgent final : public QObject {
    Q_OBJECT
public:
    UserAgent(Account account, AgentOptions options, sip::Clock &clock, QObject *parent = nullptr);
    ~UserAgent() override;

    const Account &account() const { return m_account; }
    // Resolves the server and opens the transport; emits ready() or failed(). An account without
    // a server listens for direct calls on the bind address and port (UDP; port 0: a free one).
    void start();
    bool isReady() const { return m_layer != nullptr; }

    sip::TransactionLayer *layer() const { return m_layer.get(); }
    sip::Transport *transport() const { return m_transport.get(); }
    sip::TransportKind transportKind() const { return m_target.transport; }
    const sip::Endpoint &server() const { return m_target.endpoint; }
    // The address the server is reached from (our side of the route), for Via and Contact.
    sip::Endpoint localEndpoint() const;
    QString serverText() const; // "127.0.0.1:5060 over UDP"
    QString domain() const; // the AOR domain
    sip::Clock &clock() { return m_clock; }

    // Features (calls) see each new request first; true when they took it. The rest get the
    // agent's own answers (OPTIONS, NOTIFY, 481, 405).
    using RequestHandler = std::function<bool(const sip::Message &, sip::ServerTransaction *)>;
    void setRequestHandler(RequestHandler handler) { m_requestHandler = std::move(handler); }
    // Sees each new request before the features do (the demo peer's registrar takes REGISTER here,
    // whoever holds the request handler); true when it took it.
    void setFirstRequestHandler(RequestHandler handler) { m_firstHandler = std::move(handler); }
    // Whether a request belongs to a dialog of ours (calls set it): such requests pass the flood
    // guard whoever else floods from their address.
    void setDialogMatcher(std::function<bool(const sip::Message &)> matcher);

signals:
    void ready();
    void failed(const ds::phone::Diagnosis &diagnosis);
    // The stream connection to the server dropped; the stack is closed and start() opens a new one.
    void connectionLost(const QString &reason);
    // How the server was found (RFC 3263 steps), once per start().
    void resolved(const QString &summary);
    void traced(const ds::sip::TraceEvent &event);
    // TLS only: the encrypted bytes on the connection, and the session's NSS key log lines
    // (secrets: kept in memory for a pcapng export the user asks for, never logged).
    void wire(const ds::sip::WireEvent &event);
    void tlsKeyLogLine(const QByteArray &line);
    // A response no transaction matched (2xx retransmissions to INVITE).
    void strayResponse(const ds::sip::Message &response);
    // Something the user should know about the stack, in plain words ("flood from X...").
    void finding(const QString &severity, const QString &text);

private:
    void open(const sip::ServerTarget &target);
    void listen();
    void createLayer();
    // Requests that reach the account outside any feature (OPTIONS pings, NOTIFY...).
    void answerRequest(const sip::Message &request, sip::ServerTransaction *transaction);

    Account m_account;
    AgentOptions m_options;
    sip::Clock &m_clock;
    sip::ServerSpec m_spec;
    sip::ServerTarget m_target;
    sip::Resolver m_resolver;
    std::unique_ptr<sip::Transport> m_transport;
    std::unique_ptr<sip::TransactionLayer> m_layer;
    QHostAddress m_routeAddress; // our address toward the server
    bool m_starting = false;
    RequestHandler m_requestHandler;
    RequestHandler m_firstHandler;
    std::function<bool(const sip::Message &)> m_dialogMatcher;
};

} // namespace ds::phone
