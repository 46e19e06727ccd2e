#include "linter.h"

#include "sip/header_values.h"
#include "sip/parser.h"

#include <QRegularExpression>

namespace ds::diag {

using sip::HeaderId;

bool LintReport::valid() const
{
    for (const LintProblem &p : problems)
        if (p.severity == LintProblem::Severity::Error)
            return false;
    return true;
}

namespace {

class Checker {
public:
    Checker(const sip::Message &m, LintReport &r)
        : m(m)
        , r(r)
    {
    }

    void error(int line, QString header, QString text) { r.problems.append({LintProblem::Severity::Error, line, std::move(header), std::move(text)}); }
    void warning(int line, QString header, QString text) { r.problems.append({LintProblem::Severity::Warning, line, std::move(header), std::move(text)}); }

    int lineOf(HeaderId id) const
    {
        const sip::HeaderField *h = m.find(id);
        return h ? int(h->line) : 0;
    }

    void run()
    {
        startLine();
        mandatory();
        singles();
        cseq();
        vias();
        addresses();
        numbers();
        date();
        body();
    }

    void startLine()
    {
        if (!m.isRequest())
            return;
        const QByteArrayView ruri = m.requestUri();
        auto uri = sip::Uri::parse(ruri);
        if (!uri) {
            error(1, {}, QStringLiteral("the Request-URI \"%1\" is malformed: %2").arg(QString::fromUtf8(sip::clip(ruri, 80)), uri.error().what));
            return;
        }
        // RFC 3261 19.1.5: headers (?...) are not allowed in a Request-URI.
        if ((uri->scheme == sip::Uri::Scheme::Sip || uri->scheme == sip::Uri::Scheme::Sips) && !uri->headers.isEmpty())
            error(1, {},
                QStringLiteral("the Request-URI carries URI headers (\"?%1=...\"), which RFC 3261 19.1.5 forbids in a Request-URI")
                    .arg(QString::fromUtf8(uri->headers.first().first)));
    }

    void mandatory()
    {
        // RFC 3261 8.1.1: To, From, CSeq, Call-ID, Max-Forwards and Via in every request;
        // responses carry all but Max-Forwards (8.2.6.2).
        const HeaderId required[] = {HeaderId::To, HeaderId::From, HeaderId::CSeq, HeaderId::CallId, HeaderId::Via};
        for (HeaderId id : required)
            if (!m.hasHeader(id))
                error(0, QString::fromLatin1(sip::headerLongName(id)),
                    QStringLiteral("the mandatory %1 header is missing").arg(QString::fromLatin1(sip::headerLongName(id))));
        if (m.isRequest() && !m.hasHeader(HeaderId::MaxForwards))
            warning(0, QStringLiteral("Max-Forwards"),
                QStringLiteral("the Max-Forwards header is missing (RFC 3261 8.1.1.6 requires it; RFC 2543 elements omit it)"));
    }

    void singles()
    {
        const HeaderId single[] = {HeaderId::To, HeaderId::From, HeaderId::CSeq, HeaderId::CallId, HeaderId::MaxForwards, HeaderId::ContentType,
            HeaderId::Expires, HeaderId::MinExpires, HeaderId::Date};
        for (HeaderId id : single) {
            const int n = m.headerCount(id);
            if (n > 1)
                error(lineOf(id), QString::fromLatin1(sip::headerLongName(id)),
                    QStringLiteral("the %1 header appears %2 times; it may appear only once").arg(QString::fromLatin1(sip::headerLongName(id))).arg(n));
        }
    }

    void cseq()
    {
        const QByteArrayView v = m.header(HeaderId::CSeq);
        if (v.isEmpty())
            return;
        auto c = sip::parseCSeq(v);
        if (!c) {
            error(lineOf(HeaderId::CSeq), QStringLiteral("CSeq"),
                QStringLiteral("the CSeq header \"%1\" is malformed: %2").arg(QString::fromUtf8(sip::clip(v, 60)), c.error().what));
            return;
        }
        if (c->number > 0x7fffffffU)
            error(lineOf(HeaderId::CSeq), QStringLiteral("CSeq"), QStringLiteral("the CSeq number %1 is not below 2^31 (RFC 3261 8.1.1.5)").arg(c->number));
        if (m.isRequest() && c->method != m.method().toByteArray() && !(m.method() == "ACK" && c->method == "ACK"))
            error(lineOf(HeaderId::CSeq), QStringLiteral("CSeq"),
                QStringLiteral("the CSeq method \"%1\" does not match the request method \"%2\" (RFC 3261 8.1.1.5)")
                    .arg(QString::fromLatin1(c->method), QString::fromLatin1(m.method())));
    }

    void vias()
    {
        int index = 0;
        for (const sip::HeaderField &h : m.headers()) {
            if (h.id != HeaderId::Via)
                continue;
            // Empty elements between commas are not allowed (RFC 3261 7.3.1).
            const QByteArrayView raw = sip::trimmed(m.value(h));
            if (raw.isEmpty() || raw.startsWith(',') || raw.endsWith(',') || raw.contains(",,")
                || QByteArray(raw.data(), raw.size()).simplified().contains(", ,"))
                error(int(h.line), QStringLiteral("Via"), QStringLiteral("the Via header has an empty value between commas"));
            QList<QByteArrayView> items;
            sip::splitList(m.value(h), items);
            for (QByteArrayView item : items) {
                auto via = sip::parseVia(item);
                if (!via) {
                    error(int(h.line), QStringLiteral("Via"),
                        QStringLiteral("malformed Via \"%1\": %2").arg(QString::fromUtf8(sip::clip(item, 60)), via.error().what));
                    continue;
                }
                if (index == 0 && m.isRequest() && !via->branch().startsWith("z9hG4bK"))
                    warning(int(h.line), QStringLiteral("Via"),
                        via->branch().isEmpty() ? QStringLiteral("the top Via has no branch parameter: transactions are matched the RFC 2543 way")
                                                : QStringLiteral("the top Via branch does not start with the magic cookie z9hG4bK (RFC 3261 8.1.1.7)"));
                ++index;
            }
        }
    }

