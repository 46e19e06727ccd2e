// The call history and contacts panel: its models under QAbstractItemModelTester; real calls
// feeding it — a Phone in this process on a direct account, called by `dialscope call` (answered:
// received; the caller gives up: missed) and calling `dialscope answer` (dialled) — the missed call
// counted until the Recent tab is in front, a call back from the panel that really connects, and the
// history as it was after a reload from disk; contacts added from a call, searched, edited, removed;
// clearing after a confirmation; no colour of its own, so light and dark palettes both read.

#include "support/dialscope_cli.h"
#include "support/palettes.h"

#include "phone/call.h"
#include "phone/call_history.h"
#include "phone/contacts.h"
#include "phone/history_recorder.h"
#include "phone/phone.h"
#include "ui/call_history_model.h"
#include "ui/contact_list_model.h"
#include "ui/history_panel.h"

#include <QAbstractItemModelTester>
#include <QAction>
#include <QClipboard>
#include <QComboBox>
#include <QDialog>
#include <QDialogButtonBox>
#include <QGuiApplication>
#include <QLabel>
#include <QLineEdit>
#include <QMessageBox>
#include <QPushButton>
#include <QSignalSpy>
#include <QTabWidget>
#include <QTemporaryDir>
#include <QTest>
#include <QTreeView>

#include <cmath>

using namespace ds;
using namespace ds::test;
using namespace Qt::StringLiterals;
using phone::CallHistory;
using phone::CallRecord;
using phone::Contacts;
using ui::CallHistoryModel;
using ui::ContactListModel;
using ui::HistoryPanel;
using Kind = CallRecord::Kind;

namespace {

constexpr int kTimeout = 20000;
const QString kAccount = u"me"_s;

QString accountName(const QString &id) { return id == kAccount ? u"Me (direct)"_s : id; }

CallRecord record(const QString &id, const QDateTime &start, Kind kind, const QString &address, const QString &name = {})
{
    CallRecord r;
    r.id = id;
    r.accountId = kAccount;
    r.accountName = accountName(kAccount);
    r.kind = kind;
    r.address = address;
    r.displayName = name;
    r.start = start;
    r.durationMs = kind == Kind::Missed ? 0 : 65000;
    r.outcome = kind == Kind::Missed ? u"no-answer"_s : u"answered"_s;
    r.cause = kind == Kind::Missed ? ds::sip::SessionEnd::Cause::RemoteCancel : ds::sip::SessionEnd::Cause::RemoteBye;
    r.status = kind == Kind::Missed ? 487 : 0;
    r.seen = kind != Kind::Missed;
    return r;
}

// The rows of a model, one string per row: "kind|name|address" from the history's columns.
QStringList rows(const QAbstractItemModel *m)
{
    QStringList out;
    for (int r = 0; r < m->rowCount(); ++r)
        out << m->index(r, 0).data(CallHistoryModel::KindRole).toString() + u'|' + m->index(r, CallHistoryModel::NameColumn).data().toString() + u'|'
                + m->index(r, CallHistoryModel::AddressColumn).data().toString();
    return out;
}

template <typename T> T *child(QWidget *w, const QString &name)
{
    T *c = w->findChild<T *>(name);
    if (!c)
        qWarning("no %s named %s", T::staticMetaObject.className(), qPrintable(name));
    return c;
}

// The row of a view's model whose AddressRole (or column) is address; -1 when none.
int rowWithAddress(const QAbstractItemModel *m, const QString &address, int role)
{
    for (int r = 0; r < m->rowCount(); ++r)
        if (m->index(r, 0).data(role).toString() == address)
            return r;
    return -1;
}

// A double-click as a person makes it: QTest::mouseDClick alone sends no press first, and a view
// only takes a double-click on the item the press was on.
void doubleClick(QAbstractItemView *view, QPoint at)
{
    QTest::mouseClick(view->viewport(), Qt::LeftButton, {}, at);
    QTest::mouseDClick(view->viewport(), Qt::LeftButton, {}, at);
}

// The dialog the panel opened (open(), not exec()), once it shows; null when none does in 5 s.
template <typename T> T *openDialog(QWidget *panel, const QString &name)
{
    const QDeadlineTimer deadline(5000);
    while (!deadline.hasExpired()) {
        for (T *c : panel->findChildren<T *>(name))
            if (c->isVisible())
                return c;
        QTest::qWait(20);
    }
    return nullptr;
}

} // namespace

