// bench_media_latency: added latency of the media path (issue 3), capture to playback, with the real core classes:
// two ds::media MediaSessions, each on its own MediaEngine (media thread) as in two phones, send RTP to each other on
// loopback. A source port emits silence with a short tone burst (a "click") every --period ms; the far side's sink port
// timestamps the burst as it is written. What lies between is exactly what a call goes through: the send schedule,
// capture resampling, encoder, RTP over UDP, jitter buffer, decoder, playout schedule and playback resampling.
// Never asserts on time: it fails only when clicks are lost (--smoke: when none arrives) or the sessions do not run.
//
//   bench_media_latency [--codec PCMU|PCMA|opus]... [--rate HZ] [--clicks N] [--period MS] [--phases K] [--json-out FILE]
//   bench_media_latency --smoke        a few clicks: proves the bench works (CTest bench_media_latency_smoke)
//
// Latency of one click = when its first sample is played - when that sample was captured, where
// - captured: a capture callback delivers a whole frame at once, so sample k of a frame of n read at time T was
//   captured at T - (n - k) / rate. The source is pulled by the media thread (RtpStream reads it when the frame is
//   due), which is what a sound card ring that holds exactly one frame would give: the best case for a real device;
// - played: the sink plays a frame from the moment it is written, so sample j of a frame written at W plays at
//   W + j / rate. A PortAudio sink adds its own ring (PortAudioPort::write keeps 2 frames of cushion) on top.
// The target (issue 3) is one packet time plus the jitter buffer's minimum delay: 20 + 40 = 60 ms by default.
//
// The playout schedule of the receiving stream has a phase relative to the sender's packet schedule that differs
// from call to call; --phases K starts the receiver 0, 20/K, 2*20/K... ms after the sender and reports each, so the
// figures cover the whole range instead of one lucky or unlucky alignment.

#include "media/audio_port.h"
#include "media/jitter_buffer.h"
#include "media/media_engine.h"
#include "media/media_session.h"
#include "media/stream_params.h"

#include <QCoreApplication>
#include <QElapsedTimer>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QThread>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <memory>
#include <numbers>
#include <optional>
#include <vector>

using namespace Qt::StringLiterals;

namespace {

using Clock = std::chrono::steady_clock;

std::int64_t nowNs() { return std::chrono::duration_cast<std::chrono::nanoseconds>(Clock::now().time_since_epoch()).count(); }

constexpr double kBurstHz = 1000;
constexpr double kBurstMs = 10;
constexpr double kBurstAmplitude = 16384; // -6 dBFS peak
constexpr double kDetect = 0.25 * kBurstAmplitude; // onset: the first sample at a quarter of the burst's peak
constexpr double kQuiet = 0.02 * kBurstAmplitude; // re-armed after this much silence below 2% of the peak

// ClickSource: silence with a burst of kBurstMs at kBurstHz every `period` samples; records where and when each burst's
// first detectable sample was read. Media thread; read the records once that thread has been joined.
class ClickSource final : public ds::media::AudioPort {
public:
    struct Click {
        std::int64_t readNs = 0; // when read() returned the frame holding the onset
        std::int64_t capturedNs = 0; // when a capture callback would have captured the onset
    };

    ClickSource(int rate, std::int64_t firstSample, std::int64_t period, std::size_t clicks)
        : m_rate(rate)
        , m_first(firstSample)
        , m_period(period)
        , m_burst(std::llround(kBurstMs * rate / 1000))
        , m_clicks(clicks)
    {
        // The detector sees the same onset here as in the sink: the first burst sample at kDetect.
        while (m_onset < m_burst && std::abs(burstSample(m_onset)) < kDetect)
            ++m_onset;
    }

