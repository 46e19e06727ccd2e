#include "media/jitter_buffer.h"

#include <algorithm>
#include <cassert>
#include <cmath>
#include <cstdlib>

namespace ds::media {

namespace {
constexpr std::int64_t kExtOffset = 0x10000; // first extended number is sequence + 65536, so earlier packets stay positive
}

JitterBuffer::JitterBuffer(JitterBufferConfig config)
    : m_config(config)
    , m_frameUnits(std::uint32_t(std::int64_t(config.clockRate) * config.frameMs / 1000))
    , m_slots(config.capacity)
    , m_storage(config.capacity * config.maxPayload)
{
    assert(config.capacity > 1 && config.frameMs > 0 && config.clockRate > 0 && config.minDelayMs <= config.maxDelayMs);
}

int JitterBuffer::targetDelayMs() const
{
    const int wanted = int(std::lround(m_config.jitterFactor * jitterMs()));
    return std::clamp(wanted, m_config.minDelayMs, m_config.maxDelayMs);
}

std::uint32_t JitterBuffer::expectedTimestamp(std::int64_t ext) const { return m_anchorTs + std::uint32_t((ext - m_anchorExt) * m_frameUnits); }

void JitterBuffer::restart(std::int64_t ext, std::uint32_t timestamp)
{
    for (auto &s : m_slots)
        s = Slot {};
    m_count = 0;
    m_anchorExt = m_highest = m_next = ext;
    m_anchorTs = timestamp;
    m_state = State::Buffering;
    m_sinceAdjust = 0;
    m_drySpell = 0;
    m_haveTransit = false; // the transit of a new stream has nothing to do with the old one
    m_transitCount = m_transitPos = 0;
}

void JitterBuffer::store(std::int64_t ext, std::uint32_t timestamp, std::span<const std::uint8_t> payload)
{
    Slot &s = slotFor(ext);
    s = Slot {ext, true, timestamp, std::uint16_t(payload.size())};
    const std::size_t index = std::size_t(&s - m_slots.data());
    std::copy(payload.begin(), payload.end(), m_storage.begin() + std::ptrdiff_t(index * m_config.maxPayload));
    ++m_count;
    ++m_counters.stored;
    m_highest = std::max(m_highest, ext);
}

void JitterBuffer::dropOldest()
{
    Slot &s = slotFor(m_next);
    if (s.present && s.ext == m_next) {
        s.present = false;
        --m_count;
        ++m_counters.overflow;
    }
    ++m_next;
}

void JitterBuffer::noteTransit(std::uint32_t transit)
{
    // RFC 3550 A.8: J += (|D| - J) / 16, D the change in relative transit between consecutive arrivals.
    if (m_haveTransit) {
        const std::int32_t d = std::int32_t(transit - m_transit);
        m_jitter += (std::abs(double(d)) - m_jitter) / 16.0;
    }
    m_transit = transit;
    m_haveTransit = true;
    m_transits[m_transitPos] = transit;
    m_transitPos = (m_transitPos + 1) % kTransits;
    m_transitCount = std::min(m_transitCount + 1, kTransits);
}

std::uint32_t JitterBuffer::baseTransit() const
{
    // The fastest recent packet: compared relative to the newest so the 32-bit wrap does not matter.
    std::int32_t lowest = 0;
    for (std::size_t i = 0; i < m_transitCount; ++i)
        lowest = std::min(lowest, std::int32_t(m_transits[i] - m_transit));
    return m_transit + std::uint32_t(lowest);
}

JitterBuffer::PutResult JitterBuffer::put(std::uint16_t sequence, std::uint32_t timestamp, std::span<const std::uint8_t> payload, std::int64_t arrivalMs)
{
    if (payload.size() > m_config.maxPayload) {
        ++m_counters.oversize;
        return PutResult::Oversize;
    }
    const std::uint32_t transit = toUnits(arrivalMs) - timestamp;
    if (m_state == State::Empty) {
        restart(kExtOffset + sequence, timestamp);
        m_firstArrivalMs = arrivalMs;
        noteTransit(transit);
        store(m_next, timestamp, payload);
        return PutResult::Stored;
    }

    const std::int64_t ext = m_highest + std::int16_t(std::uint16_t(sequence - std::uint16_t(m_highest)));
    const std::int32_t tsError = std::int32_t(timestamp - expectedTimestamp(ext));
    if (ext - m_highest > std::int64_t(m_slots.size()) || std::abs(std::int64_t(tsError)) > std::int64_t(toUnits(m_config.resetTimestampJumpMs))) {
        // A jump the buffer cannot bridge (sender restart, new stream, long outage): start over from this packet.
        ++m_counters.resets;
        restart(kExtOffset + sequence, timestamp);
        m_firstArrivalMs = arrivalMs;
        noteTransit(transit);
        store(m_next, timestamp, payload);
        return PutResult::Reset;
    }

    if (slotFor(ext).ext == ext) { // still waiting, or already played and not yet overwritten
        ++m_counters.duplicates;
        return PutResult::Duplicate;
    }
    noteTransit(transit); // late packets are exactly what the jitter estimate must see
    if (ext < m_next) {
        if (m_state == State::Playing || m_highest - ext >= std::int64_t(m_slots.size())) {
            ++m_counters.late; // its play-out time has passed
            return PutResult::Late;
        }
        m_next = ext; // reordered while still buffering: it plays first
    }
    while (ext - m_next >= std::int64_t(m_slots.size()))
        dropOldest();
    store(ext, timestamp, payload);
    return PutResult::Stored;
}

JitterBuffer::Output JitterBuffer::get(std::int64_t nowMs)
{
    if (m_state == State::Empty)
        return {};
    // Delay of the next frame's play-out over the fastest recent packet's arrival.
    const std::int32_t delayUnits = std::int32_t(toUnits(nowMs) - expectedTimestamp(m_next) - baseTransit());
    m_lastDelayMs = int(toMs(delayUnits));
    const int target = targetDelayMs();
    if (m_state == State::Buffering) {
        if (m_lastDelayMs < target)
            return {};
        m_state = State::Playing;
        m_sinceAdjust = 0;
    } else {
        ++m_sinceAdjust;
        if (m_lastDelayMs + m_config.frameMs <= target) { // grow: one PLC frame, nothing consumed
            ++m_counters.expanded;
            return {Kind::Expand, 0, 0, {}};
        }
        const auto waiting = [this](std::int64_t e) { return slotFor(e).present && slotFor(e).ext == e; };
        if (m_lastDelayMs >= target + m_config.frameMs && m_sinceAdjust >= m_config.shrinkIntervalFrames && waiting(m_next) && waiting(m_next + 1)) {
            Slot &s = slotFor(m_next); // shrink: skip one frame while the next one is there to play
            s.present = false;
            --m_count;
            ++m_next;
            ++m_counters.shrunk;
            m_sinceAdjust = 0;
            m_lastDelayMs -= m_config.frameMs;
        }
    }

    Output out;
    out.sequence = std::uint16_t(m_next);
    Slot &s = slotFor(m_next);
    if (s.present && s.ext == m_next) {
        out.kind = Kind::Frame;
        out.timestamp = s.timestamp;
        const std::size_t index = std::size_t(&s - m_slots.data());
        out.payload = std::span<const std::uint8_t>(m_storage).subspan(index * m_config.maxPayload, s.size);
        s.present = false;
        --m_count;
        ++m_counters.played;
        m_drySpell = 0;
    } else {
        out.kind = Kind::Conceal;
        out.timestamp = expectedTimestamp(m_next);
        ++m_counters.concealed;
        if (m_count == 0 && ++m_drySpell * m_config.frameMs >= m_config.maxDelayMs)
            m_state = State::Empty; // nothing arriving: buffer afresh when the stream comes back
    }
    ++m_next;
    return out;
}

} // namespace ds::media
