// FloodGuard and the transaction layer under a flood, in simulated time: a source past its budget
// is ignored and reported once when it starts and once when it stops; the registrar, answers to our
// own requests and our dialogs' requests always pass; the layer never holds more than its bound.

#include "loopback_transport.h"

#include "sip/flood_guard.h"
#include "sip/transaction_layer.h"

#include <QSignalSpy>
#include <QTest>

using namespace ds::sip;
using ds::sip::test::LoopbackTransport;

namespace {

const QHostAddress kScanner(QStringLiteral("192.0.2.66"));
const QHostAddress kRegistrar(QStringLiteral("192.0.2.1"));

QByteArray options(int n, const QByteArray &callId = {})
{
    const QByteArray id = callId.isEmpty() ? "scan" + QByteArray::number(n) : callId;
    return "OPTIONS sip:100@192.0.2.10 SIP/2.0\r\nVia: SIP/2.0/UDP 192.0.2.66:5060;branch=z9hG4bK" + QByteArray::number(n)
        + "\r\nMax-Forwards: 70\r\nFrom: <sip:100@192.0.2.66>;tag=s" + QByteArray::number(n) + "\r\nTo: <sip:100@192.0.2.10>\r\nCall-ID: " + id
        + "\r\nCSeq: 1 OPTIONS\r\nContent-Length: 0\r\n\r\n";
}

QByteArray bye(const QByteArray &callId)
{
    return "BYE sip:alice@192.0.2.10 SIP/2.0\r\nVia: SIP/2.0/UDP 192.0.2.66:5080;branch=z9hG4bKbye\r\nMax-Forwards: 70\r\nFrom: <sip:bob@192.0.2.66>;tag=b\r\n"
           "To: <sip:alice@192.0.2.10>;tag=a\r\nCall-ID: "
        + callId + "\r\nCSeq: 2 BYE\r\nContent-Length: 0\r\n\r\n";
}

struct Layer {
    SimulatedClock clock;
    LoopbackTransport transport {clock};
    TransactionLayer layer {transport, clock};
    int traced = 0;
    int requests = 0;
    QStringList reports;
    Layer()
    {
        QObject::connect(&layer, &TransactionLayer::traced, [this](const TraceEvent &e) {
            if (e.direction == TraceEvent::Direction::In)
                ++traced;
        });
        QObject::connect(&layer, &TransactionLayer::requestReceived, [this](const Message &m, ServerTransaction *t) {
            ++requests;
            if (t && m.method() != "ACK")
                t->respond("SIP/2.0 200 OK\r\nVia: " + m.header(HeaderId::Via).toByteArray() + "\r\nFrom: " + m.header(HeaderId::From).toByteArray()
                        + "\r\nTo: " + m.header(HeaderId::To).toByteArray() + ";tag=x\r\nCall-ID: " + m.callId().toByteArray()
                        + "\r\nCSeq: " + m.header(HeaderId::CSeq).toByteArray() + "\r\nContent-Length: 0\r\n\r\n",
                    200);
        });
        QObject::connect(&layer, &TransactionLayer::guardReport, [this](const QString &text) { reports << text; });
    }
};

} // namespace

class TestFloodGuard : public QObject {
    Q_OBJECT
private slots:
    void budgetThenIgnored_data();
    void budgetThenIgnored();
    void sustainedRateUnderBudgetPasses();
    void floodReportedOnceAndEndsWhenQuiet();
    void trustedSourceIsNeverLimited();
    void sourcesAreBounded();
    void layerIgnoresFloodWithoutTracing();
    void layerKeepsServingRegistrarAndDialog();
    void layerBoundsServerTransactions();
};

void TestFloodGuard::budgetThenIgnored_data()
{
    QTest::addColumn<int>("burst");
    QTest::addColumn<int>("sent");
    QTest::addColumn<int>("admitted");
    QTest::newRow("under") << 64 << 40 << 40;
    QTest::newRow("exactly") << 64 << 64 << 64;
    QTest::newRow("5000 at once") << 64 << 5000 << 64;
    QTest::newRow("small budget") << 3 << 10 << 3;
}

