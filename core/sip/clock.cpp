#include "clock.h"

#include <QDateTime>
#include <QElapsedTimer>
#include <QTimerEvent>

#include <algorithm>

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
    const TimerId id = m_next++;
    const qint64 due = nowMs() + std::max<qint64>(0, delayMs);
    m_queue.emplace(std::pair {due, id}, std::move(fn));
    m_due.emplace(id, due);
    if (due < m_armedFor || m_armedFor < 0)
        arm();
    return id;
}

void SystemClock::cancel(TimerId id)
{
    const auto it = m_due.find(id);
    if (it == m_due.end())
        return;
    m_queue.erase({it->second, id});
    m_due.erase(it);
    // A Qt timer armed for a cancelled time just fires early and re-arms: cheaper than re-arming now.
}

void SystemClock::arm()
{
    if (m_qtTimer)
        killTimer(m_qtTimer);
    m_qtTimer = 0;
    m_armedFor = -1;
    if (m_queue.empty())
        return;
    m_armedFor = m_queue.begin()->first.first;
    m_qtTimer = startTimer(std::chrono::milliseconds(std::max<qint64>(0, m_armedFor - nowMs())), Qt::PreciseTimer);
}

void SystemClock::timerEvent(QTimerEvent *e)
{
    if (e->timerId() != m_qtTimer) {
        killTimer(e->timerId()); // a stale one
        return;
    }
    // Fire what is due, in order; timers scheduled by the callbacks wait for the next round even
    // when already due, so a callback that reschedules itself at once cannot starve the loop.
    const qint64 now = nowMs();
    const TimerId last = m_next;
    while (!m_queue.empty()) {
        auto it = m_queue.begin();
        if (it->first.first > now)
            break;
        auto next = std::find_if(it, m_queue.end(), [&](const auto &entry) { return entry.first.first > now || entry.first.second < last; });
        if (next == m_queue.end() || next->first.first > now)
            break;
        const TimerId id = next->first.second;
        auto fn = std::move(next->second);
        m_queue.erase(next);
        m_due.erase(id);
        fn();
    }
    arm();
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
