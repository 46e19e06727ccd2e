#pragma once
// Quality: a listening-quality (MOS) estimate from network figures with the simplified E-model; pure, any thread.

#include <QByteArrayView>

#include <optional>

namespace ds::media {

// ITU-T G.107 E-model reduced to what a softphone can measure, as G.113 Appendix I and RFC 6035
// (SIP RTCP summary reports, "MOS-LQ/MOS-CQ estimated with the E-model") use it:
//   R = 93.2 - Id - Ie,eff                      (G.107 default Ro - Is = 93.2, A = 0)
//   Id = 0.024 d + 0.11 (d - 177.3) H(d - 177.3)  (Cole & Rosenbluth, "Voice over IP performance
//        monitoring", ACM CCR 2001: G.107's Idd fitted for a talker with no echo problems)
//   Ie,eff = Ie + (95 - Ie) Ppl / (Ppl / BurstR + Bpl)  (G.107 7.4.1, random loss: BurstR = 1)
//   MOS = 1 + 0.035 R + R (R - 60) (100 - R) 7e-6   (G.107 Annex B, B-4), clamped to 1..4.5
// d is the one-way mouth-to-ear delay: half the RTCP round trip + jitter buffer + packetisation + codec look-ahead.
struct CodecImpairment {
    double ie = 0; // equipment impairment factor without loss
    double bpl = 4.3; // packet-loss robustness factor
    double lookaheadMs = 0; // algorithmic delay beyond the frame itself
};

// Known: PCMU, PCMA, opus (case-insensitive). Anything else is treated as G.711 without concealment.
CodecImpairment codecImpairment(QByteArrayView codec);

double delayImpairment(double oneWayDelayMs); // Id
double effectiveEquipmentImpairment(const CodecImpairment &codec, double lossFraction, double burstRatio = 1.0); // Ie,eff
double mosFromR(double r);

struct QualityEstimate {
    double r = 0;
    double mos = 1;
    double oneWayDelayMs = 0;
    double delayImpairment = 0; // Id
    double equipmentImpairment = 0; // Ie,eff
};

// lossFraction 0..1 (clamped); rttMs unknown counts no network delay (an optimistic estimate); a
// jitterBufferDelayMs of 0 (not measured yet) is taken as twice the jitter.
QualityEstimate estimateQuality(
    QByteArrayView codec, double lossFraction, double jitterMs, std::optional<double> rttMs, int jitterBufferDelayMs, int ptimeMs = 20);
double estimateMos(QByteArrayView codec, double lossFraction, double jitterMs, std::optional<double> rttMs, int jitterBufferDelayMs, int ptimeMs = 20);

} // namespace ds::media
