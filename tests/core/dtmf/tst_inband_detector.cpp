// In-band DTMF: the generator's tones (ITU-T Q.23 frequencies, levels) and the detector's ITU-T Q.24
// acceptance — frequency deviation, twist, duration and pause, level range, noise — plus G.711, a
// whole key sequence with its timing, WAV files, and talk-off against synthetic speech (espeak-ng).

#include "dtmf/inband_detector.h"
#include "dtmf/tone_generator.h"
#include "dtmf/wav_detect.h"
#include "media/g711.h"
#include "media/resampler.h"
#include "media/wav_file.h"

#include <QFile>
#include <QProcess>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>

#include <cmath>
#include <complex>
#include <numbers>
#include <random>
#include <vector>

using namespace ds::dtmf;
using Samples = std::vector<std::int16_t>;

namespace {

constexpr int kRate = InbandDetector::kSampleRate;
const QByteArray kAllKeys = "123A456B789C*0#D";

double lowHz(char digit) { return kLowGroupHz[std::size_t(pairOfDigit(digit)->low)]; }
double highHz(char digit) { return kHighGroupHz[std::size_t(pairOfDigit(digit)->high)]; }

void addSilence(Samples &s, int ms) { s.insert(s.end(), std::size_t(ms) * kRate / 1000, 0); }

// A plain dual tone (no ramps: Q.24 test sets key their bursts hard) at any frequencies and levels.
void addPair(Samples &s, double fLow, double fHigh, double lowDbm0, double highDbm0, int ms)
{
    const double al = amplitudeOfDbm0(lowDbm0), ah = amplitudeOfDbm0(highDbm0);
    const int n = ms * kRate / 1000;
    for (int i = 0; i < n; ++i) {
        const double t = double(i) / kRate;
        const double v = al * std::sin(2 * std::numbers::pi * fLow * t) + ah * std::sin(2 * std::numbers::pi * fHigh * t);
        s.push_back(std::int16_t(std::clamp<long>(std::lround(v), -32768, 32767)));
    }
}

Samples generate(const QByteArray &keys, int toneMs, int pauseMs, int rate = kRate, ToneLevels levels = {}, std::size_t frame = 160)
{
    InbandGenerator g(rate, levels);
    Samples out;
    std::vector<std::int16_t> buf(frame);
    for (char k : keys) {
        if (!g.start(k, toneMs, pauseMs))
            qFatal("not a digit: %c", k);
        std::size_t n = 0;
        do {
            n = g.fill(buf);
            out.insert(out.end(), buf.begin(), buf.begin() + std::ptrdiff_t(n));
        } while (n == buf.size());
    }
    return out;
}

QList<DetectedTone> detect(const Samples &s, std::size_t chunk = 160, DetectorSettings settings = {})
{
    InbandDetector d(settings);
    QList<DetectedTone> found;
    for (std::size_t i = 0; i < s.size(); i += chunk)
        for (const DetectedTone &t : d.process(std::span(s).subspan(i, std::min(chunk, s.size() - i))))
            found.append(t);
    for (const DetectedTone &t : d.finish())
        found.append(t);
    return found;
}

QByteArray digitsOf(const QList<DetectedTone> &tones)
{
    QByteArray s;
    for (const DetectedTone &t : tones)
        s.append(t.digit);
    return s;
}

// White Gaussian noise `snrDb` below the signal's power, over the whole buffer (seeded: reproducible).
void addNoise(Samples &s, double signalPower, double snrDb, unsigned seed)
{
    std::mt19937 rng(seed);
    std::normal_distribution<double> gauss(0.0, std::sqrt(signalPower / std::pow(10.0, snrDb / 10.0)));
    for (std::int16_t &v : s)
        v = std::int16_t(std::clamp<long>(std::lround(v + gauss(rng)), -32768, 32767));
}

double pairPower(double lowDbm0, double highDbm0)
{
    const double al = amplitudeOfDbm0(lowDbm0), ah = amplitudeOfDbm0(highDbm0);
    return (al * al + ah * ah) / 2;
}

// sum x[n] e^{-j 2 pi f n / rate} over [from, from + len), n counted from the buffer's start.
std::complex<double> correlate(const Samples &x, double hz, int rate, std::size_t from, std::size_t len)
{
    std::complex<double> sum = 0;
    for (std::size_t n = from; n < from + len; ++n)
        sum += double(x[n]) * std::polar(1.0, -2 * std::numbers::pi * hz * double(n) / rate);
    return sum;
}

Samples loadAt8k(const QString &path)
{
    auto reader = ds::media::WavReader::open(path);
    if (!reader)
        qFatal("%s", qPrintable(reader.error().toString()));
    auto resampler = ds::media::Resampler::create(reader->format().sampleRate, kRate);
    Samples in(std::size_t(reader->frameCount()) * std::size_t(reader->format().channels));
    const auto n = reader->read(in);
    in.resize(n ? *n : 0);
    Samples out(resampler->maxOutput(in.size()) + 64);
    const auto r = resampler->process(in, out);
    out.resize(r.produced);
    return out;
}

double rmsDbm0(const Samples &x)
{
    double e = 0;
    for (std::int16_t v : x)
        e += double(v) * v;
    return 10 * std::log10(e / double(std::max<std::size_t>(x.size(), 1)) / (kPeakAt0Dbm0 * kPeakAt0Dbm0 / 2));
}

} // namespace

