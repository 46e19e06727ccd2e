#pragma once
// detectInWav: the in-band DTMF digits of a WAV file (any rate, any channel count the WAV reader
// takes), for the CLI and tests. Any thread (reads the file, allocates).

#include "dtmf/inband_detector.h"

#include <QList>
#include <QString>

#include <expected>

namespace ds::dtmf {

// Channels are mixed down to mono (their average, as WavPort does) and the rate converted to 8 kHz;
// startSample and durationSamples are in 8 kHz samples from the start of the file. The error is one
// sentence naming the file and what is wrong with it (missing, not a WAV file, unsupported format).
std::expected<QList<DetectedTone>, QString> detectInWav(const QString &path, DetectorSettings settings = {});

} // namespace ds::dtmf
