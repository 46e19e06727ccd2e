// TapPort: what a source gives and what a sink is given, recorded sample for sample while the inner
// port works on; failures and the length limit stop the recording, never the audio. makeAudioPorts
// with recordBothTo: both directions of a call on disk whatever the source and sink.

#include "media/echo_port.h"
#include "media/null_port.h"
#include "media/tap_port.h"
#include "media/tone_port.h"
#include "media/wav_file.h"
#include "media/wav_port.h"
#include "phone/audio_ports.h"
#include "support/wav_analysis.h"

#include <QDir>
#include <QFile>
#include <QTemporaryDir>
#include <QTest>

#include <algorithm>
#include <cmath>
#include <vector>

using namespace ds;
using namespace ds::media;
using namespace std::chrono_literals;

namespace {

// QVERIFY2 builds its message even when the check passes: only look at error() when there is one.
template <typename T> QByteArray why(const std::expected<T, Error> &e) { return e ? QByteArray() : e.error().toString().toUtf8(); }
template <typename T> QByteArray why(const std::expected<T, QString> &e) { return e ? QByteArray() : e.error().toUtf8(); }

std::vector<std::int16_t> wavSamples(const QString &path, int *rate = nullptr)
{
    int r = 0;
    QString error;
    auto x = test::readWavMono(path, &r, &error);
    if (rate)
        *rate = r;
    return x;
}

// A recognisable signal that is not a tone: a ramp with a sign flip, every sample different nearby.
std::vector<std::int16_t> pattern(std::size_t n)
{
    std::vector<std::int16_t> v(n);
    for (std::size_t i = 0; i < n; ++i)
        v[i] = std::int16_t((i * 37 % 20000) * (i % 2 ? -1 : 1));
    return v;
}

void writeWav(const QString &path, std::span<const std::int16_t> samples, int rate)
{
    auto w = WavWriter::create(path, rate, 1);
    QVERIFY2(w, why(w));
    QVERIFY(w->write(samples));
    QVERIFY(w->close());
}

bool canFillDisk() { return QFile::exists(QStringLiteral("/dev/full")); }

} // namespace

class TestTapPort : public QObject {
    Q_OBJECT
private slots:
    void recordsWhatIsRead_data()
    {
        QTest::addColumn<int>("rate");
        QTest::addColumn<int>("frame");
        QTest::addColumn<double>("frequency");
        QTest::newRow("1 kHz at 8 kHz, 20 ms") << 8000 << 160 << 1000.0;
        QTest::newRow("440 Hz at 48 kHz, 10 ms") << 48000 << 480 << 440.0;
        QTest::newRow("697 Hz at 16 kHz, odd frames") << 16000 << 333 << 697.0;
    }
    void recordsWhatIsRead()
    {
        QFETCH(int, rate);
        QFETCH(int, frame);
        QFETCH(double, frequency);
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        const QString path = dir.filePath(QStringLiteral("sent.wav"));
        const double level = -10.0;
        std::vector<std::int16_t> given;
        {
            auto tap = TapPort::wrap(std::make_shared<TonePort>(rate, TonePort::Tone {frequency, level}), path, {});
            QVERIFY2(tap, why(tap));
            QVERIFY(tap->isSource());
            QVERIFY(!tap->isSink());
            QCOMPARE(tap->sampleRate(), rate);
            std::vector<std::int16_t> buf(static_cast<std::size_t>(frame));
            while (given.size() < std::size_t(2 * rate)) {
                QCOMPARE(tap->read(buf), buf.size());
                given.insert(given.end(), buf.begin(), buf.end());
            }
            QCOMPARE(tap->readTrack().samples, qint64(given.size()));
            QVERIFY(tap->readTrack().recording);
            QVERIFY(tap->writeTrack().path.isEmpty());
            QVERIFY(tap->close());
            QVERIFY(!tap->readTrack().recording);
        }
        // The reader gets the tone untouched: the tap is invisible.
        std::vector<std::int16_t> reference(given.size());
        TonePort(rate, {frequency, level}).read(reference);
        QVERIFY(given == reference);
        // And the file holds exactly what the reader got.
        int fileRate = 0;
        QVERIFY(wavSamples(path, &fileRate) == given);
        QCOMPARE(fileRate, rate);
        const test::ToneCheck check = test::checkTone(path, frequency);
        QVERIFY2(check.ok, qPrintable(check.error));
        QVERIFY2(check.toneShare > 0.99, QByteArray::number(check.toneShare));
        QVERIFY2(std::abs(check.rmsDbfs - (level - 3.01)) < 0.1, QByteArray::number(check.rmsDbfs)); // a sine's RMS is 3 dB under its peak
    }

