// RFC 4733 telephone-event payloads byte by byte, the receiver's grouping of packets into
// digits (updates, the thrice-sent end, a missing end, reordering, damage, long events in
// segments), and the sender's packet sequence (marker, timestamp, durations, ends, segments).

#include "dtmf/rfc4733.h"

#include <QTest>

#include <algorithm>

using namespace ds::dtmf;

namespace {

std::vector<std::uint8_t> bytes(const EventPayload &e)
{
    std::vector<std::uint8_t> b(EventPayload::size);
    const auto n = writeEvent(e, b);
    Q_ASSERT(n && *n == EventPayload::size);
    return b;
}

QByteArray wireOf(const EventPayload &e)
{
    const auto b = bytes(e);
    return QByteArray(reinterpret_cast<const char *>(b.data()), qsizetype(b.size()));
}

// Everything the sender sends for one event, one call per packet time, until it is idle.
std::vector<OutgoingEvent> drain(EventSender &s)
{
    std::vector<OutgoingEvent> out;
    while (auto p = s.next()) {
        out.push_back(*p);
        if (out.size() > 100'000)
            break; // a sender that never ends fails the test instead of hanging it
    }
    return out;
}

// Feeds packets to a receiver, one packet time (ptimeMs) apart, skipping the indices in `lost`.
std::vector<ReceivedEvent> receive(EventReceiver &r, const std::vector<OutgoingEvent> &packets, int ptimeMs = 20, const std::vector<size_t> &lost = {})
{
    std::vector<ReceivedEvent> got;
    std::int64_t now = 0;
    for (size_t i = 0; i < packets.size(); ++i) {
        now += ptimeMs;
        if (std::find(lost.begin(), lost.end(), i) != lost.end())
            continue;
        const auto done = r.packet(packets[i].timestamp, bytes(packets[i].payload), now);
        got.insert(got.end(), done.begin(), done.end());
    }
    return got;
}

} // namespace

class TestRfc4733 : public QObject {
    Q_OBJECT
private slots:
    void payloadBytes_data()
    {
        QTest::addColumn<int>("event");
        QTest::addColumn<bool>("end");
        QTest::addColumn<int>("volume");
        QTest::addColumn<int>("duration");
        QTest::addColumn<QByteArray>("wire");
        // RFC 4733 2.3: |event|E|R|volume|duration|
        QTest::newRow("digit 5, start") << 5 << false << 10 << 160 << QByteArray::fromHex("050a00a0");
        QTest::newRow("#, end, 1000 ms at 8 kHz") << 11 << true << 7 << 8000 << QByteArray::fromHex("0b871f40");
        QTest::newRow("D, loudest, max duration") << 15 << true << 0 << 65535 << QByteArray::fromHex("0f80ffff");
        QTest::newRow("flash, quietest") << 16 << false << 63 << 0 << QByteArray::fromHex("103f0000");
    }
    void payloadBytes()
    {
        QFETCH(int, event);
        QFETCH(bool, end);
        QFETCH(int, volume);
        QFETCH(int, duration);
        QFETCH(QByteArray, wire);
        const EventPayload e {std::uint8_t(event), end, std::uint8_t(volume), std::uint16_t(duration)};
        const auto b = bytes(e);
        QCOMPARE(QByteArray(reinterpret_cast<const char *>(b.data()), qsizetype(b.size())), wire);
        const auto parsed = parseEvent(std::span(reinterpret_cast<const std::uint8_t *>(wire.constData()), std::size_t(wire.size())));
        QVERIFY(parsed.has_value());
        QCOMPARE(*parsed, e);
    }

