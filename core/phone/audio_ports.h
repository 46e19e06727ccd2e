#pragma once
// makeAudioPorts: turns a call's AudioSettings into the source and sink ports its media stream
// reads and writes — echo, WAV files, a tone, the sound card or nothing.

#include "call_settings.h"

#include "media/audio_port.h"

#include <expected>
#include <memory>

namespace ds::phone {

struct AudioPorts {
    std::shared_ptr<media::AudioPort> source; // null: silence
    std::shared_ptr<media::AudioPort> sink; // null: discard
    QString warning; // e.g. no sound card: the call goes on without local audio
};

// `rate`: the codec's clock rate, used for the ports that can run at any rate.
std::expected<AudioPorts, QString> makeAudioPorts(const AudioSettings &settings, int rate);

} // namespace ds::phone
