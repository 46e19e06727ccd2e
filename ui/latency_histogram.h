#pragma once
// LatencyHistogram: paints the registration time bins of a LatencyStats (1-2-5 steps on a log
// scale) as bars, each labelled with its millisecond range and its count, in the palette's
// colours so it reads in light and dark themes alike.

#include "diag/reg_report.h"

#include <QWidget>

namespace ds::ui {

class LatencyHistogram final : public QWidget {
    Q_OBJECT
public:
    explicit LatencyHistogram(QWidget *parent = nullptr);

    void setBins(const QList<ds::diag::LatencyStats::Bin> &bins);
    const QList<ds::diag::LatencyStats::Bin> &bins() const { return m_bins; }
    // The samples in all bins.
    qint64 total() const { return m_total; }
    // Where bin i's bar is painted (empty when the widget is too small or the bin is empty).
    QRect barRect(int i) const;
    // "10 ms – 20 ms", as under the bar.
    static QString rangeLabel(const ds::diag::LatencyStats::Bin &bin);

    QSize sizeHint() const override;
    QSize minimumSizeHint() const override;

protected:
    bool event(QEvent *event) override;
    void paintEvent(QPaintEvent *event) override;

private:
    QRect plotRect() const;

    QList<ds::diag::LatencyStats::Bin> m_bins;
    qint64 m_total = 0;
    qint64 m_most = 0;
};

} // namespace ds::ui
