// The keyboard as the phone's, in the main window: digits typed on a focused table go to the dial
// pad, text fields and dialogs keep their keys, tables keep their letter type-ahead; Enter places a
// real call through Kamailio to `dialscope answer`, digits then go as DTMF (the answerer reports
// them), and Esc hangs up (it reports the BYE) or cancels a call still ringing (the CANCEL).

#include "support/dialscope_cli.h"
#include "support/kamailio_registrar.h"
#include "test_window.h"

#include "phone/call.h"
#include "phone/phone.h"
#include "ui/account_list_model.h"
#include "ui/account_store.h"
#include "ui/audio_settings_dialog.h"
#include "ui/call_list.h"
#include "ui/call_panel.h"
#include "ui/dial_pad.h"
#include "ui/keyboard_dialer.h"
#include "ui/ladder_filter_bar.h"
#include "ui/ladder_panel.h"
#include "ui/main_window.h"

#include <QApplication>
#include <QDialog>
#include <QLineEdit>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QTableView>
#include <QTemporaryDir>
#include <QTest>
#include <QToolButton>
#include <QVBoxLayout>

#include <memory>

using namespace ds;
using namespace ds::test;
using phone::Call;

namespace {

const QString kAlice = QStringLiteral("alice");
const QString kBob = QStringLiteral("2000"); // a number, so that it can be typed from a table
const QString kPassword = QStringLiteral("Keys-Pa55word-3x");
constexpr int kTimeout = 20000;

} // namespace

class TestKeyboardDialer : public QObject {
    Q_OBJECT
private slots:
    void initTestCase();
    void cleanup();
    void cleanupTestCase();

    void digitsFromATableGoToTheDialPad();
    void textFieldsKeepTheirKeys();
    void tablesKeepTheirTypeAhead();
    void dialogsKeepTheirKeys();
    void enterCallsDigitsSendDtmfEscHangsUp();
    void escCancelsACallBeingPlaced();

private:
    void makeWindow(bool registered);
    // Types text as a user does: each key to whatever has the focus then.
    void type(const QString &text);
    void press(Qt::Key key) { QTest::keyClick(focused(), key); }
    QWidget *focused() const { return QApplication::focusWidget() ? QApplication::focusWidget() : m_window.get(); }
    void focus(QWidget *w);
    template <typename T> T *child(const char *name) const { return m_window->findChild<T *>(QLatin1String(name)); }
    QLineEdit *field() const { return child<QLineEdit>("dialTarget"); }
    Call *onlyCall() const;
    QString server() const { return QStringLiteral("127.0.0.1:%1").arg(m_kamailio->udpPort()); }
    std::unique_ptr<DialscopeProcess> startBob(const QStringList &extra);
    // Until the answerer printed an event matching found, the window's event loop running meanwhile.
    bool answererSaid(DialscopeProcess &bob, const std::function<bool(const QJsonObject &)> &found);

    std::unique_ptr<QTemporaryDir> m_tmp;
    std::unique_ptr<KamailioRegistrar> m_kamailio;
    std::unique_ptr<ui::AccountStore> m_store;
    std::unique_ptr<phone::Phone> m_phone;
    std::unique_ptr<ui::MainWindow> m_window;
    std::unique_ptr<ui::KeyboardDialer> m_dialer;
};

void TestKeyboardDialer::initTestCase()
{
    QVERIFY2(QFileInfo::exists(QStringLiteral(DIALSCOPE_BIN)), "dialscope is not built at " DIALSCOPE_BIN);
    m_tmp = std::make_unique<QTemporaryDir>(QDir::tempPath() + QStringLiteral("/dialscope-keys-XXXXXX"));
    QVERIFY(m_tmp->isValid());
    m_kamailio = std::make_unique<KamailioRegistrar>(m_tmp->path());
    DS_START_KAMAILIO(*m_kamailio, QStringLiteral("MD5"), {{kAlice, kPassword}, {kBob, kPassword}}, m_tmp->path());
}

void TestKeyboardDialer::cleanup()
{
    if (QTest::currentTestFailed() && m_kamailio)
        qWarning().noquote() << m_kamailio->logTail(3000);
    m_dialer.reset(); // removes itself from the application's filters
    m_window.reset();
    m_phone.reset();
    m_store.reset();
}

void TestKeyboardDialer::cleanupTestCase() { m_kamailio.reset(); }

