// `dialscope demo [--bind 127.0.0.1[:PORT]] [--password P] [--json] [--duration S]`: runs the
// built-in demo peer (core/demo) on loopback until SIGINT/SIGTERM or --duration, and reports what
// happens at it: registrations, calls to its extensions, the digits it reports, the SIP trace.

#include "commands.h"
#include "event_writer.h"
#include "options.h"
#include "trace_output.h"

#include "demo/demo_peer.h"
#include "media/media_engine.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QElapsedTimer>
#include <QJsonArray>
#include <QSocketNotifier>
#include <QTimer>

#include <csignal>
#include <sys/socket.h>
#include <unistd.h>

namespace ds::cli {

namespace {

int g_signalPipe[2] = {-1, -1}; // the handler writes the signal number, the event loop reads it

void onSignal(int signo)
{
    const char c = char(signo);
    [[maybe_unused]] const auto n = ::write(g_signalPipe[1], &c, 1); // async-signal-safe
}

QString callState(const phone::Call *call) { return call->outcome() == phone::CallOutcome::Answered ? QStringLiteral("ended") : QStringLiteral("failed"); }

} // namespace

int runDemo(const QStringList &args)
{
    QCommandLineParser p;
    p.setApplicationDescription(QStringLiteral("Runs the built-in demo peer on loopback: a registrar for the user demo and the extensions echo, tone "
                                               "and dtmf. Stops on Ctrl+C, SIGTERM or after --duration."));
    p.addOption(
        {QStringLiteral("bind"), QStringLiteral("Loopback address and port to listen on (default 127.0.0.1, a free port)."), QStringLiteral("IP[:PORT]")});
    p.addOption({QStringLiteral("password"), QStringLiteral("Password of the user demo (else $DIALSCOPE_PASSWORD, else a random one that is not shown)."),
        QStringLiteral("P")});
    p.addOption({QStringLiteral("digest"),
        QStringLiteral("Digest algorithms the registrar offers: both (SHA-256 then MD5, RFC 8760; the default), sha-256, or md5 (for phones that give up "
                       "on any SHA-256 challenge, as SIPp 3.6 and baresip 1.0 do)."),
        QStringLiteral("both|sha-256|md5")});
    p.addOption({QStringLiteral("json"), QStringLiteral("Print JSON Lines events on stdout.")});
    p.addOption({QStringLiteral("duration"), QStringLiteral("Stop after S seconds."), QStringLiteral("S")});
    p.addOption({{QStringLiteral("h"), QStringLiteral("help")}, QStringLiteral("Show this help.")});
    if (!p.parse(QStringList {QStringLiteral("dialscope demo")} + args)) {
        EventWriter::error(QStringLiteral("dialscope demo: %1").arg(p.errorText()));
        return ExitUsage;
    }
    if (p.isSet(QStringLiteral("help"))) {
        std::fputs(qPrintable(p.helpText()), stdout);
        return ExitOk;
    }
    if (!p.positionalArguments().isEmpty()) {
        EventWriter::error(QStringLiteral("dialscope demo: takes no arguments"));
        return ExitUsage;
    }
    QHostAddress address(QHostAddress::LocalHost);
    quint16 port = 0;
    if (p.isSet(QStringLiteral("bind"))) {
        auto bind = parseBind(p.value(QStringLiteral("bind")));
        if (!bind) {
            EventWriter::error(QStringLiteral("dialscope demo: %1").arg(bind.error()));
            return ExitUsage;
        }
        std::tie(address, port) = *bind;
        if (!address.isLoopback()) {
            EventWriter::error(QStringLiteral("dialscope demo: --bind %1: the demo peer listens on loopback only (127.0.0.1 or ::1); it is not a PBX")
                                   .arg(p.value(QStringLiteral("bind"))));
            return ExitUsage;
        }
    }
    double duration = -1;
    if (p.isSet(QStringLiteral("duration"))) {
        bool ok = false;
        duration = p.value(QStringLiteral("duration")).toDouble(&ok);
        if (!ok || duration <= 0 || duration > 10 * 365 * 86400.0) {
            EventWriter::error(QStringLiteral("dialscope demo: --duration must be a positive number of seconds"));
            return ExitUsage;
        }
    }
    QList<sip::DigestAlgorithm> algorithms {sip::DigestAlgorithm::Sha256, sip::DigestAlgorithm::Md5};
    if (const QString digest = p.value(QStringLiteral("digest")).toLower(); digest == QLatin1String("md5"))
        algorithms = {sip::DigestAlgorithm::Md5};
    else if (digest == QLatin1String("sha-256"))
        algorithms = {sip::DigestAlgorithm::Sha256};
    else if (!digest.isEmpty() && digest != QLatin1String("both")) {
        EventWriter::error(QStringLiteral("dialscope demo: --digest %1: choose both, sha-256 or md5").arg(p.value(QStringLiteral("digest"))));
        return ExitUsage;
    }
    const QByteArray password = passwordFrom(p);
    const QString passwordSource = p.isSet(QStringLiteral("password")) ? QStringLiteral("option")
        : !password.isEmpty()                                          ? QStringLiteral("environment")
                                                                       : QStringLiteral("random");

    EventWriter out(p.isSet(QStringLiteral("json")));
    media::MediaEngine media;
    demo::DemoPeer peer(media);
    if (!password.isEmpty())
        peer.setPassword(password);
    if (auto started = peer.start(address, port); !started) {
        EventWriter::error(QStringLiteral("dialscope demo: %1").arg(started.error()));
        return ExitNetwork;
    }
    peer.registrar()->setAlgorithms(algorithms);

    int calls = 0, registrations = 0, digits = 0;
    QObject::connect(&peer, &demo::DemoPeer::traced, &peer, [&out](const sip::TraceEvent &e) { reportTrace(out, e); });
    QObject::connect(&peer, &demo::DemoPeer::finding, &peer, [&out](const QString &s, const QString &t) { reportFinding(out, s, t); });
    QObject::connect(&peer, &demo::DemoPeer::registered, &peer, [&](const QString &contact, int expires) {
        ++registrations;
        out.event(QStringLiteral("registration"),
            {{QStringLiteral("state"), QStringLiteral("registered")}, {QStringLiteral("status"), 200}, {QStringLiteral("expires"), expires},
                {QStringLiteral("contact"), contact}});
        out.text(QStringLiteral("   registered demo at %1 for %2 s").arg(contact).arg(expires));
    });
    QObject::connect(&peer, &demo::DemoPeer::unregistered, &peer, [&](const QString &contact) {
        out.event(QStringLiteral("registration"),
            {{QStringLiteral("state"), QStringLiteral("unregistered")}, {QStringLiteral("status"), 200}, {QStringLiteral("expires"), 0},
                {QStringLiteral("contact"), contact}});
        out.text(QStringLiteral("   unregistered %1").arg(contact));
    });
    QObject::connect(&peer, &demo::DemoPeer::registrationRefused, &peer, [&](const QString &why) {
        // The registrar's explanations start with the status they answered ("401 to the REGISTER from ...").
        out.event(QStringLiteral("registration"),
            {{QStringLiteral("state"), QStringLiteral("refused")}, {QStringLiteral("status"), why.section(QLatin1Char(' '), 0, 0).toInt()},
                {QStringLiteral("expires"), 0}, {QStringLiteral("reason"), why}});
        out.text(QStringLiteral("   registration refused: %1").arg(why));
    });
    QObject::connect(&peer, &demo::DemoPeer::callStarted, &peer, [&](const QString &extension, phone::Call *call) {
        ++calls;
        out.event(QStringLiteral("call"),
            {{QStringLiteral("state"), QStringLiteral("answered")}, {QStringLiteral("status"), 200}, {QStringLiteral("codec"), call->codec()},
                {QStringLiteral("extension"), extension}, {QStringLiteral("remote"), call->remoteParty()},
                {QStringLiteral("call_id"), QString::fromUtf8(call->session()->callId())}});
        out.text(QStringLiteral("   call to %1 from %2 answered (%3)").arg(extension, call->remoteParty(), call->codec()));
    });
    QObject::connect(&peer, &demo::DemoPeer::callEnded, &peer, [&](const QString &extension, phone::Call *call) {
        const QString reason = QString::fromUtf8(call->end().reason);
        out.event(QStringLiteral("call"),
            {{QStringLiteral("state"), callState(call)}, {QStringLiteral("status"), call->end().status}, {QStringLiteral("codec"), call->codec()},
                {QStringLiteral("extension"), extension}, {QStringLiteral("remote"), call->remoteParty()}, {QStringLiteral("reason"), reason},
                {QStringLiteral("call_id"), QString::fromUtf8(call->session()->callId())}});
        out.text(QStringLiteral("   call to %1 from %2 ended: %3").arg(extension, call->remoteParty(), reason));
    });
    QObject::connect(&peer, &demo::DemoPeer::callRefused, &peer, [&](const QString &user, int status, const QString &why) {
        out.event(QStringLiteral("call"),
            {{QStringLiteral("state"), QStringLiteral("refused")}, {QStringLiteral("status"), status}, {QStringLiteral("codec"), QString()},
                {QStringLiteral("extension"), user}, {QStringLiteral("reason"), why}});
        out.text(QStringLiteral("   call refused (%1): %2").arg(QString::number(status), why));
    });
    QObject::connect(&peer, &demo::DemoPeer::digitReported, &peer, [&](phone::Call *call, const dtmf::DigitEvent &e) {
        ++digits;
        out.event(QStringLiteral("dtmf"),
            {{QStringLiteral("digit"), QString(QChar::fromLatin1(e.digit))}, {QStringLiteral("mode"), QString::fromLatin1(dtmf::modeName(e.mode))},
                {QStringLiteral("dir"), QStringLiteral("in")}, {QStringLiteral("duration_ms"), e.durationMs}, {QStringLiteral("reported"), true},
                {QStringLiteral("remote"), call->remoteParty()}});
        out.text(
            QStringLiteral("   dtmf %1 heard (%2, %3 ms), reported to %4")
                .arg(QString(QChar::fromLatin1(e.digit)), QString::fromLatin1(dtmf::modeName(e.mode)), QString::number(e.durationMs), call->remoteParty()));
    });

    const QString listen = peer.endpoint().toString();
    // Stopping: hang up what is under way, give the BYEs a moment, then the result.
    bool stopping = false;
    auto stop = [&](const QString &why) {
        if (std::exchange(stopping, true))
            return;
        const QList<phone::Call *> live = peer.calls();
        for (phone::Call *c : live)
            c->hangUp();
        auto settle = new QTimer(&peer);
        auto since = std::make_shared<QElapsedTimer>();
        since->start();
        QObject::connect(settle, &QTimer::timeout, &peer, [&, settle, since, why] {
            if (!peer.calls().isEmpty() && since->elapsed() < 3000)
                return;
            settle->stop();
            out.event(QStringLiteral("result"),
                {{QStringLiteral("outcome"), QStringLiteral("stopped")}, {QStringLiteral("reason"), why}, {QStringLiteral("listen"), listen},
                    {QStringLiteral("calls"), calls}, {QStringLiteral("registrations"), registrations}, {QStringLiteral("digits"), digits}});
            out.text(QStringLiteral("stopped: %1").arg(why));
            QCoreApplication::exit(ExitOk);
        });
        settle->start(50);
    };

    std::unique_ptr<QSocketNotifier> notifier;
    if (::socketpair(AF_UNIX, SOCK_STREAM, 0, g_signalPipe) == 0) {
        notifier = std::make_unique<QSocketNotifier>(g_signalPipe[0], QSocketNotifier::Read);
        QObject::connect(notifier.get(), &QSocketNotifier::activated, &peer, [&] {
            char c = 0;
            if (::read(g_signalPipe[0], &c, 1) == 1)
                stop(c == SIGINT ? QStringLiteral("interrupted (SIGINT)") : QStringLiteral("terminated (SIGTERM)"));
        });
        struct sigaction sa = {};
        sa.sa_handler = onSignal;
        sigemptyset(&sa.sa_mask);
        sa.sa_flags = SA_RESTART;
        ::sigaction(SIGINT, &sa, nullptr);
        ::sigaction(SIGTERM, &sa, nullptr);
    }
    if (duration > 0)
        QTimer::singleShot(std::chrono::milliseconds(qint64(duration * 1000)), &peer, [&] { stop(QStringLiteral("--duration elapsed")); });
    // Said once SIGINT and SIGTERM are ours: from here on they stop it cleanly.
    QJsonArray extensions;
    for (const QString &e : demo::DemoPeer::extensionNames())
        extensions.append(e);
    out.event(QStringLiteral("listening"),
        {{QStringLiteral("listen"), listen}, {QStringLiteral("address"), peer.endpoint().address.toString()}, {QStringLiteral("port"), peer.endpoint().port},
            {QStringLiteral("transport"), QStringLiteral("UDP")}, {QStringLiteral("user"), QStringLiteral("demo")},
            {QStringLiteral("realm"), QString::fromUtf8(peer.registrar()->realm())}, {QStringLiteral("extensions"), extensions},
            {QStringLiteral("password"), passwordSource}});
    const QString passwordText = passwordSource == QLatin1String("option") ? QStringLiteral("the one given with --password")
        : passwordSource == QLatin1String("environment")                   ? QStringLiteral("the one in $DIALSCOPE_PASSWORD")
                                                                           : QStringLiteral("random and not shown: run with --password P to choose one");
    out.text(QStringLiteral("dialscope demo peer listening on %1 (UDP, loopback only)\n"
                            "  register:   dialscope register %1 --user demo --password P   (password: %2)\n"
                            "  call:       dialscope call sip:echo@%1 --tone 1000 --record echo.wav --duration 5\n"
                            "  extensions: echo  sends back what it hears, %3 ms later\n"
                            "              tone  plays %4 Hz at %5 dBFS (peak)\n"
                            "              dtmf  reports every digit it detects (rfc4733, inband, info) in a SIP MESSAGE\n"
                            "Calls need no registration. Ctrl+C stops it.")
                 .arg(listen, passwordText, QString::number(demo::DemoPeer::kEchoDelayMs), QString::number(demo::DemoPeer::kToneHz),
                     QString::number(demo::DemoPeer::kToneDbfs)));

    const int code = QCoreApplication::exec();
    ::signal(SIGINT, SIG_DFL);
    ::signal(SIGTERM, SIG_DFL);
    notifier.reset();
    for (int &fd : g_signalPipe)
        if (fd >= 0) {
            ::close(fd);
            fd = -1;
        }
    return code;
}

} // namespace ds::cli
