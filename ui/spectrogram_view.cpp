#include "spectrogram_view.h"

#include <QAction>
#include <QEvent>
#include <QHelpEvent>
#include <QPaintEvent>
#include <QPainter>
#include <QToolTip>

#include <algorithm>
#include <cstring>

namespace ds::ui {

using dtmf::Spectrogram;

namespace {

QColor mix(const QColor &a, const QColor &b, qreal t)
{
    return QColor::fromRgbF(float(a.redF() * (1 - t) + b.redF() * t), float(a.greenF() * (1 - t) + b.greenF() * t), float(a.blueF() * (1 - t) + b.blueF() * t));
}

qint64 floorDiv(qint64 a, qint64 b) { return a / b - (a % b != 0 && (a < 0) != (b < 0) ? 1 : 0); }

// The levels the colours spread over: quieter is empty (transparent), louder is the last colour.
constexpr double kQuietDb = -90, kLoudDb = -20;

} // namespace

SpectrogramView::SpectrogramView(QWidget *parent)
    : QWidget(parent)
{
    setAttribute(Qt::WA_OpaquePaintEvent);
    setSizePolicy(QSizePolicy::Expanding, QSizePolicy::Expanding);
    auto *wide = new QAction(tr("Show up to 4 kHz"), this);
    wide->setCheckable(true);
    connect(wide, &QAction::toggled, this, [this](bool on) { setMaxHz(on ? 4000 : 2000); });
    addAction(wide);
    setContextMenuPolicy(Qt::ActionsContextMenu);
    updateMetrics();
    updateColors();
}

void SpectrogramView::appendColumns(const QByteArray &columns, qint64 firstColumnMs)
{
    const qsizetype n = columns.size() / kBins;
    if (n == 0)
        return;
    const qint64 slot = floorDiv(firstColumnMs + kColumnMs / 2, kColumnMs);
    if (m_columns.empty()) {
        m_first = slot;
    } else if (const qint64 end = m_first + qint64(m_columns.size()); slot > end) {
        if (slot - end >= m_capacity) { // nothing kept would survive the gap
            m_columns.clear();
            m_first = slot;
        } else {
            m_columns.resize(m_columns.size() + size_t(slot - end)); // silence, shown empty
        }
    }
    const auto *src = reinterpret_cast<const std::uint8_t *>(columns.constData());
    for (qsizetype i = 0; i < n; ++i, src += kBins) {
        const qint64 at = slot + i - m_first;
        if (at < 0) // older than what is kept
            continue;
        if (at < qint64(m_columns.size()))
            std::memcpy(m_columns[size_t(at)].data(), src, kBins);
        else
            std::memcpy(m_columns.emplace_back().data(), src, kBins);
    }
    while (qint64(m_columns.size()) > m_capacity) {
        m_columns.pop_front();
        ++m_first;
    }
    update();
}

void SpectrogramView::clear()
{
    m_columns.clear();
    m_columns.shrink_to_fit();
    m_first = 0;
    update();
}

void SpectrogramView::setCapacity(int columns)
{
    m_capacity = std::max(1, columns);
    while (qint64(m_columns.size()) > m_capacity) {
        m_columns.pop_front();
        ++m_first;
    }
    update();
}

QByteArrayView SpectrogramView::column(qint64 ms) const
{
    const qint64 at = floorDiv(ms, kColumnMs) - m_first;
    if (at < 0 || at >= qint64(m_columns.size()))
        return {};
    return QByteArrayView(reinterpret_cast<const char *>(m_columns[size_t(at)].data()), kBins);
}

void SpectrogramView::setMaxHz(int hz)
{
    hz = std::clamp(hz, 500, 4000);
    if (hz == m_maxHz)
        return;
    m_maxHz = hz;
    update();
}

void SpectrogramView::setTimeScale(const DtmfTimeScale &scale)
{
    if (scale == m_scale)
        return;
    m_scale = scale;
    update();
}

int SpectrogramView::shownBins() const { return std::clamp(int(m_maxHz / Spectrogram::kBinHz) + 1, 2, kBins); }

QRect SpectrogramView::plotRect() const
{
    const int left = std::max(m_gutter, m_scale.left);
    return QRect(left, m_pad, std::max(0, width() - left), std::max(0, height() - m_axisH - m_pad));
}

int SpectrogramView::yOfHz(double hz) const
{
    const QRect plot = plotRect();
    const int bins = shownBins();
    const double fromTop = bins - 0.5 - hz / Spectrogram::kBinHz; // in bins
    return plot.top() + int(std::floor(fromTop * plot.height() / bins));
}

QImage SpectrogramView::image(qint64 fromMs, qint64 toMs) const
{
    const qint64 first = std::max(m_first, floorDiv(fromMs, kColumnMs));
    const qint64 end = std::min(m_first + qint64(m_columns.size()), floorDiv(toMs + kColumnMs - 1, kColumnMs));
    if (end <= first)
        return {};
    const int bins = shownBins();
    QImage img(int(end - first), bins, QImage::Format_Indexed8);
    img.setColorTable(m_colorTable);
    const size_t offset = size_t(first - m_first);
    for (int row = 0; row < bins; ++row) {
        uchar *line = img.scanLine(row);
        const int bin = bins - 1 - row;
        for (int i = 0; i < img.width(); ++i)
            line[i] = m_columns[offset + size_t(i)][size_t(bin)];
    }
    return img;
}

QSize SpectrogramView::sizeHint() const { return QSize(m_gutter + 640, 4 * 65 + m_axisH + m_pad); }

QSize SpectrogramView::minimumSizeHint() const { return QSize(m_gutter + 120, 2 * 65 + m_axisH + m_pad); }

void SpectrogramView::updateMetrics()
{
    const QFontMetrics fm = fontMetrics();
    m_pad = std::max(3, fm.height() / 5);
    m_axisH = fm.height() + 2 * m_pad;
    m_gutter = 2 * fm.horizontalAdvance(QStringLiteral("0000")) + 5 * m_pad; // two columns of labels
    updateGeometry();
}

void SpectrogramView::updateColors()
{
    // A ramp away from the window's own Base colour: dark blue on a light palette, warm and bright on
    // a dark one. The quietest levels are transparent, so the grid shows through where there is
    // nothing to hear.
    const QColor base = palette().color(QPalette::Base), text = palette().color(QPalette::Text);
    const bool dark = base.lightnessF() < 0.5;
    struct Stop {
        double at;
        QColor color;
    };
    const Stop stops[] = {
        {0.0, base},
        {0.2, dark ? mix(base, QColor(0x3b, 0x4c, 0xc0), 0.6) : mix(base, QColor(0x9e, 0xc5, 0xe8), 0.8)},
        {0.45, dark ? QColor(0x8e, 0x3f, 0xa8) : QColor(0x4a, 0x8f, 0xd4)},
        {0.75, dark ? QColor(0xe8, 0x70, 0x3a) : QColor(0x1c, 0x4f, 0xa8)},
        {1.0, dark ? mix(QColor(0xfd, 0xe6, 0x8a), text, 0.2) : mix(QColor(0x0b, 0x1f, 0x5c), text, 0.3)},
    };
    m_colorTable.resize(256);
    for (int v = 0; v < 256; ++v) {
        const double t = std::clamp((Spectrogram::dbOf(std::uint8_t(v)) - kQuietDb) / (kLoudDb - kQuietDb), 0.0, 1.0);
        size_t i = 1;
        while (i + 1 < std::size(stops) && t > stops[i].at)
            ++i;
        const double f = (t - stops[i - 1].at) / (stops[i].at - stops[i - 1].at);
        QColor c = mix(stops[i - 1].color, stops[i].color, std::clamp(f, 0.0, 1.0));
        c.setAlphaF(float(std::min(1.0, t / 0.2)));
        m_colorTable[v] = c.rgba();
    }
}

void SpectrogramView::paintEvent(QPaintEvent *)
{
    QPainter p(this);
    const QColor base = palette().color(QPalette::Base), text = palette().color(QPalette::Text);
    const QColor muted = mix(text, base, 0.4), grid = mix(text, base, 0.82), mark = mix(text, base, 0.55);
    p.fillRect(rect(), base);
    const QRect plot = plotRect();
    m_scale.paintGrid(p, plot, grid, QRect(plot.left(), plot.bottom() + 1, plot.width(), m_axisH), muted);

    // The DTMF frequencies under the image: a tone covers its line.
    const QFontMetrics fm = fontMetrics();
    int lastLabel[2] = {1 << 30, 1 << 30}; // the top of the last label in each gutter column
    const int labelW = fm.horizontalAdvance(QStringLiteral("0000"));
    p.setPen(muted);
    p.drawText(QRect(m_pad, plot.top(), plot.left() - 2 * m_pad, fm.height()), Qt::AlignLeft | Qt::AlignTop, tr("Hz"));
    const int captionBottom = plot.top() + fm.height();
    for (int hz : kDtmfHz) {
        const int y = yOfHz(hz);
        if (y < plot.top() || y > plot.bottom())
            continue;
        p.setPen(QPen(mark, 1, Qt::DotLine));
        p.drawLine(plot.left(), y, plot.right(), y);
        p.setPen(mark);
        p.drawLine(plot.left() - m_pad, y, plot.left() - 1, y);
        const int top = y - fm.height() / 2;
        for (int col = 0; col < 2; ++col) { // nearest the plot first, else the outer column, else no label
            if (top + fm.height() > lastLabel[col] || (col == 1 && top < captionBottom))
                continue;
            const int right = plot.left() - m_pad - 2 - col * (labelW + m_pad);
            p.setPen(muted);
            p.drawText(QRect(right - labelW, top, labelW, fm.height()), Qt::AlignRight | Qt::AlignVCenter, QString::number(hz));
            lastLabel[col] = top;
            break;
        }
    }

    const qint64 fromMs = m_scale.msAt(plot.left()), toMs = m_scale.msAt(plot.right() + 1) + 1;
    const QImage img = image(fromMs, toMs);
    if (!img.isNull()) {
        const qint64 first = std::max(m_first, floorDiv(fromMs, kColumnMs));
        const QRectF target(m_scale.x(first * kColumnMs), plot.top(), img.width() * kColumnMs * m_scale.pxPerMs, plot.height());
        p.save();
        p.setClipRect(plot);
        p.drawImage(target, img);
        p.restore();
    } else if (m_columns.empty()) {
        p.setPen(palette().color(QPalette::PlaceholderText));
        p.drawText(plot, Qt::AlignCenter, tr("No received audio yet"));
    }
    p.setPen(grid);
    p.setBrush(Qt::NoBrush);
    p.drawRect(plot.adjusted(0, 0, -1, -1));
}

QString SpectrogramView::toolTipAt(const QPoint &pos) const
{
    const QRect plot = plotRect();
    if (!plot.contains(pos) || plot.height() <= 0)
        return {};
    const int bins = shownBins();
    const int bin = std::clamp(int((plot.bottom() + 1 - pos.y()) * bins / plot.height()), 0, bins - 1);
    const qint64 ms = m_scale.msAt(pos.x());
    const QString where = tr("%1, %2 Hz").arg(DtmfTimeScale::format(ms, 3)).arg(Spectrogram::binHz(bin));
    const QByteArrayView c = column(ms);
    if (c.isEmpty())
        return where;
    const auto value = std::uint8_t(c[bin]);
    return value == 0 ? tr("%1: silent").arg(where) : tr("%1: %2 dBFS").arg(where).arg(Spectrogram::dbOf(value), 0, 'f', 0);
}

bool SpectrogramView::event(QEvent *event)
{
    if (event->type() == QEvent::ToolTip) {
        const auto *help = static_cast<QHelpEvent *>(event);
        const QString text = toolTipAt(help->pos());
        if (text.isEmpty()) {
            QToolTip::hideText();
            event->ignore();
        } else {
            QToolTip::showText(help->globalPos(), text, this);
        }
        return true;
    }
    return QWidget::event(event);
}

void SpectrogramView::changeEvent(QEvent *event)
{
    QWidget::changeEvent(event);
    if (event->type() == QEvent::FontChange || event->type() == QEvent::StyleChange)
        updateMetrics();
    if (event->type() == QEvent::PaletteChange) {
        updateColors();
        update();
    }
}

} // namespace ds::ui
