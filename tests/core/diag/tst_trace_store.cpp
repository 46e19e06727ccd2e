// TraceStore: raw bytes kept exactly, Call-IDs interned, transactions linked as messages arrive
// (RFC 3261 17), checked message by message against the flows in tests/data/ladder.

#include "ladder_flow.h"

#include "diag/trace_store.h"
#include "sip/parser.h"

#include <QRandomGenerator>
#include <QTest>

using namespace ds::diag;
using ds::test::Flow;
using ds::test::FlowLink;
using ds::test::FlowMessage;

namespace {

const NetAddress kA = *ds::test::flowAddress(u"192.0.2.101:5060");
const NetAddress kB = *ds::test::flowAddress(u"192.0.2.201:5060");
constexpr qint64 kT0 = ds::test::kFlowEpochUs;

QByteArray request(
    const QByteArray &method, const QByteArray &callId, const QByteArray &branch, int cseq, const QByteArray &extra = {}, const QByteArray &body = {})
{
    QByteArray m = method + " sip:bob@biloxi.example.com SIP/2.0\r\nVia: SIP/2.0/UDP 192.0.2.101:5060;branch=" + branch
        + "\r\nMax-Forwards: 70\r\nFrom: Alice <sip:alice@atlanta.example.com>;tag=1928301774\r\nTo: Bob <sip:bob@biloxi.example.com>\r\nCall-ID: " + callId
        + "\r\nCSeq: " + QByteArray::number(cseq) + ' ' + method + "\r\n" + extra;
    if (!body.isEmpty())
        m += "Content-Type: application/octet-stream\r\n";
    return m + "Content-Length: " + QByteArray::number(body.size()) + "\r\n\r\n" + body;
}

QByteArray response(
    const QByteArray &status, const QByteArray &method, const QByteArray &callId, const QByteArray &branch, int cseq, const QByteArray &extra = {})
{
    return "SIP/2.0 " + status + "\r\nVia: SIP/2.0/UDP 192.0.2.101:5060;branch=" + branch
        + "\r\nFrom: Alice <sip:alice@atlanta.example.com>;tag=1928301774\r\nTo: Bob <sip:bob@biloxi.example.com>;tag=a6c85cf\r\nCall-ID: " + callId
        + "\r\nCSeq: " + QByteArray::number(cseq) + ' ' + method + "\r\n" + extra + "Content-Length: 0\r\n\r\n";
}

QString describe(const TraceStore &s, quint32 i)
{
    const MessageRecord &r = s.record(i);
    return QStringLiteral("F%1 \"%2\" related=%3 flags=%4 timer=%5")
        .arg(i + 1)
        .arg(QString::fromUtf8(s.firstLine(i)))
        .arg(r.related == kNoMessage ? QStringLiteral("none") : QStringLiteral("F%1").arg(r.related + 1))
        .arg(r.flags)
        .arg(r.timer ? QString(QLatin1Char(r.timer)) : QStringLiteral("-"));
}

} // namespace

class TestTraceStore : public QObject {
    Q_OBJECT
private slots:
    void recordIsTheBudget()
    {
        QCOMPARE(sizeof(MessageRecord), size_t(64));
        TraceStore s;
        QVERIFY(s.isEmpty());
        QCOMPARE(s.rawBytes(), quint64(0));
    }