    int sampleRate() const override { return m_rate; }
    Capabilities capabilities() const override { return {true, false}; }
    std::size_t read(std::span<std::int16_t> frame) override
    {
        const std::int64_t now = nowNs();
        const auto n = std::int64_t(frame.size());
        for (std::int64_t k = 0; k < n; ++k) {
            const std::int64_t pos = m_pos + k;
            std::int16_t v = 0;
            if (pos >= m_first) {
                const std::int64_t index = (pos - m_first) / m_period, at = (pos - m_first) % m_period;
                if (std::size_t(index) < m_clicks.size() && at < m_burst) {
                    v = std::int16_t(std::lround(burstSample(at)));
                    // Sample k of this frame was captured (n - k) samples before the frame was complete.
                    if (at == m_onset)
                        m_clicks[std::size_t(index)] = {now, now - (n - k) * 1'000'000'000 / m_rate};
                }
            }
            frame[std::size_t(k)] = v;
        }
        m_pos += n;
        return frame.size();
    }
    void write(std::span<const std::int16_t>) override { }

    const std::vector<Click> &clicks() const { return m_clicks; }
    // Clicks whose onset has been read so far.
    std::size_t sent() const
    {
        return std::size_t(std::ranges::count_if(m_clicks, [](const Click &c) { return c.readNs != 0; }));
    }

private:
    double burstSample(std::int64_t at) const
    {
        // A sine starting at phase 0 with a short raised-cosine attack, so no codec sees a step.
        const double t = double(at) / m_rate;
        const double attack = std::min(1.0, t / 0.001);
        return kBurstAmplitude * attack * std::sin(2 * std::numbers::pi * kBurstHz * t);
    }

    int m_rate;
    std::int64_t m_first, m_period, m_burst, m_onset = 0;
    std::int64_t m_pos = 0;
    std::vector<Click> m_clicks;
};

// ClickSink: finds each burst's onset in what is played and records when that sample plays. Media thread.
class ClickSink final : public ds::media::AudioPort {
public:
    struct Onset {
        std::int64_t writeNs = 0; // when write() got the frame holding the onset
        std::int64_t playedNs = 0; // when the onset sample plays, the frame playing from its write on
    };

