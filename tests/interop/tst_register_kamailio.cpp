// Interop: `dialscope register` against a real Kamailio registrar (auth_db over
// db_text, digest MD5 or SHA-256) over UDP, TCP and TLS, one Kamailio per test case.
#include "support/dialscope_cli.h"
#include "support/kamailio_registrar.h"
#include "support/test_case_dir.h"

#include <QDir>
#include <QFileInfo>
#include <QJsonArray>
#include <QProcess>
#include <QTemporaryDir>
#include <QtTest>

#include <memory>

using namespace ds::test;
using namespace Qt::StringLiterals;

namespace {

const QString kDomain = QStringLiteral("127.0.0.1"); // AOR domain and digest realm ($fd)

using Account = KamailioRegistrar::Subscriber;
const Account kAlice {QStringLiteral("alice"), QStringLiteral("secret")};
const Account kBob {QStringLiteral("bob"), QStringLiteral("hunter2")};

} // namespace

class TstRegisterKamailio : public QObject {
    Q_OBJECT

private slots:
    void initTestCase();
    void cleanup();
    void cleanupTestCase();

    void registersWithMd5_data();
    void registersWithMd5();
    void registersWithSha256();
    void tlsWithoutCaIsTlsError();
    void tlsInsecureRegisters();
    void tlsCaptureDecryptsInWireshark();
    void wrongPasswordIsRefusedOnce();
    void unknownUserIsNotFound();
    void authUserMismatchIsForbidden();
    void unregisterRemovesBinding();
    void passwordFromEnvironment_data();
    void passwordFromEnvironment();

private:
    bool startKamailio(const QString &algorithm);
    QString caseDir() const;
    quint16 port(const QString &transport) const;
    QStringList registerArgs(const QString &transport, bool uriForm = false) const;
    void checkNoPassword(const DialscopeRun &run, const QString &password);

    std::unique_ptr<QTemporaryDir> m_tmp;
    std::unique_ptr<KamailioRegistrar> m_kamailio;
    QString m_error;
    bool m_anyFailed = false;
};

void TstRegisterKamailio::initTestCase()
{
    m_tmp = std::make_unique<QTemporaryDir>(QDir::tempPath() + QStringLiteral("/dialscope-kamailio-XXXXXX"));
    QVERIFY(m_tmp->isValid());
    m_kamailio = std::make_unique<KamailioRegistrar>(m_tmp->path());
    // Once up front, so that a missing Kamailio skips the test rather than fails each case.
    if (const KamailioRegistrar::Result prepared = m_kamailio->prepare(); !prepared) {
        if (prepared.error().skip)
            QSKIP(qPrintable(prepared.error().message));
        QFAIL(qPrintable(prepared.error().message));
    }
    QVERIFY2(QFileInfo::exists(QStringLiteral(DIALSCOPE_BIN)), "dialscope is not built at " DIALSCOPE_BIN);
}

void TstRegisterKamailio::cleanup()
{
    if (QTest::currentTestFailed()) {
        m_anyFailed = true;
        if (const QString log = m_kamailio ? m_kamailio->logTail(3000) : QString(); !log.isEmpty())
            qWarning().noquote() << log;
    }
    if (m_kamailio)
        m_kamailio->stop();
}

void TstRegisterKamailio::cleanupTestCase()
{
    m_kamailio.reset(); // stops it
    if (m_tmp && m_anyFailed) {
        m_tmp->setAutoRemove(false);
        qInfo().noquote() << "kept the test files (configs, logs) in" << m_tmp->path();
    }
}

QString TstRegisterKamailio::caseDir() const { return testCaseDir(m_tmp->path()); }

// Starts a fresh Kamailio for the current test case, with alice and bob as subscribers.
bool TstRegisterKamailio::startKamailio(const QString &algorithm)
{
    m_error.clear();
    const KamailioRegistrar::Result started = m_kamailio->start(algorithm, {kAlice, kBob}, caseDir());
    if (!started)
        m_error = started.error().message;
    return started.has_value();
}

