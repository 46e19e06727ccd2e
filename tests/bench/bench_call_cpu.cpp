// bench_call_cpu: CPU seconds per minute of call, dialscope against baresip running the same call through the same
// Kamailio in the same run (ARCHITECTURE.md, Tests; issue 3). Never asserts on time: it fails only when a call does not
// happen, ends early or carries no tone, since a CPU figure for a call without media would mean nothing.
//
//   bench_call_cpu [--dialscope PATH] [--duration S] [--repeat R] [--codec PCMU|PCMA|opus]... [--out FILE.json] [--keep]
//   bench_call_cpu --smoke        2 s calls, 1 repetition: proves the bench works (CTest bench_call_cpu_smoke)
//
// The dialscope binary: --dialscope, else $DIALSCOPE_BIN, else the one this bench was built with. Measure a Release
// build (build-bench). $DS_BENCH_CALL_SECONDS and $DS_BENCH_CALL_REPEAT set the defaults of --duration and --repeat.
// Exit status: 0 measured, 1 a call failed, 2 bad usage, 77 Kamailio or baresip missing (CTest SKIP_RETURN_CODE).
//
// One Kamailio (registrar and proxy, tests/interop/kamailio/registrar.cfg) serves every call. For each repetition and
// codec, two calls run one after the other, baresip first, then dialscope, so both see the same machine state:
//
// (a) baresip -> baresip (tests/interop/support/baresip.cpp): both register, the caller dials the callee's AOR at the
//     proxy, the callee answers by itself. No sound card: each sends ausine's 1000 Hz sine (generated at 48 kHz stereo
//     and resampled to the codec's rate by baresip), encodes it, and decodes what it receives; sndfile records both
//     directions (dump-*-enc.wav, dump-*-dec.wav) and no audio player is loaded. Opus as that harness configures it:
//     opus/48000/2 at 32 kbit/s, and baresip's opus module for the rest (its modules/opus/encode.c: stereo allowed,
//     OPUS_APPLICATION_AUDIO, complexity 10, no in-band FEC).
// (b) `dialscope answer` and `dialscope call`, the same: both register, the caller dials the callee's user at the proxy,
//     --tone 1000 (TonePort at the codec's rate, no resampling) is encoded and sent, what arrives is decoded and
//     recorded (--record, a WAV of the received audio only); --codecs forces the codec, ptime 20 ms as baresip's.
//     Opus is dialscope's OpusCodec default: mono, 24 kbit/s, complexity 5, FEC on.
//
// Measured: utime + stime of each phone's process (/proc/PID/stat, the whole thread group, clock ticks) over the
// answered interval: sampled when that side reports the call answered (baresip CALL_ESTABLISHED, dialscope's JSON
// `call` event with state "active", read as the lines arrive) and again after exactly --duration seconds, before
// anyone hangs up (dialscope's own --duration is set 2 s longer). Also the sum of every thread's on-CPU time from
// /proc/PID/task/*/schedstat (nanoseconds, a cross-check finer than the 10 ms tick), and the context switches of every
// thread (/proc/PID/task/*/status), which count wake-ups: what costs a phone most when its codec is cheap. Normalised to
// CPU seconds per minute of call for each side; a row is the median over the repetitions, and the ratio is dialscope /
// baresip. Kamailio's CPU is not counted: it only relays SIP, before and after the measured interval.

#include "bench_machine.h"
#include "support/baresip.h"
#include "support/kamailio_registrar.h"
#include "support/peer.h"
#include "support/wav_analysis.h"

#include <QCoreApplication>
#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QSysInfo>
#include <QTemporaryDir>
#include <QThread>

#include <signal.h>
#include <sys/prctl.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <expected>
#include <functional>
#include <memory>
#include <optional>
#include <vector>

#ifndef DIALSCOPE_BIN
#define DIALSCOPE_BIN ""
#endif

using namespace ds::test;
using ds::bench::loadAverage;
using ds::bench::machineNote;
using namespace Qt::StringLiterals;