    void nameAddr(HeaderId id)
    {
        for (const sip::HeaderField &h : m.headers()) {
            if (h.id != id)
                continue;
            QList<QByteArrayView> items;
            if (sip::headerIsList(id))
                sip::splitList(m.value(h), items);
            else
                items.append(m.value(h));
            const QString name = QString::fromLatin1(sip::headerLongName(id));
            for (QByteArrayView item : items) {
                auto na = sip::parseNameAddr(item);
                if (!na) {
                    error(int(h.line), name,
                        QStringLiteral("the %1 header \"%2\" is malformed: %3").arg(name, QString::fromUtf8(sip::clip(item, 60)), na.error().what));
                    continue;
                }
                if (na->wildcard && (id != HeaderId::Contact || m.method() != "REGISTER"))
                    error(int(h.line), name, QStringLiteral("the %1 header is \"*\", which only a REGISTER's Contact may be").arg(name));
                // RFC 3261 20.10: an addr-spec with ';' , '?' or ',' in its URI needs <>.
                if (!item.contains('<') && !na->wildcard && na->uri.scheme != sip::Uri::Scheme::Other && !na->uri.headers.isEmpty())
                    error(int(h.line), name, QStringLiteral("the %1 URI has headers but is not enclosed in <>").arg(name));
            }
        }
    }

    void addresses()
    {
        for (HeaderId id : {HeaderId::To, HeaderId::From, HeaderId::Contact, HeaderId::Route, HeaderId::RecordRoute, HeaderId::ReplyTo})
            nameAddr(id);
        // A Contact value with a ';' right after the URI and without <> is ambiguous (20.10):
        // the parameters become header parameters, and URI headers make it invalid.
    }

    void number(HeaderId id, quint64 max, const QString &rule)
    {
        const QByteArrayView v = sip::trimmed(m.header(id));
        if (!m.hasHeader(id))
            return;
        const QString name = QString::fromLatin1(sip::headerLongName(id));
        quint64 n = 0;
        bool digits = !v.isEmpty();
        for (char c : v) {
            if (c < '0' || c > '9') {
                digits = false;
                break;
            }
            n = n * 10 + quint64(c - '0');
            if (n > max) {
                error(lineOf(id), name, QStringLiteral("the %1 value %2 is too large (%3)").arg(name, QString::fromLatin1(sip::clip(v, 30)), rule));
                return;
            }
        }
        if (!digits)
            error(lineOf(id), name, QStringLiteral("the %1 value \"%2\" is not a number").arg(name, QString::fromLatin1(sip::clip(v, 30))));
    }

    void numbers()
    {
        number(HeaderId::MaxForwards, 255, QStringLiteral("at most 255"));
        number(HeaderId::Expires, 0xffffffffULL, QStringLiteral("at most 2^32-1 seconds"));
        number(HeaderId::MinExpires, 0xffffffffULL, QStringLiteral("at most 2^32-1 seconds"));
    }

    void date()
    {
        if (!m.hasHeader(HeaderId::Date))
            return;
        // RFC 3261 20.17: rfc1123-date, always in GMT.
        static const QRegularExpression re(
            QStringLiteral("^(Mon|Tue|Wed|Thu|Fri|Sat|Sun), \\d{2} (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) \\d{4} \\d{2}:\\d{2}:\\d{2} GMT$"));
        const QString v = QString::fromUtf8(sip::trimmed(m.header(HeaderId::Date)));
        if (!re.match(v).hasMatch())
            error(lineOf(HeaderId::Date), QStringLiteral("Date"),
                QStringLiteral("the Date \"%1\" is not an RFC 1123 date in GMT (like \"Sat, 13 Nov 2010 23:29:00 GMT\")").arg(v.left(60)));
    }

    void body()
    {
        if (!m.body().isEmpty() && !m.hasHeader(HeaderId::ContentType))
            error(0, QStringLiteral("Content-Type"), QStringLiteral("the message has a %1-byte body but no Content-Type").arg(m.body().size()));
        const qint64 extra = qint64(m.raw().size()) - qint64(m.body().data() - m.raw().constData()) - m.body().size();
        if (m.contentLength() >= 0 && extra > 0)
            warning(0, QStringLiteral("Content-Length"),
                QStringLiteral("%1 bytes follow the body that Content-Length announces; they are ignored (RFC 3261 18.3)").arg(extra));
    }

private:
    const sip::Message &m;
    LintReport &r;
};

} // namespace

LintReport lintMessage(const QByteArray &bytes)
{
    LintReport r;
    auto m = sip::Parser::parse(bytes, sip::Framing::Datagram);
    if (!m) {
        r.summary = QStringLiteral("not a SIP message");
        r.problems.append({LintProblem::Severity::Error, m.error().line, QString::fromLatin1(m.error().header), m.error().what});
        return r;
    }
    r.summary = m->isRequest() ? QStringLiteral("%1 request").arg(QString::fromLatin1(m->method()))
                               : QStringLiteral("%1 %2 response").arg(m->statusCode()).arg(QString::fromUtf8(m->reasonPhrase()));
    Checker(*m, r).run();
    return r;
}

} // namespace ds::diag
