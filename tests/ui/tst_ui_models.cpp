// The item models behind the main window's views, each run under QAbstractItemModelTester:
// the message log (order, columns, malformed bytes, the bound), the account list (state,
// explanation, expiry and refresh) and the findings; and the digest explainer's text.

#include "ui/account_list_model.h"
#include "ui/auth_explainer.h"
#include "ui/finding_list_model.h"
#include "ui/message_log_model.h"

#include <QAbstractItemModelTester>
#include <QSignalSpy>
#include <QTest>

using namespace ds;
using ui::AccountListModel;
using ui::MessageLogModel;
using State = phone::Registration::State;

namespace {

sip::TraceEvent traceEvent(sip::TraceEvent::Direction dir, const QByteArray &raw, QTime time = QTime(12, 34, 56, 789))
{
    sip::TraceEvent e;
    e.direction = dir;
    e.time = QDateTime(QDate(2024, 5, 6), time);
    e.transport = sip::TransportKind::Udp;
    e.local = {QHostAddress(QStringLiteral("127.0.0.1")), 40000};
    e.remote = {QHostAddress(QStringLiteral("127.0.0.1")), 5060};
    e.raw = raw;
    return e;
}

const QByteArray kRegister = "REGISTER sip:127.0.0.1 SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.1:40000;branch=z9hG4bK1\r\nContent-Length: 0\r\n\r\n";
const QByteArray k401 = "SIP/2.0 401 Unauthorized\r\nVia: SIP/2.0/UDP 127.0.0.1:40000;branch=z9hG4bK1\r\nContent-Length: 0\r\n\r\n";

QString cell(const QAbstractItemModel &m, int row, int column, int role = Qt::DisplayRole) { return m.index(row, column).data(role).toString(); }

phone::Account account(const QString &id, const QString &user)
{
    phone::Account a;
    a.id = id;
    a.displayName = user.toUpper();
    a.user = user;
    a.server = QStringLiteral("pbx.example.com:5070");
    a.transport = QStringLiteral("tcp");
    return a;
}

} // namespace

class TestUiModels : public QObject {
    Q_OBJECT
private slots:
    void messageLogShowsOneRowPerMessageInOrder();
    void messageLogBatchesUntilFlushed();
    void messageLogFlagsMalformedBytes();
    void messageLogIsBounded();
    void messageLogClear();
    void accountListShowsAccountsAndState();
    void accountListShowsOutcomeExpiryAndRefresh();
    void accountListUpdatesAndRemoves();
    void accountListAddressAndTransport_data();
    void accountListAddressAndTransport();
    void findingsAreBounded();
    void authExplainerShowsInputsNeverThePassword();
};

void TestUiModels::messageLogShowsOneRowPerMessageInOrder()
{
    MessageLogModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::Fatal);
    model.append(QStringLiteral("a1"), traceEvent(sip::TraceEvent::Direction::Out, kRegister));
    model.append(QStringLiteral("a1"), traceEvent(sip::TraceEvent::Direction::In, k401, QTime(12, 34, 56, 790)));
    model.flush();

    QCOMPARE(model.rowCount(), 2);
    QCOMPARE(model.columnCount(), int(MessageLogModel::ColumnCount));
    QCOMPARE(cell(model, 0, MessageLogModel::TimeColumn), QDateTime(QDate(2024, 5, 6), QTime(12, 34, 56, 789)).toLocalTime().toString(u"hh:mm:ss.zzz"));
    QCOMPARE(cell(model, 0, MessageLogModel::DirectionColumn), QStringLiteral("→"));
    QCOMPARE(cell(model, 1, MessageLogModel::DirectionColumn), QStringLiteral("←"));
    QCOMPARE(cell(model, 0, MessageLogModel::TransportColumn), QStringLiteral("UDP"));
    QCOMPARE(cell(model, 0, MessageLogModel::PeerColumn), QStringLiteral("127.0.0.1:5060"));
    QCOMPARE(cell(model, 0, MessageLogModel::FirstLineColumn), QStringLiteral("REGISTER sip:127.0.0.1 SIP/2.0"));
    QCOMPARE(cell(model, 1, MessageLogModel::FirstLineColumn), QStringLiteral("SIP/2.0 401 Unauthorized"));
    QCOMPARE(cell(model, 1, 0, MessageLogModel::AccountIdRole), QStringLiteral("a1"));
    // The raw text is the message with CR LF shown as line breaks.
    QCOMPARE(model.rawText(0), QString::fromLatin1(kRegister).remove(u'\r'));
    QCOMPARE(cell(model, 0, 0, MessageLogModel::RawTextRole), model.rawText(0));
    QVERIFY(!model.index(0, 0).data(MessageLogModel::MalformedRole).toBool());
    QVERIFY(!model.headerData(MessageLogModel::FirstLineColumn, Qt::Horizontal).toString().isEmpty());
}

