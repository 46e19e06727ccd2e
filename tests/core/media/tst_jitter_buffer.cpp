// Jitter buffer and receiver statistics: scripted packet arrivals in simulated time, checked against
// hand-computed RFC 3550 loss and jitter figures and against the frames a listener would hear.

#include "media/jitter_buffer.h"
#include "media/receiver_stats.h"

#include <QList>
#include <QPair>
#include <QStringList>
#include <QTest>

#include <array>

using namespace ds::media;

namespace {

struct Arrival {
    quint16 sequence;
    quint32 timestamp;
    quint32 arrival; // timestamp units
};
using StatsScript = QList<Arrival>;
using Arrivals = QList<QPair<int, int>>; // (sequence, arrival ms); timestamp = 160 * sequence

constexpr std::uint32_t kFrameUnits = 160; // 20 ms at 8 kHz

// Feeds `arrivals` (sorted by time) and calls get() every 20 ms from 0, `gets` times, putting each packet
// whose arrival time has come before the get at that instant. Returns one token per get:
// "." not yet, "F<seq>" frame (its payload checked), "C<seq>" conceal, "E" expand.
QString run(JitterBuffer &jb, const Arrivals &arrivals, int gets, int startMs = 0, qsizetype *next = nullptr)
{
    QStringList log;
    qsizetype i = next ? *next : 0;
    for (int g = 0; g < gets; ++g) {
        const int now = startMs + 20 * g;
        for (; i < arrivals.size() && arrivals[i].second <= now; ++i) {
            const auto seq = std::uint16_t(arrivals[i].first);
            const std::array<std::uint8_t, 3> payload {std::uint8_t(seq >> 8), std::uint8_t(seq), 0xAB};
            jb.put(seq, kFrameUnits * seq, payload, arrivals[i].second);
        }
        const auto out = jb.get(now);
        switch (out.kind) {
        case JitterBuffer::Kind::NotYet:
            log << QStringLiteral(".");
            break;
        case JitterBuffer::Kind::Frame: {
            const bool ok = out.payload.size() == 3 && out.payload[0] == (out.sequence >> 8) && out.payload[1] == (out.sequence & 0xFF)
                && out.payload[2] == 0xAB && out.timestamp == kFrameUnits * out.sequence;
            log << (ok ? QStringLiteral("F%1").arg(out.sequence) : QStringLiteral("X%1").arg(out.sequence));
            break;
        }
        case JitterBuffer::Kind::Conceal:
            log << QStringLiteral("C%1").arg(out.sequence);
            break;
        case JitterBuffer::Kind::Expand:
            log << QStringLiteral("E");
            break;
        }
    }
    if (next)
        *next = i;
    return log.join(QLatin1Char(' '));
}

Arrivals steady(int first, int count, int jitterOddMs = 0)
{
    Arrivals a;
    for (int s = first; s < first + count; ++s)
        a << qMakePair(s, 20 * s + ((s & 1) ? jitterOddMs : 0));
    return a;
}

} // namespace

Q_DECLARE_METATYPE(StatsScript)
Q_DECLARE_METATYPE(Arrivals)

