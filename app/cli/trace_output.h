#pragma once
// How the network subcommands report the SIP trace, digest computations and findings: JSON
// events (`sip`, `auth`, `finding`) in --json mode, readable lines otherwise.

#include "event_writer.h"

#include "sip/authenticator.h"
#include "sip/trace_event.h"

namespace ds::cli {

void reportTrace(EventWriter &out, const sip::TraceEvent &e);
void reportAuth(EventWriter &out, const sip::AuthExplanation &e);
void reportFinding(EventWriter &out, const QString &severity, const QString &text, const QString &code = {}); // code: stable id, e.g. "double-digits"
// The text ladder of the trace, to stdout (text mode) or stderr (--json keeps stdout JSON only).
void reportLadder(EventWriter &out, const QString &ladder);

} // namespace ds::cli
