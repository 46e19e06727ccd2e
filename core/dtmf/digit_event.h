#pragma once
// DigitEvent and Finding: one DTMF digit as sent or received in one mode, and a diagnosis in plain
// words; the values the analyzer, the CLI and the GUI share. Any thread (plain values).

#include <QMetaType>
#include <QString>

#include <cstdint>
#include <optional>

namespace ds::dtmf {

// The three ways a digit travels (RFC 4733 events in RTP, tones in the audio, SIP INFO bodies).
enum class Mode : std::uint8_t { Rfc4733 = 1, Inband = 2, Info = 4 };
// "rfc4733", "inband", "info": the names of the command line and the JSON events.
const char *modeName(Mode mode);
std::optional<Mode> modeFromName(QStringView name);

enum class Direction : std::uint8_t { In, Out };

struct DigitEvent {
    char digit = 0; // '0'-'9', '*', '#', 'A'-'D'
    Mode mode = Mode::Rfc4733;
    Direction dir = Direction::In;
    std::int64_t atMs = 0; // start of the digit, ms since the call's media started (or the file's start)
    int durationMs = 0;
    std::optional<double> levelDbm0 {}; // in-band: the stronger tone's level; RFC 4733: -volume; INFO: none
    std::optional<double> twistDb {}; // in-band: low group minus high group, dB (positive: normal twist, Q.24)
    bool endSeen = true; // RFC 4733: false when the end packet never came (closed by timeout)
    std::optional<int> infoStatus {}; // INFO sent: the final response status
};

struct Finding {
    enum class Severity : std::uint8_t { Info, Warning, Error };
    Severity severity = Severity::Warning;
    QString code; // stable identifier: "double-digits", "inband-only", "inband-over-opus", "event-without-end", "info-error", ...
    QString text; // one or two plain sentences for the user
    bool operator==(const Finding &) const = default;
};
const char *severityName(Finding::Severity severity); // "info", "warning", "error"

} // namespace ds::dtmf

Q_DECLARE_METATYPE(ds::dtmf::DigitEvent)
Q_DECLARE_METATYPE(ds::dtmf::Finding)
