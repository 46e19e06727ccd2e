// Sound cards through PortAudio, on machines with no sound card (CI, containers): listing never
// crashes, the availability sentence says what calls can use, --device names resolve, opening
// without a card fails with a message naming the missing device, and — through an ALSA "null" PCM
// defined in a private ALSA config — the real callback path runs: the callbacks fire, written audio
// is played, read() returns frames.
//
// ALSA_CONFIG_PATH is read when PortAudio initialises, so each test switches it only while no
// PortAudioLibrary handle is alive (useCount() == 0). Two traps found on the way: PortAudio 19.6
// aborts (assert in BuildDeviceList) when the ALSA config defines no PCM at all, so the "no card"
// config defines one that cannot open; and ALSA's PortAudio backend skips PCMs named "null", so the
// null device is named "dsnull". The null PCM is not paced by a clock (its callbacks run as fast as
// the CPU allows, so tests wait for counts, never for time) and its capture is not silence (the
// samples are whatever its buffer holds), so tests check that frames flow, not what they contain.

#include "media/audio_devices.h"
#include "media/portaudio_port.h"
#include "support/signal.h"

#include <QDeadlineTimer>
#include <QFile>
#include <QTemporaryDir>
#include <QTest>

#include <cmath>
#include <functional>
#include <numbers>
#include <thread>
#include <vector>

using namespace ds::media;

namespace {

// Polls `done` every millisecond until it holds or `ms` pass; no event loop needed.
bool waitFor(const std::function<bool()> &done, int ms = 5000)
{
    QDeadlineTimer deadline(ms);
    while (!done()) {
        if (deadline.hasExpired())
            return false;
        std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
    return true;
}

// ALSA_CONFIG_PATH set to `path` for one scope (empty: the machine's own config).
class AlsaConfig {
public:
    explicit AlsaConfig(const QString &path)
        : m_old(qgetenv("ALSA_CONFIG_PATH"))
        , m_hadOld(qEnvironmentVariableIsSet("ALSA_CONFIG_PATH"))
    {
        Q_ASSERT(PortAudioLibrary::useCount() == 0);
        if (path.isEmpty())
            qunsetenv("ALSA_CONFIG_PATH");
        else
            qputenv("ALSA_CONFIG_PATH", path.toLocal8Bit());
    }
    ~AlsaConfig()
    {
        if (m_hadOld)
            qputenv("ALSA_CONFIG_PATH", m_old);
        else
            qunsetenv("ALSA_CONFIG_PATH");
    }

private:
    QByteArray m_old;
    bool m_hadOld;
};

AudioDevice device(const char *name, int in, int out, bool defIn = false, bool defOut = false)
{
    static int index = 0;
    return {index++, QString::fromUtf8(name), QStringLiteral("ALSA"), in, out, 48000, defIn, defOut};
}

} // namespace

class TestPortAudioPort : public QObject {
    Q_OBJECT
private slots:
    void initTestCase()
    {
        QVERIFY(m_dir.isValid());
        qputenv("JACK_NO_START_SERVER", "1"); // PortAudio's JACK backend probes; never start a server
        // A null PCM under a name PortAudio lists, and the default routed to it.
        m_nullConfig = write("null.conf", "pcm.dsnull {\n    type null\n}\npcm.!default {\n    type plug\n    slave.pcm \"dsnull\"\n}\n");
        // One PCM that cannot open: PortAudio then lists nothing (with no PCM at all it would abort).
        m_noCardConfig = write("nocard.conf", "pcm.nocard {\n    type hw\n    card 99\n}\n");
        QVERIFY(!m_nullConfig.isEmpty() && !m_noCardConfig.isEmpty());
    }

    // Whatever this machine has: a consistent list and a sentence, or an error that says why.
    void enumerationNeverCrashes()
    {
        const auto devices = listAudioDevices();
        QCOMPARE(PortAudioLibrary::useCount(), 0);
        const QString sentence = describeAudioAvailability(devices);
        QVERIFY(!sentence.isEmpty());
        if (!devices) {
            QVERIFY2(sentence.startsWith(u"no sound card"), qPrintable(sentence));
            return;
        }
        int defaultsIn = 0, defaultsOut = 0;
        for (qsizetype i = 0; i < devices->size(); ++i) {
            const AudioDevice &d = devices->at(i);
            QCOMPARE(d.index, int(i));
            QVERIFY(!d.name.isEmpty());
            QVERIFY(d.maxInputChannels >= 0 && d.maxOutputChannels >= 0);
            defaultsIn += d.isDefaultInput;
            defaultsOut += d.isDefaultOutput;
            QVERIFY(!d.isDefaultInput || d.maxInputChannels > 0);
            QVERIFY(!d.isDefaultOutput || d.maxOutputChannels > 0);
        }
        QVERIFY(defaultsIn <= 1 && defaultsOut <= 1);
        QCOMPARE(sentence.startsWith(u"sound card ready"), defaultsIn == 1 && defaultsOut == 1);
    }