    void recordsWhatIsWritten()
    {
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        const QString tapped = dir.filePath(QStringLiteral("received.wav"));
        const QString inner = dir.filePath(QStringLiteral("speaker.wav"));
        const auto signal = pattern(16000 + 77);
        {
            auto sink = WavPort::createSink(inner, 16000);
            QVERIFY2(sink, why(sink));
            auto tap = TapPort::wrap(std::make_shared<WavPort>(std::move(*sink)), {}, tapped);
            QVERIFY2(tap, why(tap));
            QVERIFY(tap->isSink());
            QVERIFY(!tap->isSource());
            for (std::size_t i = 0; i < signal.size(); i += 320)
                tap->write(std::span(signal).subspan(i, std::min<std::size_t>(320, signal.size() - i)));
            QCOMPARE(tap->writeTrack().samples, qint64(signal.size()));
            // The tap's destructor finalises its file; the last reference to the inner port finalises that one.
        }
        QVERIFY(wavSamples(tapped) == signal);
        QVERIFY(wavSamples(inner) == signal); // the inner sink got every sample too
    }

    void echoTappedBothWays()
    {
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        const QString readPath = dir.filePath(QStringLiteral("r.wav")), writePath = dir.filePath(QStringLiteral("w.wav"));
        const auto signal = pattern(8000);
        std::vector<std::int16_t> echoed;
        {
            auto tap = TapPort::wrap(std::make_shared<EchoPort>(8000), readPath, writePath);
            QVERIFY2(tap, why(tap));
            QVERIFY(tap->isSource() && tap->isSink());
            std::vector<std::int16_t> buf(160);
            for (std::size_t i = 0; i < signal.size(); i += buf.size()) {
                tap->write(std::span(signal).subspan(i, buf.size()));
                tap->read(buf);
                echoed.insert(echoed.end(), buf.begin(), buf.end());
            }
        }
        QVERIFY(echoed == signal); // written then read in the same step: the echo comes straight back
        QVERIFY(wavSamples(readPath) == echoed);
        QVERIFY(wavSamples(writePath) == signal);
    }

    void endOfStreamKeepsTime()
    {
        // After the inner stream ends, the stream loop sends silence; the recording keeps pace with it
        // so the sent and received files of a call stay aligned.
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        const QString path = dir.filePath(QStringLiteral("sent.wav"));
        {
            auto tap = TapPort::wrap(std::make_shared<TonePort>(8000, TonePort::Tone {1000.0, -6.0}, 100ms), path, {});
            QVERIFY2(tap, why(tap));
            std::vector<std::int16_t> buf(300, 1);
            QCOMPARE(tap->read(buf), std::size_t(300));
            QCOMPARE(tap->read(buf), std::size_t(300));
            QCOMPARE(tap->read(buf), std::size_t(200)); // the last 100 of the frame are zeroed
            QCOMPARE(tap->read(buf), std::size_t(0));
        }
        const auto x = wavSamples(path);
        QCOMPARE(x.size(), std::size_t(1200));
        std::vector<std::int16_t> tone(800);
        TonePort(8000, {1000.0, -6.0}).read(tone);
        QVERIFY(std::equal(tone.begin(), tone.end(), x.begin()));
        QVERIFY(std::all_of(x.begin() + 800, x.end(), [](std::int16_t v) { return v == 0; }));
    }

    void sinkOfItsOwn()
    {
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        const QString path = dir.filePath(QStringLiteral("received.wav"));
        const auto signal = pattern(4000);
        auto tap = TapPort::sink(path, 48000);
        QVERIFY2(tap, why(tap));
        QVERIFY(!tap->inner());
        QVERIFY(tap->isSink());
        QVERIFY(!tap->isSource());
        QCOMPARE(tap->sampleRate(), 48000);
        tap->write(signal);
        QVERIFY(tap->close());
        int rate = 0;
        QVERIFY(wavSamples(path, &rate) == signal);
        QCOMPARE(rate, 48000);
        tap->write(signal); // after close the audio still passes (to nowhere), unrecorded
        QCOMPARE(tap->writeTrack().samples, qint64(signal.size()));
    }

