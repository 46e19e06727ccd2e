// The main window against a real Kamailio registrar on loopback: an account added through the
// dialog, registered with the Register button, the state, the message log, the raw message pane
// and the digest explainer as a user sees them; a wrong password explained; unregister, edit and
// remove; the keychain banner; and the password nowhere on screen or on disk.

#include "support/kamailio_registrar.h"

#include "phone/phone.h"
#include "ui/account_dialog.h"
#include "ui/account_list_model.h"
#include "ui/account_store.h"
#include "ui/finding_list_model.h"
#include "ui/ladder_panel.h"
#include "ui/ladder_view.h"
#include "ui/main_window.h"
#include "ui/message_log_model.h"
#include "ui/raw_message_view.h"

#include <QAbstractItemModelTester>
#include <QDialogButtonBox>
#include <QDockWidget>
#include <QLabel>
#include <QLineEdit>
#include <QMessageBox>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QSettings>
#include <QTabWidget>
#include <QTableView>
#include <QTemporaryDir>
#include <QTest>
#include <QToolButton>

#include <memory>

using namespace ds;
using namespace ds::test;
using ui::AccountListModel;
using ui::MessageLogModel;

namespace {

const QString kUser = QStringLiteral("alice");
const QString kPassword = QStringLiteral("Gui-Pa55word-7q");

struct AccountFields {
    QString displayName;
    QString user;
    QString password;
    QString server;
};

} // namespace

class TestMainWindow : public QObject {
    Q_OBJECT
private slots:
    void initTestCase();
    void init();
    void cleanup();
    void cleanupTestCase();

    void showsKeychainBannerWithoutKeychain();
    void bannerFollowsTheKeychainProbe();
    void registersThroughTheWindow();
    void wrongPasswordIsExplained();
    void unregisterEditAndRemove();
    void showsFindingsAndMalformedMessages();

private:
    void makeWindow(ui::AccountStore::KeychainMode mode);
    void addAccount(const AccountFields &f);
    QToolButton *button(const char *name) const;
    QTableView *view(const char *name) const;
    QString state(int row) const;
    QString accountCell(int row, int column) const;
    int findLogRow(const QString &prefix) const;
    void checkPasswordNowhere(const QString &password);
    void screenshot(const QString &name);
    QString server() const { return QStringLiteral("127.0.0.1:%1").arg(m_kamailio->udpPort()); }

    std::unique_ptr<QTemporaryDir> m_tmp;
    std::unique_ptr<KamailioRegistrar> m_kamailio;
    QString m_ini;
    std::unique_ptr<ui::AccountStore> m_store;
    std::unique_ptr<phone::Phone> m_phone;
    std::unique_ptr<ui::MainWindow> m_window;
};

void TestMainWindow::initTestCase()
{
    m_tmp = std::make_unique<QTemporaryDir>(QDir::tempPath() + QStringLiteral("/dialscope-gui-XXXXXX"));
    QVERIFY(m_tmp->isValid());
    m_kamailio = std::make_unique<KamailioRegistrar>(m_tmp->path());
    DS_START_KAMAILIO(*m_kamailio, QStringLiteral("MD5"), {{kUser, kPassword}}, m_tmp->path());
}

void TestMainWindow::init()
{
    m_ini = m_tmp->filePath(QStringLiteral("%1.ini").arg(QString::fromLatin1(QTest::currentTestFunction())));
    QFile::remove(m_ini);
}

void TestMainWindow::cleanup()
{
    if (QTest::currentTestFailed() && m_kamailio)
        qWarning().noquote() << m_kamailio->logTail(3000);
    // The window before the Phone and the store it uses.
    m_window.reset();
    m_phone.reset();
    m_store.reset();
}

void TestMainWindow::cleanupTestCase()
{
    m_kamailio.reset(); // stops it
}

