// CallCenter and Call over real sockets on loopback: three phones in one process taking direct
// calls — answer, hold and resume (both sides' states), mute, a second call holding the first,
// rejection, and hang-up from either side.

#include "phone/call_center.h"

#include "media/media_engine.h"
#include "media/media_session.h"
#include "sip/response_builder.h"

#include <QScopeGuard>
#include <QSignalSpy>
#include <QTest>
#include <QUdpSocket>

using namespace ds;

namespace {

// One phone: an agent listening on a free loopback port, its call center and settings.
struct TestPhone {
    explicit TestPhone(media::MediaEngine &engine, const QString &user, int autoAnswerMs = 0)
    {
        phone::Account a;
        a.id = user;
        a.user = user;
        phone::AgentOptions o;
        o.bindAddress = QHostAddress(QHostAddress::LocalHost);
        agent = std::make_unique<phone::UserAgent>(a, o, clock);
        if (qEnvironmentVariableIsSet("DS_TRACE"))
            QObject::connect(agent.get(), &phone::UserAgent::traced, [user](const sip::TraceEvent &e) { qDebug().noquote() << user << e.raw; });
        center = std::make_unique<phone::CallCenter>(*agent, nullptr, engine, QByteArray());
        phone::CallSettings s;
        s.autoAnswerMs = autoAnswerMs;
        s.audio.toneHz = 700;
        center->setSettings(s);
    }
    bool start()
    {
        QSignalSpy ready(agent.get(), &phone::UserAgent::ready);
        agent->start();
        return agent->isReady() || ready.wait(5000);
    }
    QString uri() const { return QStringLiteral("%1@%2").arg(agent->account().user, agent->localEndpoint().toString()); }
    phone::Call *only() const { return center->calls().size() == 1 ? center->calls().first() : nullptr; }

    sip::SystemClock clock;
    std::unique_ptr<phone::UserAgent> agent;
    std::unique_ptr<phone::CallCenter> center;
};

// Waits for a call to reach a state; false when it does not in time, or ended (and went away) first.
bool waitState(phone::Call *c, phone::Call::State state, int ms = 5000)
{
    QPointer<phone::Call> call(c);
    QString ended;
    QMetaObject::Connection watch;
    if (call)
        watch = QObject::connect(
            call, &phone::Call::ended, [&ended](const sip::SessionEnd &e) { ended = QString::fromUtf8(e.reason) + QStringLiteral(" (%1)").arg(e.status); });
    const auto unwatch = qScopeGuard([&watch] { QObject::disconnect(watch); });
    QElapsedTimer t;
    t.start();
    while (call && call->state() != state && t.elapsed() < ms)
        QTest::qWait(20);
    if (!call || call->state() != state)
        qWarning("call not in state %d: %s", int(state), call ? "still in another state" : qPrintable(QStringLiteral("ended: ") + ended));
    return call && call->state() == state;
}

} // namespace

class TestCallCenter : public QObject {
    Q_OBJECT
private slots:
    void init()
    {
        engine = std::make_unique<media::MediaEngine>();
        alice = std::make_unique<TestPhone>(*engine, QStringLiteral("alice"));
        bob = std::make_unique<TestPhone>(*engine, QStringLiteral("bob"));
        carol = std::make_unique<TestPhone>(*engine, QStringLiteral("carol"));
        QVERIFY(alice->start() && bob->start() && carol->start());
    }
    void cleanup()
    {
        carol.reset();
        bob.reset();
        alice.reset();
        engine.reset();
    }

    void answeredCallCarriesAudioBothWays()
    {
        auto call = alice->center->dial(bob->uri());
        QVERIFY2(call, call ? "" : qPrintable(call.error()));
        QVERIFY(waitState(*call, phone::Call::State::Active));
        QTRY_VERIFY_WITH_TIMEOUT(bob->only(), 2000);
        QVERIFY(waitState(bob->only(), phone::Call::State::Active));
        QCOMPARE((*call)->codec(), QStringLiteral("PCMU/8000"));
        QTRY_VERIFY_WITH_TIMEOUT((*call)->stats().rtpReceived > 20 && bob->only()->stats().rtpReceived > 20, 5000);
        QVERIFY((*call)->remoteParty().contains(QLatin1String("sip:bob@")));
        QVERIFY(bob->only()->remoteParty().contains(QLatin1String("sip:alice@")));

        QSignalSpy ended(bob->only(), &phone::Call::ended);
        (*call)->hangUp();
        QVERIFY(ended.wait(3000));
        QCOMPARE(ended.first().first().value<sip::SessionEnd>().cause, sip::SessionEnd::Cause::RemoteBye);
        QTRY_VERIFY_WITH_TIMEOUT(alice->center->calls().isEmpty() && bob->center->calls().isEmpty(), 3000);
    }