    void reservedBitIgnoredAndErrors()
    {
        const std::uint8_t withR[] = {1, 0x40 | 0x80 | 12, 0, 80}; // R set by a sloppy sender
        const auto e = parseEvent(withR);
        QVERIFY(e.has_value());
        QVERIFY(e->end);
        QCOMPARE(int(e->volume), 12);
        const std::uint8_t shortPayload[] = {1, 2, 3};
        QCOMPARE(parseEvent(shortPayload).error(), EventError::TooShort);
        std::uint8_t out[4];
        QCOMPARE(writeEvent({1, false, 64, 0}, out).error(), EventError::BadVolume);
        std::uint8_t small[3];
        QCOMPARE(writeEvent({1, false, 10, 0}, small).error(), EventError::TooShort);
    }

    void digits()
    {
        const QByteArray all = "0123456789*#ABCD";
        for (int i = 0; i < all.size(); ++i) {
            QCOMPARE(digitOfEvent(std::uint8_t(i)).value(), all[i]);
            QCOMPARE(int(eventOfDigit(all[i]).value()), i);
        }
        QCOMPARE(int(eventOfDigit('b').value()), 13);
        QVERIFY(!digitOfEvent(16)); // flash is not a digit
        QVERIFY(!eventOfDigit('E'));
        QVERIFY(!eventOfDigit(','));
    }

