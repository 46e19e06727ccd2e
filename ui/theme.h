// The light or dark look: follows the desktop's preference at start and while running, and gives
// status colours that stay readable on either background.
#pragma once

#include <QBrush>
#include <QColor>
#include <QPalette>
#include <QString>

#include <optional>

class QApplication;
class QLabel;
class QWidget;

namespace ds::ui {

enum class ColorScheme { Light, Dark };

// Call once after constructing the QApplication, before the first window. Keeps the platform's
// palette when it is already dark; otherwise, when the desktop prefers dark (GTK_THEME "...:dark",
// the freedesktop portal's org.freedesktop.appearance color-scheme, or on a desktop session
// without a portal `gsettings get org.gnome.desktop.interface color-scheme`), switches to the
// Fusion style with darkPalette(), and follows later changes the portal announces.
// DIALSCOPE_THEME=light|dark|system or the argument --theme=light|dark|system overrides the
// desktop (an unknown value is reported on stderr and ignored). Waits at most a fraction of a
// second for the desktop, and only when a session bus or a desktop session is there.
void applySystemTheme(QApplication &app);

// The scheme named by an override value: "light", "dark"; std::nullopt for "system" and "".
// An unknown value is an error naming the accepted ones.
struct SchemeChoice {
    std::optional<ColorScheme> scheme {};
    QString error {};
};
SchemeChoice parseSchemeOverride(const QString &value);

// True while dialscope's own palette replaces the platform's (then theme icons, drawn for the
// platform's palette, are not used: see icons.h).
bool paletteReplaced();

bool isDark(const QPalette &palette);
QPalette darkPalette(); // Fusion, dark grey with light text
QPalette lightPalette(); // Fusion's standard palette

// Semantic status colours: registered, warning, failed.
enum class Tone { Good, Warning, Bad };

// Text in `tone` readable on the palette's Base and Window (contrast ratio 4.5 or more).
QColor toneColor(Tone tone, const QPalette &palette);
QColor toneColor(Tone tone); // on the application palette
// A translucent cell background in `tone`: the palette's text stays readable on it, light or dark.
QBrush toneBackground(Tone tone);

// A widget's text in `tone` (std::nullopt: the palette's text again); re-derived when the
// application palette changes after applySystemTheme().
void setTone(QWidget *widget, std::optional<Tone> tone);
// A label styled as a warning banner (amber in light, dark amber in dark), kept across palette changes.
void setWarningBanner(QLabel *label);

// WCAG 2 contrast ratio of two opaque colours, 1 to 21.
double contrast(const QColor &a, const QColor &b);

} // namespace ds::ui
