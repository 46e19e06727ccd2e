#include "icons.h"

#include "theme.h"

#include <QGuiApplication>
#include <QIconEngine>
#include <QImage>
#include <QPainter>
#include <QPalette>
#include <QPixmap>
#include <QPixmapCache>
#include <QSvgRenderer>

#include <algorithm>
#include <cmath>

// At global scope: Q_INIT_RESOURCE declares the initialiser in the enclosing namespace. Calling it
// also keeps rcc's object file in the static dialscope_ui when the linker would drop it.
static void initDialscopeResources() { Q_INIT_RESOURCE(dialscope); }

namespace ds::ui {

namespace {

struct Entry {
    const char *name {}; // what callers ask for
    const char *file {}; // resources/icons/<file>.svg
    const char *theme {}; // the freedesktop name tried in the desktop theme first, or nullptr
};

// Names the theme lacks in general (dialpad, ladder ...) or has only as "-symbolic" variants drawn
// for one background (call-incoming ...) have no theme name: the bundled SVG always.
constexpr Entry kIcons[] = {
    {"account-add", "account-add", "list-add"},
    {"account-edit", "account-edit", "document-edit"},
    {"account-remove", "account-remove", "list-remove"},
    {"audio-settings", "audio-settings", "audio-card"},
    {"call-hold", "call-hold", "media-playback-pause"},
    {"call-incoming", "call-incoming", nullptr},
    {"call-missed", "call-missed", nullptr},
    {"call-outgoing", "call-outgoing", nullptr},
    {"call-resume", "call-resume", "media-playback-start"},
    {"call-start", "call-start", "call-start"},
    {"call-stop", "call-stop", "call-stop"},
    {"capture-open", "capture-open", "document-open"},
    {"clear", "clear", "edit-clear"},
    {"clear-history", "clear", "edit-clear-history"},
    {"close", "close", "window-close"},
    {"contact-add", "account-add", "contact-new"},
    {"contact-edit", "account-edit", nullptr},
    {"contacts", "contacts", "x-office-address-book"},
    {"copy", "copy", "edit-copy"},
    {"delete", "delete", "edit-delete"},
    {"dialpad", "dialpad", nullptr},
    {"dialscope", "dialscope", nullptr},
    {"export", "export", "document-save-as"},
    {"history", "history", "document-open-recent"},
    {"ladder", "ladder", nullptr},
    {"mic", "mic", "audio-input-microphone"},
    {"mic-muted", "mic-muted", "microphone-sensitivity-muted"},
    {"register", "register", "network-connect"},
    {"settings", "settings", "preferences-system"},
    {"test-call", "test-call", nullptr},
    {"test-start", "test-start", "media-playback-start"},
    {"test-stop", "test-stop", "media-playback-stop"},
    {"unregister", "unregister", "network-disconnect"},
};

constexpr int kMaxPixels = 1024; // a bound on one rendered side, whatever size is asked for

const Entry *find(QStringView name)
{
    for (const Entry &e : kIcons) {
        if (name.compare(QLatin1String(e.name)) == 0)
            return &e;
    }
    // A freedesktop name stands for the first dialscope icon that tries it.
    for (const Entry &e : kIcons) {
        if (e.theme && name.compare(QLatin1String(e.theme)) == 0)
            return &e;
    }
    return nullptr;
}

QString resourcePath(const Entry &e)
{
    static const bool initialised = (initDialscopeResources(), true);
    Q_UNUSED(initialised);
    return QStringLiteral(":/icons/") + QLatin1String(e.file) + QStringLiteral(".svg");
}

// The colour a monochrome icon takes in `mode`, from the application palette of the moment.
QColor tintFor(QIcon::Mode mode)
{
    const QPalette pal = QGuiApplication::palette();
    const QColor text = pal.color(QPalette::Active, QPalette::WindowText);
    switch (mode) {
    case QIcon::Selected:
        return pal.color(QPalette::Active, QPalette::HighlightedText);
    case QIcon::Disabled: {
        QColor c = pal.color(QPalette::Disabled, QPalette::WindowText);
        if (c == text) // palettes without a disabled colour: fade the text colour instead
            c.setAlphaF(0.45f);
        return c;
    }
    case QIcon::Normal:
    case QIcon::Active:
        break;
    }
    return text;
}

// Renders one SVG at the pixel size asked for (sharp at any device pixel ratio), recoloured to
// the palette's text colour unless it is the colour application icon. GUI thread.
class SvgIconEngine final : public QIconEngine {
public:
    SvgIconEngine(QString name, QString file, bool tinted)
        : m_name(std::move(name))
        , m_file(std::move(file))
        , m_tinted(tinted)
    {
    }

