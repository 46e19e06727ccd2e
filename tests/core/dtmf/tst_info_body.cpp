// SIP INFO DTMF bodies as PBXs send them: application/dtmf-relay and application/dtmf, line ends,
// case, the numeric event codes, a missing duration, bad digits, the wrong type, oversize bodies,
// the status a UAS answers, and what the phone writes.

#include "dtmf/info_body.h"

#include <QTest>

using namespace ds::dtmf;

Q_DECLARE_METATYPE(ds::dtmf::InfoBodyType)

namespace {

const QByteArray kRelay = "application/dtmf-relay";
const QByteArray kDtmf = "application/dtmf";
constexpr int kOk = -1; // the "error" column of a body that parses

} // namespace

class TestInfoBody : public QObject {
    Q_OBJECT
private slots:
    void parse_data()
    {
        QTest::addColumn<QByteArray>("contentType");
        QTest::addColumn<QByteArray>("body");
        QTest::addColumn<int>("error"); // kOk or an InfoBodyError
        QTest::addColumn<QString>("digit");
        QTest::addColumn<int>("durationMs");
        QTest::addColumn<bool>("durationGiven");
        const int none = kDefaultInfoDurationMs;
        // application/dtmf-relay, as Cisco, Asterisk, FreeSWITCH and most PBXs send it.
        QTest::newRow("relay CRLF") << kRelay << QByteArray("Signal=5\r\nDuration=160\r\n") << kOk << "5" << 160 << true;
        QTest::newRow("relay LF") << kRelay << QByteArray("Signal=4\nDuration=100\n") << kOk << "4" << 100 << true;
        QTest::newRow("relay no final line end") << kRelay << QByteArray("Signal=1\r\nDuration=80") << kOk << "1" << 80 << true;
        QTest::newRow("relay spaces around =") << kRelay << QByteArray("Signal = 9\r\nDuration= 250\r\n") << kOk << "9" << 250 << true;
        QTest::newRow("relay tabs and blank lines") << kRelay << QByteArray("\r\n\tSignal=\t3 \r\n\r\nDuration =120\r\n\r\n") << kOk << "3" << 120 << true;
        QTest::newRow("relay key case") << kRelay << QByteArray("signal=7\r\nDURATION=200\r\n") << kOk << "7" << 200 << true;
        QTest::newRow("relay duration first") << kRelay << QByteArray("Duration=160\r\nSignal=3\r\n") << kOk << "3" << 160 << true;
        QTest::newRow("relay other keys ignored") << kRelay << QByteArray("Signal=2\r\nVolume=10\r\nDuration=90\r\n") << kOk << "2" << 90 << true;
        QTest::newRow("relay no duration") << kRelay << QByteArray("Signal=8\r\n") << kOk << "8" << none << false;
        QTest::newRow("relay empty duration") << kRelay << QByteArray("Signal=8\r\nDuration=\r\n") << kOk << "8" << none << false;
        QTest::newRow("relay duration 0") << kRelay << QByteArray("Signal=8\r\nDuration=0\r\n") << kOk << "8" << 0 << true;
        QTest::newRow("relay star") << kRelay << QByteArray("Signal=*\r\nDuration=160\r\n") << kOk << "*" << 160 << true;
        QTest::newRow("relay hash") << kRelay << QByteArray("Signal=#\r\nDuration=160\r\n") << kOk << "#" << 160 << true;
        QTest::newRow("relay A") << kRelay << QByteArray("Signal=A\r\n") << kOk << "A" << none << false;
        QTest::newRow("relay d lower case") << kRelay << QByteArray("Signal=d\r\n") << kOk << "D" << none << false;
        // RFC 4733 3.2 event codes that some PBXs put in the Signal.
        QTest::newRow("relay 10 = *") << kRelay << QByteArray("Signal=10\r\nDuration=160\r\n") << kOk << "*" << 160 << true;
        QTest::newRow("relay 11 = #") << kRelay << QByteArray("Signal=11\r\nDuration=160\r\n") << kOk << "#" << 160 << true;
        QTest::newRow("relay 12 = A") << kRelay << QByteArray("Signal=12\r\n") << kOk << "A" << none << false;
        QTest::newRow("relay 13 = B") << kRelay << QByteArray("Signal=13\r\n") << kOk << "B" << none << false;
        QTest::newRow("relay 14 = C") << kRelay << QByteArray("Signal=14\r\n") << kOk << "C" << none << false;
        QTest::newRow("relay 15 = D") << kRelay << QByteArray("Signal=15\r\n") << kOk << "D" << none << false;
        QTest::newRow("relay 16 = flash") << kRelay << QByteArray("Signal=16\r\nDuration=500\r\n") << kOk << QString(QLatin1Char(kFlash)) << 500 << true;
        // Content-Type parameters and case do not matter.
        QTest::newRow("relay type case") << QByteArray("Application/DTMF-Relay") << QByteArray("Signal=8\r\n") << kOk << "8" << none << false;
        QTest::newRow("relay type parameter") << QByteArray(" application/dtmf-relay ; charset=utf-8") << QByteArray("Signal=2\r\n") << kOk << "2" << none
                                              << false;
        // application/dtmf: the key alone.
        QTest::newRow("dtmf digit") << kDtmf << QByteArray("5") << kOk << "5" << none << false;
        QTest::newRow("dtmf digit CRLF") << kDtmf << QByteArray("5\r\n") << kOk << "5" << none << false;
        QTest::newRow("dtmf hash") << kDtmf << QByteArray("#") << kOk << "#" << none << false;
        QTest::newRow("dtmf b lower case") << kDtmf << QByteArray("b") << kOk << "B" << none << false;
        QTest::newRow("dtmf 10 = *") << kDtmf << QByteArray("10") << kOk << "*" << none << false;
        QTest::newRow("dtmf 15 = D") << kDtmf << QByteArray("15\n") << kOk << "D" << none << false;
        QTest::newRow("dtmf type case and parameter") << QByteArray("APPLICATION/DTMF;x=1") << QByteArray("*") << kOk << "*" << none << false;

        // Errors: 415 for the type, 413 for the size, 400 for the rest.
        const int unsupported = int(InfoBodyError::UnsupportedType), tooLarge = int(InfoBodyError::TooLarge);
        const int malformed = int(InfoBodyError::Malformed), missing = int(InfoBodyError::MissingSignal), bad = int(InfoBodyError::BadDigit);
        QTest::newRow("text/plain") << QByteArray("text/plain") << QByteArray("5") << unsupported << "" << 0 << false;
        QTest::newRow("application/sdp") << QByteArray("application/sdp") << QByteArray("Signal=5\r\n") << unsupported << "" << 0 << false;
        QTest::newRow("no content type") << QByteArray() << QByteArray("Signal=5\r\n") << unsupported << "" << 0 << false;
        QTest::newRow("type prefix only") << QByteArray("application/dtmf-relayx") << QByteArray("Signal=5\r\n") << unsupported << "" << 0 << false;
        QTest::newRow("relay no signal") << kRelay << QByteArray("Duration=160\r\n") << missing << "" << 0 << false;
        QTest::newRow("relay empty signal") << kRelay << QByteArray("Signal=\r\nDuration=160\r\n") << missing << "" << 0 << false;
        QTest::newRow("relay empty body") << kRelay << QByteArray() << missing << "" << 0 << false;
        QTest::newRow("dtmf empty body") << kDtmf << QByteArray("\r\n") << missing << "" << 0 << false;
        QTest::newRow("relay 17") << kRelay << QByteArray("Signal=17\r\n") << bad << "" << 0 << false;
        QTest::newRow("relay E") << kRelay << QByteArray("Signal=E\r\n") << bad << "" << 0 << false;
        QTest::newRow("relay two keys") << kRelay << QByteArray("Signal=12#\r\n") << bad << "" << 0 << false;
        QTest::newRow("relay 05") << kRelay << QByteArray("Signal=05\r\n") << bad << "" << 0 << false;
        QTest::newRow("dtmf two keys") << kDtmf << QByteArray("12#") << bad << "" << 0 << false;
        QTest::newRow("dtmf relay body") << kDtmf << QByteArray("Signal=5\r\n") << bad << "" << 0 << false;
        QTest::newRow("relay line without =") << kRelay << QByteArray("Signal=5\r\nhello\r\n") << malformed << "" << 0 << false;
        QTest::newRow("relay duration not a number") << kRelay << QByteArray("Signal=5\r\nDuration=long\r\n") << malformed << "" << 0 << false;
        QTest::newRow("relay negative duration") << kRelay << QByteArray("Signal=5\r\nDuration=-160\r\n") << malformed << "" << 0 << false;
        QTest::newRow("relay duration too long") << kRelay << QByteArray("Signal=5\r\nDuration=60001\r\n") << malformed << "" << 0 << false;
        QTest::newRow("relay oversize") << kRelay << (QByteArray("Signal=5\r\nDuration=160\r\n") + QByteArray(kMaxInfoBodyBytes, '\n')) << tooLarge << "" << 0
                                        << false;
        QTest::newRow("dtmf oversize") << kDtmf << QByteArray(kMaxInfoBodyBytes + 1, ' ') << tooLarge << "" << 0 << false;
    }
    void parse()
    {
        QFETCH(QByteArray, contentType);
        QFETCH(QByteArray, body);
        QFETCH(int, error);
        QFETCH(QString, digit);
        QFETCH(int, durationMs);
        QFETCH(bool, durationGiven);
        const auto d = parseInfoBody(contentType, body);
        if (error != kOk) {
            QVERIFY2(!d, qPrintable(QStringLiteral("parsed as %1").arg(d ? QChar::fromLatin1(d->digit) : QChar())));
            QCOMPARE(int(d.error()), error);
            return;
        }
        QVERIFY2(d, d ? "" : infoBodyErrorText(d.error()));
        QCOMPARE(QString(QLatin1Char(d->digit)), digit);
        QCOMPARE(d->durationMs, durationMs);
        QCOMPARE(d->durationGiven, durationGiven);
    }

