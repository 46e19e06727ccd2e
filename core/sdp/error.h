#pragma once
// Error: what was wrong with a session description from outside, or why negotiation failed.

#include <QString>

namespace ds::sdp {

struct Error {
    enum class Code {
        Syntax, // the SDP text does not follow RFC 4566
        NotAcceptableHere, // no usable audio stream: answer the INVITE with 488 (RFC 3261 21.4.26)
        BadAnswer, // the answer breaks RFC 3264 6 against our offer
    };
    Code code = Code::Syntax;
    QString what; // one plain sentence: "m= needs a port, got \"abc\""
    int line = 0; // 1-based line of the SDP, 0 when not tied to a line

    QString toString() const { return line > 0 ? QStringLiteral("line %1: %2").arg(line).arg(what) : what; }
};

} // namespace ds::sdp
