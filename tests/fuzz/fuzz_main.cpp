// fuzz_main: the driver of a fuzz target when it is not linked with libFuzzer (g++ builds, CTest).
// It replays every seed file through LLVMFuzzerTestOneInput and, with --mutate N --seed S, runs N
// cheap deterministic mutations of the seeds through it: a dumb fuzzer without coverage guidance
// that still finds crashes under ASan/UBSan. Built with clang -fsanitize=fuzzer, define
// DS_LIBFUZZER and libFuzzer's own main() is used instead.
//
// usage: fuzz_X [--mutate N] [--seed S] [--crash-dir DIR] FILE|DIR...
// When the target dies (sanitizer report, abort), the input that killed it is written to
// DIR/crash-<target>-<hash> (default: the current directory) so it can become a regression file.

#ifndef DS_LIBFUZZER

#include <algorithm>
#include <chrono>
#include <csignal>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include <fcntl.h>
#include <unistd.h>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size);
// Provided by the ASan/UBSan runtimes; weak so that a build without sanitizers links too.
extern "C" void __sanitizer_set_death_callback(void (*callback)(void)) __attribute__((weak));

namespace {

constexpr std::size_t kMaxMutatedSize = 64 * 1024; // libFuzzer's -max_len for our inputs
constexpr std::size_t kMaxSeedSize = 1024 * 1024; // larger files are skipped, not truncated

// The input being run, for the death callback: raw pointers only, no allocation when dying.
const std::uint8_t *g_currentData = nullptr;
std::size_t g_currentSize = 0;
char g_crashDir[1024] = ".";
char g_targetName[128] = "target";
char g_currentLabel[1200] = "";

// splitmix64: small, fast and the same on every platform, so --seed S reproduces a run.
struct Rng {
    std::uint64_t state;
    std::uint64_t next()
    {
        std::uint64_t z = (state += 0x9E3779B97F4A7C15ull);
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
        return z ^ (z >> 31);
    }
    std::size_t below(std::size_t n) { return n == 0 ? 0 : std::size_t(next() % n); }
    bool oneIn(std::size_t n) { return below(n) == 0; }
};

std::uint64_t fnv1a(const std::uint8_t *data, std::size_t size)
{
    std::uint64_t h = 0xcbf29ce484222325ull;
    for (std::size_t i = 0; i < size; ++i)
        h = (h ^ data[i]) * 0x100000001b3ull;
    return h;
}

void writeAll(int fd, const void *data, std::size_t size)
{
    const char *p = static_cast<const char *>(data);
    while (size > 0) {
        const ssize_t n = ::write(fd, p, size);
        if (n <= 0)
            return;
        p += n;
        size -= std::size_t(n);
    }
}

void writeString(int fd, const char *s) { writeAll(fd, s, std::strlen(s)); }

// Called by the sanitizer runtime (or a signal) when the target dies: saves the input.
void saveCurrentInput()
{
    static bool saved = false;
    if (saved || g_currentData == nullptr)
        return;
    saved = true;
    char path[1400];
    std::snprintf(path, sizeof path, "%s/crash-%s-%016llx", g_crashDir, g_targetName, static_cast<unsigned long long>(fnv1a(g_currentData, g_currentSize)));
    const int fd = ::open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (fd >= 0) {
        writeAll(fd, g_currentData, g_currentSize);
        ::close(fd);
    }
    writeString(2, "fuzz_main: the target died on ");
    writeString(2, g_currentLabel);
    writeString(2, "; input saved to ");
    writeString(2, fd >= 0 ? path : "(could not write the crash file)");
    writeString(2, "\n");
}

void onFatalSignal(int sig)
{
    saveCurrentInput();
    std::signal(sig, SIG_DFL);
    std::raise(sig);
}

// Runs one input from an exact-size heap copy, so that ASan sees any read past its end.
void runOne(const std::uint8_t *data, std::size_t size, const std::string &label)
{
    std::unique_ptr<std::uint8_t[]> copy(new std::uint8_t[size == 0 ? 1 : size]);
    if (size > 0)
        std::memcpy(copy.get(), data, size);
    g_currentData = copy.get();
    g_currentSize = size;
    std::snprintf(g_currentLabel, sizeof g_currentLabel, "%s", label.c_str());
    LLVMFuzzerTestOneInput(copy.get(), size);
    g_currentData = nullptr;
    g_currentSize = 0;
}

void collect(const std::filesystem::path &p, std::vector<std::filesystem::path> &out)
{
    std::error_code ec;
    if (std::filesystem::is_directory(p, ec)) {
        for (const auto &entry : std::filesystem::recursive_directory_iterator(p, ec))
            if (entry.is_regular_file(ec))
                out.push_back(entry.path());
    } else if (std::filesystem::is_regular_file(p, ec)) {
        out.push_back(p);
    } else {
        std::fprintf(stderr, "fuzz_main: %s: no such file or directory\n", p.c_str());
        std::exit(2);
    }
}

// Bytes that matter to the text protocols we parse: separators, quotes, digits, line ends.
constexpr std::string_view kInteresting = "\r\n:;=,\"<>@/ \t\\%0129*#.-+[]";
constexpr std::uint8_t kInterestingBytes[] = {0x00, 0x01, 0x7f, 0x80, 0xff, 0xfe, 0x40, 0x20, 0x0f, 0x10};

// One random edit of `buf` (the others are taken from `seeds` for splices).
void mutateOnce(std::vector<std::uint8_t> &buf, const std::vector<std::vector<std::uint8_t>> &seeds, Rng &rng)
{
    const std::size_t n = buf.size();
    switch (rng.below(10)) {
    case 0: // bit flip
        if (n > 0)
            buf[rng.below(n)] ^= std::uint8_t(1u << rng.below(8));
        break;
    case 1: // byte set to something interesting
        if (n > 0) {
            const std::size_t at = rng.below(n);
            buf[at] = rng.oneIn(2) ? std::uint8_t(kInteresting[rng.below(kInteresting.size())]) : kInterestingBytes[rng.below(std::size(kInterestingBytes))];
        }
        break;
    case 2: // random byte
        if (n > 0)
            buf[rng.below(n)] = std::uint8_t(rng.next());
        break;
    case 3: { // insert 1-8 bytes
        const std::size_t count = 1 + rng.below(8);
        const std::size_t at = rng.below(n + 1);
        std::vector<std::uint8_t> ins(count);
        for (auto &b : ins)
            b = rng.oneIn(2) ? std::uint8_t(kInteresting[rng.below(kInteresting.size())]) : std::uint8_t(rng.next());
        buf.insert(buf.begin() + std::ptrdiff_t(at), ins.begin(), ins.end());
        break;
    }
    case 4: // delete a range
        if (n > 0) {
            const std::size_t at = rng.below(n);
            const std::size_t count = 1 + rng.below(std::min<std::size_t>(n - at, 64));
            buf.erase(buf.begin() + std::ptrdiff_t(at), buf.begin() + std::ptrdiff_t(at + count));
        }
        break;
    case 5: // truncate
        if (n > 0)
            buf.resize(rng.below(n));
        break;
    case 6: { // repeat a chunk in place (long headers, many lines, many blocks)
        if (n == 0)
            break;
        const std::size_t at = rng.below(n);
        const std::size_t len = 1 + rng.below(std::min<std::size_t>(n - at, 256));
        const std::size_t times = 1 + rng.below(rng.oneIn(8) ? 200 : 4);
        const std::vector<std::uint8_t> chunk(buf.begin() + std::ptrdiff_t(at), buf.begin() + std::ptrdiff_t(at + len));
        for (std::size_t i = 0; i < times && buf.size() + len <= kMaxMutatedSize; ++i)
            buf.insert(buf.begin() + std::ptrdiff_t(at), chunk.begin(), chunk.end());
        break;
    }
    case 7: { // splice: our head, another seed's tail
        const auto &other = seeds[rng.below(seeds.size())];
        const std::size_t cut = rng.below(n + 1);
        const std::size_t from = rng.below(other.size() + 1);
        buf.resize(cut);
        buf.insert(buf.end(), other.begin() + std::ptrdiff_t(from), other.end());
        break;
    }
    case 8: { // copy a chunk from another seed over ours
        const auto &other = seeds[rng.below(seeds.size())];
        if (other.empty() || n == 0)
            break;
        const std::size_t from = rng.below(other.size());
        const std::size_t at = rng.below(n);
        const std::size_t len = std::min({other.size() - from, n - at, std::size_t(1 + rng.below(64))});
        std::copy_n(other.begin() + std::ptrdiff_t(from), len, buf.begin() + std::ptrdiff_t(at));
        break;
    }
    case 9: // a number in text made extreme: digit runs lengthened or replaced
        if (n > 0) {
            const std::size_t at = rng.below(n);
            static constexpr std::string_view kNumbers[]
                = {"0", "4294967295", "4294967296", "18446744073709551616", "-1", "65535", "65536", "2147483648", "99999999999999999999999"};
            const std::string_view s = kNumbers[rng.below(std::size(kNumbers))];
            buf.insert(buf.begin() + std::ptrdiff_t(at), s.begin(), s.end());
        }
        break;
    }
    if (buf.size() > kMaxMutatedSize)
        buf.resize(kMaxMutatedSize);
}

} // namespace