void TestMainWindow::makeWindow(ui::AccountStore::KeychainMode mode)
{
    ui::AccountStore::Options o;
    o.settingsPath = m_ini;
    o.keychain = mode;
    o.keychainService = QStringLiteral("dialscope-test");
    m_store = std::make_unique<ui::AccountStore>(o);
    m_phone = std::make_unique<phone::Phone>();
    m_window = std::make_unique<ui::MainWindow>(*m_phone, *m_store);
    // The models under live traffic, checked as they change.
    for (QAbstractItemModel *model : {static_cast<QAbstractItemModel *>(m_window->accountModel()), static_cast<QAbstractItemModel *>(m_window->messageLog()),
             static_cast<QAbstractItemModel *>(m_window->findings())})
        new QAbstractItemModelTester(model, QAbstractItemModelTester::FailureReportingMode::Fatal, m_window.get());
    m_window->show();
    QVERIFY(QTest::qWaitForWindowExposed(m_window.get()));
}

QToolButton *TestMainWindow::button(const char *name) const { return m_window->findChild<QToolButton *>(QLatin1String(name)); }

QTableView *TestMainWindow::view(const char *name) const { return m_window->findChild<QTableView *>(QLatin1String(name)); }

QString TestMainWindow::accountCell(int row, int column) const { return view("accounts")->model()->index(row, column).data().toString(); }

QString TestMainWindow::state(int row) const { return accountCell(row, AccountListModel::StateColumn); }

int TestMainWindow::findLogRow(const QString &prefix) const
{
    const QAbstractItemModel *log = view("messageLog")->model();
    for (int r = 0; r < log->rowCount(); ++r)
        if (log->index(r, MessageLogModel::FirstLineColumn).data().toString().startsWith(prefix))
            return r;
    return -1;
}

// Fills the dialog the Add button opens, key by key, and clicks OK.
void TestMainWindow::addAccount(const AccountFields &f)
{
    QToolButton *add = button("addAccount");
    QVERIFY(add && add->isEnabled());
    QTest::mouseClick(add, Qt::LeftButton);
    ui::AccountDialog *dialog = nullptr;
    QTRY_VERIFY((dialog = m_window->findChild<ui::AccountDialog *>()) && dialog->isVisible());
    const auto type = [dialog](const char *name, const QString &text) {
        auto *e = dialog->findChild<QLineEdit *>(QLatin1String(name));
        QVERIFY2(e, name);
        QTest::keyClicks(e, text);
    };
    type("displayName", f.displayName);
    type("user", f.user);
    type("password", f.password);
    type("server", f.server);
    QPushButton *ok = dialog->findChild<QDialogButtonBox *>()->button(QDialogButtonBox::Ok);
    QVERIFY(ok->isEnabled());
    if (const QString dir = qEnvironmentVariable("DS_UI_SCREENSHOTS"); !dir.isEmpty())
        dialog->grab().save(dir + QStringLiteral("/account-dialog.png"));
    QTest::mouseClick(ok, Qt::LeftButton);
    QTRY_VERIFY(!m_window->findChild<ui::AccountDialog *>()); // closed and deleted
}

// With DS_UI_SCREENSHOTS=DIR, saves what the window looks like now as DIR/NAME.png (for a look
// at the layout, and the README).
void TestMainWindow::screenshot(const QString &name)
{
    const QString dir = qEnvironmentVariable("DS_UI_SCREENSHOTS");
    if (dir.isEmpty())
        return;
    QDir().mkpath(dir);
    QVERIFY(m_window->grab().save(dir + u'/' + name + QStringLiteral(".png")));
}

