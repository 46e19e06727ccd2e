// Audio ports: tone frequency, level and phase continuity; WAV files played and recorded through
// WavPort (resampled, downmixed, looped, missing); NullPort's silence and counts.

#include "media/null_port.h"
#include "media/tone_port.h"
#include "media/wav_file.h"
#include "media/wav_port.h"

#include <QTemporaryDir>
#include <QTest>

#include <algorithm>
#include <cmath>
#include <numbers>
#include <vector>

using namespace ds::media;
using namespace std::chrono_literals;

namespace {

template <typename T> QByteArray why(const std::expected<T, Error> &e) { return e ? QByteArray() : e.error().toString().toUtf8(); }

// Everything a source gives, read frame by frame, until end of stream or `limit` samples.
std::vector<std::int16_t> readAll(AudioPort &port, std::size_t frame, std::size_t limit = 10'000'000)
{
    std::vector<std::int16_t> all, buf(frame);
    while (all.size() < limit) {
        const std::size_t n = port.read(std::span(buf).first(std::min(frame, limit - all.size())));
        if (n == 0)
            break;
        all.insert(all.end(), buf.begin(), buf.begin() + std::ptrdiff_t(n));
    }
    return all;
}

// Goertzel: power of `f` in `x` relative to a full-scale sine at f (1.0 for a 0 dBFS sine).
double goertzel(std::span<const std::int16_t> x, double f, int rate)
{
    const double w = 2.0 * std::numbers::pi * f / rate;
    const double coeff = 2.0 * std::cos(w);
    double s1 = 0, s2 = 0;
    for (std::int16_t v : x) {
        const double s0 = v + coeff * s1 - s2;
        s2 = s1;
        s1 = s0;
    }
    const double power = s1 * s1 + s2 * s2 - coeff * s1 * s2;
    const double full = 32767.0 * double(x.size()) / 2.0;
    return power / (full * full);
}

// Frequency from the number of upward zero crossings over the span.
double zeroCrossingFrequency(std::span<const std::int16_t> x, int rate)
{
    int first = -1, last = -1, count = 0;
    for (std::size_t i = 1; i < x.size(); ++i) {
        if (x[i - 1] < 0 && x[i] >= 0) {
            if (first < 0)
                first = int(i);
            else
                ++count;
            last = int(i);
        }
    }
    return last > first ? double(count) * rate / (last - first) : 0.0;
}

double rms(std::span<const std::int16_t> x)
{
    double sum = 0;
    for (std::int16_t v : x)
        sum += double(v) * v;
    return x.empty() ? 0.0 : std::sqrt(sum / double(x.size()));
}

int maxStep(std::span<const std::int16_t> x)
{
    int step = 0;
    for (std::size_t i = 1; i < x.size(); ++i)
        step = std::max(step, std::abs(x[i] - x[i - 1]));
    return step;
}

} // namespace

class TestAudioPorts : public QObject {
    Q_OBJECT
private slots:
    void toneFrequencyAndLevel_data()
    {
        QTest::addColumn<int>("rate");
        QTest::addColumn<double>("frequency");
        QTest::addColumn<double>("level");
        QTest::newRow("1 kHz at 8 kHz, -10 dBFS") << 8000 << 1000.0 << -10.0;
        QTest::newRow("440 Hz at 48 kHz, 0 dBFS") << 48000 << 440.0 << 0.0;
        QTest::newRow("3400 Hz at 8 kHz, -20 dBFS") << 8000 << 3400.0 << -20.0;
        QTest::newRow("697 Hz at 16 kHz, -3 dBFS") << 16000 << 697.0 << -3.0;
    }
    void toneFrequencyAndLevel()
    {
        QFETCH(int, rate);
        QFETCH(double, frequency);
        QFETCH(double, level);
        TonePort tone(rate, {frequency, level});
        QVERIFY(tone.isSource());
        QVERIFY(!tone.isSink());
        QCOMPARE(tone.sampleRate(), rate);
        QCOMPARE(tone.channels(), 1);
        const auto x = readAll(tone, std::size_t(rate / 50), std::size_t(rate)); // one second in 20 ms frames
        QCOMPARE(x.size(), std::size_t(rate));
        QVERIFY2(std::abs(zeroCrossingFrequency(x, rate) - frequency) < frequency * 0.005, QByteArray::number(zeroCrossingFrequency(x, rate)));
        const double expectedRms = TonePort::amplitude(level) / std::sqrt(2.0);
        QVERIFY2(std::abs(20 * std::log10(rms(x) / expectedRms)) < 0.05, QByteArray::number(rms(x)));
        const auto peak = std::ranges::max(x, {}, [](std::int16_t v) { return std::abs(int(v)); });
        QVERIFY(std::abs(std::abs(int(peak)) - TonePort::amplitude(level)) < TonePort::amplitude(level) * 0.01 + 1);
        // Goertzel: the tone is where it should be, at its level, and not half an octave away.
        QVERIFY(std::abs(10 * std::log10(goertzel(x, frequency, rate)) - level) < 0.2);
        QVERIFY(10 * std::log10(goertzel(x, frequency * 0.7, rate)) < level - 40);
    }

