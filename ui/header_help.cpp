#include "header_help.h"

#include "sip/header_names.h"

#include <QHash>

namespace ds::ui {

namespace {

struct Entry {
    const char *name;
    const char *reference;
    const char *meaning;
};

#define DS_MEANING(text) QT_TRANSLATE_NOOP("ds::ui::HeaderHelp", text)

// clang-format off
constexpr Entry kEntries[] = {
    // RFC 3261 20: the headers of sip::HeaderId.
    {"Accept", "RFC 3261 20.1", DS_MEANING("The body types the sender accepts in responses, such as application/sdp.")},
    {"Accept-Encoding", "RFC 3261 20.2", DS_MEANING("The content codings (compression) the sender accepts in bodies.")},
    {"Accept-Language", "RFC 3261 20.3", DS_MEANING("The languages the sender prefers for reason phrases, session descriptions and status bodies.")},
    {"Alert-Info", "RFC 3261 20.4", DS_MEANING("An alternative ring tone or ringback for the callee's phone, as a URI or a PBX-specific hint.")},
    {"Allow", "RFC 3261 20.5", DS_MEANING("The methods the sender's user agent supports, such as INVITE, BYE, INFO, UPDATE.")},
    {"Allow-Events", "RFC 6665 8.2.2", DS_MEANING("The event packages the sender accepts SUBSCRIBE requests for.")},
    {"Authentication-Info", "RFC 3261 20.6", DS_MEANING("Sent by the server after a successful digest authentication: a next nonce or mutual authentication data.")},
    {"Authorization", "RFC 3261 20.7", DS_MEANING("The digest credentials of a user agent for a registrar or user agent server, answering a 401 challenge.")},
    {"Call-ID", "RFC 3261 20.8", DS_MEANING("Uniquely identifies this call or registration; every message of the same dialog carries the same value.")},
    {"Call-Info", "RFC 3261 20.9", DS_MEANING("Additional information about the caller or callee: an icon, a card or a web page.")},
    {"Contact", "RFC 3261 20.10", DS_MEANING("Where the sender can be reached directly for later requests; in a REGISTER, the address bound to the AOR.")},
    {"Content-Disposition", "RFC 3261 20.11", DS_MEANING("How the body should be handled: as a session description, a ring tone, an icon, an alert.")},
    {"Content-Encoding", "RFC 3261 20.12", DS_MEANING("The coding (compression) applied to the body, such as gzip.")},
    {"Content-Language", "RFC 3261 20.13", DS_MEANING("The language of the body.")},
    {"Content-Length", "RFC 3261 20.14", DS_MEANING("The size of the body in bytes; mandatory over TCP and TLS, where it delimits messages.")},
    {"Content-Type", "RFC 3261 20.15", DS_MEANING("The media type of the body, such as application/sdp.")},
    {"CSeq", "RFC 3261 20.16", DS_MEANING("A sequence number and the method: it orders requests within a dialog and matches responses to requests.")},
    {"Date", "RFC 3261 20.17", DS_MEANING("The date and time the message was sent, in GMT.")},
    {"Error-Info", "RFC 3261 20.18", DS_MEANING("A pointer to more information about the error of this response, such as an announcement to play.")},
    {"Event", "RFC 6665 8.2.1", DS_MEANING("The event package a SUBSCRIBE or NOTIFY is about: presence, dialog, message-summary, refer...")},
    {"Expires", "RFC 3261 20.19", DS_MEANING("How long, in seconds, the message or its content is valid: a registration's lifetime, an INVITE's ringing limit.")},
    {"From", "RFC 3261 20.20", DS_MEANING("The logical initiator of the request (the caller), with the tag that identifies its side of the dialog.")},
    {"In-Reply-To", "RFC 3261 20.21", DS_MEANING("The Call-IDs this call refers to or returns, such as a call back.")},
    {"Max-Forwards", "RFC 3261 20.22", DS_MEANING("How many more hops the request may take; each proxy decrements it, at zero the request is refused with 483.")},
    {"MIME-Version", "RFC 3261 20.24", DS_MEANING("The MIME version of the body.")},
    {"Min-Expires", "RFC 3261 20.23", DS_MEANING("In a 423 response: the shortest expiration the registrar accepts; retry with at least this Expires.")},
    {"Organization", "RFC 3261 20.25", DS_MEANING("The organization the sender belongs to.")},
    {"Path", "RFC 3327 4", DS_MEANING("The proxies a REGISTER went through, which requests to the registered contact must traverse back.")},
    {"Priority", "RFC 3261 20.26", DS_MEANING("The urgency of the request as the caller sees it: non-urgent, normal, urgent, emergency.")},
    {"Proxy-Authenticate", "RFC 3261 20.27", DS_MEANING("A digest challenge from a proxy in a 407 response: realm, nonce, algorithm and qop to compute the credentials.")},
    {"Proxy-Authorization", "RFC 3261 20.28", DS_MEANING("The digest credentials of a user agent for a proxy, answering a 407 challenge.")},
    {"Proxy-Require", "RFC 3261 20.29", DS_MEANING("Extensions the proxies must support to handle this request.")},
    {"Record-Route", "RFC 3261 20.30", DS_MEANING("Proxies that want to stay in the path of later requests of this dialog.")},
    {"Refer-To", "RFC 3515 2.1", DS_MEANING("In a REFER: the URI the recipient is asked to contact, the transfer target.")},
    {"Referred-By", "RFC 3892 3", DS_MEANING("Who asked for this request through a REFER: the transferor.")},
    {"Reply-To", "RFC 3261 20.31", DS_MEANING("A logical return URI that may differ from the From URI.")},
    {"Require", "RFC 3261 20.32", DS_MEANING("Extensions the receiving user agent must support to process the request, such as 100rel or timer.")},
    {"Retry-After", "RFC 3261 20.33", DS_MEANING("How many seconds to wait before retrying the request or the service.")},
    {"Route", "RFC 3261 20.34", DS_MEANING("The proxies the request must pass through, taken from Record-Route or an outbound proxy setting.")},
    {"Server", "RFC 3261 20.35", DS_MEANING("The software of the user agent server that sent the response.")},
    {"Session-Expires", "RFC 4028 4", DS_MEANING("The session interval: the session ends unless refreshed by re-INVITE or UPDATE within it; refresher says who refreshes.")},
    {"Subject", "RFC 3261 20.36", DS_MEANING("A summary or the nature of the call.")},
    {"Supported", "RFC 3261 20.37", DS_MEANING("Extensions the sender supports, such as 100rel, timer, replaces, path.")},
    {"Timestamp", "RFC 3261 20.38", DS_MEANING("When the request was sent, echoed in the response to measure the round-trip time.")},
    {"To", "RFC 3261 20.39", DS_MEANING("The logical recipient of the request (the callee); the callee adds its tag in responses.")},
    {"Unsupported", "RFC 3261 20.40", DS_MEANING("In a 420 response: the required extensions the server does not support.")},
    {"User-Agent", "RFC 3261 20.41", DS_MEANING("The software of the user agent client that sent the request.")},
    {"Via", "RFC 3261 20.42", DS_MEANING("The path the request took so far and where responses must go back; the branch identifies the transaction.")},
    {"Warning", "RFC 3261 20.43", DS_MEANING("Additional information about the status of a response, such as an incompatible media format (305).")},
    {"WWW-Authenticate", "RFC 3261 20.44", DS_MEANING("A digest challenge from a registrar or user agent in a 401 response: realm, nonce, algorithm and qop.")},
    // Common extensions.
    {"P-Asserted-Identity", "RFC 3325 9.1", DS_MEANING("The identity of the caller as asserted by a trusted proxy inside a trust domain.")},
    {"P-Preferred-Identity", "RFC 3325 9.2", DS_MEANING("The identity the user agent would like the trusted proxy to assert.")},
    {"Privacy", "RFC 3323 4.2", DS_MEANING("The privacy the user asks for: id hides the asserted identity, header and session hide more, none asks for none.")},
    {"Min-SE", "RFC 4028 5", DS_MEANING("The shortest session interval the sender accepts; a 422 response carries the minimum the server wants.")},
    {"RSeq", "RFC 3262 7.1", DS_MEANING("The sequence number of a reliable provisional response, acknowledged by PRACK.")},
    {"RAck", "RFC 3262 7.2", DS_MEANING("In a PRACK: the RSeq and CSeq of the reliable provisional response it acknowledges.")},
    {"Replaces", "RFC 3891 6.1", DS_MEANING("This INVITE replaces an existing dialog, named by its Call-ID and tags (attended transfer, call pickup).")},
    {"Reason", "RFC 3326 2", DS_MEANING("Why the request was sent, as a SIP or Q.850 cause, for example on a CANCEL or BYE.")},
    {"Diversion", "RFC 5806", DS_MEANING("The redirection history of the call: who diverted it and why (call forwarding); superseded by History-Info.")},
    {"History-Info", "RFC 7044 4", DS_MEANING("The targets the request was retargeted through, in order, with the reasons.")},
    {"Subscription-State", "RFC 6665 8.2.3", DS_MEANING("In a NOTIFY: whether the subscription is active, pending or terminated, and for how long.")},
    {"SIP-ETag", "RFC 3903 11.3.1", DS_MEANING("The entity tag a server assigned to published event state.")},
    {"SIP-If-Match", "RFC 3903 11.3.2", DS_MEANING("In a PUBLISH: the entity tag of the event state being refreshed, modified or removed.")},
    {"Service-Route", "RFC 3608", DS_MEANING("Returned by the registrar: the proxies to put as Route in requests sent with this registration.")},
    {"P-Associated-URI", "RFC 7315 4.1", DS_MEANING("The other public identities associated with the registered address.")},
    {"P-Called-Party-ID", "RFC 7315 4.2", DS_MEANING("The address the caller originally dialled, as received by the proxy of the callee.")},
    {"P-Access-Network-Info", "RFC 7315 4.4", DS_MEANING("The access network the user agent uses, such as the radio cell or DSL line.")},
    {"P-Charging-Vector", "RFC 7315 4.6", DS_MEANING("Charging correlation identifiers shared by the network elements of a session.")},
    {"P-Early-Media", "RFC 5009", DS_MEANING("Whether early media from the callee's side is authorized, and in which direction.")},
    {"Remote-Party-ID", "draft-ietf-sip-privacy-04", DS_MEANING("A pre-standard identity of the caller or callee, superseded by P-Asserted-Identity.")},
    {"Identity", "RFC 8224 4", DS_MEANING("A signature over the caller's identity (STIR/SHAKEN) that the callee's network can verify.")},
    {"Accept-Contact", "RFC 3841", DS_MEANING("Caller preferences: the features the contacted device should have.")},
    {"Reject-Contact", "RFC 3841", DS_MEANING("Caller preferences: the devices that must not be contacted.")},
    {"Request-Disposition", "RFC 3841", DS_MEANING("Caller preferences: whether proxies should fork, recurse or queue the request.")},
    {"Join", "RFC 3911", DS_MEANING("This INVITE joins an existing dialog into a conference, named by Call-ID and tags.")},
    {"Target-Dialog", "RFC 4538", DS_MEANING("The dialog this request is related to, which authorizes it (for example a REFER from the other party).")},
    {"Recv-Info", "RFC 6086", DS_MEANING("The Info Packages the sender is willing to receive in INFO requests.")},
    {"Info-Package", "RFC 6086", DS_MEANING("The Info Package of this INFO request, such as dtmf.")},
    {"Max-Breadth", "RFC 5393", DS_MEANING("How many parallel forks proxies may still create for this request.")},
    {"Security-Client", "RFC 3329", DS_MEANING("Security mechanisms the client supports (TLS, IPsec, digest), for mechanism agreement.")},
    {"Security-Server", "RFC 3329", DS_MEANING("Security mechanisms the server supports, for mechanism agreement.")},
    {"Security-Verify", "RFC 3329", DS_MEANING("The server's mechanisms echoed back by the client, to detect downgrade attacks.")},
    {"Geolocation", "RFC 6442", DS_MEANING("Where the caller is, by value in the body or by reference, for emergency calls and location services.")},
    {"Feature-Caps", "RFC 6809", DS_MEANING("Features a proxy or B2BUA in the path supports.")},
    {"Flow-Timer", "RFC 5626", DS_MEANING("How often, in seconds, the client should send keep-alives on its outbound flow.")},
    {"Refer-Sub", "RFC 4488", DS_MEANING("Whether a REFER creates an implicit subscription with NOTIFY progress reports.")},
};
// clang-format on

#undef DS_MEANING

// Compact forms without a sip::HeaderId (RFC 3841, RFC 8224).
constexpr std::pair<char, const char *> kCompactExtensions[]
    = {{'a', "Accept-Contact"}, {'j', "Reject-Contact"}, {'d', "Request-Disposition"}, {'y', "Identity"}};

const QHash<QByteArray, int> &index()
{
    static const QHash<QByteArray, int> byName = [] {
        QHash<QByteArray, int> h;
        for (int i = 0; i < int(std::size(kEntries)); ++i)
            h.insert(QByteArray(kEntries[i].name).toLower(), i);
        return h;
    }();
    return byName;
}

} // namespace

std::optional<HeaderMeaning> HeaderHelp::lookup(QByteArrayView name)
{
    QByteArray key = name.trimmed().toByteArray().toLower();
    if (key.isEmpty())
        return std::nullopt;
    if (key.size() == 1) {
        // Compact forms (RFC 3261 7.3.3) name the long header.
        if (const sip::HeaderId id = sip::headerIdFromName(key); id != sip::HeaderId::Other)
            key = sip::headerLongName(id).toByteArray().toLower();
        for (const auto &[letter, longName] : kCompactExtensions)
            if (key.size() == 1 && key[0] == letter)
                key = QByteArray(longName).toLower();
    }
    if (const auto it = index().constFind(key); it != index().cend()) {
        const Entry &e = kEntries[*it];
        return HeaderMeaning {QString::fromLatin1(e.name), tr(e.meaning), QString::fromLatin1(e.reference)};
    }
    if (key.startsWith("x-")) // RFC 6648 deprecates the X- convention but vendors still use it
        return HeaderMeaning {QString::fromLatin1(name.trimmed()),
            tr("A private extension of a vendor or application (X-*): not standardized, its meaning depends on the sender."), QStringLiteral("RFC 6648")};
    return std::nullopt;
}

QString HeaderHelp::toolTip(QByteArrayView name)
{
    const auto m = lookup(name);
    if (!m)
        return {};
    QString head = QStringLiteral("<b>%1</b>").arg(m->name.toHtmlEscaped());
    if (!m->reference.isEmpty())
        head += QStringLiteral(" — ") + m->reference.toHtmlEscaped();
    return QStringLiteral("<p style='white-space:normal'>%1<br>%2</p>").arg(head, m->meaning.toHtmlEscaped());
}

QString HeaderHelp::toolTipForLine(QStringView line)
{
    if (line.isEmpty() || line.front().isSpace())
        return {};
    const qsizetype colon = line.indexOf(QLatin1Char(':'));
    if (colon <= 0)
        return {};
    const QStringView name = line.first(colon).trimmed();
    for (const QChar c : name)
        if (c.isSpace() || c.unicode() > 0x7e)
            return {};
    return toolTip(name.toLatin1());
}

QStringList HeaderHelp::knownNames()
{
    QStringList names;
    names.reserve(qsizetype(std::size(kEntries)));
    for (const Entry &e : kEntries)
        names << QString::fromLatin1(e.name);
    return names;
}

} // namespace ds::ui
