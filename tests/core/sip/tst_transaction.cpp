// Transactions: RFC 3261 17 timers A-K in simulated time over a loopback transport
// (STYLE.md 13, after PJSIP's tsx_uac_test.c).

#include "sip/parser.h"
#include "sip/transaction_layer.h"

#include <QTest>

using namespace ds::sip;

// A transport that records what is sent and lets the test deliver what "arrives".
class LoopbackTransport final : public Transport {
public:
    explicit LoopbackTransport(bool reliable)
        : m_reliable(reliable)
    {
    }
    TransportKind kind() const override { return m_reliable ? TransportKind::Tcp : TransportKind::Udp; }
    Endpoint localEndpoint() const override { return {QHostAddress(QStringLiteral("127.0.0.1")), 5060}; }
    void send(const QByteArray &bytes, const Endpoint &to) override
    {
        sentBytes.append(bytes);
        sentTimes.append(clock ? clock->nowMs() : 0);
        emit sent(bytes, to);
    }
    void close() override { }
    void deliver(const QByteArray &bytes)
    {
        auto m = Parser::parse(bytes);
        Q_ASSERT(m);
        emit received(*m, {QHostAddress(QStringLiteral("127.0.0.1")), 5070});
    }
    QList<QByteArray> sentBytes;
    QList<qint64> sentTimes;
    SimulatedClock *clock = nullptr;

private:
    bool m_reliable;
};

namespace {

const Endpoint kPeer {QHostAddress(QStringLiteral("127.0.0.1")), 5070};

QByteArray request(const QByteArray &method, const QByteArray &branch = "z9hG4bKtest1")
{
    return method + " sip:bob@127.0.0.1 SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.1:5060;branch=" + branch
        + "\r\nMax-Forwards: 70\r\nFrom: <sip:a@h>;tag=f\r\nTo: <sip:bob@h>\r\nCall-ID: call1\r\nCSeq: 1 " + method + "\r\nContent-Length: 0\r\n\r\n";
}

QByteArray response(int code, const QByteArray &method, const QByteArray &branch = "z9hG4bKtest1")
{
    return "SIP/2.0 " + QByteArray::number(code) + " X\r\nVia: SIP/2.0/UDP 127.0.0.1:5060;branch=" + branch
        + "\r\nFrom: <sip:a@h>;tag=f\r\nTo: <sip:bob@h>;tag=t\r\nCall-ID: call1\r\nCSeq: 1 " + method + "\r\nContent-Length: 0\r\n\r\n";
}

struct Fixture {
    explicit Fixture(bool reliable)
        : transport(reliable)
        , layer(transport, clock)
    {
        transport.clock = &clock;
        QObject::connect(&layer, &TransactionLayer::traced, [this](const TraceEvent &e) { trace.append(e); });
    }
    SimulatedClock clock;
    LoopbackTransport transport;
    TransactionLayer layer;
    QList<TraceEvent> trace;
    QList<int> responses;
    int timeouts = 0;

    ClientTransaction::Callbacks callbacks()
    {
        ClientTransaction::Callbacks cb;
        cb.response = [this](const Message &m) { responses.append(m.statusCode()); };
        cb.timeout = [this] { ++timeouts; };
        return cb;
    }
};

} // namespace

class TestTransaction : public QObject {
    Q_OBJECT
private slots:
    void nonInviteRetransmitsUntilTimerF()
    {
        Fixture f(false);
        QVERIFY(f.layer.request(request("REGISTER"), kPeer, f.callbacks()));
        f.clock.advance(64 * 500 + 1000);
        // Timer E: 0.5, 1, 2, then every T2 (4 s) until Timer F at 32 s.
        const QList<qint64> expected {0, 500, 1500, 3500, 7500, 11500, 15500, 19500, 23500, 27500, 31500};
        QCOMPARE(f.transport.sentTimes, expected);
        QCOMPARE(f.timeouts, 1);
        // The retransmissions are the same bytes (same branch), each in the trace.
        for (const QByteArray &b : f.transport.sentBytes)
            QCOMPARE(b, f.transport.sentBytes.first());
        QCOMPARE(f.trace.size(), expected.size());
    }

