// Call's DTMF: sending in every mode, receiving SIP INFO, and feeding the analyzer with what the
// stream sends and hears (RFC 4733 events, in-band tones) and what INFO carried.

#include "call.h"

#include "dtmf/info_body.h"
#include "dtmf/rfc4733.h"

#include <QTimer>

namespace ds::phone {

namespace {

constexpr qsizetype kMaxInfoQueue = 256; // digits waiting to go as INFO

bool mentionsTelephoneEvent(const QByteArray &sdp) { return sdp.toLower().contains("telephone-event"); }

} // namespace

QString dtmfModeName(DtmfMode mode)
{
    switch (mode) {
    case DtmfMode::Auto:
        return QStringLiteral("auto");
    case DtmfMode::Rfc4733:
        return QStringLiteral("rfc4733");
    case DtmfMode::Inband:
        return QStringLiteral("inband");
    case DtmfMode::Info:
        return QStringLiteral("info");
    }
    return {};
}

std::optional<DtmfMode> dtmfModeFromName(QStringView name)
{
    for (DtmfMode m : {DtmfMode::Auto, DtmfMode::Rfc4733, DtmfMode::Inband, DtmfMode::Info})
        if (name.compare(dtmfModeName(m), Qt::CaseInsensitive) == 0)
            return m;
    if (name.compare(QLatin1String("rfc2833"), Qt::CaseInsensitive) == 0)
        return DtmfMode::Rfc4733;
    return std::nullopt;
}

void Call::connectDtmf()
{
    connect(m_media, &media::MediaSession::dtmf, this, &Call::onDtmf);
    connect(m_media, &media::MediaSession::dtmfQueueDrained, this, [this](quint64 batch) {
        if (batch != m_dtmfBatch || !m_dtmfMediaBusy)
            return; // an earlier sequence: the latest one is still playing
        m_dtmfMediaBusy = false;
        if (!dtmfSending())
            emit dtmfSent();
    });
    // The stream's refusals (queue full, telephone-event gone) reach the user as findings.
    connect(m_media, &media::MediaSession::failed, this, [this](const QString &reason) { emit finding(QStringLiteral("warning"), reason); });
    connect(m_media, &media::MediaSession::spectrum, this, &Call::spectrum);
    if (m_spectrogram)
        m_media->setSpectrogramEnabled(true);
}

void Call::setSpectrogramEnabled(bool on)
{
    m_spectrogram = on;
    if (m_media)
        m_media->setSpectrogramEnabled(on);
}

void Call::noteDtmfNegotiation()
{
    if (!m_negotiated)
        return;
    // The offer of the exchange in force: ours (our INVITE, or our 200 to an INVITE without SDP) or theirs.
    const QByteArray &offer = m_offerWasOurs ? m_localSdpText : m_remoteSdpText;
    m_dtmf.setNegotiation(mentionsTelephoneEvent(offer), telephoneEventUsable(), m_negotiated->codec.encoding);
    if (m_negotiated->telephoneEventPayloadType && !telephoneEventUsable() && !std::exchange(m_saidEventRate, true))
        emit finding(QStringLiteral("warning"),
            QStringLiteral("telephone-event was negotiated at %1 Hz but the audio (%2) runs at %3 Hz: RFC 4733 events must share the audio's "
                           "clock, so they are neither sent nor read on this call (in-band and INFO still work)")
                .arg(QString::number(m_negotiated->telephoneEventClockRate), QString::fromLatin1(m_negotiated->codec.encoding),
                    QString::number(m_negotiated->codec.clockRate))); // one call: the far end's codec name may hold a '%'
    publishDtmfFindings();
}

bool Call::telephoneEventUsable() const
{
    return m_negotiated && m_negotiated->telephoneEventPayloadType
        && (m_negotiated->telephoneEventClockRate == 0 || m_negotiated->telephoneEventClockRate == m_negotiated->codec.clockRate);
}

std::expected<dtmf::Mode, QString> Call::sendDtmf(const QString &digits, std::optional<DtmfMode> wanted)
{
    const DtmfSettings &settings = m_settings.dtmf;
    const DtmfMode mode = wanted.value_or(settings.mode);
    const bool events = telephoneEventUsable();
    dtmf::Mode m = dtmf::Mode::Inband;
    if (mode == DtmfMode::Info)
        m = dtmf::Mode::Info;
    else if (mode == DtmfMode::Rfc4733 || (mode == DtmfMode::Auto && events))
        m = dtmf::Mode::Rfc4733;
    // Every refusal goes to the analyzer too: the DTMF panel and the CLI's findings show it.
    const auto refuse = [this, m](const QString &why) -> std::expected<dtmf::Mode, QString> {
        m_dtmf.noteRefused(m, why);
        publishDtmfFindings();
        return std::unexpected(QStringLiteral("DTMF not sent as %1: %2").arg(QString::fromLatin1(dtmf::modeName(m)), why));
    };
    QByteArray keys;
    for (QChar c : digits) {
        const char k = c.toLatin1();
        if (k == ',' || dtmf::eventOfDigit(k))
            keys += char(std::toupper(static_cast<unsigned char>(k)));
    }
    if (keys.isEmpty())
        return std::unexpected(QStringLiteral("no DTMF digit in \"%1\" (0-9 * # A-D, ',' for a pause)").arg(digits));
    if (m_state != State::Active && m_state != State::RemoteHeld && m_state != State::EarlyMedia && m_state != State::Held)
        return refuse(QStringLiteral("the call is not connected"));
    if (m == dtmf::Mode::Info) {
        // RFC 6086: INFO needs the confirmed dialog, not the early one.
        if (m_session->state() != sip::InviteSession::State::Confirmed && m_session->state() != sip::InviteSession::State::Accepted)
            return refuse(QStringLiteral("SIP INFO needs an answered call, and this one is still in its early dialog"));
        if (m_infoQueue.size() + keys.size() > kMaxInfoQueue)
            return refuse(QStringLiteral("%1 digits are still waiting to go as INFO").arg(m_infoQueue.size()));
        m_infoSettings = settings;
        m_infoQueue += keys;
        if (!m_infoBusy)
            sendNextInfo();
        return dtmf::Mode::Info;
    }
    if (m == dtmf::Mode::Rfc4733 && !events)
        return refuse(m_negotiated && m_negotiated->telephoneEventPayloadType
                ? QStringLiteral("telephone-event was negotiated at a clock rate the audio does not use; use in-band or INFO")
                : QStringLiteral("the answer has no telephone-event payload type, so the far end cannot receive RFC 4733 events; use in-band or INFO"));
    if (!m_media || !m_negotiated)
        return refuse(QStringLiteral("the call has no media"));
    // The stream sends nothing while the negotiated direction does not (hold, a recvonly answer):
    // digits queued now would reach the IVR whenever the call resumes.
    const sdp::Direction dir = m_negotiated->direction;
    if (m_negotiated->onHold || dir == sdp::Direction::RecvOnly || dir == sdp::Direction::Inactive)
        return refuse(QStringLiteral("the call is on hold, so no RTP goes out; send them by SIP INFO instead"));
    if (qsizetype(dtmf::StreamDtmf::kMaxQueued) < keys.size())
        return refuse(QStringLiteral("%1 digits at once; at most %2").arg(keys.size()).arg(dtmf::StreamDtmf::kMaxQueued));
    m_dtmfMediaBusy = true;
    m_media->sendDtmf(keys, m, settings.send, ++m_dtmfBatch);
    return m;
}

void Call::sendNextInfo()
{
    m_infoBusy = false;
    if (m_state == State::Ended)
        return; // the call went while a pause or an INFO was under way
    while (!m_infoQueue.isEmpty() && !m_infoBusy) {
        const char key = m_infoQueue.front();
        m_infoQueue.remove(0, 1);
        if (key == ',') {
            m_infoBusy = true;
            QTimer::singleShot(m_infoSettings.send.commaMs, this, &Call::sendNextInfo);
            return;
        }
        const dtmf::InfoBodyType type = m_infoSettings.infoBody;
        const int duration = m_infoSettings.send.toneMs;
        dtmf::DigitEvent e;
        e.digit = key;
        e.mode = dtmf::Mode::Info;
        e.dir = dtmf::Direction::Out;
        e.atMs = mediaMs();
        e.durationMs = duration;
        QPointer<Call> self(this);
        m_infoBusy = m_session->sendInfo(dtmf::infoContentType(type), dtmf::writeInfoBody(type, key, duration),
            [self, e, gap = duration + m_infoSettings.send.pauseMs](int status, const QByteArray &reason) mutable {
                if (!self)
                    return;
                e.infoStatus = status;
                Q_UNUSED(reason); // the analyzer's info-error finding names the status
                self->onDtmf(e);
                // One INFO at a time: the next after this one's final response and the digit's time.
                QTimer::singleShot(gap, self, &Call::sendNextInfo);
            });
        if (!m_infoBusy) {
            m_infoQueue.clear();
            m_dtmf.noteRefused(dtmf::Mode::Info, QStringLiteral("the dialog is no longer established"));
            publishDtmfFindings();
        }
    }
    if (!dtmfSending())
        emit dtmfSent();
}

sip::InviteSession::InfoAnswer Call::onInfo(const QByteArray &contentType, const QByteArray &body)
{
    // RFC 6086 4.2.2: an INFO without a body is fine (some send it as a keep-alive).
    if (body.isEmpty())
        return {};
    auto parsed = dtmf::parseInfoBody(contentType, body);
    if (!parsed) {
        const int status = dtmf::responseStatus(parsed.error());
        if (status == 415) { // RFC 3261 21.4.13: a 415 lists what we accept
            emit finding(QStringLiteral("info"),
                QStringLiteral("the far end sent an INFO with a %1 body; answered 415 (DTMF is read from application/dtmf-relay and application/dtmf)")
                    .arg(QString::fromUtf8(contentType.isEmpty() ? QByteArray("untyped") : contentType.left(80))));
            return {415, "Unsupported Media Type", "Accept: application/dtmf-relay, application/dtmf\r\n"};
        }
        emit finding(QStringLiteral("warning"),
            QStringLiteral("the far end sent a DTMF INFO we answered %1: %2").arg(status).arg(QString::fromLatin1(dtmf::infoBodyErrorText(parsed.error()))));
        return {status, status == 413 ? QByteArray("Request Entity Too Large") : QByteArray("Bad Request"), {}};
    }
    if (parsed->digit == dtmf::kFlash)
        return {}; // a hook flash: accepted, but no key press
    dtmf::DigitEvent e;
    e.digit = parsed->digit;
    e.mode = dtmf::Mode::Info;
    e.dir = dtmf::Direction::In;
    e.atMs = mediaMs();
    e.durationMs = parsed->durationMs;
    onDtmf(e);
    return {};
}

void Call::onDtmf(const dtmf::DigitEvent &event)
{
    m_dtmf.add(event);
    emit dtmf(event);
    publishDtmfFindings();
}

void Call::publishDtmfFindings()
{
    for (const dtmf::Finding &f : m_dtmf.takeNewFindings())
        emit dtmfFinding(f);
}

} // namespace ds::phone
