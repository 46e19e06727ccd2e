// AccountDialog driven like a user would: OK waits for a user and a usable server, every
// field reaches the Account, the password is masked and, when editing, kept unless retyped.

#include "ui/account_dialog.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDialogButtonBox>
#include <QLineEdit>
#include <QPushButton>
#include <QSpinBox>
#include <QTest>

using namespace ds;
using ui::AccountDialog;

namespace {

QLineEdit *field(QDialog &d, const char *name) { return d.findChild<QLineEdit *>(QLatin1String(name)); }
QPushButton *okButton(QDialog &d) { return d.findChild<QDialogButtonBox *>()->button(QDialogButtonBox::Ok); }

} // namespace

class TestAccountDialog : public QObject {
    Q_OBJECT
private slots:
    void fieldsHaveNames();
    void okNeedsUserAndUsableServer();
    void enteredFieldsMakeTheAccount();
    void editKeepsPasswordUnlessRetyped();
};

void TestAccountDialog::fieldsHaveNames()
{
    AccountDialog d;
    for (const char *name : {"displayName", "user", "authUser", "password", "domain", "server"})
        QVERIFY2(field(d, name), name);
    QVERIFY(d.findChild<QComboBox *>(QStringLiteral("transport")));
    QVERIFY(d.findChild<QSpinBox *>(QStringLiteral("expires")));
    QCOMPARE(field(d, "password")->echoMode(), QLineEdit::Password);
}

void TestAccountDialog::okNeedsUserAndUsableServer()
{
    AccountDialog d;
    d.show();
    QVERIFY(!okButton(d)->isEnabled());
    QTest::keyClicks(field(d, "user"), QStringLiteral("alice"));
    QVERIFY(!okButton(d)->isEnabled());
    QTest::keyClicks(field(d, "server"), QStringLiteral("sip:"));
    QVERIFY(!okButton(d)->isEnabled()); // a URI without a host is not a server
    QTest::keyClicks(field(d, "server"), QStringLiteral("pbx.example.com"));
    QVERIFY(okButton(d)->isEnabled());
    field(d, "user")->clear();
    QVERIFY(!okButton(d)->isEnabled());
    QTest::keyClicks(field(d, "user"), QStringLiteral("   "));
    QVERIFY(!okButton(d)->isEnabled());
}

void TestAccountDialog::enteredFieldsMakeTheAccount()
{
    AccountDialog d;
    d.show();
    QTest::keyClicks(field(d, "displayName"), QStringLiteral("Alice"));
    QTest::keyClicks(field(d, "user"), QStringLiteral("alice"));
    QTest::keyClicks(field(d, "authUser"), QStringLiteral("a1001"));
    QTest::keyClicks(field(d, "password"), QStringLiteral("s3cret"));
    QTest::keyClicks(field(d, "domain"), QStringLiteral("example.com"));
    QTest::keyClicks(field(d, "server"), QStringLiteral("proxy.example.net:5070"));
    auto *transport = d.findChild<QComboBox *>(QStringLiteral("transport"));
    transport->setCurrentIndex(transport->findData(QStringLiteral("tls")));
    auto *expires = d.findChild<QSpinBox *>(QStringLiteral("expires"));
    expires->selectAll();
    QTest::keyClicks(expires, QStringLiteral("300"));
    auto *dtmf = d.findChild<QComboBox *>(QStringLiteral("dtmfMode"));
    QVERIFY(dtmf);
    QCOMPARE(dtmf->currentData().toString(), QStringLiteral("auto")); // the default
    dtmf->setCurrentIndex(dtmf->findData(QStringLiteral("inband")));
    QTest::mouseClick(okButton(d), Qt::LeftButton);
    QCOMPARE(d.result(), int(QDialog::Accepted));

    const phone::Account a = d.account();
    QVERIFY(a.id.isEmpty());
    QCOMPARE(a.displayName, QStringLiteral("Alice"));
    QCOMPARE(a.user, QStringLiteral("alice"));
    QCOMPARE(a.authUser, QStringLiteral("a1001"));
    QCOMPARE(a.domain, QStringLiteral("example.com"));
    QCOMPARE(a.server, QStringLiteral("proxy.example.net:5070"));
    QCOMPARE(a.transport, QStringLiteral("tls"));
    QCOMPARE(a.expires, 300);
    QCOMPARE(a.dtmfMode, QStringLiteral("inband"));
    QCOMPARE(d.password(), std::optional<QByteArray>("s3cret"));
}

void TestAccountDialog::editKeepsPasswordUnlessRetyped()
{
    phone::Account a;
    a.id = QStringLiteral("id-1");
    a.user = QStringLiteral("bob");
    a.server = QStringLiteral("10.0.0.5");
    a.transport = QStringLiteral("tcp");
    a.expires = 900;
    a.dtmfMode = QStringLiteral("rfc4733");
    AccountDialog d;
    d.setAccount(a);
    d.show();
    QCOMPARE(field(d, "user")->text(), QStringLiteral("bob"));
    QVERIFY(field(d, "password")->text().isEmpty());
    QCOMPARE(d.findChild<QComboBox *>(QStringLiteral("transport"))->currentData().toString(), QStringLiteral("tcp"));
    QVERIFY(okButton(d)->isEnabled());
    QCOMPARE(d.account().id, QStringLiteral("id-1"));
    QCOMPARE(d.account().expires, 900);
    QCOMPARE(d.account().dtmfMode, QStringLiteral("rfc4733"));
    QCOMPARE(d.account().callsOnlyThroughServer, false);
    d.findChild<QCheckBox *>(QStringLiteral("callsOnlyThroughServer"))->click();
    QCOMPARE(d.account().callsOnlyThroughServer, true);
    QVERIFY(d.account().echoTest.isEmpty());
    QTest::keyClicks(field(d, "echoTest"), QStringLiteral(" *43 "));
    QCOMPARE(d.account().echoTest, QStringLiteral("*43"));
    QCOMPARE(d.password(), std::nullopt);
    QTest::keyClicks(field(d, "password"), QStringLiteral("new"));
    QCOMPARE(d.password(), std::optional<QByteArray>("new"));
}

QTEST_MAIN(TestAccountDialog)
#include "tst_account_dialog.moc"
