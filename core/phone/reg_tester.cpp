#include "reg_tester.h"

#include <algorithm>

namespace ds::phone {

namespace {

double spanMs(qint64 fromNs, qint64 toNs) { return fromNs && toNs >= fromNs ? double(toNs - fromNs) / 1e6 : -1; }

} // namespace

RegTester::RegTester(diag::AccountFile accounts, RegTestOptions options, sip::Clock &clock, QObject *parent)
    : QObject(parent)
    , m_accounts(std::move(accounts))
    , m_options(std::move(options))
    , m_clock(clock)
{
    m_options.concurrency = std::clamp(m_options.concurrency, 1, kMaxConcurrency);
    m_planned = m_options.count > 0 ? std::min(m_options.count, kMaxCount) : qint64(m_accounts.accounts.size());
    if (m_accounts.accounts.isEmpty())
        m_planned = 0;
    Account account;
    account.id = QStringLiteral("regtest");
    account.user = QStringLiteral("regtest");
    account.server = m_options.server;
    account.transport = m_options.transport;
    account.domain = m_options.domain;
    account.expires = m_options.expires;
    m_agent = std::make_unique<UserAgent>(account, m_options.agent, m_clock);
    connect(m_agent.get(), &UserAgent::ready, this, [this] {
        m_agentDown = false;
        // The transport's failure reaches the layer's transactions at once, but the agent drops
        // the layer a turn later: no attempt may start on it meanwhile.
        connect(m_agent->layer(), &sip::TransactionLayer::transportFailed, this, [this] { m_agentDown = true; });
        if (m_running && !m_stopping)
            schedulePump();
    });
    connect(m_agent.get(), &UserAgent::connectionLost, this, [this](const QString &reason) {
        m_agentDown = true;
        if (!m_running || m_stopping)
            return;
        // TCP/TLS: the attempts in flight ended as network errors; connect again and go on.
        m_lostReason = reason;
        m_agent->start();
    });
    connect(m_agent.get(), &UserAgent::failed, this, [this](const Diagnosis &d) {
        if (!m_running)
            return;
        if (m_started == 0) {
            m_running = false;
            m_finished = true;
            emit failedToStart(d);
            emit finished();
            return;
        }
        // The server cannot be reached again after a lost connection: end the test here.
        m_endReason = QStringLiteral("the test stopped after %1 attempts: the connection to the server was lost (%2) and could not be opened again: %3")
                          .arg(QString::number(m_started), m_lostReason, d.reason);
        abort(outcomeName(d.outcome), d.reason);
    });
}

RegTester::~RegTester()
{
    if (m_pumpTimer)
        m_clock.cancel(m_pumpTimer);
    // Registrations go before the agent they use (members are destroyed in reverse order too).
    m_active.clear();
    m_retired.clear();
}

double RegTester::elapsedSeconds() const { return m_elapsed.isValid() ? double(m_elapsed.nsecsElapsed()) / 1e9 : 0; }

void RegTester::start()
{
    if (m_running || m_finished)
        return;
    m_running = true;
    if (m_planned == 0) {
        QMetaObject::invokeMethod(
            this, [this] { finishIfDone(); }, Qt::QueuedConnection);
        return;
    }
    if (m_agent->isReady())
        schedulePump(0);
    else
        m_agent->start();
}

void RegTester::stop()
{
    if (!m_running)
        return;
    if (m_pumpTimer)
        m_clock.cancel(m_pumpTimer);
    m_pumpTimer = 0;
    m_stopping = true;
    finishIfDone();
}

void RegTester::abort(const QString &outcome, const QString &reason)
{
    if (!m_running)
        return;
    m_stopping = true;
    if (m_pumpTimer)
        m_clock.cancel(m_pumpTimer);
    m_pumpTimer = 0;
    // In start order, so the report lists them as they were started.
    std::vector<Registration *> pending;
    for (auto &[r, active] : m_active)
        pending.push_back(r);
    std::sort(pending.begin(), pending.end(), [this](Registration *a, Registration *b) { return m_active[a].attempt.index < m_active[b].attempt.index; });
    for (Registration *r : pending) {
        Active &active = m_active[r];
        diag::RegAttempt &a = active.attempt;
        if (a.registered) {
            a.unregisterOutcome = outcome; // registered; only the removal was cut short
        } else {
            a.outcome = outcome;
            a.reason = reason;
            a.challengeMs = spanMs(r->timing().startedNs, r->timing().challengedNs);
        }
        complete(r);
    }
    finishIfDone();
}

const diag::TestAccount &RegTester::nextAccount()
{
    const auto &list = m_accounts.accounts;
    if (m_accounts.order == diag::AccountFile::Order::Random)
        return list[qsizetype(std::uniform_int_distribution<qsizetype>(0, list.size() - 1)(m_random))];
    const diag::TestAccount &a = list[m_nextAccount];
    m_nextAccount = (m_nextAccount + 1) % list.size();
    return a;
}

void RegTester::schedulePump(qint64 delayMs)
{
    if (m_pumpTimer)
        m_clock.cancel(m_pumpTimer);
    m_pumpTimer = m_clock.schedule(delayMs, [this] { pump(); });
}

void RegTester::pump()
{
    m_pumpTimer = 0;
    m_retired.clear();
    if (!m_running || m_stopping || m_agentDown || !m_agent->isReady())
        return;
    if (!m_elapsed.isValid())
        m_elapsed.start();
    m_inPump = true;
    // At most one window's worth per call: attempts that fail at once (an unusable account line,
    // a send error) free their place immediately, and must not turn this into one long loop.
    int launched = 0;
    while (m_started < m_planned && qint64(m_active.size()) < m_options.concurrency) {
        if (launched == m_options.concurrency) {
            schedulePump(0);
            break;
        }
        if (m_options.rate > 0) {
            // Attempt n is due n/rate seconds after the first: a late pump catches up, so the
            // achieved rate is the one asked for whenever the server keeps up.
            const double dueS = double(m_started) / m_options.rate;
            const double nowS = elapsedSeconds();
            if (dueS > nowS) {
                schedulePump(std::max<qint64>(1, qint64((dueS - nowS) * 1000)));
                break;
            }
        }
        launch(nextAccount());
        ++launched;
    }
    m_inPump = false;
}

void RegTester::launch(const diag::TestAccount &account)
{
    RegIdentity identity {account.user, account.authUser, account.domain.isEmpty() ? m_options.domain : account.domain, {}};
    auto registration = std::make_unique<Registration>(*m_agent, std::move(identity), account.password);
    Registration *r = registration.get();
    Active &active = m_active[r];
    active.registration = std::move(registration);
    active.attempt.index = m_started++;
    active.attempt.user = account.user;
    active.attempt.callId = r->callId();
    connect(r, &Registration::finished, this, [this, r](const Diagnosis &d) { onFinished(r, d); });
    r->registerNow();
}

void RegTester::onFinished(Registration *r, const Diagnosis &d)
{
    auto it = m_active.find(r);
    if (it == m_active.end())
        return;
    diag::RegAttempt &a = it->second.attempt;
    if (d.outcome == Outcome::Unregistered || (a.registered && r->state() != Registration::State::Registered)) {
        a.unregisterOutcome = outcomeName(d.outcome);
        complete(r);
        return;
    }
    const RegTiming &t = r->timing();
    a.outcome = outcomeName(d.outcome);
    a.status = d.status;
    a.reason = d.reason;
    a.registered = d.outcome == Outcome::Registered;
    a.challengeMs = spanMs(t.startedNs, t.challengedNs);
    a.totalMs = spanMs(t.startedNs, t.finishedNs);
    if (a.registered && m_options.unregisterAfter) {
        // The unregistration's outcome comes back through finished() as well; deferred so the
        // Registration is not re-entered from its own signal.
        QMetaObject::invokeMethod(
            r, [r] { r->unregister(); }, Qt::QueuedConnection);
        return;
    }
    complete(r);
}

void RegTester::complete(Registration *r)
{
    auto it = m_active.find(r);
    if (it == m_active.end())
        return;
    diag::RegAttempt attempt = std::move(it->second.attempt);
    // Nothing of it may go on (a retransmission, a refresh); deleted at the next pump, since this
    // runs inside the Registration's own signal.
    it->second.registration->cancel();
    m_retired.push_back(std::move(it->second.registration));
    m_active.erase(it);
    m_report.add(attempt);
    m_report.setElapsedSeconds(elapsedSeconds());
    emit attemptFinished(attempt);
    if (m_stopping || m_started >= m_planned) {
        finishIfDone();
        return;
    }
    if (!m_pumpTimer && !m_inPump)
        schedulePump(0);
}

void RegTester::finishIfDone()
{
    if (!m_running || !m_active.empty())
        return;
    if (!m_stopping && m_started < m_planned)
        return;
    if (m_pumpTimer)
        m_clock.cancel(m_pumpTimer);
    m_pumpTimer = 0;
    m_running = false;
    m_finished = true;
    emit finished();
}

} // namespace ds::phone
