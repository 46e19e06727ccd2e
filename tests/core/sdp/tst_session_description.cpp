// SessionDescription: RFC 4566 vectors (tests/data/sdp/{valid,invalid}), round trips, the
// serializer's field order, the helpers, and the limits on hostile input.

#include "sdp/session_description.h"

#include <QDir>
#include <QFile>
#include <QTest>

using namespace ds::sdp;

namespace {

QByteArray readFile(const QString &path)
{
    QFile f(path);
    return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray();
}

// One line per fact a user of the parse would notice; compared with the .expect files.
QByteArray summary(const SessionDescription &s)
{
    QByteArray out = "origin " + s.origin.username + ' ' + s.origin.sessionId + ' ' + QByteArray::number(s.origin.sessionVersion) + ' ' + s.origin.addrType
        + ' ' + s.origin.address + '\n';
    for (qsizetype i = 0; i < s.media.size(); ++i) {
        const MediaDescription &m = s.media[i];
        const auto c = s.connectionOf(i);
        const auto ptime = s.ptimeOf(i);
        const auto rtcp = m.rtcpPort();
        out += "media " + QByteArray::number(i) + ' ' + m.media + ' ' + QByteArray::number(m.port)
            + (m.portCount != 1 ? '/' + QByteArray::number(m.portCount) : QByteArray()) + ' ' + m.proto + " dir=" + directionName(s.directionOf(i))
            + " c=" + (c ? c->address + c->suffix : QByteArray("none")) + " ptime=" + (ptime ? QByteArray::number(*ptime) : QByteArray("-"))
            + " rtcp=" + (rtcp ? QByteArray::number(*rtcp) : QByteArray("-")) + " mux=" + (m.rtcpMux() ? "1" : "0") + '\n';
        for (const Codec &codec : m.codecs())
            out += "codec " + QByteArray::number(codec.payloadType) + ' ' + codec.toString() + (codec.fmtp.isEmpty() ? QByteArray() : " fmtp=" + codec.fmtp)
                + '\n';
    }
    return out;
}

QByteArray minimal(const QByteArray &media = "m=audio 4000 RTP/AVP 0\r\n")
{
    return "v=0\r\no=- 1 1 IN IP4 192.0.2.1\r\ns=-\r\nc=IN IP4 192.0.2.1\r\nt=0 0\r\n" + media;
}

} // namespace

class TestSessionDescription : public QObject {
    Q_OBJECT
private slots:
    void validVectors_data()
    {
        QTest::addColumn<QString>("path");
        const QDir dir(QStringLiteral(DS_TEST_DATA "/sdp/valid"));
        const QStringList files = dir.entryList({QStringLiteral("*.sdp")}, QDir::Files, QDir::Name);
        QVERIFY(files.size() >= 8);
        for (const QString &f : files)
            QTest::newRow(qPrintable(f)) << dir.filePath(f);
    }
    void validVectors()
    {
        QFETCH(QString, path);
        const QByteArray text = readFile(path);
        auto sdp = SessionDescription::parse(text);
        QVERIFY2(sdp, sdp ? "" : qPrintable(sdp.error().toString()));
        const QByteArray expected = readFile(path.chopped(4) + QStringLiteral(".expect"));
        QVERIFY(!expected.isEmpty());
        QCOMPARE(summary(*sdp), expected);

        // Round trip: serialize, parse again, and get the same model and the same bytes.
        const QByteArray out = sdp->toBytes();
        QVERIFY(out.endsWith("\r\n"));
        QCOMPARE(out.count('\n'), out.count("\r\n"));
        auto again = SessionDescription::parse(out);
        QVERIFY2(again, again ? "" : qPrintable(again.error().toString()));
        QCOMPARE(summary(*again), expected);
        QCOMPARE(again->toBytes(), out);
        QCOMPARE(again->attributes, sdp->attributes);
        QCOMPARE(again->emails, sdp->emails);
        QCOMPARE(again->timings, sdp->timings);
        QCOMPARE(again->information, sdp->information);
        QCOMPARE(again->key, sdp->key);
        // A CRLF source comes back byte for byte: the vectors are written in RFC 4566 order.
        if (text.contains("\r\n"))
            QCOMPARE(out, text);
    }

