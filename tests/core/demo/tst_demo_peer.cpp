// DemoPeer over real sockets on loopback, with a dialscope phone (UserAgent, Registration,
// CallCenter) in the same process as its client: loopback only, the account it offers registers with
// its password (which no message carries), unknown extensions get 404 naming the real ones, and the
// DTMF reporter reports every digit in each mode back to the caller as what the far end heard.

#include "demo/demo_peer.h"

#include "dtmf/dtmf_report.h"
#include "media/media_engine.h"
#include "phone/call_center.h"
#include "phone/registration.h"

#include <QSignalSpy>
#include <QTest>
#include <QUdpSocket>

using namespace ds;

namespace {

// The phone that uses the demo account: its stack, registration and calls.
struct Client {
    Client(media::MediaEngine &engine, const phone::Account &account, const QByteArray &password)
    {
        phone::AgentOptions o;
        o.bindAddress = QHostAddress(QHostAddress::LocalHost);
        agent = std::make_unique<phone::UserAgent>(account, o, clock);
        QObject::connect(agent.get(), &phone::UserAgent::traced, [this](const sip::TraceEvent &e) { trace += e.raw; });
        registration = std::make_unique<phone::Registration>(*agent, password);
        center = std::make_unique<phone::CallCenter>(*agent, registration.get(), engine, password);
    }
    ~Client()
    {
        center.reset();
        registration.reset();
        agent.reset();
    }
    // Starts the stack and registers; the diagnosis of the first registration.
    phone::Diagnosis registerOnce()
    {
        QSignalSpy ready(agent.get(), &phone::UserAgent::ready);
        agent->start();
        if (!agent->isReady() && !ready.wait(5000))
            return {phone::Outcome::NetworkError, 0, QStringLiteral("the stack did not start")};
        QSignalSpy finished(registration.get(), &phone::Registration::finished);
        registration->registerNow();
        if (!finished.wait(5000))
            return {phone::Outcome::Timeout, 0, QStringLiteral("no registration outcome")};
        return finished.first().first().value<phone::Diagnosis>();
    }

    sip::SystemClock clock;
    std::unique_ptr<phone::UserAgent> agent;
    std::unique_ptr<phone::Registration> registration;
    std::unique_ptr<phone::CallCenter> center;
    QByteArray trace; // every message it sent and received
};

bool waitActive(phone::Call *c, int ms = 5000)
{
    QPointer<phone::Call> call(c);
    return QTest::qWaitFor([&call] { return !call || call->state() == phone::Call::State::Active; }, ms) && call;
}

} // namespace

class TestDemoPeer : public QObject {
    Q_OBJECT
private slots:
    void init()
    {
        engine = std::make_unique<media::MediaEngine>();
        peer = std::make_unique<demo::DemoPeer>(*engine);
        QObject::connect(peer.get(), &demo::DemoPeer::traced, [this](const sip::TraceEvent &e) { peerTrace += e.raw; });
    }
    void cleanup()
    {
        client.reset();
        peer.reset();
        engine.reset();
        peerTrace.clear();
    }

    void listensOnLoopbackOnly_data()
    {
        QTest::addColumn<QString>("address");
        QTest::newRow("any") << QStringLiteral("0.0.0.0");
        QTest::newRow("any v6") << QStringLiteral("::");
        QTest::newRow("documentation") << QStringLiteral("192.0.2.1");
        QTest::newRow("none") << QString();
    }
    void listensOnLoopbackOnly()
    {
        QFETCH(QString, address);
        auto started = peer->start(QHostAddress(address), 0);
        QVERIFY(!started);
        QVERIFY2(started.error().contains(QLatin1String("loopback only")), qPrintable(started.error()));
        QVERIFY(!peer->isRunning());
        QVERIFY(peer->account().server.isEmpty());
    }

    void aTakenPortIsAnError()
    {
        QUdpSocket taken;
        QVERIFY(taken.bind(QHostAddress::LocalHost, 0));
        auto started = peer->start(QHostAddress(QHostAddress::LocalHost), taken.localPort());
        QVERIFY(!started);
        QVERIFY2(started.error().contains(QString::number(taken.localPort())), qPrintable(started.error()));
        QVERIFY(!peer->isRunning());
    }

