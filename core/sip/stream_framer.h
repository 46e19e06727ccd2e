#pragma once
// StreamFramer: cuts a TCP/TLS byte stream into SIP messages by Content-Length (RFC 3261 18.3),
// with bounded buffering: a peer cannot make it hold more than maxMessage bytes.

#include "error.h"

#include <QByteArray>

#include <expected>
#include <utility>
#include <optional>

namespace ds::sip {

class StreamFramer {
public:
    explicit StreamFramer(qsizetype maxMessage = 256 * 1024)
        : m_max(maxMessage)
    {
    }
    void append(QByteArrayView bytes) { m_buffer.append(bytes.data(), bytes.size()); }
    // The next complete message, nullopt when more bytes are needed, or an error after which
    // the stream cannot be resynchronised and must be closed.
    std::expected<std::optional<QByteArray>, Error> next();
    qsizetype buffered() const { return m_buffer.size(); }
    // What is buffered, emptied: the bytes that could not be framed, for the trace.
    QByteArray takeBuffered() { return std::exchange(m_buffer, {}); }

private:
    QByteArray m_buffer;
    qsizetype m_max;
};

} // namespace ds::sip
