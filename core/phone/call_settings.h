#pragma once
// CallSettings: what a call negotiates and where its audio comes from and goes to — the sound
// card, a WAV file, a tone, silence, or an echo of what it receives — and whether both directions
// are recorded.

#include "dtmf/info_body.h"
#include "dtmf/stream_dtmf.h"
#include "sdp/offer_answer.h"

#include <QByteArray>
#include <QList>
#include <QString>

#include <optional>

namespace ds::phone {

struct AudioSettings {
    static constexpr int kMaxEchoDelayMs = 5000;
    // Source, first that applies: echo, playFile, tone, sound card, silence.
    bool echo = false; // send back what is received (the `answer --echo` test)
    int echoDelayMs = 0; // echo: what is received goes back this much later (0..kMaxEchoDelayMs)
    QString playFile; // WAV to send
    bool loopPlay = true; // start the file again at its end
    double toneHz = 0; // > 0: send a sine of this frequency
    double toneDbfs = -12;
    // Sink, first that applies: echo, recordFile, sound card, nowhere.
    QString recordFile; // WAV of what is received
    bool soundCard = false; // PortAudio capture and playback
    int inputDevice = -1; // PortAudio device index, -1: the default
    int outputDevice = -1;
    // Both directions to WAV as well, whatever the source and sink: `<prefix>-sent.wav` (what the
    // source gives, before mute and in-band DTMF) and `<prefix>-received.wav` (what the sink is
    // given). Empty: no recording. For the call bundle.
    QString recordBothTo;
};

// How digits are sent (the received side listens in every mode at once, whatever this says).
enum class DtmfMode {
    Auto, // RFC 4733 when telephone-event was negotiated, else in-band
    Rfc4733,
    Inband,
    Info,
};
QString dtmfModeName(DtmfMode mode); // "auto", "rfc4733", "inband", "info"
std::optional<DtmfMode> dtmfModeFromName(QStringView name);

struct DtmfSettings {
    DtmfMode mode = DtmfMode::Auto;
    dtmf::SendSettings send; // tone and pause (also the gap between INFO requests), levels, volume
    dtmf::InfoBodyType infoBody = dtmf::InfoBodyType::DtmfRelay;
};

struct CallSettings {
    QList<QByteArray> codecs {"PCMU", "PCMA", "opus"}; // preference order
    bool telephoneEvent = true; // offer RFC 4733 events
    int autoAnswerMs = -1; // incoming: answer after this delay; -1 rings until answer()
    AudioSettings audio;
    DtmfSettings dtmf;
    quint16 rtpPortMin = 16384;
    quint16 rtpPortMax = 32767;
    // Media security: SDES-keyed SRTP (RFC 4568, RFC 3711) off, best effort, or required.
    sdp::SrtpMode srtp = sdp::SrtpMode::Off;
};

} // namespace ds::phone
