// bench_parser: parse throughput and allocations of ds::sip::Parser side by side with GNU oSIP2,
// on the same corpus, in the same run, interleaved (ARCHITECTURE.md, Tests). Never asserts on time:
// it fails only when a corpus message does not parse or the two parsers disagree on what they read.
//
//   bench_parser [--rounds N] [--round-ms MS] [--message SUBSTR] [--corpus DIR]
//   bench_parser --smoke             a few iterations: proves the bench works (CTest bench_parser_smoke)
//   bench_parser --callgrind [N]     N parses per message and parser between callgrind client requests,
//                                    one dump each (tests/bench/callgrind_parser.sh reads them)
//
// Both sides do what a transaction layer needs from a received message: parse it, then read the
// Call-ID, the CSeq number and method, the top Via's branch and the method or status code, then
// free it. dialscope's parser shares the received QByteArray (implicit sharing, no copy of the
// bytes); oSIP2 copies the bytes into its own structures, which is its design.

#include "sip/parser.h"

#include <osipparser2/osip_message.h>
#include <osipparser2/osip_parser.h>

#include <QByteArray>
#include <QDir>
#include <QFile>
#include <QFileInfo>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#if __has_include(<valgrind/callgrind.h>)
#include <valgrind/callgrind.h>
#define DS_HAVE_CALLGRIND 1
#else
#define DS_HAVE_CALLGRIND 0
#endif

#ifndef DS_BENCH_CORPUS
#define DS_BENCH_CORPUS "tests/bench/corpus"
#endif
#ifndef DS_OSIP2_VERSION
#define DS_OSIP2_VERSION "?"
#endif

// ---- Allocation counting ---------------------------------------------------------------------
// malloc, calloc and realloc are interposed: the executable's definitions win over libc's for
// every library in the process (Qt, libstdc++'s operator new, libosipparser2), and forward to
// glibc's own entry points. free is left alone. Off under AddressSanitizer, which owns malloc.
#if defined(__SANITIZE_ADDRESS__)
#define DS_COUNT_ALLOCS 0
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define DS_COUNT_ALLOCS 0
#endif
#endif
#ifndef DS_COUNT_ALLOCS
#define DS_COUNT_ALLOCS 1
#endif

namespace {
std::atomic<bool> g_counting {false};
std::atomic<std::uint64_t> g_allocCalls {0};
std::atomic<std::uint64_t> g_allocBytes {0};
volatile std::size_t g_sink = 0;
} // namespace

#if DS_COUNT_ALLOCS
extern "C" {
void *__libc_malloc(std::size_t) noexcept;
void *__libc_calloc(std::size_t, std::size_t) noexcept;
void *__libc_realloc(void *, std::size_t) noexcept;

static inline void countAlloc(std::size_t n) noexcept
{
    if (g_counting.load(std::memory_order_relaxed)) {
        g_allocCalls.fetch_add(1, std::memory_order_relaxed);
        g_allocBytes.fetch_add(n, std::memory_order_relaxed);
    }
}
void *malloc(std::size_t n) noexcept
{
    countAlloc(n);
    return __libc_malloc(n);
}
void *calloc(std::size_t n, std::size_t size) noexcept
{
    countAlloc(n * size);
    return __libc_calloc(n, size);
}
void *realloc(void *p, std::size_t n) noexcept
{
    countAlloc(n);
    return __libc_realloc(p, n);
}
} // extern "C"
#endif

// ---- The measured work, one message each -----------------------------------------------------
// extern "C" and never inlined so that profiles and callgrind show them under these names.

extern "C" __attribute__((noinline)) std::size_t ds_bench_parse_dialscope(const QByteArray &bytes)
{
    // The parameter is a shared copy of `bytes`: a reference count, not a copy of the buffer.
    const auto m = ds::sip::Parser::parse(bytes, ds::sip::Framing::Datagram);
    if (!m)
        return 0;
    std::size_t sum = std::size_t(m->callId().size()) + m->cseqNumber() + std::size_t(m->cseqMethod().size()) + std::size_t(m->topViaBranch().size());
    sum += m->isRequest() ? std::size_t(m->method().size()) : std::size_t(m->statusCode());
    return sum;
}