    void stopsAtLengthLimit()
    {
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        const QString readPath = dir.filePath(QStringLiteral("r.wav")), writePath = dir.filePath(QStringLiteral("w.wav"));
        auto null = std::make_shared<NullPort>(8000);
        auto tap = TapPort::wrap(null, readPath, writePath, 1s);
        QVERIFY2(tap, why(tap));
        QCOMPARE(tap->maxSamples(), qint64(8000));
        std::vector<std::int16_t> frame(300, 5);
        for (int i = 0; i < 40; ++i) { // 12000 samples each way, 1.5 s
            QCOMPARE(tap->read(frame), frame.size());
            tap->write(frame);
        }
        QCOMPARE(null->samplesRead(), qint64(12000)); // the port works on
        QCOMPARE(null->samplesWritten(), qint64(12000));
        for (const TapPort::Track *t : {&tap->readTrack(), &tap->writeTrack()}) {
            QCOMPARE(t->samples, qint64(8000));
            QVERIFY(!t->recording);
            QVERIFY(!t->error);
            QVERIFY2(t->note.contains(t->path) && t->note.contains(QStringLiteral("1 s limit")), qPrintable(t->note));
        }
        QVERIFY(tap->close());
        // The files were finalised when the limit was reached, each exactly the limit long.
        QCOMPARE(wavSamples(readPath).size(), std::size_t(8000));
        QCOMPARE(wavSamples(writePath).size(), std::size_t(8000));
        QVERIFY(TapPort::defaultMaxLength == std::chrono::seconds(2h));
    }

    void failedWriteStopsOnlyTheRecording()
    {
        if (!canFillDisk())
            QSKIP("needs /dev/full");
        const QString full = QStringLiteral("/dev/full"); // opens fine, every write fails: a full disk
        auto null = std::make_shared<NullPort>(8000);
        auto tap = TapPort::wrap(null, {}, full);
        QVERIFY2(tap, why(tap)); // the header sits in the file buffer; the failure shows when it is flushed
        const auto signal = pattern(160);
        for (int i = 0; i < 500; ++i) // 160 kB: far past any buffer
            tap->write(signal);
        QCOMPARE(null->samplesWritten(), qint64(500 * 160));
        const TapPort::Track &t = tap->writeTrack();
        QVERIFY(!t.recording);
        QVERIFY(t.error);
        QVERIFY2(t.error->what.contains(full), qPrintable(t.error->what));
        QVERIFY(t.samples < 500 * 160);
        const auto closed = tap->close();
        QVERIFY(!closed);
        QVERIFY(closed.error().what.contains(full));

        // The same for a source: the reader still gets its tone.
        auto source = TapPort::wrap(std::make_shared<TonePort>(8000, TonePort::Tone {1000.0, -10.0}), full, {});
        QVERIFY2(source, why(source));
        std::vector<std::int16_t> got(8000 * 10), reference(got.size());
        for (std::size_t i = 0; i < got.size(); i += 160)
            QCOMPARE(source->read(std::span(got).subspan(i, 160)), std::size_t(160));
        TonePort(8000, {1000.0, -10.0}).read(reference);
        QVERIFY(got == reference);
        QVERIFY(source->readTrack().error);
    }

    void unwritableFileNamesTheFile()
    {
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        const QString bad = dir.filePath(QStringLiteral("missing-dir/sent.wav"));
        auto tap = TapPort::wrap(std::make_shared<NullPort>(8000), bad, {});
        QVERIFY(!tap);
        QVERIFY2(tap.error().what.contains(bad), qPrintable(tap.error().what));
        auto sink = TapPort::sink(bad, 8000);
        QVERIFY(!sink);
        QVERIFY2(sink.error().what.contains(bad), qPrintable(sink.error().what));

        // The second file fails: the first is not left behind.
        const QString good = dir.filePath(QStringLiteral("ok.wav"));
        auto half = TapPort::wrap(std::make_shared<NullPort>(8000), good, bad);
        QVERIFY(!half);
        QVERIFY2(half.error().what.contains(bad), qPrintable(half.error().what));
        QVERIFY(!QFile::exists(good));
    }