// The running Kamailio's port for transport ("udp", "tcp", "tls").
quint16 TstRegisterKamailio::port(const QString &transport) const
{
    return transport == u"tls" ? m_kamailio->tlsPort() : transport == u"tcp" ? m_kamailio->tcpPort() : m_kamailio->udpPort();
}

// register SERVER --transport T --json --timeout 20, for the running Kamailio.
QStringList TstRegisterKamailio::registerArgs(const QString &transport, bool uriForm) const
{
    QStringList args {QStringLiteral("register")};
    if (uriForm) {
        args << QStringLiteral("sip:127.0.0.1:%1;transport=%2").arg(port(transport)).arg(transport);
    } else {
        args << QStringLiteral("127.0.0.1:%1").arg(port(transport)) << QStringLiteral("--transport") << transport;
    }
    args << QStringLiteral("--json") << QStringLiteral("--timeout") << QStringLiteral("20");
    return args;
}

void TstRegisterKamailio::checkNoPassword(const DialscopeRun &run, const QString &password)
{
    const QByteArray pw = password.toUtf8();
    for (const QJsonObject &e : run.sip()) {
        QVERIFY2(!e.value(u"raw").toString().toUtf8().contains(pw), qPrintable(u"the password is in a sip event's raw:"_s + run.describe()));
    }
    QVERIFY2(!run.out.contains(pw), qPrintable(u"the password is on stdout:"_s + run.describe()));
    QVERIFY2(!run.err.contains(pw), qPrintable(u"the password is on stderr:"_s + run.describe()));
}

void TstRegisterKamailio::registersWithMd5_data()
{
    QTest::addColumn<QString>("transport");
    QTest::addColumn<bool>("uriForm");
    QTest::addColumn<QString>("wireName");

    QTest::newRow("udp") << u"udp"_s << false << u"UDP"_s;
    QTest::newRow("tcp") << u"tcp"_s << false << u"TCP"_s;
    QTest::newRow("tcp, server as SIP URI") << u"tcp"_s << true << u"TCP"_s;
    QTest::newRow("tls with --ca") << u"tls"_s << false << u"TLS"_s;
}

void TstRegisterKamailio::registersWithMd5()
{
    QFETCH(QString, transport);
    QFETCH(bool, uriForm);
    QFETCH(QString, wireName);
    QVERIFY2(startKamailio(QStringLiteral("MD5")), qPrintable(m_error));

    QStringList args = registerArgs(transport, uriForm) << QStringLiteral("--user") << kAlice.user << QStringLiteral("--password") << kAlice.password;
    if (transport == u"tls")
        args << QStringLiteral("--ca") << m_kamailio->caFile();
    const DialscopeRun run = runDialscope(args);
    const QString why = run.describe();

    QVERIFY2(run.finished, qPrintable(why));
    QVERIFY2(run.badLines.isEmpty(), qPrintable(why));
    QVERIFY2(run.exitCode == 0, qPrintable(why));
    const QJsonObject result = run.result();
    QVERIFY2(!result.isEmpty(), qPrintable(u"last line is not a result event"_s + why));
    QCOMPARE(result.value(u"outcome").toString(), u"registered"_s);
    QCOMPARE(result.value(u"status").toInt(), 200);
    QVERIFY2(result.value(u"expires").toInt() > 0, qPrintable(why));
    QVERIFY2(result.value(u"expires").toInt() <= 3600, qPrintable(why)); // max_expires
    QVERIFY2(!result.value(u"reason").toString().isEmpty(), qPrintable(why));

    const QList<QJsonObject> auths = run.eventsOf(QStringLiteral("auth"));
    QVERIFY2(!auths.isEmpty(), qPrintable(u"no auth event"_s + why));
    QCOMPARE(auths.first().value(u"algorithm").toString(), u"MD5"_s);
    QCOMPARE(auths.first().value(u"realm").toString(), kDomain);
    QCOMPARE(auths.first().value(u"qop").toString(), u"auth"_s);
    QVERIFY2(!auths.first().value(u"response").toString().isEmpty(), qPrintable(why));

    bool registered = false;
    for (const QJsonObject &e : run.eventsOf(QStringLiteral("registration")))
        registered = registered || (e.value(u"status").toInt() == 200 && e.value(u"expires").toInt() > 0);
    QVERIFY2(registered, qPrintable(u"no registration event with status 200"_s + why));

    // RFC 3261 22.2: REGISTER, 401 challenge, REGISTER with credentials, 200.
    const QStringList expected {u"out REGISTER"_s, u"in 401"_s, u"out REGISTER auth"_s, u"in 200"_s};
    QCOMPARE(run.exchange(), expected);
    const QString remote = QStringLiteral("127.0.0.1:%1").arg(port(transport));
    for (const QJsonObject &e : run.sip()) {
        QCOMPARE(e.value(u"transport").toString(), wireName);
        QCOMPARE(e.value(u"remote").toString(), remote);
        QVERIFY2(e.value(u"local").toString().startsWith(u"127.0.0.1:"), qPrintable(why));
    }
    const QByteArray authorized = run.sentRegisters(Retransmissions::Folded).last();
    const QByteArray credentials = sip::header(authorized, "Authorization");
    QCOMPARE(sip::param(credentials, "username"), kAlice.user.toUtf8());
    QCOMPARE(sip::param(credentials, "realm"), kDomain.toUtf8());
    QCOMPARE(sip::param(credentials, "qop"), QByteArray("auth"));
    QCOMPARE(sip::param(credentials, "response").size(), 32); // MD5, hex

    checkNoPassword(run, kAlice.password);
}

