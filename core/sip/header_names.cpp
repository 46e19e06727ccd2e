#include "header_names.h"

#include <array>

namespace ds::sip {

namespace {

struct NameEntry {
    QByteArrayView name;
    HeaderId id;
};

// Long names, then the compact forms of RFC 3261 7.3.3 and the extensions that define one.
// clang-format off
constexpr NameEntry kNames[] = {
    {"Accept", HeaderId::Accept},
    {"Accept-Encoding", HeaderId::AcceptEncoding},
    {"Accept-Language", HeaderId::AcceptLanguage},
    {"Alert-Info", HeaderId::AlertInfo},
    {"Allow", HeaderId::Allow},
    {"Allow-Events", HeaderId::AllowEvents},
    {"Authentication-Info", HeaderId::AuthenticationInfo},
    {"Authorization", HeaderId::Authorization},
    {"Call-ID", HeaderId::CallId},
    {"Call-Info", HeaderId::CallInfo},
    {"Contact", HeaderId::Contact},
    {"Content-Disposition", HeaderId::ContentDisposition},
    {"Content-Encoding", HeaderId::ContentEncoding},
    {"Content-Language", HeaderId::ContentLanguage},
    {"Content-Length", HeaderId::ContentLength},
    {"Content-Type", HeaderId::ContentType},
    {"CSeq", HeaderId::CSeq},
    {"Date", HeaderId::Date},
    {"Error-Info", HeaderId::ErrorInfo},
    {"Event", HeaderId::Event},
    {"Expires", HeaderId::Expires},
    {"From", HeaderId::From},
    {"In-Reply-To", HeaderId::InReplyTo},
    {"Max-Forwards", HeaderId::MaxForwards},
    {"MIME-Version", HeaderId::MimeVersion},
    {"Min-Expires", HeaderId::MinExpires},
    {"Organization", HeaderId::Organization},
    {"Path", HeaderId::Path},
    {"Priority", HeaderId::Priority},
    {"Proxy-Authenticate", HeaderId::ProxyAuthenticate},
    {"Proxy-Authorization", HeaderId::ProxyAuthorization},
    {"Proxy-Require", HeaderId::ProxyRequire},
    {"Record-Route", HeaderId::RecordRoute},
    {"Refer-To", HeaderId::ReferTo},
    {"Referred-By", HeaderId::ReferredBy},
    {"Reply-To", HeaderId::ReplyTo},
    {"Require", HeaderId::Require},
    {"Retry-After", HeaderId::RetryAfter},
    {"Route", HeaderId::Route},
    {"Server", HeaderId::Server},
    {"Session-Expires", HeaderId::SessionExpires},
    {"Subject", HeaderId::Subject},
    {"Supported", HeaderId::Supported},
    {"Timestamp", HeaderId::Timestamp},
    {"To", HeaderId::To},
    {"Unsupported", HeaderId::Unsupported},
    {"User-Agent", HeaderId::UserAgent},
    {"Via", HeaderId::Via},
    {"Warning", HeaderId::Warning},
    {"WWW-Authenticate", HeaderId::WwwAuthenticate},
    // compact forms
    {"b", HeaderId::ReferredBy},
    {"c", HeaderId::ContentType},
    {"e", HeaderId::ContentEncoding},
    {"f", HeaderId::From},
    {"i", HeaderId::CallId},
    {"k", HeaderId::Supported},
    {"l", HeaderId::ContentLength},
    {"m", HeaderId::Contact},
    {"o", HeaderId::Event},
    {"r", HeaderId::ReferTo},
    {"s", HeaderId::Subject},
    {"t", HeaderId::To},
    {"u", HeaderId::AllowEvents},
    {"v", HeaderId::Via},
    {"x", HeaderId::SessionExpires},
};
// clang-format on

constexpr char lower(char c) noexcept { return (c >= 'A' && c <= 'Z') ? char(c + 32) : c; }

// `name` equals the known name ignoring ASCII case. Most senders use the canonical spelling, so
// equal bytes are the fast path; a byte may otherwise differ only by case (0x20) of a letter.
inline bool sameName(QByteArrayView known, QByteArrayView name) noexcept
{
    for (qsizetype i = 0; i < name.size(); ++i) {
        const unsigned char k = static_cast<unsigned char>(known[i]), c = static_cast<unsigned char>(name[i]);
        if (k != c && ((k ^ c) != 0x20 || unsigned((k | 0x20) - 'a') > 25u))
            return false;
    }
    return true;
}

// Slots keyed by lower-cased first letter and length: a look-up compares with at most two names.
constexpr qsizetype kMaxNameLength = 19; // "Authentication-Info", "Content-Disposition", "Proxy-Authorization"
constexpr int slotOf(char first, qsizetype length) { return (lower(first) - 'a') * (kMaxNameLength + 1) + int(length); }

struct Index {
    std::array<std::array<std::uint8_t, 2>, 26 * (kMaxNameLength + 1)> byKey {}; // kNames index + 1; 0 = empty
    constexpr Index()
    {
        for (std::uint8_t i = 0; i < std::size(kNames); ++i) {
            auto &s = byKey[slotOf(kNames[i].name[0], kNames[i].name.size())];
            if (s[1] != 0 || kNames[i].name.size() > kMaxNameLength)
                throw "header_names.cpp: more than two names share a first letter and a length";
            s[s[0] ? 1 : 0] = std::uint8_t(i + 1);
        }
    }
};
constexpr Index kIndex;

} // namespace

HeaderId headerIdFromName(QByteArrayView name) noexcept
{
    if (name.isEmpty() || name.size() > kMaxNameLength)
        return HeaderId::Other;
    const char c = lower(name[0]);
    if (c < 'a' || c > 'z')
        return HeaderId::Other;
    for (const std::uint8_t i : kIndex.byKey[slotOf(c, name.size())]) {
        if (i == 0)
            break;
        const NameEntry &e = kNames[i - 1];
        if (sameName(e.name, name))
            return e.id;
    }
    return HeaderId::Other;
}

QByteArrayView headerLongName(HeaderId id) noexcept
{
    for (const NameEntry &e : kNames)
        if (e.id == id)
            return e.name;
    return {};
}

bool headerIsList(HeaderId id) noexcept
{
    switch (id) {
    case HeaderId::Accept:
    case HeaderId::AcceptEncoding:
    case HeaderId::AcceptLanguage:
    case HeaderId::AlertInfo:
    case HeaderId::Allow:
    case HeaderId::AllowEvents:
    case HeaderId::CallInfo:
    case HeaderId::Contact:
    case HeaderId::ContentEncoding:
    case HeaderId::ContentLanguage:
    case HeaderId::ErrorInfo:
    case HeaderId::InReplyTo:
    case HeaderId::Path:
    case HeaderId::ProxyRequire:
    case HeaderId::RecordRoute:
    case HeaderId::Require:
    case HeaderId::Route:
    case HeaderId::Supported:
    case HeaderId::Unsupported:
    case HeaderId::Via:
    case HeaderId::Warning:
        return true;
    default:
        return false;
    }
}

} // namespace ds::sip
