#include "ladder_json.h"

#include <QDateTime>
#include <QJsonArray>
#include <QJsonDocument>
#include <QSet>

#include <algorithm>
#include <cstdio>

namespace ds::diag {

namespace {

// Days since 1970-01-01 to a civil date (H. Hinnant, "chrono-compatible low-level date algorithms").
void civil(qint64 days, qint64 &y, int &m, int &d)
{
    days += 719468;
    const qint64 era = (days >= 0 ? days : days - 146096) / 146097;
    const qint64 doe = days - era * 146097;
    const qint64 yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    const qint64 doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    const qint64 mp = (5 * doy + 2) / 153;
    d = int(doy - (153 * mp + 2) / 5 + 1);
    m = int(mp < 10 ? mp + 3 : mp - 9);
    y = yoe + era * 400 + (m <= 2);
}

void isoTimeTo(QByteArray &out, qint64 timeUs)
{
    const qint64 ms = timeUs / 1000;
    const qint64 secs = ms >= 0 ? ms / 1000 : (ms - 999) / 1000;
    const qint64 days = secs >= 0 ? secs / 86400 : (secs - 86399) / 86400;
    const qint64 sod = secs - days * 86400;
    qint64 y;
    int m, d;
    civil(days, y, m, d);
    char buf[28] = "0000-00-00T00:00:00.000000Z";
    const auto put = [&buf](int at, qint64 v, int digits) {
        for (int i = digits - 1; i >= 0; --i, v /= 10)
            buf[at + i] = char('0' + v % 10);
    };
    put(0, y, 4);
    put(5, m, 2);
    put(8, d, 2);
    put(11, sod / 3600, 2);
    put(14, sod / 60 % 60, 2);
    put(17, sod % 60, 2);
    put(20, timeUs % 1000000, 6);
    out.append(buf, 27);
}

// RFC 8259 7, as QJsonDocument writes strings: ", \\ and control characters escaped, the rest as UTF-8.
void jsonString(QByteArray &out, QByteArrayView utf8)
{
    // Bytes that are not UTF-8 (a capture may hold anything) become U+FFFD, as QJsonDocument
    // would write them: the line stays valid JSON.
    QByteArray cleaned;
    if (std::any_of(utf8.begin(), utf8.end(), [](char c) { return uchar(c) >= 0x80; })) {
        cleaned = QString::fromUtf8(utf8).toUtf8();
        utf8 = cleaned;
    }
    out += '"';
    for (const char c : utf8) {
        const uchar u = uchar(c);
        if (c == '"' || c == '\\') {
            out += '\\';
            out += c;
        } else if (u < 0x20) {
            static const char *kShort = "btn\0fr";
            if (u >= 8 && u <= 13 && u != 11) {
                out += '\\';
                out += kShort[u - 8];
            } else {
                char buf[8];
                std::snprintf(buf, sizeof buf, "\\u%04x", u);
                out += buf;
            }
        } else {
            out += c;
        }
    }
    out += '"';
}

void jsonString(QByteArray &out, const QString &s) { jsonString(out, QByteArrayView(s.toUtf8())); }

} // namespace

QString isoTime(qint64 timeUs)
{
    QByteArray b;
    isoTimeTo(b, timeUs);
    return QString::fromLatin1(b);
}

QByteArray callJsonLine(const LadderModel &model, quint32 call, double t)
{
    const LadderCallSummary s = model.callSummary(call);
    const TraceStore &store = model.store();
    const CallRecord &c = store.call(call);
    const QString codec = model.rtp() ? model.rtp()->codecOfCall(call) : QString();
    // Keys in the order QJsonObject keeps them (sorted), so the line is byte for byte what callJson + toJson gave.
    QByteArray o;
    o.reserve(512);
    o += "{\"call_id\":";
    jsonString(o, store.callId(call));
    o += ",\"codec\":";
    jsonString(o, codec);
    o += ",\"duration\":";
    o += QByteArray::number(double(s.lastUs - s.firstUs) / 1e6, 'g', QLocale::FloatingPointShortest);
    o += ",\"event\":\"call\",\"first\":\"";
    isoTimeTo(o, s.firstUs);
    o += "\",\"first_line\":";
    jsonString(o, c.firstMessage == kNoMessage ? QByteArrayView() : store.firstLine(c.firstMessage));
    o += ",\"from\":";
    jsonString(o, s.from);
    o += ",\"last\":\"";
    isoTimeTo(o, s.lastUs);
    o += "\",\"messages\":";
    o += QByteArray::number(s.messages);
    o += ",\"method\":";
    jsonString(o, s.method);
    o += ",\"state\":";
    jsonString(o, s.state);
    o += ",\"status\":";
    o += QByteArray::number(c.inviteStatus);
    o += ",\"t\":";
    o += QByteArray::number(t, 'g', QLocale::FloatingPointShortest);
    o += ",\"to\":";
    jsonString(o, s.to);
    o += ",\"unsolicited\":";
    o += s.unsolicited ? "true}" : "false}";
    return o;
}

QJsonObject callJson(const LadderModel &model, quint32 call)
{
    // One source for the call's fields: the line `dialscope ladder --json` prints.
    QJsonObject o = QJsonDocument::fromJson(callJsonLine(model, call, 0)).object();
    o.remove(QStringLiteral("event"));
    o.remove(QStringLiteral("t"));
    return o;
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
