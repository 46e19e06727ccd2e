#pragma once
// SpectrogramView: the received audio of one call as a scrolling spectrogram — time across, on the
// DTMF timeline's scale; frequency up, with the eight DTMF frequencies of Q.23 marked so the two
// tones of an in-band digit sit on two marked lines. Keeps the last minutes of columns, no more.
// Main thread (columns come from the media thread's Spectrogram by queued signal).

#include "dtmf/spectrogram.h"
#include "dtmf_timeline.h"

#include <QByteArray>
#include <QImage>
#include <QList>
#include <QWidget>

#include <array>
#include <deque>

namespace ds::ui {

class SpectrogramView final : public QWidget {
    Q_OBJECT
public:
    static constexpr int kBins = ds::dtmf::Spectrogram::kBins; // bytes per column
    static constexpr int kColumnMs = ds::dtmf::Spectrogram::kColumnMs; // time per column
    static constexpr int kDefaultMinutes = 10;
    // ITU-T Q.23: the low group (rows of the keypad), then the high group (columns).
    static constexpr std::array<int, 8> kDtmfHz = {697, 770, 852, 941, 1209, 1336, 1477, 1633};

    explicit SpectrogramView(QWidget *parent = nullptr);

    // Columns as Spectrogram makes them (n * kBins bytes; a partial column at the end is ignored),
    // the first one for the 16 ms slot starting at firstColumnMs (rounded to the 16 ms grid). A gap
    // since the previous columns stays empty; columns for slots already held replace them.
    void appendColumns(const QByteArray &columns, qint64 firstColumnMs);
    void clear();
    // At most this many columns are kept (the oldest go first); default kDefaultMinutes minutes:
    // 37,500 columns, 4.8 MB.
    void setCapacity(int columns);
    int capacity() const { return m_capacity; }
    int columnCount() const { return int(m_columns.size()); }
    qint64 firstMs() const { return m_first * kColumnMs; } // the oldest column kept (0 when empty)
    qint64 endMs() const { return (m_first + qint64(m_columns.size())) * kColumnMs; } // after the newest
    // The column whose slot holds `ms`; empty when it is not kept.
    QByteArrayView column(qint64 ms) const;

    // The top of the frequency axis (default 2000 Hz, above the DTMF tones; up to 4000 Hz).
    void setMaxHz(int hz);
    int maxHz() const { return m_maxHz; }
    void setTimeScale(const DtmfTimeScale &scale);
    const DtmfTimeScale &timeScale() const { return m_scale; }
    int gutterWidth() const { return m_gutter; } // what the frequency labels need

    // Widget coordinates: the image area, and the row of a frequency (the centre of its bin).
    QRect plotRect() const;
    int yOfHz(double hz) const;
    // The kept columns from `fromMs` to `toMs` as an 8-bit indexed image, one pixel per column and
    // bin shown (lowest frequency at the bottom), coloured for the current palette.
    QImage image(qint64 fromMs, qint64 toMs) const;
    QColor colorOf(std::uint8_t value) const { return QColor::fromRgba(m_colorTable[value]); }

    QSize sizeHint() const override;
    QSize minimumSizeHint() const override;

protected:
    bool event(QEvent *event) override;
    void paintEvent(QPaintEvent *event) override;
    void changeEvent(QEvent *event) override;

private:
    using Column = std::array<std::uint8_t, kBins>;
    int shownBins() const; // bins 0 .. shownBins() - 1 are drawn
    void updateMetrics();
    void updateColors();
    QString toolTipAt(const QPoint &pos) const;

    std::deque<Column> m_columns;
    qint64 m_first = 0; // the column index (slot) of m_columns.front()
    int m_capacity = kDefaultMinutes * 60'000 / kColumnMs;
    int m_maxHz = 2000;
    DtmfTimeScale m_scale;
    QList<QRgb> m_colorTable; // 256 entries: byte value -> colour
    int m_pad = 3, m_gutter = 60, m_axisH = 20;
};

} // namespace ds::ui
