#pragma once
// runGui: the GUI start — one running instance per user and profile, the main window over the
// Phone and the AccountStore, and the sip:/tel: link it was given (or a later start hands over) dialled.

#include <QStringList>

class QApplication;

namespace ds::ui {

// args: the command line after the program name (a sip:, sips:, tel: or callto: link, or nothing).
// A later start hands args to the running instance and returns 0 once it acknowledged them (1 when
// it does not answer); the first start runs the event loop and returns its exit status.
int runGui(QApplication &app, const QStringList &args);

} // namespace ds::ui