    void phaseContinuousAcrossFrames_data()
    {
        QTest::addColumn<int>("frame");
        QTest::newRow("1 sample") << 1;
        QTest::newRow("7 samples") << 7;
        QTest::newRow("160 samples") << 160;
        QTest::newRow("333 samples") << 333;
    }
    void phaseContinuousAcrossFrames()
    {
        QFETCH(int, frame);
        const int rate = 8000;
        const double f = 1234.5, level = -6.0;
        TonePort whole(rate, {f, level});
        std::vector<std::int16_t> reference(20000);
        QCOMPARE(whole.read(reference), reference.size());

        TonePort framed(rate, {f, level});
        const auto x = readAll(framed, std::size_t(frame), reference.size());
        QCOMPARE(x.size(), reference.size());
        QVERIFY(std::equal(reference.begin(), reference.end(), x.begin())); // frame size does not matter
        // No jump anywhere: a sine's steepest step is 2 pi f A / rate, plus rounding.
        const double bound = 2 * std::numbers::pi * f * TonePort::amplitude(level) / rate + 2;
        QVERIFY2(maxStep(x) <= bound, QByteArray::number(maxStep(x)) + " > " + QByteArray::number(bound));
    }

    void dualTone()
    {
        const int rate = 8000;
        TonePort dtmf(rate, {770.0, -10.0}, {1336.0, -10.0}); // DTMF "5"
        const auto x = readAll(dtmf, 160, 4000);
        QCOMPARE(x.size(), std::size_t(4000));
        QVERIFY(std::abs(10 * std::log10(goertzel(x, 770, rate)) + 10) < 0.3);
        QVERIFY(std::abs(10 * std::log10(goertzel(x, 1336, rate)) + 10) < 0.3);
        QVERIFY(10 * std::log10(goertzel(x, 1000, rate)) < -50);
        const double bound = 2 * std::numbers::pi * (770 + 1336) * TonePort::amplitude(-10) / rate + 2;
        QVERIFY(maxStep(x) <= bound);
    }

    void toneDuration_data()
    {
        QTest::addColumn<int>("frame");
        QTest::addColumn<QList<int>>("reads");
        QTest::newRow("whole frames") << 160 << QList<int> {160, 160, 160, 160, 160, 0, 0};
        QTest::newRow("last frame short") << 300 << QList<int> {300, 300, 200, 0};
    }
    void toneDuration()
    {
        QFETCH(int, frame);
        QFETCH(QList<int>, reads);
        TonePort tone(8000, {1000.0, -10.0}, 100ms);
        QCOMPARE(tone.samplesLeft(), 800);
        std::vector<std::int16_t> buf(std::size_t(frame), 1);
        for (int expected : reads) {
            std::ranges::fill(buf, std::int16_t(1));
            QCOMPARE(tone.read(buf), std::size_t(expected));
            QVERIFY(std::all_of(buf.begin() + expected, buf.end(), [](std::int16_t v) { return v == 0; })); // the rest is silence
        }
        tone.reset();
        QCOMPARE(tone.samplesLeft(), 800);
        QCOMPARE(readAll(tone, 64).size(), std::size_t(800));
    }

