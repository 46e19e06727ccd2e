#include "sip_highlighter.h"

#include <QGuiApplication>
#include <QPalette>
#include <QRegularExpression>
#include <QTextDocument>

#include <algorithm>

namespace ds::ui {

namespace {

bool isAuthenticationHeader(QStringView name)
{
    for (const char *h : {"Authorization", "Proxy-Authorization", "WWW-Authenticate", "Proxy-Authenticate", "Authentication-Info"})
        if (name.compare(QLatin1String(h), Qt::CaseInsensitive) == 0)
            return true;
    return false;
}

bool isKeyParam(QStringView name)
{
    for (const char *p : {"tag", "branch", "received", "rport", "maddr"})
        if (name.compare(QLatin1String(p), Qt::CaseInsensitive) == 0)
            return true;
    return false;
}

bool endsParamName(QChar c) { return c == QLatin1Char('=') || c == QLatin1Char(';') || c == QLatin1Char(',') || c == QLatin1Char('>') || c.isSpace(); }
bool endsParamValue(QChar c) { return c == QLatin1Char(';') || c == QLatin1Char(',') || c == QLatin1Char('>') || c == QLatin1Char('?') || c.isSpace(); }

QTextCharFormat foreground(const QColor &c, bool bold = false)
{
    QTextCharFormat f;
    f.setForeground(c);
    if (bold)
        f.setFontWeight(QFont::Bold);
    return f;
}

} // namespace

SipHighlighter::SipHighlighter(QTextDocument *document)
    : QSyntaxHighlighter(document)
{
    // Two palettes: the default one and one readable on a dark window.
    const bool dark = QGuiApplication::palette().color(QPalette::Base).lightness() < 128;
    const auto pick = [dark](QRgb light, QRgb darkColor) { return QColor::fromRgb(dark ? darkColor : light); };
    auto f = [this](Role r) -> QTextCharFormat & { return m_formats[size_t(r)]; };
    f(Role::StartLine) = foreground(pick(0x202020, 0xe8e8e8), true);
    f(Role::Method) = foreground(pick(0x0b5394, 0x79b8ff), true);
    f(Role::Status) = foreground(pick(0x0b5394, 0x79b8ff), true);
    f(Role::HeaderName) = foreground(pick(0x1a4f9c, 0x8ab4f8), true);
    f(Role::HeaderValue) = foreground(pick(0x202020, 0xdcdcdc));
    f(Role::ParamName) = foreground(pick(0x00796b, 0x4dd0c0));
    f(Role::KeyParam) = foreground(pick(0x00796b, 0x4dd0c0), true);
    f(Role::ParamValue) = foreground(pick(0x7b1fa2, 0xd7a6ff));
    f(Role::SdpType) = foreground(pick(0xa0522d, 0xf0a070), true);
    f(Role::SdpAttribute) = foreground(pick(0x6d4c41, 0xe0c090), true);
    f(Role::Escaped) = foreground(pick(0xb00020, 0xff8080));
    f(Role::Escaped).setBackground(pick(0xfde0e0, 0x502020));
    f(Role::SearchHit).setBackground(pick(0xffe066, 0x8a6d00));
    f(Role::Malformed) = foreground(pick(0xb00020, 0xff8080));
    f(Role::Malformed).setUnderlineStyle(QTextCharFormat::WaveUnderline);
    f(Role::Malformed).setUnderlineColor(pick(0xb00020, 0xff8080));
    m_status[1] = foreground(pick(0x5f6b7a, 0xa8b4c4), true);
    m_status[2] = foreground(pick(0x1b7a1b, 0x7ee07e), true);
    m_status[3] = foreground(pick(0xb06000, 0xffb060), true);
    for (int c = 4; c <= 6; ++c)
        m_status[size_t(c)] = foreground(pick(0xb00020, 0xff7070), true);
}

QTextCharFormat SipHighlighter::statusFormat(int statusClass) const
{
    return statusClass >= 1 && statusClass <= 6 ? m_status[size_t(statusClass)] : formatFor(Role::Status);
}

void SipHighlighter::setSearchText(const QString &text)
{
    if (text == m_search)
        return;
    m_search = text;
    rehighlight();
}

void SipHighlighter::setEscapes(QList<std::pair<int, int>> ranges)
{
    std::sort(ranges.begin(), ranges.end());
    m_escapes = std::move(ranges);
}

void SipHighlighter::highlightBlock(const QString &text)
{
    const int prev = previousBlockState();
    if (currentBlock().blockNumber() == 0) {
        highlightStartLine(text);
        setCurrentBlockState(Headers);
    } else if (prev == Headers || prev == AuthHeaders) {
        if (text.isEmpty()) {
            setCurrentBlockState(BodyStart);
        } else if (text.front().isSpace()) { // a folded value continues (RFC 3261 7.3.1)
            setFormat(0, int(text.size()), formatFor(Role::HeaderValue));
            highlightValue(text, 0, prev == AuthHeaders);
            setCurrentBlockState(prev);
        } else {
            highlightHeader(text);
        }
    } else {
        State kind = State(prev);
        if (prev == BodyStart || prev < 0)
            kind = QRegularExpression(QStringLiteral("^[a-z]=")).match(text).hasMatch() ? SdpBody : OtherBody;
        if (kind == SdpBody)
            highlightSdp(text);
        setCurrentBlockState(kind);
    }

    // On top of the syntax: escaped bytes, then the search hits.
    const int blockStart = currentBlock().position();
    const int blockEnd = blockStart + int(text.size());
    auto it = std::lower_bound(
        m_escapes.cbegin(), m_escapes.cend(), std::pair<int, int>(blockStart, 0), [](const auto &a, const auto &b) { return a.first + a.second <= b.first; });
    for (; it != m_escapes.cend() && it->first < blockEnd; ++it) {
        const int from = std::max(it->first, blockStart), to = std::min(it->first + it->second, blockEnd);
        if (to > from)
            overlay(from - blockStart, to - from, formatFor(Role::Escaped));
    }
    if (!m_search.isEmpty()) {
        for (qsizetype at = text.indexOf(m_search, 0, Qt::CaseInsensitive); at >= 0; at = text.indexOf(m_search, at + m_search.size(), Qt::CaseInsensitive))
            overlay(at, m_search.size(), formatFor(Role::SearchHit));
    }
}

void SipHighlighter::highlightStartLine(const QString &text)
{
    setFormat(0, int(text.size()), formatFor(Role::StartLine));
    const qsizetype sp1 = text.indexOf(QLatin1Char(' '));
    if (sp1 < 0)
        return;
    if (text.startsWith(QLatin1String("SIP/"))) { // Status-Line: SIP-Version SP Status-Code SP Reason-Phrase
        const QStringView code = QStringView(text).sliced(sp1 + 1).first(std::min<qsizetype>(3, text.size() - sp1 - 1));
        const int cls = code.isEmpty() ? 0 : code.front().digitValue();
        setFormat(int(sp1 + 1), int(code.size()), statusFormat(cls));
        return;
    }
    // Request-Line: Method SP Request-URI SP SIP-Version
    setFormat(0, int(sp1), formatFor(Role::Method));
    const qsizetype sp2 = text.indexOf(QLatin1Char(' '), sp1 + 1);
    const qsizetype uriEnd = sp2 < 0 ? text.size() : sp2;
    setFormat(int(sp1 + 1), int(uriEnd - sp1 - 1), formatFor(Role::HeaderValue));
    highlightValue(text.first(uriEnd), sp1 + 1, false);
}

void SipHighlighter::highlightHeader(const QString &text)
{
    const qsizetype colon = text.indexOf(QLatin1Char(':'));
    bool named = colon > 0;
    for (qsizetype i = 0; named && i < colon; ++i)
        named = !text[i].isSpace() || QStringView(text).sliced(i, colon - i).trimmed().isEmpty();
    if (!named) {
        setFormat(0, int(text.size()), formatFor(Role::Malformed));
        setCurrentBlockState(Headers);
        return;
    }
    const bool auth = isAuthenticationHeader(QStringView(text).first(colon).trimmed());
    setFormat(0, int(colon), formatFor(Role::HeaderName));
    setFormat(int(colon + 1), int(text.size() - colon - 1), formatFor(Role::HeaderValue));
    highlightValue(text, colon + 1, auth);
    setCurrentBlockState(auth ? AuthHeaders : Headers);
}

void SipHighlighter::highlightValue(const QString &text, qsizetype from, bool authentication)
{
    if (authentication) {
        // Challenges and credentials are comma-separated name=value pairs after the scheme
        // (RFC 3261 25.1, RFC 7616 3.3 and 3.4).
        static const QRegularExpression pair(QStringLiteral("([A-Za-z0-9_-]+)\\s*=\\s*(\"(?:[^\"\\\\]|\\\\.)*\"?|[^,\\s]*)"));
        for (auto it = pair.globalMatch(text, from); it.hasNext();) {
            const auto m = it.next();
            setFormat(int(m.capturedStart(1)), int(m.capturedLength(1)), formatFor(Role::ParamName));
            setFormat(int(m.capturedStart(2)), int(m.capturedLength(2)), formatFor(Role::ParamValue));
        }
        return;
    }
    bool quoted = false;
    for (qsizetype i = from; i < text.size(); ++i) {
        const QChar c = text[i];
        if (quoted) {
            if (c == QLatin1Char('\\'))
                ++i;
            else if (c == QLatin1Char('"'))
                quoted = false;
            continue;
        }
        if (c == QLatin1Char('"'))
            quoted = true;
        else if (c == QLatin1Char(';'))
            highlightParam(text, i + 1);
    }
}

void SipHighlighter::highlightParam(const QString &text, qsizetype at)
{
    while (at < text.size() && text[at].isSpace())
        ++at;
    qsizetype end = at;
    while (end < text.size() && !endsParamName(text[end]))
        ++end;
    if (end == at)
        return;
    const QStringView name = QStringView(text).sliced(at, end - at);
    setFormat(int(at), int(end - at), formatFor(isKeyParam(name) ? Role::KeyParam : Role::ParamName));
    if (end >= text.size() || text[end] != QLatin1Char('='))
        return;
    qsizetype v = end + 1, vend = v;
    if (vend < text.size() && text[vend] == QLatin1Char('"')) {
        for (++vend; vend < text.size() && text[vend] != QLatin1Char('"'); ++vend)
            if (text[vend] == QLatin1Char('\\'))
                ++vend;
        vend = std::min(vend + 1, text.size());
    } else {
        while (vend < text.size() && !endsParamValue(text[vend]))
            ++vend;
    }
    setFormat(int(v), int(vend - v), formatFor(Role::ParamValue));
}

void SipHighlighter::highlightSdp(const QString &text)
{
    // RFC 4566 5: <type>=<value>
    if (text.size() < 2 || text[1] != QLatin1Char('='))
        return;
    setFormat(0, 2, formatFor(Role::SdpType));
    const QChar type = text[0];
    if (type == QLatin1Char('a')) {
        qsizetype end = text.indexOf(QLatin1Char(':'), 2);
        if (end < 0)
            end = text.size();
        setFormat(2, int(end - 2), formatFor(Role::SdpAttribute));
    } else if (type == QLatin1Char('m')) {
        qsizetype end = text.indexOf(QLatin1Char(' '), 2);
        if (end < 0)
            end = text.size();
        setFormat(2, int(end - 2), formatFor(Role::SdpAttribute));
    }
}

void SipHighlighter::overlay(qsizetype start, qsizetype length, const QTextCharFormat &f)
{
    for (qsizetype i = start; i < start + length; ++i) {
        QTextCharFormat merged = format(int(i));
        merged.merge(f);
        setFormat(int(i), 1, merged);
    }
}

} // namespace ds::ui
