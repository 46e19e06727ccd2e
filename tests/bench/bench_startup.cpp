// bench_startup: start to first painted window, and idle memory with one registered account, dialscope against
// linphone (Debian package linphone-desktop) started the same way under Xvfb, in the same run (issue 7). Never
// asserts on time.
//
//   bench_startup [--dialscope PATH [--commit TEXT]] [--linphone PATH] [--repeat N] [--idle S] [--warm] [--no-linphone]
//                 [--screenshots DIR] [--out FILE.json] [--keep]
//   bench_startup --smoke        1 repetition, 1 s idle, warm cache: proves the bench works (CTest)
//
// The dialscope binary: --dialscope, else $DIALSCOPE_BIN, else the one this bench was built with. Measure a Release
// build (build-bench). The commit printed is --commit, else this source tree's (git log -1, and whether it has
// uncommitted changes). Exit status: 0 measured, 1 a run failed (the table still shows the others), 2 bad usage,
// 77 Xvfb, D-Bus, gnome-keyring or Kamailio missing.
//
// The whole bench runs in a private D-Bus session with an unlocked gnome-keyring as its Secret Service
// (tests/support/with_keyring.sh under dbus-run-session; the bench re-executes itself there), so both programs see
// the same session bus, and dialscope's password comes from the keychain as it would on a desktop. It starts one
// Xvfb (a free display, 1600x1000x24, no window manager) and one Kamailio (tests/interop/kamailio/registrar.cfg,
// digest MD5, UDP on loopback) knowing one subscriber per run. Each run starts one program with a fresh profile:
// HOME, XDG_CONFIG_HOME, XDG_DATA_HOME, XDG_CACHE_HOME and XDG_STATE_HOME in a new empty directory; "one account"
// runs seed it first (dialscope: its INI written and its password stored through its own AccountStore, the class
// the GUI reads them with; linphone: ~/.config/linphone/linphonerc with proxy_0 and auth_info_0). Before each start
// the page cache is dropped (echo 3 > /proc/sys/vm/drop_caches) when the bench may (root), else the table says
// "warm cache". Then, all from outside the program, the same for both:
//   start: from just before fork/exec, the bench polls the X server every 5 ms (Xlib): the viewable top-level
//     windows whose _NET_WM_PID is the program's and at least 300x200 pixels; of the largest, 16 rows and 16
//     columns of pixels (XGetImage). The first poll at which they are not all one colour is the first painted
//     frame of the main window (before it, a mapped window shows its background: one colour).
//   registration: confirmed from Kamailio's side, its log line "REGISTER sip:USER@... auth_check=1" (the digest
//     checked, then save("location")). linphone registers by itself at start-up; dialscope registers the account
//     when the user says so, so when Kamailio has seen nothing 3 s after the paint the bench presses Alt+A, R (menu
//     Accounts > Register) with xdotool. Either way the memory is read once the registration is confirmed.
//   memory: after that (or after the paint, without an account), idle 5 s, then VmRSS (/proc/PID/status) and Pss
//     (/proc/PID/smaps_rollup) summed over the program and its child processes.
// Each repetition runs both profiles, and both programs alternating which goes first; a row is the median of the
// repetitions, with the range of the start times.

#include "bench_machine.h"
#include "startup_profile.h"
#include "support/kamailio_registrar.h"
#include "support/peer.h"
#include "x11_window_probe.h"

#include <QCoreApplication>
#include <QDeadlineTimer>
#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QRandomGenerator>
#include <QTemporaryDir>
#include <QThread>

#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <optional>
#include <vector>

#ifndef DIALSCOPE_BIN
#define DIALSCOPE_BIN ""
#endif

using namespace ds::test;
using ds::bench::MemoryUse;
using namespace Qt::StringLiterals;

