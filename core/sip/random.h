#pragma once
// Random identifiers for SIP: branches, tags, Call-IDs and digest cnonces (RFC 3261 8.1.1.4,
// 19.3: cryptographically random is recommended). From OpenSSL's DRBG: the system generator Qt
// offers runs RDRAND per word, which costs a registration test more than its digests. Any thread.

#include <QByteArray>

namespace ds::sip {

// Fills n bytes; falls back to the operating system's generator should OpenSSL's fail.
void secureRandom(void *buffer, qsizetype n);
// 2*bytes lower-case hex digits of fresh random bytes (bytes <= 64).
QByteArray randomHex(int bytes);

} // namespace ds::sip
