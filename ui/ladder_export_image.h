#pragma once
// Ladder images: a LadderModel as SVG (QSvgGenerator) or PNG (QImage), painted by the same
// LadderPainter as the view, without a display — a QGuiApplication on the offscreen platform
// will do. Rows beyond the limit are cut, and a last line says how many were left out.

#include "diag/ladder_model.h"

#include <QString>

#include <expected>

namespace ds::ui {

// Errors name the file ("cannot write /tmp/x.svg: Permission denied").
std::expected<void, QString> exportLadderSvg(const ds::diag::LadderModel &model, const QString &path, int maxRows = 5000);
// A PNG also stops at kMaxPngHeight pixels (about 370 rows): SVG is the format for long ladders.
std::expected<void, QString> exportLadderPng(const ds::diag::LadderModel &model, const QString &path, int maxRows = 5000);

inline constexpr int kMaxPngHeight = 16384;

} // namespace ds::ui
