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
    // An event already written as one JSON object, "event" and "t" included (only in --json mode).
    // Not flushed line by line: for bulk output such as a capture's calls.
    void line(const QByteArray &json);
    double elapsed() const { return double(m_start.nsecsElapsed() / 1000) / 1e6; }
    // A line for people (only without --json), to stdout.
    void text(const QString &line);
    // A line to stderr in both modes (warnings, usage errors).
    static void error(const QString &line);

private:
    bool m_json;
    QElapsedTimer m_start;
};

} // namespace ds::cli
