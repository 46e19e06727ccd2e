#pragma once
// Clock: the time source and one-shot timers of the SIP state machines, injectable so that
// unit tests run RFC 3261 timers in simulated time (STYLE.md 4, 13).

#include <QObject>

#include <functional>
#include <map>

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

// SystemClock: real time on the Qt event loop of the thread that owns it.
class SystemClock final : public QObject, public Clock {
    Q_OBJECT
public:
    explicit SystemClock(QObject *parent = nullptr);
    qint64 nowMs() const override;
    TimerId schedule(qint64 delayMs, std::function<void()> fn) override;
    void cancel(TimerId id) override;

protected:
    void timerEvent(QTimerEvent *e) override;

private:
    std::map<int, std::function<void()>> m_timers; // Qt timer id -> callback
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
