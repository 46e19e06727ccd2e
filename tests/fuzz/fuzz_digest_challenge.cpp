// fuzz_digest_challenge: a WWW-Authenticate / Proxy-Authenticate value from a peer, through
// sip::parseAuthValues (RFC 7235 4.1, RFC 7616 3.3) and then, inside a parsed 401 and 407, through
// Authenticator::onChallenge and authorize() as a registration answers it (RFC 3261 22.2).

#include "sip/authenticator.h"
#include "sip/header_values.h"
#include "sip/parser.h"

#include "fuzz_util.h"

#include <cstdint>

using namespace ds::sip;
using ds::fuzz::keep;

namespace {

// The value must stay on one header line: line ends would make the bytes another message.
QByteArray oneLine(QByteArrayView v)
{
    QByteArray out(v.data(), v.size());
    out.replace('\r', ' ').replace('\n', ' ');
    return out;
}

void answer(int status, const QByteArray &value)
{
    const QByteArray name = status == 401 ? "WWW-Authenticate" : "Proxy-Authenticate";
    const QByteArray bytes = "SIP/2.0 " + QByteArray::number(status)
        + " Unauthorized\r\nVia: SIP/2.0/UDP 192.0.2.10:5060;branch=z9hG4bK1\r\nFrom: <sip:alice@example.com>;tag=1\r\n"
          "To: <sip:alice@example.com>;tag=2\r\nCall-ID: c1@example.com\r\nCSeq: 1 REGISTER\r\n"
        + name + ": " + value + "\r\nContent-Length: 0\r\n\r\n";
    const auto response = Parser::parse(bytes);
    if (!response)
        return;
    Authenticator auth("alice", "secret");
    auth.setCnonceForTesting("0a4f113b");
    for (int round = 0; round < 3; ++round) { // a fresh challenge, then the same one again: wrong credentials
        const Authenticator::Result r = auth.onChallenge(*response);
        keep(std::size_t(int(r.verdict) + r.reason.size()));
        if (r.verdict != Authenticator::Verdict::Answered)
            break;
        QList<AuthExplanation> explanations;
        const auto headers = auth.authorize("REGISTER", "sip:example.com", "", &explanations);
        for (const auto &[n, v] : headers)
            keep(std::size_t(n.size() + v.size()));
        for (const AuthExplanation &e : explanations)
            keep(std::size_t(e.realm.size() + e.nonce.size() + e.qop.size() + e.algorithm.size() + e.opaque.size()));
    }
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size)
{
    const QByteArrayView value(reinterpret_cast<const char *>(data), qsizetype(size));
    if (auto challenges = parseAuthValues(value)) {
        for (const AuthValue &c : *challenges) {
            keep(std::size_t(c.scheme.size() + c.params.size() + c.has("stale")));
            for (const char *p : {"realm", "nonce", "qop", "algorithm", "opaque", "stale", "domain", "userhash", "charset"})
                keep(std::size_t(c.param(p).size()));
        }
    } else {
        keep(std::size_t(challenges.error().toString().size()));
    }

    const QByteArray line = oneLine(value);
    answer(401, line);
    answer(407, line);
    return 0;
}