class TestInbandDetector : public QObject {
    Q_OBJECT
    QTemporaryDir m_speechDir;
    QStringList m_speech; // generated once, used by talkOff and speechWithDigit

    // espeak-ng into the temporary dir: English and German, two voices, slow and fast, with digits.
    void makeSpeech()
    {
        if (!m_speech.isEmpty())
            return;
        const QString espeak = QStandardPaths::findExecutable(QStringLiteral("espeak-ng"));
        if (espeak.isEmpty())
            QFAIL("espeak-ng is not installed: scripts/dev installs it (apt-get install espeak-ng); the talk-off tests need it");
        const QString en = QStringLiteral("Please enter your account number followed by the pound key. One two three four five six seven eight nine zero. "
                                          "Seven hundred and seventy seven, nine hundred forty one, twelve oh nine, sixteen thirty three. "
                                          "Your call is important to us; please hold the line while we connect you.");
        const QString de = QStringLiteral("Bitte geben Sie Ihre Kundennummer ein. Eins zwei drei vier fünf sechs sieben acht neun null. "
                                          "Siebenhundertsiebzig, neunhunderteinundvierzig, und drücken Sie dann die Rautetaste.");
        const QList<QStringList> runs = {
            {QStringLiteral("-v"), QStringLiteral("en"), QStringLiteral("-s"), QStringLiteral("175"), en},
            {QStringLiteral("-v"), QStringLiteral("en+f3"), QStringLiteral("-s"), QStringLiteral("120"), en},
            {QStringLiteral("-v"), QStringLiteral("en-us+m3"), QStringLiteral("-s"), QStringLiteral("200"), en},
            {QStringLiteral("-v"), QStringLiteral("de"), QStringLiteral("-s"), QStringLiteral("120"), de},
            {QStringLiteral("-v"), QStringLiteral("de+f2"), QStringLiteral("-s"), QStringLiteral("200"), de},
        };
        QVERIFY(m_speechDir.isValid());
        for (int i = 0; i < runs.size(); ++i) {
            const QString out = m_speechDir.filePath(QStringLiteral("speech%1.wav").arg(i));
            QProcess p;
            p.start(espeak, QStringList {QStringLiteral("-w"), out} + runs[i]);
            QVERIFY2(p.waitForFinished(60000) && p.exitCode() == 0,
                qPrintable(QStringLiteral("espeak-ng %1: %2").arg(runs[i].join(u' '), p.readAllStandardError())));
            m_speech.append(out);
        }
    }

private slots:
    // ---- Generator ----------------------------------------------------------------------------

