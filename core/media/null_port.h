#pragma once
// NullPort: a source of silence and a sink that discards, counting the frames it sees; media thread.

#include "media/audio_port.h"

#include <QtGlobal>

namespace ds::media {

class NullPort final : public AudioPort {
public:
    explicit NullPort(int sampleRate = 8000);

    int sampleRate() const override { return m_rate; }
    Capabilities capabilities() const override { return {true, true}; }
    // Silence, never ending.
    std::size_t read(std::span<std::int16_t> frame) override;
    void write(std::span<const std::int16_t> frame) override;

    qint64 framesRead() const { return m_framesRead; } // read() calls
    qint64 samplesRead() const { return m_samplesRead; }
    qint64 framesWritten() const { return m_framesWritten; } // write() calls
    qint64 samplesWritten() const { return m_samplesWritten; }

private:
    int m_rate;
    qint64 m_framesRead = 0;
    qint64 m_samplesRead = 0;
    qint64 m_framesWritten = 0;
    qint64 m_samplesWritten = 0;
};

} // namespace ds::media
