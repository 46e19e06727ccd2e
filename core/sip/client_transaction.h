#pragma once
// ClientTransaction: one request's client transaction, INVITE (RFC 3261 17.1.1) or non-INVITE
// (17.1.2): retransmits over unreliable transports, times out, absorbs response retransmissions
// and acknowledges non-2xx final responses to INVITE.

#include "clock.h"
#include "message.h"
#include "timer_config.h"
#include "transport.h"

#include <functional>

namespace ds::sip {

class ClientTransaction {
public:
    enum class State { Calling, Trying, Proceeding, Completed, Terminated };

    struct Callbacks {
        std::function<void(const Message &)> response; // provisional and final responses, once each
        std::function<void()> timeout; // Timer B or F fired
        std::function<void(const TransportError &)> transportError;
    };

    ClientTransaction(Clock &clock, Transport &transport, TimerConfig timers, Message request, Endpoint destination, Callbacks callbacks);
    ~ClientTransaction();
    ClientTransaction(const ClientTransaction &) = delete;
    ClientTransaction &operator=(const ClientTransaction &) = delete;

    void start();
    void receive(const Message &response);
    void transportFailed(const TransportError &error);
    // Ends the transaction without further callbacks (the user gave up on it).
    void abandon();

    State state() const { return m_state; }
    bool isInvite() const { return m_invite; }
    // The request; empty once a non-INVITE transaction has completed (only Timer K is left then).
    const Message &request() const { return m_request; }
    const Endpoint &destination() const { return m_destination; }

private:
    void send(const QByteArray &bytes);
    void retransmit();
    void onTimeout();
    void terminate();
    void enterCompleted(const Message &response);
    QByteArray buildAck(const Message &response) const;
    void cancelTimers();

    Clock &m_clock;
    Transport &m_transport;
    TimerConfig m_timers;
    Message m_request;
    Endpoint m_destination;
    Callbacks m_cb;
    bool m_invite;
    State m_state;
    qint64 m_interval = 0;
    QByteArray m_ack;
    Clock::TimerId m_retransmitTimer = 0; // A or E
    Clock::TimerId m_timeoutTimer = 0; // B or F
    Clock::TimerId m_waitTimer = 0; // D or K
};

} // namespace ds::sip
