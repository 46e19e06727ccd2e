#pragma once
// RFC 4733 telephone-event payloads (the DTMF of RFC 2833): the 4-byte event block, parsed and
// written without allocation, and the receiver that turns a stream of event packets into digits —
// one event per RTP timestamp, retransmitted end packets counted once, the duration taken from
// the end packet, an event whose end never came closed by a timeout. Media thread.

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
};

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

private:
    struct Current {
        std::uint32_t timestamp = 0;
        EventPayload last;
        std::int64_t lastMs = 0;
        std::uint32_t endRepeats = 0;
        bool reported = false; // its end was reported; later end packets are retransmissions
    };
    ReceivedEvent close(const Current &c, bool endSeen) const;

    int m_clockRate;
    int m_timeoutMs;
    std::optional<Current> m_current;
    std::uint32_t m_malformed = 0;
};

} // namespace ds::dtmf
