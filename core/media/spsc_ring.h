#pragma once
// SpscRing: a lock-free ring of samples between exactly one producer thread and one consumer thread.

#include <QtGlobal>

#include <algorithm>
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>

namespace ds::media {

// How audio crosses threads (ARCHITECTURE.md, Threads): the PortAudio callback on one side, the
// media thread on the other. Only the constructor allocates; write(), read() and discard() never
// block, lock, allocate or call the system, so the callback may use them.
//
// Roles are fixed: write() is the producer's, read() and discard() are the consumer's; each index
// is stored by its owner only (release) and loaded by the other side (acquire), so the samples
// copied before a store are visible after the matching load. The consumer's available() and the
// producer's free() are safe lower bounds (only the caller can shrink them); seen from the other
// side they are upper bounds, and 0 is then exact.
//
// Counters, readable from any thread: overruns() are samples write() dropped because the ring was
// full (written by the producer), underruns() are samples read() was asked for but did not find
// (written by the consumer). A consumer therefore asks for what it needs, not for "whatever fits".
template <typename T> class SpscRing {
public:
    // capacity: a power of two, > 0 (asserted). Allocates once, here.
    explicit SpscRing(std::size_t capacity)
        : m_mask(capacity - 1)
        , m_buffer(std::make_unique<T[]>(capacity))
    {
        Q_ASSERT(capacity > 0 && (capacity & (capacity - 1)) == 0);
    }
    SpscRing(const SpscRing &) = delete;
    SpscRing &operator=(const SpscRing &) = delete;

    std::size_t capacity() const { return m_mask + 1; }

    // Producer: copies as much of `in` as fits and returns how much; the rest is counted as overrun.
    std::size_t write(std::span<const T> in)
    {
        const std::size_t head = m_head.value.load(std::memory_order_relaxed);
        const std::size_t tail = m_tail.value.load(std::memory_order_acquire);
        const std::size_t n = std::min(in.size(), capacity() - (head - tail));
        copyIn(head, in.first(n));
        m_head.value.store(head + n, std::memory_order_release);
        if (n < in.size())
            bump(m_overruns, in.size() - n);
        return n;
    }

    // Consumer: fills the front of `out` with the oldest samples and returns how many; the shortfall
    // is counted as underrun and that part of `out` is left untouched.
    std::size_t read(std::span<T> out)
    {
        const std::size_t tail = m_tail.value.load(std::memory_order_relaxed);
        const std::size_t head = m_head.value.load(std::memory_order_acquire);
        const std::size_t n = std::min(out.size(), head - tail);
        copyOut(tail, out.first(n));
        m_tail.value.store(tail + n, std::memory_order_release);
        if (n < out.size())
            bump(m_underruns, out.size() - n);
        return n;
    }

    // Consumer: drops up to `count` of the oldest samples without copying them (not counted here: the
    // caller knows why it drops). Returns how many were dropped.
    std::size_t discard(std::size_t count)
    {
        const std::size_t tail = m_tail.value.load(std::memory_order_relaxed);
        const std::size_t head = m_head.value.load(std::memory_order_acquire);
        const std::size_t n = std::min(count, head - tail);
        m_tail.value.store(tail + n, std::memory_order_release);
        return n;
    }

    // Samples waiting to be read.
    std::size_t available() const { return used(); }
    // Room left for write().
    std::size_t free() const { return capacity() - used(); }

    std::uint64_t overruns() const { return m_overruns.value.load(std::memory_order_relaxed); }
    std::uint64_t underruns() const { return m_underruns.value.load(std::memory_order_relaxed); }

private:
    // One index or counter per cache line, so the producer's stores do not invalidate the line the
    // consumer is reading (false sharing) and the other way round.
    static constexpr std::size_t kCacheLine = 64;
    template <typename V> struct alignas(kCacheLine) Padded {
        std::atomic<V> value {0};
    };
    static_assert(std::atomic<std::size_t>::is_always_lock_free && std::atomic<std::uint64_t>::is_always_lock_free);

    // Each counter has a single writer, so a plain load and store suffices (no read-modify-write).
    static void bump(Padded<std::uint64_t> &counter, std::size_t n)
    {
        counter.value.store(counter.value.load(std::memory_order_relaxed) + n, std::memory_order_relaxed);
    }

    // Both indices loaded by one side; for the side that owns neither, the two loads are not one
    // instant, so the difference is clamped to what a ring can hold.
    std::size_t used() const
    {
        const std::size_t tail = m_tail.value.load(std::memory_order_acquire);
        const auto d = std::ptrdiff_t(m_head.value.load(std::memory_order_acquire) - tail);
        return std::size_t(std::clamp<std::ptrdiff_t>(d, 0, std::ptrdiff_t(capacity())));
    }

    // Indices run freely (size_t wraps around harmlessly); the mask maps them into the buffer. A copy
    // wraps at most once, so it is at most two contiguous pieces.
    void copyIn(std::size_t at, std::span<const T> in)
    {
        const std::size_t start = at & m_mask;
        const std::size_t first = std::min(in.size(), capacity() - start);
        std::copy_n(in.data(), first, m_buffer.get() + start);
        std::copy_n(in.data() + first, in.size() - first, m_buffer.get());
    }
    void copyOut(std::size_t at, std::span<T> out) const
    {
        const std::size_t start = at & m_mask;
        const std::size_t first = std::min(out.size(), capacity() - start);
        std::copy_n(m_buffer.get() + start, first, out.data());
        std::copy_n(m_buffer.get(), out.size() - first, out.data() + first);
    }

    const std::size_t m_mask;
    const std::unique_ptr<T[]> m_buffer;
    Padded<std::size_t> m_head; // next index to write; stored by the producer only
    Padded<std::size_t> m_tail; // next index to read; stored by the consumer only
    Padded<std::uint64_t> m_overruns; // producer only
    Padded<std::uint64_t> m_underruns; // consumer only
};

} // namespace ds::media
