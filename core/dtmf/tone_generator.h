#pragma once
// InbandGenerator: the ITU-T Q.23 dual tones of DTMF digits as 16-bit PCM at any sample rate, and
// the level reference the in-band detector shares. Media thread.

#include <array>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>

namespace ds::dtmf {

// Level reference shared with the detector: a sine at 0 dBm0 has this peak in 16-bit linear PCM.
// ITU-T G.711: a sine at the codec's full scale (µ-law) is +3.14 dBm0, so 0 dBm0 is 3.14 dB below a
// full-scale 16-bit sine: 32767 * 10^(-3.14/20) = 22826.5.
inline const double kPeakAt0Dbm0 = 32767.0 * std::pow(10.0, -3.14 / 20.0);

// Peak amplitude in sample units of a sine at `dbm0`.
inline double amplitudeOfDbm0(double dbm0) { return kPeakAt0Dbm0 * std::pow(10.0, dbm0 / 20.0); }

// The tone levels of one digit. ITU-T Q.23 leaves levels to national specs; typical senders use about
// -7 dBm0 per tone with the high group 2 dB above the low (a "pre-emphasis" that offsets the line's
// loss at higher frequencies), well inside Q.24's accepted twist (8 dB normal, 4 dB reverse).
struct ToneLevels {
    double lowDbm0 = -8.0;
    double highDbm0 = -6.0;
};

// ITU-T Q.23: the low (row) group and the high (column) group frequencies, in Hz.
inline constexpr std::array<double, 4> kLowGroupHz {697.0, 770.0, 852.0, 941.0};
inline constexpr std::array<double, 4> kHighGroupHz {1209.0, 1336.0, 1477.0, 1633.0};

// The pair of a digit (the Q.23 keypad): indices into kLowGroupHz and kHighGroupHz; 'a'-'d' accepted.
struct TonePair {
    int low = 0;
    int high = 0;
};
std::optional<TonePair> pairOfDigit(char digit);
// The digit of a pair: '0'-'9', '*', '#', 'A'-'D'.
char digitOfPair(int low, int high);

// InbandGenerator: plays one digit's Q.23 pair, then its pause, into the frames it is given; media thread.
class InbandGenerator {
public:
    // Ramps: raised-cosine fades at the start and end of each tone, inside the tone's duration, so the
    // keying does not splatter energy across the band (and into the detector's other bins).
    static constexpr double kRampMs = 2.0;

    explicit InbandGenerator(int sampleRate, ToneLevels levels = {});

    int sampleRate() const { return m_rate; }
    void setLevels(ToneLevels levels);
    ToneLevels levels() const { return m_levels; }

    // Starts the ITU-T Q.23 pair of a digit ('0'-'9', '*', '#', 'A'-'D', 'a'-'d'): tone for toneMs,
    // then silence for pauseMs (negative values count as 0). A digit still playing is replaced.
    // False (and nothing changes) for any other character.
    bool start(char digit, int toneMs = 100, int pauseMs = 100);
    bool active() const { return m_toneLeft > 0 || m_pauseLeft > 0; } // tone or pause still to play
    bool inTone() const { return m_toneLeft > 0; }

    // Writes the next samples into out (tone, then zeros for the pause); returns how many it wrote:
    // fewer than out.size() when the digit (pause included) ends inside it, the rest of out untouched.
    // Allocation free; phase continuous from one call to the next.
    std::size_t fill(std::span<std::int16_t> out);
    void stop();

private:
    struct Oscillator {
        double re = 1, im = 0; // e^{j phase}
        double stepRe = 1, stepIm = 0; // e^{j omega}
        double amplitude = 0;
        void tune(double hz, int rate);
        double next(); // the sample, then one step on
        void renormalise();
    };
    double rampGain(std::int64_t index) const;

    int m_rate;
    ToneLevels m_levels;
    Oscillator m_low, m_high;
    std::int64_t m_toneTotal = 0; // samples of the current tone
    std::int64_t m_toneLeft = 0;
    std::int64_t m_pauseLeft = 0;
    std::int64_t m_rampLen = 0;
};

} // namespace ds::dtmf
