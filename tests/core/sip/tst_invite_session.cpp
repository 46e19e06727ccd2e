// InviteSession: the INVITE usage of a dialog (RFC 3261 13-15), caller and callee side, driven
// through a TransactionLayer over a loopback transport in simulated time (STYLE.md 13, after
// PJSIP's inv_*_test). Assertions are on the bytes on the wire and the session's signals.

#include "loopback_transport.h"

#include "sip/digest.h"
#include "sip/header_values.h"
#include "sip/invite_session.h"
#include "sip/response_builder.h"

#include <QTest>

using namespace ds::sip;
using ds::sip::test::firstSends;
using ds::sip::test::LoopbackTransport;
using ds::sip::test::timesSince;
using State = InviteSession::State;
using Cause = SessionEnd::Cause;
using Ends = QList<std::pair<Cause, int>>; // cause and status of each terminated()

namespace {

constexpr qint64 kT1 = 500; // TimerConfig defaults: T1 0.5 s, T2 4 s
const QByteArray kTarget = "sip:bob@127.0.0.1:5070";
const QByteArray kOurContact = "<sip:alice@127.0.0.1:5060>";
const QByteArray kBobContact = "<sip:bob@127.0.0.1:5072>"; // bob's remote target, not the first hop
const QByteArray kBobCallId = "call-from-bob@127.0.0.1";

QByteArray sdp(QByteArrayView user, int port, QByteArrayView direction)
{
    return "v=0\r\no=" + user.toByteArray() + " 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\nm=audio " + QByteArray::number(port)
        + " RTP/AVP 0\r\na=" + direction.toByteArray() + "\r\n";
}
const QByteArray kOffer = sdp("alice", 4000, "sendrecv");
const QByteArray kAnswer = sdp("bob", 5000, "sendrecv");
const QByteArray kHoldOffer = sdp("alice", 4000, "sendonly");
const QByteArray kHoldAnswer = sdp("bob", 5000, "recvonly");

Message parse(const QByteArray &text)
{
    auto m = Parser::parse(text);
    if (!m)
        qFatal("test message does not parse: %s", qPrintable(m.error().toString()));
    return *m;
}

QByteArray tagOf(QByteArrayView nameAddr)
{
    auto n = parseNameAddr(nameAddr);
    return n ? n->tag().toByteArray() : QByteArray();
}
QByteArray toTag(const Message &m) { return tagOf(m.header(HeaderId::To)); }
QByteArray fromTag(const Message &m) { return tagOf(m.header(HeaderId::From)); }
QByteArray h(const Message &m, HeaderId id) { return m.header(id).toByteArray(); }

QList<QByteArray> routes(const Message &m)
{
    QList<QByteArray> out;
    for (QByteArrayView v : m.values(HeaderId::Route))
        out.append(v.toByteArray());
    return out;
}

// Alice's user agent: one InviteSession on a TransactionLayer over a loopback transport, with the
// routing a user agent does (new INVITE -> receiveInvite, matched requests -> receiveRequest,
// stray responses -> receiveStrayResponse) and everything the session emits recorded.
struct Rig {
    explicit Rig(bool reliable = false)
        : transport(clock, reliable)
        , layer(transport, clock)
        , session(context(), clock)
    {
        QObject::connect(&layer, &TransactionLayer::requestReceived, &session, [this](const Message &m, ServerTransaction *t) {
            if (m.method() == "INVITE" && toTag(m).isEmpty() && session.state() == State::Idle) {
                invited = session.receiveInvite(m, t);
                return;
            }
            if (session.matchesRequest(m)) {
                session.receiveRequest(m, t);
                return;
            }
            unmatched.append(m);
            if (t)
                t->respond(makeResponse(m, 481, "Call/Transaction Does Not Exist", "ua"), 481);
        });
        QObject::connect(&layer, &TransactionLayer::strayResponse, &session, [this](const Message &m, const Endpoint &) {
            if (session.matchesResponse(m))
                session.receiveStrayResponse(m);
        });
        QObject::connect(&session, &InviteSession::provisional, [this](int s, const QByteArray &reason, const QByteArray &body) {
            provisionals.append({s, reason, body});
        });
        QObject::connect(&session, &InviteSession::established, [this](const QByteArray &body) { established.append(body); });
        QObject::connect(&session, &InviteSession::reinviteFinished, [this](int s, const QByteArray &body) { reinvites.append({s, body}); });
        QObject::connect(&session, &InviteSession::remoteReinviteAcked, [this](const QByteArray &body) { acked.append(body); });
        QObject::connect(&session, &InviteSession::infoReceived, [this](const QByteArray &type, const QByteArray &body) { infos.append({type, body}); });
        QObject::connect(&session, &InviteSession::authComputed, [this] { ++authComputed; });
        QObject::connect(&session, &InviteSession::terminated, [this](const SessionEnd &e) {
            ends.append({e.cause, e.status});
            endReasons.append(e.reason);
        });
        session.onRemoteOffer = [this](const QByteArray &offer) -> std::expected<QByteArray, int> {
            offers.append(offer);
            return reinviteAnswer;
        };
    }

    SessionContext context()
    {
        SessionContext c;
        c.layer = &layer;
        c.transport = transport.kind();
        c.viaSentBy = [this] { return "SIP/2.0/" + transportName(transport.kind()) + " 127.0.0.1:5060"; };
        c.contact = kOurContact;
        c.firstHop = {QHostAddress(QStringLiteral("127.0.0.1")), 5070};
        c.nextHop = [this](const Uri &u) {
            hops.append(u.toString());
            return Endpoint {QHostAddress(QString::fromLatin1(u.host)), quint16(u.port ? u.port : 5060)};
        };
        c.auth = &auth;
        return c;
    }

    // ---- caller side: alice calls bob; the test answers as bob (tag "bobtag").
    bool call()
    {
        const bool ok = session.invite(kTarget, "\"Alice\" <sip:alice@127.0.0.1>", "<sip:bob@127.0.0.1>", kOffer);
        peerCallId = session.callId();
        localTag = fromTag(lastRequest("INVITE"));
        return ok;
    }
    static QByteArray reply(const Message &request, int code, QByteArrayView reason, QByteArrayView extra = {}, QByteArrayView body = {})
    {
        return makeResponse(request, code, reason, "bobtag", extra, body.isEmpty() ? QByteArrayView() : QByteArrayView("application/sdp"), body);
    }
    void answer(const Message &request, int code, QByteArrayView reason, QByteArrayView extra = {}, QByteArrayView body = {})
    {
        transport.deliver(reply(request, code, reason, extra, body));
    }
    void establishCaller(QByteArrayView recordRoute = {})
    {
        call();
        answer(lastRequest("INVITE"), 200, "OK", "Contact: " + kBobContact + "\r\n" + recordRoute.toByteArray(), kAnswer);
    }

