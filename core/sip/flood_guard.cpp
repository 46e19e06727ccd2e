#include "flood_guard.h"

#include <algorithm>

namespace ds::sip {

namespace {

QString seconds(qint64 ms) { return QString::number(double(ms) / 1000.0, 'f', ms < 10000 ? 2 : 0); }

QString addressText(const QHostAddress &a)
{
    bool v4 = false;
    const quint32 ip = a.toIPv4Address(&v4);
    return v4 ? QHostAddress(ip).toString() : a.toString();
}

} // namespace

FloodGuard::FloodGuard(Clock &clock, Limits limits)
    : m_clock(clock)
    , m_limits(limits)
{
}

FloodGuard::~FloodGuard()
{
    for (const Source &s : std::as_const(m_sources))
        if (s.quietTimer)
            m_clock.cancel(s.quietTimer);
}

bool FloodGuard::isTrusted(const QHostAddress &address) const
{
    return std::any_of(m_trusted.begin(), m_trusted.end(), [&](const QHostAddress &t) { return t.isEqual(address, QHostAddress::TolerantConversion); });
}

void FloodGuard::refill(Source &s, qint64 now) const
{
    // perSecond tokens a second: perSecond milli-tokens a millisecond.
    const qint64 full = qint64(m_limits.burst) * 1000;
    s.milliTokens = std::min(full, s.milliTokens + std::max<qint64>(0, now - s.refilledAt) * m_limits.perSecond);
    s.refilledAt = now;
}

FloodGuard::Source &FloodGuard::sourceFor(const QHostAddress &address, qint64 now)
{
    auto it = m_sources.find(address);
    if (it != m_sources.end())
        return *it;
    if (m_sources.size() >= std::max(1, m_limits.maxSources))
        evictOne();
    Source s;
    s.milliTokens = qint64(m_limits.burst) * 1000;
    s.refilledAt = now;
    return *m_sources.insert(address, s);
}

void FloodGuard::evictOne()
{
    // Forget a quiet source first (the one heard least recently); only when every remembered
    // source floods does one of them go, and then it starts afresh if it comes back.
    auto victim = m_sources.end();
    for (auto it = m_sources.begin(); it != m_sources.end(); ++it) {
        if (victim == m_sources.end() || (victim->flooding && !it->flooding) || (victim->flooding == it->flooding && it->lastSeen < victim->lastSeen))
            victim = it;
    }
    if (victim == m_sources.end())
        return;
    if (victim->quietTimer)
        m_clock.cancel(victim->quietTimer);
    m_sources.erase(victim);
}

bool FloodGuard::admit(const QHostAddress &source)
{
    if (isTrusted(source))
        return true;
    const qint64 now = m_clock.nowMs();
    Source &s = sourceFor(source, now);
    s.lastSeen = now;
    if (s.flooding) {
        ++s.ignored;
        ++m_ignored;
        return false;
    }
    refill(s, now);
    if (s.milliTokens >= qint64(m_limits.burst) * 1000 || s.episodeMessages == 0) {
        s.episodeStart = now; // a source that was quiet long enough starts a new count
        s.episodeMessages = 0;
    }
    ++s.episodeMessages;
    if (s.milliTokens >= 1000) {
        s.milliTokens -= 1000;
        return true;
    }
    startFlood(source, s, now);
    ++s.ignored;
    ++m_ignored;
    return false;
}

void FloodGuard::startFlood(const QHostAddress &address, Source &s, qint64 now)
{
    s.flooding = true;
    s.floodStart = now;
    s.ignored = 0;
    if (onReport)
        onReport({Report::Kind::Started, address, s.episodeMessages, now - s.episodeStart,
            QStringLiteral("flood from %1: %2 requests in %3 s, ignoring until it stops")
                .arg(addressText(address))
                .arg(s.episodeMessages)
                .arg(seconds(now - s.episodeStart))});
    s.quietTimer = m_clock.schedule(m_limits.quietMs, [this, address] { checkQuiet(address); });
}

void FloodGuard::checkQuiet(const QHostAddress &address)
{
    auto it = m_sources.find(address);
    if (it == m_sources.end())
        return;
    it->quietTimer = 0;
    const qint64 now = m_clock.nowMs();
    const qint64 silent = now - it->lastSeen;
    if (silent < m_limits.quietMs) {
        it->quietTimer = m_clock.schedule(m_limits.quietMs - silent, [this, address] { checkQuiet(address); });
        return;
    }
    const Report r {Report::Kind::Ended, address, it->ignored, it->lastSeen - it->floodStart,
        QStringLiteral("flood from %1 stopped: ignored %2 requests over %3 s")
            .arg(addressText(address))
            .arg(it->ignored)
            .arg(seconds(it->lastSeen - it->floodStart))};
    m_sources.erase(it); // it starts afresh, with a full budget, if it comes back
    if (onReport)
        onReport(r);
}

bool FloodGuard::isFlooding(const QHostAddress &source) const
{
    auto it = m_sources.constFind(source);
    return it != m_sources.constEnd() && it->flooding;
}

int FloodGuard::floodingSources() const
{
    return int(std::count_if(m_sources.cbegin(), m_sources.cend(), [](const Source &s) { return s.flooding; }));
}

} // namespace ds::sip
