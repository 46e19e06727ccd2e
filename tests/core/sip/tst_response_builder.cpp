// makeResponse: the headers RFC 3261 8.2.6.2 copies from the request, and a To tag.

#include "sip/parser.h"
#include "sip/response_builder.h"

#include <QTest>

using namespace ds::sip;

class TestResponseBuilder : public QObject {
    Q_OBJECT
private slots:
    void copiesAndTags()
    {
        auto req = Parser::parse("OPTIONS sip:a@h SIP/2.0\r\nVia: SIP/2.0/UDP p1;branch=z9hG4bK1\r\nVia: SIP/2.0/UDP p2;branch=z9hG4bK2\r\n"
                                 "From: <sip:k@h>;tag=9\r\nTo: <sip:a@h>\r\nCall-ID: abc\r\nCSeq: 7 OPTIONS\r\nMax-Forwards: 70\r\n\r\n");
        QVERIFY(req);
        auto res = Parser::parse(makeResponse(*req, 200, "OK", "xyz", "Allow: OPTIONS\r\n", "text/plain", "hi"));
        QVERIFY2(res, res ? "" : qPrintable(res.error().toString()));
        QCOMPARE(res->statusCode(), 200);
        QCOMPARE(res->values(HeaderId::Via).size(), 2);
        QCOMPARE(res->topViaBranch(), "z9hG4bK1");
        QCOMPARE(res->header(HeaderId::To), "<sip:a@h>;tag=xyz");
        QCOMPARE(res->header(HeaderId::From), "<sip:k@h>;tag=9");
        QCOMPARE(res->callId(), "abc");
        QCOMPARE(res->header(HeaderId::CSeq), "7 OPTIONS");
        QCOMPARE(res->header(HeaderId::Allow), "OPTIONS");
        QCOMPARE(res->body(), "hi");
        // A 100 Trying carries no tag.
        auto trying = Parser::parse(makeResponse(*req, 100, "Trying", "xyz"));
        QCOMPARE(trying->header(HeaderId::To), "<sip:a@h>");
    }
};

QTEST_GUILESS_MAIN(TestResponseBuilder)
#include "tst_response_builder.moc"