void TstRegisterKamailio::registersWithSha256()
{
    QVERIFY2(startKamailio(QStringLiteral("SHA-256")), qPrintable(m_error));
    const DialscopeRun run
        = runDialscope(registerArgs(QStringLiteral("udp")) << QStringLiteral("--user") << kAlice.user << QStringLiteral("--password") << kAlice.password);
    const QString why = run.describe();
    QVERIFY2(run.finished, qPrintable(why));
    QVERIFY2(run.exitCode == 0, qPrintable(why));
    QCOMPARE(run.result().value(u"outcome").toString(), u"registered"_s);

    const QList<QJsonObject> auths = run.eventsOf(QStringLiteral("auth"));
    QVERIFY2(!auths.isEmpty(), qPrintable(u"no auth event"_s + why));
    QCOMPARE(auths.first().value(u"algorithm").toString(), u"SHA-256"_s);

    // RFC 8760: the credentials say algorithm=SHA-256 and carry a 256-bit response.
    const QList<QByteArray> registers = run.sentRegisters(Retransmissions::Folded);
    QVERIFY2(registers.size() >= 2, qPrintable(why));
    const QByteArray credentials = sip::header(registers.last(), "Authorization");
    QCOMPARE(sip::param(credentials, "algorithm"), QByteArray("SHA-256"));
    QCOMPARE(sip::param(credentials, "response").size(), 64);
    checkNoPassword(run, kAlice.password);
}

void TstRegisterKamailio::tlsWithoutCaIsTlsError()
{
    QVERIFY2(startKamailio(QStringLiteral("MD5")), qPrintable(m_error));
    // The certificate is signed by the test's own CA, which nothing trusts.
    const DialscopeRun run
        = runDialscope(registerArgs(QStringLiteral("tls")) << QStringLiteral("--user") << kAlice.user << QStringLiteral("--password") << kAlice.password);
    const QString why = run.describe();
    QVERIFY2(run.finished, qPrintable(why));
    QVERIFY2(run.badLines.isEmpty(), qPrintable(why));
    QVERIFY2(run.exitCode == 3, qPrintable(why));
    QCOMPARE(run.result().value(u"outcome").toString(), u"tls-error"_s);
    QVERIFY2(!run.result().value(u"reason").toString().isEmpty(), qPrintable(why));
    QVERIFY2(run.sip(QStringLiteral("in")).isEmpty(), qPrintable(why));
    checkNoPassword(run, kAlice.password);
}