    // Every flow: the bytes come back exactly, every message parses (the data is consistent:
    // Content-Length counts the CRLF body), and every link the flow file states is the one made.
    void flowLinks_data()
    {
        QTest::addColumn<QString>("flow");
        for (const QString &name : ds::test::flowNames())
            QTest::newRow(qPrintable(name)) << name;
    }
    void flowLinks()
    {
        QFETCH(QString, flow);
        const auto f = ds::test::loadFlow(flow);
        QVERIFY2(f, qPrintable(f.error()));
        TraceStore s;
        ds::test::feedAll(s, *f);
        QCOMPARE(s.size(), quint32(f->messages.size()));
        quint64 bytes = 0;
        for (quint32 i = 0; i < s.size(); ++i) {
            const FlowMessage &m = f->messages[qsizetype(i)];
            const MessageRecord &r = s.record(i);
            const QString what = describe(s, i);
            bytes += quint64(m.raw.size());
            QCOMPARE(s.raw(i).toByteArray(), m.raw);
            QVERIFY2(!r.is(MessageRecord::Malformed), qPrintable(what));
            const auto parsed = ds::sip::Parser::parse(m.raw, ds::sip::Framing::Stream);
            QVERIFY2(parsed, qPrintable(what));
            QCOMPARE(parsed->contentLength(), qint64(parsed->body().size()));
            QCOMPARE(parsed->body().data() + parsed->body().size(), parsed->raw().constData() + parsed->raw().size());
            QCOMPARE(r.is(MessageRecord::Request), parsed->isRequest());
            QCOMPARE(r.cseq, parsed->cseqNumber());
            QCOMPARE(s.callId(r.call), parsed->callId());

            const FlowLink &want = m.link;
            QCOMPARE(r.is(MessageRecord::Retransmission), want.kind == FlowLink::Retransmits);
            QCOMPARE(r.is(MessageRecord::AuthRetry), want.kind == FlowLink::Retries);
            QVERIFY2(r.related == want.target, qPrintable(what));
            QVERIFY2(r.timer == want.timer, qPrintable(what));
            switch (want.kind) {
            case FlowLink::None:
                break;
            case FlowLink::Answers:
                QVERIFY(!r.is(MessageRecord::Request));
                QVERIFY(s.record(r.related).is(MessageRecord::Request));
                QCOMPARE(s.record(r.related).method, r.method);
                break;
            case FlowLink::Retransmits:
                QCOMPARE(s.raw(i).toByteArray(), s.raw(r.related).toByteArray());
                QVERIFY(!s.record(r.related).is(MessageRecord::Retransmission));
                break;
            case FlowLink::Acks:
                QCOMPARE(s.methodName(r.method), "ACK");
                QCOMPARE(s.methodName(s.record(r.related).method), "INVITE");
                QCOMPARE(s.record(r.related).cseq, r.cseq);
                break;
            case FlowLink::Cancels:
                QCOMPARE(s.methodName(r.method), "CANCEL");
                QCOMPARE(s.methodName(s.record(r.related).method), "INVITE");
                break;
            case FlowLink::Retries:
                QVERIFY(r.is(MessageRecord::HasAuthorization));
                QVERIFY(s.record(r.related).status == 401 || s.record(r.related).status == 407);
                QVERIFY(s.record(r.related).cseq < r.cseq);
                break;
            }
        }
        QCOMPARE(s.rawBytes(), bytes);
    }

