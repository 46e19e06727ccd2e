#pragma once
// Clock: the time source and one-shot timers of the SIP state machines, injectable so that
// unit tests run RFC 3261 timers in simulated time (STYLE.md 4, 13).

#include <QObject>

#include <functional>
#include <map>
#include <vector>

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
    int pending() const { return m_pending; }

protected:
    void timerEvent(QTimerEvent *e) override;

private:
    // A callback's place, reused: the id carries the slot and its generation, so a stale id
    // never cancels a later timer in the same slot.
    struct Slot {
        std::function<void()> fn;
        quint32 generation = 0;
        bool active = false;
    };
    // A min-heap entry by (due, seq); cancelled timers leave theirs behind, skipped when they
    // surface and swept out when they outnumber the live ones.
    struct Entry {
        qint64 due;
        quint64 seq;
        quint32 slot;
        quint32 generation;
        bool operator>(const Entry &o) const { return due != o.due ? due > o.due : seq > o.seq; }
    };
    bool live(const Entry &e) const { return m_slots[e.slot].active && m_slots[e.slot].generation == e.generation; }
    void release(quint32 slot);
    void compact();
    void arm();

    std::vector<Slot> m_slots;
    std::vector<quint32> m_free;
    std::vector<Entry> m_heap;
    quint64 m_seq = 0;
    int m_pending = 0;
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