    void holdAndResume()
    {
        auto call = alice->center->dial(bob->uri());
        QVERIFY(call && waitState(*call, phone::Call::State::Active));
        QTRY_VERIFY_WITH_TIMEOUT(bob->only(), 2000);
        phone::Call *b = bob->only();
        (*call)->setHold(true);
        QVERIFY(waitState(*call, phone::Call::State::Held));
        QVERIFY(waitState(b, phone::Call::State::RemoteHeld));
        QCOMPARE((*call)->negotiation()->direction, sdp::Direction::SendOnly); // RFC 6337: we still send (music on hold)
        QCOMPARE(b->negotiation()->direction, sdp::Direction::RecvOnly);
        // While held, bob sends nothing: his sent count stops.
        QTest::qWait(600);
        const quint64 sentWhileHeld = b->stats().rtpSent;
        QTest::qWait(600);
        QVERIFY2(b->stats().rtpSent <= sentWhileHeld + 2, qPrintable(QStringLiteral("%1 -> %2").arg(sentWhileHeld).arg(b->stats().rtpSent)));
        (*call)->setHold(false);
        QVERIFY(waitState(*call, phone::Call::State::Active));
        QVERIFY(waitState(b, phone::Call::State::Active));
        QTRY_VERIFY_WITH_TIMEOUT(b->stats().rtpSent > sentWhileHeld + 10, 3000);
    }

    void muteSendsSilence()
    {
        auto call = alice->center->dial(bob->uri());
        QVERIFY(call && waitState(*call, phone::Call::State::Active));
        QTRY_VERIFY_WITH_TIMEOUT(bob->only() && bob->only()->stats().receiveLevelDbfs > -40, 3000);
        (*call)->setMuted(true);
        QVERIFY((*call)->muted());
        QTRY_VERIFY_WITH_TIMEOUT(bob->only()->stats().receiveLevelDbfs < -80, 3000);
        const quint64 before = bob->only()->stats().rtpReceived;
        QTRY_VERIFY_WITH_TIMEOUT(bob->only()->stats().rtpReceived > before + 10, 3000); // packets still flow
    }

    void secondCallHoldsTheFirst()
    {
        auto first = alice->center->dial(bob->uri());
        QVERIFY(first && waitState(*first, phone::Call::State::Active));
        auto second = alice->center->dial(carol->uri());
        QVERIFY(second && waitState(*second, phone::Call::State::Active));
        QVERIFY(waitState(*first, phone::Call::State::Held));
        QVERIFY(waitState(bob->only(), phone::Call::State::RemoteHeld));
        QCOMPARE(alice->center->calls().size(), 2);
    }

    void rejectedCallIsBusy()
    {
        TestPhone dave(*engine, QStringLiteral("dave"), -1);
        QVERIFY(dave.start());
        QSignalSpy incoming(dave.center.get(), &phone::CallCenter::incomingCall);
        auto call = alice->center->dial(dave.uri());
        QVERIFY(call);
        QVERIFY(incoming.wait(3000));
        QVERIFY(waitState(*call, phone::Call::State::Ringing));
        QSignalSpy ended(*call, &phone::Call::ended);
        dave.only()->reject(486);
        QVERIFY(ended.wait(3000));
        QCOMPARE(ended.first().first().value<sip::SessionEnd>().status, 486);
    }

    void callerCancelsWhileRinging()
    {
        TestPhone dave(*engine, QStringLiteral("dave"), -1);
        QVERIFY(dave.start());
        QSignalSpy incoming(dave.center.get(), &phone::CallCenter::incomingCall);
        auto call = alice->center->dial(dave.uri());
        QVERIFY(call && incoming.wait(3000));
        QVERIFY(waitState(*call, phone::Call::State::Ringing));
        QSignalSpy daveEnded(dave.only(), &phone::Call::ended);
        (*call)->hangUp();
        QVERIFY(daveEnded.wait(3000));
        QCOMPARE(daveEnded.first().first().value<sip::SessionEnd>().cause, sip::SessionEnd::Cause::RemoteCancel);
    }

