#include "wire_log.h"

namespace ds::diag {

void WireLog::add(const sip::WireEvent &e)
{
    WireChunk c;
    c.timeUs = e.timeUs;
    c.transport = e.transport;
    const NetAddress local = NetAddress::fromEndpoint(e.local), remote = NetAddress::fromEndpoint(e.remote);
    c.src = e.outgoing ? local : remote;
    c.dst = e.outgoing ? remote : local;
    c.bytes = e.bytes;
    m_bytes += quint64(c.bytes.size());
    m_chunks.push_back(std::move(c));
    while (m_bytes > kMaxBytes && !m_chunks.empty()) {
        m_bytes -= quint64(m_chunks.front().bytes.size());
        m_chunks.pop_front();
        ++m_dropped;
    }
}

void WireLog::addKeyLogLine(const QByteArray &line)
{
    if (m_keyLines.size() >= kMaxKeyLines)
        m_keyLines.removeFirst();
    m_keyLines.append(line);
}

QByteArray WireLog::keyLog() const
{
    QByteArray out;
    for (const QByteArray &l : m_keyLines)
        out += l + '\n';
    return out;
}

void WireLog::clear()
{
    m_chunks.clear();
    m_keyLines.clear();
    m_bytes = 0;
    m_dropped = 0;
}

} // namespace ds::diag
