// StreamTransport against servers that misbehave on purpose, over real loopback TCP: one that
// accepts and never answers the TLS handshake, one that sends endless headers, one that begins a
// message and stalls, one that announces a body over the limit. Each connection must be closed.

#include "sip/stream_transport.h"

#include <QSignalSpy>
#include <QTcpServer>
#include <QTcpSocket>
#include <QTest>

using namespace ds::sip;
using namespace std::chrono_literals;

namespace {

// A TCP server on loopback that accepts one connection and does what the test says with it.
struct Server {
    QTcpServer server;
    QTcpSocket *peer = nullptr;
    bool peerClosed = false;
    QByteArray received;
    Server()
    {
        if (!server.listen(QHostAddress::LocalHost))
            qFatal("cannot listen");
        QObject::connect(&server, &QTcpServer::newConnection, [this] {
            peer = server.nextPendingConnection();
            QObject::connect(peer, &QTcpSocket::disconnected, [this] { peerClosed = true; });
            QObject::connect(peer, &QTcpSocket::readyRead, [this] { received += peer->readAll(); });
        });
    }
    Endpoint endpoint() const { return {QHostAddress(QHostAddress::LocalHost), server.serverPort()}; }
};

// What the transport reported: failures and bytes that were not a message.
struct Reports {
    QList<TransportError> failed;
    QList<QPair<QByteArray, Error>> malformed;
    int received = 0;
    explicit Reports(Transport &t)
    {
        QObject::connect(&t, &Transport::received, [this] { ++received; });
        QObject::connect(&t, &Transport::failed, [this](const TransportError &e) { failed << e; });
        QObject::connect(&t, &Transport::malformed, [this](const QByteArray &b, const Error &e, const Endpoint &) { malformed.append({b, e}); });
    }
};

const QByteArray kOptions = "OPTIONS sip:127.0.0.1 SIP/2.0\r\nVia: SIP/2.0/TCP 127.0.0.1:5060;branch=z9hG4bK1\r\nMax-Forwards: 70\r\n"
                            "From: <sip:a@h>;tag=1\r\nTo: <sip:b@h>\r\nCall-ID: c\r\nCSeq: 1 OPTIONS\r\nContent-Length: 0\r\n\r\n";

} // namespace

class TestStreamTransport : public QObject {
    Q_OBJECT
private slots:
    void silentTlsServerIsDropped();
    void endlessHeadersAreCut();
    void stalledMessageIsCut();
    void bodyOverTheLimitIsRefused();
    void idleConnectionStaysOpen();
};

void TestStreamTransport::silentTlsServerIsDropped()
{
    // The server accepts TCP and never answers our ClientHello.
    Server s;
    StreamTransport t(TransportKind::Tls);
    t.setTimeouts(300ms, 300ms);
    Reports r(t);
    t.connectTo(s.endpoint());
    QTRY_VERIFY_WITH_TIMEOUT(r.failed.size() == 1, 10000);
    const TransportError e = r.failed.at(0);
    QCOMPARE(e.kind, TransportError::Kind::Tls);
    QVERIFY2(e.text.contains(QStringLiteral("no TLS handshake within 0.3 s")), qPrintable(e.text));
    QTRY_VERIFY_WITH_TIMEOUT(s.peerClosed, 10000);
    QVERIFY(!t.isConnected());
}

void TestStreamTransport::endlessHeadersAreCut()
{
    // A header section that never ends: closed once the framer's limit is reached, not grown.
    Server s;
    StreamTransport t(TransportKind::Tcp);
    QSignalSpy connected(&t, &StreamTransport::connectedToPeer);
    Reports r(t);
    t.connectTo(s.endpoint());
    QTRY_VERIFY_WITH_TIMEOUT(connected.size() == 1 && s.peer, 10000);
    s.peer->write("SIP/2.0 200 OK\r\n");
    const QByteArray line = "X-Endless: " + QByteArray(1000, 'a') + "\r\n";
    for (int i = 0; i < 400 && !s.peerClosed; ++i) {
        s.peer->write(line);
        s.peer->flush();
        QTest::qWait(1);
    }
    QTRY_VERIFY_WITH_TIMEOUT(s.peerClosed, 10000);
    QCOMPARE(r.received, 0);
    QCOMPARE(r.malformed.size(), 1);
    QVERIFY2(r.malformed.at(0).second.what.contains(QStringLiteral("without ending the header section")), qPrintable(r.malformed.at(0).second.what));
}

