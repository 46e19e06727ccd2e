#pragma once
// SessionCapture: what one command's UserAgent put on the wire — every SIP message and, for
// TLS, the encrypted bytes and the session's key log — for --ladder and --pcap at the end.

#include "diag/trace_store.h"
#include "diag/wire_log.h"

#include <QString>

#include <expected>

namespace ds::phone {
class UserAgent;
}

namespace ds::cli {

class SessionCapture {
public:
    // keepWire: also keep TLS records and key log lines (only when a capture will be written:
    // the keys are secrets and stay in memory otherwise not at all).
    void attach(phone::UserAgent &agent, bool keepWire);
    void add(const sip::TraceEvent &event) { m_store.append(event); }
    QString ladder() const;
    // pcapng (with the key log) unless path ends in .pcap; returns the frames written.
    std::expected<quint64, QString> write(const QString &path) const;

private:
    diag::TraceStore m_store;
    diag::WireLog m_wire;
};

// --pcap: writes the capture when a path was given; a failure is a warning on stderr.
void writeCapture(const SessionCapture &capture, const QString &path);

} // namespace ds::cli
