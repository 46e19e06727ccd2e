#include "random.h"

#include <QRandomGenerator>

#include <openssl/rand.h>

#include <algorithm>
#include <array>
#include <cstring>

namespace ds::sip {

namespace {

// OpenSSL's RAND_bytes costs a lock and a DRBG call each time: draw 4 KiB at once per thread and
// hand it out. Bytes handed out are wiped from the pool.
struct Pool {
    std::array<unsigned char, 4096> bytes {};
    size_t used = 4096;
};

bool refill(Pool &pool)
{
    if (RAND_bytes(pool.bytes.data(), int(pool.bytes.size())) != 1)
        return false;
    pool.used = 0;
    return true;
}

} // namespace

void secureRandom(void *buffer, qsizetype n)
{
    thread_local Pool pool;
    auto *out = static_cast<unsigned char *>(buffer);
    while (n > 0) {
        if (pool.used == pool.bytes.size() && !refill(pool)) {
            for (qsizetype i = 0; i < n; ++i)
                out[i] = static_cast<unsigned char>(QRandomGenerator::system()->generate());
            return;
        }
        const size_t take = std::min(size_t(n), pool.bytes.size() - pool.used);
        std::memcpy(out, pool.bytes.data() + pool.used, take);
        std::memset(pool.bytes.data() + pool.used, 0, take);
        pool.used += take;
        out += take;
        n -= qsizetype(take);
    }
}

QByteArray randomHex(int bytes)
{
    std::array<unsigned char, 64> b {};
    const int n = std::clamp(bytes, 0, int(b.size()));
    secureRandom(b.data(), n);
    return QByteArray(reinterpret_cast<const char *>(b.data()), n).toHex();
}

} // namespace ds::sip
