#include "ladder_export.h"

#include "capture_import.h"

namespace ds::diag {

namespace {

CaptureAddress toCaptureAddress(const NetAddress &a)
{
    CaptureAddress c;
    c.ip = a.ip;
    c.v6 = a.v6;
    c.port = a.port;
    return c;
}

} // namespace

std::expected<quint64, QString> exportCapture(const LadderModel &model, const QString &path, const CaptureExportOptions &options)
{
    const TraceStore &store = model.store();
    const bool pcapng = options.format == CaptureWriter::Format::Pcapng;
    if (!options.sourceCapture.isEmpty()) {
        // The importer appended every message the reader found, in order: the k-th message the
        // reader finds again is message k of the store.
        const auto linkType = CaptureReader::linkTypeOf(options.sourceCapture);
        if (!linkType)
            return std::unexpected(linkType.error().text);
        auto writer = CaptureWriter::open(path, options.format, *linkType);
        if (!writer)
            return std::unexpected(writer.error().text);
        if (pcapng && !options.comment.isEmpty())
            (*writer)->setComment(options.comment);
        if (pcapng && !options.tlsKeyLog.isEmpty())
            (*writer)->writeTlsKeyLog(options.tlsKeyLog);
        std::vector<bool> shown(store.size(), false);
        for (const quint32 m : model.rows())
            shown[m] = true;
        quint32 k = 0;
        const auto copied = copyFrames(
            options.sourceCapture, [&shown, &k](const CapturedSip &) { return k < shown.size() && shown[k++]; }, **writer);
        if (!copied)
            return std::unexpected(copied.error().text);
        if (!(*writer)->flush())
            return std::unexpected((*writer)->errorString());
        return *copied;
    }
    auto writer = CaptureWriter::open(path, options.format);
    if (!writer)
        return std::unexpected(writer.error().text);
    if (pcapng && !options.comment.isEmpty())
        (*writer)->setComment(options.comment);
    if (pcapng && !options.tlsKeyLog.isEmpty())
        (*writer)->writeTlsKeyLog(options.tlsKeyLog);
    for (const quint32 m : model.rows()) {
        const MessageRecord &r = store.record(m);
        const auto transport = sip::TransportKind(r.transport);
        if (!(*writer)->writeMessage(r.timeUs, transport, toCaptureAddress(store.endpoint(r.src)), toCaptureAddress(store.endpoint(r.dst)), store.raw(m)))
            return std::unexpected(QStringLiteral("%1: message %2 could not be written: %3").arg(path).arg(m + 1).arg((*writer)->errorString()));
    }
    if (!(*writer)->flush())
        return std::unexpected((*writer)->errorString());
    return (*writer)->framesWritten();
}

} // namespace ds::diag
