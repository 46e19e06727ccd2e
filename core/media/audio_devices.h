#pragma once
// Audio devices: PortAudio's lifetime in the process and the sound cards it finds; any thread.

#include <QList>
#include <QString>

#include <expected>
#include <mutex>

namespace ds::media {

// One device as PortAudio lists it. `index` is PortAudio's device index: valid while PortAudio stays
// initialised, so list and open close together (a card plugged in between may shift the indices).
struct AudioDevice {
    int index = -1;
    QString name; // "HDA Intel PCH: ALC892 Analog (hw:0,0)", "default", "pulse"
    QString hostApi; // "ALSA", "JACK Audio Connection Kit", "OSS"
    int maxInputChannels = 0;
    int maxOutputChannels = 0;
    double defaultSampleRate = 0;
    bool isDefaultInput = false; // PortAudio's default input (microphone)
    bool isDefaultOutput = false; // PortAudio's default output (speaker)
};

enum class AudioDirection { Input, Output };

// PortAudioLibrary: keeps PortAudio initialised while at least one handle lives; any thread.
//
// Pa_Initialize/Pa_Terminate are not thread safe and Pa_Initialize enumerates the devices, so the
// handles share one reference count under one lock: the first handle initialises, the last one
// terminates, and a list taken after all handles are gone sees the cards present now.
// The same lock serialises the other PortAudio calls that touch global state (listing, opening and
// closing streams); the audio callback never takes it.
//
// On first use, ALSA's and JACK's own stderr messages are silenced for the rest of the process:
// on a machine without a card every PCM that ALSA probes prints a few lines, which says nothing the
// error values do not. Set DIALSCOPE_AUDIO_DEBUG=1 to keep them.
class PortAudioLibrary {
public:
    // Initialises PortAudio if no other handle holds it.
    static std::expected<PortAudioLibrary, QString> acquire();

    PortAudioLibrary(PortAudioLibrary &&other) noexcept;
    PortAudioLibrary &operator=(PortAudioLibrary &&other) noexcept;
    PortAudioLibrary(const PortAudioLibrary &) = delete;
    PortAudioLibrary &operator=(const PortAudioLibrary &) = delete;
    ~PortAudioLibrary();

    // Held around PortAudio calls outside the audio callback. Not recursive: acquire() takes it too.
    static std::unique_lock<std::mutex> lock();
    // Handles alive in the process (0: PortAudio is not initialised).
    static int useCount();

private:
    PortAudioLibrary() = default;
    void release();

    bool m_held = false;
};

// Every device PortAudio finds, in its index order; an error when PortAudio does not start.
std::expected<QList<AudioDevice>, QString> listAudioDevices();

// One sentence, for the GUI and `--json`, on whether calls can use a sound card, e.g.
// "no sound card: PortAudio finds no input or output device; calls can still use a WAV file, a tone
// or silence" or "sound card ready: calls use microphone "default" and speaker "default"".
QString describeAudioAvailability(const std::expected<QList<AudioDevice>, QString> &devices);
inline QString audioAvailability() { return describeAudioAvailability(listAudioDevices()); }

// The device a `--device NAME` option means: a case-insensitive exact name first, else the only
// device whose name contains `name`, among the devices with channels in `direction`. Errors name
// what was asked and list the candidates.
std::expected<AudioDevice, QString> findAudioDevice(const QList<AudioDevice> &devices, const QString &name, AudioDirection direction);

} // namespace ds::media