extern "C" __attribute__((noinline)) std::size_t ds_bench_parse_osip2(const char *data, std::size_t size)
{
    static char kBranch[] = "branch";
    osip_message_t *sip = nullptr;
    if (osip_message_init(&sip) != 0)
        return 0;
    std::size_t sum = 0;
    if (osip_message_parse(sip, data, size) == 0) {
        if (const osip_call_id_t *id = osip_message_get_call_id(sip); id && id->number)
            sum += std::strlen(id->number) + (id->host ? 1 + std::strlen(id->host) : 0);
        if (const osip_cseq_t *cseq = osip_message_get_cseq(sip); cseq && cseq->number && cseq->method)
            sum += std::strtoul(cseq->number, nullptr, 10) + std::strlen(cseq->method);
        osip_via_t *via = nullptr;
        if (osip_message_get_via(sip, 0, &via) >= 0 && via) {
            osip_generic_param_t *branch = nullptr;
            if (osip_via_param_get_byname(via, kBranch, &branch) == 0 && branch && branch->gvalue)
                sum += std::strlen(branch->gvalue);
        }
        sum += MSG_IS_REQUEST(sip) ? (sip->sip_method ? std::strlen(sip->sip_method) : 0) : std::size_t(sip->status_code);
    }
    osip_message_free(sip);
    return sum;
}

