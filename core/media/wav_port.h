#pragma once
// WavPort: a WAV file as an audio port, either a source (play a file) or a sink (record); media thread.

#include "media/audio_port.h"
#include "media/error.h"
#include "media/resampler.h"
#include "media/wav_file.h"

#include <QString>

#include <expected>
#include <optional>
#include <vector>

namespace ds::media {

// Source: reads through WavReader, averages the channels of a stereo (or wider) file to mono, and
// resamples to the port rate with Resampler when the file rate differs. With loop the file starts
// again at its end without a gap (the resampler runs on across the seam); without, the resampler's
// tail is flushed and the stream ends.
// Sink: writes 16-bit mono PCM at the port rate through WavWriter; close() or the destructor
// finalises the file.
// Errors from the file: at creation as values naming the file; during read()/write() the stream
// ends (a source reads 0, a sink drops frames) and error() says why.
class WavPort final : public AudioPort {
public:
    static std::expected<WavPort, Error> openSource(const QString &path, int sampleRate, bool loop = false);
    static std::expected<WavPort, Error> createSink(const QString &path, int sampleRate);

    WavPort(WavPort &&) noexcept;
    WavPort &operator=(WavPort &&) noexcept;
    ~WavPort() override; // a sink is closed, ignoring errors: call close() to see them

    int sampleRate() const override { return m_rate; }
    Capabilities capabilities() const override { return {m_reader.has_value(), m_sink}; }
    std::size_t read(std::span<std::int16_t> frame) override;
    void write(std::span<const std::int16_t> frame) override;

    // Sink: finalises the RIFF sizes and closes the file; later writes are dropped. Source: no-op.
    std::expected<void, Error> close();

    const QString &path() const { return m_path; }
    // The file's own format (source) or the one being written (sink).
    WavFormat fileFormat() const;
    // The first error met after creation, if any.
    const std::optional<Error> &error() const { return m_error; }
    qint64 framesWritten() const { return m_writer ? m_writer->framesWritten() : m_written; }

private:
    static constexpr std::size_t kChunkFrames = 480; // file frames per WavReader::read

    WavPort(QString path, int sampleRate);
    bool refill(); // reads, downmixes the next chunk into m_mono; false at end of file
    void fail(const Error &e);

    QString m_path;
    int m_rate;
    bool m_loop = false;
    bool m_ended = false;
    std::optional<WavReader> m_reader;
    std::optional<Resampler> m_resampler;
    std::vector<std::int16_t> m_interleaved; // one chunk as read, sized at open
    std::vector<std::int16_t> m_mono; // one chunk downmixed, sized at open
    std::size_t m_monoPos = 0;
    std::size_t m_monoCount = 0;
    bool m_fed = false; // any file audio went into the resampler (else there is no tail to flush)
    qint64 m_flushLeft = -1; // zeros still to push through the resampler at end of file; -1 not started
    bool m_sink = false;
    std::optional<WavWriter> m_writer; // empty once closed or failed
    qint64 m_written = 0; // frames written, kept after close()
    std::optional<Error> m_error;
};

} // namespace ds::media