class TestHistoryPanel : public QObject {
    Q_OBJECT
private slots:
    void initTestCase() { QVERIFY(m_tmp.isValid()); }
    void modelsFollowTheHistory();
    void realCallsFeedTheHistory();
    void contactsFromTheHistory();
    void clearAndDeleteAfterConfirmation();
    void readableInLightAndDark();

private:
    QString file(const QString &name) const { return m_tmp.filePath(name); }
    QTemporaryDir m_tmp;
};

void TestHistoryPanel::modelsFollowTheHistory()
{
    CallHistory history(file(u"models-calls.json"_s));
    Contacts contacts(file(u"models-contacts.json"_s));
    HistoryPanel panel(history, contacts, accountName);
    QAbstractItemModelTester t1(panel.callHistoryModel(), QAbstractItemModelTester::FailureReportingMode::QtTest);
    QAbstractItemModelTester t2(panel.recentModel(), QAbstractItemModelTester::FailureReportingMode::QtTest);
    QAbstractItemModelTester t3(panel.contactListModel(), QAbstractItemModelTester::FailureReportingMode::QtTest);
    QAbstractItemModelTester t4(panel.contactModel(), QAbstractItemModelTester::FailureReportingMode::QtTest);

    const QDateTime t0 = QDateTime::currentDateTimeUtc().addSecs(-3600);
    history.add(record(u"1"_s, t0, Kind::Dialled, u"sip:alice@example.com"_s));
    history.add(record(u"2"_s, t0.addSecs(60), Kind::Missed, u"sip:bob@example.com"_s, u"Bob B."_s));
    history.add(record(u"3"_s, t0.addSecs(30), Kind::Received, u"tel:+15550100"_s));
    history.add(record(u"4"_s, t0.addSecs(90), Kind::Missed, u"sip:alice@example.com"_s));
    QCOMPARE(rows(panel.recentModel()),
        QStringList({u"missed|alice|sip:alice@example.com"_s, u"missed|Bob B.|sip:bob@example.com"_s, u"received|+15550100|tel:+15550100"_s,
            u"dialled|alice|sip:alice@example.com"_s}));
    const QAbstractItemModel *m = panel.callHistoryModel();
    QCOMPARE(m->index(3, CallHistoryModel::AccountColumn).data().toString(), u"Me (direct)"_s);
    QCOMPARE(m->index(3, CallHistoryModel::DurationColumn).data().toString(), u"01:05"_s);
    QVERIFY(!m->index(0, CallHistoryModel::DurationColumn).data().toString().isEmpty()); // unanswered: how it ended
    QCOMPARE(m->index(3, CallHistoryModel::TimeColumn).data().toString(), QLocale().toString(t0.toLocalTime().time(), QLocale::ShortFormat));
    QVERIFY(m->index(0, CallHistoryModel::NameColumn).data(Qt::ToolTipRole).toString().contains(u"Missed call from sip:alice@example.com"_s));
    QVERIFY(m->index(0, CallHistoryModel::NameColumn).data(Qt::FontRole).value<QFont>().bold()); // not seen yet
    // The direction: an icon when the theme has one, else its word.
    const QModelIndex kind = m->index(0, CallHistoryModel::KindColumn);
    QVERIFY(!kind.data(Qt::DecorationRole).value<QIcon>().isNull() || kind.data().toString() == u"Missed"_s);
    QCOMPARE(kind.data(Qt::AccessibleTextRole).toString(), u"Missed"_s);

    // Filters.
    panel.setFilter(HistoryPanel::Filter::Missed);
    QCOMPARE(child<QComboBox>(&panel, u"historyFilter"_s)->currentIndex(), 1);
    QCOMPARE(panel.recentModel()->rowCount(), 2);
    panel.setFilter(HistoryPanel::Filter::Dialled);
    QCOMPARE(rows(panel.recentModel()), QStringList({u"dialled|alice|sip:alice@example.com"_s}));
    panel.setFilter(HistoryPanel::Filter::Received);
    QCOMPARE(panel.recentModel()->rowCount(), 1);
    panel.setFilter(HistoryPanel::Filter::All);
    QCOMPARE(panel.recentModel()->rowCount(), 4);

    // A saved contact names the calls that gave no name.
    QVERIFY(contacts.add({{}, u"Alice Liddell"_s, u"sip:ALICE@example.com:5060"_s, {}}));
    QCOMPARE(m->index(0, CallHistoryModel::NameColumn).data().toString(), u"Alice Liddell"_s);
    // Contacts: saved first, then the people of the history not saved, latest call first.
    const QAbstractItemModel *c = panel.contactModel();
    QCOMPARE(c->rowCount(), 3);
    QCOMPARE(c->index(0, ContactListModel::NameColumn).data().toString(), u"Alice Liddell"_s);
    QCOMPARE(c->index(0, ContactListModel::CallsColumn).data().toString(), u"2"_s);
    QCOMPARE(c->index(0, 0).data(ContactListModel::SavedRole).toBool(), true);
    QCOMPARE(c->index(1, ContactListModel::AddressColumn).data().toString(), u"sip:bob@example.com"_s);
    QCOMPARE(c->index(1, 0).data(ContactListModel::SavedRole).toBool(), false);
    QCOMPARE(c->index(2, ContactListModel::AddressColumn).data().toString(), u"tel:+15550100"_s);

    // Changes row by row, and a reset on clear, all under the testers.
    QVERIFY(history.remove(u"3"_s));
    QCOMPARE(c->rowCount(), 2);
    history.markAllSeen();
    QVERIFY(!m->index(0, CallHistoryModel::NameColumn).data(Qt::FontRole).value<QFont>().bold());
    for (int i = 0; i < 30; ++i)
        history.add(record(QStringLiteral("x%1").arg(i), t0.addSecs(-i), Kind::Received, QStringLiteral("sip:u%1@example.com").arg(i % 7)));
    QCOMPARE(c->rowCount(), 2 + 7);
    history.clear();
    QCOMPARE(panel.recentModel()->rowCount(), 0);
    QCOMPARE(c->rowCount(), 1); // the saved contact stays
}

