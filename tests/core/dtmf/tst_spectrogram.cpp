// The spectrogram of received audio: the two tones of each DTMF digit peak in their bins at their
// level, a tone burst lands in the columns of its time, silence is all zeros, the result does not
// depend on how the audio is cut into frames, and processing allocates nothing.

#include "dtmf/spectrogram.h"
#include "support/signal.h"

#include <QTest>

#include <atomic>
#include <cmath>
#include <numbers>
#include <vector>

using ds::dtmf::Spectrogram;

namespace {

// Allocation counting. Under AddressSanitizer (which owns malloc and operator new) its allocator
// hook sees every allocation; otherwise malloc is interposed.
std::atomic<bool> g_counting {false};
std::atomic<long> g_allocations {0};

} // namespace

#if defined(__SANITIZE_ADDRESS__)
#define DS_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define DS_ASAN 1
#endif
#endif

#ifdef DS_ASAN
extern "C" int __sanitizer_install_malloc_and_free_hooks(void (*mallocHook)(const volatile void *, std::size_t), void (*freeHook)(const volatile void *));
namespace {
void mallocHook(const volatile void *, std::size_t)
{
    if (g_counting.load(std::memory_order_relaxed))
        g_allocations.fetch_add(1, std::memory_order_relaxed);
}
void freeHook(const volatile void *) { }
void installAllocationCounter() { __sanitizer_install_malloc_and_free_hooks(mallocHook, freeHook); }
} // namespace
#else
// malloc, calloc and realloc interposed (as tests/bench/bench_parser.cpp does): the executable's
// definitions win for every library, operator new included, and forward to glibc's entry points.
extern "C" {
void *__libc_malloc(std::size_t) noexcept;
void *__libc_calloc(std::size_t, std::size_t) noexcept;
void *__libc_realloc(void *, std::size_t) noexcept;
static void countAllocation() noexcept
{
    if (g_counting.load(std::memory_order_relaxed))
        g_allocations.fetch_add(1, std::memory_order_relaxed);
}
void *malloc(std::size_t n) noexcept
{
    countAllocation();
    return __libc_malloc(n);
}
void *calloc(std::size_t n, std::size_t size) noexcept
{
    countAllocation();
    return __libc_calloc(n, size);
}
void *realloc(void *p, std::size_t n) noexcept
{
    countAllocation();
    return __libc_realloc(p, n);
}
} // extern "C"
namespace {
void installAllocationCounter() { }
} // namespace
#endif

namespace {

constexpr int kRate = Spectrogram::kRate;

// Two tones of `amplitude` each (a DTMF digit), `ms` long, starting after `silenceMs` of silence.
std::vector<std::int16_t> tonePair(double lowHz, double highHz, double amplitude, int ms, int silenceMs = 0, int trailingMs = 0)
{
    std::vector<std::int16_t> v(std::size_t((silenceMs + ms + trailingMs) * kRate / 1000));
    const std::size_t first = std::size_t(silenceMs * kRate / 1000), n = std::size_t(ms * kRate / 1000);
    for (std::size_t i = 0; i < n; ++i) {
        const double t = double(i) / kRate;
        v[first + i] = std::int16_t(std::lround(amplitude * (std::sin(2 * std::numbers::pi * lowHz * t) + std::sin(2 * std::numbers::pi * highHz * t))));
    }
    return v;
}

// All columns of `audio`, fed in frames of `frame` samples.
std::vector<std::uint8_t> run(Spectrogram &s, const std::vector<std::int16_t> &audio, std::size_t frame)
{
    std::vector<std::uint8_t> out;
    for (std::size_t at = 0; at < audio.size(); at += frame) {
        const auto cols = s.process(std::span(audio).subspan(at, std::min(frame, audio.size() - at)));
        out.insert(out.end(), cols.begin(), cols.end());
    }
    return out;
}

std::span<const std::uint8_t> columnOf(const std::vector<std::uint8_t> &cols, int n)
{
    return std::span(cols).subspan(std::size_t(n) * Spectrogram::kBins, Spectrogram::kBins);
}

double dbfs(double amplitude) { return 20 * std::log10(amplitude / 32768.0); }

} // namespace