void TestUiModels::messageLogBatchesUntilFlushed()
{
    MessageLogModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::Fatal);
    QSignalSpy inserted(&model, &QAbstractItemModel::rowsInserted);
    for (int i = 0; i < 50; ++i)
        model.append({}, traceEvent(sip::TraceEvent::Direction::Out, kRegister));
    QCOMPARE(model.rowCount(), 0);
    // The event loop flushes on its own, in one insertion for the whole burst.
    QTRY_COMPARE(model.rowCount(), 50);
    QCOMPARE(inserted.count(), 1);
}

void TestUiModels::messageLogFlagsMalformedBytes()
{
    MessageLogModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::Fatal);
    sip::TraceEvent bad = traceEvent(sip::TraceEvent::Direction::In, QByteArray("SIP/2.0 200 OK\r\nVia \x01\xff\r\n\r\n", 24));
    bad.malformed = true;
    bad.error = QStringLiteral("line 2, column 4: header without a colon");
    model.append({}, bad);
    model.flush();

    QCOMPARE(model.rowCount(), 1);
    QVERIFY(model.index(0, 0).data(MessageLogModel::MalformedRole).toBool());
    QCOMPARE(cell(model, 0, 0, MessageLogModel::ErrorRole), bad.error);
    const QString first = cell(model, 0, MessageLogModel::FirstLineColumn);
    QVERIFY2(first.contains(u"SIP/2.0 200 OK") && first.contains(bad.error), qPrintable(first));
    QVERIFY(cell(model, 0, MessageLogModel::FirstLineColumn, Qt::ToolTipRole).contains(bad.error));
    QVERIFY(model.index(0, MessageLogModel::FirstLineColumn).data(Qt::ForegroundRole).isValid());
    const QString raw = model.rawText(0);
    QVERIFY2(raw.contains(bad.error), qPrintable(raw));
    QVERIFY2(raw.contains(u"Via \\x01\\xff"), qPrintable(raw)); // bytes that are not text are escaped
}