// The real thing: a direct account on a Phone in this process, the history recorder and the panel.
// `dialscope call` calls it twice (answered; the caller gives up), it calls `dialscope answer`, and
// a call back from the panel reaches `dialscope answer` again.
void TestHistoryPanel::realCallsFeedTheHistory()
{
    const QString historyFile = file(u"real/calls.json"_s);
    const quint16 port = freePort(PortKind::Udp);
    phone::Phone phone;
    phone::AgentOptions options;
    options.bindAddress = QHostAddress(QHostAddress::LocalHost);
    options.bindPort = port;
    phone.setAgentOptions(options);
    phone::CallSettings settings = phone.callSettings();
    settings.autoAnswerMs = -1; // rings until answered here
    settings.audio.toneHz = 440;
    phone.setCallSettings(settings);
    phone::Account me;
    me.id = kAccount;
    me.user = u"me"_s;
    me.displayName = u"Me"_s;
    phone.setAccount(me, {}); // no server: direct calls on 127.0.0.1:port
    phone.registerAccount(kAccount);

    CallHistory history(historyFile);
    QVERIFY(history.load());
    Contacts contacts(file(u"real/contacts.json"_s));
    QVERIFY(contacts.load());
    phone::HistoryRecorder recorder(phone, history, accountName);
    HistoryPanel panel(history, contacts, accountName);
    QAbstractItemModelTester tester(panel.recentModel(), QAbstractItemModelTester::FailureReportingMode::QtTest);
    panel.setAccounts({{kAccount, u"Me (direct)"_s, true}});
    panel.resize(900, 400);
    panel.show();
    QVERIFY(QTest::qWaitForWindowExposed(&panel));
    panel.showContacts(); // the Recent tab is not in front: missed calls stay unseen
    QSignalSpy missedCount(&panel, &HistoryPanel::missedCountChanged);
    QSignalSpy dialRequested(&panel, &HistoryPanel::dialRequested);

    bool answerNext = true;
    connect(&phone, &phone::Phone::incomingCall, this, [&answerNext](const QString &, phone::Call *call) {
        if (answerNext)
            QTimer::singleShot(200, call, [call] { call->answer(); });
    });
    const QString target = u"me@127.0.0.1:%1"_s.arg(port);
    const QStringList caller = {u"--user"_s, u"carol"_s, u"--display-name"_s, u"Carol Caller"_s, u"--bind"_s, u"127.0.0.1:0"_s, u"--json"_s};

    // 1. Answered here: received.
    DialscopeProcess answered(QStringList {u"call"_s, target, u"--duration"_s, u"1"_s, u"--timeout"_s, u"15"_s} + caller);
    QVERIFY2(answered.start(), qPrintable(answered.describe()));
    QTRY_VERIFY_WITH_TIMEOUT(answered.run().finished, kTimeout);
    QVERIFY2(answered.run().exitCode == 0, qPrintable(answered.describe()));
    QTRY_COMPARE_WITH_TIMEOUT(history.size(), 1, 5000);
    QCOMPARE(history.at(0).kind, Kind::Received);
    QCOMPARE(history.at(0).address, u"sip:carol@127.0.0.1"_s);
    QCOMPARE(history.at(0).displayName, u"Carol Caller"_s);
    QCOMPARE(history.at(0).accountName, u"Me (direct)"_s);
    QVERIFY(history.at(0).durationMs > 0);

    // 2. The caller gives up before the answer: missed, and counted.
    answerNext = false;
    DialscopeProcess gaveUp(QStringList {u"call"_s, target, u"--timeout"_s, u"2"_s} + caller);
    QVERIFY2(gaveUp.start(), qPrintable(gaveUp.describe()));
    QTRY_VERIFY_WITH_TIMEOUT(gaveUp.run().finished, kTimeout);
    QVERIFY2(gaveUp.run().result().value(u"outcome"_s).toString() == u"no-answer"_s, qPrintable(gaveUp.describe()));
    QTRY_COMPARE_WITH_TIMEOUT(history.size(), 2, 5000);
    QCOMPARE(history.at(0).kind, Kind::Missed);
    QCOMPARE(history.at(0).cause, ds::sip::SessionEnd::Cause::RemoteCancel);
    QCOMPARE(history.at(0).durationMs, qint64(0));
    QCOMPARE(panel.missedCount(), 1);
    QVERIFY(!missedCount.isEmpty());
    QCOMPARE(missedCount.last().first().toInt(), 1);

    // 3. Dialled from here to `dialscope answer`, which takes two calls (this one and the call back).
    const quint16 answerPort = freePort(PortKind::Udp);
    DialscopeProcess answerer({u"answer"_s, u"--bind"_s, u"127.0.0.1:%1"_s.arg(answerPort), u"--calls"_s, u"2"_s, u"--json"_s, u"--timeout"_s, u"60"_s});
    QVERIFY2(answerer.start() && answerer.waitListening(10000), qPrintable(answerer.describe()));
    const auto hangUpWhenActive = [&phone] {
        QTRY_VERIFY_WITH_TIMEOUT(phone.calls().size() == 1 && phone.calls().first()->state() == phone::Call::State::Active, kTimeout);
        QTest::qWait(300);
        phone.calls().first()->hangUp();
    };
    auto call = phone.dial(kAccount, u"bob@127.0.0.1:%1"_s.arg(answerPort));
    QVERIFY2(call, call ? "" : qPrintable(call.error()));
    hangUpWhenActive();
    QTRY_COMPARE_WITH_TIMEOUT(history.size(), 3, 5000);
    QCOMPARE(history.at(0).kind, Kind::Dialled);
    QCOMPARE(history.at(0).outcome, u"answered"_s);
    const QString bob = u"sip:bob@127.0.0.1:%1"_s.arg(answerPort);
    QCOMPARE(history.at(0).address, bob);

    // The Recent tab in front: the missed call is seen.
    panel.showRecent();
    QCOMPARE(panel.missedCount(), 0);
    QCOMPARE(missedCount.last().first().toInt(), 0);

    // Call back the dialled one from the panel: Enter on its row.
    panel.setFilter(HistoryPanel::Filter::Dialled);
    auto *view = child<QTreeView>(&panel, u"recentView"_s);
    QVERIFY(view);
    QCOMPARE(view->model()->rowCount(), 1);
    view->setFocus();
    view->setCurrentIndex(view->model()->index(0, CallHistoryModel::NameColumn));
    connect(&panel, &HistoryPanel::dialRequested, &phone, [&phone](const QString &account, const QString &to) { QVERIFY(phone.dial(account, to)); });
    QTest::keyClick(view, Qt::Key_Return);
    QCOMPARE(dialRequested.count(), 1);
    QCOMPARE(dialRequested.first().at(0).toString(), kAccount);
    QCOMPARE(dialRequested.first().at(1).toString(), bob);
    hangUpWhenActive();
    QTRY_VERIFY_WITH_TIMEOUT(answerer.run().finished, kTimeout);
    QVERIFY2(answerer.run().exitCode == 0 && answerer.run().result().value(u"calls"_s).toInt() == 2, qPrintable(answerer.describe()));
    QTRY_COMPARE_WITH_TIMEOUT(history.size(), 4, 5000);
    disconnect(&panel, &HistoryPanel::dialRequested, &phone, nullptr);

    // Double-click on the missed call asks to call Carol back, from the account she called.
    panel.setFilter(HistoryPanel::Filter::Missed);
    QCOMPARE(view->model()->rowCount(), 1);
    const QRect cell = view->visualRect(view->model()->index(0, CallHistoryModel::AddressColumn));
    doubleClick(view, cell.center());
    QTRY_COMPARE(dialRequested.count(), 2);
    QCOMPARE(dialRequested.last().at(0).toString(), kAccount);
    QCOMPARE(dialRequested.last().at(1).toString(), u"sip:carol@127.0.0.1"_s);

    // The history survives a reload from disk.
    QVERIFY(history.flush());
    CallHistory reloaded(historyFile);
    const auto loaded = reloaded.load();
    QVERIFY2(loaded, qPrintable(loaded.error()));
    QCOMPARE(reloaded.records(), history.records());
    QStringList kinds;
    for (const CallRecord &r : reloaded.records())
        kinds << phone::callKindName(r.kind);
    QCOMPARE(kinds, QStringList({u"dialled"_s, u"dialled"_s, u"missed"_s, u"received"_s}));
    Contacts noContacts(file(u"real/none.json"_s));
    HistoryPanel again(reloaded, noContacts, accountName);
    QCOMPARE(rows(again.recentModel()), rows(panel.callHistoryModel()));
}