class TestJitterBuffer : public QObject {
    Q_OBJECT
private slots:
    void receiverStats_data()
    {
        QTest::addColumn<StatsScript>("script");
        QTest::addColumn<qint64>("received");
        QTest::addColumn<qint64>("expected");
        QTest::addColumn<qint64>("lost");
        QTest::addColumn<int>("fraction");
        QTest::addColumn<qint64>("duplicates");
        QTest::addColumn<qint64>("late");
        QTest::addColumn<double>("jitter");
        QTest::addColumn<quint32>("highest");

        // Sequence wraps after 65535; 65535 arrives after 0 (180 units late); 1, 4 and 5 are lost; 2 arrives twice.
        // Transits: 1000 1000 1000 1180 1000 (dup skipped) 1032 1000, so |D| = 0 0 180 180 32 32 and
        // J = 11.25, 21.796875, 22.4345703125, 23.03240966796875 (A.8, J += (|D| - J) / 16).
        // Expected = 65542 - 65533 + 1 = 10, received 8 with the duplicate: lost 2, fraction 2 * 256 / 10 = 51.
        QTest::newRow("wrap, reorder, duplicate, losses")
            << StatsScript {{65533, 0, 1000}, {65534, 160, 1160}, {0, 480, 1480}, {65535, 320, 1500}, {2, 800, 1800}, {2, 800, 1820}, {3, 960, 1992},
                   {6, 1440, 2440}}
            << qint64(8) << qint64(10) << qint64(2) << 51 << qint64(1) << qint64(1) << 23.03240966796875 << quint32(0x10000 + 6);
        // RFC 3550 6.4.1: duplicates count as received, so the cumulative loss goes negative; fraction stays 0.
        QTest::newRow("duplicates only") << StatsScript {{10, 1600, 2100}, {11, 1760, 2260}, {11, 1760, 2270}, {12, 1920, 2420}} << qint64(4) << qint64(3)
                                         << qint64(-1) << 0 << qint64(1) << qint64(0) << 0.0 << quint32(12);
        // A.1: one packet far ahead is held on probation and not counted when the stream carries on.
        QTest::newRow("unconfirmed jump") << StatsScript {{100, 0, 500}, {101, 160, 660}, {20000, 9999, 700}, {102, 320, 820}} << qint64(3) << qint64(3)
                                          << qint64(0) << 0 << qint64(0) << qint64(0) << 0.0 << quint32(102);
        // A.1: two consecutive packets after a jump mean the sender restarted; statistics start over.
        QTest::newRow("confirmed restart") << StatsScript {{100, 0, 500}, {101, 160, 660}, {20000, 9999, 700}, {20001, 10159, 860}} << qint64(1) << qint64(1)
                                           << qint64(0) << 0 << qint64(0) << qint64(0) << 0.0 << quint32(20001);
    }
    void receiverStats()
    {
        QFETCH(StatsScript, script);
        ReceiverStats stats(8000);
        for (const auto &a : script)
            stats.onPacket(a.sequence, a.timestamp, a.arrival);
        QTEST(qint64(stats.received()), "received");
        QTEST(qint64(stats.expected()), "expected");
        QTEST(qint64(stats.cumulativeLost()), "lost");
        QTEST(int(stats.takeFractionLost()), "fraction");
        QTEST(qint64(stats.duplicates()), "duplicates");
        QTEST(qint64(stats.late()), "late");
        QTEST(stats.jitter(), "jitter");
        QTEST(quint32(stats.extendedHighestSequence()), "highest");
    }

    void verdictsAndReportBlock()
    {
        ReceiverStats stats(8000);
        using V = ReceiverStats::Verdict;
        QCOMPARE(stats.onPacketMs(65534, 0, 1000), V::First);
        QCOMPARE(stats.onPacketMs(0, 320, 1040), V::InOrder); // 65535 lost, wrap
        QCOMPARE(stats.onPacketMs(65535, 160, 1050), V::Reordered); // 30 ms late: transit +240 units
        QCOMPARE(stats.onPacketMs(65535, 160, 1060), V::Duplicate);
        QCOMPARE(stats.onPacketMs(1, 480, 1060), V::InOrder);
        // |D| = 0, 240, 240 -> J = 15, 29.0625
        QCOMPARE(stats.jitter(), 29.0625);
        QCOMPARE(stats.jitterMs(), 29.0625 / 8);
        QCOMPARE(stats.late(), std::uint64_t(1));
        QCOMPARE(stats.duplicates(), std::uint64_t(1));

        ReportBlock b = stats.takeReportBlock(0xCAFE);
        QCOMPARE(b.ssrc, 0xCAFEu);
        QCOMPARE(b.fractionLost, std::uint8_t(0)); // expected 4, received 5
        QCOMPARE(b.cumulativeLost, -1);
        QCOMPARE(b.extendedHighestSequence, 0x10001u);
        QCOMPARE(b.jitter, 29u);

        // Next interval (A.3): 2 to 9 expected, only 9 received -> 7 of 8 lost = 224/256.
        stats.onPacketMs(9, 9 * 160, 1220);
        b = stats.takeReportBlock(0xCAFE);
        QCOMPARE(b.fractionLost, std::uint8_t(7 * 256 / 8));
        QCOMPARE(b.cumulativeLost, 6); // expected 12, received 6
        QCOMPARE(stats.takeFractionLost(), std::uint8_t(0)); // nothing new since
    }

