#pragma once
// Ladder export to captures: the rows a LadderModel shows, as pcap or pcapng. A ladder read
// from a capture keeps its original packets (every fragment and segment, byte for byte); our
// own trace gets synthesised Ethernet/IP/UDP or TCP headers so Wireshark and sngrep open it.

#include "capture_writer.h"
#include "ladder_model.h"
#include "wire_log.h"

#include <expected>

namespace ds::diag {

struct CaptureExportOptions {
    CaptureWriter::Format format = CaptureWriter::Format::Pcapng;
    QString sourceCapture; // the capture the store was imported from, else empty
    QByteArray tlsKeyLog; // NSS key log lines (pcapng only): Wireshark decrypts TLS with them
    QString comment; // pcapng section comment, e.g. the SRTP keys of the calls
    // Our own TLS connections as they were on the wire (pcapng only): their messages are written
    // as the real encrypted packets with the key log, instead of as plain text.
    const WireLog *wire = nullptr;
};

// Writes the rows shown; returns the number of frames written.
std::expected<quint64, QString> exportCapture(const LadderModel &model, const QString &path, const CaptureExportOptions &options);

} // namespace ds::diag
