// bench_regtest: registrations per second with digest authentication, `dialscope regtest` against SIPp's classic
// registration scenario (tests/bench/sipp/register_auth.xml), the same accounts file, the same Kamailio, the same run
// (issue 6). Never asserts on time: it fails only when either tool has a failed registration, since a rate with
// failures would mean nothing.
//
//   bench_regtest [--dialscope PATH] [--accounts N] [--count N] [--concurrency M] [--repeat R] [--out FILE.json] [--keep]
//                 [--sipp-default-buffer]
//   bench_regtest --smoke        50 accounts, 200 registrations, 1 repetition: proves the bench works (CTest)
//
// The dialscope binary: --dialscope, else $DIALSCOPE_BIN, else the one this bench was built with. Measure a Release
// build (build-bench). Exit status: 0 measured, 1 a registration failed, 2 bad usage, 77 Kamailio or SIPp missing.
//
// One Kamailio (tests/interop/kamailio/registrar.cfg: auth_db over db_text, MD5, usrloc in memory, 2 UDP workers)
// knows N subscribers. One injection file in SIPp's format (`SEQUENTIAL`, then `user;[authentication username=U
// password=P]`) serves both tools. Each repetition runs both tools one after the other, alternating which goes first:
//   sipp 127.0.0.1:PORT -sf register_auth.xml -inf users.csv -m COUNT -l M -r 1000000 -t u1 -buff_size 1048576
//   dialscope regtest 127.0.0.1:PORT --accounts users.csv --count COUNT --concurrency M --json
// Both are unthrottled and bounded by M registrations in flight, over one UDP socket each, with the same 1 MiB socket
// buffers (dialscope asks for 1 MiB on its SIP socket; --sipp-default-buffer runs SIPp with its default 64 KiB, which
// drops answers in bursts and pays 500 ms retransmissions for them). Each runs under
// /usr/bin/time: wall seconds from exec to exit (start-up included, the same for both), user+system CPU seconds, and
// peak resident memory. Rate = COUNT / wall. A row is the median over the repetitions; the ratios are dialscope / SIPp.
// Zero failures are required of both: SIPp's exit status 0 and its statistics file's FailedCall(C) 0, dialscope's
// result "failed": 0. dialscope's own percentiles (p50/p95/p99 of the whole registration and of the challenge round)
// are printed next to its row; SIPp gives only averages and a coarse repartition table.

#include "bench_machine.h"
#include "support/kamailio_registrar.h"
#include "support/peer.h"

#include <QCoreApplication>
#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QSysInfo>
#include <QTemporaryDir>
#include <QThread>

#include <algorithm>
#include <cstdio>
#include <optional>
#include <vector>

#ifndef DIALSCOPE_BIN
#define DIALSCOPE_BIN ""
#endif

using namespace ds::test;
using namespace Qt::StringLiterals;