    // ---- callee side: bob calls alice; the test sends bob's requests.
    QByteArray peerRequest(QByteArrayView method, int cseq, QByteArrayView branch, QByteArrayView to = {}, QByteArrayView extra = {}, QByteArrayView body = {},
        QByteArrayView contentType = "application/sdp") const
    {
        QByteArray r = method.toByteArray() + " sip:alice@127.0.0.1:5060 SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.1:5070;branch=" + branch.toByteArray()
            + "\r\nMax-Forwards: 70\r\nFrom: \"Bob\" <sip:bob@127.0.0.1>;tag=bobtag\r\nTo: <sip:alice@127.0.0.1>";
        if (!to.isEmpty())
            r += ";tag=" + to.toByteArray();
        r += "\r\nCall-ID: " + peerCallId + "\r\nCSeq: " + QByteArray::number(cseq) + ' ' + method.toByteArray() + "\r\nContact: " + kBobContact + "\r\n";
        r += extra.toByteArray();
        if (!body.isEmpty())
            r += "Content-Type: " + contentType.toByteArray() + "\r\n";
        return r + "Content-Length: " + QByteArray::number(body.size()) + "\r\n\r\n" + body.toByteArray();
    }
    QByteArray incomingInvite(QByteArrayView extra = {}, QByteArrayView body = kOffer) const
    {
        return peerRequest("INVITE", 10, "z9hG4bKinv1", {}, extra, body);
    }
    void establishCallee()
    {
        transport.deliver(incomingInvite());
        session.accept(kAnswer);
        localTag = toTag(transport.responses(200).last().message);
        transport.deliver(peerRequest("ACK", 10, "z9hG4bKack1", localTag));
    }

    Message lastRequest(QByteArrayView method) const
    {
        const auto all = transport.requests(method);
        return all.isEmpty() ? Message() : all.last().message;
    }

    SimulatedClock clock;
    LoopbackTransport transport;
    TransactionLayer layer;
    Authenticator auth {"alice", "secret"};
    QList<QByteArray> hops; // URIs the session asked nextHop about
    QByteArray peerCallId = kBobCallId;
    QByteArray localTag; // alice's tag in the dialog
    QByteArray reinviteAnswer = kHoldAnswer;
    InviteSession session;

    bool invited = false;
    QList<Message> unmatched;
    QList<std::tuple<int, QByteArray, QByteArray>> provisionals;
    QList<QByteArray> established;
    QList<QPair<int, QByteArray>> reinvites;
    QList<QByteArray> acked;
    QList<QPair<QByteArray, QByteArray>> infos;
    QList<QByteArray> offers;
    Ends ends;
    QList<QByteArray> endReasons;
    int authComputed = 0;
};

} // namespace

class TestInviteSession : public QObject {
    Q_OBJECT
private slots:
    // ---- caller -------------------------------------------------------------

    void callerInviteOnTheWire()
    {
        Rig r;
        QVERIFY(r.call());
        QCOMPARE(r.transport.wire.size(), 1);
        const auto &sent = r.transport.wire.first();
        const Message &inv = sent.message;
        QCOMPARE(sent.to.toString(), "127.0.0.1:5070"); // the first hop
        QCOMPARE(inv.method(), "INVITE");
        QCOMPARE(inv.requestUri(), kTarget);
        auto via = parseVia(inv.header(HeaderId::Via));
        QVERIFY(via);
        QCOMPARE(via->transport, "UDP");
        QCOMPARE(via->host + ':' + QByteArray::number(via->port), "127.0.0.1:5060");
        QVERIFY(via->hasRport()); // RFC 3581
        QVERIFY(via->branch().startsWith("z9hG4bK") && via->branch().size() > 7); // RFC 3261 8.1.1.7
        QCOMPARE(h(inv, HeaderId::MaxForwards), "70");
        QVERIFY(!fromTag(inv).isEmpty());
        QVERIFY(toTag(inv).isEmpty());
        QVERIFY(!inv.callId().isEmpty() && inv.callId() == r.session.callId());
        QCOMPARE(h(inv, HeaderId::CSeq), "1 INVITE");
        QCOMPARE(h(inv, HeaderId::Contact), kOurContact);
        QCOMPARE(h(inv, HeaderId::ContentType), "application/sdp");
        QCOMPARE(inv.body(), kOffer);
        QCOMPARE(inv.contentLength(), kOffer.size());
    }

    void callerProvisionals()
    {
        Rig r;
        r.call();
        const Message inv = r.lastRequest("INVITE");
        r.clock.advance(kT1); // nothing back: Timer A retransmits once
        QCOMPARE(r.transport.requests("INVITE").size(), 2);
        r.answer(inv, 100, "Trying");
        r.clock.advance(10000); // 100 stops Timer A (17.1.1.2) and shows nothing to the user
        QCOMPARE(r.transport.requests("INVITE").size(), 2);
        QVERIFY(r.provisionals.isEmpty());
        QCOMPARE(r.session.state(), State::Calling);
        QVERIFY(!r.session.dialog());

        r.answer(inv, 180, "Ringing", "Contact: " + kBobContact + "\r\n");
        QCOMPARE(r.provisionals.size(), 1);
        QCOMPARE(r.provisionals[0], std::make_tuple(180, QByteArray("Ringing"), QByteArray()));
        QCOMPARE(r.session.state(), State::Early);
        QVERIFY(r.session.dialog()); // RFC 3261 12.1.2: a 1xx with a To tag makes an early dialog
        QCOMPARE(r.session.dialog()->remoteTag(), "bobtag");

        r.answer(inv, 183, "Session Progress", "Contact: " + kBobContact + "\r\n", kAnswer);
        QCOMPARE(r.provisionals.size(), 2);
        QCOMPARE(r.provisionals[1], std::make_tuple(183, QByteArray("Session Progress"), kAnswer));
        QCOMPARE(r.transport.wire.size(), 2); // nothing sent for provisionals
    }

