// Offer/answer: RFC 3264 negotiation against realistic offers (tests/data/sdp/valid), answers
// checked against our offers, directions, hold and resume.

#include "sdp/offer_answer.h"

#include <QFile>
#include <QTest>

using namespace ds::sdp;

Q_DECLARE_METATYPE(ds::sdp::Direction)
Q_DECLARE_METATYPE(ds::sdp::SrtpMode)

namespace {

SessionDescription vector(const char *name)
{
    QFile f(QStringLiteral(DS_TEST_DATA "/sdp/valid/") + QLatin1String(name));
    if (!f.open(QIODevice::ReadOnly))
        qFatal("missing vector %s", name);
    auto s = SessionDescription::parse(f.readAll());
    if (!s)
        qFatal("%s: %s", name, qPrintable(s.error().toString()));
    return *s;
}

SessionDescription sdp(const QByteArray &media)
{
    auto s = SessionDescription::parse("v=0\r\no=- 5 5 IN IP4 198.51.100.20\r\ns=-\r\nc=IN IP4 198.51.100.20\r\nt=0 0\r\n" + media);
    if (!s)
        qFatal("%s", qPrintable(s.error().toString()));
    return *s;
}

LocalMedia us(QList<QByteArray> codecs = {"PCMU", "PCMA", "opus"}, SrtpMode srtp = SrtpMode::Off)
{
    LocalMedia l;
    l.address = "192.0.2.10";
    l.audioPort = 4000;
    l.sessionId = 1000;
    l.sessionVersion = 1;
    l.codecs = std::move(codecs);
    l.srtp = srtp;
    l.crypto = *makeOfferCrypto(srtp);
    return l;
}

LocalMedia secured(SrtpMode mode, const QByteArray &address = "192.0.2.10", int port = 4000)
{
    LocalMedia l = us({"PCMU", "PCMA"}, mode);
    l.address = address;
    l.audioPort = port;
    return l;
}

QByteArray keyOf(const CryptoAttribute &a) { return QByteArray(reinterpret_cast<const char *>(a.keys[0].keySalt.data()), a.keys[0].keySalt.size()); }

// An offer as baresip 1.0 writes it with mediaenc=srtp (best effort) or srtp-mand.
QByteArray baresipOffer(const QByteArray &proto)
{
    return "v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\n"
           "m=audio 10000 "
        + proto
        + " 0 8 101\r\na=rtpmap:0 PCMU/8000\r\na=rtpmap:8 PCMA/8000\r\na=rtpmap:101 telephone-event/8000\r\n"
          "a=sendrecv\r\na=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:PS1uQCVeeCFCanVmcjkpPywjNWhcYD0mXXtxaVBR\r\n";
}

// The answer as the peer would receive it: serialized and parsed again.
SessionDescription overTheWire(const SessionDescription &s)
{
    auto parsed = SessionDescription::parse(s.toBytes());
    if (!parsed)
        qFatal("%s", qPrintable(parsed.error().toString()));
    return *parsed;
}

QByteArray mLine(const SessionDescription &s, qsizetype i)
{
    const QList<QByteArray> lines = s.toBytes().split('\n');
    qsizetype seen = -1;
    for (const QByteArray &l : lines)
        if (l.startsWith("m=") && ++seen == i)
            return l.trimmed();
    return {};
}

} // namespace

class TestOfferAnswer : public QObject {
    Q_OBJECT
private slots:
    void offerHasOurCodecsInOrder()
    {
        const SessionDescription offer = makeOffer(us());
        QCOMPARE(offer.toBytes(),
            QByteArray("v=0\r\no=- 1000 1 IN IP4 192.0.2.10\r\ns=dialscope\r\nc=IN IP4 192.0.2.10\r\nt=0 0\r\n"
                       "m=audio 4000 RTP/AVP 0 8 96 97 98\r\n"
                       "a=rtpmap:0 PCMU/8000\r\na=rtpmap:8 PCMA/8000\r\n"
                       "a=rtpmap:96 opus/48000/2\r\na=fmtp:96 useinbandfec=1;maxplaybackrate=48000;stereo=0;sprop-stereo=0\r\n"
                       "a=rtpmap:97 telephone-event/8000\r\na=fmtp:97 0-16\r\n"
                       "a=rtpmap:98 telephone-event/48000\r\na=fmtp:98 0-16\r\n"
                       "a=ptime:20\r\na=sendrecv\r\n"));
        QVERIFY(SessionDescription::parse(offer.toBytes()));

        // Opus first; PCMU only (no 48000 event); IPv6, rtcp-mux, unknown names skipped.
        QCOMPARE(mLine(makeOffer(us({"opus", "PCMA"})), 0), "m=audio 4000 RTP/AVP 96 8 97 98");
        QCOMPARE(mLine(makeOffer(us({"PCMU", "G729"})), 0), "m=audio 4000 RTP/AVP 0 96");
        LocalMedia v6 = us({"PCMU"});
        v6.address = "2001:db8::10";
        v6.rtcpMux = true;
        v6.telephoneEvent = false;
        const SessionDescription o6 = makeOffer(v6);
        QCOMPARE(o6.connection->addrType, "IP6");
        QCOMPARE(o6.origin.addrType, "IP6");
        QVERIFY(o6.media[0].rtcpMux());
        QCOMPARE(mLine(o6, 0), "m=audio 4000 RTP/AVP 0");
        QVERIFY(isSupportedCodec("OPUS"));
        QVERIFY(!isSupportedCodec("G729"));
    }