    // The index fields of one record, from RFC 3665 2.1 (whose Via is folded in F2 and F4).
    void recordFields()
    {
        const auto f = ds::test::loadFlow(QStringLiteral("rfc3665-2.1-registration"));
        QVERIFY2(f, qPrintable(f.error()));
        TraceStore s;
        ds::test::feedAll(s, *f);
        QCOMPARE(s.endpointCount(), quint32(2));
        QCOMPARE(s.endpoint(0), f->messages[0].src);
        QCOMPARE(s.endpoint(1), f->messages[0].dst);
        const MessageRecord &f2 = s.record(1);
        QCOMPARE(f2.status, quint16(401));
        QCOMPARE(s.methodName(f2.method), "REGISTER");
        QCOMPARE(f2.cseq, 1u);
        QCOMPARE(f2.src, 1u);
        QCOMPARE(f2.dst, 0u);
        QCOMPARE(f2.transport, quint8(ds::sip::TransportKind::Tls));
        QCOMPARE(f2.timeUs, kT0 + 21000);
        QCOMPARE(f2.frame, 2u);
        QCOMPARE(s.field(1, f2.branch), "z9hG4bKnashds7"); // the Via value is folded: the branch is still found
        QCOMPARE(s.field(1, f2.fromTag), "a73kszlfl");
        QCOMPARE(s.field(1, f2.toTag), "1410948204");
        QCOMPARE(s.field(0, s.record(0).toTag), "");
        QCOMPARE(s.firstLine(1), "SIP/2.0 401 Unauthorized");
        QVERIFY(!s.record(0).is(MessageRecord::HasAuthorization));
        QVERIFY(s.record(2).is(MessageRecord::HasAuthorization));
        QVERIFY(!s.record(0).is(MessageRecord::Directional));
        const auto parsed = s.parse(3);
        QVERIFY(parsed);
        QCOMPARE(parsed->statusCode(), 200);
        QCOMPARE(parsed->raw().constData(), s.raw(3).data()); // parsed in place, not copied

        const auto call = s.findCall("1j9FpLxk3uxtm8tn@biloxi.example.com");
        QVERIFY(call);
        const CallRecord &c = s.call(*call);
        QCOMPARE(c.messages, 4u);
        QCOMPARE(c.firstMessage, 0u);
        QCOMPARE(c.lastMessage, 3u);
        QCOMPARE(s.methodName(c.firstMethod), "REGISTER");
        QCOMPARE(c.lastChallenge, kNoMessage); // answered by F3, then F4 is a 200
    }

    void sdpFlag()
    {
        const auto f = ds::test::loadFlow(QStringLiteral("rfc3665-3.2-call-through-proxy"));
        QVERIFY2(f, qPrintable(f.error()));
        TraceStore s;
        ds::test::feedAll(s, *f);
        QList<int> withSdp;
        for (quint32 i = 0; i < s.size(); ++i)
            if (s.record(i).is(MessageRecord::HasSdp))
                withSdp << int(i + 1);
        QCOMPARE(withSdp, (QList<int> {1, 4, 6, 9, 10}));
        const CallRecord &c = s.call(0);
        QCOMPARE(c.inviteStatus, quint16(200)); // the 407 does not count as the INVITE's outcome
        QVERIFY(c.byeSeen);
        QVERIFY(!c.cancelSeen);
        QCOMPARE(c.lastInvite, 5u); // F6, the proxy's INVITE to Bob
    }

    // Our own trace: the direction is known, local and remote are mapped to source/destination.
    void ownTrace()
    {
        TraceStore s;
        ds::sip::TraceEvent out;
        out.direction = ds::sip::TraceEvent::Direction::Out;
        out.time = QDateTime::fromMSecsSinceEpoch(kT0 / 1000 + 1234, Qt::UTC);
        out.local = kA.toEndpoint();
        out.remote = kB.toEndpoint();
        out.raw = request("OPTIONS", "own-1", "z9hG4bKo1", 1);
        ds::sip::TraceEvent in = out;
        in.direction = ds::sip::TraceEvent::Direction::In;
        in.raw = response("200 OK", "OPTIONS", "own-1", "z9hG4bKo1", 1);
        in.time = in.time.addMSecs(20);
        QCOMPARE(s.append(out), 0u);
        QCOMPARE(s.append(in), 1u);
        const MessageRecord &a = s.record(0), &b = s.record(1);
        QVERIFY(a.is(MessageRecord::Directional) && a.is(MessageRecord::Outgoing));
        QVERIFY(b.is(MessageRecord::Directional) && !b.is(MessageRecord::Outgoing));
        QCOMPARE(s.endpoint(a.src), kA);
        QCOMPARE(s.endpoint(a.dst), kB);
        QCOMPARE(b.src, a.dst);
        QCOMPARE(b.dst, a.src);
        QCOMPARE(a.timeUs, kT0 + 1234000);
        QCOMPARE(b.timeUs - a.timeUs, qint64(20000));
        QCOMPARE(b.related, 0u);
        QCOMPARE(a.frame, 0u);
        QCOMPARE(s.endpoint(a.src).toEndpoint(), kA.toEndpoint());
    }

