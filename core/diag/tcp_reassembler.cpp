#include "tcp_reassembler.h"

#include "sip_sniffer.h"

#include "sip/header_names.h"
#include "sip/message.h"

#include <algorithm>

namespace ds::diag {

namespace {
constexpr quint8 kFin = 0x01;
constexpr quint8 kSyn = 0x02;
constexpr quint8 kRst = 0x04;

// RFC 9293 3.4: sequence numbers compare modulo 2^32.
qint32 seqDiff(quint32 a, quint32 b) { return qint32(a - b); }
} // namespace

size_t TcpReassembler::KeyHash::operator()(const Key &k) const noexcept { return qHash(k.src, qHash(k.dst)); }

TcpReassembler::TcpReassembler(CaptureCounts &counts, Sink sink)
    : TcpReassembler(counts, std::move(sink), Limits())
{
}

TcpReassembler::TcpReassembler(CaptureCounts &counts, Sink sink, Limits limits)
    : m_counts(counts)
    , m_sink(std::move(sink))
    , m_limits(limits)
{
}

TcpReassembler::Direction &TcpReassembler::create(const Key &key)
{
    if (qsizetype(m_index.size()) >= m_limits.maxDirections)
        evict(m_lru.begin());
    m_lru.emplace_back();
    auto d = std::prev(m_lru.end());
    d->key = key;
    d->framer = sip::StreamFramer(m_limits.maxMessage);
    m_index.emplace(key, d);
    return *d;
}

void TcpReassembler::reset(Direction &d, State state)
{
    d.state = state;
    d.seqKnown = d.synSeen = d.finSeen = d.countedSip = d.midway = false;
    d.framer = sip::StreamFramer(m_limits.maxMessage);
    d.progress = Progress {};
    d.records.clear();
    d.recordHead = 0;
    d.held.clear();
    d.heldBytes = 0;
    d.scanned = 0;
    d.probe.clear();
    d.probePieces.clear();
    account(d);
}

void TcpReassembler::add(const Segment &s)
{
    const Key key {s.src, s.dst};
    auto it = m_index.find(key);
    if (s.flags & kRst) { // RFC 9293 3.10.7: the connection is gone, both ways
        if (it != m_index.end())
            close(*it->second);
        auto reverse = m_index.find(Key {s.dst, s.src});
        if (reverse != m_index.end())
            close(*reverse->second);
        ++m_counts.otherTraffic;
        return;
    }
    if (it == m_index.end() && s.payload.isEmpty() && !(s.flags & kSyn)) {
        ++m_counts.otherTraffic; // an ACK or FIN of a stream never seen carrying bytes
        return;
    }
    if (it != m_index.end())
        m_lru.splice(m_lru.end(), m_lru, it->second);
    Direction &d = it != m_index.end() ? *it->second : create(key);
    quint32 seq = s.seq;
    if (s.flags & kSyn) {
        if (!(d.synSeen && d.synNext == s.seq + 1)) { // not a retransmitted SYN: a new connection
            if (d.state == State::Sip || d.state == State::Resync)
                close(d);
            reset(d, State::Unknown);
            d.synSeen = d.seqKnown = true;
            d.nextSeq = d.synNext = s.seq + 1;
        }
        seq = s.seq + 1; // RFC 9293 3.4: the SYN occupies one sequence number
    }
    if (d.state == State::Closed || d.state == State::NotSip || d.state == State::Dead || s.payload.isEmpty()) {
        ++m_counts.otherTraffic;
    } else {
        if (!d.seqKnown) { // joined midway: the stream starts here
            d.seqKnown = d.midway = true;
            d.nextSeq = seq;
        }
        const bool wasSip = d.state == State::Sip;
        data(d, seq, s.payload, s.frames, s.timeUs);
        if (!wasSip && d.state != State::Sip)
            ++m_counts.otherTraffic; // bytes of a stream not (or no longer) known to be SIP
    }
    if ((s.flags & kFin) && d.state != State::Closed && d.seqKnown) {
        d.finSeen = true;
        d.finSeq = seq + quint32(s.payload.size());
    }
    if (d.finSeen && d.nextSeq == d.finSeq && d.state != State::Closed)
        close(d);
    account(d);
    enforceBudget(d);
}

void TcpReassembler::data(Direction &d, quint32 seq, QByteArrayView bytes, std::span<const quint32> frames, qint64 timeUs)
{
    qint32 diff = seqDiff(seq, d.nextSeq);
    if (diff < 0) { // a retransmission, perhaps with new bytes at its end
        if (qsizetype(-qint64(diff)) >= bytes.size())
            return;
        bytes = bytes.sliced(-qint64(diff));
        diff = 0;
    }
    if (diff > 0) {
        hold(d, seq, bytes, frames, timeUs);
        return;
    }
    d.nextSeq += quint32(bytes.size());
    deliver(d, bytes, frames, timeUs);
    drain(d, timeUs);
}

void TcpReassembler::hold(Direction &d, quint32 seq, QByteArrayView bytes, std::span<const quint32> frames, qint64 timeUs)
{
    if (d.state != State::Sip && d.state != State::Resync && d.state != State::Unknown)
        return;
    const qint32 diff = seqDiff(seq, d.nextSeq);
    auto pos = std::lower_bound(d.held.begin(), d.held.end(), diff, [&](const Held &h, qint32 v) { return seqDiff(h.seq, d.nextSeq) < v; });
    if (pos != d.held.end() && pos->seq == seq && pos->data.size() >= bytes.size())
        return; // a retransmission of what is already held
    d.held.insert(pos, Held {seq, timeUs, QByteArray(bytes.data(), bytes.size()), std::vector<quint32>(frames.begin(), frames.end())});
    d.heldBytes += bytes.size();
    if (diff > m_limits.maxSeqJump) { // the capture lost more than any window: nothing will fill this
        while (!d.held.empty())
            skipHole(d);
        return;
    }
    while (!d.held.empty() && (d.heldBytes > m_limits.maxOutOfOrderBytes || qsizetype(d.held.size()) > m_limits.maxOutOfOrderSegments))
        skipHole(d);
}

void TcpReassembler::drain(Direction &d, qint64 timeUs)
{
    while (!d.held.empty()) {
        Held &h = d.held.front();
        const qint32 diff = seqDiff(h.seq, d.nextSeq);
        if (diff > 0)
            break;
        Held taken = std::move(h);
        d.held.erase(d.held.begin());
        d.heldBytes -= taken.data.size();
        if (qsizetype(-qint64(diff)) >= taken.data.size())
            continue;
        const QByteArrayView bytes = QByteArrayView(taken.data).sliced(-qint64(diff));
        d.nextSeq += quint32(bytes.size());
        deliver(d, bytes, taken.frames, std::max(timeUs, taken.timeUs));
    }
}

void TcpReassembler::skipHole(Direction &d)
{
    // The bytes before the first held segment never came: the message in progress is lost,
    // and the stream goes on from the next start line.
    ++m_counts.tcpGaps;
    if (d.state == State::Sip) {
        d.framer = sip::StreamFramer(m_limits.maxMessage);
        d.progress = Progress {};
        d.records.clear();
        d.recordHead = 0;
        d.state = State::Resync;
        d.scanned = 0;
    }
    d.probe.clear(); // a first line cut by the hole cannot be judged
    d.probePieces.clear();
    d.midway = true;
    d.nextSeq = d.held.front().seq;
    drain(d, d.held.front().timeUs);
}

void TcpReassembler::deliver(Direction &d, QByteArrayView bytes, std::span<const quint32> frames, qint64 timeUs)
{
    switch (d.state) {
    case State::Sip:
        feed(d, bytes, frames, timeUs);
        return;
    case State::Unknown: {
        qsizetype start = 0;
        if (d.probe.isEmpty()) {
            while (start < bytes.size() && (bytes[start] == '\r' || bytes[start] == '\n'))
                ++start; // RFC 5626 keep-alives before anything else
            if (start == bytes.size())
                return;
            bytes = bytes.sliced(start);
            if (bytes.contains('\n') || bytes.size() >= m_limits.maxProbe)
                return decide(d, bytes, frames, timeUs); // the usual case: the first line is whole
        }
        // The first line is not whole yet: hold its bytes (a few, bounded) until it is.
        d.probe.append(bytes.data(), bytes.size());
        for (quint32 f : frames)
            d.probePieces.emplace_back(d.probe.size(), f);
        if (!bytes.contains('\n') && d.probe.size() < m_limits.maxProbe)
            return;
        const QByteArray probe = std::exchange(d.probe, {});
        if (startsWithSipStartLine(probe)) {
            becomeSip(d);
            return feedProbe(d, probe, 0, timeUs);
        }
        if (d.midway) {
            if (const qsizetype at = findSipStartLine(probe, 1); at >= 0) {
                becomeSip(d);
                return feedProbe(d, probe, at, timeUs);
            }
        }
        d.probePieces.clear();
        d.scanned += probe.size();
        if (!d.midway || d.scanned > m_limits.maxUnknownScan)
            decide(d, {}, {}, timeUs); // not SIP
        return;
    }
    case State::Resync: {
        const qsizetype at = findSipStartLine(bytes, 0);
        if (at >= 0) {
            d.state = State::Sip;
            feed(d, bytes.sliced(at), frames, timeUs);
            return;
        }
        d.scanned += bytes.size();
        if (d.scanned > m_limits.maxResyncScan) { // no way back into this stream
            d.state = State::Dead;
            d.held.clear();
            d.heldBytes = 0;
        }
        return;
    }
    default:
        return;
    }
}

// The first whole line of a stream says whether it is SIP.
void TcpReassembler::decide(Direction &d, QByteArrayView bytes, std::span<const quint32> frames, qint64 timeUs)
{
    if (!bytes.isEmpty() && startsWithSipStartLine(bytes)) {
        becomeSip(d);
        return feed(d, bytes, frames, timeUs);
    }
    if (d.midway) { // joined midway, or the first bytes were lost: SIP may start at a later message
        if (const qsizetype at = findSipStartLine(bytes, 1); at >= 0) {
            becomeSip(d);
            return feed(d, bytes.sliced(at), frames, timeUs);
        }
        d.scanned += bytes.size() + 1;
        if (d.scanned <= m_limits.maxUnknownScan)
            return;
    }
    d.state = State::NotSip;
    d.held.clear();
    d.heldBytes = 0;
}

// Feeds the held first bytes from offset from, each piece with the frames that brought it.
void TcpReassembler::feedProbe(Direction &d, const QByteArray &probe, qsizetype from, qint64 timeUs)
{
    const auto pieces = std::exchange(d.probePieces, {});
    std::vector<quint32> frames;
    qsizetype begin = 0;
    for (size_t i = 0; i < pieces.size(); ++i) {
        frames.push_back(pieces[i].second);
        const qsizetype end = pieces[i].first;
        if (i + 1 < pieces.size() && pieces[i + 1].first == end)
            continue; // the IP fragments of one segment
        const qsizetype b = std::max(begin, from);
        if (end > b)
            feed(d, QByteArrayView(probe).sliced(b, end - b), frames, timeUs);
        frames.clear();
        begin = end;
    }
}

void TcpReassembler::becomeSip(Direction &d)
{
    d.state = State::Sip;
    if (d.countedSip)
        return;
    d.countedSip = true;
    auto reverse = m_index.find(Key {d.key.dst, d.key.src});
    if (reverse == m_index.end() || !reverse->second->countedSip)
        ++m_counts.tcpStreams;
}

void TcpReassembler::feed(Direction &d, QByteArrayView bytes, std::span<const quint32> frames, qint64 timeUs)
{
    const quint64 start = d.fed;
    d.fed += quint64(bytes.size());
    for (quint32 f : frames)
        d.records.push_back(Record {start, d.fed, f});
    d.lastUs = timeUs;
    d.framer.append(bytes);
    frameMessages(d, bytes, timeUs);
}

// Scans bytes (the end of what the framer holds, from pos) and says whether next() may now
// return something: the header section ended, the predicted end arrived, or the buffer
// outgrew the framer's limit (an error to collect).
bool TcpReassembler::worthAsking(Direction &d, QByteArrayView bytes, quint64 bytesStart, qsizetype &pos)
{
    Progress &p = d.progress;
    if (!p.inMessage) {
        while (pos < bytes.size() && (bytes[pos] == '\r' || bytes[pos] == '\n'))
            ++pos; // RFC 5626 keep-alives, which the framer skips too
        if (pos == bytes.size())
            return false;
        p = Progress {};
        p.inMessage = true;
        p.start = bytesStart + quint64(pos);
    }
    if (d.fed - p.start > quint64(m_limits.maxMessage))
        return true;
    if (p.headerEnded)
        return d.fed >= p.askAt;
    // RFC 3261 7 / 18.3: the header section ends with an empty line; the framer looks for
    // CRLFCRLF, or LFLF.
    const auto at = [&](qsizetype i) { return i >= pos ? bytes[i] : p.last[3 - (pos - i)]; };
    for (qsizetype i = bytes.indexOf('\n', pos); i >= 0; i = bytes.indexOf('\n', i + 1)) {
        if (at(i - 1) == '\n' || (at(i - 1) == '\r' && at(i - 2) == '\n' && at(i - 3) == '\r')) {
            p.headerEnded = true;
            p.askAt = d.fed;
            return true;
        }
    }
    const char tail[3] = {at(bytes.size() - 3), at(bytes.size() - 2), at(bytes.size() - 1)};
    std::copy(tail, tail + 3, p.last);
    pos = bytes.size();
    return false;
}

// The stream offset where the message the framer holds ends, read from its Content-Length the
// way StreamFramer::next() reads it; 0 when it cannot be known (no valid Content-Length).
quint64 TcpReassembler::predictEnd(Direction &d)
{
    const QByteArray buffer = d.framer.takeBuffered();
    d.framer.append(buffer);
    qsizetype end = buffer.indexOf("\r\n\r\n");
    qsizetype separator = 4;
    if (end < 0) {
        end = buffer.indexOf("\n\n");
        separator = 2;
    }
    if (end < 0)
        return 0;
    qint64 length = -1;
    for (qsizetype pos = buffer.indexOf('\n'); pos >= 0 && pos < end;) {
        const qsizetype lineEnd = buffer.indexOf('\n', pos + 1);
        if (lineEnd < 0)
            break;
        const QByteArrayView line(buffer.constData() + pos + 1, lineEnd - pos - 1);
        const qsizetype colon = line.indexOf(':');
        if (colon > 0 && sip::headerIdFromName(sip::trimmed(line.first(colon))) == sip::HeaderId::ContentLength) {
            bool ok = false;
            length = sip::trimmed(line.sliced(colon + 1)).toLongLong(&ok);
            if (!ok || length < 0)
                return 0;
        }
        pos = lineEnd;
    }
    if (length < 0 || end + separator + length > m_limits.maxMessage)
        return 0;
    return d.fed - quint64(buffer.size()) + quint64(end + separator + length);
}

// Without a prediction (or after a wrong one), ask again when the message has doubled: the
// framer's rescans then cost linear time, and a message is at worst seen complete late.
void TcpReassembler::askAgainLater(Direction &d)
{
    Progress &p = d.progress;
    p.askAt = std::max(d.fed + 1, p.start + 2 * (d.fed - p.start));
}

void TcpReassembler::frameMessages(Direction &d, QByteArrayView bytes, qint64 timeUs)
{
    QByteArray rest; // owns bytes after a resynchronisation
    quint64 bytesStart = d.fed - quint64(bytes.size());
    qsizetype pos = 0;
    bool retried = false;
    while (worthAsking(d, bytes, bytesStart, pos)) {
        auto next = d.framer.next();
        if (!next) {
            // Not SIP framing (no Content-Length, too large): skip to the next start line
            // in what is buffered, once per segment so that damaged streams cost linear time.
            ++m_counts.garbage;
            d.progress = Progress {};
            rest = d.framer.takeBuffered();
            const qsizetype at = retried ? -1 : findSipStartLine(rest, 1);
            if (at < 0) {
                d.state = State::Resync;
                d.scanned = 0;
                d.records.clear();
                d.recordHead = 0;
                return;
            }
            retried = true;
            rest.remove(0, at);
            d.framer.append(rest); // the framer again holds the end of the stream
            bytes = rest;
            bytesStart = d.fed - quint64(rest.size());
            pos = 0;
            continue;
        }
        Progress &p = d.progress;
        if (!next->has_value()) { // the body is still on its way
            const quint64 predicted = p.askAt == d.fed && p.askAt != 0 ? predictEnd(d) : 0;
            if (predicted > d.fed)
                p.askAt = predicted;
            else
                askAgainLater(d);
            return;
        }
        const quint64 end = d.fed - quint64(d.framer.buffered());
        emitMessage(d, std::move(**next), timeUs);
        p = Progress {};
        if (end < bytesStart) { // only after a late ask: what follows was not scanned, ask at once
            p.inMessage = p.headerEnded = true;
            p.start = end;
            p.askAt = d.fed;
            continue;
        }
        pos = qsizetype(end - bytesStart);
    }
}

void TcpReassembler::emitMessage(Direction &d, QByteArray raw, qint64 timeUs)
{
    const quint64 end = d.fed - quint64(d.framer.buffered());
    const quint64 start = end - quint64(raw.size());
    m_frames.clear();
    quint32 first = 0, last = 0;
    for (size_t i = d.recordHead; i < d.records.size() && d.records[i].start < end; ++i) {
        const Record &r = d.records[i];
        if (r.end <= start)
            continue;
        m_frames.push_back(r.frame);
        first = first ? std::min(first, r.frame) : r.frame;
        last = std::max(last, r.frame);
    }
    while (d.recordHead < d.records.size() && d.records[d.recordHead].end <= end)
        ++d.recordHead;
    if (d.recordHead > 256 && d.recordHead * 2 > d.records.size()) {
        d.records.erase(d.records.begin(), d.records.begin() + qsizetype(d.recordHead));
        d.recordHead = 0;
    }
    ++m_counts.sipMessages;
    if (m_sink)
        m_sink(CapturedSip {timeUs, sip::TransportKind::Tcp, d.key.src, d.key.dst, std::move(raw), first, last}, m_frames);
}

void TcpReassembler::close(Direction &d)
{
    while (!d.held.empty())
        skipHole(d);
    if (d.state == State::Sip && d.framer.buffered() > 0) {
        // A message seen complete late (after a wrong prediction) is still delivered.
        for (auto next = d.framer.next(); next && next->has_value(); next = d.framer.next())
            emitMessage(d, std::move(**next), d.lastUs);
        if (d.framer.buffered() > 0)
            ++m_counts.truncated; // the stream ended inside a message
    }
    const bool counted = d.countedSip;
    const bool syn = d.synSeen;
    const quint32 synNext = d.synNext;
    reset(d, State::Closed);
    d.countedSip = counted; // a late retransmission of this connection must not count it again
    d.synSeen = syn;
    d.synNext = synNext;
}

void TcpReassembler::account(Direction &d)
{
    const qsizetype now = d.framer.buffered() + d.heldBytes + d.probe.size() + qsizetype((d.records.size() * sizeof(Record) + d.held.size() * sizeof(Held)));
    m_totalBuffered += now - d.accounted;
    d.accounted = now;
}

void TcpReassembler::evict(List::iterator it)
{
    close(*it);
    m_totalBuffered -= it->accounted;
    m_index.erase(it->key);
    m_lru.erase(it);
}

void TcpReassembler::enforceBudget(const Direction &current)
{
    while (m_totalBuffered > m_limits.maxTotalBuffered && !m_lru.empty() && &m_lru.front() != &current)
        evict(m_lru.begin());
}

void TcpReassembler::finish()
{
    for (Direction &d : m_lru) {
        close(d);
        account(d);
    }
}

} // namespace ds::diag
