#include "analyzer.h"

#include <algorithm>
#include <cstdlib>

namespace ds::dtmf {

namespace {

std::int64_t endOf(const DigitEvent &e) { return e.atMs + e.durationMs; }

std::int64_t endOf(const MergedDigit &m)
{
    std::int64_t end = m.atMs + m.durationMs;
    for (const DigitEvent &e : m.events)
        end = std::max(end, endOf(e));
    return end;
}

// [a, a + da] and [b, b + db] overlap, allowing the slack between modes.
bool overlaps(std::int64_t aStart, std::int64_t aEnd, std::int64_t bStart, std::int64_t bEnd)
{
    return aStart <= bEnd + Analyzer::kMergeSlackMs && bStart <= aEnd + Analyzer::kMergeSlackMs;
}

QString digitText(char digit) { return QStringLiteral("digit %1").arg(QLatin1Char(digit)); }

// The status with its usual reason phrase, for the statuses an INFO gets in practice.
QString statusText(int status)
{
    const char *phrase = nullptr;
    switch (status) {
    case 400:
        phrase = "Bad Request";
        break;
    case 401:
        phrase = "Unauthorized";
        break;
    case 403:
        phrase = "Forbidden";
        break;
    case 404:
        phrase = "Not Found";
        break;
    case 405:
        phrase = "Method Not Allowed";
        break;
    case 407:
        phrase = "Proxy Authentication Required";
        break;
    case 408:
        phrase = "Request Timeout";
        break;
    case 415:
        phrase = "Unsupported Media Type";
        break;
    case 469:
        phrase = "Bad Info Package";
        break;
    case 481:
        phrase = "Call/Transaction Does Not Exist";
        break;
    case 488:
        phrase = "Not Acceptable Here";
        break;
    case 500:
        phrase = "Server Internal Error";
        break;
    case 501:
        phrase = "Not Implemented";
        break;
    case 503:
        phrase = "Service Unavailable";
        break;
    case 606:
        phrase = "Not Acceptable";
        break;
    default:
        break;
    }
    return phrase ? QStringLiteral("%1 %2").arg(status).arg(QLatin1StringView(phrase)) : QString::number(status);
}

QString infoErrorHint(int status)
{
    switch (status) {
    case 405:
    case 501:
        return QStringLiteral("It does not take SIP INFO: send digits as RFC 4733 (telephone-event) or in-band instead.");
    case 415:
    case 488:
    case 606:
        return QStringLiteral("It does not accept this DTMF body: try the other INFO format (application/dtmf-relay or application/dtmf), or RFC 4733.");
    case 469:
        return QStringLiteral("It expects DTMF in an INFO package (RFC 6086), which this legacy INFO does not name: use RFC 4733 instead.");
    case 401:
    case 407:
        return QStringLiteral("It asked for authentication for the INFO.");
    case 408:
        return QStringLiteral("No answer came in time: the far end may drop INFO requests.");
    case 481:
        return QStringLiteral("It no longer knew the call.");
    default:
        return QStringLiteral("Check the far end's DTMF settings, or use RFC 4733 (telephone-event).");
    }
}

} // namespace

int &Analyzer::Counts::of(Mode m)
{
    switch (m) {
    case Mode::Inband:
        return inband;
    case Mode::Info:
        return info;
    case Mode::Rfc4733:
        break;
    }
    return rfc4733;
}

void Analyzer::setNegotiation(bool offeredTelephoneEvent, bool negotiatedTelephoneEvent, const QByteArray &codec)
{
    m_offered = offeredTelephoneEvent;
    m_negotiated = negotiatedTelephoneEvent;
    m_codec = codec;
    if (!m_negotiated) {
        addFinding(Finding::Severity::Info, QStringLiteral("no-telephone-event"),
            m_offered ? QStringLiteral("The far end's answer left out telephone-event, so this call cannot carry RFC 4733 (RFC 2833) digits: DTMF "
                                       "goes as in-band tones or SIP INFO. Enable RFC 2833/telephone-event on the far end if its IVR expects it.")
                      : QStringLiteral("The telephone-event payload was not offered in this call, so RFC 4733 (RFC 2833) digits are not possible: DTMF goes as "
                                       "in-band tones or SIP INFO."));
    }
    settle();
}

void Analyzer::add(const DigitEvent &event)
{
    if (m_added >= kMaxEvents) {
        ++m_dropped;
        addFinding(Finding::Severity::Warning, QStringLiteral("too-many-events"),
            QStringLiteral("This call carried more than %1 DTMF events; the later ones are not analysed.").arg(kMaxEvents));
        return;
    }
    ++m_added;
    DigitEvent e = event;
    e.durationMs = std::clamp(e.durationMs, 0, kMaxDurationMs);
    (e.dir == Direction::In ? m_in : m_out).of(e.mode)++;
    if (e.dir == Direction::In && e.mode == Mode::Inband && !m_firstInbandInEndMs)
        m_firstInbandInEndMs = endOf(e);
    if (e.dir == Direction::In && e.mode == Mode::Info && !m_firstInfoInEndMs)
        m_firstInfoInEndMs = endOf(e);
    m_latestMs = std::max(m_latestMs, endOf(e));
    const qsizetype at = merge(e);
    checkEvent(e, m_digits[at]);
    settle();
}

// Puts the event into the key press it belongs to — the same digit and direction, overlapping in
// time, not yet seen in this mode (two presses of one key in one mode are two presses) — or into a
// new one; returns its index.
qsizetype Analyzer::merge(const DigitEvent &e)
{
    const std::int64_t eEnd = endOf(e);
    qsizetype best = -1;
    std::int64_t bestDistance = 0;
    // m_digits is sorted by atMs: partners start before eEnd + slack and, at most m_maxSpanMs long,
    // not before e.atMs - m_maxSpanMs - slack.
    auto it = std::upper_bound(m_digits.cbegin(), m_digits.cend(), eEnd + kMergeSlackMs, [](std::int64_t t, const MergedDigit &m) { return t < m.atMs; });
    for (qsizetype i = (it - m_digits.cbegin()) - 1; i >= 0; --i) {
        const MergedDigit &m = m_digits[i];
        if (m.atMs + m_maxSpanMs + kMergeSlackMs < e.atMs)
            break;
        if (m.digit != e.digit || m.dir != e.dir || m.has(e.mode) || !overlaps(m.atMs, endOf(m), e.atMs, eEnd))
            continue;
        const std::int64_t distance = std::abs(m.atMs - e.atMs);
        if (best < 0 || distance < bestDistance) {
            best = i;
            bestDistance = distance;
        }
    }
    if (best < 0) {
        MergedDigit m;
        m.digit = e.digit;
        m.dir = e.dir;
        m.atMs = e.atMs;
        auto pos = std::upper_bound(m_digits.cbegin(), m_digits.cend(), e.atMs, [](std::int64_t t, const MergedDigit &d) { return t < d.atMs; });
        best = pos - m_digits.cbegin();
        m_digits.insert(best, m);
    }
    MergedDigit &m = m_digits[best];
    m.atMs = std::min(m.atMs, e.atMs);
    m.durationMs = std::max(m.durationMs, e.durationMs);
    m.modes |= std::uint8_t(e.mode);
    m.events.append(e);
    // The level: the in-band detection's when there is one, else the RFC 4733 volume.
    if (e.levelDbm0 && (e.mode == Mode::Inband || (!m.has(Mode::Inband) && e.mode == Mode::Rfc4733)))
        m.levelDbm0 = e.levelDbm0;
    m_maxSpanMs = std::max(m_maxSpanMs, endOf(m) - m.atMs);
    // An earlier start may move it back in the time order.
    for (; best > 0 && m_digits[best - 1].atMs > m_digits[best].atMs; --best)
        m_digits.swapItemsAt(best - 1, best);
    return best;
}

bool Analyzer::compressedCodec() const
{
    if (m_codec.isEmpty())
        return false; // not known
    for (const char *lossless : {"PCMU", "PCMA", "G722", "L16"})
        if (m_codec.compare(lossless, Qt::CaseInsensitive) == 0)
            return false;
    return true;
}

// The findings one event can show at once.
void Analyzer::checkEvent(const DigitEvent &e, const MergedDigit &merged)
{
    const bool in = e.dir == Direction::In;
    if (in && merged.has(Mode::Rfc4733) && merged.has(Mode::Inband)) {
        addFinding(Finding::Severity::Warning, QStringLiteral("double-digits"),
            QStringLiteral("The far end sent %1 twice: as an RFC 4733 telephone-event and as an in-band tone in the audio. An IVR that listens "
                           "to both may see every key twice. Disable in-band DTMF on the far end or its gateway (or, if the tones must stay, "
                           "telephone-event there), so each key arrives once.")
                .arg(digitText(e.digit)));
    }
    if (e.mode == Mode::Inband && compressedCodec()) {
        const QString codec = QString::fromLatin1(m_codec);
        addFinding(Finding::Severity::Warning, QStringLiteral("inband-over-opus"),
            (in ? QStringLiteral("The far end sent digit %1 as an in-band tone over %2.") : QStringLiteral("Digit %1 was sent as an in-band tone over %2."))
                    .arg(QString(QLatin1Char(e.digit)), codec)
                + QStringLiteral(" A compressed codec distorts DTMF tones, so digits may be missed or misread: use RFC 4733 (telephone-event) "
                                 "or SIP INFO, or a G.711 codec (PCMU/PCMA)."));
    }
    if (in && e.mode == Mode::Rfc4733 && !e.endSeen) {
        addFinding(Finding::Severity::Warning, QStringLiteral("event-without-end"),
            QStringLiteral("The far end never sent the end packet of RFC 4733 %1; it was closed after a timeout. An IVR may miss the digit or "
                           "see it late: look for packet loss, or a far end or gateway that cuts its events short.")
                .arg(digitText(e.digit)));
    }
    if (!in && e.mode == Mode::Info && e.infoStatus && (*e.infoStatus < 200 || *e.infoStatus > 299)) {
        addFinding(Finding::Severity::Error, QStringLiteral("info-error"),
            QStringLiteral("The far end answered %1 to the SIP INFO carrying %2, so that digit was not delivered. %3")
                .arg(statusText(*e.infoStatus), digitText(e.digit), infoErrorHint(*e.infoStatus)));
    }
}

// The findings about what a mode lacks, once the call's digits have moved on far enough (or the
// call is over) for the other modes' copies of a key to have arrived.
void Analyzer::settle()
{
    const auto settled = [this](const std::optional<std::int64_t> &firstEnd) { return firstEnd && (m_finished || m_latestMs > *firstEnd + kSettleMs); };
    if (m_offered && m_in.inband > 0 && m_in.rfc4733 == 0 && settled(m_firstInbandInEndMs)) {
        addFinding(Finding::Severity::Warning, QStringLiteral("inband-only"),
            m_negotiated
                ? QStringLiteral("The telephone-event payload was negotiated, yet the far end sent its digits only as in-band tones, never as RFC 4733 "
                                 "events. Its DTMF mode is probably set to in-band: set it to RFC 2833/RFC 4733, which survives "
                                 "compressed codecs and packet loss.")
                : QStringLiteral("We offered the telephone-event payload, but the far end's answer left it out and its digits arrive only as in-band "
                                 "tones. That works over G.711 but not reliably over compressed codecs: enable RFC 2833/RFC 4733 on the "
                                 "far end."));
    }
    if (m_in.info > 0 && m_in.rfc4733 == 0 && m_in.inband == 0 && settled(m_firstInfoInEndMs)) {
        addFinding(Finding::Severity::Info, QStringLiteral("info-only"),
            QStringLiteral("The far end sends its digits only as SIP INFO. This phone reads them, but an IVR or recorder that takes digits from "
                           "the RTP stream will not see them."));
    }
}

void Analyzer::noteRefused(Mode mode, const QString &why)
{
    const QString code = QString::fromLatin1(modeName(mode)) + QStringLiteral("-refused");
    QString text;
    switch (mode) {
    case Mode::Rfc4733:
        text = QStringLiteral("Digits were not sent as RFC 4733 telephone-events: %1.").arg(why);
        if (!m_negotiated)
            text += QStringLiteral(" The far end's SDP answer has no telephone-event; choose in-band or SIP INFO DTMF for this peer, or enable "
                                   "RFC 2833 on it.");
        break;
    case Mode::Inband:
        text = QStringLiteral("Digits were not sent as in-band tones: %1.").arg(why);
        break;
    case Mode::Info:
        text = QStringLiteral("Digits were not sent as SIP INFO: %1.").arg(why);
        break;
    }
    addFinding(Finding::Severity::Error, code, text);
}

void Analyzer::finish()
{
    m_finished = true;
    settle();
}

QList<Finding> Analyzer::takeNewFindings()
{
    QList<Finding> fresh = m_findings.mid(m_reported);
    m_reported = m_findings.size();
    return fresh;
}

bool Analyzer::hasFinding(const QString &code) const
{
    return std::any_of(m_findings.cbegin(), m_findings.cend(), [&code](const Finding &f) { return f.code == code; });
}

void Analyzer::addFinding(Finding::Severity severity, const QString &code, const QString &text)
{
    if (!hasFinding(code)) // each finding once: the first occurrence tells the story
        m_findings.append(Finding {severity, code, text});
}

} // namespace ds::dtmf