namespace {

using Clock = std::chrono::steady_clock;
constexpr int kToneHz = 1000;
constexpr int kSkip = 77;

// ---- CPU of a process ------------------------------------------------------------------------

struct CpuSample {
    bool ok = false;
    double statS = 0; // utime + stime of the thread group, live and exited threads
    double schedS = 0; // on-CPU time summed over the live threads
    double switches = 0; // context switches, voluntary (a thread went to sleep: a wake-up) and not, of the live threads
    Clock::time_point at;
};

CpuSample sampleCpu(qint64 pid)
{
    CpuSample s;
    s.at = Clock::now();
    QFile stat(u"/proc/%1/stat"_s.arg(pid));
    if (!stat.open(QIODevice::ReadOnly))
        return s;
    const QByteArray line = stat.readAll();
    // "pid (comm) state ppid ...": comm may hold spaces, so count fields after the last ')'. utime and stime are
    // fields 14 and 15 (proc(5)), the 12th and 13th after it.
    const QList<QByteArray> fields = line.mid(line.lastIndexOf(')') + 2).split(' ');
    if (fields.size() < 13)
        return s;
    const double tick = double(::sysconf(_SC_CLK_TCK));
    s.statS = double(fields[11].toLongLong() + fields[12].toLongLong()) / tick;
    const QStringList tasks = QDir(u"/proc/%1/task"_s.arg(pid)).entryList(QDir::Dirs | QDir::NoDotAndDotDot);
    for (const QString &task : tasks) {
        QFile sched(u"/proc/%1/task/%2/schedstat"_s.arg(pid).arg(task));
        if (sched.open(QIODevice::ReadOnly))
            s.schedS += double(sched.readAll().split(' ').value(0).toLongLong()) / 1e9;
        QFile status(u"/proc/%1/task/%2/status"_s.arg(pid).arg(task));
        if (status.open(QIODevice::ReadOnly))
            for (const QByteArray &field : status.readAll().split('\n'))
                if (field.contains("ctxt_switches:"))
                    s.switches += field.mid(field.indexOf(':') + 1).trimmed().toDouble();
    }
    s.ok = true;
    return s;
}

// What one phone of one call cost, per minute of call.
struct Side {
    double seconds = 0; // wall clock between the two samples
    double cpuS = 0, schedS = 0; // CPU over that interval
    double switches = 0; // context switches over that interval
    double perMin() const { return seconds > 0 ? cpuS * 60 / seconds : 0; }
    double switchesPerS() const { return seconds > 0 ? switches / seconds : 0; }
    double schedPerMin() const { return seconds > 0 ? schedS * 60 / seconds : 0; }
};

Side between(const CpuSample &a, const CpuSample &b)
{
    return {std::chrono::duration<double>(b.at - a.at).count(), b.statS - a.statS, b.schedS - a.schedS, b.switches - a.switches};
}

// The process whose command line holds every one of needles (a baresip started with -f DIR: the directory is unique).
qint64 pidByCommandLine(const QStringList &needles)
{
    const QStringList entries = QDir(u"/proc"_s).entryList(QDir::Dirs | QDir::NoDotAndDotDot);
    for (const QString &e : entries) {
        bool numeric = false;
        const qint64 pid = e.toLongLong(&numeric);
        if (!numeric)
            continue;
        QFile f(u"/proc/%1/cmdline"_s.arg(e));
        if (!f.open(QIODevice::ReadOnly))
            continue;
        const QList<QByteArray> args = f.readAll().split('\0');
        const bool all = std::ranges::all_of(needles, [&](const QString &n) { return args.contains(n.toLocal8Bit()); });
        if (all && !args.isEmpty() && args.first().endsWith("baresip"))
            return pid;
    }
    return 0;
}

double median(std::vector<double> v)
{
    if (v.empty())
        return 0;
    std::sort(v.begin(), v.end());
    const std::size_t n = v.size();
    return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

// ---- dialscope as a child process, its JSON Lines read as they come, with its pid for /proc ---------

void dieWithParent()
{
    ::setpgid(0, 0);
    ::prctl(PR_SET_PDEATHSIG, SIGTERM);
}

class DialscopeChild {
public:
    explicit DialscopeChild(QString name)
        : m_name(std::move(name))
    {
    }
    ~DialscopeChild()
    {
        if (m_process.state() != QProcess::NotRunning) {
            ::kill(-pid_t(m_process.processId()), SIGKILL);
            m_process.waitForFinished(3000);
        }
    }

    bool start(const QString &program, const QStringList &args, const QString &password)
    {
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        env.insert(u"DIALSCOPE_PASSWORD"_s, password);
        m_process.setProcessEnvironment(env);
        m_process.setStandardInputFile(QProcess::nullDevice());
        m_process.setChildProcessModifier(dieWithParent);
        m_args = args;
        m_process.start(program, args);
        return m_process.waitForStarted(10000);
    }
    qint64 pid() const { return m_process.processId(); }
    bool running() const { return m_process.state() != QProcess::NotRunning; }

    // Reads what is there, waiting up to ms for something; complete lines become events.
    void pump(int ms)
    {
        if (running() && m_process.bytesAvailable() == 0)
            m_process.waitForReadyRead(ms);
        m_out += m_process.readAllStandardOutput();
        m_err += m_process.readAllStandardError();
        qsizetype nl;
        while ((nl = m_out.indexOf('\n', m_parsed)) >= 0) {
            const QJsonObject o = QJsonDocument::fromJson(m_out.mid(m_parsed, nl - m_parsed)).object();
            if (!o.isEmpty())
                m_events.append(o);
            m_parsed = nl + 1;
        }
    }
    // The first event, oldest first, that matches and was not returned before.
    std::optional<QJsonObject> take(const std::function<bool(const QJsonObject &)> &match)
    {
        for (; m_next < m_events.size(); ++m_next)
            if (match(m_events[m_next]))
                return m_events[m_next++];
        return std::nullopt;
    }
    bool waitFinished(int ms)
    {
        QElapsedTimer t;
        t.start();
        while (running() && t.elapsed() < ms)
            pump(50);
        pump(0);
        return !running();
    }
    int exitCode() const { return m_process.exitStatus() == QProcess::NormalExit ? m_process.exitCode() : -1; }
    QJsonObject result() const
    {
        for (auto it = m_events.crbegin(); it != m_events.crend(); ++it)
            if (it->value(u"event").toString() == u"result")
                return *it;
        return {};
    }
    QString describe() const
    {
        return u"\n--- dialscope %1: %2\n--- stderr:\n%3\n--- stdout (end):\n%4\n"_s.arg(
            m_name, m_args.join(u' '), QString::fromUtf8(m_err.right(3000)), QString::fromUtf8(m_out.right(6000)));
    }

private:
    QString m_name;
    QStringList m_args;
    QProcess m_process;
    QByteArray m_out, m_err;
    qsizetype m_parsed = 0;
    QList<QJsonObject> m_events;
    qsizetype m_next = 0;
};

bool isActiveCall(const QJsonObject &e) { return e.value(u"event").toString() == u"call" && e.value(u"state").toString() == u"active"; }

// ---- the bench -------------------------------------------------------------------------------

struct Options {
    QString dialscope;
    double seconds = 20;
    int repeat = 3;
    QStringList codecs {u"PCMU"_s, u"opus"_s};
    QString out; // default: bench_call_cpu.json next to the executable (not executable itself: `scripts/dev bench` skips it)
    bool keep = false;
    bool smoke = false;
};

// One call of one setup: the caller's and the callee's cost.
struct Run {
    QString setup; // "baresip" or "dialscope"
    QString codec;
    int repetition = 0;
    Side caller, callee;
    QString note; // what proved the call carried audio
};

class Bench {
public:
    explicit Bench(Options o)
        : m_o(std::move(o))
    {
    }

    // Starts Kamailio with enough subscribers for every call. Returns the exit status when it cannot.
    std::optional<int> prepare()
    {
        if (const auto installed = BaresipPeer::installed(); !installed) {
            std::fprintf(stderr, "bench_call_cpu: skipped: %s\n", qPrintable(installed.error().message));
            return kSkip;
        }
        if (!QFileInfo(m_o.dialscope).isExecutable()) {
            std::fprintf(stderr, "bench_call_cpu: no dialscope binary at \"%s\" (--dialscope or $DIALSCOPE_BIN)\n", qPrintable(m_o.dialscope));
            return 2;
        }
        m_tmp = std::make_unique<QTemporaryDir>(QDir::tempPath() + u"/dialscope-bench-call-XXXXXX"_s);
        if (!m_tmp->isValid())
            return 1;
        m_tmp->setAutoRemove(!m_o.keep);
        m_kamailio = std::make_unique<KamailioRegistrar>(m_tmp->path());
        QList<KamailioRegistrar::Subscriber> subscribers;
        const int calls = m_o.repeat * int(m_o.codecs.size()) * 2;
        for (int i = 0; i < calls; ++i)
            subscribers << KamailioRegistrar::Subscriber {u"caller%1"_s.arg(i), u"pw-caller%1"_s.arg(i)}
                        << KamailioRegistrar::Subscriber {u"callee%1"_s.arg(i), u"pw-callee%1"_s.arg(i)};
        const QString dir = m_tmp->path() + u"/kamailio"_s;
        QDir().mkpath(dir);
        if (const auto started = m_kamailio->start(u"MD5"_s, subscribers, dir); !started) {
            std::fprintf(stderr, "bench_call_cpu: %s%s\n", started.error().skip ? "skipped: " : "", qPrintable(started.error().message));
            return started.error().skip ? kSkip : 1;
        }
        return std::nullopt;
    }

    std::expected<Run, QString> runBaresip(const QString &codec, int repetition)
    {
        const int n = m_nextCall++;
        const QString dir = m_tmp->path() + u"/call%1-baresip-%2"_s.arg(n).arg(codec);
        BaresipPeer caller(u"caller"_s, dir), callee(u"callee"_s, dir);
        const auto start = [&](BaresipPeer &peer, const QString &name, const QString &user) -> std::expected<qint64, QString> {
            BaresipOptions o;
            o.user = user;
            o.password = u"pw-"_s + user;
            o.registrarPort = m_kamailio->udpPort();
            o.codec = codec;
            o.toneHz = kToneHz;
            if (const auto started = peer.start(o); !started)
                return std::unexpected(started.error().message);
            if (!peer.waitRegistered())
                return std::unexpected(peer.describe());
            const qint64 pid = pidByCommandLine({u"-f"_s, dir + u'/' + name}); // BaresipPeer runs baresip -f DIR/NAME
            if (pid == 0)
                return std::unexpected(u"cannot find the process of baresip in "_s + dir);
            return pid;
        };
        const auto callerPid = start(caller, u"caller"_s, u"caller%1"_s.arg(n));
        if (!callerPid)
            return std::unexpected(callerPid.error());
        const auto calleePid = start(callee, u"callee"_s, u"callee%1"_s.arg(n));
        if (!calleePid)
            return std::unexpected(calleePid.error());

        if (!caller.dial(callee.aor()))
            return std::unexpected(caller.describe());
        // Each side from its own CALL_ESTABLISHED (the callee answers first, the caller hears the 200 OK).
        std::optional<CpuSample> callerStart, calleeStart;
        const QElapsedTimer waited = started();
        while (!callerStart || !calleeStart) {
            if (!callerStart && caller.waitEvent(u"CALL_ESTABLISHED"_s, 5))
                callerStart = sampleCpu(*callerPid);
            if (!calleeStart && callee.waitEvent(u"CALL_ESTABLISHED"_s, 5))
                calleeStart = sampleCpu(*calleePid);
            if (waited.elapsed() > 15000)
                return std::unexpected(u"the baresip call was not established within 15 s"_s + caller.describe() + callee.describe());
        }
        sleepUntil(std::max(callerStart->at, calleeStart->at) + seconds(), [&] {
            caller.events(); // keep ctrl_tcp drained
            callee.events();
        });
        const CpuSample callerEnd = sampleCpu(*callerPid), calleeEnd = sampleCpu(*calleePid);
        if (!callerStart->ok || !calleeStart->ok || !callerEnd.ok || !calleeEnd.ok)
            return std::unexpected(u"cannot read /proc for baresip"_s);

        if (!caller.hangup() || !caller.waitEvent(u"CALL_CLOSED"_s) || !callee.waitEvent(u"CALL_CLOSED"_s))
            return std::unexpected(u"the baresip call did not end cleanly"_s + caller.describe() + callee.describe());
        QStringList heard;
        for (BaresipPeer *peer : {&caller, &callee}) {
            const auto recording = peer->lastRecording(BaresipPeer::Stream::Received);
            if (!recording)
                return std::unexpected(recording.error());
            if (const auto bad = checkHeard(*recording))
                return std::unexpected(u"baresip "_s + *bad + peer->describe());
            heard << *recording;
        }
        caller.stop();
        callee.stop();
        return Run {u"baresip"_s, codec, repetition, between(*callerStart, callerEnd), between(*calleeStart, calleeEnd), heard.join(u", ")};
    }

    std::expected<Run, QString> runDialscope(const QString &codec, int repetition)
    {
        const int n = m_nextCall++;
        const QString dir = m_tmp->path() + u"/call%1-dialscope-%2"_s.arg(n).arg(codec);
        QDir().mkpath(dir);
        const QString server = u"127.0.0.1:%1"_s.arg(m_kamailio->udpPort());
        const QString callerUser = u"caller%1"_s.arg(n), calleeUser = u"callee%1"_s.arg(n);
        const QString timeout = QString::number(int(m_o.seconds) + 60);
        const QStringList common {u"--server"_s, server, u"--codecs"_s, codec, u"--tone"_s, QString::number(kToneHz), u"--json"_s, u"--bind"_s,
            u"127.0.0.1:0"_s, u"--timeout"_s, timeout};

        DialscopeChild callee(u"callee"_s), caller(u"caller"_s);
        const QString calleeWav = dir + u"/callee-received.wav"_s, callerWav = dir + u"/caller-received.wav"_s;
        if (!callee.start(m_o.dialscope, QStringList {u"answer"_s, u"--user"_s, calleeUser, u"--record"_s, calleeWav} + common, u"pw-"_s + calleeUser))
            return std::unexpected(u"cannot start "_s + m_o.dialscope);
        // Registered and listening: `answer` says so in a finding with "listen".
        QElapsedTimer waited = started();
        while (!callee.take([](const QJsonObject &e) { return e.contains(u"listen"); })) {
            callee.pump(50);
            if (!callee.running() || waited.elapsed() > 15000)
                return std::unexpected(u"dialscope answer did not get ready"_s + callee.describe());
        }
        // The caller's --duration runs past the measured interval, so nobody hangs up inside it.
        const QStringList callArgs
            = QStringList {u"call"_s, calleeUser, u"--user"_s, callerUser, u"--record"_s, callerWav, u"--duration"_s, QString::number(m_o.seconds + 2, 'f', 1)}
            + common;
        if (!caller.start(m_o.dialscope, callArgs, u"pw-"_s + callerUser))
            return std::unexpected(u"cannot start "_s + m_o.dialscope);
        std::optional<CpuSample> callerStart, calleeStart;
        waited = started();
        while (!callerStart || !calleeStart) {
            caller.pump(5);
            callee.pump(5);
            if (!callerStart && caller.take(isActiveCall))
                callerStart = sampleCpu(caller.pid());
            if (!calleeStart && callee.take(isActiveCall))
                calleeStart = sampleCpu(callee.pid());
            if (waited.elapsed() > 15000 || !caller.running() || !callee.running())
                return std::unexpected(u"the dialscope call was not answered"_s + caller.describe() + callee.describe());
        }
        sleepUntil(std::max(callerStart->at, calleeStart->at) + seconds(), [&] {
            caller.pump(0);
            callee.pump(0);
        });
        const CpuSample callerEnd = sampleCpu(caller.pid()), calleeEnd = sampleCpu(callee.pid());
        if (!callerStart->ok || !calleeStart->ok || !callerEnd.ok || !calleeEnd.ok)
            return std::unexpected(u"cannot read /proc for dialscope (did it exit during the call?)"_s + caller.describe() + callee.describe());

        if (!caller.waitFinished(20000) || !callee.waitFinished(20000))
            return std::unexpected(u"dialscope did not exit after the call"_s + caller.describe() + callee.describe());
        const double minPackets = m_o.seconds * 50 * 0.8; // 20 ms packets, most of them
        for (DialscopeChild *p : {&caller, &callee}) {
            const QJsonObject r = p->result();
            const qint64 received = r.value(u"rtp"_s).toObject().value(u"received"_s).toInteger();
            if (p->exitCode() != 0 || r.value(u"outcome"_s).toString() != u"answered" || !r.value(u"codec"_s).toString().startsWith(codec, Qt::CaseInsensitive)
                || double(received) < minPackets)
                return std::unexpected(
                    u"dialscope's call did not go as planned (exit %1, %2 RTP packets received)"_s.arg(p->exitCode()).arg(received) + p->describe());
        }
        for (const QString &wav : {callerWav, calleeWav})
            if (const auto bad = checkHeard(wav))
                return std::unexpected(u"dialscope "_s + *bad + caller.describe() + callee.describe());
        return Run {u"dialscope"_s, codec, repetition, between(*callerStart, callerEnd), between(*calleeStart, calleeEnd), callerWav + u", "_s + calleeWav};
    }

    const Options &options() const { return m_o; }

private:
    std::chrono::nanoseconds seconds() const { return std::chrono::nanoseconds(qint64(m_o.seconds * 1e9)); }

    static QElapsedTimer started()
    {
        QElapsedTimer t;
        t.start();
        return t;
    }

    // Sleeps until `until`, waking every 250 ms to run `drain` (pipes and sockets must not fill up).
    static void sleepUntil(Clock::time_point until, const std::function<void()> &drain)
    {
        while (true) {
            const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(until - Clock::now()).count();
            if (left <= 0)
                return;
            QThread::msleep(std::min<qint64>(left, 250));
            drain();
        }
    }

    // The recording holds the 1000 Hz tone for most of the call: nullopt, else what is wrong.
    std::optional<QString> checkHeard(const QString &wav) const
    {
        const ToneCheck tone = checkTone(wav, kToneHz);
        if (!tone.ok)
            return wav + u": "_s + tone.error;
        if (tone.seconds < m_o.seconds * 0.8 || tone.toneShare < 0.8)
            return u"%1: %2 s recorded, %3 of the energy at %4 Hz"_s.arg(wav).arg(tone.seconds, 0, 'f', 2).arg(tone.toneShare, 0, 'f', 2).arg(kToneHz);
        return std::nullopt;
    }

    Options m_o;
    std::unique_ptr<QTemporaryDir> m_tmp;
    std::unique_ptr<KamailioRegistrar> m_kamailio;
    int m_nextCall = 0;
};

int usage()
{
    std::fprintf(
        stderr, "usage: bench_call_cpu [--dialscope PATH] [--duration S] [--repeat R] [--codec PCMU|PCMA|opus]... [--out FILE.json] [--keep] [--smoke]\n");
    return 2;
}

} // namespace

int main(int argc, char **argv)
{
    QCoreApplication app(argc, argv);
    Options o;
    o.dialscope = qEnvironmentVariable("DIALSCOPE_BIN", QStringLiteral(DIALSCOPE_BIN));
    if (qEnvironmentVariableIsSet("DS_BENCH_CALL_SECONDS"))
        o.seconds = qEnvironmentVariable("DS_BENCH_CALL_SECONDS").toDouble();
    if (qEnvironmentVariableIsSet("DS_BENCH_CALL_REPEAT"))
        o.repeat = qEnvironmentVariableIntValue("DS_BENCH_CALL_REPEAT");
    QStringList codecs;
    const QStringList args = app.arguments();
    for (qsizetype i = 1; i < args.size(); ++i) {
        const QString &a = args[i];
        const auto next = [&]() -> std::optional<QString> { return i + 1 < args.size() ? std::optional(args[++i]) : std::nullopt; };
        if (a == u"--smoke") {
            o.smoke = true;
        } else if (a == u"--keep") {
            o.keep = true;
        } else if (a == u"--dialscope" || a == u"--out" || a == u"--codec") {
            const auto v = next();
            if (!v)
                return usage();
            if (a == u"--dialscope")
                o.dialscope = *v;
            else if (a == u"--out")
                o.out = *v;
            else
                codecs << *v;
        } else if (a == u"--duration") {
            const auto v = next();
            if (!v || (o.seconds = v->toDouble()) < 1)
                return usage();
        } else if (a == u"--repeat") {
            const auto v = next();
            if (!v || (o.repeat = v->toInt()) < 1)
                return usage();
        } else {
            return usage();
        }
    }
    if (!codecs.isEmpty())
        o.codecs = codecs;
    if (o.out.isEmpty())
        o.out = QCoreApplication::applicationDirPath() + u"/bench_call_cpu.json"_s;
    if (o.smoke) {
        o.seconds = 2;
        o.repeat = 1;
    }
    if (o.seconds < 1 || o.repeat < 1)
        return usage();

    Bench bench(o);
    if (const auto failed = bench.prepare())
        return *failed;

    std::printf("Call CPU: dialscope %s vs baresip, through Kamailio - %.0f s calls, median of %d interleaved repetitions%s\n", qPrintable(o.dialscope),
        o.seconds, o.repeat, o.smoke ? " (smoke run: figures are meaningless)" : "");
    std::printf("machine: %s; load average before: %s\n", qPrintable(machineNote()), qPrintable(loadAverage()));
    std::fflush(stdout);

    std::vector<Run> runs;
    for (int r = 0; r < o.repeat; ++r) {
        for (const QString &codec : o.codecs) {
            for (const bool dialscope : {false, true}) { // baresip, dialscope, baresip, dialscope...
                auto run = dialscope ? bench.runDialscope(codec, r) : bench.runBaresip(codec, r);
                if (!run) {
                    std::fprintf(stderr, "bench_call_cpu: %s %s, repetition %d: %s\n", dialscope ? "dialscope" : "baresip", qPrintable(codec), r + 1,
                        qPrintable(run.error()));
                    return 1;
                }
                std::printf("  %d %-5s %-9s caller %.3f s CPU in %.2f s (%.3f s/min, sched %.3f, %.0f switches/s), callee %.3f s CPU in %.2f s (%.3f s/min, "
                            "sched %.3f, %.0f switches/s)\n",
                    r + 1, qPrintable(codec), qPrintable(run->setup), run->caller.cpuS, run->caller.seconds, run->caller.perMin(), run->caller.schedPerMin(),
                    run->caller.switchesPerS(), run->callee.cpuS, run->callee.seconds, run->callee.perMin(), run->callee.schedPerMin(),
                    run->callee.switchesPerS());
                std::fflush(stdout);
                runs.push_back(*run);
            }
        }
    }

    // Medians per codec, setup and side; "per side" is the mean of caller and callee of each call.
    const auto pick = [&](const QString &codec, const QString &setup, const std::function<double(const Run &)> &f) {
        std::vector<double> v;
        for (const Run &run : runs)
            if (run.codec == codec && run.setup == setup)
                v.push_back(f(run));
        return v;
    };
    struct Row {
        const char *name;
        std::function<double(const Run &)> stat, sched, switches;
    };
    const std::vector<Row> rows {
        {"caller", [](const Run &r) { return r.caller.perMin(); }, [](const Run &r) { return r.caller.schedPerMin(); },
            [](const Run &r) { return r.caller.switchesPerS(); }},
        {"callee", [](const Run &r) { return r.callee.perMin(); }, [](const Run &r) { return r.callee.schedPerMin(); },
            [](const Run &r) { return r.callee.switchesPerS(); }},
        {"per side", [](const Run &r) { return (r.caller.perMin() + r.callee.perMin()) / 2; },
            [](const Run &r) { return (r.caller.schedPerMin() + r.callee.schedPerMin()) / 2; },
            [](const Run &r) { return (r.caller.switchesPerS() + r.callee.switchesPerS()) / 2; }},
    };
    std::printf("\nCPU seconds per minute of call (utime+stime; in brackets: schedstat), median of %d\n", o.repeat);
    std::printf("%-6s %-9s %18s %18s %8s %8s %22s\n", "codec", "side", "baresip", "dialscope", "ratio", "(sched)", "switches/s bs / ds");
    QJsonArray results;
    for (const QString &codec : o.codecs) {
        for (const Row &row : rows) {
            const double b = median(pick(codec, u"baresip"_s, row.stat)), d = median(pick(codec, u"dialscope"_s, row.stat));
            const double bs = median(pick(codec, u"baresip"_s, row.sched)), ds = median(pick(codec, u"dialscope"_s, row.sched));
            const double bw = median(pick(codec, u"baresip"_s, row.switches)), dw = median(pick(codec, u"dialscope"_s, row.switches));
            const double ratio = b > 0 ? d / b : 0, schedRatio = bs > 0 ? ds / bs : 0;
            std::printf(
                "%-6s %-9s %8.3f (%7.3f) %8.3f (%7.3f) %7.2fx %7.2fx %10.0f / %-10.0f\n", qPrintable(codec), row.name, b, bs, d, ds, ratio, schedRatio, bw, dw);
            const QJsonObject line {{u"bench"_s, u"call_cpu"_s}, {u"codec"_s, codec}, {u"side"_s, QString::fromLatin1(row.name)},
                {u"baresip_cpu_s_per_min"_s, b}, {u"dialscope_cpu_s_per_min"_s, d}, {u"ratio_dialscope_over_baresip"_s, ratio},
                {u"baresip_sched_s_per_min"_s, bs}, {u"dialscope_sched_s_per_min"_s, ds}, {u"sched_ratio"_s, schedRatio}, {u"baresip_switches_per_s"_s, bw},
                {u"dialscope_switches_per_s"_s, dw}};
            results.append(line);
        }
    }
    for (const QJsonValue &line : std::as_const(results))
        std::printf("%s\n", QJsonDocument(line.toObject()).toJson(QJsonDocument::Compact).constData());
    std::printf("target: dialscope at most 0.50x baresip; load average after: %s\n", qPrintable(loadAverage()));

    QJsonArray raw;
    for (const Run &r : runs) {
        const auto side = [](const Side &s) {
            return QJsonObject {{u"seconds"_s, s.seconds}, {u"cpu_s"_s, s.cpuS}, {u"sched_s"_s, s.schedS}, {u"cpu_s_per_min"_s, s.perMin()},
                {u"sched_s_per_min"_s, s.schedPerMin()}, {u"switches_per_s"_s, s.switchesPerS()}};
        };
        raw.append(QJsonObject {{u"setup"_s, r.setup}, {u"codec"_s, r.codec}, {u"repetition"_s, r.repetition + 1}, {u"caller"_s, side(r.caller)},
            {u"callee"_s, side(r.callee)}, {u"recordings"_s, r.note}});
    }
    const QJsonObject summary {{u"bench"_s, u"call_cpu"_s}, {u"dialscope"_s, o.dialscope}, {u"baresip"_s, BaresipPeer::program()},
        {u"call_seconds"_s, o.seconds}, {u"repetitions"_s, o.repeat}, {u"machine"_s, machineNote()}, {u"smoke"_s, o.smoke}, {u"medians"_s, results},
        {u"runs"_s, raw}};
    QFile out(o.out);
    if (!out.open(QIODevice::WriteOnly | QIODevice::Truncate) || out.write(QJsonDocument(summary).toJson()) < 0) {
        std::fprintf(stderr, "bench_call_cpu: cannot write %s\n", qPrintable(o.out));
        return 1;
    }
    std::printf("summary: %s\n", qPrintable(QFileInfo(out).absoluteFilePath()));
    return 0;
}