    void availabilitySentence_data()
    {
        QTest::addColumn<QList<AudioDevice>>("devices");
        QTest::addColumn<QString>("sentence");
        QTest::addRow("none") << QList<AudioDevice> {}
                              << "no sound card: PortAudio finds no input or output device; calls can still use a WAV file, a tone or silence";
        QTest::addRow("no defaults") << QList {device("hw:1", 2, 2)}
                                     << "no sound card: PortAudio has no default input device and has no default output device; calls can still use "
                                        "a WAV file, a tone or silence";
        QTest::addRow("speaker only") << QList {device("HDMI", 0, 8, false, true)}
                                      << "no microphone: PortAudio finds no input device; calls can play to \"HDMI\" but send a WAV file, a tone or "
                                         "silence";
        QTest::addRow("microphone only") << QList {device("USB mic", 1, 0, true, false)}
                                         << "no speaker: PortAudio finds no output device; calls can send from \"USB mic\" but play only to a WAV "
                                            "file or nowhere";
        QTest::addRow("both") << QList {device("USB mic", 1, 0, true, false), device("default", 2, 2, false, true)}
                              << "sound card ready: calls use microphone \"USB mic\" and speaker \"default\"";
    }
    void availabilitySentence()
    {
        QFETCH(QList<AudioDevice>, devices);
        QFETCH(QString, sentence);
        QCOMPARE(describeAudioAvailability(devices), sentence);
    }

    void availabilityWhenPortAudioFails()
    {
        const QString s = describeAudioAvailability(std::unexpected(QStringLiteral("PortAudio does not start: Host API not found")));
        QCOMPARE(s, QStringLiteral("no sound card: PortAudio does not start: Host API not found; calls can still use a WAV file, a tone or silence"));
    }

    void findDevice_data()
    {
        QTest::addColumn<QString>("name");
        QTest::addColumn<bool>("input");
        QTest::addColumn<QString>("found"); // empty: an error is expected
        QTest::addColumn<QString>("error"); // a part of the error
        QTest::addRow("exact wins over substring") << "default" << false << "default"
                                                   << "";
        QTest::addRow("case-insensitive substring") << "alc892" << true << "HDA Intel: ALC892 Analog (hw:0,0)"
                                                    << "";
        QTest::addRow("ambiguous") << "hw:" << false << ""
                                   << "\"hw:\" matches 2 output devices";
        QTest::addRow("direction filters") << "hdmi" << true << ""
                                           << "no input device matches \"hdmi\"; input devices:";
        QTest::addRow("no match lists candidates") << "usb" << false << ""
                                                   << "output devices: \"HDA Intel: ALC892 Analog (hw:0,0)\", \"HDA";
    }
    void findDevice()
    {
        QFETCH(QString, name);
        QFETCH(bool, input);
        QFETCH(QString, found);
        QFETCH(QString, error);
        const QList<AudioDevice> devices {device("HDA Intel: ALC892 Analog (hw:0,0)", 2, 2), device("HDA Intel: HDMI 0 (hw:0,3)", 0, 8),
            device("Default Sink", 0, 2), device("default", 32, 32, true, true)};
        const auto d = findAudioDevice(devices, name, input ? AudioDirection::Input : AudioDirection::Output);
        if (found.isEmpty()) {
            QVERIFY(!d);
            QVERIFY2(d.error().contains(error), qPrintable(d.error()));
        } else {
            QVERIFY2(d, qPrintable(d ? QString() : d.error()));
            QCOMPARE(d->name, found);
        }
    }

    void openWithoutSoundCardFails()
    {
        const AlsaConfig config(m_noCardConfig);
        const auto devices = listAudioDevices();
        QVERIFY2(devices, qPrintable(devices ? QString() : devices.error()));
        if (!devices->isEmpty())
            QSKIP("a non-ALSA host API (JACK, OSS) lists devices on this machine");
        QCOMPARE(describeAudioAvailability(devices),
            QStringLiteral("no sound card: PortAudio finds no input or output device; calls can still use a WAV file, a tone or silence"));

        const auto port = PortAudioPort::open(std::nullopt, std::nullopt);
        QVERIFY(!port);
        QCOMPARE(port.error(),
            QStringLiteral("no sound card to open: PortAudio finds no default input device (microphone), and PortAudio finds no default output "
                           "device (speaker)"));
        const auto bad = PortAudioPort::open(3, PortAudioPort::kNoDevice);
        QVERIFY(!bad);
        QCOMPARE(bad.error(), QStringLiteral("audio device 3 does not exist: PortAudio lists 0 devices"));
        QCOMPARE(PortAudioLibrary::useCount(), 0);
    }

