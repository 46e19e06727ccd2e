#include "ladder_html.h"

namespace ds::diag {

namespace {

constexpr int kColumnWidth = 200;
constexpr int kRowHeight = 34;
constexpr int kTimeWidth = 90;
constexpr int kHeaderHeight = 44;

QString esc(const QString &s) { return s.toHtmlEscaped(); }

QString escRaw(QByteArrayView raw)
{
    // Bytes that are not UTF-8 show as U+FFFD; the page never carries raw control bytes.
    QString s = QString::fromUtf8(raw);
    for (QChar &c : s)
        if (c.unicode() < 0x20 && c != QLatin1Char('\n') && c != QLatin1Char('\t') && c != QLatin1Char('\r'))
            c = QChar(0xfffd);
    return s.remove(QLatin1Char('\r')).toHtmlEscaped();
}

} // namespace

QByteArray renderHtmlLadder(const LadderModel &model, const QString &title, int maxRows)
{
    const int rows = std::min(model.rowCount(), std::max(0, maxRows));
    const int columns = model.columnCount();
    const int width = kTimeWidth + std::max(1, columns) * kColumnWidth;
    const int height = kHeaderHeight + rows * kRowHeight + 20;
    const TraceStore &store = model.store();
    auto x = [](int column) { return kTimeWidth + column * kColumnWidth + kColumnWidth / 2; };

    QString svg;
    svg += QStringLiteral("<svg xmlns='http://www.w3.org/2000/svg' width='%1' height='%2' font-family='sans-serif' font-size='12'>").arg(width).arg(height);
    for (int c = 0; c < columns; ++c) {
        const LadderColumn &col = model.column(c);
        svg += QStringLiteral("<line x1='%1' y1='%2' x2='%1' y2='%3' class='life%4'/>")
                   .arg(x(c))
                   .arg(kHeaderHeight - 8)
                   .arg(height)
                   .arg(col.unsolicited ? QStringLiteral(" unsolicited") : QString());
        svg += QStringLiteral("<text x='%1' y='16' text-anchor='middle' font-weight='bold'>%2</text>")
                   .arg(x(c))
                   .arg(esc(col.name.isEmpty() ? col.address : col.name));
        if (!col.name.isEmpty())
            svg += QStringLiteral("<text x='%1' y='30' text-anchor='middle' class='addr'>%2</text>").arg(x(c)).arg(esc(col.address));
    }
    for (int row = 0; row < rows; ++row) {
        const quint32 m = model.messageAt(row);
        const MessageRecord &r = store.record(m);
        const int y = kHeaderHeight + row * kRowHeight + 22;
        const int from = model.fromColumn(m), to = model.toColumn(m);
        QString cls = r.is(MessageRecord::Request) ? QStringLiteral("req") : r.status >= 400 ? QStringLiteral("err") : QStringLiteral("resp");
        if (r.is(MessageRecord::Retransmission))
            cls += QStringLiteral(" retr");
        svg += QStringLiteral("<g class='msg %1' data-m='%2'><title>%3</title>")
                   .arg(cls)
                   .arg(m)
                   .arg(esc(model.label(m) + QStringLiteral("\n") + model.detail(m)));
        svg += QStringLiteral("<rect x='0' y='%1' width='%2' height='%3' class='hit'/>").arg(y - 22).arg(width).arg(kRowHeight);
        svg += QStringLiteral("<text x='4' y='%1' class='time'>%2</text>").arg(y).arg(model.seconds(m), 0, 'f', 3);
        const int x1 = x(from), x2 = x(to);
        if (from == to) {
            svg += QStringLiteral("<path d='M%1 %2 h30 v8 h-30' class='arrow' marker-end='url(#head)'/>").arg(x1).arg(y - 4);
        } else {
            svg += QStringLiteral("<line x1='%1' y1='%2' x2='%3' y2='%2' class='arrow' marker-end='url(#head)'/>").arg(x1).arg(y).arg(x2 + (x2 > x1 ? -2 : 2));
        }
        const int mid = (x1 + x2) / 2 + (from == to ? 60 : 0);
        svg += QStringLiteral("<text x='%1' y='%2' text-anchor='middle' class='label'>%3</text>").arg(mid).arg(y - 5).arg(esc(model.shortLabel(m)));
        const QString notes = model.annotations(m);
        if (!notes.isEmpty())
            svg += QStringLiteral("<text x='%1' y='%2' text-anchor='middle' class='note'>%3</text>").arg(mid).arg(y + 11).arg(esc(notes.left(60)));
        svg += QStringLiteral("</g>");
    }
    svg += QStringLiteral("<defs><marker id='head' markerWidth='10' markerHeight='8' refX='9' refY='4' orient='auto'><path d='M0,0 L10,4 L0,8 z' "
                          "fill='context-stroke'/></marker></defs></svg>");

    QString raws;
    for (int row = 0; row < rows; ++row) {
        const quint32 m = model.messageAt(row);
        const MessageRecord &r = store.record(m);
        raws += QStringLiteral("<pre id='m%1' hidden><b>%2 %3 %4 → %5</b>\n%6</pre>")
                    .arg(m)
                    .arg(model.seconds(m), 0, 'f', 6)
                    .arg(QString::fromLatin1(sip::transportName(sip::TransportKind(r.transport))), esc(store.endpoint(r.src).toEndpoint().toString()),
                        esc(store.endpoint(r.dst).toEndpoint().toString()), escRaw(store.raw(m)));
    }
    QString more;
    if (rows < model.rowCount())
        more = QStringLiteral("<p class='more'>%1 more messages are left out of this page.</p>").arg(model.rowCount() - rows);

    const QString page
        = QStringLiteral("<!DOCTYPE html><html><head><meta charset='utf-8'><title>%1</title><style>"
                         "body{margin:0;font-family:sans-serif;display:flex;height:100vh}"
                         "#ladder{overflow:auto;flex:3;border-right:1px solid #ccc}#raw{overflow:auto;flex:2;padding:8px}"
                         "h1{font-size:15px;margin:8px}.life{stroke:#999;stroke-dasharray:4 3}.life.unsolicited{stroke:#c77}"
                         ".addr{fill:#666;font-size:11px}.time{fill:#555;font-family:monospace}.arrow{stroke-width:1.5}"
                         ".req .arrow{stroke:#1f5fbf}.resp .arrow{stroke:#2d8a34}.err .arrow{stroke:#c0392b}.retr .arrow{stroke-dasharray:5 4;opacity:.6}"
                         ".req .label{fill:#1f5fbf}.resp .label{fill:#2d8a34}.err .label{fill:#c0392b}.note{fill:#666;font-size:10px}"
                         ".hit{fill:transparent}.msg{cursor:pointer}.msg:hover .hit{fill:#0001}.msg.sel .hit{fill:#ffd54f55}"
                         "pre{white-space:pre-wrap;font-size:12px}.more{color:#a00;margin:8px}"
                         "</style></head><body><div id='ladder'><h1>%1</h1>%2%3</div><div id='raw'><p>Click an arrow to read the message.</p>%4</div>"
                         "<script>document.querySelectorAll('.msg').forEach(function(g){g.addEventListener('click',function(){"
                         "document.querySelectorAll('#raw pre,#raw p').forEach(function(p){p.hidden=true});"
                         "document.querySelectorAll('.msg.sel').forEach(function(s){s.classList.remove('sel')});g.classList.add('sel');"
                         "document.getElementById('m'+g.dataset.m).hidden=false;});});</script></body></html>\n")
              .arg(esc(title), svg, more, raws);
    return page.toUtf8();
}

} // namespace ds::diag
