#pragma once
// Ladder: the sequence-diagram model of a trace — nodes (endpoints) and arrows (messages) —
// built without any widget, so the CLI's text ladder and the GUI's view draw the same thing
// (after Wireshark's seq_analysis model).

#include "sip/trace_event.h"

#include <QList>
#include <QString>

namespace ds::diag {

struct LadderItem {
    double seconds = 0; // since the first message
    int from = 0; // node index
    int to = 0;
    QString label; // "REGISTER" or "401 Unauthorized"
    QString detail; // "CSeq 2 REGISTER"
    QString callId;
    bool retransmission = false;
    bool malformed = false;
};

struct Ladder {
    QStringList nodes; // "127.0.0.1:5060"
    QList<LadderItem> items;
};

// Builds the ladder of a trace; the first event's local endpoint is node 0.
Ladder buildLadder(const QList<sip::TraceEvent> &events);

// A plain-text rendering for terminals: one line per message, an arrow between two columns.
QString renderTextLadder(const Ladder &ladder, const QString &localName = QStringLiteral("dialscope"));

} // namespace ds::diag
