#include "theme.h"

#include <QApplication>
#include <QDBusConnection>
#include <QDBusMessage>
#include <QDBusVariant>
#include <QFileInfo>
#include <QLabel>
#include <QPointer>
#include <QProcess>
#include <QStandardPaths>
#include <QStyle>
#include <QStyleFactory>

#include <cmath>
#include <cstdio>

namespace ds::ui {

namespace {

const QString kPortalService = QStringLiteral("org.freedesktop.portal.Desktop");
const QString kPortalPath = QStringLiteral("/org/freedesktop/portal/desktop");
const QString kPortalSettings = QStringLiteral("org.freedesktop.portal.Settings");
const QString kAppearance = QStringLiteral("org.freedesktop.appearance");
const QString kColorScheme = QStringLiteral("color-scheme");
constexpr int kPortalTimeoutMs = 250; // a running portal answers in a millisecond or two
constexpr int kGsettingsTimeoutMs = 400;
constexpr char kToneProperty[] = "dsTone";
constexpr char kBannerProperty[] = "dsWarningBanner";

// GUI thread only, like the application palette it describes.
bool g_replaced = false;

// The freedesktop portal's color-scheme: 1 prefers dark, 2 prefers light, 0 no preference.
std::optional<ColorScheme> fromPortalValue(QVariant v)
{
    for (int depth = 0; depth < 3 && v.metaType() == QMetaType::fromType<QDBusVariant>(); ++depth)
        v = qvariant_cast<QDBusVariant>(v).variant(); // Read() wraps the value once more than ReadOne()
    bool ok = false;
    const uint value = v.toUInt(&ok);
    if (ok && value == 1)
        return ColorScheme::Dark;
    if (ok && value == 2)
        return ColorScheme::Light;
    return std::nullopt;
}

struct PortalAnswer {
    bool answered = false;
    std::optional<ColorScheme> scheme {};
};

bool sessionBusExpected()
{
    if (!qEnvironmentVariableIsEmpty("DBUS_SESSION_BUS_ADDRESS"))
        return true;
    const QString runtime = qEnvironmentVariable("XDG_RUNTIME_DIR");
    return !runtime.isEmpty() && QFileInfo::exists(runtime + QStringLiteral("/bus"));
}

// Without a bus address libdbus would try to autolaunch one; without a running portal the call
// fails at once (no activation), and a stuck one costs at most kPortalTimeoutMs.
PortalAnswer readPortal()
{
    if (!sessionBusExpected())
        return {};
    QDBusConnection bus = QDBusConnection::sessionBus();
    if (!bus.isConnected())
        return {};
    QDBusMessage call = QDBusMessage::createMethodCall(kPortalService, kPortalPath, kPortalSettings, QStringLiteral("Read"));
    call << kAppearance << kColorScheme;
    call.setAutoStartService(false);
    const QDBusMessage reply = bus.call(call, QDBus::Block, kPortalTimeoutMs);
    if (reply.type() != QDBusMessage::ReplyMessage || reply.arguments().isEmpty())
        return {};
    return {true, fromPortalValue(reply.arguments().constFirst())};
}

// GNOME without a portal (older sessions): only inside a desktop session, where gsettings is real.
std::optional<ColorScheme> readGsettings()
{
    if (qEnvironmentVariableIsEmpty("XDG_CURRENT_DESKTOP"))
        return std::nullopt;
    const QString exe = QStandardPaths::findExecutable(QStringLiteral("gsettings"));
    if (exe.isEmpty())
        return std::nullopt;
    QProcess p;
    p.start(exe, {QStringLiteral("get"), QStringLiteral("org.gnome.desktop.interface"), kColorScheme});
    if (!p.waitForFinished(kGsettingsTimeoutMs)) {
        p.kill();
        p.waitForFinished(100);
        return std::nullopt;
    }
    const QByteArray out = p.readAllStandardOutput().trimmed();
    if (out == "'prefer-dark'")
        return ColorScheme::Dark;
    if (out == "'prefer-light'")
        return ColorScheme::Light;
    return std::nullopt;
}

std::optional<ColorScheme> fromGtkTheme(const QString &gtkTheme)
{
    if (gtkTheme.endsWith(QLatin1String(":dark"), Qt::CaseInsensitive) || gtkTheme.contains(QLatin1String("-dark"), Qt::CaseInsensitive))
        return ColorScheme::Dark;
    return std::nullopt;
}

QColor mix(const QColor &a, const QColor &b, double t)
{
    return QColor::fromRgbF(float(a.redF() * (1 - t) + b.redF() * t), float(a.greenF() * (1 - t) + b.greenF() * t), float(a.blueF() * (1 - t) + b.blueF() * t));
}

double luminance(const QColor &c)
{
    const auto channel = [](double v) { return v <= 0.03928 ? v / 12.92 : std::pow((v + 0.055) / 1.055, 2.4); };
    return 0.2126 * channel(c.redF()) + 0.7152 * channel(c.greenF()) + 0.0722 * channel(c.blueF());
}

QPalette backgroundOf(const QWidget *w) { return w && w->parentWidget() ? w->parentWidget()->palette() : QGuiApplication::palette(); }

void applyTone(QWidget *w, Tone tone)
{
    const QColor c = toneColor(tone, backgroundOf(w));
    if (w->testAttribute(Qt::WA_SetPalette) && w->palette().color(QPalette::WindowText) == c && w->palette().color(QPalette::Text) == c)
        return; // also ends the PaletteChange that setPalette() below sends
    QPalette p; // no roles set: everything else still comes from the parent
    p.setColor(QPalette::WindowText, c);
    p.setColor(QPalette::Text, c);
    w->setPalette(p);
}

void applyBanner(QLabel *label)
{
    const bool dark = isDark(backgroundOf(label));
    const QString colours = dark ? QStringLiteral("background: #3b3016; color: #f5d77a; border: 1px solid #7a6425;")
                                 : QStringLiteral("background: #fff3cd; color: #664d03; border: 1px solid #e0c66d;");
    const QString sheet = label->objectName().isEmpty() ? colours : QStringLiteral("QLabel#%1 { %2 }").arg(label->objectName(), colours);
    if (label->styleSheet() != sheet)
        label->setStyleSheet(sheet);
}

// Re-derives toned text and banners when their parent's palette changes (filtering only those
// widgets), follows the portal's color-scheme changes, and remembers the platform's own look to
// return to. GUI thread.
class ThemeWatcher final : public QObject {
    Q_OBJECT
public:
    using QObject::QObject;

