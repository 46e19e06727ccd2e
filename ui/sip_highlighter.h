#pragma once
// SipHighlighter: colours one SIP message shown as text — the start line, header names and
// values, parameters (tag, branch, digest fields), SDP lines in the body, bytes shown escaped
// and the hits of a search. It reads the text only; it never parses SIP for meaning.

#include <QList>
#include <QSyntaxHighlighter>
#include <QTextCharFormat>

#include <array>
#include <utility>

namespace ds::ui {

class SipHighlighter final : public QSyntaxHighlighter {
    Q_OBJECT
public:
    enum class Role {
        StartLine, // the SIP version and the reason phrase
        Method, // a request's method
        Status, // a response's status code (coloured by class at display time)
        HeaderName,
        HeaderValue,
        ParamName, // ;transport= ;lr ... and digest fields
        KeyParam, // the parameters that identify things: tag, branch, received, rport
        ParamValue,
        SdpType, // "m=", "a=", ...
        SdpAttribute, // the name of an a= attribute, the media of an m= line
        Escaped, // bytes that are not text, shown as \xNN
        SearchHit,
        Malformed, // a header line without a name and colon
        Count
    };

    explicit SipHighlighter(QTextDocument *document);

    // Case-insensitive; empty clears. Rehighlights when it changes.
    void setSearchText(const QString &text);
    const QString &searchText() const { return m_search; }
    // Document ranges (position, length) that show escaped bytes; set before the text.
    void setEscapes(QList<std::pair<int, int>> ranges);

    QTextCharFormat formatFor(Role role) const { return m_formats[size_t(role)]; }
    // The colour of a status code of the given class (1..6).
    QTextCharFormat statusFormat(int statusClass) const;

protected:
    void highlightBlock(const QString &text) override;

private:
    enum State { Headers = 1, AuthHeaders, BodyStart, SdpBody, OtherBody }; // block states: where a line lies in the message
    void highlightStartLine(const QString &text);
    void highlightHeader(const QString &text);
    void highlightValue(const QString &text, qsizetype from, bool authentication);
    void highlightParam(const QString &text, qsizetype at);
    void highlightSdp(const QString &text);
    void overlay(qsizetype start, qsizetype length, const QTextCharFormat &f);

    std::array<QTextCharFormat, size_t(Role::Count)> m_formats;
    std::array<QTextCharFormat, 7> m_status; // by class, 0 unused
    QString m_search;
    QList<std::pair<int, int>> m_escapes; // sorted by position
};

} // namespace ds::ui
