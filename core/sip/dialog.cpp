#include "dialog.h"

#include "header_values.h"

#include <algorithm>

namespace ds::sip {

namespace {

Error fail(QString what, QByteArray header = {}) { return Error {std::move(what), 0, 0, std::move(header)}; }

std::expected<NameAddr, Error> nameAddrOf(const Message &m, HeaderId id, const char *name)
{
    const QByteArrayView v = m.header(id);
    if (v.isEmpty())
        return std::unexpected(fail(QStringLiteral("the %1 header is missing").arg(QLatin1StringView(name)), name));
    return parseNameAddr(v);
}

QList<QByteArray> recordRoutes(const Message &m)
{
    QList<QByteArray> out;
    for (QByteArrayView v : m.values(HeaderId::RecordRoute))
        out.append(v.toByteArray());
    return out;
}

QByteArray nameAddrText(const QByteArray &display, const Uri &uri)
{
    QByteArray s;
    if (!display.isEmpty())
        s += quoted(display) + ' ';
    return s + '<' + uri.toString() + '>';
}

} // namespace

bool Dialog::isTargetRefresh(QByteArrayView method)
{
    // RFC 3261 12.2 (re-INVITE), RFC 3311 (UPDATE), RFC 6665 4.1.2.1/4.2.2 (SUBSCRIBE, NOTIFY), RFC 3515 (REFER).
    return method == "INVITE" || method == "UPDATE" || method == "SUBSCRIBE" || method == "NOTIFY" || method == "REFER";
}

std::expected<void, Error> Dialog::takeUacRouteAndTarget(const Message &response)
{
    // RFC 3261 12.1.2: route set = Record-Route of the response, reversed; remote target = its Contact.
    m_routeSet = recordRoutes(response);
    std::reverse(m_routeSet.begin(), m_routeSet.end());
    auto contact = nameAddrOf(response, HeaderId::Contact, "Contact");
    if (!contact)
        return std::unexpected(contact.error());
    m_remoteTarget = contact->uri;
    return {};
}

std::expected<Dialog, Error> Dialog::createUac(const Message &request, const Message &response)
{
    const int code = response.statusCode();
    if (!request.isRequest() || code < 101 || code > 299)
        return std::unexpected(fail(QStringLiteral("only a 101-299 response to a request creates a dialog")));
    auto from = nameAddrOf(request, HeaderId::From, "From");
    auto to = nameAddrOf(response, HeaderId::To, "To");
    if (!from)
        return std::unexpected(from.error());
    if (!to)
        return std::unexpected(to.error());
    if (to->tag().isEmpty())
        return std::unexpected(fail(QStringLiteral("the response has no To tag, so it creates no dialog"), "To"));
    if (request.callId().isEmpty())
        return std::unexpected(fail(QStringLiteral("the Call-ID header is missing"), "Call-ID"));
    auto requestUri = Uri::parse(request.requestUri());
    if (!requestUri)
        return std::unexpected(requestUri.error());

    Dialog d;
    d.m_uac = true;
    d.m_state = code < 200 ? State::Early : State::Confirmed;
    // RFC 3261 12.1.2: secure when the request was sent over TLS to a SIPS Request-URI.
    d.m_secure = requestUri->scheme == Uri::Scheme::Sips;
    d.m_callId = request.callId().toByteArray();
    d.m_localTag = from->tag().toByteArray();
    d.m_remoteTag = to->tag().toByteArray();
    d.m_localUri = from->uri;
    d.m_localDisplay = from->displayName;
    d.m_remoteUri = to->uri;
    d.m_remoteDisplay = to->displayName;
    d.m_localCseq = request.cseqNumber(); // remote CSeq stays empty (12.1.2)
    d.m_localContact = request.header(HeaderId::Contact).toByteArray();
    if (auto r = d.takeUacRouteAndTarget(response); !r)
        return std::unexpected(r.error());
    return d;
}

std::expected<Dialog, Error> Dialog::createUas(const Message &request, QByteArrayView localTag, QByteArrayView localContact, bool confirmed)
{
    Q_ASSERT(!localTag.isEmpty());
    if (!request.isRequest())
        return std::unexpected(fail(QStringLiteral("only a request creates a UAS dialog")));
    auto from = nameAddrOf(request, HeaderId::From, "From");
    auto to = nameAddrOf(request, HeaderId::To, "To");
    auto contact = nameAddrOf(request, HeaderId::Contact, "Contact");
    if (!from)
        return std::unexpected(from.error());
    if (!to)
        return std::unexpected(to.error());
    if (!contact)
        return std::unexpected(contact.error());
    if (request.callId().isEmpty())
        return std::unexpected(fail(QStringLiteral("the Call-ID header is missing"), "Call-ID"));
    if (request.cseqNumber() == 0)
        return std::unexpected(fail(QStringLiteral("the CSeq header is missing or malformed"), "CSeq"));
    auto requestUri = Uri::parse(request.requestUri());
    if (!requestUri)
        return std::unexpected(requestUri.error());

    Dialog d;
    d.m_uac = false;
    d.m_state = confirmed ? State::Confirmed : State::Early;
    d.m_secure = requestUri->scheme == Uri::Scheme::Sips;
    d.m_callId = request.callId().toByteArray();
    d.m_localTag = localTag.toByteArray();
    d.m_remoteTag = from->tag().toByteArray(); // may be empty for an RFC 2543 peer (12.1.1)
    d.m_localUri = to->uri;
    d.m_localDisplay = to->displayName;
    d.m_remoteUri = from->uri;
    d.m_remoteDisplay = from->displayName;
    d.m_routeSet = recordRoutes(request); // RFC 3261 12.1.1: in order
    d.m_remoteTarget = contact->uri;
    d.m_remoteCseq = request.cseqNumber(); // local CSeq stays empty
    d.m_localContact = localContact.toByteArray();
    return d;
}

// Tags: RFC 3261 7.3.1 makes parameter values case-insensitive "unless otherwise stated", but
// 19.3 defines a tag only as an opaque, globally unique random token that the UA generating it
// alone interprets; like Call-ID (20.8, byte-by-byte) it is matched exactly here (TODO: confirm
// against the RFC text). An upper-cased tag is therefore a different dialog.
bool Dialog::matches(QByteArrayView callId, QByteArrayView localTag, QByteArrayView remoteTag) const
{
    return callId == m_callId && localTag == m_localTag && remoteTag == m_remoteTag;
}

bool Dialog::matchesRequest(const Message &request) const
{
    auto from = parseNameAddr(request.header(HeaderId::From));
    auto to = parseNameAddr(request.header(HeaderId::To));
    return from && to && matches(request.callId(), to->tag(), from->tag());
}

bool Dialog::matchesResponse(const Message &response) const
{
    auto from = parseNameAddr(response.header(HeaderId::From));
    auto to = parseNameAddr(response.header(HeaderId::To));
    return from && to && matches(response.callId(), from->tag(), to->tag());
}

QByteArray Dialog::buildRequest(QByteArrayView method, std::uint32_t cseq, QByteArrayView viaSentBy, QByteArrayView branch, QByteArrayView extraHeaders,
    QByteArrayView body, QByteArrayView contentType) const
{
    // RFC 3261 12.2.1.1: Request-URI and Route from the route set and remote target.
    QByteArray requestUri;
    QList<QByteArray> routes = m_routeSet;
    const std::expected<NameAddr, Error> first = routes.isEmpty() ? std::unexpected(Error {}) : parseNameAddr(routes.first());
    if (routes.isEmpty() || !first || first->uri.hasParam("lr")) {
        requestUri = m_remoteTarget.toString(); // loose routing (or no route set)
    } else {
        // Strict routing: the first route becomes the Request-URI (parameters a Request-URI may
        // not carry stripped: here, the URI headers), the remote target is appended as last Route.
        Uri target = first->uri;
        target.headers.clear();
        requestUri = target.toString();
        routes.removeFirst();
        routes.append('<' + m_remoteTarget.toString() + '>');
    }
    QByteArray r;
    r.reserve(512 + body.size());
    r += method.toByteArray() + ' ' + requestUri + " SIP/2.0\r\n";
    r += "Via: " + viaSentBy.toByteArray() + ";branch=" + branch.toByteArray() + "\r\n";
    r += "Max-Forwards: 70\r\n";
    for (const QByteArray &route : routes)
        r += "Route: " + route + "\r\n";
    r += "From: " + nameAddrText(m_localDisplay, m_localUri) + ";tag=" + m_localTag + "\r\n";
    r += "To: " + nameAddrText(m_remoteDisplay, m_remoteUri);
    if (!m_remoteTag.isEmpty())
        r += ";tag=" + m_remoteTag;
    r += "\r\n";
    r += "Call-ID: " + m_callId + "\r\n";
    r += "CSeq: " + QByteArray::number(cseq) + ' ' + method.toByteArray() + "\r\n";
    if (isTargetRefresh(method) && !m_localContact.isEmpty())
        r += "Contact: " + m_localContact + "\r\n";
    r += extraHeaders.toByteArray();
    if (!contentType.isEmpty())
        r += "Content-Type: " + contentType.toByteArray() + "\r\n";
    r += "Content-Length: " + QByteArray::number(body.size()) + "\r\n\r\n";
    r += body.toByteArray();
    return r;
}

QByteArray Dialog::makeRequest(
    QByteArrayView method, QByteArrayView viaSentBy, QByteArrayView branch, QByteArrayView extraHeaders, QByteArrayView body, QByteArrayView contentType)
{
    Q_ASSERT(method != "ACK" && method != "CANCEL"); // ACK: makeAck; CANCEL copies the INVITE (9.1)
    // RFC 3261 12.2.1.1: the local CSeq increases by one per request; an empty one starts anywhere
    // below 2^31 (8.1.1.5) — 1 here.
    m_localCseq = m_localCseq == 0 ? 1 : m_localCseq + 1;
    return buildRequest(method, m_localCseq, viaSentBy, branch, extraHeaders, body, contentType);
}

QByteArray Dialog::makeAck(std::uint32_t inviteCseq, QByteArrayView viaSentBy, QByteArrayView branch, QByteArrayView extraHeaders, QByteArrayView body,
    QByteArrayView contentType) const
{
    return buildRequest("ACK", inviteCseq, viaSentBy, branch, extraHeaders, body, contentType);
}

std::expected<void, DialogRejection> Dialog::receiveRequest(const Message &request)
{
    const std::uint32_t cseq = request.cseqNumber();
    const QByteArrayView method = request.method();
    if (method != "ACK" && method != "CANCEL") {
        // RFC 3261 12.2.2: a CSeq lower than the remote one is out of order: 500. An empty remote
        // CSeq takes the request's.
        if (m_remoteCseq != 0 && cseq < m_remoteCseq)
            return std::unexpected(DialogRejection {
                500, "Server Internal Error", QStringLiteral("CSeq %1 is lower than the last one received in this dialog (%2)").arg(cseq).arg(m_remoteCseq)});
        m_remoteCseq = cseq;
    }
    // RFC 3261 12.2.2: a target refresh replaces the remote target with its Contact.
    if (isTargetRefresh(method)) {
        if (auto contact = parseNameAddr(request.header(HeaderId::Contact)); contact && !request.header(HeaderId::Contact).isEmpty())
            m_remoteTarget = contact->uri;
    }
    if (method == "BYE")
        terminate(); // 15.1.2: the dialog ends once BYE is received (the 200 is sent by the UAS core)
    return {};
}

void Dialog::receiveResponse(const Message &response)
{
    const int code = response.statusCode();
    const QByteArrayView method = response.cseqMethod();
    // RFC 3261 12.2.1.2: 481 or 408 to an in-dialog request ends the dialog.
    if (code == 481 || code == 408) {
        terminate();
        return;
    }
    if (code < 200 || code >= 300)
        return;
    if (method == "INVITE" && m_state == State::Early && m_uac && response.cseqNumber() == m_localCseq) {
        // RFC 3261 13.2.2.4: a 2xx after 1xx recomputes the route set from the 2xx.
        m_routeSet = recordRoutes(response);
        std::reverse(m_routeSet.begin(), m_routeSet.end());
    }
    if (method == "INVITE")
        confirm();
    if (isTargetRefresh(method) && !response.header(HeaderId::Contact).isEmpty())
        if (auto contact = parseNameAddr(response.header(HeaderId::Contact)))
            m_remoteTarget = contact->uri;
}

} // namespace ds::sip
