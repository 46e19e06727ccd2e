// `dialscope register SERVER --user U ...`: registers once and reports (ARCHITECTURE.md).

#include "commands.h"
#include "event_writer.h"
#include "options.h"
#include "trace_output.h"

#include "phone/registration.h"
#include "session_capture.h"
#include "sip/resolver.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QJsonObject>
#include <QTimer>

namespace ds::cli {

int runRegister(const QStringList &args)
{
    QCommandLineParser p;
    p.setApplicationDescription(QStringLiteral("Registers once with SERVER and reports the outcome."));
    p.addPositionalArgument(QStringLiteral("SERVER"), QStringLiteral("host[:port] or SIP URI of the registrar"));
    p.addOption({QStringLiteral("user"), QStringLiteral("User part of the address of record."), QStringLiteral("U")});
    p.addOption({QStringLiteral("password"), QStringLiteral("Password (else $DIALSCOPE_PASSWORD)."), QStringLiteral("P")});
    p.addOption({QStringLiteral("auth-user"), QStringLiteral("Digest user name, when it differs from --user."), QStringLiteral("A")});
    p.addOption({QStringLiteral("domain"), QStringLiteral("Domain of the address of record; SERVER becomes the outbound proxy."), QStringLiteral("D")});
    p.addOption(
        {QStringLiteral("expires"), QStringLiteral("Requested registration interval in seconds (default 3600)."), QStringLiteral("N"), QStringLiteral("3600")});
    p.addOption({QStringLiteral("unregister"), QStringLiteral("Remove the binding (Expires: 0) instead of adding one.")});
    p.addOption({QStringLiteral("display-name"), QStringLiteral("Display name in From and To."), QStringLiteral("NAME")});
    addCommonOptions(p);
    auto common = parseCommand(p, QStringLiteral("register"), args);
    if (!common)
        return common.error();
    if (p.positionalArguments().size() != 1) {
        EventWriter::error(QStringLiteral("dialscope register: give exactly one SERVER (host[:port] or SIP URI)"));
        return ExitUsage;
    }
    if (p.value(QStringLiteral("user")).isEmpty()) {
        EventWriter::error(QStringLiteral("dialscope register: --user is required"));
        return ExitUsage;
    }
    if (auto spec = sip::parseServerSpec(p.positionalArguments().first()); !spec) {
        EventWriter::error(QStringLiteral("dialscope register: %1").arg(spec.error()));
        return ExitUsage;
    }
    bool ok = false;
    const int expires = p.value(QStringLiteral("expires")).toInt(&ok);
    if (!ok || expires < 0) {
        EventWriter::error(QStringLiteral("dialscope register: --expires must be a number of seconds"));
        return ExitUsage;
    }

    phone::Account account;
    account.user = p.value(QStringLiteral("user"));
    account.authUser = p.value(QStringLiteral("auth-user"));
    account.domain = p.value(QStringLiteral("domain"));
    account.displayName = p.value(QStringLiteral("display-name"));
    account.server = p.positionalArguments().first();
    account.transport = common->transport;
    account.expires = expires;
    const QByteArray password = passwordFrom(p);

    EventWriter out(common->json);
    if (common->tls.insecure)
        EventWriter::error(QStringLiteral("warning: TLS certificate verification is disabled (--insecure): anyone on the path can impersonate the server"));

    sip::SystemClock clock;
    phone::UserAgent agent(account, common->agentOptions(), clock);
    phone::Registration registration(agent, password);
    SessionCapture capture;
    capture.attach(agent, !common->pcapPath.isEmpty());
    int exitCode = ExitNetwork;

    QObject::connect(&agent, &phone::UserAgent::traced, [&](const sip::TraceEvent &e) { reportTrace(out, e); });
    QObject::connect(&registration, &phone::Registration::authComputed, [&](const sip::AuthExplanation &e) { reportAuth(out, e); });
    QObject::connect(&registration, &phone::Registration::stateChanged, [&](phone::Registration::State s, int status, int exp) {
        static const char *names[] = {"idle", "registering", "registered", "unregistering", "unregistered", "failed"};
        out.event(QStringLiteral("registration"),
            {{QStringLiteral("state"), QString::fromLatin1(names[int(s)])}, {QStringLiteral("status"), status}, {QStringLiteral("expires"), exp}});
    });
    QObject::connect(&agent, &phone::UserAgent::resolved, [&](const QString &summary) { reportFinding(out, QStringLiteral("info"), summary); });
    QObject::connect(&registration, &phone::Registration::finding, [&](const QString &severity, const QString &text) { reportFinding(out, severity, text); });
    bool done = false;
    auto finish = [&](const phone::Diagnosis &d) {
        if (std::exchange(done, true))
            return;
        if (common->ladder)
            reportLadder(out, capture.ladder());
        writeCapture(capture, common->pcapPath);
        const bool success = d.outcome == phone::Outcome::Registered || d.outcome == phone::Outcome::Unregistered;
        QJsonObject r {{QStringLiteral("outcome"), phone::outcomeName(d.outcome)}, {QStringLiteral("reason"), d.reason},
            {QStringLiteral("server"), agent.isReady() ? agent.serverText() : account.server}};
        if (d.status)
            r.insert(QStringLiteral("status"), d.status);
        if (d.outcome == phone::Outcome::Registered) {
            r.insert(QStringLiteral("expires"), registration.grantedExpires());
            r.insert(QStringLiteral("requested_expires"), registration.requestedExpires());
            r.insert(QStringLiteral("refresh_in"), registration.refreshDelay());
            r.insert(QStringLiteral("contact"), QString::fromUtf8(registration.contact()));
            if (!registration.publicAddress().isEmpty())
                r.insert(QStringLiteral("public_address"), registration.publicAddress());
        }
        out.event(QStringLiteral("result"), r);
        out.text(QStringLiteral("%1: %2").arg(phone::outcomeName(d.outcome), d.reason));
        if (d.outcome == phone::Outcome::Registered)
            out.text(QStringLiteral("   granted %1 s (asked %2 s); a phone would refresh in %3 s")
                         .arg(registration.grantedExpires())
                         .arg(registration.requestedExpires())
                         .arg(registration.refreshDelay()));
        exitCode = success ? ExitOk : (phone::outcomeIsNetwork(d.outcome) ? ExitNetwork : ExitRefused);
        QCoreApplication::exit(exitCode);
    };
    QObject::connect(&registration, &phone::Registration::finished, finish);

    QTimer overall;
    overall.setSingleShot(true);
    QObject::connect(&overall, &QTimer::timeout, [&] {
        finish({phone::Outcome::Timeout, 0, QStringLiteral("no outcome within %1 s (--timeout)").arg(common->timeoutSeconds)});
    });
    overall.start(std::chrono::milliseconds(qint64(common->timeoutSeconds * 1000)));

    QTimer::singleShot(0, [&] {
        if (p.isSet(QStringLiteral("unregister")))
            registration.unregister();
        else
            registration.registerNow();
    });
    QCoreApplication::exec();
    return exitCode;
}

} // namespace ds::cli