    // ---- makeAudioPorts with recordBothTo -----------------------------------------------------

    void recordBothDirections_data()
    {
        QTest::addColumn<QString>("source"); // tone, file, echo, none
        QTest::addColumn<QString>("sink"); // file, none, echo
        QTest::addColumn<int>("rate");
        QTest::newRow("tone to file") << "tone"
                                      << "file" << 8000;
        QTest::newRow("tone to nowhere") << "tone"
                                         << "none" << 8000;
        QTest::newRow("tone to nowhere at 48 kHz") << "tone"
                                                   << "none" << 48000;
        QTest::newRow("file to file") << "file"
                                      << "file" << 8000;
        QTest::newRow("file to nowhere") << "file"
                                         << "none" << 16000;
        QTest::newRow("echo") << "echo"
                              << "echo" << 8000;
        QTest::newRow("silence to file") << "none"
                                         << "file" << 8000;
        QTest::newRow("silence to nowhere") << "none"
                                            << "none" << 8000;
    }
    void recordBothDirections()
    {
        QFETCH(QString, source);
        QFETCH(QString, sink);
        QFETCH(int, rate);
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        phone::AudioSettings a;
        a.recordBothTo = dir.filePath(QStringLiteral("call-42"));
        const QString sent = dir.filePath(QStringLiteral("call-42-sent.wav")), received = dir.filePath(QStringLiteral("call-42-received.wav"));
        QCOMPARE(phone::sentRecordingPath(a.recordBothTo), sent);
        QCOMPARE(phone::receivedRecordingPath(a.recordBothTo), received);
        const double toneHz = 1000, fileHz = 500;
        if (source == QLatin1String("tone")) {
            a.toneHz = toneHz;
            a.toneDbfs = -12;
        } else if (source == QLatin1String("file")) {
            a.playFile = dir.filePath(QStringLiteral("prompt.wav"));
            writeWav(a.playFile, test::sine(fileHz, 8000, std::size_t(rate / 2), rate), rate); // half a second, looped
        } else if (source == QLatin1String("echo")) {
            a.echo = true;
        }
        if (sink == QLatin1String("file"))
            a.recordFile = dir.filePath(QStringLiteral("record.wav"));

        const int frame = rate / 50, frames = 100; // two seconds
        const auto signal = pattern(std::size_t(frame * frames));
        std::vector<std::int16_t> given;
        {
            auto ports = phone::makeAudioPorts(a, rate);
            QVERIFY2(ports, why(ports));
            QVERIFY2(ports->warning.isEmpty(), qPrintable(ports->warning));
            QCOMPARE(ports->receivedPath, received);
            QCOMPARE(ports->sentPath, source == QLatin1String("none") ? QString() : sent);
            QVERIFY(ports->sink && ports->sink->isSink()); // with nowhere to go the tap itself is the sink
            QCOMPARE(ports->sink->sampleRate(), rate);
            QCOMPARE(bool(ports->source), source != QLatin1String("none"));
            if (source == QLatin1String("echo"))
                QVERIFY(ports->source == ports->sink); // one port both ways, still
            // The stream loop, as RtpStream runs it: play out first, then capture.
            std::vector<std::int16_t> buf(static_cast<std::size_t>(frame));
            for (int i = 0; i < frames; ++i) {
                ports->sink->write(std::span(signal).subspan(std::size_t(i * frame), std::size_t(frame)));
                if (ports->source) {
                    QCOMPARE(ports->source->read(buf), buf.size());
                    given.insert(given.end(), buf.begin(), buf.end());
                }
            }
            // Letting go of the ports finalises the files, as when the media stream ends.
        }
        int receivedRate = 0;
        QVERIFY(wavSamples(received, &receivedRate) == signal);
        QCOMPARE(receivedRate, rate);
        if (sink == QLatin1String("file"))
            QVERIFY(wavSamples(a.recordFile) == signal); // the chosen sink got it all as well
        if (source == QLatin1String("none")) {
            QVERIFY(!QFile::exists(sent)); // nothing but silence to send: nothing recorded
            return;
        }
        int sentRate = 0;
        QVERIFY(wavSamples(sent, &sentRate) == given);
        QCOMPARE(sentRate, rate);
        if (source == QLatin1String("echo")) {
            QVERIFY(given == signal);
        } else {
            const double hz = source == QLatin1String("tone") ? toneHz : fileHz;
            const test::ToneCheck check = test::checkTone(sent, hz);
            QVERIFY2(check.ok, qPrintable(check.error));
            QVERIFY2(check.toneShare > 0.98, QByteArray::number(check.toneShare));
            const double peakDbfs = source == QLatin1String("tone") ? -12 : 20 * std::log10(8000 / 32767.0);
            QVERIFY2(std::abs(check.rmsDbfs - (peakDbfs - 3.01)) < 0.2, QByteArray::number(check.rmsDbfs));
        }
    }

