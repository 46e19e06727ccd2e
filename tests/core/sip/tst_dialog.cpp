// Dialog: creation on both sides, in-dialog requests, routing and CSeq rules of RFC 3261 12.

#include "sip/dialog.h"
#include "sip/parser.h"

#include <QTest>

using namespace ds::sip;

namespace {

Message parse(const QByteArray &text)
{
    auto m = Parser::parse(text);
    if (!m)
        qFatal("test message does not parse: %s", qPrintable(m.error().toString()));
    return *m;
}

const QByteArray invite = "INVITE sip:bob@b.example SIP/2.0\r\nVia: SIP/2.0/UDP a.example;branch=z9hG4bKa1\r\nMax-Forwards: 70\r\n"
                          "From: Alice <sip:alice@a.example>;tag=aT1\r\nTo: <sip:bob@b.example>\r\nCall-ID: c1@a\r\nCSeq: 10 INVITE\r\n"
                          "Contact: <sip:alice@192.0.2.1>\r\nContent-Length: 0\r\n\r\n";

QByteArray response(int code, QByteArrayView recordRoute, QByteArrayView contact = "<sip:bob@192.0.2.2>")
{
    return "SIP/2.0 " + QByteArray::number(code) + " X\r\nVia: SIP/2.0/UDP a.example;branch=z9hG4bKa1\r\n" + recordRoute.toByteArray()
        + "From: Alice <sip:alice@a.example>;tag=aT1\r\nTo: <sip:bob@b.example>;tag=bT2\r\nCall-ID: c1@a\r\nCSeq: 10 INVITE\r\nContact: "
        + contact.toByteArray() + "\r\nContent-Length: 0\r\n\r\n";
}

} // namespace

class TestDialog : public QObject {
    Q_OBJECT
private slots:
    void uacLooseRouting()
    {
        const Message req = parse(invite);
        const QByteArray rr = "Record-Route: <sip:p2.example;lr>\r\nRecord-Route: <sip:p1.example;lr>\r\n";
        auto d = Dialog::createUac(req, parse(response(180, rr)));
        QVERIFY(d);
        QCOMPARE(d->state(), Dialog::State::Early);
        QCOMPARE(d->localTag(), "aT1");
        QCOMPARE(d->remoteTag(), "bT2");
        QCOMPARE(d->callId(), "c1@a");
        QCOMPARE(d->localCseq(), 10u);
        QCOMPARE(d->remoteCseq(), 0u);
        QVERIFY(!d->secure());
        d->receiveResponse(parse(response(200, rr)));
        QCOMPARE(d->state(), Dialog::State::Confirmed);
        // Reversed: the proxy nearest to us first.
        QCOMPARE(d->routeSet(), (QList<QByteArray> {"<sip:p1.example;lr>", "<sip:p2.example;lr>"}));

        auto bye = parse(d->makeRequest("BYE", "SIP/2.0/UDP a.example", "z9hG4bKb1"));
        QCOMPARE(bye.method(), "BYE");
        QCOMPARE(bye.requestUri(), "sip:bob@192.0.2.2");
        QCOMPARE(bye.values(HeaderId::Route), (QList<QByteArrayView> {"<sip:p1.example;lr>", "<sip:p2.example;lr>"}));
        QCOMPARE(bye.header(HeaderId::CSeq), "11 BYE");
        QCOMPARE(bye.header(HeaderId::From), "\"Alice\" <sip:alice@a.example>;tag=aT1");
        QCOMPARE(bye.header(HeaderId::To), "<sip:bob@b.example>;tag=bT2");
        QCOMPARE(bye.header(HeaderId::MaxForwards), "70");
        QCOMPARE(bye.topViaBranch(), "z9hG4bKb1");
        QVERIFY(!bye.hasHeader(HeaderId::Contact)); // BYE is no target refresh
    }

    void uacDirect2xxConfirmedAndSips()
    {
        QByteArray text = invite;
        text.replace("INVITE sip:bob@b.example", "INVITE sips:bob@b.example");
        auto d = Dialog::createUac(parse(text), parse(response(200, {})));
        QVERIFY(d);
        QCOMPARE(d->state(), Dialog::State::Confirmed);
        QVERIFY(d->secure());
        QVERIFY(d->routeSet().isEmpty());
        QVERIFY(!Dialog::createUac(parse(invite), parse(response(100, {})))); // 100 creates nothing
    }