namespace {

constexpr int kSkip = 77;

struct Options {
    QString dialscope;
    int accounts = 2000;
    int count = 20000;
    int concurrency = 200;
    int repeat = 3;
    QString out;
    bool keep = false;
    bool smoke = false;
    bool sippDefaultBuffer = false; // --sipp-default-buffer: SIPp's own 64 KiB socket buffers
};

struct Measure {
    bool ok = false;
    QString error;
    double wallS = 0;
    double cpuS = 0;
    qint64 maxRssKb = 0;
    int registered = 0;
    int failed = 0;
    QJsonObject result; // dialscope's result event
    double rate(int count) const { return wallS > 0 ? count / wallS : 0; }
};

// Runs program args under /usr/bin/time; fills wall, CPU and peak memory. Returns stdout.
std::optional<QByteArray> timed(const QString &program, const QStringList &args, const QString &dir, Measure &m, int *exitCode)
{
    const QString timeFile = dir + u"/time.txt"_s;
    QFile::remove(timeFile);
    QProcess p;
    p.setWorkingDirectory(dir);
    p.setChildProcessModifier(detachChild);
    p.setStandardErrorFile(dir + u"/stderr.txt"_s);
    p.start(u"/usr/bin/time"_s, QStringList {u"-f"_s, u"%e %U %S %M"_s, u"-o"_s, timeFile, program} + args);
    if (!p.waitForStarted(10000)) {
        m.error = u"cannot start %1"_s.arg(program);
        return std::nullopt;
    }
    QByteArray out;
    while (!p.waitForFinished(1000)) {
        out += p.readAllStandardOutput();
        if (p.state() == QProcess::NotRunning)
            break;
    }
    out += p.readAllStandardOutput();
    *exitCode = p.exitCode();
    const QList<QByteArray> f = readTextFile(timeFile).toUtf8().trimmed().split('\n').last().split(' ');
    if (f.size() < 4) {
        m.error = u"no /usr/bin/time figures for %1"_s.arg(program);
        return std::nullopt;
    }
    m.wallS = f[0].toDouble();
    m.cpuS = f[1].toDouble() + f[2].toDouble();
    m.maxRssKb = f[3].toLongLong();
    return out;
}

// SIPp's -stf file: `;`-separated, a header line, then one line per dump; the last holds the totals.
std::optional<std::pair<int, int>> sippTotals(const QString &path)
{
    const QStringList lines = readTextFile(path).split(u'\n', Qt::SkipEmptyParts);
    if (lines.size() < 2)
        return std::nullopt;
    const QStringList head = lines.first().split(u';');
    const QStringList last = lines.last().split(u';');
    const qsizetype ok = head.indexOf(u"SuccessfulCall(C)"_s);
    const qsizetype failed = head.indexOf(u"FailedCall(C)"_s);
    if (ok < 0 || failed < 0 || last.size() <= std::max(ok, failed))
        return std::nullopt;
    return std::pair {last[ok].toInt(), last[failed].toInt()};
}

Measure runSipp(const Options &o, quint16 port, const QString &users, const QString &dir)
{
    Measure m;
    const QString stat = dir + u"/sipp_stat.csv"_s;
    QFile::remove(stat);
    int exitCode = -1;
    const QStringList args {u"127.0.0.1:%1"_s.arg(port), u"-sf"_s, QStringLiteral(DS_BENCH_DIR "/sipp/register_auth.xml"), u"-inf"_s, users, u"-m"_s,
        QString::number(o.count), u"-l"_s, QString::number(o.concurrency), u"-r"_s, u"1000000"_s, u"-t"_s, u"u1"_s, u"-buff_size"_s,
        o.sippDefaultBuffer ? u"65535"_s : u"1048576"_s, u"-i"_s, u"127.0.0.1"_s, u"-p"_s, QString::number(freePort()), u"-nostdin"_s, u"-trace_stat"_s,
        u"-stf"_s, stat, u"-fd"_s, u"3600"_s, u"-trace_err"_s, u"-error_file"_s, dir + u"/sipp_errors.log"_s, u"-timeout"_s, u"600s"_s, u"-timeout_error"_s};
    if (!timed(findProgram(u"sipp"_s), args, dir, m, &exitCode))
        return m;
    const auto totals = sippTotals(stat);
    if (!totals) {
        m.error = u"SIPp wrote no statistics (exit %1): %2"_s.arg(exitCode).arg(readTextFile(dir + u"/stderr.txt"_s).right(800));
        return m;
    }
    m.registered = totals->first;
    m.failed = totals->second;
    m.ok = exitCode == 0 && m.failed == 0 && m.registered == o.count;
    if (!m.ok)
        m.error = u"SIPp: exit %1, %2 registered, %3 failed (%4)"_s.arg(exitCode).arg(m.registered).arg(m.failed).arg(dir + u"/sipp_errors.log"_s);
    return m;
}

Measure runDialscope(const Options &o, quint16 port, const QString &users, const QString &dir)
{
    Measure m;
    int exitCode = -1;
    const QStringList args {u"regtest"_s, u"127.0.0.1:%1"_s.arg(port), u"--accounts"_s, users, u"--count"_s, QString::number(o.count), u"--concurrency"_s,
        QString::number(o.concurrency), u"--json"_s};
    const auto out = timed(o.dialscope, args, dir, m, &exitCode);
    if (!out)
        return m;
    for (const QByteArray &line : out->split('\n')) {
        const QJsonObject e = QJsonDocument::fromJson(line).object();
        if (e.value(u"event").toString() == u"result")
            m.result = e;
    }
    m.registered = m.result.value(u"registered").toInt();
    m.failed = m.result.value(u"failed").toInt();
    m.ok = exitCode == 0 && m.failed == 0 && m.registered == o.count;
    if (!m.ok)
        m.error = u"dialscope: exit %1, %2 registered, %3 failed: %4"_s.arg(exitCode)
                      .arg(m.registered)
                      .arg(m.failed)
                      .arg(m.result.isEmpty() ? readTextFile(dir + u"/stderr.txt"_s).right(800) : m.result.value(u"reason").toString());
    return m;
}

double median(std::vector<double> v)
{
    if (v.empty())
        return 0;
    std::sort(v.begin(), v.end());
    return v.size() % 2 ? v[v.size() / 2] : (v[v.size() / 2 - 1] + v[v.size() / 2]) / 2;
}

int usage()
{
    std::fprintf(stderr,
        "usage: bench_regtest [--dialscope PATH] [--accounts N] [--count N] [--concurrency M] [--repeat R] [--out FILE.json] [--keep] [--sipp-default-buffer] "
        "[--smoke]\n");
    return 2;
}

} // namespace

