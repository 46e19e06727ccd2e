// fuzz_info_body: the body of a SIP INFO (RFC 6086) through dtmf::parseInfoBody, with the
// Content-Type taken from the input's first line and the body from the rest, as the call's INFO
// handler passes them; a digit that parses is written back and must parse to the same digit.

#include "dtmf/info_body.h"

#include "fuzz_util.h"

#include <cstdint>
#include <cstdio>
#include <cstdlib>

using namespace ds::dtmf;
using ds::fuzz::keep;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size)
{
    const QByteArrayView in(reinterpret_cast<const char *>(data), qsizetype(size));
    const qsizetype eol = in.indexOf('\n');
    const QByteArrayView contentType = eol < 0 ? in : in.first(eol);
    const QByteArrayView body = eol < 0 ? QByteArrayView() : in.sliced(eol + 1);

    const auto digit = parseInfoBody(contentType, body);
    if (!digit) {
        keep(std::size_t(responseStatus(digit.error()) + infoBodyErrorText(digit.error())[0]));
        return 0;
    }
    keep(std::size_t(digit->digit + digit->durationMs + digit->durationGiven));

    // RFC 6086 has no body format of its own: what we accept from a PBX we must be able to send.
    for (InfoBodyType type : {InfoBodyType::DtmfRelay, InfoBodyType::Dtmf}) {
        const QByteArray written = writeInfoBody(type, digit->digit, digit->durationMs);
        const auto again = parseInfoBody(infoContentType(type), written);
        if (!again || again->digit != digit->digit || (type == InfoBodyType::DtmfRelay && again->durationMs != digit->durationMs)) {
            std::fprintf(
                stderr, "fuzz_info_body: digit '%c' (%d ms) written as \"%s\" does not read back\n", digit->digit, digit->durationMs, written.constData());
            std::abort();
        }
    }
    return 0;
}