    void strictRouting()
    {
        // p1 (nearest) is a strict router: no ;lr.
        const QByteArray rr = "Record-Route: <sip:p2.example;lr>, <sip:p1.example>\r\n";
        auto d = Dialog::createUac(parse(invite), parse(response(200, rr)));
        QVERIFY(d);
        auto bye = parse(d->makeRequest("BYE", "SIP/2.0/UDP a.example", "z9hG4bKb2"));
        QCOMPARE(bye.requestUri(), "sip:p1.example");
        QCOMPARE(bye.values(HeaderId::Route), (QList<QByteArrayView> {"<sip:p2.example;lr>", "<sip:bob@192.0.2.2>"}));
    }

    void uasFromInvite()
    {
        QByteArray text = invite;
        text.replace("Max-Forwards: 70\r\n", "Max-Forwards: 68\r\nRecord-Route: <sip:p2.example;lr>, <sip:p1.example;lr>\r\n");
        auto d = Dialog::createUas(parse(text), "bT2", "<sip:bob@192.0.2.2>", true);
        QVERIFY(d);
        QVERIFY(!d->isUac());
        QCOMPARE(d->localTag(), "bT2");
        QCOMPARE(d->remoteTag(), "aT1");
        QCOMPARE(d->remoteCseq(), 10u);
        QCOMPARE(d->localCseq(), 0u);
        QCOMPARE(d->remoteTarget().toString(), "sip:alice@192.0.2.1");
        QCOMPARE(d->routeSet(), (QList<QByteArray> {"<sip:p2.example;lr>", "<sip:p1.example;lr>"})); // in order
        auto bye = parse(d->makeRequest("BYE", "SIP/2.0/UDP b.example", "z9hG4bKu1"));
        QCOMPARE(bye.requestUri(), "sip:alice@192.0.2.1");
        QCOMPARE(bye.values(HeaderId::Route).first(), "<sip:p2.example;lr>");
        QCOMPARE(bye.header(HeaderId::From), "<sip:bob@b.example>;tag=bT2");
        QCOMPARE(bye.header(HeaderId::To), "\"Alice\" <sip:alice@a.example>;tag=aT1");
        QCOMPARE(bye.cseqNumber(), 1u);
        QVERIFY(d->matchesRequest(bye) == false); // our own request is not an incoming one
        QVERIFY(d->matchesResponse(bye));
    }

    void cseqIncrementsAndAckReusesInvite()
    {
        auto d = Dialog::createUac(parse(invite), parse(response(200, {})));
        QVERIFY(d);
        auto ack = parse(d->makeAck(10, "SIP/2.0/UDP a.example", "z9hG4bKack"));
        QCOMPARE(ack.header(HeaderId::CSeq), "10 ACK");
        QCOMPARE(ack.topViaBranch(), "z9hG4bKack"); // its own transaction
        QCOMPARE(ack.requestUri(), "sip:bob@192.0.2.2");
        auto info = parse(d->makeRequest("INFO", "SIP/2.0/UDP a.example", "z9hG4bKi", {}, "Signal=1\r\n", "application/dtmf-relay"));
        QCOMPARE(info.cseqNumber(), 11u);
        QCOMPARE(info.header(HeaderId::ContentType), "application/dtmf-relay");
        QCOMPARE(info.body(), "Signal=1\r\n");
        auto reinvite = parse(d->makeRequest("INVITE", "SIP/2.0/UDP a.example", "z9hG4bKr"));
        QCOMPARE(reinvite.cseqNumber(), 12u);
        QCOMPARE(reinvite.header(HeaderId::Contact), "<sip:alice@192.0.2.1>"); // target refresh
        auto ack2 = parse(d->makeAck(12, "SIP/2.0/UDP a.example", "z9hG4bKack2"));
        QCOMPARE(ack2.cseqNumber(), 12u);
        QCOMPARE(d->localCseq(), 12u);
    }