namespace {

constexpr int kSkip = 77;
constexpr int kPollMs = 5;
constexpr int kMinWidth = 300; // a main window, not a tray or helper window
constexpr int kMinHeight = 200;
constexpr int kPaintTimeoutMs = 60000;
constexpr int kRegisterTimeoutMs = 20000;
constexpr int kKeysAfterMs = 3000; // dialscope: press Register when nothing was seen this long after the paint

enum class Program { Dialscope, Linphone };
enum class Profile { Empty, Account };

struct Options {
    QString dialscope;
    QString linphone;
    int repeat = 7;
    int idleS = 5;
    bool warm = false; // --warm: keep the page cache
    bool noLinphone = false;
    bool smoke = false;
    bool keep = false;
    QString screenshots;
    QString out;
    QString commit; // --commit: what the dialscope binary was built from
};

// One start of one program.
struct Sample {
    bool ok = false;
    QString error;
    double mappedMs = 0; // its main window first viewable
    double paintMs = 0; // first painted frame
    QString window; // "title WxH"
    double registeredMs = 0; // Kamailio saw the authenticated REGISTER (from the start)
    bool pressedRegister = false;
    MemoryUse memory;
};

// What every run shares.
struct Bench {
    Options o;
    QString tmp;
    QString display;
    QString runtimeDir;
    bool cold = false;
    ds::bench::X11WindowProbe *probe = nullptr;
    KamailioRegistrar *kamailio = nullptr;
    QHash<QString, QString> passwords; // user -> password of the Kamailio subscriber
};

QString programName(Program p) { return p == Program::Dialscope ? u"dialscope"_s : u"linphone"_s; }
QString profileName(Profile p) { return p == Profile::Empty ? u"empty profile"_s : u"one account"_s; }
QString userFor(Program p, int run) { return u"%1%2"_s.arg(p == Program::Dialscope ? u"ds"_s : u"lin"_s).arg(run + 1); }

double median(std::vector<double> v)
{
    if (v.empty())
        return 0;
    std::sort(v.begin(), v.end());
    return v.size() % 2 ? v[v.size() / 2] : (v[v.size() / 2 - 1] + v[v.size() / 2]) / 2;
}

// Kamailio logged an authenticated REGISTER of user.
bool registeredAtKamailio(const KamailioRegistrar &k, const QString &user)
{
    static const QString tail = u" auth_check=1"_s;
    for (const QString &line : k.log().split(u'\n'))
        if (line.contains(u"REGISTER sip:%1@"_s.arg(user)) && line.endsWith(tail))
            return true;
    return false;
}

// Menu Accounts > Register on the selected (the only) account, typed into the window through the X server.
bool pressRegister(quint64 window)
{
    const QString xdotool = findProgram(u"xdotool"_s);
    const QString wid = QString::number(window);
    return !xdotool.isEmpty() && runTool(xdotool, {u"windowfocus"_s, u"--sync"_s, wid}, QDir::tempPath(), nullptr, 5000)
        && runTool(xdotool, {u"key"_s, u"alt+a"_s, u"sleep"_s, u"0.5"_s, u"key"_s, u"r"_s}, QDir::tempPath(), nullptr, 5000);
}

// SIGTERM to the program's process group, SIGKILL after 3 s.
void stopProgram(QProcess &p)
{
    if (p.state() == QProcess::NotRunning)
        return;
    const auto group = static_cast<pid_t>(p.processId());
    ::kill(-group, SIGTERM);
    if (!p.waitForFinished(3000)) {
        ::kill(-group, SIGKILL);
        p.waitForFinished(5000);
    }
    if (::kill(-group, 0) == 0)
        ::kill(-group, SIGKILL);
}

QString lastLines(const QString &path, int chars = 1500) { return readTextFile(path).right(chars); }

Sample runOnce(Bench &b, Program program, Profile profile, int run)
{
    Sample s;
    const QString name = programName(program);
    const QString user = userFor(program, run);
    const QString dir = b.tmp + u"/run%1-%2-%3"_s.arg(run + 1).arg(name, profile == Profile::Empty ? u"empty"_s : u"account"_s);
    const QString home = dir + u"/home"_s;
    for (const char *sub : {"/.config", "/.local/share", "/.local/state", "/.cache"})
        QDir().mkpath(home + QLatin1String(sub));
    if (profile == Profile::Account) {
        const QString password = b.passwords.value(user);
        if (program == Program::Dialscope) {
            if (const auto seeded = ds::bench::seedDialscopeProfile(home + u"/.config/dialscope/dialscope.conf"_s, user, password, b.kamailio->udpPort());
                !seeded) {
                s.error = seeded.error();
                return s;
            }
        } else if (!ds::bench::seedLinphoneProfile(home + u"/.config/linphone/linphonerc"_s, user, password, b.kamailio->udpPort())) {
            s.error = u"cannot write the linphonerc in "_s + home;
            return s;
        }
    }

    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.insert(u"HOME"_s, home);
    env.insert(u"XDG_CONFIG_HOME"_s, home + u"/.config"_s);
    env.insert(u"XDG_DATA_HOME"_s, home + u"/.local/share"_s);
    env.insert(u"XDG_STATE_HOME"_s, home + u"/.local/state"_s);
    env.insert(u"XDG_CACHE_HOME"_s, home + u"/.cache"_s);
    env.insert(u"XDG_RUNTIME_DIR"_s, b.runtimeDir);
    env.insert(u"DISPLAY"_s, b.display);
    env.insert(u"QT_QPA_PLATFORM"_s, u"xcb"_s);
    const QString log = dir + u"/"_s + name + u".log"_s;
    QProcess p;
    p.setProcessEnvironment(env);
    p.setWorkingDirectory(home);
    p.setProcessChannelMode(QProcess::MergedChannels);
    p.setStandardOutputFile(log);
    p.setStandardInputFile(QProcess::nullDevice());
    p.setChildProcessModifier(detachChild);

    QThread::msleep(500); // let the previous program's exit settle
    if (b.cold && !ds::bench::dropPageCache()) {
        s.error = u"cannot drop the page cache"_s;
        return s;
    }
    QElapsedTimer clock;
    clock.start();
    p.start(program == Program::Dialscope ? b.o.dialscope : b.o.linphone, {});
    if (!p.waitForStarted(10000)) {
        s.error = u"cannot start %1: %2"_s.arg(name, p.errorString());
        return s;
    }
    const qint64 pid = p.processId();
    const auto finish = [&](QString error) {
        s.error = std::move(error);
        s.ok = s.error.isEmpty();
        stopProgram(p);
        for (QDeadlineTimer gone(3000); b.probe->windowCount(pid) > 0 && !gone.hasExpired();)
            QThread::msleep(20);
        return s;
    };
    const auto exited = [&] { return p.state() == QProcess::NotRunning || p.waitForFinished(0); };

    // First painted frame of the main window.
    ds::bench::X11WindowProbe::Window main;
    for (QDeadlineTimer deadline(kPaintTimeoutMs);; QThread::msleep(kPollMs)) {
        const double now = clock.nsecsElapsed() / 1e6;
        const auto windows = b.probe->mappedWindows(pid, kMinWidth, kMinHeight);
        if (!windows.isEmpty()) {
            if (s.mappedMs == 0)
                s.mappedMs = now;
            if (b.probe->painted(windows.first())) {
                s.paintMs = now;
                main = windows.first();
                s.window = u"\"%1\" %2x%3"_s.arg(main.title).arg(main.width).arg(main.height);
                break;
            }
        }
        if (exited())
            return finish(u"%1 exited (status %2) before it painted a window:\n%3"_s.arg(name).arg(p.exitCode()).arg(lastLines(log)));
        if (deadline.hasExpired())
            return finish(u"%1 painted no window of at least %2x%3 within %4 s (%5)"_s.arg(name)
                              .arg(kMinWidth)
                              .arg(kMinHeight)
                              .arg(kPaintTimeoutMs / 1000)
                              .arg(s.mappedMs > 0 ? u"one was mapped but stayed one colour"_s : u"none was mapped"_s));
    }
    if (!b.o.screenshots.isEmpty()) {
        QDir().mkpath(b.o.screenshots);
        b.probe->grab(main).save(b.o.screenshots + u"/%1-%2-first-frame.png"_s.arg(name, profile == Profile::Empty ? u"empty"_s : u"account"_s));
    }

    // Registered, as Kamailio sees it.
    if (profile == Profile::Account) {
        const QDeadlineTimer deadline(kRegisterTimeoutMs);
        while (!registeredAtKamailio(*b.kamailio, user)) {
            if (exited())
                return finish(u"%1 exited (status %2) before it registered:\n%3"_s.arg(name).arg(p.exitCode()).arg(lastLines(log)));
            if (deadline.hasExpired())
                return finish(u"Kamailio saw no authenticated REGISTER from %1 within %2 s of the paint%3\n--- %4:\n%5"_s.arg(user)
                                  .arg(kRegisterTimeoutMs / 1000)
                                  .arg(s.pressedRegister ? u" (Accounts > Register was pressed)"_s : QString())
                                  .arg(log, lastLines(log)));
            if (program == Program::Dialscope && !s.pressedRegister && clock.nsecsElapsed() / 1e6 - s.paintMs > kKeysAfterMs) {
                s.pressedRegister = true;
                if (!pressRegister(main.id))
                    return finish(u"xdotool could not press Accounts > Register (Debian package xdotool)"_s);
            }
            QThread::msleep(50);
        }
        s.registeredMs = clock.nsecsElapsed() / 1e6;
    }

    // Idle, then the memory.
    for (QDeadlineTimer idle(b.o.idleS * 1000); !idle.hasExpired(); QThread::msleep(100))
        if (exited())
            return finish(u"%1 exited (status %2) while idle:\n%3"_s.arg(name).arg(p.exitCode()).arg(lastLines(log)));
    s.memory = ds::bench::memoryOf(pid);
    if (!b.o.screenshots.isEmpty())
        b.probe->grab(main).save(b.o.screenshots + u"/%1-%2-idle.png"_s.arg(name, profile == Profile::Empty ? u"empty"_s : u"account"_s));
    return finish({});
}

} // namespace