int main(int argc, char **argv)
{
    QCoreApplication app(argc, argv);
    Options o;
    o.dialscope = qEnvironmentVariable("DIALSCOPE_BIN", QStringLiteral(DIALSCOPE_BIN));
    const QStringList args = app.arguments();
    for (qsizetype i = 1; i < args.size(); ++i) {
        const QString &a = args[i];
        const auto next = [&]() -> std::optional<QString> { return i + 1 < args.size() ? std::optional(args[++i]) : std::nullopt; };
        if (a == u"--smoke") {
            o.smoke = true;
        } else if (a == u"--keep") {
            o.keep = true;
        } else if (a == u"--sipp-default-buffer") {
            o.sippDefaultBuffer = true;
        } else if (a == u"--dialscope" || a == u"--out") {
            const auto v = next();
            if (!v)
                return usage();
            (a == u"--dialscope" ? o.dialscope : o.out) = *v;
        } else if (a == u"--accounts" || a == u"--count" || a == u"--concurrency" || a == u"--repeat") {
            const auto v = next();
            const int n = v ? v->toInt() : 0;
            if (n < 1)
                return usage();
            (a == u"--accounts" ? o.accounts : a == u"--count" ? o.count : a == u"--concurrency" ? o.concurrency : o.repeat) = n;
        } else {
            return usage();
        }
    }
    if (o.smoke) {
        o.accounts = 50;
        o.count = 200;
        o.concurrency = 20;
        o.repeat = 1;
    }
    if (o.out.isEmpty())
        o.out = QCoreApplication::applicationDirPath() + u"/bench_regtest.json"_s;
    if (findProgram(u"sipp"_s).isEmpty()) {
        std::fprintf(stderr, "SIPp is not installed (Debian package sip-tester)\n");
        return kSkip;
    }

    QTemporaryDir tmp(QDir::tempPath() + u"/dialscope-bench-regtest-XXXXXX"_s);
    tmp.setAutoRemove(!o.keep);
    KamailioRegistrar kamailio(tmp.path());
    if (const auto prepared = kamailio.prepare(); !prepared) {
        std::fprintf(stderr, "%s\n", qPrintable(prepared.error().message));
        return prepared.error().skip ? kSkip : 1;
    }
    QList<KamailioRegistrar::Subscriber> subscribers;
    QByteArray injection = "SEQUENTIAL\n";
    for (int i = 0; i < o.accounts; ++i) {
        const QString user = u"bench%1"_s.arg(i, 5, 10, QLatin1Char('0'));
        const QString password = u"pw%1x"_s.arg((i * 7919) % 100003);
        subscribers.append({user, password});
        injection += user.toUtf8() + ";[authentication username=" + user.toUtf8() + " password=" + password.toUtf8() + "]\n";
    }
    const QString kamailioDir = tmp.path() + u"/kamailio"_s;
    QDir().mkpath(kamailioDir);
    if (const auto started = kamailio.start(u"MD5"_s, subscribers, kamailioDir); !started) {
        std::fprintf(stderr, "%s\n", qPrintable(started.error().message));
        return 1;
    }
    const QString users = tmp.path() + u"/users.csv"_s;
    writeTextFile(users, QString::fromUtf8(injection));

    std::printf("Registrations per second: dialscope regtest vs SIPp 3.6 (register_auth.xml), digest MD5, Kamailio on UDP loopback\n"
                "%d accounts, %d registrations per run, at most %d in flight, median of %d interleaved repetitions%s\n",
        o.accounts, o.count, o.concurrency, o.repeat, o.smoke ? " (smoke run: figures are meaningless)" : "");
    std::printf("machine: %s; load average before: %s\n", qPrintable(ds::bench::machineNote()), qPrintable(ds::bench::loadAverage()));
    std::fflush(stdout);

    std::vector<Measure> sipp, dialscope;
    for (int r = 0; r < o.repeat; ++r) {
        for (int k = 0; k < 2; ++k) {
            const bool dialscopeTurn = (r + k) % 2 == 1;
            const QString dir = tmp.path() + u"/run%1-%2"_s.arg(r).arg(dialscopeTurn ? u"dialscope"_s : u"sipp"_s);
            QDir().mkpath(dir);
            const Measure m = dialscopeTurn ? runDialscope(o, kamailio.udpPort(), users, dir) : runSipp(o, kamailio.udpPort(), users, dir);
            const QString own
                = dialscopeTurn && m.ok ? u"  (%1 s from first REGISTER to last answer)"_s.arg(m.result.value(u"elapsed_s").toDouble(), 0, 'f', 2) : QString();
            std::printf("  run %d %-9s %6.2f s wall  %7.0f reg/s  %5.2f s CPU  %6lld KiB peak%s%s%s\n", r + 1, dialscopeTurn ? "dialscope" : "sipp", m.wallS,
                m.rate(o.count), m.cpuS, m.maxRssKb, qPrintable(own), m.ok ? "" : "  FAILED: ", qPrintable(m.error));
            std::fflush(stdout);
            if (!m.ok) {
                std::fprintf(stderr, "%s\n%s\n", qPrintable(m.error), qPrintable(kamailio.logTail(1500)));
                return 1;
            }
            (dialscopeTurn ? dialscope : sipp).push_back(m);
        }
    }

    auto med = [](const std::vector<Measure> &v, auto f) {
        std::vector<double> x;
        for (const Measure &m : v)
            x.push_back(f(m));
        return median(x);
    };
    const double sRate = med(sipp, [&](const Measure &m) { return m.rate(o.count); });
    const double dRate = med(dialscope, [&](const Measure &m) { return m.rate(o.count); });
    const double sCpu = med(sipp, [&](const Measure &m) { return m.cpuS / o.count * 1000; });
    const double dCpu = med(dialscope, [&](const Measure &m) { return m.cpuS / o.count * 1000; });
    const double sRss = med(sipp, [](const Measure &m) { return double(m.maxRssKb); });
    const double dRss = med(dialscope, [](const Measure &m) { return double(m.maxRssKb); });
    auto pct = [&](const char *key) { return med(dialscope, [&](const Measure &m) { return m.result.value(QLatin1String(key)).toDouble(); }); };

    std::printf("\n| tool | registrations/s | CPU s per 1000 | peak RSS MiB | p50 | p95 | p99 | challenge p50 |\n| --- | ---: | ---: | ---: | ---: | ---: | "
                "---: | ---: |\n");
    std::printf("| dialscope regtest | %.0f | %.3f | %.1f | %.2f ms | %.2f ms | %.2f ms | %.2f ms |\n", dRate, dCpu, dRss / 1024, pct("p50_ms"), pct("p95_ms"),
        pct("p99_ms"), pct("challenge_p50_ms"));
    std::printf("| SIPp | %.0f | %.3f | %.1f | - | - | - | - |\n", sRate, sCpu, sRss / 1024);
    std::printf("ratios dialscope/SIPp: rate %.2fx, CPU per registration %.2fx, peak memory %.2fx\n", sRate > 0 ? dRate / sRate : 0, sCpu > 0 ? dCpu / sCpu : 0,
        sRss > 0 ? dRss / sRss : 0);

    QJsonObject json {{u"accounts"_s, o.accounts}, {u"count"_s, o.count}, {u"concurrency"_s, o.concurrency}, {u"repeat"_s, o.repeat},
        {u"machine"_s, ds::bench::machineNote()}, {u"dialscope_rate"_s, dRate}, {u"sipp_rate"_s, sRate}, {u"dialscope_cpu_per_1000"_s, dCpu},
        {u"sipp_cpu_per_1000"_s, sCpu}, {u"dialscope_rss_kb"_s, dRss}, {u"sipp_rss_kb"_s, sRss}, {u"dialscope_p50_ms"_s, pct("p50_ms")},
        {u"dialscope_p95_ms"_s, pct("p95_ms")}, {u"dialscope_p99_ms"_s, pct("p99_ms")}};
    QFile f(o.out);
    if (f.open(QIODevice::WriteOnly))
        f.write(QJsonDocument(json).toJson());
    return 0;
}
