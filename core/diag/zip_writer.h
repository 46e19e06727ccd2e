#pragma once
// ZipWriter: a ZIP archive of stored (uncompressed) entries (PKWARE APPNOTE 4.3), enough to
// hand a ticket one file holding a call's capture, recordings, timeline and ladder. No ZIP64:
// entries and the archive stay under 4 GiB.

#include <QDateTime>
#include <QIODevice>
#include <QList>
#include <QString>

namespace ds::diag {

class ZipWriter {
public:
    explicit ZipWriter(QIODevice &out);
    // Adds one file; names use '/' and must be relative. False when the write failed or the
    // entry does not fit the format.
    bool add(const QString &name, QByteArrayView data, const QDateTime &modified = QDateTime::currentDateTime());
    // Writes the central directory; the archive is complete after it.
    bool finish();
    QString errorString() const { return m_error; }

private:
    struct Entry {
        QByteArray name;
        quint32 crc = 0;
        quint32 size = 0;
        quint32 offset = 0;
        quint16 time = 0, date = 0;
    };
    bool put(QByteArrayView bytes);

    QIODevice &m_out;
    QList<Entry> m_entries;
    quint64 m_offset = 0;
    QString m_error;
};

quint32 crc32(QByteArrayView data, quint32 crc = 0); // IEEE 802.3, as ZIP and PNG use

} // namespace ds::diag
