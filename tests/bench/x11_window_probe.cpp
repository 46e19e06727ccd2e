#include "x11_window_probe.h"

#include <QRect>

#include <algorithm>
#include <optional>

// Xlib last: it defines None, Bool, Status... as macros.
#include <X11/Xatom.h>
#include <X11/Xlib.h>
#include <X11/Xutil.h>

namespace ds::bench {

namespace {

// A window that vanishes between listing and reading raises BadWindow or BadMatch: expected while
// programs start and stop, so errors are ignored (the calls then report failure themselves).
int ignoreXError(Display *, XErrorEvent *) { return 0; }

} // namespace

struct X11WindowProbe::Private {
    Display *display = nullptr;
    ::Window root = 0;
    Atom netWmPid = 0;
    Atom netWmName = 0;
    Atom utf8String = 0;

    qint64 pidOf(::Window w) const
    {
        Atom type = 0;
        int format = 0;
        unsigned long items = 0;
        unsigned long after = 0;
        unsigned char *data = nullptr;
        qint64 pid = -1;
        if (XGetWindowProperty(display, w, netWmPid, 0, 1, False, XA_CARDINAL, &type, &format, &items, &after, &data) == Success && data) {
            if (type == XA_CARDINAL && format == 32 && items == 1)
                pid = static_cast<qint64>(*reinterpret_cast<unsigned long *>(data));
            XFree(data);
        }
        return pid;
    }

    QString titleOf(::Window w) const
    {
        Atom type = 0;
        int format = 0;
        unsigned long items = 0;
        unsigned long after = 0;
        unsigned char *data = nullptr;
        QString title;
        if (XGetWindowProperty(display, w, netWmName, 0, 256, False, utf8String, &type, &format, &items, &after, &data) == Success && data) {
            if (format == 8)
                title = QString::fromUtf8(reinterpret_cast<const char *>(data), static_cast<qsizetype>(items));
            XFree(data);
        }
        if (title.isEmpty()) {
            char *name = nullptr;
            if (XFetchName(display, w, &name) && name) {
                title = QString::fromLocal8Bit(name);
                XFree(name);
            }
        }
        return title;
    }

    // The part of a top-level window on screen, in window coordinates: only that can be read
    // (BadMatch otherwise).
    QRect onScreen(const XWindowAttributes &a) const
    {
        const QRect screen(0, 0, DisplayWidth(display, DefaultScreen(display)), DisplayHeight(display, DefaultScreen(display)));
        return screen.intersected(QRect(a.x, a.y, a.width, a.height)).translated(-a.x, -a.y);
    }

