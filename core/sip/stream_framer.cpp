#include "stream_framer.h"

#include "header_names.h"
#include "message.h"

namespace ds::sip {

std::expected<std::optional<QByteArray>, Error> StreamFramer::next()
{
    // RFC 3261 7.5 / RFC 5626 3.5.1: CRLFs between messages are keep-alives.
    qsizetype skip = 0;
    while (skip < m_buffer.size() && (m_buffer[skip] == '\r' || m_buffer[skip] == '\n'))
        ++skip;
    if (skip)
        m_buffer.remove(0, skip);
    if (m_buffer.isEmpty())
        return std::optional<QByteArray>();

    qsizetype end = m_buffer.indexOf("\r\n\r\n");
    qsizetype sepLen = 4;
    if (end < 0) {
        end = m_buffer.indexOf("\n\n");
        sepLen = 2;
    }
    if (end < 0) {
        if (m_buffer.size() > m_max)
            return std::unexpected(Error {QStringLiteral("the peer sent more than %1 bytes without ending the header section").arg(m_max), 0, 0, {}});
        return std::optional<QByteArray>();
    }
    const qsizetype bodyStart = end + sepLen;
    // Find Content-Length (or its compact form l) among the header lines.
    qint64 length = -1;
    qsizetype pos = m_buffer.indexOf('\n');
    while (pos >= 0 && pos < end) {
        const qsizetype lineStart = pos + 1;
        qsizetype lineEnd = m_buffer.indexOf('\n', lineStart);
        if (lineEnd < 0 || lineStart >= end)
            break;
        const QByteArrayView line(m_buffer.constData() + lineStart, lineEnd - lineStart);
        const qsizetype colon = line.indexOf(':');
        if (colon > 0 && headerIdFromName(trimmed(line.first(colon))) == HeaderId::ContentLength) {
            const QByteArrayView v = trimmed(line.sliced(colon + 1));
            bool ok = false;
            const qint64 n = v.toLongLong(&ok);
            if (!ok || n < 0)
                return std::unexpected(
                    Error {QStringLiteral("Content-Length \"%1\" is not a non-negative number").arg(QString::fromLatin1(clip(v, 30))), 0, 0, "Content-Length"});
            length = n;
        }
        pos = lineEnd;
    }
    if (length < 0)
        return std::unexpected(Error {QStringLiteral("a message received over a stream has no Content-Length"), 0, 0, "Content-Length"});
    if (bodyStart + length > m_max)
        return std::unexpected(
            Error {QStringLiteral("a message of %1 bytes exceeds the %2-byte limit").arg(bodyStart + length).arg(m_max), 0, 0, "Content-Length"});
    if (m_buffer.size() < bodyStart + length)
        return std::optional<QByteArray>();
    QByteArray msg = m_buffer.first(bodyStart + length);
    m_buffer.remove(0, bodyStart + length);
    return std::optional<QByteArray>(std::move(msg));
}

} // namespace ds::sip