    void answersPcmuOnlyOffer()
    {
        auto n = answerOffer(vector("asterisk_pcmu.sdp"), us());
        QVERIFY2(n, n ? "" : qPrintable(n.error().toString()));
        QCOMPARE(n->answer.toBytes(),
            QByteArray("v=0\r\no=- 1000 1 IN IP4 192.0.2.10\r\ns=dialscope\r\nc=IN IP4 192.0.2.10\r\nt=0 0\r\n"
                       "m=audio 4000 RTP/AVP 0 101\r\na=rtpmap:0 PCMU/8000\r\na=rtpmap:101 telephone-event/8000\r\na=fmtp:101 0-16\r\n"
                       "a=ptime:20\r\na=sendrecv\r\n"));
        QCOMPARE(n->codec.toString(), "PCMU/8000");
        QCOMPARE(n->codec.payloadType, 0);
        QCOMPARE(n->telephoneEventPayloadType.value_or(-1), 101);
        QCOMPARE(n->remoteAddress, "203.0.113.5");
        QCOMPARE(n->remotePort, 17894);
        QCOMPARE(n->ptime, 20);
        QCOMPARE(n->direction, Direction::SendRecv);
        QVERIFY(!n->onHold);
    }

    void answersOpusInOfferersOrderWithEventsAt48000()
    {
        auto n = answerOffer(vector("linphone_opus.sdp"), us());
        QVERIFY(n);
        // Offerer's order and payload numbers; both event rates kept since both clock rates are in use.
        QCOMPARE(mLine(n->answer, 0), "m=audio 4000 RTP/AVP 96 0 8 101 97");
        QCOMPARE(n->codec.toString(), "opus/48000/2");
        QCOMPARE(n->codec.payloadType, 96);
        QCOMPARE(n->codec.fmtp, "useinbandfec=1"); // what the peer receives, so what we send with
        QCOMPARE(n->answer.media[0].fmtp(96).value_or(""), "useinbandfec=1;maxplaybackrate=48000;stereo=0;sprop-stereo=0");
        QCOMPARE(n->telephoneEventPayloadType.value_or(-1), 101); // telephone-event/48000 goes with opus

        // Without opus on our side, the 48000 event goes too.
        auto g711 = answerOffer(vector("linphone_opus.sdp"), us({"PCMA", "PCMU"}));
        QVERIFY(g711);
        QCOMPARE(mLine(g711->answer, 0), "m=audio 4000 RTP/AVP 0 8 97");
        QCOMPARE(g711->codec.toString(), "PCMU/8000");
        QCOMPARE(g711->telephoneEventPayloadType.value_or(-1), 97);

        LocalMedia noEvents = us();
        noEvents.telephoneEvent = false;
        auto plain = answerOffer(vector("linphone_opus.sdp"), noEvents);
        QVERIFY(plain);
        QCOMPARE(mLine(plain->answer, 0), "m=audio 4000 RTP/AVP 96 0 8");
        QVERIFY(!plain->telephoneEventPayloadType);

        // IPv6 and rtcp-mux from baresip.
        LocalMedia mux = us({"opus"});
        mux.rtcpMux = true;
        auto v6 = answerOffer(vector("baresip_ipv6.sdp"), mux);
        QVERIFY(v6);
        QCOMPARE(v6->remoteAddress, "2001:db8::10");
        QVERIFY(v6->rtcpMux);
        QVERIFY(v6->answer.media[0].rtcpMux());
        QVERIFY(!v6->telephoneEventPayloadType); // only telephone-event/8000 offered, no 8000 codec agreed
    }

