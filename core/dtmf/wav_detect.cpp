#include "dtmf/wav_detect.h"

#include "media/resampler.h"
#include "media/wav_file.h"

#include <algorithm>
#include <vector>

namespace ds::dtmf {

namespace {

// "FILE: what is wrong (at byte N)": the file named once, first.
QString describe(const QString &path, const media::Error &e)
{
    QString what = e.what.contains(path) ? e.what : QStringLiteral("%1: %2").arg(path, e.what);
    if (e.offset >= 0)
        what += QStringLiteral(" (at byte %1)").arg(e.offset);
    return what;
}

} // namespace

std::expected<QList<DetectedTone>, QString> detectInWav(const QString &path, DetectorSettings settings)
{
    auto reader = media::WavReader::open(path);
    if (!reader)
        return std::unexpected(describe(path, reader.error()));
    const int channels = reader->format().channels;
    const int rate = reader->format().sampleRate;
    auto resampler = media::Resampler::create(rate, InbandDetector::kSampleRate);
    if (!resampler)
        return std::unexpected(describe(path, resampler.error()));

    constexpr std::size_t kFrames = 4096; // at most half a second at 8 kHz: well inside kMaxResults per call
    std::vector<std::int16_t> interleaved(kFrames * std::size_t(channels));
    std::vector<std::int16_t> mono(kFrames);
    std::vector<std::int16_t> out(resampler->maxOutput(kFrames));
    InbandDetector detector(settings);
    QList<DetectedTone> found;
    auto feed = [&](std::span<const std::int16_t> in) {
        while (!in.empty()) {
            const auto r = resampler->process(in, out);
            for (const DetectedTone &t : detector.process(std::span<const std::int16_t>(out).first(r.produced)))
                found.append(t);
            in = in.subspan(r.consumed);
            if (r.consumed == 0 && r.produced == 0)
                break;
        }
    };
    for (;;) {
        const auto n = reader->read(interleaved);
        if (!n)
            return std::unexpected(describe(path, n.error()));
        if (*n == 0)
            break;
        const std::size_t frames = *n / std::size_t(channels);
        for (std::size_t i = 0; i < frames; ++i) {
            int sum = 0;
            for (int c = 0; c < channels; ++c)
                sum += interleaved[i * std::size_t(channels) + std::size_t(c)];
            mono[i] = std::int16_t(sum / channels);
        }
        feed(std::span<const std::int16_t>(mono).first(frames));
    }
    // The resampler holds back its filter delay: push it out with silence so the file's last
    // milliseconds reach the detector.
    if (!resampler->isIdentity()) {
        std::fill(mono.begin(), mono.end(), std::int16_t(0));
        const std::size_t tail = std::size_t(resampler->outputLatency()) * std::size_t(rate) / InbandDetector::kSampleRate + 1;
        feed(std::span<const std::int16_t>(mono).first(std::min(tail, mono.size())));
    }
    for (const DetectedTone &t : detector.finish())
        found.append(t);
    return found;
}

} // namespace ds::dtmf
