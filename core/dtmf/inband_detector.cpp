#include "dtmf/inband_detector.h"

#include "dtmf/tone_generator.h"

#include <algorithm>
#include <cmath>
#include <numbers>

namespace ds::dtmf {

namespace {

constexpr double kPi = std::numbers::pi;
constexpr double kFs = InbandDetector::kSampleRate;
constexpr int kN = InbandDetector::kWindow;
constexpr int kM = InbandDetector::kHalf;

// Each tone must be this much stronger than every other tone of its group (6.3x in power). Q.23's
// closest neighbours (697/770 Hz) are 73 Hz apart; with 78 Hz bins a tone 1.5 % off still leaks 12 dB
// below itself into its neighbour's bin, so a real pair always passes and a spread spectrum does not.
constexpr float kRelativePeak = 6.31f; // 8 dB

// The per-window twist check is looser than the digit's (which uses the averaged, tuning-corrected
// levels): a window may be partly filled, 1.5 % off or hold the other tone's sidelobe, which moves
// its twist by a few dB; a tighter window check would also bias the average towards the limit.
constexpr double kWindowTwistSlackDb = 6.0;
// The digit's twist may exceed the Q.24 limit by this much before it is rejected: the measurement is
// good to a few tenths of a dB; Q.24 test sets probe the limits themselves and 2 dB or more beyond.
constexpr double kTwistToleranceDb = 1.0;
// The window-level floor sits this far under minLevelDbm0 (partial windows at the edges of a tone).
constexpr double kWindowLevelSlackDb = 3.0;

// A digit is accepted from 80 % of minToneMs and a pause splits from 80 % of minPauseMs: the edges are
// measured to about 1 ms, and Q.24 leaves the band between "must reject" (20 ms) and "must accept"
// (40 ms) free, so the limit sits well inside it on both sides.
constexpr double kDurationShare = 0.8;

// A half with less than this share of the steady amplitude holds no tone (noise in the bin).
constexpr double kFractionFloor = 0.12;

// The second harmonic of the low tone is only measured when it lies at least this far from the high
// tone: 2 x 697 = 1394 Hz is 58 Hz from 1336 Hz ('2'), and with both tones 1.5 % off the two can be
// 17 Hz apart, which no 12.75 ms window separates. A Hann window's main lobe is 2 bins (157 Hz) wide.
constexpr double kHarmonicGuardHz = 150.0;

double toneHz(int i) { return i < 4 ? kLowGroupHz[std::size_t(i)] : kHighGroupHz[std::size_t(i - 4)]; }

// Hann window over the analysis window, scaled by 2 so a sine's bin has the same power as without it.
struct HannTable {
    std::array<float, kN> w {};
    HannTable()
    {
        for (int n = 0; n < kN; ++n)
            w[std::size_t(n)] = float(2.0 * 0.5 * (1.0 - std::cos(2 * kPi * (n + 0.5) / kN)));
    }
};
const HannTable &hann()
{
    static const HannTable table;
    return table;
}

// Power of a Hann-windowed Goertzel over the window (only for candidate windows, so a few per digit).
float harmonicPower(const std::array<float, kN> &x, float coef)
{
    const auto &w = hann().w;
    float s1 = 0, s2 = 0;
    for (int n = 0; n < kN; ++n) {
        const float s0 = x[std::size_t(n)] * w[std::size_t(n)] + coef * s1 - s2;
        s2 = s1;
        s1 = s0;
    }
    return s1 * s1 + s2 * s2 - coef * s1 * s2;
}

// Window power of a tone `hz` off the bin's centre, relative to on it: the Dirichlet kernel squared.
double tuningLoss(double hz)
{
    const double d = kPi * hz / kFs;
    if (std::abs(d) < 1e-9)
        return 1.0;
    const double r = std::sin(kN * d) / (kN * std::sin(d));
    return std::max(r * r, 1e-3);
}

// sum_{n<len} e^{j theta n} / len, in closed form.
std::complex<double> dirichlet(double theta, int len)
{
    const double half = std::sin(theta / 2);
    if (std::abs(half) < 1e-12)
        return 1.0;
    return std::polar(std::sin(len * theta / 2) / (len * half), theta * (len - 1) / 2);
}

// Level in dBm0 of a tone whose window power is `power` (|X| = A N / 2 for a sine of peak A).
double levelOf(double power) { return 20.0 * std::log10(std::max(2.0 * std::sqrt(power) / kN, 1e-9) / kPeakAt0Dbm0); }

double powerOf(double dbm0)
{
    const double a = amplitudeOfDbm0(dbm0) * kN / 2.0;
    return a * a;
}

} // namespace

InbandDetector::InbandDetector(DetectorSettings settings)
    : m_settings(settings)
{
    m_minPower = float(powerOf(settings.minLevelDbm0 - kWindowLevelSlackDb));
    m_normalTwist = float(std::pow(10.0, (settings.normalTwistDb + kWindowTwistSlackDb) / 10.0));
    m_reverseTwist = float(std::pow(10.0, (settings.reverseTwistDb + kWindowTwistSlackDb) / 10.0));
    m_harmonic = float(std::pow(10.0, settings.maxHarmonicDb / 10.0));
    m_pauseSamples = kDurationShare * settings.minPauseMs * kFs / 1000.0;
    m_minToneSamples = kDurationShare * settings.minToneMs * kFs / 1000.0;
    // A tone's end is at most 2 halves after its last window's first half ends, and a resumed tone's
    // start at most 2 halves before its first window's second half: once this many windows went by
    // without the pair, any resumption is a new digit, so the candidate can close.
    m_closeAfter = std::clamp<std::int64_t>(std::int64_t(std::ceil(m_pauseSamples / kM)) + 4, 2, kRing - 4);
    for (int i = 0; i < kTones; ++i) {
        const double w = 2 * kPi * toneHz(i) / kFs;
        m_coef[std::size_t(i)] = float(2 * std::cos(w));
        m_coef2[std::size_t(i)] = float(4 * std::cos(w) * std::cos(w) - 1);
        m_cos[std::size_t(i)] = float(std::cos(w));
        m_sin[std::size_t(i)] = float(std::sin(w));
        m_rot[std::size_t(i)] = Cf(float(std::cos(w * kM)), float(-std::sin(w * kM)));
        m_harmCoef[std::size_t(i)] = float(2 * std::cos(2 * w));
        m_unphase[std::size_t(i)] = std::polar(1.0, -w * (kM - 1));
    }
    for (int l = 0; l < 4; ++l)
        for (int h = 0; h < 4; ++h) {
            const double wl = 2 * kPi * kLowGroupHz[std::size_t(l)] / kFs, wh = 2 * kPi * kHighGroupHz[std::size_t(h)] / kFs;
            m_leak[std::size_t(l * 4 + h)] = {dirichlet(wl - wh, kN), dirichlet(-wl - wh, kN)};
            m_leakHalf[std::size_t(l * 4 + h)] = {dirichlet(wl - wh, kM), dirichlet(-wl - wh, kM)};
            m_checkLowHarmonic[std::size_t(l * 4 + h)] = std::abs(2 * kLowGroupHz[std::size_t(l)] - kHighGroupHz[std::size_t(h)]) >= kHarmonicGuardHz;
        }
    hann(); // built here, not on the media thread's first candidate
}

void InbandDetector::reset()
{
    m_s1 = {};
    m_s2 = {};
    m_energy = 0;
    m_pos = 0;
    m_halfIndex = 0;
    m_samples = {};
    m_prevY = {};
    m_prevEnergy = 0;
    m_ring = {};
    m_cand = {};
    m_lastEnd = 0;
    m_resultCount = 0;
}

std::span<const DetectedTone> InbandDetector::process(std::span<const std::int16_t> samples)
{
    m_resultCount = 0;
    std::size_t i = 0;
    while (i < samples.size()) {
        const int n = int(std::min<std::size_t>(std::size_t(kM - m_pos), samples.size() - i));
        runHalf(samples.data() + i, n);
        i += std::size_t(n);
    }
    return std::span<const DetectedTone>(m_results).first(m_resultCount);
}

std::span<const DetectedTone> InbandDetector::finish()
{
    m_resultCount = 0;
    // Silence after the end: the tone's end is measured as usual and the candidate closes on time.
    static constexpr std::array<std::int16_t, kM> zeros {};
    for (std::int64_t k = 0; m_cand.open && k < m_closeAfter + 3; ++k)
        runHalf(zeros.data(), kM - m_pos);
    const std::size_t n = m_resultCount;
    reset();
    m_resultCount = n;
    return std::span<const DetectedTone>(m_results).first(n);
}

void InbandDetector::runHalf(const std::int16_t *x, int n)
{
    // The hot loop: eight Goertzel resonators side by side (the compiler vectorises across them),
    // two samples per step. One step of s[n] = x[n] + c s[n-1] - s[n-2] has a multiply and an add on
    // its loop-carried path, so it is bound by their latency, not by arithmetic; two steps at once
    // (s[n+1] = (c^2 - 1) s[n-1] - c s[n-2] + c x[n] + x[n+1]) carry the same two operations per pair.
    alignas(32) std::array<float, kTones> s1 = m_s1, s2 = m_s2;
    alignas(32) const std::array<float, kTones> coef = m_coef, coef2 = m_coef2;
    float e0 = m_energy, e1 = 0;
    float *buf = m_samples.data() + kM + m_pos;
    int k = 0;
    for (; k + 1 < n; k += 2) {
        const float v0 = float(x[k]), v1 = float(x[k + 1]);
        buf[k] = v0;
        buf[k + 1] = v1;
        e0 += v0 * v0;
        e1 += v1 * v1;
#pragma GCC unroll 8
        for (std::size_t i = 0; i < kTones; ++i) {
            const float a = v0 - s2[i];
            const float first = coef[i] * s1[i] + a; // s[n]
            s1[i] = coef2[i] * s1[i] + (coef[i] * a + v1); // s[n+1]
            s2[i] = first;
        }
    }
    for (; k < n; ++k) {
        const float v = float(x[k]);
        buf[k] = v;
        e0 += v * v;
#pragma GCC unroll 8
        for (std::size_t i = 0; i < kTones; ++i) {
            const float t = coef[i] * s1[i] + (v - s2[i]);
            s2[i] = s1[i];
            s1[i] = t;
        }
    }
    m_s1 = s1;
    m_s2 = s2;
    m_energy = e0 + e1;
    m_pos += n;
    if (m_pos == kM)
        endOfHalf();
}

void InbandDetector::endOfHalf()
{
    // Goertzel output y = s1 - e^{-j omega} s2: the half's DFT up to a phase factor common to all halves.
    std::array<Cf, kTones> y;
    for (std::size_t i = 0; i < kTones; ++i)
        y[i] = Cf(m_s1[i] - m_s2[i] * m_cos[i], m_s2[i] * m_sin[i]);
    m_ring[std::size_t(m_halfIndex % kRing)] = y;
    if (m_halfIndex >= 1) {
        const std::int64_t w = m_halfIndex - 1;
        std::array<Cf, kTones> z; // the 102-sample window's DFT, times e^{j omega (kHalf - 1)}
        float power[kTones];
        for (std::size_t i = 0; i < kTones; ++i) {
            z[i] = m_prevY[i] + m_rot[i] * y[i];
            power[i] = std::norm(z[i]);
        }
        const int pair = analyseWindow(power);
        const int current = m_cand.open ? m_cand.low * 4 + m_cand.high - 4 : -1;
        if (pair >= 0 && pair == current && w > m_cand.lastWindow + 1) {
            // The same pair again after a gap: a dropout inside the digit, or a new digit after a pause.
            if (startOf(w) - endOf(m_cand.lastWindow) >= m_pauseSamples)
                close();
        } else if (pair >= 0 && current >= 0 && pair != current) {
            close(); // a different digit
        }
        if (pair >= 0) {
            if (!m_cand.open)
                openCandidate(w, pair);
            const std::size_t l = std::size_t(pair / 4), h = std::size_t(4 + pair % 4);
            const auto window = withoutLeakage(pair, z[l], z[h], m_leak[std::size_t(pair)]);
            addHit(w, std::norm(window.low), std::norm(window.high));
            // Phase advance from the previous half to this one at each tone, less the nominal
            // omega * kHalf: the tuning error (close()).
            const auto a = withoutLeakage(pair, m_prevY[l], m_prevY[h], m_leakHalf[std::size_t(pair)]);
            const auto b = withoutLeakage(pair, y[l], y[h], m_leakHalf[std::size_t(pair)]);
            m_cand.phase[0] += std::complex<double>(m_rot[l]) * b.low * std::conj(a.low);
            m_cand.phase[1] += std::complex<double>(m_rot[h]) * b.high * std::conj(a.high);
        } else if (m_cand.open && w - m_cand.lastWindow >= m_closeAfter) {
            close();
        }
    }
    m_prevY = y;
    m_prevEnergy = m_energy;
    std::copy(m_samples.begin() + kM, m_samples.end(), m_samples.begin());
    m_s1 = {};
    m_s2 = {};
    m_energy = 0;
    m_pos = 0;
    ++m_halfIndex;
}

int InbandDetector::analyseWindow(const float power[kTones])
{
    const int low = int(std::max_element(power, power + 4) - power);
    const int high = 4 + int(std::max_element(power + 4, power + 8) - (power + 4));
    const float pl = power[low], ph = power[high];
    if (pl < m_minPower || ph < m_minPower)
        return -1;
    // ITU-T Q.24: twist (loosely here; the digit is checked against the limits from its averages).
    if (pl > ph * m_normalTwist || ph > pl * m_reverseTwist)
        return -1;
    for (int i = 0; i < 4; ++i)
        if ((i != low && power[i] * kRelativePeak > pl) || (i + 4 != high && power[i + 4] * kRelativePeak > ph))
            return -1;
    // Talk-off: the pair holds most of the window's energy (a sine's window power is N/2 times its
    // share of sum x^2), ...
    const float total = m_prevEnergy + m_energy;
    if (2.0f * (pl + ph) < float(m_settings.minToneShare) * float(kN) * total)
        return -1;
    // ... and its second harmonics are weak (voiced speech is a harmonic series: a "tone" in it comes
    // with its octave).
    if (harmonicPower(m_samples, m_harmCoef[std::size_t(high)]) > ph * m_harmonic)
        return -1;
    const int pair = low * 4 + high - 4;
    if (m_checkLowHarmonic[std::size_t(pair)] && harmonicPower(m_samples, m_harmCoef[std::size_t(low)]) > pl * m_harmonic)
        return -1;
    return pair;
}

void InbandDetector::openCandidate(std::int64_t w, int pair)
{
    m_cand = {};
    m_cand.open = true;
    m_cand.low = pair / 4;
    m_cand.high = 4 + pair % 4;
    m_cand.firstWindow = w;
    const auto prev = w >= 1 ? halfAmplitudes(w - 1) : std::pair {0.0, 0.0};
    const auto first = halfAmplitudes(w);
    m_cand.startPrev[0] = prev.first;
    m_cand.startPrev[1] = prev.second;
    m_cand.startFirst[0] = first.first;
    m_cand.startFirst[1] = first.second;
}

InbandDetector::Clean InbandDetector::withoutLeakage(int pair, Cf zl, Cf zh, const Leak &k) const
{
    // Each tone's bin without the other tone's sidelobe: a tone 10 dB weaker than the other gets its
    // leakage at about -10 dB relative to itself, enough to move the twist by 1 dB, the edges by a
    // millisecond and (over a half block) the measured frequency by 1 %. The leakage of a sine c e^{j omega n} + conj(c) e^{-j omega n} into another bin
    // is known exactly (the Dirichlet kernel), and c is the sine's own bin divided by the length.
    const int l = pair / 4, h = 4 + pair % 4;
    const std::complex<double> xl = std::complex<double>(zl) * m_unphase[std::size_t(l)];
    const std::complex<double> xh = std::complex<double>(zh) * m_unphase[std::size_t(h)];
    return {xl - (xh * std::conj(k.first) + std::conj(xh) * k.second), xh - (xl * k.first + std::conj(xl) * k.second)};
}

std::pair<double, double> InbandDetector::halfAmplitudes(std::int64_t half) const
{
    if (half < 0 || half > m_halfIndex || half <= m_halfIndex - kRing)
        return {0.0, 0.0};
    const auto &y = m_ring[std::size_t(half % kRing)];
    const int pair = m_cand.low * 4 + m_cand.high - 4;
    const auto c = withoutLeakage(pair, y[std::size_t(m_cand.low)], y[std::size_t(m_cand.high)], m_leakHalf[std::size_t(pair)]);
    return {std::abs(c.low), std::abs(c.high)};
}

void InbandDetector::addHit(std::int64_t w, double powerLow, double powerHigh)
{
    Candidate &c = m_cand;
    const auto a = halfAmplitudes(w + 1);
    for (int g = 0; g < 2; ++g) {
        const double p = g == 0 ? powerLow : powerHigh;
        c.refLast[g] = g == 0 ? a.first : a.second;
        c.refSum[g] += c.refLast[g];
        c.powerSum[g] += p;
        if (c.hits == 0)
            c.powerFirst[g] = p;
        c.powerLast[g] = p;
    }
    ++c.refCount;
    ++c.hits;
    c.lastWindow = w;
}

double InbandDetector::reference(int g) const
{
    // The second half of every hit window is full of tone, except perhaps the last one's.
    const Candidate &c = m_cand;
    if (c.refCount >= 2)
        return (c.refSum[g] - c.refLast[g]) / (c.refCount - 1);
    return c.refSum[g];
}

double InbandDetector::fraction(double amplitudeLow, double amplitudeHigh) const
{
    // The mean of the two tones' shares, or the lesser when they disagree badly: a neighbouring
    // digit sharing one frequency (no pause between them) does not count.
    const double rl = reference(0), rh = reference(1);
    const double fl = rl > 0 ? amplitudeLow / rl : 0.0, fh = rh > 0 ? amplitudeHigh / rh : 0.0;
    const double f = std::abs(fl - fh) > 0.4 ? std::min(fl, fh) : (fl + fh) / 2;
    return f < kFractionFloor ? 0.0 : std::min(f, 1.0);
}

double InbandDetector::fraction(std::int64_t half) const
{
    const auto [al, ah] = halfAmplitudes(half);
    return fraction(al, ah);
}

double InbandDetector::startOf(std::int64_t w) const
{
    // The tone fills the window's second half; it began inside half w (that half's share of tone
    // says where) or, if half w is full, inside half w - 1.
    return double((w + 1) * kM) - (fraction(w) + fraction(w - 1)) * kM;
}

double InbandDetector::endOf(std::int64_t w) const { return double((w + 1) * kM) + (fraction(w + 1) + fraction(w + 2)) * kM; }

void InbandDetector::close()
{
    Candidate &c = m_cand;
    if (!c.open)
        return;
    c.open = false;
    // The start from the amplitudes saved when the candidate opened (the ring may have moved on).
    const double f = fraction(c.startFirst[0], c.startFirst[1]);
    const double fPrev = fraction(c.startPrev[0], c.startPrev[1]);
    const double start = std::max(double((c.firstWindow + 1) * kM) - (f + fPrev) * kM, m_lastEnd);
    const double end = endOf(c.lastWindow);
    if (c.hits < 2 || end - start < m_minToneSamples)
        return; // ITU-T Q.24: too short to be a digit
    DetectedTone t;
    t.digit = digitOfPair(c.low, c.high - 4);
    double level[2];
    double deviation[2];
    for (int g = 0; g < 2; ++g) {
        const int tone = g == 0 ? c.low : c.high;
        // Tuning error from the mean phase advance between consecutive halves (kM samples apart);
        // unambiguous to +-78 Hz, beyond any tone Q.24 lets through.
        const double offsetHz = std::arg(c.phase[g]) * kFs / (2 * kPi * kM);
        deviation[g] = offsetHz / toneHz(tone);
        // Level: the mean window power without the first and last windows (partly filled),
        // corrected for the bin's loss at that tuning error.
        double p = c.powerSum[g];
        int n = c.hits;
        if (n >= 3) {
            p -= c.powerFirst[g] + c.powerLast[g];
            n -= 2;
        }
        level[g] = levelOf(p / n / tuningLoss(offsetHz));
    }
    t.startSample = std::llround(start);
    t.durationSamples = std::llround(end) - t.startSample;
    t.lowDbm0 = level[0];
    t.highDbm0 = level[1];
    t.twistDb = level[0] - level[1];
    t.lowDeviation = deviation[0];
    t.highDeviation = deviation[1];
    // ITU-T Q.24: frequency deviation, twist both ways, level.
    if (std::abs(deviation[0]) > m_settings.maxFrequencyDeviation || std::abs(deviation[1]) > m_settings.maxFrequencyDeviation)
        return;
    if (t.twistDb > m_settings.normalTwistDb + kTwistToleranceDb || -t.twistDb > m_settings.reverseTwistDb + kTwistToleranceDb)
        return;
    if (t.lowDbm0 < m_settings.minLevelDbm0 || t.highDbm0 < m_settings.minLevelDbm0)
        return;
    m_lastEnd = end;
    report(t);
}

void InbandDetector::report(const DetectedTone &t)
{
    if (m_resultCount < m_results.size())
        m_results[m_resultCount++] = t;
    else
        ++m_dropped;
}

} // namespace ds::dtmf