int main(int argc, char **argv)
{
    std::vector<std::filesystem::path> files;
    unsigned long long mutations = 0;
    unsigned long long seed = 1;
    for (int i = 1; i < argc; ++i) {
        const std::string_view arg = argv[i];
        if ((arg == "--mutate" || arg == "--seed" || arg == "--crash-dir") && i + 1 < argc) {
            const char *value = argv[++i];
            if (arg == "--crash-dir")
                std::snprintf(g_crashDir, sizeof g_crashDir, "%s", value);
            else
                (arg == "--mutate" ? mutations : seed) = std::strtoull(value, nullptr, 10);
        } else if (arg.starts_with("-")) {
            std::fprintf(stderr, "usage: %s [--mutate N] [--seed S] [--crash-dir DIR] FILE|DIR...\n", argv[0]);
            return 2;
        } else {
            collect(arg, files);
        }
    }
    std::sort(files.begin(), files.end()); // directory order is not stable; the run must be
    std::snprintf(g_targetName, sizeof g_targetName, "%s", std::filesystem::path(argv[0]).filename().c_str());

    if (__sanitizer_set_death_callback)
        __sanitizer_set_death_callback(saveCurrentInput);
    std::signal(SIGABRT, onFatalSignal); // assert(), Q_ASSERT, qFatal; ASan reports go through the callback
    std::signal(SIGFPE, onFatalSignal);

    const auto started = std::chrono::steady_clock::now();
    std::vector<std::vector<std::uint8_t>> seeds;
    std::size_t skipped = 0;
    for (const auto &file : files) {
        std::ifstream in(file, std::ios::binary);
        std::vector<std::uint8_t> bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
        if (!in.eof() && in.fail()) {
            std::fprintf(stderr, "fuzz_main: %s: cannot read\n", file.c_str());
            return 2;
        }
        if (bytes.size() > kMaxSeedSize) {
            ++skipped;
            continue;
        }
        runOne(bytes.data(), bytes.size(), file.string());
        seeds.push_back(std::move(bytes));
    }
    if (seeds.empty())
        seeds.emplace_back();

    Rng rng {seed};
    std::vector<std::uint8_t> buf;
    buf.reserve(kMaxMutatedSize + 1024);
    for (unsigned long long m = 0; m < mutations; ++m) {
        const std::size_t from = rng.below(seeds.size());
        buf.assign(seeds[from].begin(), seeds[from].begin() + std::ptrdiff_t(std::min(seeds[from].size(), kMaxMutatedSize)));
        const std::size_t edits = 1 + rng.below(rng.oneIn(4) ? 16 : 4);
        for (std::size_t e = 0; e < edits; ++e)
            mutateOnce(buf, seeds, rng);
        runOne(buf.data(), buf.size(), "mutation " + std::to_string(m) + " (--seed " + std::to_string(seed) + ") of seed " + std::to_string(from));
    }

    const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - started).count();
    std::printf("%s: %zu inputs replayed%s, %llu mutations (seed %llu), %lld ms, no crash\n", g_targetName, files.size() - skipped,
        skipped ? (", " + std::to_string(skipped) + " over 1 MiB skipped").c_str() : "", mutations, seed, static_cast<long long>(ms));
    return 0;
}

#endif // DS_LIBFUZZER