    // The largest body allowed still parses: the limit is on size, not on a body that happens to be padded.
    void sizeLimitIsInclusive()
    {
        QByteArray body = "Signal=6\r\nDuration=100\r\n";
        body += QByteArray(kMaxInfoBodyBytes - body.size(), '\n');
        QCOMPARE(body.size(), kMaxInfoBodyBytes);
        QCOMPARE(parseInfoBody(kRelay, body).value().digit, '6');
        QCOMPARE(parseInfoBody(kRelay, body + '\n').error(), InfoBodyError::TooLarge);
    }

    // What a UAS answers when the body does not parse.
    void responseStatuses()
    {
        QCOMPARE(responseStatus(InfoBodyError::UnsupportedType), 415);
        QCOMPARE(responseStatus(InfoBodyError::TooLarge), 413);
        QCOMPARE(responseStatus(InfoBodyError::Malformed), 400);
        QCOMPARE(responseStatus(InfoBodyError::MissingSignal), 400);
        QCOMPARE(responseStatus(InfoBodyError::BadDigit), 400);
        QCOMPARE(QByteArray(infoBodyErrorText(InfoBodyError::UnsupportedType)), QByteArray("unsupported content type"));
    }

    void write_data()
    {
        QTest::addColumn<InfoBodyType>("type");
        QTest::addColumn<char>("digit");
        QTest::addColumn<int>("durationMs");
        QTest::addColumn<QByteArray>("body");
        QTest::newRow("relay 5") << InfoBodyType::DtmfRelay << '5' << 160 << QByteArray("Signal=5\r\nDuration=160\r\n");
        QTest::newRow("relay star") << InfoBodyType::DtmfRelay << '*' << 250 << QByteArray("Signal=*\r\nDuration=250\r\n");
        QTest::newRow("relay lower-case c") << InfoBodyType::DtmfRelay << 'c' << 100 << QByteArray("Signal=C\r\nDuration=100\r\n");
        QTest::newRow("relay flash") << InfoBodyType::DtmfRelay << kFlash << 500 << QByteArray("Signal=16\r\nDuration=500\r\n");
        QTest::newRow("relay negative duration clamped") << InfoBodyType::DtmfRelay << '1' << -5 << QByteArray("Signal=1\r\nDuration=0\r\n");
        QTest::newRow("relay huge duration clamped") << InfoBodyType::DtmfRelay << '1' << 1'000'000 << QByteArray("Signal=1\r\nDuration=60000\r\n");
        QTest::newRow("dtmf hash") << InfoBodyType::Dtmf << '#' << 160 << QByteArray("#");
        QTest::newRow("dtmf flash") << InfoBodyType::Dtmf << kFlash << 160 << QByteArray("16");
        QTest::newRow("not a digit") << InfoBodyType::DtmfRelay << 'E' << 160 << QByteArray();
        QTest::newRow("comma") << InfoBodyType::Dtmf << ',' << 160 << QByteArray();
    }
    void write()
    {
        QFETCH(InfoBodyType, type);
        QFETCH(char, digit);
        QFETCH(int, durationMs);
        QFETCH(QByteArray, body);
        QCOMPARE(writeInfoBody(type, digit, durationMs), body);
    }

    void contentTypes()
    {
        QCOMPARE(infoContentType(InfoBodyType::DtmfRelay), QByteArray("application/dtmf-relay"));
        QCOMPARE(infoContentType(InfoBodyType::Dtmf), QByteArray("application/dtmf"));
    }

    // Whatever the phone writes, it reads back: every key, both types.
    void roundTrip()
    {
        const QByteArray keys = QByteArray("0123456789*#ABCD") + kFlash;
        for (const InfoBodyType type : {InfoBodyType::DtmfRelay, InfoBodyType::Dtmf}) {
            for (const char key : keys) {
                const QByteArray body = writeInfoBody(type, key, 180);
                const auto d = parseInfoBody(infoContentType(type), body);
                QVERIFY2(d, body.constData());
                QCOMPARE(d->digit, key);
                QCOMPARE(d->durationMs, type == InfoBodyType::DtmfRelay ? 180 : kDefaultInfoDurationMs);
                QCOMPARE(d->durationGiven, type == InfoBodyType::DtmfRelay);
            }
        }
    }
};

QTEST_GUILESS_MAIN(TestInfoBody)
#include "tst_info_body.moc"
