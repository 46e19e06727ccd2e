#pragma once
// Spectrogram: received 8 kHz audio as columns of dB-scaled bytes for the DTMF panel — a Hann-windowed
// 256-point FFT every 16 ms, so the two tones of an in-band digit show as two bright lines. Media
// thread; allocates nothing after construction.

#include <array>
#include <cstdint>
#include <span>

namespace ds::dtmf {

// Column n describes the 16 ms slot [16n, 16n + 16) ms of the stream: its 256-sample window
// (32 ms) is centred on the middle of the slot, so it reaches 8 ms into the slots on either side.
// The first column is slot 0, at time 0 of the stream; column n is complete once 128n + 192
// samples have been processed (8 ms after its slot ended).
//
// Each column holds kBins bytes, bin k at k * 31.25 Hz (0 .. 3968.75 Hz; the Nyquist bin is left
// out). A byte is the bin's magnitude in dB relative to a full-scale sine (a sine of amplitude
// 32768 centred on a bin reads 0 dBFS), mapped linearly from kFloorDb .. 0 dB to 0 .. 255: one step
// is 100/255 = 0.39 dB, anything at or below the floor is 0 (digital silence is all zeros). A tone
// between two bins reads up to 1.4 dB low (the Hann window's scalloping loss).
class Spectrogram {
public:
    static constexpr int kRate = 8000; // Hz
    static constexpr int kFft = 256; // samples per window (32 ms)
    static constexpr int kHop = 128; // samples per column (16 ms)
    static constexpr int kBins = 128; // bytes per column
    static constexpr int kColumnMs = kHop * 1000 / kRate; // 16
    static constexpr double kBinHz = double(kRate) / kFft; // 31.25
    static constexpr double kFloorDb = -100.0; // byte 0; byte 255 is 0 dBFS
    // process() takes at most this many samples per call: 120 ms, the longest Opus frame. Larger
    // inputs are a programming error (asserted); in a release build only the first kMaxInput
    // samples are used.
    static constexpr int kMaxInput = 960;
    static constexpr int kMaxColumns = (kMaxInput + kHop - 1) / kHop; // per call

    Spectrogram();

    // Feeds the next samples of the stream and returns the columns completed by them, kBins bytes
    // each, oldest first (possibly none). The span points into the spectrogram and stays valid
    // until the next process() or reset().
    std::span<const std::uint8_t> process(std::span<const std::int16_t> samples);
    // Starts a new stream: the next column is column 0 again.
    void reset();
    // Columns completed since construction or reset(): the index of the next column.
    std::int64_t columns() const { return m_columns; }

    static constexpr double binHz(int bin) { return bin * kBinHz; }
    static int binOf(double hz); // the nearest bin, clamped to 0 .. kBins - 1
    static double dbOf(std::uint8_t value) { return kFloorDb * (1.0 - value / 255.0); } // dBFS

private:
    void column(std::uint8_t *out); // transforms m_window into one column of bytes

    std::array<float, kFft> m_hann {};
    std::array<float, kFft / 2> m_cos {}, m_sin {}; // twiddles e^(-2 pi i k / kFft)
    std::array<std::uint8_t, kFft> m_bitReverse {};
    std::array<float, kFft> m_re {}, m_im {};
    std::array<std::int16_t, kFft> m_window {}; // the samples of the next column's window
    int m_fill = 0; // samples in m_window
    std::int64_t m_columns = 0;
    std::array<std::uint8_t, kMaxColumns * kBins> m_out {};
};

} // namespace ds::dtmf
