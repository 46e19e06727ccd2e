#pragma once
// AudioPort: the frame interface every audio source and sink implements (pjmedia's port); media thread.

#include <cstddef>
#include <cstdint>
#include <span>

namespace ds::media {

// A sound device, a WAV file, a tone generator, silence and (later) an RTP stream are all ports:
// the media graph moves 16-bit linear PCM frames between them without knowing which is which.
//
// Threading: a port is created on any thread, then read and written only by the media thread, one
// call at a time; it is not thread safe. The PortAudio port will bridge that thread to the audio
// callback through SPSC rings, so the callback never calls a port itself.
//
// Frames: mono for now (channels() == 1), interleaved when that changes, at sampleRate(). Any frame
// size works (20 ms at the port rate is typical); read() and write() allocate nothing.
class AudioPort {
public:
    struct Capabilities {
        bool source = false; // read() produces audio
        bool sink = false; // write() consumes audio
    };

    virtual ~AudioPort() = default;

    virtual int sampleRate() const = 0;
    virtual int channels() const { return 1; }
    virtual Capabilities capabilities() const = 0;
    bool isSource() const { return capabilities().source; }
    bool isSink() const { return capabilities().sink; }

    // Source: fills `frame` and returns the number of samples written. That is frame.size() while the
    // stream lasts, fewer only for the last frame (the rest of `frame` is then zeroed), 0 at end of
    // stream and ever after. Asserts on a port that is not a source.
    virtual std::size_t read(std::span<std::int16_t> frame) = 0;
    // Sink: consumes the whole of `frame`. Asserts on a port that is not a sink.
    virtual void write(std::span<const std::int16_t> frame) = 0;

protected:
    AudioPort() = default;
    AudioPort(const AudioPort &) = default;
    AudioPort(AudioPort &&) noexcept = default;
    AudioPort &operator=(const AudioPort &) = default;
    AudioPort &operator=(AudioPort &&) noexcept = default;
};

} // namespace ds::media