void TestFloodGuard::budgetThenIgnored()
{
    QFETCH(int, burst);
    QFETCH(int, sent);
    QFETCH(int, admitted);
    SimulatedClock clock;
    FloodGuard guard(clock, {.burst = burst, .perSecond = 20});
    int passed = 0;
    for (int i = 0; i < sent; ++i)
        passed += guard.admit(kScanner) ? 1 : 0;
    QCOMPARE(passed, admitted);
    QCOMPARE(guard.isFlooding(kScanner), sent > burst);
    QCOMPARE(guard.ignored(), quint64(sent - admitted));
}

void TestFloodGuard::sustainedRateUnderBudgetPasses()
{
    // A peer sending 10 messages a second for a minute (a busy direct call) is never cut off.
    SimulatedClock clock;
    FloodGuard guard(clock);
    for (int i = 0; i < 600; ++i) {
        QVERIFY2(guard.admit(kScanner), qPrintable(QStringLiteral("message %1 ignored").arg(i)));
        clock.advance(100);
    }
    QCOMPARE(guard.floodingSources(), 0);
}

void TestFloodGuard::floodReportedOnceAndEndsWhenQuiet()
{
    // 5,000 a second for 2 s: one report when the budget runs out, one when the source has been
    // quiet for quietMs, with the numbers a reader needs.
    SimulatedClock clock;
    FloodGuard guard(clock, {.burst = 64, .perSecond = 20, .quietMs = 3000});
    QList<FloodGuard::Report> reports;
    guard.onReport = [&](const FloodGuard::Report &r) { reports << r; };
    for (int i = 0; i < 10000; ++i) {
        guard.admit(kScanner);
        if (i % 5 == 4)
            clock.advance(1);
    }
    QCOMPARE(reports.size(), 1);
    QCOMPARE(reports[0].kind, FloodGuard::Report::Kind::Started);
    QCOMPARE(reports[0].source, kScanner);
    QCOMPARE(reports[0].messages, quint64(65));
    QVERIFY2(reports[0].text.startsWith(QStringLiteral("flood from 192.0.2.66: 65 requests in 0.01 s, ignoring until it stops")), qPrintable(reports[0].text));
    clock.advance(2998); // the last message came at 1999 ms
    QCOMPARE(reports.size(), 1);
    QVERIFY(guard.isFlooding(kScanner));
    clock.advance(1);
    QCOMPARE(reports.size(), 2);
    QCOMPARE(reports[1].kind, FloodGuard::Report::Kind::Ended);
    QCOMPARE(reports[1].messages, quint64(10000 - 64));
    QVERIFY2(reports[1].text.startsWith(QStringLiteral("flood from 192.0.2.66 stopped: ignored 9936 requests over 1.99 s")), qPrintable(reports[1].text));
    QVERIFY(!guard.isFlooding(kScanner));
    // It comes back: a full budget again, and a new report should it flood again.
    QVERIFY(guard.admit(kScanner));
    QCOMPARE(guard.trackedSources(), 1);
    QCOMPARE(clock.pending(), 0);
}

void TestFloodGuard::trustedSourceIsNeverLimited()
{
    SimulatedClock clock;
    FloodGuard guard(clock, {.burst = 4});
    guard.setTrusted({kRegistrar});
    for (int i = 0; i < 1000; ++i)
        QVERIFY(guard.admit(kRegistrar));
    // The same address written as IPv4-mapped IPv6 is the same host.
    QVERIFY(guard.admit(QHostAddress(QStringLiteral("::ffff:192.0.2.1"))));
    QCOMPARE(guard.trackedSources(), 0);
    QCOMPARE(guard.ignored(), quint64(0));
}

void TestFloodGuard::sourcesAreBounded()
{
    // Spoofed sources, each new: the table stays at its bound, and a flooding source is kept
    // over quiet ones so that it stays ignored.
    SimulatedClock clock;
    FloodGuard guard(clock, {.burst = 2, .quietMs = 1000000, .maxSources = 16});
    for (int i = 0; i < 3; ++i)
        guard.admit(kScanner);
    QVERIFY(guard.isFlooding(kScanner));
    for (quint32 i = 0; i < 10000; ++i) {
        guard.admit(QHostAddress(0x0a000000u + i));
        clock.advance(1);
    }
    QCOMPARE(guard.trackedSources(), 16);
    QVERIFY(guard.isFlooding(kScanner));
}

