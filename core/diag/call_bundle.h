#pragma once
// Call bundle: one call as a single ZIP to attach to a ticket — its packets (pcapng, with the
// TLS key log when our own TLS carried it), a JSON timeline, an HTML ladder with clickable raw
// messages, the WAV recordings of both directions when there are any, and a README.

#include "ladder_export.h"

#include <QStringList>

#include <expected>

namespace ds::diag {

struct BundleInputs {
    QString sourceCapture; // the capture the store was read from, else empty (our own trace)
    const WireLog *wire = nullptr;
    QStringList audioFiles; // WAVs to include; missing files are listed in the README, not fatal
    bool mergeRelated = true; // Call-IDs related by Replaces / X-Call-ID come along
};

std::expected<void, QString> writeCallBundle(const TraceStore &store, const RtpTracker *rtp, quint32 call, const QString &zipPath, const BundleInputs &inputs);

} // namespace ds::diag
