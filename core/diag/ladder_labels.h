#pragma once
// Ladder labels: the short texts drawn on an arrow, as pure functions of a message's parts —
// the SDP summary of an offer or answer, the digits of a DTMF INFO, the digest challenge.

#include <QByteArrayView>
#include <QString>

namespace ds::diag {

// "PCMU,PCMA,telephone-event 10.0.0.1:4000 sendrecv" for each audio/video m= line, "; " between
// them; "(bad SDP)" when the body does not parse; empty for an empty body.
QString sdpSummary(QByteArrayView body);

// The digits of a SIP INFO body: application/dtmf-relay ("Signal=5\r\nDuration=160") or
// application/dtmf ("5"); empty when the body is neither.
QString dtmfInfoDigits(QByteArrayView contentType, QByteArrayView body);

// "Digest realm=\"pbx\" SHA-256" from a WWW-Authenticate/Proxy-Authenticate value.
QString challengeSummary(QByteArrayView value);

} // namespace ds::diag