    void noCommonCodecIs488_data()
    {
        QTest::addColumn<QByteArray>("offer");
        QTest::addColumn<QString>("expected");
        QFile f(QStringLiteral(DS_TEST_DATA "/sdp/valid/g729_only.sdp"));
        QVERIFY(f.open(QIODevice::ReadOnly));
        QTest::newRow("G729 only") << f.readAll() << "offered G729/8000, we support PCMU, PCMA, opus";
        const QByteArray head = "v=0\r\no=- 5 5 IN IP4 198.51.100.20\r\ns=-\r\nc=IN IP4 198.51.100.20\r\nt=0 0\r\n";
        QTest::newRow("video only") << head + "m=video 5000 RTP/AVP 99\r\na=rtpmap:99 H264/90000\r\n"
                                    << "no RTP/AVP audio codec";
        QTest::newRow("SRTP only") << head + "m=audio 5000 RTP/SAVP 0\r\n"
                                   << "RTP/SAVP (SRTP only) and SRTP is off for this account";
        QTest::newRow("audio disabled") << head + "m=audio 0 RTP/AVP 0\r\n"
                                        << "no usable audio stream";
        QTest::newRow("opus mono is not opus") << head + "m=audio 5000 RTP/AVP 96\r\na=rtpmap:96 opus/48000\r\n"
                                               << "offered opus/48000";
    }
    void noCommonCodecIs488()
    {
        QFETCH(QByteArray, offer);
        QFETCH(QString, expected);
        auto parsed = SessionDescription::parse(offer);
        QVERIFY(parsed);
        auto n = answerOffer(*parsed, us());
        QVERIFY(!n);
        QCOMPARE(n.error().code, Error::Code::NotAcceptableHere);
        QVERIFY2(n.error().what.contains(expected), qPrintable(n.error().what));
    }

    void rejectsVideoAndSrtpWithPortZero()
    {
        auto n = answerOffer(vector("video_two_lines.sdp"), us());
        QVERIFY(n);
        QCOMPARE(n->answer.media.size(), 2);
        QCOMPARE(mLine(n->answer, 0), "m=audio 4000 RTP/AVP 0 8");
        QCOMPARE(mLine(n->answer, 1), "m=video 0 RTP/AVP 31 99");
        QVERIFY(n->answer.media[1].attributes.isEmpty());
        // The audio line is sendonly (its own a= over the session's recvonly): we answer recvonly.
        QCOMPARE(n->answer.media[0].direction().value(), Direction::RecvOnly);
        QCOMPARE(n->direction, Direction::RecvOnly);
        QVERIFY(n->onHold);
        QCOMPARE(n->remoteAddress, "198.51.100.8"); // media-level c=
        QCOMPARE(n->remotePort, 49170);

        auto s = answerOffer(vector("savp_then_avp.sdp"), us());
        QVERIFY(s);
        QCOMPARE(s->mediaIndex, 1);
        QCOMPARE(mLine(s->answer, 0), "m=audio 0 RTP/SAVP 0 8");
        QCOMPARE(mLine(s->answer, 1), "m=audio 4000 RTP/AVP 0 8");
        QCOMPARE(s->remotePort, 49002);
        // G729 with PCMU on our side is still no common codec.
        auto g = answerOffer(vector("g729_only.sdp"), us({"PCMU"}));
        QVERIFY(!g);
    }

    void answerDirection_data()
    {
        QTest::addColumn<Direction>("offered");
        QTest::addColumn<Direction>("local");
        QTest::addColumn<Direction>("answered");
        using D = Direction;
        QTest::newRow("sendrecv") << D::SendRecv << D::SendRecv << D::SendRecv;
        QTest::newRow("sendonly -> recvonly") << D::SendOnly << D::SendRecv << D::RecvOnly;
        QTest::newRow("recvonly -> sendonly") << D::RecvOnly << D::SendRecv << D::SendOnly;
        QTest::newRow("inactive -> inactive") << D::Inactive << D::SendRecv << D::Inactive;
        QTest::newRow("we hold") << D::SendRecv << D::SendOnly << D::SendOnly;
        QTest::newRow("both receive only") << D::RecvOnly << D::RecvOnly << D::Inactive;
    }
    void answerDirection()
    {
        QFETCH(Direction, offered);
        QFETCH(Direction, local);
        QFETCH(Direction, answered);
        LocalMedia them = us({"PCMU"});
        them.direction = offered;
        LocalMedia me = us();
        me.direction = local;
        auto n = answerOffer(overTheWire(makeOffer(them)), me);
        QVERIFY(n);
        const SessionDescription answer = overTheWire(n->answer);
        QCOMPARE(answer.directionOf(0), answered);
        QCOMPARE(n->direction, answered);
        // And the offerer accepts it, seeing the mirror image.
        auto back = processAnswer(makeOffer(them), answer);
        QVERIFY2(back, back ? "" : qPrintable(back.error().toString()));
        QCOMPARE(back->direction, reversed(answered));
    }