void TestMainWindow::checkPasswordNowhere(const QString &password)
{
    const QAbstractItemModel *log = view("messageLog")->model();
    for (int r = 0; r < log->rowCount(); ++r) {
        for (int c = 0; c < log->columnCount(); ++c)
            QVERIFY(!log->index(r, c).data().toString().contains(password));
        QVERIFY2(!log->index(r, 0).data(MessageLogModel::RawTextRole).toString().contains(password), "the password is in a logged message");
    }
    const QAbstractItemModel *accounts = view("accounts")->model();
    for (int r = 0; r < accounts->rowCount(); ++r)
        for (int c = 0; c < accounts->columnCount(); ++c)
            QVERIFY(!accounts->index(r, c).data().toString().contains(password));
    const QAbstractItemModel *findings = view("findings")->model();
    for (int r = 0; r < findings->rowCount(); ++r)
        for (int c = 0; c < findings->columnCount(); ++c)
            QVERIFY(!findings->index(r, c).data().toString().contains(password));
    for (const QPlainTextEdit *pane : m_window->findChildren<QPlainTextEdit *>())
        QVERIFY2(!pane->toPlainText().contains(password), qPrintable(pane->objectName()));
    for (const QLabel *label : m_window->findChildren<QLabel *>())
        QVERIFY2(!label->text().contains(password), qPrintable(label->objectName()));
    QFile ini(m_store->settingsFileName());
    QVERIFY(ini.open(QIODevice::ReadOnly));
    const QByteArray saved = ini.readAll();
    QVERIFY2(!saved.isEmpty(), "nothing was saved");
    QVERIFY2(!saved.contains(password.toUtf8()), saved.constData());
}

void TestMainWindow::showsKeychainBannerWithoutKeychain()
{
    makeWindow(ui::AccountStore::KeychainMode::Disabled);
    auto *banner = m_window->findChild<QLabel *>(QStringLiteral("keychainBanner"));
    QVERIFY(banner);
    QVERIFY(banner->isVisible());
    QVERIFY2(banner->text().contains(u"this session only"), qPrintable(banner->text()));
    // Without a selected account only Add is possible.
    QVERIFY(button("addAccount")->isEnabled());
    for (const char *name : {"editAccount", "removeAccount", "registerAccount", "unregisterAccount"})
        QVERIFY2(!button(name)->isEnabled(), name);
}

void TestMainWindow::bannerFollowsTheKeychainProbe()
{
    makeWindow(ui::AccountStore::KeychainMode::Auto);
    auto *banner = m_window->findChild<QLabel *>(QStringLiteral("keychainBanner"));
    QTRY_VERIFY_WITH_TIMEOUT(m_store->keychainChecked(), 30000);
    QCOMPARE(banner->isVisible(), !m_store->keychainAvailable());
}

