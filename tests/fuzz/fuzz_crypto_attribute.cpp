// fuzz_crypto_attribute: the value of an SDP a=crypto line (RFC 4568 9.1) through
// sdp::CryptoAttribute::parse, as a far end's offer or answer hands it to us (its keys are the
// attacker's choice); a value that parses is written back and must parse to the same tag, suite
// and keys. The same input, split at newlines, is also offered to chooseAnswerCrypto.

#include "sdp/crypto_attribute.h"

#include "fuzz_util.h"

#include <cstdint>
#include <cstdio>
#include <cstdlib>

using namespace ds::sdp;
using ds::fuzz::keep;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size)
{
    const QByteArrayView in(reinterpret_cast<const char *>(data), qsizetype(size));
    const auto parsed = CryptoAttribute::parse(in);
    if (!parsed) {
        keep(std::size_t(parsed.error().code) + std::size_t(parsed.error().what.size()));
    } else {
        keep(std::size_t(parsed->tag) + std::size_t(parsed->keys.size()) + std::size_t(parsed->sessionParams.size()));
        const QByteArray written = parsed->toValue();
        const auto again = CryptoAttribute::parse(written);
        if (!again || again->tag != parsed->tag || again->suiteName != parsed->suiteName || again->keys.size() != parsed->keys.size()) {
            std::fprintf(stderr, "fuzz_crypto_attribute: a parsed value does not read back once written\n");
            std::abort();
        }
    }
    // An offer of several lines, one per input line, answered with every suite we implement.
    QList<QByteArray> offered;
    for (const QByteArray &line : QByteArray::fromRawData(in.data(), in.size()).split('\n'))
        if (offered.size() < 16)
            offered.append(line);
    const auto choice = chooseAnswerCrypto(offered, {CryptoSuite::AesCm128HmacSha1_80, CryptoSuite::AesCm128HmacSha1_32});
    keep(choice ? std::size_t(choice->local.tag) : std::size_t(choice.error().code));
    return 0;
}
