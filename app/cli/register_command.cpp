// `dialscope register SERVER --user U ...`: registers once and reports (ARCHITECTURE.md).

#include "commands.h"
#include "event_writer.h"
#include "options.h"

#include "diag/ladder.h"
#include "phone/registration.h"
#include "sip/resolver.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QJsonObject>
#include <QTimer>

namespace ds::cli {

namespace {

QJsonObject authFields(const sip::AuthExplanation &e)
{
    return {
        {QStringLiteral("header"), QString::fromLatin1(e.headerName)},
        {QStringLiteral("algorithm"), QString::fromLatin1(e.algorithm)},
        {QStringLiteral("realm"), QString::fromUtf8(e.realm)},
        {QStringLiteral("qop"), QString::fromLatin1(e.qop)},
        {QStringLiteral("username"), QString::fromUtf8(e.username)},
        {QStringLiteral("method"), QString::fromLatin1(e.method)},
        {QStringLiteral("uri"), QString::fromUtf8(e.uri)},
        {QStringLiteral("nonce"), QString::fromUtf8(e.nonce)},
        {QStringLiteral("cnonce"), QString::fromLatin1(e.cnonce)},
        {QStringLiteral("nc"), QString::fromLatin1(e.digest.ncText)},
        {QStringLiteral("opaque"), QString::fromUtf8(e.opaque)},
        {QStringLiteral("stale"), e.stale},
        {QStringLiteral("ha1_input"), QString::fromUtf8(e.digest.ha1Input)},
        {QStringLiteral("ha1"), QString::fromLatin1(e.digest.ha1)},
        {QStringLiteral("ha2_input"), QString::fromUtf8(e.digest.ha2Input)},
        {QStringLiteral("ha2"), QString::fromLatin1(e.digest.ha2)},
        {QStringLiteral("response_input"), QString::fromUtf8(e.digest.responseInput)},
        {QStringLiteral("response"), QString::fromLatin1(e.digest.response)},
    };
}

QString firstLine(const QByteArray &raw)
{
    const qsizetype e = raw.indexOf('\n');
    return QString::fromUtf8(raw.left(e < 0 ? raw.size() : e)).trimmed();
}

} // namespace

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
    if (!p.parse(QStringList {QStringLiteral("dialscope register")} + args)) {
        EventWriter::error(QStringLiteral("dialscope register: %1").arg(p.errorText()));
        return ExitUsage;
    }
    if (p.isSet(QStringLiteral("help"))) {
        std::fputs(qPrintable(p.helpText()), stdout);
        return ExitOk;
    }
    auto common = readCommonOptions(p);
    if (!common) {
        EventWriter::error(QStringLiteral("dialscope register: %1").arg(common.error()));
        return ExitUsage;
    }
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
    QList<sip::TraceEvent> trace;
    int exitCode = ExitNetwork;

    QObject::connect(&agent, &phone::UserAgent::traced, [&](const sip::TraceEvent &e) {
        trace.append(e);
        const bool in = e.direction == sip::TraceEvent::Direction::In;
        QJsonObject f {{QStringLiteral("dir"), in ? QStringLiteral("in") : QStringLiteral("out")},
            {QStringLiteral("transport"), QString::fromLatin1(sip::transportName(e.transport))}, {QStringLiteral("local"), e.local.toString()},
            {QStringLiteral("remote"), e.remote.toString()}, {QStringLiteral("raw"), QString::fromUtf8(e.raw)}};
        if (e.malformed)
            f.insert(QStringLiteral("error"), e.error);
        out.event(QStringLiteral("sip"), f);
        out.text(QStringLiteral("%1 %2 %3 %4%5")
                     .arg(in ? QStringLiteral("<-") : QStringLiteral("->"), firstLine(e.raw), in ? QStringLiteral("from") : QStringLiteral("to"),
                         e.remote.toString(), e.malformed ? QStringLiteral(" (malformed: %1)").arg(e.error) : QString()));
    });
    QObject::connect(&registration, &phone::Registration::authComputed, [&](const sip::AuthExplanation &e) {
        out.event(QStringLiteral("auth"), authFields(e));
        out.text(QStringLiteral("   digest %1 realm \"%2\" qop %3%4\n     HA1 = %5(%6) = %7\n     HA2 = %5(%8) = %9\n     response = %5(%10) = %11")
                     .arg(QString::fromLatin1(e.algorithm), QString::fromUtf8(e.realm), e.qop.isEmpty() ? QStringLiteral("none") : QString::fromLatin1(e.qop),
                         e.stale ? QStringLiteral(" (stale nonce renewed)") : QString(),
                         QString::fromLatin1(e.algorithm.startsWith("MD5") ? "MD5" : e.algorithm), QString::fromUtf8(e.digest.ha1Input),
                         QString::fromLatin1(e.digest.ha1), QString::fromUtf8(e.digest.ha2Input), QString::fromLatin1(e.digest.ha2))
                     .arg(QString::fromUtf8(e.digest.responseInput), QString::fromLatin1(e.digest.response)));
    });
    QObject::connect(&registration, &phone::Registration::stateChanged, [&](phone::Registration::State s, int status, int exp) {
        static const char *names[] = {"idle", "registering", "registered", "unregistering", "unregistered", "failed"};
        out.event(QStringLiteral("registration"),
            {{QStringLiteral("state"), QString::fromLatin1(names[int(s)])}, {QStringLiteral("status"), status}, {QStringLiteral("expires"), exp}});
    });
    QObject::connect(&agent, &phone::UserAgent::resolved, [&](const QString &summary) {
        out.event(QStringLiteral("finding"), {{QStringLiteral("severity"), QStringLiteral("info")}, {QStringLiteral("text"), summary}});
        out.text(QStringLiteral("   %1").arg(summary));
    });
    QObject::connect(&registration, &phone::Registration::finding, [&](const QString &severity, const QString &text) {
        out.event(QStringLiteral("finding"), {{QStringLiteral("severity"), severity}, {QStringLiteral("text"), text}});
        out.text(QStringLiteral("   %1: %2").arg(severity, text));
    });
    bool done = false;
    auto finish = [&](const phone::Diagnosis &d) {
        if (std::exchange(done, true))
            return;
        if (common->ladder) {
            const QString ladder = diag::renderTextLadder(diag::buildLadder(trace));
            if (common->json)
                EventWriter::error(ladder);
            else
                out.text(ladder);
        }
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
