#include "info_body.h"

#include <algorithm>
#include <optional>

namespace ds::dtmf {

namespace {

constexpr QByteArrayView kRelayType = "application/dtmf-relay";
constexpr QByteArrayView kDtmfType = "application/dtmf";

bool equalsNoCase(QByteArrayView a, QByteArrayView b) { return a.size() == b.size() && a.compare(b, Qt::CaseInsensitive) == 0; }

bool allDigits(QByteArrayView v)
{
    for (const char c : v)
        if (c < '0' || c > '9')
            return false;
    return !v.isEmpty();
}

// One key: "5", "*", "d", or the numeric event codes of RFC 4733 3.2 that PBXs put in INFO bodies
// (10 = *, 11 = #, 12-15 = A-D, 16 = flash).
std::optional<char> digitOfSignal(QByteArrayView v)
{
    if (v.size() == 1) {
        const char c = v[0];
        if ((c >= '0' && c <= '9') || c == '*' || c == '#')
            return c;
        if (c >= 'A' && c <= 'D')
            return c;
        if (c >= 'a' && c <= 'd')
            return char(c - 'a' + 'A');
        return std::nullopt;
    }
    if (v.size() == 2 && allDigits(v)) {
        static constexpr char kCodes[] = {'*', '#', 'A', 'B', 'C', 'D', kFlash};
        const int n = (v[0] - '0') * 10 + (v[1] - '0');
        if (n >= 10 && n <= 16)
            return kCodes[n - 10];
    }
    return std::nullopt;
}

std::optional<InfoBodyType> typeOf(QByteArrayView contentType)
{
    if (const qsizetype semicolon = contentType.indexOf(';'); semicolon >= 0)
        contentType = contentType.first(semicolon);
    contentType = contentType.trimmed();
    if (equalsNoCase(contentType, kRelayType))
        return InfoBodyType::DtmfRelay;
    if (equalsNoCase(contentType, kDtmfType))
        return InfoBodyType::Dtmf;
    return std::nullopt;
}

// application/dtmf-relay: "Key=value" lines, LF or CRLF, any key case, spaces around '='; keys
// other than Signal and Duration are ignored, the first Signal and Duration count.
std::expected<InfoDigit, InfoBodyError> parseRelay(QByteArrayView body)
{
    std::optional<QByteArrayView> signal, duration;
    while (!body.isEmpty()) {
        const qsizetype nl = body.indexOf('\n');
        QByteArrayView line = (nl < 0 ? body : body.first(nl)).trimmed();
        body = nl < 0 ? QByteArrayView() : body.sliced(nl + 1);
        if (line.isEmpty())
            continue;
        const qsizetype eq = line.indexOf('=');
        if (eq <= 0)
            return std::unexpected(InfoBodyError::Malformed);
        const QByteArrayView key = line.first(eq).trimmed();
        const QByteArrayView value = line.sliced(eq + 1).trimmed();
        if (equalsNoCase(key, "Signal") && !signal)
            signal = value;
        else if (equalsNoCase(key, "Duration") && !duration)
            duration = value;
    }
    if (!signal || signal->isEmpty())
        return std::unexpected(InfoBodyError::MissingSignal);
    const auto digit = digitOfSignal(*signal);
    if (!digit)
        return std::unexpected(InfoBodyError::BadDigit);
    InfoDigit d;
    d.digit = *digit;
    if (duration && !duration->isEmpty()) { // "Duration=" with no value says nothing: the default stands
        if (!allDigits(*duration) || duration->size() > 6)
            return std::unexpected(InfoBodyError::Malformed);
        const int ms = duration->toInt();
        if (ms > kMaxInfoDurationMs)
            return std::unexpected(InfoBodyError::Malformed);
        d.durationMs = ms;
        d.durationGiven = true;
    }
    return d;
}

} // namespace

std::expected<InfoDigit, InfoBodyError> parseInfoBody(QByteArrayView contentType, QByteArrayView body)
{
    const auto type = typeOf(contentType);
    if (!type)
        return std::unexpected(InfoBodyError::UnsupportedType);
    if (body.size() > kMaxInfoBodyBytes)
        return std::unexpected(InfoBodyError::TooLarge);
    if (*type == InfoBodyType::DtmfRelay)
        return parseRelay(body);
    // application/dtmf: the key alone, a trailing line end tolerated.
    const QByteArrayView v = body.trimmed();
    if (v.isEmpty())
        return std::unexpected(InfoBodyError::MissingSignal);
    const auto digit = digitOfSignal(v);
    if (!digit)
        return std::unexpected(InfoBodyError::BadDigit);
    return InfoDigit {*digit, kDefaultInfoDurationMs, false};
}

int responseStatus(InfoBodyError error)
{
    switch (error) {
    case InfoBodyError::UnsupportedType:
        return 415;
    case InfoBodyError::TooLarge:
        return 413;
    case InfoBodyError::Malformed:
    case InfoBodyError::MissingSignal:
    case InfoBodyError::BadDigit:
        break;
    }
    return 400;
}

const char *infoBodyErrorText(InfoBodyError error)
{
    switch (error) {
    case InfoBodyError::UnsupportedType:
        return "unsupported content type";
    case InfoBodyError::TooLarge:
        return "body too large";
    case InfoBodyError::Malformed:
        return "malformed body";
    case InfoBodyError::MissingSignal:
        return "no Signal in body";
    case InfoBodyError::BadDigit:
        return "not a DTMF digit";
    }
    return "invalid body";
}

QByteArray writeInfoBody(InfoBodyType type, char digit, int durationMs)
{
    QByteArray signal;
    if (digit == kFlash)
        signal = "16"; // RFC 4733 3.2: event 16 is the flash; there is no character for it
    else if (const auto d = digitOfSignal(QByteArrayView(&digit, 1)))
        signal = QByteArray(1, *d);
    else
        return {};
    if (type == InfoBodyType::Dtmf)
        return signal;
    const int ms = std::clamp(durationMs, 0, kMaxInfoDurationMs);
    return "Signal=" + signal + "\r\nDuration=" + QByteArray::number(ms) + "\r\n";
}

QByteArray infoContentType(InfoBodyType type) { return (type == InfoBodyType::DtmfRelay ? kRelayType : kDtmfType).toByteArray(); }

} // namespace ds::dtmf
