#pragma once
// Offer/answer: the RFC 3264 negotiation of one audio stream, as pure functions of SDP values.

#include "crypto_attribute.h"
#include "error.h"
#include "session_description.h"

#include <expected>
#include <optional>

namespace ds::sdp {

// Media security of a call (RFC 4568 SDES keys for RFC 3711 SRTP).
enum class SrtpMode {
    Off, // RTP/AVP, no a=crypto; an RTP/SAVP offer is refused
    Optional, // best effort: RTP/AVP with a=crypto (as baresip's "srtp" and Linphone's optional SRTP); SRTP when the peer keys too
    Mandatory, // RTP/SAVP with a=crypto; only encrypted media is accepted
};
QByteArray srtpModeName(SrtpMode mode); // "off", "optional", "mandatory"
std::optional<SrtpMode> srtpModeFromName(QByteArrayView name);

// The crypto lines to offer for `mode`: none when off, else one per suite with tags 1, 2, ... and fresh keys.
std::expected<QList<CryptoAttribute>, QString> makeOfferCrypto(SrtpMode mode, const QList<CryptoSuite> &suites = offeredCryptoSuites());

// What was agreed for SRTP: our line (the key we send with) and theirs (the key they send with).
struct NegotiatedSrtp {
    CryptoSuite suite = CryptoSuite::AesCm128HmacSha1_80;
    CryptoAttribute local;
    CryptoAttribute remote;
};

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
    SrtpMode srtp = SrtpMode::Off;
    QList<CryptoAttribute> crypto; // makeOffer: the a=crypto lines to offer (makeOfferCrypto), with srtp not Off
    QList<CryptoSuite> cryptoSuites = defaultCryptoSuites(); // answerOffer: the suites we accept
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
    std::optional<NegotiatedSrtp> srtp; // empty: plain RTP
    QString srtpNote; // why SRTP was not used although one side offered it (optional mode), else empty
};

// Codec names makeOffer and answerOffer know: PCMU, PCMA, G722, opus (case-insensitive).
bool isSupportedCodec(QByteArrayView name);

// RFC 3264 5: one audio m= line with our codecs in preference order; RTP/SAVP when SRTP is mandatory, and
// local.crypto as a=crypto lines unless SRTP is off.
SessionDescription makeOffer(const LocalMedia &local);

// RFC 3264 6: accepts the first usable audio stream and rejects every other with port 0. With SRTP (RFC 4568 6.1)
// the first usable a=crypto line is answered with its tag and a key of our own; a stream our SRTP mode cannot
// take (SAVP when off, no usable crypto when mandatory) is rejected, and the 488 error says why.
std::expected<Negotiated, Error> answerOffer(const SessionDescription &offer, const LocalMedia &local);

// RFC 3264 5.2 / 6: checks the answer to our offer and says what was agreed. The SRTP mode is the offer's: an
// RTP/SAVP offer needs an SAVP answer with a crypto line (RFC 4568 7.1.3), an RTP/AVP offer with crypto lines
// takes either, an offer without crypto ignores any in the answer.
std::expected<Negotiated, Error> processAnswer(const SessionDescription &offer, const SessionDescription &answer);

// RFC 3264 8: the same description with o= version + 1 and the direction of every active
// audio stream set to `direction`.
SessionDescription withDirection(const SessionDescription &previous, Direction direction);
// RFC 6337 5.3: hold is sendonly, or inactive when we were not receiving anyway.
SessionDescription holdOffer(const SessionDescription &previous);
SessionDescription resumeOffer(const SessionDescription &previous, Direction direction = Direction::SendRecv);

} // namespace ds::sdp
