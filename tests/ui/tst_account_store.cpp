// AccountStore: accounts persist in an INI file with every field and never a password;
// passwords go to the keychain when one answers, else stay in memory for the session.

#include "ui/account_store.h"

#include <QSettings>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>
#include <QUuid>

using namespace ds;
using ui::AccountStore;

namespace {

const QByteArray kPassword = "c0rrect-H0rse-battery";

phone::Account fullAccount()
{
    phone::Account a;
    a.displayName = QStringLiteral("Alice at the desk");
    a.user = QStringLiteral("alice");
    a.authUser = QStringLiteral("alice-auth");
    a.domain = QStringLiteral("example.com");
    a.server = QStringLiteral("sip:proxy.example.net:5070;transport=tcp");
    a.transport = QStringLiteral("tcp");
    a.expires = 600;
    a.dtmfMode = QStringLiteral("info");
    a.callsOnlyThroughServer = true;
    a.echoTest = QStringLiteral("*43");
    return a;
}

AccountStore::Options sessionOnly(const QString &path)
{
    AccountStore::Options o;
    o.settingsPath = path;
    o.keychain = AccountStore::KeychainMode::Disabled;
    return o;
}

QByteArray fileContents(const QString &path)
{
    QFile f(path);
    return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray();
}

} // namespace

class TestAccountStore : public QObject {
    Q_OBJECT
private slots:
    void init();
    void persistsEveryFieldButThePassword();
    void keepsOrderAndEdits();
    void removeForgetsAccountAndPassword();
    void withoutKeychainPasswordsAreSessionOnly();
    void probesTheKeychain();

private:
    std::unique_ptr<QTemporaryDir> m_dir;
    QString m_ini;
};

void TestAccountStore::init()
{
    m_dir = std::make_unique<QTemporaryDir>();
    QVERIFY(m_dir->isValid());
    m_ini = m_dir->filePath(QStringLiteral("dialscope.ini"));
}

void TestAccountStore::persistsEveryFieldButThePassword()
{
    QString id;
    {
        AccountStore store(sessionOnly(m_ini));
        QVERIFY(store.accounts().isEmpty());
        id = store.save(fullAccount(), kPassword);
        QVERIFY(!id.isEmpty());
        QCOMPARE(store.password(id), kPassword);
        QCOMPARE(store.settingsFileName(), m_ini);
    }
    const QByteArray ini = fileContents(m_ini);
    QVERIFY2(ini.contains("[accounts]") || ini.contains("accounts"), ini.constData());
    QVERIFY2(!ini.contains(kPassword), ini.constData());
    QVERIFY2(!ini.toLower().contains("password"), ini.constData());

    // Every field read back, under accounts/<id>.
    QSettings raw(m_ini, QSettings::IniFormat);
    QCOMPARE(raw.value(QStringLiteral("accounts/%1/user").arg(id)).toString(), QStringLiteral("alice"));
    AccountStore again(sessionOnly(m_ini));
    QCOMPARE(again.accounts().size(), 1);
    const phone::Account a = again.accounts().first();
    const phone::Account want = fullAccount();
    QCOMPARE(a.id, id);
    QCOMPARE(a.displayName, want.displayName);
    QCOMPARE(a.user, want.user);
    QCOMPARE(a.authUser, want.authUser);
    QCOMPARE(a.domain, want.domain);
    QCOMPARE(a.server, want.server);
    QCOMPARE(a.transport, want.transport);
    QCOMPARE(a.expires, want.expires);
    QCOMPARE(a.dtmfMode, want.dtmfMode);
    QCOMPARE(a.callsOnlyThroughServer, want.callsOnlyThroughServer);
    QCOMPARE(a.echoTest, want.echoTest);
}

