#pragma once
// SIP sniffing: tells SIP from other payloads by content alone (any port), as a capture reader
// must; pure functions over bytes, no allocation, no regex.

#include <QByteArrayView>

namespace ds::diag {

// The bytes begin with a SIP start line (RFC 3261 7.1/7.2): "SIP/2.0 " 3DIGIT, or
// "TOKEN SP Request-URI SP SIP/2.0" CRLF.
bool startsWithSipStartLine(QByteArrayView bytes);
// The offset of the first SIP start line at or after from that begins a line (at offset 0
// or just after a LF), or -1. Linear in the size of bytes.
qsizetype findSipStartLine(QByteArrayView bytes, qsizetype from = 0);
// RFC 5626 4.4.1: CRLF / CRLFCRLF keep-alives.
bool isSipKeepAlive(QByteArrayView bytes);
// RFC 5389 6: a STUN message (magic cookie, length consistent with the datagram).
bool isStun(QByteArrayView bytes);

} // namespace ds::diag