void TestStreamTransport::stalledMessageIsCut()
{
    // A message begun and never finished (slowloris): cut after the message timeout.
    Server s;
    StreamTransport t(TransportKind::Tcp);
    t.setTimeouts(2000ms, 300ms);
    QSignalSpy connected(&t, &StreamTransport::connectedToPeer);
    Reports r(t);
    t.connectTo(s.endpoint());
    QTRY_VERIFY_WITH_TIMEOUT(connected.size() == 1 && s.peer, 10000);
    s.peer->write("SIP/2.0 200 OK\r\nVia: SIP/2.0/TCP 127.0.0.1;branch=z9hG4bK1\r\n");
    QTRY_VERIFY_WITH_TIMEOUT(r.failed.size() == 1, 10000);
    QVERIFY2(r.failed.at(0).text.contains(QStringLiteral("did not end it within 0.3 s")), qPrintable(r.failed.at(0).text));
    QCOMPARE(r.malformed.size(), 1);
    QVERIFY(r.malformed.at(0).first.startsWith("SIP/2.0 200 OK"));
    QTRY_VERIFY_WITH_TIMEOUT(s.peerClosed, 10000);
}

void TestStreamTransport::bodyOverTheLimitIsRefused()
{
    Server s;
    StreamTransport t(TransportKind::Tcp);
    QSignalSpy connected(&t, &StreamTransport::connectedToPeer);
    Reports r(t);
    t.connectTo(s.endpoint());
    QTRY_VERIFY_WITH_TIMEOUT(connected.size() == 1 && s.peer, 10000);
    s.peer->write("SIP/2.0 200 OK\r\nVia: SIP/2.0/TCP 127.0.0.1;branch=z9hG4bK1\r\nContent-Length: 10000000\r\n\r\nxxxx");
    QTRY_VERIFY_WITH_TIMEOUT(s.peerClosed, 10000);
    QCOMPARE(r.malformed.size(), 1);
    QVERIFY2(r.malformed.at(0).second.what.contains(QStringLiteral("exceeds")), qPrintable(r.malformed.at(0).second.what));
}

void TestStreamTransport::idleConnectionStaysOpen()
{
    // A registrar that has nothing to say between refreshes is not a stalled message.
    Server s;
    StreamTransport t(TransportKind::Tcp);
    t.setTimeouts(300ms, 300ms);
    QSignalSpy connected(&t, &StreamTransport::connectedToPeer);
    Reports r(t);
    t.connectTo(s.endpoint());
    QTRY_VERIFY_WITH_TIMEOUT(connected.size() == 1 && s.peer, 10000);
    t.send(kOptions, s.endpoint());
    QTRY_VERIFY_WITH_TIMEOUT(s.received.endsWith("\r\n\r\n"), 10000);
    // A complete message and a keep-alive, then silence well past both timeouts.
    s.peer->write("SIP/2.0 200 OK\r\nVia: SIP/2.0/TCP 127.0.0.1;branch=z9hG4bK1\r\nContent-Length: 0\r\n\r\n\r\n\r\n");
    QTRY_VERIFY_WITH_TIMEOUT(r.received == 1, 10000);
    QTest::qWait(1000);
    QCOMPARE(r.failed.size(), 0);
    QVERIFY(t.isConnected());
    QVERIFY(!s.peerClosed);
}

QTEST_GUILESS_MAIN(TestStreamTransport)
#include "tst_stream_transport.moc"