    // A 5 held 100 ms at 8 kHz, updates every 20 ms, the end sent three times (RFC 4733 2.5.1.4):
    // one digit, its duration from the end packet, the repeats counted, reported once.
    void oneDigitWithThreeEnds()
    {
        EventReceiver r(8000);
        std::vector<ReceivedEvent> got;
        std::int64_t now = 0;
        for (int d = 160; d <= 800; d += 160) {
            const auto p = r.packet(1000, bytes({5, false, 10, std::uint16_t(d)}), now += 20);
            got.insert(got.end(), p.begin(), p.end());
        }
        for (int i = 0; i < 3; ++i) {
            const auto p = r.packet(1000, bytes({5, true, 10, 880}), now += 20);
            got.insert(got.end(), p.begin(), p.end());
        }
        QCOMPARE(got.size(), size_t(1));
        QCOMPARE(got[0].digit, '5');
        QCOMPARE(got[0].durationUnits, 880u);
        QCOMPARE(got[0].timestamp, 1000u);
        QVERIFY(got[0].endSeen);
        QVERIFY(!r.tick(now + 10'000)); // nothing pending
    }

    void endRepeatsAreCounted()
    {
        EventReceiver r;
        r.packet(50, bytes({1, false, 10, 160}), 0);
        const auto first = r.packet(50, bytes({1, true, 10, 320}), 20);
        QCOMPARE(first.size(), size_t(1));
        QCOMPARE(first[0].endRepeats, 1u);
        QVERIFY(r.packet(50, bytes({1, true, 10, 320}), 40).empty());
        QVERIFY(r.packet(50, bytes({1, true, 10, 320}), 60).empty());
        // The next digit: its own timestamp.
        r.packet(900, bytes({2, false, 10, 160}), 300);
        const auto second = r.packet(900, bytes({2, true, 10, 400}), 320);
        QCOMPARE(second.size(), size_t(1));
        QCOMPARE(second[0].digit, '2');
    }

    // The end packets were lost: the timeout closes the event, saying so.
    void missingEndClosedByTimeout()
    {
        EventReceiver r(8000, 500);
        r.packet(7000, bytes({9, false, 10, 160}), 0);
        r.packet(7000, bytes({9, false, 10, 320}), 20);
        QVERIFY(!r.tick(300));
        const auto closed = r.tick(600);
        QVERIFY(closed.has_value());
        QCOMPARE(closed->digit, '9');
        QVERIFY(!closed->endSeen);
        QCOMPARE(closed->durationUnits, 320u);
        QVERIFY(!r.tick(2000)); // reported once
        // A late end packet of that event is not a second digit.
        QVERIFY(r.packet(7000, bytes({9, true, 10, 480}), 2100).empty());
    }

    // A new event before the old one ended: the old one is reported, without its end.
    void newEventClosesAnUnendedOne()
    {
        EventReceiver r;
        r.packet(100, bytes({3, false, 10, 160}), 0);
        const auto got = r.packet(900, bytes({4, false, 10, 160}), 100);
        QCOMPARE(got.size(), size_t(1));
        QCOMPARE(got[0].digit, '3');
        QVERIFY(!got[0].endSeen);
    }

    // An older update arriving late does not shorten the event; damaged payloads are counted.
    void reorderedAndDamaged()
    {
        EventReceiver r;
        r.packet(10, bytes({7, false, 10, 480}), 0);
        r.packet(10, bytes({7, false, 10, 320}), 20); // late, older
        const std::uint8_t broken[] = {7, 0};
        QVERIFY(r.packet(10, broken, 30).empty());
        QCOMPARE(r.malformed(), 1u);
        const auto closed = r.tick(10'000);
        QVERIFY(closed.has_value());
        QCOMPARE(closed->durationUnits, 480u);
    }

    // The duration in milliseconds, at the event's clock rate.
    void durationInMs()
    {
        ReceivedEvent e;
        e.durationUnits = 880;
        QCOMPARE(e.durationMs(8000), 110);
        e.durationUnits = 4801;
        QCOMPARE(e.durationMs(48000), 100);
        e.durationUnits = 144000;
        QCOMPARE(e.durationMs(48000), 3000);
        QCOMPARE(e.durationMs(0), 0);
    }

    // The sender's packets byte by byte (RFC 4733 2.5.1.2, 2.5.1.4): the duration grows by one
    // packet time per packet, the end goes out three times with the final duration.
    void senderSequence_data()
    {
        QTest::addColumn<int>("clockRate");
        QTest::addColumn<int>("ptimeMs");
        QTest::addColumn<char>("digit");
        QTest::addColumn<int>("durationMs");
        QTest::addColumn<int>("volume");
        QTest::addColumn<QByteArrayList>("wire");
        QTest::newRow("5, 100 ms, 8 kHz") << 8000 << 20 << '5' << 100 << 10
                                          << QByteArrayList {"050a00a0", "050a0140", "050a01e0", "050a0280", "058a0320", "058a0320", "058a0320"};
        QTest::newRow("#, 90 ms: a last part shorter than a packet")
            << 8000 << 20 << '#' << 90 << 10 << QByteArrayList {"0b0a00a0", "0b0a0140", "0b0a01e0", "0b0a0280", "0b8a02d0", "0b8a02d0", "0b8a02d0"};
        QTest::newRow("D, 60 ms, 48 kHz") << 48000 << 20 << 'D' << 60 << 10 << QByteArrayList {"0f0a03c0", "0f0a0780", "0f8a0b40", "0f8a0b40", "0f8a0b40"};
        QTest::newRow("1, 100 ms, 48 kHz, -20 dBm0") << 48000 << 20 << '1' << 100 << 20
                                                     << QByteArrayList {"011403c0", "01140780", "01140b40", "01140f00", "019412c0", "019412c0", "019412c0"};
        QTest::newRow("0, 100 ms, 30 ms packets") << 8000 << 30 << '0' << 100 << 10
                                                  << QByteArrayList {"000a00f0", "000a01e0", "000a02d0", "008a0320", "008a0320", "008a0320"};
        QTest::newRow("*, 10 ms: shorter than one packet") << 8000 << 20 << '*' << 10 << 10 << QByteArrayList {"0a8a0050", "0a8a0050", "0a8a0050"};
        QTest::newRow("a (lower case), 40 ms, loudest") << 8000 << 20 << 'a' << 40 << 0 << QByteArrayList {"0c0000a0", "0c800140", "0c800140", "0c800140"};
    }
    void senderSequence()
    {
        QFETCH(int, clockRate);
        QFETCH(int, ptimeMs);
        QFETCH(char, digit);
        QFETCH(int, durationMs);
        QFETCH(int, volume);
        QFETCH(QByteArrayList, wire);
        EventSender s(clockRate, ptimeMs);
        QVERIFY(!s.active());
        QVERIFY(!s.next());
        QVERIFY(s.start(digit, durationMs, 123456, std::uint8_t(volume)));
        QVERIFY(s.active());
        const auto packets = drain(s);
        QVERIFY(!s.active());
        QCOMPARE(packets.size(), size_t(wire.size()));
        for (size_t i = 0; i < packets.size(); ++i) {
            QCOMPARE(wireOf(packets[i].payload).toHex(), wire[qsizetype(i)]);
            QCOMPARE(packets[i].marker, i == 0); // RFC 4733 2.5.1.2: the first packet only
            QCOMPARE(packets[i].timestamp, 123456u); // the event's start, in every packet
            QCOMPARE(packets[i].replacesAudio, i + 2 < packets.size()); // the repeated ends let audio resume
        }
        QCOMPARE(s.startTimestamp(), 123456u);
        QCOMPARE(s.spanUnits(), std::uint32_t(std::int64_t(durationMs) * clockRate / 1000));
        QVERIFY(!s.next()); // idle until the next digit
    }

    void senderRefuses()
    {
        EventSender s;
        QVERIFY(!s.start('E', 100, 0));
        QVERIFY(!s.start(',', 100, 0));
        QVERIFY(!s.start('5', 0, 0));
        QVERIFY(!s.start('5', -100, 0));
        QVERIFY(!s.start('5', EventSender::kMaxDurationMs + 1, 0));
        QVERIFY(!s.start('5', 100, 0, 64)); // RFC 4733 2.3.4: 6 bits of volume
        QVERIFY(!s.active());
        QVERIFY(s.start('5', 100, 0));
        QVERIFY(!s.start('6', 100, 0)); // one digit at a time
        QCOMPARE(int(s.next()->payload.event), 5);
        s.configure(8000, 0); // unusable: no packet time
        QVERIFY(!s.active()); // configure cancels the running digit
        QVERIFY(!s.start('5', 100, 0));
        s.configure(0, 20);
        QVERIFY(!s.start('5', 100, 0));
        s.configure(48000, 20);
        QVERIFY(s.start('5', 100, 0));
        QCOMPARE(s.ptimeUnits(), 960u);
    }

    // A key released early: the next packet is the end, with the duration reached so far.
    void senderStop()
    {
        EventSender s;
        QVERIFY(s.start('7', 1000, 50));
        for (int i = 0; i < 3; ++i)
            QVERIFY(!s.next()->payload.end);
        s.stop();
        const auto rest = drain(s);
        QCOMPARE(rest.size(), size_t(3));
        for (const OutgoingEvent &p : rest)
            QCOMPARE(wireOf(p.payload).toHex(), QByteArray("078a0280")); // E, 640 units = 80 ms
        QCOMPARE(s.spanUnits(), 640u);
    }

    // RFC 4733 2.5.1.3: 10 s at 8 kHz does not fit 16 bits; it goes in two segments. The first
    // ends at 65440 (409 packets of 160) without E, sent three times; the second takes the
    // timestamp 65440 later, without marker, and ends with E. The RTP timestamp wraps on the way.
    void senderSplitsLongEvent()
    {
        EventSender s(8000, 20);
        const std::uint32_t t0 = 0xFFFFFF00;
        QVERIFY(s.start('9', 10'000, t0));
        QCOMPARE(s.segmentUnits(), 65440u);
        const auto p = drain(s);
        QCOMPARE(p.size(), size_t(502));
        const std::uint32_t t1 = t0 + 65440;
        for (size_t i = 0; i < p.size(); ++i) {
            QCOMPARE(p[i].marker, i == 0);
            QCOMPARE(p[i].timestamp, i < 411 ? t0 : t1);
            QCOMPARE(p[i].payload.end, i >= 499);
            QCOMPARE(int(p[i].payload.event), 9);
        }
        QCOMPARE(p[407].payload.duration, 65280);
        for (size_t i = 408; i < 411; ++i)
            QCOMPARE(p[i].payload.duration, 65440); // the segment's final packet, three times
        QCOMPARE(p[411].payload.duration, 480); // the new segment already lasted three packet times
        QCOMPARE(p[412].payload.duration, 640);
        for (size_t i = 499; i < 502; ++i)
            QCOMPARE(p[i].payload.duration, 80000 - 65440);
        QCOMPARE(t1, 65184u); // wrapped
        QCOMPARE(s.spanUnits(), 80000u);
    }

    // At 48 kHz a segment holds 68 packets of 960 units: the split comes every 1.36 s.
    void senderSplitsAt48kHz()
    {
        EventSender s(48000, 20);
        QVERIFY(s.start('#', 3000, 1000));
        QCOMPARE(s.segmentUnits(), 65280u);
        const auto p = drain(s);
        QCOMPARE(p.size(), size_t(152));
        std::vector<std::uint32_t> starts;
        std::uint32_t maxDuration = 0;
        for (const OutgoingEvent &e : p) {
            if (starts.empty() || starts.back() != e.timestamp)
                starts.push_back(e.timestamp);
            maxDuration = std::max<std::uint32_t>(maxDuration, e.payload.duration);
        }
        QCOMPARE(starts, (std::vector<std::uint32_t> {1000, 1000 + 65280, 1000 + 2 * 65280}));
        QCOMPARE(maxDuration, 65280u);
        QCOMPARE(p[67].payload.duration, 65280); // sent at 68 x 20 ms = 1.36 s
        QVERIFY(!p[67].payload.end);
        QCOMPARE(p.back().payload.duration, 144000 - 2 * 65280);
        QVERIFY(p.back().payload.end);
    }

    // The key's time runs out while a segment's final packet is being repeated: the last, short
    // segment starts and ends at once.
    void senderEndsDuringSegmentRepeats()
    {
        EventSender s(8000, 20);
        QVERIFY(s.start('2', 8200, 0)); // 65600 units: one packet past the first segment
        const auto p = drain(s);
        QCOMPARE(p.size(), size_t(412));
        QCOMPARE(p[408].payload.duration, 65440);
        QVERIFY(!p[408].payload.end);
        for (size_t i = 409; i < 412; ++i) {
            QCOMPARE(p[i].timestamp, 65440u);
            QVERIFY(p[i].payload.end);
            QCOMPARE(p[i].payload.duration, 160);
            QVERIFY(!p[i].marker);
        }
        QVERIFY(p[409].replacesAudio);
        QVERIFY(!p[411].replacesAudio);
        EventReceiver r(8000);
        const auto got = receive(r, p);
        QCOMPARE(got.size(), size_t(1));
        QCOMPARE(got[0].durationUnits, 65600u);
    }

    // What the sender sends, the receiver reads as one digit: the three ends count once.
    void receiverReadsSender_data()
    {
        QTest::addColumn<int>("clockRate");
        QTest::addColumn<int>("durationMs");
        QTest::newRow("100 ms at 8 kHz") << 8000 << 100;
        QTest::newRow("90 ms at 8 kHz") << 8000 << 90;
        QTest::newRow("250 ms at 48 kHz") << 48000 << 250;
        QTest::newRow("10 s at 8 kHz, two segments") << 8000 << 10'000;
        QTest::newRow("3 s at 48 kHz, three segments") << 48000 << 3000;
        QTest::newRow("20 s at 48 kHz, fifteen segments") << 48000 << 20'000;
    }
    void receiverReadsSender()
    {
        QFETCH(int, clockRate);
        QFETCH(int, durationMs);
        EventSender s(clockRate, 20);
        QVERIFY(s.start('4', durationMs, 0xFFFF0000u)); // wraps during the long ones
        EventReceiver r(clockRate);
        const auto got = receive(r, drain(s));
        QCOMPARE(got.size(), size_t(1));
        QCOMPARE(got[0].digit, '4');
        QCOMPARE(got[0].timestamp, 0xFFFF0000u);
        QVERIFY(got[0].endSeen);
        QCOMPARE(got[0].endRepeats, 1u); // reported at the first end; the other two came after
        QCOMPARE(got[0].durationMs(clockRate), durationMs);
        QVERIFY(!r.tick(1'000'000));
    }

    // The first segment's final packets are all lost: the next segment still continues the event.
    void receiverJoinsDespiteLostSegmentEnd()
    {
        EventSender s(48000, 20);
        QVERIFY(s.start('6', 3000, 0));
        EventReceiver r(48000);
        const auto got = receive(r, drain(s), 20, {67, 68, 69});
        QCOMPARE(got.size(), size_t(1));
        QCOMPARE(got[0].durationMs(48000), 3000);
    }

    // A sender that keeps its clock still between keys: '1' ends, '2' starts at the same timestamp.
    void receiverSeesNewKeyAtSameTimestamp()
    {
        EventReceiver r(8000);
        QVERIFY(r.packet(1000, bytes({1, false, 10, 160}), 0).empty());
        QCOMPARE(r.packet(1000, bytes({1, true, 10, 800}), 100).size(), size_t(1));
        QVERIFY(r.packet(1000, bytes({1, true, 10, 800}), 120).empty()); // a repeated end
        QVERIFY(r.packet(1000, bytes({2, false, 10, 160}), 300).empty());
        const auto got = r.packet(1000, bytes({2, true, 10, 640}), 380);
        QCOMPARE(got.size(), size_t(1));
        QCOMPARE(got[0].digit, '2');
        QCOMPARE(got[0].durationUnits, 640u);
    }

    // A packet of an earlier segment arriving late does not split the event.
    void receiverIgnoresLateSegmentPacket()
    {
        EventSender s(48000, 20);
        QVERIFY(s.start('6', 3000, 0));
        auto p = drain(s);
        p.insert(p.begin() + 80, p[10]);
        EventReceiver r(48000);
        const auto got = receive(r, p);
        QCOMPARE(got.size(), size_t(1));
        QCOMPARE(got[0].durationUnits, 144000u);
    }

    // What is not a next segment: another digit, a gap, a silence longer than the timeout.
    void receiverDoesNotJoin_data()
    {
        QTest::addColumn<int>("event2");
        QTest::addColumn<int>("timestamp2");
        QTest::addColumn<int>("afterMs");
        QTest::newRow("another digit right after") << 6 << 1160 << 20;
        QTest::newRow("same digit after a 100 ms gap") << 5 << 1960 << 120;
        QTest::newRow("same digit, overlapping") << 5 << 1100 << 20;
        QTest::newRow("same digit after the timeout") << 5 << 1160 << 600;
    }
    void receiverDoesNotJoin()
    {
        QFETCH(int, event2);
        QFETCH(int, timestamp2);
        QFETCH(int, afterMs);
        EventReceiver r(8000, 500);
        QVERIFY(r.packet(1000, bytes({5, false, 10, 160}), 0).empty());
        const auto first = r.packet(std::uint32_t(timestamp2), bytes({std::uint8_t(event2), false, 10, 160}), afterMs);
        QCOMPARE(first.size(), size_t(1));
        QCOMPARE(first[0].digit, '5');
        QVERIFY(!first[0].endSeen);
        QCOMPARE(first[0].durationUnits, 160u);
        const auto second = r.packet(std::uint32_t(timestamp2), bytes({std::uint8_t(event2), true, 10, 320}), afterMs + 20);
        QCOMPARE(second.size(), size_t(1));
        QCOMPARE(second[0].timestamp, std::uint32_t(timestamp2));
        QCOMPARE(second[0].durationUnits, 320u);
    }
};

QTEST_GUILESS_MAIN(TestRfc4733)
#include "tst_rfc4733.moc"