    // The real path on the null PCM: both callbacks run, audio written is played, read() gives frames.
    void nullDeviceRunsTheCallbacks()
    {
        const AlsaConfig config(m_nullConfig);
        const auto devices = listAudioDevices();
        QVERIFY2(devices, qPrintable(devices ? QString() : devices.error()));
        const auto in = findAudioDevice(*devices, QStringLiteral("dsnull"), AudioDirection::Input);
        const auto out = findAudioDevice(*devices, QStringLiteral("dsnull"), AudioDirection::Output);
        QVERIFY2(in && out, qPrintable(in ? (out ? QString() : out.error()) : in.error()));
        QCOMPARE(describeAudioAvailability(devices), QStringLiteral("sound card ready: calls use microphone \"default\" and speaker \"default\""));

        auto opened = PortAudioPort::open(in->index, out->index, 48000, 10);
        QVERIFY2(opened, qPrintable(opened ? QString() : opened.error()));
        PortAudioPort &port = **opened;
        QVERIFY(port.isSource() && port.isSink());
        QCOMPARE(port.sampleRate(), 48000);
        QCOMPARE(port.bufferSamples(), 480u);
        QCOMPARE(port.outputDeviceName(), QStringLiteral("\"dsnull\" (ALSA)"));
        QVERIFY(port.streamRunning());
        QCOMPARE(port.lastError(), QString());
        QVERIFY(waitFor([&] { return port.callbackCount() > 10 && port.capturedSamples() > 0; }));
        QCOMPARE(port.playedSamples(), 0u); // nothing written yet: silence, not counted as underrun
        QCOMPARE(port.playbackUnderruns(), 0u);

        // Half a second of a 1 kHz tone in 10 ms frames, each taken by the card before the next.
        const auto tone = ds::test::sine(1000, 3000, 48000 / 2, 48000);
        for (std::size_t at = 0; at < tone.size(); at += 480) {
            const auto played = port.playedSamples();
            port.write(std::span(tone).subspan(at, 480));
            QVERIFY2(waitFor([&] { return port.playedSamples() >= played + 480; }), "the playback callback stopped taking audio");
        }
        QVERIFY(waitFor([&] { return port.playedSamples() >= tone.size(); }));
        QCOMPARE(port.playbackOverruns(), 0u);

        std::vector<std::int16_t> frame(480, 1234);
        const auto captured = port.capturedSamples();
        QCOMPARE(port.read(frame), frame.size()); // the first read starts capture and returns silence
        QCOMPARE(ds::test::rms(frame), 0.0);
        QVERIFY(waitFor([&] { return port.capturedSamples() > captured + 4 * frame.size(); }));
        for (int i = 0; i < 20; ++i)
            QCOMPARE(port.read(frame), frame.size());
        // The null PCM captures whatever its buffer holds (not silence): the meter follows the frame.
        const double rms = ds::test::rms(frame);
        QCOMPARE(port.inputLevelDbfs(), rms > 0 ? 20 * std::log10(rms * std::numbers::sqrt2 / 32767) : -100.0);
        QVERIFY(port.streamRunning());
        opened->reset();
        QCOMPARE(PortAudioLibrary::useCount(), 0);
    }

    // nullopt means "the default device"; kNoDevice leaves a direction out.
    void defaultsAndOneDirection()
    {
        const AlsaConfig config(m_nullConfig);
        {
            auto both = PortAudioPort::open(std::nullopt, std::nullopt, 16000, 20);
            QVERIFY2(both, qPrintable(both ? QString() : both.error()));
            QCOMPARE((*both)->inputDeviceName(), QStringLiteral("\"default\" (ALSA)"));
            QCOMPARE((*both)->bufferSamples(), 320u);
        }
        auto speaker = PortAudioPort::open(PortAudioPort::kNoDevice, std::nullopt);
        QVERIFY2(speaker, qPrintable(speaker ? QString() : speaker.error()));
        QVERIFY(!(*speaker)->isSource() && (*speaker)->isSink());
        QCOMPARE((*speaker)->inputDeviceName(), QString());
        const std::vector<std::int16_t> silence(960);
        for (int i = 0; i < 5; ++i) {
            const auto played = (*speaker)->playedSamples();
            (*speaker)->write(silence);
            // The whole frame taken before the next: written faster, frames beyond 4 of latency drop.
            QVERIFY(waitFor([&] { return (*speaker)->playedSamples() >= played + silence.size(); }));
        }
        QVERIFY(waitFor([&] { return (*speaker)->playedSamples() >= 5 * silence.size(); }));
        QCOMPARE((*speaker)->playbackOverruns(), 0u);
        speaker->reset();

        const auto none = PortAudioPort::open(PortAudioPort::kNoDevice, PortAudioPort::kNoDevice);
        QVERIFY(!none);
        QCOMPARE(none.error(), QStringLiteral("no sound card to open: no input device was asked for, and no output device was asked for"));
        QCOMPARE(PortAudioLibrary::useCount(), 0);
    }

private:
    QString write(const char *name, const char *text)
    {
        QFile f(m_dir.filePath(QString::fromUtf8(name)));
        if (!f.open(QIODevice::WriteOnly) || f.write(text) < 0)
            return {};
        return f.fileName();
    }

    QTemporaryDir m_dir;
    QString m_nullConfig;
    QString m_noCardConfig;
};

QTEST_GUILESS_MAIN(TestPortAudioPort)
#include "tst_portaudio_port.moc"
