#pragma once
// Offer/answer: the RFC 3264 negotiation of one audio stream, as pure functions of SDP values.

#include "error.h"
#include "session_description.h"

#include <expected>
#include <optional>

namespace ds::sdp {

// What we can do locally: the input to makeOffer and answerOffer.
struct LocalMedia {
    QByteArray address; // our RTP address; IP6 when it contains ':'
    int audioPort = 0;
    QByteArray username = "-"; // o= username
    quint64 sessionId = 0;
    quint64 sessionVersion = 0;
    QList<QByteArray> codecs {"PCMU", "PCMA", "opus"}; // preference order; see isSupportedCodec
    bool telephoneEvent = true; // RFC 4733 events at 8000, and at 48000 when opus is offered
    int ptime = 20;
    Direction direction = Direction::SendRecv;
    bool rtcpMux = false; // RFC 5761; offer it / accept it when offered
};

// The outcome of a negotiation for the audio stream, from our point of view.
struct Negotiated {
    SessionDescription answer; // answerOffer only: the SDP to send back
    qsizetype mediaIndex = -1; // the accepted audio m= line
    Codec codec; // the codec to send with: the first one of the answer
    std::optional<int> telephoneEventPayloadType; // RFC 4733, matching the codec's clock rate when possible
    int telephoneEventClockRate = 0; // of that payload type; a rate other than the codec's is unusable in one stream (RFC 4733 2.1)
    QByteArray remoteAddress; // where to send RTP: media-level c= over session-level
    int remotePort = 0;
    int ptime = 20;
    Direction direction = Direction::SendRecv; // ours: sendonly means we send and do not receive
    bool onHold = false; // RFC 3264 8.4, RFC 6337 5.3: a side said sendonly/inactive, or c=0.0.0.0
    bool rtcpMux = false;
};

// Codec names makeOffer and answerOffer know: PCMU, PCMA, G722, opus (case-insensitive).
bool isSupportedCodec(QByteArrayView name);

// RFC 3264 5: one audio m= line with our codecs in preference order.
SessionDescription makeOffer(const LocalMedia &local);

// RFC 3264 6: accepts the first usable audio stream and rejects every other with port 0.
std::expected<Negotiated, Error> answerOffer(const SessionDescription &offer, const LocalMedia &local);

// RFC 3264 5.2 / 6: checks the answer to our offer and says what was agreed.
std::expected<Negotiated, Error> processAnswer(const SessionDescription &offer, const SessionDescription &answer);

// RFC 3264 8: the same description with o= version + 1 and the direction of every active
// audio stream set to `direction`.
SessionDescription withDirection(const SessionDescription &previous, Direction direction);
// RFC 6337 5.3: hold is sendonly, or inactive when we were not receiving anyway.
SessionDescription holdOffer(const SessionDescription &previous);
SessionDescription resumeOffer(const SessionDescription &previous, Direction direction = Direction::SendRecv);

} // namespace ds::sdp
