// `dialscope answer ...`: registers when a server is given (else listens on --bind), answers
// --calls calls after --answer-after seconds, plays, records or echoes, and reports.

#include "call_runner.h"
#include "commands.h"

#include <QCoreApplication>
#include <QFileInfo>

namespace ds::cli {

namespace {

// The recording of call n (from 1): FILE for the first, FILE-n.wav after it.
QString recordPathFor(const QString &path, int n)
{
    if (path.isEmpty() || n == 1)
        return path;
    const QFileInfo fi(path);
    return fi.path() + QLatin1Char('/') + fi.completeBaseName() + QStringLiteral("-%1.").arg(n) + (fi.suffix().isEmpty() ? QStringLiteral("wav") : fi.suffix());
}

} // namespace

int runAnswer(const QStringList &args)
{
    QCommandLineParser p;
    p.setApplicationDescription(QStringLiteral("Waits for calls, answers them and reports."));
    addCallOptions(p);
    p.addOption({QStringLiteral("calls"), QStringLiteral("Handle N calls, then exit (default 1)."), QStringLiteral("N"), QStringLiteral("1")});
    p.addOption({QStringLiteral("answer-after"), QStringLiteral("Ring S seconds before answering (default 0)."), QStringLiteral("S"), QStringLiteral("0")});
    p.addOption({QStringLiteral("echo"), QStringLiteral("Send back what is received.")});
    p.addOption({QStringLiteral("reject"), QStringLiteral("Refuse calls with this status (486, 603...) instead of answering."), QStringLiteral("CODE")});
    addCommonOptions(p);
    auto common = parseCommand(p, QStringLiteral("answer"), args);
    if (!common)
        return common.error();
    if (!p.positionalArguments().isEmpty()) {
        EventWriter::error(QStringLiteral("dialscope answer: takes no arguments (the server is --server)"));
        return ExitUsage;
    }
    auto options = readCallOptions(p, *common, {});
    if (!options) {
        EventWriter::error(QStringLiteral("dialscope answer: %1").arg(options.error()));
        return ExitUsage;
    }
    bool ok = false;
    const int calls = p.value(QStringLiteral("calls")).toInt(&ok);
    if (!ok || calls < 1) {
        EventWriter::error(QStringLiteral("dialscope answer: --calls must be a positive number"));
        return ExitUsage;
    }
    const double after = p.value(QStringLiteral("answer-after")).toDouble(&ok);
    if (!ok || after < 0) {
        EventWriter::error(QStringLiteral("dialscope answer: --answer-after must be a number of seconds"));
        return ExitUsage;
    }
    int rejectWith = 0;
    if (p.isSet(QStringLiteral("reject"))) {
        rejectWith = p.value(QStringLiteral("reject")).toInt(&ok);
        if (!ok || rejectWith < 300 || rejectWith > 699) {
            EventWriter::error(QStringLiteral("dialscope answer: --reject needs a final status between 300 and 699"));
            return ExitUsage;
        }
    }
    options->settings.audio.echo = p.isSet(QStringLiteral("echo"));
    options->settings.autoAnswerMs = rejectWith ? -1 : int(after * 1000);
    if (options->account.server.isEmpty() && !common->bindAddress.isNull() && common->bindPort == 0
        && !p.value(QStringLiteral("bind")).contains(QLatin1Char(':')))
        common->bindPort = 5060;
    if (options->account.server.isEmpty() && common->bindAddress.isNull()) {
        common->bindAddress = QHostAddress(QHostAddress::AnyIPv4);
        common->bindPort = 5060;
    }
    EventWriter out(common->json);
    CallRunner runner(*options, *common, out);
    int handled = 0;
    int answered = 0;
    QJsonObject last;
    const QString recordPath = options->settings.audio.recordFile;
    runner.start([&] {
        out.event(QStringLiteral("finding"),
            {{QStringLiteral("severity"), QStringLiteral("info")},
                {QStringLiteral("text"), QStringLiteral("waiting for calls to %1").arg(runner.agent().localEndpoint().toString())},
                {QStringLiteral("listen"), runner.agent().localEndpoint().toString()}});
        out.text(QStringLiteral("waiting for calls on %1").arg(runner.agent().localEndpoint().toString()));
        QObject::connect(&runner.center(), &phone::CallCenter::callAdded, &runner, [&](phone::Call *call) {
            if (call->direction() != phone::Call::Direction::Incoming)
                return;
            // The next call records into its own file.
            phone::CallSettings next = runner.center().settings();
            next.audio.recordFile = recordPathFor(recordPath, handled + 2);
            runner.center().setSettings(next);
            runner.follow(call, [&](phone::Call *c) {
                ++handled;
                if (c->outcome() == phone::CallOutcome::Answered)
                    ++answered;
                last = {{QStringLiteral("codec"), c->codec()}, {QStringLiteral("rtp"), CallRunner::rtpFields(c->stats())}};
                CallRunner::addDtmfFields(last, *c);
                if (c->end().status)
                    last.insert(QStringLiteral("status"), c->end().status);
                if (handled >= calls) {
                    QJsonObject r = last;
                    const bool allGood = rejectWith ? true : answered == calls;
                    r.insert(
                        QStringLiteral("outcome"), allGood ? (rejectWith ? QStringLiteral("rejected") : QStringLiteral("answered")) : QStringLiteral("failed"));
                    r.insert(QStringLiteral("reason"), QStringLiteral("%1 of %2 calls answered").arg(answered).arg(calls));
                    r.insert(QStringLiteral("calls"), handled);
                    r.insert(QStringLiteral("answered"), answered);
                    runner.finish(r, allGood ? ExitOk : ExitRefused);
                }
            });
            if (rejectWith)
                QTimer::singleShot(std::chrono::milliseconds(qint64(after * 1000)), call, [call, rejectWith] { call->reject(rejectWith); });
        });
    });
    return QCoreApplication::exec();
}

} // namespace ds::cli