namespace {

// Xvfb on a display it picks itself (-displayfd), stopped with the bench.
class Xvfb {
public:
    ~Xvfb() { stopProgram(m_process); }

    std::expected<QString, QString> start(const QString &logPath)
    {
        const QString xvfb = findProgram(u"Xvfb"_s);
        if (xvfb.isEmpty())
            return std::unexpected(u"Xvfb not found: install the Debian package xvfb"_s);
        m_process.setChildProcessModifier(detachChild);
        m_process.setStandardErrorFile(logPath);
        m_process.setStandardInputFile(QProcess::nullDevice());
        // No window manager, as in the GUI tests; a black root, so an unpainted window is one colour.
        m_process.start(xvfb, {u"-displayfd"_s, u"1"_s, u"-screen"_s, u"0"_s, u"1600x1000x24"_s, u"-nolisten"_s, u"tcp"_s, u"-br"_s, u"-noreset"_s});
        QByteArray out;
        for (QDeadlineTimer deadline(15000); !out.contains('\n'); m_process.waitForReadyRead(100)) {
            out += m_process.readAllStandardOutput();
            if (m_process.state() == QProcess::NotRunning || deadline.hasExpired())
                return std::unexpected(u"Xvfb did not start: "_s + lastLines(logPath));
        }
        return u":"_s + QString::fromLatin1(out.trimmed());
    }

private:
    QProcess m_process;
};

QString toolOutput(const QString &program, const QStringList &args)
{
    QString log;
    if (program.isEmpty() || !runTool(program, args, QDir::tempPath(), &log, 10000))
        return {};
    return log.section(u'\n', 1).trimmed(); // the first line is the command
}

// Runs this bench again inside `dbus-run-session -- with_keyring.sh`: a private session bus with an unlocked
// gnome-keyring answering as the Secret Service, throw-away HOME and XDG_RUNTIME_DIR (as tst_account_store_keyring).
int reexecInKeyringSession(const QStringList &args)
{
    const QString dbus = findProgram(u"dbus-run-session"_s);
    if (dbus.isEmpty() || findProgram(u"gnome-keyring-daemon"_s).isEmpty()) {
        std::fprintf(stderr, "dbus-run-session or gnome-keyring-daemon not found: install the Debian packages dbus and gnome-keyring\n");
        return kSkip;
    }
    QProcess p;
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.insert(u"DS_BENCH_STARTUP_SESSION"_s, u"1"_s);
    p.setProcessEnvironment(env);
    p.setProcessChannelMode(QProcess::ForwardedChannels);
    p.setChildProcessModifier(detachChild);
    p.start(dbus, QStringList {u"--"_s, u"/bin/sh"_s, QStringLiteral(DS_TESTS_DIR "/support/with_keyring.sh"), QCoreApplication::applicationFilePath()} + args);
    if (!p.waitForStarted(10000)) {
        std::fprintf(stderr, "cannot start %s\n", qPrintable(dbus));
        return 1;
    }
    if (!p.waitForFinished(4 * 3600 * 1000)) {
        stopProgram(p);
        std::fprintf(stderr, "bench_startup did not finish within 4 hours\n");
        return 1;
    }
    return p.exitStatus() == QProcess::NormalExit ? p.exitCode() : 1;
}

int usage()
{
    std::fprintf(stderr,
        "usage: bench_startup [--dialscope PATH [--commit TEXT]] [--linphone PATH] [--repeat N] [--idle S] [--warm] [--no-linphone] "
        "[--screenshots DIR] [--out FILE.json] [--keep] [--smoke]\n");
    return 2;
}

struct Row {
    Program program = Program::Dialscope;
    Profile profile = Profile::Empty;
    std::vector<Sample> samples; // successful ones
    int failed = 0;
    double med(double Sample::*field) const
    {
        std::vector<double> v;
        for (const Sample &s : samples)
            v.push_back(s.*field);
        return median(v);
    }
    double medKb(qint64 MemoryUse::*field) const
    {
        std::vector<double> v;
        for (const Sample &s : samples)
            v.push_back(double(s.memory.*field));
        return median(v);
    }
    int medCount(int MemoryUse::*field) const
    {
        std::vector<double> v;
        for (const Sample &s : samples)
            v.push_back(s.memory.*field);
        return static_cast<int>(median(v));
    }
    std::pair<double, double> paintRange() const
    {
        double lo = 0, hi = 0;
        for (const Sample &s : samples) {
            lo = lo == 0 ? s.paintMs : std::min(lo, s.paintMs);
            hi = std::max(hi, s.paintMs);
        }
        return {lo, hi};
    }
};

} // namespace

