// bench_dtmf_detector: ds::dtmf::InbandDetector side by side with spandsp's dtmf_rx, on the same
// corpus in the same run (ARCHITECTURE.md, Tests): ITU-T Q.24 conformance signals that must be
// recognised and ones that must not, talk-off speech synthesised by espeak-ng at run time, white and
// pink noise. Reports per detector the digits expected, hits, misses, false digits, and CPU seconds
// per hour of audio (CLOCK_PROCESS_CPUTIME_ID, rounds interleaved, median). Never asserts on time.
//
//   bench_dtmf_detector [--rounds N]   the full corpus, N timing rounds (default 7)
//   bench_dtmf_detector --smoke        a tiny corpus once: exits 0 when both detectors found digits
//   bench_dtmf_detector --verbose      also prints every signal where a detector got it wrong
//
// spandsp runs with its defaults (dtmf_rx_init, dtmf_rx_parms never called): no dial-tone filter,
// its own twist limits (8 dB normal, 4 dB reverse, per its documentation) and level threshold.
// Both detectors get the audio in 20 ms frames (160 samples), as on the media path.

#include "dtmf/inband_detector.h"
#include "dtmf/tone_generator.h"
#include "media/g711.h"
#include "media/resampler.h"
#include "media/wav_file.h"

#include <spandsp.h>

#include <QCoreApplication>
#include <QProcess>
#include <QStandardPaths>
#include <QTemporaryDir>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <ctime>
#include <numbers>
#include <random>
#include <string>
#include <vector>

#ifndef DS_SPANDSP_VERSION
#define DS_SPANDSP_VERSION "?"
#endif

using Samples = std::vector<std::int16_t>;
using namespace ds::dtmf;

