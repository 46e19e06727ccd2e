#pragma once
// EventWriter: the command line's output — JSON Lines events (ARCHITECTURE.md, --json), each
// flushed as it happens with "event" and "t", or the same facts as plain text for people.

#include <QElapsedTimer>
#include <QJsonObject>
#include <QString>

#include <cstdio>

namespace ds::cli {

class EventWriter {
public:
    explicit EventWriter(bool json)
        : m_json(json)
    {
        m_start.start();
    }
    bool json() const { return m_json; }
    // One JSON event (only in --json mode).
    void event(const QString &kind, QJsonObject fields);
    // A line for people (only without --json), to stdout.
    void text(const QString &line);
    // A line to stderr in both modes (warnings, usage errors).
    static void error(const QString &line);

private:
    bool m_json;
    QElapsedTimer m_start;
};

} // namespace ds::cli
