#include "clock.h"

#include <QDateTime>
#include <QElapsedTimer>
#include <QTimerEvent>

#include <algorithm>
#include <functional>

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
    quint32 slot;
    if (!m_free.empty()) {
        slot = m_free.back();
        m_free.pop_back();
    } else {
        slot = quint32(m_slots.size());
        m_slots.emplace_back();
    }
    Slot &s = m_slots[slot];
    s.fn = std::move(fn);
    s.active = true;
    ++s.generation;
    const qint64 due = nowMs() + std::max<qint64>(0, delayMs);
    m_heap.push_back({due, m_seq++, slot, s.generation});
    std::push_heap(m_heap.begin(), m_heap.end(), std::greater<> {});
    ++m_pending;
    if (due < m_armedFor || m_armedFor < 0)
        arm();
    return (TimerId(s.generation) << 32) | (slot + 1);
}

void SystemClock::release(quint32 slot)
{
    Slot &s = m_slots[slot];
    s.active = false;
    s.fn = nullptr;
    m_free.push_back(slot);
    --m_pending;
}

void SystemClock::cancel(TimerId id)
{
    const quint64 low = id & 0xffffffffu;
    if (low == 0 || low > m_slots.size())
        return;
    const quint32 slot = quint32(low - 1);
    if (!m_slots[slot].active || m_slots[slot].generation != quint32(id >> 32))
        return;
    release(slot);
    // Its heap entry stays until it surfaces; sweep them out when they dominate the heap (the
    // 32 s transaction timeouts are nearly all cancelled long before they are due).
    if (m_heap.size() > 1024 && m_heap.size() > 4 * size_t(m_pending))
        compact();
}

void SystemClock::compact()
{
    std::erase_if(m_heap, [this](const Entry &e) { return !live(e); });
    std::make_heap(m_heap.begin(), m_heap.end(), std::greater<> {});
}

void SystemClock::arm()
{
    while (!m_heap.empty() && !live(m_heap.front())) {
        std::pop_heap(m_heap.begin(), m_heap.end(), std::greater<> {});
        m_heap.pop_back();
    }
    const qint64 due = m_heap.empty() ? -1 : m_heap.front().due;
    if (due >= 0 && due == m_armedFor && m_qtTimer)
        return; // already armed for it (a Qt timer repeats: it is re-armed after each round)
    if (m_qtTimer)
        killTimer(m_qtTimer);
    m_qtTimer = 0;
    m_armedFor = due;
    if (due >= 0)
        m_qtTimer = startTimer(std::chrono::milliseconds(std::max<qint64>(0, due - nowMs())), Qt::PreciseTimer);
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
    const quint64 round = m_seq;
    std::vector<Entry> later;
    while (!m_heap.empty() && m_heap.front().due <= now) {
        std::pop_heap(m_heap.begin(), m_heap.end(), std::greater<> {});
        const Entry entry = m_heap.back();
        m_heap.pop_back();
        if (!live(entry))
            continue;
        if (entry.seq >= round) {
            later.push_back(entry);
            continue;
        }
        auto fn = std::move(m_slots[entry.slot].fn);
        release(entry.slot);
        fn();
    }
    for (const Entry &entry : later) {
        m_heap.push_back(entry);
        std::push_heap(m_heap.begin(), m_heap.end(), std::greater<> {});
    }
    m_armedFor = -1;
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
