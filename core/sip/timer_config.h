#pragma once
// TimerConfig: the RFC 3261 base timers (17.1.1.1, table 4); every other timer derives from them.

#include <QtGlobal>

namespace ds::sip {

struct TimerConfig {
    qint64 t1 = 500; // RTT estimate
    qint64 t2 = 4000; // maximum retransmit interval for non-INVITE requests and INVITE responses
    qint64 t4 = 5000; // maximum time a message stays in the network
    qint64 timeout() const { return 64 * t1; } // Timers B, F, H, J
};

} // namespace ds::sip
