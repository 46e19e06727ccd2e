#pragma once
// Dialog: the pure state of one SIP dialog (RFC 3261 12) — ids, route set, remote target,
// CSeq numbers — and the in-dialog requests built from it. No timers, no I/O; INVITE
// sessions drive it with the messages they send and receive.

#include "error.h"
#include "message.h"
#include "uri.h"

#include <QByteArray>
#include <QList>

#include <cstdint>
#include <expected>

namespace ds::sip {

// Why an incoming in-dialog request must be refused, and with which response.
struct DialogRejection {
    int status = 500;
    QByteArray reason = "Server Internal Error";
    QString what;
};

class Dialog {
public:
    enum class State { Early, Confirmed, Terminated };

    // RFC 3261 12.1.2: UAC side, from the request we sent and a 101-299 response carrying a To tag.
    // A 1xx makes an early dialog, a 2xx a confirmed one.
    static std::expected<Dialog, Error> createUac(const Message &request, const Message &response);
    // RFC 3261 12.1.1: UAS side, from a received dialog-creating request. localTag is the To tag we
    // put in our response; localContact the Contact value we send (for target refreshes).
    // confirmed: whether our response is a 2xx (else the dialog is early, 1xx with tag).
    static std::expected<Dialog, Error> createUas(const Message &request, QByteArrayView localTag, QByteArrayView localContact, bool confirmed);

    State state() const { return m_state; }
    bool isUac() const { return m_uac; }
    bool secure() const { return m_secure; }
    const QByteArray &callId() const { return m_callId; }
    const QByteArray &localTag() const { return m_localTag; }
    const QByteArray &remoteTag() const { return m_remoteTag; }
    const Uri &localUri() const { return m_localUri; }
    const Uri &remoteUri() const { return m_remoteUri; }
    const Uri &remoteTarget() const { return m_remoteTarget; }
    // Route set values as written ("<sip:p1.example.com;lr>"), in the order requests carry them.
    const QList<QByteArray> &routeSet() const { return m_routeSet; }
    std::uint32_t localCseq() const { return m_localCseq; } // 0 while empty
    std::uint32_t remoteCseq() const { return m_remoteCseq; } // 0 while empty
    const QByteArray &localContact() const { return m_localContact; }
    void setLocalContact(QByteArrayView contact) { m_localContact = contact.toByteArray(); }

    // RFC 3261 12: the dialog id is Call-ID + local tag + remote tag. Call-IDs compare byte by
    // byte (20.8); tags are compared exactly as opaque tokens too (see dialog.cpp).
    bool matches(QByteArrayView callId, QByteArrayView localTag, QByteArrayView remoteTag) const;
    // An incoming request: its To tag is our local tag, its From tag the remote one.
    bool matchesRequest(const Message &request) const;
    // A response to a request we sent: From tag local, To tag remote.
    bool matchesResponse(const Message &response) const;

    // RFC 3261 12.2.1.1: a new in-dialog request (not ACK, not CANCEL), with the next local CSeq.
    // viaSentBy: "SIP/2.0/UDP host:port"; branch: a fresh z9hG4bK branch. extraHeaders: complete
    // lines ending in CRLF. Contact is added for target-refresh methods.
    QByteArray makeRequest(QByteArrayView method, QByteArrayView viaSentBy, QByteArrayView branch, QByteArrayView extraHeaders = {}, QByteArrayView body = {},
        QByteArrayView contentType = {});
    // RFC 3261 13.2.2.4 / 17.1.1.3: the ACK for a 2xx, a transaction of its own (own branch) but
    // with the INVITE's CSeq number. Does not touch the local CSeq.
    QByteArray makeAck(std::uint32_t inviteCseq, QByteArrayView viaSentBy, QByteArrayView branch, QByteArrayView extraHeaders = {}, QByteArrayView body = {},
        QByteArrayView contentType = {}) const;

    // RFC 3261 12.2.2: an incoming in-dialog request. Rejects an out-of-order CSeq with 500;
    // a target refresh (re-INVITE, UPDATE...) replaces the remote target with its Contact.
    std::expected<void, DialogRejection> receiveRequest(const Message &request);
    // RFC 3261 12.2.1.2 / 13.2.2.4: a response to one of our in-dialog or dialog-creating requests.
    // 2xx to INVITE confirms an early dialog (recomputing the route set for the UAC); a 2xx to a
    // target refresh updates the remote target; 481 and 408 terminate the dialog.
    void receiveResponse(const Message &response);

    void confirm()
    {
        if (m_state == State::Early)
            m_state = State::Confirmed;
    }
    void terminate() { m_state = State::Terminated; }

    static bool isTargetRefresh(QByteArrayView method);

private:
    Dialog() = default;
    QByteArray buildRequest(QByteArrayView method, std::uint32_t cseq, QByteArrayView viaSentBy, QByteArrayView branch, QByteArrayView extraHeaders,
        QByteArrayView body, QByteArrayView contentType) const;
    std::expected<void, Error> takeUacRouteAndTarget(const Message &response);

    State m_state = State::Early;
    bool m_uac = true;
    bool m_secure = false;
    QByteArray m_callId;
    QByteArray m_localTag;
    QByteArray m_remoteTag;
    QByteArray m_localDisplay;
    QByteArray m_remoteDisplay;
    Uri m_localUri;
    Uri m_remoteUri;
    Uri m_remoteTarget;
    QList<QByteArray> m_routeSet;
    QByteArray m_localContact;
    std::uint32_t m_localCseq = 0;
    std::uint32_t m_remoteCseq = 0;
};

} // namespace ds::sip