    void generatorLevelsAndFrequencies_data()
    {
        QTest::addColumn<int>("rate");
        QTest::addColumn<char>("digit");
        for (int rate : {8000, 16000, 48000})
            for (char k : kAllKeys)
                QTest::addRow("%d Hz %c", rate, k) << rate << k;
    }
    void generatorLevelsAndFrequencies()
    {
        QFETCH(int, rate);
        QFETCH(char, digit);
        const Samples x = generate(QByteArray(1, digit), 200, 0, rate);
        QCOMPARE(x.size(), std::size_t(rate / 5));
        // The steady part (ramps excluded): each tone's level from its correlation, its frequency from
        // the phase advance between two 40 ms segments (unambiguous to +-12.5 Hz).
        const std::size_t seg = std::size_t(rate) / 25, from = std::size_t(rate) / 100;
        for (const auto &[hz, dbm0] : {std::pair {lowHz(digit), -8.0}, std::pair {highHz(digit), -6.0}}) {
            const auto a = correlate(x, hz, rate, from, seg), b = correlate(x, hz, rate, from + seg, seg);
            const double level = 20 * std::log10(2 * std::abs(a) / double(seg) / kPeakAt0Dbm0);
            QVERIFY2(std::abs(level - dbm0) < 0.5, qPrintable(QStringLiteral("%1 Hz at %2 dBm0").arg(hz).arg(level)));
            const double measured = hz + std::arg(b * std::conj(a)) * rate / (2 * std::numbers::pi * double(seg));
            QVERIFY2(std::abs(measured - hz) < hz * 0.001, qPrintable(QStringLiteral("%1 Hz measured at %2").arg(hz).arg(measured)));
        }
        // The pair's RMS is the sum of the two tones' powers: -8 and -6 dBm0 make -3.88 dBm0.
        const Samples steady(x.begin() + std::ptrdiff_t(from), x.end() - std::ptrdiff_t(from));
        QVERIFY(std::abs(rmsDbm0(steady) - 10 * std::log10(std::pow(10.0, -0.8) + std::pow(10.0, -0.6))) < 0.5);
    }

    void generatorMechanics()
    {
        InbandGenerator g(8000);
        QVERIFY(!g.active());
        QVERIFY(!g.start('E'));
        QVERIFY(!g.start(','));
        QVERIFY(!g.active());
        QVERIFY(g.start('d', 10, 5)); // 80 tone + 40 pause samples
        QVERIFY(g.active() && g.inTone());
        std::array<std::int16_t, 100> buf;
        buf.fill(1234);
        QCOMPARE(g.fill(buf), std::size_t(100));
        QVERIFY(!g.inTone() && g.active());
        QCOMPARE(buf[80], std::int16_t(0)); // the pause
        const auto first = buf;
        QCOMPARE(g.fill(buf), std::size_t(20)); // the rest of the pause; the tail of buf untouched
        QCOMPARE(buf[19], std::int16_t(0));
        QVERIFY(std::equal(buf.begin() + 20, buf.end(), first.begin() + 20));
        buf.fill(1234);
        QCOMPARE(g.fill(buf), std::size_t(0));
        QCOMPARE(buf[0], std::int16_t(1234));
        QVERIFY(!g.active());
        g.start('5', 100, 100);
        g.stop();
        QVERIFY(!g.active());
        // Phase continuous: any frame size gives the same samples.
        const Samples a = generate("159#", 70, 30, 8000, {}, 1), b = generate("159#", 70, 30, 8000, {}, 7), c = generate("159#", 70, 30, 8000, {}, 160);
        QVERIFY(a == b);
        QVERIFY(a == c);
        // Levels apply to the next samples.
        g.setLevels({-20, -20});
        g.start('1', 100, 0);
        std::array<std::int16_t, 800> tone;
        QCOMPARE(g.fill(tone), std::size_t(800));
        const Samples t(tone.begin() + 80, tone.end() - 80);
        QVERIFY(std::abs(rmsDbm0(t) - (-20 + 3.01)) < 0.3);
    }

