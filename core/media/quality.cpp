#include "media/quality.h"

#include <algorithm>

namespace ds::media {

namespace {
constexpr double kRoMinusIs = 93.2; // G.107 with all default parameters: R of a G.711 connection without delay or loss
}

CodecImpairment codecImpairment(QByteArrayView codec)
{
    const auto is = [codec](QByteArrayView name) { return codec.compare(name, Qt::CaseInsensitive) == 0; };
    // G.113 Appendix I, Table I.3: G.711 with the packet loss concealment of G.711 Appendix I: Ie 0, Bpl 25.1.
    if (is("PCMU") || is("PCMA"))
        return {0.0, 25.1, 0.0};
    // Opus has no narrowband Ie/Bpl in G.113. On the narrowband scale (R <= 93.2) a wideband/fullband codec at the
    // 24 kbit/s we send is at least as good as G.711, so Ie 0. Its PLC is at least as good as G.711 Appendix I's and
    // in-band FEC (RFC 6716 2.1.7) recovers isolated losses, so we assume Bpl 30: an assumption, not a published
    // value. Look-ahead: libopus in VoIP mode reports 312 samples at 48 kHz (OPUS_GET_LOOKAHEAD), 6.5 ms.
    if (is("opus"))
        return {0.0, 30.0, 6.5};
    // Unknown codec: G.711 without concealment (G.113 Table I.3, Bpl 4.3), the least robust case listed.
    return {0.0, 4.3, 0.0};
}

double delayImpairment(double d)
{
    d = std::max(0.0, d);
    return 0.024 * d + (d > 177.3 ? 0.11 * (d - 177.3) : 0.0);
}

double effectiveEquipmentImpairment(const CodecImpairment &codec, double lossFraction, double burstRatio)
{
    const double ppl = std::clamp(lossFraction, 0.0, 1.0) * 100.0;
    const double burst = std::max(1.0, burstRatio);
    return codec.ie + (95.0 - codec.ie) * ppl / (ppl / burst + codec.bpl);
}

double mosFromR(double r)
{
    if (r <= 0)
        return 1.0;
    if (r >= 100)
        return 4.5;
    // G.107 B-4 dips slightly under 1 for R below about 6.5: clamp.
    return std::clamp(1.0 + 0.035 * r + r * (r - 60.0) * (100.0 - r) * 7e-6, 1.0, 4.5);
}

QualityEstimate estimateQuality(QByteArrayView codec, double lossFraction, double jitterMs, std::optional<double> rttMs, int jitterBufferDelayMs, int ptimeMs)
{
    const CodecImpairment c = codecImpairment(codec);
    const double buffer = jitterBufferDelayMs > 0 ? double(jitterBufferDelayMs) : 2.0 * std::max(0.0, jitterMs);
    QualityEstimate q;
    q.oneWayDelayMs = std::max(0.0, rttMs.value_or(0.0)) / 2.0 + buffer + std::max(0, ptimeMs) + c.lookaheadMs;
    q.delayImpairment = delayImpairment(q.oneWayDelayMs);
    q.equipmentImpairment = effectiveEquipmentImpairment(c, lossFraction);
    q.r = kRoMinusIs - q.delayImpairment - q.equipmentImpairment;
    q.mos = mosFromR(q.r);
    return q;
}

double estimateMos(QByteArrayView codec, double lossFraction, double jitterMs, std::optional<double> rttMs, int jitterBufferDelayMs, int ptimeMs)
{
    return estimateQuality(codec, lossFraction, jitterMs, rttMs, jitterBufferDelayMs, ptimeMs).mos;
}

} // namespace ds::media