int main(int argc, char **argv)
{
    QCoreApplication app(argc, argv);
    Options o;
    o.dialscope = qEnvironmentVariable("DIALSCOPE_BIN", QStringLiteral(DIALSCOPE_BIN));
    const QStringList args = app.arguments().mid(1);
    for (qsizetype i = 0; i < args.size(); ++i) {
        const QString &a = args[i];
        const auto next = [&]() -> std::optional<QString> { return i + 1 < args.size() ? std::optional(args[++i]) : std::nullopt; };
        if (a == u"--smoke") {
            o.smoke = true;
        } else if (a == u"--keep") {
            o.keep = true;
        } else if (a == u"--warm") {
            o.warm = true;
        } else if (a == u"--no-linphone") {
            o.noLinphone = true;
        } else if (a == u"--dialscope" || a == u"--linphone" || a == u"--out" || a == u"--screenshots" || a == u"--commit") {
            const auto v = next();
            if (!v)
                return usage();
            (a == u"--dialscope" ? o.dialscope : a == u"--linphone" ? o.linphone : a == u"--out" ? o.out : a == u"--commit" ? o.commit : o.screenshots) = *v;
        } else if (a == u"--repeat" || a == u"--idle") {
            const auto v = next();
            const int n = v ? v->toInt() : -1;
            if (n < (a == u"--repeat" ? 1 : 0) || n > 1000)
                return usage();
            (a == u"--repeat" ? o.repeat : o.idleS) = n;
        } else {
            return usage();
        }
    }
    if (!qEnvironmentVariableIsSet("DS_BENCH_STARTUP_SESSION"))
        return reexecInKeyringSession(args);
    if (o.smoke) {
        o.repeat = 1;
        o.idleS = 1;
        o.warm = true;
    }
    if (o.out.isEmpty())
        o.out = QCoreApplication::applicationDirPath() + u"/bench_startup.json"_s;
    if (!QFileInfo(o.dialscope).isExecutable()) {
        std::fprintf(stderr, "no dialscope binary at \"%s\" (--dialscope PATH)\n", qPrintable(o.dialscope));
        return 2;
    }
    if (o.linphone.isEmpty())
        o.linphone = findProgram(u"linphone"_s);
    QString linphoneNote;
    if (o.noLinphone)
        linphoneNote = u"linphone not measured (--no-linphone)"_s;
    else if (o.linphone.isEmpty())
        linphoneNote = u"linphone not measured: not installed (Debian package linphone-desktop; scripts/dev bench installs it)"_s;

    QTemporaryDir tmp(QDir::tempPath() + u"/dialscope-bench-startup-XXXXXX"_s);
    tmp.setAutoRemove(!o.keep);
    Bench b;
    b.o = o;
    b.tmp = tmp.path();
    b.runtimeDir = qEnvironmentVariable("XDG_RUNTIME_DIR");
    b.cold = !o.warm && ::geteuid() == 0 && ds::bench::dropPageCache();

    Xvfb xvfb;
    const auto display = xvfb.start(b.tmp + u"/xvfb.log"_s);
    if (!display) {
        std::fprintf(stderr, "%s\n", qPrintable(display.error()));
        return kSkip;
    }
    b.display = *display;
    qputenv("DISPLAY", b.display.toLocal8Bit()); // for xdotool
    auto probe = ds::bench::X11WindowProbe::open(b.display);
    if (!probe) {
        std::fprintf(stderr, "%s\n", qPrintable(probe.error()));
        return 1;
    }
    b.probe = probe->get();

    KamailioRegistrar kamailio(b.tmp);
    QList<KamailioRegistrar::Subscriber> subscribers;
    for (int r = 0; r < o.repeat; ++r)
        for (const Program p : {Program::Dialscope, Program::Linphone}) {
            const QString user = userFor(p, r);
            b.passwords.insert(user, u"Pw-%1-%2"_s.arg(user).arg(QRandomGenerator::global()->generate() % 1000000));
            subscribers.append({user, b.passwords.value(user)});
        }
    const QString kamailioDir = b.tmp + u"/kamailio"_s;
    QDir().mkpath(kamailioDir);
    if (const auto started = kamailio.start(u"MD5"_s, subscribers, kamailioDir); !started) {
        std::fprintf(stderr, "%s\n", qPrintable(started.error().message));
        return started.error().skip ? kSkip : 1;
    }
    b.kamailio = &kamailio;

    const QString dialscopeVersion = toolOutput(o.dialscope, {u"--version"_s});
    // The source the dialscope binary came from: --commit, else this source tree's last commit (and whether it has
    // uncommitted changes), which describes the binary only when it was built from this tree.
    QString commit = o.commit;
    if (commit.isEmpty()) {
        const QString git = findProgram(u"git"_s);
        commit = toolOutput(git, {u"-C"_s, QStringLiteral(DS_TESTS_DIR), u"log"_s, u"-1"_s, u"--format=%h %cs"_s});
        if (commit.isEmpty())
            commit = u"unknown"_s;
        else if (!toolOutput(git, {u"-C"_s, QStringLiteral(DS_TESTS_DIR), u"status"_s, u"--porcelain"_s, u"--untracked-files=no"_s}).isEmpty())
            commit += u", with uncommitted changes"_s;
    }
    const QString linphoneVersion = toolOutput(findProgram(u"dpkg-query"_s), {u"-W"_s, u"-f"_s, u"${Version}"_s, u"linphone-desktop"_s});

    std::printf("Start to first painted window and idle memory: %s (commit %s) vs linphone-desktop %s, under Xvfb, same method\n", qPrintable(dialscopeVersion),
        qPrintable(commit), qPrintable(linphoneVersion.isEmpty() ? u"-"_s : linphoneVersion));
    std::printf("%s start: fresh profile each run (empty HOME and XDG dirs)%s; median of %d interleaved repetitions; idle %d s before reading memory%s\n",
        b.cold ? "cold" : "warm-cache", b.cold ? ", page cache dropped before each start" : " (page cache not dropped: not root, or --warm)", o.repeat, o.idleS,
        o.smoke ? " (smoke run: figures are meaningless)" : "");
    std::printf("paint: polled every %d ms from fork/exec: largest viewable top-level window of the process (_NET_WM_PID, >= %dx%d) whose pixels\n"
                "(16 rows, 16 columns) are not one colour; registration: Kamailio's log shows the authenticated REGISTER\n",
        kPollMs, kMinWidth, kMinHeight);
    std::printf("machine: %s; load average before: %s\n", qPrintable(ds::bench::machineNote()), qPrintable(ds::bench::loadAverage()));
    if (!linphoneNote.isEmpty())
        std::printf("%s\n", qPrintable(linphoneNote));
    std::fflush(stdout);

    std::vector<Row> rows;
    for (const Profile f : {Profile::Empty, Profile::Account})
        for (const Program p : {Program::Dialscope, Program::Linphone})
            rows.push_back(Row {p, f, {}, 0});
    const auto rowOf = [&](Program p, Profile f) -> Row & {
        return *std::find_if(rows.begin(), rows.end(), [&](const Row &r) { return r.program == p && r.profile == f; });
    };
    QStringList failures;
    for (int r = 0; r < o.repeat; ++r)
        for (const Profile f : {Profile::Empty, Profile::Account})
            for (int k = 0; k < 2; ++k) {
                const Program p = (r + k + (f == Profile::Account ? 1 : 0)) % 2 ? Program::Linphone : Program::Dialscope;
                if (p == Program::Linphone && !linphoneNote.isEmpty())
                    continue;
                const Sample s = runOnce(b, p, f, r);
                Row &row = rowOf(p, f);
                std::printf("  run %d %-9s %-13s ", r + 1, qPrintable(programName(p)), qPrintable(profileName(f)));
                if (s.ok) {
                    row.samples.push_back(s);
                    std::printf("mapped %6.0f ms  painted %6.0f ms  %s", s.mappedMs, s.paintMs, qPrintable(s.window));
                    if (f == Profile::Account)
                        std::printf("  registered %6.0f ms%s", s.registeredMs, s.pressedRegister ? " (Register pressed)" : "");
                    std::printf("  RSS %.1f MiB  PSS %.1f MiB  %d proc %d threads\n", s.memory.rssKb / 1024.0, s.memory.pssKb / 1024.0, s.memory.processes,
                        s.memory.threads);
                } else {
                    ++row.failed;
                    failures << u"run %1 %2 %3: %4"_s.arg(r + 1).arg(programName(p), profileName(f), s.error);
                    std::printf("FAILED: %s\n", qPrintable(s.error.section(u'\n', 0, 0)));
                }
                std::fflush(stdout);
            }

    std::printf("\n| program | profile | start to first painted window | range | idle VmRSS | idle PSS | processes / threads |\n"
                "| --- | --- | ---: | ---: | ---: | ---: | ---: |\n");
    QJsonArray jsonRows;
    for (const Row &row : rows) {
        if (row.program == Program::Linphone && !linphoneNote.isEmpty())
            continue;
        const QString label = row.program == Program::Dialscope ? u"dialscope"_s : u"linphone "_s + linphoneVersion;
        if (row.samples.empty()) {
            std::printf("| %s | %s | failed | - | - | - | - |\n", qPrintable(label), qPrintable(profileName(row.profile)));
            continue;
        }
        const auto [lo, hi] = row.paintRange();
        std::printf("| %s | %s | %.0f ms | %.0f-%.0f ms | %.1f MiB | %.1f MiB | %d / %d |%s\n", qPrintable(label), qPrintable(profileName(row.profile)),
            row.med(&Sample::paintMs), lo, hi, row.medKb(&MemoryUse::rssKb) / 1024, row.medKb(&MemoryUse::pssKb) / 1024, row.medCount(&MemoryUse::processes),
            row.medCount(&MemoryUse::threads), row.failed ? qPrintable(u" (%1 failed runs)"_s.arg(row.failed)) : "");
        jsonRows.append(QJsonObject {{u"program"_s, programName(row.program)}, {u"profile"_s, profileName(row.profile)},
            {u"paint_ms"_s, row.med(&Sample::paintMs)}, {u"paint_min_ms"_s, lo}, {u"paint_max_ms"_s, hi}, {u"rss_kb"_s, row.medKb(&MemoryUse::rssKb)},
            {u"pss_kb"_s, row.medKb(&MemoryUse::pssKb)}, {u"runs"_s, int(row.samples.size())}, {u"failed"_s, row.failed}});
    }
    if (linphoneNote.isEmpty())
        for (const Profile f : {Profile::Empty, Profile::Account}) {
            const Row &d = rowOf(Program::Dialscope, f);
            const Row &l = rowOf(Program::Linphone, f);
            if (d.samples.empty() || l.samples.empty())
                continue;
            std::printf("ratios dialscope/linphone, %s: start %.2fx, VmRSS %.2fx, PSS %.2fx (target: at most 0.5x)\n", qPrintable(profileName(f)),
                d.med(&Sample::paintMs) / l.med(&Sample::paintMs), d.medKb(&MemoryUse::rssKb) / l.medKb(&MemoryUse::rssKb),
                d.medKb(&MemoryUse::pssKb) / l.medKb(&MemoryUse::pssKb));
        }
    for (const QString &f : failures)
        std::fprintf(stderr, "%s\n", qPrintable(f));

    QFile json(o.out);
    if (json.open(QIODevice::WriteOnly))
        json.write(QJsonDocument(QJsonObject {{u"machine"_s, ds::bench::machineNote()}, {u"cold"_s, b.cold}, {u"repeat"_s, o.repeat}, {u"idle_s"_s, o.idleS},
                                     {u"dialscope"_s, dialscopeVersion}, {u"commit"_s, commit}, {u"linphone"_s, linphoneVersion}, {u"rows"_s, jsonRows}})
                       .toJson());
    return failures.isEmpty() ? 0 : 1;
}
