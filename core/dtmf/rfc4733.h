#pragma once
// RFC 4733 telephone-event payloads (the DTMF of RFC 2833): the 4-byte event block, parsed and
// written without allocation, and the receiver that turns a stream of event packets into digits —
// one event per RTP timestamp, retransmitted end packets counted once, the duration taken from
// the end packet, an event whose end never came closed by a timeout, the segments of a long event
// joined again — and the sender that packetises one digit into such packets. Media thread.

#include <array>
#include <cstdint>
#include <expected>
#include <optional>
#include <span>
#include <vector>

namespace ds::dtmf {

// RFC 4733 2.3: event (8 bits), E (end), R (reserved), volume (6 bits, -dBm0), duration (16 bits, in
// timestamp units).
struct EventPayload {
    std::uint8_t event = 0; // 0-9, 10 = *, 11 = #, 12-15 = A-D, 16 = flash (RFC 4733 3.2)
    bool end = false;
    std::uint8_t volume = 10; // 0..63, the power level below 0 dBm0
    std::uint16_t duration = 0;

    static constexpr std::size_t size = 4;
    bool operator==(const EventPayload &) const = default;
};

enum class EventError {
    TooShort, // fewer than 4 bytes
    BadVolume, // serialize: volume above 63
};

// One event block (the first of the payload; RFC 4733 2.5.1.4's redundant blocks are not sent
// by phones in practice and are ignored).
std::expected<EventPayload, EventError> parseEvent(std::span<const std::uint8_t> payload);
std::expected<std::size_t, EventError> writeEvent(const EventPayload &event, std::span<std::uint8_t> out);

// The digit of an event code: '0'-'9', '*', '#', 'A'-'D'; nullopt for other events (flash, tones).
std::optional<char> digitOfEvent(std::uint8_t event);
std::optional<std::uint8_t> eventOfDigit(char digit); // accepts 'a'-'d' too

// A digit as received: what the analyzer reports.
struct ReceivedEvent {
    char digit = 0;
    std::uint32_t timestamp = 0; // RTP timestamp of the event's start
    std::uint32_t durationUnits = 0; // from the end packet, or the last update seen
    std::uint8_t volume = 0;
    bool endSeen = true; // false: closed by the timeout, the end packet never came
    std::uint32_t endRepeats = 0; // how many end packets arrived (RFC 4733 2.5.1.4 sends three)
    // The duration in milliseconds at the telephone-event clock rate, rounded.
    int durationMs(int clockRate) const;
};

// Groups telephone-event packets into digits: one event per RTP timestamp, or several timestamps
// for a long event sent in segments (RFC 4733 2.5.1.3). Media thread.
class EventReceiver {
public:
    // clockRate: of the negotiated telephone-event (8000 or 48000); timeoutMs: an event with no
    // packet for that long is closed without its end.
    explicit EventReceiver(int clockRate = 8000, int timeoutMs = 500)
        : m_clockRate(clockRate)
        , m_timeoutMs(timeoutMs)
    {
    }

    // One telephone-event RTP packet (its timestamp and payload) at local time nowMs; returns the
    // events that completed with it (an end, or a new event closing one that never ended).
    std::vector<ReceivedEvent> packet(std::uint32_t timestamp, std::span<const std::uint8_t> payload, std::int64_t nowMs);
    // Time passing without packets: closes an event that timed out.
    std::optional<ReceivedEvent> tick(std::int64_t nowMs);

    int clockRate() const { return m_clockRate; }
    std::uint32_t malformed() const { return m_malformed; }

    // A segment continues the current event when it starts where the previous segment's last
    // reported duration ended, up to this much later (that segment's final packets were lost).
    static constexpr int kJoinToleranceMs = 40;

private:
    struct Current {
        std::uint32_t timestamp = 0; // of the current segment
        EventPayload last;
        std::int64_t lastMs = 0;
        std::uint32_t endRepeats = 0;
        bool reported = false; // its end was reported; later end packets are retransmissions
        std::uint32_t start = 0; // of the first segment: the event's timestamp
    };
    ReceivedEvent close(const Current &c, bool endSeen) const;
    bool continues(const Current &c, std::uint32_t timestamp, const EventPayload &e, std::int64_t nowMs) const;

