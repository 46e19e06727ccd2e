#include "media/receiver_stats.h"

#include <cstdlib>

namespace ds::media {

ReceiverStats::ReceiverStats(std::uint32_t clockRate)
    : m_clockRate(clockRate)
{
}

std::int64_t ReceiverStats::expected() const
{
    if (!m_seq.started())
        return 0;
    return std::int64_t(m_seq.extendedMax()) - m_base + 1;
}

ReceiverStats::Verdict ReceiverStats::onPacketMs(std::uint16_t sequence, std::uint32_t rtpTimestamp, std::int64_t arrivalMs, bool timing)
{
    return onPacket(sequence, rtpTimestamp, std::uint32_t(arrivalMs * m_clockRate / 1000), timing);
}

ReceiverStats::Verdict ReceiverStats::onPacket(std::uint16_t sequence, std::uint32_t rtpTimestamp, std::uint32_t arrival, bool timing)
{
    const auto r = m_seq.update(sequence);
    if (!r)
        return Verdict::Probation;

    Verdict verdict = Verdict::InOrder;
    if (r->kind == SequenceUnwrapper::Kind::First || r->kind == SequenceUnwrapper::Kind::Restarted) {
        // A.1 init_seq: a restart starts the statistics over, keeping the (restarted) unwrapper.
        const SequenceUnwrapper seq = m_seq;
        *this = ReceiverStats(m_clockRate);
        m_seq = seq;
        m_base = r->extended;
        m_seenMax = r->extended;
        verdict = Verdict::First;
    } else if (r->kind == SequenceUnwrapper::Kind::InOrder) {
        // Forget the window slots the new maximum slides over.
        for (std::int64_t e = m_seenMax + 1; e <= r->extended && e - m_seenMax <= kWindow; ++e)
            m_seen.reset(std::size_t(e % kWindow));
        m_seenMax = r->extended;
    } else {
        const bool inWindow = m_seenMax - r->extended < kWindow && r->extended >= 0;
        verdict = inWindow && m_seen.test(std::size_t(r->extended % kWindow)) ? Verdict::Duplicate : Verdict::Reordered;
    }
    if (r->extended >= 0 && m_seenMax - r->extended < kWindow)
        m_seen.set(std::size_t(r->extended % kWindow));

    ++m_received;
    if (verdict == Verdict::Duplicate) {
        ++m_duplicates;
        return verdict; // a copy carries no new timing information; it would only inflate the jitter
    }
    if (verdict == Verdict::Reordered)
        ++m_late;
    if (!timing)
        return verdict;

    // RFC 3550 A.8: D = difference of relative transit times of this and the previous packet in arrival
    // order; J += (|D| - J) / 16.
    const std::uint32_t transit = arrival - rtpTimestamp;
    if (m_haveTransit) {
        const std::int32_t d = std::int32_t(transit - m_transit);
        m_jitter += (std::abs(double(d)) - m_jitter) / 16.0;
    }
    m_transit = transit;
    m_haveTransit = true;
    return verdict;
}

std::uint8_t ReceiverStats::takeFractionLost()
{
    // RFC 3550 A.3
    const std::int64_t expectedNow = expected();
    const std::int64_t expectedInterval = expectedNow - m_expectedPrior;
    const std::int64_t receivedInterval = std::int64_t(m_received - m_receivedPrior);
    m_expectedPrior = expectedNow;
    m_receivedPrior = m_received;
    const std::int64_t lostInterval = expectedInterval - receivedInterval;
    if (expectedInterval <= 0 || lostInterval <= 0)
        return 0;
    return std::uint8_t((lostInterval << 8) / expectedInterval);
}

ReportBlock ReceiverStats::takeReportBlock(std::uint32_t ssrc)
{
    ReportBlock b;
    b.ssrc = ssrc;
    b.fractionLost = takeFractionLost();
    const std::int64_t lost = cumulativeLost();
    b.cumulativeLost = std::int32_t(lost > 0x7FFFFF ? 0x7FFFFF : lost < -0x800000 ? -0x800000 : lost);
    b.extendedHighestSequence = extendedHighestSequence();
    b.jitter = jitterRtcp();
    return b;
}

} // namespace ds::media