    void callerDigestRetry()
    {
        Rig r;
        r.auth.setCnonceForTesting("0a4f113b");
        r.call();
        const Message inv1 = r.lastRequest("INVITE");
        r.answer(inv1, 407, "Proxy Authentication Required",
            "Proxy-Authenticate: Digest realm=\"dialscope.test\", nonce=\"n0nce\", qop=\"auth\", algorithm=MD5\r\n");
        // The transaction ACKs the 407 hop by hop: same branch, CSeq number, To tag of the 407 (17.1.1.3).
        const auto acks = r.transport.requests("ACK");
        QCOMPARE(acks.size(), 1);
        QCOMPARE(acks[0].message.topViaBranch(), inv1.topViaBranch());
        QCOMPARE(h(acks[0].message, HeaderId::CSeq), "1 ACK");
        QCOMPARE(toTag(acks[0].message), "bobtag");
        QCOMPARE(acks[0].to.toString(), "127.0.0.1:5070");
        // RFC 3261 22.2 / 8.1.3.5: the same request again, new CSeq and branch, same Call-ID and From tag.
        const auto invites = r.transport.requests("INVITE");
        QCOMPARE(invites.size(), 2);
        const Message &inv2 = invites[1].message;
        QCOMPARE(h(inv2, HeaderId::CSeq), "2 INVITE");
        QVERIFY(inv2.topViaBranch() != inv1.topViaBranch());
        QCOMPARE(inv2.callId(), inv1.callId());
        QCOMPARE(fromTag(inv2), fromTag(inv1));
        QVERIFY(toTag(inv2).isEmpty());
        auto creds = parseAuthValues(inv2.header(HeaderId::ProxyAuthorization));
        QVERIFY(creds && creds->size() == 1);
        const AuthValue &c = creds->first();
        QCOMPARE(c.param("username"), "alice");
        QCOMPARE(c.param("uri"), kTarget);
        QCOMPARE(c.param("qop"), "auth");
        QCOMPARE(c.param("nc"), "00000001");
        const DigestInput in {DigestAlgorithm::Md5, "alice", "dialscope.test", "secret", "INVITE", kTarget, "n0nce", "0a4f113b", 1, "auth", {}};
        QCOMPARE(c.param("response"), computeDigest(in).response);
        QCOMPARE(r.authComputed, 1);

        // The retried INVITE succeeds; the ACK for its 2xx has its CSeq and its credentials (13.2.2.4).
        r.answer(inv2, 200, "OK", "Contact: " + kBobContact + "\r\n", kAnswer);
        const Message ack = r.lastRequest("ACK");
        QCOMPARE(h(ack, HeaderId::CSeq), "2 ACK");
        QCOMPARE(h(ack, HeaderId::ProxyAuthorization), h(inv2, HeaderId::ProxyAuthorization));
        QCOMPARE(r.established, QList<QByteArray> {kAnswer});
    }

    void callerSecondChallengeFails()
    {
        Rig r;
        r.call();
        const QByteArray challenge = "Proxy-Authenticate: Digest realm=\"dialscope.test\", nonce=\"n0nce\", qop=\"auth\", algorithm=MD5\r\n";
        r.answer(r.lastRequest("INVITE"), 407, "Proxy Authentication Required", challenge);
        const Message inv2 = r.lastRequest("INVITE");
        QVERIFY(inv2.hasHeader(HeaderId::ProxyAuthorization));
        r.answer(inv2, 407, "Proxy Authentication Required", challenge);
        QCOMPARE(r.ends, (Ends {{Cause::AuthFailed, 407}}));
        QCOMPARE(r.transport.requests("INVITE").size(), 2); // no third attempt with the same password
        const auto acks = r.transport.requests("ACK");
        QCOMPARE(acks.size(), 2);
        QCOMPARE(acks[1].message.topViaBranch(), inv2.topViaBranch());
        QCOMPARE(r.session.state(), State::Terminated);
    }

    void callerEstablishedAndBye_data()
    {
        QTest::addColumn<QByteArray>("recordRoute");
        QTest::addColumn<QList<QByteArray>>("expectedRoutes");
        QTest::addColumn<QString>("hop");
        QTest::addColumn<QByteArray>("hopUri"); // what nextHop was asked to resolve
        QTest::newRow("direct to the remote target") << QByteArray() << QList<QByteArray> {} << "127.0.0.1:5072" << QByteArray("sip:bob@127.0.0.1:5072");
        // The 2xx lists the proxy nearest bob first; the route set is reversed (RFC 3261 12.1.2).
        QTest::newRow("record-routed") << QByteArray("Record-Route: <sip:127.0.0.3:5090;lr>\r\nRecord-Route: <sip:127.0.0.2:5080;lr>\r\n")
                                       << QList<QByteArray> {"<sip:127.0.0.2:5080;lr>", "<sip:127.0.0.3:5090;lr>"} << "127.0.0.2:5080"
                                       << QByteArray("sip:127.0.0.2:5080;lr");
    }
    void callerEstablishedAndBye()
    {
        QFETCH(QByteArray, recordRoute);
        QFETCH(QList<QByteArray>, expectedRoutes);
        QFETCH(QString, hop);
        QFETCH(QByteArray, hopUri);
        Rig r;
        r.call();
        const Message inv = r.lastRequest("INVITE");
        r.answer(inv, 180, "Ringing", "Contact: " + kBobContact + "\r\n");
        r.answer(inv, 200, "OK", "Contact: " + kBobContact + "\r\n" + recordRoute, kAnswer);
        QCOMPARE(r.established, QList<QByteArray> {kAnswer});
        QCOMPARE(r.session.state(), State::Confirmed);

        // RFC 3261 13.2.2.4: the ACK is its own transaction (new branch) with the INVITE's CSeq number.
        const auto acks = r.transport.requests("ACK");
        QCOMPARE(acks.size(), 1);
        const Message &ack = acks[0].message;
        QCOMPARE(ack.requestUri(), "sip:bob@127.0.0.1:5072");
        QCOMPARE(h(ack, HeaderId::CSeq), "1 ACK");
        QVERIFY(ack.topViaBranch() != inv.topViaBranch());
        QVERIFY(ack.topViaBranch().startsWith("z9hG4bK"));
        QCOMPARE(toTag(ack), "bobtag");
        QCOMPARE(fromTag(ack), fromTag(inv));
        QCOMPARE(routes(ack), expectedRoutes);
        QCOMPARE(acks[0].to.toString(), hop);
        QCOMPARE(r.hops.last(), hopUri);

        // The 200 retransmitted: its transaction is gone, the layer reports it stray; the same ACK again.
        r.answer(inv, 200, "OK", "Contact: " + kBobContact + "\r\n" + recordRoute, kAnswer);
        const auto acks2 = r.transport.requests("ACK");
        QCOMPARE(acks2.size(), 2);
        QCOMPARE(acks2[1].message.raw(), ack.raw());
        QCOMPARE(r.established.size(), 1);

        r.session.hangUp();
        const auto byes = r.transport.requests("BYE");
        QCOMPARE(byes.size(), 1);
        const Message &bye = byes[0].message;
        QCOMPARE(bye.requestUri(), "sip:bob@127.0.0.1:5072");
        QCOMPARE(h(bye, HeaderId::CSeq), "2 BYE");
        QCOMPARE(routes(bye), expectedRoutes);
        QCOMPARE(byes[0].to.toString(), hop);
        QCOMPARE(toTag(bye), "bobtag");
        r.answer(bye, 200, "OK");
        QCOMPARE(r.ends, (Ends {{Cause::LocalBye, 200}}));
    }

