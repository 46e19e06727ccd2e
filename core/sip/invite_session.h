#pragma once
// InviteSession: the INVITE usage of one dialog (RFC 3261 13-15) — caller or callee side: INVITE
// with digest retry, provisional responses, 2xx and its ACK, CANCEL, BYE, re-INVITE in both
// directions. Bodies are opaque bytes; what they mean (SDP) is the user's business.

#include "authenticator.h"
#include "clock.h"
#include "dialog.h"
#include "transaction_layer.h"

#include <QObject>
#include <QPointer>

#include <functional>
#include <optional>

namespace ds::sip {

// What a session needs from the user agent it belongs to.
struct SessionContext {
    QPointer<TransactionLayer> layer; // gone when a stream connection drops: the session then ends
    TransportKind transport = TransportKind::Udp;
    std::function<QByteArray()> viaSentBy; // "SIP/2.0/UDP 192.0.2.1:5060"
    QByteArray contact; // Contact value we send: "<sip:alice@192.0.2.1:5060>"
    // Where the first INVITE goes (the outbound proxy or the target's host), and the Route to
    // put in it (a loose-routing outbound proxy), if any.
    Endpoint firstHop;
    QByteArray outboundRoute; // "<sip:proxy;lr>" or empty
    // Where an in-dialog request to this URI (the first route or the remote target) goes.
    std::function<Endpoint(const Uri &)> nextHop;
    Authenticator *auth = nullptr; // credentials for 401/407, may be null
    QByteArray userAgent = "dialscope";
    QByteArray allow = "INVITE, ACK, CANCEL, BYE, OPTIONS, INFO, NOTIFY, MESSAGE";
};

// Why a session ended.
struct SessionEnd {
    enum class Cause {
        LocalBye, // we hung up an established call
        RemoteBye, // the far end hung up
        LocalCancel, // we gave up before an answer (CANCEL sent)
        RemoteCancel, // the caller gave up before we answered
        Rejected, // our INVITE got a final non-2xx (status says which)
        Declined, // we refused an incoming INVITE
        Timeout, // no final response (Timer B), or no ACK for our 2xx (64*T1)
        TransportError,
        AuthFailed, // a challenge we could not or may not answer
    };
    Cause cause = Cause::LocalBye;
    int status = 0; // the deciding SIP status, 0 when none
    QByteArray reason; // the reason phrase, or our own words
};

class InviteSession final : public QObject {
    Q_OBJECT
public:
    enum class State {
        Idle,
        Calling, // INVITE sent, nothing back yet
        Early, // provisional received (UAC) or sent (UAS)
        Incoming, // INVITE received, not answered yet
        Accepted, // UAS: 2xx sent, waiting for its ACK
        Confirmed,
        Terminating, // BYE or CANCEL sent
        Terminated,
    };

    InviteSession(SessionContext context, Clock &clock, QObject *parent = nullptr);
    ~InviteSession() override;

    // Caller side. requestUri: whom we call; from/to: the header values without tags.
    // Returns false (with the reason) when the request cannot be built.
    bool invite(const QByteArray &requestUri, const QByteArray &from, const QByteArray &to, const QByteArray &sdp, QString *error = nullptr);
    // Callee side: takes a new INVITE and its server transaction; sends 100 Trying. Returns
    // false after answering the INVITE itself with an error (420, 400...).
    bool receiveInvite(const Message &request, ServerTransaction *transaction);

    // UAS: 180 Ringing, or 183 with an early body.
    void ring(const QByteArray &earlySdp = {});
    // UAS: 200 OK with our answer (or offer, when the INVITE had no body).
    void accept(const QByteArray &sdp);
    // UAS: a final non-2xx (486 Busy Here, 603 Decline...).
    void reject(int status, const QByteArray &reason);
    // Ends the session the way its state requires: CANCEL while calling, BYE when established,
    // 603 for an unanswered incoming call.
    void hangUp();
    // re-INVITE with a new offer (hold, resume). False while another offer is pending.
    bool reinvite(const QByteArray &sdp);
    // RFC 6086: an INFO in the confirmed dialog (DTMF relay...). done() gets the final status, or 0
    // with a reason when nothing answered. False (done not called) when there is no dialog.
    bool sendInfo(const QByteArray &contentType, const QByteArray &body, std::function<void(int status, const QByteArray &reason)> done);
    // RFC 3428: a MESSAGE in the confirmed dialog (a DTMF report...), the same way as sendInfo().
    bool sendMessage(const QByteArray &contentType, const QByteArray &body, std::function<void(int status, const QByteArray &reason)> done);
    // Ends the session at once without sending anything: the transport under it is gone.
    void abandon(const QByteArray &reason);

    // Messages for this session that the user agent routes here.
    bool matchesRequest(const Message &request) const; // in-dialog, ACK, CANCEL, INVITE retransmission
    bool matchesResponse(const Message &response) const; // stray 2xx retransmissions
    void receiveRequest(const Message &request, ServerTransaction *transaction);
    void receiveStrayResponse(const Message &response);