    // ---- Detector: every key, codecs, a whole sequence ----------------------------------------

    void everyKey_data()
    {
        QTest::addColumn<char>("digit");
        for (char k : kAllKeys)
            QTest::addRow("%c", k) << k;
    }
    void everyKey()
    {
        QFETCH(char, digit);
        Samples x;
        addSilence(x, 50);
        const Samples tone = generate(QByteArray(1, digit), 100, 100);
        x.insert(x.end(), tone.begin(), tone.end());
        const auto found = detect(x);
        QCOMPARE(digitsOf(found), QByteArray(1, digit));
        QVERIFY(std::abs(found[0].lowDbm0 + 8) < 0.5);
        QVERIFY(std::abs(found[0].highDbm0 + 6) < 0.5);
        QVERIFY(std::abs(found[0].twistDb + 2) < 0.5);
        // Lower case is the same key.
        if (digit >= 'A' && digit <= 'D')
            QCOMPARE(digitsOf(detect(generate(QByteArray(1, char(digit + 32)), 100, 100))), QByteArray(1, digit));
    }

    void g711RoundTrip_data()
    {
        QTest::addColumn<int>("law");
        QTest::addColumn<double>("level");
        QTest::newRow("u-law -7 dBm0") << int(ds::media::G711::Law::Ulaw) << 0.0;
        QTest::newRow("u-law -27 dBm0") << int(ds::media::G711::Law::Ulaw) << -20.0;
        QTest::newRow("A-law -7 dBm0") << int(ds::media::G711::Law::Alaw) << 0.0;
        QTest::newRow("A-law -27 dBm0") << int(ds::media::G711::Law::Alaw) << -20.0;
    }
    void g711RoundTrip()
    {
        QFETCH(int, law);
        QFETCH(double, level);
        const Samples x = generate(kAllKeys, 80, 80, 8000, {-8 + level, -6 + level});
        std::vector<std::uint8_t> coded(x.size());
        Samples y(x.size());
        ds::media::G711::encode(ds::media::G711::Law(law), x, coded);
        ds::media::G711::decode(ds::media::G711::Law(law), coded, y);
        const auto found = detect(y);
        QCOMPARE(digitsOf(found), kAllKeys);
        for (const DetectedTone &t : found)
            QVERIFY2(std::abs(t.lowDbm0 - (-8 + level)) < 0.7 && std::abs(t.highDbm0 - (-6 + level)) < 0.7, qPrintable(QString::number(t.lowDbm0)));
    }

    // The whole keypad at 100 ms / 100 ms: exactly those digits, each where it was sent.
    void sequenceTiming()
    {
        Samples x;
        addSilence(x, 100);
        const Samples keys = generate(kAllKeys, 100, 100);
        x.insert(x.end(), keys.begin(), keys.end());
        for (std::size_t chunk : {std::size_t(1), std::size_t(37), std::size_t(160), x.size()}) {
            const auto found = detect(x, chunk);
            QCOMPARE(digitsOf(found), kAllKeys);
            for (qsizetype i = 0; i < found.size(); ++i) {
                const double startMs = double(found[i].startSample) * 1000 / kRate, durMs = double(found[i].durationSamples) * 1000 / kRate;
                // The generator's 2 ms raised-cosine ramps move each edge by about 1 ms.
                QVERIFY2(std::abs(startMs - (100 + 200 * double(i))) <= 3, qPrintable(QStringLiteral("%1 starts at %2 ms").arg(found[i].digit).arg(startMs)));
                QVERIFY2(std::abs(durMs - 100) <= 4, qPrintable(QStringLiteral("%1 lasts %2 ms").arg(found[i].digit).arg(durMs)));
            }
        }
    }

