#pragma once
// Error: what was wrong with media input that came from outside (a file, a peer), and where.

#include <QString>

namespace ds::media {

struct Error {
    QString what; // one plain sentence: "data chunk truncated: header says 96000 bytes, file has 1000"
    qint64 offset = -1; // byte offset in the file where the problem is, -1 when not tied to one

    QString toString() const { return offset >= 0 ? QStringLiteral("offset %1: %2").arg(offset).arg(what) : what; }
};

// An error from the file layer as one sentence that names the file (once).
inline Error named(const QString &path, Error e)
{
    if (!e.what.contains(path))
        e.what = QStringLiteral("%1: %2").arg(path, e.what);
    return e;
}

} // namespace ds::media
