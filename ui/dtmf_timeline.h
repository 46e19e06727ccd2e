#pragma once
// DtmfTimeline: one call's DTMF digits on a time axis — a lane per mode and direction, each digit a
// box as long as it lasted, the modes of one key press linked, an event without end hatched and a
// failed INFO in red with its status. Main thread.

#include "dtmf/analyzer.h"

#include <QList>
#include <QWidget>

#include <cmath>

class QPainter;

namespace ds::ui {

// DtmfTimeScale: where a time of the call's media (ms since it started) falls on screen; the
// timeline and the spectrogram share one so that a digit and its tones line up. A plain value.
struct DtmfTimeScale {
    int left = 0; // x of startMs: the plot's left edge, right of the labels
    double pxPerMs = 0.25;
    qint64 startMs = 0; // the time at the left edge

    double x(qint64 ms) const { return left + double(ms - startMs) * pxPerMs; }
    qint64 msAt(double x) const { return startMs + qint64(std::floor((x - left) / pxPerMs)); }
    // The grid step (a 1-2-5 multiple of 10 ms) that keeps grid lines at least minPx apart.
    qint64 stepMs(int minPx) const;
    // "m:ss" with `decimals` digits of the second ("1:05.250").
    static QString format(qint64 ms, int decimals);
    // Vertical grid lines over `plot` and, when textColor is valid, their times centred in `labels`.
    void paintGrid(QPainter &p, const QRect &plot, const QColor &lineColor, const QRect &labels, const QColor &textColor) const;

    bool operator==(const DtmfTimeScale &) const = default;
};

class DtmfTimeline final : public QWidget {
    Q_OBJECT
public:
    // Lanes from the top: sent RFC 4733, in-band, INFO; then received RFC 4733, in-band, INFO.
    static constexpr int kLanes = 6;
    static int laneOf(ds::dtmf::Mode mode, ds::dtmf::Direction dir);
    static QString laneName(int lane);

    explicit DtmfTimeline(QWidget *parent = nullptr);

    void setDigits(const QList<ds::dtmf::MergedDigit> &digits);
    const QList<ds::dtmf::MergedDigit> &digits() const { return m_digits; }
    qint64 endMs() const { return m_endMs; } // the end of the latest digit, 0 without digits
    void setTimeScale(const DtmfTimeScale &scale);
    const DtmfTimeScale &timeScale() const { return m_scale; }
    int gutterWidth() const { return m_gutter; } // what the lane names need
    void setSelected(int digit); // -1: none
    int selected() const { return m_selected; }

    // Widget coordinates, for tests and tooltips.
    QRect laneRect(int lane) const; // the lane across the plot, right of its name
    QRect plotRect() const; // all lanes right of the names
    QRect eventRect(int digit, int event) const; // the box of one event; null when out of range
    QRect digitRect(int digit) const; // the boxes of all its modes
    struct Hit {
        int digit = -1;
        int event = -1;
    };
    Hit hitAt(const QPoint &pos) const;
    QString toolTipFor(int digit, int event) const;

    QSize sizeHint() const override;
    QSize minimumSizeHint() const override;

signals:
    void digitClicked(int digit); // a click selected this digit (-1: a click beside the digits cleared the selection)

protected:
    bool event(QEvent *event) override;
    void paintEvent(QPaintEvent *event) override;
    void mousePressEvent(QMouseEvent *event) override;
    void changeEvent(QEvent *event) override;

private:
    struct Colors {
        QColor base, lane, text, muted, grid, highlight, error;
        QColor mode[3]; // RFC 4733, in-band, INFO
    };
    static bool isError(const ds::dtmf::DigitEvent &e) { return e.mode == ds::dtmf::Mode::Info && e.infoStatus && *e.infoStatus >= 300; }
    void updateMetrics();
    Colors colors() const;
    void paintEventBox(QPainter &p, const ds::dtmf::DigitEvent &e, const QRect &r, const Colors &c) const;

    QList<ds::dtmf::MergedDigit> m_digits;
    qint64 m_endMs = 0;
    DtmfTimeScale m_scale;
    int m_selected = -1;
    int m_pad = 3, m_axisH = 20, m_laneH = 22, m_gutter = 120, m_minBoxW = 12;
};

} // namespace ds::ui