    void ipv6Endpoints()
    {
        TraceStore s;
        const NetAddress v6 = *ds::test::flowAddress(u"[2001:db8::1]:5060");
        QVERIFY(v6.v6);
        QVERIFY(!kA.v6);
        s.append(kT0, ds::sip::TransportKind::Udp, v6, kA, request("OPTIONS", "v6", "z9hG4bKv6", 1), 1);
        QCOMPARE(s.endpoint(s.record(0).src), v6);
        QCOMPARE(s.endpoint(s.record(0).src).toEndpoint().toString(), QStringLiteral("[2001:db8::1]:5060"));
        QCOMPARE(s.endpoint(s.record(0).dst).toEndpoint().toString(), QStringLiteral("192.0.2.101:5060"));
    }

    // Many messages of all sizes, one over 1 MiB and one over the 4 MiB arena chunk, crossing
    // chunk boundaries many times: every byte comes back, the early ones too (the arena never moves).
    void rawRoundTrip()
    {
        TraceStore s;
        QList<QByteArray> sent;
        QRandomGenerator rng(3665);
        auto add = [&](const QByteArray &raw, ds::sip::TransportKind t = ds::sip::TransportKind::Udp) {
            QCOMPARE(s.append(kT0 + sent.size() * 1000, t, kA, kB, raw, quint32(sent.size())), quint32(sent.size()));
            sent << raw;
        };
        for (int i = 0; i < 4000; ++i) {
            QByteArray body(qsizetype(rng.bounded(0, 6000)), Qt::Uninitialized);
            for (char &c : body)
                c = char(rng.bounded(256)); // NULs, CR and LF included
            add(request("MESSAGE", "rt-" + QByteArray::number(i % 97), "z9hG4bKrt" + QByteArray::number(i), i + 1, {}, body));
            if (i == 1000) {
                QByteArray big(1536 * 1024 + 7, 'x');
                big[0] = '\0';
                add(request("MESSAGE", "big-1", "z9hG4bKbig1", 1, {}, big), ds::sip::TransportKind::Tcp);
            }
            if (i == 2500)
                add(request("MESSAGE", "big-2", "z9hG4bKbig2", 1, {}, QByteArray(5 * 1024 * 1024, 'y')), ds::sip::TransportKind::Tcp);
            if (i == 3000)
                add(QByteArray()); // an empty datagram is kept too (as malformed)
        }
        quint64 bytes = 0;
        for (qsizetype i = 0; i < sent.size(); ++i) {
            bytes += quint64(sent[i].size());
            const QByteArrayView got = s.raw(quint32(i));
            QVERIFY2(got.size() == sent[i].size() && std::memcmp(got.data(), sent[i].constData(), size_t(got.size())) == 0, qPrintable(QString::number(i)));
        }
        QCOMPARE(s.rawBytes(), bytes);
        QVERIFY(bytes > 16 * 1024 * 1024); // four arena chunks at least
        const auto big = s.findCall("big-1");
        QVERIFY(big);
        QVERIFY(!s.record(s.call(*big).firstMessage).is(MessageRecord::Malformed));
        QCOMPARE(s.record(s.call(*big).firstMessage).rawLength, quint32(sent[qsizetype(s.call(*big).firstMessage)].size()));
        QVERIFY(s.record(3003).is(MessageRecord::Malformed));
        QCOMPARE(s.callCount(), quint32(97 + 3));
    }

