#include "ladder_text.h"

#include <QStringList>

namespace ds::diag {

QString renderTextLadder(const LadderModel &model, const TextLadderOptions &options)
{
    const int n = model.columnCount();
    if (n == 0)
        return {};
    const int gap = std::max(12, options.gap);
    constexpr int kTimeWidth = 11; // "  12.345678 "
    // The titles as printed, the unsolicited lane's mark included.
    QStringList titles;
    for (int c = 0; c < n; ++c)
        titles << model.column(c).title() + (model.column(c).unsolicited ? QStringLiteral(" (unsolicited)") : QString());
    // Column x positions: wide enough for every title to be centred on its lifeline.
    QList<int> x;
    int pos = kTimeWidth + std::max(gap / 2, int(titles[0].size()) / 2 + 1);
    for (int c = 0; c < n; ++c) {
        if (c > 0)
            pos += std::max(gap, int(titles[c - 1].size() + titles[c].size()) / 2 + 2);
        x << pos;
    }
    const int width = x.last() + 1;
    QString out;
    QString header(width + 40, QLatin1Char(' '));
    for (int c = 0; c < n; ++c) {
        const QString &title = titles[c];
        const int start = std::max(0, x[c] - int(title.size()) / 2);
        if (start + title.size() > header.size())
            header.resize(start + title.size(), QLatin1Char(' '));
        header.replace(start, title.size(), title);
    }
    while (header.endsWith(QLatin1Char(' ')))
        header.chop(1);
    out += header + QLatin1Char('\n');
    const int rows = options.maxRows < 0 ? model.rowCount() : std::min(options.maxRows, model.rowCount());
    for (int row = 0; row < rows; ++row) {
        const quint32 m = model.messageAt(row);
        const MessageRecord &r = model.store().record(m);
        QString line(width, QLatin1Char(' '));
        const QString time = QString::asprintf("%10.3f ", model.seconds(m));
        line.replace(0, time.size(), time);
        for (int c = 0; c < n; ++c)
            line[x[c]] = QLatin1Char('|');
        const int from = model.fromColumn(m), to = model.toColumn(m);
        const int a = x[std::min(from, to)], b = x[std::max(from, to)];
        if (from == to) { // to itself (a UA calling itself through loopback)
            line[a] = QLatin1Char('O');
        } else {
            const QChar dash = r.is(MessageRecord::Retransmission) ? QLatin1Char('.') : QLatin1Char('-');
            for (int k = a + 1; k < b; ++k)
                line[k] = dash;
            if (to > from)
                line[b - 1] = QLatin1Char('>');
            else
                line[a + 1] = QLatin1Char('<');
            QString label = model.shortLabel(m);
            const int room = b - a - 5;
            if (label.size() > room)
                label = label.left(std::max(0, room - 1)) + QChar(u'~');
            const int at = a + (b - a - int(label.size())) / 2;
            line.replace(at, label.size(), label);
        }
        if (options.details) {
            QStringList extra {model.detail(m)};
            const QString notes = model.annotations(m);
            if (!notes.isEmpty())
                extra << notes;
            line += QStringLiteral("  ") + extra.join(QStringLiteral(", "));
        }
        while (line.endsWith(QLatin1Char(' ')))
            line.chop(1);
        out += line + QLatin1Char('\n');
    }
    return out;
}

} // namespace ds::diag