    void invalidVectors_data()
    {
        QTest::addColumn<QString>("path");
        const QDir dir(QStringLiteral(DS_TEST_DATA "/sdp/invalid"));
        const QStringList files = dir.entryList({QStringLiteral("*.sdp")}, QDir::Files, QDir::Name);
        QVERIFY(files.size() >= 15);
        for (const QString &f : files)
            QTest::newRow(qPrintable(f)) << dir.filePath(f);
    }
    void invalidVectors()
    {
        QFETCH(QString, path);
        const QString expected = QString::fromUtf8(readFile(path.chopped(4) + QStringLiteral(".expect"))).trimmed();
        QVERIFY(!expected.isEmpty());
        auto sdp = SessionDescription::parse(readFile(path));
        QVERIFY2(!sdp, "parsed although it should not");
        QCOMPARE(sdp.error().code, Error::Code::Syntax);
        QVERIFY2(sdp.error().toString().contains(expected), qPrintable(sdp.error().toString()));
    }

    void limits_data()
    {
        QTest::addColumn<QByteArray>("text");
        QTest::addColumn<QString>("expected");
        QByteArray many = minimal(QByteArray());
        for (int i = 0; i <= kMaxSdpMedia; ++i)
            many += "m=audio " + QByteArray::number(4000 + 2 * i) + " RTP/AVP 0\r\n";
        QTest::newRow("65 media") << many << "line 70: more than 64 m= lines";
        QTest::newRow("long line") << minimal("a=x:" + QByteArray(5000, 'y') + "\r\n") << "line 6: the line is 5004 bytes long";
        QTest::newRow("huge") << minimal(QByteArray(70000, '\n')) << "more than the 65536 allowed";
        QTest::newRow("NUL") << minimal(QByteArray("a=to\0ol\r\n", 9)) << "line 6: the line contains a control character (0x00)";
        QTest::newRow("lone CR") << minimal("a=a\rb\r\n") << "control character (0x0d)";
        QTest::newRow("empty") << QByteArray("\r\n\r\n") << "the SDP is empty";
        QByteArray attrs = minimal();
        for (int i = 0; i <= kMaxSdpAttributes; ++i)
            attrs += "a=x\r\n";
        QTest::newRow("too many a=") << attrs << "more than 512 a= lines";
    }
    void limits()
    {
        QFETCH(QByteArray, text);
        QFETCH(QString, expected);
        auto sdp = SessionDescription::parse(text);
        QVERIFY(!sdp);
        QVERIFY2(sdp.error().toString().contains(expected), qPrintable(sdp.error().toString()));
    }

    void neverCrashesOnTruncationOrNoise()
    {
        // Every prefix of every vector, and each with one byte flipped: a result or an error.
        const QDir dir(QStringLiteral(DS_TEST_DATA "/sdp/valid"));
        int parsed = 0;
        for (const QString &f : dir.entryList({QStringLiteral("*.sdp")}, QDir::Files)) {
            const QByteArray text = readFile(dir.filePath(f));
            for (qsizetype n = 0; n <= text.size(); ++n) {
                parsed += SessionDescription::parse(text.first(n)).has_value();
                QByteArray noisy = text;
                if (n < noisy.size())
                    noisy[n] = char(noisy[n] ^ 0x5a);
                if (auto s = SessionDescription::parse(noisy)) {
                    (void)s->toBytes();
                    (void)s->media.value(0).codecs();
                }
            }
        }
        QVERIFY(parsed > 0);
    }

    void lfAndCrlfGiveTheSameModel()
    {
        const QByteArray crlf = readFile(QStringLiteral(DS_TEST_DATA "/sdp/valid/asterisk_pcmu.sdp"));
        QByteArray lf = crlf;
        lf.replace("\r\n", "\n");
        auto a = SessionDescription::parse(crlf);
        auto b = SessionDescription::parse(lf);
        QVERIFY(a && b);
        QCOMPARE(b->toBytes(), a->toBytes());
        // No final line end is fine too.
        QVERIFY(SessionDescription::parse(lf.chopped(1)));
    }

