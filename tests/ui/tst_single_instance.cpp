// One running dialscope per user and profile: a later start of the real binary (`dialscope
// sip:...`, as the desktop starts it) hands its link to the running instance and exits 0 — to a
// SingleInstance in this process, or to a real first dialscope, whose window takes the link (it
// says so in its log: no account, so it waits instead of calling). A crashed instance's socket and
// lock are taken over; silent, oversized or foreign clients are dropped, never waited for.

#include "ui/single_instance.h"

#include <QCoreApplication>
#include <QDir>
#include <QFile>
#include <QLocalSocket>
#include <QProcess>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>
#include <QtEndian>

#include <memory>

using ds::ui::SingleInstance;

namespace {

constexpr int kStartTimeoutMs = 30000; // a start of the GUI under the sanitizers

QString describe(QProcess &p, const QByteArray &err = {})
{
    return QStringLiteral("\n$ dialscope %1\nstate %2, exit %3\nstderr:\n%4")
        .arg(p.arguments().join(u' '), QString::number(int(p.state())), QString::number(p.exitCode()),
            QString::fromLocal8Bit(err + p.readAllStandardError()).right(3000));
}

} // namespace

class TestSingleInstance : public QObject {
    Q_OBJECT
private slots:
    void initTestCase();
    void laterStartHandsItsLinkOver();
    void laterStartWithoutLinkHandsOverNothing();
    void profilesAreSeparate();
    void crashedInstanceIsTakenOver();
    void runningWindowTakesTheLink();
    void firstStartCallsItsOwnLink();
    void silentClientIsDropped();
    void badClientsAreDropped_data();
    void badClientsAreDropped();

private:
    QString profileDir(const QString &profile) const { return m_tmp.filePath(profile + QStringLiteral("/config/dialscope")); }
    std::unique_ptr<QProcess> start(const QString &profile, const QStringList &args);
    bool finished(QProcess &p)
    {
        return QTest::qWaitFor([&p] { return p.state() == QProcess::NotRunning; }, kStartTimeoutMs);
    }
    // Until the process printed needle on stderr (collected into *log).
    bool logged(QProcess &p, QByteArray *log, const QByteArray &needle)
    {
        return QTest::qWaitFor(
                   [&] {
                       *log += p.readAllStandardError();
                       return log->contains(needle) || p.state() == QProcess::NotRunning;
                   },
                   kStartTimeoutMs)
            && log->contains(needle);
    }

    QTemporaryDir m_tmp {QDir::tempPath() + QStringLiteral("/dialscope-instance-XXXXXX")};
    QString m_runtime;
};

void TestSingleInstance::initTestCase()
{
    QVERIFY(m_tmp.isValid());
    QVERIFY2(QFileInfo::exists(QStringLiteral(DIALSCOPE_BIN)), "dialscope is not built at " DIALSCOPE_BIN);
    // What the binary uses, so that this process computes the same socket names.
    QCoreApplication::setOrganizationName(QStringLiteral("dialscope"));
    QCoreApplication::setApplicationName(QStringLiteral("dialscope"));
    // A private runtime directory: no socket of the user's real dialscope is touched.
    m_runtime = m_tmp.filePath(QStringLiteral("run"));
    QVERIFY(QDir().mkpath(m_runtime));
    QVERIFY(QFile::setPermissions(m_runtime, QFile::ReadOwner | QFile::WriteOwner | QFile::ExeOwner));
    qputenv("XDG_RUNTIME_DIR", m_runtime.toLocal8Bit());
}

std::unique_ptr<QProcess> TestSingleInstance::start(const QString &profile, const QStringList &args)
{
    const QString home = m_tmp.filePath(profile);
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.insert(QStringLiteral("HOME"), home);
    env.insert(QStringLiteral("XDG_CONFIG_HOME"), home + QStringLiteral("/config"));
    env.insert(QStringLiteral("XDG_DATA_HOME"), home + QStringLiteral("/data"));
    env.insert(QStringLiteral("XDG_CACHE_HOME"), home + QStringLiteral("/cache"));
    env.insert(QStringLiteral("XDG_RUNTIME_DIR"), m_runtime);
    env.insert(QStringLiteral("QT_QPA_PLATFORM"), QStringLiteral("offscreen"));
    env.insert(QStringLiteral("QT_FORCE_STDERR_LOGGING"), QStringLiteral("1"));
    env.remove(QStringLiteral("DBUS_SESSION_BUS_ADDRESS")); // no real keychain for a test profile
    env.remove(QStringLiteral("DIALSCOPE_PASSWORD"));
    auto p = std::make_unique<QProcess>();
    p->setProcessEnvironment(env);
    p->setProgram(QStringLiteral(DIALSCOPE_BIN));
    p->setArguments(args);
    p->start();
    return p;
}

