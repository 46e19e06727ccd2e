#include "ladder_json.h"

#include <QDateTime>
#include <QJsonArray>
#include <QJsonDocument>
#include <QSet>

namespace ds::diag {

QString isoTime(qint64 timeUs)
{
    const QDateTime t = QDateTime::fromMSecsSinceEpoch(timeUs / 1000, Qt::UTC);
    return t.toString(QStringLiteral("yyyy-MM-ddTHH:mm:ss.")) + QString::number(timeUs % 1000000).rightJustified(6, QLatin1Char('0')) + QLatin1Char('Z');
}

QJsonObject callJson(const LadderModel &model, quint32 call)
{
    const LadderCallSummary s = model.callSummary(call);
    const TraceStore &store = model.store();
    const CallRecord &c = store.call(call);
    QString codec;
    if (model.rtp())
        for (const RtpStreamInfo &r : model.rtp()->streams())
            if (r.call == call && !r.codec.isEmpty()) {
                codec = r.codec;
                break;
            }
    return QJsonObject {{QStringLiteral("call_id"), s.callId}, {QStringLiteral("method"), s.method},
        {QStringLiteral("first_line"), c.firstMessage == kNoMessage ? QString() : QString::fromUtf8(store.firstLine(c.firstMessage))},
        {QStringLiteral("from"), s.from}, {QStringLiteral("to"), s.to}, {QStringLiteral("state"), s.state}, {QStringLiteral("status"), int(c.inviteStatus)},
        {QStringLiteral("codec"), codec}, {QStringLiteral("messages"), qint64(s.messages)}, {QStringLiteral("first"), isoTime(s.firstUs)},
        {QStringLiteral("last"), isoTime(s.lastUs)}, {QStringLiteral("duration"), double(s.lastUs - s.firstUs) / 1e6},
        {QStringLiteral("unsolicited"), s.unsolicited}};
}

QJsonObject messageJson(const LadderModel &model, quint32 message)
{
    const TraceStore &store = model.store();
    const MessageRecord &r = store.record(message);
    const QString src = store.endpoint(r.src).toEndpoint().toString();
    const QString dst = store.endpoint(r.dst).toEndpoint().toString();
    const bool directional = r.is(MessageRecord::Directional);
    const bool in = directional && !r.is(MessageRecord::Outgoing);
    QJsonObject o {{QStringLiteral("index"), qint64(message)}, {QStringLiteral("time"), isoTime(r.timeUs)}, {QStringLiteral("seconds"), model.seconds(message)},
        {QStringLiteral("call_id"), QString::fromUtf8(store.callId(r.call))},
        {QStringLiteral("transport"), QString::fromLatin1(sip::transportName(sip::TransportKind(r.transport)))}, {QStringLiteral("src"), src},
        {QStringLiteral("dst"), dst},
        // The contract's sip event: a capture has no local side; its messages read as sent by src.
        {QStringLiteral("dir"), in ? QStringLiteral("in") : QStringLiteral("out")}, {QStringLiteral("local"), in ? dst : src},
        {QStringLiteral("remote"), in ? src : dst}, {QStringLiteral("first_line"), QString::fromUtf8(store.firstLine(message))},
        {QStringLiteral("label"), model.label(message)}, {QStringLiteral("raw"), QString::fromUtf8(store.raw(message))},
        {QStringLiteral("retransmission"), r.is(MessageRecord::Retransmission)}};
    if (r.timer)
        o.insert(QStringLiteral("timer"), QString(QLatin1Char(r.timer)));
    if (r.related != kNoMessage)
        o.insert(QStringLiteral("related"), qint64(r.related));
    if (r.is(MessageRecord::AuthRetry))
        o.insert(QStringLiteral("auth_retry"), true);
    if (r.is(MessageRecord::Malformed))
        o.insert(QStringLiteral("malformed"), true);
    if (r.frame)
        o.insert(QStringLiteral("frame"), qint64(r.frame));
    return o;
}

QJsonObject rtpJson(const LadderModel &model, const RtpStreamInfo &s)
{
    return QJsonObject {{QStringLiteral("src"), s.src.toEndpoint().toString()}, {QStringLiteral("dst"), s.dst.toEndpoint().toString()},
        {QStringLiteral("ssrc"), QStringLiteral("0x%1").arg(s.ssrc, 8, 16, QLatin1Char('0'))},
        {QStringLiteral("call_id"), s.call < model.store().callCount() ? QString::fromUtf8(model.store().callId(s.call)) : QString()},
        {QStringLiteral("payload_type"), s.payloadType}, {QStringLiteral("codec"), s.codec}, {QStringLiteral("packets"), qint64(s.packets)},
        {QStringLiteral("lost"), qint64(s.lost)}, {QStringLiteral("first"), isoTime(s.firstUs)}, {QStringLiteral("last"), isoTime(s.lastUs)}};
}

std::expected<void, QString> writeLadderJson(const LadderModel &model, QIODevice &out)
{
    auto put = [&out](const QByteArray &b) { return out.write(b) == b.size(); };
    QSet<quint32> calls;
    for (const quint32 m : model.rows())
        calls.insert(model.store().record(m).call);
    QJsonArray endpoints;
    for (int c = 0; c < model.columnCount(); ++c)
        endpoints.append(QJsonObject {{QStringLiteral("address"), model.column(c).address}, {QStringLiteral("name"), model.column(c).name},
            {QStringLiteral("unsolicited"), model.column(c).unsolicited}});
    QList<quint32> callList(calls.begin(), calls.end());
    std::sort(callList.begin(), callList.end());
    bool ok = put("{\"endpoints\":" + QJsonDocument(endpoints).toJson(QJsonDocument::Compact) + ",\n\"calls\":[");
    for (qsizetype k = 0; ok && k < callList.size(); ++k)
        ok = put((k ? ",\n" : "\n") + QJsonDocument(callJson(model, callList[k])).toJson(QJsonDocument::Compact));
    ok = ok && put("],\n\"messages\":[");
    for (int row = 0; ok && row < model.rowCount(); ++row)
        ok = put((row ? ",\n" : "\n") + QJsonDocument(messageJson(model, model.messageAt(row))).toJson(QJsonDocument::Compact));
    ok = ok && put("],\n\"rtp\":[");
    if (model.rtp()) {
        bool first = true;
        for (const RtpStreamInfo &s : model.rtp()->streams()) {
            if (!ok || !calls.contains(s.call))
                continue;
            ok = put((first ? "\n" : ",\n") + QJsonDocument(rtpJson(model, s)).toJson(QJsonDocument::Compact));
            first = false;
        }
    }
    ok = ok && put("]}\n");
    if (!ok)
        return std::unexpected(QStringLiteral("cannot write the JSON export: %1").arg(out.errorString()));
    return {};
}

} // namespace ds::diag
