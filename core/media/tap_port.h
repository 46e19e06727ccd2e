#pragma once
// TapPort: passes frames to and from an inner port and records them to WAV files on the way; media thread.

#include "media/audio_port.h"
#include "media/error.h"
#include "media/wav_file.h"

#include <QString>

#include <chrono>
#include <expected>
#include <memory>
#include <optional>

namespace ds::media {

// What read() returns (for a call: what we send) goes to one file, what write() consumes (what we
// receive) to another; either may be left out. The inner port does the real work and never notices
// the tap: when a WAV write fails, that recording stops and remembers why, and audio flows on.
//
// read() records the whole frame, also the zeros after the end of the inner stream, so both files
// of a call stay the same length and line up in time. Each recording stops on its own at
// maxLength (a note says so) to keep a forgotten call from filling the disk. Files are 16-bit mono
// at the inner port's rate; close() or the destructor finalises them. Per frame the tap allocates
// nothing itself: it hands the caller's frame to WavWriter.
//
// Threading: like every port, used by the media thread only (RtpStream's frame loop, as WavPort);
// tracks are read once the stream has let go of the port.
class TapPort final : public AudioPort {
public:
    static constexpr std::chrono::seconds defaultMaxLength = std::chrono::hours(2);

    // One direction's recording.
    struct Track {
        QString path; // empty: this direction is not recorded
        qint64 samples = 0; // recorded so far
        bool recording = false; // false once closed, failed or at the length limit
        std::optional<Error> error; // the write that failed, naming the file
        QString note; // why it stopped early without an error: "… stopped at the 2 h limit"
    };

    // Taps `inner` (not null): read() frames to readPath, write() frames to writePath; an empty path
    // records nothing that way. A path for a direction the inner port lacks is a programming error
    // (asserted). Both files are created here; the error names the one that failed, and a file
    // already created is removed again.
    static std::expected<TapPort, Error> wrap(
        std::shared_ptr<AudioPort> inner, const QString &readPath, const QString &writePath, std::chrono::seconds maxLength = defaultMaxLength);
    // A sink of its own for when there is nowhere else for the audio to go: records and discards.
    static std::expected<TapPort, Error> sink(const QString &writePath, int sampleRate, std::chrono::seconds maxLength = defaultMaxLength);

    TapPort(TapPort &&) noexcept;
    TapPort &operator=(TapPort &&) noexcept;
    ~TapPort() override; // closes both files, ignoring errors: call close() to see them

    int sampleRate() const override { return m_rate; }
    Capabilities capabilities() const override { return m_inner ? m_inner->capabilities() : Capabilities {false, true}; }
    std::size_t read(std::span<std::int16_t> frame) override;
    void write(std::span<const std::int16_t> frame) override;

    // Finalises both files; later frames still pass through, unrecorded. The first error, if any.
    std::expected<void, Error> close();

    const std::shared_ptr<AudioPort> &inner() const { return m_inner; } // null for sink()
    const Track &readTrack() const { return m_read.track; }
    const Track &writeTrack() const { return m_write.track; }
    qint64 maxSamples() const { return m_maxSamples; } // per track

private:
    struct Recorder {
        Track track;
        std::optional<WavWriter> writer; // empty when not recording
    };

    TapPort(std::shared_ptr<AudioPort> inner, int sampleRate, std::chrono::seconds maxLength);
    std::optional<Error> open(Recorder &r, const QString &path);
    void record(Recorder &r, std::span<const std::int16_t> samples);
    void stop(Recorder &r, std::optional<Error> error, QString note);

    std::shared_ptr<AudioPort> m_inner;
    int m_rate;
    std::chrono::seconds m_maxLength;
    qint64 m_maxSamples;
    Recorder m_read;
    Recorder m_write;
};

} // namespace ds::media
