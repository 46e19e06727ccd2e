#include "audio_ports.h"

#include "media/echo_port.h"
#include "media/portaudio_port.h"
#include "media/tone_port.h"
#include "media/wav_port.h"

namespace ds::phone {

std::expected<AudioPorts, QString> makeAudioPorts(const AudioSettings &a, int rate)
{
    AudioPorts ports;
    if (a.echo) {
        auto echo = std::make_shared<media::EchoPort>(rate);
        ports.source = echo;
        ports.sink = echo;
        return ports;
    }
    std::shared_ptr<media::PortAudioPort> device;
    const bool needDevice = a.soundCard && ((a.playFile.isEmpty() && a.toneHz <= 0) || a.recordFile.isEmpty());
    if (needDevice) {
        auto opened = media::PortAudioPort::open(
            a.inputDevice >= 0 ? std::optional<int>(a.inputDevice) : std::nullopt, a.outputDevice >= 0 ? std::optional<int>(a.outputDevice) : std::nullopt);
        if (opened)
            device = std::shared_ptr<media::PortAudioPort>(std::move(*opened));
        else
            ports.warning = QStringLiteral("no sound: %1 — the call goes on without microphone and speaker; choose a WAV file or a tone in the audio settings")
                                .arg(opened.error());
    }
    if (!a.playFile.isEmpty()) {
        auto wav = media::WavPort::openSource(a.playFile, rate, a.loopPlay);
        if (!wav)
            return std::unexpected(wav.error().toString());
        ports.source = std::make_shared<media::WavPort>(std::move(*wav));
    } else if (a.toneHz > 0) {
        ports.source = std::make_shared<media::TonePort>(rate, media::TonePort::Tone {a.toneHz, a.toneDbfs});
    } else if (device && device->isSource()) {
        ports.source = device;
    }
    if (!a.recordFile.isEmpty()) {
        auto wav = media::WavPort::createSink(a.recordFile, rate);
        if (!wav)
            return std::unexpected(wav.error().toString());
        ports.sink = std::make_shared<media::WavPort>(std::move(*wav));
    } else if (device && device->isSink()) {
        ports.sink = device;
    }
    return ports;
}

} // namespace ds::phone
