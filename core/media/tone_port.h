#pragma once
// TonePort: a source of one sine or the sum of two (DTMF), phase-continuous across frames; media thread.

#include "media/audio_port.h"

#include <QtGlobal>

#include <chrono>
#include <optional>

namespace ds::media {

// Each component has its own level in dBFS of its peak (0 dBFS: a sine whose peak is 32767), so a
// DTMF pair at -10 dBFS each is two -10 dBFS sines; the sum is clipped to 16 bits if it overflows.
// Phase accumulators carry over between read() calls, so frame boundaries are inaudible whatever
// the frame size; reading N samples in one frame or in many gives the same samples.
class TonePort final : public AudioPort {
public:
    struct Tone {
        double frequency = 1000.0; // Hz, 0 < frequency < sampleRate / 2 (asserted)
        double levelDbfs = -10.0; // peak level, <= 0
    };

    // duration: the stream ends after this much audio (rounded to whole samples); none: endless.
    TonePort(int sampleRate, Tone tone, std::optional<std::chrono::milliseconds> duration = {});
    TonePort(int sampleRate, Tone low, Tone high, std::optional<std::chrono::milliseconds> duration = {});

    int sampleRate() const override { return m_rate; }
    Capabilities capabilities() const override { return {true, false}; }
    std::size_t read(std::span<std::int16_t> frame) override;
    void write(std::span<const std::int16_t> frame) override;

    // Starts again at phase 0 with the whole duration ahead.
    void reset();
    // Samples left before end of stream; -1 when endless.
    qint64 samplesLeft() const { return m_left; }

    // Peak amplitude in sample units for a level in dBFS.
    static double amplitude(double levelDbfs);

private:
    struct Oscillator {
        double step = 0; // cycles per sample
        double amplitude = 0;
        double phase = 0; // cycles, in [0, 1)
    };
    static Oscillator oscillator(int sampleRate, Tone tone);

    int m_rate;
    Oscillator m_osc[2];
    int m_count;
    qint64 m_total; // -1: endless
    qint64 m_left;
};

} // namespace ds::media
