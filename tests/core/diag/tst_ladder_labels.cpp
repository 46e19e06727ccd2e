// Ladder labels: the SDP summary, the digits of a DTMF INFO and the digest challenge as a user
// reads them on an arrow.

#include "ladder_flow.h"

#include "diag/ladder_labels.h"
#include "diag/ladder_model.h"

#include <QTest>

using namespace ds::diag;

namespace {

// An SDP body from LF lines (RFC 4566 5: CRLF on the wire).
QByteArray sdp(const QByteArray &media, const QByteArray &session = "c=IN IP4 192.0.2.101\n")
{
    return QByteArray("v=0\no=alice 2890844526 2890844526 IN IP4 192.0.2.101\ns=-\n" + session + "t=0 0\n" + media).replace("\n", "\r\n");
}

} // namespace

class TestLadderLabels : public QObject {
    Q_OBJECT
private slots:
    void sdpSummary_data()
    {
        QTest::addColumn<QByteArray>("body");
        QTest::addColumn<QString>("summary");
        QTest::newRow("RFC 3665 offer") << sdp("m=audio 49172 RTP/AVP 0\na=rtpmap:0 PCMU/8000\n") << "PCMU 192.0.2.101:49172 sendrecv";
        QTest::newRow("codecs in order, static without rtpmap") << sdp("m=audio 4000 RTP/AVP 8 0 101\na=rtpmap:101 telephone-event/8000\na=fmtp:101 0-16\n")
                                                                << "PCMA,PCMU,telephone-event 192.0.2.101:4000 sendrecv";
        QTest::newRow("dynamic type without rtpmap") << sdp("m=audio 4000 RTP/AVP 96\n") << "96 192.0.2.101:4000 sendrecv";
        QTest::newRow("hold, media level") << sdp("m=audio 4000 RTP/AVP 0\na=sendonly\n") << "PCMU 192.0.2.101:4000 sendonly";
        QTest::newRow("hold, session level") << sdp("m=audio 4000 RTP/AVP 0\n", "c=IN IP4 192.0.2.101\na=sendonly\n") << "PCMU 192.0.2.101:4000 sendonly";
        QTest::newRow("held, answer") << sdp("m=audio 4000 RTP/AVP 0\na=recvonly\n") << "PCMU 192.0.2.101:4000 recvonly";
        QTest::newRow("inactive") << sdp("m=audio 4000 RTP/AVP 0\na=inactive\n") << "PCMU 192.0.2.101:4000 inactive";
        QTest::newRow("media over session level") << sdp("m=audio 4000 RTP/AVP 0\na=sendrecv\n", "c=IN IP4 192.0.2.101\na=inactive\n")
                                                  << "PCMU 192.0.2.101:4000 sendrecv";
        QTest::newRow("rejected, port 0") << sdp("m=audio 0 RTP/AVP 0\n") << "PCMU 192.0.2.101:0 rejected";
        QTest::newRow("IPv6") << sdp("m=audio 4000 RTP/AVP 0\n", "c=IN IP6 2001:db8::1\n") << "PCMU [2001:db8::1]:4000 sendrecv";
        QTest::newRow("media-level c=") << sdp("m=audio 4000 RTP/AVP 0\nc=IN IP4 198.51.100.7\n") << "PCMU 198.51.100.7:4000 sendrecv";
        QTest::newRow("SDES SRTP") << sdp("m=audio 4000 RTP/SAVP 0\na=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:WVNfX19zZW1jdGwgKCkgewkyMjA7fQp9CnVubGVz\n")
                                   << "PCMU 192.0.2.101:4000 sendrecv SRTP";
        QTest::newRow("DTLS-SRTP") << sdp("m=audio 9 UDP/TLS/RTP/SAVPF 111\na=rtpmap:111 opus/48000/2\n") << "opus 192.0.2.101:9 sendrecv SRTP";
        QTest::newRow("audio and video") << sdp("m=audio 4000 RTP/AVP 0\nm=video 5000 RTP/AVP 96\na=rtpmap:96 H264/90000\na=recvonly\n")
                                         << "PCMU 192.0.2.101:4000 sendrecv; video H264 192.0.2.101:5000 recvonly";
        QTest::newRow("video rejected") << sdp("m=audio 4000 RTP/AVP 0\nm=video 0 RTP/AVP 96\na=rtpmap:96 H264/90000\n")
                                        << "PCMU 192.0.2.101:4000 sendrecv; video H264 192.0.2.101:0 rejected";
        QTest::newRow("not SDP") << QByteArray("hello\r\n") << "(bad SDP)";
        QTest::newRow("empty") << QByteArray() << "";
    }
    void sdpSummary()
    {
        QFETCH(QByteArray, body);
        QFETCH(QString, summary);
        QEXPECT_FAIL("DTLS-SRTP", "sdp::MediaDescription::isRtp() knows only RTP/... protos, not UDP/TLS/RTP/SAVPF (RFC 5764 8)", Continue);
        QCOMPARE(ds::diag::sdpSummary(body), summary);
    }