    void paint(QPainter *painter, const QRect &rect, QIcon::Mode mode, QIcon::State state) override
    {
        const qreal dpr = painter->device() ? painter->device()->devicePixelRatio() : qreal(1);
        const QSize side = actualSize(rect.size(), mode, state);
        QRect target(QPoint(), side);
        target.moveCenter(rect.center());
        painter->drawPixmap(target, scaledPixmap(side * dpr, mode, state, dpr));
    }

    // Square and scalable: the largest square that fits.
    QSize actualSize(const QSize &size, QIcon::Mode, QIcon::State) override
    {
        const int side = std::max(0, std::min(size.width(), size.height()));
        return {side, side};
    }

    QPixmap pixmap(const QSize &size, QIcon::Mode mode, QIcon::State state) override { return scaledPixmap(size, mode, state, 1.0); }

    // As Qt 6.4's QIcon::pixmap() calls it: `size` already in device pixels, `scale` the ratio to
    // record on the pixmap (QIcon corrects it from the pixmap's size either way).
    QPixmap scaledPixmap(const QSize &size, QIcon::Mode mode, QIcon::State state, qreal scale) override
    {
        const qreal dpr = scale > 0 && std::isfinite(scale) ? std::min(scale, qreal(8)) : qreal(1);
        const int side = std::clamp(actualSize(size, mode, state).width(), 0, kMaxPixels);
        if (side == 0)
            return {};
        const QColor tint = m_tinted ? tintFor(mode) : QColor();
        const QString key = QStringLiteral("ds-icon/") + m_name + QLatin1Char('/') + QString::number(side) + QLatin1Char('/') + QString::number(dpr)
            + QLatin1Char('/') + QString::number(tint.isValid() ? tint.rgba() : 0u, 16) + QLatin1Char('/') + QString::number(int(mode));
        QPixmap cached;
        if (QPixmapCache::find(key, &cached))
            return cached;
        QImage image(side, side, QImage::Format_ARGB32_Premultiplied);
        image.fill(Qt::transparent);
        {
            QPainter p(&image);
            p.setRenderHint(QPainter::Antialiasing);
            if (!m_tinted && mode == QIcon::Disabled)
                p.setOpacity(0.5);
            QSvgRenderer renderer(m_file);
            renderer.render(&p, QRectF(0, 0, side, side));
            if (tint.isValid()) {
                p.setOpacity(1.0);
                p.setCompositionMode(QPainter::CompositionMode_SourceIn);
                p.fillRect(image.rect(), tint);
            }
        }
        QPixmap pixmap = QPixmap::fromImage(std::move(image));
        pixmap.setDevicePixelRatio(dpr);
        QPixmapCache::insert(key, pixmap);
        return pixmap;
    }

    QString key() const override { return QStringLiteral("dialscope-svg"); }
    QIconEngine *clone() const override { return new SvgIconEngine(*this); }
    QString iconName() override { return m_name; }
    bool isNull() override { return false; }

private:
    QString m_name;
    QString m_file;
    bool m_tinted = true;
};

} // namespace

QIcon appIcon()
{
    static const Entry app {"dialscope", "dialscope", nullptr};
    return QIcon(new SvgIconEngine(QStringLiteral("dialscope"), resourcePath(app), false));
}

QIcon icon(QStringView name)
{
    const Entry *e = find(name);
    if (!e)
        return QIcon::fromTheme(name.toString());
    if (qstrcmp(e->name, "dialscope") == 0)
        return appIcon();
    // Theme icons are drawn for the platform's palette: with a palette of dialscope's own (a dark
    // palette over a light desktop) they may vanish into the background, so the bundled SVG wins.
    if (e->theme && !paletteReplaced()) {
        const QString themeName = QLatin1String(e->theme);
        if (QIcon::hasThemeIcon(themeName))
            return QIcon::fromTheme(themeName);
    }
    return QIcon(new SvgIconEngine(QLatin1String(e->name), resourcePath(*e), true));
}

QStringList iconNames()
{
    QStringList names;
    for (const Entry &e : kIcons)
        names << QLatin1String(e.name);
    names.sort();
    return names;
}

QString themeNameOf(QStringView name)
{
    const Entry *e = find(name);
    return e && e->theme ? QString(QLatin1String(e->theme)) : QString();
}

} // namespace ds::ui