    void configurableTimers()
    {
        Fixture f(false);
        TimerConfig t;
        t.t1 = 100;
        t.t2 = 400;
        f.layer.setTimers(t);
        f.layer.request(request("OPTIONS"), kPeer, f.callbacks());
        f.clock.advance(7000);
        QCOMPARE(f.transport.sentTimes.mid(0, 6), (QList<qint64> {0, 100, 300, 700, 1100, 1500}));
        QCOMPARE(f.timeouts, 1);
        QCOMPARE(f.transport.sentTimes.last(), 6300); // last before Timer F at 6.4 s
    }

    void nonInviteProceedingAndCompleted()
    {
        Fixture f(false);
        auto *t = f.layer.request(request("REGISTER"), kPeer, f.callbacks());
        f.clock.advance(600); // one retransmission at 500
        f.transport.deliver(response(100, "REGISTER"));
        QCOMPARE(t->state(), ClientTransaction::State::Proceeding);
        f.clock.advance(4000); // Proceeding: Timer E fires at T2
        QCOMPARE(f.transport.sentTimes.last(), 4600);
        f.transport.deliver(response(200, "REGISTER"));
        QCOMPARE(f.responses, (QList<int> {100, 200}));
        QCOMPARE(t->state(), ClientTransaction::State::Completed);
        f.transport.deliver(response(200, "REGISTER")); // absorbed
        QCOMPARE(f.responses.size(), 2);
        const int sent = f.transport.sentBytes.size();
        f.clock.advance(5000 + 1000); // Timer K = T4, then the layer sweeps
        QCOMPARE(f.transport.sentBytes.size(), sent);
        QCOMPARE(f.layer.activeClientTransactions(), 0);
        QCOMPARE(f.timeouts, 0);
    }

    void reliableDoesNotRetransmit()
    {
        Fixture f(true);
        f.layer.request(request("REGISTER"), kPeer, f.callbacks());
        f.clock.advance(40000);
        QCOMPARE(f.transport.sentBytes.size(), 1);
        QCOMPARE(f.timeouts, 1); // Timer F still applies
    }

    void responseMatching()
    {
        Fixture f(false);
        int stray = 0;
        QObject::connect(&f.layer, &TransactionLayer::strayResponse, [&] { ++stray; });
        f.layer.request(request("REGISTER"), kPeer, f.callbacks());
        f.transport.deliver(response(200, "REGISTER", "z9hG4bKother")); // wrong branch
        f.transport.deliver(response(200, "OPTIONS")); // wrong method
        QCOMPARE(f.responses.size(), 0);
        QCOMPARE(stray, 2);
    }

    void inviteTimersAandB()
    {
        Fixture f(false);
        f.layer.request(request("INVITE"), kPeer, f.callbacks());
        f.clock.advance(40000);
        // Timer A doubles without a cap: 0, 0.5, 1.5, 3.5, 7.5, 15.5, 31.5; Timer B at 32 s.
        QCOMPARE(f.transport.sentTimes, (QList<qint64> {0, 500, 1500, 3500, 7500, 15500, 31500}));
        QCOMPARE(f.timeouts, 1);
    }

    void inviteNon2xxIsAcknowledged()
    {
        Fixture f(false);
        auto *t = f.layer.request(request("INVITE"), kPeer, f.callbacks());
        f.transport.deliver(response(180, "INVITE"));
        f.clock.advance(5000); // no retransmission after a provisional
        QCOMPARE(f.transport.sentBytes.size(), 1);
        f.transport.deliver(response(486, "INVITE"));
        QCOMPARE(t->state(), ClientTransaction::State::Completed);
        QCOMPARE(f.transport.sentBytes.size(), 2);
        auto ack = Parser::parse(f.transport.sentBytes.last());
        QVERIFY(ack);
        QCOMPARE(ack->method(), "ACK");
        QCOMPARE(ack->topViaBranch(), "z9hG4bKtest1");
        QCOMPARE(ack->cseqMethod(), "ACK");
        QVERIFY(ack->header(HeaderId::To).contains("tag=t"));
        f.transport.deliver(response(486, "INVITE")); // retransmitted final: ACK again
        QCOMPARE(f.transport.sentBytes.size(), 3);
        QCOMPARE(f.responses, (QList<int> {180, 486}));
        f.clock.advance(32000 + 1000); // Timer D
        QCOMPARE(f.layer.activeClientTransactions(), 0);
    }