    // SIP INFO DTMF (application/dtmf-relay, application/dtmf), including the numeric event codes
    // 10-16 of RFC 4733 3.2 that some PBXs send for * # A-D and flash.
    void dtmfInfoDigits_data()
    {
        QTest::addColumn<QByteArray>("contentType");
        QTest::addColumn<QByteArray>("body");
        QTest::addColumn<QString>("digits");
        const QByteArray relay = "application/dtmf-relay";
        QTest::newRow("relay 5") << relay << QByteArray("Signal=5\r\nDuration=160\r\n") << "5";
        QTest::newRow("relay 0") << relay << QByteArray("Signal=0\r\nDuration=160\r\n") << "0";
        QTest::newRow("relay spaces") << relay << QByteArray("Signal = 9\r\nDuration= 250\r\n") << "9";
        QTest::newRow("relay key case") << relay << QByteArray("signal=7\r\n") << "7";
        QTest::newRow("relay duration first") << relay << QByteArray("Duration=160\r\nSignal=3\r\n") << "3";
        QTest::newRow("relay star") << relay << QByteArray("Signal=*\r\nDuration=160\r\n") << "*";
        QTest::newRow("relay hash") << relay << QByteArray("Signal=#\r\nDuration=160\r\n") << "#";
        QTest::newRow("relay A") << relay << QByteArray("Signal=A\r\n") << "A";
        QTest::newRow("relay d lower") << relay << QByteArray("Signal=d\r\n") << "D";
        QTest::newRow("relay 10") << relay << QByteArray("Signal=10\r\nDuration=160\r\n") << "*";
        QTest::newRow("relay 11") << relay << QByteArray("Signal=11\r\nDuration=160\r\n") << "#";
        QTest::newRow("relay 12") << relay << QByteArray("Signal=12\r\n") << "A";
        QTest::newRow("relay 13") << relay << QByteArray("Signal=13\r\n") << "B";
        QTest::newRow("relay 14") << relay << QByteArray("Signal=14\r\n") << "C";
        QTest::newRow("relay 15") << relay << QByteArray("Signal=15\r\n") << "D";
        QTest::newRow("relay 16 flash") << relay << QByteArray("Signal=16\r\n") << "flash";
        QTest::newRow("relay 17") << relay << QByteArray("Signal=17\r\n") << "";
        QTest::newRow("relay empty signal") << relay << QByteArray("Signal=\r\n") << "";
        QTest::newRow("relay no signal") << relay << QByteArray("Duration=160\r\n") << "";
        QTest::newRow("relay LF only") << relay << QByteArray("Signal=4\nDuration=160\n") << "4";
        QTest::newRow("relay type case") << QByteArray("Application/DTMF-Relay") << QByteArray("Signal=8\r\n") << "8";
        QTest::newRow("relay type parameter") << QByteArray("application/dtmf-relay;charset=utf-8") << QByteArray("Signal=2\r\n") << "2";
        QTest::newRow("dtmf hash") << QByteArray("application/dtmf") << QByteArray("#") << "#";
        QTest::newRow("dtmf digit CRLF") << QByteArray("application/dtmf") << QByteArray("5\r\n") << "5";
        QTest::newRow("dtmf 11") << QByteArray("application/dtmf") << QByteArray("11") << "#";
        QTest::newRow("dtmf type case") << QByteArray("APPLICATION/DTMF") << QByteArray("*") << "*";
        QTest::newRow("dtmf two digits") << QByteArray("application/dtmf") << QByteArray("12#") << "";
        QTest::newRow("text/plain") << QByteArray("text/plain") << QByteArray("5") << "";
        QTest::newRow("sdp") << QByteArray("application/sdp") << QByteArray("Signal=5\r\n") << "";
    }
    void dtmfInfoDigits()
    {
        QFETCH(QByteArray, contentType);
        QFETCH(QByteArray, body);
        QFETCH(QString, digits);
        QCOMPARE(ds::diag::dtmfInfoDigits(contentType, body), digits);
    }