    void offersAnAccountWithARandomPassword()
    {
        auto started = peer->start();
        QVERIFY2(started, qPrintable(started ? QString() : started.error()));
        QVERIFY(peer->isRunning());
        QCOMPARE(peer->endpoint().address, QHostAddress(QHostAddress::LocalHost));
        QVERIFY(peer->endpoint().port != 0);
        const phone::Account a = peer->account();
        QCOMPARE(a.id, QStringLiteral("demo"));
        QCOMPARE(a.user, QStringLiteral("demo"));
        QCOMPARE(a.server, QStringLiteral("127.0.0.1:%1").arg(peer->endpoint().port));
        QCOMPARE(a.transport, QStringLiteral("udp"));
        QCOMPARE(a.dtmfMode, QStringLiteral("auto"));
        QVERIFY(a.callsOnlyThroughServer); // nothing but the peer may ring the demo account
        QVERIFY(!a.displayName.isEmpty());
        QCOMPARE(peer->uriOf(demo::DemoPeer::Extension::Echo), QStringLiteral("sip:echo@127.0.0.1:%1").arg(peer->endpoint().port));
        demo::DemoPeer other(*engine);
        QVERIFY(peer->password().size() >= 16);
        QVERIFY(other.password() != peer->password()); // random per instance
        QVERIFY(!peer->start()); // once
    }

    void registersWithItsPasswordNeverSent()
    {
        peer->setPassword("s3cret-Demo");
        QVERIFY(peer->start());
        QSignalSpy registered(peer.get(), &demo::DemoPeer::registered);
        QSignalSpy unregistered(peer.get(), &demo::DemoPeer::unregistered);
        client = std::make_unique<Client>(*engine, peer->account(), peer->password());
        const phone::Diagnosis d = client->registerOnce();
        QVERIFY2(d.outcome == phone::Outcome::Registered, qPrintable(d.reason));
        QCOMPARE(registered.size(), 1);
        QVERIFY(registered.first().at(0).toString().startsWith(QLatin1String("sip:demo@127.0.0.1:")));
        QVERIFY(registered.first().at(1).toInt() > 0);
        QVERIFY(client->trace.contains("Authorization: Digest")); // challenged and answered
        QSignalSpy done(client->registration.get(), &phone::Registration::finished);
        client->registration->unregister();
        QVERIFY(done.wait(5000));
        QTRY_COMPARE_WITH_TIMEOUT(unregistered.size(), 1, 2000);
        QVERIFY(!client->trace.contains("s3cret-Demo"));
        QVERIFY(!peerTrace.contains("s3cret-Demo"));
    }

    void aWrongPasswordIsRefused()
    {
        QVERIFY(peer->start());
        QSignalSpy refused(peer.get(), &demo::DemoPeer::registrationRefused);
        client = std::make_unique<Client>(*engine, peer->account(), "not-the-password");
        const phone::Diagnosis d = client->registerOnce();
        QCOMPARE(d.outcome, phone::Outcome::WrongCredentials);
        QVERIFY(!refused.isEmpty());
        QVERIFY(peer->registrar()->bindings().isEmpty());
    }

    void anUnknownExtensionIsNotFound()
    {
        QVERIFY(peer->start());
        QSignalSpy refused(peer.get(), &demo::DemoPeer::callRefused);
        client = std::make_unique<Client>(*engine, peer->account(), peer->password());
        QCOMPARE(client->registerOnce().outcome, phone::Outcome::Registered);
        auto call = client->center->dial(QStringLiteral("alice"));
        QVERIFY(call);
        QSignalSpy ended(*call, &phone::Call::ended);
        QVERIFY(ended.wait(5000));
        const auto end = ended.first().first().value<sip::SessionEnd>();
        QCOMPARE(end.status, 404);
        QVERIFY2(end.reason.contains("echo, tone, dtmf"), end.reason.constData());
        QCOMPARE(refused.size(), 1);
        QCOMPARE(refused.first().at(0).toString(), QStringLiteral("alice"));
        QVERIFY(peer->calls().isEmpty());
    }

