#include "latency_histogram.h"

#include <QHelpEvent>
#include <QPainter>
#include <QToolTip>

#include <algorithm>
#include <cmath>

namespace ds::ui {

namespace {

constexpr int kMargin = 6;
constexpr int kGap = 4; // between bars

} // namespace

LatencyHistogram::LatencyHistogram(QWidget *parent)
    : QWidget(parent)
{
    setAttribute(Qt::WA_OpaquePaintEvent);
    setToolTip(tr("Registration time (first REGISTER to 200 OK) of the registered attempts"));
}

void LatencyHistogram::setBins(const QList<diag::LatencyStats::Bin> &bins)
{
    m_bins = bins;
    m_total = 0;
    m_most = 0;
    for (const auto &b : m_bins) {
        m_total += b.count;
        m_most = std::max(m_most, b.count);
    }
    update();
}

QString LatencyHistogram::rangeLabel(const diag::LatencyStats::Bin &bin)
{
    return QStringLiteral("%1 – %2").arg(diag::formatMs(bin.fromMs), diag::formatMs(bin.toMs));
}

QSize LatencyHistogram::sizeHint() const { return {480, 160}; }

QSize LatencyHistogram::minimumSizeHint() const { return {200, 6 * fontMetrics().height()}; }

QRect LatencyHistogram::plotRect() const
{
    const int line = fontMetrics().height();
    // A count line above the bars, two label lines below them (the range does not fit on one
    // line under a narrow bar).
    return rect().adjusted(kMargin, kMargin + line, -kMargin, -(kMargin + 2 * line));
}

QRect LatencyHistogram::barRect(int i) const
{
    if (i < 0 || i >= m_bins.size() || m_most <= 0)
        return {};
    const QRect plot = plotRect();
    if (plot.width() < int(m_bins.size()) * (kGap + 1) || plot.height() < 2)
        return {};
    const double slot = double(plot.width()) / double(m_bins.size());
    const int left = plot.left() + int(slot * i) + kGap / 2;
    const int width = std::max(1, int(slot) - kGap);
    const int height = int(std::lround(double(plot.height()) * double(m_bins[i].count) / double(m_most)));
    if (height <= 0)
        return {};
    return QRect(left, plot.bottom() - height + 1, width, height);
}

bool LatencyHistogram::event(QEvent *e)
{
    if (e->type() == QEvent::ToolTip) {
        const QPoint pos = static_cast<QHelpEvent *>(e)->pos();
        const QRect plot = plotRect();
        if (!m_bins.isEmpty() && plot.width() > 0 && pos.x() >= plot.left() && pos.x() <= plot.right()) {
            const int i = std::clamp(int(double(pos.x() - plot.left()) * double(m_bins.size()) / double(plot.width())), 0, int(m_bins.size()) - 1);
            QToolTip::showText(static_cast<QHelpEvent *>(e)->globalPos(),
                m_bins[i].count == 1 ? tr("%1: 1 registration").arg(rangeLabel(m_bins[i]))
                                     : tr("%1: %2 registrations").arg(rangeLabel(m_bins[i])).arg(m_bins[i].count),
                this);
            return true;
        }
    }
    return QWidget::event(e);
}

void LatencyHistogram::paintEvent(QPaintEvent *)
{
    QPainter p(this);
    const QPalette &pal = palette();
    p.fillRect(rect(), pal.color(QPalette::Base));
    const QColor text = pal.color(QPalette::Text);
    QColor axis = text;
    axis.setAlphaF(0.35);
    QColor dim = text;
    dim.setAlphaF(0.7);
    const QRect plot = plotRect();
    const int line = fontMetrics().height();

    if (m_bins.isEmpty()) {
        p.setPen(axis);
        p.drawText(rect(), Qt::AlignCenter, tr("No registration time yet"));
        return;
    }
    p.setPen(axis);
    p.drawLine(plot.bottomLeft() + QPoint(0, 1), plot.bottomRight() + QPoint(0, 1));

    const double slot = double(plot.width()) / double(m_bins.size());
    for (int i = 0; i < m_bins.size(); ++i) {
        const auto &b = m_bins[i];
        const QRect slotRect(plot.left() + int(slot * i), plot.top(), std::max(1, int(slot)), plot.height());
        if (const QRect bar = barRect(i); !bar.isEmpty())
            p.fillRect(bar, pal.color(QPalette::Highlight));
        p.setPen(text);
        const QRect countRect(slotRect.left(), plot.bottom() - barRect(i).height() - line, slotRect.width(), line);
        if (b.count)
            p.drawText(countRect, Qt::AlignHCenter | Qt::AlignBottom, QString::number(b.count));
        const QRect from(slotRect.left(), plot.bottom() + 2, slotRect.width(), line);
        const QRect to(slotRect.left(), plot.bottom() + 2 + line, slotRect.width(), line);
        p.drawText(from, Qt::AlignHCenter | Qt::AlignTop, fontMetrics().elidedText(diag::formatMs(b.fromMs), Qt::ElideRight, slotRect.width()));
        p.setPen(dim);
        p.drawText(
            to, Qt::AlignHCenter | Qt::AlignTop, fontMetrics().elidedText(QStringLiteral("– ") + diag::formatMs(b.toMs), Qt::ElideRight, slotRect.width()));
    }
}

} // namespace ds::ui
