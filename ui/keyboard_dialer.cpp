#include "keyboard_dialer.h"

#include "call_list.h"
#include "call_panel.h"
#include "dial_pad.h"

#include "phone/call.h"

#include <QAbstractButton>
#include <QAbstractItemView>
#include <QAbstractSpinBox>
#include <QApplication>
#include <QComboBox>
#include <QDockWidget>
#include <QKeyEvent>
#include <QKeySequenceEdit>
#include <QLineEdit>
#include <QPlainTextEdit>
#include <QTextEdit>

namespace ds::ui {

using phone::Call;

namespace {

bool isTextInput(const QWidget *w)
{
    if (const auto *e = qobject_cast<const QLineEdit *>(w))
        return !e->isReadOnly();
    if (const auto *t = qobject_cast<const QTextEdit *>(w))
        return !t->isReadOnly();
    if (const auto *p = qobject_cast<const QPlainTextEdit *>(w))
        return !p->isReadOnly();
    if (const auto *c = qobject_cast<const QComboBox *>(w))
        return c->isEditable();
    if (qobject_cast<const QAbstractSpinBox *>(w) || qobject_cast<const QKeySequenceEdit *>(w))
        return true;
    if (qobject_cast<const QAbstractItemView *>(w))
        return false; // takes input methods for its type-ahead and editors; the editor is a widget of its own
    return w->testAttribute(Qt::WA_InputMethodEnabled); // any other widget that takes text
}

// Widgets whose typed letters search them (type-ahead).
bool hasTypeAhead(const QWidget *w) { return qobject_cast<const QAbstractItemView *>(w) || qobject_cast<const QComboBox *>(w); }

bool isAscii(QChar c) { return c.unicode() < 128; }
bool startsNumber(QChar c) { return isAscii(c) && (c.isDigit() || c == u'*' || c == u'#' || c == u'+'); }
bool isDialable(QChar c) { return isAscii(c) && (c.isLetterOrNumber() || QStringLiteral("*#+@.:-_").contains(c)); }
bool isDtmf(QChar c) { return isAscii(c) && QStringLiteral("0123456789*#ABCD").contains(c.toUpper()); }

} // namespace

KeyboardDialer::KeyboardDialer(QWidget *window, CallList *calls, QObject *parent)
    : QObject(parent)
    , m_window(window)
    , m_calls(calls)
{
}

bool KeyboardDialer::eventFilter(QObject *watched, QEvent *event)
{
    if (event->type() != QEvent::KeyPress || !m_window || !m_calls)
        return false;
    if (QApplication::activePopupWidget() || QApplication::activeModalWidget())
        return false;
    // The key as delivered to the focus widget (or the window without one), not as it is passed on
    // to parents, nor the copies this filter sends itself.
    QWidget *focus = QApplication::focusWidget();
    QWidget *receiver = focus ? focus : QApplication::activeWindow();
    if (!receiver || watched != receiver || receiver->window() != m_window)
        return false;
    auto *key = static_cast<QKeyEvent *>(event);
    if (key->modifiers() & (Qt::ControlModifier | Qt::AltModifier | Qt::MetaModifier))
        return false;
    return take(receiver, key);
}

bool KeyboardDialer::take(QWidget *focus, QKeyEvent *key)
{
    DialPad *pad = m_calls->dialPad();
    QLineEdit *field = targetField();
    const bool typing = isTextInput(focus);
    if (key->key() == Qt::Key_Escape)
        return (!typing || focus == field) && hangUp();
    if (typing)
        return false;
    if (key->key() == Qt::Key_Return || key->key() == Qt::Key_Enter) {
        if (qobject_cast<QAbstractItemView *>(focus) || qobject_cast<QAbstractButton *>(focus))
            return false;
        if (callUnderWay() || pad->target().isEmpty() || pad->currentAccountId().isEmpty())
            return false;
        pad->call();
        return true;
    }
    const QString text = key->text();
    if (text.size() != 1 || !isDialable(text[0]))
        return false;
    if (hasTypeAhead(focus) && !startsNumber(text[0]))
        return false;
    QKeyEvent copy(QEvent::KeyPress, key->key(), key->modifiers(), key->text(), key->isAutoRepeat(), key->count());
    if (pad->inCall() && isDtmf(text[0])) {
        QCoreApplication::sendEvent(pad, &copy); // DialPad sends it as DTMF, a held key once
        return true;
    }
    if (!field)
        return false;
    // The calls dock may be closed or behind another: bring the field into view, then type there.
    for (QWidget *w = field->parentWidget(); w; w = w->parentWidget())
        if (auto *dock = qobject_cast<QDockWidget *>(w)) {
            dock->show();
            dock->raise();
        }
    field->setFocus(Qt::OtherFocusReason);
    QCoreApplication::sendEvent(field, &copy);
    return true;
}

bool KeyboardDialer::hangUp()
{
    Call *placing = nullptr;
    Call *connected = nullptr;
    for (CallPanel *panel : m_calls->panels()) { // newest first
        Call *c = panel->call();
        if (!c)
            continue;
        switch (c->state()) {
        case Call::State::Dialing:
        case Call::State::Ringing:
        case Call::State::EarlyMedia:
            if (!placing && c->direction() == Call::Direction::Outgoing)
                placing = c;
            break;
        case Call::State::Connecting:
        case Call::State::Active:
        case Call::State::RemoteHeld:
            if (!connected)
                connected = c;
            break;
        default:
            break;
        }
    }
    Call *call = placing ? placing : connected;
    if (!call)
        return false; // nothing to hang up: Esc goes on as usual
    call->hangUp();
    return true;
}

bool KeyboardDialer::callUnderWay() const
{
    for (CallPanel *panel : m_calls->panels())
        if (const Call *c = panel->call()) {
            const Call::State s = c->state();
            if (s != Call::State::Held && s != Call::State::Ending && s != Call::State::Ended)
                return true; // ringing here, being placed, or connected
        }
    return false;
}

QLineEdit *KeyboardDialer::targetField() const
{
    // The dial pad's address field, by its object name (the dial pad's tests use it too).
    return m_calls->dialPad()->findChild<QLineEdit *>(QStringLiteral("dialTarget"));
}

} // namespace ds::ui
