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
    connect(m_media, &media::MediaSession::dtmfQueueDrained, this, [this] {
        m_dtmfMediaBusy = false;
        if (!dtmfSending())
            emit dtmfSent();
    });
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
    // Who offered: our offer on an outgoing call, the far end's on an incoming one.
    const QByteArray &offer = m_direction == Direction::Outgoing ? m_localSdpText : m_remoteSdpText;
    m_dtmf.setNegotiation(mentionsTelephoneEvent(offer), m_negotiated->telephoneEventPayloadType.has_value(), m_negotiated->codec.encoding);
    publishDtmfFindings();
}

std::expected<dtmf::Mode, QString> Call::sendDtmf(const QString &digits, std::optional<DtmfMode> wanted)
{
    const DtmfSettings &settings = m_settings.dtmf;
    const DtmfMode mode = wanted.value_or(settings.mode);
    if (m_state != State::Active && m_state != State::RemoteHeld && m_state != State::EarlyMedia)
        return std::unexpected(QStringLiteral("no DTMF: the call is not connected"));
    QByteArray keys;
    for (QChar c : digits) {
        const char k = c.toLatin1();
        if (k == ',' || dtmf::eventOfDigit(k))
            keys += char(std::toupper(static_cast<unsigned char>(k)));
    }
    if (keys.isEmpty())
        return std::unexpected(QStringLiteral("no DTMF digit in \"%1\" (0-9 * # A-D, ',' for a pause)").arg(digits));
    const bool events = m_negotiated && m_negotiated->telephoneEventPayloadType.has_value();
    if (mode == DtmfMode::Info) {
        if (m_infoQueue.size() + keys.size() > kMaxInfoQueue)
            return std::unexpected(QStringLiteral("no DTMF: %1 digits are still waiting to go as INFO").arg(m_infoQueue.size()));
        m_infoSettings = settings;
        m_infoQueue += keys;
        if (!m_infoBusy)
            sendNextInfo();
        return dtmf::Mode::Info;
    }
    dtmf::Mode m = dtmf::Mode::Inband;
    if (mode == DtmfMode::Rfc4733 || (mode == DtmfMode::Auto && events))
        m = dtmf::Mode::Rfc4733;
    if (m == dtmf::Mode::Rfc4733 && !events) {
        const QString why = m_negotiated
            ? QStringLiteral("the answer has no telephone-event payload type, so the far end cannot receive RFC 4733 events; use in-band or INFO")
            : QStringLiteral("no media was negotiated");
        m_dtmf.noteRefused(dtmf::Mode::Rfc4733, why);
        publishDtmfFindings();
        return std::unexpected(QStringLiteral("DTMF not sent as RFC 4733: %1").arg(why));
    }
    if (!m_media)
        return std::unexpected(QStringLiteral("no DTMF: the call has no media"));
    m_dtmfMediaBusy = true;
    m_media->sendDtmf(keys, m, settings.send);
    return m;
}

void Call::sendNextInfo()
{
    m_infoBusy = false;
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
            emit finding(QStringLiteral("error"), QStringLiteral("DTMF INFO not sent: the dialog is not established"));
        }
    }
    if (!dtmfSending())
        emit dtmfSent();
}

sip::InviteSession::InfoAnswer Call::onInfo(const QByteArray &contentType, const QByteArray &body)
{
    // RFC 6086 4.2.2: an INFO without a body is fine (some send it as a keep-alive).
    if (body.isEmpty() && contentType.isEmpty())
        return {};
    auto parsed = dtmf::parseInfoBody(contentType, body);
    if (!parsed) {
        const int status = dtmf::responseStatus(parsed.error());
        if (status == 415) // RFC 3261 21.4.13: a 415 lists what we accept
            return {415, "Unsupported Media Type", "Accept: application/dtmf-relay, application/dtmf\r\n"};
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