    // Call-IDs are interned once, compared case-sensitively (RFC 3261 20.8), compact form "i" too.
    void callInterning()
    {
        TraceStore s;
        s.append(kT0, ds::sip::TransportKind::Udp, kA, kB, request("INVITE", "a84b4c76e66710@pc33.atlanta.com", "z9hG4bK1", 1), 1);
        s.append(kT0 + 1, ds::sip::TransportKind::Udp, kA, kB, request("OPTIONS", "other@h", "z9hG4bK2", 1), 2);
        s.append(kT0 + 2, ds::sip::TransportKind::Udp, kB, kA, response("180 Ringing", "INVITE", "a84b4c76e66710@pc33.atlanta.com", "z9hG4bK1", 1), 3);
        QByteArray compact = request("BYE", "a84b4c76e66710@pc33.atlanta.com", "z9hG4bK3", 2);
        compact.replace("Call-ID: ", "i:  ");
        s.append(kT0 + 3, ds::sip::TransportKind::Udp, kA, kB, compact, 4);
        s.append(kT0 + 4, ds::sip::TransportKind::Udp, kA, kB, request("OPTIONS", "A84B4C76E66710@PC33.ATLANTA.COM", "z9hG4bK4", 1), 5);
        QCOMPARE(s.callCount(), 3u);
        QCOMPARE(s.record(0).call, 0u);
        QCOMPARE(s.record(1).call, 1u);
        QCOMPARE(s.record(2).call, 0u);
        QCOMPARE(s.record(3).call, 0u);
        QCOMPARE(s.record(4).call, 2u);
        QCOMPARE(s.callId(0), "a84b4c76e66710@pc33.atlanta.com");
        QCOMPARE(s.callId(2), "A84B4C76E66710@PC33.ATLANTA.COM");
        QCOMPARE(s.findCall("other@h"), std::optional<quint32>(1));
        QVERIFY(!s.findCall("nobody@h"));
        QCOMPARE(s.call(0).messages, 3u);
        QCOMPARE(s.call(0).firstMessage, 0u);
        QCOMPARE(s.call(0).lastMessage, 3u);
        QCOMPARE(s.methodName(s.call(0).firstMethod), "INVITE");
        QCOMPARE(s.methodName(s.call(1).firstMethod), "OPTIONS");
        QCOMPARE(s.findMethod("BYE"), std::optional<quint16>(s.record(3).method));
        QVERIFY(!s.findMethod("SUBSCRIBE"));
    }

    // Bytes that do not parse are kept exactly, flagged, and shown in their call when a Call-ID
    // can be read (long or compact form), else in one "(malformed)" group.
    void malformed_data()
    {
        QTest::addColumn<QByteArray>("raw");
        QTest::addColumn<QString>("call");
        const QByteArray ok = request("INVITE", "mf-1@h", "z9hG4bKm", 1);
        QTest::newRow("truncated body") << QByteArray(ok).replace("Content-Length: 0", "Content-Length: 480") << "mf-1@h";
        QTest::newRow("header without colon") << QByteArray(ok).replace("Max-Forwards: 70", "Max-Forwards 70") << "mf-1@h";
        QTest::newRow("bad status code") << response("2000 OK", "INVITE", "mf-1@h", "z9hG4bKm", 1) << "mf-1@h";
        QTest::newRow("compact call-id") << QByteArray(ok).replace("Call-ID: mf-1@h", "i:mf-1@h").replace("Max-Forwards: 70", "Max-Forwards 70") << "mf-1@h";
        QTest::newRow("no call-id") << QByteArray("INVITE sip:bob@h SIP/2.0\r\nVia SIP/2.0/UDP h\r\n\r\n") << "(malformed)";
        QTest::newRow("garbage") << QByteArray("\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03", 11) << "(malformed)";
        QTest::newRow("empty") << QByteArray() << "(malformed)";
    }
    void malformed()
    {
        QFETCH(QByteArray, raw);
        QFETCH(QString, call);
        TraceStore s;
        s.append(kT0, ds::sip::TransportKind::Udp, kA, kB, request("INVITE", "mf-1@h", "z9hG4bKm", 1), 1);
        const quint32 i = s.append(kT0 + 1000, ds::sip::TransportKind::Udp, kB, kA, raw, 2);
        const MessageRecord &r = s.record(i);
        QVERIFY(r.is(MessageRecord::Malformed));
        QCOMPARE(s.raw(i).toByteArray(), raw);
        QCOMPARE(QString::fromUtf8(s.callId(r.call)), call);
        QCOMPARE(r.related, kNoMessage);
        QCOMPARE(s.call(r.call).lastMessage, i);
        QCOMPARE(s.call(r.call).messages, call == QLatin1String("mf-1@h") ? 2u : 1u);
        // A well-formed message after it still links normally.
        const quint32 j = s.append(kT0 + 2000, ds::sip::TransportKind::Udp, kB, kA, response("200 OK", "INVITE", "mf-1@h", "z9hG4bKm", 1), 3);
        QCOMPARE(s.record(j).related, 0u);
    }

