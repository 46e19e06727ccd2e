#pragma once
// Ladder JSON: the facts of a ladder as JSON objects — one per call, message, endpoint and RTP
// stream — shared by `dialscope ladder --json` (as events) and the JSON export (as a document
// written message by message, so a million messages never sit in one QJsonDocument).

#include "ladder_model.h"

#include <QIODevice>
#include <QJsonObject>

#include <expected>

namespace ds::diag {

// {call_id, method, first_line, from, to, state, status, codec, messages, first, last, unsolicited}
QJsonObject callJson(const LadderModel &model, quint32 call);
// {index, time, call_id, transport, src, dst, dir, local, remote, first_line, label, raw,
//  retransmission, timer, related, frame}
QJsonObject messageJson(const LadderModel &model, quint32 message);
QJsonObject rtpJson(const LadderModel &model, const RtpStreamInfo &stream);
// The call event of `dialscope ladder --json` as one JSON line ("event" and "t" included), written
// directly: a capture can hold hundreds of thousands of calls.
QByteArray callJsonLine(const LadderModel &model, quint32 call, double t);
QString isoTime(qint64 timeUs); // "2026-11-24T22:05:38.123456Z"

// The rows shown by the model (its filter applies) as one JSON document:
// {"endpoints": [...], "calls": [...], "messages": [...], "rtp": [...]}.
std::expected<void, QString> writeLadderJson(const LadderModel &model, QIODevice &out);

} // namespace ds::diag
