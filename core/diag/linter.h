#pragma once
// Linter: validates one SIP message against RFC 3261 and explains each problem in a sentence
// a person can act on (missing mandatory header, CSeq method mismatch, bad Content-Length,
// malformed Via...). `dialscope lint` prints what it finds.

#include <QByteArray>
#include <QList>
#include <QString>

namespace ds::diag {

struct LintProblem {
    enum class Severity { Error, Warning };
    Severity severity = Severity::Error;
    int line = 0; // 1-based, 0 when not tied to a line
    QString header; // the header concerned, empty for start line or body
    QString text; // one sentence
};

struct LintReport {
    QList<LintProblem> problems;
    QString summary; // "INVITE request" / "200 OK response"
    bool valid() const;
};

LintReport lintMessage(const QByteArray &bytes);

} // namespace ds::diag