    void playout_data()
    {
        QTest::addColumn<Arrivals>("arrivals");
        QTest::addColumn<QString>("log");
        QTest::addColumn<int>("late");
        QTest::addColumn<int>("duplicates");

        const QString all = QStringLiteral(". . F0 F1 F2 F3 F4 F5 F6 F7 F8 F9");
        // Steady 20 ms packets: the first frame plays 40 ms (the minimum delay) after it arrived.
        QTest::newRow("steady") << steady(0, 10) << all << 0 << 0;
        Arrivals lost = steady(0, 10);
        lost.removeAt(5);
        QTest::newRow("one lost -> one conceal") << lost << QStringLiteral(". . F0 F1 F2 F3 F4 C5 F6 F7 F8 F9") << 0 << 0;
        Arrivals reordered = steady(0, 10);
        reordered[3].second = 90; // after 4 (80 ms), before its play-out at 100 ms
        std::swap(reordered[3], reordered[4]);
        QTest::newRow("reordered") << reordered << all << 0 << 0;
        Arrivals late = steady(0, 10);
        late.removeAt(5);
        late << qMakePair(5, 200); // its play-out was at 140 ms
        QTest::newRow("late dropped") << late << QStringLiteral(". . F0 F1 F2 F3 F4 C5 F6 F7 F8 F9") << 1 << 0;
        Arrivals dup = steady(0, 10);
        dup.insert(4, qMakePair(3, 70));
        QTest::newRow("duplicate dropped") << dup << all << 0 << 1;
    }
    void playout()
    {
        QFETCH(Arrivals, arrivals);
        QFETCH(QString, log);
        QFETCH(int, late);
        QFETCH(int, duplicates);
        JitterBuffer jb;
        QCOMPARE(run(jb, arrivals, 12), log);
        QCOMPARE(jb.targetDelayMs(), 40);
        QCOMPARE(int(jb.counters().late), late);
        QCOMPARE(int(jb.counters().duplicates), duplicates);
        QCOMPARE(jb.counters().expanded + jb.counters().shrunk, std::uint64_t(0));
        QCOMPARE(jb.size(), std::size_t(0));
    }

    void steadyDelayIsMinimum()
    {
        JitterBuffer jb;
        run(jb, steady(0, 100), 60);
        QCOMPARE(jb.currentDelayMs(), 40);
        QCOMPARE(jb.counters().concealed, std::uint64_t(0));
    }

    void adaptsToJitterAndBack()
    {
        JitterBuffer jb;
        Arrivals a = steady(0, 50) + steady(50, 50, 60) + steady(100, 300); // odd packets 60 ms late in the middle
        qsizetype next = 0;
        run(jb, a, 50, 0, &next);
        QCOMPARE(jb.targetDelayMs(), 40);
        run(jb, a, 50, 1000, &next);
        QVERIFY2(jb.targetDelayMs() >= 150, qPrintable(QString::number(jb.targetDelayMs())));
        QVERIFY(jb.counters().expanded > 0);
        QVERIFY2(jb.currentDelayMs() >= 120, qPrintable(QString::number(jb.currentDelayMs())));
        const auto concealedBefore = jb.counters().concealed;

        // A calm period: the estimate decays, the target returns to the minimum, frames are skipped to get there.
        const QString calm = run(jb, a, 250, 2000, &next);
        QCOMPARE(jb.targetDelayMs(), 40);
        QVERIFY(jb.counters().shrunk > 0);
        QVERIFY2(jb.currentDelayMs() < 60, qPrintable(QString::number(jb.currentDelayMs())));
        QCOMPARE(jb.counters().concealed, concealedBefore); // nothing missing once the delay covered the jitter
        QVERIFY(!calm.contains(QLatin1Char('X')));
    }