void TestUiModels::messageLogIsBounded()
{
    MessageLogModel model(nullptr, 100);
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::Fatal);
    QSignalSpy removed(&model, &QAbstractItemModel::rowsRemoved);
    const auto numbered = [](int i) { return "OPTIONS sip:" + QByteArray::number(i) + "@127.0.0.1 SIP/2.0\r\n\r\n"; };
    for (int i = 0; i < 80; ++i)
        model.append({}, traceEvent(sip::TraceEvent::Direction::Out, numbered(i)));
    model.flush();
    QCOMPARE(model.rowCount(), 80);
    QCOMPARE(removed.count(), 0);
    for (int i = 80; i < 130; ++i)
        model.append({}, traceEvent(sip::TraceEvent::Direction::Out, numbered(i)));
    model.flush();
    QCOMPARE(model.rowCount(), 100);
    QCOMPARE(removed.count(), 1); // the oldest 30 in one removal
    QCOMPARE(cell(model, 0, MessageLogModel::FirstLineColumn), QStringLiteral("OPTIONS sip:30@127.0.0.1 SIP/2.0"));
    QCOMPARE(cell(model, 99, MessageLogModel::FirstLineColumn), QStringLiteral("OPTIONS sip:129@127.0.0.1 SIP/2.0"));
    // One message at a time past the bound: each drops exactly the oldest.
    for (int i = 130; i < 140; ++i) {
        model.append({}, traceEvent(sip::TraceEvent::Direction::Out, numbered(i)));
        model.flush();
    }
    QCOMPARE(model.rowCount(), 100);
    QCOMPARE(cell(model, 0, MessageLogModel::FirstLineColumn), QStringLiteral("OPTIONS sip:40@127.0.0.1 SIP/2.0"));
    // A burst larger than the whole log keeps only the newest.
    for (int i = 140; i < 400; ++i)
        model.append({}, traceEvent(sip::TraceEvent::Direction::Out, numbered(i)));
    model.flush();
    QCOMPARE(model.rowCount(), 100);
    QCOMPARE(cell(model, 0, MessageLogModel::FirstLineColumn), QStringLiteral("OPTIONS sip:300@127.0.0.1 SIP/2.0"));
    QCOMPARE(cell(model, 99, MessageLogModel::FirstLineColumn), QStringLiteral("OPTIONS sip:399@127.0.0.1 SIP/2.0"));
}

void TestUiModels::messageLogClear()
{
    MessageLogModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::Fatal);
    model.append({}, traceEvent(sip::TraceEvent::Direction::Out, kRegister));
    model.flush();
    model.append({}, traceEvent(sip::TraceEvent::Direction::Out, kRegister));
    model.clear();
    QCOMPARE(model.rowCount(), 0);
    QTest::qWait(100); // the pending message was dropped too
    QCOMPARE(model.rowCount(), 0);
    QCOMPARE(model.rawText(0), QString());
}

void TestUiModels::accountListShowsAccountsAndState()
{
    AccountListModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::Fatal);
    model.setAccounts({account(QStringLiteral("a"), QStringLiteral("alice")), account(QStringLiteral("b"), QStringLiteral("bob"))});
    QCOMPARE(model.rowCount(), 2);
    QCOMPARE(cell(model, 0, AccountListModel::NameColumn), QStringLiteral("ALICE"));
    QCOMPARE(cell(model, 1, AccountListModel::AddressColumn), QStringLiteral("bob@pbx.example.com"));
    QCOMPARE(cell(model, 0, AccountListModel::ServerColumn), QStringLiteral("pbx.example.com:5070"));
    QCOMPARE(cell(model, 0, AccountListModel::TransportColumn), QStringLiteral("TCP"));
    QCOMPARE(cell(model, 0, AccountListModel::StateColumn), QStringLiteral("not registered"));
    QCOMPARE(cell(model, 0, AccountListModel::DetailsColumn), QString());

    QSignalSpy changed(&model, &QAbstractItemModel::dataChanged);
    model.setRegistrationState(QStringLiteral("b"), State::Registering, 0, 0);
    QCOMPARE(changed.count(), 1);
    QCOMPARE(changed.first().at(0).toModelIndex().row(), 1);
    QCOMPARE(cell(model, 1, AccountListModel::StateColumn), QStringLiteral("registering…"));
    QCOMPARE(model.stateAt(1), State::Registering);
    QCOMPARE(model.index(1, 0).data(AccountListModel::StateRole).value<State>(), State::Registering);
    model.setRegistrationState(QStringLiteral("nobody"), State::Registered, 200, 60); // ignored
    QCOMPARE(changed.count(), 1);
}