void TestKeyboardDialer::makeWindow(bool registered)
{
    const QString ini = m_tmp->filePath(QString::fromLatin1(QTest::currentTestFunction()) + QStringLiteral(".ini"));
    QFile::remove(ini);
    phone::CallSettings settings;
    settings.audio.toneHz = 1000; // no sound card needed
    makeTestWindow(m_store, m_phone, m_window, ini, settings, {registrarAccount(QStringLiteral("Alice"), kAlice, server())}, kPassword);
    m_dialer = std::make_unique<ui::KeyboardDialer>(m_window.get(), m_window->calls());
    qApp->installEventFilter(m_dialer.get());
    m_window->show();
    m_window->activateWindow();
    QVERIFY(QTest::qWaitForWindowActive(m_window.get()));
    if (registered)
        registerFirstAccount(*m_window, kTimeout);
}

void TestKeyboardDialer::type(const QString &text)
{
    for (QChar c : text)
        QTest::keyClick(focused(), c.toLatin1());
}

void TestKeyboardDialer::focus(QWidget *w)
{
    QVERIFY(w);
    w->setFocus(Qt::OtherFocusReason);
    QTRY_COMPARE(QApplication::focusWidget(), w);
}

Call *TestKeyboardDialer::onlyCall() const
{
    const QList<ui::CallPanel *> panels = m_window->callPanels();
    return panels.size() == 1 ? panels.first()->call() : nullptr;
}

std::unique_ptr<DialscopeProcess> TestKeyboardDialer::startBob(const QStringList &extra)
{
    auto bob = std::make_unique<DialscopeProcess>(QStringList {QStringLiteral("answer"), QStringLiteral("--server"), server(), QStringLiteral("--user"), kBob,
                                                      QStringLiteral("--bind"), QStringLiteral("127.0.0.1:0"), QStringLiteral("--calls"), QStringLiteral("1"),
                                                      QStringLiteral("--json"), QStringLiteral("--timeout"), QStringLiteral("60")}
            + extra,
        QList<std::pair<QString, QString>> {{QStringLiteral("DIALSCOPE_PASSWORD"), kPassword}});
    return bob;
}

bool TestKeyboardDialer::answererSaid(DialscopeProcess &bob, const std::function<bool(const QJsonObject &)> &found)
{
    return QTest::qWaitFor([&] { return bob.waitFor(found, 20); }, kTimeout);
}

void TestKeyboardDialer::digitsFromATableGoToTheDialPad()
{
    makeWindow(false);
    focus(child<QTableView>("messageLog"));
    type(QStringLiteral("*1000#"));
    QCOMPARE(field()->text(), QStringLiteral("*1000#"));
    QCOMPARE(QApplication::focusWidget(), field()); // the rest of the address is typed there

    // From a read-only view (the raw message), anything dialable starts an address.
    field()->clear();
    focus(child<QPlainTextEdit>("rawMessage"));
    type(QStringLiteral("bob@example.com"));
    QCOMPARE(field()->text(), QStringLiteral("bob@example.com"));

    // Shortcuts are not typing.
    field()->clear();
    focus(child<QPlainTextEdit>("rawMessage"));
    QTest::keyClick(focused(), Qt::Key_1, Qt::ControlModifier);
    QCOMPARE(field()->text(), QString());
    // Enter without an account registered calls no one.
    field()->setText(kBob);
    focus(child<QPlainTextEdit>("rawMessage"));
    press(Qt::Key_Return);
    QVERIFY(m_window->callPanels().isEmpty());
}

void TestKeyboardDialer::textFieldsKeepTheirKeys()
{
    makeWindow(false);
    // The ladder's search field.
    QLineEdit *search = m_window->ladder()->filterBar()->searchField();
    focus(search);
    type(QStringLiteral("100"));
    QCOMPARE(search->text(), QStringLiteral("100"));
    QCOMPARE(field()->text(), QString());
    press(Qt::Key_Escape);
    QCOMPARE(search->text(), QStringLiteral("100"));
    QCOMPARE(QApplication::focusWidget(), search);
}

void TestKeyboardDialer::tablesKeepTheirTypeAhead()
{
    makeWindow(false);
    auto *accounts = child<QTableView>("accounts");
    focus(accounts);
    type(QStringLiteral("al"));
    QCOMPARE(field()->text(), QString()); // letters search the table
    QCOMPARE(QApplication::focusWidget(), accounts);
    type(QStringLiteral("+4"));
    QCOMPARE(field()->text(), QStringLiteral("+4")); // a number starts
}

