#include "ladder_view.h"

#include <QEvent>
#include <QHelpEvent>
#include <QKeyEvent>
#include <QMouseEvent>
#include <QPaintEvent>
#include <QPainter>
#include <QResizeEvent>
#include <QScrollBar>
#include <QToolTip>

namespace ds::ui {

using diag::kNoMessage;

LadderView::LadderView(QWidget *parent)
    : QAbstractScrollArea(parent)
{
    setFocusPolicy(Qt::StrongFocus);
    viewport()->setBackgroundRole(QPalette::Base);
    viewport()->setAutoFillBackground(false);
    setHorizontalScrollBarPolicy(Qt::ScrollBarAsNeeded);
    setVerticalScrollBarPolicy(Qt::ScrollBarAsNeeded);
    connect(verticalScrollBar(), &QScrollBar::valueChanged, this, &LadderView::verticalMoved);
}

LadderView::~LadderView() = default;

void LadderView::setModel(const diag::LadderModel *model)
{
    m_model = model;
    m_painter = model ? std::make_unique<LadderPainter>(*model) : nullptr;
    const bool hadSelection = m_state.selected != kNoMessage;
    m_state = {};
    if (m_painter) {
        m_painter->setFont(font());
        m_painter->setPalette(palette());
    }
    relayout();
    if (m_follow)
        scrollToEnd();
    viewport()->update();
    if (hadSelection)
        emit messageSelected(kNoMessage);
}

void LadderView::modelChanged()
{
    if (!m_painter)
        return;
    relayout();
    if (m_state.selected != kNoMessage) {
        if (m_model->rowOf(m_state.selected) < 0) {
            m_state.selected = kNoMessage;
            m_state.overlay = {};
            emit messageSelected(kNoMessage);
        } else { // the transaction may have gained responses
            m_state.overlay = ladderOverlay(*m_model, m_state.selected);
        }
    }
    if (m_follow)
        scrollToEnd();
    viewport()->update();
}

void LadderView::setFollow(bool follow)
{
    setFollowState(follow);
    if (follow)
        scrollToEnd();
}

void LadderView::setFollowState(bool follow)
{
    if (follow == m_follow)
        return;
    m_follow = follow;
    emit followChanged(follow);
}

void LadderView::verticalMoved(int value)
{
    if (m_scrolling)
        return;
    setFollowState(value >= verticalScrollBar()->maximum());
}

void LadderView::relayout()
{
    if (m_painter) {
        m_painter->setAvailableWidth(viewport()->width());
        m_painter->layout();
    }
    updateScrollBars();
}

void LadderView::updateScrollBars()
{
    const QSize scene = m_painter ? m_painter->sceneSize() : QSize();
    const QSize vp = viewport()->size();
    const int header = m_painter ? m_painter->headerHeight() : 0;
    m_scrolling = true;
    verticalScrollBar()->setRange(0, std::max(0, scene.height() - vp.height()));
    verticalScrollBar()->setPageStep(std::max(1, vp.height() - header));
    verticalScrollBar()->setSingleStep(m_painter ? m_painter->rowHeight() : 20);
    horizontalScrollBar()->setRange(0, std::max(0, scene.width() - vp.width()));
    horizontalScrollBar()->setPageStep(std::max(1, vp.width()));
    horizontalScrollBar()->setSingleStep(20);
    m_scrolling = false;
}

void LadderView::scrollToEnd()
{
    m_scrolling = true;
    verticalScrollBar()->setValue(verticalScrollBar()->maximum());
    m_scrolling = false;
}

QPoint LadderView::toScene(const QPoint &pos) const
{
    const int header = m_painter ? m_painter->headerHeight() : 0;
    return QPoint(pos.x() + horizontalScrollBar()->value(), pos.y() < header ? pos.y() : pos.y() + verticalScrollBar()->value());
}

QRect LadderView::rowRect(int row) const
{
    if (!m_painter)
        return {};
    const QRect r = m_painter->rowRect(row);
    return r.isNull() ? r : r.translated(-horizontalScrollBar()->value(), -verticalScrollBar()->value());
}

QRect LadderView::arrowRect(int row) const
{
    if (!m_painter)
        return {};
    const QRect r = m_painter->arrowRect(row);
    return r.isNull() ? r : r.translated(-horizontalScrollBar()->value(), -verticalScrollBar()->value());
}

int LadderView::rowAt(const QPoint &pos) const
{
    if (!m_painter || pos.y() < m_painter->headerHeight())
        return -1;
    return m_painter->rowAt(toScene(pos).y());
}

int LadderView::visibleRows() const
{
    if (!m_painter || m_painter->rowHeight() <= 0)
        return 1;
    return std::max(1, (viewport()->height() - m_painter->headerHeight()) / m_painter->rowHeight());
}

void LadderView::ensureRowVisible(int row)
{
    const QRect r = m_painter ? m_painter->rowRect(row) : QRect();
    if (r.isNull())
        return;
    const int header = m_painter->headerHeight();
    const int v = verticalScrollBar()->value();
    const int height = viewport()->height();
    if (row == m_model->rowCount() - 1 && r.bottom() >= v + height)
        verticalScrollBar()->setValue(verticalScrollBar()->maximum()); // the end: following again
    else if (r.top() < v + header)
        verticalScrollBar()->setValue(r.top() - header);
    else if (r.bottom() >= v + height)
        verticalScrollBar()->setValue(r.bottom() + 1 - height);
    const QRect a = m_painter->arrowRect(row);
    const int h = horizontalScrollBar()->value();
    const int width = viewport()->width();
    if (!a.isNull() && (a.left() < h || a.right() >= h + width))
        horizontalScrollBar()->setValue(a.width() <= width ? a.center().x() - width / 2 : a.left() - 20);
}

void LadderView::selectRow(int row)
{
    if (!m_model || row < 0 || row >= m_model->rowCount())
        return;
    const quint32 m = m_model->messageAt(row);
    const bool changed = m != m_state.selected;
    if (changed) {
        m_state.selected = m;
        m_state.overlay = ladderOverlay(*m_model, m);
    }
    ensureRowVisible(row);
    viewport()->update();
    if (changed)
        emit messageSelected(m);
}

void LadderView::selectMessage(quint32 message)
{
    if (message == kNoMessage) {
        if (m_state.selected == kNoMessage)
            return;
        m_state.selected = kNoMessage;
        m_state.overlay = {};
        viewport()->update();
        emit messageSelected(kNoMessage);
        return;
    }
    if (m_model)
        selectRow(m_model->rowOf(message));
}

QSize LadderView::sizeHint() const
{
    const QSize scene = m_painter ? m_painter->sceneSize() : QSize(600, 400);
    const int frame = 2 * frameWidth() + verticalScrollBar()->sizeHint().width();
    return QSize(std::clamp(scene.width() + frame, 400, 1400), 500);
}

void LadderView::paintEvent(QPaintEvent *event)
{
    QPainter p(viewport());
    const QRect r = event->rect();
    p.fillRect(r, palette().color(QPalette::Base));
    if (!m_painter)
        return;
    m_state.active = hasFocus();
    const int h = horizontalScrollBar()->value(), v = verticalScrollBar()->value();
    const int header = m_painter->headerHeight();
    const QSize vp = viewport()->size();
    const QRect body = r & QRect(0, header, vp.width(), vp.height() - header);
    if (!body.isEmpty()) {
        p.save();
        p.setClipRect(body);
        p.translate(-h, -v);
        const QRect exposed = body.translated(h, v) & QRect(QPoint(0, 0), m_painter->sceneSize());
        if (!exposed.isEmpty())
            m_painter->paintBody(p, exposed, m_state);
        p.restore();
    }
    if (r.top() < header) {
        p.save();
        p.setClipRect(r & QRect(0, 0, vp.width(), header));
        p.translate(-h, 0);
        m_painter->paintHeader(p, QRect(r.left() + h, 0, r.width(), header));
        p.restore();
    }
    if (m_model->rowCount() == 0) {
        p.setPen(palette().color(QPalette::PlaceholderText));
        p.drawText(QRect(0, header, vp.width(), std::max(0, vp.height() - header)), Qt::AlignCenter,
            m_model->store().isEmpty() ? tr("No SIP messages yet") : tr("No message matches the filter"));
    }
}

void LadderView::resizeEvent(QResizeEvent *event)
{
    QAbstractScrollArea::resizeEvent(event);
    if (m_painter && event->size().width() != event->oldSize().width())
        relayout(); // the lifelines spread to the new width
    else
        updateScrollBars();
    if (m_follow)
        scrollToEnd();
}

void LadderView::scrollContentsBy(int, int) { viewport()->update(); }

void LadderView::mousePressEvent(QMouseEvent *event)
{
    if (event->button() != Qt::LeftButton) {
        QAbstractScrollArea::mousePressEvent(event);
        return;
    }
    const int row = rowAt(event->position().toPoint());
    if (row >= 0)
        selectRow(row);
    event->accept();
}

void LadderView::mouseReleaseEvent(QMouseEvent *event)
{
    if (event->button() == Qt::LeftButton)
        event->accept(); // the press selected
    else
        QAbstractScrollArea::mouseReleaseEvent(event);
}

void LadderView::keyPressEvent(QKeyEvent *event)
{
    if (!m_model || m_model->rowCount() == 0) {
        QAbstractScrollArea::keyPressEvent(event);
        return;
    }
    const int n = m_model->rowCount();
    const int current = m_state.selected == kNoMessage ? -1 : m_model->rowOf(m_state.selected);
    int firstVisible = 0;
    for (int y = m_painter->headerHeight(); y < viewport()->height(); y += std::max(1, m_painter->rowHeight() / 2))
        if (const int row = rowAt(QPoint(0, y)); row >= 0) {
            firstVisible = row;
            break;
        }
    const int page = std::max(1, visibleRows() - 1);
    int target = -1;
    switch (event->key()) {
    case Qt::Key_Up:
        target = current < 0 ? firstVisible : current - 1;
        break;
    case Qt::Key_Down:
        target = current < 0 ? firstVisible : current + 1;
        break;
    case Qt::Key_PageUp:
        target = current < 0 ? firstVisible : current - page;
        break;
    case Qt::Key_PageDown:
        target = current < 0 ? firstVisible : current + page;
        break;
    case Qt::Key_Home:
        target = 0;
        break;
    case Qt::Key_End:
        target = n - 1;
        break;
    default:
        QAbstractScrollArea::keyPressEvent(event);
        return;
    }
    selectRow(std::clamp(target, 0, n - 1));
    event->accept();
}

bool LadderView::viewportEvent(QEvent *event)
{
    if (event->type() == QEvent::ToolTip && m_painter) {
        const auto *help = static_cast<QHelpEvent *>(event);
        const QString text = m_painter->toolTipAt(toScene(help->pos()));
        if (text.isEmpty()) {
            QToolTip::hideText();
            event->ignore();
        } else {
            QToolTip::showText(help->globalPos(), text, viewport());
        }
        return true;
    }
    return QAbstractScrollArea::viewportEvent(event);
}

void LadderView::focusInEvent(QFocusEvent *event)
{
    QAbstractScrollArea::focusInEvent(event);
    viewport()->update(); // the selection turns to the active colour
}

void LadderView::focusOutEvent(QFocusEvent *event)
{
    QAbstractScrollArea::focusOutEvent(event);
    viewport()->update();
}

void LadderView::changeEvent(QEvent *event)
{
    QAbstractScrollArea::changeEvent(event);
    const QEvent::Type t = event->type();
    if (m_painter && (t == QEvent::FontChange || t == QEvent::PaletteChange || t == QEvent::StyleChange)) {
        m_painter->setFont(font());
        m_painter->setPalette(palette());
        relayout();
        if (m_follow)
            scrollToEnd();
        viewport()->update();
    }
}

} // namespace ds::ui