class TestSpectrogram : public QObject {
    Q_OBJECT
private slots:
    void initTestCase() { installAllocationCounter(); }

    void geometry()
    {
        QCOMPARE(Spectrogram::kColumnMs, 16);
        QCOMPARE(Spectrogram::binHz(1), 31.25);
        QCOMPARE(Spectrogram::binHz(Spectrogram::kBins - 1), 3968.75);
        QCOMPARE(Spectrogram::binOf(697), 22);
        QCOMPARE(Spectrogram::binOf(1209), 39);
        QCOMPARE(Spectrogram::binOf(-5), 0);
        QCOMPARE(Spectrogram::binOf(4000), Spectrogram::kBins - 1);
        QCOMPARE(Spectrogram::dbOf(0), -100.0);
        QCOMPARE(Spectrogram::dbOf(255), 0.0);
    }

    void fullScaleSineIsZeroDb()
    {
        Spectrogram s;
        const auto audio = ds::test::sine(1000, 32767, 8000, kRate); // 1000 Hz = bin 32 exactly
        const auto cols = run(s, audio, 160);
        const auto c = columnOf(cols, 20);
        QVERIFY2(c[32] >= 254, qPrintable(QString::number(c[32])));
        QCOMPARE(int(std::max_element(c.begin(), c.end()) - c.begin()), 32);
    }

    void digitPeaks_data()
    {
        QTest::addColumn<char>("digit");
        QTest::addColumn<double>("low");
        QTest::addColumn<double>("high");
        QTest::addColumn<double>("amplitude");
        // Q.23 / Q.24: a DTMF digit is one tone of the low group and one of the high group.
        QTest::newRow("1 at -13 dBFS") << '1' << 697.0 << 1209.0 << 7336.0;
        QTest::newRow("5 at -20 dBFS") << '5' << 770.0 << 1336.0 << 3277.0;
        QTest::newRow("9 at -30 dBFS") << '9' << 852.0 << 1477.0 << 1036.0;
        QTest::newRow("D at -6 dBFS") << 'D' << 941.0 << 1633.0 << 16000.0; // the sum stays below full scale
        QTest::newRow("# at -45 dBFS") << '#' << 941.0 << 1477.0 << 184.0;
    }
    void digitPeaks()
    {
        QFETCH(double, low);
        QFETCH(double, high);
        QFETCH(double, amplitude);
        Spectrogram s;
        const auto cols = run(s, tonePair(low, high, amplitude, 500), 160);
        QCOMPARE(cols.size(), std::size_t((4000 - 64) / 128) * Spectrogram::kBins);
        const double expected = dbfs(amplitude);
        for (int n = 2; n < 28; ++n) { // every column whose window lies inside the tone
            const auto c = columnOf(cols, n);
            // The two strongest local maxima are the two tones.
            std::vector<std::pair<int, int>> peaks; // value, bin
            for (int k = 1; k + 1 < Spectrogram::kBins; ++k)
                if (c[k] >= c[k - 1] && c[k] > c[k + 1])
                    peaks.emplace_back(c[k], k);
            std::sort(peaks.rbegin(), peaks.rend());
            QVERIFY(peaks.size() >= 2);
            const int a = std::min(peaks[0].second, peaks[1].second), b = std::max(peaks[0].second, peaks[1].second);
            QVERIFY2(std::abs(a - low / Spectrogram::kBinHz) <= 1, qPrintable(QStringLiteral("column %1: low peak in bin %2").arg(n).arg(a)));
            QVERIFY2(std::abs(b - high / Spectrogram::kBinHz) <= 1, qPrintable(QStringLiteral("column %1: high peak in bin %2").arg(n).arg(b)));
            for (int bin : {a, b}) {
                const double db = Spectrogram::dbOf(c[bin]);
                QVERIFY2(
                    std::abs(db - expected) <= 1.5, qPrintable(QStringLiteral("column %1 bin %2: %3 dB, expected %4").arg(n).arg(bin).arg(db).arg(expected)));
            }
            // Far from both tones the spectrum is quiet (Hann sidelobes fall off fast).
            const std::uint8_t far = c[Spectrogram::binOf(3500)];
            QVERIFY(far == 0 || Spectrogram::dbOf(far) < expected - 60);
        }
    }