void TestMainWindow::registersThroughTheWindow()
{
    makeWindow(ui::AccountStore::KeychainMode::Disabled);
    addAccount({QStringLiteral("Alice GUI"), kUser, kPassword, server()});
    QTableView *accounts = view("accounts");
    QCOMPARE(accounts->model()->rowCount(), 1);
    QCOMPARE(accountCell(0, AccountListModel::NameColumn), QStringLiteral("Alice GUI"));
    QCOMPARE(accountCell(0, AccountListModel::AddressColumn), QStringLiteral("alice@127.0.0.1"));
    QCOMPARE(accountCell(0, AccountListModel::ServerColumn), server());
    QCOMPARE(accountCell(0, AccountListModel::TransportColumn), QStringLiteral("UDP"));
    QCOMPARE(state(0), QStringLiteral("not registered"));

    QTest::mouseClick(button("registerAccount"), Qt::LeftButton);
    QTRY_COMPARE_WITH_TIMEOUT(state(0), QStringLiteral("registered"), 20000);
    QCOMPARE(accountCell(0, AccountListModel::ExpiresColumn), QStringLiteral("3600 s"));
    QVERIFY(!accountCell(0, AccountListModel::RefreshColumn).isEmpty());
    QVERIFY2(
        accountCell(0, AccountListModel::DetailsColumn).contains(u"registered alice@127.0.0.1"), qPrintable(accountCell(0, AccountListModel::DetailsColumn)));
    QVERIFY(button("unregisterAccount")->isEnabled());

    // The exchange, in order: REGISTER, 401, REGISTER with credentials, 200.
    QTableView *log = view("messageLog");
    QTRY_VERIFY(findLogRow(QStringLiteral("SIP/2.0 200")) >= 0);
    const int reg = findLogRow(QStringLiteral("REGISTER sip:127.0.0.1"));
    const int challenge = findLogRow(QStringLiteral("SIP/2.0 401"));
    const int ok = findLogRow(QStringLiteral("SIP/2.0 200"));
    QVERIFY(reg >= 0 && challenge > reg && ok > challenge);
    const QAbstractItemModel *m = log->model();
    QCOMPARE(m->index(reg, MessageLogModel::DirectionColumn).data().toString(), QStringLiteral("→"));
    QCOMPARE(m->index(challenge, MessageLogModel::DirectionColumn).data().toString(), QStringLiteral("←"));
    QCOMPARE(m->index(challenge, MessageLogModel::TransportColumn).data().toString(), QStringLiteral("UDP"));
    QCOMPARE(m->index(challenge, MessageLogModel::PeerColumn).data().toString(), server());
    QVERIFY(QRegularExpression(QStringLiteral("^\\d\\d:\\d\\d:\\d\\d\\.\\d\\d\\d$"))
                .match(m->index(reg, MessageLogModel::TimeColumn).data().toString())
                .hasMatch());

    // Clicking the 401 shows it whole in the raw pane (the message list is the second tab).
    m_window->findChild<QTabWidget *>(QStringLiteral("traceTabs"))->setCurrentIndex(1);
    const QModelIndex at = m->index(challenge, MessageLogModel::FirstLineColumn);
    log->scrollTo(at);
    QTest::mouseClick(log->viewport(), Qt::LeftButton, {}, log->visualRect(at).center());
    auto *raw = m_window->findChild<QPlainTextEdit *>(QStringLiteral("rawMessage"));
    QVERIFY(raw && raw->isReadOnly());
    QTRY_VERIFY(raw->toPlainText().startsWith(u"SIP/2.0 401"));
    QVERIFY2(raw->toPlainText().contains(u"WWW-Authenticate: Digest"), qPrintable(raw->toPlainText()));

    // The digest explainer: inputs with the password masked.
    auto *auth = m_window->findChild<QPlainTextEdit *>(QStringLiteral("authExplainer"));
    QVERIFY(auth);
    const QString explained = auth->toPlainText();
    QVERIFY2(
        explained.contains(u"alice:127.0.0.1:********") && explained.contains(u"REGISTER:sip:127.0.0.1") && explained.contains(u"MD5"), qPrintable(explained));

    // The same exchange on the live ladder: our side named dialscope, the registrar PBX; clicking
    // the 401's arrow shows it in the ladder's raw pane.
    auto *tabs = m_window->findChild<QTabWidget *>(QStringLiteral("traceTabs"));
    QVERIFY(tabs);
    tabs->setCurrentWidget(m_window->ladder());
    ui::LadderPanel *ladder = m_window->ladder();
    ladder->flush();
    const diag::LadderModel &lm = ladder->model();
    QVERIFY2(lm.rowCount() >= 4, qPrintable(QString::number(lm.rowCount())));
    QCOMPARE(lm.columnCount(), 2);
    QCOMPARE(lm.column(0).name, QStringLiteral("dialscope"));
    QCOMPARE(lm.column(1).name, QStringLiteral("PBX"));
    QCOMPARE(lm.column(1).address, server());
    int challengeRow = -1;
    for (int r = 0; r < lm.rowCount() && challengeRow < 0; ++r)
        if (lm.store().record(lm.messageAt(r)).status == 401)
            challengeRow = r;
    QVERIFY(challengeRow >= 0);
    ladder->view()->selectMessage(lm.messageAt(challengeRow)); // scrolls it into view
    QTest::mouseClick(ladder->view()->viewport(), Qt::LeftButton, {}, ladder->view()->arrowRect(challengeRow).center());
    QTRY_COMPARE(ladder->rawView()->message(), lm.messageAt(challengeRow));
    QVERIFY2(ladder->rawView()->messageText().startsWith(u"SIP/2.0 401"), qPrintable(ladder->rawView()->messageText()));
    screenshot(QStringLiteral("ladder"));
    tabs->setCurrentIndex(1);

    screenshot(QStringLiteral("registered"));
    if (auto *dock = m_window->findChild<QDockWidget *>(QStringLiteral("authDock"))) {
        dock->raise();
        screenshot(QStringLiteral("authentication"));
    }
    checkPasswordNowhere(kPassword);
}