    void nonInviteServerAbsorbsRetransmissions()
    {
        Fixture f(false);
        ServerTransaction *st = nullptr;
        QObject::connect(&f.layer, &TransactionLayer::requestReceived, [&](const Message &, ServerTransaction *s) { st = s; });
        f.transport.deliver(request("OPTIONS", "z9hG4bKsrv"));
        QVERIFY(st);
        st->respond(response(200, "OPTIONS", "z9hG4bKsrv"), 200);
        QCOMPARE(f.transport.sentBytes.size(), 1);
        ServerTransaction *again = nullptr;
        QObject::connect(&f.layer, &TransactionLayer::requestReceived, [&](const Message &, ServerTransaction *s) { again = s; });
        f.transport.deliver(request("OPTIONS", "z9hG4bKsrv"));
        QVERIFY(!again); // matched, not a new request
        QCOMPARE(f.transport.sentBytes.size(), 2); // the 200 again
        f.clock.advance(32000 + 1000); // Timer J
        QCOMPARE(f.layer.activeServerTransactions(), 0);
    }

    void inviteServerTimersGHI()
    {
        Fixture f(false);
        ServerTransaction *st = nullptr;
        QObject::connect(&f.layer, &TransactionLayer::requestReceived, [&](const Message &, ServerTransaction *s) { st = s; });
        f.transport.deliver(request("INVITE", "z9hG4bKinv"));
        QVERIFY(st);
        int ackTimeouts = 0;
        st->onAckTimeout = [&] { ++ackTimeouts; };
        st->respond(response(486, "INVITE", "z9hG4bKinv"), 486);
        f.clock.advance(40000);
        // Timer G: 0.5, 1, 2, 4, 4, ... capped at T2 until Timer H at 32 s.
        QCOMPARE(f.transport.sentTimes.mid(0, 6), (QList<qint64> {0, 500, 1500, 3500, 7500, 11500}));
        QCOMPARE(f.transport.sentTimes.last(), 31500);
        QCOMPARE(ackTimeouts, 1);
    }

    void inviteServerAckConfirms()
    {
        Fixture f(false);
        ServerTransaction *st = nullptr;
        QObject::connect(&f.layer, &TransactionLayer::requestReceived, [&](const Message &, ServerTransaction *s) {
            if (s)
                st = s;
        });
        f.transport.deliver(request("INVITE", "z9hG4bKinv2"));
        st->respond(response(603, "INVITE", "z9hG4bKinv2"), 603);
        f.clock.advance(600);
        QByteArray ack = request("ACK", "z9hG4bKinv2");
        f.transport.deliver(ack);
        QCOMPARE(st->state(), ServerTransaction::State::Confirmed);
        const int sent = f.transport.sentBytes.size();
        f.clock.advance(3000);
        QCOMPARE(f.transport.sentBytes.size(), sent); // G stopped
        f.clock.advance(5000 + 1000); // Timer I
        QCOMPARE(f.layer.activeServerTransactions(), 0);
    }

    void inviteServerAckWithItsOwnBranchConfirms()
    {
        // svwar ACKs a 404 with a new branch each time: known by Call-ID, From and CSeq instead, so
        // that the 404 is not sent again for 32 s (and ACKed again each time).
        Fixture f(false);
        ServerTransaction *st = nullptr;
        QObject::connect(&f.layer, &TransactionLayer::requestReceived, [&](const Message &, ServerTransaction *s) {
            if (s)
                st = s;
        });
        f.transport.deliver(request("INVITE", "z9hG4bK-scan1"));
        st->respond(response(404, "INVITE", "z9hG4bK-scan1"), 404);
        QByteArray otherCall = request("ACK", "z9hG4bK-scan2");
        otherCall.replace("Call-ID: call1", "Call-ID: call2");
        f.transport.deliver(otherCall);
        QCOMPARE(st->state(), ServerTransaction::State::Completed);
        f.transport.deliver(request("ACK", "z9hG4bK-scan3"));
        QCOMPARE(st->state(), ServerTransaction::State::Confirmed);
        f.clock.advance(40000);
        QCOMPARE(f.transport.sentBytes.size(), 1);
    }
};

QTEST_GUILESS_MAIN(TestTransaction)
#include "tst_transaction.moc"
