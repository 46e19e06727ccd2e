#pragma once
// MainWindow entry point (the window itself is built in main_window.cpp).

class QApplication;

namespace ds::ui {

int runMainWindow(QApplication &app);

} // namespace ds::ui
