// `dialscope dtmf detect FILE.wav [--json]`: the in-band DTMF digits of a recording (ITU-T Q.23 tones
// recognised with ITU-T Q.24's limits), each with its time, duration, levels and twist.

#include "commands.h"
#include "event_writer.h"

#include "dtmf/wav_detect.h"

#include <QCommandLineParser>

#include <algorithm>
#include <cmath>
#include <cstdio>

namespace ds::cli {

namespace {

const char kUsage[] = "usage: dialscope dtmf detect FILE.wav [--json]\n"
                      "  detect   find the in-band DTMF digits in a WAV file (any rate, mono or stereo)\n";

qint64 msOf(std::int64_t samples) { return (samples * 1000 + dtmf::InbandDetector::kSampleRate / 2) / dtmf::InbandDetector::kSampleRate; }

int runDetect(const QStringList &args)
{
    QCommandLineParser p;
    p.setApplicationDescription(QStringLiteral("Finds the in-band DTMF digits (ITU-T Q.23 tones, ITU-T Q.24 limits) in a WAV file.\n"
                                               "Twist is the low group's level minus the high group's (positive: the high tone is weaker)."));
    p.addPositionalArgument(QStringLiteral("FILE"), QStringLiteral("WAV file: PCM, float or G.711, any rate, mono or stereo (channels are mixed)"));
    p.addOption({QStringLiteral("json"), QStringLiteral("Print JSON Lines: a dtmf event per digit, then the result.")});
    p.addOption({{QStringLiteral("h"), QStringLiteral("help")}, QStringLiteral("Show this help.")});
    if (!p.parse(QStringList {QStringLiteral("dialscope dtmf detect")} + args)) {
        EventWriter::error(QStringLiteral("dialscope dtmf detect: %1").arg(p.errorText()));
        return ExitUsage;
    }
    if (p.isSet(QStringLiteral("help"))) {
        std::fputs(qPrintable(p.helpText()), stdout);
        return ExitOk;
    }
    if (p.positionalArguments().size() != 1) {
        EventWriter::error(QStringLiteral("dialscope dtmf detect: give exactly one WAV FILE"));
        return ExitUsage;
    }
    const QString path = p.positionalArguments().first();
    EventWriter out(p.isSet(QStringLiteral("json")));
    const auto found = dtmf::detectInWav(path);
    if (!found) {
        EventWriter::error(QStringLiteral("dialscope dtmf detect: %1").arg(found.error()));
        out.event(QStringLiteral("result"), {{QStringLiteral("outcome"), QStringLiteral("unreadable")}, {QStringLiteral("reason"), found.error()}});
        return ExitUsage;
    }

    QString digits;
    if (!found->isEmpty())
        out.text(QStringLiteral("digit   at (s)  duration  low (dBm0)  high (dBm0)  twist (dB)"));
    for (const dtmf::DetectedTone &t : *found) {
        digits.append(QLatin1Char(t.digit));
        const qint64 atMs = msOf(t.startSample), durationMs = msOf(t.durationSamples);
        out.event(QStringLiteral("dtmf"),
            {{QStringLiteral("digit"), QString(QLatin1Char(t.digit))}, {QStringLiteral("mode"), QStringLiteral("inband")},
                {QStringLiteral("dir"), QStringLiteral("in")}, {QStringLiteral("at_ms"), atMs}, {QStringLiteral("duration_ms"), durationMs},
                {QStringLiteral("level_dbm0"), std::round(std::max(t.lowDbm0, t.highDbm0) * 10) / 10}, // the stronger tone, as DigitEvent
                {QStringLiteral("low_dbm0"), std::round(t.lowDbm0 * 10) / 10}, {QStringLiteral("high_dbm0"), std::round(t.highDbm0 * 10) / 10},
                {QStringLiteral("twist_db"), std::round(t.twistDb * 10) / 10}});
        out.text(QStringLiteral("%1   %2  %3 ms  %4  %5  %6")
                     .arg(QLatin1Char(t.digit), 5)
                     .arg(double(t.startSample) / dtmf::InbandDetector::kSampleRate, 7, 'f', 3)
                     .arg(durationMs, 5)
                     .arg(t.lowDbm0, 10, 'f', 1)
                     .arg(t.highDbm0, 11, 'f', 1)
                     .arg(t.twistDb, 10, 'f', 1));
    }
    out.event(QStringLiteral("result"),
        {{QStringLiteral("outcome"), digits.isEmpty() ? QStringLiteral("none") : QStringLiteral("detected")}, {QStringLiteral("digits"), digits},
            {QStringLiteral("count"), int(digits.size())}});
    out.text(digits.isEmpty() ? QStringLiteral("no DTMF digits in %1").arg(path)
                              : QStringLiteral("%1 digit%2: %3").arg(digits.size()).arg(digits.size() == 1 ? QString() : QStringLiteral("s"), digits));
    return ExitOk;
}

} // namespace

int runDtmf(const QStringList &args)
{
    const QString sub = args.isEmpty() ? QString() : args.first();
    if (sub == QLatin1String("detect"))
        return runDetect(args.mid(1));
    if (sub == QLatin1String("-h") || sub == QLatin1String("--help")) {
        std::fputs(kUsage, stdout);
        return ExitOk;
    }
    EventWriter::error(
        sub.isEmpty() ? QStringLiteral("dialscope dtmf: give a subcommand") : QStringLiteral("dialscope dtmf: unknown subcommand \"%1\"").arg(sub));
    std::fputs(kUsage, stderr);
    return ExitUsage;
}

} // namespace ds::cli
