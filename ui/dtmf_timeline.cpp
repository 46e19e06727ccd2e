#include "dtmf_timeline.h"

#include <QEvent>
#include <QHelpEvent>
#include <QMouseEvent>
#include <QPaintEvent>
#include <QPainter>
#include <QToolTip>

#include <algorithm>

namespace ds::ui {

using dtmf::DigitEvent;
using dtmf::Direction;
using dtmf::MergedDigit;
using dtmf::Mode;

namespace {

QColor mix(const QColor &a, const QColor &b, qreal t)
{
    return QColor::fromRgbF(float(a.redF() * (1 - t) + b.redF() * t), float(a.greenF() * (1 - t) + b.greenF() * t), float(a.blueF() * (1 - t) + b.blueF() * t));
}

int modeIndex(Mode mode) { return mode == Mode::Rfc4733 ? 0 : mode == Mode::Inband ? 1 : 2; }

QString modeText(Mode mode)
{
    switch (mode) {
    case Mode::Rfc4733:
        return DtmfTimeline::tr("RFC 4733");
    case Mode::Inband:
        return DtmfTimeline::tr("in-band");
    case Mode::Info:
        return DtmfTimeline::tr("INFO");
    }
    return {};
}

qint64 floorDiv(qint64 a, qint64 b) { return a / b - (a % b != 0 && (a < 0) != (b < 0) ? 1 : 0); }

} // namespace

qint64 DtmfTimeScale::stepMs(int minPx) const
{
    static constexpr int kMultiples[] = {1, 2, 5};
    for (qint64 decade = 10;; decade *= 10)
        for (int m : kMultiples)
            if (double(decade * m) * pxPerMs >= minPx || decade >= 100'000'000)
                return decade * m;
}

QString DtmfTimeScale::format(qint64 ms, int decimals)
{
    const QString sign = ms < 0 ? QStringLiteral("-") : QString();
    ms = std::abs(ms);
    const double seconds = double(ms % 60000) / 1000.0;
    return QStringLiteral("%1%2:%3").arg(sign).arg(ms / 60000).arg(seconds, decimals > 0 ? 3 + decimals : 2, 'f', decimals, QLatin1Char('0'));
}

void DtmfTimeScale::paintGrid(QPainter &p, const QRect &plot, const QColor &lineColor, const QRect &labels, const QColor &textColor) const
{
    const int minPx = p.fontMetrics().horizontalAdvance(QStringLiteral("00:00.00")) + 12;
    const qint64 step = stepMs(minPx);
    const int decimals = step % 1000 == 0 ? 0 : step % 100 == 0 ? 1 : 2;
    p.save();
    for (qint64 t = floorDiv(msAt(plot.left()), step) * step; x(t) <= plot.right() + 0.5; t += step) {
        const int gx = int(std::lround(x(t)));
        if (gx < plot.left() || t < 0)
            continue;
        p.setPen(lineColor);
        p.drawLine(gx, plot.top(), gx, plot.bottom());
        if (textColor.isValid() && !labels.isEmpty()) {
            p.setPen(textColor);
            QRect r(gx - minPx / 2, labels.top(), minPx, labels.height());
            if (r.left() < labels.left()) // the first and last labels stay whole
                r.moveLeft(labels.left());
            else if (r.right() > labels.right())
                r.moveRight(labels.right());
            p.drawText(r, Qt::AlignCenter, format(t, decimals));
        }
    }
    p.restore();
}

int DtmfTimeline::laneOf(Mode mode, Direction dir) { return (dir == Direction::Out ? 0 : 3) + modeIndex(mode); }

QString DtmfTimeline::laneName(int lane)
{
    static constexpr Mode kModes[] = {Mode::Rfc4733, Mode::Inband, Mode::Info};
    const QString mode = modeText(kModes[std::clamp(lane, 0, kLanes - 1) % 3]);
    return lane < 3 ? tr("Sent %1").arg(mode) : tr("Received %1").arg(mode);
}

DtmfTimeline::DtmfTimeline(QWidget *parent)
    : QWidget(parent)
{
    setAttribute(Qt::WA_OpaquePaintEvent);
    setMouseTracking(false);
    setSizePolicy(QSizePolicy::Expanding, QSizePolicy::Fixed);
    updateMetrics();
}

void DtmfTimeline::updateMetrics()
{
    const QFontMetrics fm = fontMetrics();
    m_pad = std::max(3, fm.height() / 5);
    m_axisH = fm.height() + 2 * m_pad;
    m_laneH = fm.height() + 4 * m_pad;
    m_minBoxW = fm.horizontalAdvance(QLatin1Char('#')) + 2 * m_pad;
    int names = 0;
    for (int lane = 0; lane < kLanes; ++lane)
        names = std::max(names, fm.horizontalAdvance(laneName(lane)));
    m_gutter = names + 3 * m_pad;
    updateGeometry();
}

void DtmfTimeline::setDigits(const QList<MergedDigit> &digits)
{
    m_digits = digits;
    m_endMs = 0;
    for (const MergedDigit &d : m_digits)
        for (const DigitEvent &e : d.events)
            m_endMs = std::max<qint64>(m_endMs, e.atMs + e.durationMs);
    if (m_selected >= m_digits.size())
        m_selected = -1;
    update();
}

void DtmfTimeline::setTimeScale(const DtmfTimeScale &scale)
{
    if (scale == m_scale)
        return;
    m_scale = scale;
    update();
}

void DtmfTimeline::setSelected(int digit)
{
    digit = digit >= 0 && digit < m_digits.size() ? digit : -1;
    if (digit == m_selected)
        return;
    m_selected = digit;
    update();
}

QRect DtmfTimeline::plotRect() const
{
    const int left = std::max(m_gutter, m_scale.left);
    return QRect(left, m_axisH, std::max(0, width() - left), kLanes * m_laneH + m_pad);
}

QRect DtmfTimeline::laneRect(int lane) const
{
    if (lane < 0 || lane >= kLanes)
        return {};
    const QRect plot = plotRect();
    return QRect(plot.left(), m_axisH + lane * m_laneH + (lane >= 3 ? m_pad : 0), plot.width(), m_laneH); // a gap between sent and received
}

QRect DtmfTimeline::eventRect(int digit, int event) const
{
    if (digit < 0 || digit >= m_digits.size() || event < 0 || event >= m_digits[digit].events.size())
        return {};
    const DigitEvent &e = m_digits[digit].events[event];
    const QRect lane = laneRect(laneOf(e.mode, e.dir));
    const int x = int(std::lround(m_scale.x(e.atMs)));
    const int w = std::max(m_minBoxW, int(std::lround(e.durationMs * m_scale.pxPerMs)));
    return QRect(x, lane.top() + m_pad, w, lane.height() - 2 * m_pad);
}

QRect DtmfTimeline::digitRect(int digit) const
{
    QRect r;
    if (digit >= 0 && digit < m_digits.size())
        for (int e = 0; e < m_digits[digit].events.size(); ++e)
            r |= eventRect(digit, e);
    return r;
}

DtmfTimeline::Hit DtmfTimeline::hitAt(const QPoint &pos) const
{
    if (!plotRect().contains(pos))
        return {};
    for (int d = int(m_digits.size()) - 1; d >= 0; --d)
        for (int e = 0; e < m_digits[d].events.size(); ++e)
            if (eventRect(d, e).contains(pos))
                return {d, e};
    return {};
}

QString DtmfTimeline::toolTipFor(int digit, int event) const
{
    if (digit < 0 || digit >= m_digits.size() || event < 0 || event >= m_digits[digit].events.size())
        return {};
    const MergedDigit &d = m_digits[digit];
    const DigitEvent &e = d.events[event];
    QStringList lines;
    lines << tr("Digit %1 %2 as %3").arg(QString(QLatin1Char(e.digit)), e.dir == Direction::Out ? tr("sent") : tr("received"), modeText(e.mode));
    lines << tr("At %1, %2 ms").arg(DtmfTimeScale::format(e.atMs, 3)).arg(e.durationMs);
    if (e.levelDbm0)
        lines << tr("Level %1 dBm0").arg(*e.levelDbm0, 0, 'f', 1);
    if (e.twistDb)
        lines << tr("Twist %1%2 dB (high group minus low group)").arg(*e.twistDb >= 0 ? QStringLiteral("+") : QString()).arg(*e.twistDb, 0, 'f', 1);
    if (e.mode == Mode::Info && e.infoStatus)
        lines << (isError(e) ? tr("INFO refused with %1") : tr("INFO answered %1")).arg(*e.infoStatus);
    else if (e.mode == Mode::Info && e.dir == Direction::Out)
        lines << tr("INFO: no final response");
    if (!e.endSeen)
        lines << tr("No end packet: closed by a timeout");
    QStringList others;
    for (const DigitEvent &o : d.events)
        if (o.mode != e.mode)
            others << modeText(o.mode);
    if (!others.isEmpty())
        lines << tr("One key press, also seen as %1").arg(others.join(QStringLiteral(", ")));
    return lines.join(QLatin1Char('\n'));
}

QSize DtmfTimeline::sizeHint() const { return QSize(m_gutter + 640, m_axisH + kLanes * m_laneH + 2 * m_pad); }

QSize DtmfTimeline::minimumSizeHint() const { return QSize(m_gutter + 120, m_axisH + kLanes * m_laneH + 2 * m_pad); }

DtmfTimeline::Colors DtmfTimeline::colors() const
{
    const QPalette &pal = palette();
    Colors c;
    c.base = pal.color(QPalette::Base);
    c.text = pal.color(QPalette::Text);
    const bool dark = c.base.lightnessF() < 0.5;
    c.lane = mix(c.base, c.text, dark ? 0.07 : 0.04);
    c.muted = mix(c.text, c.base, 0.4);
    c.grid = mix(c.text, c.base, 0.82);
    c.highlight = pal.color(QPalette::Highlight);
    c.error = dark ? QColor(0xf2, 0x8b, 0x82) : QColor(0xc5, 0x22, 0x1f);
    c.mode[0] = dark ? QColor(0x8a, 0xb4, 0xf8) : QColor(0x1c, 0x57, 0xb0);
    c.mode[1] = dark ? QColor(0x4e, 0xcd, 0xc4) : QColor(0x00, 0x83, 0x8f);
    c.mode[2] = dark ? QColor(0xc5, 0x8a, 0xf9) : QColor(0x7b, 0x1f, 0xa2);
    return c;
}

void DtmfTimeline::paintEventBox(QPainter &p, const DigitEvent &e, const QRect &r, const Colors &c) const
{
    const QColor edge = isError(e) ? c.error : c.mode[modeIndex(e.mode)];
    p.setPen(QPen(edge, 1, e.endSeen ? Qt::SolidLine : Qt::DashLine));
    p.setBrush(mix(edge, c.base, isError(e) ? 0.5 : 0.7));
    p.drawRect(QRectF(r).adjusted(0.5, 0.5, -0.5, -0.5));
    if (!e.endSeen) // the end packet never came: hatched
        p.fillRect(r.adjusted(1, 1, -1, -1), QBrush(mix(edge, c.base, 0.3), Qt::BDiagPattern));
    QFont bold = font();
    bold.setBold(true);
    p.setFont(bold);
    p.setPen(c.text);
    p.drawText(r, Qt::AlignCenter, QString(QLatin1Char(e.digit)));
    p.setFont(font());
    if (isError(e)) {
        p.setPen(c.error);
        p.drawText(QRect(r.right() + m_pad, r.top(), 8 * m_minBoxW, r.height()), Qt::AlignLeft | Qt::AlignVCenter, QString::number(*e.infoStatus));
    }
}

void DtmfTimeline::paintEvent(QPaintEvent *)
{
    QPainter p(this);
    const Colors c = colors();
    p.fillRect(rect(), c.base);
    const QRect plot = plotRect();
    for (int lane = 0; lane < kLanes; ++lane) {
        const QRect lr = laneRect(lane);
        p.fillRect(QRect(0, lr.top(), width(), lr.height()), lane % 2 ? c.lane : c.base);
        p.setPen(c.muted);
        p.drawText(QRect(m_pad, lr.top(), plot.left() - 2 * m_pad, lr.height()), Qt::AlignLeft | Qt::AlignVCenter,
            fontMetrics().elidedText(laneName(lane), Qt::ElideRight, plot.left() - 2 * m_pad));
    }
    p.setPen(c.grid);
    p.drawLine(0, laneRect(3).top() - m_pad / 2 - 1, width(), laneRect(3).top() - m_pad / 2 - 1); // sent | received
    m_scale.paintGrid(p, plot, c.grid, QRect(plot.left(), 0, plot.width(), m_axisH), c.muted);

    p.setClipRect(plot);
    p.setRenderHint(QPainter::Antialiasing, false);
    const qint64 fromMs = m_scale.msAt(plot.left()), toMs = m_scale.msAt(plot.right() + 1);
    const qint64 margin = qint64(std::ceil(9.0 * m_minBoxW / m_scale.pxPerMs)); // the narrowest box and a status
    for (int d = 0; d < m_digits.size(); ++d) {
        const MergedDigit &digit = m_digits[d];
        qint64 end = digit.atMs + digit.durationMs;
        for (const DigitEvent &e : digit.events)
            end = std::max<qint64>(end, e.atMs + e.durationMs);
        if (end + margin < fromMs || digit.atMs > toMs) // atMs: the earliest of its modes
            continue;
        QList<QRect> boxes;
        for (int e = 0; e < digit.events.size(); ++e)
            boxes << eventRect(d, e);
        if (boxes.size() > 1) { // one key press in several modes: linked top to bottom
            QList<QRect> sorted = boxes;
            std::sort(sorted.begin(), sorted.end(), [](const QRect &a, const QRect &b) { return a.top() < b.top(); });
            p.setRenderHint(QPainter::Antialiasing, true);
            p.setPen(QPen(c.muted, 1.5));
            for (qsizetype i = 1; i < sorted.size(); ++i)
                p.drawLine(
                    QPointF(sorted[i - 1].left() + m_minBoxW / 2.0, sorted[i - 1].bottom() + 1), QPointF(sorted[i].left() + m_minBoxW / 2.0, sorted[i].top()));
            p.setRenderHint(QPainter::Antialiasing, false);
        }
        for (int e = 0; e < digit.events.size(); ++e)
            paintEventBox(p, digit.events[e], boxes[e], c);
        if (d == m_selected) {
            p.setBrush(Qt::NoBrush);
            p.setPen(QPen(c.highlight, 2));
            for (const QRect &r : boxes)
                p.drawRect(r.adjusted(-1, -1, 1, 1));
        }
    }
}

bool DtmfTimeline::event(QEvent *event)
{
    if (event->type() == QEvent::ToolTip) {
        const auto *help = static_cast<QHelpEvent *>(event);
        const Hit hit = hitAt(help->pos());
        if (hit.digit < 0) {
            QToolTip::hideText();
            event->ignore();
        } else {
            QToolTip::showText(help->globalPos(), toolTipFor(hit.digit, hit.event), this, eventRect(hit.digit, hit.event));
        }
        return true;
    }
    return QWidget::event(event);
}

void DtmfTimeline::mousePressEvent(QMouseEvent *event)
{
    if (event->button() != Qt::LeftButton) {
        QWidget::mousePressEvent(event);
        return;
    }
    const Hit hit = hitAt(event->position().toPoint());
    if (hit.digit != m_selected) {
        setSelected(hit.digit);
        emit digitClicked(hit.digit);
    }
    event->accept();
}

void DtmfTimeline::changeEvent(QEvent *event)
{
    QWidget::changeEvent(event);
    if (event->type() == QEvent::FontChange || event->type() == QEvent::StyleChange)
        updateMetrics();
    if (event->type() == QEvent::PaletteChange)
        update();
}

} // namespace ds::ui