void TestAccountStore::keepsOrderAndEdits()
{
    QStringList ids;
    {
        AccountStore store(sessionOnly(m_ini));
        for (const char *user : {"zed", "alice", "mike"}) {
            phone::Account a = fullAccount();
            a.user = QLatin1String(user);
            ids << store.save(a, kPassword);
        }
        // Editing with no new password keeps the one known.
        phone::Account edited = *store.account(ids[1]);
        edited.expires = 120;
        QCOMPARE(store.save(edited, std::nullopt), ids[1]);
        QCOMPARE(store.password(ids[1]), kPassword);
        QCOMPARE(store.accounts().size(), 3);
    }
    AccountStore again(sessionOnly(m_ini));
    QStringList loaded;
    for (const phone::Account &a : again.accounts())
        loaded << a.id;
    QCOMPARE(loaded, ids);
    QCOMPARE(again.account(ids[1])->expires, 120);
}

void TestAccountStore::removeForgetsAccountAndPassword()
{
    AccountStore store(sessionOnly(m_ini));
    const QString keep = store.save(fullAccount(), kPassword);
    const QString gone = store.save(fullAccount(), "other");
    store.remove(gone);
    QCOMPARE(store.accounts().size(), 1);
    QVERIFY(!store.account(gone));
    QVERIFY(store.password(gone).isEmpty());
    QVERIFY(!fileContents(m_ini).contains(gone.toUtf8()));
    AccountStore again(sessionOnly(m_ini));
    QCOMPARE(again.accounts().size(), 1);
    QCOMPARE(again.accounts().first().id, keep);
}

void TestAccountStore::withoutKeychainPasswordsAreSessionOnly()
{
    QString id;
    {
        AccountStore store(sessionOnly(m_ini));
        QVERIFY(store.keychainChecked());
        QVERIFY(!store.keychainAvailable());
        id = store.save(fullAccount(), kPassword);
        QCOMPARE(store.password(id), kPassword);
        QVERIFY(!store.passwordPending(id));
    }
    AccountStore next(sessionOnly(m_ini));
    QVERIFY(next.password(id).isEmpty());
    QVERIFY(!next.passwordPending(id));
}

void TestAccountStore::probesTheKeychain()
{
    // The real keychain, under a service of its own so nothing of the user's is touched. In CI
    // there is no Secret Service on D-Bus: the store must say so and go session-only.
    AccountStore::Options o;
    o.settingsPath = m_ini;
    o.keychainService = QStringLiteral("dialscope-test-") + QUuid::createUuid().toString(QUuid::WithoutBraces);
    QString id;
    {
        AccountStore store(o);
        QSignalSpy availability(&store, &AccountStore::keychainAvailabilityChanged);
        // Saved while the probe runs: known at once, whatever the keychain says later.
        id = store.save(fullAccount(), kPassword);
        QCOMPARE(store.password(id), kPassword);
        QTRY_VERIFY_WITH_TIMEOUT(store.keychainChecked(), 30000);
        QCOMPARE(availability.count(), 1);
        QCOMPARE(availability.first().at(0).toBool(), store.keychainAvailable());
        QCOMPARE(store.password(id), kPassword);
        // Under tests/support/with_keyring.sh a Secret Service runs: it must be used.
        if (qgetenv("DS_EXPECT_KEYCHAIN") == "1")
            QVERIFY2(store.keychainAvailable(), "a Secret Service runs, but the store did not find a working keychain");
        if (!store.keychainAvailable()) {
            qInfo("no keychain service here: checked the session-only path");
            return;
        }
        QTest::qWait(500); // let the write finish
    }
    // A keychain works: a new store reads the password back from it, then forgets it.
    AccountStore store(o);
    QSignalSpy loaded(&store, &AccountStore::passwordLoaded);
    QVERIFY(store.passwordPending(id));
    QTRY_COMPARE_WITH_TIMEOUT(loaded.count(), 1, 30000);
    QCOMPARE(store.password(id), kPassword);
    store.remove(id);
    QTest::qWait(500);
}

QTEST_MAIN(TestAccountStore)
#include "tst_account_store.moc"