    void extensionsAnswerWithTheirAudio()
    {
        QVERIFY(peer->start());
        QSignalSpy started(peer.get(), &demo::DemoPeer::callStarted);
        QSignalSpy ended(peer.get(), &demo::DemoPeer::callEnded);
        client = std::make_unique<Client>(*engine, peer->account(), peer->password());
        QCOMPARE(client->registerOnce().outcome, phone::Outcome::Registered);
        for (const QString &extension : {QStringLiteral("Echo"), QStringLiteral("tone")}) { // any case
            auto call = client->center->dial(extension);
            QVERIFY(call && waitActive(*call));
            QTRY_VERIFY_WITH_TIMEOUT((*call)->stats().rtpReceived > 10, 3000);
            QVERIFY(peer->calls().size() == 1);
            const phone::AudioSettings &audio = peer->calls().first()->settings().audio;
            if (extension == QLatin1String("tone")) {
                QCOMPARE(audio.toneHz, demo::DemoPeer::kToneHz);
                QCOMPARE(audio.toneDbfs, demo::DemoPeer::kToneDbfs);
                QTRY_VERIFY_WITH_TIMEOUT((*call)->stats().receiveLevelDbfs > -16, 3000); // -10 dBFS through G.711
            } else {
                QVERIFY(audio.echo);
                QCOMPARE(audio.echoDelayMs, demo::DemoPeer::kEchoDelayMs);
            }
            QSignalSpy callEnded(*call, &phone::Call::ended);
            (*call)->hangUp();
            QVERIFY(callEnded.wait(3000));
            QTRY_VERIFY_WITH_TIMEOUT(peer->calls().isEmpty(), 3000);
        }
        QCOMPARE(started.size(), 2);
        QCOMPARE(started[0][0].toString(), QStringLiteral("echo"));
        QCOMPARE(started[1][0].toString(), QStringLiteral("tone"));
        QCOMPARE(ended.size(), 2);
    }

    void dtmfReporterReportsEachMode_data()
    {
        QTest::addColumn<QString>("mode");
        QTest::newRow("rfc4733") << QStringLiteral("rfc4733");
        QTest::newRow("inband") << QStringLiteral("inband");
        QTest::newRow("info") << QStringLiteral("info");
    }
    void dtmfReporterReportsEachMode()
    {
        QFETCH(QString, mode);
        QVERIFY(peer->start());
        QSignalSpy reported(peer.get(), &demo::DemoPeer::digitReported);
        client = std::make_unique<Client>(*engine, peer->account(), peer->password());
        QCOMPARE(client->registerOnce().outcome, phone::Outcome::Registered);
        auto call = client->center->dial(QStringLiteral("dtmf"));
        QVERIFY(call && waitActive(*call));
        QSignalSpy farEnd(*call, &phone::Call::farEndDtmf);
        QSignalSpy messages(*call, &phone::Call::messageReceived);
        const QString keys = QStringLiteral("123#");
        auto sent = (*call)->sendDtmf(keys, phone::dtmfModeFromName(mode));
        QVERIFY2(sent, qPrintable(sent ? QString() : sent.error()));
        QTRY_VERIFY_WITH_TIMEOUT(farEnd.size() >= keys.size(), 8000);
        QTest::qWait(300); // no extra report trails behind
        QString heard;
        for (const auto &args : farEnd) {
            const auto e = args.first().value<dtmf::DigitEvent>();
            heard += QChar::fromLatin1(e.digit);
            QCOMPARE(QString::fromLatin1(dtmf::modeName(e.mode)), mode);
            QVERIFY(e.durationMs > 0);
        }
        QCOMPARE(heard, keys);
        QCOMPARE(messages.size(), keys.size()); // one MESSAGE per digit
        QCOMPARE(messages.first().at(0).toByteArray(), QByteArray("text/plain"));
        QVERIFY(messages.first().at(1).toByteArray().startsWith("DTMF 1 " + mode.toLatin1() + ' '));
        QCOMPARE(reported.size(), keys.size());
    }

private:
    std::unique_ptr<media::MediaEngine> engine;
    std::unique_ptr<demo::DemoPeer> peer;
    std::unique_ptr<Client> client;
    QByteArray peerTrace;
};

QTEST_GUILESS_MAIN(TestDemoPeer)
#include "tst_demo_peer.moc"