void TestUiModels::accountListShowsOutcomeExpiryAndRefresh()
{
    AccountListModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::Fatal);
    model.setAccounts({account(QStringLiteral("a"), QStringLiteral("alice"))});

    model.setRegistrationState(QStringLiteral("a"), State::Registered, 200, 600);
    const QDateTime next(QDate(2024, 5, 6), QTime(13, 0, 0));
    model.setOutcome(QStringLiteral("a"), {phone::Outcome::Registered, 200, QStringLiteral("registered alice@pbx for 600 s")}, next);
    QCOMPARE(cell(model, 0, AccountListModel::StateColumn), QStringLiteral("registered"));
    QCOMPARE(cell(model, 0, AccountListModel::ExpiresColumn), QStringLiteral("600 s"));
    QCOMPARE(cell(model, 0, AccountListModel::RefreshColumn), QStringLiteral("13:00:00"));
    QCOMPARE(cell(model, 0, AccountListModel::DetailsColumn), QStringLiteral("registered alice@pbx for 600 s"));
    QVERIFY(model.index(0, AccountListModel::StateColumn).data(Qt::ForegroundRole).isValid());

    // Refreshing: no expiry or refresh shown until registered again; the last outcome stays.
    model.setRegistrationState(QStringLiteral("a"), State::Registering, 0, 0);
    QCOMPARE(cell(model, 0, AccountListModel::ExpiresColumn), QString());
    QCOMPARE(cell(model, 0, AccountListModel::RefreshColumn), QString());
    QCOMPARE(cell(model, 0, AccountListModel::DetailsColumn), QStringLiteral("registered alice@pbx for 600 s"));

    model.setRegistrationState(QStringLiteral("a"), State::Failed, 401, 0);
    model.setOutcome(QStringLiteral("a"), {phone::Outcome::WrongCredentials, 401, QStringLiteral("the password is wrong")}, {});
    QCOMPARE(cell(model, 0, AccountListModel::StateColumn), QStringLiteral("failed: wrong credentials"));
    QCOMPARE(cell(model, 0, AccountListModel::DetailsColumn), QStringLiteral("the password is wrong"));
    QCOMPARE(cell(model, 0, AccountListModel::DetailsColumn, Qt::ToolTipRole), QStringLiteral("the password is wrong"));

    model.resetRegistration(QStringLiteral("a"));
    QCOMPARE(cell(model, 0, AccountListModel::StateColumn), QStringLiteral("not registered"));
    QCOMPARE(cell(model, 0, AccountListModel::DetailsColumn), QString());
}

void TestUiModels::accountListUpdatesAndRemoves()
{
    AccountListModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::Fatal);
    QCOMPARE(model.upsertAccount(account(QStringLiteral("a"), QStringLiteral("alice"))), 0);
    QCOMPARE(model.upsertAccount(account(QStringLiteral("b"), QStringLiteral("bob"))), 1);
    phone::Account renamed = account(QStringLiteral("a"), QStringLiteral("alice"));
    renamed.displayName = QStringLiteral("Alice (desk)");
    QCOMPARE(model.upsertAccount(renamed), 0);
    QCOMPARE(model.rowCount(), 2);
    QCOMPARE(cell(model, 0, AccountListModel::NameColumn), QStringLiteral("Alice (desk)"));
    QCOMPARE(model.rowOf(QStringLiteral("b")), 1);
    model.removeAccount(QStringLiteral("a"));
    QCOMPARE(model.rowCount(), 1);
    QCOMPARE(model.idAt(0), QStringLiteral("b"));
    QCOMPARE(model.rowOf(QStringLiteral("a")), -1);
    QVERIFY(!model.accountAt(1));
    model.removeAccount(QStringLiteral("b"));
    QCOMPARE(model.rowCount(), 0);
}

