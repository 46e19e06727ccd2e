#pragma once
// LadderView: the live sequence diagram of a LadderModel — scrolls a scene that LadderPainter
// lays out and paints, keeps the column titles on top, selects a message by click or keys with
// its transaction overlaid, and follows the newest row until the user scrolls away from it.

#include "ladder_painter.h"

#include <QAbstractScrollArea>

#include <memory>

namespace ds::ui {

class LadderView final : public QAbstractScrollArea {
    Q_OBJECT
public:
    explicit LadderView(QWidget *parent = nullptr);
    ~LadderView() override;

    // The model is not owned; it must outlive the view or be replaced first (nullptr: none).
    void setModel(const ds::diag::LadderModel *model);
    const ds::diag::LadderModel *model() const { return m_model; }
    // After the model's update() or setFilter(): new scroll ranges, the selection kept when its
    // message is still shown, and in follow mode the last row scrolled into view.
    void modelChanged();

    // Follow mode (on at first): new rows scroll into view. Scrolling away from the end turns
    // it off; scrolling back to the end or setFollow(true) turns it on again.
    bool follows() const { return m_follow; }
    void setFollow(bool follow);

    void selectMessage(quint32 message); // scrolls to it; kNoMessage clears the selection
    quint32 selectedMessage() const { return m_state.selected; }

    // Viewport coordinates, for tests and tooltips; empty when the row is not laid out.
    QRect rowRect(int row) const;
    QRect arrowRect(int row) const;
    int rowAt(const QPoint &viewportPos) const;
    const LadderPainter *ladderPainter() const { return m_painter.get(); }

    QSize sizeHint() const override;

signals:
    void messageSelected(quint32 message); // kNoMessage when the selection went away
    void followChanged(bool follows);

protected:
    void paintEvent(QPaintEvent *event) override;
    void resizeEvent(QResizeEvent *event) override;
    void mousePressEvent(QMouseEvent *event) override;
    void mouseReleaseEvent(QMouseEvent *event) override;
    void keyPressEvent(QKeyEvent *event) override;
    bool viewportEvent(QEvent *event) override;
    void focusInEvent(QFocusEvent *event) override;
    void focusOutEvent(QFocusEvent *event) override;
    void changeEvent(QEvent *event) override;
    void scrollContentsBy(int dx, int dy) override;

private:
    void relayout();
    void updateScrollBars();
    void scrollToEnd();
    void ensureRowVisible(int row);
    void selectRow(int row);
    void setFollowState(bool follow);
    void verticalMoved(int value);
    QPoint toScene(const QPoint &viewportPos) const;
    int visibleRows() const;

    const ds::diag::LadderModel *m_model = nullptr;
    std::unique_ptr<LadderPainter> m_painter;
    LadderPainter::PaintState m_state;
    bool m_follow = true;
    bool m_scrolling = false; // the view moves the scroll bars itself: not the user's doing
};

} // namespace ds::ui