    void detectsHold()
    {
        auto inactive = answerOffer(vector("asterisk_inactive.sdp"), us());
        QVERIFY(inactive);
        QVERIFY(inactive->onHold);
        QCOMPARE(inactive->answer.media[0].direction().value(), Direction::Inactive);
        QCOMPARE(inactive->codec.toString(), "PCMA/8000");
        QCOMPARE(inactive->ptime, 30); // the peer's a=ptime is what we send at

        // RFC 3264 8.4: c=0.0.0.0 from an RFC 2543 phone; we must not send there.
        auto legacy = answerOffer(vector("lf_legacy_hold.sdp"), us());
        QVERIFY(legacy);
        QVERIFY(legacy->onHold);
        QCOMPARE(legacy->remoteAddress, "0.0.0.0");
        QCOMPARE(legacy->direction, Direction::RecvOnly);
        QCOMPARE(legacy->answer.media[0].direction().value(), Direction::SendRecv);
        QCOMPARE(legacy->codec.toString(), "PCMU/8000"); // G729 skipped

        auto normal = answerOffer(vector("baresip_ipv6.sdp"), us());
        QVERIFY(normal);
        QVERIFY(!normal->onHold);
    }

    void processesAnswerEndToEnd()
    {
        const SessionDescription offer = makeOffer(us());
        LocalMedia peer = us({"opus", "PCMA"});
        peer.address = "198.51.100.30";
        peer.audioPort = 30000;
        auto answered = answerOffer(overTheWire(offer), peer);
        QVERIFY(answered);
        auto n = processAnswer(offer, overTheWire(answered->answer));
        QVERIFY2(n, n ? "" : qPrintable(n.error().toString()));
        // The peer kept our order (PCMA before opus), so PCMA is the codec.
        QCOMPARE(n->codec.toString(), "PCMA/8000");
        QCOMPARE(n->codec.payloadType, 8);
        QCOMPARE(n->telephoneEventPayloadType.value_or(-1), 97);
        QCOMPARE(n->remoteAddress, "198.51.100.30");
        QCOMPARE(n->remotePort, 30000);
        QCOMPARE(n->ptime, 20);
        QCOMPARE(n->direction, Direction::SendRecv);
        QVERIFY(!n->onHold);

        const SessionDescription opusFirst = makeOffer(us({"opus", "PCMU"}));
        auto o = processAnswer(opusFirst, overTheWire(answerOffer(overTheWire(opusFirst), peer)->answer));
        QVERIFY(o);
        QCOMPARE(o->codec.toString(), "opus/48000/2");
        QCOMPARE(o->codec.payloadType, 96);
        QCOMPARE(o->telephoneEventPayloadType.value_or(-1), 98); // telephone-event/48000

        // Media-level c= and ptime in the answer win.
        auto m = processAnswer(offer, sdp("m=audio 6000 RTP/AVP 0\r\nc=IN IP4 198.51.100.99\r\na=ptime:40\r\n"));
        QVERIFY(m);
        QCOMPARE(m->remoteAddress, "198.51.100.99");
        QCOMPARE(m->ptime, 40);
        QVERIFY(!m->telephoneEventPayloadType);
    }

    void refusesBadAnswers_data()
    {
        QTest::addColumn<QByteArray>("answer");
        QTest::addColumn<int>("code");
        QTest::addColumn<QString>("expected");
        const int bad = int(Error::Code::BadAnswer);
        QTest::newRow("codec not offered") << QByteArray("m=audio 6000 RTP/AVP 18\r\na=rtpmap:18 G729/8000\r\n") << bad
                                           << "the answer lists G729/8000 (payload type 18), which the offer did not";
        QTest::newRow("offered type renamed") << QByteArray("m=audio 6000 RTP/AVP 96\r\na=rtpmap:96 speex/16000\r\n") << bad << "speex/16000 (payload type 96)";
        QTest::newRow("unknown type") << QByteArray("m=audio 6000 RTP/AVP 0 120\r\n") << bad << "payload type 120";
        QTest::newRow("extra m= line") << QByteArray("m=audio 6000 RTP/AVP 0\r\nm=video 0 RTP/AVP 31\r\n") << bad << "2 m= lines but the offer had 1";
        QTest::newRow("media type changed") << QByteArray("m=video 6000 RTP/AVP 0\r\n") << bad << "is video in the answer but audio";
        QTest::newRow("only events") << QByteArray("m=audio 6000 RTP/AVP 97\r\na=rtpmap:97 telephone-event/8000\r\n") << bad << "names no audio codec";
        QTest::newRow("audio rejected") << QByteArray("m=audio 0 RTP/AVP 0\r\n") << int(Error::Code::NotAcceptableHere) << "rejected every audio stream";
    }
    void refusesBadAnswers()
    {
        QFETCH(QByteArray, answer);
        QFETCH(int, code);
        QFETCH(QString, expected);
        auto n = processAnswer(makeOffer(us()), sdp(answer));
        QVERIFY(!n);
        QCOMPARE(int(n.error().code), code);
        QVERIFY2(n.error().what.contains(expected), qPrintable(n.error().what));
    }

