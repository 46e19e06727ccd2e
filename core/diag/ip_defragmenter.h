#pragma once
// IpDefragmenter: rebuilds IPv4 (RFC 791 3.2) and IPv6 (RFC 8200 4.5) datagrams from their
// fragments, in any order, with bounded memory: at most maxPending datagrams of at most
// 65535 bytes, the oldest evicted first, those left incomplete for staleUs of capture time dropped.

#include "capture_reader.h"

#include <QByteArray>

#include <list>
#include <optional>
#include <unordered_map>
#include <vector>

namespace ds::diag {

class IpDefragmenter {
public:
    static constexpr qsizetype kMaxDatagram = 65535;

    struct Fragment {
        CaptureAddress src, dst; // ports unused
        quint32 id = 0; // IPv4 Identification or IPv6 fragment header Identification
        quint8 protocol = 0; // IPv4 Protocol, or the IPv6 fragment header's Next Header
        quint32 offset = 0; // in bytes
        bool more = false; // MF / M flag
        QByteArrayView data; // the fragment's payload
        quint32 frame = 0;
        qint64 timeUs = 0;
    };
    struct Datagram {
        quint8 protocol = 0; // of the fragment at offset 0
        QByteArrayView payload; // valid until the next call to add()
        std::span<const quint32> frames; // every frame that carried a piece of it
    };

    explicit IpDefragmenter(qsizetype maxPending = 1024, qint64 staleUs = 30'000'000)
        : m_maxPending(maxPending)
        , m_staleUs(staleUs)
    {
    }
    // Adds one fragment; returns the datagram it completed, if it did.
    std::optional<Datagram> add(const Fragment &fragment);
    qsizetype pending() const { return qsizetype(m_index.size()); }
    quint64 dropped() const { return m_dropped; } // incomplete datagrams given up (evicted, stale, inconsistent)

private:
    struct Key {
        std::array<quint8, 16> src {}, dst {};
        quint32 id = 0;
        quint8 protocol = 0;
        bool v6 = false;
        bool operator==(const Key &) const = default;
    };
    struct KeyHash {
        size_t operator()(const Key &k) const noexcept;
    };
    struct Pending {
        Key key;
        qint64 firstUs = 0;
        qsizetype total = -1; // known once the last fragment arrived
        quint8 protocol = 0;
        QByteArray data;
        std::vector<std::pair<quint32, quint32>> ranges; // received [begin, end), sorted, merged
        std::vector<quint32> frames;
    };
    using List = std::list<Pending>;

    void drop(List::iterator it);
    void dropStale(qint64 nowUs);

    qsizetype m_maxPending;
    qint64 m_staleUs;
    List m_pending; // oldest first
    List m_free; // spare entries whose buffers are reused
    std::unordered_map<Key, List::iterator, KeyHash> m_index;
    Pending m_done; // the last completed datagram, which add() returned a view of
    quint64 m_dropped = 0;
};

} // namespace ds::diag
