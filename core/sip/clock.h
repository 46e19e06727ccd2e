#pragma once
// Clock: the time source and one-shot timers of the SIP state machines, injectable so that
// unit tests run RFC 3261 timers in simulated time (STYLE.md 4, 13).

#include <QObject>

#include <functional>
#include <map>
#include <unordered_map>

namespace ds::sip {

class Clock {
public:
    using TimerId = quint64;
    virtual ~Clock() = default;
    virtual qint64 nowMs() const = 0;
    // Calls fn once after delayMs; returns an id for cancel(). A zero delay still defers the call.
    virtual TimerId schedule(qint64 delayMs, std::function<void()> fn) = 0;
    virtual void cancel(TimerId id) = 0;
};

// SystemClock: real time on the Qt event loop of the thread that owns it. Its timers are kept in
// one ordered queue behind a single Qt timer armed for the earliest: a registration test keeps
// tens of thousands of RFC 3261 timers pending, which Qt's own timer list (a sorted list, one
// entry per timer) inserts and removes in linear time.
class SystemClock final : public QObject, public Clock {
    Q_OBJECT
public:
    explicit SystemClock(QObject *parent = nullptr);
    qint64 nowMs() const override;
    TimerId schedule(qint64 delayMs, std::function<void()> fn) override;
    void cancel(TimerId id) override;
    int pending() const { return int(m_queue.size()); }

protected:
    void timerEvent(QTimerEvent *e) override;

private:
    void arm();

    // (due ms, id) -> callback: ordered by due time, then by scheduling order.
    std::map<std::pair<qint64, TimerId>, std::function<void()>> m_queue;
    std::unordered_map<TimerId, qint64> m_due; // id -> due, for cancel()
    TimerId m_next = 1;
    int m_qtTimer = 0;
    qint64 m_armedFor = -1; // due time the Qt timer is armed for
};

// SimulatedClock: time moves only when a test calls advance(); due timers fire in order.
class SimulatedClock final : public Clock {
public:
    qint64 nowMs() const override { return m_now; }
    TimerId schedule(qint64 delayMs, std::function<void()> fn) override;
    void cancel(TimerId id) override;
    void advance(qint64 ms);
    // Advances to the next due timer and fires it; false when none is pending.
    bool fireNext();
    int pending() const { return int(m_timers.size()); }

private:
    struct Entry {
        qint64 due;
        std::function<void()> fn;
    };
    qint64 m_now = 0;
    TimerId m_next = 1;
    std::map<TimerId, Entry> m_timers;
};

} // namespace ds::sip
