#include "media/portaudio_port.h"

#include <portaudio.h>

#include <algorithm>
#include <array>
#include <bit>
#include <cmath>
#include <numbers>

namespace ds::media {

namespace {

static_assert(PortAudioPort::kNoDevice == paNoDevice);

constexpr double kSilenceDbfs = -100.0;

// Each counter has one writer thread: a plain load and store, no read-modify-write.
void bump(std::atomic<std::uint64_t> &counter, std::uint64_t n) { counter.store(counter.load(std::memory_order_relaxed) + n, std::memory_order_relaxed); }

QString kindOf(AudioDirection direction) { return direction == AudioDirection::Input ? QStringLiteral("input") : QStringLiteral("output"); }

QString paError(PaError e)
{
    QString text = QString::fromUtf8(Pa_GetErrorText(e));
    if (e == paUnanticipatedHostError) {
        if (const PaHostErrorInfo *host = Pa_GetLastHostErrorInfo(); host && host->errorText && *host->errorText)
            text += QStringLiteral(" (%1)").arg(QString::fromUtf8(host->errorText));
    }
    return text;
}

QString label(PaDeviceIndex device)
{
    const PaDeviceInfo *info = Pa_GetDeviceInfo(device);
    const PaHostApiInfo *api = info ? Pa_GetHostApiInfo(info->hostApi) : nullptr;
    return QStringLiteral("\"%1\" (%2)").arg(info ? QString::fromUtf8(info->name) : QString::number(device), api ? QString::fromUtf8(api->name) : QString());
}

PaStreamParameters parameters(PaDeviceIndex device, AudioDirection direction)
{
    const PaDeviceInfo *info = Pa_GetDeviceInfo(device);
    const bool input = direction == AudioDirection::Input;
    return {device, 1, paInt16, input ? info->defaultLowInputLatency : info->defaultLowOutputLatency, nullptr};
}

// The device for one direction: an index, or paNoDevice with `absent` saying why.
std::expected<PaDeviceIndex, QString> resolve(std::optional<int> requested, AudioDirection direction, QString &absent)
{
    const bool input = direction == AudioDirection::Input;
    const QString kind = kindOf(direction);
    if (!requested) {
        const PaDeviceIndex device = input ? Pa_GetDefaultInputDevice() : Pa_GetDefaultOutputDevice();
        if (device == paNoDevice)
            absent = QStringLiteral("PortAudio finds no default %1 device (%2)").arg(kind, input ? QStringLiteral("microphone") : QStringLiteral("speaker"));
        return device;
    }
    if (*requested == PortAudioPort::kNoDevice) {
        absent = QStringLiteral("no %1 device was asked for").arg(kind);
        return paNoDevice;
    }
    const PaDeviceIndex count = Pa_GetDeviceCount();
    if (*requested < 0 || *requested >= count)
        return std::unexpected(QStringLiteral("audio device %1 does not exist: PortAudio lists %2 devices").arg(*requested).arg(std::max(count, 0)));
    const PaDeviceInfo *info = Pa_GetDeviceInfo(*requested);
    if ((input ? info->maxInputChannels : info->maxOutputChannels) < 1)
        return std::unexpected(QStringLiteral("audio device %1 %2 has no %3 channels").arg(*requested).arg(label(*requested), kind));
    return *requested;
}

struct Plan {
    PaDeviceIndex input = paNoDevice;
    PaDeviceIndex output = paNoDevice;
    int rate = 0;
};

// Which devices and which rate; PortAudio's lock is held.
std::expected<Plan, QString> plan(std::optional<int> inputDevice, std::optional<int> outputDevice, int sampleRate)
{
    Plan p;
    QString absentIn, absentOut;
    const auto in = resolve(inputDevice, AudioDirection::Input, absentIn);
    if (!in)
        return std::unexpected(in.error());
    const auto out = resolve(outputDevice, AudioDirection::Output, absentOut);
    if (!out)
        return std::unexpected(out.error());
    p.input = *in;
    p.output = *out;
    if (p.input == paNoDevice && p.output == paNoDevice)
        return std::unexpected(QStringLiteral("no sound card to open: %1, and %2").arg(absentIn, absentOut));

    // The rate asked for, else a device's own default rate (the media path resamples).
    QList<int> rates {sampleRate};
    for (const PaDeviceIndex d : {p.output, p.input}) {
        if (d != paNoDevice) {
            if (const int r = int(std::lround(Pa_GetDeviceInfo(d)->defaultSampleRate)); r > 0 && !rates.contains(r))
                rates.append(r);
        }
    }
    PaError last = paNoError;
    PaDeviceIndex refused = paNoDevice;
    for (const int rate : rates) {
        const PaStreamParameters inParams = p.input != paNoDevice ? parameters(p.input, AudioDirection::Input) : PaStreamParameters {};
        const PaStreamParameters outParams = p.output != paNoDevice ? parameters(p.output, AudioDirection::Output) : PaStreamParameters {};
        if (p.input != paNoDevice && (last = Pa_IsFormatSupported(&inParams, nullptr, rate)) != paFormatIsSupported) {
            refused = p.input;
            continue;
        }
        if (p.output != paNoDevice && (last = Pa_IsFormatSupported(nullptr, &outParams, rate)) != paFormatIsSupported) {
            refused = p.output;
            continue;
        }
        p.rate = rate;
        return p;
    }
    QStringList tried;
    for (const int rate : rates)
        tried.append(QString::number(rate));
    return std::unexpected(
        QStringLiteral("audio device %1 refuses mono 16-bit audio at %2 Hz: %3").arg(label(refused), tried.join(QStringLiteral(", ")), paError(last)));
}

double levelDbfs(std::span<const std::int16_t> frame)
{
    double sum = 0;
    for (const std::int16_t v : frame)
        sum += double(v) * v;
    if (frame.empty() || sum == 0)
        return kSilenceDbfs;
    const double rms = std::sqrt(sum / double(frame.size()));
    return std::max(kSilenceDbfs, 20.0 * std::log10(rms * std::numbers::sqrt2 / 32767.0));
}

} // namespace

// The audio callbacks (ARCHITECTURE.md, Threads): copies between PortAudio's buffer and a ring, and
// atomic counters; nothing that locks, allocates, logs or calls Qt.
struct PortAudioPort::Callbacks {
    static int capture(const void *input, void *, unsigned long frames, const PaStreamCallbackTimeInfo *, PaStreamCallbackFlags, void *user)
    {
        auto &port = *static_cast<PortAudioPort *>(user);
        port.m_callbacks.fetch_add(1, std::memory_order_relaxed);
        if (input) {
            bump(port.m_captured, frames);
            if (port.m_captureOn.load(std::memory_order_acquire))
                port.m_capture.write(std::span(static_cast<const std::int16_t *>(input), frames));
        }
        return paContinue;
    }

