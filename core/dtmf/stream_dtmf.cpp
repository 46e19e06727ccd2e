#include "dtmf/stream_dtmf.h"

#include <algorithm>
#include <cmath>

namespace ds::dtmf {

namespace {
constexpr int kDetectorResamplerQuality = 2; // speexdsp 0..10
} // namespace

StreamDtmf::StreamDtmf()
    : m_generator(8000)
{
    m_spectrum.reserve(kMaxSpectrumColumns * Spectrogram::kBins);
}

void StreamDtmf::configure(int codecRate, int ptimeMs, bool eventsNegotiated)
{
    // Control path: allocation is fine here.
    const bool rateChanged = codecRate != m_codecRate || !m_toDetector;
    m_codecRate = codecRate;
    m_ptimeMs = std::max(1, ptimeMs);
    m_eventsNegotiated = eventsNegotiated;
    // RFC 4733 2.1: events share the audio's SSRC, sequence and timestamp spaces, so they use the
    // audio clock (the answer pairs telephone-event with the codec's rate when it can).
    m_sender.configure(codecRate, m_ptimeMs);
    if (rateChanged) {
        if (m_current && m_current->mode == Mode::Inband)
            m_generator.stop();
        m_generator = InbandGenerator(codecRate);
        m_receiver = EventReceiver(codecRate);
        // Quality 2: the detector listens below 2 kHz and the spectrogram shows 4 kHz; the VoIP
        // default (5) costs several times more for nothing either can use (Opus calls, 48 kHz in).
        auto r = media::Resampler::create(codecRate, InbandDetector::kSampleRate, kDetectorResamplerQuality, media::Resampler::Start::Streaming);
        if (r) {
            m_toDetector.emplace(std::move(*r));
            m_detectBuffer.assign(m_toDetector->maxOutput(Spectrogram::kMaxInput), 0);
        }
    }
}

std::size_t StreamDtmf::enqueue(std::span<const char> digits, Mode mode, const SendSettings &settings, std::uint64_t batch)
{
    m_batch = batch;
    m_drainPending = true; // reported even when nothing could be queued
    std::size_t queued = 0;
    for (char c : digits) {
        Item item;
        if (c == ',') {
            item.pauseMs = settings.commaMs;
        } else if (eventOfDigit(c)) {
            item.digit = char(std::toupper(static_cast<unsigned char>(c)));
            item.mode = mode;
            item.toneMs = std::clamp(settings.toneMs, 10, 10000);
            item.pauseMs = std::clamp(settings.pauseMs, 0, 10000);
            item.volume = std::min<std::uint8_t>(settings.volume, 63);
            item.levels = settings.levels;
        } else {
            continue;
        }
        if (m_queueCount == m_queue.size())
            break;
        m_queue[(m_queueHead + m_queueCount) % m_queue.size()] = item;
        ++m_queueCount;
        ++queued;
    }
    return queued;
}

void StreamDtmf::clearQueue() { m_queueCount = 0; }

void StreamDtmf::startNext(std::uint32_t timestamp, std::int64_t nowMs)
{
    m_current = m_queue[m_queueHead];
    m_queueHead = (m_queueHead + 1) % m_queue.size();
    --m_queueCount;
    const Item &item = *m_current;
    m_pauseLeftMs = item.pauseMs;
    if (!item.digit)
        return;
    DigitEvent e;
    e.digit = item.digit;
    e.mode = item.mode;
    e.dir = Direction::Out;
    e.atMs = nowMs;
    e.durationMs = item.toneMs;
    if (item.mode == Mode::Inband) {
        m_generator.setLevels(item.levels);
        m_generator.start(item.digit, item.toneMs, 0);
        e.levelDbm0 = std::max(item.levels.lowDbm0, item.levels.highDbm0);
        e.twistDb = item.levels.lowDbm0 - item.levels.highDbm0;
    } else {
        m_sender.start(item.digit, item.toneMs, timestamp, item.volume);
        e.levelDbm0 = -double(item.volume);
    }
    report(e);
}

std::optional<OutgoingEvent> StreamDtmf::onSendFrame(std::span<std::int16_t> frame, std::uint32_t timestamp, std::int64_t nowMs)
{
    for (int guard = 0; guard < 4; ++guard) {
        if (!m_current) {
            if (m_queueCount == 0) {
                return std::nullopt;
            }
            startNext(timestamp, nowMs);
        }
        const Item &item = *m_current;
        if (item.digit && item.mode == Mode::Rfc4733 && m_sender.active()) {
            if (auto ev = m_sender.next())
                return ev;
        }
        if (item.digit && item.mode == Mode::Inband && m_generator.active()) {
            const std::size_t n = m_generator.fill(frame);
            if (n == frame.size())
                return std::nullopt;
            // The tone ended inside this frame: the pause starts with the rest of it.
            m_pauseLeftMs -= int(std::int64_t(frame.size() - n) * 1000 / m_codecRate);
        }
        if (m_pauseLeftMs > 0) {
            m_pauseLeftMs -= m_ptimeMs;
            return std::nullopt;
        }
        m_current.reset();
        if (m_queueCount == 0)
            return std::nullopt;
    }
    return std::nullopt;
}

std::optional<std::uint64_t> StreamDtmf::queueDrained()
{
    if (!m_drainPending || sending())
        return std::nullopt;
    m_drainPending = false;
    return m_batch;
}

void StreamDtmf::onEventPacket(std::uint32_t timestamp, std::span<const std::uint8_t> payload, std::int64_t nowMs, int playoutDelayMs)
{
    bool known = false;
    for (const Arrival &a : m_arrivals)
        known = known || (a.timestamp == timestamp && a.atMs != 0);
    if (!known) {
        m_arrivals[m_arrivalNext] = {timestamp, std::max<std::int64_t>(1, nowMs + playoutDelayMs)};
        m_arrivalNext = (m_arrivalNext + 1) % m_arrivals.size();
    }
    for (const ReceivedEvent &r : m_receiver.packet(timestamp, payload, nowMs)) {
        std::int64_t at = nowMs - std::int64_t(r.durationUnits) * 1000 / m_receiver.clockRate();
        for (const Arrival &a : m_arrivals)
            if (a.timestamp == r.timestamp)
                at = a.atMs;
        received(r.digit, Mode::Rfc4733, at, int(std::int64_t(r.durationUnits) * 1000 / m_receiver.clockRate()), -double(r.volume), std::nullopt, r.endSeen);
    }
}

void StreamDtmf::tick(std::int64_t nowMs)
{
    if (auto r = m_receiver.tick(nowMs)) {
        std::int64_t at = nowMs;
        for (const Arrival &a : m_arrivals)
            if (a.timestamp == r->timestamp)
                at = a.atMs;
        received(
            r->digit, Mode::Rfc4733, at, int(std::int64_t(r->durationUnits) * 1000 / m_receiver.clockRate()), -double(r->volume), std::nullopt, r->endSeen);
    }
}

void StreamDtmf::onPlayed(std::span<const std::int16_t> decoded, std::int64_t atMs)
{
    if (!m_toDetector || decoded.empty())
        return;
    // The detector counts samples; play-out time is what digits are stamped with. When the media
    // clock skipped frames (a stalled thread), the count falls behind: re-anchor.
    const std::int64_t countedMs = m_detectorBaseMs + m_detectorSamples * 1000 / InbandDetector::kSampleRate;
    if (m_detectorBaseMs < 0)
        m_detectorBaseMs = atMs;
    else if (atMs - countedMs > m_ptimeMs * 2)
        m_detectorBaseMs += atMs - countedMs;
    // In pieces the detector's resampler and the spectrogram take (Spectrogram::kMaxInput): a far
    // end may send G.711 packets of any length.
    constexpr std::size_t kPiece = Spectrogram::kMaxInput;
    for (std::size_t off = 0; off < decoded.size(); off += kPiece) {
        std::span<const std::int16_t> pcm = decoded.subspan(off, std::min(kPiece, decoded.size() - off));
        if (!m_toDetector->isIdentity()) {
            const auto r = m_toDetector->process(pcm, m_detectBuffer);
            pcm = std::span<const std::int16_t>(m_detectBuffer).first(r.produced);
        }
        feedDetector(pcm);
    }
}

void StreamDtmf::feedDetector(std::span<const std::int16_t> pcm)
{
    m_detectorSamples += std::int64_t(pcm.size());
    for (const DetectedTone &t : m_detector.process(pcm))
        received(t.digit, Mode::Inband, m_detectorBaseMs + t.startSample * 1000 / InbandDetector::kSampleRate,
            int(t.durationSamples * 1000 / InbandDetector::kSampleRate), std::max(t.lowDbm0, t.highDbm0), t.twistDb, true);
    if (!m_spectrogramOn)
        return;
    const auto columns = m_spectrogram.process(pcm);
    const std::size_t n = columns.size() / Spectrogram::kBins;
    if (n && m_spectrumTaken) {
        m_spectrum.clear(); // capacity stays
        m_spectrumTaken = false;
    }
    for (std::size_t i = 0; i < n; ++i) {
        if (m_spectrum.size() + Spectrogram::kBins > m_spectrum.capacity()) {
            ++m_spectrumDropped;
        } else {
            if (m_spectrum.empty())
                m_spectrumFirstMs = m_detectorBaseMs + m_columnsSeen * Spectrogram::kHop * 1000 / InbandDetector::kSampleRate;
            m_spectrum.insert(
                m_spectrum.end(), columns.begin() + std::ptrdiff_t(i * Spectrogram::kBins), columns.begin() + std::ptrdiff_t((i + 1) * Spectrogram::kBins));
        }
        ++m_columnsSeen;
    }
}

std::span<const std::uint8_t> StreamDtmf::takeSpectrum(std::int64_t *firstColumnMs)
{
    *firstColumnMs = m_spectrumFirstMs;
    if (m_spectrumTaken)
        m_spectrum.clear();
    m_spectrumTaken = true; // the caller copies before the next frame; the next column starts over
    return std::span<const std::uint8_t>(m_spectrum);
}

void StreamDtmf::received(char digit, Mode mode, std::int64_t atMs, int durationMs, std::optional<double> level, std::optional<double> twist, bool endSeen)
{
    DigitEvent e;
    e.digit = digit;
    e.mode = mode;
    e.dir = Direction::In;
    e.atMs = atMs;
    e.durationMs = durationMs;
    e.levelDbm0 = level;
    e.twistDb = twist;
    e.endSeen = endSeen;
    report(e);
}

void StreamDtmf::report(const DigitEvent &e)
{
    if (m_digitsTaken) {
        m_digitCount = 0;
        m_digitsTaken = false;
    }
    if (m_digitCount < m_digits.size())
        m_digits[m_digitCount++] = e;
}

std::span<const DigitEvent> StreamDtmf::takeDigits()
{
    if (m_digitsTaken)
        m_digitCount = 0;
    m_digitsTaken = true;
    return std::span<const DigitEvent>(m_digits).first(m_digitCount);
}

} // namespace ds::dtmf