    void unwritablePrefixIsAnError_data()
    {
        QTest::addColumn<bool>("withSource");
        QTest::newRow("tone source") << true;
        QTest::newRow("no source") << false;
    }
    void unwritablePrefixIsAnError()
    {
        QFETCH(bool, withSource);
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        phone::AudioSettings a;
        a.recordBothTo = dir.filePath(QStringLiteral("no-such-dir/call"));
        if (withSource)
            a.toneHz = 440;
        auto ports = phone::makeAudioPorts(a, 8000);
        QVERIFY(!ports);
        // The first file it tried to create is named.
        const QString named = withSource ? phone::sentRecordingPath(a.recordBothTo) : phone::receivedRecordingPath(a.recordBothTo);
        QVERIFY2(ports.error().contains(named), qPrintable(ports.error()));
    }

    void halfWritablePrefixLeavesNothing()
    {
        // The received file cannot be created (a directory is in the way): the sent one is removed again.
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        phone::AudioSettings a;
        a.recordBothTo = dir.filePath(QStringLiteral("call"));
        a.toneHz = 440;
        QVERIFY(QDir(dir.path()).mkdir(QStringLiteral("call-received.wav")));
        auto ports = phone::makeAudioPorts(a, 8000);
        QVERIFY(!ports);
        QVERIFY2(ports.error().contains(phone::receivedRecordingPath(a.recordBothTo)), qPrintable(ports.error()));
        QVERIFY(!QFile::exists(phone::sentRecordingPath(a.recordBothTo)));
    }

    void recordingOverTheCallsOwnFileIsRefused()
    {
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        phone::AudioSettings a;
        a.recordBothTo = dir.filePath(QStringLiteral("call"));
        a.playFile = phone::sentRecordingPath(a.recordBothTo);
        writeWav(a.playFile, test::sine(1000, 8000, 4000, 8000), 8000);
        const qint64 size = QFileInfo(a.playFile).size();
        auto ports = phone::makeAudioPorts(a, 8000);
        QVERIFY(!ports);
        QVERIFY2(ports.error().contains(a.playFile), qPrintable(ports.error()));
        QCOMPARE(QFileInfo(a.playFile).size(), size); // the prompt is untouched

        a.playFile.clear();
        a.recordFile = phone::receivedRecordingPath(a.recordBothTo);
        QVERIFY(!phone::makeAudioPorts(a, 8000));
    }

    void withoutPrefixNothingIsTapped()
    {
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        phone::AudioSettings a;
        a.toneHz = 1000;
        a.recordFile = dir.filePath(QStringLiteral("record.wav"));
        auto ports = phone::makeAudioPorts(a, 8000);
        QVERIFY2(ports, why(ports));
        QVERIFY(!dynamic_cast<TapPort *>(ports->source.get()));
        QVERIFY(!dynamic_cast<TapPort *>(ports->sink.get()));
        QVERIFY(ports->sentPath.isEmpty());
        QVERIFY(ports->receivedPath.isEmpty());
        QCOMPARE(QDir(dir.path()).entryList(QDir::Files), QStringList {QStringLiteral("record.wav")});
    }
};

QTEST_GUILESS_MAIN(TestTapPort)
#include "tst_tap_port.moc"
