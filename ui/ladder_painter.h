#pragma once
// LadderPainter: the geometry and the painting of a LadderModel — a header of lifeline titles, the
// unsolicited endpoints in a shaded lane apart, a time gutter, one arrow per row and the RTP
// streams as bands between their endpoints — shared by the LadderView and the SVG/PNG exports.
// It paints only what the model says, and only the rows exposed: a frame costs the same for a
// hundred messages as for a million (after Wireshark's sequence diagram over seq_analysis).

#include "diag/ladder_model.h"
#include "ladder_media.h"
#include "ladder_overlay.h"

#include <QCoreApplication>
#include <QFont>
#include <QPalette>
#include <QRect>
#include <QSize>

#include <vector>

class QPainter;

namespace ds::ui {

class LadderPainter {
    Q_DECLARE_TR_FUNCTIONS(ds::ui::LadderPainter)
public:
    struct PaintState {
        quint32 selected = diag::kNoMessage;
        LadderOverlay overlay; // the transaction of the selection
        bool searchHits = true; // mark the rows whose raw bytes contain the filter text
        bool active = true; // the selection in the active highlight colour (the view has focus)
    };

    explicit LadderPainter(const diag::LadderModel &model);

    const diag::LadderModel &model() const { return m_model; }
    void setFont(const QFont &font); // takes effect at the next layout()
    void setPalette(const QPalette &palette);
    const QPalette &palette() const { return m_palette; }
    // At most this many rows (-1: all); a last line says how many were left out.
    void setRowLimit(int rows) { m_rowLimit = rows; }
    // The lifelines spread out to fill this width when they need less (a wide window).
    void setAvailableWidth(int width) { m_availableWidth = width; }
    // Columns, row geometry and RTP bands from the model as it is now: call after the model's
    // update() or setFilter(). Costs O(columns + RTP streams), not O(rows).
    void layout();

    // Scene coordinates: the header at y 0, the rows below it, the time gutter at x 0.
    QSize sceneSize() const { return m_sceneSize; }
    int headerHeight() const { return m_headerH; }
    int rowHeight() const { return m_rowH; }
    int rowsShown() const { return m_rowsShown; } // model rows laid out (the limit applies)
    int rowsLeftOut() const { return m_model.rowCount() - m_rowsShown; } // as of the last layout()
    int mediaLines() const { return int(m_bands.size()); } // one line per RTP stream drawn
    int rowAt(int y) const; // -1 when y is not on a message row
    QRect rowRect(int row) const; // the full width of the scene
    QRect arrowRect(int row) const; // the arrow and its label
    int columnX(int column) const { return m_columnX[size_t(column)]; }
    // The full label and detail of the arrow under a point, the stream of a media line, or the
    // full title of a column; empty elsewhere.
    QString toolTipAt(const QPoint &scenePos) const;

    // Paints the part of the scene in `exposed` (scene coordinates; the painter maps the scene).
    void paint(QPainter &p, const QRect &exposed, const PaintState &state) const;
    void paintHeader(QPainter &p, const QRect &exposed) const; // the band at y 0..headerHeight()
    void paintBody(QPainter &p, const QRect &exposed, const PaintState &state) const;

    // A light palette for images that are printed or pasted into tickets.
    static QPalette exportPalette();

private:
    struct Band : MediaPlacement { // one RTP stream: its line, and a band down to its end row
        qint64 endSlot = 0;
        bool body = true; // false: an earlier band between the same lifelines covers it
    };
    struct Slot { // what lies at a slot (a row-high stripe of the body)
        int row = -1;
        int band = -1;
        bool footer = false;
    };
    struct Colors {
        QColor base, alternate, text, muted, lifeline, header, highlight, request, provisional, success, challenge, error, media, lane, search;
    };
    struct Arrow {
        int x1 = 0, x2 = 0;
        bool self = false;
    };

    int bandsBefore(int row) const; // bands whose media line comes before `row`
    qint64 slotOfRow(int row) const { return row + bandsBefore(row); }
    qint64 slotOfBand(int band) const { return m_bands[size_t(band)].afterRow + 1 + band; }
    qint64 slotCount() const { return m_rowsShown + qint64(m_bands.size()) + (m_rowsShown < m_model.rowCount() ? 1 : 0); }
    int slotTop(qint64 slot) const { return m_headerH + int(slot) * m_rowH; }
    Slot slotAt(qint64 slot) const;
    Arrow arrowOf(int from, int to) const;
    int columnGap(int column) const; // the room around a lifeline for a self-arrow and its label

    void layoutColumns();
    void layoutBands();
    QColor colorOf(const diag::MessageRecord &r) const;
    QString streamLabel(const diag::RtpStreamInfo &s) const;
    QString streamDetail(const diag::RtpStreamInfo &s) const;

    void paintRow(QPainter &p, int row, int top, const QRect &exposed, const PaintState &state) const;
    void paintMediaLine(QPainter &p, int band, int top) const;
    void paintAuthLinks(QPainter &p, qint64 firstSlot, qint64 lastSlot, int base, const PaintState &state) const;
    void paintArrow(QPainter &p, const Arrow &a, int y, const QColor &color, qreal width, Qt::PenStyle style) const;

    const diag::LadderModel &m_model;
    QFont m_font, m_boldFont, m_smallFont;
    QPalette m_palette;
    Colors m_colors;
    int m_rowLimit = -1;
    int m_availableWidth = 0;

    // Geometry (layout()).
    int m_pad = 4, m_rowH = 40, m_labelBase = 0, m_arrowY = 0, m_smallBase = 0, m_headerH = 40, m_gutterW = 80, m_minGap = 200, m_laneX = -1;
    int m_rowsShown = 0;
    QSize m_sceneSize;
    std::vector<int> m_columnX;
    std::vector<Band> m_bands; // by media line, top to bottom
    std::vector<qint64> m_bandReach; // running maximum of the bands' end slots
};

} // namespace ds::ui
