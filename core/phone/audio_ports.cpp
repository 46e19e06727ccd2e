#include "audio_ports.h"

#include "media/echo_port.h"
#include "media/portaudio_port.h"
#include "media/tap_port.h"
#include "media/tone_port.h"
#include "media/wav_port.h"

#include <QFile>
#include <QFileInfo>

namespace ds::phone {

namespace {

std::expected<AudioPorts, QString> choosePorts(const AudioSettings &a, int rate)
{
    AudioPorts ports;
    if (a.echo) {
        if (a.echoDelayMs < 0 || a.echoDelayMs > AudioSettings::kMaxEchoDelayMs)
            return std::unexpected(QStringLiteral("an echo delay of %1 ms: give 0 to %2 ms").arg(a.echoDelayMs).arg(AudioSettings::kMaxEchoDelayMs));
        auto echo = std::make_shared<media::EchoPort>(rate, std::chrono::milliseconds(1000), std::chrono::milliseconds(a.echoDelayMs));
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

bool sameFile(const QString &a, const QString &b) { return !a.isEmpty() && QFileInfo(a).absoluteFilePath() == QFileInfo(b).absoluteFilePath(); }

// Wraps the chosen ports in taps: the source's reads to `sent`, the sink's writes to `received`.
// One port used both ways (echo, one sound card) gets one tap doing both, so it stays one port.
std::optional<QString> tapBoth(AudioPorts &ports, const QString &sent, const QString &received, int rate)
{
    const auto failed = [](const media::Error &e) { return QStringLiteral("cannot record the call: %1").arg(e.toString()); };
    if (ports.source && ports.source == ports.sink) {
        auto tap = media::TapPort::wrap(ports.source, sent, received);
        if (!tap)
            return failed(tap.error());
        ports.source = ports.sink = std::make_shared<media::TapPort>(std::move(*tap));
        ports.sentPath = sent;
        ports.receivedPath = received;
        return std::nullopt;
    }
    std::shared_ptr<media::TapPort> source;
    if (ports.source) {
        auto tap = media::TapPort::wrap(ports.source, sent, {});
        if (!tap)
            return failed(tap.error());
        source = std::make_shared<media::TapPort>(std::move(*tap));
    }
    // With no sink at all the tap is the sink: what arrives is recorded, and goes nowhere else.
    auto sink = ports.sink ? media::TapPort::wrap(ports.sink, {}, received) : media::TapPort::sink(received, rate);
    if (!sink) {
        if (source) { // no half-made recording left behind
            source.reset();
            QFile::remove(sent);
        }
        return failed(sink.error());
    }
    if (source) {
        ports.source = source;
        ports.sentPath = sent;
    }
    ports.sink = std::make_shared<media::TapPort>(std::move(*sink));
    ports.receivedPath = received;
    return std::nullopt;
}

} // namespace

QString sentRecordingPath(const QString &prefix) { return prefix + QStringLiteral("-sent.wav"); }
QString receivedRecordingPath(const QString &prefix) { return prefix + QStringLiteral("-received.wav"); }

std::expected<AudioPorts, QString> makeAudioPorts(const AudioSettings &a, int rate)
{
    const QString sent = sentRecordingPath(a.recordBothTo), received = receivedRecordingPath(a.recordBothTo);
    if (!a.recordBothTo.isEmpty()) {
        // Checked before anything is opened: creating the recording would truncate the file to play.
        for (const QString &own : {a.playFile, a.recordFile})
            if (sameFile(own, sent) || sameFile(own, received))
                return std::unexpected(QStringLiteral("cannot record the call to %1: it is the call's own audio file").arg(own));
    }
    auto ports = choosePorts(a, rate);
    if (!ports || a.recordBothTo.isEmpty())
        return ports;
    if (auto error = tapBoth(*ports, sent, received, rate))
        return std::unexpected(*error);
    return ports;
}

} // namespace ds::phone
