#pragma once
// RingbackPort: the ringing tone a caller hears while the far end rings (180 without early media),
// a tone switched on and off in its cadence; media thread.

#include "media/tone_port.h"

namespace ds::media {

// ITU-T E.180 recommends 400-450 Hz, on 0.67-1.5 s, off 3-5 s; the default is the common European
// 425 Hz, 1 s on, 4 s off. North American ringback is 440+480 Hz, 2 s on, 4 s off (two tones).
struct RingbackCadence {
    int onMs = 1000;
    int offMs = 4000;
};

class RingbackPort final : public AudioPort {
public:
    using Cadence = RingbackCadence;
    RingbackPort(int sampleRate, TonePort::Tone tone = {425.0, -16.0}, Cadence cadence = {});
    RingbackPort(int sampleRate, TonePort::Tone low, TonePort::Tone high, Cadence cadence);

    int sampleRate() const override { return m_tone.sampleRate(); }
    Capabilities capabilities() const override { return {true, false}; }
    std::size_t read(std::span<std::int16_t> frame) override;
    void write(std::span<const std::int16_t> frame) override;

private:
    TonePort m_tone;
    qint64 m_onSamples;
    qint64 m_periodSamples;
    qint64 m_position = 0; // samples into the current period
};

} // namespace ds::media