void TstRegisterKamailio::tlsInsecureRegisters()
{
    QVERIFY2(startKamailio(QStringLiteral("MD5")), qPrintable(m_error));
    const DialscopeRun run = runDialscope(registerArgs(QStringLiteral("tls"))
        << QStringLiteral("--insecure") << QStringLiteral("--user") << kAlice.user << QStringLiteral("--password") << kAlice.password);
    const QString why = run.describe();
    QVERIFY2(run.finished, qPrintable(why));
    QVERIFY2(run.exitCode == 0, qPrintable(why));
    QCOMPARE(run.result().value(u"outcome").toString(), u"registered"_s);
    for (const QJsonObject &e : run.sip())
        QCOMPARE(e.value(u"transport").toString(), u"TLS"_s);
}

// --pcap over TLS writes the real encrypted packets and the session's key log in one pcapng:
// tshark, given nothing else, decrypts it and reads the same four messages (RFC 3261 22.2).
void TstRegisterKamailio::tlsCaptureDecryptsInWireshark()
{
    const QString tshark = findProgram(QStringLiteral("tshark"));
    if (tshark.isEmpty())
        QSKIP("tshark is not installed (Debian package tshark)");
    QVERIFY2(startKamailio(QStringLiteral("MD5")), qPrintable(m_error));
    const QString pcap = QDir(m_tmp->path()).filePath(QStringLiteral("tls.pcapng"));
    const DialscopeRun run
        = runDialscope(registerArgs(QStringLiteral("tls")) << QStringLiteral("--ca") << m_kamailio->caFile() << QStringLiteral("--user") << kAlice.user
                                                           << QStringLiteral("--password") << kAlice.password << QStringLiteral("--pcap") << pcap);
    const QString why = run.describe();
    QVERIFY2(run.finished && run.exitCode == 0, qPrintable(why));
    QVERIFY2(QFileInfo(pcap).size() > 0, qPrintable(u"no capture written"_s + why));
    QByteArray raw;
    {
        QFile f(pcap);
        QVERIFY(f.open(QIODevice::ReadOnly));
        raw = f.readAll();
    }
    QVERIFY2(!raw.contains("REGISTER sip:"), "the capture holds the SIP in clear text: it should hold the TLS records");
    QProcess p;
    // Wireshark looks for SIP inside TLS on 5061 only; the test's Kamailio listens elsewhere.
    p.start(tshark,
        {QStringLiteral("-r"), pcap, QStringLiteral("-d"), QStringLiteral("tls.port==%1,sip").arg(m_kamailio->tlsPort()), QStringLiteral("-Y"),
            QStringLiteral("sip"), QStringLiteral("-T"), QStringLiteral("fields"), QStringLiteral("-e"), QStringLiteral("sip.Method"), QStringLiteral("-e"),
            QStringLiteral("sip.Status-Code")});
    QVERIFY(p.waitForFinished(60000));
    const QString out = QString::fromUtf8(p.readAllStandardOutput()).trimmed();
    const QStringList lines = out.split(QLatin1Char('\n'), Qt::SkipEmptyParts);
    QStringList seen;
    for (const QString &l : lines)
        seen << l.trimmed();
    QCOMPARE(seen, (QStringList {u"REGISTER"_s, u"401"_s, u"REGISTER"_s, u"200"_s}));
    checkNoPassword(run, kAlice.password);
}

