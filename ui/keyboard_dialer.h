#pragma once
// KeyboardDialer: the keyboard as the phone's — typing a number or address anywhere in the main
// window (outside text fields) fills the dial pad, Enter calls, Esc hangs up, and during a call the
// digits send DTMF. An event filter for the QApplication, so that it sees a key before the focused
// widget does.
//
// Whose key it is (so that nothing a user relies on is taken from them):
// - Only key presses meant for the main window's focus widget; none while a popup (a completer, a
//   menu) or a modal dialog is open, none from other windows (dialogs, the incoming call window),
//   none with Ctrl, Alt or Meta (shortcuts and mnemonics).
// - Text inputs keep every key: editable line edits (the ladder's search field), text edits, spin
//   boxes, editable combo boxes, a table's cell editor. The dial pad's own field does too (it
//   handles Enter and in-call DTMF itself), except Esc, which hangs up there as well.
// - Lists, tables and closed combo boxes keep their type-ahead: only the keys that start a number
//   (0-9 * # +) go from them to the dial pad; letters search the view as before. Enter there stays
//   the view's (activating a row: the history redials it), as does Enter on a button.
// - Dialable keys: 0-9, letters, * # + @ . : - _. During a call (DialPad::inCall) 0-9 * # A-D go
//   to the dial pad as DTMF (its own path, in the mode it shows); other keys fill the field.
// - Enter calls the dial pad's target from its account when no call rings, is being placed or is
//   connected (a held call does not count).
// - Esc cancels the newest call being placed (CANCEL), else hangs up the newest connected one
//   (BYE). It never refuses a ringing incoming call: as on MicroSIP's ringing window, Esc ignores,
//   and a caller is not dropped by a stray key; the incoming call window has Busy and Decline.
//   Held calls are left alone.

#include <QObject>
#include <QPointer>

class QKeyEvent;
class QLineEdit;
class QWidget;

namespace ds::ui {

class CallList;

class KeyboardDialer final : public QObject {
    Q_OBJECT
public:
    // window: the main window whose keys it takes; calls: its calls area (the dial pad and panels).
    // Does nothing until installed: qApp->installEventFilter(dialer).
    KeyboardDialer(QWidget *window, CallList *calls, QObject *parent = nullptr);

protected:
    bool eventFilter(QObject *watched, QEvent *event) override;

private:
    bool take(QWidget *focus, QKeyEvent *key);
    bool hangUp();
    bool callUnderWay() const;
    QLineEdit *targetField() const;

    QPointer<QWidget> m_window;
    QPointer<CallList> m_calls;
};

} // namespace ds::ui
