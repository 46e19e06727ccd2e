#include "dtmf_report.h"

#include "rfc4733.h"

#include <QByteArrayList>

#include <algorithm>
#include <cctype>

namespace ds::dtmf {

namespace {

// The digit of a key ('0'-'9', '*', '#', 'A'-'D', either case), upper case; 0 for anything else.
char keyOf(char c)
{
    if (!eventOfDigit(c))
        return 0;
    return char(std::toupper(static_cast<unsigned char>(c)));
}

QString shown(QByteArrayView line)
{
    QByteArray b = line.first(std::min<qsizetype>(line.size(), 60)).toByteArray();
    for (char &c : b)
        if (static_cast<unsigned char>(c) < 0x20 || static_cast<unsigned char>(c) >= 0x7f)
            c = '?';
    return QString::fromLatin1(b) + (line.size() > 60 ? QStringLiteral("...") : QString());
}

} // namespace

QByteArray formatReport(const DigitEvent &event)
{
    const char digit = keyOf(event.digit);
    if (!digit)
        return {};
    const int ms = std::clamp(event.durationMs, 0, kMaxReportDurationMs);
    return "DTMF " + QByteArray(1, digit) + ' ' + modeName(event.mode) + ' ' + QByteArray::number(ms) + " ms\r\n";
}

QByteArray formatReport(std::span<const DigitEvent> events)
{
    QByteArray out;
    for (const DigitEvent &e : events)
        out += formatReport(e);
    return out;
}

std::expected<QList<DigitEvent>, QString> parseReport(QByteArrayView body)
{
    if (body.size() > kMaxReportBytes)
        return std::unexpected(QStringLiteral("the report is %1 bytes, more than the %2 a DTMF report may have").arg(body.size()).arg(kMaxReportBytes));
    QList<DigitEvent> out;
    int lineNo = 0;
    qsizetype start = 0;
    while (start < body.size()) {
        qsizetype end = body.indexOf('\n', start);
        if (end < 0)
            end = body.size();
        QByteArrayView line = body.sliced(start, end - start);
        start = end + 1;
        ++lineNo;
        if (line.endsWith('\r'))
            line.chop(1);
        line = line.trimmed();
        if (line.isEmpty())
            continue;
        if (out.size() >= kMaxReportLines)
            return std::unexpected(QStringLiteral("the report has more than %1 digits").arg(kMaxReportLines));
        const auto bad = [&](const QString &why) {
            return std::unexpected(QStringLiteral("line %1 (\"%2\") is not a DTMF report line: %3").arg(QString::number(lineNo), shown(line), why));
        };
        // "DTMF <digit> <mode> <ms> ms", single spaces or tabs between the fields.
        const QList<QByteArray> f = line.toByteArray().simplified().split(' ');
        if (f.size() != 5 || f[0] != "DTMF" || f[4] != "ms")
            return bad(QStringLiteral("expected \"DTMF <digit> <mode> <duration> ms\""));
        if (f[1].size() != 1 || !keyOf(f[1][0]))
            return bad(QStringLiteral("\"%1\" is not a DTMF key (0-9 * # A-D)").arg(shown(f[1])));
        const auto mode = modeFromName(QString::fromLatin1(f[2]));
        if (!mode || f[2] != modeName(*mode)) // exactly as modeName() writes it
            return bad(QStringLiteral("\"%1\" is not a DTMF mode (rfc4733, inband, info)").arg(shown(f[2])));
        bool ok = false;
        const int ms = f[3].size() <= 6 && std::all_of(f[3].begin(), f[3].end(), [](char c) { return c >= '0' && c <= '9'; }) ? f[3].toInt(&ok) : -1;
        if (!ok || ms < 0 || ms > kMaxReportDurationMs)
            return bad(QStringLiteral("the duration must be 0 to %1 ms").arg(kMaxReportDurationMs));
        DigitEvent e;
        e.digit = keyOf(f[1][0]);
        e.mode = *mode;
        e.dir = Direction::Out;
        e.durationMs = ms;
        out.append(e);
    }
    if (out.isEmpty())
        return std::unexpected(QStringLiteral("the report is empty"));
    return out;
}

bool isReportContentType(QByteArrayView contentType)
{
    QByteArrayView type = contentType;
    if (const qsizetype semi = type.indexOf(';'); semi >= 0)
        type = type.first(semi);
    return type.trimmed().compare(kReportContentType, Qt::CaseInsensitive) == 0;
}

} // namespace ds::dtmf