namespace {

constexpr int kRate = 8000;
constexpr std::size_t kFrame = 160;
const std::string kKeys = "123A456B789C*0#D";

struct Signal {
    std::string category;
    std::string expected; // the digits that must be reported, in order; empty for reject signals
    Samples audio;
};

double lowHz(char k) { return kLowGroupHz[std::size_t(pairOfDigit(k)->low)]; }
double highHz(char k) { return kHighGroupHz[std::size_t(pairOfDigit(k)->high)]; }

void silence(Samples &s, int ms) { s.insert(s.end(), std::size_t(ms) * kRate / 1000, 0); }

void pair(Samples &s, double fl, double fh, double ll, double lh, int ms)
{
    const double al = amplitudeOfDbm0(ll), ah = amplitudeOfDbm0(lh);
    for (int i = 0; i < ms * kRate / 1000; ++i) {
        const double t = double(i) / kRate;
        const double v = al * std::sin(2 * std::numbers::pi * fl * t) + ah * std::sin(2 * std::numbers::pi * fh * t);
        s.push_back(std::int16_t(std::clamp<long>(std::lround(v), -32768, 32767)));
    }
}

Samples generated(const std::string &keys, int toneMs, int pauseMs, ToneLevels levels = {})
{
    InbandGenerator g(kRate, levels);
    Samples out(800, 0);
    std::int16_t buf[kFrame];
    for (char k : keys) {
        g.start(k, toneMs, pauseMs);
        std::size_t n = 0;
        do {
            n = g.fill(buf);
            out.insert(out.end(), buf, buf + n);
        } while (n == kFrame);
    }
    return out;
}

void addNoise(Samples &s, double power, bool pink, unsigned seed)
{
    std::mt19937 rng(seed);
    std::normal_distribution<double> gauss(0.0, 1.0);
    // Pink: Paul Kellet's economy filter (-3 dB/octave within 0.5 dB over the telephone band),
    // scaled afterwards to the wanted power.
    std::vector<double> n(s.size());
    double b0 = 0, b1 = 0, b2 = 0, e = 0;
    for (double &v : n) {
        const double w = gauss(rng);
        if (pink) {
            b0 = 0.99765 * b0 + w * 0.0990460;
            b1 = 0.96300 * b1 + w * 0.2965164;
            b2 = 0.57000 * b2 + w * 1.0526913;
            v = b0 + b1 + b2 + w * 0.1848;
        } else {
            v = w;
        }
        e += v * v;
    }
    const double g = std::sqrt(power / std::max(e / double(n.size()), 1e-12));
    for (std::size_t i = 0; i < s.size(); ++i)
        s[i] = std::int16_t(std::clamp<long>(std::lround(s[i] + g * n[i]), -32768, 32767));
}

double pairPower(double ll, double lh)
{
    const double al = amplitudeOfDbm0(ll), ah = amplitudeOfDbm0(lh);
    return (al * al + ah * ah) / 2;
}

// One burst per key: silence, the pair, silence.
void perKey(std::vector<Signal> &c, const std::string &cat, bool accept, double fl, double fh, double ll, double lh, int ms, const std::string &keys = kKeys)
{
    for (char k : keys) {
        Signal s {cat, accept ? std::string(1, k) : std::string(), {}};
        silence(s.audio, 60);
        pair(s.audio, lowHz(k) * fl, highHz(k) * fh, ll, lh, ms);
        silence(s.audio, 120);
        c.push_back(std::move(s));
    }
}

Samples loadAt8k(const QString &path)
{
    auto reader = ds::media::WavReader::open(path);
    if (!reader)
        return {};
    auto resampler = ds::media::Resampler::create(reader->format().sampleRate, kRate);
    Samples in(std::size_t(reader->frameCount()) * std::size_t(reader->format().channels));
    const auto n = reader->read(in);
    in.resize(n ? *n : 0);
    Samples out(resampler->maxOutput(in.size()) + 64);
    out.resize(resampler->process(in, out).produced);
    return out;
}

// espeak-ng into dir; empty when it is not installed.
std::vector<Samples> speech(const QTemporaryDir &dir, bool smoke)
{
    const QString espeak = QStandardPaths::findExecutable(QStringLiteral("espeak-ng"));
    if (espeak.isEmpty()) {
        std::fprintf(stderr, "note: espeak-ng not found (scripts/dev installs it): no talk-off speech in this run\n");
        return {};
    }
    const QString en = QStringLiteral("Please enter your account number followed by the pound key. One two three four five six seven eight nine zero. "
                                      "Seven hundred and seventy seven, nine hundred forty one, twelve oh nine, sixteen thirty three. "
                                      "Your call is important to us; please hold the line while we connect you. The quick brown fox jumps "
                                      "over the lazy dog, and she sells sea shells by the sea shore.");
    const QString de = QStringLiteral("Bitte geben Sie Ihre Kundennummer ein. Eins zwei drei vier fünf sechs sieben acht neun null. "
                                      "Siebenhundertsiebzig, neunhunderteinundvierzig, und drücken Sie dann die Rautetaste. Vielen Dank für Ihren Anruf.");
    const QString fr = QStringLiteral("Veuillez composer votre numéro de client. Un deux trois quatre cinq six sept huit neuf zéro. Merci de patienter.");
    struct Run {
        QString voice;
        int speed;
        QString text;
    };
    std::vector<Run> runs = {{QStringLiteral("en"), 175, en}, {QStringLiteral("en+f3"), 120, en}, {QStringLiteral("en-us+m3"), 200, en},
        {QStringLiteral("en+f4"), 150, en}, {QStringLiteral("en-us+f2"), 220, en}, {QStringLiteral("en+m7"), 140, en}, {QStringLiteral("de"), 120, de},
        {QStringLiteral("de+f2"), 200, de}, {QStringLiteral("fr"), 160, fr}, {QStringLiteral("fr+f5"), 130, fr}};
    if (smoke)
        runs.resize(1);
    std::vector<Samples> out;
    for (std::size_t i = 0; i < runs.size(); ++i) {
        const QString path = dir.filePath(QStringLiteral("s%1.wav").arg(i));
        QProcess p;
        p.start(espeak,
            {QStringLiteral("-w"), path, QStringLiteral("-v"), runs[i].voice, QStringLiteral("-s"), QString::number(runs[i].speed),
                smoke ? QStringLiteral("One two three.") : runs[i].text});
        if (!p.waitForFinished(120000) || p.exitCode() != 0) {
            std::fprintf(stderr, "espeak-ng -v %s failed: %s\n", qPrintable(runs[i].voice), p.readAllStandardError().constData());
            continue;
        }
        out.push_back(loadAt8k(path));
    }
    return out;
}

std::vector<Signal> corpus(const std::vector<Samples> &voices, bool smoke)
{
    std::vector<Signal> c;
    if (smoke) {
        c.push_back({"sequence", kKeys, generated(kKeys, 100, 100)});
        perKey(c, "reject: 20 ms", false, 1, 1, -8, -6, 20, "159");
        for (const Samples &v : voices)
            c.push_back({"reject: talk-off speech", "", v});
        return c;
    }
    // Must be recognised (ITU-T Q.24 and everyday signals).
    c.push_back({"sequence 100/100 ms", kKeys, generated(kKeys, 100, 100)});
    c.push_back({"sequence 50/50 ms", kKeys + kKeys, generated(kKeys + kKeys, 50, 50)});
    for (double off : {-0.015, 0.015}) {
        perKey(c, "frequency +-1.5 %", true, 1 + off, 1, -8, -6, 100);
        perKey(c, "frequency +-1.5 %", true, 1, 1 + off, -8, -6, 100);
        perKey(c, "frequency +-1.5 %", true, 1 + off, 1 + off, -8, -6, 100);
        perKey(c, "frequency +-1.5 %", true, 1 + off, 1 - off, -8, -6, 100);
    }
    perKey(c, "twist 8 dB normal, 4 dB reverse", true, 1, 1, -6, -14, 100);
    perKey(c, "twist 8 dB normal, 4 dB reverse", true, 1, 1, -12, -8, 100);
    for (int shift = 0; shift < 48; shift += 12) {
        for (char k : kKeys) {
            Signal s {"duration 40 ms, pause 40 ms", std::string(2, k), {}};
            silence(s.audio, 60);
            s.audio.insert(s.audio.end(), std::size_t(shift), 0);
            pair(s.audio, lowHz(k), highHz(k), -8, -6, 40);
            silence(s.audio, 40);
            pair(s.audio, lowHz(k), highHz(k), -8, -6, 40);
            silence(s.audio, 120);
            c.push_back(std::move(s));
        }
    }
    for (char k : kKeys) {
        Signal s {"dropout 10 ms inside a tone", std::string(1, k), {}};
        silence(s.audio, 60);
        pair(s.audio, lowHz(k), highHz(k), -8, -6, 60);
        silence(s.audio, 10);
        pair(s.audio, lowHz(k), highHz(k), -8, -6, 60);
        silence(s.audio, 120);
        c.push_back(std::move(s));
    }
    for (double level : {-3.0, -10.0, -20.0, -29.0})
        perKey(c, "level -3 to -29 dBm0", true, 1, 1, level, level, 100);
    for (unsigned seed = 1; seed <= 4; ++seed)
        for (bool pink : {false, true}) {
            const std::size_t first = c.size();
            perKey(c, pink ? "15 dB SNR, pink noise" : "15 dB SNR, white noise", true, 1, 1, -8, -6, 60);
            for (std::size_t i = first; i < c.size(); ++i)
                addNoise(c[i].audio, pairPower(-8, -6) / std::pow(10.0, 15.0 / 10), pink, seed * 1000 + unsigned(i));
        }
    {
        Samples x = generated(kKeys, 80, 80, {-18, -16});
        std::vector<std::uint8_t> coded(x.size());
        ds::media::G711::encode(ds::media::G711::Law::Ulaw, x, coded);
        ds::media::G711::decode(ds::media::G711::Law::Ulaw, coded, x);
        c.push_back({"G.711 u-law", kKeys, x});
    }
    int v = 0;
    for (const Samples &voice : voices) { // a key pressed while someone talks (speech at -20 dBm0)
        double e = 0;
        for (std::int16_t s : voice)
            e += double(s) * s;
        const double target = amplitudeOfDbm0(-20) * amplitudeOfDbm0(-20) / 2; // the power of a sine at -20 dBm0
        const double gain = std::sqrt(target / std::max(e / double(voice.size()), 1.0));
        for (std::size_t at = kRate; at + 2 * kRate < voice.size(); at += 2 * kRate) {
            const char k = kKeys[std::size_t(v++) % kKeys.size()];
            Signal s {"digit over speech", std::string(1, k), {}};
            s.audio.resize(voice.size());
            for (std::size_t i = 0; i < voice.size(); ++i)
                s.audio[i] = std::int16_t(std::lround(voice[i] * gain));
            const Samples tone = generated(std::string(1, k), 100, 0);
            for (std::size_t i = 800; i < tone.size(); ++i)
                s.audio[at + i - 800] = std::int16_t(std::clamp<int>(s.audio[at + i - 800] + tone[i], -32768, 32767));
            c.push_back(std::move(s));
        }
    }
    // Must not be recognised.
    for (double off : {-0.035, 0.035}) {
        perKey(c, "reject: frequency +-3.5 %", false, 1 + off, 1, -8, -6, 100);
        perKey(c, "reject: frequency +-3.5 %", false, 1, 1 + off, -8, -6, 100);
        perKey(c, "reject: frequency +-3.5 %", false, 1 + off, 1 + off, -8, -6, 100);
        perKey(c, "reject: frequency +-3.5 %", false, 1 + off, 1 - off, -8, -6, 100);
    }
    perKey(c, "reject: twist 10 dB normal, 6 dB reverse", false, 1, 1, -5, -15, 100);
    perKey(c, "reject: twist 10 dB normal, 6 dB reverse", false, 1, 1, -13, -7, 100);
    perKey(c, "reject: duration 20 ms", false, 1, 1, -8, -6, 20);
    perKey(c, "reject: level -40 dBm0", false, 1, 1, -40, -40, 100);
    for (const Samples &voice : voices)
        for (double gain : {0.5, 1.0, 2.0}) {
            Signal s {"reject: talk-off speech", "", Samples(voice.size())};
            for (std::size_t i = 0; i < voice.size(); ++i)
                s.audio[i] = std::int16_t(std::clamp<long>(std::lround(voice[i] * gain), -32768, 32767));
            c.push_back(std::move(s));
        }
    for (bool pink : {false, true}) {
        Signal s {"reject: noise alone (white, pink)", "", Samples(std::size_t(kRate) * 30, 0)};
        addNoise(s.audio, pairPower(-10, -10), pink, pink ? 7 : 8);
        c.push_back(std::move(s));
    }
    return c;
}

// ---- The two detectors, fed alike ----------------------------------------------------------------

std::string runOurs(InbandDetector &d, const Samples &x)
{
    std::string got;
    d.reset();
    for (std::size_t i = 0; i < x.size(); i += kFrame)
        for (const DetectedTone &t : d.process(std::span(x).subspan(i, std::min(kFrame, x.size() - i))))
            got += t.digit;
    for (const DetectedTone &t : d.finish())
        got += t.digit;
    return got;
}

void onSpandspDigits(void *user, const char *digits, int len) { static_cast<std::string *>(user)->append(digits, std::size_t(len)); }

std::string runSpandsp(dtmf_rx_state_t *&s, const Samples &x)
{
    std::string got;
    s = dtmf_rx_init(s, onSpandspDigits, &got); // re-initialises the same state: no allocation
    for (std::size_t i = 0; i < x.size(); i += kFrame)
        dtmf_rx(s, x.data() + i, int(std::min(kFrame, x.size() - i)));
    return got;
}

double cpuSeconds()
{
    timespec ts {};
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return double(ts.tv_sec) + double(ts.tv_nsec) / 1e9;
}

std::size_t lcs(const std::string &a, const std::string &b)
{
    std::vector<std::size_t> row(b.size() + 1, 0), prev(b.size() + 1, 0);
    for (char ca : a) {
        for (std::size_t j = 1; j <= b.size(); ++j)
            row[j] = ca == b[j - 1] ? prev[j - 1] + 1 : std::max(prev[j], row[j - 1]);
        std::swap(row, prev);
    }
    return prev[b.size()];
}

struct Score {
    std::size_t expected = 0, hits = 0, misses = 0, falseDigits = 0;
    void add(const std::string &want, const std::string &got)
    {
        const std::size_t h = lcs(want, got);
        expected += want.size();
        hits += h;
        misses += want.size() - h;
        falseDigits += got.size() - h;
    }
};

double median(std::vector<double> v)
{
    std::sort(v.begin(), v.end());
    return v.empty() ? 0 : v[v.size() / 2];
}

} // namespace

