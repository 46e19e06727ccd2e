#include "call_bundle.h"

#include "ladder_html.h"
#include "ladder_json.h"
#include "ladder_text.h"
#include "zip_writer.h"

#include <QBuffer>
#include <QFile>
#include <QFileInfo>
#include <QSaveFile>
#include <QTemporaryDir>

namespace ds::diag {

std::expected<void, QString> writeCallBundle(const TraceStore &store, const RtpTracker *rtp, quint32 call, const QString &zipPath, const BundleInputs &inputs)
{
    if (call >= store.callCount())
        return std::unexpected(QStringLiteral("no such call"));
    LadderModel model(store, rtp);
    model.setMergeRelated(inputs.mergeRelated);
    model.update();
    LadderFilter filter;
    filter.calls.insert(model.groupOf(call));
    model.setFilter(filter);
    const QString callId = QString::fromUtf8(store.callId(call));
    const LadderCallSummary summary = model.callSummary(call);

    QTemporaryDir scratch;
    if (!scratch.isValid())
        return std::unexpected(QStringLiteral("no temporary directory for the bundle: %1").arg(scratch.errorString()));
    const QString pcap = scratch.filePath(QStringLiteral("capture.pcapng"));
    CaptureExportOptions options;
    options.format = CaptureWriter::Format::Pcapng;
    options.sourceCapture = inputs.sourceCapture;
    options.wire = inputs.wire;
    options.comment = QStringLiteral("dialscope call bundle: Call-ID %1").arg(callId);
    if (const auto written = exportCapture(model, pcap, options); !written)
        return std::unexpected(written.error());

    QSaveFile out(zipPath);
    if (!out.open(QIODevice::WriteOnly))
        return std::unexpected(QStringLiteral("cannot write %1: %2").arg(zipPath, out.errorString()));
    ZipWriter zip(out);
    auto addFile = [&zip](const QString &name, const QString &path) -> std::expected<void, QString> {
        QFile f(path);
        if (!f.open(QIODevice::ReadOnly))
            return std::unexpected(QStringLiteral("cannot read %1: %2").arg(path, f.errorString()));
        if (!zip.add(name, f.readAll()))
            return std::unexpected(zip.errorString());
        return {};
    };
    if (auto r = addFile(QStringLiteral("capture.pcapng"), pcap); !r)
        return r;
    QBuffer json;
    json.open(QIODevice::WriteOnly);
    if (auto r = writeLadderJson(model, json); !r)
        return r;
    if (!zip.add(QStringLiteral("timeline.json"), json.data()))
        return std::unexpected(zip.errorString());
    const QString title = QStringLiteral("%1 %2 → %3 (%4)").arg(summary.method, summary.from, summary.to, summary.state);
    if (!zip.add(QStringLiteral("ladder.html"), renderHtmlLadder(model, title)) || !zip.add(QStringLiteral("ladder.txt"), renderTextLadder(model).toUtf8()))
        return std::unexpected(zip.errorString());
    QStringList audio, missing;
    for (const QString &wav : inputs.audioFiles) {
        if (!QFileInfo::exists(wav)) {
            missing << wav;
            continue;
        }
        const QString name = QStringLiteral("audio/") + QFileInfo(wav).fileName();
        if (auto r = addFile(name, wav); !r)
            return r;
        audio << name;
    }
    QString readme = QStringLiteral("dialscope call bundle\n\nCall-ID: %1\nFrom: %2\nTo: %3\nState: %4\nMessages: %5\nFirst: %6\nLast: %7\n\n")
                         .arg(callId, summary.from, summary.to, summary.state)
                         .arg(model.rowCount())
                         .arg(isoTime(summary.firstUs), isoTime(summary.lastUs));
    readme += QStringLiteral("capture.pcapng  the packets (open with Wireshark%1)\n")
                  .arg(inputs.wire && !inputs.wire->isEmpty()
                          ? QStringLiteral("; SIP over TLS decrypts with the key log inside: this file holds the TLS session keys")
                          : QString());
    readme += QStringLiteral("timeline.json   every message with time, endpoints, transaction links and raw text\n");
    readme += QStringLiteral("ladder.html     the ladder; click an arrow to read the message\nladder.txt      the same as plain text\n");
    for (const QString &a : audio)
        readme += QStringLiteral("%1  %2\n").arg(a, a.contains(QLatin1String("sent")) ? QStringLiteral("what we sent") : QStringLiteral("what we received"));
    if (audio.isEmpty())
        readme += QStringLiteral("(no audio: the call was not recorded)\n");
    for (const QString &m : missing)
        readme += QStringLiteral("(recording %1 was not found)\n").arg(m);
    if (!zip.add(QStringLiteral("README.txt"), readme.toUtf8()) || !zip.finish())
        return std::unexpected(zip.errorString());
    if (!out.commit())
        return std::unexpected(QStringLiteral("cannot write %1: %2").arg(zipPath, out.errorString()));
    return {};
}

} // namespace ds::diag
