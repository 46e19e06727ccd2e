#pragma once
// DialUri: a link a desktop hands us (sip:, sips:, tel:, callto:) made into a target for
// CallCenter::dial, with what it left out — a link never adds headers to our INVITE.

#include <QString>
#include <QStringList>

#include <expected>

namespace ds::phone {

struct DialUri {
    static constexpr qsizetype kMaxLength = 2048; // characters of a link; longer ones are refused

    QString target; // for CallCenter::dial: "sip:alice@example.com:5070;transport=tcp", "tel:+15550100", "+15550100"
    QString scheme; // the link's scheme, lower case: "sip", "sips", "tel" or "callto"
    // RFC 3261 19.1.1: headers (?Route=...&Subject=...) are not allowed in a Request-URI and a link
    // must not choose what our INVITE carries: their names, as written, left out of the target.
    QStringList droppedHeaders {};
    bool droppedPassword = false; // user:password@ (RFC 3261 19.1.1: NOT RECOMMENDED), never sent
    bool droppedMethod = false; // ;method= (RFC 3261 19.1.1 Table 1: not allowed in a Request-URI)

    bool droppedAnything() const { return !droppedHeaders.isEmpty() || droppedPassword || droppedMethod; }
    // One sentence for the user about what was left out; empty when nothing was.
    QString droppedText() const;
};

// Whether ARG is a link dialscope calls: it starts with sip:, sips:, tel: or callto: (any case).
// How app/main.cpp tells `dialscope sip:alice@example.com` from a subcommand.
bool isDialUri(const QString &arg);

// Parses a link into a dial target. Accepts what desktops and web pages hand over: surrounding
// whitespace, quotes or <>, a "//" after the scheme (sip://, callto://, as MicroSIP and Skype
// links do), percent-escapes, RFC 3966 visual separators in numbers (and spaces). An error names
// what was wrong.
std::expected<DialUri, QString> parseDialUri(const QString &text);

} // namespace ds::phone
