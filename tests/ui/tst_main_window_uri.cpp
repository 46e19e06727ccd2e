// MainWindow::openUri, the window's side of `dialscope sip:...`: a link given before any account is
// registered waits for the registration and then calls `dialscope answer` through Kamailio — whose
// INVITE carries none of the headers the link tried to add; with a registered account a link
// calls at once; a bad link, or no account at all, is explained in the status bar.

#include "support/dialscope_cli.h"
#include "support/kamailio_registrar.h"
#include "test_window.h"

#include "phone/call.h"
#include "phone/phone.h"
#include "ui/account_list_model.h"
#include "ui/account_store.h"
#include "ui/audio_settings_dialog.h"
#include "ui/call_panel.h"
#include "ui/dial_pad.h"
#include "ui/finding_list_model.h"
#include "ui/main_window.h"

#include <QLabel>
#include <QTemporaryDir>
#include <QTest>
#include <QToolButton>

#include <memory>

using namespace ds;
using namespace ds::test;
using phone::Call;

namespace {

const QString kAlice = QStringLiteral("alice");
const QString kBob = QStringLiteral("2000");
const QString kPassword = QStringLiteral("Link-Pa55word-8v");
constexpr int kTimeout = 20000;

bool isRequest(const QJsonObject &e, const QByteArray &method)
{
    return e.value(u"event").toString() == u"sip" && e.value(u"dir").toString() == u"in"
        && ds::test::sip::method(e.value(u"raw").toString().toUtf8()) == method;
}

} // namespace

class TestMainWindowUri : public QObject {
    Q_OBJECT
private slots:
    void initTestCase();
    void cleanup();
    void cleanupTestCase();

    void linkWaitsForARegistrationThenCalls();
    void badLinkNamesTheProblem();
    void linkWithoutAccountsSaysSo();

private:
    void makeWindow(bool withAccount);
    QString status() const { return m_window->findChild<QLabel *>(QStringLiteral("statusText"))->text(); }
    QString findings() const;
    QList<Call *> liveCalls() const;
    QString server() const { return QStringLiteral("127.0.0.1:%1").arg(m_kamailio->udpPort()); }
    bool answererSaid(DialscopeProcess &bob, const std::function<bool(const QJsonObject &)> &found)
    {
        return QTest::qWaitFor([&] { return bob.waitFor(found, 20); }, kTimeout);
    }

    std::unique_ptr<QTemporaryDir> m_tmp;
    std::unique_ptr<KamailioRegistrar> m_kamailio;
    std::unique_ptr<ui::AccountStore> m_store;
    std::unique_ptr<phone::Phone> m_phone;
    std::unique_ptr<ui::MainWindow> m_window;
};

void TestMainWindowUri::initTestCase()
{
    QVERIFY2(QFileInfo::exists(QStringLiteral(DIALSCOPE_BIN)), "dialscope is not built at " DIALSCOPE_BIN);
    m_tmp = std::make_unique<QTemporaryDir>(QDir::tempPath() + QStringLiteral("/dialscope-link-XXXXXX"));
    QVERIFY(m_tmp->isValid());
    m_kamailio = std::make_unique<KamailioRegistrar>(m_tmp->path());
    DS_START_KAMAILIO(*m_kamailio, QStringLiteral("MD5"), {{kAlice, kPassword}, {kBob, kPassword}}, m_tmp->path());
}

void TestMainWindowUri::cleanup()
{
    if (QTest::currentTestFailed() && m_kamailio)
        qWarning().noquote() << m_kamailio->logTail(3000);
    m_window.reset();
    m_phone.reset();
    m_store.reset();
}

void TestMainWindowUri::cleanupTestCase() { m_kamailio.reset(); }

void TestMainWindowUri::makeWindow(bool withAccount)
{
    const QString ini = m_tmp->filePath(QString::fromLatin1(QTest::currentTestFunction()) + QStringLiteral(".ini"));
    QFile::remove(ini);
    phone::CallSettings settings;
    settings.audio.toneHz = 1000; // no sound card needed
    QList<phone::Account> accounts;
    if (withAccount)
        accounts << registrarAccount(QStringLiteral("Alice"), kAlice, server());
    makeTestWindow(m_store, m_phone, m_window, ini, settings, accounts, kPassword);
    m_window->show();
    QVERIFY(QTest::qWaitForWindowExposed(m_window.get()));
}

QString TestMainWindowUri::findings() const
{
    QStringList lines;
    const QAbstractItemModel *m = m_window->findings();
    for (int row = 0; row < m->rowCount(); ++row)
        lines << m->index(row, ui::FindingListModel::SeverityColumn).data().toString() + u' '
                + m->index(row, ui::FindingListModel::TextColumn).data().toString();
    return lines.join(u'\n');
}

