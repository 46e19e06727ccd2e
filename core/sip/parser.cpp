#include "parser.h"

#include <array>
#include <cstring>
#include <string_view>

namespace ds::sip {

namespace {

constexpr qsizetype kMaxHeaders = 256;

Error err(QString what, int line, int column = 0, QByteArray header = {}) { return Error {std::move(what), line, column, std::move(header)}; }

struct Line {
    qsizetype begin; // first byte
    qsizetype end; // one past the last byte, CR excluded
    qsizetype next; // first byte of the next line
};

// The line starting at pos; lines end with CRLF, a bare LF is tolerated.
inline Line lineAt(const char *d, qsizetype size, qsizetype pos)
{
    const void *lf = std::memchr(d + pos, '\n', size_t(size - pos));
    if (!lf)
        return {pos, size, size};
    qsizetype e = static_cast<const char *>(lf) - d;
    const qsizetype next = e + 1;
    if (e > pos && d[e - 1] == '\r')
        --e;
    return {pos, e, next};
}

bool parseStatusCode(QByteArrayView v, int &code)
{
    if (v.size() != 3)
        return false;
    for (char c : v)
        if (c < '0' || c > '9')
            return false;
    code = (v[0] - '0') * 100 + (v[1] - '0') * 10 + (v[2] - '0');
    return code >= 100 && code <= 699;
}

bool isSipVersion(QByteArrayView v) { return equalsNoCase(v, "SIP/2.0"); }

// RFC 3261 25.1 token characters as a table: the header-name loop looks up every byte of a name.
constexpr std::array<bool, 256> kTokenChars = [] {
    std::array<bool, 256> t {};
    for (int c = 0; c < 256; ++c)
        t[c] = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
    for (char c : std::string_view("-.!%*_+`'~"))
        t[static_cast<unsigned char>(c)] = true;
    return t;
}();

inline bool tokenChar(char c) noexcept { return kTokenChars[static_cast<unsigned char>(c)]; }

} // namespace

bool isTokenChar(char c) noexcept { return tokenChar(c); }

std::expected<Message, Error> Parser::parse(QByteArray data, Framing framing)
{
    Message m;
    // RFC 3261 7.5: CRLFs before the start line are ignored (stream keep-alives).
    // Read through constData(): operator[] on the non-const QByteArray would detach it, a deep
    // copy of every message, although the caller's buffer is shared with us.
    const char *bytes = data.constData();
    qsizetype skip = 0;
    while (skip < data.size() && (bytes[skip] == '\r' || bytes[skip] == '\n'))
        ++skip;
    if (skip > 0)
        data = data.sliced(skip);
    if (data.isEmpty())
        return std::unexpected(err(QStringLiteral("the message is empty"), 0));
    if (data.size() > 0x7fffffff)
        return std::unexpected(err(QStringLiteral("the message is larger than 2 GiB"), 0));
    m.m_data = std::move(data);
    const char *d = m.m_data.constData();
    const qsizetype size = m.m_data.size();

    // Start line.
    const Line start = lineAt(d, size, 0);
    const QByteArrayView sl(d, start.end);
    m.m_startLineLen = std::uint32_t(start.end);
    if (sl.isEmpty())
        return std::unexpected(err(QStringLiteral("the start line is empty"), 1));
    for (qsizetype i = 0; i < sl.size(); ++i)
        if ((static_cast<unsigned char>(sl[i]) < 32 && sl[i] != '\t') || sl[i] == 127)
            return std::unexpected(err(QStringLiteral("the start line contains a control character"), 1, int(i + 1)));

    if (sl.size() >= 4 && equalsNoCase(sl.first(4), "SIP/")) {
        // Status-Line = SIP-Version SP Status-Code SP Reason-Phrase
        const qsizetype sp1 = sl.indexOf(' ');
        if (sp1 < 0)
            return std::unexpected(err(QStringLiteral("the status line has no status code"), 1));
        if (!isSipVersion(sl.first(sp1)))
            return std::unexpected(err(
                QStringLiteral("unsupported SIP version \"%1\" in the status line (only SIP/2.0 is supported)").arg(QString::fromLatin1(sl.first(sp1))), 1, 1));
        qsizetype sp2 = sl.indexOf(' ', sp1 + 1);
        const QByteArrayView code = sl.sliced(sp1 + 1, (sp2 < 0 ? sl.size() : sp2) - sp1 - 1);
        if (!parseStatusCode(code, m.m_statusCode))
            return std::unexpected(
                err(QStringLiteral("the status code \"%1\" is not a three-digit number between 100 and 699").arg(QString::fromLatin1(clip(code, 20))), 1,
                    int(sp1 + 2)));
        if (sp2 >= 0) {
            m.m_reasonOff = std::uint32_t(sp2 + 1);
            m.m_reasonLen = std::uint32_t(sl.size() - sp2 - 1);
        }
    } else {
        // Request-Line = Method SP Request-URI SP SIP-Version
        qsizetype i = 0;
        while (i < sl.size() && tokenChar(sl[i]))
            ++i;
        if (i == 0)
            return std::unexpected(err(QStringLiteral("the Request-Line does not start with a method name"), 1, 1));
        if (i >= sl.size() || sl[i] != ' ')
            return std::unexpected(
                err(QStringLiteral("the method name contains the character '%1', which is not allowed in a token").arg(QChar(sl.size() > i ? sl[i] : ' ')), 1,
                    int(i + 1)));
        m.m_methodLen = std::uint32_t(i);
        const qsizetype uriStart = i + 1;
        const qsizetype sp2 = sl.indexOf(' ', uriStart);
        if (sp2 < 0)
            return std::unexpected(err(QStringLiteral("the Request-Line has no SIP version after the Request-URI"), 1));
        if (sp2 == uriStart)
            return std::unexpected(
                err(QStringLiteral("the Request-Line has more than one space between the method and the Request-URI"), 1, int(uriStart + 1)));
        m.m_uriOff = std::uint32_t(uriStart);
        m.m_uriLen = std::uint32_t(sp2 - uriStart);
        const QByteArrayView version = sl.sliced(sp2 + 1);
        if (version.contains(' ') || version.contains('\t')) {
            if (trimmed(version).size() == 7 && isSipVersion(trimmed(version)) && version.startsWith(' '))
                return std::unexpected(err(QStringLiteral("the Request-Line has more than one space before the SIP version"), 1, int(sp2 + 1)));
            if (isSipVersion(trimmed(version)))
                return std::unexpected(err(QStringLiteral("the Request-Line has trailing whitespace after the SIP version"), 1, int(sp2 + 8)));
            return std::unexpected(
                err(QStringLiteral("the Request-URI contains whitespace (the request line must be 'METHOD SP Request-URI SP SIP/2.0')"), 1, int(uriStart + 1)));
        }
        if (!isSipVersion(version))
            return std::unexpected(err(
                QStringLiteral("unsupported SIP version \"%1\" in the request line (only SIP/2.0 is supported)").arg(QString::fromLatin1(clip(version, 20))), 1,
                int(sp2 + 2)));
    }

    // Header fields.
    qsizetype pos = start.next;
    int lineNo = 1;
    bool sawBlank = false;
    qsizetype bodyStart = size;
    while (pos < size) {
        const Line ln = lineAt(d, size, pos);
        ++lineNo;
        if (ln.end == ln.begin) { // empty line: end of headers
            sawBlank = true;
            bodyStart = ln.next;
            break;
        }
        if (ln.next == size && d[size - 1] != '\n' && framing == Framing::Datagram) {
            // A last line without its line ending: accepted as a header line below.
        }
        const char first = d[ln.begin];
        if (first == ' ' || first == '\t') {
            // RFC 3261 7.3.1: a line starting with whitespace continues the previous header.
            if (m.m_headers.isEmpty())
                return std::unexpected(err(QStringLiteral("the first header line starts with whitespace; there is no header to continue"), lineNo, 1));
            HeaderField &h = m.m_headers.back();
            qsizetype e = ln.end;
            while (e > ln.begin && (d[e - 1] == ' ' || d[e - 1] == '\t'))
                --e;
            qsizetype b = ln.begin;
            while (b < e && (d[b] == ' ' || d[b] == '\t'))
                ++b;
            if (b == e) {
                pos = ln.next;
                continue;
            }
            if (!h.unfolded) {
                const QByteArrayView prev(d + h.valueOffset, h.valueLength);
                const qsizetype off = m.m_unfolded.size();
                m.m_unfolded.append(prev.data(), prev.size());
                h.unfolded = true;
                h.valueOffset = std::uint32_t(off);
            }
            if (h.valueLength > 0)
                m.m_unfolded.append(' ');
            m.m_unfolded.append(d + b, e - b);
            h.valueLength = std::uint32_t(m.m_unfolded.size() - h.valueOffset);
            pos = ln.next;
            continue;
        }
        qsizetype i = ln.begin;
        while (i < ln.end && tokenChar(d[i]))
            ++i;
        const qsizetype nameEnd = i;
        while (i < ln.end && (d[i] == ' ' || d[i] == '\t'))
            ++i;
        if (nameEnd == ln.begin || i >= ln.end || d[i] != ':') {
            const QByteArrayView text(d + ln.begin, std::min<qsizetype>(ln.end - ln.begin, 40));
            if (nameEnd == ln.begin)
                return std::unexpected(err(QStringLiteral("header line \"%1\" does not start with a header name").arg(QString::fromLatin1(text)), lineNo, 1));
            return std::unexpected(
                err(QStringLiteral("header line \"%1\" has no ':' after the header name, or the name contains '%2'")
                        .arg(QString::fromLatin1(text), QString(QChar(i < ln.end ? d[i] : ' '))), // one call: a '%1' in the peer's text stays text
                    lineNo, int(i - ln.begin + 1), QByteArray(d + ln.begin, nameEnd - ln.begin)));
        }
        ++i;
        while (i < ln.end && (d[i] == ' ' || d[i] == '\t'))
            ++i;
        qsizetype e = ln.end;
        while (e > i && (d[e - 1] == ' ' || d[e - 1] == '\t'))
            --e;
        if (m.m_headers.size() >= kMaxHeaders)
            return std::unexpected(err(QStringLiteral("the message has more than %1 header fields").arg(kMaxHeaders), lineNo));
        HeaderField h;
        h.nameOffset = std::uint32_t(ln.begin);
        h.nameLength = std::uint32_t(nameEnd - ln.begin);
        h.id = headerIdFromName(QByteArrayView(d + ln.begin, nameEnd - ln.begin));
        h.valueOffset = std::uint32_t(i);
        h.valueLength = std::uint32_t(e - i);
        h.line = std::uint32_t(lineNo);
        m.m_headers.append(h);
        pos = ln.next;
    }
    if (!sawBlank) {
        if (framing == Framing::Stream)
            return std::unexpected(err(QStringLiteral("the header section does not end with an empty line"), lineNo));
        bodyStart = size; // a datagram without the final CRLF: tolerated, no body
    }

    // Content-Length framing (RFC 3261 18.3, 20.14).
    const HeaderField *cl = nullptr;
    for (const HeaderField &h : m.m_headers) {
        if (h.id != HeaderId::ContentLength)
            continue;
        if (cl && m.value(*cl) != m.value(h))
            return std::unexpected(
                err(QStringLiteral("the message has more than one Content-Length header, with different values"), int(h.line), 0, "Content-Length"));
        cl = &h;
    }
    const qsizetype available = size - bodyStart;
    if (cl) {
        const QByteArrayView v = m.value(*cl);
        qint64 n = 0;
        if (v.isEmpty())
            return std::unexpected(err(QStringLiteral("Content-Length is empty"), int(cl->line), 0, "Content-Length"));
        for (char c : v) {
            if (c < '0' || c > '9')
                return std::unexpected(err(QStringLiteral("Content-Length \"%1\" is not a non-negative decimal number").arg(QString::fromLatin1(clip(v, 30))),
                    int(cl->line), 0, "Content-Length"));
            n = n * 10 + (c - '0');
            if (n > 0x7fffffff)
                return std::unexpected(
                    err(QStringLiteral("Content-Length %1 is too large").arg(QString::fromLatin1(clip(v, 30))), int(cl->line), 0, "Content-Length"));
        }
        if (n > available)
            return std::unexpected(err(QStringLiteral("Content-Length says %1 bytes but only %2 bytes of body were received").arg(n).arg(available),
                int(cl->line), 0, "Content-Length"));
        m.m_contentLength = n;
        m.m_bodyOff = std::uint32_t(bodyStart);
        m.m_bodyLen = std::uint32_t(n); // RFC 3261 18.3: bytes past Content-Length are discarded
    } else {
        if (framing == Framing::Stream)
            return std::unexpected(err(QStringLiteral("Content-Length is missing; it is mandatory over TCP and TLS"), 0, 0, "Content-Length"));
        m.m_bodyOff = std::uint32_t(bodyStart);
        m.m_bodyLen = std::uint32_t(available);
    }
    return m;
}

} // namespace ds::sip
