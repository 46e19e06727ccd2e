#pragma once
// Ladder text: a LadderModel as a plain ASCII sequence diagram for terminals and tickets —
// one line per row shown, an arrow between two lifelines, the time, and the details at the end.

#include "ladder_model.h"

#include <QString>

namespace ds::diag {

struct TextLadderOptions {
    int gap = 30; // characters between two lifelines
    bool details = true; // CSeq, timers, SDP summary after the arrows
    int maxRows = -1; // -1: all rows
};

QString renderTextLadder(const LadderModel &model, const TextLadderOptions &options = {});

} // namespace ds::diag
