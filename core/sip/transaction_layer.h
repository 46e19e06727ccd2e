#pragma once
// TransactionLayer: matches messages to client and server transactions (RFC 3261 17.1.3,
// 17.2.3), owns them until they terminate, and reports every message crossing its transport
// to the trace, exactly once, retransmissions included. What it admits is bounded: a source that
// floods is ignored (FloodGuard), and it holds at most kMaxServerTransactions server transactions.

#include "client_transaction.h"
#include "flood_guard.h"
#include "server_transaction.h"
#include "trace_event.h"

#include <QHash>
#include <QObject>

#include <functional>
#include <memory>
#include <vector>

namespace ds::sip {

class TransactionLayer final : public QObject {
    Q_OBJECT
public:
    // Requests from sources that are not trusted, past this many open server transactions, are
    // ignored: a flood from many addresses cannot make the layer hold more.
    static constexpr int kMaxServerTransactions = 512;

    TransactionLayer(Transport &transport, Clock &clock, QObject *parent = nullptr);
    ~TransactionLayer() override;

    void setTimers(TimerConfig timers) { m_timers = timers; }
    TimerConfig timers() const { return m_timers; }
    Transport &transport() { return m_transport; }
    Clock &clock() { return m_clock; }

    // Starts a client transaction for a complete serialized request (Via with branch included).
    // Returns nullptr, with the reason, when the bytes are not a valid request.
    ClientTransaction *request(const QByteArray &bytes, const Endpoint &destination, ClientTransaction::Callbacks callbacks, QString *error = nullptr);
    // Sends without a transaction (ACK for 2xx, stateless responses).
    void sendStateless(const QByteArray &bytes, const Endpoint &destination) { m_transport.send(bytes, destination); }

    // The budget of messages per source address; trust the registrar/proxy there.
    FloodGuard &floodGuard() { return m_guard; }
    // Whether a request belongs to a dialog we have (a call's BYE, re-INVITE, INFO...): those
    // pass even from an address that floods, so the active call goes on.
    void setDialogMatcher(std::function<bool(const Message &)> matcher) { m_dialogMatcher = std::move(matcher); }
    // Messages ignored because their source flooded, or because the layer was full.
    quint64 ignoredMessages() const { return m_guard.ignored() + m_ignoredFull; }

    int activeClientTransactions() const { return int(m_clients.size()); }
    int activeServerTransactions() const { return int(m_servers.size()); }

    // A fresh branch with the RFC 3261 magic cookie (8.1.1.7).
    static QByteArray newBranch();

signals:
    void traced(const ds::sip::TraceEvent &event);
    // A new request no transaction matched; the server transaction is ready for respond().
    void requestReceived(const ds::sip::Message &request, ds::sip::ServerTransaction *transaction);
    // A response no client transaction matched (2xx retransmissions to INVITE).
    void strayResponse(const ds::sip::Message &response, const ds::sip::Endpoint &from);
    void transportFailed(const ds::sip::TransportError &error);
    // A source started or stopped flooding, or the layer is full: one line for the log.
    void guardReport(const QString &text);

private:
    void onReceived(const Message &m, const Endpoint &from);
    bool admit(const Message &m, const Endpoint &from);
    bool matchesClient(const Message &response) const;
    ClientTransaction *findClient(const Message &response) const;
    static QByteArray transactionKey(QByteArrayView branch, QByteArrayView method);
    void sweep();
    void scheduleSweep();

    Transport &m_transport;
    Clock &m_clock;
    TimerConfig m_timers;
    std::vector<std::unique_ptr<ClientTransaction>> m_clients;
    std::vector<std::unique_ptr<ServerTransaction>> m_servers;
    // "branch METHOD" -> the transaction (ACK under INVITE), for matching without a scan.
    QHash<QByteArray, ClientTransaction *> m_clientIndex;
    QHash<QByteArray, ServerTransaction *> m_serverIndex;
    FloodGuard m_guard;
    std::function<bool(const Message &)> m_dialogMatcher;
    quint64 m_ignoredFull = 0;
    bool m_fullReported = false;
    bool m_sweepScheduled = false;
    Clock::TimerId m_sweepTimer = 0;
};

} // namespace ds::sip