    // SRTP with SDES keys (RFC 4568): what each mode offers, answers and accepts.
    void srtpOfferForms()
    {
        const SessionDescription off = makeOffer(us());
        QCOMPARE(mLine(off, 0), "m=audio 4000 RTP/AVP 0 8 96 97 98");
        QVERIFY(off.media[0].attributeValues("crypto").isEmpty());
        // Optional: best effort, RTP/AVP with a=crypto (what baresip's "srtp" and Linphone's optional SRTP send).
        const SessionDescription optional = makeOffer(secured(SrtpMode::Optional));
        QCOMPARE(mLine(optional, 0), "m=audio 4000 RTP/AVP 0 8 96");
        const QList<QByteArray> lines = optional.media[0].attributeValues("crypto");
        QCOMPARE(lines.size(), offeredCryptoSuites().size());
        QVERIFY(lines[0].startsWith("1 AES_CM_128_HMAC_SHA1_80 inline:"));
        QVERIFY(lines[1].startsWith("2 AES_CM_128_HMAC_SHA1_32 inline:"));
        QVERIFY(SessionDescription::parse(optional.toBytes()));
        // Mandatory: RTP/SAVP.
        const SessionDescription mandatory = makeOffer(secured(SrtpMode::Mandatory));
        QCOMPARE(mLine(mandatory, 0), "m=audio 4000 RTP/SAVP 0 8 96");
        QCOMPARE(mandatory.media[0].attributeValues("crypto").size(), offeredCryptoSuites().size());
        QCOMPARE(srtpModeFromName("Mandatory"), SrtpMode::Mandatory);
        QVERIFY(!srtpModeFromName("sdes"));
        QCOMPARE(srtpModeName(SrtpMode::Optional), "optional");
    }

    void srtpEndToEnd_data()
    {
        QTest::addColumn<SrtpMode>("caller");
        QTest::addColumn<SrtpMode>("callee");
        QTest::addColumn<bool>("encrypted");
        QTest::newRow("mandatory to mandatory") << SrtpMode::Mandatory << SrtpMode::Mandatory << true;
        QTest::newRow("mandatory to optional") << SrtpMode::Mandatory << SrtpMode::Optional << true;
        QTest::newRow("optional to mandatory") << SrtpMode::Optional << SrtpMode::Mandatory << true;
        QTest::newRow("optional to optional") << SrtpMode::Optional << SrtpMode::Optional << true;
        QTest::newRow("optional to off") << SrtpMode::Optional << SrtpMode::Off << false;
        QTest::newRow("off to optional") << SrtpMode::Off << SrtpMode::Optional << false;
    }
    void srtpEndToEnd()
    {
        QFETCH(SrtpMode, caller);
        QFETCH(SrtpMode, callee);
        QFETCH(bool, encrypted);
        const SessionDescription offer = makeOffer(secured(caller));
        auto answered = answerOffer(overTheWire(offer), secured(callee, "198.51.100.30", 30000));
        QVERIFY2(answered, answered ? "" : qPrintable(answered.error().toString()));
        QCOMPARE(answered->answer.media[0].proto, offer.media[0].proto); // RFC 3264 6: the offer's transport
        auto n = processAnswer(offer, overTheWire(answered->answer));
        QVERIFY2(n, n ? "" : qPrintable(n.error().toString()));
        QCOMPARE(n->srtp.has_value(), encrypted);
        QCOMPARE(answered->srtp.has_value(), encrypted);
        if (!encrypted) {
            QVERIFY(answered->answer.media[0].attributeValues("crypto").isEmpty());
            QVERIFY(!n->srtp);
            QCOMPARE(!n->srtpNote.isEmpty(), caller == SrtpMode::Optional); // the caller hears why there is no SRTP
            return;
        }
        // Each side sends with its own key and expects the other's (RFC 4568 6.1): the keys cross over.
        QCOMPARE(n->srtp->suite, CryptoSuite::AesCm128HmacSha1_80);
        QCOMPARE(answered->srtp->suite, CryptoSuite::AesCm128HmacSha1_80);
        QCOMPARE(keyOf(n->srtp->local), keyOf(answered->srtp->remote));
        QCOMPARE(keyOf(n->srtp->remote), keyOf(answered->srtp->local));
        QVERIFY(keyOf(n->srtp->local) != keyOf(n->srtp->remote));
        QCOMPARE(answered->answer.media[0].attributeValues("crypto").size(), 1);
        QVERIFY(answered->answer.media[0].attributeValues("crypto")[0].startsWith("1 AES_CM_128_HMAC_SHA1_80 inline:"));
    }

