// fuzz_sip_message: the SIP parser as the transports call it (datagram and stream framing, the
// TCP framer), the typed header parsers the stack then applies, and the linter on the same bytes.

#include "diag/linter.h"
#include "sip/header_values.h"
#include "sip/parser.h"
#include "sip/stream_framer.h"
#include "sip/uri.h"

#include "fuzz_util.h"

#include <algorithm>
#include <cstddef>
#include <cstdint>

using namespace ds::sip;

namespace {

using ds::fuzz::keep;

void touchParams(const Params &params)
{
    for (const Param &p : params)
        keep(std::size_t(p.name.size() + p.value.size()));
}

void touchUri(const Uri &uri)
{
    keep(std::size_t(uri.toString().size() + uri.hostPort().size() + uri.paramValue("transport").size()));
    touchParams(uri.params);
}

void touchMessage(const Message &m)
{
    keep(std::size_t(m.startLine().size() + m.method().size() + m.requestUri().size() + m.reasonPhrase().size() + m.body().size()));
    keep(std::size_t(m.statusCode() + m.contentLength() + m.cseqNumber() + m.cseqMethod().size() + m.topViaBranch().size() + m.callId().size()));
    for (const HeaderField &h : m.headers())
        keep(std::size_t(m.name(h).size() + m.value(h).size() + m.header(m.name(h)).size()));

    if (m.isRequest())
        if (auto uri = Uri::parse(m.requestUri()))
            touchUri(*uri);
    for (HeaderId id : {HeaderId::From, HeaderId::To, HeaderId::Contact, HeaderId::Route, HeaderId::RecordRoute})
        for (QByteArrayView v : m.values(id))
            if (auto na = parseNameAddr(v)) {
                keep(std::size_t(na->displayName.size() + na->tag().size()));
                touchUri(na->uri);
                touchParams(na->params);
            }
    for (QByteArrayView v : m.values(HeaderId::Via))
        if (auto via = parseVia(v))
            keep(std::size_t(via->host.size() + via->branch().size() + via->received().size() + via->rport() + via->hasRport()));
    if (auto cseq = parseCSeq(m.header(HeaderId::CSeq)))
        keep(std::size_t(cseq->number));
    for (HeaderId id : {HeaderId::WwwAuthenticate, HeaderId::ProxyAuthenticate, HeaderId::Authorization, HeaderId::ProxyAuthorization})
        if (auto auth = parseAuthValues(m.header(id)))
            for (const AuthValue &a : *auth)
                keep(std::size_t(a.scheme.size() + a.param("nonce").size() + a.has("qop")));
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size)
{
    const QByteArray bytes(reinterpret_cast<const char *>(data), qsizetype(size));

    // UDP: the datagram is the message (udp_transport.cpp, transaction_layer.cpp).
    if (auto m = Parser::parse(bytes, Framing::Datagram))
        touchMessage(*m);
    else
        keep(std::size_t(m.error().toString().size()));

    // TCP/TLS: the framer cuts the stream, each message is parsed with stream framing
    // (stream_transport.cpp). The input is fed in uneven pieces, as segments arrive.
    StreamFramer framer(64 * 1024);
    std::size_t at = 0;
    bool closed = false; // after a framing error the transport closes the connection
    for (std::size_t piece = 1; at < size && !closed; piece = piece * 3 + 1) {
        const std::size_t n = std::min(piece, size - at);
        framer.append(QByteArrayView(bytes.constData() + at, qsizetype(n)));
        at += n;
        for (;;) {
            auto next = framer.next();
            closed = !next;
            if (closed || !*next)
                break;
            if (auto m = Parser::parse(**next, Framing::Stream))
                touchMessage(*m);
        }
    }

    const ds::diag::LintReport report = ds::diag::lintMessage(bytes);
    keep(std::size_t(report.problems.size() + report.summary.size() + report.valid()));
    return 0;
}
