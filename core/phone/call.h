#pragma once
// Call: one phone call as a person sees it — an INVITE session, the SDP negotiated over it and the
// RTP media it drives; answer, reject, hold, mute, hang up; state, codec and live quality.

#include "call_settings.h"

#include "dtmf/analyzer.h"

#include "media/media_session.h"
#include "media/stream_params.h"
#include "sdp/offer_answer.h"
#include "sip/invite_session.h"

#include <QDateTime>
#include <QElapsedTimer>
#include <QObject>
#include <QStringList>

#include <functional>
#include <memory>

namespace ds::media {
class MediaEngine;
}

namespace ds::phone {

// How a call ended, as the `call` command's result reports it (ARCHITECTURE.md).
enum class CallOutcome { Answered, Busy, Rejected, NoAnswer, Failed };
QString callOutcomeName(CallOutcome o);

class Call final : public QObject {
    Q_OBJECT
public:
    enum class State {
        Dialing, // INVITE sent
        Ringing, // the far end rings (180), ringback plays locally
        EarlyMedia, // 183 with SDP: the far end's audio before the answer
        Incoming, // ringing here
        Connecting, // answered, waiting for the ACK
        Active,
        Held, // on hold by us, or by both
        RemoteHeld, // the far end put us on hold
        Ending,
        Ended,
    };
    Q_ENUM(State)
    enum class Direction { Outgoing, Incoming };

    // Outgoing: the session is already set up by CallCenter; start() sends the INVITE.
    Call(Direction direction, sip::InviteSession *session, media::MediaEngine &media, CallSettings settings, QObject *parent = nullptr);
    ~Call() override;

    // Outgoing: opens the media ports and sends the INVITE with our offer.
    std::expected<void, QString> dial(const QByteArray &requestUri, const QByteArray &from, const QByteArray &to, const QHostAddress &mediaAddress);
    // Incoming: takes the INVITE (already accepted by the session), negotiates its offer and
    // rings (or answers, with auto-answer). A 488 or 420 has been sent when it returns an error.
    std::expected<void, QString> receive(const sip::Message &invite, const QHostAddress &mediaAddress);

    void answer();
    void reject(int status = 486);
    void hangUp();
    void setHold(bool hold);
    void setMuted(bool muted);
    // Sends DTMF digits (0-9 * # A-D, ',' a pause) in `mode`, or settings().dtmf.mode. Auto is RFC 4733
    // when telephone-event was negotiated, else in-band. Returns the mode used, or why nothing is sent
    // (the call is not up, RFC 4733 without telephone-event, no valid digit). See call_dtmf.cpp.
    std::expected<dtmf::Mode, QString> sendDtmf(const QString &digits, std::optional<DtmfMode> mode = std::nullopt);
    bool dtmfSending() const { return m_dtmfMediaBusy || m_infoBusy || !m_infoQueue.isEmpty(); }
    const dtmf::Analyzer &dtmfAnalyzer() const { return m_dtmf; }
    // RFC 3428: a MESSAGE in the call's dialog (a DTMF report...). Queued: one at a time, the next after
    // the final response of the one before. done() gets the final status, or 0 with the reason when
    // nothing answered or the dialog went first. An error (done not called) when the call is not
    // answered, the body is too large or kMaxMessageQueue wait already. See call_message.cpp.
    static constexpr qsizetype kMaxMessageQueue = 256;
    static constexpr qsizetype kMaxMessageBytes = 1300; // RFC 3428 7: over UDP, unless congestion controlled
    std::expected<void, QString> sendMessage(
        const QByteArray &contentType, const QByteArray &body, std::function<void(int status, const QByteArray &reason)> done = {});
    // Spectrogram columns of the received audio, for a DTMF panel (off by default: it costs CPU).
    void setSpectrogramEnabled(bool on);