void TestMainWindow::wrongPasswordIsExplained()
{
    makeWindow(ui::AccountStore::KeychainMode::Disabled);
    const QString wrong = QStringLiteral("Not-The-Pa55word-9z");
    addAccount({QStringLiteral("Alice typo"), kUser, wrong, server()});
    QTest::mouseClick(button("registerAccount"), Qt::LeftButton);
    QTRY_COMPARE_WITH_TIMEOUT(state(0), QStringLiteral("failed: wrong credentials"), 20000);
    const QString details = accountCell(0, AccountListModel::DetailsColumn);
    QVERIFY2(details.contains(u"the password or the authentication user name is wrong"), qPrintable(details));
    // Refused once: two REGISTERs, two 401s, no loop.
    QTRY_VERIFY(findLogRow(QStringLiteral("SIP/2.0 401")) >= 0);
    QTest::qWait(300);
    const QAbstractItemModel *log = view("messageLog")->model();
    QSet<QString> registers, challenges;
    for (int r = 0; r < log->rowCount(); ++r) {
        const QString raw = log->index(r, 0).data(MessageLogModel::RawTextRole).toString();
        if (raw.startsWith(u"REGISTER "))
            registers.insert(raw);
        else if (raw.startsWith(u"SIP/2.0 401"))
            challenges.insert(raw);
    }
    QCOMPARE(registers.size(), 2);
    QCOMPARE(challenges.size(), 2);
    auto *status = m_window->findChild<QLabel *>(QStringLiteral("statusText"));
    QVERIFY2(status->text().contains(u"wrong"), qPrintable(status->text()));
    screenshot(QStringLiteral("wrong-password"));
    checkPasswordNowhere(wrong);
}

void TestMainWindow::unregisterEditAndRemove()
{
    makeWindow(ui::AccountStore::KeychainMode::Disabled);
    addAccount({QStringLiteral("Alice"), kUser, kPassword, server()});
    QTest::mouseClick(button("registerAccount"), Qt::LeftButton);
    QTRY_COMPARE_WITH_TIMEOUT(state(0), QStringLiteral("registered"), 20000);

    QTest::mouseClick(button("unregisterAccount"), Qt::LeftButton);
    QTRY_COMPARE_WITH_TIMEOUT(state(0), QStringLiteral("unregistered"), 20000);
    QVERIFY(!button("unregisterAccount")->isEnabled());
    // The REGISTER asking to remove the binding, on the log (which updates in batches).
    const QAbstractItemModel *log = view("messageLog")->model();
    const auto removalLogged = [log] {
        for (int r = 0; r < log->rowCount(); ++r)
            if (log->index(r, 0).data(MessageLogModel::RawTextRole).toString().contains(u"\nExpires: 0\n"))
                return true;
        return false;
    };
    QTRY_VERIFY(removalLogged());

    // Edit: the name changes, the password is kept, and registering still works.
    QTest::mouseClick(button("editAccount"), Qt::LeftButton);
    ui::AccountDialog *dialog = nullptr;
    QTRY_VERIFY((dialog = m_window->findChild<ui::AccountDialog *>()) && dialog->isVisible());
    auto *name = dialog->findChild<QLineEdit *>(QStringLiteral("displayName"));
    QCOMPARE(name->text(), QStringLiteral("Alice"));
    QTest::keyClicks(name, QStringLiteral(" (edited)"));
    QTest::mouseClick(dialog->findChild<QDialogButtonBox *>()->button(QDialogButtonBox::Ok), Qt::LeftButton);
    QTRY_VERIFY(!m_window->findChild<ui::AccountDialog *>());
    QCOMPARE(accountCell(0, AccountListModel::NameColumn), QStringLiteral("Alice (edited)"));
    QCOMPARE(state(0), QStringLiteral("not registered"));
    QTest::mouseClick(button("registerAccount"), Qt::LeftButton);
    QTRY_COMPARE_WITH_TIMEOUT(state(0), QStringLiteral("registered"), 20000);

    // Remove, confirmed: gone from the list and from the settings.
    const QString id = view("accounts")->model()->index(0, 0).data(AccountListModel::AccountIdRole).toString();
    QTest::mouseClick(button("removeAccount"), Qt::LeftButton);
    QMessageBox *box = nullptr;
    QTRY_VERIFY((box = m_window->findChild<QMessageBox *>()) && box->isVisible());
    QTest::mouseClick(box->button(QMessageBox::Yes), Qt::LeftButton);
    QTRY_COMPARE(view("accounts")->model()->rowCount(), 0);
    QVERIFY(!m_store->account(id));
    QSettings saved(m_ini, QSettings::IniFormat);
    saved.beginGroup(QStringLiteral("accounts"));
    QVERIFY(!saved.childGroups().contains(id));
    checkPasswordNowhere(kPassword);
}