    void incomingPolicyChoosesSettingsOrRefuses()
    {
        // The policy sees each new INVITE: its Request-URI user picks the call's settings, or the refusal.
        TestPhone dave(*engine, QStringLiteral("dave"), -1);
        dave.center->setIncomingPolicy([](const sip::Message &invite) -> std::expected<phone::CallSettings, sip::InviteRefusal> {
            if (!invite.requestUri().startsWith("sip:tone@"))
                return std::unexpected(sip::InviteRefusal {404, "Not Found (try tone)", QStringLiteral("no such extension")});
            phone::CallSettings s;
            s.autoAnswerMs = 0;
            s.audio.toneHz = 1004;
            return s;
        });
        QVERIFY(dave.start());
        const QString at = dave.agent->localEndpoint().toString();
        auto refused = alice->center->dial(QStringLiteral("nobody@") + at);
        QVERIFY(refused);
        QSignalSpy refusedEnd(*refused, &phone::Call::ended);
        QVERIFY(refusedEnd.wait(3000));
        const auto end = refusedEnd.first().first().value<sip::SessionEnd>();
        QCOMPARE(end.status, 404);
        QCOMPARE(end.reason, QByteArray("Not Found (try tone)"));
        QVERIFY(dave.center->calls().isEmpty()); // refused before any call existed

        auto call = alice->center->dial(QStringLiteral("tone@") + at);
        QVERIFY(call && waitState(*call, phone::Call::State::Active)); // answered at once: the policy's settings, not the center's
        QVERIFY(dave.only());
        QCOMPARE(dave.only()->settings().audio.toneHz, 1004.0);
    }

    void messagesInTheDialog()
    {
        // RFC 3428 MESSAGEs both ways in a call, one at a time and in order; a DTMF report among them
        // is read as what the far end heard.
        auto call = alice->center->dial(bob->uri());
        QVERIFY(call && waitState(*call, phone::Call::State::Active));
        QTRY_VERIFY_WITH_TIMEOUT(bob->only(), 2000);
        QSignalSpy received(*call, &phone::Call::messageReceived);
        QSignalSpy farEnd(*call, &phone::Call::farEndDtmf);
        QList<int> statuses;
        const auto done = [&statuses](int status, const QByteArray &) { statuses << status; };
        QVERIFY(bob->only()->sendMessage("text/plain", "hello", done));
        QVERIFY(bob->only()->sendMessage("text/plain", "DTMF 5 rfc4733 120 ms\r\nDTMF # info 250 ms\r\n", done));
        QVERIFY(bob->only()->sendMessage("text/plain; charset=utf-8", "DTMF 7 inband 90 ms", done));
        QTRY_COMPARE_WITH_TIMEOUT(statuses, (QList<int> {200, 200, 200}), 3000);
        QCOMPARE(received.size(), 3);
        QCOMPARE(received[0][1].toByteArray(), QByteArray("hello"));
        QCOMPARE(received[2][0].toByteArray(), QByteArray("text/plain; charset=utf-8"));
        QCOMPARE(farEnd.size(), 3);
        QString heard;
        for (const auto &args : farEnd) {
            const auto e = args.first().value<dtmf::DigitEvent>();
            heard += QStringLiteral("%1 %2 %3;").arg(QChar::fromLatin1(e.digit), QString::fromLatin1(dtmf::modeName(e.mode)), QString::number(e.durationMs));
        }
        QCOMPARE(heard, QStringLiteral("5 rfc4733 120;# info 250;7 inband 90;"));
        // Bounded, and refused once the call is over.
        QVERIFY(!bob->only()->sendMessage("text/plain", QByteArray(phone::Call::kMaxMessageBytes + 1, 'x')));
        QSignalSpy ended(*call, &phone::Call::ended);
        (*call)->hangUp();
        QVERIFY(ended.wait(3000));
        QVERIFY(alice->center->calls().isEmpty() || !(*call)->sendMessage("text/plain", "late"));
    }

