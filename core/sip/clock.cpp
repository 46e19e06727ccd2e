#include "clock.h"

#include <QDateTime>
#include <QElapsedTimer>
#include <QTimerEvent>

namespace ds::sip {

SystemClock::SystemClock(QObject *parent)
    : QObject(parent)
{
}

qint64 SystemClock::nowMs() const
{
    static QElapsedTimer monotonic = [] {
        QElapsedTimer t;
        t.start();
        return t;
    }();
    return monotonic.elapsed();
}

Clock::TimerId SystemClock::schedule(qint64 delayMs, std::function<void()> fn)
{
    const int id = startTimer(std::chrono::milliseconds(std::max<qint64>(0, delayMs)), Qt::PreciseTimer);
    m_timers.emplace(id, std::move(fn));
    return TimerId(id);
}

void SystemClock::cancel(TimerId id)
{
    auto it = m_timers.find(int(id));
    if (it == m_timers.end())
        return;
    killTimer(it->first);
    m_timers.erase(it);
}

void SystemClock::timerEvent(QTimerEvent *e)
{
    auto it = m_timers.find(e->timerId());
    killTimer(e->timerId());
    if (it == m_timers.end())
        return;
    auto fn = std::move(it->second);
    m_timers.erase(it);
    fn();
}

Clock::TimerId SimulatedClock::schedule(qint64 delayMs, std::function<void()> fn)
{
    const TimerId id = m_next++;
    m_timers.emplace(id, Entry {m_now + std::max<qint64>(0, delayMs), std::move(fn)});
    return id;
}

void SimulatedClock::cancel(TimerId id) { m_timers.erase(id); }

bool SimulatedClock::fireNext()
{
    if (m_timers.empty())
        return false;
    auto best = m_timers.begin();
    for (auto it = m_timers.begin(); it != m_timers.end(); ++it)
        if (it->second.due < best->second.due)
            best = it;
    m_now = std::max(m_now, best->second.due);
    auto fn = std::move(best->second.fn);
    m_timers.erase(best);
    fn();
    return true;
}

void SimulatedClock::advance(qint64 ms)
{
    const qint64 target = m_now + ms;
    while (true) {
        auto best = m_timers.end();
        for (auto it = m_timers.begin(); it != m_timers.end(); ++it)
            if (it->second.due <= target && (best == m_timers.end() || it->second.due < best->second.due))
                best = it;
        if (best == m_timers.end())
            break;
        m_now = best->second.due;
        auto fn = std::move(best->second.fn);
        m_timers.erase(best);
        fn();
    }
    m_now = target;
}

} // namespace ds::sip
