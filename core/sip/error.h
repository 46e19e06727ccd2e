#pragma once
// Error: what was wrong with input that came from outside (bytes, files, peers), and where.

#include <QByteArray>
#include <QString>

namespace ds::sip {

struct Error {
    QString what; // one plain sentence: "Content-Length says 300 bytes but the body has 150"
    int line = 0; // 1-based line of the message where the problem is, 0 when not tied to a line
    int column = 0; // 1-based column, 0 when unknown
    QByteArray header; // the header field concerned ("CSeq"), empty for the start line or body

    QString toString() const
    {
        QString s;
        if (line > 0)
            s += column > 0 ? QStringLiteral("line %1, column %2: ").arg(line).arg(column) : QStringLiteral("line %1: ").arg(line);
        return s + what;
    }
};

} // namespace ds::sip
