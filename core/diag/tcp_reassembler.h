#pragma once
// TcpReassembler: rebuilds the byte stream of each direction of each TCP connection in a
// capture (RFC 9293 3.4 sequence numbers: out of order, retransmitted, overlapping segments)
// and cuts the SIP ones into messages with sip::StreamFramer (RFC 3261 18.3). SIP is told by
// content from the first bytes; other streams are then skipped without buffering. Memory is
// bounded: directions tracked, bytes per direction, and bytes across all directions.

#include "capture_reader.h"
#include "sip/stream_framer.h"

#include <list>
#include <unordered_map>
#include <vector>

namespace ds::diag {

class TcpReassembler {
public:
    struct Limits {
        qsizetype maxDirections = 16384; // least recently used ones are given up beyond this
        qsizetype maxMessage = 256 * 1024; // the framer's bound on one message
        qsizetype maxOutOfOrderBytes = 256 * 1024; // held beyond a hole before it is declared a gap
        qsizetype maxOutOfOrderSegments = 64;
        qsizetype maxSeqJump = 1 << 20; // a segment further ahead than this starts after a gap
        qsizetype maxTotalBuffered = 64 * 1024 * 1024; // across all directions
        qsizetype maxResyncScan = 256 * 1024; // bytes searched for a start line after a gap before giving up
        qsizetype maxUnknownScan = 16 * 1024; // bytes of a stream joined midway searched for a start line
        qsizetype maxProbe = 1024; // bytes held while the first line of a stream is incomplete
    };
    struct Segment {
        CaptureAddress src, dst;
        quint32 seq = 0;
        quint8 flags = 0; // TCP flags byte (FIN 0x01, SYN 0x02, RST 0x04)
        QByteArrayView payload;
        std::span<const quint32> frames; // the frame, or the frames of its IP fragments
        qint64 timeUs = 0;
    };
    using Sink = std::function<void(CapturedSip &&, std::span<const quint32> frames)>;

    TcpReassembler(CaptureCounts &counts, Sink sink);
    TcpReassembler(CaptureCounts &counts, Sink sink, Limits limits);
    void add(const Segment &segment);
    // The end of the capture: what is held beyond holes is delivered after counting the gaps.
    void finish();
    qsizetype directions() const { return qsizetype(m_index.size()); }
    qsizetype buffered() const { return m_totalBuffered; }

private:
    enum class State : quint8 { Unknown, Sip, Resync, NotSip, Dead, Closed };
    struct Key {
        CaptureAddress src, dst;
        bool operator==(const Key &) const = default;
    };
    struct KeyHash {
        size_t operator()(const Key &k) const noexcept;
    };
    struct Record { // stream bytes [start, end) came in frame
        quint64 start, end;
        quint32 frame;
    };
    struct Held { // a segment beyond a hole
        quint32 seq;
        qint64 timeUs;
        QByteArray data;
        std::vector<quint32> frames;
    };
    // Where the message being framed stands, so that StreamFramer::next() is only called when it
    // can make progress: calling it on every segment rescans the whole buffer each time, which is
    // quadratic in a message trickling in small segments.
    struct Progress {
        bool inMessage = false; // its first byte (after CRLF keep-alives) was seen
        bool headerEnded = false;
        char last[3] = {0, 0, 0}; // the bytes before the scan position, for a terminator split across segments
        quint64 start = 0; // stream offset of its first byte
        quint64 askAt = 0; // once the header ended: the stream offset at which to ask the framer again
    };
    struct Direction {
        Key key;
        State state = State::Unknown;
        bool seqKnown = false, synSeen = false, finSeen = false, countedSip = false;
        bool midway = false; // the start of the stream was not seen (capture began later, or a gap)
        quint32 nextSeq = 0, synNext = 0, finSeq = 0;
        sip::StreamFramer framer;
        quint64 fed = 0; // bytes given to the framer since the stream began
        Progress progress;
        qint64 lastUs = 0; // capture time of the last bytes fed
        std::vector<Record> records;
        size_t recordHead = 0;
        std::vector<Held> held; // sorted by sequence number
        qsizetype heldBytes = 0;
        qsizetype scanned = 0; // bytes searched for a start line (Unknown, Resync)
        QByteArray probe; // Unknown: first bytes that ended no line yet (a start line cut across segments)
        std::vector<std::pair<qsizetype, quint32>> probePieces; // where each frame's bytes end in probe
        qsizetype accounted = 0; // what this direction counts in m_totalBuffered
    };
    using List = std::list<Direction>;

    Direction &create(const Key &key);
    void reset(Direction &d, State state);
    void data(Direction &d, quint32 seq, QByteArrayView bytes, std::span<const quint32> frames, qint64 timeUs);
    void hold(Direction &d, quint32 seq, QByteArrayView bytes, std::span<const quint32> frames, qint64 timeUs);
    void drain(Direction &d, qint64 timeUs);
    void skipHole(Direction &d);
    void deliver(Direction &d, QByteArrayView bytes, std::span<const quint32> frames, qint64 timeUs);
    void becomeSip(Direction &d);
    void decide(Direction &d, QByteArrayView bytes, std::span<const quint32> frames, qint64 timeUs);
    void feedProbe(Direction &d, const QByteArray &probe, qsizetype from, qint64 timeUs);
    void feed(Direction &d, QByteArrayView bytes, std::span<const quint32> frames, qint64 timeUs);
    void frameMessages(Direction &d, QByteArrayView bytes, qint64 timeUs);
    bool worthAsking(Direction &d, QByteArrayView bytes, quint64 bytesStart, qsizetype &pos);
    quint64 predictEnd(Direction &d);
    void askAgainLater(Direction &d);
    void emitMessage(Direction &d, QByteArray raw, qint64 timeUs);
    void close(Direction &d); // delivers what is held, counts a message cut off, keeps a tombstone
    void account(Direction &d);
    void evict(List::iterator it);
    void enforceBudget(const Direction &current);

    CaptureCounts &m_counts;
    Sink m_sink;
    Limits m_limits;
    List m_lru; // least recently used first
    std::unordered_map<Key, List::iterator, KeyHash> m_index;
    qsizetype m_totalBuffered = 0;
    std::vector<quint32> m_frames; // scratch: the frames of one message
};

} // namespace ds::diag
