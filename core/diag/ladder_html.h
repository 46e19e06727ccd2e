#pragma once
// Ladder HTML: a self-contained page of the rows a LadderModel shows — the ladder drawn as
// inline SVG, each arrow clickable to show its raw message beside it — for a ticket, opened by
// any browser with no network and no script from elsewhere.

#include "ladder_model.h"

#include <QByteArray>
#include <QString>

namespace ds::diag {

// maxRows bounds the page: rows beyond it are left out, and the page says how many.
QByteArray renderHtmlLadder(const LadderModel &model, const QString &title, int maxRows = 5000);

} // namespace ds::diag
