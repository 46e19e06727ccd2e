// RtpTracker: RTP streams recognised from the SDP of a trace, counted with their loss.

#include "diag/rtp_tracker.h"

#include <QTest>

using namespace ds::diag;

namespace {

NetAddress v4(quint8 last, quint16 port)
{
    NetAddress a;
    a.ip = {192, 0, 2, last};
    a.port = port;
    return a;
}

QByteArray rtp(quint16 seq, quint32 ssrc, int pt = 0)
{
    QByteArray p(172, '\0');
    p[0] = char(0x80);
    p[1] = char(pt);
    p[2] = char(seq >> 8);
    p[3] = char(seq);
    p[8] = char(ssrc >> 24);
    p[9] = char(ssrc >> 16);
    p[10] = char(ssrc >> 8);
    p[11] = char(ssrc);
    return p;
}

QByteArray sdp(quint8 last, int port)
{
    return QByteArray("v=0\r\no=- 1 1 IN IP4 192.0.2.") + QByteArray::number(last) + "\r\ns=-\r\nc=IN IP4 192.0.2." + QByteArray::number(last)
        + "\r\nt=0 0\r\nm=audio " + QByteArray::number(port) + " RTP/AVP 0 8 101\r\na=rtpmap:101 telephone-event/8000\r\n";
}

} // namespace

class TestRtpTracker : public QObject {
    Q_OBJECT
private slots:
    void countsAnnouncedStreamsWithLoss()
    {
        RtpTracker t;
        t.noteSdp(3, sdp(10, 20000));
        // 100 packets from .20 to the announced .10:20000, seq wrapping, 3 lost, one reordered.
        qint64 time = 1'000'000;
        int sent = 0;
        for (int i = 0; i < 103; ++i) {
            if (i == 10 || i == 50 || i == 51)
                continue;
            const quint16 seq = quint16(65500 + (i == 20 ? 21 : i == 21 ? 20 : i));
            QVERIFY(t.datagram(time += 20000, v4(20, 30000), v4(10, 20000), rtp(seq, 0xabcdef01)));
            ++sent;
        }
        QCOMPARE(t.streams().size(), size_t(1));
        const RtpStreamInfo &s = t.streams().front();
        QCOMPARE(s.packets, quint64(sent));
        QCOMPARE(s.lost, quint64(3));
        QCOMPARE(s.call, 3u);
        QCOMPARE(s.codec, QStringLiteral("PCMU/8000"));
        QCOMPARE(s.ssrc, 0xabcdef01u);
    }

    void ignoresWhatIsNotAnnouncedRtp()
    {
        RtpTracker t;
        t.noteSdp(0, sdp(10, 20000));
        QVERIFY(!t.datagram(1, v4(20, 30000), v4(10, 20002), rtp(1, 1))); // another port
        QVERIFY(!t.datagram(1, v4(20, 30000), v4(10, 20000), QByteArray(8, '\x80'))); // too short
        QVERIFY(!t.datagram(1, v4(20, 30000), v4(10, 20000), QByteArray(20, '\0'))); // version 0
        QByteArray rtcp = rtp(1, 1);
        rtcp[1] = char(200); // an RTCP sender report (RFC 5761 4)
        QVERIFY(!t.datagram(1, v4(20, 30000), v4(10, 20000), rtcp));
        QVERIFY(t.streams().empty());
    }

    // Behind NAT the far end sends from another port than it announced; symmetric RTP
    // (RFC 4961) answers to where packets come from: both directions are the call's streams.
    void symmetricRtpToAnUnannouncedPort()
    {
        RtpTracker t;
        t.noteSdp(0, sdp(10, 20000));
        t.noteSdp(0, sdp(20, 20002));
        for (quint16 i = 0; i < 50; ++i) {
            QVERIFY(t.datagram(i, v4(20, 20010), v4(10, 20000), rtp(i, 1)));
            QVERIFY(t.datagram(i, v4(10, 20000), v4(20, 20010), rtp(i, 2)));
        }
        QCOMPARE(t.streams().size(), size_t(2));
        QCOMPARE(t.rtpPackets(), quint64(100));
    }
};

QTEST_GUILESS_MAIN(TestRtpTracker)
#include "tst_rtp_tracker.moc"
