#pragma once
// Message: one parsed SIP request or response (RFC 3261 7). It keeps the bytes it was parsed
// from and indexes into them: header names, values and the body are views, nothing is copied
// except the rare folded header value, which is unfolded once into a side buffer.

#include "header_names.h"

#include <QByteArray>
#include <QByteArrayView>
#include <QList>
#include <QVarLengthArray>

#include <cstdint>
#include <span>

namespace ds::sip {

struct HeaderField {
    HeaderId id = HeaderId::Other;
    bool unfolded = false; // value lives in the message's side buffer (it was folded)
    std::uint32_t line = 0; // 1-based line of the header in the message
    std::uint32_t nameOffset = 0;
    std::uint32_t nameLength = 0;
    std::uint32_t valueOffset = 0;
    std::uint32_t valueLength = 0;
};

class Message {
public:
    Message() = default;

    bool isRequest() const { return m_statusCode == 0; }
    bool isResponse() const { return m_statusCode != 0; }

    // Request line (empty for responses).
    QByteArrayView method() const { return view(m_methodOff, m_methodLen); }
    QByteArrayView requestUri() const { return view(m_uriOff, m_uriLen); }
    // Status line (0 / empty for requests).
    int statusCode() const { return m_statusCode; }
    QByteArrayView reasonPhrase() const { return view(m_reasonOff, m_reasonLen); }

    QByteArrayView startLine() const { return view(0, m_startLineLen); }
    std::span<const HeaderField> headers() const { return {m_headers.data(), std::size_t(m_headers.size())}; }
    QByteArrayView name(const HeaderField &h) const { return view(h.nameOffset, h.nameLength); }
    QByteArrayView value(const HeaderField &h) const;

    // The first value of a header (whole field value, not split at commas); empty when absent.
    QByteArrayView header(HeaderId id) const;
    QByteArrayView header(QByteArrayView name) const;
    bool hasHeader(HeaderId id) const { return find(id) != nullptr; }
    const HeaderField *find(HeaderId id) const;
    int headerCount(HeaderId id) const;

    // Every value of a header in order, comma-separated lists split (RFC 3261 7.3.1),
    // commas inside quotes or <> respected.
    QList<QByteArrayView> values(HeaderId id) const;

    QByteArrayView body() const { return view(m_bodyOff, m_bodyLen); }
    // Content-Length as sent (-1 when the header was absent).
    qint64 contentLength() const { return m_contentLength; }
    const QByteArray &raw() const { return m_data; }

    // Frequent look-ups, already trimmed.
    QByteArrayView callId() const { return header(HeaderId::CallId); }
    // The CSeq sequence number and method; 0 / empty when missing or malformed.
    std::uint32_t cseqNumber() const;
    QByteArrayView cseqMethod() const;
    // The branch parameter of the top Via; empty when missing.
    QByteArrayView topViaBranch() const;

private:
    friend class Parser;
    QByteArrayView view(std::uint32_t off, std::uint32_t len) const { return QByteArrayView(m_data.constData() + off, len); }

    QByteArray m_data;
    QByteArray m_unfolded; // values of folded headers, unfolded (rare)
    QVarLengthArray<HeaderField, 20> m_headers;
    std::uint32_t m_startLineLen = 0;
    std::uint32_t m_methodOff = 0, m_methodLen = 0;
    std::uint32_t m_uriOff = 0, m_uriLen = 0;
    std::uint32_t m_reasonOff = 0, m_reasonLen = 0;
    std::uint32_t m_bodyOff = 0, m_bodyLen = 0;
    qint64 m_contentLength = -1;
    int m_statusCode = 0;
};

// Splits a header value at top-level commas (not inside quotes or angle brackets), trimming
// whitespace around each element. Empty elements are skipped.
void splitList(QByteArrayView value, QList<QByteArrayView> &out);

QByteArrayView trimmed(QByteArrayView v) noexcept;
// The first n bytes of v, or all of v when shorter (for quoting input in error messages).
inline QByteArrayView clip(QByteArrayView v, qsizetype n) noexcept { return v.first(n < v.size() ? n : v.size()); }
bool equalsNoCase(QByteArrayView a, QByteArrayView b) noexcept;

} // namespace ds::sip