    QList<::Window> topLevels() const
    {
        ::Window rootReturn = 0;
        ::Window parent = 0;
        ::Window *children = nullptr;
        unsigned int count = 0;
        QList<::Window> list;
        if (XQueryTree(display, root, &rootReturn, &parent, &children, &count) && children) {
            list.reserve(count);
            for (unsigned int i = 0; i < count; ++i)
                list.append(children[i]);
            XFree(children);
        }
        return list;
    }
};

std::expected<std::unique_ptr<X11WindowProbe>, QString> X11WindowProbe::open(const QString &display)
{
    Display *dpy = XOpenDisplay(display.toLocal8Bit().constData());
    if (!dpy)
        return std::unexpected(QStringLiteral("cannot connect to the X server on display %1").arg(display));
    XSetErrorHandler(ignoreXError);
    std::unique_ptr<X11WindowProbe> probe(new X11WindowProbe);
    probe->d = std::make_unique<Private>();
    probe->d->display = dpy;
    probe->d->root = DefaultRootWindow(dpy);
    probe->d->netWmPid = XInternAtom(dpy, "_NET_WM_PID", False);
    probe->d->netWmName = XInternAtom(dpy, "_NET_WM_NAME", False);
    probe->d->utf8String = XInternAtom(dpy, "UTF8_STRING", False);
    return probe;
}

X11WindowProbe::~X11WindowProbe()
{
    if (d && d->display)
        XCloseDisplay(d->display);
}

QList<X11WindowProbe::Window> X11WindowProbe::mappedWindows(qint64 pid, int minWidth, int minHeight)
{
    QList<Window> found;
    for (const ::Window w : d->topLevels()) {
        XWindowAttributes a {};
        if (!XGetWindowAttributes(d->display, w, &a) || a.map_state != IsViewable || a.c_class != InputOutput)
            continue;
        if (a.width < minWidth || a.height < minHeight || d->pidOf(w) != pid)
            continue;
        found.append(Window {static_cast<quint64>(w), d->titleOf(w), a.width, a.height});
    }
    std::sort(found.begin(), found.end(), [](const Window &a, const Window &b) { return a.width * a.height > b.width * b.height; });
    return found;
}

bool X11WindowProbe::painted(const Window &w)
{
    XWindowAttributes a {};
    if (!XGetWindowAttributes(d->display, static_cast<::Window>(w.id), &a) || a.map_state != IsViewable)
        return false;
    const QRect area = d->onScreen(a);
    if (area.isEmpty())
        return false;
    // 16 rows and 16 columns spread over the window, one XGetImage each: a few tens of KiB per
    // look instead of the whole window, so watching costs the X server (and the program
    // drawing into it) next to nothing. A painted frame has text, frames, icons: not one colour
    // along all of them.
    constexpr int kLines = 16;
    std::optional<unsigned long> first;
    for (int vertical = 0; vertical < 2; ++vertical)
        for (int k = 0; k < kLines; ++k) {
            const int along = vertical ? area.width() : area.height();
            const int at = (2 * k + 1) * along / (2 * kLines);
            XImage *image = vertical
                ? XGetImage(d->display, static_cast<::Window>(w.id), area.x() + at, area.y(), 1, static_cast<unsigned>(area.height()), AllPlanes, ZPixmap)
                : XGetImage(d->display, static_cast<::Window>(w.id), area.x(), area.y() + at, static_cast<unsigned>(area.width()), 1, AllPlanes, ZPixmap);
            if (!image)
                return false;
            const unsigned long mask = image->depth >= 24 ? 0xffffffUL : (1UL << image->depth) - 1;
            bool varied = false;
            for (int y = 0; y < image->height && !varied; ++y)
                for (int x = 0; x < image->width; ++x) {
                    const unsigned long pixel = XGetPixel(image, x, y) & mask;
                    if (!first)
                        first = pixel;
                    else if (pixel != *first) {
                        varied = true;
                        break;
                    }
                }
            XDestroyImage(image);
            if (varied)
                return true;
        }
    return false;
}

QImage X11WindowProbe::grab(const Window &w)
{
    XWindowAttributes a {};
    if (!XGetWindowAttributes(d->display, static_cast<::Window>(w.id), &a) || a.map_state != IsViewable)
        return {};
    const QRect area = d->onScreen(a);
    if (area.isEmpty())
        return {};
    XImage *image = XGetImage(d->display, static_cast<::Window>(w.id), area.x(), area.y(), static_cast<unsigned>(area.width()),
        static_cast<unsigned>(area.height()), AllPlanes, ZPixmap);
    if (!image)
        return {};
    QImage frame(area.width(), area.height(), QImage::Format_RGB32);
    for (int y = 0; y < area.height(); ++y) {
        auto *line = reinterpret_cast<QRgb *>(frame.scanLine(y));
        for (int x = 0; x < area.width(); ++x) {
            const unsigned long p = XGetPixel(image, x, y);
            line[x] = qRgb(static_cast<int>((p & image->red_mask) * 255 / image->red_mask), static_cast<int>((p & image->green_mask) * 255 / image->green_mask),
                static_cast<int>((p & image->blue_mask) * 255 / image->blue_mask));
        }
    }
    XDestroyImage(image);
    return frame;
}

int X11WindowProbe::windowCount(qint64 pid)
{
    int n = 0;
    for (const ::Window w : d->topLevels())
        if (d->pidOf(w) == pid)
            ++n;
    return n;
}

} // namespace ds::bench