    void srtpAnswerPicksOfferersTagWithOwnKey()
    {
        // A peer offering only the 32-bit tag suite, and a suite we lack first.
        const QByteArray offer = "v=0\r\no=- 1 2 IN IP4 198.51.100.20\r\ns=-\r\nc=IN IP4 198.51.100.20\r\nt=0 0\r\n"
                                 "m=audio 5000 RTP/SAVP 0\r\n"
                                 "a=crypto:5 F8_128_HMAC_SHA1_80 inline:MTIzNDU2Nzg5QUJDREUwMTIzNDU2Nzg5QUJjZGVm\r\n"
                                 "a=crypto:9 AES_CM_128_HMAC_SHA1_32 inline:PS1uQCVeeCFCanVmcjkpPywjNWhcYD0mXXtxaVBR|2^31\r\n";
        auto n = answerOffer(*SessionDescription::parse(offer), secured(SrtpMode::Optional));
        QVERIFY2(n, n ? "" : qPrintable(n.error().toString()));
        QCOMPARE(mLine(n->answer, 0), "m=audio 4000 RTP/SAVP 0");
        const QList<QByteArray> lines = n->answer.media[0].attributeValues("crypto");
        QCOMPARE(lines.size(), 1);
        QVERIFY(lines[0].startsWith("9 AES_CM_128_HMAC_SHA1_32 inline:"));
        QVERIFY(!lines[0].contains("PS1uQCVeeCFCanVmcjkpPywjNWhcYD0mXXtxaVBR")); // our key, not theirs
        QCOMPARE(n->srtp->suite, CryptoSuite::AesCm128HmacSha1_32);
        QCOMPARE(n->srtp->remote.keys[0].lifetime.value_or(0), quint64(1) << 31);
    }

    void srtpRefusals_data()
    {
        QTest::addColumn<QByteArray>("offer");
        QTest::addColumn<SrtpMode>("mode");
        QTest::addColumn<QString>("expected");
        const QByteArray head = "v=0\r\no=- 5 5 IN IP4 198.51.100.20\r\ns=-\r\nc=IN IP4 198.51.100.20\r\nt=0 0\r\n";
        const QByteArray crypto80 = "a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:PS1uQCVeeCFCanVmcjkpPywjNWhcYD0mXXtxaVBR\r\n";
        QTest::newRow("mandatory, plain RTP offer") << head + "m=audio 5000 RTP/AVP 0\r\n"
                                                    << SrtpMode::Mandatory << "SRTP is mandatory and the offer has no a=crypto line (plain RTP)";
        QTest::newRow("off, SAVP offer") << head + "m=audio 5000 RTP/SAVP 0\r\n" + crypto80 << SrtpMode::Off << "SRTP is off for this account";
        QTest::newRow("SAVP without crypto") << head + "m=audio 5000 RTP/SAVP 0\r\n" << SrtpMode::Optional << "has no a=crypto line";
        QTest::newRow("mandatory, only unknown suites")
            << head + "m=audio 5000 RTP/SAVP 0\r\na=crypto:1 F8_128_HMAC_SHA1_80 inline:MTIzNDU2Nzg5QUJDREUwMTIzNDU2Nzg5QUJjZGVm\r\n"
            << SrtpMode::Mandatory << "F8_128_HMAC_SHA1_80 is not one we use";
        QTest::newRow("mandatory, malformed key") << head + "m=audio 5000 RTP/AVP 0\r\na=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:c2hvcnQ=\r\n"
                                                  << SrtpMode::Mandatory << "needs a 30-octet key||salt";
        QTest::newRow("mandatory, unencrypted SRTP asked") << head + "m=audio 5000 RTP/SAVP 0\r\n" + crypto80.trimmed() + " UNENCRYPTED_SRTP\r\n"
                                                           << SrtpMode::Mandatory << "UNENCRYPTED_SRTP";
    }
    void srtpRefusals()
    {
        QFETCH(QByteArray, offer);
        QFETCH(SrtpMode, mode);
        QFETCH(QString, expected);
        auto parsed = SessionDescription::parse(offer);
        QVERIFY(parsed);
        auto n = answerOffer(*parsed, secured(mode));
        QVERIFY(!n);
        QCOMPARE(n.error().code, Error::Code::NotAcceptableHere); // 488
        QVERIFY2(n.error().what.contains(expected), qPrintable(n.error().what));
        QVERIFY(!n.error().what.contains("PS1uQCVeeCFCanVmcjkpPywjNWhcYD0mXXtxaVBR")); // never a key in a reason
    }

