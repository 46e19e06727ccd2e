#pragma once
// InbandDetector: finds ITU-T Q.23 DTMF digits in 8 kHz 16-bit audio with the ITU-T Q.24 acceptance
// limits (frequency, twist, duration, pause, level, noise) and talk-off protection. Media thread.
//
// How: eight Goertzel filters run over consecutive half blocks of 51 samples (6.375 ms). Two halves
// make one 102-sample analysis window (12.75 ms, 78 Hz bins), so windows overlap by half and a
// decision comes every 6.4 ms. Each window is checked for a candidate pair (level, loose twist,
// each tone 8 dB above the rest of its group, the pair holding most of the window's energy, weak
// second harmonics). A run of windows with the same pair is a candidate digit; when it ends it is
// accepted from its averages: frequency deviation (measured from the phase advance between the
// halves, far finer than the bins), twist, level, and duration (edges refined to about 1 ms from the
// partial-half amplitudes). Allocation free after construction.

#include <array>
#include <complex>
#include <cstdint>
#include <span>
#include <utility>

namespace ds::dtmf {

struct DetectorSettings {
    // ITU-T Q.24 (the administrations' receiver limits it collects): twist accepted up to these limits.
    double normalTwistDb = 8.0; // low group stronger than the high group
    double reverseTwistDb = 4.0; // high group stronger
    int minToneMs = 40; // Q.24: tones of 40 ms are recognised (20 ms and shorter are not)
    int minPauseMs = 40; // Q.24: a 40 ms pause separates two digits; shorter dropouts do not
    double minLevelDbm0 = -35.0; // each tone; Q.24 asks for at least 26 dB of range above about -29
    // Q.24: frequency deviations up to 1.5 % are accepted, 3.5 % and more rejected; the limit sits
    // between the two: the measurement is good to 0.1 % on a clean pair and to 0.55 % at worst (8 dB
    // twist, 15 dB SNR, 40 ms), so neither side can cross it.
    double maxFrequencyDeviation = 0.025;
    // Talk-off: the pair must hold this share of a window's energy (a pure pair holds all of it;
    // speech spreads over many harmonics and formants) ...
    double minToneShare = 0.7;
    // ... and each tone's second harmonic must be this far below it.
    double maxHarmonicDb = -12.0;
};

struct DetectedTone {
    char digit = 0; // '0'-'9', '*', '#', 'A'-'D'
    std::int64_t startSample = 0; // from the first sample processed (or since reset()), at 8 kHz
    std::int64_t durationSamples = 0;
    double lowDbm0 = 0; // each tone's level, corrected for its frequency deviation
    double highDbm0 = 0;
    double twistDb = 0; // low minus high: positive is "normal" twist, negative "reverse"
    double lowDeviation = 0; // measured frequency deviation, relative (0.01 = +1 %)
    double highDeviation = 0;
};

// InbandDetector: turns a stream of 8 kHz samples into the DTMF digits it holds; media thread.
class InbandDetector {
public:
    static constexpr int kSampleRate = 8000;
    static constexpr int kHalf = 51; // samples per half block
    static constexpr int kWindow = 2 * kHalf; // analysis window
    static constexpr std::size_t kMaxResults = 32; // digits completing within one call; more are dropped

    explicit InbandDetector(DetectorSettings settings = {});

    const DetectorSettings &settings() const { return m_settings; }

    // Any number of samples; returns the digits that completed within this call (a tone that ended
    // and was followed by a pause long enough to rule out a dropout, or a different digit), from an
    // internal array valid until the next call. A digit completes about 65 ms after its tone ends.
    // At most kMaxResults per call (feed at most a second or so at a time; more is counted in dropped()).
    std::span<const DetectedTone> process(std::span<const std::int16_t> samples);
    // End of stream: a digit still sounding (or whose pause is still running) completes now. The
    // detector then starts over as after reset().
    std::span<const DetectedTone> finish();
    void reset();

    std::int64_t samplesProcessed() const { return m_halfIndex * kHalf + m_pos; }
    std::uint64_t dropped() const { return m_dropped; }

private:
    using Cf = std::complex<float>;
    static constexpr int kTones = 8; // 0-3 low group, 4-7 high group
    static constexpr int kRing = 64; // halves of history (Goertzel outputs, for the edges)