    // AuthRetry: credentials that answer a challenge of the same method, with a higher CSeq.
    void authRetry()
    {
        TraceStore s;
        auto at = [&](const QByteArray &raw, bool fromA = true) {
            return s.append(kT0 + s.size() * 10000, ds::sip::TransportKind::Udp, fromA ? kA : kB, fromA ? kB : kA, raw, 0);
        };
        const QByteArray creds = "Authorization: Digest username=\"alice\", realm=\"h\", nonce=\"n\", uri=\"sip:h\", response=\"r\"\r\n";
        // Preemptive credentials: nothing to retry.
        const quint32 pre = at(request("REGISTER", "au-1", "z9hG4bKa1", 1, creds));
        QVERIFY(!s.record(pre).is(MessageRecord::AuthRetry));
        QCOMPARE(s.record(pre).related, kNoMessage);
        at(response("200 OK", "REGISTER", "au-1", "z9hG4bKa1", 1), false);
        // A 401, then a request of another method with credentials: not its retry.
        at(request("REGISTER", "au-2", "z9hG4bKb1", 1));
        const quint32 challenge
            = at(response("401 Unauthorized", "REGISTER", "au-2", "z9hG4bKb1", 1, "WWW-Authenticate: Digest realm=\"h\", nonce=\"n\"\r\n"), false);
        const quint32 other = at(request("SUBSCRIBE", "au-2", "z9hG4bKb2", 2, creds));
        QVERIFY(!s.record(other).is(MessageRecord::AuthRetry));
        const quint32 retry = at(request("REGISTER", "au-2", "z9hG4bKb3", 3, creds));
        QVERIFY(s.record(retry).is(MessageRecord::AuthRetry));
        QCOMPARE(s.record(retry).related, challenge);
        // Only once: a second request with credentials is no retry of the same challenge.
        const quint32 again = at(request("REGISTER", "au-2", "z9hG4bKb4", 4, creds));
        QVERIFY(!s.record(again).is(MessageRecord::AuthRetry));
        // Proxy-Authorization after a 407 counts the same.
        at(request("INVITE", "au-3", "z9hG4bKc1", 1));
        const quint32 c407 = at(
            response("407 Proxy Authentication Required", "INVITE", "au-3", "z9hG4bKc1", 1, "Proxy-Authenticate: Digest realm=\"h\", nonce=\"n\"\r\n"), false);
        const quint32 ack = at(request("ACK", "au-3", "z9hG4bKc1", 1));
        QCOMPARE(s.record(ack).related, s.record(c407).related);
        const quint32 invite = at(request("INVITE", "au-3", "z9hG4bKc2", 2, QByteArray(creds).replace("Authorization", "Proxy-Authorization")));
        QVERIFY(s.record(invite).is(MessageRecord::AuthRetry));
        QCOMPARE(s.record(invite).related, c407);
    }

    // Retransmissions over a reliable transport are marked, but no timer fired them.
    void noTimerOverTcp()
    {
        TraceStore s;
        const QByteArray invite = request("INVITE", "tcp-1", "z9hG4bKt1", 1);
        s.append(kT0, ds::sip::TransportKind::Tcp, kA, kB, invite, 1);
        s.append(kT0 + 500000, ds::sip::TransportKind::Tcp, kA, kB, invite, 2);
        QVERIFY(s.record(1).is(MessageRecord::Retransmission));
        QCOMPARE(s.record(1).related, 0u);
        QCOMPARE(s.record(1).timer, char(0));
    }

