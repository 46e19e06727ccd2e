#include "response_builder.h"

namespace ds::sip {

QByteArray makeResponse(
    const Message &request, int code, QByteArrayView reason, QByteArrayView toTag, QByteArrayView extraHeaders, QByteArrayView contentType, QByteArrayView body)
{
    QByteArray r;
    r.reserve(512 + body.size());
    r += "SIP/2.0 " + QByteArray::number(code) + ' ' + reason.toByteArray() + "\r\n";
    for (const HeaderField &h : request.headers())
        if (h.id == HeaderId::Via)
            r += "Via: " + request.value(h).toByteArray() + "\r\n";
    r += "From: " + request.header(HeaderId::From).toByteArray() + "\r\n";
    QByteArray to = request.header(HeaderId::To).toByteArray();
    // RFC 3261 8.2.6.2: add a To tag unless the request had one (or this is a 100 Trying).
    if (code > 100 && !toTag.isEmpty() && !to.contains(";tag=") && !to.contains(";TAG="))
        to += ";tag=" + toTag.toByteArray();
    r += "To: " + to + "\r\n";
    r += "Call-ID: " + request.callId().toByteArray() + "\r\n";
    r += "CSeq: " + request.header(HeaderId::CSeq).toByteArray() + "\r\n";
    r += extraHeaders.toByteArray();
    if (!contentType.isEmpty())
        r += "Content-Type: " + contentType.toByteArray() + "\r\n";
    r += "Content-Length: " + QByteArray::number(body.size()) + "\r\n\r\n";
    r += body.toByteArray();
    return r;
}

} // namespace ds::sip
