#pragma once
// WireLog: the encrypted bytes of our TLS connections and their NSS key log lines, bounded,
// so a pcapng export can carry the real TLS packets plus a Decryption Secrets Block and
// Wireshark shows our SIP over TLS decrypted. Main thread.

#include "trace_store.h"

#include <QByteArray>
#include <QList>

#include <deque>

namespace ds::diag {

struct WireChunk {
    qint64 timeUs = 0;
    sip::TransportKind transport = sip::TransportKind::Tls;
    NetAddress src, dst;
    QByteArray bytes;
};

class WireLog {
public:
    static constexpr quint64 kMaxBytes = 64ull * 1024 * 1024; // the oldest chunks go first
    static constexpr qsizetype kMaxKeyLines = 4096;

    void add(const sip::WireEvent &event);
    void addKeyLogLine(const QByteArray &line);
    const std::deque<WireChunk> &chunks() const { return m_chunks; }
    QByteArray keyLog() const; // the lines, newline-terminated
    bool isEmpty() const { return m_chunks.empty(); }
    bool truncated() const { return m_dropped > 0; } // chunks were dropped to stay bounded
    void clear();

private:
    std::deque<WireChunk> m_chunks;
    QList<QByteArray> m_keyLines;
    quint64 m_bytes = 0;
    quint64 m_dropped = 0;
};

} // namespace ds::diag