void TestUiModels::accountListAddressAndTransport_data()
{
    QTest::addColumn<QString>("domain");
    QTest::addColumn<QString>("server");
    QTest::addColumn<QString>("transport");
    QTest::addColumn<QString>("address");
    QTest::addColumn<QString>("shownTransport");
    QTest::newRow("host:port") << QString() << "10.0.0.5:5060"
                               << "udp"
                               << "alice@10.0.0.5"
                               << "UDP";
    QTest::newRow("domain differs: outbound proxy") << "example.com"
                                                    << "proxy.example.net"
                                                    << "tcp"
                                                    << "alice@example.com"
                                                    << "TCP";
    QTest::newRow("URI names the transport") << QString() << "sip:pbx.example.com;transport=tls"
                                             << "udp"
                                             << "alice@pbx.example.com"
                                             << "TLS";
    QTest::newRow("IPv6") << QString() << "[2001:db8::1]:5060"
                          << "udp"
                          << "alice@[2001:db8::1]"
                          << "UDP";
}

void TestUiModels::accountListAddressAndTransport()
{
    QFETCH(QString, domain);
    QFETCH(QString, server);
    QFETCH(QString, transport);
    phone::Account a = account(QStringLiteral("a"), QStringLiteral("alice"));
    a.domain = domain;
    a.server = server;
    a.transport = transport;
    QTEST(AccountListModel::addressOf(a), "address");
    QTEST(AccountListModel::transportOf(a), "shownTransport");
}

void TestUiModels::findingsAreBounded()
{
    ui::FindingListModel model(nullptr, 3);
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::Fatal);
    const QDateTime t(QDate(2024, 5, 6), QTime(9, 0, 0));
    model.add(t, QStringLiteral("alice"), QStringLiteral("warning"), QStringLiteral("NAT detected"));
    QCOMPARE(cell(model, 0, ui::FindingListModel::SeverityColumn), QStringLiteral("warning"));
    QCOMPARE(cell(model, 0, ui::FindingListModel::TextColumn), QStringLiteral("NAT detected"));
    QCOMPARE(cell(model, 0, ui::FindingListModel::AccountColumn), QStringLiteral("alice"));
    for (int i = 0; i < 5; ++i)
        model.add(t, QStringLiteral("alice"), QStringLiteral("info"), QString::number(i));
    QCOMPARE(model.rowCount(), 3);
    QCOMPARE(cell(model, 0, ui::FindingListModel::TextColumn), QStringLiteral("2"));
    model.clear();
    QCOMPARE(model.rowCount(), 0);
}

void TestUiModels::authExplainerShowsInputsNeverThePassword()
{
    // What Authenticator explains for the RFC 2617 3.5 example, with qop=auth.
    sip::DigestInput in;
    in.username = "Mufasa";
    in.realm = "testrealm@host.com";
    in.password = "Circle Of Life";
    in.method = "GET";
    in.uri = "/dir/index.html";
    in.nonce = "dcd98b7102dd2f0e8b11d0f600bfb0c093";
    in.cnonce = "0a4f113b";
    in.qop = "auth";
    sip::AuthExplanation x;
    x.headerName = "Authorization";
    x.algorithm = "MD5";
    x.realm = in.realm;
    x.qop = in.qop;
    x.nonce = in.nonce;
    x.cnonce = in.cnonce;
    x.username = in.username;
    x.method = in.method;
    x.uri = in.uri;
    x.digest = sip::computeDigest(in);

    const QString text = ui::AuthExplainer::explain(QStringLiteral("Mufasa's phone"), x);
    QVERIFY2(!text.contains(u"Circle Of Life"), qPrintable(text));
    QVERIFY2(text.contains(u"Mufasa:testrealm@host.com:********"), qPrintable(text));
    QVERIFY2(text.contains(u"GET:/dir/index.html"), qPrintable(text));
    QVERIFY2(text.contains(u"6629fae49393a05397450978507c4ef1"), qPrintable(text)); // the RFC's response
    QVERIFY2(text.contains(u"testrealm@host.com") && text.contains(u"auth") && text.contains(u"MD5"), qPrintable(text));
    QVERIFY2(text.contains(u"00000001"), qPrintable(text));
}

QTEST_MAIN(TestUiModels)
#include "tst_ui_models.moc"
