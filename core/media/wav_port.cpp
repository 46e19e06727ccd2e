#include "media/wav_port.h"

#include <algorithm>

namespace ds::media {

WavPort::WavPort(QString path, int sampleRate)
    : m_path(std::move(path))
    , m_rate(sampleRate)
{
}

WavPort::WavPort(WavPort &&) noexcept = default;
WavPort &WavPort::operator=(WavPort &&) noexcept = default;

WavPort::~WavPort()
{
    if (m_writer)
        (void)close();
}

std::expected<WavPort, Error> WavPort::openSource(const QString &path, int sampleRate, bool loop)
{
    Q_ASSERT(sampleRate > 0);
    auto reader = WavReader::open(path);
    if (!reader)
        return std::unexpected(named(path, reader.error()));
    const WavFormat format = reader->format();
    auto resampler = Resampler::create(format.sampleRate, sampleRate);
    if (!resampler)
        return std::unexpected(Error {QStringLiteral("%1: cannot play at %2 Hz: %3").arg(path).arg(sampleRate).arg(resampler.error().what)});
    WavPort port(path, sampleRate);
    port.m_loop = loop;
    port.m_reader.emplace(std::move(*reader));
    port.m_resampler.emplace(std::move(*resampler));
    port.m_interleaved.resize(kChunkFrames * std::size_t(format.channels));
    port.m_mono.resize(kChunkFrames);
    return port;
}

std::expected<WavPort, Error> WavPort::createSink(const QString &path, int sampleRate)
{
    Q_ASSERT(sampleRate > 0);
    auto writer = WavWriter::create(path, sampleRate, 1);
    if (!writer)
        return std::unexpected(named(path, writer.error()));
    WavPort port(path, sampleRate);
    port.m_sink = true;
    port.m_writer.emplace(std::move(*writer));
    return port;
}

WavFormat WavPort::fileFormat() const
{
    if (m_reader)
        return m_reader->format();
    return WavFormat {m_rate, 1, WavEncoding::Pcm16};
}

void WavPort::fail(const Error &e)
{
    if (!m_error)
        m_error = named(m_path, e);
}

bool WavPort::refill()
{
    if (m_reader->atEnd()) {
        if (!m_loop || m_reader->frameCount() == 0)
            return false;
        // WavReader cannot seek back, so a loop opens the file again: one allocation per pass.
        auto again = WavReader::open(m_path);
        if (!again) {
            fail(again.error());
            return false;
        }
        *m_reader = std::move(*again);
    }
    auto n = m_reader->read(m_interleaved);
    if (!n) {
        fail(n.error());
        return false;
    }
    const auto channels = std::size_t(m_reader->format().channels);
    const std::size_t frames = *n / channels;
    for (std::size_t i = 0; i < frames; ++i) {
        int sum = 0;
        for (std::size_t c = 0; c < channels; ++c)
            sum += m_interleaved[i * channels + c];
        // Average, rounding half away from zero, so equal channels come out unchanged.
        const int half = int(channels) / 2;
        m_mono[i] = std::int16_t(sum >= 0 ? (sum + half) / int(channels) : (sum - half) / int(channels));
    }
    m_monoPos = 0;
    m_monoCount = frames;
    return frames > 0;
}

std::size_t WavPort::read(std::span<std::int16_t> frame)
{
    Q_ASSERT_X(m_reader, "WavPort::read", "not a source");
    if (!m_reader || m_ended) {
        std::ranges::fill(frame, std::int16_t(0));
        return 0;
    }
    std::size_t produced = 0;
    while (produced < frame.size()) {
        if (m_monoPos == m_monoCount && m_flushLeft < 0 && !refill()) {
            // End of file: push the filter's delay worth of zeros through to get its tail out.
            const int latency = m_resampler->outputLatency();
            m_flushLeft = qint64(latency) * m_resampler->inRate() / m_resampler->outRate() + 1;
            if (latency == 0 || m_error || !m_fed)
                m_flushLeft = 0;
        }
        Resampler::Result r;
        if (m_flushLeft < 0) {
            r = m_resampler->process(std::span(m_mono).subspan(m_monoPos, m_monoCount - m_monoPos), frame.subspan(produced));
            m_monoPos += r.consumed;
            m_fed = m_fed || r.consumed > 0;
        } else {
            if (m_flushLeft == 0) {
                m_ended = true;
                break;
            }
            std::fill(m_mono.begin(), m_mono.end(), std::int16_t(0));
            const auto zeros = std::min<std::size_t>(std::size_t(m_flushLeft), m_mono.size());
            r = m_resampler->process(std::span(m_mono).first(zeros), frame.subspan(produced));
            m_flushLeft -= qint64(r.consumed);
        }
        produced += r.produced;
    }
    std::fill(frame.begin() + std::ptrdiff_t(produced), frame.end(), std::int16_t(0));
    return produced;
}

void WavPort::write(std::span<const std::int16_t> frame)
{
    Q_ASSERT_X(m_sink, "WavPort::write", "not a sink");
    if (!m_writer)
        return;
    if (auto ok = m_writer->write(frame); !ok) {
        fail(ok.error());
        m_written = m_writer->framesWritten();
        m_writer.reset();
    }
}

std::expected<void, Error> WavPort::close()
{
    if (!m_writer)
        return {};
    m_written = m_writer->framesWritten();
    auto ok = m_writer->close();
    m_writer.reset();
    if (!ok) {
        fail(ok.error());
        return std::unexpected(*m_error);
    }
    return {};
}

} // namespace ds::media
