#include "server_transaction.h"

namespace ds::sip {

ServerTransaction::ServerTransaction(Clock &clock, Transport &transport, TimerConfig timers, Message request, Endpoint source)
    : m_clock(clock)
    , m_transport(transport)
    , m_timers(timers)
    , m_request(std::move(request))
    , m_source(std::move(source))
    , m_invite(m_request.method() == "INVITE")
    , m_state(m_invite ? State::Proceeding : State::Trying)
{
}

ServerTransaction::~ServerTransaction() { cancelTimers(); }

void ServerTransaction::cancelTimers()
{
    for (Clock::TimerId *t : {&m_retransmitTimer, &m_timeoutTimer, &m_waitTimer}) {
        if (*t)
            m_clock.cancel(*t);
        *t = 0;
    }
}

void ServerTransaction::send(const QByteArray &bytes) { m_transport.send(bytes, m_source); }

void ServerTransaction::terminateAfter(qint64 ms)
{
    m_waitTimer = m_clock.schedule(ms, [this] {
        m_waitTimer = 0;
        cancelTimers();
        m_state = State::Terminated;
    });
}

void ServerTransaction::respond(const QByteArray &response, int statusCode)
{
    if (m_state != State::Trying && m_state != State::Proceeding)
        return; // a final response was already sent
    m_lastResponse = response;
    send(response);
    if (statusCode < 200) {
        m_state = State::Proceeding;
        return;
    }
    const bool reliable = m_transport.reliable();
    if (!m_invite) {
        // RFC 3261 17.2.2: Completed, Timer J = 64*T1 (0 over reliable transports).
        m_state = State::Completed;
        terminateAfter(reliable ? 0 : m_timers.timeout());
        return;
    }
    if (statusCode < 300) {
        // 2xx: the transaction ends; the TU retransmits the 2xx until the ACK (17.2.1).
        cancelTimers();
        m_state = State::Terminated;
        return;
    }
    m_state = State::Completed;
    if (!reliable) {
        // Timer G: retransmit the final response at T1, doubling up to T2.
        m_interval = m_timers.t1;
        auto retransmit = [this](auto &&self) -> void {
            m_retransmitTimer = 0;
            if (m_state != State::Completed)
                return;
            send(m_lastResponse);
            m_interval = std::min(m_interval * 2, m_timers.t2);
            m_retransmitTimer = m_clock.schedule(m_interval, [this, self] { self(self); });
        };
        m_retransmitTimer = m_clock.schedule(m_interval, [this, retransmit] { retransmit(retransmit); });
    }
    // Timer H: give up waiting for the ACK after 64*T1.
    m_timeoutTimer = m_clock.schedule(m_timers.timeout(), [this] {
        m_timeoutTimer = 0;
        cancelTimers();
        m_state = State::Terminated;
        if (onAckTimeout)
            onAckTimeout();
    });
}

void ServerTransaction::receive(const Message &request)
{
    if (request.method() == "ACK") {
        if (m_invite && m_state == State::Completed) {
            // RFC 3261 17.2.1: Confirmed; Timer I = T4 absorbs further ACKs (0 if reliable).
            cancelTimers();
            m_state = State::Confirmed;
            terminateAfter(m_transport.reliable() ? 0 : m_timers.t4);
        }
        return;
    }
    // A retransmitted request: resend the last response, if any (17.2.1, 17.2.2).
    if ((m_state == State::Proceeding || m_state == State::Completed) && !m_lastResponse.isEmpty())
        send(m_lastResponse);
}

} // namespace ds::sip
