#include "transaction_layer.h"

#include "header_values.h"
#include "parser.h"
#include "random.h"

#include <algorithm>

namespace ds::sip {

TransactionLayer::TransactionLayer(Transport &transport, Clock &clock, QObject *parent)
    : QObject(parent)
    , m_transport(transport)
    , m_clock(clock)
    , m_guard(clock)
{
    m_guard.onReport = [this](const FloodGuard::Report &r) { emit guardReport(r.text); };
    connect(&m_transport, &Transport::sent, this, [this](const QByteArray &bytes, const Endpoint &to) {
        emit traced({TraceEvent::Direction::Out, QDateTime::currentDateTimeUtc(), m_transport.kind(), m_transport.localEndpoint(), to, bytes, false, {}});
    });
    connect(&m_transport, &Transport::received, this, &TransactionLayer::onReceived);
    connect(&m_transport, &Transport::malformed, this, [this](const QByteArray &bytes, const Error &e, const Endpoint &from) {
        if (!m_guard.admit(from.address))
            return; // garbage from a source that floods: not worth a line in the trace each
        emit traced(
            {TraceEvent::Direction::In, QDateTime::currentDateTimeUtc(), m_transport.kind(), m_transport.localEndpoint(), from, bytes, true, e.toString()});
    });
    connect(&m_transport, &Transport::failed, this, [this](const TransportError &e) {
        for (auto &c : m_clients)
            c->transportFailed(e);
        scheduleSweep();
        emit transportFailed(e);
    });
}

TransactionLayer::~TransactionLayer()
{
    if (m_sweepTimer)
        m_clock.cancel(m_sweepTimer);
}

QByteArray TransactionLayer::newBranch() { return "z9hG4bK" + randomHex(12); }

ClientTransaction *TransactionLayer::request(const QByteArray &bytes, const Endpoint &destination, ClientTransaction::Callbacks callbacks, QString *error)
{
    auto m = Parser::parse(bytes, Framing::Datagram);
    if (!m || !m->isRequest() || m->topViaBranch().isEmpty()) {
        if (error)
            *error = m ? QStringLiteral("the request has no Via branch") : m.error().toString();
        return nullptr;
    }
    m_clients.push_back(std::make_unique<ClientTransaction>(m_clock, m_transport, m_timers, std::move(*m), destination, std::move(callbacks)));
    ClientTransaction *t = m_clients.back().get();
    m_clientIndex.insert(transactionKey(t->request().topViaBranch(), t->request().method()), t);
    t->start();
    scheduleSweep();
    return t;
}

QByteArray TransactionLayer::transactionKey(QByteArrayView branch, QByteArrayView method)
{
    QByteArray key;
    key.reserve(branch.size() + method.size() + 1);
    key.append(branch).append(' ').append(method);
    return key;
}

ClientTransaction *TransactionLayer::findClient(const Message &response) const
{
    // RFC 3261 17.1.3: the top Via branch and the CSeq method identify the transaction. Looked up
    // by key, not by scanning: a registration test keeps thousands of transactions open.
    ClientTransaction *c = m_clientIndex.value(transactionKey(response.topViaBranch(), response.cseqMethod()));
    return c && c->state() != ClientTransaction::State::Terminated ? c : nullptr;
}

bool TransactionLayer::matchesClient(const Message &response) const { return findClient(response) != nullptr; }

bool TransactionLayer::admit(const Message &m, const Endpoint &from)
{
    if (m_guard.isTrusted(from.address))
        return true;
    // Answers to what we asked, and what belongs to our calls' dialogs, pass whoever else floods
    // from that address; they are not counted either.
    if (m.isResponse() ? matchesClient(m) : (m_dialogMatcher && m_dialogMatcher(m)))
        return true;
    if (!m_guard.admit(from.address))
        return false;
    if (m.isRequest() && int(m_servers.size()) >= kMaxServerTransactions) {
        // Full (a flood from many addresses): new requests wait for the old transactions to end.
        ++m_ignoredFull;
        if (!std::exchange(m_fullReported, true))
            emit guardReport(
                QStringLiteral("%1 requests are open at once: ignoring new requests from untrusted addresses until some end").arg(kMaxServerTransactions));
        return false;
    }
    return true;
}

void TransactionLayer::onReceived(const Message &m, const Endpoint &from)
{
    if (!admit(m, from))
        return;
    emit traced({TraceEvent::Direction::In, QDateTime::currentDateTimeUtc(), m_transport.kind(), m_transport.localEndpoint(), from, m.raw(), false, {}});
    if (m.isResponse()) {
        if (ClientTransaction *c = findClient(m)) {
            c->receive(m);
            scheduleSweep();
            return;
        }
        emit strayResponse(m, from);
        return;
    }
    // RFC 3261 17.2.3: branch (magic cookie), sent-by and method; ACK matches the INVITE.
    const QByteArrayView branch = m.topViaBranch();
    const QByteArrayView method = m.method() == "ACK" ? QByteArrayView("INVITE") : m.method();
    if (ServerTransaction *s = m_serverIndex.value(transactionKey(branch, method)); s && s->state() != ServerTransaction::State::Terminated) {
        s->receive(m);
        scheduleSweep();
        return;
    }
    if (m.method() == "ACK") {
        // Some senders (sipvicious' svwar among them) give the ACK for a non-2xx a branch of its
        // own, against RFC 3261 17.1.1.3; the INVITE would have its final response retransmitted
        // for 32 s, and each copy ACKed again. Such an ACK is known by what 17.1.1.3 says it
        // copies: Call-ID, From and the CSeq number (RFC 3261 17.2.3's matching for RFC 2543 peers).
        for (auto &s : m_servers) {
            const Message &invite = s->request();
            if (s->isInvite() && s->state() == ServerTransaction::State::Completed && invite.callId() == m.callId() && invite.cseqNumber() == m.cseqNumber()
                && invite.header(HeaderId::From) == m.header(HeaderId::From)) {
                s->receive(m);
                scheduleSweep();
                return;
            }
        }
        emit requestReceived(m, nullptr); // ACK for a 2xx: belongs to the dialog
        return;
    }
    m_servers.push_back(std::make_unique<ServerTransaction>(m_clock, m_transport, m_timers, m, from));
    ServerTransaction *s = m_servers.back().get();
    m_serverIndex.insert(transactionKey(branch, method), s);
    emit requestReceived(m, s);
    scheduleSweep();
}

void TransactionLayer::scheduleSweep()
{
    if (m_sweepScheduled)
        return;
    m_sweepScheduled = true;
    m_sweepTimer = m_clock.schedule(0, [this] {
        m_sweepTimer = 0;
        m_sweepScheduled = false;
        sweep();
    });
}

void TransactionLayer::sweep()
{
    m_clientIndex.removeIf([](const auto &it) { return it.value()->state() == ClientTransaction::State::Terminated; });
    m_serverIndex.removeIf([](const auto &it) { return it.value()->state() == ServerTransaction::State::Terminated; });
    std::erase_if(m_clients, [](const auto &c) { return c->state() == ClientTransaction::State::Terminated; });
    std::erase_if(m_servers, [](const auto &s) { return s->state() == ServerTransaction::State::Terminated; });
    if (m_fullReported && int(m_servers.size()) < kMaxServerTransactions / 2)
        m_fullReported = false; // report it again should it fill up again
    // Transactions waiting on timers terminate later; sweep again then.
    if (!m_clients.empty() || !m_servers.empty()) {
        m_sweepScheduled = true;
        m_sweepTimer = m_clock.schedule(std::max<qint64>(m_timers.t1, 100), [this] {
            m_sweepTimer = 0;
            m_sweepScheduled = false;
            sweep();
        });
    }
}

} // namespace ds::sip
