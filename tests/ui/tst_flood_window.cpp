// A running main window whose account, registered at a real Kamailio, is flooded by SIPp with
// 5,000 INVITEs and OPTIONS a second from another address: the event loop keeps serving (a timer's
// ticks keep coming, counted in ticks, never in milliseconds), the message log and the ladder take
// only the flood's budget, and the findings pane says it once when it starts and once when it ends.

#include "support/kamailio_registrar.h"
#include "support/peer.h"

#include "phone/phone.h"
#include "ui/account_store.h"
#include "ui/finding_list_model.h"
#include "ui/main_window.h"
#include "ui/message_log_model.h"

#include <QElapsedTimer>
#include <QTemporaryDir>
#include <QTimer>
#include <QtTest>

#include <memory>

using namespace ds;
using namespace Qt::StringLiterals;

class TestFloodWindow : public QObject {
    Q_OBJECT
private slots:
    void initTestCase();
    void cleanupTestCase();
    void floodKeepsTheWindowServing();

private:
    std::unique_ptr<QTemporaryDir> m_tmp;
    std::unique_ptr<test::KamailioRegistrar> m_kamailio;
    QString m_sippBin;
};

void TestFloodWindow::initTestCase()
{
    m_sippBin = test::findProgram(u"sipp"_s);
    if (m_sippBin.isEmpty())
        QSKIP("sipp not found: install the Debian package sip-tester");
    m_tmp = std::make_unique<QTemporaryDir>(QDir::tempPath() + u"/dialscope-flood-gui-XXXXXX"_s);
    QVERIFY(m_tmp->isValid());
    m_kamailio = std::make_unique<test::KamailioRegistrar>(m_tmp->path());
    DS_START_KAMAILIO(*m_kamailio, u"MD5"_s, {{u"alice"_s, u"alice-secret"_s}}, m_tmp->path());
}

void TestFloodWindow::cleanupTestCase() { m_kamailio.reset(); }

void TestFloodWindow::floodKeepsTheWindowServing()
{
    ui::AccountStore::Options o;
    o.settingsPath = m_tmp->filePath(u"flood.ini"_s);
    o.keychain = ui::AccountStore::KeychainMode::Disabled;
    ui::AccountStore store(o);
    phone::Account account;
    account.displayName = u"Alice"_s;
    account.user = u"alice"_s;
    account.server = u"127.0.0.1:%1"_s.arg(m_kamailio->udpPort());
    const QString id = store.save(account, QByteArray("alice-secret"));
    const quint16 port = test::freePort(test::PortKind::Udp);
    phone::Phone phone;
    phone::AgentOptions options;
    options.bindAddress = QHostAddress(QHostAddress::LocalHost);
    options.bindPort = port; // where the flood goes
    phone.setAgentOptions(options);
    ui::MainWindow window(phone, store);
    window.show();
    QVERIFY(QTest::qWaitForWindowExposed(&window));
    bool registered = false;
    connect(&phone, &phone::Phone::registrationChanged, this,
        [&](const QString &, phone::Registration::State s) { registered = registered || s == phone::Registration::State::Registered; });
    phone.registerAccount(id);
    QTRY_VERIFY_WITH_TIMEOUT(registered, 20000);
    const int logBefore = window.messageLog()->rowCount();

    // A 20 ms timer, its ticks counted while SIPp floods; a loop that stalls would starve it.
    constexpr int kTickMs = 20;
    int ticks = 0;
    QTimer timer;
    timer.setTimerType(Qt::PreciseTimer);
    connect(&timer, &QTimer::timeout, this, [&] { ++ticks; });
    QProcess sipp;
    sipp.setProcessChannelMode(QProcess::MergedChannels);
    sipp.setChildProcessModifier(test::detachChild);
    sipp.start(m_sippBin,
        {u"127.0.0.1:%1"_s.arg(port), u"-sf"_s, QStringLiteral(DS_INTEROP_DIR "/sipp/flood_invite_options.xml"), u"-i"_s, u"127.0.0.2"_s, u"-p"_s,
            QString::number(test::freePort(test::PortKind::Udp)), u"-r"_s, u"2500"_s, u"-rp"_s, u"1000"_s, u"-m"_s, u"5000"_s, u"-nostdin"_s});
    QVERIFY2(sipp.waitForStarted(10000), qPrintable(sipp.errorString()));
    QElapsedTimer flood;
    flood.start();
    timer.start(kTickMs);
    QTRY_VERIFY_WITH_TIMEOUT(sipp.state() == QProcess::NotRunning, 30000);
    timer.stop();
    const qint64 floodTicks = flood.elapsed() / kTickMs; // how many ticks the flood lasted
    // SIPp counts a "call" failed (exit 1) when one of our answers from the budget reaches it while
    // that call is still sending; the flood itself went out either way.
    QVERIFY2(sipp.exitStatus() == QProcess::NormalExit && (sipp.exitCode() == 0 || sipp.exitCode() == 1), sipp.readAll().right(2000).constData());
    // Generous: a quarter of the ticks the flood lasted. An event loop busy with every packet (or
    // the log and the ladder growing by 10,000 rows) falls far below.
    QVERIFY2(ticks * 4 >= floodTicks, qPrintable(u"%1 ticks of %2"_s.arg(ticks).arg(floodTicks)));
    qInfo().noquote() << u"timer ticks during the flood: %1 of %2"_s.arg(ticks).arg(floodTicks);

    // The message log took the budget's worth of the flood, not the flood.
    const int logged = window.messageLog()->rowCount() - logBefore;
    QVERIFY2(logged > 0 && logged < 400, qPrintable(u"%1 rows logged"_s.arg(logged)));

    // The findings pane: one line when it started, one when it stopped.
    auto findingsWith = [&](const QString &text) {
        int n = 0;
        const QAbstractItemModel *m = window.findings();
        for (int r = 0; r < m->rowCount(); ++r)
            n += m->index(r, ui::FindingListModel::TextColumn).data().toString().contains(text) ? 1 : 0;
        return n;
    };
    QCOMPARE(findingsWith(u"flood from 127.0.0.2: "_s), 1);
    QTRY_COMPARE_WITH_TIMEOUT(findingsWith(u"flood from 127.0.0.2 stopped"_s), 1, 10000);
    QCOMPARE(findingsWith(u"flood from 127.0.0.2: "_s), 1);
    // The registrar is still served: the account is registered.
    QCOMPARE(phone.registration(id)->state(), phone::Registration::State::Registered);
}

QTEST_MAIN(TestFloodWindow)
#include "tst_flood_window.moc"
