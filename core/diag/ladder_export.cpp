#include "ladder_export.h"

#include "capture_import.h"

#include <QFileInfo>
#include <QSet>

#include <limits>

namespace ds::diag {

std::expected<quint64, QString> exportCapture(const LadderModel &model, const QString &path, const CaptureExportOptions &options)
{
    // Writing starts by truncating the target: never the capture the frames are copied from.
    if (!options.sourceCapture.isEmpty() && QFileInfo(path).exists()
        && QFileInfo(path).canonicalFilePath() == QFileInfo(options.sourceCapture).canonicalFilePath())
        return std::unexpected(QStringLiteral("%1 is the capture being exported from: choose another file").arg(path));
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
    // TLS connections whose whole life (from the ClientHello) is in the wire log go out as
    // their encrypted packets; Wireshark decrypts them with the key log written first.
    QSet<std::pair<quint32, quint32>> encrypted;
    std::vector<const WireChunk *> chunks;
    QByteArray keyLog = options.tlsKeyLog;
    if (pcapng && options.wire) {
        QSet<std::pair<NetAddress, NetAddress>> complete, seen, shownConnections;
        for (const WireChunk &c : options.wire->chunks()) {
            const std::pair<NetAddress, NetAddress> key {c.src, c.dst};
            const std::pair<NetAddress, NetAddress> back {c.dst, c.src};
            if (!seen.contains(key) && !seen.contains(back)) {
                seen.insert(key);
                if (!c.bytes.isEmpty() && c.bytes[0] == 0x16) // a handshake record opens it
                    complete.insert(key);
            }
        }
        // A connection goes out encrypted only when every message it carried is shown: with the
        // key log in the same file, its packets would reveal the calls the filter left out (one
        // connection carries every call of an account). Otherwise its shown messages are written
        // as plain text like any other.
        std::vector<bool> shown(store.size(), false);
        for (const quint32 m : model.rows())
            shown[m] = true;
        QSet<std::pair<quint32, quint32>> partial;
        for (quint32 m = 0; m < store.size(); ++m) {
            const MessageRecord &r = store.record(m);
            if (!shown[m] && sip::TransportKind(r.transport) == sip::TransportKind::Tls)
                partial.insert({std::min(r.src, r.dst), std::max(r.src, r.dst)});
        }
        for (const quint32 m : model.rows()) {
            const MessageRecord &r = store.record(m);
            if (sip::TransportKind(r.transport) != sip::TransportKind::Tls)
                continue;
            const std::pair<quint32, quint32> connection {std::min(r.src, r.dst), std::max(r.src, r.dst)};
            const NetAddress &a = store.endpoint(r.src), &b = store.endpoint(r.dst);
            if ((complete.contains({a, b}) || complete.contains({b, a})) && !partial.contains(connection)) {
                encrypted.insert(connection);
                shownConnections.insert({a, b});
                shownConnections.insert({b, a});
            }
        }
        for (const WireChunk &c : options.wire->chunks())
            if (shownConnections.contains({c.src, c.dst}))
                chunks.push_back(&c);
        if (!chunks.empty()) {
            // Only the secrets of the connections written: NSS key log lines name their session by
            // the ClientHello's random (RFC 8446 4.1.2: record header 5, handshake header 4,
            // version 2, then 32 bytes of random).
            QSet<QByteArray> randoms;
            QSet<std::pair<NetAddress, NetAddress>> opened;
            for (const WireChunk *c : chunks) {
                if (opened.contains({c->src, c->dst}) || opened.contains({c->dst, c->src}))
                    continue;
                opened.insert({c->src, c->dst});
                if (c->bytes.size() >= 43 && c->bytes[0] == 0x16 && c->bytes[5] == 0x01)
                    randoms.insert(c->bytes.mid(11, 32).toHex());
            }
            for (const QByteArray &line : options.wire->keyLog().split('\n')) {
                const QList<QByteArray> fields = line.split(' ');
                if (fields.size() == 3 && randoms.contains(fields[1].toLower()))
                    keyLog += line + '\n';
            }
        }
    }
    if (pcapng && !options.comment.isEmpty())
        (*writer)->setComment(options.comment);
    if (pcapng && !keyLog.isEmpty())
        (*writer)->writeTlsKeyLog(keyLog);
    // Messages and encrypted chunks merged in time order.
    size_t next = 0;
    auto writeChunksUntil = [&](qint64 timeUs) {
        for (; next < chunks.size() && chunks[next]->timeUs <= timeUs; ++next) {
            const WireChunk &c = *chunks[next];
            if (!(*writer)->writeMessage(c.timeUs, sip::TransportKind::Tcp, c.src, c.dst, c.bytes))
                return false;
        }
        return true;
    };
    for (const quint32 m : model.rows()) {
        const MessageRecord &r = store.record(m);
        const auto transport = sip::TransportKind(r.transport);
        if (!writeChunksUntil(r.timeUs))
            return std::unexpected(QStringLiteral("%1: %2").arg(path, (*writer)->errorString()));
        if (transport == sip::TransportKind::Tls && encrypted.contains({std::min(r.src, r.dst), std::max(r.src, r.dst)}))
            continue; // its encrypted packets carry it
        if (!(*writer)->writeMessage(r.timeUs, transport, store.endpoint(r.src), store.endpoint(r.dst), store.raw(m)))
            return std::unexpected(QStringLiteral("%1: message %2 could not be written: %3").arg(path).arg(m + 1).arg((*writer)->errorString()));
    }
    if (!writeChunksUntil(std::numeric_limits<qint64>::max()))
        return std::unexpected(QStringLiteral("%1: %2").arg(path, (*writer)->errorString()));
    if (!(*writer)->flush())
        return std::unexpected((*writer)->errorString());
    return (*writer)->framesWritten();
}

} // namespace ds::diag
