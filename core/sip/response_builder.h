#pragma once
// makeResponse: a response to a request, copying what RFC 3261 8.2.6.2 says it must
// (Via in order, From, To with a tag added, Call-ID, CSeq).

#include "message.h"

#include <QByteArray>

namespace ds::sip {

// extraHeaders: complete header lines, each ending with CRLF. body may be empty.
QByteArray makeResponse(const Message &request, int code, QByteArrayView reason, QByteArrayView toTag, QByteArrayView extraHeaders = {},
    QByteArrayView contentType = {}, QByteArrayView body = {});

} // namespace ds::sip
