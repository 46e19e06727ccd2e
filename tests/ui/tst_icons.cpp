// ui/icons: every bundled icon renders, in the palette's text colour, sharp at a device pixel ratio
// of 2, and recoloured when the palette turns dark; theme icons win only over the platform's palette.

#include "support/palettes.h"
#include "ui/icons.h"
#include "ui/theme.h"

#include <QApplication>
#include <QDir>
#include <QFile>
#include <QImage>
#include <QSvgRenderer>
#include <QTemporaryDir>
#include <QTest>

using namespace ds;

namespace {

// The mean colour of the opaque pixels of a rendered icon, and how many there are.
struct Ink {
    QColor color {};
    int pixels = 0;
};

Ink inkOf(const QPixmap &pm)
{
    const QImage img = pm.toImage().convertToFormat(QImage::Format_ARGB32);
    double r = 0, g = 0, b = 0;
    int n = 0;
    for (int y = 0; y < img.height(); ++y) {
        for (int x = 0; x < img.width(); ++x) {
            const QColor c = img.pixelColor(x, y);
            if (c.alpha() < 250)
                continue;
            r += c.redF();
            g += c.greenF();
            b += c.blueF();
            ++n;
        }
    }
    if (n == 0)
        return {};
    return {QColor::fromRgbF(float(r / n), float(g / n), float(b / n)), n};
}

int distance(const QColor &a, const QColor &b) { return std::abs(a.red() - b.red()) + std::abs(a.green() - b.green()) + std::abs(a.blue() - b.blue()); }

} // namespace