void TestHistoryPanel::contactsFromTheHistory()
{
    CallHistory history(file(u"contacts-calls.json"_s));
    Contacts contacts(file(u"contacts-contacts.json"_s));
    const QDateTime t0 = QDateTime::currentDateTimeUtc().addSecs(-600);
    history.add(record(u"1"_s, t0, Kind::Missed, u"sip:dave@example.com"_s, u"Dave D."_s));
    history.add(record(u"2"_s, t0.addSecs(10), Kind::Dialled, u"sip:erin@example.com:5070"_s));
    HistoryPanel panel(history, contacts, accountName);
    panel.setAccounts({{kAccount, u"Me (direct)"_s, true}, {u"other"_s, u"Other"_s, false}});
    panel.show();
    QVERIFY(QTest::qWaitForWindowExposed(&panel));
    QSignalSpy dialRequested(&panel, &HistoryPanel::dialRequested);

    // Recent: Copy address, then Add to contacts, pre-filled from the call.
    auto *recent = child<QTreeView>(&panel, u"recentView"_s);
    recent->setCurrentIndex(recent->model()->index(rowWithAddress(recent->model(), u"sip:dave@example.com"_s, CallHistoryModel::AddressRole), 0));
    child<QAction>(&panel, u"copyAddressAction"_s)->trigger();
    QCOMPARE(QGuiApplication::clipboard()->text(), u"sip:dave@example.com"_s);
    child<QAction>(&panel, u"addToContactsAction"_s)->trigger();
    auto *dialog = openDialog<QDialog>(&panel, u"contactDialog"_s);
    QVERIFY(dialog);
    QCOMPARE(child<QLineEdit>(dialog, u"contactName"_s)->text(), u"Dave D."_s);
    QCOMPARE(child<QLineEdit>(dialog, u"contactAddress"_s)->text(), u"sip:dave@example.com"_s);
    QCOMPARE(child<QComboBox>(dialog, u"contactAccount"_s)->currentData().toString(), kAccount);
    child<QLineEdit>(dialog, u"contactName"_s)->setText(u"Dave Davies"_s);
    dialog->findChild<QDialogButtonBox *>()->button(QDialogButtonBox::Save)->click();
    QTRY_COMPARE(contacts.size(), 1);
    QCOMPARE(contacts.contacts().first().name, u"Dave Davies"_s);
    QCOMPARE(contacts.contacts().first().accountId, kAccount);
    QTRY_VERIFY(!dialog->isVisible());

    // Contacts tab: the saved one first, then Erin from the history; search narrows.
    panel.showContacts();
    auto *view = child<QTreeView>(&panel, u"contactView"_s);
    QCOMPARE(view->model()->rowCount(), 2);
    QCOMPARE(view->model()->index(0, ContactListModel::NameColumn).data().toString(), u"Dave Davies"_s);
    auto *search = child<QLineEdit>(&panel, u"contactSearch"_s);
    QTest::keyClicks(search, u"ERIN"_s);
    QCOMPARE(view->model()->rowCount(), 1);
    QCOMPARE(view->model()->index(0, ContactListModel::AddressColumn).data().toString(), u"sip:erin@example.com:5070"_s);
    QTest::keyClick(search, Qt::Key_Return); // Enter calls the first match
    QCOMPARE(dialRequested.count(), 1);
    QCOMPARE(dialRequested.last().at(1).toString(), u"sip:erin@example.com:5070"_s);
    search->clear();
    QCOMPARE(view->model()->rowCount(), 2);

    // A person from the history: Edit offers to add; Remove is only for saved contacts.
    view->setCurrentIndex(view->model()->index(1, 0));
    QVERIFY(!child<QAction>(&panel, u"removeContactAction"_s)->isEnabled());
    // Edit a saved one to an address another contact has: refused in the dialog, which stays open.
    QVERIFY(contacts.add({{}, u"Frank"_s, u"sip:frank@example.com"_s, {}}));
    view->setCurrentIndex(view->model()->index(rowWithAddress(view->model(), u"sip:dave@example.com"_s, ContactListModel::AddressRole), 0));
    child<QAction>(&panel, u"editContactAction"_s)->trigger();
    dialog = openDialog<QDialog>(&panel, u"contactDialog"_s);
    QVERIFY(dialog);
    child<QLineEdit>(dialog, u"contactAddress"_s)->setText(u"sip:Frank@example.com"_s);
    dialog->findChild<QDialogButtonBox *>()->button(QDialogButtonBox::Save)->click();
    QVERIFY(dialog->isVisible());
    QVERIFY(child<QLabel>(dialog, u"contactError"_s)->text().contains(u"Frank"_s));
    dialog->reject();
    // Double-click calls; the account it is saved with is asked for.
    const int dave = rowWithAddress(view->model(), u"sip:dave@example.com"_s, ContactListModel::AddressRole);
    doubleClick(view, view->visualRect(view->model()->index(dave, ContactListModel::AddressColumn)).center());
    QTRY_COMPARE(dialRequested.count(), 2);
    QCOMPARE(dialRequested.last().at(0).toString(), kAccount);
    QCOMPARE(dialRequested.last().at(1).toString(), u"sip:dave@example.com"_s);
    // Remove.
    view->setCurrentIndex(view->model()->index(rowWithAddress(view->model(), u"sip:dave@example.com"_s, ContactListModel::AddressRole), 0));
    QVERIFY(child<QAction>(&panel, u"removeContactAction"_s)->isEnabled());
    child<QAction>(&panel, u"removeContactAction"_s)->trigger();
    QCOMPARE(contacts.indexOfAddress(u"sip:dave@example.com"_s), -1);
    // Saved to disk, and read back.
    QVERIFY(contacts.flush());
    Contacts reloaded(contacts.fileName());
    QVERIFY(reloaded.load());
    QCOMPARE(reloaded.contacts(), contacts.contacts());
}

