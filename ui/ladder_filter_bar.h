#pragma once
// LadderFilterBar: the controls above the ladder that make a LadderFilter — a search field
// (applied as you type after a short pause, Enter jumps to the next hit), methods, status
// classes, retransmissions, unsolicited traffic, merged related calls and a Clear button.

#include "diag/ladder_model.h"

#include <QTimer>
#include <QWidget>

#include <array>

class QAction;
class QLineEdit;
class QMenu;
class QToolButton;

namespace ds::ui {

class LadderFilterBar final : public QWidget {
    Q_OBJECT
public:
    static constexpr int kSearchDelayMs = 250;
    static const QList<QByteArray> &methodNames(); // the methods offered in the menu

    explicit LadderFilterBar(QWidget *parent = nullptr);

    // The filter the controls say now (the search text included, even while its pause runs).
    ds::diag::LadderFilter filter() const;
    // Puts the controls in the state of a filter (methods not in the menu are kept as well).
    void setFilter(const ds::diag::LadderFilter &filter);
    // The calls chosen in the call list; empty shows every call.
    void setCalls(const QSet<quint32> &calls);
    bool mergeRelated() const;
    void setMergeRelated(bool merge);

    // The controls, for keyboard shortcuts and tests.
    QLineEdit *searchField() const { return m_search; }
    QToolButton *methodButton() const { return m_methodButton; }
    QAction *methodAction(QByteArrayView method) const;
    QToolButton *statusClassButton(int statusClass) const; // 0 requests, 1..6 for 1xx..6xx
    QToolButton *retransmissionsButton() const { return m_retransmissions; }
    QToolButton *unsolicitedButton() const { return m_unsolicited; }
    QToolButton *mergeButton() const { return m_merge; }
    QToolButton *clearButton() const { return m_clear; }

public slots:
    // Back to showing everything: no search, all methods, all classes, retransmissions and
    // unsolicited traffic shown, no call chosen (the merge toggle is a view option: kept).
    void clearFilter();

signals:
    void filterChanged(const ds::diag::LadderFilter &filter);
    void mergeRelatedChanged(bool merge);
    // Enter in the search field: the view moves to the next message with the text.
    void findNextRequested(const QString &text);

protected:
    bool eventFilter(QObject *watched, QEvent *event) override;

private:
    void emitIfChanged();
    void updateMethodButton();

    QLineEdit *m_search = nullptr;
    QToolButton *m_methodButton = nullptr;
    QMenu *m_methodMenu = nullptr;
    QList<QAction *> m_methodActions;
    std::array<QToolButton *, 7> m_classes {};
    QToolButton *m_retransmissions = nullptr;
    QToolButton *m_unsolicited = nullptr;
    QToolButton *m_merge = nullptr;
    QToolButton *m_clear = nullptr;
    QTimer m_searchTimer;
    QSet<quint32> m_calls;
    QSet<QByteArray> m_otherMethods; // from setFilter, not in the menu
    ds::diag::LadderFilter m_emitted; // the last filter announced
    bool m_updating = false; // setFilter/clearFilter in progress: one signal at the end
};

} // namespace ds::ui
