#pragma once
// ReceiverStats: RFC 3550 6.4.1 / A.3 / A.8 reception statistics for one RTP source — loss, fraction lost, jitter (media thread).

#include "media/rtcp.h"
#include "media/sequence_unwrapper.h"

#include <bitset>
#include <cstdint>

namespace ds::media {

class ReceiverStats {
public:
    enum class Verdict {
        First, // the first packet (or the first after a confirmed restart)
        InOrder, // newer than every packet so far
        Reordered, // older than the newest, not seen before: counted as late
        Duplicate, // seen before: counted as received (RFC 3550 6.4.1) and as a duplicate
        Probation, // a large sequence jump not yet confirmed by the next packet: not counted (A.1)
    };

    explicit ReceiverStats(std::uint32_t clockRate);

    // `arrival` in RTP timestamp units of the same clock (wrapping), as A.8 wants it.
    // timing false: the packet counts for loss and order but not for jitter — an RFC 4733 event
    // keeps its event's start timestamp for up to seconds, which A.8 would read as huge jitter.
    Verdict onPacket(std::uint16_t sequence, std::uint32_t rtpTimestamp, std::uint32_t arrival, bool timing = true);
    // `arrivalMs` from any monotonic millisecond clock; converted to timestamp units.
    Verdict onPacketMs(std::uint16_t sequence, std::uint32_t rtpTimestamp, std::int64_t arrivalMs, bool timing = true);

    std::uint32_t clockRate() const { return m_clockRate; }
    std::uint64_t received() const { return m_received; } // includes late and duplicate packets (RFC 3550 6.4.1)
    std::int64_t expected() const; // extended highest - base + 1 (A.3)
    std::int64_t cumulativeLost() const { return expected() - std::int64_t(m_received); } // negative with duplicates
    std::uint32_t extendedHighestSequence() const { return m_seq.extendedMax(); }
    std::uint64_t duplicates() const { return m_duplicates; }
    std::uint64_t late() const { return m_late; } // arrived after a newer packet (reordered), duplicates excluded
    double jitter() const { return m_jitter; } // A.8 estimate, timestamp units
    std::uint32_t jitterRtcp() const { return std::uint32_t(m_jitter + 0.5); } // as the report block carries it
    double jitterMs() const { return m_jitter * 1000.0 / m_clockRate; }

    // A.3: fraction lost in 1/256 since the previous call, then starts a new interval; 0 when packets were
    // duplicated beyond the losses.
    std::uint8_t takeFractionLost();
    // Fills a report block about source `ssrc` (closes the interval like takeFractionLost); LSR/DLSR stay 0
    // for the caller, who tracks sender reports.
    ReportBlock takeReportBlock(std::uint32_t ssrc);

    void reset() { *this = ReceiverStats(m_clockRate); }

private:
    static constexpr int kWindow = 1024; // recent sequence numbers remembered to tell duplicates from late packets

    std::uint32_t m_clockRate;
    SequenceUnwrapper m_seq;
    std::int64_t m_base = 0; // extended sequence number of the first packet
    std::uint64_t m_received = 0;
    std::uint64_t m_duplicates = 0;
    std::uint64_t m_late = 0;
    std::int64_t m_expectedPrior = 0; // A.3
    std::uint64_t m_receivedPrior = 0;
    bool m_haveTransit = false;
    std::uint32_t m_transit = 0; // A.8: previous arrival - timestamp
    double m_jitter = 0;
    std::bitset<kWindow> m_seen; // bit (extended % kWindow) set when that packet arrived
    std::int64_t m_seenMax = 0; // newest extended number reflected in m_seen
};

} // namespace ds::media