void TestHistoryPanel::clearAndDeleteAfterConfirmation()
{
    CallHistory history(file(u"clear-calls.json"_s));
    Contacts contacts(file(u"clear-contacts.json"_s));
    const QDateTime t0 = QDateTime::currentDateTimeUtc().addSecs(-600);
    for (int i = 0; i < 4; ++i)
        history.add(record(QString::number(i), t0.addSecs(i), Kind::Received, u"sip:u%1@example.com"_s.arg(i)));
    HistoryPanel panel(history, contacts, accountName);
    panel.show();
    QVERIFY(QTest::qWaitForWindowExposed(&panel));
    auto *view = child<QTreeView>(&panel, u"recentView"_s);
    // Delete: the selected rows.
    view->selectionModel()->select(view->model()->index(0, 0), QItemSelectionModel::Select | QItemSelectionModel::Rows);
    view->selectionModel()->select(view->model()->index(2, 0), QItemSelectionModel::Select | QItemSelectionModel::Rows);
    child<QAction>(&panel, u"deleteCallAction"_s)->trigger();
    QCOMPARE(history.size(), 2);
    QCOMPARE(history.indexOf(u"3"_s), -1);
    QCOMPARE(history.indexOf(u"1"_s), -1);
    // Clear: Cancel keeps everything, Yes clears.
    child<QAction>(&panel, u"clearHistoryAction"_s)->trigger();
    auto *box = openDialog<QMessageBox>(&panel, u"clearHistoryConfirm"_s);
    QVERIFY(box);
    box->button(QMessageBox::Cancel)->click();
    QCOMPARE(history.size(), 2);
    child<QAction>(&panel, u"clearHistoryAction"_s)->trigger();
    box = openDialog<QMessageBox>(&panel, u"clearHistoryConfirm"_s);
    QVERIFY(box);
    box->button(QMessageBox::Yes)->click();
    QCOMPARE(history.size(), 0);
    QVERIFY(!child<QAction>(&panel, u"clearHistoryAction"_s)->isEnabled());
}

