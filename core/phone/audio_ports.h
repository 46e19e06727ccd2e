#pragma once
// makeAudioPorts: turns a call's AudioSettings into the source and sink ports its media stream
// reads and writes — echo, WAV files, a tone, the sound card or nothing — tapped to WAV when both
// directions are to be recorded.

#include "call_settings.h"

#include "media/audio_port.h"

#include <expected>
#include <memory>

namespace ds::phone {

struct AudioPorts {
    std::shared_ptr<media::AudioPort> source; // null: silence
    std::shared_ptr<media::AudioPort> sink; // null: discard
    QString warning; // e.g. no sound card: the call goes on without local audio
    // With AudioSettings::recordBothTo, the WAV files being written (for the call bundle); the files
    // are complete once the media stream has let go of the ports. sentPath is empty when there is no
    // source (nothing but silence to send, so nothing is recorded); receivedPath is always set then.
    QString sentPath;
    QString receivedPath;
};

// `<prefix>-sent.wav` and `<prefix>-received.wav`: where recordBothTo = prefix records.
QString sentRecordingPath(const QString &prefix);
QString receivedRecordingPath(const QString &prefix);

// `rate`: the codec's clock rate, used for the ports that can run at any rate.
// Errors (a WAV to play that cannot be read, a file that cannot be created) name the file.
std::expected<AudioPorts, QString> makeAudioPorts(const AudioSettings &settings, int rate);

} // namespace ds::phone