    void srtpOptionalFallsBackToPlainRtp()
    {
        // Best effort: an RTP/AVP offer whose crypto lines are all unusable is answered as plain RTP, with the reason kept.
        const QByteArray offer = "v=0\r\no=- 5 5 IN IP4 198.51.100.20\r\ns=-\r\nc=IN IP4 198.51.100.20\r\nt=0 0\r\n"
                                 "m=audio 5000 RTP/AVP 0\r\na=crypto:1 F8_128_HMAC_SHA1_80 inline:MTIzNDU2Nzg5QUJDREUwMTIzNDU2Nzg5QUJjZGVm\r\n";
        auto n = answerOffer(*SessionDescription::parse(offer), secured(SrtpMode::Optional));
        QVERIFY(n);
        QVERIFY(!n->srtp);
        QVERIFY(n->answer.media[0].attributeValues("crypto").isEmpty());
        QVERIFY2(n->srtpNote.contains("F8_128_HMAC_SHA1_80"), qPrintable(n->srtpNote));
        // Off ignores a=crypto in an RTP/AVP offer altogether.
        auto off = answerOffer(*SessionDescription::parse(baresipOffer("RTP/AVP")), secured(SrtpMode::Off));
        QVERIFY(off);
        QVERIFY(!off->srtp);
        QVERIFY(off->srtpNote.isEmpty());
        QVERIFY(off->answer.media[0].attributeValues("crypto").isEmpty());
    }

    void srtpBaresipOffers_data()
    {
        QTest::addColumn<QByteArray>("proto");
        QTest::addColumn<SrtpMode>("mode");
        QTest::newRow("srtp to optional") << QByteArray("RTP/AVP") << SrtpMode::Optional;
        QTest::newRow("srtp to mandatory") << QByteArray("RTP/AVP") << SrtpMode::Mandatory;
        QTest::newRow("srtp-mand to optional") << QByteArray("RTP/SAVP") << SrtpMode::Optional;
        QTest::newRow("srtp-mand to mandatory") << QByteArray("RTP/SAVP") << SrtpMode::Mandatory;
    }
    void srtpBaresipOffers()
    {
        QFETCH(QByteArray, proto);
        QFETCH(SrtpMode, mode);
        auto n = answerOffer(*SessionDescription::parse(baresipOffer(proto)), secured(mode));
        QVERIFY2(n, n ? "" : qPrintable(n.error().toString()));
        QVERIFY(n->srtp);
        QCOMPARE(n->answer.media[0].proto, proto);
        QCOMPARE(n->answer.media[0].attributeValues("crypto").size(), 1);
        QCOMPARE(n->srtp->remote.tag, 1u);
    }

    void srtpRefusesBadAnswers_data()
    {
        QTest::addColumn<SrtpMode>("mode");
        QTest::addColumn<QByteArray>("answerMedia");
        QTest::addColumn<QString>("expected");
        const QByteArray key = "inline:PS1uQCVeeCFCanVmcjkpPywjNWhcYD0mXXtxaVBR";
        QTest::newRow("mandatory, no crypto") << SrtpMode::Mandatory << QByteArray("m=audio 6000 RTP/SAVP 0\r\n")
                                              << "SRTP is mandatory and the answer has no a=crypto line";
        QTest::newRow("mandatory, answered AVP") << SrtpMode::Mandatory << "m=audio 6000 RTP/AVP 0\r\na=crypto:1 AES_CM_128_HMAC_SHA1_80 " + key + "\r\n"
                                                 << "we offered SRTP only (RTP/SAVP) and the answer says RTP/AVP";
        QTest::newRow("tag never offered") << SrtpMode::Optional << "m=audio 6000 RTP/AVP 0\r\na=crypto:7 AES_CM_128_HMAC_SHA1_80 " + key + "\r\n"
                                           << "tag 7 is not one we offered";
        QTest::newRow("suite changed") << SrtpMode::Mandatory << "m=audio 6000 RTP/SAVP 0\r\na=crypto:2 AES_CM_128_HMAC_SHA1_80 " + key + "\r\n"
                                       << "where we offered AES_CM_128_HMAC_SHA1_32";
        QTest::newRow("two crypto lines") << SrtpMode::Optional
                                          << "m=audio 6000 RTP/AVP 0\r\na=crypto:1 AES_CM_128_HMAC_SHA1_80 " + key + "\r\na=crypto:2 AES_CM_128_HMAC_SHA1_32 "
                + key + "\r\n"
                                          << "RFC 4568 wants one";
        QTest::newRow("short key") << SrtpMode::Optional << QByteArray("m=audio 6000 RTP/AVP 0\r\na=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:c2hvcnQ=\r\n")
                                   << "30-octet";
    }
    void srtpRefusesBadAnswers()
    {
        QFETCH(SrtpMode, mode);
        QFETCH(QByteArray, answerMedia);
        QFETCH(QString, expected);
        auto n = processAnswer(makeOffer(secured(mode)), sdp(answerMedia));
        QVERIFY(!n);
        QCOMPARE(n.error().code, Error::Code::BadAnswer);
        QVERIFY2(n.error().what.contains(expected), qPrintable(n.error().what));
    }