    // A digit completes once its pause is long enough; a tone still sounding completes at finish().
    void completionAndFinish()
    {
        InbandDetector d;
        Samples x;
        addSilence(x, 20);
        addPair(x, 770, 1336, -8, -6, 100); // '5'
        QVERIFY(d.process(x).empty());
        Samples pause;
        addSilence(pause, 100);
        const auto done = d.process(pause);
        QCOMPARE(done.size(), std::size_t(1));
        QCOMPARE(done[0].digit, '5');
        QVERIFY(std::abs(double(done[0].startSample) - 160) <= 16);
        Samples tail;
        addPair(tail, 941, 1477, -8, -6, 60); // '#', cut off by the end of the stream
        QVERIFY(d.process(tail).empty());
        const auto last = d.finish();
        QCOMPARE(last.size(), std::size_t(1));
        QCOMPARE(last[0].digit, '#');
        QVERIFY(std::abs(double(last[0].startSample) - 1760) <= 16);
        QVERIFY(std::abs(double(last[0].durationSamples) - 480) <= 16);
        // finish() starts over: sample counting too.
        QCOMPARE(d.samplesProcessed(), std::int64_t(0));
        QVERIFY(d.process(x).empty());
        QCOMPARE(d.process(pause)[0].startSample, done[0].startSample);
    }

    // ---- ITU-T Q.24 conformance ---------------------------------------------------------------

    // Q.24: frequency deviation of +-1.5 % recognised, +-3.5 % not; on either tone or both (the
    // same way, or apart).
    void frequencyTolerance_data()
    {
        QTest::addColumn<double>("offset");
        QTest::addColumn<int>("tones"); // 1 low, 2 high, 3 both, 4 both, the high tone the other way
        QTest::addColumn<bool>("accepted");
        const char *names[] = {"", "low", "high", "both", "apart"};
        for (double off : {-0.035, -0.015, 0.015, 0.035})
            for (int tones : {1, 2, 3, 4})
                QTest::addRow("%+.1f %% %s", off * 100, names[tones]) << off << tones << (std::abs(off) < 0.02);
    }
    void frequencyTolerance()
    {
        QFETCH(double, offset);
        QFETCH(int, tones);
        QFETCH(bool, accepted);
        const double lowOff = tones == 2 ? 0 : offset, highOff = tones == 1 ? 0 : tones == 4 ? -offset : offset;
        for (char k : kAllKeys) {
            Samples x;
            addSilence(x, 30);
            addPair(x, lowHz(k) * (1 + lowOff), highHz(k) * (1 + highOff), -8, -6, 100);
            addSilence(x, 100);
            const auto found = detect(x);
            QVERIFY2(digitsOf(found) == (accepted ? QByteArray(1, k) : QByteArray()), qPrintable(QStringLiteral("%1: got \"%2\"").arg(k).arg(digitsOf(found))));
            if (accepted) // the measured deviation is reported
                QVERIFY(std::abs(found[0].lowDeviation - lowOff) < 0.003 && std::abs(found[0].highDeviation - highOff) < 0.003);
        }
    }

    // Q.24: twist (low minus high) accepted up to 8 dB normal and 4 dB reverse; 2 dB beyond rejected.
    void twist_data()
    {
        QTest::addColumn<double>("twist");
        QTest::addColumn<bool>("accepted");
        QTest::newRow("reverse 6 dB") << -6.0 << false;
        QTest::newRow("reverse 4 dB") << -4.0 << true;
        QTest::newRow("none") << 0.0 << true;
        QTest::newRow("normal 8 dB") << 8.0 << true;
        QTest::newRow("normal 10 dB") << 10.0 << false;
    }
    void twist()
    {
        QFETCH(double, twist);
        QFETCH(bool, accepted);
        for (char k : kAllKeys) {
            Samples x;
            addSilence(x, 30);
            addPair(x, lowHz(k), highHz(k), -10 + twist / 2, -10 - twist / 2, 100);
            addSilence(x, 100);
            const auto found = detect(x);
            QVERIFY2(digitsOf(found) == (accepted ? QByteArray(1, k) : QByteArray()), qPrintable(QStringLiteral("%1: got \"%2\"").arg(k).arg(digitsOf(found))));
            if (accepted)
                QVERIFY2(std::abs(found[0].twistDb - twist) < 0.5, qPrintable(QString::number(found[0].twistDb)));
        }
        // The limits are settings.
        DetectorSettings strict;
        strict.normalTwistDb = 4;
        Samples x;
        addPair(x, 852, 1477, -6, -12, 100);
        QCOMPARE(digitsOf(detect(x)), QByteArray("9"));
        QCOMPARE(digitsOf(detect(x, 160, strict)), QByteArray());
    }