void TstRegisterKamailio::wrongPasswordIsRefusedOnce()
{
    QVERIFY2(startKamailio(QStringLiteral("MD5")), qPrintable(m_error));
    const QString wrong = QStringLiteral("not-alices-password");
    const DialscopeRun run
        = runDialscope(registerArgs(QStringLiteral("udp")) << QStringLiteral("--user") << kAlice.user << QStringLiteral("--password") << wrong);
    const QString why = run.describe();
    QVERIFY2(run.finished, qPrintable(why));
    QVERIFY2(run.badLines.isEmpty(), qPrintable(why));
    QVERIFY2(run.exitCode == 1, qPrintable(why));
    QCOMPARE(run.result().value(u"outcome").toString(), u"wrong-credentials"_s);
    QCOMPARE(run.result().value(u"status").toInt(), 401);

    // Kamailio answers every wrong digest with a fresh 401; the client must give up
    // rather than loop: at most two REGISTERs carry credentials.
    int withCredentials = 0;
    for (const QByteArray &raw : run.sentRegisters(Retransmissions::Folded))
        withCredentials += sip::header(raw, "Authorization").isEmpty() ? 0 : 1;
    QVERIFY2(withCredentials >= 1, qPrintable(why));
    QVERIFY2(withCredentials <= 2, qPrintable(why));
    checkNoPassword(run, wrong);
}

// Kamailio's auth_check returns -3 (user not in `subscriber`) once credentials are
// sent, and registrar.cfg answers that with "403 Unknown user" (the first REGISTER,
// without credentials, still gets a 401). dialscope reads that phrase as the user
// not existing: outcome "not-found", with the deciding status 403.
void TstRegisterKamailio::unknownUserIsNotFound()
{
    QVERIFY2(startKamailio(QStringLiteral("MD5")), qPrintable(m_error));
    const DialscopeRun run = runDialscope(registerArgs(QStringLiteral("udp"))
        << QStringLiteral("--user") << QStringLiteral("mallory") << QStringLiteral("--password") << QStringLiteral("mallorys-guess"));
    const QString why = run.describe();
    QVERIFY2(run.finished, qPrintable(why));
    QVERIFY2(run.exitCode == 1, qPrintable(why));
    QCOMPARE(run.result().value(u"outcome").toString(), u"not-found"_s);
    QCOMPARE(run.result().value(u"status").toInt(), 403);
    const QStringList expected {u"out REGISTER"_s, u"in 401"_s, u"out REGISTER auth"_s, u"in 403"_s};
    QCOMPARE(run.exchange(), expected);
}

// --auth-user: bob's valid credentials used to register alice. auth_check's
// identity check (flag 1) returns -8, which registrar.cfg answers with
// "403 Authentication user mismatch": a plain refusal, outcome "forbidden".
void TstRegisterKamailio::authUserMismatchIsForbidden()
{
    QVERIFY2(startKamailio(QStringLiteral("MD5")), qPrintable(m_error));
    const DialscopeRun run = runDialscope(registerArgs(QStringLiteral("udp"))
        << QStringLiteral("--user") << kAlice.user << QStringLiteral("--auth-user") << kBob.user << QStringLiteral("--password") << kBob.password);
    const QString why = run.describe();
    QVERIFY2(run.finished, qPrintable(why));
    QVERIFY2(run.exitCode == 1, qPrintable(why));
    QCOMPARE(run.result().value(u"outcome").toString(), u"forbidden"_s);
    QCOMPARE(run.result().value(u"status").toInt(), 403);

    const QList<QByteArray> registers = run.sentRegisters(Retransmissions::Folded);
    QVERIFY2(registers.size() == 2, qPrintable(why));
    const QByteArray credentials = sip::header(registers.last(), "Authorization");
    QCOMPARE(sip::param(credentials, "username"), kBob.user.toUtf8());
    QVERIFY2(sip::header(registers.last(), "To", 't').contains("sip:alice@127.0.0.1"), qPrintable(why));
    checkNoPassword(run, kBob.password);
}

