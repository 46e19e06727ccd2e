#include "dtmf/tone_generator.h"

#include <algorithm>
#include <cctype>
#include <numbers>

namespace ds::dtmf {

namespace {

// The ITU-T Q.23 keypad, row by row (low group), column by column (high group).
constexpr char kKeypad[4][4] = {
    {'1', '2', '3', 'A'},
    {'4', '5', '6', 'B'},
    {'7', '8', '9', 'C'},
    {'*', '0', '#', 'D'},
};

// Renormalise the rotating phasors this often: the rounding of one complex multiply changes |z| by
// about 1e-16, so the drift in between is far below a 16-bit sample's resolution.
constexpr int kRenormaliseEvery = 256;

} // namespace

std::optional<TonePair> pairOfDigit(char digit)
{
    const char d = char(std::toupper(static_cast<unsigned char>(digit)));
    for (int low = 0; low < 4; ++low)
        for (int high = 0; high < 4; ++high)
            if (kKeypad[low][high] == d)
                return TonePair {low, high};
    return std::nullopt;
}

char digitOfPair(int low, int high) { return kKeypad[low & 3][high & 3]; }

void InbandGenerator::Oscillator::tune(double hz, int rate)
{
    const double omega = 2 * std::numbers::pi * hz / rate;
    stepRe = std::cos(omega);
    stepIm = std::sin(omega);
    re = 1;
    im = 0; // every tone starts at phase 0: sin(0) = 0, no click under the ramp either
}

double InbandGenerator::Oscillator::next()
{
    const double sample = amplitude * im;
    const double r = re * stepRe - im * stepIm;
    im = re * stepIm + im * stepRe;
    re = r;
    return sample;
}

void InbandGenerator::Oscillator::renormalise()
{
    // One Newton step towards |z| = 1 (the error is tiny, so this is exact to rounding).
    const double g = (3.0 - (re * re + im * im)) / 2.0;
    re *= g;
    im *= g;
}

InbandGenerator::InbandGenerator(int sampleRate, ToneLevels levels)
    : m_rate(std::max(sampleRate, 1))
{
    setLevels(levels);
}

void InbandGenerator::setLevels(ToneLevels levels)
{
    m_levels = levels;
    m_low.amplitude = amplitudeOfDbm0(levels.lowDbm0);
    m_high.amplitude = amplitudeOfDbm0(levels.highDbm0);
}

bool InbandGenerator::start(char digit, int toneMs, int pauseMs)
{
    const auto pair = pairOfDigit(digit);
    if (!pair)
        return false;
    m_low.tune(kLowGroupHz[std::size_t(pair->low)], m_rate);
    m_high.tune(kHighGroupHz[std::size_t(pair->high)], m_rate);
    m_toneTotal = std::int64_t(std::max(toneMs, 0)) * m_rate / 1000;
    m_toneLeft = m_toneTotal;
    m_pauseLeft = std::int64_t(std::max(pauseMs, 0)) * m_rate / 1000;
    m_rampLen = std::min<std::int64_t>(std::llround(kRampMs * m_rate / 1000.0), m_toneTotal / 4);
    return true;
}

void InbandGenerator::stop()
{
    m_toneLeft = 0;
    m_pauseLeft = 0;
}

double InbandGenerator::rampGain(std::int64_t index) const
{
    // Raised cosine over m_rampLen samples at each end of the tone, sampled at the sample centres so
    // the fade in and the fade out are mirror images.
    const std::int64_t fromEnd = m_toneTotal - 1 - index;
    const std::int64_t k = std::min(index, fromEnd);
    if (k >= m_rampLen)
        return 1.0;
    return 0.5 * (1.0 - std::cos(std::numbers::pi * (double(k) + 0.5) / double(m_rampLen)));
}

std::size_t InbandGenerator::fill(std::span<std::int16_t> out)
{
    std::size_t n = 0;
    while (n < out.size() && m_toneLeft > 0) {
        const std::int64_t index = m_toneTotal - m_toneLeft;
        const double v = (m_low.next() + m_high.next()) * rampGain(index);
        out[n++] = std::int16_t(std::clamp<long>(std::lround(v), -32768, 32767));
        --m_toneLeft;
        if ((index + 1) % kRenormaliseEvery == 0) {
            m_low.renormalise();
            m_high.renormalise();
        }
    }
    const std::size_t zeros = std::size_t(std::min<std::int64_t>(m_pauseLeft, std::int64_t(out.size() - n)));
    std::fill_n(out.begin() + std::ptrdiff_t(n), zeros, std::int16_t(0));
    m_pauseLeft -= std::int64_t(zeros);
    return n + zeros;
}

} // namespace ds::dtmf
