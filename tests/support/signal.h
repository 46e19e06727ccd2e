#pragma once
// Test-signal helpers shared by the audio tests: a sine generator, RMS level and the Goertzel
// power of one frequency.

#include <cmath>
#include <cstdint>
#include <numbers>
#include <span>
#include <vector>

namespace ds::test {

inline std::vector<std::int16_t> sine(double hz, double amplitude, std::size_t n, int rate)
{
    std::vector<std::int16_t> v(n);
    for (std::size_t i = 0; i < n; ++i)
        v[i] = std::int16_t(std::lround(amplitude * std::sin(2 * std::numbers::pi * hz * double(i) / rate)));
    return v;
}

inline double rms(std::span<const std::int16_t> x)
{
    double s = 0;
    for (std::int16_t v : x)
        s += double(v) * v;
    return x.empty() ? 0 : std::sqrt(s / double(x.size()));
}

// Goertzel: power of `x` at frequency `hz`.
inline double toneEnergy(std::span<const std::int16_t> x, double hz, int rate)
{
    const double k = 2 * std::cos(2 * std::numbers::pi * hz / rate);
    double s1 = 0, s2 = 0;
    for (std::int16_t v : x) {
        const double s0 = v + k * s1 - s2;
        s2 = s1;
        s1 = s0;
    }
    return s1 * s1 + s2 * s2 - k * s1 * s2;
}

} // namespace ds::test
