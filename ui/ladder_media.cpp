#include "ladder_media.h"

#include <QVarLengthArray>

#include <algorithm>

namespace ds::ui {

using diag::kNoMessage;
using diag::MessageRecord;

namespace {

constexpr int kSdpScan = 256; // messages of a call looked at for the SDP that announced an address

// Whether an SDP body announces this address: its port on an m= line, its IP on a c= line.
bool announces(QByteArrayView sdp, const QByteArray &port, const QByteArray &ip)
{
    bool media = false;
    for (const char *kind : {"m=audio", "m=video"}) {
        const qsizetype at = sdp.indexOf(kind);
        media = media || (at >= 0 && sdp.sliced(at + 7).startsWith(port));
    }
    return media && sdp.contains(ip);
}

} // namespace

int mediaColumn(const diag::LadderModel &model, const diag::NetAddress &address, quint32 call)
{
    const diag::TraceStore &store = model.store();
    QVarLengthArray<int, 8> same;
    for (int c = 0; c < model.columnCount(); ++c) {
        const diag::NetAddress &e = store.endpoint(model.column(c).endpoint);
        if (e.v6 == address.v6 && e.ip == address.ip)
            same.append(c);
    }
    if (same.size() == 1)
        return same.front();
    if (call >= store.callCount())
        return -1;
    const diag::CallRecord &cr = store.call(call);
    const QByteArray port = ' ' + QByteArray::number(address.port) + ' ';
    const QByteArray ip = ' ' + address.toEndpoint().address.toString().toLatin1();
    int looked = 0;
    for (quint32 i = cr.firstMessage; i != kNoMessage && i <= cr.lastMessage && i < store.size() && looked < kSdpScan; ++i, ++looked) {
        const MessageRecord &r = store.record(i);
        if (r.call != call || !r.is(MessageRecord::HasSdp))
            continue;
        const QByteArrayView raw = store.raw(i);
        const qsizetype body = raw.indexOf("\r\n\r\n");
        if (announces(body < 0 ? raw : raw.sliced(body), port, ip)) {
            const int c = model.columnOf(r.src);
            if (c >= 0 && (same.isEmpty() || same.contains(c)))
                return c;
        }
    }
    if (same.isEmpty())
        return -1;
    if (cr.firstMessage != kNoMessage) // one of the call's own endpoints, else the first
        for (const quint32 e : {store.record(cr.firstMessage).src, store.record(cr.firstMessage).dst})
            if (same.contains(model.columnOf(e)))
                return model.columnOf(e);
    return same.front();
}

std::vector<MediaPlacement> placeMediaStreams(const diag::LadderModel &model, int rows)
{
    std::vector<MediaPlacement> out;
    const diag::RtpTracker *rtp = model.rtp();
    rows = std::min(rows, model.rowCount());
    if (!rtp || rows <= 0)
        return out;
    const diag::TraceStore &store = model.store();
    const auto &ids = model.rows();
    auto rowsUpTo = [&](qint64 us) { // rows at or before a time
        return int(std::partition_point(ids.begin(), ids.begin() + rows, [&](quint32 m) { return store.record(m).timeUs <= us; }) - ids.begin());
    };
    auto rowsUpToMessage = [&](quint32 message) { return int(std::upper_bound(ids.begin(), ids.begin() + rows, message) - ids.begin()); };
    // When rows are cut, a stream after the last row drawn belongs to the rows left out.
    const int limit = rows < model.rowCount() ? rows - 1 : rows;
    const auto &streams = rtp->streams();
    for (size_t i = 0; i < streams.size(); ++i) {
        const diag::RtpStreamInfo &s = streams[i];
        if (s.call >= store.callCount())
            continue;
        MediaPlacement p;
        p.stream = i;
        p.from = mediaColumn(model, s.src, s.call);
        p.to = mediaColumn(model, s.dst, s.call);
        if (p.from < 0 || p.to < 0)
            continue;
        if (s.firstUs > 0) {
            p.afterRow = rowsUpTo(s.firstUs) - 1;
            p.endRow = rowsUpTo(std::max(s.lastUs, s.firstUs)) - 1;
        } else { // live counters without times: the span of the call
            const diag::CallRecord &call = store.call(s.call);
            p.afterRow = rowsUpToMessage(call.firstMessage) - 1;
            p.endRow = rowsUpToMessage(call.lastMessage) - 1;
        }
        if (p.afterRow >= limit)
            continue;
        p.endRow = std::clamp(p.endRow, p.afterRow, rows - 1);
        out.push_back(p);
    }
    std::stable_sort(out.begin(), out.end(), [](const MediaPlacement &a, const MediaPlacement &b) { return a.afterRow < b.afterRow; });
    return out;
}

} // namespace ds::ui