    void clearStartsOver()
    {
        const auto f = ds::test::loadFlow(QStringLiteral("rfc3665-3.8-cancel"));
        QVERIFY2(f, qPrintable(f.error()));
        TraceStore s;
        ds::test::feedAll(s, *f);
        s.clear();
        QVERIFY(s.isEmpty());
        QCOMPARE(s.callCount(), 0u);
        QCOMPARE(s.endpointCount(), 0u);
        QCOMPARE(s.rawBytes(), quint64(0));
        QVERIFY(!s.findCall("3848276298220188511@atlanta.example.com"));
        ds::test::feedAll(s, *f); // the same flow again links exactly as the first time
        QCOMPARE(s.size(), quint32(f->messages.size()));
        for (quint32 i = 0; i < s.size(); ++i)
            QCOMPARE(s.record(i).related, f->messages[qsizetype(i)].link.target);
    }

    // The memory budget: a 64-byte record per message plus small tables, measured over 100k
    // typical messages (7-message calls: INVITE/100/180/200 with SDP, ACK, BYE/200, over UDP).
    void overheadPerMessage()
    {
        const auto f = ds::test::loadFlow(QStringLiteral("udp-retransmissions"));
        QVERIFY2(f, qPrintable(f.error()));
        QList<QByteArray> dialog;
        for (int n : {4, 7, 8, 10, 11, 14, 15})
            dialog << f->messages[n - 1].raw;
        TraceStore s;
        constexpr int kMessages = 100000;
        int call = 0;
        while (int(s.size()) < kMessages) {
            const QByteArray id = QByteArray::number(call);
            for (qsizetype k = 0; k < dialog.size(); ++k) {
                QByteArray raw = dialog[k];
                raw.replace("77c8b3a@", "c" + id + "@").replace("z9hG4bK776", "z9hG4bK" + id + "x");
                const bool fromA = k == 0 || k == 4 || k == 5;
                s.append(kT0 + qint64(call) * 2000000 + k * 20000, ds::sip::TransportKind::Udp, fromA ? kA : kB, fromA ? kB : kA, raw, quint32(s.size()));
            }
            ++call;
        }
        QCOMPARE(s.callCount(), quint32(call));
        QCOMPARE(s.record(s.size() - 1).related, s.size() - 2); // still linking at the end: the 200 answers the BYE
        QCOMPARE(s.record(s.size() - 3).related, s.size() - 7); // the ACK of the 200 belongs to the INVITE
        // The free tail of the arena's open chunk (4 MiB, filled in order) is a fixed cost, up to
        // 42 bytes a message at 100k: taken out here, computed the way the arena fills.
        constexpr quint64 kArenaChunk = 4 * 1024 * 1024;
        quint64 used = 0;
        for (quint32 i = 0; i < s.size(); ++i) {
            const quint64 n = s.record(i).rawLength;
            used = used + n > kArenaChunk ? n : used + n;
        }
        const double total = double(s.overheadBytes()) / s.size();
        const double perMessage = double(s.overheadBytes() - (kArenaChunk - used)) / s.size();
        qInfo("%d messages, %d calls, raw %.1f bytes/message: overhead %.1f bytes/message, %.1f without the arena's free tail (record %zu)", int(s.size()),
            call, double(s.rawBytes()) / s.size(), total, perMessage, sizeof(MessageRecord));
        // 64 for the record; the call, endpoint and open-transaction tables and the open record
        // chunk cost about 20 bytes a message at 7 messages a call.
        QVERIFY2(perMessage <= 64 + 24, qPrintable(QString::number(perMessage)));
    }
};

QTEST_GUILESS_MAIN(TestTraceStore)
#include "tst_trace_store.moc"
