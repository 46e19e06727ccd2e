#include "ladder.h"

#include "sip/parser.h"

#include <QSet>

namespace ds::diag {

Ladder buildLadder(const QList<sip::TraceEvent> &events)
{
    Ladder l;
    if (events.isEmpty())
        return l;
    auto node = [&l](const sip::Endpoint &e) {
        const QString n = e.toString();
        const int i = l.nodes.indexOf(n);
        if (i >= 0)
            return i;
        l.nodes << n;
        return int(l.nodes.size() - 1);
    };
    node(events.first().local);
    const QDateTime t0 = events.first().time;
    QSet<QByteArray> seen;
    for (const sip::TraceEvent &e : events) {
        LadderItem it;
        it.seconds = double(t0.msecsTo(e.time)) / 1000.0;
        const int local = node(e.local), remote = node(e.remote);
        it.from = e.direction == sip::TraceEvent::Direction::Out ? local : remote;
        it.to = e.direction == sip::TraceEvent::Direction::Out ? remote : local;
        it.malformed = e.malformed;
        if (e.malformed) {
            it.label = QStringLiteral("(malformed)");
            it.detail = e.error;
        } else if (auto m = sip::Parser::parse(e.raw)) {
            it.label
                = m->isRequest() ? QString::fromLatin1(m->method()) : QStringLiteral("%1 %2").arg(m->statusCode()).arg(QString::fromUtf8(m->reasonPhrase()));
            it.detail = QStringLiteral("CSeq %1").arg(QString::fromLatin1(m->header(sip::HeaderId::CSeq)));
            it.callId = QString::fromLatin1(m->callId());
        }
        // Identical bytes in the same direction again: a retransmission.
        const QByteArray key = QByteArray::number(int(e.direction)) + e.raw;
        it.retransmission = seen.contains(key);
        seen.insert(key);
        l.items.append(it);
    }
    return l;
}

QString renderTextLadder(const Ladder &ladder, const QString &localName)
{
    if (ladder.nodes.isEmpty())
        return {};
    constexpr int kWidth = 34; // columns between two lifelines
    const int n = int(ladder.nodes.size());
    auto column = [](int node) { return 10 + node * (kWidth + 1); };
    const int lineWidth = column(n - 1) + 1;
    QString out;
    QString header(lineWidth + 40, QLatin1Char(' '));
    for (int i = 0; i < n; ++i) {
        const QString name = i == 0 ? localName + QLatin1Char(' ') + ladder.nodes[0] : ladder.nodes[i];
        const int start = std::max(0, column(i) - int(name.size()) / 2);
        header.replace(start, name.size(), name);
    }
    while (header.endsWith(QLatin1Char(' ')))
        header.chop(1);
    out += header + QLatin1Char('\n');
    for (const LadderItem &it : ladder.items) {
        QString line(lineWidth, QLatin1Char(' '));
        line.replace(0, 9, QString::asprintf("%8.3f ", it.seconds));
        for (int i = 0; i < n; ++i)
            line[column(i)] = QLatin1Char('|');
        const int a = column(std::min(it.from, it.to)), b = column(std::max(it.from, it.to));
        for (int x = a + 1; x < b; ++x)
            line[x] = QLatin1Char('-');
        if (it.to > it.from)
            line[b - 1] = QLatin1Char('>');
        else
            line[a + 1] = QLatin1Char('<');
        QString label = it.label + (it.retransmission ? QStringLiteral(" (retransmission)") : QString());
        if (label.size() > b - a - 6)
            label = label.left(std::max(0, b - a - 6));
        const int pos = a + (b - a - int(label.size())) / 2;
        line.replace(pos, label.size(), label);
        out += line + QStringLiteral("  ") + it.detail + QLatin1Char('\n');
    }
    return out;
}

} // namespace ds::diag
