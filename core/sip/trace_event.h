#pragma once
// TraceEvent: one SIP message as it crossed the wire, in either direction, with where and when.

#include "error.h"
#include "transport.h"

#include <QByteArray>
#include <QDateTime>

namespace ds::sip {

struct TraceEvent {
    enum class Direction { In, Out };
    Direction direction = Direction::Out;
    QDateTime time; // wall clock, in UTC (local time costs a stat of /etc/localtime per call); display converts
    TransportKind transport = TransportKind::Udp;
    Endpoint local;
    Endpoint remote;
    QByteArray raw; // exactly the bytes sent or received
    bool malformed = false; // received bytes that did not parse
    QString error; // the parse error, when malformed
};

// WireEvent: bytes as they crossed a TLS connection — the encrypted records — kept so an export
// can write the real packets and let Wireshark decrypt them with the session's key log.
struct WireEvent {
    bool outgoing = true;
    TransportKind transport = TransportKind::Tls;
    Endpoint local;
    Endpoint remote;
    QByteArray bytes;
    qint64 timeUs = 0; // microseconds since the Unix epoch
};

} // namespace ds::sip

Q_DECLARE_METATYPE(ds::sip::TraceEvent)
Q_DECLARE_METATYPE(ds::sip::WireEvent)