    // Q.24: a 40 ms tone is a digit, a 20 ms one (and a little longer) is not; at any alignment to the
    // detector's blocks.
    void duration_data()
    {
        QTest::addColumn<int>("ms");
        QTest::addColumn<bool>("accepted");
        QTest::newRow("20 ms") << 20 << false;
        QTest::newRow("23 ms") << 23 << false;
        QTest::newRow("40 ms") << 40 << true;
        QTest::newRow("45 ms") << 45 << true;
    }
    void duration()
    {
        QFETCH(int, ms);
        QFETCH(bool, accepted);
        for (char k : kAllKeys)
            for (int shift = 0; shift < InbandDetector::kHalf; shift += 6) {
                Samples x(std::size_t(240 + shift), 0);
                addPair(x, lowHz(k), highHz(k), -8, -6, ms);
                addSilence(x, 100);
                const auto found = detect(x);
                QVERIFY2(digitsOf(found) == (accepted ? QByteArray(1, k) : QByteArray()),
                    qPrintable(QStringLiteral("%1 at +%2: got \"%3\"").arg(k).arg(shift).arg(digitsOf(found))));
                if (accepted)
                    QVERIFY2(std::abs(double(found[0].durationSamples) - ms * 8) <= 16,
                        qPrintable(QStringLiteral("%1 at +%2: %3 ms").arg(k).arg(shift).arg(double(found[0].durationSamples) / 8)));
            }
    }

    // Q.24: a 40 ms pause separates two presses of the same key; a dropout of 10 or 20 ms inside a
    // tone does not split it.
    void pause_data()
    {
        QTest::addColumn<int>("ms");
        QTest::addColumn<int>("digits");
        QTest::newRow("10 ms dropout") << 10 << 1;
        QTest::newRow("20 ms dropout") << 20 << 1;
        QTest::newRow("40 ms pause") << 40 << 2;
        QTest::newRow("60 ms pause") << 60 << 2;
    }
    void pause()
    {
        QFETCH(int, ms);
        QFETCH(int, digits);
        for (char k : kAllKeys)
            for (int shift = 0; shift < InbandDetector::kHalf; shift += 10) {
                Samples x(std::size_t(240 + shift), 0);
                addPair(x, lowHz(k), highHz(k), -8, -6, 60);
                addSilence(x, ms);
                addPair(x, lowHz(k), highHz(k), -8, -6, 60);
                addSilence(x, 100);
                const auto found = detect(x);
                QVERIFY2(digitsOf(found) == QByteArray(digits, k), qPrintable(QStringLiteral("%1 at +%2: got \"%3\"").arg(k).arg(shift).arg(digitsOf(found))));
                if (digits == 1) // the dropout is inside the digit
                    QVERIFY(std::abs(double(found[0].durationSamples) - (120 + ms) * 8) <= 16);
            }
    }

