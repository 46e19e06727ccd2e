#include "call.h"

#include "audio_ports.h"

#include "media/media_engine.h"
#include "media/ringback_port.h"
#include "sip/header_values.h"
#include "sip/message.h"

#include <QRandomGenerator>
#include <QTimer>

#include <cmath>

namespace ds::phone {

QString callOutcomeName(CallOutcome o)
{
    switch (o) {
    case CallOutcome::Answered:
        return QStringLiteral("answered");
    case CallOutcome::Busy:
        return QStringLiteral("busy");
    case CallOutcome::Rejected:
        return QStringLiteral("rejected");
    case CallOutcome::NoAnswer:
        return QStringLiteral("no-answer");
    case CallOutcome::Failed:
        return QStringLiteral("failed");
    }
    return {};
}

Call::Call(Direction direction, sip::InviteSession *session, media::MediaEngine &media, CallSettings settings, QObject *parent)
    : QObject(parent)
    , m_id(QString::number(QRandomGenerator::global()->generate64(), 16))
    , m_direction(direction)
    , m_session(session)
    , m_engine(media)
    , m_settings(std::move(settings))
    , m_state(direction == Direction::Outgoing ? State::Dialing : State::Incoming)
    , m_startTime(QDateTime::currentDateTime())
{
    m_session->setParent(this);
    m_sinceStart.start();
    connect(m_session, &sip::InviteSession::provisional, this, &Call::onProvisional);
    connect(m_session, &sip::InviteSession::established, this, &Call::onEstablished);
    connect(m_session, &sip::InviteSession::reinviteFinished, this, &Call::onReinviteFinished);
    connect(m_session, &sip::InviteSession::terminated, this, &Call::onEnded);
    connect(m_session, &sip::InviteSession::remoteReinviteAcked, this, [this](const QByteArray &body) {
        if (!body.isEmpty()) // we offered in the 200 of their re-INVITE; this is the answer
            takeAnswer(body);
    });
    m_session->onRemoteOffer = [this](const QByteArray &offer) { return onRemoteOffer(offer); };
    m_session->onInfo = [this](const QByteArray &type, const QByteArray &body) { return onInfo(type, body); };
    connectMessages();
}

Call::~Call() { stopMedia(); }

QString Call::remoteParty() const
{
    const QByteArray identity = m_session->remoteIdentity();
    auto na = sip::parseNameAddr(identity);
    if (!na)
        return QString::fromUtf8(identity);
    const QString uri = QString::fromUtf8(na->uri.toString());
    return na->displayName.isEmpty() ? uri : QStringLiteral("%1 <%2>").arg(QString::fromUtf8(na->displayName), uri);
}

QString Call::codec() const { return m_negotiated ? QString::fromLatin1(m_negotiated->codec.toString()) : QString(); }

CallOutcome Call::outcome() const
{
    if (m_connected.isValid())
        return CallOutcome::Answered;
    const int s = m_end.status;
    if (s == 486 || s == 600)
        return CallOutcome::Busy;
    if (s == 480 || s == 408 || s == 487 || m_end.cause == sip::SessionEnd::Cause::LocalCancel)
        return CallOutcome::NoAnswer;
    if (s == 603 || s == 403 || s == 404 || s == 488 || s == 606 || s == 484 || s == 410)
        return CallOutcome::Rejected;
    return CallOutcome::Failed;
}

void Call::setState(State s)
{
    if (m_state == s)
        return;
    m_state = s;
    emit stateChanged(s);
}

sdp::LocalMedia Call::localMedia() const
{
    sdp::LocalMedia l;
    l.address = m_mediaAddress.toString().toLatin1();
    l.audioPort = m_media ? m_media->localPort() : 0;
    l.username = "dialscope";
    l.sessionId = quint64(QDateTime::currentSecsSinceEpoch());
    l.sessionVersion = l.sessionId;
    l.codecs = m_settings.codecs;
    l.telephoneEvent = m_settings.telephoneEvent;
    l.srtp = m_settings.srtp;
    l.crypto = m_offerCrypto;
    return l;
}

std::expected<void, QString> Call::prepareOfferCrypto()
{
    auto crypto = sdp::makeOfferCrypto(m_settings.srtp);
    if (!crypto)
        return std::unexpected(crypto.error());
    m_offerCrypto = std::move(*crypto);
    return {};
}

std::expected<void, QString> Call::openMedia(const QHostAddress &address)
{
    m_mediaAddress = address;
    auto session = m_engine.openSession(address, m_settings.rtpPortMin, m_settings.rtpPortMax, this);
    if (!session)
        return std::unexpected(session.error());
    m_media = *session;
    connect(m_media, &media::MediaSession::statsUpdated, this, &Call::onStats);
    connectDtmf();
    return {};
}

// ---- outgoing ----------------------------------------------------------------

std::expected<void, QString> Call::dial(const QByteArray &requestUri, const QByteArray &from, const QByteArray &to, const QHostAddress &mediaAddress)
{
    if (auto ok = openMedia(mediaAddress); !ok)
        return ok;
    if (auto ok = prepareOfferCrypto(); !ok)
        return ok;
    m_localSdp = sdp::makeOffer(localMedia());
    m_localSdpText = m_localSdp.toBytes();
    QString error;
    if (!m_session->invite(requestUri, from, to, m_localSdpText, &error))
        return std::unexpected(error);
    return {};
}

void Call::onProvisional(int status, const QByteArray &, const QByteArray &body)
{
    if (m_state == State::Ending || m_state == State::Ended)
        return; // crossed our CANCEL: no early media for a call we hung up
    if (m_pddMs < 0 && (status == 180 || status == 183))
        m_pddMs = m_sinceStart.elapsed(); // RFC 6076 4.1: INVITE to the first ringing indication
    if (!body.isEmpty() && takeAnswer(body)) {
        setState(State::EarlyMedia); // RFC 3261 13.2.1: early media from the 183's answer
        return;
    }
    if (m_state == State::Dialing) {
        setState(State::Ringing);
        if (status == 180)
            startRingback();
    }
}

void Call::startRingback()
{
    // RFC 3261 13.2.1 leaves the ringing indication to us: play ringback locally until the answer
    // (or early media) takes over. The stream runs with PCMU timing, sending nothing.
    if (!m_media || m_mediaStarted)
        return;
    constexpr int rate = 8000;
    AudioSettings ringback = m_settings.audio;
    ringback.recordBothTo.clear(); // the local ringback is not what the far end sent
    auto ports = makeAudioPorts(ringback, rate);
    if (!ports || !ports->sink)
        return;
    media::StreamParams p;
    p.codec = "PCMU";
    p.payloadType = 0;
    p.clockRate = rate;
    p.send = false;
    p.receive = false;
    m_media->setPorts(ports->source, ports->sink);
    m_media->start(p);
    m_media->setLocalTone(std::make_shared<media::RingbackPort>(rate));
    m_mediaStarted = true;
    m_ringback = true;
}

bool Call::takeAnswer(const QByteArray &answerText)
{
    auto answer = sdp::SessionDescription::parse(answerText);
    if (!answer) {
        emit finding(QStringLiteral("error"), tr("the far end's SDP answer is malformed (%1); no audio").arg(answer.error().toString()));
        return false;
    }
    auto n = sdp::processAnswer(m_localSdp, *answer);
    if (n && !n->srtp && m_settings.srtp == sdp::SrtpMode::Mandatory) // e.g. our re-offer from an answer to an RTP/AVP offer
        n = std::unexpected(sdp::Error {sdp::Error::Code::BadAnswer, QStringLiteral("SRTP is mandatory and the answer is plain RTP (%1)").arg(n->srtpNote), 0});
    if (!n) {
        const QString why = tr("the far end's SDP answer does not fit our offer: %1").arg(n.error().toString());
        emit finding(QStringLiteral("error"), why);
        if (m_settings.srtp == sdp::SrtpMode::Mandatory && n.error().what.contains(QLatin1String("SRTP"))) {
            // No media may flow unprotected: end the call rather than leave it connected and silent.
            m_srtpFinding = tr("%1; hanging up: SRTP is mandatory").arg(why);
            QTimer::singleShot(0, this, [this] { hangUp(); });
        }
        return false;
    }
    m_remoteSdpText = answerText;
    m_negotiated = *n;
    m_offerWasOurs = true;
    startMedia(true);
    emit negotiated();
    return true;
}

void Call::onEstablished(const QByteArray &body)
{
    if (m_direction == Direction::Outgoing) {
        if (m_pddMs < 0)
            m_pddMs = m_sinceStart.elapsed();
        if (!body.isEmpty() && body != m_remoteSdpText)
            takeAnswer(body);
        else if (!m_negotiated)
            emit finding(QStringLiteral("error"), tr("the 200 OK carries no SDP answer to our offer: no audio can flow"));
    } else if (!body.isEmpty()) {
        takeAnswer(body); // our 200 carried the offer; the ACK the answer
    }
    m_connected.start();
    setState(m_holdWanted ? State::Held : State::Active);
    QTimer::singleShot(0, this, [this] { diagnose(); });
}

// ---- incoming ----------------------------------------------------------------

std::expected<void, QString> Call::receive(const sip::Message &invite, const QHostAddress &mediaAddress)
{
    if (auto ok = openMedia(mediaAddress); !ok) {
        m_session->reject(500, "No Media Port");
        return ok;
    }
    const QByteArray body = invite.body().toByteArray();
    if (body.isEmpty()) {
        // RFC 3264 / RFC 3261 13.2.1: no offer in the INVITE; ours goes in the 200, the answer in the ACK.
        if (auto ok = prepareOfferCrypto(); !ok) {
            m_session->reject(500, "Server Internal Error");
            return ok;
        }
        m_localSdp = sdp::makeOffer(localMedia());
        m_localSdpText = m_localSdp.toBytes();
    } else {
        auto offer = sdp::SessionDescription::parse(body);
        if (!offer) {
            const QString why = tr("the caller's SDP is malformed (%1): answered 400").arg(offer.error().toString());
            emit finding(QStringLiteral("error"), why);
            m_session->reject(400, "Bad SDP");
            return std::unexpected(why);
        }
        auto n = sdp::answerOffer(*offer, localMedia());
        if (!n) {
            const bool srtp = n.error().what.contains(QLatin1String("SRTP"));
            const QString why = srtp ? tr("the caller's media security does not fit ours (%1): answered 488 Not Acceptable Here").arg(n.error().toString())
                                     : tr("no codec in common with the caller (%1): answered 488 Not Acceptable Here").arg(n.error().toString());
            if (srtp)
                m_srtpFinding = why;
            emit finding(QStringLiteral("error"), why);
            m_session->reject(488, "Not Acceptable Here");
            return std::unexpected(why);
        }
        m_remoteSdpText = body;
        m_remoteOffer = *offer;
        m_negotiated = *n;
        m_localSdp = n->answer;
        m_localSdpText = m_localSdp.toBytes();
    }
    setState(State::Incoming);
    emit negotiated(); // the caller's offer and our answer, shown while it rings
    if (m_settings.autoAnswerMs == 0) {
        answer();
    } else {
        m_session->ring();
        if (m_settings.autoAnswerMs > 0)
            QTimer::singleShot(m_settings.autoAnswerMs, this, [this] {
                if (m_state == State::Incoming)
                    answer();
            });
    }
    return {};
}

void Call::answer()
{
    if (m_direction != Direction::Incoming || m_state != State::Incoming)
        return;
    m_session->accept(m_localSdpText);
    setState(State::Connecting);
    if (m_negotiated) {
        startMedia(true);
        emit negotiated();
    }
}

void Call::reject(int status)
{
    if (m_state != State::Incoming)
        return;
    m_session->reject(status, status == 486 ? "Busy Here" : status == 603 ? "Decline" : "Rejected");
}

void Call::hangUp()
{
    if (m_state == State::Ended)
        return;
    setState(State::Ending);
    m_session->hangUp();
}

// ---- hold, re-INVITE ---------------------------------------------------------

void Call::setHold(bool hold)
{
    if (m_state != State::Active && m_state != State::Held && m_state != State::RemoteHeld)
        return;
    if (hold == m_holdWanted)
        return;
    m_holdWanted = hold;
    // RFC 3264 8.4, RFC 6337 5.3: sendonly (inactive when they hold us too), version + 1.
    const sdp::SessionDescription next = hold ? sdp::holdOffer(m_localSdp) : sdp::resumeOffer(m_localSdp);
    const sdp::SessionDescription previous = m_localSdp;
    m_previousLocalSdp = previous;
    m_localSdp = next;
    if (!m_session->reinvite(next.toBytes())) {
        m_localSdp = previous;
        m_holdWanted = !hold;
        emit finding(QStringLiteral("warning"), tr("cannot change hold now: another offer is still waiting for its answer"));
        return;
    }
    m_localSdpText = m_localSdp.toBytes();
}

void Call::onReinviteFinished(int status, const QByteArray &body)
{
    if (status >= 300 || body.isEmpty()) {
        // The re-INVITE failed: the previous state and offer stand (RFC 3261 14.1).
        m_holdWanted = !m_holdWanted;
        if (m_previousLocalSdp) {
            m_localSdp = *m_previousLocalSdp;
            m_localSdpText = m_localSdp.toBytes();
        }
        emit finding(QStringLiteral("warning"), tr("the far end refused the re-INVITE (%1)").arg(status));
        return;
    }
    takeAnswer(body);
    setState(m_holdWanted ? State::Held : (m_negotiated && m_negotiated->onHold ? State::RemoteHeld : State::Active));
}

std::expected<QByteArray, int> Call::onRemoteOffer(const QByteArray &offerText)
{
    if (offerText.isEmpty()) {
        // RFC 3261 14.2: a re-INVITE without offer: offer what we have again, version + 1.
        m_localSdp = sdp::withDirection(m_localSdp, m_holdWanted ? sdp::Direction::SendOnly : sdp::Direction::SendRecv);
        m_localSdpText = m_localSdp.toBytes();
        return m_localSdpText;
    }
    auto offer = sdp::SessionDescription::parse(offerText);
    if (!offer)
        return std::unexpected(488);
    sdp::LocalMedia local = localMedia();
    local.sessionId = m_localSdp.origin.sessionId.toULongLong();
    local.sessionVersion = m_localSdp.origin.sessionVersion + 1; // RFC 3264 8: same o= session, version + 1
    if (m_holdWanted)
        local.direction = sdp::Direction::SendOnly;
    auto n = sdp::answerOffer(*offer, local);
    if (!n)
        return std::unexpected(488);
    m_remoteSdpText = offerText;
    m_negotiated = *n;
    m_offerWasOurs = false;
    m_localSdp = n->answer;
    m_localSdpText = m_localSdp.toBytes();
    startMedia(true);
    emit negotiated();
    if (!m_holdWanted)
        setState(n->onHold ? State::RemoteHeld : State::Active);
    return m_localSdpText;
}

// ---- media -------------------------------------------------------------------

void Call::startMedia(bool)
{
    if (!m_media || !m_negotiated)
        return;
    const sdp::Negotiated &n = *m_negotiated;
    media::StreamParams p;
    p.codec = n.codec.encoding;
    p.payloadType = n.codec.payloadType;
    p.clockRate = n.codec.clockRate;
    p.ptime = n.ptime > 0 ? n.ptime : 20;
    if (telephoneEventUsable())
        p.telephoneEventPt = *n.telephoneEventPayloadType;
    p.remoteAddress = QHostAddress(QString::fromLatin1(n.remoteAddress));
    p.remotePort = quint16(n.remotePort);
    p.send = (n.direction == sdp::Direction::SendRecv || n.direction == sdp::Direction::SendOnly) && !p.remoteAddress.isNull() && n.remotePort > 0;
    p.receive = n.direction == sdp::Direction::SendRecv || n.direction == sdp::Direction::RecvOnly;
    if (n.srtp) {
        // RFC 4568 6.1: each side sends with its own key, so we protect with ours and check with theirs.
        static constexpr std::pair<sdp::CryptoSuite, media::SrtpProfile> profiles[] = {
            {sdp::CryptoSuite::AesCm128HmacSha1_80, media::SrtpProfile::AesCm128HmacSha1_80},
            {sdp::CryptoSuite::AesCm128HmacSha1_32, media::SrtpProfile::AesCm128HmacSha1_32},
            {sdp::CryptoSuite::Aes256CmHmacSha1_80, media::SrtpProfile::Aes256CmHmacSha1_80},
            {sdp::CryptoSuite::Aes256CmHmacSha1_32, media::SrtpProfile::Aes256CmHmacSha1_32},
            {sdp::CryptoSuite::AeadAes128Gcm, media::SrtpProfile::AeadAes128Gcm},
            {sdp::CryptoSuite::AeadAes256Gcm, media::SrtpProfile::AeadAes256Gcm},
        };
        media::SrtpParams srtp;
        for (const auto &[suite, profile] : profiles)
            if (suite == n.srtp->suite)
                srtp.profile = profile;
        const sdp::CryptoKeyParam &ours = n.srtp->local.keys.first();
        const sdp::CryptoKeyParam &theirs = n.srtp->remote.keys.first();
        srtp.sendKey = media::SrtpKey(ours.keySalt.data(), ours.keySalt.size());
        srtp.receiveKey = media::SrtpKey(theirs.keySalt.data(), theirs.keySalt.size());
        srtp.receiveMki = theirs.mki;
        srtp.receiveMkiLength = theirs.mkiLength;
        for (const QByteArray &param : n.srtp->remote.sessionParams)
            if (param.startsWith("WSH=")) // RFC 4568 6.3.7: the window size hint, never below the default
                srtp.replayWindow = std::max(srtp.replayWindow, std::min(param.mid(4).toInt(), 0x7fff));
        p.srtp = srtp;
    }
    if (!m_mediaStarted) {
        AudioSettings audio = m_settings.audio;
        if (!audio.recordBothTo.isEmpty())
            audio.recordBothTo = recordingPrefix();
        auto ports = makeAudioPorts(audio, p.clockRate);
        if (ports) {
            m_recordings.clear();
            for (const QString &path : {ports->sentPath, ports->receivedPath})
                if (!path.isEmpty())
                    m_recordings << path;
        }
        if (!ports) {
            emit finding(QStringLiteral("error"), ports.error());
        } else {
            if (!ports->warning.isEmpty())
                emit finding(QStringLiteral("warning"), ports->warning);
            m_media->setPorts(ports->source, ports->sink);
        }
        m_media->start(p);
        m_media->setMuted(m_muted);
        m_mediaStarted = true;
        m_mediaClock.start();
    } else {
        m_media->update(p);
    }
    noteDtmfNegotiation();
    noteSrtp();
    if (m_ringback) {
        m_ringback = false;
        m_media->setLocalTone(nullptr);
    }
}

void Call::stopMedia()
{
    if (m_media && m_mediaStarted) {
        m_media->stop();
        m_mediaStarted = false;
    }
}

void Call::setMuted(bool muted)
{
    m_muted = muted;
    if (m_media)
        m_media->setMuted(muted);
}

void Call::onStats(const media::StreamStats &stats)
{
    m_stats = stats;
    emit statsUpdated(stats);
    diagnose();
}

void Call::diagnose()
{
    if (!m_negotiated || !m_connected.isValid() || m_state == State::Ended)
        return;
    const media::StreamStats &s = m_stats;
    const QString remote = QStringLiteral("%1:%2").arg(QString::fromLatin1(m_negotiated->remoteAddress)).arg(m_negotiated->remotePort);
    const bool expectRtp = m_negotiated->direction == sdp::Direction::SendRecv || m_negotiated->direction == sdp::Direction::RecvOnly;
    if (!m_saidNoRtp && expectRtp && m_connected.elapsed() > 3000 && s.rtpReceived == 0) {
        m_saidNoRtp = true;
        emit finding(QStringLiteral("warning"),
            tr("one-way audio: no RTP has arrived from %1 in 3 s although %2 RTP packets went out from port %3 — a firewall or NAT between "
               "the phones drops it, or the far end sends it elsewhere")
                .arg(remote)
                .arg(s.rtpSent)
                .arg(m_media ? m_media->localPort() : 0));
    }
    if (!m_saidLatched && !s.latchedSource.isEmpty()) {
        m_saidLatched = true;
        m_saidUnexpected = true;
        emit finding(QStringLiteral("info"),
            tr("RTP arrives from %1, not from %2 as the SDP said: the far end is behind a NAT or a media relay; the call follows it (symmetric RTP, "
               "latched at the start of the call)")
                .arg(s.latchedSource, remote));
    }
    if (!m_saidIgnored && s.rtpIgnored > 0) {
        m_saidIgnored = true;
        m_saidUnexpected = true;
        emit finding(QStringLiteral("warning"),
            tr("%1 RTP packets from %2 were ignored: not the negotiated address %3, and too late in the call (or after the real peer spoke) to "
               "follow — RTP injection, or another call's media bleeding into this port")
                .arg(s.rtpIgnored)
                .arg(s.ignoredSource, remote));
    }
    if (!m_saidUnexpected && s.rtpFromUnexpected > 0) {
        m_saidUnexpected = true;
        emit finding(QStringLiteral("warning"),
            tr("RTP arrives from %1, not from %2 as the SDP said: the far end is behind a NAT or a media relay").arg(s.lastSource, remote));
    }
    if (!m_saidAuthFailures && s.srtpAuthFailures > 0 && s.srtpDecrypted == 0 && m_connected.elapsed() > 2000) {
        m_saidAuthFailures = true;
        srtpFinding(QStringLiteral("error"),
            tr("none of the %1 SRTP packets received authenticated: the far end encrypts with another key than its a=crypto line, or sends plain RTP")
                .arg(s.srtpAuthFailures));
    } else if (!m_saidAuthFailures && s.srtpAuthFailures > 0) {
        m_saidAuthFailures = true;
        emit finding(QStringLiteral("warning"),
            tr("%1 SRTP packets failed authentication and were dropped (tampered, injected, or from another call)").arg(s.srtpAuthFailures));
    }
    if (!m_saidDecode && s.decodeErrors > 0) {
        m_saidDecode = true;
        emit finding(QStringLiteral("warning"), tr("%1 RTP packets could not be decoded as %2").arg(s.decodeErrors).arg(codec()));
    }
    // What actually arrives against what was agreed (the SDP side by side, in one sentence).
    if (!m_saidUnknownPt && s.unknownPayloadType > 0) {
        m_saidUnknownPt = true;
        emit finding(QStringLiteral("warning"),
            tr("%1 RTP packets carry payload type %2, which the SDP never agreed on (it agreed on %3)")
                .arg(s.unknownPayloadType)
                .arg(s.lastUnknownPayloadType)
                .arg(codec()));
    }
    if (!m_saidPtime && s.receivedPtimeMs > 0 && m_negotiated->ptime > 0 && s.decoded > 50 && s.receivedPtimeMs != m_negotiated->ptime) {
        m_saidPtime = true;
        emit finding(
            QStringLiteral("info"), tr("the far end sends %1 ms packets while the SDP says ptime %2 ms").arg(s.receivedPtimeMs).arg(m_negotiated->ptime));
    }
    if (!m_saidSilentMic && !m_muted && m_settings.audio.soundCard && s.framesCaptured > 150 && s.sendLevelDbfs < -80) {
        m_saidSilentMic = true;
        emit finding(QStringLiteral("warning"), tr("the microphone delivers only silence: it is muted, unplugged or the wrong device is selected"));
    }
}

QString Call::srtpSuite() const
{
    return m_negotiated && m_negotiated->srtp ? QString::fromLatin1(sdp::cryptoSuiteName(m_negotiated->srtp->suite)) : QString();
}

QByteArray Call::signallingTransport() const
{
    const QList<QByteArrayView> vias = m_session->initialInvite().values(sip::HeaderId::Via);
    if (vias.isEmpty())
        return {};
    auto via = sip::parseVia(vias.first());
    return via ? via->transport.toUpper() : QByteArray();
}

void Call::srtpFinding(const QString &severity, const QString &text)
{
    m_srtpFinding = text;
    emit finding(severity, text);
}

void Call::noteSrtp()
{
    if (!m_negotiated)
        return;
    if (m_negotiated->srtp && !m_saidKeysInClear) {
        // RFC 4568 8.3: SDES keys are only as secret as the signalling that carries them.
        const QByteArray transport = signallingTransport();
        if (transport != "TLS" && !transport.isEmpty()) {
            m_saidKeysInClear = true;
            srtpFinding(QStringLiteral("warning"),
                tr("the SRTP keys (SDES a=crypto) crossed the network in clear over %1 signalling: anyone who captured the SIP can decrypt this call's "
                   "audio — use TLS")
                    .arg(QString::fromLatin1(transport)));
        }
    }
    if (!m_negotiated->srtp && !m_negotiated->srtpNote.isEmpty() && !m_saidSrtpNote) {
        m_saidSrtpNote = true;
        srtpFinding(QStringLiteral("info"), tr("SRTP was offered but not used (%1): this call is not encrypted").arg(m_negotiated->srtpNote));
    }
}

void Call::onEnded(const sip::SessionEnd &end)
{
    m_end = end;
    if (m_direction == Direction::Outgoing && end.status == 488 && !m_connected.isValid() && m_settings.srtp == sdp::SrtpMode::Mandatory)
        srtpFinding(QStringLiteral("error"),
            tr("the far end refused our SRTP-only offer (RTP/SAVP) with 488 Not Acceptable Here: it does not do SRTP with SDES keys, or none of the "
               "suites we offered; with srtp optional the call would go unencrypted"));
    stopMedia();
    m_infoQueue.clear(); // a sequence under way ends with the call
    m_infoBusy = m_dtmfMediaBusy = false;
    m_dtmf.finish(); // findings that wait for later digits are decided now
    publishDtmfFindings();
    setState(State::Ended);
    emit ended(end);
}

QString Call::recordingPrefix() const
{
    // recordBothTo names a directory: one prefix per call, from its Call-ID (made safe for a
    // file name), so two calls never write over each other's recordings.
    QString dir = m_settings.audio.recordBothTo;
    if (!dir.endsWith(QLatin1Char('/')))
        return dir;
    QString id = QString::fromLatin1(m_session ? m_session->callId() : QByteArray("call"));
    for (QChar &c : id)
        if (!c.isLetterOrNumber() && c != QLatin1Char('-') && c != QLatin1Char('.'))
            c = QLatin1Char('_');
    // The hash of the whole Call-ID keeps two Call-IDs that read alike once cleaned apart.
    const QByteArray full = m_session ? m_session->callId() : QByteArray("call");
    return dir + id.left(64) + QLatin1Char('-') + QString::number(quint32(qHash(full, 0x5eed)), 16);
}

} // namespace ds::phone
