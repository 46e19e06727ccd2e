#include "invite_session.h"

#include "header_values.h"
#include "parser.h"
#include "response_builder.h"

#include <QRandomGenerator>

namespace ds::sip {

namespace {

QByteArray reasonText(QByteArrayView r) { return r.toByteArray(); }

// RFC 3261 12.1.1: a dialog-creating response copies the request's Record-Route values, in order,
// so that the caller keeps the proxies on the dialog's path.
QByteArray recordRouteLines(const Message &request)
{
    QByteArray lines;
    for (const auto &h : request.headers())
        if (h.id == HeaderId::RecordRoute)
            lines += "Record-Route: " + request.value(h).toByteArray() + "\r\n";
    return lines;
}

} // namespace

InviteSession::InviteSession(SessionContext context, Clock &clock, QObject *parent)
    : QObject(parent)
    , m_ctx(std::move(context))
    , m_clock(clock)
{
}

InviteSession::~InviteSession()
{
    if (m_pending2xx && m_pending2xx->timer)
        m_clock.cancel(m_pending2xx->timer);
    if (m_retryTimer)
        m_clock.cancel(m_retryTimer);
}

QByteArray InviteSession::newTag() { return QByteArray::number(QRandomGenerator::global()->generate64(), 16); }

QByteArray InviteSession::commonHeaders() const { return "Allow: " + m_ctx.allow + "\r\nUser-Agent: " + m_ctx.userAgent + "\r\n"; }

QByteArray InviteSession::remoteIdentity() const
{
    if (m_caller)
        return m_to;
    return m_invite.header(HeaderId::From).toByteArray();
}

// ---- caller side -------------------------------------------------------------

bool InviteSession::invite(const QByteArray &requestUri, const QByteArray &from, const QByteArray &to, const QByteArray &sdp, QString *error)
{
    Q_ASSERT(m_state == State::Idle);
    if (!m_ctx.layer) {
        if (error)
            *error = QStringLiteral("the account's SIP stack is not running");
        return false;
    }
    m_caller = true;
    m_callId = newTag() + newTag() + "@dialscope";
    m_localTag = newTag();
    m_requestUri = requestUri;
    m_from = from;
    m_to = to;
    m_sdp = sdp;
    m_cseq = 1;
    m_state = State::Calling;
    sendInvite();
    if (m_state == State::Terminated) {
        if (error)
            *error = QStringLiteral("cannot build the INVITE");
        return false;
    }
    return true;
}

QByteArray InviteSession::buildInvite(const QList<QPair<QByteArray, QByteArray>> &auth)
{
    QByteArray r;
    r.reserve(1200 + m_sdp.size());
    r += "INVITE " + m_requestUri + " SIP/2.0\r\n";
    // RFC 3581: rport, so that responses find us behind a NAT.
    r += "Via: " + m_ctx.viaSentBy() + ";rport;branch=" + TransactionLayer::newBranch() + "\r\n";
    r += "Max-Forwards: 70\r\n";
    if (!m_ctx.outboundRoute.isEmpty())
        r += "Route: " + m_ctx.outboundRoute + "\r\n";
    r += "From: " + m_from + ";tag=" + m_localTag + "\r\n";
    r += "To: " + m_to + "\r\n";
    r += "Call-ID: " + m_callId + "\r\n";
    r += "CSeq: " + QByteArray::number(m_cseq) + " INVITE\r\n";
    r += "Contact: " + m_ctx.contact + "\r\n";
    r += commonHeaders();
    for (const auto &h : auth)
        r += h.first + ": " + h.second + "\r\n";
    if (!m_sdp.isEmpty())
        r += "Content-Type: application/sdp\r\n";
    r += "Content-Length: " + QByteArray::number(m_sdp.size()) + "\r\n\r\n";
    r += m_sdp;
    return r;
}

void InviteSession::sendInvite()
{
    if (layerGone())
        return;
    QList<QPair<QByteArray, QByteArray>> auth;
    if (m_ctx.auth && m_ctx.auth->hasCredentials()) {
        QList<AuthExplanation> explanations;
        auth = m_ctx.auth->authorize("INVITE", m_requestUri, m_sdp, &explanations);
        for (const auto &e : explanations)
            emit authComputed(e);
    }
    QPointer<InviteSession> self(this);
    ClientTransaction::Callbacks cb;
    cb.response = [self](const Message &m) {
        if (self)
            self->onInviteResponse(m);
    };
    cb.timeout = [self] {
        if (!self)
            return;
        if (self->m_state == State::Terminating)
            self->finish({SessionEnd::Cause::LocalCancel, 0, "no final response after CANCEL"});
        else
            self->finish({SessionEnd::Cause::Timeout, 0, "no final response to the INVITE (Timer B)"});
    };
    cb.transportError = [self](const TransportError &e) {
        if (self)
            self->finish({SessionEnd::Cause::TransportError, 0, e.text.toUtf8()});
    };
    QString error;
    ClientTransaction *t = m_ctx.layer->request(buildInvite(auth), m_ctx.firstHop, std::move(cb), &error);
    if (!t) {
        finish({SessionEnd::Cause::TransportError, 0, "cannot build the INVITE: " + error.toUtf8()});
        return;
    }
    m_invite = t->request();
}

void InviteSession::onInviteResponse(const Message &response)
{
    if (m_state == State::Terminated)
        return;
    const int code = response.statusCode();
    if (code == 100) {
        m_gotProvisional = true;
        if (m_cancelWanted)
            sendCancel();
        return;
    }
    if (code < 200) {
        m_gotProvisional = true;
        if (!m_dialog && response.header(HeaderId::To).contains(";tag=")) {
            if (auto d = Dialog::createUac(m_invite, response))
                m_dialog = std::move(*d); // RFC 3261 12.1.2: an early dialog
        }
        if (m_cancelWanted) {
            sendCancel();
            return;
        }
        if (m_state == State::Calling)
            m_state = State::Early;
        emit provisional(code, reasonText(response.reasonPhrase()), response.body().toByteArray());
        return;
    }
    if (code < 300) {
        onInvite2xx(response);
        return;
    }
    if ((code == 401 || code == 407) && m_state != State::Terminating) {
        if (!m_ctx.auth || !m_ctx.auth->hasPassword()) {
            finish({SessionEnd::Cause::AuthFailed, code, "the server asks for credentials but no password was given"});
            return;
        }
        const auto result = m_ctx.auth->onChallenge(response);
        if (result.verdict != Authenticator::Verdict::Answered) {
            finish({SessionEnd::Cause::AuthFailed, code, result.reason.toUtf8()});
            return;
        }
        // RFC 3261 22.2: the same request again, with credentials and the next CSeq.
        ++m_cseq;
        m_dialog.reset();
        m_gotProvisional = false;
        if (m_state == State::Early)
            m_state = State::Calling;
        sendInvite();
        return;
    }
    if (m_state == State::Terminating)
        finish({SessionEnd::Cause::LocalCancel, code, reasonText(response.reasonPhrase())});
    else
        finish({SessionEnd::Cause::Rejected, code, reasonText(response.reasonPhrase())});
}

void InviteSession::onInvite2xx(const Message &response)
{
    if (m_ctx.auth)
        m_ctx.auth->onSuccess();
    const auto to = parseNameAddr(response.header(HeaderId::To));
    const QByteArray toTag = to ? to->tag().toByteArray() : QByteArray();
    if (m_dialog && m_dialog->state() == Dialog::State::Confirmed && m_dialog->remoteTag() != toTag) {
        // RFC 3261 13.2.2.4: a 2xx from another fork. Acknowledge it and end that dialog.
        if (auto other = Dialog::createUac(m_invite, response)) {
            sendAckFor(response, m_cseq, *other);
            const QByteArray bye = other->makeRequest("BYE", m_ctx.viaSentBy() + ";rport", TransactionLayer::newBranch(), commonHeaders());
            m_ctx.layer->request(bye, hopFor(*other), {});
        }
        return;
    }
    if (m_dialog && m_dialog->remoteTag() == toTag) {
        m_dialog->receiveResponse(response);
    } else {
        // No dialog yet, or only an early one with another fork: this 2xx decides the dialog.
        auto d = Dialog::createUac(m_invite, response);
        if (!d) {
            finish({SessionEnd::Cause::Rejected, response.statusCode(), "the 2xx cannot make a dialog: " + d.error().toString().toUtf8()});
            return;
        }
        m_dialog = std::move(*d);
    }
    sendAckFor(response, m_cseq, *m_dialog);
    if (m_state == State::Terminating || m_cancelWanted) {
        // The answer crossed our CANCEL: end the call we no longer want with a BYE (RFC 3261 15).
        m_state = State::Confirmed;
        sendBye();
        return;
    }
    m_state = State::Confirmed;
    emit established(response.body().toByteArray());
}

void InviteSession::sendAckFor(const Message &response, std::uint32_t cseq, Dialog &dialog)
{
    if (layerGone())
        return;
    Q_UNUSED(response);
    // RFC 3261 22.1: the ACK carries the INVITE's credentials.
    QByteArray extra = "User-Agent: " + m_ctx.userAgent + "\r\n";
    for (const auto &h : m_invite.headers())
        if (cseq == m_invite.cseqNumber() && (h.id == HeaderId::ProxyAuthorization || h.id == HeaderId::Authorization))
            extra += m_invite.name(h).toByteArray() + ": " + m_invite.value(h).toByteArray() + "\r\n";
    const QByteArray ack = dialog.makeAck(cseq, m_ctx.viaSentBy() + ";rport", TransactionLayer::newBranch(), extra);
    const Endpoint hop = hopFor(dialog);
    m_ctx.layer->sendStateless(ack, hop);
    if (&dialog == &*m_dialog) {
        m_ack = ack;
        m_ackCseq = cseq;
    }
}

void InviteSession::sendCancel()
{
    if (layerGone())
        return;
    m_cancelWanted = false;
    m_state = State::Terminating;
    // RFC 3261 9.1: Request-URI, Call-ID, From, To, CSeq number and the top Via of the INVITE.
    QByteArray r = "CANCEL " + m_invite.requestUri().toByteArray() + " SIP/2.0\r\n";
    r += "Via: " + m_invite.header(HeaderId::Via).toByteArray() + "\r\n";
    r += "Max-Forwards: 70\r\n";
    for (const auto &h : m_invite.headers())
        if (h.id == HeaderId::Route)
            r += "Route: " + m_invite.value(h).toByteArray() + "\r\n";
    r += "From: " + m_invite.header(HeaderId::From).toByteArray() + "\r\n";
    r += "To: " + m_invite.header(HeaderId::To).toByteArray() + "\r\n";
    r += "Call-ID: " + m_callId + "\r\n";
    r += "CSeq: " + QByteArray::number(m_invite.cseqNumber()) + " CANCEL\r\n";
    r += "User-Agent: " + m_ctx.userAgent + "\r\n";
    r += "Content-Length: 0\r\n\r\n";
    m_ctx.layer->request(r, m_ctx.firstHop, {});
    QPointer<InviteSession> self(this);
    m_retryTimer = m_clock.schedule(m_ctx.layer->timers().timeout(), [self] {
        if (self && self->m_state == State::Terminating)
            self->finish({SessionEnd::Cause::LocalCancel, 0, "no final response 64*T1 after CANCEL"});
    });
}

void InviteSession::sendBye()
{
    m_state = State::Terminating;
    QPointer<InviteSession> self(this);
    sendInDialog("BYE", {}, {}, [self](const Message *r) {
        if (self)
            self->finish({SessionEnd::Cause::LocalBye, r ? r->statusCode() : 0, r ? r->reasonPhrase().toByteArray() : "no answer to BYE"});
    });
}

void InviteSession::sendInDialog(const QByteArray &method, const QByteArray &body, const QByteArray &contentType, std::function<void(const Message *)> done,
    bool authRetry, QList<QPair<QByteArray, QByteArray>> auth)
{
    if (!m_dialog || !m_ctx.layer) {
        done(nullptr);
        return;
    }
    QByteArray extra = commonHeaders();
    for (const auto &h : auth)
        extra += h.first + ": " + h.second + "\r\n";
    const QByteArray bytes = m_dialog->makeRequest(method, m_ctx.viaSentBy() + ";rport", TransactionLayer::newBranch(), extra, body, contentType);
    QPointer<InviteSession> self(this);
    ClientTransaction::Callbacks cb;
    cb.response = [self, method, body, contentType, done, authRetry](const Message &m) {
        if (!self) {
            return;
        }
        if (m.statusCode() < 200)
            return;
        Authenticator *a = self->m_ctx.auth;
        if ((m.statusCode() == 401 || m.statusCode() == 407) && !authRetry && a && a->hasPassword()
            && a->onChallenge(m).verdict == Authenticator::Verdict::Answered) {
            QList<AuthExplanation> explanations;
            const auto creds = a->authorize(method, self->m_dialog->remoteTarget().toString(), body, &explanations);
            for (const auto &e : explanations)
                emit self->authComputed(e);
            self->sendInDialog(method, body, contentType, done, true, creds);
            return;
        }
        if (self->m_dialog)
            self->m_dialog->receiveResponse(m);
        done(&m);
    };
    cb.timeout = [done] { done(nullptr); };
    cb.transportError = [done](const TransportError &) { done(nullptr); };
    if (!m_ctx.layer->request(bytes, hopFor(*m_dialog), std::move(cb)))
        done(nullptr);
}

bool InviteSession::sendInfo(const QByteArray &contentType, const QByteArray &body, std::function<void(int, const QByteArray &)> done)
{
    return sendSimple("INFO", contentType, body, std::move(done));
}

bool InviteSession::sendMessage(const QByteArray &contentType, const QByteArray &body, std::function<void(int, const QByteArray &)> done)
{
    return sendSimple("MESSAGE", contentType, body, std::move(done));
}

bool InviteSession::sendSimple(
    const QByteArray &method, const QByteArray &contentType, const QByteArray &body, std::function<void(int, const QByteArray &)> done)
{
    if (!m_dialog || (m_state != State::Confirmed && m_state != State::Accepted))
        return false;
    sendInDialog(method, body, contentType, [done = std::move(done)](const Message *r) {
        if (r)
            done(r->statusCode(), r->reasonPhrase().toByteArray());
        else
            done(0, "no answer (timeout or transport failure)");
    });
    return true;
}

bool InviteSession::reinvite(const QByteArray &sdp)
{
    if (m_state != State::Confirmed || m_reinvite || m_pending2xx)
        return false;
    m_reinvite = ReInvite {sdp, 0, false};
    QPointer<InviteSession> self(this);
    auto done = [self](const Message *r) {
        if (!self || !self->m_reinvite)
            return;
        const int code = r ? r->statusCode() : 408;
        if (r && code < 300) {
            self->sendAckFor(*r, r->cseqNumber(), *self->m_dialog);
            self->m_reinvite.reset();
            emit self->reinviteFinished(code, r->body().toByteArray());
            return;
        }
        if (code == 491 && self->m_retryTimer == 0) {
            // RFC 3261 14.1: glare. The owner of the Call-ID waits 2.1-4 s, the other 0-2 s.
            const qint64 wait = self->m_caller ? 2100 + QRandomGenerator::global()->bounded(1900) : QRandomGenerator::global()->bounded(2000);
            const QByteArray again = self->m_reinvite->sdp;
            self->m_reinvite.reset();
            self->m_retryTimer = self->m_clock.schedule(wait, [self, again] {
                if (!self)
                    return;
                self->m_retryTimer = 0;
                if (!self->reinvite(again))
                    emit self->reinviteFinished(491, {});
            });
            return;
        }
        self->m_reinvite.reset();
        emit self->reinviteFinished(code, {});
        if (code == 481 || code == 408) // RFC 3261 14.1: the dialog is gone
            self->finish({SessionEnd::Cause::Timeout, code, r ? r->reasonPhrase().toByteArray() : "no answer to re-INVITE"});
    };
    sendInDialog("INVITE", sdp, "application/sdp", done);
    return true;
}

void InviteSession::hangUp()
{
    switch (m_state) {
    case State::Idle:
        finish({SessionEnd::Cause::LocalCancel, 0, "hung up"});
        return;
    case State::Calling:
        // RFC 3261 9.1: CANCEL only after a provisional response.
        if (m_gotProvisional) {
            sendCancel();
            return;
        }
        m_cancelWanted = true;
        m_state = State::Terminating;
        return;
    case State::Early:
        if (m_caller)
            sendCancel();
        else
            reject(603, "Decline");
        return;
    case State::Incoming:
        reject(603, "Decline");
        return;
    case State::Accepted:
        m_cancelWanted = true; // RFC 3261 15: BYE only once the ACK came (or never will)
        return;
    case State::Confirmed:
        sendBye();
        return;
    case State::Terminating:
    case State::Terminated:
        return;
    }
}

// ---- callee side -------------------------------------------------------------

bool InviteSession::receiveInvite(const Message &request, ServerTransaction *transaction)
{
    Q_ASSERT(m_state == State::Idle && transaction);
    m_caller = false;
    m_invite = request;
    m_callId = request.callId().toByteArray();
    m_localTag = newTag();
    m_serverInvite = transaction;
    m_inviteSource = transaction->source();
    m_cseq = request.cseqNumber();
    // RFC 3261 8.2.2.3: we support no extension a caller could require.
    const QList<QByteArrayView> required = request.values(HeaderId::Require);
    if (!required.isEmpty()) {
        QByteArray list;
        for (auto v : required)
            list += (list.isEmpty() ? "" : ", ") + v.toByteArray();
        transaction->respond(makeResponse(request, 420, "Bad Extension", m_localTag, "Unsupported: " + list + "\r\n"), 420);
        m_serverInvite = nullptr;
        m_state = State::Terminated;
        return false;
    }
    auto dialog = Dialog::createUas(request, m_localTag, m_ctx.contact, false);
    if (!dialog) {
        transaction->respond(
            makeResponse(request, 400, "Bad Request", m_localTag, "Warning: 399 dialscope \"" + dialog.error().toString().toUtf8() + "\"\r\n"), 400);
        m_serverInvite = nullptr;
        m_state = State::Terminated;
        return false;
    }
    m_dialog = std::move(*dialog);
    // RFC 3261 17.2.1: 100 Trying at once, so the caller's Timer A stops.
    transaction->respond(makeResponse(request, 100, "Trying", {}), 100);
    m_state = State::Incoming;
    return true;
}

void InviteSession::ring(const QByteArray &earlySdp)
{
    if (m_caller || !m_serverInvite || (m_state != State::Incoming && m_state != State::Early))
        return;
    const QByteArray headers = recordRouteLines(m_invite) + "Contact: " + m_ctx.contact + "\r\n" + commonHeaders();
    if (earlySdp.isEmpty())
        m_serverInvite->respond(makeResponse(m_invite, 180, "Ringing", m_localTag, headers), 180);
    else
        m_serverInvite->respond(makeResponse(m_invite, 183, "Session Progress", m_localTag, headers, "application/sdp", earlySdp), 183);
    m_state = State::Early;
}

void InviteSession::accept(const QByteArray &sdp)
{
    if (m_caller || !m_serverInvite || (m_state != State::Incoming && m_state != State::Early))
        return;
    respond2xx(m_invite, m_serverInvite, sdp, m_invite.body().isEmpty());
    m_serverInvite = nullptr; // the 2xx ended it (RFC 3261 17.2.1)
    m_dialog->confirm();
    m_state = State::Accepted;
}

void InviteSession::reject(int status, const QByteArray &reason)
{
    if (m_caller || !m_serverInvite)
        return;
    m_serverInvite->respond(makeResponse(m_invite, status, reason, m_localTag, commonHeaders()), status);
    m_serverInvite = nullptr;
    finish({SessionEnd::Cause::Declined, status, reason});
}

void InviteSession::respond2xx(const Message &request, ServerTransaction *transaction, const QByteArray &body, bool offer)
{
    if (layerGone())
        return;
    const QByteArray bytes = makeResponse(request, 200, "OK", m_localTag, recordRouteLines(request) + "Contact: " + m_ctx.contact + "\r\n" + commonHeaders(),
        body.isEmpty() ? QByteArrayView() : QByteArrayView("application/sdp"), body);
    const Endpoint to = transaction ? transaction->source() : m_inviteSource;
    if (transaction)
        transaction->respond(bytes, 200);
    else
        m_ctx.layer->sendStateless(bytes, to);
    if (request.cseqNumber() == m_cseq)
        m_last2xx = bytes;
    if (m_pending2xx && m_pending2xx->timer)
        m_clock.cancel(m_pending2xx->timer);
    const qint64 t1 = m_ctx.layer->timers().t1;
    m_pending2xx = Pending2xx {bytes, to, request.cseqNumber(), t1, 0, 0, offer};
    m_pending2xx->timer = m_clock.schedule(t1, [this] { retransmit2xx(); });
}

void InviteSession::retransmit2xx()
{
    if (!m_pending2xx)
        return;
    m_pending2xx->timer = 0;
    if (layerGone())
        return;
    Pending2xx &p = *m_pending2xx;
    p.elapsed += p.interval;
    const TimerConfig timers = m_ctx.layer->timers();
    if (p.elapsed >= timers.timeout()) {
        // RFC 3261 13.3.1.4: no ACK within 64*T1 — confirm and end the session with a BYE.
        const bool initial = m_state == State::Accepted;
        m_pending2xx.reset();
        if (initial) {
            m_state = State::Confirmed;
            sendInDialog("BYE", {}, {}, [](const Message *) {});
            finish({SessionEnd::Cause::Timeout, 0, "the caller never acknowledged our 200 OK (no ACK within 64*T1)"});
        }
        return;
    }
    if (!m_ctx.layer->transport().reliable())
        m_ctx.layer->sendStateless(p.bytes, p.to);
    p.interval = std::min<qint64>({p.interval * 2, timers.t2, timers.timeout() - p.elapsed});
    p.timer = m_clock.schedule(p.interval, [this] { retransmit2xx(); });
}

void InviteSession::onAck(const Message &ack)
{
    if (!m_pending2xx || ack.cseqNumber() != m_pending2xx->cseq)
        return; // a retransmitted ACK, or one for a non-2xx (absorbed by the transaction)
    if (m_pending2xx->timer)
        m_clock.cancel(m_pending2xx->timer);
    m_pending2xx.reset();
    if (m_state == State::Accepted) {
        m_state = State::Confirmed;
        emit established(ack.body().toByteArray());
        if (m_cancelWanted) {
            m_cancelWanted = false;
            sendBye();
        }
        return;
    }
    emit remoteReinviteAcked(ack.body().toByteArray());
}

void InviteSession::onCancel(const Message &cancel, ServerTransaction *transaction)
{
    if (!transaction)
        return;
    if (!m_serverInvite || (m_state != State::Incoming && m_state != State::Early)) {
        // RFC 3261 9.2: the INVITE was already answered; the CANCEL has nothing to cancel.
        transaction->respond(makeResponse(cancel, 481, "Call/Transaction Does Not Exist", m_localTag), 481);
        return;
    }
    transaction->respond(makeResponse(cancel, 200, "OK", m_localTag), 200);
    m_serverInvite->respond(makeResponse(m_invite, 487, "Request Terminated", m_localTag), 487);
    m_serverInvite = nullptr;
    finish({SessionEnd::Cause::RemoteCancel, 487, "the caller cancelled"});
}

void InviteSession::onReinvite(const Message &request, ServerTransaction *transaction)
{
    if (!transaction)
        return;
    if (m_reinvite) {
        transaction->respond(makeResponse(request, 491, "Request Pending", m_localTag), 491); // RFC 3261 14.2
        return;
    }
    if (m_pending2xx && m_pending2xx->cseq == request.cseqNumber()) {
        transaction->respond(m_pending2xx->bytes, 200);
        return;
    }
    if (m_pending2xx) {
        transaction->respond(makeResponse(request, 500, "Server Internal Error", m_localTag, "Retry-After: 1\r\n"), 500);
        return;
    }
    if (request.cseqNumber() == m_lastReinviteCseq && !m_lastReinvite2xx.isEmpty()) {
        transaction->respond(m_lastReinvite2xx, 200); // a retransmission that crossed our ACKed 200
        return;
    }
    const Dialog before = *m_dialog;
    if (auto ok = m_dialog->receiveRequest(request); !ok) {
        transaction->respond(makeResponse(request, ok.error().status, ok.error().reason, m_localTag), ok.error().status);
        return;
    }
    const QByteArray offer = request.body().toByteArray();
    auto answer = onRemoteOffer ? onRemoteOffer(offer) : std::expected<QByteArray, int>(std::unexpected(488));
    if (!answer) {
        *m_dialog = before; // RFC 6141: a target refresh takes effect only when it succeeds
        const int status = answer.error();
        transaction->respond(
            makeResponse(request, status, status == 488 ? "Not Acceptable Here" : "Server Internal Error", m_localTag, commonHeaders()), status);
        return;
    }
    respond2xx(request, transaction, *answer, offer.isEmpty());
    m_lastReinviteCseq = request.cseqNumber();
    m_lastReinvite2xx = m_pending2xx->bytes;
}

// ---- routing -------------------------------------------------------------

bool InviteSession::matchesRequest(const Message &request) const
{
    if (m_state == State::Idle || request.callId() != m_callId)
        return false;
    const QByteArrayView method = request.method();
    if (method == "CANCEL")
        return !m_caller && request.topViaBranch() == m_invite.topViaBranch();
    if (m_dialog && m_dialog->matchesRequest(request))
        return true;
    // The initial INVITE again (our 2xx crossed it), or the ACK for our first 2xx.
    if (!m_caller && (method == "INVITE" || method == "ACK")) {
        auto to = parseNameAddr(request.header(HeaderId::To));
        auto from = parseNameAddr(request.header(HeaderId::From));
        auto ourFrom = parseNameAddr(m_invite.header(HeaderId::From));
        const bool sameCaller = from && ourFrom && from->tag() == ourFrom->tag();
        return sameCaller && to && (to->tag().isEmpty() || to->tag() == m_localTag);
    }
    return false;
}

bool InviteSession::matchesResponse(const Message &response) const { return m_state != State::Idle && response.callId() == m_callId; }

void InviteSession::receiveStrayResponse(const Message &response)
{
    if (!m_ctx.layer)
        return;
    if (response.statusCode() >= 200 && response.statusCode() < 300 && response.cseqMethod() == "INVITE" && m_dialog && m_caller) {
        auto to = parseNameAddr(response.header(HeaderId::To));
        if (to && to->tag() != m_dialog->remoteTag()) {
            if (auto other = Dialog::createUac(m_invite, response)) {
                sendAckFor(response, m_cseq, *other);
                m_ctx.layer->request(
                    other->makeRequest("BYE", m_ctx.viaSentBy() + ";rport", TransactionLayer::newBranch(), commonHeaders()), hopFor(*other), {});
            }
            return;
        }
    }
    // RFC 3261 13.2.2.4: a retransmitted 2xx gets the same ACK again.
    if (response.statusCode() >= 200 && response.statusCode() < 300 && response.cseqMethod() == "INVITE" && response.cseqNumber() == m_ackCseq
        && !m_ack.isEmpty() && m_dialog)
        m_ctx.layer->sendStateless(m_ack, hopFor(*m_dialog));
}

void InviteSession::receiveRequest(const Message &request, ServerTransaction *transaction)
{
    const QByteArrayView method = request.method();
    if (method == "ACK") {
        onAck(request);
        return;
    }
    if (!transaction)
        return;
    if (method == "CANCEL") {
        onCancel(request, transaction);
        return;
    }
    if (method == "INVITE") {
        auto to = parseNameAddr(request.header(HeaderId::To));
        if (to && to->tag().isEmpty()) {
            // The initial INVITE retransmitted after our 2xx ended its transaction.
            if (!m_last2xx.isEmpty())
                transaction->respond(m_last2xx, 200);
            return;
        }
        onReinvite(request, transaction);
        return;
    }
    if (!m_dialog) {
        transaction->respond(makeResponse(request, 481, "Call/Transaction Does Not Exist", m_localTag), 481);
        return;
    }
    if (method != "BYE" && method != "INFO" && method != "OPTIONS" && method != "NOTIFY" && method != "MESSAGE") {
        // RFC 3261 8.2.1: a method we know of but do not allow in a call; refused before the dialog
        // sees it, so a refused target refresh (UPDATE) changes nothing.
        transaction->respond(makeResponse(request, 405, "Method Not Allowed", m_localTag, commonHeaders()), 405);
        return;
    }
    if (auto ok = m_dialog->receiveRequest(request); !ok) {
        transaction->respond(makeResponse(request, ok.error().status, ok.error().reason, m_localTag), ok.error().status);
        return;
    }
    if (method == "BYE") {
        transaction->respond(makeResponse(request, 200, "OK", m_localTag, commonHeaders()), 200);
        if (m_serverInvite) {
            m_serverInvite->respond(makeResponse(m_invite, 487, "Request Terminated", m_localTag), 487);
            m_serverInvite = nullptr;
        }
        finish({SessionEnd::Cause::RemoteBye, 0, "the far end hung up"});
        return;
    }
    if (method == "INFO" && !request.header("Info-Package").isEmpty()) {
        // RFC 6086 4.2.2: an INFO for an Info Package we never said we receive (no Recv-Info) gets
        // 469, with our (empty) Recv-Info. Legacy INFO without the header is what DTMF relay uses.
        transaction->respond(makeResponse(request, 469, "Bad Info Package", m_localTag, commonHeaders() + "Recv-Info:\r\n"), 469);
        return;
    }
    if (method == "INFO") {
        const QByteArray type = request.header(HeaderId::ContentType).toByteArray();
        const QByteArray body = request.body().toByteArray();
        const InfoAnswer a = onInfo ? onInfo(type, body) : InfoAnswer {};
        transaction->respond(makeResponse(request, a.status, a.reason, m_localTag, commonHeaders() + a.headers), a.status);
        if (a.status < 300)
            emit infoReceived(type, body);
        return;
    }
    if (method == "MESSAGE") {
        // RFC 3428 7: a UAS that takes a MESSAGE answers 200; the content is for the user.
        const QByteArray type = request.header(HeaderId::ContentType).toByteArray();
        const QByteArray body = request.body().toByteArray();
        transaction->respond(makeResponse(request, 200, "OK", m_localTag, commonHeaders()), 200);
        emit messageReceived(type, body);
        return;
    }
    // OPTIONS and NOTIFY in the dialog.
    transaction->respond(makeResponse(request, 200, "OK", m_localTag, commonHeaders() + "Accept: application/sdp\r\n"), 200);
}

Endpoint InviteSession::hopFor(const Dialog &dialog) const
{
    // RFC 3261 12.2.1.1 / 8.1.2: the first route when there is a route set, else the remote target.
    if (!dialog.routeSet().isEmpty()) {
        if (auto route = parseNameAddr(dialog.routeSet().first()))
            return m_ctx.nextHop(route->uri);
    }
    return m_ctx.nextHop(dialog.remoteTarget());
}

void InviteSession::abandon(const QByteArray &reason)
{
    m_serverInvite = nullptr; // owned by the layer that is gone
    m_ctx.layer = nullptr;
    finish({SessionEnd::Cause::TransportError, 0, reason});
}

bool InviteSession::layerGone()
{
    if (m_ctx.layer)
        return false;
    m_serverInvite = nullptr;
    finish({SessionEnd::Cause::TransportError, 0, "the connection to the server is gone"});
    return true;
}

void InviteSession::finish(SessionEnd end)
{
    if (m_state == State::Terminated)
        return;
    if (m_pending2xx && m_pending2xx->timer)
        m_clock.cancel(m_pending2xx->timer);
    m_pending2xx.reset();
    if (m_retryTimer)
        m_clock.cancel(m_retryTimer);
    m_retryTimer = 0;
    m_state = State::Terminated;
    if (m_dialog)
        m_dialog->terminate();
    emit terminated(end);
}

} // namespace ds::sip