void TestFloodGuard::layerIgnoresFloodWithoutTracing()
{
    Layer l;
    for (int i = 0; i < 5000; ++i)
        l.transport.deliver(options(i), {kScanner, 5060});
    // The budget's worth was answered and traced; the rest was neither, and the log has one line.
    QCOMPARE(l.requests, 64);
    QCOMPARE(l.traced, 64);
    QCOMPARE(l.transport.responses(200).size(), 64);
    QCOMPARE(l.reports.size(), 1);
    QVERIFY2(l.reports[0].startsWith(QStringLiteral("flood from 192.0.2.66: 65 requests in")), qPrintable(l.reports[0]));
    QCOMPARE(l.layer.ignoredMessages(), quint64(5000 - 64));
    l.clock.advance(40000);
    QCOMPARE(l.reports.size(), 2);
    QCOMPARE(l.layer.activeServerTransactions(), 0);
}

void TestFloodGuard::layerKeepsServingRegistrarAndDialog()
{
    // The call's peer shares its address with the flood (one NAT): its BYE still gets through, as
    // does everything from the registrar and the answer to our own request.
    Layer l;
    l.layer.floodGuard().setTrusted({kRegistrar});
    l.layer.setDialogMatcher([](const Message &m) { return m.callId() == "our-call"; });
    ClientTransaction::Callbacks cb;
    int answered = 0;
    cb.response = [&](const Message &r) { answered += r.statusCode() == 200 ? 1 : 0; };
    QVERIFY(
        l.layer.request("OPTIONS sip:192.0.2.66 SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.1:5060;branch=z9hG4bKours\r\nMax-Forwards: 70\r\nFrom: <sip:a@h>;tag=1\r\n"
                        "To: <sip:192.0.2.66>\r\nCall-ID: ping\r\nCSeq: 1 OPTIONS\r\nContent-Length: 0\r\n\r\n",
            {kScanner, 5060}, cb));
    for (int i = 0; i < 1000; ++i)
        l.transport.deliver(options(i), {kScanner, 5060});
    QCOMPARE(l.requests, 64);
    l.transport.deliver("SIP/2.0 200 OK\r\nVia: SIP/2.0/UDP 127.0.0.1:5060;branch=z9hG4bKours\r\nFrom: <sip:a@h>;tag=1\r\nTo: <sip:192.0.2.66>;tag=2\r\n"
                        "Call-ID: ping\r\nCSeq: 1 OPTIONS\r\nContent-Length: 0\r\n\r\n",
        {kScanner, 5060});
    QCOMPARE(answered, 1);
    l.transport.deliver(bye("our-call"), {kScanner, 5080});
    QCOMPARE(l.requests, 65);
    l.transport.deliver(bye("not-ours"), {kScanner, 5080});
    QCOMPARE(l.requests, 65);
    for (int i = 0; i < 200; ++i)
        l.transport.deliver(options(10000 + i), {kRegistrar, 5060});
    QCOMPARE(l.requests, 265);
    QCOMPARE(l.reports.size(), 1);
}

void TestFloodGuard::layerBoundsServerTransactions()
{
    // Many sources, each within its budget (spoofed addresses): the layer holds at most its bound.
    Layer l;
    QObject::disconnect(&l.layer, &TransactionLayer::requestReceived, nullptr, nullptr); // never answered: they stay open
    int requests = 0;
    QObject::connect(&l.layer, &TransactionLayer::requestReceived, [&] { ++requests; });
    for (int i = 0; i < 2000; ++i)
        l.transport.deliver(options(i), {QHostAddress(0x0a000000u + quint32(i)), 5060});
    QCOMPARE(requests, TransactionLayer::kMaxServerTransactions);
    QCOMPARE(l.layer.activeServerTransactions(), TransactionLayer::kMaxServerTransactions);
    QCOMPARE(l.reports.size(), 1);
}

QTEST_GUILESS_MAIN(TestFloodGuard)
#include "tst_flood_guard.moc"
