// bench_soak: 1,000 calls back to back from one long-lived phone against a SIPp UAS that echoes RTP (issue 6),
// measuring what must stay flat: the phone's resident memory, its open file descriptors and threads, and the SIP
// stack's open transactions and remembered sources. SIPp's own resident memory is sampled beside it. Never asserts on
// time or memory: it fails only when a call is not answered or carries no RTP, since a flat line over calls that did
// not happen would mean nothing. The figures go to docs/PERFORMANCE.md ("Soak (issue 6)").
//
//   bench_soak [--calls N] [--talk MS] [--every K] [--out FILE.json]
//   bench_soak --smoke        30 calls of 500 ms: proves the bench works (CTest bench_soak_smoke)
//
// The phone is the core as the GUI and the CLI build it — UserAgent (UDP, SIPp as its server, no registration),
// CallCenter, MediaEngine with its media thread — in this process, so /proc/self is the phone. Each call: INVITE,
// 100/180/200 with SDP, ACK, --talk ms (default 500) of PCMU both ways (a 1000 Hz tone out, SIPp's echo back, decoded and dropped),
// BYE, 200; the next call starts when the last one has ended. Samples after a warm-up of --every calls and then every
// --every calls: VmRSS and VmHWM (/proc/self/status), entries of /proc/self/fd, threads (/proc/self/task).
// Exit status: 0 measured, 1 a call failed, 2 bad usage, 77 SIPp missing (CTest SKIP_RETURN_CODE).

#include "support/peer.h"

#include "media/media_engine.h"
#include "phone/call_center.h"
#include "phone/user_agent.h"

#include <QCoreApplication>
#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTemporaryDir>
#include <QTimer>

#include <cstdio>
#include <optional>

using namespace ds::test;
using namespace Qt::StringLiterals;

namespace {

constexpr int kSkip = 77;

struct Sample {
    int calls = 0;
    qint64 rssKb = 0;
    qint64 hwmKb = 0;
    int fds = 0;
    int threads = 0;
    int clientTransactions = 0;
    int serverTransactions = 0;
    qint64 sippRssKb = 0;
    double seconds = 0;
};

qint64 statusKb(const QString &path, QByteArrayView field)
{
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly))
        return -1;
    for (const QByteArray &line : f.readAll().split('\n'))
        if (line.startsWith(field))
            return line.mid(field.size()).trimmed().split(' ').first().toLongLong();
    return -1;
}

int entries(const QString &dir) { return int(QDir(dir).entryList(QDir::NoDotAndDotDot | QDir::AllEntries | QDir::System).size()); }

QJsonObject toJson(const Sample &s)
{
    return {{u"calls"_s, s.calls}, {u"rss_kb"_s, s.rssKb}, {u"hwm_kb"_s, s.hwmKb}, {u"fds"_s, s.fds}, {u"threads"_s, s.threads},
        {u"client_transactions"_s, s.clientTransactions}, {u"server_transactions"_s, s.serverTransactions}, {u"sipp_rss_kb"_s, s.sippRssKb},
        {u"seconds"_s, s.seconds}};
}

} // namespace

