#pragma once
// EchoPort: a sink whose audio is read back as a source, through a bounded FIFO (`dialscope answer --echo`); media thread.

#include "media/audio_port.h"

#include <QtGlobal>

#include <chrono>
#include <vector>

namespace ds::media {

// What write() consumes, read() returns, in order. The FIFO is allocated once (capacity); when it is full
// the oldest audio is dropped so the echo never lags by more than the capacity. read() hands out audio
// only when a whole frame is buffered; otherwise it returns a frame of silence and keeps what it has,
// so the echo is delayed by a frame rather than chopped. The source never ends. With a delay, the FIFO
// starts primed with that much silence (the ring holds the delay on top of the capacity), so what is
// written comes back that much later as long as reads and writes keep pace (one media clock drives both).
class EchoPort final : public AudioPort {
public:
    explicit EchoPort(int sampleRate = 8000, std::chrono::milliseconds capacity = std::chrono::milliseconds(1000),
        std::chrono::milliseconds delay = std::chrono::milliseconds(0));

    int sampleRate() const override { return m_rate; }
    Capabilities capabilities() const override { return {true, true}; }
    std::size_t read(std::span<std::int16_t> frame) override;
    void write(std::span<const std::int16_t> frame) override;

    std::size_t buffered() const { return m_count; } // samples waiting
    std::size_t capacity() const { return m_ring.size(); } // samples
    qint64 droppedSamples() const { return m_dropped; } // lost to overflow
    qint64 underruns() const { return m_underruns; } // reads answered with silence

private:
    int m_rate;
    std::vector<std::int16_t> m_ring;
    std::size_t m_head = 0; // next sample to read
    std::size_t m_count = 0;
    qint64 m_dropped = 0;
    qint64 m_underruns = 0;
};

} // namespace ds::media