    void firstRequestHandlerSeesRequestsFirst()
    {
        // A registrar in front of the calls (the demo peer's) takes REGISTER; the rest go on as before.
        int seen = 0;
        alice->agent->setFirstRequestHandler([&seen](const sip::Message &m, sip::ServerTransaction *t) {
            if (m.method() != "REGISTER" || !t)
                return false;
            ++seen;
            t->respond(sip::makeResponse(m, 200, "OK", "r1"), 200);
            return true;
        });
        QUdpSocket probe;
        QVERIFY(probe.bind(QHostAddress::LocalHost, 0));
        const auto ask = [&probe, this](const QByteArray &method) {
            const QByteArray request = method + " sip:127.0.0.1 SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.1:" + QByteArray::number(probe.localPort())
                + ";branch=z9hG4bKfirst" + method + "\r\nMax-Forwards: 70\r\nFrom: <sip:demo@127.0.0.1>;tag=p1\r\nTo: <sip:demo@127.0.0.1>\r\n"
                + "Call-ID: first-" + method + "\r\nCSeq: 1 " + method + "\r\nContent-Length: 0\r\n\r\n";
            const sip::Endpoint to = alice->agent->localEndpoint();
            probe.writeDatagram(request, to.address, to.port);
            if (!QTest::qWaitFor([&probe] { return probe.hasPendingDatagrams(); }, 3000))
                return QByteArray();
            QByteArray answer(int(probe.pendingDatagramSize()), '\0');
            probe.readDatagram(answer.data(), answer.size());
            return answer;
        };
        QVERIFY(ask("REGISTER").startsWith("SIP/2.0 200"));
        QCOMPARE(seen, 1);
        QVERIFY(ask("PUBLISH").startsWith("SIP/2.0 405"));
        auto call = bob->center->dial(alice->uri()); // INVITEs still reach the calls
        QVERIFY(call && waitState(*call, phone::Call::State::Active));
        alice->agent->setFirstRequestHandler({});
    }

    void unknownTargetIsAClearError()
    {
        auto call = alice->center->dial(QStringLiteral("bob@example.invalid"));
        QVERIFY(!call);
        QVERIFY(call.error().contains(QLatin1String("IP host")));
        QVERIFY(!alice->center->dial(QStringLiteral("  ")));
        QVERIFY(!alice->center->dial(QStringLiteral("sip:")));
    }

    void optionsAndUnknownMethods_data()
    {
        QTest::addColumn<QByteArray>("method");
        QTest::addColumn<int>("status");
        QTest::newRow("OPTIONS") << QByteArray("OPTIONS") << 200; // RFC 3261 11.2: our capabilities
        QTest::newRow("SUBSCRIBE") << QByteArray("SUBSCRIBE") << 405;
        QTest::newRow("PUBLISH") << QByteArray("PUBLISH") << 405;
    }
    void optionsAndUnknownMethods()
    {
        QFETCH(QByteArray, method);
        QFETCH(int, status);
        QUdpSocket probe;
        QVERIFY(probe.bind(QHostAddress::LocalHost, 0));
        const QByteArray request = method + " sip:alice@127.0.0.1 SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.1:" + QByteArray::number(probe.localPort())
            + ";branch=z9hG4bKprobe" + method + "\r\nMax-Forwards: 70\r\nFrom: <sip:probe@127.0.0.1>;tag=p1\r\nTo: <sip:alice@127.0.0.1>\r\n"
            + "Call-ID: probe-" + method + "\r\nCSeq: 1 " + method + "\r\nContent-Length: 0\r\n\r\n";
        const sip::Endpoint to = alice->agent->localEndpoint();
        probe.writeDatagram(request, to.address, to.port);
        QTRY_VERIFY_WITH_TIMEOUT(probe.hasPendingDatagrams(), 3000);
        QByteArray answer(int(probe.pendingDatagramSize()), '\0');
        probe.readDatagram(answer.data(), answer.size());
        QVERIFY2(answer.startsWith("SIP/2.0 " + QByteArray::number(status)), answer.constData());
        QVERIFY2(answer.contains("\r\nAllow: INVITE, ACK, CANCEL, BYE, OPTIONS"), answer.constData());
        if (status == 200) {
            QVERIFY(answer.contains("\r\nContent-Type: application/sdp\r\n"));
            QVERIFY(answer.contains("\r\nm=audio 0 RTP/AVP 0 8 96")); // port 0: capabilities, not an offer
            QVERIFY(answer.contains("a=rtpmap:96 opus/48000/2"));
        }
    }

private:
    std::unique_ptr<media::MediaEngine> engine;
    std::unique_ptr<TestPhone> alice, bob, carol;
};

QTEST_GUILESS_MAIN(TestCallCenter)
#include "tst_call_center.moc"
