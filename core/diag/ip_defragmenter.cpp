#include "ip_defragmenter.h"

#include <QHashFunctions>

#include <algorithm>
#include <cstring>

namespace ds::diag {

namespace {
constexpr size_t kMaxRanges = 512; // a datagram cut into more pieces than this is an attack, not a network
constexpr size_t kMaxFrames = 1024;
constexpr size_t kMaxSpare = 16;
} // namespace

size_t IpDefragmenter::KeyHash::operator()(const Key &k) const noexcept
{
    size_t h = qHashBits(k.src.data(), k.src.size(), 0);
    h = qHashBits(k.dst.data(), k.dst.size(), h);
    return qHashMulti(h, k.id, k.protocol, k.v6);
}

void IpDefragmenter::drop(List::iterator it)
{
    m_index.erase(it->key);
    if (m_free.size() < kMaxSpare)
        m_free.splice(m_free.begin(), m_pending, it);
    else
        m_pending.erase(it);
}

void IpDefragmenter::dropStale(qint64 nowUs)
{
    // Capture times come from the file: they may go backwards or be absurd, and must not overflow.
    auto stale = [&](qint64 firstUs) { return nowUs > firstUs && quint64(nowUs) - quint64(firstUs) > quint64(m_staleUs); };
    while (!m_pending.empty() && stale(m_pending.front().firstUs)) {
        drop(m_pending.begin());
        ++m_dropped;
    }
}

std::optional<IpDefragmenter::Datagram> IpDefragmenter::add(const Fragment &f)
{
    dropStale(f.timeUs);
    const qsizetype end = qsizetype(f.offset) + f.data.size();
    if (f.offset == 0 && !f.more) { // RFC 6946: an atomic fragment is a whole datagram
        m_done.frames.assign(1, f.frame);
        return Datagram {f.protocol, f.data, m_done.frames};
    }
    // RFC 8200 4.5: IPv6 fragments are matched by addresses and Identification only.
    const Key key {f.src.ip, f.dst.ip, f.id, f.src.v6 ? quint8(0) : f.protocol, f.src.v6};
    auto found = m_index.find(key);
    if (end > kMaxDatagram) { // RFC 791: a datagram cannot exceed 65535 bytes
        if (found != m_index.end()) {
            drop(found->second);
            ++m_dropped;
        }
        return std::nullopt;
    }
    List::iterator it;
    if (found != m_index.end()) {
        it = found->second;
    } else {
        if (qsizetype(m_index.size()) >= m_maxPending) {
            drop(m_pending.begin());
            ++m_dropped;
        }
        if (m_free.empty())
            m_free.emplace_back();
        it = m_free.begin();
        m_pending.splice(m_pending.end(), m_free, it);
        it->key = key;
        it->firstUs = f.timeUs;
        it->total = -1;
        it->protocol = 0;
        it->data.resize(0);
        it->ranges.clear();
        it->frames.clear();
        m_index.emplace(key, it);
    }
    Pending &p = *it;
    const qsizetype received = p.ranges.empty() ? 0 : qsizetype(p.ranges.back().second);
    const bool inconsistent = (!f.more && ((p.total >= 0 && p.total != end) || received > end)) || (f.more && p.total >= 0 && end > p.total);
    if (inconsistent || p.ranges.size() >= kMaxRanges || p.frames.size() >= kMaxFrames) {
        drop(it);
        ++m_dropped;
        return std::nullopt;
    }
    if (!f.more)
        p.total = end;
    if (f.offset == 0)
        p.protocol = f.protocol;
    if (p.data.size() < end)
        p.data.resize(end);
    if (!f.data.isEmpty())
        std::memcpy(p.data.data() + f.offset, f.data.data(), size_t(f.data.size()));
    p.frames.push_back(f.frame);

    // Insert [offset, end) into the sorted, merged list of received ranges.
    std::pair<quint32, quint32> r {f.offset, quint32(end)};
    auto pos = std::lower_bound(p.ranges.begin(), p.ranges.end(), r);
    if (pos != p.ranges.begin() && std::prev(pos)->second >= r.first)
        --pos;
    auto last = pos;
    while (last != p.ranges.end() && last->first <= r.second) {
        r.first = std::min(r.first, last->first);
        r.second = std::max(r.second, last->second);
        ++last;
    }
    pos = p.ranges.erase(pos, last);
    p.ranges.insert(pos, r);

    if (p.total < 0 || p.ranges.size() != 1 || p.ranges.front().first != 0 || qsizetype(p.ranges.front().second) != p.total)
        return std::nullopt;
    std::swap(m_done.data, p.data);
    std::swap(m_done.frames, p.frames);
    const quint8 protocol = p.protocol;
    const qsizetype total = p.total;
    drop(it);
    return Datagram {protocol, QByteArrayView(m_done.data).first(total), m_done.frames};
}

} // namespace ds::diag
