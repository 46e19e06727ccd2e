#include "media/audio_devices.h"

#include <QStringList>

#include <portaudio.h>

#include <utility>

#if defined(Q_OS_LINUX)
#include <dlfcn.h>
#endif

namespace ds::media {

namespace {

// Shared by every handle in the process: PortAudio itself is process-global state.
std::mutex g_mutex;
int g_users = 0; // guarded by g_mutex

#if defined(Q_OS_LINUX)
void quietAlsa(const char *, int, const char *, int, const char *, ...) { }
void quietJack(const char *) { }

// libportaudio links libasound and libjack, so their handler setters are in the process whenever
// PortAudio is; looked up at run time, dialscope needs neither their headers nor a link to them.
void silenceAudioBackends()
{
    if (qEnvironmentVariableIntValue("DIALSCOPE_AUDIO_DEBUG") != 0)
        return;
    using AlsaHandler = void (*)(const char *, int, const char *, int, const char *, ...);
    using JackHandler = void (*)(const char *);
    if (void *alsa = dlsym(RTLD_DEFAULT, "snd_lib_error_set_handler"))
        reinterpret_cast<int (*)(AlsaHandler)>(alsa)(quietAlsa);
    for (const char *setter : {"jack_set_error_function", "jack_set_info_function"}) {
        if (void *jack = dlsym(RTLD_DEFAULT, setter))
            reinterpret_cast<void (*)(JackHandler)>(jack)(quietJack);
    }
}
#else
void silenceAudioBackends() { }
#endif

QString paError(PaError e) { return QString::fromUtf8(Pa_GetErrorText(e)); }

const AudioDevice *defaultDevice(const QList<AudioDevice> &devices, AudioDirection direction)
{
    for (const AudioDevice &d : devices) {
        if (direction == AudioDirection::Input ? d.isDefaultInput : d.isDefaultOutput)
            return &d;
    }
    return nullptr;
}

bool hasChannels(const AudioDevice &d, AudioDirection direction) { return (direction == AudioDirection::Input ? d.maxInputChannels : d.maxOutputChannels) > 0; }

// Why a direction has no default: no device at all, or devices but none that PortAudio calls default.
QString missing(const QList<AudioDevice> &devices, AudioDirection direction)
{
    const QString kind = direction == AudioDirection::Input ? QStringLiteral("input") : QStringLiteral("output");
    for (const AudioDevice &d : devices) {
        if (hasChannels(d, direction))
            return QStringLiteral("has no default %1 device").arg(kind);
    }
    return QStringLiteral("finds no %1 device").arg(kind);
}

} // namespace

std::expected<PortAudioLibrary, QString> PortAudioLibrary::acquire()
{
    const std::lock_guard guard(g_mutex);
    if (g_users == 0) {
        static bool silenced = false;
        if (!silenced) {
            silenceAudioBackends();
            silenced = true;
        }
        if (const PaError e = Pa_Initialize(); e != paNoError)
            return std::unexpected(QStringLiteral("PortAudio does not start: %1").arg(paError(e)));
    }
    ++g_users;
    PortAudioLibrary library;
    library.m_held = true;
    return library;
}

PortAudioLibrary::PortAudioLibrary(PortAudioLibrary &&other) noexcept
    : m_held(std::exchange(other.m_held, false))
{
}

PortAudioLibrary &PortAudioLibrary::operator=(PortAudioLibrary &&other) noexcept
{
    if (this != &other) {
        release();
        m_held = std::exchange(other.m_held, false);
    }
    return *this;
}

PortAudioLibrary::~PortAudioLibrary() { release(); }

void PortAudioLibrary::release()
{
    if (!m_held)
        return;
    m_held = false;
    const std::lock_guard guard(g_mutex);
    Q_ASSERT(g_users > 0);
    if (--g_users == 0)
        Pa_Terminate();
}

std::unique_lock<std::mutex> PortAudioLibrary::lock() { return std::unique_lock(g_mutex); }

int PortAudioLibrary::useCount()
{
    const std::lock_guard guard(g_mutex);
    return g_users;
}

std::expected<QList<AudioDevice>, QString> listAudioDevices()
{
    auto library = PortAudioLibrary::acquire();
    if (!library)
        return std::unexpected(library.error());
    const auto lock = PortAudioLibrary::lock();
    const PaDeviceIndex count = Pa_GetDeviceCount();
    if (count < 0)
        return std::unexpected(QStringLiteral("PortAudio cannot list devices: %1").arg(paError(count)));
    const PaDeviceIndex defaultInput = Pa_GetDefaultInputDevice();
    const PaDeviceIndex defaultOutput = Pa_GetDefaultOutputDevice();
    QList<AudioDevice> devices;
    devices.reserve(count);
    for (PaDeviceIndex i = 0; i < count; ++i) {
        const PaDeviceInfo *info = Pa_GetDeviceInfo(i);
        if (!info)
            continue;
        const PaHostApiInfo *api = Pa_GetHostApiInfo(info->hostApi);
        devices.append({i, QString::fromUtf8(info->name), api ? QString::fromUtf8(api->name) : QString(), info->maxInputChannels, info->maxOutputChannels,
            info->defaultSampleRate, i == defaultInput, i == defaultOutput});
    }
    return devices;
}

QString describeAudioAvailability(const std::expected<QList<AudioDevice>, QString> &devices)
{
    const QString fallback = QStringLiteral("calls can still use a WAV file, a tone or silence");
    if (!devices)
        return QStringLiteral("no sound card: %1; %2").arg(devices.error(), fallback);
    const AudioDevice *in = defaultDevice(*devices, AudioDirection::Input);
    const AudioDevice *out = defaultDevice(*devices, AudioDirection::Output);
    if (!in && !out) {
        if (devices->isEmpty())
            return QStringLiteral("no sound card: PortAudio finds no input or output device; %1").arg(fallback);
        return QStringLiteral("no sound card: PortAudio %1 and %2; %3")
            .arg(missing(*devices, AudioDirection::Input), missing(*devices, AudioDirection::Output), fallback);
    }
    if (!in)
        return QStringLiteral("no microphone: PortAudio %1; calls can play to \"%2\" but send a WAV file, a tone or silence")
            .arg(missing(*devices, AudioDirection::Input), out->name);
    if (!out)
        return QStringLiteral("no speaker: PortAudio %1; calls can send from \"%2\" but play only to a WAV file or nowhere")
            .arg(missing(*devices, AudioDirection::Output), in->name);
    return QStringLiteral("sound card ready: calls use microphone \"%1\" and speaker \"%2\"").arg(in->name, out->name);
}

std::expected<AudioDevice, QString> findAudioDevice(const QList<AudioDevice> &devices, const QString &name, AudioDirection direction)
{
    const QString kind = direction == AudioDirection::Input ? QStringLiteral("input") : QStringLiteral("output");
    QList<const AudioDevice *> matches;
    QStringList candidates;
    for (const AudioDevice &d : devices) {
        if (!hasChannels(d, direction))
            continue;
        candidates.append(QLatin1Char('"') + d.name + QLatin1Char('"'));
        if (d.name.compare(name, Qt::CaseInsensitive) == 0)
            return d;
        if (d.name.contains(name, Qt::CaseInsensitive))
            matches.append(&d);
    }
    if (matches.size() == 1)
        return *matches.front();
    if (candidates.isEmpty())
        return std::unexpected(QStringLiteral("no %1 device matches \"%2\": PortAudio finds no %1 device").arg(kind, name));
    if (matches.isEmpty())
        return std::unexpected(QStringLiteral("no %1 device matches \"%2\"; %1 devices: %3").arg(kind, name, candidates.join(QStringLiteral(", "))));
    QStringList names;
    for (const AudioDevice *d : matches)
        names.append(QLatin1Char('"') + d->name + QLatin1Char('"'));
    return std::unexpected(
        QStringLiteral("\"%1\" matches %2 %3 devices: %4; give more of the name").arg(name).arg(matches.size()).arg(kind, names.join(QStringLiteral(", "))));
}

} // namespace ds::media
