#include "client_transaction.h"

namespace ds::sip {

ClientTransaction::ClientTransaction(Clock &clock, Transport &transport, TimerConfig timers, Message request, Endpoint destination, Callbacks callbacks)
    : m_clock(clock)
    , m_transport(transport)
    , m_timers(timers)
    , m_request(std::move(request))
    , m_destination(std::move(destination))
    , m_cb(std::move(callbacks))
    , m_invite(m_request.method() == "INVITE")
    , m_state(m_invite ? State::Calling : State::Trying)
{
}

ClientTransaction::~ClientTransaction() { cancelTimers(); }

void ClientTransaction::cancelTimers()
{
    for (Clock::TimerId *t : {&m_retransmitTimer, &m_timeoutTimer, &m_waitTimer}) {
        if (*t)
            m_clock.cancel(*t);
        *t = 0;
    }
}

void ClientTransaction::send(const QByteArray &bytes) { m_transport.send(bytes, m_destination); }

void ClientTransaction::start()
{
    send(m_request.raw());
    // RFC 3261 17.1.1.2 / 17.1.2.2: Timer A / E start at T1 on unreliable transports only.
    if (!m_transport.reliable()) {
        m_interval = m_timers.t1;
        m_retransmitTimer = m_clock.schedule(m_interval, [this] { retransmit(); });
    }
    // Timer B / F: 64*T1 for every transport.
    m_timeoutTimer = m_clock.schedule(m_timers.timeout(), [this] { onTimeout(); });
}

void ClientTransaction::retransmit()
{
    m_retransmitTimer = 0;
    if (m_state != State::Calling && m_state != State::Trying && m_state != State::Proceeding)
        return;
    if (m_invite && m_state != State::Calling)
        return; // INVITE retransmissions stop on a provisional response (17.1.1.2)
    send(m_request.raw());
    if (m_invite) {
        m_interval *= 2; // Timer A doubles without bound; Timer B ends it
    } else if (m_state == State::Trying) {
        m_interval = std::min(m_interval * 2, m_timers.t2); // RFC 3261 17.1.2.2: Timer E doubles up to T2
    } else {
        m_interval = m_timers.t2; // in Proceeding Timer E fires every T2
    }
    m_retransmitTimer = m_clock.schedule(m_interval, [this] { retransmit(); });
}

void ClientTransaction::onTimeout()
{
    m_timeoutTimer = 0;
    if (m_state == State::Completed || m_state == State::Terminated)
        return;
    if (m_invite && m_state == State::Proceeding)
        return; // Timer B only applies while Calling
    terminate();
    if (m_cb.timeout)
        m_cb.timeout();
}

void ClientTransaction::receive(const Message &response)
{
    const int code = response.statusCode();
    switch (m_state) {
    case State::Calling:
    case State::Trying:
    case State::Proceeding:
        if (code < 200) {
            m_state = State::Proceeding;
            if (!m_invite && m_retransmitTimer) {
                // RFC 3261 17.1.2.2: in Proceeding, Timer E is reset to T2.
                m_clock.cancel(m_retransmitTimer);
                m_interval = m_timers.t2;
                m_retransmitTimer = m_clock.schedule(m_interval, [this] { retransmit(); });
            }
            if (m_cb.response)
                m_cb.response(response);
            return;
        }
        if (m_invite && code < 300) {
            // 2xx ends the INVITE client transaction; the dialog sends the ACK (17.1.1.2).
            terminate();
            if (m_cb.response)
                m_cb.response(response);
            return;
        }
        enterCompleted(response);
        if (m_cb.response)
            m_cb.response(response);
        return;
    case State::Completed:
        // Retransmitted final response: absorbed, re-ACKed for INVITE (17.1.1.2).
        if (m_invite && code >= 300 && !m_ack.isEmpty())
            send(m_ack);
        return;
    case State::Terminated:
        return;
    }
}

void ClientTransaction::enterCompleted(const Message &response)
{
    m_state = State::Completed;
    if (m_retransmitTimer)
        m_clock.cancel(m_retransmitTimer);
    m_retransmitTimer = 0;
    if (m_timeoutTimer)
        m_clock.cancel(m_timeoutTimer);
    m_timeoutTimer = 0;
    qint64 wait;
    if (m_invite) {
        m_ack = buildAck(response);
        send(m_ack);
        wait = m_transport.reliable() ? 0 : std::max<qint64>(32000, m_timers.timeout()); // Timer D
    } else {
        wait = m_transport.reliable() ? 0 : m_timers.t4; // Timer K
        // Timer K only absorbs retransmitted responses, matched by the layer's index: the request
        // is no longer needed, and a registration test keeps tens of thousands in this state.
        m_request = Message();
    }
    m_waitTimer = m_clock.schedule(wait, [this] {
        m_waitTimer = 0;
        terminate();
    });
}

void ClientTransaction::terminate()
{
    cancelTimers();
    m_state = State::Terminated;
}

void ClientTransaction::transportFailed(const TransportError &error)
{
    if (m_state == State::Terminated || m_state == State::Completed)
        return;
    terminate();
    if (m_cb.transportError)
        m_cb.transportError(error);
}

void ClientTransaction::abandon() { terminate(); }

QByteArray ClientTransaction::buildAck(const Message &response) const
{
    // RFC 3261 17.1.1.3: same Request-URI, Call-ID, From, top Via and Route as the request,
    // To from the response, CSeq number with method ACK.
    QByteArray ack = "ACK " + m_request.requestUri().toByteArray() + " SIP/2.0\r\n";
    for (const HeaderField &h : m_request.headers()) {
        if (h.id == HeaderId::Via) {
            QList<QByteArrayView> vias;
            splitList(m_request.value(h), vias);
            if (!vias.isEmpty())
                ack += "Via: " + vias.first().toByteArray() + "\r\n";
            break;
        }
    }
    for (const HeaderField &h : m_request.headers())
        if (h.id == HeaderId::Route)
            ack += "Route: " + m_request.value(h).toByteArray() + "\r\n";
    ack += "Max-Forwards: 70\r\n";
    ack += "From: " + m_request.header(HeaderId::From).toByteArray() + "\r\n";
    ack += "To: " + response.header(HeaderId::To).toByteArray() + "\r\n";
    ack += "Call-ID: " + m_request.callId().toByteArray() + "\r\n";
    ack += "CSeq: " + QByteArray::number(m_request.cseqNumber()) + " ACK\r\n";
    ack += "Content-Length: 0\r\n\r\n";
    return ack;
}

} // namespace ds::sip
