// RFC 4733 telephone-event payloads byte by byte, and the receiver's grouping of packets into
// digits: updates, the thrice-sent end, a missing end, reordering, damage.

#include "dtmf/rfc4733.h"

#include <QTest>

using namespace ds::dtmf;

namespace {

std::vector<std::uint8_t> bytes(const EventPayload &e)
{
    std::vector<std::uint8_t> b(EventPayload::size);
    const auto n = writeEvent(e, b);
    Q_ASSERT(n && *n == EventPayload::size);
    return b;
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
};

QTEST_GUILESS_MAIN(TestRfc4733)
#include "tst_rfc4733.moc"
