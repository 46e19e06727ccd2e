#include "main_window.h"

#include <QApplication>
#include <QMainWindow>

namespace ds::ui {

int runMainWindow(QApplication &app)
{
    QMainWindow w;
    w.show();
    return app.exec();
}

} // namespace ds::ui
