#pragma once
// FloodGuard: a budget of messages per source address (a token bucket), so that a scanner or a
// flood from one address is ignored once it exceeds the budget — reported once when it starts and
// once when it stops, never once per packet — while trusted addresses (the registrar/proxy) are
// never limited. Bounded: it remembers at most Limits::maxSources addresses. Past its budget a
// source gets no answer at all, not even a stateless 503: over UDP the source may be forged, and
// answering would make us the reflector of someone else's flood; a scanner learns from any answer.

#include "clock.h"

#include <QHash>
#include <QHostAddress>
#include <QList>
#include <QString>

#include <functional>

namespace ds::sip {

struct FloodLimits {
    int burst = 64; // messages a source may send at once...
    int perSecond = 20; // ...and then every second
    qint64 quietMs = 3000; // a flood is over once its source has been silent this long
    int maxSources = 1024; // addresses remembered; the least recently heard is forgotten first
};

class FloodGuard {
public:
    using Limits = FloodLimits;

    struct Report {
        enum class Kind { Started, Ended };
        Kind kind = Kind::Started;
        QHostAddress source;
        quint64 messages = 0; // Started: the messages that ran the budget out; Ended: those ignored
        qint64 ms = 0; // over how long
        QString text; // one line for the log
    };

    explicit FloodGuard(Clock &clock, Limits limits = {});
    ~FloodGuard();
    FloodGuard(const FloodGuard &) = delete;
    FloodGuard &operator=(const FloodGuard &) = delete;

    void setLimits(Limits limits) { m_limits = limits; }
    const Limits &limits() const { return m_limits; }
    // Addresses that are never limited nor counted (the registrar / outbound proxy).
    void setTrusted(QList<QHostAddress> addresses) { m_trusted = std::move(addresses); }
    bool isTrusted(const QHostAddress &address) const;

    // Counts one message from source: false when it is to be ignored (the source floods).
    bool admit(const QHostAddress &source);

    bool isFlooding(const QHostAddress &source) const;
    int floodingSources() const;
    qsizetype trackedSources() const { return m_sources.size(); }
    quint64 ignored() const { return m_ignored; } // messages ignored since the start

    // Called when a flood starts and when it ends.
    std::function<void(const Report &)> onReport;

private:
    struct Source {
        qint64 milliTokens = 0; // 1000 per message the source may still send
        qint64 refilledAt = 0;
        qint64 episodeStart = 0; // first message since the bucket was last full
        quint64 episodeMessages = 0;
        qint64 lastSeen = 0;
        bool flooding = false;
        qint64 floodStart = 0;
        quint64 ignored = 0;
        Clock::TimerId quietTimer = 0;
    };
    Source &sourceFor(const QHostAddress &address, qint64 now);
    void refill(Source &s, qint64 now) const;
    void startFlood(const QHostAddress &address, Source &s, qint64 now);
    void checkQuiet(const QHostAddress &address);
    void evictOne();

    Clock &m_clock;
    Limits m_limits;
    QList<QHostAddress> m_trusted;
    QHash<QHostAddress, Source> m_sources;
    quint64 m_ignored = 0;
};

} // namespace ds::sip
