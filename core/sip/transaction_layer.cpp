#include "transaction_layer.h"

#include "header_values.h"
#include "parser.h"

#include <QRandomGenerator>

namespace ds::sip {

TransactionLayer::TransactionLayer(Transport &transport, Clock &clock, QObject *parent)
    : QObject(parent)
    , m_transport(transport)
    , m_clock(clock)
{
    connect(&m_transport, &Transport::sent, this, [this](const QByteArray &bytes, const Endpoint &to) {
        emit traced({TraceEvent::Direction::Out, QDateTime::currentDateTime(), m_transport.kind(), m_transport.localEndpoint(), to, bytes, false, {}});
    });
    connect(&m_transport, &Transport::received, this, &TransactionLayer::onReceived);
    connect(&m_transport, &Transport::malformed, this, [this](const QByteArray &bytes, const Error &e, const Endpoint &from) {
        emit traced(
            {TraceEvent::Direction::In, QDateTime::currentDateTime(), m_transport.kind(), m_transport.localEndpoint(), from, bytes, true, e.toString()});
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

QByteArray TransactionLayer::newBranch()
{
    quint32 w[3];
    QRandomGenerator::system()->fillRange(w);
    return "z9hG4bK" + QByteArray(reinterpret_cast<const char *>(w), sizeof w).toHex();
}

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
    t->start();
    scheduleSweep();
    return t;
}

void TransactionLayer::onReceived(const Message &m, const Endpoint &from)
{
    emit traced({TraceEvent::Direction::In, QDateTime::currentDateTime(), m_transport.kind(), m_transport.localEndpoint(), from, m.raw(), false, {}});
    const QByteArrayView branch = m.topViaBranch();
    if (m.isResponse()) {
        // RFC 3261 17.1.3: the top Via branch and the CSeq method identify the transaction.
        const QByteArrayView method = m.cseqMethod();
        for (auto &c : m_clients) {
            if (c->state() != ClientTransaction::State::Terminated && c->request().topViaBranch() == branch && c->request().method() == method) {
                c->receive(m);
                scheduleSweep();
                return;
            }
        }
        emit strayResponse(m, from);
        return;
    }
    // RFC 3261 17.2.3: branch (magic cookie), sent-by and method; ACK matches the INVITE.
    for (auto &s : m_servers) {
        if (s->state() == ServerTransaction::State::Terminated || s->request().topViaBranch() != branch)
            continue;
        const QByteArrayView method = m.method();
        if (method == s->request().method() || (method == "ACK" && s->request().method() == "INVITE")) {
            s->receive(m);
            scheduleSweep();
            return;
        }
    }
    if (m.method() == "ACK") {
        emit requestReceived(m, nullptr); // ACK for a 2xx: belongs to the dialog
        return;
    }
    m_servers.push_back(std::make_unique<ServerTransaction>(m_clock, m_transport, m_timers, m, from));
    ServerTransaction *s = m_servers.back().get();
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
    std::erase_if(m_clients, [](const auto &c) { return c->state() == ClientTransaction::State::Terminated; });
    std::erase_if(m_servers, [](const auto &s) { return s->state() == ServerTransaction::State::Terminated; });
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