// What the Phone reports without a registrar that would provoke it here — a NAT finding, a raised
// Min-Expires, bytes that do not parse — reaches the findings pane and the message log.
void TestMainWindow::showsFindingsAndMalformedMessages()
{
    makeWindow(ui::AccountStore::KeychainMode::Disabled);
    addAccount({QStringLiteral("Alice NAT"), kUser, kPassword, server()});
    const QString id = view("accounts")->model()->index(0, 0).data(AccountListModel::AccountIdRole).toString();

    const QString nat = QStringLiteral("NAT detected: the registrar sees this phone at 203.0.113.7:40123 but its Contact said 10.0.0.2:5060");
    const QString minExpires = QStringLiteral("the registrar wants at least 120 s (423 Min-Expires); asked for 60 s, retrying with 120 s");
    const QAbstractItemModel *findings = view("findings")->model();
    const int before = findings->rowCount(); // the window's own (whether there is a sound card)
    emit m_phone->finding(id, QStringLiteral("warning"), nat);
    emit m_phone->finding(id, QStringLiteral("info"), minExpires);
    QCOMPARE(findings->rowCount(), before + 2);
    QCOMPARE(findings->index(before, 1).data().toString(), QStringLiteral("Alice NAT"));
    QCOMPARE(findings->index(before, 2).data().toString(), QStringLiteral("warning"));
    QCOMPARE(findings->index(before, 3).data().toString(), nat);
    QCOMPARE(findings->index(before + 1, 3).data().toString(), minExpires);

    ds::sip::TraceEvent bad;
    bad.direction = ds::sip::TraceEvent::Direction::In;
    bad.time = QDateTime::currentDateTime();
    bad.remote = {QHostAddress(QStringLiteral("127.0.0.1")), m_kamailio->udpPort()};
    bad.local = {QHostAddress(QStringLiteral("127.0.0.1")), 40000};
    bad.raw = QByteArray("SIP/2.0 200 OK\r\nCSeq: one REGISTER\r\n\r\n");
    bad.malformed = true;
    bad.error = QStringLiteral("line 2: CSeq without a number");
    emit m_phone->traced(id, bad);
    QTableView *log = view("messageLog");
    QTRY_COMPARE(log->model()->rowCount(), 1);
    const QModelIndex at = log->model()->index(0, MessageLogModel::FirstLineColumn);
    QVERIFY2(at.data().toString().contains(bad.error), qPrintable(at.data().toString()));
    m_window->findChild<QTabWidget *>(QStringLiteral("traceTabs"))->setCurrentIndex(1);
    QTest::mouseClick(log->viewport(), Qt::LeftButton, {}, log->visualRect(at).center());
    auto *raw = m_window->findChild<QPlainTextEdit *>(QStringLiteral("rawMessage"));
    QTRY_VERIFY(raw->toPlainText().contains(bad.error));
    QVERIFY(raw->toPlainText().contains(u"CSeq: one REGISTER"));
    // The ladder takes the broken message too, marked malformed, in its own group.
    m_window->ladder()->flush();
    const ds::diag::LadderModel &lm = m_window->ladder()->model();
    QCOMPARE(lm.rowCount(), 1);
    QVERIFY(lm.store().record(lm.messageAt(0)).is(ds::diag::MessageRecord::Malformed));
    QVERIFY2(lm.shortLabel(lm.messageAt(0)).startsWith(u"malformed"), qPrintable(lm.shortLabel(lm.messageAt(0))));
}

QTEST_MAIN(TestMainWindow)
#include "tst_main_window.moc"
