#pragma once
// CallSummary: the words and figures a call panel shows — state, how a call ended, where the audio
// stops and the offer/answer side by side with what arrives — as pure functions of core values.

#include "media/stream_params.h"
#include "phone/call.h"
#include "sdp/offer_answer.h"
#include "sip/invite_session.h"

#include <QCoreApplication>
#include <QList>
#include <QString>

#include <optional>

namespace ds::ui {

// One row of the negotiation table: what the offer said, what the answer kept, what arrives.
struct NegotiationRow {
    QString item; // "Codec", "Payload type", "ptime"...
    QString offered;
    QString answered;
    QString received; // empty when the wire says nothing about it (yet)
    QString problem; // why the row is highlighted; empty when what arrives fits the negotiation
};

class CallSummary {
    Q_DECLARE_TR_FUNCTIONS(CallSummary)
public:
    // "Dialing", "Ringing", "Early media", "Incoming", "Connecting", "Active", "On hold",
    // "Held by far end", "Ending", "Ended".
    static QString stateText(phone::Call::State state);
    // How a session ended, in words: "busy (486 Busy Here)", "you hung up", "the far end hung up"...
    static QString endText(const sip::SessionEnd &end);
    // "mm:ss", or "h:mm:ss" past an hour.
    static QString durationText(qint64 ms);
    // "12.3 ms", "—" when unknown.
    static QString msText(std::optional<double> ms);

    // Where the audio stops, from the counters of both media paths: each problem in a few words
    // ("no RTP arriving from 192.0.2.1:4000", "microphone silent"...), or one line saying audio
    // flows. connectedMs: time since the answer (problems of silence are said after a grace time).
    static QStringList audioProblems(const media::StreamStats &stats, const std::optional<sdp::Negotiated> &negotiated, qint64 connectedMs, bool soundCard);
    static QString audioPath(const media::StreamStats &stats, const std::optional<sdp::Negotiated> &negotiated, qint64 connectedMs, bool soundCard);

    // The offer and answer side by side (the SDP texts as sent and received), with what the
    // stream measures on the wire; rows whose received value contradicts the negotiation carry
    // a problem. offerIsOurs names the offerer in the column title (see offeredTitle).
    static QList<NegotiationRow> negotiationRows(const QByteArray &offerSdp, const QByteArray &answerSdp, const std::optional<sdp::Negotiated> &negotiated,
        const media::StreamStats &stats, bool offerIsOurs);
    static QString offeredTitle(bool offerIsOurs);
    static QString answeredTitle(bool offerIsOurs);
};

} // namespace ds::ui
