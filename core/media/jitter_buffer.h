#pragma once
// JitterBuffer: adaptive play-out buffer for fixed-duration audio frames; slots preallocated, time passed in (media thread).

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

namespace ds::media {

struct JitterBufferConfig {
    std::uint32_t clockRate = 8000; // RTP timestamp units per second
    int frameMs = 20; // duration of one frame; get() is called once per frame
    int minDelayMs = 40; // target delay never below this
    int maxDelayMs = 300; // nor above this
    double jitterFactor = 3.0; // target = clamp(jitterFactor * RFC 3550 A.8 jitter)
    int shrinkIntervalFrames = 5; // at most one frame dropped per this many frames when shrinking
    std::size_t capacity = 50; // frames held
    std::size_t maxPayload = 1500; // bytes per frame
    int resetTimestampJumpMs = 1000; // timestamp off from what the sequence number predicts by more: reset
};

class JitterBuffer {
public:
    enum class Kind {
        NotYet, // buffering: play silence
        Frame, // `payload` holds the next frame: decode it
        Conceal, // the frame for `sequence` is missing: run the decoder's PLC
        Expand, // growing the delay: play one PLC frame without consuming a sequence number
    };
    struct Output {
        Kind kind = Kind::NotYet;
        std::uint16_t sequence = 0; // Frame, Conceal
        std::uint32_t timestamp = 0; // Frame, Conceal (predicted)
        std::span<const std::uint8_t> payload; // Frame: valid until the next put() or get()
    };
    enum class PutResult { Stored, Duplicate, Late, Oversize, Reset };
    struct Counters {
        std::uint64_t stored = 0, duplicates = 0, late = 0, oversize = 0, resets = 0;
        std::uint64_t played = 0, concealed = 0, expanded = 0, shrunk = 0, overflow = 0;
    };

    explicit JitterBuffer(JitterBufferConfig config = {});

    PutResult put(std::uint16_t sequence, std::uint32_t timestamp, std::span<const std::uint8_t> payload, std::int64_t arrivalMs);
    Output get(std::int64_t nowMs);

    int targetDelayMs() const;
    int currentDelayMs() const { return m_lastDelayMs; } // play-out delay over the fastest recent packet, at the last get()
    double jitterMs() const { return m_jitter * 1000.0 / m_config.clockRate; }
    std::size_t size() const { return m_count; } // frames held
    const Counters &counters() const { return m_counters; }
    const JitterBufferConfig &config() const { return m_config; }

private:
    struct Slot {
        std::int64_t ext = -1; // extended sequence number held, -1 when never used
        bool present = false; // waiting to be played (else the slot is free; ext remembers what it last held)
        std::uint32_t timestamp = 0;
        std::uint16_t size = 0;
    };
    enum class State { Empty, Buffering, Playing };

    void restart(std::int64_t ext, std::uint32_t timestamp);
    void store(std::int64_t ext, std::uint32_t timestamp, std::span<const std::uint8_t> payload);
    void dropOldest();
    std::uint32_t expectedTimestamp(std::int64_t ext) const;
    std::int64_t toMs(std::int64_t units) const { return units * 1000 / std::int64_t(m_config.clockRate); }
    std::uint32_t toUnits(std::int64_t ms) const { return std::uint32_t(ms * std::int64_t(m_config.clockRate) / 1000); }
    void noteTransit(std::uint32_t transit);
    std::uint32_t baseTransit() const;
    Slot &slotFor(std::int64_t ext) { return m_slots[std::size_t(ext % std::int64_t(m_slots.size()))]; }

    JitterBufferConfig m_config;
    std::uint32_t m_frameUnits;
    std::vector<Slot> m_slots; // capacity entries, allocated once
    std::vector<std::uint8_t> m_storage; // capacity * maxPayload bytes, allocated once
    State m_state = State::Empty;
    std::int64_t m_anchorExt = 0; // sequence/timestamp pair the others are predicted from
    std::uint32_t m_anchorTs = 0;
    std::int64_t m_highest = 0; // newest extended sequence number stored
    std::int64_t m_next = 0; // next extended sequence number to play
    std::int64_t m_firstArrivalMs = 0;
    std::size_t m_count = 0;
    int m_sinceAdjust = 0; // frames since the last shrink
    int m_drySpell = 0; // consecutive conceals with nothing buffered
    int m_lastDelayMs = 0;
    // RFC 3550 A.8 jitter over put() arrivals, and the recent relative transits for the fastest-packet baseline.
    bool m_haveTransit = false;
    std::uint32_t m_transit = 0;
    double m_jitter = 0;
    static constexpr std::size_t kTransits = 64;
    std::array<std::uint32_t, kTransits> m_transits {};
    std::size_t m_transitCount = 0, m_transitPos = 0;
    Counters m_counters;
};

} // namespace ds::media