    void challengeSummary_data()
    {
        QTest::addColumn<QByteArray>("value");
        QTest::addColumn<QString>("summary");
        QTest::newRow("RFC 3665 2.1") << QByteArray(
            "Digest realm=\"atlanta.example.com\", qop=\"auth\",\r\n nonce=\"ea9c8e88df84f1cec4341ae6cbe5a359\",\r\n opaque=\"\", stale=FALSE, "
            "algorithm=MD5")
                                             .replace("\r\n", "")
                                      << "Digest realm=\"atlanta.example.com\" MD5 qop=auth";
        QTest::newRow("no algorithm, no qop (RFC 2617 default)") << QByteArray("Digest realm=\"pbx\", nonce=\"abc\"") << "Digest realm=\"pbx\" MD5";
        QTest::newRow("SHA-256 (RFC 8760)") << QByteArray("Digest algorithm=SHA-256, realm=\"pbx.example.com\", nonce=\"5f4d\", qop=\"auth\"")
                                            << "Digest realm=\"pbx.example.com\" SHA-256 qop=auth";
        QTest::newRow("qop list") << QByteArray("Digest realm=\"r\", nonce=\"n\", qop=\"auth,auth-int\"") << "Digest realm=\"r\" MD5 qop=auth,auth-int";
        QTest::newRow("lower-case scheme") << QByteArray("digest realm=\"r\", nonce=\"n\"") << "digest realm=\"r\" MD5";
        QTest::newRow("no realm") << QByteArray("Digest nonce=\"n\"") << "Digest MD5";
        QTest::newRow("bearer (RFC 8898)") << QByteArray("Bearer realm=\"atlanta.example.com\", scope=\"sip\"") << "Bearer realm=\"atlanta.example.com\"";
        QTest::newRow("empty") << QByteArray() << "challenge";
        QTest::newRow("garbage") << QByteArray("\"") << "challenge";
    }
    void challengeSummary()
    {
        QFETCH(QByteArray, value);
        QFETCH(QString, summary);
        QCOMPARE(ds::diag::challengeSummary(value), summary);
    }

    // On the ladder: the INFO arrows of a call say which digit they carry.
    void dtmfOnTheLadder()
    {
        const auto f = ds::test::loadFlow(QStringLiteral("dtmf-info"));
        QVERIFY2(f, qPrintable(f.error()));
        TraceStore s;
        ds::test::feedAll(s, *f);
        LadderModel m(s);
        m.update();
        QCOMPARE(m.label(3), QStringLiteral("INFO DTMF 5"));
        QCOMPARE(m.annotations(3), QStringLiteral("DTMF 5"));
        QCOMPARE(m.label(5), QStringLiteral("INFO DTMF #"));
        QCOMPARE(m.label(7), QStringLiteral("INFO DTMF #"));
        QCOMPARE(m.label(4), QStringLiteral("200 OK"));
        QCOMPARE(m.annotations(4), QString());
        QCOMPARE(m.sdpSummary(0), QStringLiteral("PCMU 192.0.2.101:49170 sendrecv"));
        QCOMPARE(m.sdpSummary(3), QString());
    }
};

QTEST_GUILESS_MAIN(TestLadderLabels)
#include "tst_ladder_labels.moc"
