// SpscRing: what the media thread and the audio callback rely on — order kept across wrap-around,
// a full ring drops and counts, an empty ring counts what was missing, and two threads moving an
// increasing sequence through it lose nothing while the consumer keeps up (run under ASan/UBSan,
// and TSan for the memory ordering).

#include "media/spsc_ring.h"

#include <QTest>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <numeric>
#include <thread>
#include <vector>

using namespace ds::media;

namespace {

std::vector<std::int16_t> iota(std::size_t n, int from)
{
    std::vector<std::int16_t> v(n);
    std::iota(v.begin(), v.end(), std::int16_t(from));
    return v;
}

// A hang guard for the threaded tests, not a measurement: a broken ring fails instead of spinning.
bool expired(std::chrono::steady_clock::time_point start) { return std::chrono::steady_clock::now() - start > std::chrono::seconds(30); }

} // namespace

class TestSpscRing : public QObject {
    Q_OBJECT
private slots:
    void emptyRing()
    {
        SpscRing<std::int16_t> ring(8);
        QCOMPARE(ring.capacity(), 8u);
        QCOMPARE(ring.available(), 0u);
        QCOMPARE(ring.free(), 8u);
        std::vector<std::int16_t> out(4, 7);
        QCOMPARE(ring.read(out), 0u);
        QCOMPARE(out, std::vector<std::int16_t>(4, 7)); // left untouched
        QCOMPARE(ring.underruns(), 4u);
        QCOMPARE(ring.overruns(), 0u);
        QCOMPARE(ring.discard(3), 0u);
    }

    void fullRingDropsAndCounts()
    {
        SpscRing<std::int16_t> ring(8);
        const auto in = iota(10, 1);
        QCOMPARE(ring.write(in), 8u);
        QCOMPARE(ring.overruns(), 2u);
        QCOMPARE(ring.free(), 0u);
        QCOMPARE(ring.available(), 8u);
        QCOMPARE(ring.write(in), 0u);
        QCOMPARE(ring.overruns(), 12u);
        std::vector<std::int16_t> out(8);
        QCOMPARE(ring.read(out), 8u);
        QCOMPARE(out, iota(8, 1)); // the oldest kept, the excess dropped
        QCOMPARE(ring.underruns(), 0u);
    }

    void shortReadCountsUnderrun()
    {
        SpscRing<std::int16_t> ring(16);
        QCOMPARE(ring.write(iota(3, 100)), 3u);
        std::vector<std::int16_t> out(5, -1);
        QCOMPARE(ring.read(out), 3u);
        QCOMPARE(out, (std::vector<std::int16_t> {100, 101, 102, -1, -1}));
        QCOMPARE(ring.underruns(), 2u);
    }

    void discardDropsOldest()
    {
        SpscRing<std::int16_t> ring(8);
        ring.write(iota(6, 0));
        QCOMPARE(ring.discard(4), 4u);
        QCOMPARE(ring.available(), 2u);
        std::vector<std::int16_t> out(2);
        QCOMPARE(ring.read(out), 2u);
        QCOMPARE(out, (std::vector<std::int16_t> {4, 5}));
        QCOMPARE(ring.discard(10), 0u);
        QCOMPARE(ring.underruns(), 0u); // discarding is not an underrun
    }

    // Chunks of every size against a small ring: each write and read that crosses the end of the
    // buffer splits in two, and the sequence comes out whole and in order.
    void wrapAround_data()
    {
        QTest::addColumn<int>("capacity");
        QTest::addColumn<int>("writeChunk");
        QTest::addColumn<int>("readChunk");
        for (int w : {1, 3, 5, 8})
            for (int r : {1, 2, 7, 8})
                QTest::addRow("cap 8 write %d read %d", w, r) << 8 << w << r;
        QTest::addRow("cap 1") << 1 << 1 << 1;
        QTest::addRow("cap 1024 odd chunks") << 1024 << 481 << 160;
    }
    void wrapAround()
    {
        QFETCH(int, capacity);
        QFETCH(int, writeChunk);
        QFETCH(int, readChunk);
        SpscRing<std::int16_t> ring {std::size_t(capacity)};
        const int total = 20 * capacity + 7;
        int written = 0, next = 0;
        std::vector<std::int16_t> out(std::size_t(readChunk), 0);
        while (next < total) {
            const int want = std::min({writeChunk, total - written, int(ring.free())});
            written += int(ring.write(iota(std::size_t(want), written)));
            const auto n = ring.read(std::span(out).first(std::min(std::size_t(readChunk), ring.available())));
            for (std::size_t i = 0; i < n; ++i, ++next)
                QCOMPARE(out[i], std::int16_t(next));
        }
        QCOMPARE(written, total);
        QCOMPARE(ring.overruns(), 0u);
        QCOMPARE(ring.underruns(), 0u);
        QCOMPARE(ring.available(), 0u);
        QCOMPARE(ring.free(), std::size_t(capacity));
    }

