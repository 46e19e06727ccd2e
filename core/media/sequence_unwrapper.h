#pragma once
// SequenceUnwrapper: extends 16-bit RTP sequence numbers across wrap-arounds, RFC 3550 A.1 style (media thread).

#include <cstdint>
#include <optional>

namespace ds::media {

class SequenceUnwrapper {
public:
    // RFC 3550 A.1 constants: a jump forward of up to kMaxDropout is a loss burst; a step back of up
    // to kMaxMisorder is a late or duplicate packet; anything else is a jump that needs confirming.
    static constexpr std::uint16_t kMaxDropout = 3000;
    static constexpr std::uint16_t kMaxMisorder = 100;

    enum class Kind {
        First, // the first packet seen
        InOrder, // newer than every packet so far (gaps allowed)
        Late, // older than the newest, or a duplicate
        Restarted, // the second packet after a large jump: the sender restarted, numbering restarts too
    };
    struct Result {
        std::int64_t extended; // cycles * 65536 + sequence; negative only for late packets from before the first
        Kind kind;
    };

    // nullopt when the packet is a large jump not yet confirmed by the next one (RFC 3550 A.1 bad_seq).
    std::optional<Result> update(std::uint16_t sequence);

    bool started() const { return m_started; }
    // The extended highest sequence number received, as RTCP reception reports carry it (RFC 3550 6.4.1).
    std::uint32_t extendedMax() const { return m_cycles + m_maxSeq; }
    void reset() { *this = SequenceUnwrapper(); }

private:
    bool m_started = false;
    std::uint16_t m_maxSeq = 0;
    std::uint32_t m_cycles = 0; // count of wraps, shifted: a multiple of 65536
    std::uint32_t m_badSeq = 0x10000; // RTP_SEQ_MOD + 1 in A.1: no sequence number matches
};

} // namespace ds::media
