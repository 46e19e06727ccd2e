#pragma once
// Header names: the canonical identity of a header field, its compact form (RFC 3261 7.3.3)
// and its long name.

#include <QByteArrayView>
#include <cstdint>

namespace ds::sip {

enum class HeaderId : std::uint8_t {
    Other,
    Accept,
    AcceptEncoding,
    AcceptLanguage,
    AlertInfo,
    Allow,
    AllowEvents,
    AuthenticationInfo,
    Authorization,
    CallId,
    CallInfo,
    Contact,
    ContentDisposition,
    ContentEncoding,
    ContentLanguage,
    ContentLength,
    ContentType,
    CSeq,
    Date,
    ErrorInfo,
    Event,
    Expires,
    From,
    InReplyTo,
    MaxForwards,
    MimeVersion,
    MinExpires,
    Organization,
    Path,
    Priority,
    ProxyAuthenticate,
    ProxyAuthorization,
    ProxyRequire,
    RecordRoute,
    ReferTo,
    ReferredBy,
    ReplyTo,
    Require,
    RetryAfter,
    Route,
    Server,
    SessionExpires,
    Subject,
    Supported,
    Timestamp,
    To,
    Unsupported,
    UserAgent,
    Via,
    Warning,
    WwwAuthenticate,
    Count
};

// Identifies a header by its name, long or compact, case-insensitively. Unknown names give Other.
HeaderId headerIdFromName(QByteArrayView name) noexcept;

// The long canonical spelling ("Call-ID"), or an empty view for Other.
QByteArrayView headerLongName(HeaderId id) noexcept;

// Headers whose value may be a comma-separated list of several values (RFC 3261 7.3.1).
bool headerIsList(HeaderId id) noexcept;

} // namespace ds::sip
