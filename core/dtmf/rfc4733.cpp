#include "rfc4733.h"

namespace ds::dtmf {

std::expected<EventPayload, EventError> parseEvent(std::span<const std::uint8_t> payload)
{
    if (payload.size() < EventPayload::size)
        return std::unexpected(EventError::TooShort);
    EventPayload e;
    e.event = payload[0];
    e.end = payload[1] & 0x80;
    e.volume = payload[1] & 0x3f;
    e.duration = std::uint16_t(payload[2] << 8 | payload[3]);
    return e;
}

std::expected<std::size_t, EventError> writeEvent(const EventPayload &e, std::span<std::uint8_t> out)
{
    if (out.size() < EventPayload::size)
        return std::unexpected(EventError::TooShort);
    if (e.volume > 63)
        return std::unexpected(EventError::BadVolume);
    out[0] = e.event;
    out[1] = std::uint8_t((e.end ? 0x80 : 0) | e.volume); // R stays 0 (RFC 4733 2.3)
    out[2] = std::uint8_t(e.duration >> 8);
    out[3] = std::uint8_t(e.duration);
    return EventPayload::size;
}

std::optional<char> digitOfEvent(std::uint8_t event)
{
    static constexpr char kDigits[] = "0123456789*#ABCD";
    if (event < 16)
        return kDigits[event];
    return std::nullopt;
}

std::optional<std::uint8_t> eventOfDigit(char digit)
{
    if (digit >= '0' && digit <= '9')
        return std::uint8_t(digit - '0');
    if (digit == '*')
        return 10;
    if (digit == '#')
        return 11;
    if (digit >= 'A' && digit <= 'D')
        return std::uint8_t(12 + digit - 'A');
    if (digit >= 'a' && digit <= 'd')
        return std::uint8_t(12 + digit - 'a');
    return std::nullopt;
}

ReceivedEvent EventReceiver::close(const Current &c, bool endSeen) const
{
    ReceivedEvent r;
    r.digit = digitOfEvent(c.last.event).value_or('?');
    r.timestamp = c.timestamp;
    r.durationUnits = c.last.duration;
    r.volume = c.last.volume;
    r.endSeen = endSeen;
    r.endRepeats = c.endRepeats;
    return r;
}

std::vector<ReceivedEvent> EventReceiver::packet(std::uint32_t timestamp, std::span<const std::uint8_t> payload, std::int64_t nowMs)
{
    std::vector<ReceivedEvent> done;
    const auto e = parseEvent(payload);
    if (!e) {
        ++m_malformed;
        return done;
    }
    // RFC 4733 2.5.1.3: every packet of one event carries the event's start timestamp; a new
    // timestamp is a new event.
    if (m_current && m_current->timestamp != timestamp) {
        if (!m_current->reported)
            done.push_back(close(*m_current, false));
        m_current.reset();
    }
    if (!m_current) {
        m_current = Current {timestamp, *e, nowMs, 0, false};
    } else if (e->duration >= m_current->last.duration || e->end) {
        m_current->last = *e; // duration updates only grow (a reordered older update is ignored)
        m_current->lastMs = nowMs;
    }
    if (e->end) {
        ++m_current->endRepeats;
        if (!m_current->reported) {
            // RFC 4733 2.5.1.4: the end packet is sent three times; the first one reports.
            m_current->last = *e;
            m_current->reported = true;
            done.push_back(close(*m_current, true));
        }
    }
    return done;
}

std::optional<ReceivedEvent> EventReceiver::tick(std::int64_t nowMs)
{
    if (!m_current || m_current->reported || nowMs - m_current->lastMs < m_timeoutMs)
        return std::nullopt;
    const ReceivedEvent r = close(*m_current, false);
    m_current->reported = true;
    return r;
}

} // namespace ds::dtmf