    int m_clockRate;
    int m_timeoutMs;
    std::optional<Current> m_current;
    std::uint32_t m_malformed = 0;
};

// One telephone-event packet to send: the payload and the RTP header fields that belong to it.
struct OutgoingEvent {
    EventPayload payload;
    bool marker = false; // RTP M bit: the first packet of the event only (RFC 4733 2.5.1.2)
    std::uint32_t timestamp = 0; // the start of the event, or of its current segment (2.5.1.3)
    // true: the packet stands for this packet time's audio, send no audio now (the key is down);
    // false: the second and third copies of the final end packet, sent while audio resumes.
    bool replacesAudio = true;
    bool operator==(const OutgoingEvent &) const = default;
};

// Turns one digit into the RFC 4733 packet sequence, one packet per packet time, without
// allocating. Media thread.
//
// The caller keeps its audio RTP timestamp advancing by one packet time per packet as always:
// start() takes the timestamp of the packet time it is called in, next() is called once in that
// packet time and once in each one after it, and audio resumes with its usual timestamp. The event stands in for the audio of the
// timestamps [startTimestamp(), startTimestamp() + spanUnits()).
class EventSender {
public:
    explicit EventSender(int clockRate = 8000, int ptimeMs = 20);
    // Changes the telephone-event clock rate (8000, 48000...) and packet time; cancels an event. A
    // packet time of less than one timestamp unit, or more than a quarter of 0xFFFF, is unusable.
    void configure(int clockRate, int ptimeMs);

    // Starts a digit ('0'-'9', '*', '#', 'A'-'D', either case) whose RTP timestamp is `timestamp`
    // (the audio clock now), lasting durationMs (1..kMaxDurationMs), volume in -dBm0 (0..63, RFC
    // 4733 2.3.4; 10 is the level phones commonly send). False, and nothing changes, when the
    // digit, duration or volume is out of range, the configuration is unusable (see configure), or
    // an event is still being sent.
    bool start(char digit, int durationMs, std::uint32_t timestamp, std::uint8_t volume = 10);
    // Ends the running event now (a key released early): the next packet is its end.
    void stop();
    bool active() const { return m_state != State::Idle; }

    // Called once per packet time: the packet to send now, or nullopt when idle.
    // RFC 4733 2.5.1.2: the first packet has the marker; each packet carries the event's timestamp
    // and a duration one packet time longer than the last; when the duration is reached the end
    // packet (E set, final duration) goes out three times on consecutive calls (2.5.1.4), then idle.
    // An event longer than a 16-bit duration (about 8.2 s at 8 kHz, 1.36 s at 48 kHz) is sent in
    // segments (2.5.1.3): each segment lasts the most whole packet times that fit in 0xFFFF, its
    // final packet (E clear) goes out three times like an event's (2.5.1.4), and the next segment
    // takes the previous one's timestamp plus its duration, without marker; only the last segment
    // ends with E set. Whole packet times keep every segment on the audio's packet grid.
    std::optional<OutgoingEvent> next();

    std::uint32_t startTimestamp() const { return m_startTimestamp; }
    // The whole event's duration in timestamp units, all segments together (of the running event,
    // or of the last one).
    std::uint32_t spanUnits() const { return m_totalUnits; }
    int clockRate() const { return m_clockRate; }
    std::uint32_t ptimeUnits() const { return m_ptimeUnits; }
    std::uint32_t segmentUnits() const { return m_segmentUnits; }

    static constexpr int kEndCopies = 3; // RFC 4733 2.5.1.4
    static constexpr int kMaxDurationMs = 60'000;

private:
    enum class State : std::uint8_t { Idle, Running, SegmentFinal, Ending };
    OutgoingEvent packet(bool end, std::uint32_t duration, bool replacesAudio);

    int m_clockRate = 8000;
    std::uint32_t m_ptimeUnits = 160;
    std::uint32_t m_segmentUnits = 0; // the longest segment: whole packet times within 0xFFFF

    State m_state = State::Idle;
    std::uint8_t m_event = 0;
    std::uint8_t m_volume = 10;
    bool m_marker = false; // the next packet is the event's first
    int m_copiesLeft = 0; // of the segment's or event's final packet
    std::uint32_t m_startTimestamp = 0;
    std::uint32_t m_totalUnits = 0;
    std::uint32_t m_elapsed = 0; // units since the event's start covered by the packets so far
    std::uint32_t m_segmentOffset = 0; // units from the event's start to the current segment's
};

} // namespace ds::dtmf
