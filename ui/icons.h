// Icons by name: the desktop theme's when it has one that fits, else dialscope's own SVG drawn in
// the palette's text colour (resources/icons, compiled in from resources/dialscope.qrc).
#pragma once

#include <QIcon>
#include <QStringList>
#include <QStringView>

namespace ds::ui {

// The icon called `name`: a dialscope name (call-start, mic-muted, ladder ... see iconNames()) or
// the freedesktop name it stands for (list-add, edit-copy ...). The desktop theme's icon is used
// when the theme has it and the palette is the platform's own (see paletteReplaced() in theme.h);
// otherwise the bundled SVG, rendered at the size and device pixel ratio asked for, in the
// application palette's text colour at the time of painting, so it follows light and dark
// palettes. An unknown name gives QIcon::fromTheme(name) (null when the theme lacks it too).
QIcon icon(QStringView name);

// The application icon in colour (the window icon; installed as hicolor/scalable/apps/dialscope.svg).
QIcon appIcon();

// The names with a bundled SVG, sorted.
QStringList iconNames();

// The freedesktop icon name tried in the theme before the bundled SVG; empty when there is none.
QString themeNameOf(QStringView name);

} // namespace ds::ui
