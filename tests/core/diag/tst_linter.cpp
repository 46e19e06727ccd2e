// Linter: each problem explained in a sentence naming what is wrong.

#include "diag/linter.h"

#include <QTest>

using namespace ds::diag;

namespace {
QByteArray base(const QByteArray &startLine, const QByteArray &extra, const QByteArray &cseq = "1 REGISTER")
{
    return startLine + "\r\nVia: SIP/2.0/UDP h:5060;branch=z9hG4bKx\r\nMax-Forwards: 70\r\nFrom: <sip:a@h>;tag=1\r\nTo: <sip:a@h>\r\nCall-ID: c1\r\nCSeq: "
        + cseq + "\r\n" + extra + "Content-Length: 0\r\n\r\n";
}
} // namespace

class TestLinter : public QObject {
    Q_OBJECT
private slots:
    void clean()
    {
        const LintReport r = lintMessage(base("REGISTER sip:h SIP/2.0", "Contact: <sip:a@10.0.0.1>\r\nExpires: 60\r\n"));
        QVERIFY(r.valid());
        QVERIFY(r.problems.isEmpty());
        QCOMPARE(r.summary, QStringLiteral("REGISTER request"));
    }
    void problems_data()
    {
        QTest::addColumn<QByteArray>("message");
        QTest::addColumn<QString>("expected");
        QTest::newRow("cseq mismatch") << base("INVITE sip:h SIP/2.0", "") << "does not match the request method";
        QTest::newRow("missing call-id") << QByteArray(
            "OPTIONS sip:h SIP/2.0\r\nVia: SIP/2.0/UDP h;branch=z9hG4bKx\r\nFrom: <sip:a@h>;tag=1\r\nTo: <sip:a@h>\r\nCSeq: 1 OPTIONS\r\n\r\n")
                                         << "mandatory Call-ID header is missing";
        QTest::newRow("bad via") << base("REGISTER sip:h SIP/2.0", "Via: SIP/2.0 h\r\n") << "malformed Via";
        QTest::newRow("bad max-forwards") << base("REGISTER sip:h SIP/2.0", "").replace("Max-Forwards: 70", "Max-Forwards: 300")
                                          << "Max-Forwards value 300 is too large";
        QTest::newRow("two to") << base("REGISTER sip:h SIP/2.0", "To: <sip:b@h>\r\n") << "To header appears 2 times";
        QTest::newRow("body without type") << QByteArray("OPTIONS sip:h SIP/2.0\r\nVia: SIP/2.0/UDP h;branch=z9hG4bKx\r\nMax-Forwards: 70\r\nFrom: "
                                                         "<sip:a@h>;tag=1\r\nTo: <sip:a@h>\r\nCall-ID: c\r\nCSeq: 1 OPTIONS\r\nContent-Length: 3\r\n\r\nabc")
                                           << "no Content-Type";
        QTest::newRow("bad content-length") << base("REGISTER sip:h SIP/2.0", "").replace("Content-Length: 0", "Content-Length: 12")
                                            << "Content-Length says 12";
        QTest::newRow("bad request-uri") << base("REGISTER sip:h:99999 SIP/2.0", "") << "Request-URI";
        QTest::newRow("quote") << base("REGISTER sip:h SIP/2.0", "").replace("To: <sip:a@h>", "To: \"Bob <sip:a@h>") << "unterminated quoted string";
        QTest::newRow("cseq too big") << base("REGISTER sip:h SIP/2.0", "", "4294967296 REGISTER") << "CSeq";
    }
    void problems()
    {
        QFETCH(QByteArray, message);
        QFETCH(QString, expected);
        const LintReport r = lintMessage(message);
        QVERIFY(!r.valid());
        QString all;
        for (const auto &p : r.problems)
            all += p.text + QLatin1Char('\n');
        QVERIFY2(all.contains(expected), qPrintable(all));
    }
};

QTEST_GUILESS_MAIN(TestLinter)
#include "tst_linter.moc"
