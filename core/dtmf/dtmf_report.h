#pragma once
// DTMF reports: what a far end that listens for DTMF (the demo peer's `dtmf` extension) says it
// detected, one line per digit in a text/plain body — "DTMF 5 rfc4733 120 ms" (the digit, the mode
// as modeName() names it, the duration) — readable in a ladder and parsed back by our own client.
// Pure functions, any thread.

#include "digit_event.h"

#include <QByteArray>
#include <QByteArrayView>
#include <QList>
#include <QString>

#include <expected>
#include <span>

namespace ds::dtmf {

// The Content-Type of a report (RFC 3428: a MESSAGE of plain text).
inline constexpr QByteArrayView kReportContentType = "text/plain";
// Limits: a line is some 25 bytes; anything far larger is not a report.
inline constexpr qsizetype kMaxReportBytes = 4096;
inline constexpr int kMaxReportLines = 64;
inline constexpr int kMaxReportDurationMs = 60'000;

// "DTMF 5 rfc4733 120 ms\r\n": one line per digit (CRLF, as text/plain in SIP). The duration is
// clamped to 0..kMaxReportDurationMs; an event whose digit is no DTMF key gives nothing.
QByteArray formatReport(const DigitEvent &event);
QByteArray formatReport(std::span<const DigitEvent> events);

// The digits of a report (digit, mode, durationMs; dir Out: a report is about digits its reader
// sent). Lines end in CRLF or LF; blank lines are skipped. The error names the line that is not a
// report line, or says the body is empty or too large; a body that is not a report at all (any other
// text message) is an error too.
std::expected<QList<DigitEvent>, QString> parseReport(QByteArrayView body);

// Whether a Content-Type (parameters and case ignored) is that of a report.
bool isReportContentType(QByteArrayView contentType);

} // namespace ds::dtmf
