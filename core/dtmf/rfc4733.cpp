#include "rfc4733.h"

#include <algorithm>

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

int ReceivedEvent::durationMs(int clockRate) const
{
    if (clockRate <= 0)
        return 0;
    return int((std::uint64_t(durationUnits) * 1000 + std::uint64_t(clockRate) / 2) / std::uint64_t(clockRate));
}

ReceivedEvent EventReceiver::close(const Current &c, bool endSeen) const
{
    ReceivedEvent r;
    r.digit = digitOfEvent(c.last.event).value_or('?');
    r.timestamp = c.start;
    // RFC 4733 2.5.2.3: a long event's duration is its segments' durations added up; every
    // segment but the current one lasted up to where the next began.
    r.durationUnits = (c.timestamp - c.start) + c.last.duration;
    r.volume = c.last.volume;
    r.endSeen = endSeen;
    r.endRepeats = c.endRepeats;
    return r;
}

// RFC 4733 2.5.1.3 / 2.5.2.3: the next segment of a long event has the same event code and the
// timestamp of the previous segment plus its duration, the previous segment having no end (E bit).
bool EventReceiver::continues(const Current &c, std::uint32_t timestamp, const EventPayload &e, std::int64_t nowMs) const
{
    if (c.reported || e.event != c.last.event || nowMs - c.lastMs >= m_timeoutMs)
        return false;
    const std::uint32_t gap = timestamp - c.timestamp; // serial arithmetic: the timestamp may wrap
    const std::uint32_t tolerance = std::uint32_t(std::int64_t(m_clockRate) * kJoinToleranceMs / 1000);
    return gap >= c.last.duration && gap - c.last.duration <= tolerance;
}

std::vector<ReceivedEvent> EventReceiver::packet(std::uint32_t timestamp, std::span<const std::uint8_t> payload, std::int64_t nowMs)
{
    std::vector<ReceivedEvent> done;
    const auto e = parseEvent(payload);
    if (!e) {
        ++m_malformed;
        return done;
    }
    // RFC 4733 2.5.1.2: every packet of one event carries the event's start timestamp; a new
    // timestamp is a new event — or the next segment of a long one (2.5.1.3).
    if (m_current && m_current->timestamp != timestamp) {
        if (continues(*m_current, timestamp, *e, nowMs)) {
            m_current->timestamp = timestamp;
            m_current->last = *e;
            m_current->lastMs = nowMs;
        } else if (timestamp - m_current->start < m_current->timestamp - m_current->start) {
            return done; // a late packet of an earlier segment of this event
        } else {
            if (!m_current->reported)
                done.push_back(close(*m_current, false));
            m_current.reset();
        }
    }
    if (m_current && m_current->timestamp == timestamp && e->event != m_current->last.event) {
        // Another key at the same timestamp: senders that do not advance the clock in silence (or
        // with DTX) start the next event where the last one began. A new event, not an update.
        if (!m_current->reported)
            done.push_back(close(*m_current, false));
        m_current.reset();
    }
    if (!m_current) {
        m_current = Current {timestamp, *e, nowMs, 0, false, timestamp};
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

EventSender::EventSender(int clockRate, int ptimeMs) { configure(clockRate, ptimeMs); }

void EventSender::configure(int clockRate, int ptimeMs)
{
    m_state = State::Idle;
    m_clockRate = clockRate;
    const std::int64_t units = clockRate > 0 && ptimeMs > 0 ? std::int64_t(clockRate) * ptimeMs / 1000 : 0;
    const bool usable = units >= 1 && units * 4 <= 0xFFFF;
    m_ptimeUnits = usable ? std::uint32_t(units) : 0;
    // RFC 4733 2.5.1.3: a segment may not outgrow the 16-bit duration; whole packet times keep
    // every segment's timestamp on the packet grid of the audio.
    m_segmentUnits = usable ? 0xFFFF / m_ptimeUnits * m_ptimeUnits : 0;
}

bool EventSender::start(char digit, int durationMs, std::uint32_t timestamp, std::uint8_t volume)
{
    const auto event = eventOfDigit(digit);
    if (m_state != State::Idle || !event || m_ptimeUnits == 0 || durationMs < 1 || durationMs > kMaxDurationMs || volume > 63)
        return false;
    const std::int64_t units = std::int64_t(durationMs) * m_clockRate / 1000;
    m_event = *event;
    m_volume = volume;
    m_startTimestamp = timestamp;
    m_totalUnits = std::uint32_t(std::max<std::int64_t>(units, 1));
    m_elapsed = 0;
    m_segmentOffset = 0;
    m_marker = true;
    m_copiesLeft = 0;
    m_state = State::Running;
    return true;
}

void EventSender::stop()
{
    if (m_state == State::Running || m_state == State::SegmentFinal)
        m_totalUnits = std::min(m_totalUnits, m_elapsed + m_ptimeUnits); // this packet time is the last
}

OutgoingEvent EventSender::packet(bool end, std::uint32_t duration, bool replacesAudio)
{
    OutgoingEvent out;
    out.payload = EventPayload {m_event, end, m_volume, std::uint16_t(duration)};
    out.marker = m_marker;
    out.timestamp = m_startTimestamp + m_segmentOffset; // wraps like every RTP timestamp
    out.replacesAudio = replacesAudio;
    m_marker = false;
    return out;
}

std::optional<OutgoingEvent> EventSender::next()
{
    switch (m_state) {
    case State::Idle:
        return std::nullopt;
    case State::Running: {
        // RFC 4733 2.5.1.2: each packet reports the duration from the (segment's) start to the end
        // of this packet time.
        m_elapsed = std::min(m_elapsed + m_ptimeUnits, m_totalUnits);
        const std::uint32_t duration = m_elapsed - m_segmentOffset;
        if (m_elapsed == m_totalUnits) {
            m_state = State::Ending;
            m_copiesLeft = kEndCopies - 1;
            return packet(true, duration, true);
        }
        if (duration == m_segmentUnits) {
            m_state = State::SegmentFinal;
            m_copiesLeft = kEndCopies - 1;
        }
        return packet(false, duration, true);
    }
    case State::SegmentFinal: {
        // RFC 4733 2.5.1.4: a segment's final packet is repeated too, while the key stays down.
        m_elapsed = std::min(m_elapsed + m_ptimeUnits, m_totalUnits);
        if (m_elapsed == m_totalUnits) {
            // The key's time ran out meanwhile: the last segment starts and ends now (2.5.1.3).
            m_segmentOffset += m_segmentUnits;
            m_state = State::Ending;
            m_copiesLeft = kEndCopies - 1;
            return packet(true, m_totalUnits - m_segmentOffset, true);
        }
        const OutgoingEvent out = packet(false, m_segmentUnits, true);
        if (--m_copiesLeft == 0) {
            m_segmentOffset += m_segmentUnits; // the next segment begins where this one ended
            m_state = State::Running;
        }
        return out;
    }
    case State::Ending: {
        // RFC 4733 2.5.1.4: the end packet twice more, identical; the key is up, audio resumes.
        const OutgoingEvent out = packet(true, m_totalUnits - m_segmentOffset, false);
        if (--m_copiesLeft == 0)
            m_state = State::Idle;
        return out;
    }
    }
    return std::nullopt;
}

} // namespace ds::dtmf
