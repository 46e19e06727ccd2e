#include "account_store.h"

#include <QSettings>
#include <QUuid>

#include <qt6keychain/keychain.h>

namespace ds::ui {

namespace {
const QString kGroup = QStringLiteral("accounts");
const QString kOrderKey = QStringLiteral("accounts/order");
const QString kProbeKey = QStringLiteral("dialscope-keychain-probe");
} // namespace

AccountStore::AccountStore(QObject *parent)
    : AccountStore(Options {}, parent)
{
}

AccountStore::AccountStore(Options options, QObject *parent)
    : QObject(parent)
    , m_options(std::move(options))
{
    m_settings = m_options.settingsPath.isEmpty() ? new QSettings(this) : new QSettings(m_options.settingsPath, QSettings::IniFormat, this);
    load();
    if (m_options.keychain == KeychainMode::Disabled) {
        m_keychain = Keychain::Unavailable;
        return;
    }
    for (const phone::Account &a : std::as_const(m_accounts))
        m_pendingReads.insert(a.id);
    probeKeychain();
}

AccountStore::~AccountStore() = default;

QString AccountStore::newId() { return QUuid::createUuid().toString(QUuid::WithoutBraces); }

QString AccountStore::settingsFileName() const { return m_settings->fileName(); }

std::optional<phone::Account> AccountStore::account(const QString &id) const
{
    for (const phone::Account &a : m_accounts)
        if (a.id == id)
            return a;
    return std::nullopt;
}

void AccountStore::load()
{
    QStringList ids = m_settings->value(kOrderKey).toStringList();
    m_settings->beginGroup(kGroup);
    const QStringList groups = m_settings->childGroups();
    ids.removeIf([&](const QString &id) { return !groups.contains(id); });
    for (const QString &g : groups)
        if (!ids.contains(g))
            ids.append(g);
    for (const QString &id : std::as_const(ids)) {
        m_settings->beginGroup(id);
        phone::Account a;
        a.id = id;
        a.displayName = m_settings->value(QStringLiteral("displayName")).toString();
        a.user = m_settings->value(QStringLiteral("user")).toString();
        a.authUser = m_settings->value(QStringLiteral("authUser")).toString();
        a.domain = m_settings->value(QStringLiteral("domain")).toString();
        a.server = m_settings->value(QStringLiteral("server")).toString();
        a.transport = m_settings->value(QStringLiteral("transport"), a.transport).toString();
        a.expires = m_settings->value(QStringLiteral("expires"), a.expires).toInt();
        a.dtmfMode = m_settings->value(QStringLiteral("dtmfMode"), a.dtmfMode).toString();
        a.srtp = m_settings->value(QStringLiteral("srtp"), a.srtp).toString();
        a.callsOnlyThroughServer = m_settings->value(QStringLiteral("callsOnlyThroughServer"), a.callsOnlyThroughServer).toBool();
        a.echoTest = m_settings->value(QStringLiteral("echoTest")).toString();
        m_settings->endGroup();
        m_accounts.append(a);
    }
    m_settings->endGroup();
}

void AccountStore::writeAccount(const phone::Account &a)
{
    m_settings->beginGroup(kGroup + QLatin1Char('/') + a.id);
    m_settings->setValue(QStringLiteral("displayName"), a.displayName);
    m_settings->setValue(QStringLiteral("user"), a.user);
    m_settings->setValue(QStringLiteral("authUser"), a.authUser);
    m_settings->setValue(QStringLiteral("domain"), a.domain);
    m_settings->setValue(QStringLiteral("server"), a.server);
    m_settings->setValue(QStringLiteral("transport"), a.transport);
    m_settings->setValue(QStringLiteral("expires"), a.expires);
    m_settings->setValue(QStringLiteral("dtmfMode"), a.dtmfMode);
    m_settings->setValue(QStringLiteral("srtp"), a.srtp);
    m_settings->setValue(QStringLiteral("callsOnlyThroughServer"), a.callsOnlyThroughServer);
    m_settings->setValue(QStringLiteral("echoTest"), a.echoTest);
    m_settings->endGroup();
}

void AccountStore::writeOrder()
{
    QStringList ids;
    for (const phone::Account &a : std::as_const(m_accounts))
        ids.append(a.id);
    m_settings->setValue(kOrderKey, ids);
}

QString AccountStore::save(phone::Account account, std::optional<QByteArray> password)
{
    if (account.id.isEmpty())
        account.id = newId();
    const QString id = account.id;
    auto it = std::find_if(m_accounts.begin(), m_accounts.end(), [&](const phone::Account &a) { return a.id == id; });
    if (it != m_accounts.end())
        *it = account;
    else
        m_accounts.append(account);
    writeAccount(account);
    writeOrder();
    m_settings->sync();

    if (password) {
        m_passwords.insert(id, *password);
        m_pendingReads.remove(id); // what the user typed wins over what the keychain may say
        m_pendingDeletes.remove(id);
        if (m_keychain == Keychain::Available)
            writePassword(id);
        else if (m_keychain == Keychain::Probing)
            m_pendingWrites.insert(id);
    }
    return id;
}

void AccountStore::remove(const QString &id)
{
    m_accounts.removeIf([&](const phone::Account &a) { return a.id == id; });
    m_settings->remove(kGroup + QLatin1Char('/') + id);
    writeOrder();
    m_settings->sync();
    m_passwords.remove(id);
    m_pendingReads.remove(id);
    m_pendingWrites.remove(id);
    if (m_keychain == Keychain::Available)
        deletePassword(id);
    else if (m_keychain == Keychain::Probing)
        m_pendingDeletes.insert(id);
}

void AccountStore::probeKeychain()
{
    // A read of a key nobody writes: "not found" proves a working backend without storing anything.
    auto *job = new QKeychain::ReadPasswordJob(m_options.keychainService, this);
    job->setAutoDelete(true);
    job->setInsecureFallback(false);
    job->setKey(kProbeKey);
    connect(job, &QKeychain::Job::finished, this, [this](QKeychain::Job *j) {
        const bool works = j->error() == QKeychain::NoError || j->error() == QKeychain::EntryNotFound;
        if (!works)
            qInfo("dialscope: no keychain service (%s); passwords are kept for this session only", qUtf8Printable(j->errorString()));
        setKeychain(works ? Keychain::Available : Keychain::Unavailable);
    });
    job->start();
}

void AccountStore::setKeychain(Keychain state)
{
    if (m_keychain == state)
        return;
    m_keychain = state;
    if (state == Keychain::Available) {
        for (const QString &id : std::exchange(m_pendingWrites, {}))
            writePassword(id);
        for (const QString &id : std::exchange(m_pendingDeletes, {}))
            deletePassword(id);
        for (const QString &id : QSet<QString>(m_pendingReads))
            readPassword(id);
    } else {
        m_pendingWrites.clear();
        m_pendingDeletes.clear();
        // Nobody will answer: whoever waits for a password goes on without one.
        for (const QString &id : std::exchange(m_pendingReads, {}))
            emit passwordLoaded(id);
    }
    emit keychainAvailabilityChanged(state == Keychain::Available);
}

bool AccountStore::backendMissing(const QKeychain::Job *job)
{
    const auto e = job->error();
    if (e != QKeychain::NoBackendAvailable && e != QKeychain::NotImplemented && e != QKeychain::OtherError)
        return false;
    setKeychain(Keychain::Unavailable);
    return true;
}

void AccountStore::readPassword(const QString &id)
{
    m_pendingReads.insert(id);
    auto *job = new QKeychain::ReadPasswordJob(m_options.keychainService, this);
    job->setAutoDelete(true);
    job->setInsecureFallback(false);
    job->setKey(id);
    connect(job, &QKeychain::Job::finished, this, [this, id](QKeychain::Job *j) {
        if (!m_pendingReads.contains(id))
            return; // saved or removed meanwhile
        const auto *read = static_cast<QKeychain::ReadPasswordJob *>(j);
        if (j->error() == QKeychain::NoError)
            m_passwords.insert(id, read->textData().toUtf8());
        else if (j->error() != QKeychain::EntryNotFound && !backendMissing(j))
            emit keychainError(tr("Could not read the password of an account from the keychain: %1").arg(j->errorString()));
        if (m_pendingReads.remove(id))
            emit passwordLoaded(id);
    });
    job->start();
}

void AccountStore::writePassword(const QString &id)
{
    const QByteArray pw = m_passwords.value(id);
    if (pw.isEmpty()) {
        deletePassword(id);
        return;
    }
    auto *job = new QKeychain::WritePasswordJob(m_options.keychainService, this);
    job->setAutoDelete(true);
    job->setInsecureFallback(false);
    job->setKey(id);
    job->setTextData(QString::fromUtf8(pw));
    connect(job, &QKeychain::Job::finished, this, [this](QKeychain::Job *j) {
        if (j->error() != QKeychain::NoError && !backendMissing(j))
            emit keychainError(tr("Could not store a password in the keychain (%1); it is kept for this session only").arg(j->errorString()));
    });
    job->start();
}

void AccountStore::deletePassword(const QString &id)
{
    auto *job = new QKeychain::DeletePasswordJob(m_options.keychainService, this);
    job->setAutoDelete(true);
    job->setInsecureFallback(false);
    job->setKey(id);
    connect(job, &QKeychain::Job::finished, this, [this](QKeychain::Job *j) {
        if (j->error() != QKeychain::NoError && j->error() != QKeychain::EntryNotFound && !backendMissing(j))
            emit keychainError(tr("Could not delete a password from the keychain: %1").arg(j->errorString()));
    });
    job->start();
}

} // namespace ds::ui