    // The far end's re-INVITE: given its body (empty when it asks us to offer), return our body
    // for the 200, or a status to refuse it with (488).
    std::function<std::expected<QByteArray, int>(const QByteArray &offer)> onRemoteOffer;
    // The answer to the far end's INFO: a status and extra header lines ("Accept: ...\r\n" with a
    // 415, RFC 3261 21.4.13). Unset: 200. infoReceived() follows a 2xx only.
    struct InfoAnswer {
        int status = 200;
        QByteArray reason = "OK";
        QByteArray headers;
    };
    std::function<InfoAnswer(const QByteArray &contentType, const QByteArray &body)> onInfo;

    State state() const { return m_state; }
    bool isCaller() const { return m_caller; }
    const std::optional<Dialog> &dialog() const { return m_dialog; }
    QByteArray callId() const { return m_callId; }
    const Message &initialInvite() const { return m_invite; } // the last INVITE sent or the one received
    QByteArray remoteIdentity() const; // To (caller) or From (callee) header value
    bool offerPending() const { return m_reinvite.has_value(); }

signals:
    // UAC: 1xx (except 100) with its body, if any.
    void provisional(int status, const QByteArray &reason, const QByteArray &body);
    // UAC: the 2xx to our INVITE (body: the answer). UAS: the ACK arrived (body: the answer
    // when our 200 carried the offer, else empty).
    void established(const QByteArray &body);
    // Our re-INVITE finished: 2xx with the answer, or a failure status.
    void reinviteFinished(int status, const QByteArray &body);
    // The far end's re-INVITE was answered with this body and has been acknowledged.
    void remoteReinviteAcked(const QByteArray &ackBody);
    // An in-dialog INFO (DTMF relay...), answered 2xx already (see onInfo).
    void infoReceived(const QByteArray &contentType, const QByteArray &body);
    // An in-dialog MESSAGE (RFC 3428), answered 200 already: what it says is the user's business.
    void messageReceived(const QByteArray &contentType, const QByteArray &body);
    void authComputed(const ds::sip::AuthExplanation &explanation);
    void terminated(const ds::sip::SessionEnd &end);

private:
    struct Pending2xx { // RFC 3261 13.3.1.4: the UAS core retransmits its 2xx until the ACK
        QByteArray bytes;
        Endpoint to;
        std::uint32_t cseq = 0;
        qint64 interval = 0;
        qint64 elapsed = 0;
        Clock::TimerId timer = 0;
        bool offerInResponse = false; // our 2xx carried the offer: the ACK carries the answer
    };
    struct ReInvite {
        QByteArray sdp;
        std::uint32_t cseq = 0;
        bool authRetried = false;
    };

    QByteArray buildInvite(const QList<QPair<QByteArray, QByteArray>> &auth);
    void sendInvite();
    void onInviteResponse(const Message &response);
    void onInvite2xx(const Message &response);
    void sendAckFor(const Message &response, std::uint32_t cseq, Dialog &dialog);
    void sendCancel();
    void sendBye();
    void sendInDialog(const QByteArray &method, const QByteArray &body, const QByteArray &contentType, std::function<void(const Message *)> done,
        bool authRetry = false, QList<QPair<QByteArray, QByteArray>> auth = {});
    bool sendSimple(const QByteArray &method, const QByteArray &contentType, const QByteArray &body, std::function<void(int, const QByteArray &)> done);
    void respond2xx(const Message &request, ServerTransaction *transaction, const QByteArray &body, bool offer);
    void retransmit2xx();
    void onAck(const Message &ack);
    void onCancel(const Message &cancel, ServerTransaction *transaction);
    void onReinvite(const Message &request, ServerTransaction *transaction);
    void finish(SessionEnd end);
    bool layerGone(); // true (and the session ended) when the transaction layer no longer exists
    Endpoint hopFor(const Dialog &dialog) const;
    QByteArray commonHeaders() const; // User-Agent, Allow
    static QByteArray newTag();

    SessionContext m_ctx;
    Clock &m_clock;
    State m_state = State::Idle;
    bool m_caller = false;
    std::optional<Dialog> m_dialog;
    QByteArray m_callId;
    QByteArray m_localTag;
    // Caller: the INVITE as sent (for CANCEL and auth retries).
    QByteArray m_requestUri, m_from, m_to, m_sdp;
    std::uint32_t m_cseq = 0;
    Message m_invite;
    bool m_authRetried = false;
    bool m_cancelWanted = false; // hang-up before any provisional: CANCEL once one arrives (9.1)
    bool m_gotProvisional = false;
    QByteArray m_ack; // last ACK for a 2xx, resent on its retransmissions
    std::uint32_t m_ackCseq = 0;
    // Callee: the INVITE's server transaction until the final response.
    ServerTransaction *m_serverInvite = nullptr;
    Endpoint m_inviteSource;
    QByteArray m_last2xx; // our 2xx to the initial INVITE, for INVITE retransmissions after it
    std::optional<Pending2xx> m_pending2xx;
    std::optional<ReInvite> m_reinvite;
    std::uint32_t m_lastReinviteCseq = 0; // the far end's last re-INVITE we answered 2xx, for its retransmissions
    QByteArray m_lastReinvite2xx;
    Clock::TimerId m_retryTimer = 0; // 491 back-off
};

} // namespace ds::sip

Q_DECLARE_METATYPE(ds::sip::SessionEnd)
