// dialscope: with no arguments the GUI; with a subcommand a headless run (ARCHITECTURE.md).

#include "cli/commands.h"
#include "cli/event_writer.h"

#include "phone/dial_uri.h"
#include "ui/gui_main.h"

#include <QApplication>
#include <QCoreApplication>
#include <QGuiApplication>

#include <algorithm>
#include <cstdio>

namespace {

void usage()
{
    std::fputs("usage: dialscope                      open the GUI\n"
               "       dialscope sip:|tel:|callto:LINK   open the GUI and call LINK (a running dialscope takes it)\n"
               "       dialscope register SERVER --user U [--password P] [--auth-user A] [--domain D]\n"
               "                          [--expires N] [--unregister] [--transport udp|tcp|tls]\n"
               "                          [--bind IP[:PORT]] [--json] [--ladder] [--pcap F] [--timeout S]\n"
               "                          [--ca FILE] [--insecure] [--t1 MS] [--t2 MS]\n"
               "       dialscope call TARGET [--server S --user U [--password P]] [--no-register]\n"
               "                          [--codecs PCMU,PCMA,opus] [--play F.wav] [--tone HZ] [--record F.wav]\n"
               "                          [--duration S] [--json] [--ladder] [--timeout S]\n"
               "                          [--dtmf DIGITS [--dtmf-mode rfc4733|inband|info|auto] [--dtmf-delay S]]\n"
               "       dialscope answer [--server S --user U [--password P]] [--bind IP[:PORT]] [--calls N]\n"
               "                          [--answer-after S] [--play F] [--record F] [--echo] [--reject CODE]\n"
               "       dialscope regtest SERVER --accounts FILE.csv [--count N] [--rate N/s] [--concurrency M]\n"
               "                          [--expires N] [--unregister-after] [--transport udp|tcp|tls] [--json]\n"
               "       dialscope demo [--bind 127.0.0.1[:PORT]] [--password P] [--json] [--duration S]\n"
               "       dialscope dtmf detect FILE.wav [--json]\n"
               "       dialscope lint FILE|-\n"
               "       dialscope ladder FILE.pcap [--text] [--json [--messages]] [--svg F] [--png F] [--call CALL-ID]\n"
               "Run a subcommand with --help for details.\n",
        stderr);
}

} // namespace

int main(int argc, char **argv)
{
    QCoreApplication::setOrganizationName(QStringLiteral("dialscope"));
    QCoreApplication::setApplicationName(QStringLiteral("dialscope"));
    QCoreApplication::setApplicationVersion(QStringLiteral(DS_VERSION));
    if (argc >= 2) {
        const QString command = QString::fromLocal8Bit(argv[1]);
        QStringList args;
        for (int i = 2; i < argc; ++i)
            args << QString::fromLocal8Bit(argv[i]);
        if (command == QLatin1String("register")) {
            QCoreApplication app(argc, argv);
            return ds::cli::runRegister(args);
        }
        if (command == QLatin1String("call")) {
            QCoreApplication app(argc, argv);
            return ds::cli::runCall(args);
        }
        if (command == QLatin1String("answer")) {
            QCoreApplication app(argc, argv);
            return ds::cli::runAnswer(args);
        }
        if (command == QLatin1String("regtest")) {
            QCoreApplication app(argc, argv);
            return ds::cli::runRegtest(args);
        }
        if (command == QLatin1String("demo")) {
            QCoreApplication app(argc, argv);
            return ds::cli::runDemo(args);
        }
        if (command == QLatin1String("dtmf")) {
            QCoreApplication app(argc, argv);
            return ds::cli::runDtmf(args);
        }
        if (command == QLatin1String("lint")) {
            QCoreApplication app(argc, argv);
            return ds::cli::runLint(args);
        }
        if (command == QLatin1String("ladder")) {
            // --svg/--png paint with QtGui; a headless command never needs a display for it.
            const bool paints = std::any_of(
                args.begin(), args.end(), [](const QString &a) { return a.startsWith(QLatin1String("--svg")) || a.startsWith(QLatin1String("--png")); });
            if (paints) {
                qputenv("QT_QPA_PLATFORM", "offscreen");
                QGuiApplication app(argc, argv);
                return ds::cli::runLadder(args);
            }
            QCoreApplication app(argc, argv);
            return ds::cli::runLadder(args);
        }
        if (command == QLatin1String("--version")) {
            std::printf("dialscope %s\n", DS_VERSION);
            return 0;
        }
        if (command == QLatin1String("--help") || command == QLatin1String("-h")) {
            usage();
            return 0;
        }
        if (ds::phone::isDialUri(command)) { // `dialscope sip:alice@example.com`, as the .desktop file starts it
            QApplication app(argc, argv);
            return ds::ui::runGui(app, {command});
        }
        if (!command.startsWith(QLatin1Char('-'))) {
            ds::cli::EventWriter::error(QStringLiteral("dialscope: unknown command \"%1\"").arg(command));
            usage();
            return ds::cli::ExitUsage;
        }
    }
    QApplication app(argc, argv);
    return ds::ui::runGui(app, {});
}
