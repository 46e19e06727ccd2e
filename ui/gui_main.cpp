#include "gui_main.h"

#include "account_store.h"
#include "icons.h"
#include "keyboard_dialer.h"
#include "main_window.h"
#include "single_instance.h"
#include "theme.h"

#include "phone/dial_uri.h"
#include "phone/phone.h"

#include <QApplication>
#include <QTimer>

#include <cstdio>

namespace ds::ui {

namespace {

// The first link among the arguments goes to the window; anything else is ignored.
void openLinks(MainWindow &window, const QStringList &args)
{
    for (const QString &a : args)
        if (phone::isDialUri(a)) {
            window.openUri(a);
            return;
        }
}

} // namespace

int runGui(QApplication &app, const QStringList &args)
{
    SingleInstance instance(SingleInstance::defaultProfileDir());
    if (!instance.claim()) {
        const auto sent = instance.sendToPrimary(args);
        if (sent)
            return 0;
        std::fprintf(stderr, "dialscope: %s\n", qUtf8Printable(sent.error()));
        return 1;
    }
    // The desktop's name for us (its .desktop file: the window's icon and grouping), our icon, and the
    // desktop's light or dark preference (DIALSCOPE_THEME or --theme= overrides it).
    QGuiApplication::setDesktopFileName(QStringLiteral("dialscope"));
    app.setWindowIcon(appIcon());
    applySystemTheme(app);
    phone::Phone phone;
    AccountStore store;
    MainWindow window(phone, store);
    KeyboardDialer keys(&window, window.calls());
    app.installEventFilter(&keys);
    QObject::connect(&instance, &SingleInstance::received, &window, [&window](const QStringList &handed) {
        // A later start: this window comes to the front (as far as the window manager lets it).
        window.setWindowState(window.windowState() & ~Qt::WindowMinimized);
        window.show();
        window.raise();
        window.activateWindow();
        openLinks(window, handed);
    });
    window.show();
    // A newcomer's first sight: the demo account registered to the built-in demo peer (an empty
    // profile, or the user asked for it); the user's own accounts register as a phone's do.
    window.startDemoIfWanted();
    window.registerStoredAccounts();
    // Once the event loop runs: the window is up and the stored accounts are loaded.
    QTimer::singleShot(0, &window, [&window, args] { openLinks(window, args); });
    return app.exec();
}

} // namespace ds::ui
