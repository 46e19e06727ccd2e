#include "ladder_filter_bar.h"

#include <QAction>
#include <QHBoxLayout>
#include <QLineEdit>
#include <QMenu>
#include <QMouseEvent>
#include <QToolButton>

namespace ds::ui {

namespace {

QToolButton *toggle(const QString &text, const QString &toolTip, bool checked, QWidget *parent)
{
    auto *b = new QToolButton(parent);
    b->setText(text);
    b->setToolTip(toolTip);
    b->setCheckable(true);
    b->setChecked(checked);
    b->setAutoRaise(true);
    return b;
}

} // namespace

const QList<QByteArray> &LadderFilterBar::methodNames()
{
    static const QList<QByteArray> names {
        "INVITE", "REGISTER", "OPTIONS", "BYE", "CANCEL", "ACK", "INFO", "MESSAGE", "SUBSCRIBE", "NOTIFY", "REFER", "PRACK", "UPDATE", "PUBLISH"};
    return names;
}

LadderFilterBar::LadderFilterBar(QWidget *parent)
    : QWidget(parent)
{
    auto *layout = new QHBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->setSpacing(2);

    m_search = new QLineEdit(this);
    m_search->setPlaceholderText(tr("Search messages"));
    m_search->setToolTip(tr("Shows only the messages containing this text (case-insensitive); Enter jumps to the next one."));
    m_search->setClearButtonEnabled(true);
    layout->addWidget(m_search, 1);
    m_searchTimer.setSingleShot(true);
    m_searchTimer.setInterval(kSearchDelayMs);
    connect(&m_searchTimer, &QTimer::timeout, this, &LadderFilterBar::emitIfChanged);
    connect(m_search, &QLineEdit::textChanged, this, [this] {
        if (!m_updating)
            m_searchTimer.start();
    });
    connect(m_search, &QLineEdit::returnPressed, this, [this] {
        m_searchTimer.stop();
        emitIfChanged();
        if (!m_search->text().isEmpty())
            emit findNextRequested(m_search->text());
    });

    m_methodButton = new QToolButton(this);
    m_methodButton->setPopupMode(QToolButton::InstantPopup);
    m_methodButton->setToolTip(tr("Show only these request methods and their responses"));
    m_methodMenu = new QMenu(m_methodButton);
    m_methodMenu->installEventFilter(this);
    QAction *all = m_methodMenu->addAction(tr("All methods"));
    connect(all, &QAction::triggered, this, [this] {
        m_updating = true;
        for (QAction *a : std::as_const(m_methodActions))
            a->setChecked(false);
        m_otherMethods.clear();
        m_updating = false;
        updateMethodButton();
        emitIfChanged();
    });
    m_methodMenu->addSeparator();
    for (const QByteArray &name : methodNames()) {
        QAction *a = m_methodMenu->addAction(QString::fromLatin1(name));
        a->setCheckable(true);
        a->setData(name);
        connect(a, &QAction::toggled, this, [this] {
            updateMethodButton();
            emitIfChanged();
        });
        m_methodActions << a;
    }
    m_methodButton->setMenu(m_methodMenu);
    layout->addWidget(m_methodButton);

    const QString classTips[7] = {tr("Requests"), tr("Provisional responses (1xx)"), tr("Success responses (2xx)"), tr("Redirections (3xx)"),
        tr("Client errors (4xx)"), tr("Server errors (5xx)"), tr("Global failures (6xx)")};
    for (int c = 0; c < 7; ++c) {
        m_classes[size_t(c)] = toggle(c == 0 ? tr("Req") : tr("%1xx").arg(c), tr("Show %1").arg(classTips[c].toLower()), true, this);
        connect(m_classes[size_t(c)], &QToolButton::toggled, this, &LadderFilterBar::emitIfChanged);
        layout->addWidget(m_classes[size_t(c)]);
    }

    m_retransmissions = toggle(tr("Retransmissions"), tr("Show retransmitted requests and responses (RFC 3261 17 timers)"), true, this);
    m_unsolicited = toggle(tr("Unsolicited"), tr("Show requests nobody asked for, such as SIP scanners probing for accounts"), true, this);
    m_merge = toggle(tr("Merge related calls"), tr("Count Call-IDs tied by Replaces, Refer-To or X-Call-ID headers as one call"), false, this);
    connect(m_retransmissions, &QToolButton::toggled, this, &LadderFilterBar::emitIfChanged);
    connect(m_unsolicited, &QToolButton::toggled, this, &LadderFilterBar::emitIfChanged);
    connect(m_merge, &QToolButton::toggled, this, &LadderFilterBar::mergeRelatedChanged);
    m_clear = new QToolButton(this);
    m_clear->setText(tr("Clear"));
    m_clear->setToolTip(tr("Show every message again"));
    m_clear->setAutoRaise(true);
    connect(m_clear, &QToolButton::clicked, this, &LadderFilterBar::clearFilter);
    for (QToolButton *b : {m_retransmissions, m_unsolicited, m_merge, m_clear})
        layout->addWidget(b);
    updateMethodButton();
}

diag::LadderFilter LadderFilterBar::filter() const
{
    diag::LadderFilter f;
    f.calls = m_calls;
    f.methods = m_otherMethods;
    for (const QAction *a : m_methodActions)
        if (a->isChecked())
            f.methods.insert(a->data().toByteArray());
    f.statusClasses = 0;
    for (int c = 0; c < 7; ++c)
        if (m_classes[size_t(c)]->isChecked())
            f.statusClasses |= quint8(1u << c);
    f.text = m_search->text();
    f.showUnsolicited = m_unsolicited->isChecked();
    f.showRetransmissions = m_retransmissions->isChecked();
    return f;
}

void LadderFilterBar::setFilter(const diag::LadderFilter &filter)
{
    m_updating = true;
    m_calls = filter.calls;
    m_otherMethods = filter.methods;
    for (QAction *a : std::as_const(m_methodActions))
        a->setChecked(m_otherMethods.remove(a->data().toByteArray()));
    for (int c = 0; c < 7; ++c)
        m_classes[size_t(c)]->setChecked(filter.statusClasses & (1u << c));
    m_search->setText(filter.text);
    m_searchTimer.stop();
    m_unsolicited->setChecked(filter.showUnsolicited);
    m_retransmissions->setChecked(filter.showRetransmissions);
    m_updating = false;
    updateMethodButton();
    emitIfChanged();
}

void LadderFilterBar::clearFilter() { setFilter(diag::LadderFilter {}); }

void LadderFilterBar::setCalls(const QSet<quint32> &calls)
{
    m_calls = calls;
    emitIfChanged();
}

bool LadderFilterBar::mergeRelated() const { return m_merge->isChecked(); }

void LadderFilterBar::setMergeRelated(bool merge) { m_merge->setChecked(merge); }

QAction *LadderFilterBar::methodAction(QByteArrayView method) const
{
    for (QAction *a : m_methodActions)
        if (a->data().toByteArray() == method)
            return a;
    return nullptr;
}

QToolButton *LadderFilterBar::statusClassButton(int statusClass) const
{
    return statusClass >= 0 && statusClass < 7 ? m_classes[size_t(statusClass)] : nullptr;
}

void LadderFilterBar::emitIfChanged()
{
    if (m_updating)
        return;
    const diag::LadderFilter f = filter();
    if (f == m_emitted)
        return;
    m_emitted = f;
    emit filterChanged(f);
}

void LadderFilterBar::updateMethodButton()
{
    QStringList chosen;
    for (const QAction *a : std::as_const(m_methodActions))
        if (a->isChecked())
            chosen << a->text();
    for (const QByteArray &m : std::as_const(m_otherMethods))
        chosen << QString::fromLatin1(m);
    if (chosen.isEmpty())
        m_methodButton->setText(tr("All methods"));
    else if (chosen.size() <= 2)
        m_methodButton->setText(chosen.join(QStringLiteral(", ")));
    else
        m_methodButton->setText(tr("%n method(s)", nullptr, int(chosen.size())));
}

bool LadderFilterBar::eventFilter(QObject *watched, QEvent *event)
{
    // A click on a method toggles it and keeps the menu open, so several can be chosen at once.
    if (watched == m_methodMenu && event->type() == QEvent::MouseButtonRelease) {
        const auto *mouse = static_cast<QMouseEvent *>(event);
        QAction *a = m_methodMenu->actionAt(mouse->position().toPoint());
        if (a && a->isCheckable() && a->isEnabled()) {
            a->trigger();
            return true;
        }
    }
    return QWidget::eventFilter(watched, event);
}

} // namespace ds::ui
