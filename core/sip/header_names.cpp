#include "header_names.h"

#include <array>

namespace ds::sip {

namespace {

struct NameEntry {
    QByteArrayView name;
    HeaderId id;
};

// Long names, then the compact forms of RFC 3261 7.3.3 and the extensions that define one.
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

constexpr char lower(char c) noexcept { return (c >= 'A' && c <= 'Z') ? char(c + 32) : c; }

bool equalsNoCase(QByteArrayView a, QByteArrayView b) noexcept
{
    if (a.size() != b.size())
        return false;
    for (qsizetype i = 0; i < a.size(); ++i)
        if (lower(a[i]) != lower(b[i]))
            return false;
    return true;
}

// Buckets by lower-cased first letter, so a lookup compares against two or three names.
struct Index {
    std::array<std::array<std::uint8_t, 12>, 26> buckets{};
    std::array<std::uint8_t, 26> counts{};
    constexpr Index()
    {
        for (std::uint8_t i = 0; i < std::size(kNames); ++i) {
            const int b = lower(kNames[i].name[0]) - 'a';
            buckets[b][counts[b]++] = i;
        }
    }
};
constexpr Index kIndex;

} // namespace

HeaderId headerIdFromName(QByteArrayView name) noexcept
{
    if (name.isEmpty())
        return HeaderId::Other;
    const char c = lower(name[0]);
    if (c < 'a' || c > 'z')
        return HeaderId::Other;
    const int b = c - 'a';
    for (int i = 0; i < kIndex.counts[b]; ++i) {
        const NameEntry &e = kNames[kIndex.buckets[b][i]];
        if (equalsNoCase(e.name, name))
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