void TestSingleInstance::laterStartHandsItsLinkOver()
{
    SingleInstance first(profileDir(QStringLiteral("a")));
    QVERIFY(first.claim());
    QVERIFY(first.isPrimary());
    QSignalSpy received(&first, &SingleInstance::received);

    const QString link = QStringLiteral("sip:alice@example.com?Subject=hello%20there");
    auto later = start(QStringLiteral("a"), {link});
    QVERIFY2(finished(*later), qPrintable(describe(*later)));
    QVERIFY2(later->exitStatus() == QProcess::NormalExit && later->exitCode() == 0, qPrintable(describe(*later)));
    QCOMPARE(received.size(), 1);
    QCOMPARE(received.first().first().toStringList(), QStringList {link});
}

void TestSingleInstance::laterStartWithoutLinkHandsOverNothing()
{
    SingleInstance first(profileDir(QStringLiteral("a")));
    QVERIFY(first.claim());
    QSignalSpy received(&first, &SingleInstance::received);
    auto later = start(QStringLiteral("a"), {});
    QVERIFY2(finished(*later), qPrintable(describe(*later)));
    QVERIFY2(later->exitCode() == 0, qPrintable(describe(*later)));
    QCOMPARE(received.size(), 1); // the running window comes to the front
    QCOMPARE(received.first().first().toStringList(), QStringList());
}

void TestSingleInstance::profilesAreSeparate()
{
    SingleInstance a(profileDir(QStringLiteral("a")));
    SingleInstance b(profileDir(QStringLiteral("b")));
    QVERIFY(a.serverName() != b.serverName());
    QVERIFY(a.claim());
    QVERIFY(b.claim()); // another profile: a first instance of its own
    SingleInstance again(profileDir(QStringLiteral("a")));
    QCOMPARE(again.serverName(), a.serverName());
    QVERIFY(!again.claim()); // a runs
}

void TestSingleInstance::crashedInstanceIsTakenOver()
{
    // A real first instance, killed: its socket and lock stay behind.
    const QString profile = QStringLiteral("crashed");
    const QString name = SingleInstance(profileDir(profile)).serverName();
    {
        auto crashed = start(profile, {});
        QVERIFY2(QTest::qWaitFor(
                     [&] {
                         QLocalSocket probe;
                         probe.connectToServer(name);
                         return probe.waitForConnected(100) || crashed->state() == QProcess::NotRunning;
                     },
                     kStartTimeoutMs)
                && crashed->state() == QProcess::Running,
            qPrintable(describe(*crashed)));
        crashed->kill();
        QVERIFY(crashed->waitForFinished(10000));
    }
    QVERIFY2(QFile::exists(name), qPrintable(name));
    QVERIFY(QFile::exists(name + QStringLiteral(".lock")));

    SingleInstance next(profileDir(profile));
    QVERIFY(next.claim()); // the dead instance's lock and socket are taken over
    QSignalSpy received(&next, &SingleInstance::received);
    auto later = start(profile, {QStringLiteral("tel:+1-555-0100")});
    QVERIFY2(finished(*later), qPrintable(describe(*later)));
    QVERIFY2(later->exitCode() == 0, qPrintable(describe(*later)));
    QCOMPARE(received.size(), 1);
    QCOMPARE(received.first().first().toStringList(), QStringList {QStringLiteral("tel:+1-555-0100")});
}