int main(int argc, char **argv)
{
    QCoreApplication app(argc, argv);
    const QStringList args = app.arguments();
    int calls = 1000, talkMs = 500, every = 100;
    QString out;
    for (qsizetype i = 1; i < args.size(); ++i) {
        const QString &a = args[i];
        const bool hasValue = i + 1 < args.size();
        if (a == u"--smoke"_s) {
            calls = 30;
            talkMs = 500;
            every = 10;
        } else if (a == u"--calls"_s && hasValue) {
            calls = args[++i].toInt();
        } else if (a == u"--talk"_s && hasValue) {
            talkMs = args[++i].toInt();
        } else if (a == u"--every"_s && hasValue) {
            every = args[++i].toInt();
        } else if (a == u"--out"_s && hasValue) {
            out = args[++i];
        } else {
            std::fprintf(stderr, "usage: bench_soak [--calls N] [--talk MS] [--every K] [--out FILE.json] | --smoke\n");
            return 2;
        }
    }
    if (calls < 1 || talkMs < 0 || every < 1) {
        std::fprintf(stderr, "bench_soak: --calls and --every must be positive, --talk not negative\n");
        return 2;
    }
    const QString sippBin = findProgram(u"sipp"_s);
    if (sippBin.isEmpty()) {
        std::fprintf(stderr, "bench_soak: sipp not found: install the Debian package sip-tester\n");
        return kSkip;
    }
    QTemporaryDir tmp(QDir::tempPath() + u"/dialscope-soak-XXXXXX"_s);
    const quint16 sippPort = freePort(PortKind::Udp);
    const quint16 mediaPort = freeUdpPortPair();
    PeerProcess sipp(u"sipp"_s, tmp.filePath(u"sipp.log"_s));
    // SIPp's built-in UAS: 180, 200 with SDP, waits for the ACK and the BYE; -rtp_echo sends our RTP back.
    if (!sipp.start(sippBin,
            {u"-sn"_s, u"uas"_s, u"-i"_s, u"127.0.0.1"_s, u"-p"_s, QString::number(sippPort), u"-mp"_s, QString::number(mediaPort), u"-rtp_echo"_s,
                u"-nostdin"_s},
            tmp.path(), {{ReadyProbe::UdpBound, sippPort}})) {
        std::fprintf(stderr, "bench_soak: SIPp did not start: %s\n", qPrintable(sipp.errorString()));
        return 1;
    }

    ds::sip::SystemClock clock;
    ds::media::MediaEngine media;
    ds::phone::Account account;
    account.user = u"soak"_s;
    account.server = u"127.0.0.1:%1"_s.arg(sippPort);
    ds::phone::AgentOptions options;
    options.bindAddress = QHostAddress(QHostAddress::LocalHost);
    ds::phone::UserAgent agent(account, options, clock);
    ds::phone::CallCenter center(agent, nullptr, media, {});
    ds::phone::CallSettings settings;
    settings.codecs = {"PCMU"};
    settings.audio.toneHz = 1000;
    center.setSettings(settings);

    QList<Sample> samples;
    QElapsedTimer elapsed;
    int done = 0;
    quint64 rtpReceived = 0;
    std::optional<QString> failure;
    auto sample = [&] {
        Sample s;
        s.calls = done;
        s.rssKb = statusKb(u"/proc/self/status"_s, "VmRSS:");
        s.hwmKb = statusKb(u"/proc/self/status"_s, "VmHWM:");
        s.fds = entries(u"/proc/self/fd"_s);
        s.threads = entries(u"/proc/self/task"_s);
        s.clientTransactions = agent.layer() ? agent.layer()->activeClientTransactions() : 0;
        s.serverTransactions = agent.layer() ? agent.layer()->activeServerTransactions() : 0;
        s.sippRssKb = statusKb(u"/proc/%1/status"_s.arg(sipp.pid()), "VmRSS:");
        s.seconds = double(elapsed.elapsed()) / 1000.0;
        samples << s;
        std::printf("%6d calls  %8.1f s  RSS %7lld KiB  HWM %7lld KiB  fds %4d  threads %3d  transactions %d/%d  SIPp RSS %lld KiB\n", s.calls, s.seconds,
            s.rssKb, s.hwmKb, s.fds, s.threads, s.clientTransactions, s.serverTransactions, s.sippRssKb);
        std::fflush(stdout);
    };

    std::function<void()> next = [&] {
        if (done == calls) {
            // Let the last transactions (the BYE's Timer K) end before the final sample.
            QTimer::singleShot(6000, &app, [&] {
                sample();
                app.quit();
            });
            return;
        }
        auto call = center.dial(u"sipp@127.0.0.1:%1"_s.arg(sippPort));
        if (!call) {
            failure = call.error();
            app.quit();
            return;
        }
        ds::phone::Call *c = *call;
        QObject::connect(c, &ds::phone::Call::stateChanged, c, [c, talkMs](ds::phone::Call::State s) {
            if (s == ds::phone::Call::State::Active)
                QTimer::singleShot(talkMs, c, [c] { c->hangUp(); });
        });
        QObject::connect(c, &ds::phone::Call::ended, &app, [&, c] {
            if (c->outcome() != ds::phone::CallOutcome::Answered) {
                failure = u"call %1 was not answered (status %2)"_s.arg(done + 1).arg(c->end().status);
                app.quit();
                return;
            }
            rtpReceived += c->stats().rtpReceived;
            if (talkMs >= 500 && c->stats().rtpReceived == 0) { // statistics come a few times a second
                failure = u"call %1 received no RTP from SIPp's echo"_s.arg(done + 1);
                app.quit();
                return;
            }
            ++done;
            if (done == every || (done > every && done % every == 0))
                sample();
            QTimer::singleShot(0, &app, next); // after the call has left the center
        });
    };
    QObject::connect(&agent, &ds::phone::UserAgent::ready, &app, [&] {
        elapsed.start();
        next();
    });
    QObject::connect(&agent, &ds::phone::UserAgent::failed, &app, [&](const ds::phone::Diagnosis &d) {
        failure = d.reason;
        app.quit();
    });
    agent.start();
    app.exec();
    sipp.stop();

    if (failure) {
        std::fprintf(stderr, "bench_soak: %s\n", qPrintable(*failure));
        return 1;
    }
    const Sample &first = samples.first(), &last = samples.last();
    std::printf("\n%d calls of %d ms in %.0f s; %llu RTP packets received. From call %d to the end: RSS %+lld KiB, fds %+d, threads %+d\n", done, talkMs,
        last.seconds, static_cast<unsigned long long>(rtpReceived), first.calls, last.rssKb - first.rssKb, last.fds - first.fds, last.threads - first.threads);
    if (!out.isEmpty()) {
        QJsonArray rows;
        for (const Sample &s : samples)
            rows.append(toJson(s));
        QFile f(out);
        if (!f.open(QIODevice::WriteOnly)
            || f.write(QJsonDocument(QJsonObject {{u"calls"_s, done}, {u"talk_ms"_s, talkMs}, {u"samples"_s, rows}}).toJson()) < 0) {
            std::fprintf(stderr, "bench_soak: cannot write %s\n", qPrintable(out));
            return 1;
        }
    }
    return 0;
}