    // Q.24: at least 26 dB of level range; far below it, nothing. Levels are reported as sent.
    void levels_data()
    {
        QTest::addColumn<double>("dbm0"); // each tone
        QTest::addColumn<bool>("accepted");
        QTest::newRow("-3 dBm0") << -3.0 << true;
        QTest::newRow("-10 dBm0") << -10.0 << true;
        QTest::newRow("-20 dBm0") << -20.0 << true;
        QTest::newRow("-29 dBm0") << -29.0 << true;
        QTest::newRow("-40 dBm0") << -40.0 << false;
        QTest::newRow("-50 dBm0") << -50.0 << false;
    }
    void levels()
    {
        QFETCH(double, dbm0);
        QFETCH(bool, accepted);
        for (char k : kAllKeys) {
            Samples x;
            addSilence(x, 30);
            addPair(x, lowHz(k), highHz(k), dbm0, dbm0, 100);
            addSilence(x, 100);
            const auto found = detect(x);
            QVERIFY2(digitsOf(found) == (accepted ? QByteArray(1, k) : QByteArray()), qPrintable(QStringLiteral("%1: got \"%2\"").arg(k).arg(digitsOf(found))));
            if (accepted)
                QVERIFY(std::abs(found[0].lowDbm0 - dbm0) < 0.5 && std::abs(found[0].highDbm0 - dbm0) < 0.5);
        }
    }

    // Q.24: recognition at 15 dB signal-to-noise (white noise over the whole band); no extra digits.
    void whiteNoise_data()
    {
        QTest::addColumn<unsigned>("seed");
        QTest::addColumn<double>("twist");
        QTest::newRow("seed 1") << 1u << -2.0;
        QTest::newRow("seed 2") << 2u << -2.0;
        QTest::newRow("seed 3, normal twist 6 dB") << 3u << 6.0;
        QTest::newRow("seed 4, reverse twist 3 dB") << 4u << -3.0;
    }
    void whiteNoise()
    {
        QFETCH(unsigned, seed);
        QFETCH(double, twist);
        const double low = -7 + twist / 2, high = -7 - twist / 2;
        for (char k : kAllKeys) {
            Samples x;
            addSilence(x, 100);
            addPair(x, lowHz(k), highHz(k), low, high, 60);
            addSilence(x, 60);
            addPair(x, lowHz(k), highHz(k), low, high, 60);
            addSilence(x, 100);
            addNoise(x, pairPower(low, high), 15.0, seed * 100 + unsigned(k));
            const auto found = detect(x);
            QVERIFY2(digitsOf(found) == QByteArray(2, k), qPrintable(QStringLiteral("%1: got \"%2\"").arg(k).arg(digitsOf(found))));
        }
        // Noise alone: nothing.
        Samples quiet(std::size_t(kRate) * 2, 0);
        addNoise(quiet, pairPower(-7, -7), 0.0, seed);
        QCOMPARE(digitsOf(detect(quiet)), QByteArray());
    }

    // ---- Talk-off: speech is never a digit -------------------------------------------------------

    void talkOff()
    {
        makeSpeech();
        if (QTest::currentTestFailed())
            return;
        for (const QString &path : std::as_const(m_speech)) {
            const auto found = detectInWav(path);
            QVERIFY2(found.has_value(), qPrintable(found.error()));
            if (!found->isEmpty())
                QFAIL(qPrintable(QStringLiteral("%1: digit %2 at %3 s").arg(path).arg(found->first().digit).arg(double(found->first().startSample) / kRate)));
            // Louder and quieter speech too.
            const Samples speech = loadAt8k(path);
            for (double gain : {0.5, 2.0}) {
                Samples scaled(speech.size());
                for (std::size_t i = 0; i < speech.size(); ++i)
                    scaled[i] = std::int16_t(std::clamp<long>(std::lround(speech[i] * gain), -32768, 32767));
                QCOMPARE(digitsOf(detect(scaled)), QByteArray());
            }
        }
    }