void TestSingleInstance::runningWindowTakesTheLink()
{
    // `dialscope sip:...` end to end: both starts are the real binary. The first has no account,
    // so its window puts the link in the dial pad and says why it does not call.
    const QString profile = QStringLiteral("window");
    const QString name = SingleInstance(profileDir(profile)).serverName();
    auto first = start(profile, {});
    QVERIFY2(QTest::qWaitFor(
                 [&] {
                     QLocalSocket probe;
                     probe.connectToServer(name);
                     return probe.waitForConnected(100) || first->state() == QProcess::NotRunning;
                 },
                 kStartTimeoutMs),
        qPrintable(describe(*first)));
    QByteArray log;

    auto later = start(profile, {QStringLiteral("sip:bob@example.com;transport=tcp?Route=%3Csip:evil.example.net%3E")});
    QVERIFY2(finished(*later), qPrintable(describe(*later)));
    QVERIFY2(later->exitCode() == 0, qPrintable(describe(*later)));
    QVERIFY2(logged(*first, &log, "handed over 1 argument"), qPrintable(describe(*first, log)));
    // The header never made it into the target.
    QVERIFY2(logged(*first, &log, "not calling sip:bob@example.com;transport=tcp: there is no account"), qPrintable(describe(*first, log)));

    // A bad link is handed over too, and the window names what is wrong with it.
    auto bad = start(profile, {QStringLiteral("tel:+1-555-CALL-NOW")});
    QVERIFY2(finished(*bad), qPrintable(describe(*bad)));
    QVERIFY2(bad->exitCode() == 0, qPrintable(describe(*bad)));
    QVERIFY2(logged(*first, &log, "cannot call the link: the number \"+1555CALLNOW\" contains 'C'"), qPrintable(describe(*first, log)));
    QVERIFY2(first->state() == QProcess::Running, qPrintable(describe(*first, log)));
    first->terminate();
    QVERIFY(first->waitForFinished(10000));
}

void TestSingleInstance::firstStartCallsItsOwnLink()
{
    auto first = start(QStringLiteral("first-link"), {QStringLiteral("callto://+1 (555) 0100")});
    QByteArray log;
    QVERIFY2(logged(*first, &log, "not calling +15550100: there is no account"), qPrintable(describe(*first, log)));
    first->terminate();
    QVERIFY(first->waitForFinished(10000));
}

void TestSingleInstance::silentClientIsDropped()
{
    SingleInstance first(profileDir(QStringLiteral("a")));
    QVERIFY(first.claim());
    QSignalSpy received(&first, &SingleInstance::received);
    QLocalSocket silent;
    silent.connectToServer(first.serverName());
    QVERIFY(silent.waitForConnected(2000));
    silent.write("DSI1"); // and never the rest

    // Served meanwhile: a later start is not kept waiting by it.
    auto later = start(QStringLiteral("a"), {QStringLiteral("sips:carol@example.com")});
    QVERIFY2(finished(*later), qPrintable(describe(*later)));
    QVERIFY2(later->exitCode() == 0, qPrintable(describe(*later)));
    QCOMPARE(received.size(), 1);
    // And the silent one is dropped without an answer.
    QTRY_COMPARE_WITH_TIMEOUT(silent.state(), QLocalSocket::UnconnectedState, 10000);
    QCOMPARE(silent.readAll(), QByteArray());
    QCOMPARE(received.size(), 1);
}

void TestSingleInstance::badClientsAreDropped_data()
{
    QTest::addColumn<QByteArray>("message");
    QByteArray oversized("DSI1\0\0\0\0", 8);
    qToBigEndian<quint32>(10 * 1024 * 1024, oversized.data() + 4);
    QTest::newRow("oversized") << oversized + QByteArray(64, 'x');
    QTest::newRow("foreign protocol") << QByteArray("GET / HTTP/1.1\r\nHost: x\r\n\r\n");
    QByteArray twice("DSI1\0\0\0\x01"
                     "aDSI1",
        13);
    QTest::newRow("two messages") << twice;
}

void TestSingleInstance::badClientsAreDropped()
{
    QFETCH(QByteArray, message);
    SingleInstance first(profileDir(QStringLiteral("a")));
    QVERIFY(first.claim());
    QSignalSpy received(&first, &SingleInstance::received);
    QLocalSocket client;
    client.connectToServer(first.serverName());
    QVERIFY(client.waitForConnected(2000));
    client.write(message);
    QVERIFY(client.waitForBytesWritten(2000) || client.bytesToWrite() == 0);
    QTRY_COMPARE_WITH_TIMEOUT(client.state(), QLocalSocket::UnconnectedState, 10000);
    QCOMPARE(client.readAll(), QByteArray()); // no acknowledgement
    QCOMPARE(received.size(), 0);
}

QTEST_MAIN(TestSingleInstance)
#include "tst_single_instance.moc"
