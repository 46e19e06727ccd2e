#include "dtmf/spectrogram.h"

#include <QtGlobal>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <numbers>

namespace ds::dtmf {

namespace {

constexpr int kLog2Fft = 8;
static_assert(1 << kLog2Fft == Spectrogram::kFft && Spectrogram::kBins == Spectrogram::kFft / 2);
// The window of column n starts kLead samples before its 16 ms slot: centred on the slot's middle.
constexpr int kLead = (Spectrogram::kFft - Spectrogram::kHop) / 2;

// A full-scale sine (amplitude 32768) centred on a bin: |X| = A * sum(w) / 2, sum(w) = kFft / 2
// for the periodic Hann window.
constexpr double kFullScale = 32768.0 * Spectrogram::kFft / 4;

} // namespace

Spectrogram::Spectrogram()
{
    for (int n = 0; n < kFft; ++n) // periodic Hann: the spectral-analysis form
        m_hann[size_t(n)] = float(0.5 - 0.5 * std::cos(2 * std::numbers::pi * n / kFft));
    for (int k = 0; k < kFft / 2; ++k) {
        m_cos[size_t(k)] = float(std::cos(2 * std::numbers::pi * k / kFft));
        m_sin[size_t(k)] = float(-std::sin(2 * std::numbers::pi * k / kFft));
    }
    for (int n = 0; n < kFft; ++n) {
        int r = 0;
        for (int b = 0; b < kLog2Fft; ++b)
            r |= ((n >> b) & 1) << (kLog2Fft - 1 - b);
        m_bitReverse[size_t(n)] = std::uint8_t(r);
    }
    reset();
}

void Spectrogram::reset()
{
    m_window.fill(0);
    m_fill = kLead; // column 0's window starts 8 ms before the stream: silence
    m_columns = 0;
}

int Spectrogram::binOf(double hz) { return std::clamp(int(std::lround(hz / kBinHz)), 0, kBins - 1); }

std::span<const std::uint8_t> Spectrogram::process(std::span<const std::int16_t> samples)
{
    Q_ASSERT(samples.size() <= std::size_t(kMaxInput));
    samples = samples.first(std::min(samples.size(), std::size_t(kMaxInput)));
    std::size_t produced = 0;
    while (!samples.empty()) {
        const std::size_t take = std::min(samples.size(), std::size_t(kFft - m_fill));
        std::memcpy(m_window.data() + m_fill, samples.data(), take * sizeof(std::int16_t));
        m_fill += int(take);
        samples = samples.subspan(take);
        if (m_fill < kFft)
            break;
        column(m_out.data() + produced * kBins);
        ++produced;
        ++m_columns;
        // The next window overlaps this one by half.
        std::memmove(m_window.data(), m_window.data() + kHop, (kFft - kHop) * sizeof(std::int16_t));
        m_fill = kFft - kHop;
    }
    return std::span<const std::uint8_t>(m_out.data(), produced * kBins);
}

void Spectrogram::column(std::uint8_t *out)
{
    // Windowed samples in bit-reversed order, then radix-2 decimation-in-time butterflies.
    for (int n = 0; n < kFft; ++n) {
        const int r = m_bitReverse[size_t(n)];
        m_re[size_t(r)] = float(m_window[size_t(n)]) * m_hann[size_t(n)];
        m_im[size_t(r)] = 0.0f;
    }
    for (int half = 1, stride = kFft / 2; half < kFft; half *= 2, stride /= 2) {
        for (int start = 0; start < kFft; start += 2 * half) {
            for (int j = 0; j < half; ++j) {
                const float wr = m_cos[size_t(j * stride)], wi = m_sin[size_t(j * stride)];
                const size_t a = size_t(start + j), b = a + size_t(half);
                const float tr = m_re[b] * wr - m_im[b] * wi;
                const float ti = m_re[b] * wi + m_im[b] * wr;
                m_re[b] = m_re[a] - tr;
                m_im[b] = m_im[a] - ti;
                m_re[a] += tr;
                m_im[a] += ti;
            }
        }
    }
    constexpr double kFloorPower = kFullScale * kFullScale * 1e-10; // 10^(kFloorDb / 10)
    static_assert(kFloorDb == -100.0);
    constexpr double kSteps = 255.0 / -kFloorDb;
    for (int k = 0; k < kBins; ++k) {
        const double power = double(m_re[size_t(k)]) * m_re[size_t(k)] + double(m_im[size_t(k)]) * m_im[size_t(k)];
        if (power <= kFloorPower) {
            out[k] = 0;
            continue;
        }
        const double db = 10 * std::log10(power / (kFullScale * kFullScale));
        out[k] = std::uint8_t(std::clamp(std::lround((db - kFloorDb) * kSteps), 0L, 255L));
    }
}

} // namespace ds::dtmf