void TstRegisterKamailio::unregisterRemovesBinding()
{
    QVERIFY2(startKamailio(QStringLiteral("MD5")), qPrintable(m_error));
    // The same local address for both runs, so both use the same Contact.
    const quint16 local = freePort(PortKind::Udp);
    const QString bind = QStringLiteral("127.0.0.1:%1").arg(local);
    const QStringList common = registerArgs(QStringLiteral("udp"))
        << QStringLiteral("--bind") << bind << QStringLiteral("--user") << kAlice.user << QStringLiteral("--password") << kAlice.password;

    const DialscopeRun reg = runDialscope(common);
    QVERIFY2(reg.finished && reg.exitCode == 0, qPrintable(reg.describe()));
    for (const QJsonObject &e : reg.sip())
        QCOMPARE(e.value(u"local").toString(), bind);

    const DialscopeRun unreg = runDialscope(QStringList(common) << QStringLiteral("--unregister"));
    const QString why = unreg.describe();
    QVERIFY2(unreg.finished, qPrintable(why));
    QVERIFY2(unreg.badLines.isEmpty(), qPrintable(why));
    QVERIFY2(unreg.exitCode == 0, qPrintable(why));

    // RFC 3261 10.2.2: the removal asks for expires 0 and gets a 200 for it.
    QByteArray removal;
    for (const QByteArray &raw : unreg.sentRegisters(Retransmissions::Folded)) {
        if (sip::requestedExpires(raw) == 0 && !sip::header(raw, "Authorization").isEmpty())
            removal = raw;
    }
    QVERIFY2(!removal.isEmpty(), qPrintable(u"no authenticated REGISTER with expires 0"_s + why));
    QByteArray ok;
    for (const QJsonObject &e : unreg.sip(QStringLiteral("in"))) {
        const QByteArray raw = e.value(u"raw").toString().toUtf8();
        if (sip::status(raw) == 200 && sip::header(raw, "CSeq") == sip::header(removal, "CSeq"))
            ok = raw;
    }
    QVERIFY2(!ok.isEmpty(), qPrintable(u"no 200 to the REGISTER with expires 0"_s + why));
    // The 200 lists the bindings left (RFC 3261 10.3 step 8): ours is gone.
    for (const QByteArray &contact : sip::headers(ok, "Contact", 'm')) {
        QVERIFY2(!contact.contains(':' + QByteArray::number(local) + '>') && !contact.contains(':' + QByteArray::number(local) + ';'),
            qPrintable(u"the binding is still there: "_s + QString::fromUtf8(contact) + why));
    }
    QCOMPARE(unreg.result().value(u"status").toInt(), 200);
}

void TstRegisterKamailio::passwordFromEnvironment_data()
{
    QTest::addColumn<QStringList>("outputOptions");
    QTest::newRow("json") << QStringList {QStringLiteral("--json")};
    QTest::newRow("ladder") << QStringList {QStringLiteral("--ladder")};
}

void TstRegisterKamailio::passwordFromEnvironment()
{
    QFETCH(QStringList, outputOptions);
    QVERIFY2(startKamailio(QStringLiteral("MD5")), qPrintable(m_error));
    const QStringList args = QStringList {QStringLiteral("register"), QStringLiteral("127.0.0.1:%1").arg(m_kamailio->udpPort()), QStringLiteral("--user"),
                                 kBob.user, QStringLiteral("--timeout"), QStringLiteral("20")}
        + outputOptions;
    const DialscopeRun run = runDialscope(args, {{QStringLiteral("DIALSCOPE_PASSWORD"), kBob.password}});
    const QString why = run.describe();
    QVERIFY2(run.finished, qPrintable(why));
    QVERIFY2(run.exitCode == 0, qPrintable(why));
    if (outputOptions == QStringList {QStringLiteral("--json")}) {
        QVERIFY2(run.badLines.isEmpty(), qPrintable(why));
        QCOMPARE(run.result().value(u"outcome").toString(), u"registered"_s);
    } else {
        QVERIFY2(!run.out.trimmed().isEmpty(), qPrintable(u"--ladder printed nothing"_s + why));
    }
    checkNoPassword(run, kBob.password);
}

QTEST_GUILESS_MAIN(TstRegisterKamailio)
#include "tst_register_kamailio.moc"