    // A key pressed while someone talks: exactly that digit, where it was pressed.
    void speechWithDigit()
    {
        makeSpeech();
        if (QTest::currentTestFailed())
            return;
        QCOMPARE(m_speech.size(), 5);
        int i = 0;
        for (const QString &path : std::as_const(m_speech)) {
            Samples speech = loadAt8k(path);
            // Speech at -20 dBm0 (a normal talker), the digit at the generator's -8/-6 dBm0.
            const double gain = std::pow(10.0, (-20 - rmsDbm0(speech)) / 20);
            for (std::int16_t &v : speech)
                v = std::int16_t(std::clamp<long>(std::lround(v * gain), -32768, 32767));
            const char k = kAllKeys[(i++ * 5) % kAllKeys.size()];
            const Samples tone = generate(QByteArray(1, k), 100, 0);
            const std::size_t at = std::size_t(kRate) * 3; // in the middle of a sentence
            for (std::size_t n = 0; n < tone.size(); ++n)
                speech[at + n] = std::int16_t(std::clamp<int>(speech[at + n] + tone[n], -32768, 32767));
            const auto found = detect(speech);
            QVERIFY2(digitsOf(found) == QByteArray(1, k), qPrintable(QStringLiteral("%1 + %2: got \"%3\"").arg(path).arg(k).arg(digitsOf(found))));
            QVERIFY(std::abs(double(found[0].startSample) - double(at)) <= 40);
        }
    }

    // ---- WAV files --------------------------------------------------------------------------------

    // Any rate, stereo: mixed down, resampled to 8 kHz, times in 8 kHz samples from the file's start.
    void wavFile()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("keys.wav"));
        const Samples mono = generate("2580", 100, 100, 48000);
        {
            auto w = ds::media::WavWriter::create(path, 48000, 2);
            QVERIFY(w.has_value());
            Samples stereo(mono.size() * 2);
            for (std::size_t i = 0; i < mono.size(); ++i)
                stereo[2 * i] = stereo[2 * i + 1] = mono[i];
            QVERIFY(w->write(stereo).has_value());
            QVERIFY(w->close().has_value());
        }
        const auto found = detectInWav(path);
        QVERIFY2(found.has_value(), qPrintable(found.error()));
        QCOMPARE(digitsOf(*found), QByteArray("2580"));
        for (qsizetype i = 0; i < found->size(); ++i)
            QVERIFY(std::abs(double((*found)[i].startSample) - 1600.0 * double(i)) <= 24);
    }

    void wavErrors()
    {
        QTemporaryDir dir;
        const QString missing = dir.filePath(QStringLiteral("missing.wav"));
        auto r = detectInWav(missing);
        QVERIFY(!r.has_value());
        QVERIFY2(r.error().contains(missing), qPrintable(r.error()));

        const QString text = dir.filePath(QStringLiteral("notes.wav"));
        QFile f(text);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write("these are not audio samples, just some text that is long enough\n");
        f.close();
        r = detectInWav(text);
        QVERIFY(!r.has_value());
        QVERIFY2(r.error().contains(text) && r.error().contains(QStringLiteral("RIFF")), qPrintable(r.error()));

        // A WAVE file in a format the reader does not take (MPEG layer 3, tag 0x55).
        const QString mp3 = dir.filePath(QStringLiteral("mp3.wav"));
        QByteArray b("RIFF\0\0\0\0WAVEfmt \x10\0\0\0", 20);
        const char fmt[16] = {0x55, 0, 1, 0, 0x40, 0x1f, 0, 0, 0x40, 0x1f, 0, 0, 1, 0, 0, 0};
        b.append(fmt, 16);
        b.append("data\x04\0\0\0\0\0\0\0", 12);
        QFile m(mp3);
        QVERIFY(m.open(QIODevice::WriteOnly));
        m.write(b);
        m.close();
        r = detectInWav(mp3);
        QVERIFY(!r.has_value());
        QVERIFY2(r.error().contains(mp3) && r.error().contains(QStringLiteral("unsupported")), qPrintable(r.error()));
    }
};

QTEST_GUILESS_MAIN(TestInbandDetector)
#include "tst_inband_detector.moc"
