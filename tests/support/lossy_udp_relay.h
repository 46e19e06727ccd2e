// LossyUdpRelay: a UDP forwarder on loopback that drops a share of the datagrams in both
// directions, from a fixed seed, so that a lossy network is the same in every run. The client
// sends to port(); the relay forwards from a socket of its own to the target, and what the target
// sends back to that socket goes to the client that spoke last. It runs on a thread of its own
// (plain POSIX sockets and poll), so the test may block in waitFor...() while it forwards.
// Used where netem cannot be: the kernel of the test machine may lack sch_netem.
#pragma once

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <cstdint>
#include <mutex>
#include <random>
#include <thread>
#include <vector>

namespace ds::test {

class LossyUdpRelay {
public:
    struct Counts {
        int toTarget = 0; // forwarded client -> target
        int toClient = 0; // forwarded target -> client
        int droppedToTarget = 0;
        int droppedToClient = 0;
    };

    // lossPercent of the datagrams, chosen by a generator seeded with seed, are not forwarded.
    // sourceAddress: the loopback address the target sees the datagrams come from.
    LossyUdpRelay(std::uint16_t targetPort, int lossPercent, std::uint32_t seed, const char *sourceAddress = "127.0.0.1")
        : m_targetPort(targetPort)
        , m_loss(lossPercent)
        , m_rng(seed)
        , m_sourceAddress(sourceAddress)
    {
    }
    ~LossyUdpRelay() { stop(); }
    LossyUdpRelay(const LossyUdpRelay &) = delete;
    LossyUdpRelay &operator=(const LossyUdpRelay &) = delete;

    // Binds both sockets on 127.0.0.1 (free ports) and starts forwarding; false when it cannot.
    bool start()
    {
        m_front = bindLoopback("127.0.0.1");
        m_back = bindLoopback(m_sourceAddress);
        if (m_front < 0 || m_back < 0)
            return false;
        sockaddr_in a {};
        socklen_t len = sizeof a;
        if (getsockname(m_front, reinterpret_cast<sockaddr *>(&a), &len) != 0)
            return false;
        m_port = ntohs(a.sin_port);
        m_running = true;
        m_thread = std::thread([this] { run(); });
        return true;
    }
    void stop()
    {
        m_running = false;
        if (m_thread.joinable())
            m_thread.join();
        for (int *fd : {&m_front, &m_back})
            if (*fd >= 0) {
                ::close(*fd);
                *fd = -1;
            }
    }
    std::uint16_t port() const { return m_port; } // where the client sends
    Counts counts() const
    {
        std::lock_guard lock(m_mutex);
        return m_counts;
    }

private:
    static int bindLoopback(const char *address)
    {
        const int fd = ::socket(AF_INET, SOCK_DGRAM, 0);
        if (fd < 0)
            return -1;
        sockaddr_in a {};
        a.sin_family = AF_INET;
        if (::inet_pton(AF_INET, address, &a.sin_addr) != 1 || ::bind(fd, reinterpret_cast<sockaddr *>(&a), sizeof a) != 0) {
            ::close(fd);
            return -1;
        }
        return fd;
    }

    bool drop() { return int(m_rng() % 100) < m_loss; }

    void run()
    {
        std::vector<char> buffer(65536);
        sockaddr_in client {};
        bool haveClient = false;
        sockaddr_in target {};
        target.sin_family = AF_INET;
        target.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        target.sin_port = htons(m_targetPort);
        while (m_running) {
            pollfd fds[2] = {{m_front, POLLIN, 0}, {m_back, POLLIN, 0}};
            if (::poll(fds, 2, 50) <= 0)
                continue;
            if (fds[0].revents & POLLIN) {
                sockaddr_in from {};
                socklen_t len = sizeof from;
                const ssize_t n = ::recvfrom(m_front, buffer.data(), buffer.size(), 0, reinterpret_cast<sockaddr *>(&from), &len);
                if (n >= 0) {
                    client = from;
                    haveClient = true;
                    std::lock_guard lock(m_mutex);
                    if (drop())
                        ++m_counts.droppedToTarget;
                    else if (::sendto(m_back, buffer.data(), size_t(n), 0, reinterpret_cast<sockaddr *>(&target), sizeof target) == n)
                        ++m_counts.toTarget;
                }
            }
            if (fds[1].revents & POLLIN) {
                const ssize_t n = ::recv(m_back, buffer.data(), buffer.size(), 0);
                if (n >= 0 && haveClient) {
                    std::lock_guard lock(m_mutex);
                    if (drop())
                        ++m_counts.droppedToClient;
                    else if (::sendto(m_front, buffer.data(), size_t(n), 0, reinterpret_cast<sockaddr *>(&client), sizeof client) == n)
                        ++m_counts.toClient;
                }
            }
        }
    }

    std::uint16_t m_targetPort;
    int m_loss;
    std::mt19937 m_rng;
    const char *m_sourceAddress;
    int m_front = -1;
    int m_back = -1;
    std::uint16_t m_port = 0;
    std::atomic<bool> m_running {false};
    std::thread m_thread;
    mutable std::mutex m_mutex;
    Counts m_counts;
};

} // namespace ds::test
