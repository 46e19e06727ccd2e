// `dialscope regtest SERVER --accounts FILE.csv ...`: a bulk registration test, SIPp-style
// (ARCHITECTURE.md): our CSV or SIPp's injection files, a rate, a bound on attempts in flight,
// and a report of who failed and why, with latency percentiles.

#include "commands.h"
#include "event_writer.h"
#include "options.h"
#include "session_capture.h"
#include "trace_output.h"

#include "diag/ladder_text.h"
#include "diag/regtest_trace.h"
#include "phone/reg_tester.h"
#include "sip/resolver.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QJsonArray>
#include <QJsonObject>
#include <QTimer>

namespace ds::cli {

namespace {

// "200", "200/s", "200/S": registrations per second.
std::expected<double, QString> parseRate(QString text)
{
    if (text.endsWith(QLatin1String("/s"), Qt::CaseInsensitive))
        text.chop(2);
    bool ok = false;
    const double r = text.toDouble(&ok);
    if (!ok || !(r > 0) || r > 1e6)
        return std::unexpected(QStringLiteral("--rate must be a positive number of registrations per second (e.g. 200 or 200/s), not \"%1\"").arg(text));
    return r;
}

QJsonObject attemptJson(const diag::RegAttempt &a)
{
    QJsonObject o {{QStringLiteral("index"), a.index}, {QStringLiteral("user"), a.user}, {QStringLiteral("outcome"), a.outcome},
        {QStringLiteral("reason"), a.reason}, {QStringLiteral("call_id"), QString::fromLatin1(a.callId)}};
    if (a.status)
        o.insert(QStringLiteral("status"), a.status);
    if (a.challengeMs >= 0)
        o.insert(QStringLiteral("challenge_ms"), a.challengeMs);
    if (a.totalMs >= 0)
        o.insert(QStringLiteral("total_ms"), a.totalMs);
    if (!a.unregisterOutcome.isEmpty())
        o.insert(QStringLiteral("unregister"), a.unregisterOutcome);
    return o;
}

QJsonObject resultJson(const diag::RegReport &r, const phone::RegTester &tester, const QString &server, double targetRate, int concurrency)
{
    QJsonObject byOutcome;
    for (auto it = r.byOutcome().begin(); it != r.byOutcome().end(); ++it)
        byOutcome.insert(it.key(), it.value());
    QString reason;
    if (!tester.endReason().isEmpty())
        reason = tester.endReason();
    else if (r.attempted() == 0)
        reason = QStringLiteral("no registration was attempted");
    else if (r.failed() == 0)
        reason = QStringLiteral("all %1 registrations succeeded").arg(r.attempted());
    else {
        QStringList parts;
        for (auto it = r.byOutcome().begin(); it != r.byOutcome().end(); ++it)
            if (it.key() != QLatin1String("registered"))
                parts << QStringLiteral("%1 %2").arg(it.value()).arg(it.key());
        reason = QStringLiteral("%1 of %2 registrations failed: %3").arg(r.failed()).arg(r.attempted()).arg(parts.join(QStringLiteral(", ")));
    }
    QJsonObject o {{QStringLiteral("outcome"), r.attempted() > 0 && r.failed() == 0 ? QStringLiteral("registered") : QStringLiteral("failed")},
        {QStringLiteral("reason"), reason}, {QStringLiteral("server"), server}, {QStringLiteral("attempted"), r.attempted()},
        {QStringLiteral("registered"), r.registered()}, {QStringLiteral("failed"), r.failed()}, {QStringLiteral("by_outcome"), byOutcome},
        {QStringLiteral("rate_per_s"), r.ratePerSecond()}, {QStringLiteral("elapsed_s"), r.elapsedSeconds()}, {QStringLiteral("concurrency"), concurrency},
        {QStringLiteral("planned"), tester.planned()}};
    if (targetRate > 0)
        o.insert(QStringLiteral("target_rate_per_s"), targetRate);
    // Whole registration (first REGISTER to 200 OK) of the registered ones; the challenge round
    // (REGISTER to 401/407) of every challenged attempt.
    // null, not 0, without samples (every attempt timed out): 0 ms would read as "instant".
    auto ms = [](const diag::LatencyStats &s, double v) { return s.count() ? QJsonValue(v) : QJsonValue(QJsonValue::Null); };
    const auto &t = r.total();
    o.insert(QStringLiteral("p50_ms"), ms(t, t.percentile(50)));
    o.insert(QStringLiteral("p95_ms"), ms(t, t.percentile(95)));
    o.insert(QStringLiteral("p99_ms"), ms(t, t.percentile(99)));
    o.insert(QStringLiteral("max_ms"), ms(t, t.max()));
    o.insert(QStringLiteral("mean_ms"), ms(t, t.mean()));
    const auto &c = r.challenge();
    o.insert(QStringLiteral("challenge_p50_ms"), ms(c, c.percentile(50)));
    o.insert(QStringLiteral("challenge_p95_ms"), ms(c, c.percentile(95)));
    o.insert(QStringLiteral("challenge_p99_ms"), ms(c, c.percentile(99)));
    o.insert(QStringLiteral("challenge_max_ms"), ms(c, c.max()));
    QJsonArray histogram;
    for (const auto &b : t.histogram())
        histogram.append(QJsonObject {{QStringLiteral("from_ms"), b.fromMs}, {QStringLiteral("to_ms"), b.toMs}, {QStringLiteral("count"), b.count}});
    o.insert(QStringLiteral("histogram"), histogram);
    if (r.unregistered())
        o.insert(QStringLiteral("unregistered"), r.unregistered());
    QJsonArray failures;
    for (const auto &a : r.failures())
        failures.append(attemptJson(a));
    o.insert(QStringLiteral("failures"), failures);
    if (r.failuresDropped())
        o.insert(QStringLiteral("failures_not_listed"), r.failuresDropped());
    return o;
}

// The text ladder of one Call-ID's messages in store; empty when it has none.
QString ladderOf(const diag::TraceStore &store, const QByteArray &callId)
{
    diag::LadderModel model(store);
    model.update();
    diag::LadderFilter filter;
    for (quint32 c = 0; c < model.callCount(); ++c)
        if (model.callSummary(c).callId == QLatin1String(callId))
            filter.calls.insert(c);
    if (filter.calls.isEmpty())
        return {};
    model.setFilter(filter);
    return diag::renderTextLadder(model);
}

} // namespace

int runRegtest(const QStringList &args)
{
    QCommandLineParser p;
    p.setApplicationDescription(QStringLiteral("Registers many accounts with SERVER, SIPp-style, and reports who failed and why.\n"
                                               "FILE is `user;password[;auth_user[;domain]]` per line, or a SIPp injection file\n"
                                               "(first line SEQUENTIAL/RANDOM/USER, then `user;[authentication username=U password=P]`)."));
    p.addPositionalArgument(QStringLiteral("SERVER"), QStringLiteral("host[:port] or SIP URI of the registrar"));
    p.addOption({QStringLiteral("accounts"), QStringLiteral("The accounts to register (required)."), QStringLiteral("FILE")});
    p.addOption({QStringLiteral("count"), QStringLiteral("Registrations to attempt in all, cycling through the accounts (default: each account once)."),
        QStringLiteral("N")});
    p.addOption({QStringLiteral("rate"), QStringLiteral("New registrations per second (default: as fast as --concurrency allows)."), QStringLiteral("N/s")});
    p.addOption({QStringLiteral("concurrency"), QStringLiteral("Registrations in flight at most (default 200)."), QStringLiteral("M"), QStringLiteral("200")});
    p.addOption(
        {QStringLiteral("expires"), QStringLiteral("Requested registration interval in seconds (default 3600)."), QStringLiteral("N"), QStringLiteral("3600")});
    p.addOption({QStringLiteral("unregister-after"), QStringLiteral("Remove each binding (Expires: 0) once it is registered.")});
    p.addOption(
        {QStringLiteral("domain"), QStringLiteral("Domain of the accounts without one in FILE; SERVER becomes the outbound proxy."), QStringLiteral("D")});
    addCommonOptions(p);
    auto common = parseCommand(p, QStringLiteral("regtest"), args);
    if (!common)
        return common.error();
    auto usageError = [](const QString &text) {
        EventWriter::error(QStringLiteral("dialscope regtest: ") + text);
        return int(ExitUsage);
    };
    if (p.positionalArguments().size() != 1)
        return usageError(QStringLiteral("give exactly one SERVER (host[:port] or SIP URI)"));
    if (auto spec = sip::parseServerSpec(p.positionalArguments().first()); !spec)
        return usageError(spec.error());
    if (!p.isSet(QStringLiteral("accounts")))
        return usageError(QStringLiteral("--accounts FILE is required"));

    phone::RegTestOptions options;
    options.server = p.positionalArguments().first();
    options.transport = common->transport.isEmpty() ? QStringLiteral("udp") : common->transport;
    options.domain = p.value(QStringLiteral("domain"));
    options.unregisterAfter = p.isSet(QStringLiteral("unregister-after"));
    options.agent = common->agentOptions();
    bool ok = false;
    if (p.isSet(QStringLiteral("count"))) {
        options.count = p.value(QStringLiteral("count")).toLongLong(&ok);
        if (!ok || options.count < 1 || options.count > phone::RegTester::kMaxCount)
            return usageError(QStringLiteral("--count must be a number from 1 to %1").arg(phone::RegTester::kMaxCount));
    }
    if (p.isSet(QStringLiteral("rate"))) {
        auto rate = parseRate(p.value(QStringLiteral("rate")));
        if (!rate)
            return usageError(rate.error());
        options.rate = *rate;
    }
    options.concurrency = p.value(QStringLiteral("concurrency")).toInt(&ok);
    if (!ok || options.concurrency < 1 || options.concurrency > phone::RegTester::kMaxConcurrency)
        return usageError(QStringLiteral("--concurrency must be a number from 1 to %1").arg(phone::RegTester::kMaxConcurrency));
    options.expires = p.value(QStringLiteral("expires")).toInt(&ok);
    if (!ok || options.expires < 0)
        return usageError(QStringLiteral("--expires must be a number of seconds"));

    EventWriter out(common->json);
    auto accounts = diag::readAccountFile(p.value(QStringLiteral("accounts")));
    if (!accounts)
        return usageError(accounts.error());
    for (const QString &w : accounts->warnings) {
        EventWriter::error(QStringLiteral("warning: ") + w);
        if (out.json())
            reportFinding(out, QStringLiteral("warning"), w, QStringLiteral("account-line-skipped"));
    }
    if (common->tls.insecure)
        EventWriter::error(QStringLiteral("warning: TLS certificate verification is disabled (--insecure): anyone on the path can impersonate the server"));
    const qsizetype accountCount = accounts->accounts.size();
    const bool sipp = accounts->format == diag::AccountFile::Format::Sipp;

    sip::SystemClock clock;
    phone::RegTester tester(std::move(*accounts), options, clock);
    // --pcap keeps the whole test, as asked; --ladder keeps only what it shows, the messages of
    // failed attempts (bounded: RegTestTrace).
    SessionCapture capture;
    if (!common->pcapPath.isEmpty())
        capture.attach(tester.agent(), true);
    diag::RegTestTrace failedTrace(options.concurrency);
    if (common->ladder)
        QObject::connect(&tester.agent(), &phone::UserAgent::traced, [&](const sip::TraceEvent &e) { failedTrace.add(e); });
    QObject::connect(&tester.agent(), &phone::UserAgent::resolved, [&](const QString &summary) { reportFinding(out, QStringLiteral("info"), summary); });

    // One multi-argument arg(): the server is the user's text and may hold '%'.
    out.text(QStringLiteral("regtest %1: %2 registrations of %3 accounts (%4 file)%5, at most %6 in flight")
                 .arg(options.server, QString::number(tester.planned()), QString::number(accountCount), sipp ? QStringLiteral("SIPp") : QStringLiteral("CSV"),
                     options.rate > 0 ? QStringLiteral(", %1/s").arg(options.rate) : QString(), QString::number(options.concurrency)));

    QByteArray firstFailure;
    QObject::connect(&tester, &phone::RegTester::attemptFinished, [&](const diag::RegAttempt &a) {
        if (common->ladder)
            failedTrace.finish(a);
        if (a.registered && (a.unregisterOutcome.isEmpty() || a.unregisterOutcome == QLatin1String("unregistered")))
            return;
        if (firstFailure.isEmpty())
            firstFailure = a.callId;
        out.event(QStringLiteral("attempt"), attemptJson(a));
    });

    // Progress once a second: counters for people watching and for scripts.
    QTimer progress;
    QObject::connect(&progress, &QTimer::timeout, [&] {
        const auto &r = tester.report();
        out.event(QStringLiteral("progress"),
            {{QStringLiteral("attempted"), r.attempted()}, {QStringLiteral("registered"), r.registered()}, {QStringLiteral("failed"), r.failed()},
                {QStringLiteral("in_flight"), tester.inFlight()}, {QStringLiteral("planned"), tester.planned()},
                {QStringLiteral("rate_per_s"), r.ratePerSecond()}});
        out.text(QStringLiteral("... %1 of %2 done: %3 registered, %4 failed, %5 in flight, %6/s")
                     .arg(r.attempted())
                     .arg(tester.planned())
                     .arg(r.registered())
                     .arg(r.failed())
                     .arg(tester.inFlight())
                     .arg(r.ratePerSecond(), 0, 'f', 1));
    });
    progress.start(1000);

    int exitCode = ExitOk;
    bool startFailed = false;
    QObject::connect(&tester, &phone::RegTester::failedToStart, [&](const phone::Diagnosis &d) {
        startFailed = true;
        out.event(QStringLiteral("result"),
            {{QStringLiteral("outcome"), phone::outcomeName(d.outcome)}, {QStringLiteral("reason"), d.reason}, {QStringLiteral("attempted"), 0},
                {QStringLiteral("registered"), 0}, {QStringLiteral("failed"), 0}, {QStringLiteral("by_outcome"), QJsonObject {}},
                {QStringLiteral("rate_per_s"), 0}, {QStringLiteral("p50_ms"), 0}, {QStringLiteral("p95_ms"), 0}, {QStringLiteral("p99_ms"), 0}});
        out.text(QStringLiteral("%1: %2").arg(phone::outcomeName(d.outcome), d.reason));
        exitCode = phone::outcomeIsNetwork(d.outcome) ? ExitNetwork : ExitRefused;
    });
    QObject::connect(&tester, &phone::RegTester::finished, [&] {
        progress.stop();
        if (!startFailed) {
            const auto &r = tester.report();
            if (common->ladder && !firstFailure.isEmpty()) {
                out.text(QStringLiteral("the first failed attempt:"));
                const QString ladder = ladderOf(failedTrace.store(), firstFailure);
                reportLadder(out, ladder.isEmpty() ? QStringLiteral("(no SIP message of this attempt was sent or received)\n") : ladder);
            }
            out.event(QStringLiteral("result"),
                resultJson(r, tester, tester.agent().isReady() ? tester.agent().serverText() : options.server, options.rate, options.concurrency));
            out.text(r.text());
            exitCode = r.attempted() > 0 && r.failed() == 0 ? ExitOk : ExitRefused;
        }
        writeCapture(capture, common->pcapPath);
        QCoreApplication::exit(exitCode);
    });

    // --timeout bounds the whole test only when given: a long test at a low rate is normal, and
    // every attempt is bounded by its transaction timer anyway.
    QTimer overall;
    overall.setSingleShot(true);
    QObject::connect(&overall, &QTimer::timeout, [&] {
        tester.abort(QStringLiteral("timeout"), QStringLiteral("still in progress when the test's --timeout of %1 s ran out").arg(common->timeoutSeconds));
    });
    if (p.isSet(QStringLiteral("timeout")))
        overall.start(std::chrono::milliseconds(qint64(common->timeoutSeconds * 1000)));

    QTimer::singleShot(0, [&] { tester.start(); });
    QCoreApplication::exec();
    return exitCode;
}

} // namespace ds::cli