    QString id() const { return m_id; }
    Direction direction() const { return m_direction; }
    State state() const { return m_state; }
    bool isLive() const { return m_state != State::Ended; }
    QString remoteParty() const; // "Alice <sip:alice@example.com>"
    QString codec() const; // "PCMU/8000", empty before the answer
    const std::optional<sdp::Negotiated> &negotiation() const { return m_negotiated; }
    // SRTP: the suite protecting the media ("AES_CM_128_HMAC_SHA1_80"), empty for plain RTP.
    QString srtpSuite() const;
    // The last SRTP diagnosis (mandatory SRTP refused, keys crossed an unencrypted transport...), else empty.
    QString srtpFinding() const { return m_srtpFinding; }
    // The signalling transport of this call's first hop ("UDP", "TCP", "TLS"), from its INVITE's top Via.
    QByteArray signallingTransport() const;
    const QByteArray &localSdp() const { return m_localSdpText; }
    const QByteArray &remoteSdp() const { return m_remoteSdpText; }
    const media::StreamStats &stats() const { return m_stats; }
    bool muted() const { return m_muted; }
    const sip::SessionEnd &end() const { return m_end; }
    CallOutcome outcome() const;
    // RFC 6076: post-dial delay (INVITE to first ringing/answer) and call duration, ms; -1 unknown.
    qint64 postDialDelayMs() const { return m_pddMs; }
    qint64 connectedMs() const { return m_connected.isValid() ? m_connected.elapsed() : 0; }
    QDateTime startTime() const { return m_startTime; }
    sip::InviteSession *session() const { return m_session; }
    media::MediaSession *mediaSession() const { return m_media; }
    const CallSettings &settings() const { return m_settings; }
    // The WAV files of both directions (AudioSettings::recordBothTo), once media started.
    QStringList recordings() const { return m_recordings; }

signals:
    void stateChanged(ds::phone::Call::State state);
    void negotiated(); // codec and addresses known (or changed by a re-INVITE)
    void statsUpdated(const ds::media::StreamStats &stats);
    // A diagnosis in plain words: one-way audio, RTP from an unexpected address, no codec...
    void finding(const QString &severity, const QString &text);
    // A DTMF digit sent (dir Out) or received (dir In) in any mode; the analyzer has it already.
    void dtmf(const ds::dtmf::DigitEvent &event);
    void dtmfFinding(const ds::dtmf::Finding &finding); // the analyzer's; not repeated as finding()
    void dtmfSent(); // every digit given to sendDtmf() has gone (each INFO answered)
    void spectrum(const QByteArray &columns, qint64 firstColumnMs);
    // An in-dialog MESSAGE from the far end (answered 200 already).
    void messageReceived(const QByteArray &contentType, const QByteArray &body);
    // A digit the far end says it detected (a DTMF report in a MESSAGE, dtmf_report.h): ours, as
    // heard there (dir Out, the mode and duration it detected; atMs: when the report came).
    void farEndDtmf(const ds::dtmf::DigitEvent &event);
    void ended(const ds::sip::SessionEnd &end);

private:
    std::expected<void, QString> openMedia(const QHostAddress &address);
    sdp::LocalMedia localMedia() const;
    void setState(State s);
    void onProvisional(int status, const QByteArray &reason, const QByteArray &body);
    void onEstablished(const QByteArray &body);
    void onReinviteFinished(int status, const QByteArray &body);
    std::expected<QByteArray, int> onRemoteOffer(const QByteArray &offer);
    bool takeAnswer(const QByteArray &answerText); // our offer answered
    void startMedia(bool sending);
    void startRingback();
    void stopMedia();
    void onStats(const media::StreamStats &stats);
    void onEnded(const sip::SessionEnd &end);
    void diagnose();
    void noteSrtp(); // findings about the negotiated media security, each said once
    void srtpFinding(const QString &severity, const QString &text);
    std::expected<void, QString> prepareOfferCrypto();
    // DTMF (call_dtmf.cpp).
    void connectDtmf();
    void noteDtmfNegotiation();
    void onDtmf(const dtmf::DigitEvent &event);
    void publishDtmfFindings();
    void sendNextInfo();
    sip::InviteSession::InfoAnswer onInfo(const QByteArray &contentType, const QByteArray &body);
    // MESSAGE (call_message.cpp).
    void connectMessages();
    void onMessage(const QByteArray &contentType, const QByteArray &body);
    void sendNextMessage();
    // RFC 4733 2.1: events share the audio's timestamps, so only a telephone-event at the codec's rate works.
    bool telephoneEventUsable() const;
    std::int64_t mediaMs() const { return m_mediaClock.isValid() ? m_mediaClock.elapsed() : 0; }

    QString m_id;
    Direction m_direction;
    sip::InviteSession *m_session; // child
    media::MediaEngine &m_engine;
    media::MediaSession *m_media = nullptr; // child
    QString recordingPrefix() const;
    CallSettings m_settings;
    QStringList m_recordings;
    State m_state = State::Dialing;
    bool m_muted = false;
    bool m_holdWanted = false;
    bool m_mediaStarted = false;
    bool m_ringback = false; // the stream plays ringback until the answer
    sdp::SessionDescription m_localSdp; // our latest offer or answer
    std::optional<sdp::SessionDescription> m_previousLocalSdp; // before our pending re-INVITE
    std::optional<sdp::SessionDescription> m_remoteOffer; // incoming: the offer to answer
    QByteArray m_localSdpText, m_remoteSdpText;
    std::optional<sdp::Negotiated> m_negotiated;
    media::StreamStats m_stats;
    sip::SessionEnd m_end;
    QDateTime m_startTime;
    QElapsedTimer m_sinceStart;
    QElapsedTimer m_connected;
    qint64 m_pddMs = -1;
    int m_finalStatus = 0;
    QHostAddress m_mediaAddress;
    // One-way-audio diagnosis: each finding said once.
    bool m_saidNoRtp = false, m_saidUnexpected = false, m_saidSilentMic = false, m_saidDecode = false;
    bool m_saidUnknownPt = false, m_saidPtime = false;
    // DTMF.
    dtmf::Analyzer m_dtmf;
    QElapsedTimer m_mediaClock; // the stream's time base: DigitEvent::atMs of every mode
    bool m_dtmfMediaBusy = false;
    bool m_spectrogram = false; // wanted; applied to the media session when it opens
    QByteArray m_infoQueue; // digits and ',' waiting to go as INFO, one request at a time
    bool m_infoBusy = false; // an INFO in flight, or the gap after it
    DtmfSettings m_infoSettings; // of the sequence being sent as INFO
    quint64 m_dtmfBatch = 0; // the latest sequence handed to the stream; its drained report ends the wait
    bool m_saidEventRate = false;
    bool m_offerWasOurs = false; // of the offer/answer in force: who offered (for "telephone-event offered")
    // MESSAGE.
    struct OutgoingMessage {
        QByteArray contentType {};
        QByteArray body {};
        std::function<void(int, const QByteArray &)> done {};
    };
    QList<OutgoingMessage> m_messageQueue; // waiting; the one in flight is not in it
    bool m_messageBusy = false;
    // SRTP.
    QList<sdp::CryptoAttribute> m_offerCrypto; // the a=crypto lines of our offers (their keys are secrets)
    QString m_srtpFinding;
    bool m_saidKeysInClear = false, m_saidSrtpNote = false, m_saidAuthFailures = false, m_saidIgnored = false, m_saidLatched = false;
};

} // namespace ds::phone
