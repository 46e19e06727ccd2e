#include "media/sequence_unwrapper.h"

namespace ds::media {

std::optional<SequenceUnwrapper::Result> SequenceUnwrapper::update(std::uint16_t seq)
{
    if (!m_started) {
        m_started = true;
        m_maxSeq = seq;
        return Result {seq, Kind::First};
    }
    // RFC 3550 A.1 update_seq: udelta is the forward distance modulo 2^16.
    const std::uint16_t udelta = std::uint16_t(seq - m_maxSeq);
    if (udelta == 0)
        return Result {std::int64_t(m_cycles) + seq, Kind::Late}; // duplicate of the newest
    if (udelta < kMaxDropout) {
        if (seq < m_maxSeq)
            m_cycles += 0x10000; // wrapped
        m_maxSeq = seq;
        m_badSeq = 0x10000;
        return Result {std::int64_t(m_cycles) + seq, Kind::InOrder};
    }
    if (udelta <= 0x10000 - kMaxMisorder) {
        // A very large jump: accept it only if the next packet follows it (the sender restarted).
        if (seq == m_badSeq) {
            *this = SequenceUnwrapper();
            m_started = true;
            m_maxSeq = seq;
            return Result {seq, Kind::Restarted};
        }
        m_badSeq = (std::uint32_t(seq) + 1) & 0xFFFF;
        return std::nullopt;
    }
    // Late or duplicate: belongs to the current cycle, or to the previous one if it is numerically above max.
    const std::int64_t cycles = seq > m_maxSeq ? std::int64_t(m_cycles) - 0x10000 : std::int64_t(m_cycles);
    return Result {cycles + seq, Kind::Late};
}

} // namespace ds::media
