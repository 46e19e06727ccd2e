// `dialscope call TARGET ...`: registers when a server is given, calls, plays and records, hangs
// up after --duration, and reports (ARCHITECTURE.md, the command line).

#include "call_runner.h"
#include "commands.h"

#include <QCoreApplication>

namespace ds::cli {

int runCall(const QStringList &args)
{
    QCommandLineParser p;
    p.setApplicationDescription(QStringLiteral("Calls TARGET and reports how the call went."));
    p.addPositionalArgument(QStringLiteral("TARGET"), QStringLiteral("Number, user, user@host[:port] or SIP URI."));
    addCallOptions(p);
    addCommonOptions(p);
    auto common = parseCommand(p, QStringLiteral("call"), args);
    if (!common)
        return common.error();
    if (p.positionalArguments().size() != 1) {
        EventWriter::error(QStringLiteral("dialscope call: give exactly one TARGET"));
        return ExitUsage;
    }
    const QString target = p.positionalArguments().first();
    auto options = readCallOptions(p, *common, target);
    if (!options) {
        EventWriter::error(QStringLiteral("dialscope call: %1").arg(options.error()));
        return ExitUsage;
    }
    if (common->tls.insecure)
        EventWriter::error(QStringLiteral("warning: TLS certificate verification is disabled (--insecure): anyone on the path can impersonate the server"));
    EventWriter out(common->json);
    CallRunner runner(*options, *common, out);
    runner.start([&] {
        if (auto uri = phone::CallCenter::targetUri(target, runner.agent().domain()); !uri) {
            runner.fail(QStringLiteral("failed"), 0, uri.error(), ExitUsage); // TARGET itself is wrong
            return;
        }
        auto call = runner.center().dial(target);
        if (!call) {
            runner.fail(QStringLiteral("failed"), 0, call.error(), ExitRefused);
            return;
        }
        runner.follow(*call, [&](phone::Call *c) {
            const phone::CallOutcome outcome = c->outcome();
            QJsonObject r {{QStringLiteral("outcome"), phone::callOutcomeName(outcome)}, {QStringLiteral("reason"), QString::fromUtf8(c->end().reason)},
                {QStringLiteral("codec"), c->codec()}, {QStringLiteral("rtp"), CallRunner::rtpFields(c->stats())},
                {QStringLiteral("call_id"), QString::fromUtf8(c->session()->callId())}, {QStringLiteral("duration_s"), double(c->connectedMs()) / 1000.0}};
            if (c->end().status)
                r.insert(QStringLiteral("status"), c->end().status);
            CallRunner::addDtmfFields(r, *c);
            if (c->postDialDelayMs() >= 0)
                r.insert(QStringLiteral("post_dial_delay_ms"), c->postDialDelayMs());
            // Nothing came back at all (Timer B, a dropped connection): a network failure, exit 3.
            const bool network
                = (c->end().cause == sip::SessionEnd::Cause::TransportError || c->end().cause == sip::SessionEnd::Cause::Timeout) && !c->end().status;
            runner.finish(r, outcome == phone::CallOutcome::Answered ? ExitOk : network ? ExitNetwork : ExitRefused);
        });
    });
    return QCoreApplication::exec();
}

} // namespace ds::cli
