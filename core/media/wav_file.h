#pragma once
// WavReader / WavWriter: RIFF/WAVE files as a 16-bit audio port (file in, file out) for tests and the CLI.

#include "media/error.h"

#include <QString>

#include <cstdint>
#include <expected>
#include <memory>
#include <span>
#include <vector>

class QFile;

namespace ds::media {

// How the samples are stored in the file; the reader always hands out 16-bit linear PCM.
enum class WavEncoding { Pcm8, Pcm16, Pcm24, Pcm32, Float32, Alaw, Ulaw };

struct WavFormat {
    int sampleRate = 8000;
    int channels = 1;
    WavEncoding encoding = WavEncoding::Pcm16;
    int bytesPerSample() const;
};

// WavReader: reads interleaved 16-bit frames from a WAVE file; allocates only when opened.
class WavReader {
public:
    static std::expected<WavReader, Error> open(const QString &path);

    WavReader(WavReader &&) noexcept;
    WavReader &operator=(WavReader &&) noexcept;
    ~WavReader();

    const WavFormat &format() const { return m_format; }
    qint64 frameCount() const { return m_frames; } // sample frames (one sample per channel) in the data chunk
    qint64 framesLeft() const { return m_frames - m_framesRead; }
    bool atEnd() const { return framesLeft() == 0; }

    // Fills `out` with up to out.size() / channels whole frames, interleaved; returns the number of
    // samples written: out.size() until the last frame, fewer at the end, 0 at end of data.
    std::expected<std::size_t, Error> read(std::span<std::int16_t> out);

private:
    WavReader();
    std::unique_ptr<QFile> m_file;
    WavFormat m_format;
    qint64 m_frames = 0;
    qint64 m_framesRead = 0;
    std::vector<char> m_scratch; // raw bytes of one read, sized once at open
};

// WavWriter: writes 16-bit PCM WAVE files; close() (or the destructor) finalises the RIFF and data sizes.
class WavWriter {
public:
    static std::expected<WavWriter, Error> create(const QString &path, int sampleRate, int channels);

    WavWriter(WavWriter &&) noexcept;
    WavWriter &operator=(WavWriter &&) noexcept;
    ~WavWriter(); // closes, ignoring errors: call close() to see them

    // Appends interleaved samples; samples.size() must be a multiple of channels (asserted).
    std::expected<void, Error> write(std::span<const std::int16_t> samples);
    std::expected<void, Error> close();
    qint64 framesWritten() const { return m_dataBytes / (2 * m_channels); }

private:
    WavWriter();
    std::unique_ptr<QFile> m_file;
    int m_channels = 1;
    qint64 m_dataBytes = 0;
    std::vector<char> m_scratch;
};

} // namespace ds::media
