// For bench_startup: looks at an X server from the outside, the same way for every program, to
// tell when a process's main window has its first frame painted. Xlib stays in the .cpp (its
// macros clash with Qt's names).
#pragma once

#include <QImage>
#include <QList>
#include <QString>

#include <expected>
#include <memory>

namespace ds::bench {

// Asks one X server which top-level windows a process has mapped and whether their pixels show a
// painted frame yet; used from one thread.
class X11WindowProbe {
public:
    struct Window {
        quint64 id = 0;
        QString title;
        int width = 0;
        int height = 0;
    };

    // Connects to display (":99"); the error names the display when no server answers there.
    static std::expected<std::unique_ptr<X11WindowProbe>, QString> open(const QString &display);
    ~X11WindowProbe();
    X11WindowProbe(const X11WindowProbe &) = delete;
    X11WindowProbe &operator=(const X11WindowProbe &) = delete;

    // The viewable (mapped, on screen) top-level windows whose _NET_WM_PID is pid and that are at
    // least minWidth x minHeight, largest first. Without a window manager the top levels are
    // the root's children.
    QList<Window> mappedWindows(qint64 pid, int minWidth, int minHeight);

    // True when the window's pixels are not all one colour: a frame was painted into it (before
    // that it shows its background, one colour). Looks at 16 rows and 16 columns spread over the
    // window, not every pixel. False while uniform or when the window vanished or cannot be read.
    bool painted(const Window &w);
    // What the window shows now (its part on screen); null when it cannot be read.
    QImage grab(const Window &w);

    // Every top-level window of pid, mapped or not (for waiting until a stopped program's are gone).
    int windowCount(qint64 pid);

private:
    X11WindowProbe() = default;
    struct Private;
    std::unique_ptr<Private> d;
};

} // namespace ds::bench