    void wavRoundTripAtAnotherRate_data()
    {
        QTest::addColumn<int>("writeRate");
        QTest::addColumn<int>("readRate");
        QTest::addColumn<double>("frequency");
        QTest::newRow("8k -> 48k") << 8000 << 48000 << 1000.0;
        QTest::newRow("48k -> 8k") << 48000 << 8000 << 697.0;
        QTest::newRow("16k -> 44.1k") << 16000 << 44100 << 1209.0;
        QTest::newRow("8k -> 8k") << 8000 << 8000 << 1000.0;
    }
    void wavRoundTripAtAnotherRate()
    {
        QFETCH(int, writeRate);
        QFETCH(int, readRate);
        QFETCH(double, frequency);
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        const QString path = dir.filePath(QStringLiteral("tone.wav"));
        {
            TonePort tone(writeRate, {frequency, -10.0}, 1000ms);
            auto sink = WavPort::createSink(path, writeRate);
            QVERIFY2(sink, why(sink));
            QVERIFY(sink->isSink());
            QVERIFY(!sink->isSource());
            std::vector<std::int16_t> frame(std::size_t(writeRate / 50));
            while (const std::size_t n = tone.read(frame))
                sink->write(std::span(frame).first(n));
            QCOMPARE(sink->framesWritten(), qint64(writeRate));
            // The destructor finalises the file.
        }
        auto reader = WavReader::open(path);
        QVERIFY2(reader, why(reader));
        QCOMPARE(reader->format().sampleRate, writeRate);
        QCOMPARE(reader->frameCount(), qint64(writeRate));

        auto source = WavPort::openSource(path, readRate);
        QVERIFY2(source, why(source));
        QVERIFY(source->isSource());
        QVERIFY(!source->isSink());
        QCOMPARE(source->sampleRate(), readRate);
        QCOMPARE(source->fileFormat().sampleRate, writeRate);
        const auto x = readAll(*source, std::size_t(readRate / 50));
        QVERIFY(!source->error());
        // One second of audio at the new rate, give or take the filter's edges.
        QVERIFY2(std::abs(double(x.size()) - readRate) <= readRate * 0.002 + 2, QByteArray::number(qulonglong(x.size())));
        std::vector<std::int16_t> after(160, 1);
        QCOMPARE(source->read(after), std::size_t(0)); // ended stays ended
        // The frequency survives and so does the level, away from the edges.
        const auto middle = std::span(x).subspan(x.size() / 10, x.size() * 8 / 10);
        QVERIFY2(
            std::abs(zeroCrossingFrequency(middle, readRate) - frequency) < frequency * 0.005, QByteArray::number(zeroCrossingFrequency(middle, readRate)));
        QVERIFY(std::abs(10 * std::log10(goertzel(middle, frequency, readRate)) + 10) < 0.5);
    }

    void stereoFileDownmixed()
    {
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        const QString path = dir.filePath(QStringLiteral("stereo.wav"));
        const int rate = 8000;
        std::vector<std::int16_t> left(4000), right(4000);
        TonePort(rate, {500.0, -6.0}).read(left);
        TonePort(rate, {1500.0, -6.0}).read(right);
        {
            auto w = WavWriter::create(path, rate, 2);
            QVERIFY2(w, why(w));
            std::vector<std::int16_t> interleaved;
            for (std::size_t i = 0; i < left.size(); ++i)
                interleaved.insert(interleaved.end(), {left[i], right[i]});
            // The first 10 frames are constant, to check the arithmetic exactly.
            for (std::size_t i = 0; i < 10; ++i) {
                interleaved[2 * i] = 1000;
                interleaved[2 * i + 1] = std::int16_t(i % 2 ? -3001 : 3000);
            }
            QVERIFY(w->write(interleaved));
            QVERIFY(w->close());
        }
        auto source = WavPort::openSource(path, rate);
        QVERIFY2(source, why(source));
        QCOMPARE(source->fileFormat().channels, 2);
        QCOMPARE(source->channels(), 1);
        const auto x = readAll(*source, 160);
        QCOMPARE(x.size(), left.size());
        for (std::size_t i = 0; i < 10; ++i)
            QCOMPARE(x[i], std::int16_t(i % 2 ? -1001 : 2000)); // (1000 - 3001) / 2 rounds away from zero
        // Both channels are there, each at half its level (-6 dB).
        const auto rest = std::span(x).subspan(10);
        QVERIFY(std::abs(10 * std::log10(goertzel(rest, 500, rate)) + 12) < 0.3);
        QVERIFY(std::abs(10 * std::log10(goertzel(rest, 1500, rate)) + 12) < 0.3);

        auto resampled = WavPort::openSource(path, 16000); // downmix then resample
        QVERIFY2(resampled, why(resampled));
        const auto y = readAll(*resampled, 320);
        QVERIFY(std::abs(double(y.size()) - 8000) < 20);
        const auto mid = std::span(y).subspan(800, 6000);
        QVERIFY(std::abs(10 * std::log10(goertzel(mid, 500, 16000)) + 12) < 0.5);
        QVERIFY(std::abs(10 * std::log10(goertzel(mid, 1500, 16000)) + 12) < 0.5);
    }