    // Producer and consumer on two threads, as the audio callback and the media thread are. Both
    // only move what fits, so nothing may be lost, repeated or reordered: the 16-bit sequence
    // (wrapping every 65536) arrives exactly.
    void twoThreadsLoseNothing()
    {
        constexpr std::size_t kTotal = 4'000'000;
        SpscRing<std::int16_t> ring(1024);
        std::atomic<bool> failed {false};
        const auto start = std::chrono::steady_clock::now();
        std::thread producer([&] {
            std::vector<std::int16_t> chunk(480);
            std::size_t sent = 0, size = 1;
            while (sent < kTotal && !failed.load()) {
                size = size % 479 + 1; // chunk sizes 1..479, never a multiple of the capacity for long
                const std::size_t n = std::min({size, kTotal - sent, ring.free()});
                for (std::size_t i = 0; i < n; ++i)
                    chunk[i] = std::int16_t(std::uint16_t(sent + i));
                sent += ring.write(std::span(chunk).first(n));
                if (n == 0)
                    std::this_thread::yield();
                if (expired(start))
                    failed = true;
            }
        });
        std::vector<std::int16_t> chunk(512);
        std::size_t received = 0, size = 1, mismatches = 0;
        while (received < kTotal && !failed.load()) {
            size = size % 511 + 1;
            const std::size_t n = ring.read(std::span(chunk).first(std::min(size, ring.available())));
            for (std::size_t i = 0; i < n; ++i)
                mismatches += chunk[i] != std::int16_t(std::uint16_t(received + i));
            received += n;
            if (n == 0)
                std::this_thread::yield();
            if (expired(start))
                failed = true;
        }
        producer.join();
        QVERIFY2(!failed, "the ring stalled");
        QCOMPARE(received, kTotal);
        QCOMPARE(mismatches, 0u);
        QCOMPARE(ring.overruns(), 0u);
        QCOMPARE(ring.underruns(), 0u);
    }

    // A producer that never waits, as the capture callback does: what a full ring refuses is gone,
    // but counted, and what arrives is still in order.
    void twoThreadsDropAndCount()
    {
        constexpr std::uint32_t kTotal = 2'000'000;
        SpscRing<std::uint32_t> ring(256);
        std::atomic<bool> done {false};
        std::thread producer([&] {
            std::vector<std::uint32_t> chunk(160);
            for (std::uint32_t sent = 0; sent < kTotal; sent += 160) {
                std::iota(chunk.begin(), chunk.end(), sent);
                ring.write(chunk);
            }
            done = true;
        });
        std::vector<std::uint32_t> chunk(100);
        std::uint64_t received = 0;
        std::int64_t last = -1;
        bool ordered = true;
        const auto start = std::chrono::steady_clock::now();
        while (!expired(start)) {
            const bool finished = done.load();
            const std::size_t n = ring.read(std::span(chunk).first(std::min(chunk.size(), ring.available())));
            for (std::size_t i = 0; i < n; ++i) {
                ordered = ordered && std::int64_t(chunk[i]) > last;
                last = chunk[i];
            }
            received += n;
            if (finished && ring.available() == 0)
                break;
        }
        producer.join();
        QVERIFY(ordered);
        QCOMPARE(received + ring.overruns(), std::uint64_t(kTotal));
        QCOMPARE(ring.underruns(), 0u);
    }
};

QTEST_GUILESS_MAIN(TestSpscRing)
#include "tst_spsc_ring.moc"