// No colour of its own anywhere: the palette decides, so a light and a dark one both read; the panel
// paints in both.
void TestHistoryPanel::readableInLightAndDark()
{
    CallHistory history(file(u"palette-calls.json"_s));
    Contacts contacts(file(u"palette-contacts.json"_s));
    const QDateTime t0 = QDateTime::currentDateTimeUtc().addSecs(-600);
    history.add(record(u"1"_s, t0, Kind::Missed, u"sip:a@example.com"_s, u"A"_s));
    history.add(record(u"2"_s, t0.addSecs(1), Kind::Dialled, u"sip:b@example.com"_s));
    QVERIFY(contacts.add({{}, u"C"_s, u"sip:c@example.com"_s, {}}));
    HistoryPanel panel(history, contacts, accountName);
    for (const QAbstractItemModel *m : {panel.recentModel(), panel.contactModel()})
        for (int r = 0; r < m->rowCount(); ++r)
            for (int c = 0; c < m->columnCount(); ++c)
                for (int role : {int(Qt::ForegroundRole), int(Qt::BackgroundRole)})
                    QVERIFY2(!m->index(r, c).data(role).isValid(), qPrintable(u"row %1 column %2 role %3"_s.arg(r).arg(c).arg(role)));
    panel.resize(700, 300);
    panel.show();
    QVERIFY(QTest::qWaitForWindowExposed(&panel));
    auto *view = child<QTreeView>(&panel, u"recentView"_s);
    const auto distance = [](QColor a, QColor b) { return std::hypot(a.red() - b.red(), a.green() - b.green(), a.blue() - b.blue()); };
    for (const QPalette &p : {lightPalette(), darkPalette()}) {
        panel.setPalette(p);
        const QImage img = view->viewport()->grab().toImage();
        const QColor base = p.color(QPalette::Base), text = p.color(QPalette::Text);
        QVERIFY(distance(QColor(img.pixel(img.width() - 2, img.height() - 2)), base) < 30); // below the rows: the palette's base
        int textPixels = 0;
        for (int y = 0; y < img.height(); ++y)
            for (int x = 0; x < img.width(); ++x)
                textPixels += distance(QColor(img.pixel(x, y)), text) < 80 ? 1 : 0;
        QVERIFY2(textPixels > 20, qPrintable(QString::number(textPixels))); // the rows are written in the palette's text colour
    }
}

QTEST_MAIN(TestHistoryPanel)
#include "tst_history_panel.moc"
