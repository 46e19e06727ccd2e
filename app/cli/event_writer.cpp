#include "event_writer.h"

#include <QJsonDocument>

namespace ds::cli {

void EventWriter::event(const QString &kind, QJsonObject fields)
{
    if (!m_json)
        return;
    fields.insert(QStringLiteral("event"), kind);
    fields.insert(QStringLiteral("t"), double(m_start.nsecsElapsed() / 1000) / 1e6);
    const QByteArray line = QJsonDocument(fields).toJson(QJsonDocument::Compact);
    std::fwrite(line.constData(), 1, size_t(line.size()), stdout);
    std::fputc('\n', stdout);
    std::fflush(stdout);
}

void EventWriter::line(const QByteArray &json)
{
    if (!m_json)
        return;
    std::fwrite(json.constData(), 1, size_t(json.size()), stdout);
    std::fputc('\n', stdout);
}

void EventWriter::text(const QString &line)
{
    if (m_json)
        return;
    const QByteArray b = line.toUtf8();
    std::fwrite(b.constData(), 1, size_t(b.size()), stdout);
    std::fputc('\n', stdout);
    std::fflush(stdout);
}

void EventWriter::error(const QString &line)
{
    const QByteArray b = line.toUtf8();
    std::fwrite(b.constData(), 1, size_t(b.size()), stderr);
    std::fputc('\n', stderr);
    std::fflush(stderr);
}

} // namespace ds::cli
