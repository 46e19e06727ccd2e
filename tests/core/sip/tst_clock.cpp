// SystemClock: one Qt timer behind an ordered queue — due callbacks fire in time order, FIFO for
// the same time, cancel works before and inside a round, zero delays still defer, a callback that
// reschedules itself at once does not starve the event loop, and 50,000 pending timers are fine.
#include "sip/clock.h"

#include <QElapsedTimer>
#include <QTimer>
#include <QtTest>

#include <vector>

using namespace ds::sip;

class TstClock : public QObject {
    Q_OBJECT

private slots:
    void firesInTimeOrderThenFifo();
    void zeroDelayDefers();
    void cancelBeforeAndDuringRound();
    void selfReschedulingDoesNotStarve();
    void manyPendingTimers();
    void laterEarlierTimerRearms();
    void staleIdCancelsNothing();
};

void TstClock::firesInTimeOrderThenFifo()
{
    SystemClock clock;
    std::vector<int> order;
    clock.schedule(30, [&] { order.push_back(3); });
    clock.schedule(10, [&] { order.push_back(1); });
    clock.schedule(10, [&] { order.push_back(2); });
    clock.schedule(0, [&] { order.push_back(0); });
    QTRY_COMPARE_WITH_TIMEOUT(order.size(), size_t(4), 5000);
    QCOMPARE(order, (std::vector<int> {0, 1, 2, 3}));
    QCOMPARE(clock.pending(), 0);
}

void TstClock::zeroDelayDefers()
{
    SystemClock clock;
    bool fired = false;
    clock.schedule(0, [&] { fired = true; });
    QVERIFY(!fired); // never inside schedule()
    QTRY_VERIFY_WITH_TIMEOUT(fired, 5000);
}

void TstClock::cancelBeforeAndDuringRound()
{
    SystemClock clock;
    std::vector<int> order;
    Clock::TimerId second = 0;
    clock.schedule(5, [&] {
        order.push_back(1);
        clock.cancel(second); // due in the same round: must not fire
    });
    second = clock.schedule(5, [&] { order.push_back(2); });
    const Clock::TimerId never = clock.schedule(5, [&] { order.push_back(99); });
    clock.cancel(never);
    clock.cancel(never); // twice: harmless
    clock.cancel(123456); // unknown: harmless
    clock.schedule(20, [&] { order.push_back(3); });
    QTRY_COMPARE_WITH_TIMEOUT(order.size(), size_t(2), 5000);
    QTest::qWait(30);
    QCOMPARE(order, (std::vector<int> {1, 3}));
}

void TstClock::selfReschedulingDoesNotStarve()
{
    SystemClock clock;
    int spins = 0;
    std::function<void()> spin = [&] {
        ++spins;
        clock.schedule(0, spin);
    };
    clock.schedule(0, spin);
    bool qtTimerRan = false;
    QTimer::singleShot(20, [&] { qtTimerRan = true; });
    QTRY_VERIFY_WITH_TIMEOUT(qtTimerRan, 5000); // the event loop still serves others
    QVERIFY(spins > 1);
}

void TstClock::manyPendingTimers()
{
    SystemClock clock;
    constexpr int kTimers = 50000;
    int fired = 0;
    std::vector<Clock::TimerId> ids;
    ids.reserve(kTimers);
    for (int i = 0; i < kTimers; ++i)
        ids.push_back(clock.schedule(i % 50, [&] { ++fired; }));
    for (int i = 0; i < kTimers; i += 2)
        clock.cancel(ids[size_t(i)]);
    QCOMPARE(clock.pending(), kTimers / 2);
    QTRY_COMPARE_WITH_TIMEOUT(fired, kTimers / 2, 10000);
    QCOMPARE(clock.pending(), 0);
}

void TstClock::laterEarlierTimerRearms()
{
    SystemClock clock;
    std::vector<int> order;
    clock.schedule(2000, [&] { order.push_back(2); });
    clock.schedule(5, [&] { order.push_back(1); }); // earlier than the armed one
    QTRY_COMPARE_WITH_TIMEOUT(order.size(), size_t(1), 1000); // not held back to 2 s
    QCOMPARE(order.front(), 1);
}

// Slots are reused: the id of a timer that fired (or was cancelled) must not cancel the timer that
// took its place.
void TstClock::staleIdCancelsNothing()
{
    SystemClock clock;
    bool first = false;
    const Clock::TimerId old = clock.schedule(0, [&] { first = true; });
    QTRY_VERIFY_WITH_TIMEOUT(first, 5000);
    bool second = false;
    const Clock::TimerId reused = clock.schedule(5, [&] { second = true; });
    QVERIFY(reused != old);
    clock.cancel(old);
    QCOMPARE(clock.pending(), 1);
    QTRY_VERIFY_WITH_TIMEOUT(second, 5000);
    const Clock::TimerId cancelled = clock.schedule(5, [] { QFAIL("a cancelled timer fired"); });
    clock.cancel(cancelled);
    bool third = false;
    clock.schedule(10, [&] { third = true; });
    clock.cancel(cancelled); // its slot now belongs to the third
    QTRY_VERIFY_WITH_TIMEOUT(third, 5000);
    QCOMPARE(clock.pending(), 0);
}

QTEST_GUILESS_MAIN(TstClock)
#include "tst_clock.moc"