    void srtpAnswerWithCryptoToPlainOfferIsPlain()
    {
        // baresip's best effort adds a=crypto to its answer even when we offered none: still plain RTP.
        auto n = processAnswer(makeOffer(secured(SrtpMode::Off)),
            sdp("m=audio 6000 RTP/AVP 0\r\na=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:PS1uQCVeeCFCanVmcjkpPywjNWhcYD0mXXtxaVBR\r\n"));
        QVERIFY(n);
        QVERIFY(!n->srtp);
        // Optional offer, plain answer: plain RTP, and the reason.
        auto plain = processAnswer(makeOffer(secured(SrtpMode::Optional)), sdp("m=audio 6000 RTP/AVP 0\r\n"));
        QVERIFY(plain);
        QVERIFY(!plain->srtp);
        QVERIFY(plain->srtpNote.contains("without a=crypto"));
        // Hold keeps the offer's crypto lines: the same keys go on (RFC 4568 7.1.4 lets them stay).
        const SessionDescription offer = makeOffer(secured(SrtpMode::Mandatory));
        QCOMPARE(holdOffer(offer).media[0].attributeValues("crypto"), offer.media[0].attributeValues("crypto"));
    }

    void holdAndResume()
    {
        const SessionDescription offer = makeOffer(us());
        const SessionDescription hold = holdOffer(offer);
        QCOMPARE(hold.origin.sessionVersion, offer.origin.sessionVersion + 1); // RFC 3264 8
        QCOMPARE(hold.origin.sessionId, offer.origin.sessionId);
        QCOMPARE(hold.directionOf(0), Direction::SendOnly);
        QCOMPARE(hold.media[0].attributeValues("rtpmap"), offer.media[0].attributeValues("rtpmap"));

        LocalMedia peer = us();
        peer.address = "198.51.100.30";
        auto peerSide = answerOffer(overTheWire(hold), peer);
        QVERIFY(peerSide);
        QVERIFY(peerSide->onHold);
        QCOMPARE(peerSide->answer.directionOf(0), Direction::RecvOnly);
        auto ours = processAnswer(hold, overTheWire(peerSide->answer));
        QVERIFY(ours);
        QVERIFY(ours->onHold);
        QCOMPARE(ours->direction, Direction::SendOnly);

        // A sendrecv answer to a sendonly offer breaks RFC 3264 6.1.
        auto wrong = processAnswer(hold, sdp("m=audio 6000 RTP/AVP 0\r\na=sendrecv\r\n"));
        QVERIFY(!wrong);
        QCOMPARE(wrong.error().code, Error::Code::BadAnswer);
        QVERIFY2(wrong.error().what.contains("says sendrecv to our sendonly offer"), qPrintable(wrong.error().what));

        const SessionDescription resume = resumeOffer(hold);
        QCOMPARE(resume.origin.sessionVersion, offer.origin.sessionVersion + 2);
        QCOMPARE(resume.directionOf(0), Direction::SendRecv);
        auto resumed = processAnswer(resume, overTheWire(answerOffer(overTheWire(resume), peer)->answer));
        QVERIFY(resumed);
        QVERIFY(!resumed->onHold);
        QCOMPARE(resumed->direction, Direction::SendRecv);

        // Holding a stream we only received on makes it inactive (RFC 6337 5.3).
        QCOMPARE(holdOffer(withDirection(offer, Direction::RecvOnly)).directionOf(0), Direction::Inactive);

        // The peer answers with the legacy c=0.0.0.0: on hold, and we do not send.
        auto legacy = processAnswer(offer, sdp("m=audio 6000 RTP/AVP 0\r\nc=IN IP4 0.0.0.0\r\n"));
        QVERIFY(legacy);
        QVERIFY(legacy->onHold);
        QCOMPARE(legacy->direction, Direction::RecvOnly);
    }
};

QTEST_GUILESS_MAIN(TestOfferAnswer)
#include "tst_offer_answer.moc"
