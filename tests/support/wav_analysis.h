#pragma once
// Reads a recorded WAV and says what tone it holds: the frequency with the most energy among
// candidates, and the level — for interop tests that check audio, not packet counts.

#include "media/wav_file.h"
#include "support/signal.h"

#include <QString>

#include <cmath>
#include <vector>

namespace ds::test {

struct ToneCheck {
    bool ok = false; // the file could be read and holds audio
    QString error;
    int sampleRate = 0;
    double seconds = 0;
    double rmsDbfs = -200; // of the loudest second
    double toneShare = 0; // energy at the expected frequency / total energy, in the loudest second
};

// Reads mono 16-bit PCM (first channel of wider files).
inline std::vector<std::int16_t> readWavMono(const QString &path, int *rate, QString *error)
{
    std::vector<std::int16_t> samples;
    auto reader = media::WavReader::open(path);
    if (!reader) {
        *error = reader.error().toString();
        return samples;
    }
    const int channels = reader->format().channels;
    *rate = reader->format().sampleRate;
    std::vector<std::int16_t> buf(4096 * std::size_t(channels));
    for (;;) {
        auto n = reader->read(buf);
        if (!n) {
            *error = n.error().toString();
            break;
        }
        if (*n == 0)
            break;
        // read() counts samples of all channels; keep the first channel of each frame.
        for (std::size_t i = 0; i < *n / std::size_t(channels); ++i)
            samples.push_back(buf[i * std::size_t(channels)]);
    }
    return samples;
}

// How much of the loudest one-second window of `path` is a sine at `hz`.
inline ToneCheck checkTone(const QString &path, double hz)
{
    ToneCheck c;
    const std::vector<std::int16_t> x = readWavMono(path, &c.sampleRate, &c.error);
    if (x.empty() || c.sampleRate <= 0) {
        if (c.error.isEmpty())
            c.error = QStringLiteral("%1 holds no audio").arg(path);
        return c;
    }
    c.seconds = double(x.size()) / c.sampleRate;
    const std::size_t win = std::size_t(c.sampleRate);
    std::size_t best = 0;
    double bestRms = -1;
    for (std::size_t start = 0; start + win <= x.size() || start == 0; start += win / 2) {
        const std::size_t len = std::min(win, x.size() - start);
        const double r = rms(std::span(x).subspan(start, len));
        if (r > bestRms) {
            bestRms = r;
            best = start;
        }
        if (start + win > x.size())
            break;
    }
    const auto w = std::span(x).subspan(best, std::min(win, x.size() - best));
    c.rmsDbfs = bestRms > 0 ? 20 * std::log10(bestRms / 32768.0) : -200;
    // Goertzel power over the window against the total power (Parseval: sum x^2 * N / 2 for a sine).
    double total = 0;
    for (std::int16_t v : w)
        total += double(v) * v;
    const double tone = toneEnergy(w, hz, c.sampleRate);
    c.toneShare = total > 0 ? tone / (total * double(w.size()) / 2.0) : 0;
    c.ok = true;
    return c;
}

} // namespace ds::test