    void helpers()
    {
        auto s = SessionDescription::parse(minimal("a=sendonly\r\n"
                                                   "m=audio 4000 RTP/AVP 8 0 96 97\r\n"
                                                   "c=IN IP6 2001:db8::5\r\n"
                                                   "a=rtpmap:96 opus/48000/2\r\n"
                                                   "a=fmtp:96  maxplaybackrate=16000; useinbandfec=1\r\n"
                                                   "a=ptime:20.0\r\n"
                                                   "a=maxptime:60\r\n"
                                                   "m=audio 4002 RTP/AVP 0\r\n"
                                                   "a=recvonly\r\n"
                                                   "m=audio 4004 RTP/AVP 0\r\n"));
        QVERIFY2(s, s ? "" : qPrintable(s.error().toString()));
        // Media-level c= over session-level.
        QCOMPARE(s->connectionOf(0)->address, "2001:db8::5");
        QCOMPARE(s->connectionOf(0)->addrType, "IP6");
        QCOMPARE(s->connectionOf(1)->address, "192.0.2.1");
        // Media-level direction over session-level; session-level over the sendrecv default.
        QCOMPARE(s->directionOf(0), Direction::SendOnly);
        QCOMPARE(s->directionOf(1), Direction::RecvOnly);
        QCOMPARE(s->directionOf(2), Direction::SendOnly);
        s->setDirection(std::nullopt);
        QCOMPARE(s->directionOf(2), Direction::SendRecv);
        // Static types resolve without rtpmap; a dynamic type without rtpmap (97) is left out.
        const QList<Codec> codecs = s->media[0].codecs();
        QCOMPARE(codecs.size(), 3);
        QCOMPARE(codecs[0].toString(), "PCMA/8000");
        QCOMPARE(codecs[0].payloadType, 8);
        QCOMPARE(codecs[1].toString(), "PCMU/8000");
        QCOMPARE(codecs[2].toString(), "opus/48000/2");
        QCOMPARE(codecs[2].channels, 2);
        QCOMPARE(codecs[2].fmtp, "maxplaybackrate=16000; useinbandfec=1");
        QCOMPARE(s->media[0].payloadTypes(), (QList<int> {8, 0, 96, 97}));
        QCOMPARE(s->media[0].ptime().value_or(-1), 20);
        QCOMPARE(s->media[0].maxptime().value_or(-1), 60);
        QVERIFY(!s->ptimeOf(1));
    }

    void serializesInRfcOrder()
    {
        // Fields set in a scrambled order come out in RFC 4566 5 order, with CRLF.
        SessionDescription s;
        MediaDescription m;
        m.addAttribute("rtcp-mux");
        m.key = "prompt";
        m.bandwidths.append({"AS", 64});
        m.connection = Connection {"IN", "IP4", "192.0.2.9", {}};
        m.title = "voice";
        m.port = 5000;
        m.addCodec(Codec {96, "opus", 48000, 2, "useinbandfec=1"});
        s.media.append(m);
        s.addAttribute("tool", "dialscope");
        s.key = "clear:x";
        s.zoneAdjustments = "2882844526 -1h";
        s.timings = {Timing {1, 2, {"7d 1h 0 25h"}}};
        s.bandwidths.append({"CT", 128});
        s.connection = Connection {"IN", "IP4", "224.2.1.1", "/127"};
        s.phones.append("+1 555");
        s.emails.append("a@example.com");
        s.uri = "http://example.com";
        s.information = "info";
        s.sessionName = "name";
        s.origin = Origin {"alice", "42", 7, "IN", "IP4", "192.0.2.9"};
        const QByteArray expected = "v=0\r\no=alice 42 7 IN IP4 192.0.2.9\r\ns=name\r\ni=info\r\nu=http://example.com\r\ne=a@example.com\r\np=+1 555\r\n"
                                    "c=IN IP4 224.2.1.1/127\r\nb=CT:128\r\nt=1 2\r\nr=7d 1h 0 25h\r\nz=2882844526 -1h\r\nk=clear:x\r\na=tool:dialscope\r\n"
                                    "m=audio 5000 RTP/AVP 96\r\ni=voice\r\nc=IN IP4 192.0.2.9\r\nb=AS:64\r\nk=prompt\r\na=rtcp-mux\r\n"
                                    "a=rtpmap:96 opus/48000/2\r\na=fmtp:96 useinbandfec=1\r\n";
        QCOMPARE(s.toBytes(), expected);
        QVERIFY(SessionDescription::parse(expected));
    }

    void directionHelpers()
    {
        QCOMPARE(reversed(Direction::SendOnly), Direction::RecvOnly);
        QCOMPARE(reversed(Direction::RecvOnly), Direction::SendOnly);
        QCOMPARE(reversed(Direction::Inactive), Direction::Inactive);
        QCOMPARE(reversed(Direction::SendRecv), Direction::SendRecv);
        QVERIFY(directionFromName("inactive") == Direction::Inactive);
        QVERIFY(!directionFromName("sendrcv"));
    }
};

QTEST_GUILESS_MAIN(TestSessionDescription)
#include "tst_session_description.moc"