    void loopPlaysAgain()
    {
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        const QString path = dir.filePath(QStringLiteral("short.wav"));
        std::vector<std::int16_t> samples(100);
        for (std::size_t i = 0; i < samples.size(); ++i)
            samples[i] = std::int16_t(i * 100);
        {
            auto w = WavWriter::create(path, 8000, 1);
            QVERIFY2(w, why(w));
            QVERIFY(w->write(samples));
        }
        auto looped = WavPort::openSource(path, 8000, true);
        QVERIFY2(looped, why(looped));
        const auto x = readAll(*looped, 160, 1600);
        QCOMPARE(x.size(), std::size_t(1600));
        for (std::size_t i = 0; i < x.size(); ++i)
            QCOMPARE(x[i], samples[i % samples.size()]);

        auto once = WavPort::openSource(path, 8000, false);
        QVERIFY2(once, why(once));
        QCOMPARE(readAll(*once, 160).size(), samples.size());

        // An empty file with loop ends instead of spinning.
        const QString empty = dir.filePath(QStringLiteral("empty.wav"));
        QVERIFY(WavWriter::create(empty, 8000, 1));
        auto nothing = WavPort::openSource(empty, 48000, true);
        QVERIFY2(nothing, why(nothing));
        std::vector<std::int16_t> buf(960);
        QCOMPARE(nothing->read(buf), std::size_t(0));
    }

    void unreadableFileNamesTheFile()
    {
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        const QString missing = dir.filePath(QStringLiteral("no-such-prompt.wav"));
        auto source = WavPort::openSource(missing, 8000);
        QVERIFY(!source);
        QVERIFY2(source.error().what.contains(missing), qPrintable(source.error().what));

        const QString garbage = dir.filePath(QStringLiteral("garbage.wav"));
        {
            QFile f(garbage);
            QVERIFY(f.open(QIODevice::WriteOnly));
            f.write("this is not a WAVE file at all");
        }
        auto bad = WavPort::openSource(garbage, 8000);
        QVERIFY(!bad);
        QVERIFY2(bad.error().what.contains(garbage), qPrintable(bad.error().what));

        const QString noDir = dir.filePath(QStringLiteral("missing-dir/record.wav"));
        auto sink = WavPort::createSink(noDir, 8000);
        QVERIFY(!sink);
        QVERIFY2(sink.error().what.contains(noDir), qPrintable(sink.error().what));
    }

    void sinkCloseFinalises()
    {
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        const QString path = dir.filePath(QStringLiteral("rec.wav"));
        auto sink = WavPort::createSink(path, 16000);
        QVERIFY2(sink, why(sink));
        std::vector<std::int16_t> frame(320, 42);
        for (int i = 0; i < 5; ++i)
            sink->write(frame);
        QVERIFY(sink->close());
        QCOMPARE(sink->framesWritten(), qint64(1600));
        sink->write(frame); // dropped after close
        QCOMPARE(sink->framesWritten(), qint64(1600));
        QVERIFY(sink->isSink());
        auto reader = WavReader::open(path);
        QVERIFY2(reader, why(reader));
        QCOMPARE(reader->format().sampleRate, 16000);
        QCOMPARE(reader->format().channels, 1);
        QCOMPARE(reader->frameCount(), qint64(1600));
    }

    void nullPortCounts()
    {
        NullPort null(8000);
        QVERIFY(null.isSource());
        QVERIFY(null.isSink());
        QCOMPARE(null.sampleRate(), 8000);
        std::vector<std::int16_t> frame(160, 7);
        for (int i = 0; i < 3; ++i) {
            QCOMPARE(null.read(frame), frame.size());
            QVERIFY(std::ranges::all_of(frame, [](std::int16_t v) { return v == 0; }));
        }
        null.write(frame);
        null.write(std::span(frame).first(80));
        QCOMPARE(null.framesRead(), qint64(3));
        QCOMPARE(null.samplesRead(), qint64(480));
        QCOMPARE(null.framesWritten(), qint64(2));
        QCOMPARE(null.samplesWritten(), qint64(240));
    }

    void portsShareOneInterface()
    {
        // A tone played into a null sink through the base interface only, as the media graph will.
        TonePort tone(8000, {1000.0, -10.0}, 60ms);
        NullPort null(8000);
        AudioPort &source = tone;
        AudioPort &sink = null;
        std::vector<std::int16_t> frame(160);
        while (const std::size_t n = source.read(frame))
            sink.write(std::span(frame).first(n));
        QCOMPARE(null.framesWritten(), qint64(3));
        QCOMPARE(null.samplesWritten(), qint64(480));
    }
};

QTEST_GUILESS_MAIN(TestAudioPorts)
#include "tst_audio_ports.moc"