void TestKeyboardDialer::dialogsKeepTheirKeys()
{
    makeWindow(false);
    auto *dialog = new QDialog(m_window.get());
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    auto *button = new QPushButton(QStringLiteral("OK"), dialog);
    (new QVBoxLayout(dialog))->addWidget(button);
    dialog->open();
    QVERIFY(QTest::qWaitForWindowActive(dialog));
    focus(button);
    type(QStringLiteral("123"));
    QCOMPARE(field()->text(), QString());
    dialog->close();
}

void TestKeyboardDialer::enterCallsDigitsSendDtmfEscHangsUp()
{
    makeWindow(true);
    const auto bob = startBob({});
    QVERIFY2(bob->start(), qPrintable(bob->describe()));
    QVERIFY2(QTest::qWaitFor([&] { return bob->waitRegistered(20); }, kTimeout), qPrintable(bob->describe()));

    focus(child<QTableView>("messageLog"));
    type(kBob);
    QCOMPARE(field()->text(), kBob);
    focus(child<QPlainTextEdit>("rawMessage"));
    press(Qt::Key_Return);
    QTRY_VERIFY_WITH_TIMEOUT(onlyCall() && onlyCall()->state() == Call::State::Active, kTimeout);
    QVERIFY(m_window->dialPad()->inCall());

    // Digits from a table go as DTMF now, not into the address.
    focus(child<QTableView>("messageLog"));
    type(QStringLiteral("5"));
    QCOMPARE(field()->text(), kBob);
    QVERIFY2(answererSaid(*bob,
                 [](const QJsonObject &e) {
                     return e.value(u"event").toString() == u"dtmf" && e.value(u"dir").toString() == u"in" && e.value(u"digit").toString() == u"5";
                 }),
        qPrintable(bob->describe()));

    // Enter during the call places no second one.
    focus(child<QPlainTextEdit>("rawMessage"));
    press(Qt::Key_Return);
    QCOMPARE(m_window->callPanels().size(), 1);

    press(Qt::Key_Escape);
    QVERIFY2(
        answererSaid(*bob,
            [](const QJsonObject &e) { return e.value(u"event").toString() == u"sip" && ds::test::sip::method(e.value(u"raw").toString().toUtf8()) == "BYE"; }),
        qPrintable(bob->describe()));
    QTRY_VERIFY_WITH_TIMEOUT(m_window->callPanels().size() == 1 && m_window->callPanels().first()->isEnded(), kTimeout);
    // It handled its one call: it reports and exits 0.
    QVERIFY2(answererSaid(*bob, [](const QJsonObject &e) { return e.value(u"event").toString() == u"result"; }), qPrintable(bob->describe()));
    QVERIFY2(bob->waitFinished(kTimeout) && bob->run().exitCode == 0, qPrintable(bob->describe()));
}

void TestKeyboardDialer::escCancelsACallBeingPlaced()
{
    makeWindow(true);
    const auto bob = startBob({QStringLiteral("--answer-after"), QStringLiteral("60")});
    QVERIFY2(bob->start(), qPrintable(bob->describe()));
    QVERIFY2(QTest::qWaitFor([&] { return bob->waitRegistered(20); }, kTimeout), qPrintable(bob->describe()));

    focus(child<QPlainTextEdit>("rawMessage"));
    type(kBob);
    focus(child<QPlainTextEdit>("rawMessage"));
    press(Qt::Key_Enter);
    QTRY_VERIFY_WITH_TIMEOUT(onlyCall() && onlyCall()->state() == Call::State::Ringing, kTimeout);
    press(Qt::Key_Escape);
    QVERIFY2(answererSaid(*bob,
                 [](const QJsonObject &e) {
                     return e.value(u"event").toString() == u"sip" && ds::test::sip::method(e.value(u"raw").toString().toUtf8()) == "CANCEL";
                 }),
        qPrintable(bob->describe()));
    QTRY_VERIFY_WITH_TIMEOUT(m_window->callPanels().size() == 1 && m_window->callPanels().first()->isEnded(), kTimeout);
}

QTEST_MAIN(TestKeyboardDialer)
#include "tst_keyboard_dialer.moc"
