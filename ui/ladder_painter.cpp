#include "ladder_painter.h"

#include <QFontMetrics>
#include <QPainter>
#include <QPainterPath>

#include <algorithm>
#include <cmath>

namespace ds::ui {

using diag::kNoMessage;
using diag::MessageRecord;

namespace {

constexpr int kBandWalk = 4096; // RTP bands looked at per frame, at most
constexpr int kSelfLoop = 26; // width of a message to itself

QColor mix(const QColor &a, const QColor &b, qreal t)
{
    return QColor::fromRgbF(float(a.redF() * (1 - t) + b.redF() * t), float(a.greenF() * (1 - t) + b.greenF() * t), float(a.blueF() * (1 - t) + b.blueF() * t));
}

QColor withAlpha(QColor c, int alpha)
{
    c.setAlpha(alpha);
    return c;
}

} // namespace

LadderPainter::LadderPainter(const diag::LadderModel &model)
    : m_model(model)
{
    setFont(QFont());
    setPalette(QPalette());
}

void LadderPainter::setFont(const QFont &font)
{
    m_font = font;
    m_boldFont = font;
    m_boldFont.setBold(true);
    m_smallFont = font;
    if (font.pixelSize() > 0)
        m_smallFont.setPixelSize(std::max(8, font.pixelSize() * 17 / 20));
    else
        m_smallFont.setPointSizeF(std::max(6.0, font.pointSizeF() * 0.85));
}

void LadderPainter::setPalette(const QPalette &palette)
{
    m_palette = palette;
    const QColor base = palette.color(QPalette::Active, QPalette::Base);
    const QColor text = palette.color(QPalette::Active, QPalette::Text);
    const bool dark = base.lightnessF() < 0.5;
    Colors &c = m_colors;
    c.base = base;
    c.alternate = mix(base, palette.color(QPalette::Active, QPalette::AlternateBase), 0.6);
    c.text = text;
    c.muted = mix(text, base, 0.42);
    c.lifeline = mix(text, base, 0.72);
    c.header = palette.color(QPalette::Active, QPalette::Window);
    c.highlight = palette.color(QPalette::Active, QPalette::Highlight);
    c.request = dark ? QColor(0x8a, 0xb4, 0xf8) : QColor(0x1c, 0x57, 0xb0);
    c.success = dark ? QColor(0x81, 0xc9, 0x95) : QColor(0x1b, 0x7a, 0x36);
    c.provisional = mix(c.success, base, 0.3);
    c.challenge = dark ? QColor(0xfc, 0xad, 0x70) : QColor(0xb3, 0x54, 0x00);
    c.error = dark ? QColor(0xf2, 0x8b, 0x82) : QColor(0xc5, 0x22, 0x1f);
    c.media = dark ? QColor(0x4e, 0xcd, 0xc4) : QColor(0x00, 0x83, 0x8f);
    c.lane = mix(base, text, dark ? 0.07 : 0.05);
    c.search = dark ? QColor(0xe0, 0xb0, 0x00) : QColor(0xf0, 0xb4, 0x00);
}

QPalette LadderPainter::exportPalette()
{
    QPalette p;
    p.setColor(QPalette::Base, Qt::white);
    p.setColor(QPalette::AlternateBase, QColor(0xf3, 0xf5, 0xf8));
    p.setColor(QPalette::Text, QColor(0x20, 0x20, 0x20));
    p.setColor(QPalette::Window, QColor(0xee, 0xef, 0xf1));
    p.setColor(QPalette::WindowText, QColor(0x20, 0x20, 0x20));
    p.setColor(QPalette::Highlight, QColor(0x30, 0x8c, 0xc6));
    return p;
}

void LadderPainter::layout()
{
    const QFontMetrics fm(m_font), bold(m_boldFont), small(m_smallFont);
    m_pad = std::max(3, fm.height() / 4);
    const int arrowZone = std::max(10, m_pad * 3);
    m_labelBase = m_pad + fm.ascent();
    m_arrowY = m_pad + fm.height() + arrowZone / 2;
    m_smallBase = m_pad + fm.height() + arrowZone + small.ascent();
    m_rowH = m_pad + fm.height() + arrowZone + small.height() + m_pad;
    m_gutterW = std::max(fm.horizontalAdvance(QStringLiteral("00000.000")), small.horizontalAdvance(QStringLiteral("+0000.000"))) + 4 * m_pad;
    m_minGap = std::max(240, fm.averageCharWidth() * 38);
    bool lane = false;
    for (int c = 0; c < m_model.columnCount() && !lane; ++c)
        lane = m_model.column(c).unsolicited;
    m_headerH = m_pad + (lane ? small.height() + m_pad : 0) + bold.height() + small.height() + 2 * m_pad;
    m_rowsShown = m_rowLimit < 0 ? m_model.rowCount() : std::min(m_rowLimit, m_model.rowCount());
    layoutColumns();
    layoutBands();
    m_sceneSize = QSize(m_sceneSize.width(), slotTop(slotCount()) + m_pad);
}

void LadderPainter::layoutColumns()
{
    const QFontMetrics bold(m_boldFont), small(m_smallFont);
    const int n = m_model.columnCount();
    auto titleWidth = [&](int c) {
        const diag::LadderColumn &col = m_model.column(c);
        return col.name.isEmpty() ? bold.horizontalAdvance(col.address) : std::max(bold.horizontalAdvance(col.name), small.horizontalAdvance(col.address));
    };
    m_columnX.assign(size_t(n), 0);
    int lane = -1; // the first unsolicited column: the model keeps them last
    int x = m_gutterW;
    int previous = 0;
    for (int c = 0; c < n; ++c) {
        const int w = titleWidth(c);
        if (c == 0) {
            x += std::max(m_minGap / 2, w / 2 + 2 * m_pad);
        } else {
            x += std::clamp((previous + w) / 2 + 4 * m_pad, m_minGap, 2 * m_minGap);
            if (m_model.column(c).unsolicited && !m_model.column(c - 1).unsolicited)
                x += 6 * m_pad; // the lane stands apart
        }
        if (lane < 0 && m_model.column(c).unsolicited)
            lane = c;
        m_columnX[size_t(c)] = x;
        previous = w;
    }
    int right = n == 0 ? m_gutterW + m_minGap : x + std::max(m_minGap / 2, previous / 2 + 2 * m_pad);
    if (n > 0 && right < m_availableWidth) { // room to spare: wider gaps, longer labels
        const int more = std::min((m_availableWidth - right) / n, m_minGap * 3 / 2);
        for (int c = 0; c < n; ++c)
            m_columnX[size_t(c)] += more / 2 + c * more;
        right += n * more;
    }
    m_laneX = lane < 0 ? -1 : lane == 0 ? m_gutterW : (m_columnX[size_t(lane - 1)] + m_columnX[size_t(lane)]) / 2;
    m_sceneSize = QSize(right, 0);
}

void LadderPainter::layoutBands()
{
    m_bands.clear();
    m_bandReach.clear();
    for (const MediaPlacement &p : placeMediaStreams(m_model, m_rowsShown)) {
        Band b;
        static_cast<MediaPlacement &>(b) = p;
        m_bands.push_back(b);
    }
    if (m_bands.empty())
        return;
    const auto &streams = m_model.rtp()->streams();
    // Both directions of a call between the same lifelines share one band body.
    QHash<quint64, size_t> owners;
    for (size_t i = 0; i < m_bands.size(); ++i) {
        Band &b = m_bands[i];
        b.endSlot = b.endRow > b.afterRow ? slotOfRow(b.endRow) : slotOfBand(int(i));
        const quint64 key = quint64(streams[b.stream].call) << 32 | quint64(std::min(b.from, b.to) & 0xffff) << 16 | quint64(std::max(b.from, b.to) & 0xffff);
        const auto owner = owners.constFind(key);
        if (owner != owners.cend() && m_bands[*owner].endSlot >= slotOfBand(int(i)) - 1) {
            m_bands[*owner].endSlot = std::max(m_bands[*owner].endSlot, b.endSlot);
            b.body = false;
        } else {
            owners.insert(key, i);
        }
    }
    m_bandReach.resize(m_bands.size());
    qint64 reach = -1;
    for (size_t i = 0; i < m_bands.size(); ++i) {
        reach = std::max(reach, m_bands[i].endSlot);
        m_bandReach[i] = reach;
    }
}

int LadderPainter::bandsBefore(int row) const
{
    return int(std::lower_bound(m_bands.begin(), m_bands.end(), row, [](const Band &b, int r) { return b.afterRow < r; }) - m_bands.begin());
}

LadderPainter::Slot LadderPainter::slotAt(qint64 slot) const
{
    if (slot < 0 || slot >= slotCount())
        return {};
    // Bands before this slot: the first band whose media line is at or after it.
    int lo = 0, hi = int(m_bands.size());
    while (lo < hi) {
        const int mid = lo + (hi - lo) / 2;
        if (slotOfBand(mid) < slot)
            lo = mid + 1;
        else
            hi = mid;
    }
    if (lo < int(m_bands.size()) && slotOfBand(lo) == slot)
        return Slot {-1, lo, false};
    const qint64 row = slot - lo;
    return row < m_rowsShown ? Slot {int(row), -1, false} : Slot {-1, -1, true};
}

int LadderPainter::rowAt(int y) const
{
    if (y < m_headerH || m_rowH <= 0)
        return -1;
    return slotAt((y - m_headerH) / m_rowH).row;
}

QRect LadderPainter::rowRect(int row) const
{
    if (row < 0 || row >= m_rowsShown)
        return {};
    return QRect(0, slotTop(slotOfRow(row)), m_sceneSize.width(), m_rowH);
}

int LadderPainter::columnGap(int column) const
{
    const int n = int(m_columnX.size());
    const int left = column > 0 ? m_columnX[size_t(column)] - m_columnX[size_t(column - 1)] : m_minGap;
    const int right = column + 1 < n ? m_columnX[size_t(column + 1)] - m_columnX[size_t(column)] : m_minGap;
    return std::min(left, right);
}

LadderPainter::Arrow LadderPainter::arrowOf(int from, int to) const
{
    Arrow a;
    a.x1 = m_columnX[size_t(from)];
    a.x2 = m_columnX[size_t(to)];
    a.self = from == to;
    return a;
}

QRect LadderPainter::arrowRect(int row) const
{
    if (row < 0 || row >= m_rowsShown)
        return {};
    const quint32 m = m_model.messageAt(row);
    const int from = m_model.fromColumn(m), to = m_model.toColumn(m);
    if (from < 0 || to < 0)
        return {};
    const Arrow a = arrowOf(from, to);
    const int top = slotTop(slotOfRow(row));
    const int left = std::min(a.x1, a.x2);
    const int width = a.self ? columnGap(from) / 2 : std::abs(a.x2 - a.x1);
    return QRect(left, top + m_pad, std::max(1, width), m_arrowY - m_pad + 5);
}

QColor LadderPainter::colorOf(const MessageRecord &r) const
{
    if (r.is(MessageRecord::Malformed))
        return m_colors.error;
    if (r.is(MessageRecord::Request))
        return m_colors.request;
    if (r.status < 200)
        return m_colors.provisional;
    if (r.status < 300)
        return m_colors.success;
    if (r.status < 400 || r.status == 401 || r.status == 407)
        return m_colors.challenge;
    return m_colors.error;
}

QString LadderPainter::streamLabel(const diag::RtpStreamInfo &s) const
{
    const QString codec = !s.codec.isEmpty() ? s.codec : s.payloadType >= 0 ? QStringLiteral("PT %1").arg(s.payloadType) : QStringLiteral("RTP");
    const quint64 expected = s.packets + s.lost;
    const double loss = expected ? 100.0 * double(s.lost) / double(expected) : 0;
    return tr("%1 %2 pkts %3% lost").arg(codec).arg(s.packets).arg(loss, 0, 'f', loss > 0 && loss < 0.1 ? 2 : 1);
}

QString LadderPainter::streamDetail(const diag::RtpStreamInfo &s) const
{
    QString text = QStringLiteral("RTP %1 \u2192 %2").arg(s.src.toEndpoint().toString(), s.dst.toEndpoint().toString());
    if (s.firstUs > 0 && s.lastUs >= s.firstUs)
        text += tr(", %1 s").arg(double(s.lastUs - s.firstUs) / 1e6, 0, 'f', 1);
    return text + tr(", SSRC %1").arg(QStringLiteral("0x%1").arg(s.ssrc, 8, 16, QLatin1Char('0')));
}

QString LadderPainter::toolTipAt(const QPoint &pos) const
{
    if (pos.y() < 0 || pos.y() >= m_sceneSize.height())
        return {};
    if (pos.y() < m_headerH) {
        for (int c = 0; c < int(m_columnX.size()); ++c)
            if (std::abs(pos.x() - m_columnX[size_t(c)]) < columnGap(c) / 2)
                return m_model.column(c).title() + (m_model.column(c).unsolicited ? tr("\nunsolicited: sent requests nobody asked for") : QString());
        return {};
    }
    const Slot s = slotAt((pos.y() - m_headerH) / m_rowH);
    if (s.row >= 0 && arrowRect(s.row).adjusted(-m_pad, -m_pad, m_pad, m_pad).contains(pos)) {
        const quint32 m = m_model.messageAt(s.row);
        return m_model.label(m) + QLatin1Char('\n') + m_model.detail(m);
    }
    if (s.band >= 0) {
        const Band &b = m_bands[size_t(s.band)];
        const int left = std::min(m_columnX[size_t(b.from)], m_columnX[size_t(b.to)]) - m_pad;
        const int right = std::max(m_columnX[size_t(b.from)], m_columnX[size_t(b.to)]) + m_pad;
        if (pos.x() >= left && pos.x() <= right) {
            const diag::RtpStreamInfo &info = m_model.rtp()->streams()[b.stream];
            return streamLabel(info) + QLatin1Char('\n') + streamDetail(info);
        }
    }
    return {};
}

void LadderPainter::paint(QPainter &p, const QRect &exposed, const PaintState &state) const
{
    paintBody(p, exposed, state);
    if (exposed.top() < m_headerH)
        paintHeader(p, exposed);
}

void LadderPainter::paintHeader(QPainter &p, const QRect &exposed) const
{
    const QFontMetrics bold(m_boldFont), small(m_smallFont);
    const bool lane = m_laneX >= 0;
    const int titleBase = m_pad + (lane ? small.height() + m_pad : 0) + bold.ascent();
    const int addressBase = titleBase + bold.descent() + small.ascent();
    p.save();
    p.fillRect(QRect(exposed.left(), 0, exposed.width(), m_headerH), m_colors.header);
    if (lane)
        p.fillRect(QRect(m_laneX, 0, std::max(m_sceneSize.width(), exposed.right() + 1) - m_laneX, m_headerH), mix(m_colors.header, m_colors.text, 0.07));
    p.setPen(m_colors.lifeline);
    p.drawLine(exposed.left(), m_headerH - 1, exposed.right(), m_headerH - 1);

    p.setFont(m_smallFont);
    p.setPen(m_colors.muted);
    p.drawText(QPoint(2 * m_pad, titleBase), tr("Time (s)"));
    p.drawText(QPoint(2 * m_pad, addressBase), tr("+delta"));
    if (lane) {
        const quint32 n = m_model.unsolicitedRequests();
        const QString heading = n == 1 ? tr("Unsolicited: 1 request") : tr("Unsolicited: %1 requests").arg(n);
        const int room = m_sceneSize.width() - m_laneX - 2 * m_pad;
        p.drawText(QRect(m_laneX + m_pad, m_pad, room, small.height()), Qt::AlignHCenter | Qt::AlignVCenter, small.elidedText(heading, Qt::ElideRight, room));
    }
    const auto first = std::lower_bound(m_columnX.begin(), m_columnX.end(), exposed.left() - 2 * m_minGap);
    for (auto it = first; it != m_columnX.end() && *it <= exposed.right() + 2 * m_minGap; ++it) {
        const int c = int(it - m_columnX.begin());
        const int x = *it;
        const diag::LadderColumn &col = m_model.column(c);
        const int room = columnGap(c) - 2 * m_pad;
        const QString title = col.name.isEmpty() ? col.address : col.name;
        p.setFont(m_boldFont);
        p.setPen(m_colors.text);
        const QString t = bold.elidedText(title, Qt::ElideMiddle, room);
        p.drawText(QPoint(x - bold.horizontalAdvance(t) / 2, titleBase), t);
        if (!col.name.isEmpty()) {
            p.setFont(m_smallFont);
            p.setPen(m_colors.muted);
            const QString a = small.elidedText(col.address, Qt::ElideMiddle, room);
            p.drawText(QPoint(x - small.horizontalAdvance(a) / 2, addressBase), a);
        }
        p.setPen(m_colors.lifeline);
        p.drawLine(x, m_headerH - m_pad, x, m_headerH - 1);
    }
    p.restore();
}

void LadderPainter::paintBody(QPainter &p, const QRect &exposed, const PaintState &state) const
{
    const int top = std::max(exposed.top(), m_headerH);
    const int bottom = exposed.bottom();
    if (bottom < top || m_rowH <= 0)
        return;
    const qint64 s0 = (top - m_headerH) / m_rowH;
    const qint64 s1 = std::min<qint64>((bottom - m_headerH) / m_rowH, slotCount() - 1);
    // Everything is drawn relative to the first slot exposed: a million rows down, the
    // coordinates handed to the paint engine stay small.
    const int base = slotTop(s0);
    p.save();
    p.translate(0, base);
    const QRect area(exposed.left(), top - base, exposed.width(), bottom - top + 1);
    p.fillRect(area, m_colors.base);
    if (m_laneX >= 0)
        p.fillRect(QRect(m_laneX, area.top(), std::max(m_sceneSize.width(), area.right() + 1) - m_laneX, area.height()), m_colors.lane);

    // What lies on the exposed slots: rows, media lines, the closing line.
    std::vector<Slot> items;
    if (s0 <= s1) {
        items.reserve(size_t(s1 - s0 + 1));
        const Slot first = slotAt(s0);
        int band = first.band >= 0 ? first.band : bandsBefore(first.row >= 0 ? first.row : m_rowsShown);
        int row = int(s0 - band);
        for (qint64 s = s0; s <= s1; ++s) {
            if (band < int(m_bands.size()) && slotOfBand(band) == s)
                items.push_back(Slot {-1, band++, false});
            else if (row < m_rowsShown)
                items.push_back(Slot {row++, -1, false});
            else
                items.push_back(Slot {-1, -1, true});
        }
    }

    // Row backgrounds: stripes, the transaction of the selection, the selection, search hits.
    const bool search = state.searchHits && !m_model.filter().text.isEmpty();
    for (size_t k = 0; k < items.size(); ++k) {
        const int y = int(k) * m_rowH; // relative to the first slot exposed
        const Slot &it = items[k];
        if (it.row < 0)
            continue;
        const QRect rect(area.left(), y, area.width(), m_rowH);
        const quint32 m = m_model.messageAt(it.row);
        if (it.row % 2)
            p.fillRect(rect, m_colors.alternate);
        if (m == state.selected)
            p.fillRect(rect, withAlpha(m_colors.highlight, state.active ? 80 : 45));
        else if (state.overlay.contains(m))
            p.fillRect(rect, withAlpha(m_colors.highlight, 30));
        if (search && m_model.matchesText(m))
            p.fillRect(QRect(0, y + 1, 4, m_rowH - 2), m_colors.search);
    }

    // RTP bands: the media flowing between two lifelines, from the media line down.
    if (!m_bands.empty()) {
        int lo = 0, hi = int(m_bands.size());
        while (lo < hi) { // first band whose media line lies below the exposed slots
            const int mid = lo + (hi - lo) / 2;
            if (slotOfBand(mid) <= s1)
                lo = mid + 1;
            else
                hi = mid;
        }
        const QColor fill = withAlpha(m_colors.media, 26);
        for (int i = lo - 1, walked = 0; i >= 0 && m_bandReach[size_t(i)] >= s0 && walked < kBandWalk; --i, ++walked) {
            const Band &b = m_bands[size_t(i)];
            if (!b.body || b.endSlot < s0 || b.from == b.to)
                continue;
            const int y0 = std::max<qint64>(slotTop(slotOfBand(i)) + m_arrowY - base, area.top() - 1);
            const int y1 = std::min<qint64>(slotTop(b.endSlot + 1) - base, area.bottom() + 1);
            const int x0 = std::min(m_columnX[size_t(b.from)], m_columnX[size_t(b.to)]);
            const int x1 = std::max(m_columnX[size_t(b.from)], m_columnX[size_t(b.to)]);
            if (y1 > y0)
                p.fillRect(QRect(x0 + 2, y0, x1 - x0 - 3, y1 - y0), fill);
        }
    }

    // Lifelines.
    p.setPen(QPen(m_colors.lifeline, 1));
    for (auto it = std::lower_bound(m_columnX.begin(), m_columnX.end(), area.left()); it != m_columnX.end() && *it <= area.right(); ++it)
        p.drawLine(*it, area.top(), *it, area.bottom());

    // Arrows, labels, media lines and the closing line.
    p.setRenderHint(QPainter::Antialiasing, true);
    p.setRenderHint(QPainter::TextAntialiasing, true);
    for (size_t k = 0; k < items.size(); ++k) {
        const int y = int(k) * m_rowH; // relative to the first slot exposed
        const Slot &it = items[k];
        if (it.row >= 0) {
            paintRow(p, it.row, y, area, state);
        } else if (it.band >= 0) {
            paintMediaLine(p, it.band, y);
        } else if (it.footer) {
            p.setFont(m_font);
            p.setPen(m_colors.muted);
            const int left = rowsLeftOut();
            p.drawText(QRect(2 * m_pad, y, m_sceneSize.width() - 4 * m_pad, m_rowH), Qt::AlignLeft | Qt::AlignVCenter,
                left == 1 ? tr("\u2026 1 more message not shown") : tr("\u2026 %1 more messages not shown").arg(left));
        }
    }
    paintAuthLinks(p, s0, s1, base, state);
    p.restore();
}

void LadderPainter::paintArrow(QPainter &p, const Arrow &a, int y, const QColor &color, qreal width, Qt::PenStyle style) const
{
    QPen pen(color, width, style, Qt::FlatCap, Qt::MiterJoin);
    p.setPen(pen);
    p.setBrush(Qt::NoBrush);
    const qreal head = 5 + width * 1.5;
    if (a.self) {
        const qreal x = a.x1, top = y - 5, bottom = y + 5;
        QPainterPath path;
        path.moveTo(x, top);
        path.lineTo(x + kSelfLoop, top);
        path.lineTo(x + kSelfLoop, bottom);
        path.lineTo(x + head, bottom);
        p.drawPath(path);
        p.setPen(Qt::NoPen);
        p.setBrush(color);
        p.drawPolygon(QPolygonF {QPointF(x + 1, bottom), QPointF(x + head + 1, bottom - head / 2.2), QPointF(x + head + 1, bottom + head / 2.2)});
        p.setBrush(Qt::NoBrush);
        return;
    }
    const qreal dir = a.x2 > a.x1 ? 1 : -1;
    const qreal tip = a.x2 - dir * 1;
    p.drawLine(QPointF(a.x1, y), QPointF(tip - dir * head, y));
    p.setPen(Qt::NoPen);
    p.setBrush(color);
    p.drawPolygon(QPolygonF {QPointF(tip, y), QPointF(tip - dir * head, y - head / 2.2), QPointF(tip - dir * head, y + head / 2.2)});
    p.setBrush(Qt::NoBrush);
}

void LadderPainter::paintRow(QPainter &p, int row, int top, const QRect &area, const PaintState &state) const
{
    const QFontMetrics fm(m_font), small(m_smallFont);
    const quint32 m = m_model.messageAt(row);
    const MessageRecord &r = m_model.store().record(m);
    const bool selected = m == state.selected;
    const bool inOverlay = selected || state.overlay.contains(m);

    if (area.left() < m_gutterW) {
        p.setFont(m_font);
        p.setPen(m_colors.text);
        p.drawText(QPoint(2 * m_pad, top + m_labelBase), QString::number(m_model.seconds(m), 'f', 3));
        p.setFont(m_smallFont);
        p.setPen(m_colors.muted);
        p.drawText(QPoint(2 * m_pad, top + m_smallBase), QLatin1Char('+') + QString::number(m_model.delta(row), 'f', 3));
    }
    const int from = m_model.fromColumn(m), to = m_model.toColumn(m);
    if (from < 0 || to < 0)
        return;
    const Arrow a = arrowOf(from, to);
    const int left = a.self ? a.x1 : std::min(a.x1, a.x2), right = a.self ? a.x1 + columnGap(from) / 2 : std::max(a.x1, a.x2);
    if (right < area.left() - m_pad || left > area.right() + m_minGap)
        return;

    const bool retransmission = r.is(MessageRecord::Retransmission);
    const bool malformed = r.is(MessageRecord::Malformed);
    QColor color = colorOf(r);
    if (retransmission)
        color = mix(color, m_colors.base, 0.4);
    const Qt::PenStyle style = malformed ? Qt::DotLine : retransmission ? Qt::DashLine : Qt::SolidLine;
    paintArrow(p, a, top + m_arrowY, color, selected ? 2.6 : inOverlay ? 2.0 : 1.3, style);

    // The timer that fired a retransmission, as a badge at the arrow's start (RFC 3261 17.1.1.2).
    const int dir = a.self || a.x2 > a.x1 ? 1 : -1;
    if (retransmission && r.timer) {
        const int radius = small.height() * 3 / 5;
        const QPoint c(a.x1 + dir * (radius + 3 * m_pad), top + m_arrowY);
        p.setPen(QPen(color, 1));
        p.setBrush(m_colors.base);
        p.drawEllipse(c, radius, radius);
        p.setBrush(Qt::NoBrush);
        p.setFont(m_smallFont);
        p.drawText(QRect(c.x() - radius, c.y() - radius, 2 * radius, 2 * radius), Qt::AlignCenter, QString(QLatin1Char(r.timer)));
    }

    // The label above the arrow, the annotations and details below it, in the room there is.
    const int room = a.self ? columnGap(from) - kSelfLoop - 3 * m_pad : std::abs(a.x2 - a.x1) - 4 * m_pad;
    const int textLeft = a.self ? a.x1 + kSelfLoop + m_pad : left + 2 * m_pad;
    const QFont &labelFont = selected ? m_boldFont : m_font;
    const QFontMetrics lfm(labelFont);
    const int markW = malformed ? fm.height() : 0; // a warning triangle before the label
    const QString label = lfm.elidedText(m_model.shortLabel(m), Qt::ElideRight, std::max(0, room - markW));
    const int labelX = a.self ? textLeft : (left + right - lfm.horizontalAdvance(label) - markW) / 2;
    if (malformed) {
        const qreal h = fm.ascent() * 0.8, x0 = labelX, yb = top + m_labelBase;
        p.setPen(Qt::NoPen);
        p.setBrush(m_colors.error);
        p.drawPolygon(QPolygonF {QPointF(x0, yb), QPointF(x0 + h, yb), QPointF(x0 + h / 2, yb - h)});
        p.setBrush(Qt::NoBrush);
        p.setPen(m_colors.base);
        p.drawLine(QPointF(x0 + h / 2, yb - h * 0.65), QPointF(x0 + h / 2, yb - h * 0.3));
    }
    p.setFont(labelFont);
    p.setPen(retransmission ? mix(m_colors.text, m_colors.base, 0.4) : color);
    p.drawText(QPoint(labelX + markW, top + m_labelBase), label);

    const QString notes = m_model.annotations(m);
    const QString detail = m_model.detail(m);
    const QString below = small.elidedText(notes.isEmpty() ? detail : notes + QStringLiteral("  \u00b7  ") + detail, Qt::ElideRight, std::max(0, room));
    p.setFont(m_smallFont);
    p.setPen(m_colors.muted);
    const int bw = small.horizontalAdvance(below);
    p.drawText(QPoint(a.self ? textLeft : (left + right - bw) / 2, top + m_smallBase), below);
}

void LadderPainter::paintMediaLine(QPainter &p, int band, int top) const
{
    const Band &b = m_bands[size_t(band)];
    const diag::RtpStreamInfo &s = m_model.rtp()->streams()[b.stream];
    const QFontMetrics fm(m_font), small(m_smallFont);
    if (s.firstUs > 0 && !m_model.store().isEmpty()) {
        p.setFont(m_font);
        p.setPen(m_colors.media);
        p.drawText(QPoint(2 * m_pad, top + m_labelBase), QString::number(double(s.firstUs - m_model.store().record(0).timeUs) / 1e6, 'f', 3));
    }
    const Arrow a = arrowOf(b.from, b.to);
    paintArrow(p, a, top + m_arrowY, withAlpha(m_colors.media, 170), 3.5, Qt::SolidLine);
    const int left = a.self ? a.x1 + kSelfLoop + m_pad : std::min(a.x1, a.x2), right = a.self ? a.x1 + columnGap(b.from) : std::max(a.x1, a.x2);
    const int room = right - left - 4 * m_pad;
    const quint64 expected = s.packets + s.lost;
    const bool lossy = expected && s.lost * 100 >= expected; // 1% or more
    const QString label = fm.elidedText(streamLabel(s), Qt::ElideRight, std::max(0, room));
    p.setFont(m_font);
    p.setPen(lossy ? m_colors.error : m_colors.media);
    p.drawText(QPoint(a.self ? left : (left + right - fm.horizontalAdvance(label)) / 2, top + m_labelBase), label);
    const QString detail = small.elidedText(streamDetail(s), Qt::ElideRight, std::max(0, room));
    p.setFont(m_smallFont);
    p.setPen(m_colors.muted);
    p.drawText(QPoint(a.self ? left : (left + right - small.horizontalAdvance(detail)) / 2, top + m_smallBase), detail);
}

void LadderPainter::paintAuthLinks(QPainter &p, qint64 firstSlot, qint64 lastSlot, int base, const PaintState &state) const
{
    const QFontMetrics small(m_smallFont);
    for (const AuthLink &link : state.overlay.authLinks) {
        const int rc = m_model.rowOf(link.challenge), rr = m_model.rowOf(link.retry);
        if (rc < 0 || rr < 0 || rc >= m_rowsShown || rr >= m_rowsShown)
            continue;
        const qint64 sc = slotOfRow(rc), sr = slotOfRow(rr);
        if (std::max(sc, sr) < firstSlot || std::min(sc, sr) > lastSlot)
            continue;
        const int col = m_model.toColumn(link.challenge), retryCol = m_model.fromColumn(link.retry);
        if (col < 0 || retryCol < 0)
            continue;
        // The curve bulges away from the arrows: to the side the challenge did not come from.
        const int challenger = m_model.fromColumn(link.challenge);
        const qreal side = challenger >= 0 && m_columnX[size_t(challenger)] > m_columnX[size_t(col)] ? -1 : 1;
        const qreal x1 = m_columnX[size_t(col)] + side * 4, x2 = m_columnX[size_t(retryCol)] + side * 4;
        const qreal y1 = qreal(slotTop(sc) - base + m_arrowY), y2 = qreal(slotTop(sr) - base + m_arrowY);
        const qreal bulge = side * 3.5 * m_pad + side * 30;
        QPainterPath path;
        path.moveTo(x1, y1);
        path.cubicTo(x1 + bulge, y1, x2 + bulge, y2, x2, y2);
        p.setPen(QPen(m_colors.challenge, 1.8, Qt::DashLine));
        p.drawPath(path);
        const qreal head = 7;
        p.setPen(Qt::NoPen);
        p.setBrush(m_colors.challenge);
        p.drawPolygon(QPolygonF {QPointF(x2, y2), QPointF(x2 + side * head, y2 - head / 2.2), QPointF(x2 + side * head, y2 + head / 2.2)});
        p.setBrush(Qt::NoBrush);
        const QString note = tr("auth retry (%1)").arg(m_model.store().record(link.challenge).status);
        const int w = small.horizontalAdvance(note) + 2 * m_pad;
        const qreal apex = (x1 + x2) / 2 + bulge * 0.75;
        const QRectF box(side > 0 ? apex + m_pad : apex - m_pad - w, (y1 + y2) / 2 - small.height() / 2.0 - 1, w, small.height() + 2);
        p.setPen(QPen(m_colors.challenge, 1));
        p.setBrush(m_colors.base);
        p.drawRoundedRect(box, 3, 3);
        p.setBrush(Qt::NoBrush);
        p.setFont(m_smallFont);
        p.drawText(box, Qt::AlignCenter, note);
    }
}

} // namespace ds::ui