    ClickSink(int rate, std::size_t maxOnsets)
        : m_rate(rate)
        , m_quietNeeded(rate / 10)
    {
        m_onsets.reserve(maxOnsets);
    }
    int sampleRate() const override { return m_rate; }
    Capabilities capabilities() const override { return {false, true}; }
    std::size_t read(std::span<std::int16_t>) override { return 0; }
    void write(std::span<const std::int16_t> frame) override
    {
        const std::int64_t now = nowNs();
        for (std::size_t j = 0; j < frame.size(); ++j) {
            const int v = std::abs(int(frame[j]));
            if (v < kQuiet) {
                if (++m_quiet >= m_quietNeeded)
                    m_armed = true;
                continue;
            }
            m_quiet = 0;
            if (m_armed && v >= kDetect) { // stays armed through the attack, between kQuiet and kDetect
                m_armed = false;
                if (m_onsets.size() < m_onsets.capacity()) // reserved: no allocation here
                    m_onsets.push_back({now, now + std::int64_t(j) * 1'000'000'000 / m_rate});
            }
        }
    }
    const std::vector<Onset> &onsets() const { return m_onsets; }

private:
    int m_rate;
    std::int64_t m_quietNeeded;
    std::int64_t m_quiet = 0;
    bool m_armed = false; // after m_quietNeeded samples of silence
    std::vector<Onset> m_onsets;
};

struct Codec {
    QByteArray name;
    int payloadType;
    int clockRate;
};

std::optional<Codec> codecNamed(const QString &name)
{
    if (name.compare(u"PCMU", Qt::CaseInsensitive) == 0)
        return Codec {"PCMU", 0, 8000};
    if (name.compare(u"PCMA", Qt::CaseInsensitive) == 0)
        return Codec {"PCMA", 8, 8000};
    if (name.compare(u"opus", Qt::CaseInsensitive) == 0)
        return Codec {"opus", 111, 48000};
    return std::nullopt;
}

struct Options {
    QStringList codecs {u"PCMU"_s, u"opus"_s};
    int rate = 48000; // source and sink, as a sound card's
    int clicks = 30;
    int periodMs = 400;
    int phases = 4;
    int ptime = 20;
    QString jsonOut;
    bool smoke = false;
};

struct Result {
    QString codec;
    int phaseMs = 0;
    std::vector<double> latencyMs, readToWriteMs;
    std::size_t sent = 0, heard = 0;
    ds::media::StreamStats receiver;
};

double percentile(std::vector<double> v, double p)
{
    if (v.empty())
        return 0;
    std::sort(v.begin(), v.end());
    const double at = p * double(v.size() - 1);
    const auto lo = std::size_t(std::floor(at)), hi = std::size_t(std::ceil(at));
    return v[lo] + (v[hi] - v[lo]) * (at - double(lo));
}

void spin(int ms)
{
    QElapsedTimer t;
    t.start();
    while (t.elapsed() < ms)
        QCoreApplication::processEvents(QEventLoop::AllEvents, 20);
}

std::optional<Result> measure(const Options &o, const Codec &codec, int phaseMs)
{
    Result r;
    r.codec = QString::fromLatin1(codec.name);
    r.phaseMs = phaseMs;
    const std::int64_t period = std::int64_t(o.rate) * o.periodMs / 1000;
    const std::int64_t first = o.rate; // a second of silence first: the jitter buffer settles, the detector arms
    auto source = std::make_shared<ClickSource>(o.rate, first, period, std::size_t(o.clicks));
    auto sink = std::make_shared<ClickSink>(o.rate, std::size_t(o.clicks) + 8);
    {
        // Two phones: each its own media thread.
        ds::media::MediaEngine sendingPhone, receivingPhone;
        auto a = sendingPhone.openSession(QHostAddress::LocalHost);
        auto b = receivingPhone.openSession(QHostAddress::LocalHost);
        if (!a || !b) {
            std::fprintf(stderr, "bench_media_latency: %s\n", qPrintable(a ? b.error() : a.error()));
            return std::nullopt;
        }
        ds::media::StreamParams p;
        p.codec = codec.name;
        p.payloadType = codec.payloadType;
        p.clockRate = codec.clockRate;
        p.ptime = o.ptime;
        p.remoteAddress = QHostAddress::LocalHost;
        ds::media::StreamParams pa = p, pb = p;
        pa.remotePort = (*b)->localPort();
        pb.remotePort = (*a)->localPort();
        (*a)->setPorts(source, nullptr);
        (*b)->setPorts(nullptr, sink);
        (*a)->start(pa);
        QThread::msleep(std::uint32_t(phaseMs));
        (*b)->start(pb);
        spin(int(1000 + std::int64_t(o.clicks) * o.periodMs + 500));
        r.receiver = (*b)->stats();
        delete *a; // stops the streams on their threads
        delete *b;
    } // the media threads are joined here: the ports' records are safe to read from now on

    const auto &clicks = source->clicks();
    r.sent = source->sent();
    for (const ClickSink::Onset &onset : sink->onsets()) {
        // The click heard is the latest one captured before it played.
        const ClickSource::Click *match = nullptr;
        for (const ClickSource::Click &c : clicks)
            if (c.readNs != 0 && c.capturedNs <= onset.playedNs && (!match || c.capturedNs > match->capturedNs))
                match = &c;
        if (!match)
            continue;
        r.latencyMs.push_back(double(onset.playedNs - match->capturedNs) / 1e6);
        r.readToWriteMs.push_back(double(onset.writeNs - match->readNs) / 1e6);
    }
    r.heard = r.latencyMs.size();
    return r;
}

int usage()
{
    std::fprintf(
        stderr, "usage: bench_media_latency [--codec PCMU|PCMA|opus]... [--rate HZ] [--clicks N] [--period MS] [--phases K] [--json-out FILE] [--smoke]\n");
    return 2;
}

} // namespace

int main(int argc, char **argv)
{
    QCoreApplication app(argc, argv);
    Options o;
    QStringList codecs;
    const QStringList args = app.arguments();
    for (qsizetype i = 1; i < args.size(); ++i) {
        const QString &a = args[i];
        const auto number = [&](int &into, int min) {
            bool ok = false;
            into = i + 1 < args.size() ? args[++i].toInt(&ok) : 0;
            return ok && into >= min;
        };
        if (a == u"--smoke") {
            o.smoke = true;
        } else if (a == u"--codec" && i + 1 < args.size()) {
            codecs << args[++i];
        } else if (a == u"--json-out" && i + 1 < args.size()) {
            o.jsonOut = args[++i];
        } else if (a == u"--rate") {
            if (!number(o.rate, 8000))
                return usage();
        } else if (a == u"--clicks") {
            if (!number(o.clicks, 1))
                return usage();
        } else if (a == u"--period") {
            if (!number(o.periodMs, 200))
                return usage();
        } else if (a == u"--phases") {
            if (!number(o.phases, 1))
                return usage();
        } else {
            return usage();
        }
    }
    if (!codecs.isEmpty())
        o.codecs = codecs;
    for (const QString &name : std::as_const(o.codecs))
        if (!codecNamed(name))
            return usage();
    if (o.smoke) {
        o.clicks = 3;
        o.phases = 1;
    }
    const int jitterMin = ds::media::JitterBufferConfig {}.minDelayMs;
    const int target = o.ptime + jitterMin;
    std::printf("Media path latency on loopback: capture of a click -> its playback, ptime %d ms, source and sink at %d Hz, %d clicks per phase%s\n", o.ptime,
        o.rate, o.clicks, o.smoke ? " (smoke run: figures are meaningless)" : "");
    std::printf("target: ptime %d ms + jitter buffer minimum %d ms = %d ms\n", o.ptime, jitterMin, target);
    std::printf("%-6s %6s %6s %9s %9s %9s %9s %12s %8s %8s %9s\n", "codec", "phase", "heard", "median", "p95", "min", "max", "read->write", "vs target",
        "jb(ms)", "concealed");

    QJsonArray lines;
    bool ok = true;
    for (const QString &name : o.codecs) {
        const auto codec = codecNamed(name); // checked above
        std::vector<double> all;
        for (int k = 0; k < o.phases; ++k) {
            const int phase = k * o.ptime / o.phases;
            const auto r = measure(o, *codec, phase);
            if (!r)
                return 1;
            if (r->heard < std::size_t(o.clicks) || r->sent < std::size_t(o.clicks)) {
                std::fprintf(
                    stderr, "bench_media_latency: %s phase %d ms: %zu clicks sent, %zu heard, of %d\n", qPrintable(name), phase, r->sent, r->heard, o.clicks);
                // A smoke run on a loaded CI machine may see the media thread stall and skip a frame (and its click):
                // it only has to prove that clicks go through at all.
                ok = ok && o.smoke && r->heard > 0;
            }
            all.insert(all.end(), r->latencyMs.begin(), r->latencyMs.end());
            const double med = percentile(r->latencyMs, 0.5);
            std::printf("%-6s %4d ms %6zu %6.1f ms %6.1f ms %6.1f ms %6.1f ms %9.1f ms %7.2fx %8d %9llu\n", qPrintable(name), phase, r->heard, med,
                percentile(r->latencyMs, 0.95), percentile(r->latencyMs, 0), percentile(r->latencyMs, 1), percentile(r->readToWriteMs, 0.5), med / target,
                r->receiver.jitterBufferDelayMs, static_cast<unsigned long long>(r->receiver.concealed));
            lines.append(
                QJsonObject {{u"bench"_s, u"media_latency"_s}, {u"codec"_s, name}, {u"rate"_s, o.rate}, {u"phase_ms"_s, phase}, {u"clicks"_s, qint64(r->heard)},
                    {u"median_ms"_s, med}, {u"p95_ms"_s, percentile(r->latencyMs, 0.95)}, {u"min_ms"_s, percentile(r->latencyMs, 0)},
                    {u"max_ms"_s, percentile(r->latencyMs, 1)}, {u"read_to_write_median_ms"_s, percentile(r->readToWriteMs, 0.5)}, {u"target_ms"_s, target},
                    {u"jitter_buffer_delay_ms"_s, r->receiver.jitterBufferDelayMs}, {u"concealed"_s, qint64(r->receiver.concealed)}});
        }
        const double med = percentile(all, 0.5);
        std::printf("%-6s %6s %6zu %6.1f ms %6.1f ms %6.1f ms %6.1f ms %12s %7.2fx\n", qPrintable(name), "all", all.size(), med, percentile(all, 0.95),
            percentile(all, 0), percentile(all, 1), "", med / target);
        lines.append(QJsonObject {{u"bench"_s, u"media_latency"_s}, {u"codec"_s, name}, {u"rate"_s, o.rate}, {u"phase_ms"_s, u"all"_s},
            {u"clicks"_s, qint64(all.size())}, {u"median_ms"_s, med}, {u"p95_ms"_s, percentile(all, 0.95)}, {u"min_ms"_s, percentile(all, 0)},
            {u"max_ms"_s, percentile(all, 1)}, {u"target_ms"_s, target}});
    }
    for (const QJsonValue &line : std::as_const(lines))
        std::printf("%s\n", QJsonDocument(line.toObject()).toJson(QJsonDocument::Compact).constData());
    if (!o.jsonOut.isEmpty()) {
        QFile f(o.jsonOut);
        if (!f.open(QIODevice::WriteOnly | QIODevice::Truncate) || f.write(QJsonDocument(lines).toJson()) < 0) {
            std::fprintf(stderr, "bench_media_latency: cannot write %s\n", qPrintable(o.jsonOut));
            return 1;
        }
    }
    return ok ? 0 : 1;
}