    void capacityBound()
    {
        JitterBufferConfig c;
        c.capacity = 10;
        JitterBuffer jb(c);
        const std::array<std::uint8_t, 1> p {0};
        for (int s = 0; s < 30; ++s)
            QCOMPARE(jb.put(std::uint16_t(s), kFrameUnits * s, p, 0), JitterBuffer::PutResult::Stored);
        QCOMPARE(jb.size(), std::size_t(10));
        QCOMPARE(jb.counters().overflow, std::uint64_t(20));
        const auto out = jb.get(40);
        QCOMPARE(out.kind, JitterBuffer::Kind::Frame);
        QCOMPARE(out.sequence, std::uint16_t(20)); // the oldest were dropped
        QCOMPARE(jb.size(), std::size_t(9));

        std::array<std::uint8_t, 1501> big {};
        QCOMPARE(jb.put(30, kFrameUnits * 30, big, 60), JitterBuffer::PutResult::Oversize);
        QCOMPARE(jb.size(), std::size_t(9));
    }

    void jumpsReset_data()
    {
        QTest::addColumn<int>("sequence");
        QTest::addColumn<quint32>("timestamp");
        QTest::newRow("sequence jump") << 5000 << quint32(5000 * kFrameUnits);
        QTest::newRow("timestamp jump") << 10 << quint32(10 * kFrameUnits + 5 * 8000);
        QTest::newRow("sequence wraps backwards with a new timestamp") << 60000 << 123456u;
    }
    void jumpsReset()
    {
        QFETCH(int, sequence);
        QFETCH(quint32, timestamp);
        JitterBuffer jb;
        run(jb, steady(0, 10), 7); // playing up to F4
        const std::array<std::uint8_t, 2> p {1, 2};
        QCOMPARE(jb.put(std::uint16_t(sequence), timestamp, p, 200), JitterBuffer::PutResult::Reset);
        QCOMPARE(jb.counters().resets, std::uint64_t(1));
        QCOMPARE(jb.size(), std::size_t(1));
        QCOMPARE(jb.get(200).kind, JitterBuffer::Kind::NotYet); // buffers afresh
        QCOMPARE(jb.get(220).kind, JitterBuffer::Kind::NotYet);
        const auto out = jb.get(240);
        QCOMPARE(out.kind, JitterBuffer::Kind::Frame);
        QCOMPARE(out.sequence, std::uint16_t(sequence));
        QCOMPARE(out.timestamp, timestamp);
    }

    void wrapsSequence()
    {
        JitterBuffer jb;
        Arrivals a;
        for (int i = 0; i < 10; ++i)
            a << qMakePair((65531 + i) & 0xFFFF, 20 * i);
        QStringList log;
        qsizetype n = 0;
        for (int g = 0; g < 12; ++g) {
            for (; n < a.size() && a[n].second <= 20 * g; ++n) {
                const std::array<std::uint8_t, 1> p {0};
                jb.put(std::uint16_t(a[n].first), std::uint32_t(kFrameUnits * (65531u + n)), p, a[n].second);
            }
            const auto out = jb.get(20 * g);
            log << (out.kind == JitterBuffer::Kind::Frame ? QString::number(out.sequence) : QStringLiteral("-"));
        }
        QCOMPARE(log.join(QLatin1Char(' ')), QStringLiteral("- - 65531 65532 65533 65534 65535 0 1 2 3 4"));
    }

    void staysQuietWhenStreamStops()
    {
        JitterBuffer jb;
        run(jb, steady(0, 5), 7);
        for (int g = 7; g < 30; ++g)
            jb.get(20 * g); // 300 ms of conceals, then it rebuffers
        QCOMPARE(jb.get(600).kind, JitterBuffer::Kind::NotYet);
        const std::array<std::uint8_t, 1> p {0};
        QCOMPARE(jb.put(30, 30 * kFrameUnits, p, 600), JitterBuffer::PutResult::Stored);
        QCOMPARE(jb.get(620).kind, JitterBuffer::Kind::NotYet);
        QCOMPARE(jb.get(640).sequence, std::uint16_t(30));
    }
};

QTEST_GUILESS_MAIN(TestJitterBuffer)
#include "tst_jitter_buffer.moc"