    void callerSecondForkAnswered()
    {
        // RFC 3261 13.2.2.4: each 2xx gets its own ACK; a 2xx from another fork is then ended with BYE.
        Rig r;
        r.call();
        const Message inv = r.lastRequest("INVITE");
        r.answer(inv, 200, "OK", "Contact: " + kBobContact + "\r\n", kAnswer);
        r.transport.deliver(makeResponse(inv, 200, "OK", "carol", "Contact: <sip:carol@127.0.0.1:5074>\r\n", "application/sdp", kAnswer));
        QCOMPARE(r.established.size(), 1);
        QCOMPARE(r.session.dialog()->remoteTag(), "bobtag");
        const auto acks = r.transport.requests("ACK");
        QCOMPARE(acks.size(), 2);
        QCOMPARE(toTag(acks[1].message), "carol");
        QCOMPARE(acks[1].to.toString(), "127.0.0.1:5074");
        const Message bye = r.lastRequest("BYE");
        QCOMPARE(toTag(bye), "carol");
        QCOMPARE(bye.requestUri(), "sip:carol@127.0.0.1:5074");
    }

    void callerEarlyForkThenAnswerFromAnother()
    {
        // A forking proxy: bob's phone rings (180, early dialog), carol's answers. Carol's 2xx makes
        // the dialog; nobody is hung up on (RFC 3261 13.2.2.4 only ends 2xx after the first).
        Rig r;
        r.call();
        const Message inv = r.lastRequest("INVITE");
        r.answer(inv, 180, "Ringing", "Contact: " + kBobContact + "\r\n");
        QCOMPARE(r.session.dialog()->remoteTag(), "bobtag");
        r.transport.deliver(makeResponse(inv, 200, "OK", "carol", "Contact: <sip:carol@127.0.0.1:5074>\r\n", "application/sdp", kAnswer));
        QCOMPARE(r.established.size(), 1);
        QCOMPARE(r.session.state(), State::Confirmed);
        QCOMPARE(r.session.dialog()->remoteTag(), "carol");
        const auto acks = r.transport.requests("ACK");
        QCOMPARE(acks.size(), 1);
        QCOMPARE(toTag(acks[0].message), "carol");
        QVERIFY(r.transport.requests("BYE").isEmpty());
    }

    void callerCancelWaitsForProvisional()
    {
        Rig r;
        r.call();
        const Message inv = r.lastRequest("INVITE");
        r.session.hangUp();
        r.clock.advance(100);
        QVERIFY(r.transport.requests("CANCEL").isEmpty()); // RFC 3261 9.1: not before a provisional
        r.answer(inv, 180, "Ringing", "Contact: " + kBobContact + "\r\n");
        const auto cancels = r.transport.requests("CANCEL");
        QCOMPARE(cancels.size(), 1);
        const Message &cancel = cancels[0].message;
        QCOMPARE(cancel.requestUri(), inv.requestUri());
        QCOMPARE(h(cancel, HeaderId::Via), h(inv, HeaderId::Via)); // same top Via, same branch
        QCOMPARE(cancel.cseqNumber(), inv.cseqNumber());
        QCOMPARE(cancel.cseqMethod(), "CANCEL");
        QCOMPARE(h(cancel, HeaderId::From), h(inv, HeaderId::From));
        QCOMPARE(h(cancel, HeaderId::To), h(inv, HeaderId::To));
        QCOMPARE(cancel.callId(), inv.callId());
        QCOMPARE(cancels[0].to.toString(), "127.0.0.1:5070");

        r.answer(cancel, 200, "OK");
        QVERIFY(r.ends.isEmpty());
        r.answer(inv, 487, "Request Terminated");
        const Message ack = r.lastRequest("ACK"); // the transaction ACKs the 487
        QCOMPARE(ack.topViaBranch(), inv.topViaBranch());
        QCOMPARE(r.ends, (Ends {{Cause::LocalCancel, 487}}));
        QVERIFY(r.established.isEmpty());
    }

    void callerCancelAfterTrying()
    {
        // RFC 3261 9.1: a CANCEL waits for "a provisional response" — 100 Trying is one.
        Rig r;
        r.call();
        r.answer(r.lastRequest("INVITE"), 100, "Trying");
        r.session.hangUp();
        QCOMPARE(r.transport.requests("CANCEL").size(), 1);
    }

    void callerCancelNeverAnswered()
    {
        // RFC 3261 9.1: no final response 64*T1 after the CANCEL: the INVITE is considered cancelled.
        Rig r;
        r.call();
        const Message inv = r.lastRequest("INVITE");
        r.answer(inv, 180, "Ringing", "Contact: " + kBobContact + "\r\n");
        r.session.hangUp();
        r.answer(r.lastRequest("CANCEL"), 200, "OK");
        r.clock.advance(64 * kT1 + 1000);
        QCOMPARE(r.ends.size(), 1);
        QCOMPARE(r.ends[0].first, Cause::LocalCancel);
    }

    void callerAnswerCrossesCancel()
    {
        Rig r;
        r.call();
        const Message inv = r.lastRequest("INVITE");
        r.answer(inv, 180, "Ringing", "Contact: " + kBobContact + "\r\n");
        r.session.hangUp();
        r.answer(r.lastRequest("CANCEL"), 200, "OK");
        r.answer(inv, 200, "OK", "Contact: " + kBobContact + "\r\n", kAnswer); // the 2xx won the race
        QCOMPARE(h(r.lastRequest("ACK"), HeaderId::CSeq), "1 ACK");
        const Message bye = r.lastRequest("BYE"); // RFC 3261 15: end the call nobody wants
        QCOMPARE(h(bye, HeaderId::CSeq), "2 BYE");
        QVERIFY(r.established.isEmpty());
        r.answer(bye, 200, "OK");
        QCOMPARE(r.ends.size(), 1);
    }

