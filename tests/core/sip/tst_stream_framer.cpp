// StreamFramer: cutting TCP/TLS streams into messages by Content-Length, byte by byte, with
// keep-alives, pipelined messages and bounded buffering.

#include "sip/parser.h"
#include "sip/stream_framer.h"

#include <QTest>

using namespace ds::sip;

namespace {
const QByteArray kMsg = "OPTIONS sip:a SIP/2.0\r\nCall-ID: x\r\nl: 4\r\n\r\nbody";
}

class TestStreamFramer : public QObject {
    Q_OBJECT
private slots:
    void byteByByte()
    {
        StreamFramer f;
        const QByteArray stream = "\r\n\r\n" + kMsg + kMsg; // keep-alive, then two pipelined messages
        QList<QByteArray> out;
        for (char c : stream) {
            f.append(QByteArrayView(&c, 1));
            while (true) {
                auto n = f.next();
                QVERIFY(n);
                if (!n->has_value())
                    break;
                out.append(**n);
            }
        }
        QCOMPARE(out.size(), 2);
        QCOMPARE(out[0], kMsg);
        auto m = Parser::parse(out[1], Framing::Stream);
        QVERIFY(m);
        QCOMPARE(m->body(), "body");
        QCOMPARE(f.buffered(), 0);
    }
    void missingContentLength()
    {
        StreamFramer f;
        f.append("OPTIONS sip:a SIP/2.0\r\nCall-ID: x\r\n\r\n");
        auto n = f.next();
        QVERIFY(!n);
        QVERIFY(n.error().what.contains(QLatin1String("Content-Length")));
    }
    void bounded()
    {
        StreamFramer f(1024);
        f.append(QByteArray(2000, 'a'));
        QVERIFY(!f.next());
        QCOMPARE(f.takeBuffered().size(), 2000); // the unframeable bytes go to the trace
        QCOMPARE(f.buffered(), 0);
        StreamFramer g(1024);
        g.append("OPTIONS sip:a SIP/2.0\r\nContent-Length: 100000\r\n\r\n");
        QVERIFY(!g.next());
    }
};

QTEST_GUILESS_MAIN(TestStreamFramer)
#include "tst_stream_framer.moc"