    void outOfOrderRemoteCseqRejected()
    {
        auto d = Dialog::createUas(parse(invite), "bT2", "<sip:bob@192.0.2.2>", true);
        QVERIFY(d);
        QByteArray info = invite;
        info.replace("INVITE sip:bob@b.example", "INFO sip:bob@192.0.2.2").replace("CSeq: 10 INVITE", "CSeq: 12 INFO");
        info.replace("To: <sip:bob@b.example>", "To: <sip:bob@b.example>;tag=bT2");
        QVERIFY(d->receiveRequest(parse(info)));
        QCOMPARE(d->remoteCseq(), 12u);
        QByteArray old = info;
        old.replace("CSeq: 12 INFO", "CSeq: 11 INFO");
        auto r = d->receiveRequest(parse(old));
        QVERIFY(!r);
        QCOMPARE(r.error().status, 500);
        QCOMPARE(r.error().reason, "Server Internal Error");
        QCOMPARE(d->remoteCseq(), 12u);
    }

    void reinviteUpdatesTarget()
    {
        auto d = Dialog::createUas(parse(invite), "bT2", "<sip:bob@192.0.2.2>", true);
        QVERIFY(d);
        QByteArray re = invite;
        re.replace("CSeq: 10 INVITE", "CSeq: 11 INVITE").replace("<sip:alice@192.0.2.1>", "<sip:alice@198.51.100.7:5070>");
        re.replace("To: <sip:bob@b.example>", "To: <sip:bob@b.example>;tag=bT2");
        const Message m = parse(re);
        QVERIFY(d->matchesRequest(m));
        QVERIFY(d->receiveRequest(m));
        QCOMPARE(d->remoteTarget().toString(), "sip:alice@198.51.100.7:5070");
        // INFO is no target refresh: its Contact is ignored.
        QByteArray info = re;
        info.replace("INVITE sip:bob", "INFO sip:bob").replace("CSeq: 11 INVITE", "CSeq: 12 INFO").replace("198.51.100.7:5070", "203.0.113.9");
        QVERIFY(d->receiveRequest(parse(info)));
        QCOMPARE(d->remoteTarget().toString(), "sip:alice@198.51.100.7:5070");
    }

    void matching_data()
    {
        QTest::addColumn<QByteArray>("callId");
        QTest::addColumn<QByteArray>("local");
        QTest::addColumn<QByteArray>("remote");
        QTest::addColumn<bool>("match");
        QTest::newRow("same") << QByteArray("c1@a") << QByteArray("aT1") << QByteArray("bT2") << true;
        QTest::newRow("tags swapped") << QByteArray("c1@a") << QByteArray("bT2") << QByteArray("aT1") << false;
        QTest::newRow("local tag case") << QByteArray("c1@a") << QByteArray("AT1") << QByteArray("bT2") << false;
        QTest::newRow("remote tag case") << QByteArray("c1@a") << QByteArray("aT1") << QByteArray("bt2") << false;
        QTest::newRow("call-id case") << QByteArray("C1@a") << QByteArray("aT1") << QByteArray("bT2") << false;
        QTest::newRow("other call") << QByteArray("c2@a") << QByteArray("aT1") << QByteArray("bT2") << false;
    }
    void matching()
    {
        QFETCH(QByteArray, callId);
        QFETCH(QByteArray, local);
        QFETCH(QByteArray, remote);
        QFETCH(bool, match);
        auto d = Dialog::createUac(parse(invite), parse(response(200, {})));
        QVERIFY(d);
        QCOMPARE(d->matches(callId, local, remote), match);
    }

    void responsesAndTermination()
    {
        auto d = Dialog::createUac(parse(invite), parse(response(200, {})));
        QVERIFY(d);
        QVERIFY(d->matchesResponse(parse(response(200, {}))));
        QByteArray r481 = response(481, {});
        r481.replace("CSeq: 10 INVITE", "CSeq: 11 BYE");
        d->receiveResponse(parse(r481));
        QCOMPARE(d->state(), Dialog::State::Terminated);
    }
};

QTEST_GUILESS_MAIN(TestDialog)
#include "tst_dialog.moc"