    static int playback(const void *, void *output, unsigned long frames, const PaStreamCallbackTimeInfo *, PaStreamCallbackFlags, void *user)
    {
        auto &port = *static_cast<PortAudioPort *>(user);
        port.m_callbacks.fetch_add(1, std::memory_order_relaxed);
        if (!output)
            return paContinue;
        const std::span out(static_cast<std::int16_t *>(output), frames);
        std::size_t n = 0;
        if (port.m_playbackOn.load(std::memory_order_acquire))
            n = port.m_playback.read(out);
        std::fill(out.begin() + std::ptrdiff_t(n), out.end(), std::int16_t(0));
        bump(port.m_played, n);
        return paContinue;
    }
};

std::expected<std::unique_ptr<PortAudioPort>, QString> PortAudioPort::open(
    std::optional<int> inputDevice, std::optional<int> outputDevice, int sampleRate, int frameMs)
{
    Q_ASSERT(sampleRate > 0 && frameMs > 0);
    auto library = PortAudioLibrary::acquire();
    if (!library)
        return std::unexpected(library.error());
    std::expected<Plan, QString> p;
    {
        const auto lock = PortAudioLibrary::lock();
        p = plan(inputDevice, outputDevice, sampleRate);
    }
    if (!p)
        return std::unexpected(p.error());
    const auto buffer = std::size_t(std::max<qint64>(1, qint64(p->rate) * frameMs / 1000));
    // Not make_unique: the constructor is private. The port never moves, so the callbacks may keep `this`.
    std::unique_ptr<PortAudioPort> port(new PortAudioPort(std::move(*library), p->rate, buffer));
    if (p->input != paNoDevice) {
        if (auto started = port->start(port->m_input, p->input, AudioDirection::Input); !started)
            return std::unexpected(started.error());
    }
    if (p->output != paNoDevice) {
        if (auto started = port->start(port->m_output, p->output, AudioDirection::Output); !started)
            return std::unexpected(started.error());
    }
    return port;
}

PortAudioPort::PortAudioPort(PortAudioLibrary library, int rate, std::size_t buffer)
    : m_library(std::move(library))
    , m_rate(rate)
    , m_buffer(buffer)
    // A quarter of a second, and at least 8 callback buffers: room for the few frames of latency
    // read() and write() keep, whatever frame size the media thread uses.
    , m_capture(std::bit_ceil(std::max<std::size_t>(std::size_t(rate) / 4, 8 * buffer)))
    , m_playback(m_capture.capacity())
{
}

PortAudioPort::~PortAudioPort()
{
    const auto lock = PortAudioLibrary::lock();
    for (Stream *s : {&m_input, &m_output}) {
        if (!s->stream)
            continue;
        // Abort, not stop: nothing queued is worth waiting for, and ALSA's drain can stall.
        if (Pa_IsStreamStopped(s->stream) == 0)
            Pa_AbortStream(s->stream);
        Pa_CloseStream(s->stream);
        s->stream = nullptr;
    }
}

std::expected<void, QString> PortAudioPort::start(Stream &s, int device, AudioDirection direction)
{
    const auto lock = PortAudioLibrary::lock();
    const bool input = direction == AudioDirection::Input;
    s.name = label(device);
    const PaStreamParameters params = parameters(device, direction);
    PaStream *stream = nullptr;
    PaError e = Pa_OpenStream(&stream, input ? &params : nullptr, input ? nullptr : &params, m_rate, static_cast<unsigned long>(m_buffer), paNoFlag,
        input ? &Callbacks::capture : &Callbacks::playback, this);
    if (e != paNoError)
        return std::unexpected(QStringLiteral("cannot open %1 device %2 at %3 Hz: %4").arg(kindOf(direction), s.name).arg(m_rate).arg(paError(e)));
    s.stream = stream;
    if ((e = Pa_StartStream(stream)) != paNoError)
        return std::unexpected(QStringLiteral("cannot start %1 device %2: %3").arg(kindOf(direction), s.name, paError(e)));
    return {};
}

std::size_t PortAudioPort::read(std::span<std::int16_t> frame)
{
    Q_ASSERT_X(isSource(), "PortAudioPort::read", "no input device was opened");
    if (!m_captureOn.load(std::memory_order_relaxed)) {
        // Nothing was captured for us before now: starting here keeps the first frames fresh.
        m_captureOn.store(true, std::memory_order_release);
        std::ranges::fill(frame, std::int16_t(0));
        m_levelDbfs.store(kSilenceDbfs, std::memory_order_relaxed);
        return frame.size();
    }
    const std::size_t unit = std::max(frame.size(), m_buffer);
    if (const std::size_t waiting = m_capture.available(); waiting > 3 * unit)
        bump(m_captureTrimmed, m_capture.discard(waiting - 2 * unit)); // the card's clock runs ahead: drop the oldest
    const std::size_t n = m_capture.read(frame);
    std::fill(frame.begin() + std::ptrdiff_t(n), frame.end(), std::int16_t(0));
    m_levelDbfs.store(levelDbfs(frame), std::memory_order_relaxed);
    return frame.size();
}

void PortAudioPort::write(std::span<const std::int16_t> frame)
{
    Q_ASSERT_X(isSink(), "PortAudioPort::write", "no output device was opened");
    const std::size_t unit = std::max(frame.size(), m_buffer);
    const std::size_t queued = m_playback.available();
    if (queued == 0) {
        writeSilence(2 * unit); // at the start, or the card ran dry: a cushion against the next late frame
    } else if (queued + frame.size() > 4 * unit) {
        bump(m_playbackDropped, frame.size()); // the card's clock runs behind: drop rather than grow the delay
        return;
    }
    m_playback.write(frame);
    m_playbackOn.store(true, std::memory_order_release);
}

void PortAudioPort::writeSilence(std::size_t count)
{
    static constexpr std::array<std::int16_t, 256> kZeros {};
    while (count > 0) {
        const std::size_t n = std::min(count, kZeros.size());
        if (m_playback.write(std::span(kZeros).first(n)) < n)
            return;
        count -= n;
    }
}

bool PortAudioPort::streamRunning() const
{
    for (const Stream *s : {&m_input, &m_output}) {
        if (s->stream && Pa_IsStreamActive(s->stream) != 1)
            return false;
    }
    return m_input.stream || m_output.stream;
}

QString PortAudioPort::lastError() const
{
    for (const Stream *s : {&m_input, &m_output}) {
        if (!s->stream)
            continue;
        const QString kind = s == &m_input ? QStringLiteral("input") : QStringLiteral("output");
        if (const PaError active = Pa_IsStreamActive(s->stream); active < 0)
            return QStringLiteral("the %1 stream of %2 failed: %3").arg(kind, s->name, paError(active));
        else if (active == 0)
            return QStringLiteral("the %1 stream of %2 stopped").arg(kind, s->name);
    }
    return {};
}

} // namespace ds::media
