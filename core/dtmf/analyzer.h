#pragma once
// Analyzer: one call's DTMF as it happened — each digit with the modes it arrived (or went) in, and
// plain-language findings about what the far end really does. Main thread (fed from Call).

#include "dtmf/digit_event.h"

#include <QByteArray>
#include <QList>

namespace ds::dtmf {

// One digit after merging: the same digit seen in several modes at overlapping times is one key press.
struct MergedDigit {
    char digit = 0;
    Direction dir = Direction::In;
    std::int64_t atMs = 0; // earliest start among its modes
    int durationMs = 0; // longest among its modes
    std::uint8_t modes = 0; // bitwise OR of Mode values
    std::optional<double> levelDbm0; // from the in-band detection when there was one, else RFC 4733 volume
    QList<DigitEvent> events; // what was seen, one per mode (at most a few)
    bool has(Mode m) const { return modes & std::uint8_t(m); }
};

// Analyzer: merges one call's DTMF events into key presses and diagnoses the far end's DTMF. Main thread.
class Analyzer {
public:
    // The negotiation as the call set it up: whether we offered telephone-event, whether the answer
    // (the far end's SDP, or ours when we answered) has it, and the audio codec ("PCMU", "opus", ...).
    // May be called again on a re-INVITE.
    void setNegotiation(bool offeredTelephoneEvent, bool negotiatedTelephoneEvent, const QByteArray &codec);
    // A digit sent or received, in time order per mode (modes may interleave).
    void add(const DigitEvent &event);
    // A request to send in a mode that could not be honoured (telephone-event not negotiated, INFO
    // not allowed...), and why: "rfc4733-refused" (or "info-refused", "inband-refused").
    void noteRefused(Mode mode, const QString &why);
    // The call is over: settles the findings that wait for more digits ("inband-only", "info-only").
    void finish();

    QList<MergedDigit> digits() const { return m_digits; } // in time order
    QList<Finding> findings() const { return m_findings; } // each finding once, in the order first found
    // Findings that appeared since the last call (for `finding` events as they happen); advances a cursor.
    QList<Finding> takeNewFindings();
    // Events past kMaxEvents, not analysed.
    qsizetype droppedEvents() const { return m_dropped; }

    // Two events of the same digit are one key press when they overlap in time, allowing this slack
    // (RFC 4733 events and in-band tones of one key are not exactly aligned).
    static constexpr int kMergeSlackMs = 150;
    // "Only in-band" and "only INFO" wait until the call's digits have moved this far past the first
    // such digit (or the call ends): by then the same key's copy in another mode has arrived too.
    static constexpr int kSettleMs = 2000;
    // At most this many events per call; further ones are dropped, with a finding saying so.
    static constexpr qsizetype kMaxEvents = 10'000;
    // Longer durations are taken as this (a stuck detector must not make every digit overlap).
    static constexpr int kMaxDurationMs = 60'000;

private:
    struct Counts {
        int rfc4733 = 0, inband = 0, info = 0;
        int &of(Mode m);
    };
    qsizetype merge(const DigitEvent &event);
    void checkEvent(const DigitEvent &event, const MergedDigit &merged);
    void settle();
    bool hasFinding(const QString &code) const;
    void addFinding(Finding::Severity severity, const QString &code, const QString &text);
    bool compressedCodec() const;

    bool m_offered = false, m_negotiated = false, m_finished = false;
    QByteArray m_codec;
    QList<MergedDigit> m_digits; // sorted by atMs
    Counts m_in, m_out;
    qsizetype m_added = 0, m_dropped = 0;
    std::int64_t m_maxSpanMs = 0; // the longest merged digit, bounding the search for merge partners
    std::int64_t m_latestMs = 0; // the latest end of any digit: how far the call's digits have got
    std::optional<std::int64_t> m_firstInbandInEndMs, m_firstInfoInEndMs;
    QList<Finding> m_findings;
    qsizetype m_reported = 0;
};

} // namespace ds::dtmf
