// `dialscope ladder FILE`: imports a pcap/pcapng capture and prints or exports its ladder
// (ARCHITECTURE.md): a call list, the ASCII ladder, JSON events, SVG/PNG without a display.

#include "commands.h"
#include "event_writer.h"

#include "diag/call_bundle.h"
#include "diag/capture_import.h"
#include "diag/ladder_json.h"
#include "diag/ladder_text.h"
#include "ui/ladder_export_image.h"

#include <QCommandLineParser>
#include <QFileInfo>

#include <cstdio>

namespace ds::cli {

namespace {

QString shortTime(qint64 us)
{
    return diag::isoTime(us).mid(11, 12); // HH:mm:ss.zzz
}

} // namespace

int runLadder(const QStringList &args)
{
    QCommandLineParser p;
    p.setApplicationDescription(QStringLiteral("Imports a pcap or pcapng capture and prints or exports its SIP ladder."));
    p.addPositionalArgument(QStringLiteral("FILE"), QStringLiteral("capture file (pcap or pcapng)"));
    p.addOption({QStringLiteral("json"), QStringLiteral("Print JSON Lines: a call event per Call-ID, then the result.")});
    p.addOption({QStringLiteral("messages"), QStringLiteral("With --json: also a sip event per message.")});
    p.addOption({QStringLiteral("text"), QStringLiteral("Print the ASCII ladder.")});
    p.addOption({QStringLiteral("svg"), QStringLiteral("Render the ladder as SVG into OUT."), QStringLiteral("OUT")});
    p.addOption({QStringLiteral("png"), QStringLiteral("Render the ladder as PNG into OUT."), QStringLiteral("OUT")});
    p.addOption({QStringLiteral("call"), QStringLiteral("Only the messages of this Call-ID (repeatable)."), QStringLiteral("CALL-ID")});
    p.addOption({QStringLiteral("pcap"), QStringLiteral("Write the messages shown to OUT, keeping their original packets (pcapng unless OUT ends in .pcap)."),
        QStringLiteral("OUT")});
    p.addOption({QStringLiteral("bundle"), QStringLiteral("With one --call: write the call's bundle (pcapng, JSON timeline, HTML ladder) to OUT.zip."),
        QStringLiteral("OUT")});
    p.addOption({QStringLiteral("merge"), QStringLiteral("With --call: include Call-IDs related by Replaces or X-Call-ID.")});
    p.addOption({{QStringLiteral("h"), QStringLiteral("help")}, QStringLiteral("Show this help.")});
    if (!p.parse(QStringList {QStringLiteral("dialscope ladder")} + args)) {
        EventWriter::error(QStringLiteral("dialscope ladder: %1").arg(p.errorText()));
        return ExitUsage;
    }
    if (p.isSet(QStringLiteral("help"))) {
        std::fputs(qPrintable(p.helpText()), stdout);
        return ExitOk;
    }
    if (p.positionalArguments().size() != 1) {
        EventWriter::error(QStringLiteral("dialscope ladder: give exactly one capture FILE"));
        return ExitUsage;
    }
    const QString path = p.positionalArguments().first();
    if (p.isSet(QStringLiteral("bundle")) && p.values(QStringLiteral("call")).size() != 1) {
        EventWriter::error(QStringLiteral("dialscope ladder: --bundle needs exactly one --call CALL-ID"));
        return ExitUsage;
    }
    EventWriter out(p.isSet(QStringLiteral("json")));

    diag::TraceStore store;
    diag::RtpTracker rtp;
    const auto imported = diag::importCapture(path, store, rtp);
    if (!imported) {
        EventWriter::error(QStringLiteral("dialscope ladder: %1").arg(imported.error().text));
        out.event(QStringLiteral("result"), {{QStringLiteral("outcome"), QStringLiteral("unreadable")}, {QStringLiteral("reason"), imported.error().text}});
        return ExitUsage;
    }
    diag::LadderModel model(store, &rtp);
    model.setMergeRelated(p.isSet(QStringLiteral("merge")));
    model.update(); // classifies every message (scanners, related Call-IDs) before filtering
    diag::LadderFilter filter;
    for (const QString &id : p.values(QStringLiteral("call"))) {
        const auto call = store.findCall(id.toUtf8());
        if (!call) {
            EventWriter::error(QStringLiteral("dialscope ladder: no message with Call-ID \"%1\" in %2").arg(id, path));
            out.event(QStringLiteral("result"), {{QStringLiteral("outcome"), QStringLiteral("no-such-call")}, {QStringLiteral("reason"), id}});
            return ExitUsage;
        }
        filter.calls.insert(model.groupOf(*call));
    }
    model.setFilter(filter);

    // Which calls are shown, in order of appearance.
    QList<quint32> calls;
    {
        std::vector<bool> seen(store.callCount(), false);
        for (const quint32 m : model.rows()) {
            const quint32 c = store.record(m).call;
            if (!seen[c]) {
                seen[c] = true;
                calls << c;
            }
        }
    }
    for (const quint32 c : calls) {
        out.line(diag::callJsonLine(model, c, out.elapsed()));
        if (!out.json() && !p.isSet(QStringLiteral("text"))) {
            const diag::LadderCallSummary s = model.callSummary(c);
            out.text(QStringLiteral("%1  %2  %3 -> %4  %5  %6 messages  %7%8")
                         .arg(shortTime(s.firstUs), s.method.leftJustified(9), s.from, s.to, s.state)
                         .arg(s.messages)
                         .arg(s.callId, s.unsolicited ? QStringLiteral("  (unsolicited)") : QString()));
        }
    }
    if (out.json() && p.isSet(QStringLiteral("messages")))
        for (const quint32 m : model.rows())
            out.event(QStringLiteral("sip"), diag::messageJson(model, m));
    for (const diag::RtpStreamInfo &s : rtp.streams())
        out.event(QStringLiteral("media"), diag::rtpJson(model, s));
    if (p.isSet(QStringLiteral("text")) && !out.json())
        std::fputs(qPrintable(diag::renderTextLadder(model)), stdout);

    for (const auto &[option, png] : {std::pair {QStringLiteral("svg"), false}, std::pair {QStringLiteral("png"), true}}) {
        if (!p.isSet(option))
            continue;
        const QString target = p.value(option);
        const auto written = png ? ui::exportLadderPng(model, target) : ui::exportLadderSvg(model, target);
        if (!written) {
            EventWriter::error(QStringLiteral("dialscope ladder: %1").arg(written.error()));
            return ExitUsage;
        }
    }

    if (p.isSet(QStringLiteral("pcap"))) {
        const QString target = p.value(QStringLiteral("pcap"));
        diag::CaptureExportOptions options;
        options.format = target.endsWith(QLatin1String(".pcap"), Qt::CaseInsensitive) ? diag::CaptureWriter::Format::Pcap : diag::CaptureWriter::Format::Pcapng;
        options.sourceCapture = path;
        if (const auto written = diag::exportCapture(model, target, options); !written) {
            EventWriter::error(QStringLiteral("dialscope ladder: %1").arg(written.error()));
            return ExitUsage;
        }
    }
    if (p.isSet(QStringLiteral("bundle"))) {
        diag::BundleInputs inputs;
        inputs.sourceCapture = path;
        inputs.mergeRelated = p.isSet(QStringLiteral("merge"));
        const quint32 call = *store.findCall(p.value(QStringLiteral("call")).toUtf8());
        if (const auto written = diag::writeCallBundle(store, &rtp, call, p.value(QStringLiteral("bundle")), inputs); !written) {
            EventWriter::error(QStringLiteral("dialscope ladder: %1").arg(written.error()));
            return ExitUsage;
        }
    }

    const diag::CaptureCounts &n = imported->counts;
    QSet<quint32> endpoints;
    for (const quint32 m : model.rows()) {
        endpoints.insert(store.record(m).src);
        endpoints.insert(store.record(m).dst);
    }
    const QJsonObject result {{QStringLiteral("outcome"), QStringLiteral("ok")}, {QStringLiteral("messages"), model.rowCount()},
        {QStringLiteral("call_ids"), int(calls.size())}, {QStringLiteral("endpoints"), int(endpoints.size())}, {QStringLiteral("frames"), qint64(n.frames)},
        {QStringLiteral("truncated"), qint64(n.truncated)}, {QStringLiteral("garbage"), qint64(n.garbage)},
        {QStringLiteral("non_sip_udp"), qint64(n.nonSipUdp)}, {QStringLiteral("rtp_packets"), qint64(imported->rtpPackets)},
        {QStringLiteral("rtp_streams"), int(rtp.streams().size())}, {QStringLiteral("unsolicited_requests"), qint64(model.unsolicitedRequests())}};
    out.event(QStringLiteral("result"), result);
    out.text(QStringLiteral("%1: %2 SIP messages in %3 Call-IDs between %4 endpoints; %5 frames, %6 RTP packets in %7 streams; skipped %8 truncated, %9 "
                            "garbage")
                 .arg(QFileInfo(path).fileName())
                 .arg(model.rowCount())
                 .arg(calls.size())
                 .arg(endpoints.size())
                 .arg(n.frames)
                 .arg(imported->rtpPackets)
                 .arg(rtp.streams().size())
                 .arg(n.truncated)
                 .arg(n.garbage));
    return ExitOk;
}

} // namespace ds::cli
