#pragma once
// RegTester: a bulk registration test, SIPp-style — thousands of accounts registered through one
// UserAgent (one socket per transport), each attempt a full Registration (RFC 3261 client
// transaction, digest authentication), started at a set rate with a bound on how many are in
// flight, and reported as diag::RegReport. Main thread.

#include "registration.h"
#include "user_agent.h"

#include "diag/account_file.h"
#include "diag/reg_report.h"

#include <QElapsedTimer>
#include <QObject>

#include <memory>
#include <random>
#include <unordered_map>
#include <vector>

namespace ds::phone {

struct RegTestOptions {
    QString server; // host[:port] or SIP URI
    QString transport = QStringLiteral("udp");
    QString domain; // AOR domain for accounts without one; empty: the server's
    qint64 count = 0; // attempts in all, cycling through the accounts; 0: each account once
    double rate = 0; // new attempts per second; 0: as fast as the concurrency allows
    int concurrency = 200; // attempts in flight at most
    int expires = 3600;
    bool unregisterAfter = false; // remove each binding once it is registered
    AgentOptions agent;
};

class RegTester final : public QObject {
    Q_OBJECT
public:
    // Limits that keep a mistyped option from exhausting the machine.
    static constexpr int kMaxConcurrency = 20000;
    static constexpr qint64 kMaxCount = 100'000'000;

    RegTester(diag::AccountFile accounts, RegTestOptions options, sip::Clock &clock, QObject *parent = nullptr);
    ~RegTester() override;

    // Opens the transport, then starts attempts; finished() comes once all ended or stop() was called.
    void start();
    // Starts no new attempt; those in flight end on their own (or at the transaction timeout).
    void stop();
    // Stops, and ends the attempts in flight at once with this outcome ("timeout" for the CLI's
    // --timeout, "stopped" when a person gave up waiting) and reason.
    void abort(const QString &outcome, const QString &reason);
    bool isRunning() const { return m_running; }

    const diag::RegReport &report() const { return m_report; }
    qint64 inFlight() const { return qint64(m_active.size()); }
    qint64 started() const { return m_started; }
    qint64 planned() const { return m_planned; }
    UserAgent &agent() { return *m_agent; }
    // Seconds since the first attempt started.
    double elapsedSeconds() const;
    // Why the test ended before its planned attempts, when it did (empty otherwise).
    QString endReason() const { return m_endReason; }

signals:
    void attemptFinished(const ds::diag::RegAttempt &attempt);
    // The stack could not start (DNS, TLS, no route): no attempt was made.
    void failedToStart(const ds::phone::Diagnosis &diagnosis);
    void finished();

private:
    struct Active {
        std::unique_ptr<Registration> registration;
        diag::RegAttempt attempt;
    };

    void pump();
    void schedulePump(qint64 delayMs = 0);
    void launch(const diag::TestAccount &account);
    void onFinished(Registration *r, const Diagnosis &d);
    void complete(Registration *r);
    const diag::TestAccount &nextAccount();
    void finishIfDone();

    diag::AccountFile m_accounts;
    RegTestOptions m_options;
    sip::Clock &m_clock;
    std::unique_ptr<UserAgent> m_agent;
    std::unordered_map<Registration *, Active> m_active;
    std::vector<std::unique_ptr<Registration>> m_retired; // finished, deleted outside their signals
    diag::RegReport m_report;
    QElapsedTimer m_elapsed;
    std::mt19937 m_random {std::random_device {}()};
    qint64 m_planned = 0;
    qint64 m_started = 0;
    qsizetype m_nextAccount = 0;
    bool m_running = false;
    bool m_stopping = false;
    bool m_finished = false;
    bool m_inPump = false;
    bool m_agentDown = false; // the transport failed; wait for ready() before starting attempts
    QString m_lostReason;
    QString m_endReason;
    sip::Clock::TimerId m_pumpTimer = 0;
};

} // namespace ds::phone