    void callerRejected_data()
    {
        QTest::addColumn<int>("status");
        QTest::addColumn<QByteArray>("reason");
        QTest::newRow("486") << 486 << QByteArray("Busy Here");
        QTest::newRow("603") << 603 << QByteArray("Decline");
        QTest::newRow("404") << 404 << QByteArray("Not Found");
    }
    void callerRejected()
    {
        QFETCH(int, status);
        QFETCH(QByteArray, reason);
        Rig r;
        r.call();
        const Message inv = r.lastRequest("INVITE");
        r.answer(inv, 180, "Ringing", "Contact: " + kBobContact + "\r\n");
        r.answer(inv, status, reason);
        auto acks = r.transport.requests("ACK");
        QCOMPARE(acks.size(), 1);
        QCOMPARE(acks[0].message.topViaBranch(), inv.topViaBranch());
        QCOMPARE(h(acks[0].message, HeaderId::CSeq), "1 ACK");
        QCOMPARE(toTag(acks[0].message), "bobtag");
        QCOMPARE(r.ends, (Ends {{Cause::Rejected, status}}));
        QCOMPARE(r.endReasons[0], reason);
        r.answer(inv, status, reason); // retransmitted: ACKed again, reported once
        QCOMPARE(r.transport.requests("ACK").size(), 2);
        QCOMPARE(r.ends.size(), 1);
    }

    void callerTimerB()
    {
        Rig r;
        r.call();
        r.clock.advance(64 * kT1 - 1);
        QVERIFY(r.ends.isEmpty());
        r.clock.advance(1);
        QCOMPARE(r.ends.size(), 1);
        QCOMPARE(r.ends[0].first, Cause::Timeout);
        QCOMPARE(timesSince(r.transport.requests("INVITE"), 0), (QList<qint64> {0, 500, 1500, 3500, 7500, 15500, 31500}));
    }

    // ---- callee -------------------------------------------------------------

    void calleeTryingRingingAccept_data()
    {
        QTest::addColumn<bool>("reliable");
        QTest::addColumn<QList<qint64>>("okTimes");
        // RFC 3261 13.3.1.4: T1, 2T1, 4T1... capped at T2, over unreliable transports only.
        QTest::newRow("udp") << false << QList<qint64> {0, 500, 1500, 3500, 7500, 11500};
        QTest::newRow("tcp") << true << QList<qint64> {0};
    }
    void calleeTryingRingingAccept()
    {
        QFETCH(bool, reliable);
        QFETCH(QList<qint64>, okTimes);
        Rig r(reliable);
        const Message invite = parse(r.incomingInvite());
        r.transport.deliver(invite.raw());
        QVERIFY(r.invited);
        QCOMPARE(r.session.state(), State::Incoming);
        QCOMPARE(r.transport.wire.size(), 1); // 100 Trying at once (17.2.1)
        const Message &trying = r.transport.last();
        QCOMPARE(trying.statusCode(), 100);
        QVERIFY(toTag(trying).isEmpty());
        QCOMPARE(h(trying, HeaderId::Via), h(invite, HeaderId::Via));
        QCOMPARE(r.transport.wire[0].to.toString(), "127.0.0.1:5070");

        r.clock.advance(1000);
        r.session.ring();
        const Message ringing = r.transport.last();
        QCOMPARE(ringing.statusCode(), 180);
        const QByteArray tag = toTag(ringing);
        QVERIFY(!tag.isEmpty());
        QCOMPARE(h(ringing, HeaderId::Contact), kOurContact);
        QCOMPARE(r.session.state(), State::Early);

        r.session.accept(kAnswer);
        const Message ok = r.transport.last();
        QCOMPARE(ok.statusCode(), 200);
        QCOMPARE(toTag(ok), tag);
        QCOMPARE(h(ok, HeaderId::CSeq), "10 INVITE");
        QCOMPARE(h(ok, HeaderId::Contact), kOurContact);
        QCOMPARE(h(ok, HeaderId::ContentType), "application/sdp");
        QCOMPARE(ok.body(), kAnswer);
        QCOMPARE(r.session.state(), State::Accepted);
        const qint64 t0 = r.clock.nowMs();
        r.clock.advance(12000);
        QCOMPARE(timesSince(r.transport.responses(200), t0), okTimes);
        for (const auto &s : r.transport.responses(200))
            QCOMPARE(s.message.raw(), ok.raw());

        r.transport.deliver(r.peerRequest("ACK", 10, "z9hG4bKack1", tag));
        QCOMPARE(r.established, QList<QByteArray> {QByteArray()});
        QCOMPARE(r.session.state(), State::Confirmed);
        const qsizetype sent = r.transport.wire.size();
        r.clock.advance(64 * kT1);
        QCOMPARE(r.transport.wire.size(), sent); // the ACK stopped the retransmissions
        QVERIFY(r.ends.isEmpty());
    }

    void calleeOfferInOk()
    {
        // An INVITE without a body: our 200 carries the offer, the ACK the answer (RFC 3261 13.2.1).
        Rig r;
        r.transport.deliver(r.incomingInvite({}, {}));
        r.session.accept(kOffer);
        const QByteArray tag = toTag(r.transport.last());
        r.transport.deliver(r.peerRequest("ACK", 10, "z9hG4bKack1", tag, {}, kAnswer));
        QCOMPARE(r.established, QList<QByteArray> {kAnswer});
    }

    void calleeNoAck()
    {
        Rig r;
        r.transport.deliver(r.incomingInvite());
        r.session.accept(kAnswer);
        const QByteArray tag = toTag(r.transport.last());
        r.clock.advance(64 * kT1 + 5000);
        QCOMPARE(timesSince(r.transport.responses(200), 0).mid(0, 10), (QList<qint64> {0, 500, 1500, 3500, 7500, 11500, 15500, 19500, 23500, 27500}));
        // RFC 3261 13.3.1.4: no ACK in 64*T1 — the dialog is confirmed and ended with a BYE.
        const auto byes = firstSends(r.transport.requests("BYE"));
        QCOMPARE(byes.size(), 1);
        const Message &bye = byes[0].message;
        QCOMPARE(bye.requestUri(), "sip:bob@127.0.0.1:5072");
        QCOMPARE(byes[0].to.toString(), "127.0.0.1:5072");
        QCOMPARE(toTag(bye), "bobtag");
        QCOMPARE(fromTag(bye), tag);
        QCOMPARE(bye.callId(), kBobCallId);
        QCOMPARE(r.ends.size(), 1);
        QCOMPARE(r.ends[0].first, Cause::Timeout);
        QCOMPARE(byes[0].at, 64 * kT1); // at 64*T1, not at the next retransmission tick
    }