int main(int argc, char **argv)
{
    QCoreApplication app(argc, argv);
    bool smoke = false, verbose = false;
    int rounds = 7;
    for (int i = 1; i < argc; ++i) {
        const std::string a = argv[i];
        if (a == "--smoke") {
            smoke = true;
        } else if (a == "--verbose") {
            verbose = true;
        } else if (a == "--rounds" && i + 1 < argc) {
            rounds = std::max(1, std::atoi(argv[++i]));
        } else {
            std::fprintf(stderr, "usage: bench_dtmf_detector [--smoke] [--rounds N] [--verbose]\n");
            return 2;
        }
    }
    if (smoke)
        rounds = 1;
    QTemporaryDir dir;
    const std::vector<Samples> voices = speech(dir, smoke);
    const std::vector<Signal> inputs = corpus(voices, smoke);
    double audioSeconds = 0;
    for (const Signal &s : inputs)
        audioSeconds += double(s.audio.size()) / kRate;

    InbandDetector ours;
    dtmf_rx_state_t *spandsp = nullptr;

    // Detection: once each (the detectors are deterministic), by category.
    std::vector<std::string> categories;
    std::vector<Score> oursBy, spandspBy;
    Score oursAll, spandspAll;
    for (const Signal &s : inputs) {
        auto it = std::find(categories.begin(), categories.end(), s.category);
        if (it == categories.end()) {
            categories.push_back(s.category);
            oursBy.emplace_back();
            spandspBy.emplace_back();
            it = categories.end() - 1;
        }
        const std::size_t k = std::size_t(it - categories.begin());
        const std::string a = runOurs(ours, s.audio), b = runSpandsp(spandsp, s.audio);
        oursBy[k].add(s.expected, a);
        spandspBy[k].add(s.expected, b);
        oursAll.add(s.expected, a);
        spandspAll.add(s.expected, b);
        if (verbose && (a != s.expected || b != s.expected))
            std::printf("%s: expected \"%s\", dialscope \"%s\", spandsp \"%s\"\n", s.category.c_str(), s.expected.c_str(), a.c_str(), b.c_str());
    }

    // CPU: rounds interleaved, ours then spandsp, the whole corpus each time.
    std::vector<double> oursCpu, spandspCpu;
    std::size_t sink = 0;
    for (int r = 0; r < rounds; ++r) {
        double t0 = cpuSeconds();
        for (const Signal &s : inputs)
            sink += runOurs(ours, s.audio).size();
        double t1 = cpuSeconds();
        oursCpu.push_back(t1 - t0);
        t0 = cpuSeconds();
        for (const Signal &s : inputs)
            sink += runSpandsp(spandsp, s.audio).size();
        t1 = cpuSeconds();
        spandspCpu.push_back(t1 - t0);
    }
    dtmf_rx_free(spandsp);
    const double perHour = 3600.0 / audioSeconds;
    const double oursH = median(oursCpu) * perHour, spandspH = median(spandspCpu) * perHour;

    std::printf(
        "## DTMF detectors: %zu signals, %.1f s of audio (%.1f s talk-off speech from %zu espeak-ng voices), %d rounds\n\n", inputs.size(), audioSeconds,
        [&] {
            double sp = 0;
            for (const Signal &s : inputs)
                if (s.category == "reject: talk-off speech")
                    sp += double(s.audio.size()) / kRate;
            return sp;
        }(),
        voices.size(), rounds);
    std::printf("| category | expected | ours: hits | misses | false | spandsp: hits | misses | false |\n");
    std::printf("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |\n");
    for (std::size_t k = 0; k < categories.size(); ++k)
        std::printf("| %s | %zu | %zu | %zu | %zu | %zu | %zu | %zu |\n", categories[k].c_str(), oursBy[k].expected, oursBy[k].hits, oursBy[k].misses,
            oursBy[k].falseDigits, spandspBy[k].hits, spandspBy[k].misses, spandspBy[k].falseDigits);
    std::printf("\n| detector | expected | hits | misses | false digits | CPU s per hour of audio | ours / spandsp |\n");
    std::printf("| --- | ---: | ---: | ---: | ---: | ---: | ---: |\n");
    std::printf("| dialscope InbandDetector | %zu | %zu | %zu | %zu | %.3f | %.2f |\n", oursAll.expected, oursAll.hits, oursAll.misses, oursAll.falseDigits,
        oursH, spandspH > 0 ? oursH / spandspH : 0.0);
    std::printf("| spandsp %s dtmf_rx (defaults) | %zu | %zu | %zu | %zu | %.3f | 1.00 |\n", DS_SPANDSP_VERSION, spandspAll.expected, spandspAll.hits,
        spandspAll.misses, spandspAll.falseDigits, spandspH);
    std::printf("\n(CPU: median of %d rounds; rounds ours %.3f..%.3f s, spandsp %.3f..%.3f s per %.0f s of audio; sink %zu)\n", rounds,
        *std::min_element(oursCpu.begin(), oursCpu.end()), *std::max_element(oursCpu.begin(), oursCpu.end()),
        *std::min_element(spandspCpu.begin(), spandspCpu.end()), *std::max_element(spandspCpu.begin(), spandspCpu.end()), audioSeconds, sink);
    if (smoke) // the bench works when both detectors found the digits of the sequence
        return oursAll.hits > 0 && spandspAll.hits > 0 ? 0 : 1;
    return 0;
}
