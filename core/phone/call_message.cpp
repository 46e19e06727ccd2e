// Call's MESSAGEs (RFC 3428) in its dialog: sending them one at a time, receiving them, and reading
// the DTMF reports among them (what the far end says it detected of our digits).

#include "call.h"

#include "dtmf/dtmf_report.h"

namespace ds::phone {

void Call::connectMessages() { connect(m_session, &sip::InviteSession::messageReceived, this, &Call::onMessage); }

std::expected<void, QString> Call::sendMessage(const QByteArray &contentType, const QByteArray &body, std::function<void(int, const QByteArray &)> done)
{
    const sip::InviteSession::State s = m_session->state();
    if (m_state == State::Ended || m_state == State::Ending || (s != sip::InviteSession::State::Confirmed && s != sip::InviteSession::State::Accepted))
        return std::unexpected(tr("a MESSAGE needs an answered call"));
    if (body.size() > kMaxMessageBytes)
        return std::unexpected(tr("a MESSAGE body of %1 bytes is more than the %2 that fit a datagram").arg(body.size()).arg(kMaxMessageBytes));
    if (m_messageQueue.size() >= kMaxMessageQueue)
        return std::unexpected(tr("%1 MESSAGEs are still waiting to go").arg(m_messageQueue.size()));
    m_messageQueue.append({contentType, body, std::move(done)});
    if (!m_messageBusy)
        sendNextMessage();
    return {};
}

void Call::sendNextMessage()
{
    m_messageBusy = false;
    while (!m_messageQueue.isEmpty()) {
        OutgoingMessage m = m_messageQueue.takeFirst();
        QPointer<Call> self(this);
        auto done = m.done;
        // One at a time: in a dialog, a later CSeq overtaking an earlier one over UDP gets a 500.
        m_messageBusy = m_session->sendMessage(m.contentType, m.body, [self, done](int status, const QByteArray &reason) {
            if (done)
                done(status, reason);
            if (self) // queued: done may come before sendMessage() returns (no transport)
                QMetaObject::invokeMethod(self, &Call::sendNextMessage, Qt::QueuedConnection);
        });
        if (m_messageBusy)
            return;
        if (done)
            done(0, "the dialog is no longer established");
    }
}

void Call::onMessage(const QByteArray &contentType, const QByteArray &body)
{
    emit messageReceived(contentType, body);
    if (!dtmf::isReportContentType(contentType))
        return;
    auto report = dtmf::parseReport(body);
    if (!report)
        return; // any other text: a message for the user, not a report
    for (dtmf::DigitEvent e : *report) {
        e.atMs = mediaMs();
        emit farEndDtmf(e);
    }
}

} // namespace ds::phone
