// Light and dark palettes for GUI tests that check a widget takes its colours from the palette
// (theme changes, dark mode) rather than hard-coded black and white.
#pragma once

#include <QColor>
#include <QPalette>

namespace ds::test {

inline QPalette paletteOf(QColor base, QColor alternate, QColor text, QColor window, QColor highlight)
{
    QPalette p;
    p.setColor(QPalette::Base, base);
    p.setColor(QPalette::AlternateBase, alternate);
    p.setColor(QPalette::Text, text);
    p.setColor(QPalette::Window, window);
    p.setColor(QPalette::WindowText, text);
    p.setColor(QPalette::Highlight, highlight);
    return p;
}

inline QPalette lightPalette()
{
    return paletteOf(QColor(0xfb, 0xfb, 0xf8), QColor(0xf0, 0xf1, 0xf3), QColor(0x1d, 0x1d, 0x1f), QColor(0xee, 0xef, 0xf1), QColor(0x30, 0x8c, 0xc6));
}

inline QPalette darkPalette()
{
    return paletteOf(QColor(0x1e, 0x1f, 0x22), QColor(0x27, 0x29, 0x2d), QColor(0xe3, 0xe3, 0xe3), QColor(0x2b, 0x2d, 0x31), QColor(0x3d, 0x6f, 0xb4));
}

} // namespace ds::test