QList<Call *> TestMainWindowUri::liveCalls() const
{
    QList<Call *> calls;
    for (ui::CallPanel *p : m_window->callPanels())
        if (p->call() && p->call()->isLive())
            calls << p->call();
    return calls;
}

void TestMainWindowUri::linkWaitsForARegistrationThenCalls()
{
    makeWindow(true);
    DialscopeProcess bob({QStringLiteral("answer"), QStringLiteral("--server"), server(), QStringLiteral("--user"), kBob, QStringLiteral("--bind"),
                             QStringLiteral("127.0.0.1:0"), QStringLiteral("--calls"), QStringLiteral("2"), QStringLiteral("--json"),
                             QStringLiteral("--timeout"), QStringLiteral("60")},
        {{QStringLiteral("DIALSCOPE_PASSWORD"), kPassword}});
    QVERIFY2(bob.start(), qPrintable(bob.describe()));
    QVERIFY2(QTest::qWaitFor([&] { return bob.waitRegistered(20); }, kTimeout), qPrintable(bob.describe()));

    // Not registered yet: the link waits in the dial pad, and what it tried to add is left out.
    m_window->openUri(QStringLiteral(" sip:2000@127.0.0.1?Subject=Injected&Route=%3Csip:192.0.2.1;lr%3E "));
    QCOMPARE(m_window->dialPad()->target(), QStringLiteral("sip:2000@127.0.0.1"));
    QVERIFY2(status().contains(QLatin1String("as soon as an account has registered")), qPrintable(status()));
    QVERIFY2(findings().contains(QLatin1String("warning Left out of the call: the headers Subject, Route")), qPrintable(findings()));
    QVERIFY(m_window->callPanels().isEmpty());

    auto *registerButton = m_window->findChild<QToolButton *>(QStringLiteral("registerAccount"));
    QVERIFY(registerButton && registerButton->isEnabled());
    QTest::mouseClick(registerButton, Qt::LeftButton);
    QTRY_VERIFY_WITH_TIMEOUT(liveCalls().size() == 1 && liveCalls().first()->state() == Call::State::Active, kTimeout);
    QVERIFY2(answererSaid(bob, [](const QJsonObject &e) { return isRequest(e, "INVITE"); }), qPrintable(bob.describe()));
    for (const QJsonObject &e : bob.run().sip(QStringLiteral("in"))) {
        const QByteArray raw = e.value(u"raw").toString().toUtf8();
        if (ds::test::sip::method(raw) != "INVITE")
            continue;
        QVERIFY2(ds::test::sip::header(raw, "Subject", 's').isEmpty(), raw.constData());
        QVERIFY2(!raw.contains("Injected") && !raw.contains("192.0.2.1"), raw.constData());
    }
    liveCalls().first()->hangUp();
    QVERIFY2(answererSaid(bob, [](const QJsonObject &e) { return isRequest(e, "BYE"); }), qPrintable(bob.describe()));
    QTRY_VERIFY_WITH_TIMEOUT(liveCalls().isEmpty(), kTimeout);

    // Registered now: a link calls at once (callto: with a number, as web pages write them).
    m_window->openUri(QStringLiteral("callto://2000"));
    QCOMPARE(m_window->dialPad()->target(), kBob);
    QTRY_VERIFY_WITH_TIMEOUT(liveCalls().size() == 1 && liveCalls().first()->state() == Call::State::Active, kTimeout);
    liveCalls().first()->hangUp();
    QVERIFY2(answererSaid(bob, [](const QJsonObject &e) { return e.value(u"event").toString() == u"result"; }), qPrintable(bob.describe()));
    QVERIFY2(bob.waitFinished(kTimeout) && bob.run().exitCode == 0, qPrintable(bob.describe()));
}

void TestMainWindowUri::badLinkNamesTheProblem()
{
    makeWindow(true);
    m_window->openUri(QStringLiteral("tel:+1-555-CALL"));
    QVERIFY2(
        status().contains(QLatin1String("Cannot call the link tel:+1-555-CALL")) && status().contains(QLatin1String("contains 'C'")), qPrintable(status()));
    QVERIFY2(findings().contains(QLatin1String("error Cannot call the link")), qPrintable(findings()));
    QCOMPARE(m_window->dialPad()->target(), QString()); // nothing half-parsed in the dial pad
    QVERIFY(m_window->callPanels().isEmpty());
}

void TestMainWindowUri::linkWithoutAccountsSaysSo()
{
    makeWindow(false);
    m_window->openUri(QStringLiteral("sips:carol@example.com"));
    QCOMPARE(m_window->dialPad()->target(), QStringLiteral("sips:carol@example.com"));
    QVERIFY2(status().contains(QLatin1String("add an account to call it")), qPrintable(status()));
}

QTEST_MAIN(TestMainWindowUri)
#include "tst_main_window_uri.moc"
