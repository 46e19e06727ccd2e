#include "phone.h"

#include "media/media_engine.h"

namespace ds::phone {

Phone::Phone(QObject *parent)
    : QObject(parent)
    , m_clock(this)
{
}

Phone::~Phone()
{
    for (auto *list : {&m_entries, &m_retiring})
        for (auto &e : *list) {
            e->calls.reset(); // calls, then registrations, before the stacks they use
            e->registration.reset();
        }
}

Phone::Entry *Phone::find(const QString &id)
{
    for (auto &e : m_entries)
        if (e->account.id == id)
            return e.get();
    return nullptr;
}

const Phone::Entry *Phone::find(const QString &id) const { return const_cast<Phone *>(this)->find(id); }

void Phone::setAccount(const Account &account, const QByteArray &password)
{
    Entry *e = find(account.id);
    if (!e) {
        m_entries.push_back(std::make_unique<Entry>());
        e = m_entries.back().get();
    } else {
        Account same = account;
        same.dtmfMode = e->account.dtmfMode;
        same.srtp = e->account.srtp;
        if (same == e->account && password == e->password) {
            // Only how its calls send DTMF or protect media changed: that applies to the next calls,
            // no reason to drop the registration and the calls in progress.
            e->account = account;
            if (e->calls)
                e->calls->setSettings(settingsFor(account));
            return;
        }
        // A changed account gets a new stack on its next register (new server, transport...).
        retire(*e);
    }
    e->account = account;
    e->password = password;
}

void Phone::removeAccount(const QString &id)
{
    Entry *e = find(id);
    if (!e)
        return;
    retire(*e);
    std::erase_if(m_entries, [&](const auto &p) { return p->account.id == id; });
}

QList<Account> Phone::accounts() const
{
    QList<Account> out;
    for (const auto &e : m_entries)
        out.append(e->account);
    return out;
}

void Phone::retire(Entry &e)
{
    e.calls.reset(); // hangs up the account's calls
    if (!e.registration) {
        e.agent.reset();
        return;
    }
    // The old stack's state no longer describes the account, but its messages (the
    // unregistration on the way out) still belong in the trace and findings.
    disconnect(e.registration.get(), &Registration::stateChanged, this, nullptr);
    disconnect(e.registration.get(), &Registration::finished, this, nullptr);
    if (e.registration->state() != Registration::State::Registered) {
        e.registration.reset();
        e.agent.reset();
        return;
    }
    // Unregister on the way out; the stack goes when the registrar has answered.
    auto old = std::make_unique<Entry>();
    old->registration = std::move(e.registration);
    old->agent = std::move(e.agent);
    Registration *r = old->registration.get();
    m_retiring.push_back(std::move(old));
    connect(r, &Registration::finished, this, [this, r] {
        QMetaObject::invokeMethod(
            this,
            [this, r] {
                std::erase_if(m_retiring, [r](const auto &p) {
                    if (p->registration.get() != r)
                        return false;
                    p->registration.reset(); // before the stack it uses
                    return true;
                });
            },
            Qt::QueuedConnection);
    });
    r->unregister();
}

void Phone::ensureStack(Entry &e)
{
    if (e.registration)
        return;
    e.agent = std::make_unique<UserAgent>(e.account, m_options, m_clock);
    e.registration = std::make_unique<Registration>(*e.agent, e.password);
    e.registration->setAutoRetry(true);
    const QString id = e.account.id;
    connect(e.agent.get(), &UserAgent::traced, this, [this, id](const sip::TraceEvent &t) { emit traced(id, t); });
    connect(e.agent.get(), &UserAgent::wire, this, [this, id](const sip::WireEvent &w) { emit wire(id, w); });
    connect(e.agent.get(), &UserAgent::tlsKeyLogLine, this, [this, id](const QByteArray &line) { emit tlsKeyLogLine(id, line); });
    connect(e.registration.get(), &Registration::stateChanged, this,
        [this, id](Registration::State s, int status, int expires) { emit registrationChanged(id, s, status, expires); });
    connect(e.registration.get(), &Registration::finished, this, [this, id](const Diagnosis &d) { emit registrationFinished(id, d); });
    connect(e.registration.get(), &Registration::finding, this, [this, id](const QString &sev, const QString &text) { emit finding(id, sev, text); });
    connect(e.registration.get(), &Registration::authComputed, this, [this, id](const sip::AuthExplanation &x) { emit authComputed(id, x); });
    connect(e.agent.get(), &UserAgent::resolved, this, [this, id](const QString &summary) { emit finding(id, QStringLiteral("info"), summary); });
    connect(e.agent.get(), &UserAgent::finding, this, [this, id](const QString &sev, const QString &text) { emit finding(id, sev, text); });
    e.calls = std::make_unique<CallCenter>(*e.agent, e.registration.get(), mediaEngine(), e.password);
    e.calls->setSettings(settingsFor(e.account));
    connect(e.calls.get(), &CallCenter::callAdded, this, [this, id](Call *c) { emit callAdded(id, c); });
    connect(e.calls.get(), &CallCenter::incomingCall, this, [this, id](Call *c) { emit incomingCall(id, c); });
    connect(e.calls.get(), &CallCenter::callEnded, this, [this, id](Call *c) { emit callEnded(id, c); });
    connect(e.calls.get(), &CallCenter::authComputed, this, [this, id](const sip::AuthExplanation &x) { emit authComputed(id, x); });
}

media::MediaEngine &Phone::mediaEngine()
{
    if (!m_media)
        m_media = std::make_unique<media::MediaEngine>();
    return *m_media;
}

void Phone::setCallSettings(const CallSettings &settings)
{
    m_callSettings = settings;
    for (auto &e : m_entries)
        if (e->calls)
            e->calls->setSettings(settingsFor(e->account));
}

CallSettings Phone::settingsFor(const Account &account) const
{
    CallSettings s = m_callSettings;
    s.dtmf.mode = dtmfModeFromName(account.dtmfMode).value_or(s.dtmf.mode);
    s.srtp = sdp::srtpModeFromName(account.srtp.toLatin1()).value_or(s.srtp);
    return s;
}

std::expected<Call *, QString> Phone::dial(const QString &accountId, const QString &target)
{
    Entry *e = find(accountId);
    if (!e)
        return std::unexpected(tr("no such account"));
    if (!e->calls || !e->agent || !e->agent->isReady())
        return std::unexpected(tr("the account is not registered: register it first"));
    return e->calls->dial(target);
}

QList<Call *> Phone::calls() const
{
    QList<Call *> out;
    for (const auto &e : m_entries)
        if (e->calls)
            out += e->calls->calls();
    return out;
}

void Phone::registerAccount(const QString &id)
{
    if (Entry *e = find(id)) {
        ensureStack(*e);
        e->registration->registerNow();
    }
}

void Phone::unregisterAccount(const QString &id)
{
    if (Entry *e = find(id); e && e->registration)
        e->registration->unregister();
}

const Registration *Phone::registration(const QString &id) const
{
    const Entry *e = find(id);
    return e ? e->registration.get() : nullptr;
}

} // namespace ds::phone
