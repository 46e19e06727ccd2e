#pragma once
// JsonFile: one small JSON document on disk for a store (call history, contacts) — read once, written
// atomically (QSaveFile) a moment after each change; a file that cannot be read is set aside as
// *.corrupt and never overwritten.

#include <QJsonObject>
#include <QObject>
#include <QString>
#include <QTimer>

#include <expected>
#include <functional>
#include <optional>

namespace ds::phone {

class JsonFile final : public QObject {
    Q_OBJECT
public:
    static constexpr int kWriteDelayMs = 200; // changes in a burst (clear, several calls ending) give one write

    // snapshot: the document to write, asked for at each write. maxBytes bounds what read() accepts.
    JsonFile(QString fileName, qint64 maxBytes, std::function<QJsonObject()> snapshot, QObject *parent = nullptr);
    ~JsonFile() override; // writes what is pending

    QString fileName() const { return m_fileName; }

    // The document: nullopt when there is no file yet; an error when it cannot be read, is larger
    // than maxBytes or is not a JSON object (line and column of the fault). The file is left as it is:
    // the caller validates the content too, then calls setAside() on any error.
    std::expected<std::optional<QJsonObject>, QString> read() const;
    // Renames the file to <name>.corrupt (or <name>.N.corrupt when that exists) and returns the
    // sentence to append to the error. When it cannot be renamed, writing stops for this session
    // (so the file is never overwritten) and the sentence says so.
    QString setAside();

    // A change happened: write soon.
    void scheduleWrite();
    // Writes now if a write is pending; the error when the file could not be written.
    std::expected<void, QString> flush();
    bool writable() const { return m_writable; }

signals:
    void writeFailed(const QString &error);

private:
    std::expected<void, QString> write();

    QString m_fileName;
    qint64 m_maxBytes;
    std::function<QJsonObject()> m_snapshot;
    QTimer m_timer;
    bool m_pending = false;
    bool m_writable = true;
};

} // namespace ds::phone