class TestIcons : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void initTestCase()
    {
        QIcon::setThemeName(QStringLiteral("dialscope-test-no-such-theme")); // the bundled SVGs, whatever the machine has
        QApplication::setPalette(test::lightPalette());
    }

    // The qrc lists every SVG under resources/icons, each valid; every name has its SVG.
    void everySvgIsBundledAndValid()
    {
        const QDir dir(QStringLiteral(DS_SOURCE_DIR "/resources/icons"));
        const QStringList files = dir.entryList({QStringLiteral("*.svg")}, QDir::Files);
        QVERIFY(files.size() >= 16);
        for (const QString &f : files) {
            const QString resource = QStringLiteral(":/icons/") + f;
            QVERIFY2(QFile::exists(resource), qPrintable(resource));
            QSvgRenderer renderer(resource);
            QVERIFY2(renderer.isValid(), qPrintable(f));
        }
        for (const QString &name : ui::iconNames()) {
            const QIcon i = ui::icon(name);
            QVERIFY2(!i.isNull(), qPrintable(name));
            QVERIFY2(inkOf(i.pixmap(QSize(24, 24), 1.0)).pixels > 20, qPrintable(name));
        }
    }

    void namesTheLeadUses()
    {
        for (const char *name : {"call-start", "call-stop", "call-hold", "mic-muted", "dialpad", "history", "contacts", "test-call", "register", "unregister",
                 "account-add", "account-edit", "account-remove", "ladder", "capture-open", "settings", "call-incoming", "call-outgoing", "call-missed"})
            QVERIFY2(ui::iconNames().contains(QLatin1String(name)), name);
        // A freedesktop name stands for its dialscope icon; an unknown one is the theme's business.
        QCOMPARE(ui::icon(u"list-add").name(), QStringLiteral("account-add"));
        QCOMPARE(ui::themeNameOf(u"account-add"), QStringLiteral("list-add"));
        QVERIFY(ui::icon(u"no-such-icon-anywhere").isNull());
    }

    // Drawn in the palette's text colour: dark on light, light on dark, without making the icon again.
    void followsThePalette()
    {
        const QIcon i = ui::icon(u"call-start");
        QApplication::setPalette(test::lightPalette());
        const Ink light = inkOf(i.pixmap(QSize(32, 32), 1.0));
        QVERIFY(light.pixels > 100);
        QVERIFY2(distance(light.color, test::lightPalette().color(QPalette::WindowText)) < 30, qPrintable(light.color.name()));
        QApplication::setPalette(test::darkPalette());
        const Ink dark = inkOf(i.pixmap(QSize(32, 32), 1.0));
        QVERIFY2(distance(dark.color, test::darkPalette().color(QPalette::WindowText)) < 30, qPrintable(dark.color.name()));
        QVERIFY(ui::contrast(dark.color, test::darkPalette().color(QPalette::Window)) > 7);
        // Disabled is told apart from normal.
        const Ink disabled = inkOf(i.pixmap(QSize(32, 32), 1.0, QIcon::Disabled));
        QVERIFY(disabled.pixels == 0 || distance(disabled.color, dark.color) > 60);
        QApplication::setPalette(test::lightPalette());
    }

    // High-DPI: a 16 px icon at a device pixel ratio of 2 is rendered with 32 device pixels, not scaled up.
    void sharpAtDevicePixelRatioTwo()
    {
        const QIcon i = ui::icon(u"ladder");
        const QPixmap one = i.pixmap(QSize(16, 16), 1.0);
        const QPixmap two = i.pixmap(QSize(16, 16), 2.0);
        QCOMPARE(one.size(), QSize(16, 16));
        QCOMPARE(two.size(), QSize(32, 32));
        QCOMPARE(two.devicePixelRatio(), 2.0);
        QCOMPARE(two.deviceIndependentSize().toSize(), QSize(16, 16));
        // Rendered at 32, not the 16 px picture magnified: some 2x2 block is not uniform.
        const QImage img = two.toImage().convertToFormat(QImage::Format_ARGB32);
        bool finer = false;
        for (int y = 0; y < 32 && !finer; y += 2)
            for (int x = 0; x < 32 && !finer; x += 2)
                finer = img.pixel(x, y) != img.pixel(x + 1, y) || img.pixel(x, y) != img.pixel(x, y + 1);
        QVERIFY(finer);
    }

    // The application icon keeps its colours (blue tile), whatever the palette.
    void appIconIsInColour()
    {
        QApplication::setPalette(test::darkPalette());
        const Ink ink = inkOf(ui::appIcon().pixmap(QSize(64, 64), 1.0));
        QApplication::setPalette(test::lightPalette());
        QVERIFY(ink.pixels > 2000);
        QVERIFY2(ink.color.blue() > ink.color.red() + 40, qPrintable(ink.color.name()));
        QCOMPARE(ui::icon(u"dialscope").name(), QStringLiteral("dialscope"));
    }

    // A theme that has the icon wins while the palette is the platform's; dialscope's own palette
    // (dark over a light desktop) brings the bundled SVG back, since theme icons suit the other one.
    void themeIconOnlyOverThePlatformPalette()
    {
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        QDir(dir.path()).mkpath(QStringLiteral("fake/scalable/actions"));
        QFile index(dir.filePath(QStringLiteral("fake/index.theme")));
        QVERIFY(index.open(QIODevice::WriteOnly));
        index.write("[Icon Theme]\nName=fake\nDirectories=scalable/actions\n\n[scalable/actions]\nSize=16\nMinSize=8\nMaxSize=512\nType=Scalable\n");
        index.close();
        QVERIFY(QFile::copy(QStringLiteral(":/icons/close.svg"), dir.filePath(QStringLiteral("fake/scalable/actions/list-add.svg"))));
        const QStringList paths = QIcon::themeSearchPaths();
        QIcon::setThemeSearchPaths({dir.path()});
        QIcon::setThemeName(QStringLiteral("fake"));

        QVERIFY(!ui::paletteReplaced());
        QCOMPARE(ui::icon(u"account-add").name(), QStringLiteral("list-add"));
        QCOMPARE(ui::icon(u"ladder").name(), QStringLiteral("ladder")); // no theme name: bundled

        qputenv("DIALSCOPE_THEME", "dark");
        ui::applySystemTheme(*qApp);
        QVERIFY(ui::paletteReplaced());
        QCOMPARE(ui::icon(u"account-add").name(), QStringLiteral("account-add"));
        qputenv("DIALSCOPE_THEME", "light");
        ui::applySystemTheme(*qApp);
        QVERIFY(!ui::paletteReplaced());
        qunsetenv("DIALSCOPE_THEME");

        QIcon::setThemeSearchPaths(paths);
        QIcon::setThemeName(QStringLiteral("dialscope-test-no-such-theme"));
    }
};

QTEST_MAIN(TestIcons)
#include "tst_icons.moc"
