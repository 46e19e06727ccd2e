#pragma once
// PortAudioPort: a sound card as an audio port, microphone as source and speaker as sink; media thread.

#include "media/audio_devices.h"
#include "media/audio_port.h"
#include "media/spsc_ring.h"

#include <QString>

#include <atomic>
#include <cstdint>
#include <expected>
#include <memory>
#include <optional>

namespace ds::media {

// Mono 16-bit PCM at one rate for both directions. Each direction is its own PortAudio stream (so
// input and output may be different cards, even different host APIs) whose callback only copies
// between PortAudio's buffer and an SpscRing: capture callback -> capture ring -> read() on the
// media thread; write() on the media thread -> playback ring -> playback callback. The callbacks
// never lock, allocate, log or call Qt, and touch only the rings and atomic counters.
//
// Clocks: the card and the media thread's timer drift apart, so each ring is kept near a few
// frames ("frame" = the larger of the port's callback buffer and the frame read or written):
// - read() drops the oldest capture samples once more than 3 frames wait (captureOverruns) and fills
//   with silence what is missing (captureUnderruns); it always returns a whole frame, a live
//   microphone never ends. Capture starts flowing at the first read(), which returns silence.
// - write() puts 2 frames of silence ahead of the audio at the start and whenever the ring ran dry,
//   and drops a frame that would leave more than 4 frames queued or does not fit (playbackOverruns);
//   the callback plays silence for what is missing (playbackUnderruns), counted from the first write().
class PortAudioPort final : public AudioPort {
public:
    // Pass as a device index to leave that direction out even when a default device exists.
    static constexpr int kNoDevice = -1;

    // inputDevice/outputDevice: a PortAudio device index (AudioDevice::index), nullopt for PortAudio's
    // default device (that direction is left out when there is none), or kNoDevice. sampleRate: tried
    // first; when a device refuses it, the output's then the input's default rate are tried (the media
    // path resamples to sampleRate()). frameMs: the callback buffer. The streams run when this returns.
    // Errors: neither direction available, a bad index, a device without channels in that direction,
    // no common rate, or PortAudio failing to open or start a stream; each names the device.
    static std::expected<std::unique_ptr<PortAudioPort>, QString> open(
        std::optional<int> inputDevice, std::optional<int> outputDevice, int sampleRate = 48000, int frameMs = 10);

    PortAudioPort(const PortAudioPort &) = delete;
    PortAudioPort &operator=(const PortAudioPort &) = delete;
    ~PortAudioPort() override; // aborts and closes the streams (waits for a running callback to return)

    int sampleRate() const override { return m_rate; }
    Capabilities capabilities() const override { return {m_input.stream != nullptr, m_output.stream != nullptr}; }
    std::size_t read(std::span<std::int16_t> frame) override;
    void write(std::span<const std::int16_t> frame) override;

    // Samples per callback: frameMs at sampleRate().
    std::size_t bufferSamples() const { return m_buffer; }
    // "\"default\" (ALSA)"; empty for a direction left out.
    const QString &inputDeviceName() const { return m_input.name; }
    const QString &outputDeviceName() const { return m_output.name; }

    // Every opened stream is still running (false once a card is unplugged or its stream failed).
    bool streamRunning() const;
    // Why a stream is no longer running (stopped, or PortAudio's error); empty while all is well.
    QString lastError() const;
    // Level of the last frame read(), in dBFS of its RMS with a full-scale sine at 0 dBFS (a TonePort at
    // -10 dBFS reads -10); -100 for silence. Computed by read() on the media thread, not in the callback;
    // readable from any thread, for a microphone meter.
    double inputLevelDbfs() const { return m_levelDbfs.load(std::memory_order_relaxed); }

    // Counters, in samples (callbacks for callbackCount); readable from any thread.
    std::uint64_t capturedSamples() const { return m_captured.load(std::memory_order_relaxed); } // delivered by the card
    std::uint64_t playedSamples() const { return m_played.load(std::memory_order_relaxed); } // taken by the card from write()
    std::uint64_t captureOverruns() const { return m_capture.overruns() + m_captureTrimmed.load(std::memory_order_relaxed); }
    std::uint64_t captureUnderruns() const { return m_capture.underruns(); }
    std::uint64_t playbackOverruns() const { return m_playback.overruns() + m_playbackDropped.load(std::memory_order_relaxed); }
    std::uint64_t playbackUnderruns() const { return m_playback.underruns(); }
    std::uint64_t callbackCount() const { return m_callbacks.load(std::memory_order_relaxed); }

private:
    struct Callbacks; // the PortAudio callbacks, in the .cpp

    struct Stream {
        void *stream = nullptr; // PaStream, which PortAudio defines as void
        QString name;
    };

    PortAudioPort(PortAudioLibrary library, int rate, std::size_t buffer);
    std::expected<void, QString> start(Stream &s, int device, AudioDirection direction); // takes the PortAudio lock
    void writeSilence(std::size_t count);

    PortAudioLibrary m_library; // first member: PortAudio outlives the streams
    int m_rate;
    std::size_t m_buffer;
    Stream m_input;
    Stream m_output;
    std::atomic<double> m_levelDbfs {-100.0}; // read() only

    SpscRing<std::int16_t> m_capture; // producer: capture callback; consumer: read()
    SpscRing<std::int16_t> m_playback; // producer: write(); consumer: playback callback
    std::atomic<bool> m_captureOn {false}; // set by the first read(); until then the callback drops
    std::atomic<bool> m_playbackOn {false}; // set by the first write(); until then the callback plays silence
    std::atomic<std::uint64_t> m_captured {0}; // capture callback only
    std::atomic<std::uint64_t> m_played {0}; // playback callback only
    std::atomic<std::uint64_t> m_callbacks {0}; // both callbacks
    std::atomic<std::uint64_t> m_captureTrimmed {0}; // read() only
    std::atomic<std::uint64_t> m_playbackDropped {0}; // write() only
};

} // namespace ds::media