namespace {

using Clock = std::chrono::steady_clock;

struct Sample {
    std::string name;
    QByteArray bytes;
};

enum Side { Dialscope, Osip2, SideCount };
constexpr const char *kSideName[SideCount] = {"dialscope", "osip2"};

inline std::size_t parseOnce(Side side, const Sample &s)
{
    return side == Dialscope ? ds_bench_parse_dialscope(s.bytes) : ds_bench_parse_osip2(s.bytes.constData(), std::size_t(s.bytes.size()));
}

// ns per message over n parses.
double timeRun(Side side, const Sample &s, long n)
{
    std::size_t sum = 0;
    const auto t0 = Clock::now();
    for (long i = 0; i < n; ++i)
        sum += parseOnce(side, s);
    const auto t1 = Clock::now();
    g_sink = g_sink + sum;
    return double(std::chrono::duration_cast<std::chrono::nanoseconds>(t1 - t0).count()) / double(n);
}

struct Allocs {
    double calls = 0, bytes = 0;
    bool counted = false;
};

Allocs countAllocs(Side side, const Sample &s, int n)
{
    Allocs a;
    for (int i = 0; i < 3; ++i)
        g_sink = g_sink + parseOnce(side, s);
#if DS_COUNT_ALLOCS
    g_allocCalls = 0;
    g_allocBytes = 0;
    g_counting = true;
    std::size_t sum = 0;
    for (int i = 0; i < n; ++i)
        sum += parseOnce(side, s);
    g_counting = false;
    g_sink = g_sink + sum;
    a.calls = double(g_allocCalls.load()) / n;
    a.bytes = double(g_allocBytes.load()) / n;
    a.counted = true;
#else
    (void)n;
#endif
    return a;
}

double median(std::vector<double> v)
{
    std::sort(v.begin(), v.end());
    const std::size_t n = v.size();
    return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

// What a transaction layer reads, as text, from each parser: they must agree.
struct Fields {
    std::string callId, cseqNumber, cseqMethod, branch, methodOrStatus;
    bool operator==(const Fields &) const = default;
};

std::string str(QByteArrayView v) { return std::string(v.data(), std::size_t(v.size())); }

bool readDialscope(const Sample &s, Fields &f, std::string &error)
{
    const auto m = ds::sip::Parser::parse(s.bytes);
    if (!m) {
        error = m.error().what.toStdString();
        return false;
    }
    f.callId = str(m->callId());
    f.cseqNumber = std::to_string(m->cseqNumber());
    f.cseqMethod = str(m->cseqMethod());
    f.branch = str(m->topViaBranch());
    f.methodOrStatus = m->isRequest() ? str(m->method()) : std::to_string(m->statusCode());
    return true;
}

bool readOsip2(const Sample &s, Fields &f, std::string &error)
{
    static char kBranch[] = "branch";
    osip_message_t *sip = nullptr;
    osip_message_init(&sip);
    const int rc = osip_message_parse(sip, s.bytes.constData(), std::size_t(s.bytes.size()));
    if (rc == 0) {
        if (const osip_call_id_t *id = osip_message_get_call_id(sip); id && id->number)
            f.callId = std::string(id->number) + (id->host ? std::string("@") + id->host : std::string());
        if (const osip_cseq_t *cseq = osip_message_get_cseq(sip); cseq && cseq->number && cseq->method) {
            f.cseqNumber = std::to_string(std::strtoul(cseq->number, nullptr, 10));
            f.cseqMethod = cseq->method;
        }
        osip_via_t *via = nullptr;
        osip_generic_param_t *branch = nullptr;
        if (osip_message_get_via(sip, 0, &via) >= 0 && via && osip_via_param_get_byname(via, kBranch, &branch) == 0 && branch && branch->gvalue)
            f.branch = branch->gvalue;
        f.methodOrStatus = MSG_IS_REQUEST(sip) ? std::string(sip->sip_method ? sip->sip_method : "") : std::to_string(sip->status_code);
    } else {
        error = "osip_message_parse returned " + std::to_string(rc);
    }
    osip_message_free(sip);
    return rc == 0;
}

bool check(const Sample &s)
{
    Fields a, b;
    std::string ea, eb;
    const bool okA = readDialscope(s, a, ea), okB = readOsip2(s, b, eb);
    if (!okA || !okB) {
        std::fprintf(stderr, "bench_parser: %s does not parse: %s%s%s\n", s.name.c_str(), okA ? "" : "dialscope: ", okA ? "" : ea.c_str(),
            okB ? "" : (" osip2: " + eb).c_str());
        return false;
    }
    if (!(a == b) || a.callId.empty() || a.branch.empty() || a.cseqMethod.empty()) {
        std::fprintf(stderr,
            "bench_parser: %s: the parsers disagree or read nothing:\n"
            "  dialscope Call-ID=%s CSeq=%s %s branch=%s %s\n  osip2     Call-ID=%s CSeq=%s %s branch=%s %s\n",
            s.name.c_str(), a.callId.c_str(), a.cseqNumber.c_str(), a.cseqMethod.c_str(), a.branch.c_str(), a.methodOrStatus.c_str(), b.callId.c_str(),
            b.cseqNumber.c_str(), b.cseqMethod.c_str(), b.branch.c_str(), b.methodOrStatus.c_str());
        return false;
    }
    if (parseOnce(Dialscope, s) != parseOnce(Osip2, s)) {
        std::fprintf(stderr, "bench_parser: %s: the measured functions read different values\n", s.name.c_str());
        return false;
    }
    return true;
}

std::vector<Sample> loadCorpus(const QString &dir, const QString &filter)
{
    std::vector<Sample> out;
    const QStringList files = QDir(dir).entryList({QStringLiteral("*.sip")}, QDir::Files, QDir::Name);
    for (const QString &name : files) {
        if (!filter.isEmpty() && !name.contains(filter))
            continue;
        QFile f(QDir(dir).filePath(name));
        if (!f.open(QIODevice::ReadOnly))
            continue;
        out.push_back({QFileInfo(name).completeBaseName().toStdString(), f.readAll()});
    }
    return out;
}

struct Options {
    int rounds = 21;
    double roundMs = 20;
    bool smoke = false;
    long callgrind = 0; // parses per message and parser in --callgrind mode; 0 = timing mode
    QString corpus = QStringLiteral(DS_BENCH_CORPUS);
    QString filter;
};

int usage()
{
    std::fprintf(stderr,
        "usage: bench_parser [--rounds N] [--round-ms MS] [--message SUBSTR] [--corpus DIR] [--smoke] "
        "[--callgrind [N]]\n");
    return 2;
}

int runCallgrind(const std::vector<Sample> &corpus, long n)
{
#if DS_HAVE_CALLGRIND
    if (!RUNNING_ON_VALGRIND)
        std::fprintf(stderr, "bench_parser: --callgrind is meant to run under valgrind --tool=callgrind --collect-atstart=no\n");
    for (const Sample &s : corpus) {
        for (int side = 0; side < SideCount; ++side) {
            std::size_t sum = 0;
            for (int i = 0; i < 20; ++i) // warm up: lazy symbol binding, first-touch allocations
                sum += parseOnce(Side(side), s);
            CALLGRIND_ZERO_STATS;
            CALLGRIND_TOGGLE_COLLECT;
            for (long i = 0; i < n; ++i)
                sum += parseOnce(Side(side), s);
            CALLGRIND_TOGGLE_COLLECT;
            const std::string label
                = "parser=" + std::string(kSideName[side]) + " message=" + s.name + " bytes=" + std::to_string(s.bytes.size()) + " n=" + std::to_string(n);
            CALLGRIND_DUMP_STATS_AT(label.c_str());
            g_sink = g_sink + sum;
            std::printf("%s\n", label.c_str());
        }
    }
    return 0;
#else
    (void)corpus;
    (void)n;
    std::fprintf(stderr, "bench_parser: built without <valgrind/callgrind.h>; --callgrind is unavailable\n");
    return 2;
#endif
}

} // namespace

int main(int argc, char **argv)
{
    Options o;
    for (int i = 1; i < argc; ++i) {
        const std::string a = argv[i];
        auto next = [&]() -> const char * { return i + 1 < argc ? argv[++i] : nullptr; };
        if (a == "--smoke") {
            o.smoke = true;
        } else if (a == "--rounds") {
            const char *v = next();
            if (!v || (o.rounds = std::atoi(v)) < 1)
                return usage();
        } else if (a == "--round-ms") {
            const char *v = next();
            if (!v || (o.roundMs = std::atof(v)) <= 0)
                return usage();
        } else if (a == "--message") {
            const char *v = next();
            if (!v)
                return usage();
            o.filter = QString::fromLocal8Bit(v);
        } else if (a == "--corpus") {
            const char *v = next();
            if (!v)
                return usage();
            o.corpus = QString::fromLocal8Bit(v);
        } else if (a == "--callgrind") {
            o.callgrind = 2000;
            if (i + 1 < argc && argv[i + 1][0] != '-' && (o.callgrind = std::atol(argv[++i])) < 1)
                return usage();
        } else {
            return usage();
        }
    }

    parser_init(); // oSIP2's one-time table set-up

    const std::vector<Sample> corpus = loadCorpus(o.corpus, o.filter);
    if (corpus.empty()) {
        std::fprintf(stderr, "bench_parser: no *.sip messages in %s\n", qPrintable(o.corpus));
        return 1;
    }
    bool ok = true;
    for (const Sample &s : corpus)
        ok = check(s) && ok;
    if (!ok)
        return 1;
    if (o.callgrind > 0)
        return runCallgrind(corpus, o.callgrind);

    const int rounds = o.smoke ? 3 : o.rounds;
    std::printf("SIP parser: dialscope vs GNU oSIP2 %s - median of %d interleaved rounds%s\n", DS_OSIP2_VERSION, rounds,
        o.smoke ? " (smoke run: figures are meaningless)" : "");
    std::printf("%-22s %6s  %-10s %12s %10s %8s %8s %11s %15s\n", "message", "bytes", "parser", "msgs/s", "ns/msg", "ns/byte", "speedup", "allocs/msg",
        "alloc bytes/msg");

    std::vector<std::string> json;
    for (const Sample &s : corpus) {
        // Calibrate: enough parses per round for about --round-ms of each parser.
        long n[SideCount];
        for (int side = 0; side < SideCount; ++side) {
            if (o.smoke) {
                n[side] = 10;
                continue;
            }
            timeRun(Side(side), s, 200); // warm caches and branch predictors
            const double est = timeRun(Side(side), s, 1000);
            n[side] = std::max(1000L, long(o.roundMs * 1e6 / std::max(est, 1.0)));
        }
        std::vector<double> ns[SideCount];
        for (int r = 0; r < rounds; ++r) // A, B, A, B...: both see the same machine state
            for (int side = 0; side < SideCount; ++side)
                ns[side].push_back(timeRun(Side(side), s, n[side]));

        double med[SideCount];
        Allocs allocs[SideCount];
        for (int side = 0; side < SideCount; ++side) {
            med[side] = median(ns[side]);
            allocs[side] = countAllocs(Side(side), s, o.smoke ? 5 : 200);
        }
        const double speedup = med[Osip2] / med[Dialscope];
        for (int side = 0; side < SideCount; ++side) {
            const double bytes = double(s.bytes.size());
            char sp[16] = "", ac[16] = "n/a", ab[16] = "n/a";
            if (side == Dialscope)
                std::snprintf(sp, sizeof sp, "%.1fx", speedup);
            if (allocs[side].counted) {
                std::snprintf(ac, sizeof ac, "%.1f", allocs[side].calls);
                std::snprintf(ab, sizeof ab, "%.0f", allocs[side].bytes);
            }
            std::printf("%-22s %6lld  %-10s %12.0f %10.1f %8.3f %8s %11s %15s\n", side == Dialscope ? s.name.c_str() : "",
                static_cast<long long>(s.bytes.size()), kSideName[side], 1e9 / med[side], med[side], med[side] / bytes, sp, ac, ab);

            const auto [mn, mx] = std::minmax_element(ns[side].begin(), ns[side].end());
            char line[640];
            std::snprintf(line, sizeof line,
                "{\"bench\":\"parser\",\"message\":\"%s\",\"bytes\":%lld,\"parser\":\"%s\",\"rounds\":%d,"
                "\"parses_per_round\":%ld,\"msgs_per_s\":%.0f,\"ns_per_msg\":%.2f,\"ns_per_msg_min\":%.2f,"
                "\"ns_per_msg_max\":%.2f,\"ns_per_byte\":%.4f,\"allocs_per_msg\":%s,\"alloc_bytes_per_msg\":%s,"
                "\"speedup_vs_osip2\":%.2f,\"smoke\":%s}",
                s.name.c_str(), static_cast<long long>(s.bytes.size()), kSideName[side], rounds, n[side], 1e9 / med[side], med[side], *mn, *mx,
                med[side] / bytes, allocs[side].counted ? ac : "null", allocs[side].counted ? ab : "null", med[Osip2] / med[side], o.smoke ? "true" : "false");
            json.emplace_back(line);
        }
        std::fflush(stdout);
    }
    // One machine-readable line per result, after the table: grep '^{"bench"'.
    for (const std::string &line : json)
        std::printf("%s\n", line.c_str());
    return 0;
}
