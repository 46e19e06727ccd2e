#pragma once
// Parser: bytes to Message (RFC 3261 7 and 25), indexing into the received buffer. It checks
// the framing of a message — start line, header lines, folding, Content-Length — and leaves the
// meaning of header values to the typed parsers (header_values.h) and the linter.

#include "error.h"
#include "message.h"

#include <expected>

namespace ds::sip {

enum class Framing {
    Datagram, // UDP: the datagram is the message; Content-Length may be absent (RFC 3261 18.3)
    Stream, // TCP/TLS: the framer cut exactly one message; Content-Length is mandatory
};

class Parser {
public:
    static std::expected<Message, Error> parse(QByteArray data, Framing framing = Framing::Datagram);
};

// Token characters of RFC 3261 25.1.
bool isTokenChar(char c) noexcept;

} // namespace ds::sip