    struct Candidate {
        bool open = false;
        int low = 0, high = 0; // tone indices 0-3, 4-7
        std::int64_t firstWindow = 0, lastWindow = 0; // window w covers halves w and w+1
        int hits = 0;
        double startPrev[2] {}, startFirst[2] {}; // amplitudes of halves firstWindow-1, firstWindow
        double refSum[2] {}; // amplitudes of the second half of each hit window
        double refLast[2] {};
        int refCount = 0;
        double powerSum[2] {}; // window powers of each hit window, for the levels
        double powerFirst[2] {}, powerLast[2] {};
        std::complex<double> phase[2] {}; // sum of the phase advances from one half to the next
    };

    void runHalf(const std::int16_t *x, int n);
    void endOfHalf();
    // The pair the current window holds, or -1: low * 4 + (high - 4).
    int analyseWindow(const float power[kTones]);
    void openCandidate(std::int64_t w, int pair);
    using Leak = std::pair<std::complex<double>, std::complex<double>>; // Dirichlet kernels: low->high, image
    struct Clean {
        std::complex<double> low, high; // DFT of each tone over the block, phase from the block's start
    };
    // The pair's bins from Goertzel outputs (or their window sums), each tone's leakage into the
    // other's bin taken out.
    Clean withoutLeakage(int pair, Cf zl, Cf zh, const Leak &kernels) const;
    std::pair<double, double> halfAmplitudes(std::int64_t half) const; // the candidate's tones in a half
    void addHit(std::int64_t w, double powerLow, double powerHigh);
    double reference(int which) const; // steady per-half amplitude of the candidate's tone
    double fraction(double amplitudeLow, double amplitudeHigh) const; // share of a half the tones fill
    double fraction(std::int64_t half) const;
    double startOf(std::int64_t w) const; // tone start estimated from a run beginning at window w
    double endOf(std::int64_t w) const; // tone end estimated from a run ending at window w
    void close();
    void report(const DetectedTone &t);

    DetectorSettings m_settings;
    // Derived thresholds (powers are |X|^2 of the 102-sample window).
    float m_minPower = 0; // window-level floor, 3 dB under the level limit (partial and off-tune windows)
    float m_normalTwist = 0, m_reverseTwist = 0; // window-level, 6 dB looser than the digit check
    float m_harmonic = 0;
    double m_pauseSamples = 0, m_minToneSamples = 0;
    std::int64_t m_closeAfter = 0; // windows without the pair after which no resumption can merge

    // Per-tone constants.
    alignas(32) std::array<float, kTones> m_coef {}; // 2 cos(omega)
    alignas(32) std::array<float, kTones> m_coef2 {}; // (2 cos(omega))^2 - 1: two steps at once
    std::array<float, kTones> m_cos {}, m_sin {};
    std::array<Cf, kTones> m_rot {}; // e^{-j omega kHalf}: brings a half's phase to the window's reference
    std::array<float, kTones> m_harmCoef {}; // 2 cos(2 omega)
    std::array<std::complex<double>, kTones> m_unphase {}; // e^{-j omega (kHalf - 1)}: the window's DFT from z
    std::array<Leak, 16> m_leak {}, m_leakHalf {}; // per pair, over a window and over a half
    std::array<bool, 16> m_checkLowHarmonic {}; // per pair: 2 f_low can be told apart from f_high

    // Running half.
    alignas(32) std::array<float, kTones> m_s1 {}, m_s2 {};
    float m_energy = 0;
    int m_pos = 0;
    std::int64_t m_halfIndex = 0; // halves completed
    std::array<float, kWindow> m_samples {}; // the current window: previous half, then this half
    std::array<Cf, kTones> m_prevY {}; // Goertzel outputs of the previous half
    float m_prevEnergy = 0;
    std::array<std::array<Cf, kTones>, kRing> m_ring {}; // Goertzel outputs of recent halves, for the edges

    Candidate m_cand;
    double m_lastEnd = 0; // end of the last digit, so the next cannot start before it

    std::array<DetectedTone, kMaxResults> m_results {};
    std::size_t m_resultCount = 0;
    std::uint64_t m_dropped = 0;
};

} // namespace ds::dtmf