    void calleeCancelWhileRinging()
    {
        Rig r;
        r.transport.deliver(r.incomingInvite());
        r.session.ring();
        const QByteArray tag = toTag(r.transport.last());
        r.transport.deliver(r.peerRequest("CANCEL", 10, "z9hG4bKinv1")); // RFC 3261 9.1: the INVITE's branch
        QVERIFY(r.unmatched.isEmpty());
        const auto oks = r.transport.responses(200);
        QCOMPARE(oks.size(), 1);
        QCOMPARE(h(oks[0].message, HeaderId::CSeq), "10 CANCEL");
        QCOMPARE(toTag(oks[0].message), tag); // 9.2: the same To tag as the INVITE's responses
        const auto terminated = r.transport.responses(487);
        QCOMPARE(terminated.size(), 1);
        QCOMPARE(h(terminated[0].message, HeaderId::CSeq), "10 INVITE");
        QCOMPARE(toTag(terminated[0].message), tag);
        QCOMPARE(r.ends, (Ends {{Cause::RemoteCancel, 487}}));
        r.transport.deliver(r.peerRequest("ACK", 10, "z9hG4bKinv1", tag)); // the 487's ACK, hop by hop
        r.clock.advance(10000);
        QCOMPARE(r.transport.responses(487).size(), 1); // absorbed: Timer G stopped
    }

    void calleeBye()
    {
        Rig r;
        r.establishCallee();
        const QByteArray wrong = r.peerRequest("BYE", 11, "z9hG4bKbye0", "not-our-tag");
        QVERIFY(!r.session.matchesRequest(parse(wrong)));
        r.transport.deliver(wrong);
        QCOMPARE(r.unmatched.size(), 1);
        QVERIFY(r.ends.isEmpty());

        const QByteArray bye = r.peerRequest("BYE", 11, "z9hG4bKbye1", r.localTag);
        QVERIFY(r.session.matchesRequest(parse(bye)));
        r.transport.deliver(bye);
        const Message ok = r.transport.last();
        QCOMPARE(ok.statusCode(), 200);
        QCOMPARE(h(ok, HeaderId::CSeq), "11 BYE");
        QCOMPARE(r.ends.size(), 1);
        QCOMPARE(r.ends[0].first, Cause::RemoteBye);
        QCOMPARE(r.session.state(), State::Terminated);
    }

    void calleeRemoteReinvite()
    {
        Rig r;
        r.establishCallee();
        r.transport.deliver(r.peerRequest("INVITE", 11, "z9hG4bKre1", r.localTag, {}, kHoldOffer));
        QCOMPARE(r.offers, QList<QByteArray> {kHoldOffer});
        const Message ok = r.transport.last();
        QCOMPARE(ok.statusCode(), 200);
        QCOMPARE(h(ok, HeaderId::CSeq), "11 INVITE");
        QCOMPARE(toTag(ok), r.localTag);
        QCOMPARE(h(ok, HeaderId::Contact), kOurContact);
        QCOMPARE(ok.body(), kHoldAnswer); // onRemoteOffer's answer
        r.transport.deliver(r.peerRequest("ACK", 11, "z9hG4bKack2", r.localTag));
        QCOMPARE(r.acked, QList<QByteArray> {QByteArray()});
        const qsizetype sent = r.transport.wire.size();
        r.clock.advance(10000);
        QCOMPARE(r.transport.wire.size(), sent);
        QCOMPARE(r.session.state(), State::Confirmed);
    }

    void calleeReinviteRetransmitted()
    {
        // Our 2xx ended the re-INVITE's transaction (17.2.1); a retransmission of the re-INVITE
        // reaches the session, which answers it with the same 2xx (13.3.1.4), not as a new offer.
        Rig r;
        r.establishCallee();
        const QByteArray re = r.peerRequest("INVITE", 11, "z9hG4bKre1", r.localTag, {}, kHoldOffer);
        r.transport.deliver(re);
        const Message ok = r.transport.last();
        QCOMPARE(ok.statusCode(), 200);
        r.transport.deliver(re); // our 200 was lost: bob's Timer A
        QCOMPARE(r.transport.last().statusCode(), 200);
        QCOMPARE(r.transport.last().raw(), ok.raw());
        QCOMPARE(r.offers.size(), 1);
    }

    void calleeReinviteGlare()
    {
        // RFC 3261 14.2: an INVITE while ours is in progress gets 491.
        Rig r;
        r.establishCallee();
        QVERIFY(r.session.reinvite(kHoldOffer));
        QVERIFY(r.session.offerPending());
        const Message ours = r.lastRequest("INVITE");
        QCOMPARE(h(ours, HeaderId::CSeq), "1 INVITE");
        QCOMPARE(toTag(ours), "bobtag");
        QCOMPARE(fromTag(ours), r.localTag);
        r.transport.deliver(r.peerRequest("INVITE", 11, "z9hG4bKre1", r.localTag, {}, kOffer));
        const Message pending = r.transport.last();
        QCOMPARE(pending.statusCode(), 491);
        QCOMPARE(h(pending, HeaderId::CSeq), "11 INVITE");
        QVERIFY(r.offers.isEmpty());
    }

    void calleeInfoUpdate_data()
    {
        QTest::addColumn<QByteArray>("method");
        QTest::addColumn<int>("status");
        QTest::newRow("INFO") << QByteArray("INFO") << 200;
        QTest::newRow("UPDATE") << QByteArray("UPDATE") << 405; // RFC 3261 8.2.1: with an Allow header
    }
    void calleeInfoUpdate()
    {
        QFETCH(QByteArray, method);
        QFETCH(int, status);
        Rig r;
        r.establishCallee();
        const QByteArray body = "Signal=5\r\nDuration=160\r\n";
        r.transport.deliver(r.peerRequest(method, 11, "z9hG4bKx1", r.localTag, {}, body, "application/dtmf-relay"));
        const Message resp = r.transport.last();
        QCOMPARE(resp.statusCode(), status);
        QCOMPARE(h(resp, HeaderId::CSeq), "11 " + method);
        if (status == 405) {
            QVERIFY(h(resp, HeaderId::Allow).contains("INVITE"));
            QVERIFY(!h(resp, HeaderId::Allow).contains("UPDATE"));
            QVERIFY(r.infos.isEmpty());
        } else {
            QCOMPARE(r.infos.size(), 1);
            QCOMPARE(r.infos[0], (QPair<QByteArray, QByteArray> {"application/dtmf-relay", body}));
        }
        QCOMPARE(r.session.state(), State::Confirmed);
    }

