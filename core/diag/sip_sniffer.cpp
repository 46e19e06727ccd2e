#include "sip_sniffer.h"

#include <array>

namespace ds::diag {

namespace {

// RFC 3261 25.1: token = 1*(alphanum / "-" / "." / "!" / "%" / "*" / "_" / "+" / "`" / "'" / "~")
constexpr std::array<bool, 256> kTokenChars = [] {
    std::array<bool, 256> t {};
    for (int c = '0'; c <= '9'; ++c)
        t[c] = true;
    for (int c = 'a'; c <= 'z'; ++c)
        t[c] = true;
    for (int c = 'A'; c <= 'Z'; ++c)
        t[c] = true;
    for (char c : {'-', '.', '!', '%', '*', '_', '+', '`', '\'', '~'})
        t[static_cast<unsigned char>(c)] = true;
    return t;
}();

constexpr qsizetype kMaxMethod = 32;
constexpr qsizetype kMaxUri = 4096;

bool isDigit(char c) { return c >= '0' && c <= '9'; }

// RFC 3261 7.1: the version is compared case-insensitively.
bool isSipVersion(QByteArrayView b, qsizetype at)
{
    if (b.size() - at < 7)
        return false;
    const char *p = b.data() + at;
    return (p[0] | 0x20) == 's' && (p[1] | 0x20) == 'i' && (p[2] | 0x20) == 'p' && p[3] == '/' && p[4] == '2' && p[5] == '.' && p[6] == '0';
}

} // namespace

bool startsWithSipStartLine(QByteArrayView b)
{
    const qsizetype n = b.size();
    if (n < 12)
        return false;
    const char *p = b.data();
    if (isSipVersion(b, 0) && p[7] == ' ') // RFC 3261 7.2: Status-Line
        return isDigit(p[8]) && isDigit(p[9]) && isDigit(p[10]) && (p[11] == ' ' || p[11] == '\r' || p[11] == '\n');
    // RFC 3261 7.1: Request-Line = Method SP Request-URI SP SIP-Version CRLF
    qsizetype i = 0;
    while (i < n && i <= kMaxMethod && kTokenChars[static_cast<unsigned char>(p[i])])
        ++i;
    if (i == 0 || i > kMaxMethod || i >= n || p[i] != ' ')
        return false;
    const qsizetype uriStart = ++i;
    const qsizetype uriLimit = std::min(n, uriStart + kMaxUri);
    for (; i < uriLimit; ++i) { // RFC 3261 25.1: a Request-URI holds no SP, CTL or DEL
        const unsigned char c = static_cast<unsigned char>(p[i]);
        if (c <= 0x20 || c == 0x7f)
            break;
    }
    if (i == uriStart || i >= uriLimit || p[i] != ' ')
        return false;
    ++i;
    if (!isSipVersion(b, i))
        return false;
    i += 7;
    return (i < n && p[i] == '\n') || (i + 1 < n && p[i] == '\r' && p[i + 1] == '\n');
}

qsizetype findSipStartLine(QByteArrayView b, qsizetype from)
{
    from = std::max(qsizetype(0), from);
    qsizetype lineStart = 0; // the start of the line holding offset scanned
    qsizetype scanned = 0;
    qsizetype checkedLine = -1; // the line start already found not to be a request line
    for (qsizetype k = b.indexOf(QByteArrayView("SIP/2.0"), from); k >= 0; k = b.indexOf(QByteArrayView("SIP/2.0"), k + 1)) {
        if ((k == 0 || b[k - 1] == '\n') && startsWithSipStartLine(b.sliced(k)))
            return k;
        const qsizetype after = k + 7;
        if (after >= b.size() || (b[after] != '\r' && b[after] != '\n'))
            continue;
        // Perhaps the end of a request line: check the line it ends. One forward pass finds the
        // line starts, so many candidates on one long line cost no more than the line.
        for (; scanned < k; ++scanned)
            if (b[scanned] == '\n')
                lineStart = scanned + 1;
        if (lineStart >= from && lineStart != checkedLine && k - lineStart <= kMaxUri + kMaxMethod + 2) {
            if (startsWithSipStartLine(b.sliced(lineStart)))
                return lineStart;
            checkedLine = lineStart;
        }
    }
    return -1;
}

bool isSipKeepAlive(QByteArrayView b)
{
    if (b.isEmpty())
        return false;
    for (char c : b)
        if (c != '\r' && c != '\n')
            return false;
    return true;
}

bool isStun(QByteArrayView b)
{
    if (b.size() < 20)
        return false;
    const auto *p = reinterpret_cast<const unsigned char *>(b.data());
    const quint32 cookie = quint32(p[4]) << 24 | quint32(p[5]) << 16 | quint32(p[6]) << 8 | p[7];
    const qsizetype length = qsizetype(p[2]) << 8 | p[3];
    return (p[0] & 0xc0) == 0 && cookie == 0x2112A442 && length % 4 == 0 && length + 20 == b.size();
}

} // namespace ds::diag