    void silenceIsAllZero()
    {
        Spectrogram s;
        const std::vector<std::int16_t> audio(8000, 0);
        const auto cols = run(s, audio, 160);
        QCOMPARE(cols.size(), std::size_t(62 * Spectrogram::kBins)); // (8000 - 64) / 128
        QVERIFY(std::all_of(cols.begin(), cols.end(), [](std::uint8_t b) { return b == 0; }));
        QCOMPARE(s.columns(), 62);
    }

    void burstLandsInItsColumns()
    {
        // 100 ms of '5' from 500 ms: column n shows [16n - 8, 16n + 24) ms of audio.
        Spectrogram s;
        const auto cols = run(s, tonePair(770, 1336, 3277, 100, 500, 400), 160);
        const int b = Spectrogram::binOf(770);
        for (int n = 0; n <= 29; ++n) // windows that end before the burst
            QVERIFY2(std::ranges::all_of(columnOf(cols, n), [](std::uint8_t v) { return v == 0; }), qPrintable(QString::number(n)));
        for (int n = 33; n <= 36; ++n) // windows inside it
            QVERIFY2(std::abs(Spectrogram::dbOf(columnOf(cols, n)[b]) - dbfs(3277)) <= 1.5, qPrintable(QString::number(n)));
        for (int n = 38; n < 50; ++n) // windows that start after it
            QVERIFY2(std::ranges::all_of(columnOf(cols, n), [](std::uint8_t v) { return v == 0; }), qPrintable(QString::number(n)));
    }

    void framingDoesNotMatter()
    {
        const auto audio = tonePair(697, 1209, 5000, 700, 113, 200);
        Spectrogram whole;
        const auto reference = run(whole, audio, 160);
        for (std::size_t frame : {std::size_t(1), std::size_t(7), std::size_t(127), std::size_t(128), std::size_t(320), std::size_t(Spectrogram::kMaxInput)}) {
            Spectrogram s;
            QVERIFY2(run(s, audio, frame) == reference, qPrintable(QString::number(frame)));
        }
        // reset() starts a new stream.
        whole.reset();
        QCOMPARE(whole.columns(), 0);
        QVERIFY(run(whole, audio, 480) == reference);
    }

    void longestInputFits()
    {
        Spectrogram s;
        const auto audio = ds::test::sine(1000, 10000, 5 * Spectrogram::kMaxInput, kRate);
        std::int64_t total = 0;
        for (int i = 0; i < 5; ++i) {
            const auto cols = s.process(std::span(audio).subspan(std::size_t(i * Spectrogram::kMaxInput), Spectrogram::kMaxInput));
            QVERIFY(cols.size() % Spectrogram::kBins == 0);
            QVERIFY(cols.size() <= std::size_t(Spectrogram::kMaxColumns * Spectrogram::kBins));
            total += std::int64_t(cols.size() / Spectrogram::kBins);
        }
        QCOMPARE(total, (5 * Spectrogram::kMaxInput - 64) / 128);
        QCOMPARE(s.columns(), total);
    }

    void processingAllocatesNothing()
    {
        Spectrogram s;
        const auto audio = tonePair(852, 1477, 4000, 2000, 0, 0);
        s.process(std::span(audio).first(160)); // warm
        g_allocations = 0;
        g_counting = true;
        std::size_t bytes = 0;
        for (int round = 0; round < 5; ++round)
            for (std::size_t at = 0; at + 160 <= audio.size(); at += 160)
                bytes += s.process(std::span(audio).subspan(at, 160)).size();
        g_counting = false;
        QVERIFY(bytes > 0);
        QCOMPARE(g_allocations.load(), 0L);
        // The counter does count: a QByteArray allocates (inside Qt, which the compiler cannot elide).
        g_counting = true;
        const QByteArray probe(1000, 'x');
        g_counting = false;
        QCOMPARE(probe.size(), 1000);
        QVERIFY(g_allocations.load() >= 1);
    }
};

QTEST_GUILESS_MAIN(TestSpectrogram)
#include "tst_spectrogram.moc"
