// `dialscope lint FILE`: validates one SIP message and explains each problem (ARCHITECTURE.md).

#include "commands.h"
#include "event_writer.h"

#include "diag/linter.h"

#include <QCommandLineParser>
#include <QFile>
#include <QJsonArray>

#include <cstdio>

namespace ds::cli {

int runLint(const QStringList &args)
{
    QCommandLineParser p;
    p.setApplicationDescription(QStringLiteral("Validates one SIP message and explains each problem."));
    p.addPositionalArgument(QStringLiteral("FILE"), QStringLiteral("file holding one SIP message, or - for standard input"));
    p.addOption({QStringLiteral("json"), QStringLiteral("Print the findings as JSON Lines.")});
    p.addOption({{QStringLiteral("h"), QStringLiteral("help")}, QStringLiteral("Show this help.")});
    if (!p.parse(QStringList {QStringLiteral("dialscope lint")} + args)) {
        EventWriter::error(QStringLiteral("dialscope lint: %1").arg(p.errorText()));
        return ExitUsage;
    }
    if (p.isSet(QStringLiteral("help"))) {
        std::fputs(qPrintable(p.helpText()), stdout);
        return ExitOk;
    }
    if (p.positionalArguments().size() != 1) {
        EventWriter::error(QStringLiteral("dialscope lint: give exactly one FILE (or - for standard input)"));
        return ExitUsage;
    }
    const QString path = p.positionalArguments().first();
    constexpr qint64 kMax = 1 << 20; // a SIP message is never anywhere near 1 MiB
    QFile f;
    const bool opened = path == QLatin1String("-") ? f.open(stdin, QIODevice::ReadOnly) : (f.setFileName(path), f.open(QIODevice::ReadOnly));
    if (!opened) {
        EventWriter::error(QStringLiteral("dialscope lint: cannot read \"%1\": %2").arg(path, f.errorString()));
        return ExitUsage;
    }
    const QByteArray bytes = f.read(kMax + 1);
    if (bytes.size() > kMax) {
        EventWriter::error(QStringLiteral("dialscope lint: \"%1\" is larger than 1 MiB; it is not one SIP message").arg(path));
        return ExitUsage;
    }
    const diag::LintReport report = diag::lintMessage(bytes);
    EventWriter out(p.isSet(QStringLiteral("json")));
    for (const diag::LintProblem &pr : report.problems) {
        const QString sev = pr.severity == diag::LintProblem::Severity::Error ? QStringLiteral("error") : QStringLiteral("warning");
        out.event(QStringLiteral("finding"),
            {{QStringLiteral("severity"), sev}, {QStringLiteral("line"), pr.line}, {QStringLiteral("header"), pr.header}, {QStringLiteral("text"), pr.text}});
        out.text(QStringLiteral("%1:%2: %3: %4").arg(path == QLatin1String("-") ? QStringLiteral("<stdin>") : path).arg(pr.line).arg(sev, pr.text));
    }
    const bool valid = report.valid();
    out.event(QStringLiteral("result"),
        {{QStringLiteral("outcome"), valid ? QStringLiteral("valid") : QStringLiteral("invalid")}, {QStringLiteral("reason"), report.summary},
            {QStringLiteral("problems"), int(report.problems.size())}});
    out.text(valid ? QStringLiteral("valid %1").arg(report.summary) : QStringLiteral("invalid %1").arg(report.summary));
    return valid ? ExitOk : ExitRefused;
}

} // namespace ds::cli
