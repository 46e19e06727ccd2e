#pragma once
// SIP INFO DTMF bodies, as PBXs really send them: application/dtmf-relay ("Signal=5\r\nDuration=160",
// the de facto format of Cisco and most PBXs) and application/dtmf (the bare digit "5"). Parsed
// and written without exceptions; pure functions, any thread.
//
// A UAS receiving an INFO maps the errors to its final response (responseStatus() does it):
//   UnsupportedType -> 415 Unsupported Media Type (RFC 3261 21.4.13, RFC 6086 4.2.2),
//   TooLarge        -> 413 Request Entity Too Large (RFC 3261 21.4.11),
//   Malformed, MissingSignal, BadDigit -> 400 Bad Request.
// A hook flash (Signal=16) is a valid body: it parses to kFlash and is answered 200.

#include <QByteArray>
#include <QByteArrayView>

#include <expected>

namespace ds::dtmf {

enum class InfoBodyType { DtmfRelay, Dtmf };

// The digit of a hook flash (RFC 4733 3.2 event 16), which the numeric forms can carry: not a
// DTMF key, reported as this distinct value so a caller can tell it apart (and ignore it).
inline constexpr char kFlash = '!';
// The duration assumed when a body gives none (application/dtmf never does): a typical key press.
inline constexpr int kDefaultInfoDurationMs = 250;
// Limits: a dtmf-relay body is some 25 bytes; anything far larger is not DTMF.
inline constexpr qsizetype kMaxInfoBodyBytes = 256;
inline constexpr int kMaxInfoDurationMs = 60'000;

struct InfoDigit {
    char digit = 0; // '0'-'9', '*', '#', 'A'-'D' (upper case), or kFlash
    int durationMs = kDefaultInfoDurationMs;
    bool durationGiven = false; // false: the body had no Duration, durationMs is the default
    bool operator==(const InfoDigit &) const = default;
};

enum class InfoBodyError {
    UnsupportedType, // neither application/dtmf-relay nor application/dtmf (answer 415)
    TooLarge, // more than kMaxInfoBodyBytes (answer 413)
    Malformed, // a line that is not key=value, a Duration that is not 0..kMaxInfoDurationMs (answer 400)
    MissingSignal, // no Signal line, or an empty application/dtmf body (answer 400)
    BadDigit, // a Signal that is no DTMF key: "E", "17", "12#" (answer 400)
};

// contentType: the Content-Type header value (parameters and case are ignored).
std::expected<InfoDigit, InfoBodyError> parseInfoBody(QByteArrayView contentType, QByteArrayView body);

// The final response status a UAS sends for a body that does not parse (see the top of this file).
int responseStatus(InfoBodyError error);
// "unsupported content type", "body too large", ...: for logs and findings.
const char *infoBodyErrorText(InfoBodyError error);

// The body of an INFO carrying digit ('0'-'9', '*', '#', 'A'-'D' in either case, or kFlash):
// "Signal=5\r\nDuration=160\r\n" or "5". Empty for a digit that is none of these. The duration is
// clamped to 0..kMaxInfoDurationMs; application/dtmf has no place for it.
QByteArray writeInfoBody(InfoBodyType type, char digit, int durationMs);
// "application/dtmf-relay" or "application/dtmf".
QByteArray infoContentType(InfoBodyType type);

} // namespace ds::dtmf