    // What applySystemTheme saw before changing anything.
    QPalette platformPalette;
    QString platformStyle;
    bool overridden = false; // --theme / DIALSCOPE_THEME: the desktop's later changes do not apply
    bool subscribed = false; // to the portal's SettingChanged

    void apply(std::optional<ColorScheme> wanted)
    {
        auto *app = qobject_cast<QApplication *>(QCoreApplication::instance());
        if (!app)
            return;
        const bool platformDark = isDark(platformPalette);
        if (!wanted || (*wanted == ColorScheme::Dark) == platformDark) {
            if (g_replaced) {
                if (app->style()->name().compare(platformStyle, Qt::CaseInsensitive) != 0)
                    QApplication::setStyle(platformStyle);
                QApplication::setPalette(platformPalette);
                g_replaced = false;
            }
            return;
        }
        if (app->style()->name().compare(QLatin1String("fusion"), Qt::CaseInsensitive) != 0)
            QApplication::setStyle(QStringLiteral("Fusion"));
        QApplication::setPalette(*wanted == ColorScheme::Dark ? darkPalette() : lightPalette());
        g_replaced = true;
    }

public Q_SLOTS:
    void onSettingChanged(const QString &ns, const QString &key, const QDBusVariant &value)
    {
        if (overridden || ns != kAppearance || key != kColorScheme)
            return;
        apply(fromPortalValue(QVariant::fromValue(value)));
    }

protected:
    // A widget hears of a new palette (the application's arrives as a posted event, after the
    // application itself) once its parent has it: the moment to re-derive from the parent's.
    bool eventFilter(QObject *watched, QEvent *event) override
    {
        const QEvent::Type type = event->type();
        if ((type != QEvent::PaletteChange && type != QEvent::ApplicationPaletteChange) || !watched->isWidgetType())
            return false;
        auto *w = static_cast<QWidget *>(watched);
        if (const QVariant tone = w->property(kToneProperty); tone.isValid())
            applyTone(w, Tone(tone.toInt()));
        if (auto *label = qobject_cast<QLabel *>(w); label && label->property(kBannerProperty).toBool())
            applyBanner(label);
        // A style sheet sets every role of a banner's palette, so it hears nothing: its parent does.
        for (QLabel *child : w->findChildren<QLabel *>(Qt::FindDirectChildrenOnly)) {
            if (child->property(kBannerProperty).toBool())
                applyBanner(child);
        }
        return false;
    }
};

ThemeWatcher *watcher()
{
    static QPointer<ThemeWatcher> instance;
    if (!instance && qApp)
        instance = new ThemeWatcher(qApp);
    return instance;
}

} // namespace

SchemeChoice parseSchemeOverride(const QString &value)
{
    const QString v = value.trimmed().toLower();
    if (v.isEmpty() || v == QLatin1String("system"))
        return {};
    if (v == QLatin1String("dark"))
        return {ColorScheme::Dark, {}};
    if (v == QLatin1String("light"))
        return {ColorScheme::Light, {}};
    return {std::nullopt, QStringLiteral("unknown theme \"%1\": expected light, dark or system").arg(value)};
}

void applySystemTheme(QApplication &app)
{
    ThemeWatcher *w = watcher();
    if (!g_replaced) { // called again (tests): the platform's look is the one saved before
        w->platformPalette = app.palette();
        w->platformStyle = app.style()->name();
    }
    w->overridden = false;

    // The override: --theme=VALUE on the command line, else DIALSCOPE_THEME.
    QString source = QStringLiteral("DIALSCOPE_THEME");
    QString value = qEnvironmentVariable("DIALSCOPE_THEME");
    for (const QString &arg : app.arguments().mid(1)) {
        if (arg.startsWith(QLatin1String("--theme="))) {
            source = QStringLiteral("--theme");
            value = arg.mid(8);
        }
    }
    const SchemeChoice choice = parseSchemeOverride(value);
    if (!choice.error.isEmpty())
        std::fprintf(stderr, "dialscope: %s: %s; following the desktop\n", qPrintable(source), qPrintable(choice.error));
    if (choice.scheme) {
        w->overridden = true;
        w->apply(choice.scheme);
        return;
    }

    // The desktop's preference; a platform palette that is already dark is the desktop's doing.
    if (isDark(w->platformPalette)) {
        w->apply(std::nullopt);
        return;
    }
    std::optional<ColorScheme> wanted = fromGtkTheme(qEnvironmentVariable("GTK_THEME"));
    if (!wanted) {
        const PortalAnswer portal = readPortal();
        if (portal.answered) {
            wanted = portal.scheme;
            if (!w->subscribed)
                w->subscribed = QDBusConnection::sessionBus().connect(
                    kPortalService, kPortalPath, kPortalSettings, QStringLiteral("SettingChanged"), w, SLOT(onSettingChanged(QString, QString, QDBusVariant)));
        } else {
            wanted = readGsettings();
        }
    }
    w->apply(wanted);
}

bool paletteReplaced() { return g_replaced; }

bool isDark(const QPalette &palette)
{
    return (palette.color(QPalette::Active, QPalette::Window).lightnessF() + palette.color(QPalette::Active, QPalette::Base).lightnessF()) / 2 < 0.5;
}

QPalette darkPalette()
{
    const QColor window(0x2b, 0x2d, 0x31), base(0x1e, 0x1f, 0x22), text(0xe3, 0xe3, 0xe3), disabled(0x80, 0x82, 0x86);
    QPalette p(text, QColor(0x34, 0x36, 0x3b), QColor(0x4a, 0x4c, 0x52), QColor(0x18, 0x19, 0x1b), QColor(0x25, 0x27, 0x2a), text, QColor(0xff, 0xff, 0xff),
        base, window);
    p.setColor(QPalette::AlternateBase, QColor(0x27, 0x29, 0x2d));
    p.setColor(QPalette::ToolTipBase, QColor(0x3a, 0x3c, 0x41));
    p.setColor(QPalette::ToolTipText, text);
    p.setColor(QPalette::PlaceholderText, QColor(0x8c, 0x8e, 0x92));
    p.setColor(QPalette::Highlight, QColor(0x3d, 0x6f, 0xb4));
    p.setColor(QPalette::HighlightedText, QColor(0xff, 0xff, 0xff));
    p.setColor(QPalette::Link, QColor(0x8a, 0xb4, 0xf8));
    p.setColor(QPalette::LinkVisited, QColor(0xc5, 0x8a, 0xf9));
    p.setColor(QPalette::Shadow, QColor(0x0c, 0x0c, 0x0d));
    for (const QPalette::ColorRole role : {QPalette::WindowText, QPalette::Text, QPalette::ButtonText})
        p.setColor(QPalette::Disabled, role, disabled);
    p.setColor(QPalette::Disabled, QPalette::Highlight, QColor(0x44, 0x47, 0x4d));
    p.setColor(QPalette::Disabled, QPalette::HighlightedText, disabled);
    p.setColor(QPalette::Disabled, QPalette::Base, window);
    return p;
}

QPalette lightPalette()
{
    if (QStyle *fusion = QStyleFactory::create(QStringLiteral("Fusion"))) {
        const QPalette p = fusion->standardPalette();
        delete fusion;
        return p;
    }
    return QPalette(QColor(0xef, 0xef, 0xef));
}

QColor toneColor(Tone tone, const QPalette &palette)
{
    static constexpr QRgb kLight[] = {0x1b7a2e, 0x8a5300, 0xb00020};
    static constexpr QRgb kDark[] = {0x81c995, 0xfcad70, 0xf28b82};
    const int i = int(tone);
    const QColor text = palette.color(QPalette::Active, QPalette::WindowText);
    QColor c = QColor::fromRgb(isDark(palette) ? kDark[i] : kLight[i]);
    // An unusual palette (mid grey): move towards the text colour until the tone reads on both.
    const QColor window = palette.color(QPalette::Active, QPalette::Window), base = palette.color(QPalette::Active, QPalette::Base);
    for (int step = 0; step < 10 && std::min(contrast(c, window), contrast(c, base)) < 4.5; ++step)
        c = mix(c, text, 0.25);
    return c;
}

QColor toneColor(Tone tone) { return toneColor(tone, QGuiApplication::palette()); }

QBrush toneBackground(Tone tone)
{
    static constexpr QRgb kTint[] = {0x2ea043, 0xe09b00, 0xd93025};
    QColor c = QColor::fromRgb(kTint[int(tone)]);
    c.setAlpha(64);
    return QBrush(c);
}

void setTone(QWidget *widget, std::optional<Tone> tone)
{
    if (!widget)
        return;
    if (!tone) {
        if (widget->property(kToneProperty).isValid()) {
            widget->setProperty(kToneProperty, QVariant());
            widget->setPalette(QPalette()); // no roles of its own: the parent's palette again
        }
        return;
    }
    if (!widget->property(kToneProperty).isValid())
        widget->installEventFilter(watcher());
    widget->setProperty(kToneProperty, int(*tone));
    applyTone(widget, *tone);
}

void setWarningBanner(QLabel *label)
{
    if (!label)
        return;
    if (!label->property(kBannerProperty).toBool()) {
        label->installEventFilter(watcher());
        if (QWidget *parent = label->parentWidget())
            parent->installEventFilter(watcher()); // installing twice keeps one filter
    }
    label->setProperty(kBannerProperty, true);
    applyBanner(label);
}

double contrast(const QColor &a, const QColor &b)
{
    const double la = luminance(a), lb = luminance(b);
    return (std::max(la, lb) + 0.05) / (std::min(la, lb) + 0.05);
}

} // namespace ds::ui

#include "theme.moc"
