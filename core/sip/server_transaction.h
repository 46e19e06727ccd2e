#pragma once
// ServerTransaction: the server side of one request, INVITE (RFC 3261 17.2.1) or non-INVITE
// (17.2.2): answers request retransmissions with the last response, retransmits INVITE final
// responses until the ACK (Timers G, H, I) and lingers to absorb retransmissions (Timer J).

#include "clock.h"
#include "message.h"
#include "timer_config.h"
#include "transport.h"

#include <functional>

namespace ds::sip {

class ServerTransaction {
public:
    enum class State { Trying, Proceeding, Completed, Confirmed, Terminated };

    ServerTransaction(Clock &clock, Transport &transport, TimerConfig timers, Message request, Endpoint source);
    ~ServerTransaction();
    ServerTransaction(const ServerTransaction &) = delete;
    ServerTransaction &operator=(const ServerTransaction &) = delete;

    // The TU's response (serialized). Provisional responses may precede one final response.
    void respond(const QByteArray &response, int statusCode);
    // A retransmission of the request, or the ACK for an INVITE's non-2xx final response.
    void receive(const Message &request);

    State state() const { return m_state; }
    bool isInvite() const { return m_invite; }
    const Message &request() const { return m_request; }
    const Endpoint &source() const { return m_source; }
    // Called when the ACK for a non-2xx never came (Timer H).
    std::function<void()> onAckTimeout;

private:
    void send(const QByteArray &bytes);
    void terminateAfter(qint64 ms);
    void cancelTimers();

    Clock &m_clock;
    Transport &m_transport;
    TimerConfig m_timers;
    Message m_request;
    Endpoint m_source;
    bool m_invite;
    State m_state;
    QByteArray m_lastResponse;
    qint64 m_interval = 0;
    Clock::TimerId m_retransmitTimer = 0; // G
    Clock::TimerId m_timeoutTimer = 0; // H
    Clock::TimerId m_waitTimer = 0; // I or J
};

} // namespace ds::sip