    void calleeInfoRefusedByHook()
    {
        // The call decides the answer to an INFO (onInfo): a 415 carries the Accept it returns
        // (RFC 3261 21.4.13), and a refused INFO is not reported as received.
        Rig r;
        r.establishCallee();
        r.session.onInfo = [](const QByteArray &type, const QByteArray &) {
            return type == "text/plain" ? InviteSession::InfoAnswer {415, "Unsupported Media Type", "Accept: application/dtmf-relay\r\n"}
                                        : InviteSession::InfoAnswer {};
        };
        r.transport.deliver(r.peerRequest("INFO", 11, "z9hG4bKi1", r.localTag, {}, "hello", "text/plain"));
        QCOMPARE(r.transport.last().statusCode(), 415);
        QCOMPARE(h(r.transport.last(), HeaderId::Accept), "application/dtmf-relay");
        QVERIFY(r.infos.isEmpty());
        r.transport.deliver(r.peerRequest("INFO", 12, "z9hG4bKi2", r.localTag, {}, "5", "application/dtmf"));
        QCOMPARE(r.transport.last().statusCode(), 200);
        QCOMPARE(r.infos.size(), 1);
        // RFC 6086 4.2.2: an Info Package we never announced.
        r.transport.deliver(r.peerRequest("INFO", 13, "z9hG4bKi3", r.localTag, "Info-Package: foo\r\n", "x", "application/foo"));
        QCOMPARE(r.transport.last().statusCode(), 469);
        QCOMPARE(r.infos.size(), 1);
    }

    void ourInfo_data()
    {
        QTest::addColumn<int>("status");
        QTest::newRow("200") << 200;
        QTest::newRow("415") << 415;
        QTest::newRow("no answer") << 0;
    }
    void ourInfo()
    {
        // RFC 6086: INFO inside the dialog; done() gets the final status, or 0 after Timer F.
        QFETCH(int, status);
        Rig r;
        QVERIFY(!r.session.sendInfo("application/dtmf", "5", [](int, const QByteArray &) {})); // no dialog yet
        r.establishCaller();
        QList<int> results;
        QVERIFY(r.session.sendInfo("application/dtmf-relay", "Signal=5\r\nDuration=100\r\n", [&](int s, const QByteArray &) { results << s; }));
        const Message info = r.lastRequest("INFO");
        QCOMPARE(info.requestUri(), "sip:bob@127.0.0.1:5072");
        QCOMPARE(h(info, HeaderId::CSeq), "2 INFO");
        QCOMPARE(toTag(info), "bobtag");
        QCOMPARE(h(info, HeaderId::ContentType), "application/dtmf-relay");
        QCOMPARE(info.body(), "Signal=5\r\nDuration=100\r\n");
        if (status)
            r.transport.deliver(makeResponse(info, status, status == 200 ? "OK" : "Unsupported Media Type", "bobtag"));
        else
            r.clock.advance(64 * 500 + 100);
        QCOMPARE(results, QList<int> {status});
        QCOMPARE(r.session.state(), State::Confirmed);
    }

    void calleeMessage()
    {
        // RFC 3428: an in-dialog MESSAGE is answered 200 and handed over as it came; Allow lists it.
        Rig r;
        r.establishCallee();
        QList<QPair<QByteArray, QByteArray>> messages;
        QObject::connect(&r.session, &InviteSession::messageReceived, [&messages](const QByteArray &type, const QByteArray &body) {
            messages.append({type, body});
        });
        r.transport.deliver(r.peerRequest("MESSAGE", 11, "z9hG4bKm1", r.localTag, {}, "DTMF 5 rfc4733 120 ms\r\n", "text/plain"));
        const Message resp = r.transport.last();
        QCOMPARE(resp.statusCode(), 200);
        QCOMPARE(h(resp, HeaderId::CSeq), "11 MESSAGE");
        QVERIFY(h(resp, HeaderId::Allow).contains("MESSAGE"));
        QCOMPARE(messages.size(), 1);
        QCOMPARE(messages[0], (QPair<QByteArray, QByteArray> {"text/plain", "DTMF 5 rfc4733 120 ms\r\n"}));
        QVERIFY(r.infos.isEmpty());
        QCOMPARE(r.session.state(), State::Confirmed);
    }

    void ourMessage()
    {
        // RFC 3428 in a dialog: the request carries the dialog's identifiers; done() gets the status.
        Rig r;
        QVERIFY(!r.session.sendMessage("text/plain", "hi", [](int, const QByteArray &) {})); // no dialog yet
        r.establishCaller();
        QList<int> results;
        QVERIFY(r.session.sendMessage("text/plain", "hello", [&](int s, const QByteArray &) { results << s; }));
        const Message m = r.lastRequest("MESSAGE");
        QCOMPARE(m.requestUri(), "sip:bob@127.0.0.1:5072");
        QCOMPARE(h(m, HeaderId::CSeq), "2 MESSAGE");
        QCOMPARE(toTag(m), "bobtag");
        QCOMPARE(h(m, HeaderId::ContentType), "text/plain");
        QCOMPARE(m.body(), "hello");
        r.transport.deliver(makeResponse(m, 200, "OK", "bobtag"));
        QCOMPARE(results, QList<int> {200});
    }

    void calleeRefusedUpdateKeepsTarget()
    {
        // A target refresh we refuse must not move the remote target (RFC 6141 takes the refresh
        // with the 2xx); else any refused UPDATE with a Contact redirects our BYE.
        Rig r;
        r.establishCallee();
        r.transport.deliver(r.peerRequest("UPDATE", 11, "z9hG4bKup1", r.localTag).replace(kBobContact, "<sip:mallory@127.0.0.9:5099>"));
        QCOMPARE(r.transport.last().statusCode(), 405);
        r.session.hangUp();
        QCOMPARE(r.lastRequest("BYE").requestUri(), "sip:bob@127.0.0.1:5072");
    }

    void calleeCopiesRecordRoute()
    {
        // RFC 3261 12.1.1: 1xx and 2xx that create the dialog carry the Record-Route values in order.
        Rig r;
        r.transport.deliver(r.incomingInvite("Record-Route: <sip:p2.example.com;lr>\r\nRecord-Route: <sip:p1.example.com;lr;ftag=x>\r\n"));
        QVERIFY(r.invited);
        r.session.ring();
        r.session.accept(kAnswer);
        for (int status : {180, 200}) {
            const Message m = r.transport.responses(status).last().message;
            QCOMPARE(m.values(HeaderId::RecordRoute), (QList<QByteArrayView> {"<sip:p2.example.com;lr>", "<sip:p1.example.com;lr;ftag=x>"}));
        }
        QCOMPARE(r.transport.responses(100).last().message.headerCount(HeaderId::RecordRoute), 0);
    }

