// ui/theme: the light/dark choice (override, GTK_THEME, a platform palette that is already dark),
// status colours readable on every palette, and toned labels that follow a palette switch.

#include "support/palettes.h"
#include "ui/theme.h"

#include <QApplication>
#include <QLabel>
#include <QStyle>
#include <QTest>

using namespace ds;
using ui::ColorScheme;
using ui::Tone;

namespace {

// The colour seen where `over` is drawn on `under` (a translucent brush on an opaque background).
QColor blend(const QColor &over, const QColor &under)
{
    const double a = over.alphaF();
    return QColor::fromRgbF(float(over.redF() * a + under.redF() * (1 - a)), float(over.greenF() * a + under.greenF() * (1 - a)),
        float(over.blueF() * a + under.blueF() * (1 - a)));
}

QPalette midGreyPalette() { return test::paletteOf(QColor(0x80, 0x80, 0x80), QColor(0x88, 0x88, 0x88), Qt::black, QColor(0x7a, 0x7a, 0x7a), Qt::darkBlue); }

} // namespace

class TestTheme : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void initTestCase()
    {
        // No desktop to ask: the choice comes from what each test sets.
        qunsetenv("DBUS_SESSION_BUS_ADDRESS");
        qunsetenv("XDG_CURRENT_DESKTOP");
        qunsetenv("GTK_THEME");
        qunsetenv("DIALSCOPE_THEME");
        QApplication::setPalette(test::lightPalette());
    }

    void cleanup()
    {
        qunsetenv("GTK_THEME");
        qunsetenv("DIALSCOPE_THEME");
        ui::applySystemTheme(*qApp); // back to the platform's (here the light test) palette
        QVERIFY(!ui::paletteReplaced());
    }

    void parsesOverrides_data()
    {
        QTest::addColumn<QString>("value");
        QTest::addColumn<int>("scheme"); // -1 none
        QTest::addColumn<bool>("error");
        QTest::newRow("dark") << QStringLiteral("dark") << int(ColorScheme::Dark) << false;
        QTest::newRow("Light, spaced") << QStringLiteral(" Light ") << int(ColorScheme::Light) << false;
        QTest::newRow("system") << QStringLiteral("system") << -1 << false;
        QTest::newRow("empty") << QString() << -1 << false;
        QTest::newRow("unknown") << QStringLiteral("solarized") << -1 << true;
    }

    void parsesOverrides()
    {
        QFETCH(QString, value);
        QFETCH(int, scheme);
        QFETCH(bool, error);
        const ui::SchemeChoice c = ui::parseSchemeOverride(value);
        QCOMPARE(c.scheme ? int(*c.scheme) : -1, scheme);
        QCOMPARE(!c.error.isEmpty(), error);
        if (error)
            QVERIFY(c.error.contains(QLatin1String("light, dark or system")) && c.error.contains(value));
    }

    void darkOverrideOnALightDesktop()
    {
        qputenv("DIALSCOPE_THEME", "dark");
        ui::applySystemTheme(*qApp);
        QVERIFY(ui::paletteReplaced());
        QVERIFY(ui::isDark(QApplication::palette()));
        QCOMPARE(QApplication::style()->name().toLower(), QStringLiteral("fusion"));
        const QPalette p = QApplication::palette();
        QVERIFY(ui::contrast(p.color(QPalette::Text), p.color(QPalette::Base)) > 7);
        QVERIFY(ui::contrast(p.color(QPalette::WindowText), p.color(QPalette::Window)) > 7);
        QVERIFY(ui::contrast(p.color(QPalette::ButtonText), p.color(QPalette::Button)) > 7);
        QVERIFY(ui::contrast(p.color(QPalette::HighlightedText), p.color(QPalette::Highlight)) > 4.5);
    }

    void gtkDarkThemeIsFollowed()
    {
        qputenv("GTK_THEME", "Adwaita:dark");
        ui::applySystemTheme(*qApp);
        QVERIFY(ui::isDark(QApplication::palette()));
        // The override wins over the desktop.
        qputenv("DIALSCOPE_THEME", "light");
        ui::applySystemTheme(*qApp);
        QVERIFY(!ui::isDark(QApplication::palette()));
    }

    void unknownOverrideFollowsTheDesktop()
    {
        qputenv("DIALSCOPE_THEME", "purple");
        ui::applySystemTheme(*qApp);
        QVERIFY(!ui::paletteReplaced());
        QVERIFY(!ui::isDark(QApplication::palette()));
    }

    // Status colours read as text on the base and window colours of every palette (WCAG AA), and a
    // problem cell's tint keeps the palette's text readable.
    void tonesAreReadableEverywhere()
    {
        const QList<QPalette> palettes {test::lightPalette(), test::darkPalette(), ui::lightPalette(), ui::darkPalette(), midGreyPalette()};
        for (const QPalette &p : palettes) {
            for (const Tone t : {Tone::Good, Tone::Warning, Tone::Bad}) {
                const QColor c = ui::toneColor(t, p);
                QVERIFY2(ui::contrast(c, p.color(QPalette::Base)) >= 4.5, qPrintable(c.name() + QStringLiteral(" on ") + p.color(QPalette::Base).name()));
                QVERIFY2(ui::contrast(c, p.color(QPalette::Window)) >= 4.5, qPrintable(c.name() + QStringLiteral(" on ") + p.color(QPalette::Window).name()));
                const QColor cell = blend(ui::toneBackground(t).color(), p.color(QPalette::Base));
                QVERIFY(ui::contrast(p.color(QPalette::Text), cell) >= 4.5);
            }
            // Good and bad are told apart.
            QVERIFY(ui::toneColor(Tone::Good, p) != ui::toneColor(Tone::Bad, p));
        }
    }

    // A toned label and a banner are re-derived when the application palette turns dark, and a
    // label back to normal takes its parent's text colour.
    void tonedTextFollowsAPaletteSwitch()
    {
        ui::applySystemTheme(*qApp); // the watcher of palette changes
        QWidget parent;
        auto *label = new QLabel(QStringLiteral("registration failed"), &parent);
        auto *banner = new QLabel(QStringLiteral("no sound card"), &parent);
        banner->setObjectName(QStringLiteral("banner"));
        ui::setTone(label, Tone::Bad);
        ui::setWarningBanner(banner);
        QCOMPARE(label->palette().color(QPalette::WindowText), ui::toneColor(Tone::Bad, test::lightPalette()));
        QVERIFY(banner->styleSheet().contains(QLatin1String("#fff3cd")));

        qputenv("DIALSCOPE_THEME", "dark");
        ui::applySystemTheme(*qApp);
        QTRY_COMPARE(label->palette().color(QPalette::WindowText), ui::toneColor(Tone::Bad, ui::darkPalette()));
        QTRY_VERIFY(!banner->styleSheet().contains(QLatin1String("#fff3cd")));
        QVERIFY(ui::contrast(label->palette().color(QPalette::WindowText), label->palette().color(QPalette::Window)) >= 4.5);

        ui::setTone(label, std::nullopt);
        QCOMPARE(label->palette().color(QPalette::WindowText), parent.palette().color(QPalette::WindowText));
    }
};

QTEST_MAIN(TestTheme)
#include "tst_theme.moc"
