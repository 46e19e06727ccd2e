// DTMF reports (the demo peer's DTMF reporter): what is written reads back the same, line ends and
// spacing are tolerated, and garbage, other text and oversize bodies are refused with a reason.

#include "dtmf/dtmf_report.h"

#include <QTest>

using namespace ds::dtmf;

class TestDtmfReport : public QObject {
    Q_OBJECT
private slots:
    void formatsOneLinePerDigit()
    {
        DigitEvent e;
        e.digit = '5';
        e.mode = Mode::Rfc4733;
        e.durationMs = 120;
        QCOMPARE(formatReport(e), QByteArray("DTMF 5 rfc4733 120 ms\r\n"));
        DigitEvent f = e;
        f.digit = 'd'; // keys in either case, written upper case
        f.mode = Mode::Inband;
        f.durationMs = 999'999; // clamped
        DigitEvent g = e;
        g.digit = '#';
        g.mode = Mode::Info;
        g.durationMs = -5;
        const QList<DigitEvent> all {e, f, g};
        QCOMPARE(formatReport(all), QByteArray("DTMF 5 rfc4733 120 ms\r\nDTMF D inband 60000 ms\r\nDTMF # info 0 ms\r\n"));
        DigitEvent none = e;
        none.digit = 'x';
        QVERIFY(formatReport(none).isEmpty());
    }

    void roundTrip()
    {
        QList<DigitEvent> sent;
        const QByteArray keys = "0123456789*#ABCD";
        for (qsizetype i = 0; i < keys.size(); ++i) {
            DigitEvent e;
            e.digit = keys[i];
            e.mode = i % 3 == 0 ? Mode::Rfc4733 : i % 3 == 1 ? Mode::Inband : Mode::Info;
            e.durationMs = int(40 + i * 10);
            sent.append(e);
        }
        auto parsed = parseReport(formatReport(sent));
        QVERIFY2(parsed, qPrintable(parsed ? QString() : parsed.error()));
        QCOMPARE(parsed->size(), sent.size());
        for (qsizetype i = 0; i < sent.size(); ++i) {
            QCOMPARE(parsed->at(i).digit, sent[i].digit);
            QCOMPARE(parsed->at(i).mode, sent[i].mode);
            QCOMPARE(parsed->at(i).durationMs, sent[i].durationMs);
            QCOMPARE(parsed->at(i).dir, Direction::Out);
        }
    }

    void parse_data()
    {
        QTest::addColumn<QByteArray>("body");
        QTest::addColumn<QString>("digits"); // empty: refused
        QTest::addColumn<QString>("error"); // a part of the refusal's text
        QTest::newRow("one") << QByteArray("DTMF 5 rfc4733 120 ms") << "5" << QString();
        QTest::newRow("LF") << QByteArray("DTMF 1 info 250 ms\nDTMF 2 inband 90 ms\n") << "12" << QString();
        QTest::newRow("blank lines and tabs") << QByteArray("\r\n DTMF\t*  rfc4733 100 ms \r\n\r\n") << "*" << QString();
        QTest::newRow("lower-case key") << QByteArray("DTMF b info 0 ms") << "B" << QString();
        QTest::newRow("empty") << QByteArray() << QString() << "empty";
        QTest::newRow("only blank lines") << QByteArray("\r\n\r\n") << QString() << "empty";
        QTest::newRow("other text") << QByteArray("Hello, world") << QString() << "line 1";
        QTest::newRow("bad key") << QByteArray("DTMF E rfc4733 100 ms") << QString() << "not a DTMF key";
        QTest::newRow("two keys") << QByteArray("DTMF 12 rfc4733 100 ms") << QString() << "not a DTMF key";
        QTest::newRow("bad mode") << QByteArray("DTMF 1 sms 100 ms") << QString() << "not a DTMF mode";
        QTest::newRow("alias mode") << QByteArray("DTMF 1 rfc2833 100 ms") << QString() << "not a DTMF mode";
        QTest::newRow("negative duration") << QByteArray("DTMF 1 info -1 ms") << QString() << "duration";
        QTest::newRow("huge duration") << QByteArray("DTMF 1 info 99999999999999 ms") << QString() << "duration";
        QTest::newRow("no unit") << QByteArray("DTMF 1 info 100") << QString() << "expected";
        QTest::newRow("second line bad") << QByteArray("DTMF 1 info 100 ms\r\nDTMF 2 info x ms\r\n") << QString() << "line 2";
        QTest::newRow("binary") << QByteArray("DTMF \x01\xff info 1 ms", 17) << QString() << "line 1";
        QByteArray many;
        for (int i = 0; i <= kMaxReportLines; ++i)
            many += "DTMF 1 info 1 ms\n";
        QTest::newRow("too many lines") << many << QString() << "more than";
        QTest::newRow("too large") << QByteArray(kMaxReportBytes + 1, 'D') << QString() << "bytes";
    }

    void parse()
    {
        QFETCH(QByteArray, body);
        QFETCH(QString, digits);
        QFETCH(QString, error);
        auto parsed = parseReport(body);
        if (digits.isEmpty()) {
            QVERIFY(!parsed);
            QVERIFY2(parsed.error().contains(error), qPrintable(parsed.error()));
            return;
        }
        QVERIFY2(parsed, qPrintable(parsed ? QString() : parsed.error()));
        QString got;
        for (const DigitEvent &e : *parsed)
            got += QLatin1Char(e.digit);
        QCOMPARE(got, digits);
    }

    void contentType()
    {
        QVERIFY(isReportContentType("text/plain"));
        QVERIFY(isReportContentType(" Text/Plain ; charset=utf-8"));
        QVERIFY(!isReportContentType("application/dtmf-relay"));
        QVERIFY(!isReportContentType(""));
    }
};

QTEST_APPLESS_MAIN(TestDtmfReport)
#include "tst_dtmf_report.moc"