    void calleeRequireUnsupported()
    {
        Rig r;
        r.transport.deliver(r.incomingInvite("Require: 100rel\r\n"));
        QVERIFY(!r.invited);
        QCOMPARE(r.transport.wire.size(), 1);
        const Message bad = r.transport.last();
        QCOMPARE(bad.statusCode(), 420); // RFC 3261 8.2.2.3
        QCOMPARE(h(bad, HeaderId::Unsupported), "100rel");
        QCOMPARE(h(bad, HeaderId::CSeq), "10 INVITE");
    }

    void calleeInviteRetransmissions()
    {
        Rig r;
        r.transport.deliver(r.incomingInvite());
        r.session.ring();
        r.transport.deliver(r.incomingInvite()); // before the answer: the transaction resends the 180
        QCOMPARE(r.transport.responses(180).size(), 2);
        r.session.accept(kAnswer);
        const Message ok = r.transport.responses(200).last().message;
        // After the 2xx the INVITE transaction is gone (17.2.1); the session answers the retransmission.
        r.transport.deliver(r.incomingInvite());
        const auto oks = r.transport.responses(200);
        QCOMPARE(oks.size(), 2);
        QCOMPARE(oks[1].message.raw(), ok.raw());
        QCOMPARE(oks[1].to.toString(), "127.0.0.1:5070");
        QCOMPARE(r.session.state(), State::Accepted);
        QVERIFY(r.ends.isEmpty());
    }

    // ---- re-INVITE from us ----------------------------------------------------

    void ourReinvite()
    {
        Rig r;
        r.establishCaller();
        QVERIFY(r.session.reinvite(kHoldOffer));
        QVERIFY(!r.session.reinvite(kOffer)); // one offer at a time
        const auto invites = r.transport.requests("INVITE");
        QCOMPARE(invites.size(), 2);
        const Message &re = invites[1].message;
        QCOMPARE(re.requestUri(), "sip:bob@127.0.0.1:5072");
        QCOMPARE(invites[1].to.toString(), "127.0.0.1:5072");
        QCOMPARE(h(re, HeaderId::CSeq), "2 INVITE");
        QCOMPARE(h(re, HeaderId::Contact), kOurContact); // a target refresh carries Contact (12.2.1.1)
        QCOMPARE(toTag(re), "bobtag");
        QCOMPARE(h(re, HeaderId::ContentType), "application/sdp");
        QCOMPARE(re.body(), kHoldOffer);

        r.answer(re, 200, "OK", "Contact: " + kBobContact + "\r\n", kHoldAnswer);
        const auto acks = r.transport.requests("ACK");
        QCOMPARE(acks.size(), 2);
        QCOMPARE(h(acks[1].message, HeaderId::CSeq), "2 ACK");
        QVERIFY(acks[1].message.topViaBranch() != re.topViaBranch());
        QCOMPARE(r.reinvites, (QList<QPair<int, QByteArray>> {{200, kHoldAnswer}}));
        QVERIFY(!r.session.offerPending());
        r.answer(re, 200, "OK", "Contact: " + kBobContact + "\r\n", kHoldAnswer); // retransmitted 2xx
        QCOMPARE(r.transport.requests("ACK").size(), 3);
        QCOMPARE(r.transport.requests("ACK").last().message.raw(), acks[1].message.raw());
        QCOMPARE(r.reinvites.size(), 1);
    }

    void ourReinviteGlareBackOff_data()
    {
        QTest::addColumn<bool>("caller");
        QTest::addColumn<qint64>("minWait");
        QTest::addColumn<qint64>("maxWait");
        // RFC 3261 14.1: the owner of the Call-ID (the caller) waits 2.1-4 s, the other 0-2 s.
        QTest::newRow("caller") << true << qint64(2100) << qint64(4000);
        QTest::newRow("callee") << false << qint64(0) << qint64(2000);
    }
    void ourReinviteGlareBackOff()
    {
        QFETCH(bool, caller);
        QFETCH(qint64, minWait);
        QFETCH(qint64, maxWait);
        Rig r;
        caller ? r.establishCaller() : r.establishCallee();
        QVERIFY(r.session.reinvite(kHoldOffer));
        const Message re = r.lastRequest("INVITE");
        const int before = r.transport.requests("INVITE").size();
        r.answer(re, 491, "Request Pending");
        const Message ack = r.lastRequest("ACK");
        QCOMPARE(ack.topViaBranch(), re.topViaBranch()); // the transaction's ACK for the 491
        const qint64 t0 = r.clock.nowMs();
        if (minWait > 0) {
            r.clock.advance(minWait - 1);
            QCOMPARE(r.transport.requests("INVITE").size(), before);
        }
        r.clock.advance(t0 + maxWait - r.clock.nowMs());
        const auto invites = firstSends(r.transport.requests("INVITE"));
        QCOMPARE(invites.size(), before + 1);
        const Message &retry = invites.last().message;
        QCOMPARE(retry.cseqNumber(), re.cseqNumber() + 1);
        QCOMPARE(retry.body(), kHoldOffer);
        QVERIFY(retry.topViaBranch() != re.topViaBranch());
        QVERIFY(invites.last().at - t0 >= minWait && invites.last().at - t0 < maxWait);
        QVERIFY(r.reinvites.isEmpty()); // not finished: retried
        r.answer(retry, 200, "OK", "Contact: " + kBobContact + "\r\n", kHoldAnswer);
        QCOMPARE(r.reinvites, (QList<QPair<int, QByteArray>> {{200, kHoldAnswer}}));
        QCOMPARE(h(r.lastRequest("ACK"), HeaderId::CSeq), QByteArray::number(retry.cseqNumber()) + " ACK");
    }

    void remoteReinviteDuringOurBackOff()
    {
        // RFC 3261 14.1/14.2: once our re-INVITE got its 491 it is no longer in progress; the far
        // end (0-2 s back-off) retries first and must be answered, not refused with 491 again.
        Rig r;
        r.establishCaller();
        QVERIFY(r.session.reinvite(kHoldOffer));
        r.answer(r.lastRequest("INVITE"), 491, "Request Pending");
        r.clock.advance(1000);
        r.transport.deliver(r.peerRequest("INVITE", 1, "z9hG4bKbobre", r.localTag, {}, kOffer));
        QCOMPARE(r.transport.last().statusCode(), 200);
        QCOMPARE(r.offers, QList<QByteArray> {kOffer});
    }
};

QTEST_GUILESS_MAIN(TestInviteSession)
#include "tst_invite_session.moc"
