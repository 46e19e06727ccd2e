#include "media/tap_port.h"

#include <QFile>

#include <algorithm>

namespace ds::media {

namespace {

QString lengthText(std::chrono::seconds s)
{
    if (s.count() % 3600 == 0)
        return QStringLiteral("%1 h").arg(s.count() / 3600);
    if (s.count() % 60 == 0)
        return QStringLiteral("%1 min").arg(s.count() / 60);
    return QStringLiteral("%1 s").arg(s.count());
}

} // namespace

TapPort::TapPort(std::shared_ptr<AudioPort> inner, int sampleRate, std::chrono::seconds maxLength)
    : m_inner(std::move(inner))
    , m_rate(sampleRate)
    , m_maxLength(maxLength)
    , m_maxSamples(qint64(sampleRate) * maxLength.count())
{
    Q_ASSERT(sampleRate > 0 && maxLength.count() > 0);
}

TapPort::TapPort(TapPort &&) noexcept = default;
TapPort &TapPort::operator=(TapPort &&) noexcept = default;

TapPort::~TapPort() { (void)close(); }

std::expected<TapPort, Error> TapPort::wrap(std::shared_ptr<AudioPort> inner, const QString &readPath, const QString &writePath, std::chrono::seconds maxLength)
{
    Q_ASSERT(inner && inner->channels() == 1);
    Q_ASSERT_X(readPath.isEmpty() || inner->isSource(), "TapPort::wrap", "recording reads of a port that is not a source");
    Q_ASSERT_X(writePath.isEmpty() || inner->isSink(), "TapPort::wrap", "recording writes to a port that is not a sink");
    const int rate = inner->sampleRate();
    TapPort tap(std::move(inner), rate, maxLength);
    if (auto error = tap.open(tap.m_read, readPath))
        return std::unexpected(*error);
    if (auto error = tap.open(tap.m_write, writePath)) {
        if (tap.m_read.writer) { // no half-made recording left behind
            tap.m_read.writer.reset();
            QFile::remove(readPath);
        }
        return std::unexpected(*error);
    }
    return tap;
}

std::expected<TapPort, Error> TapPort::sink(const QString &writePath, int sampleRate, std::chrono::seconds maxLength)
{
    Q_ASSERT(!writePath.isEmpty());
    TapPort tap(nullptr, sampleRate, maxLength);
    if (auto error = tap.open(tap.m_write, writePath))
        return std::unexpected(*error);
    return tap;
}

std::optional<Error> TapPort::open(Recorder &r, const QString &path)
{
    r.track.path = path;
    if (path.isEmpty())
        return std::nullopt;
    auto writer = WavWriter::create(path, m_rate, 1);
    if (!writer)
        return named(path, writer.error());
    r.writer.emplace(std::move(*writer));
    r.track.recording = true;
    return std::nullopt;
}

std::size_t TapPort::read(std::span<std::int16_t> frame)
{
    Q_ASSERT_X(m_inner && m_inner->isSource(), "TapPort::read", "not a source");
    const std::size_t n = m_inner->read(frame);
    // The port contract zeroes the rest already; the recording must not depend on that.
    std::fill(frame.begin() + std::ptrdiff_t(std::min(n, frame.size())), frame.end(), std::int16_t(0));
    record(m_read, frame);
    return n;
}

void TapPort::write(std::span<const std::int16_t> frame)
{
    Q_ASSERT_X(!m_inner || m_inner->isSink(), "TapPort::write", "not a sink");
    if (m_inner)
        m_inner->write(frame);
    record(m_write, frame);
}

void TapPort::record(Recorder &r, std::span<const std::int16_t> samples)
{
    if (!r.writer)
        return;
    const qint64 room = m_maxSamples - r.track.samples;
    const bool last = qint64(samples.size()) >= room;
    samples = samples.first(std::size_t(std::min<qint64>(room, qint64(samples.size()))));
    if (auto ok = r.writer->write(samples); !ok) {
        r.track.samples = r.writer->framesWritten();
        stop(r, named(r.track.path, ok.error()), {});
        return;
    }
    r.track.samples += qint64(samples.size());
    if (last)
        stop(r, std::nullopt, QStringLiteral("%1: recording stopped at the %2 limit").arg(r.track.path, lengthText(m_maxLength)));
}

void TapPort::stop(Recorder &r, std::optional<Error> error, QString note)
{
    // Once, off the per-frame path: finalising the header seeks and flushes.
    if (auto ok = r.writer->close(); !ok && !error)
        error = named(r.track.path, ok.error());
    r.writer.reset();
    r.track.recording = false;
    if (!r.track.error)
        r.track.error = std::move(error);
    if (r.track.note.isEmpty())
        r.track.note = std::move(note);
}

std::expected<void, Error> TapPort::close()
{
    for (Recorder *r : {&m_read, &m_write})
        if (r->writer)
            stop(*r, std::nullopt, {});
    for (const Recorder *r : {&m_read, &m_write})
        if (r->track.error)
            return std::unexpected(*r->track.error);
    return {};
}

} // namespace ds::media
