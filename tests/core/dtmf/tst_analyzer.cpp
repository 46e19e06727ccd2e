// The DTMF analyzer as a PBX admin meets it: one key seen in several modes is one key press,
// two presses stay two, and each diagnosis appears once, in order, only when it applies.

#include "dtmf/analyzer.h"

#include <QTest>

using namespace ds::dtmf;

namespace {

DigitEvent ev(char digit, Mode mode, Direction dir, std::int64_t atMs, int durationMs = 100)
{
    return {.digit = digit, .mode = mode, .dir = dir, .atMs = atMs, .durationMs = durationMs};
}
DigitEvent in(char digit, Mode mode, std::int64_t atMs, int durationMs = 100) { return ev(digit, mode, Direction::In, atMs, durationMs); }
DigitEvent out(char digit, Mode mode, std::int64_t atMs, int durationMs = 100) { return ev(digit, mode, Direction::Out, atMs, durationMs); }

QStringList codes(const QList<Finding> &findings)
{
    QStringList c;
    for (const Finding &f : findings)
        c << f.code;
    return c;
}

const Finding *find(const QList<Finding> &findings, const QString &code)
{
    for (const Finding &f : findings)
        if (f.code == code)
            return &f;
    return nullptr;
}

// "5 In rfc4733+inband @0 100ms" for each merged digit.
QStringList summary(const QList<MergedDigit> &digits)
{
    QStringList s;
    for (const MergedDigit &d : digits) {
        QStringList modes;
        for (const Mode m : {Mode::Rfc4733, Mode::Inband, Mode::Info})
            if (d.has(m))
                modes << QString::fromLatin1(modeName(m));
        s << QStringLiteral("%1 %2 %3 @%4 %5ms")
                 .arg(QLatin1Char(d.digit))
                 .arg(d.dir == Direction::In ? QStringLiteral("In") : QStringLiteral("Out"), modes.join(QLatin1Char('+')))
                 .arg(d.atMs)
                 .arg(d.durationMs);
    }
    return s;
}

} // namespace

class TestAnalyzer : public QObject {
    Q_OBJECT
private slots:
    void names()
    {
        QCOMPARE(QByteArray(modeName(Mode::Rfc4733)), QByteArray("rfc4733"));
        QCOMPARE(QByteArray(modeName(Mode::Inband)), QByteArray("inband"));
        QCOMPARE(QByteArray(modeName(Mode::Info)), QByteArray("info"));
        for (const Mode m : {Mode::Rfc4733, Mode::Inband, Mode::Info})
            QCOMPARE(modeFromName(QString::fromLatin1(modeName(m))), m);
        QCOMPARE(modeFromName(u"RFC2833"), Mode::Rfc4733); // what PBX menus call it
        QCOMPARE(modeFromName(u" Info "), Mode::Info);
        QVERIFY(!modeFromName(u"sip-info"));
        QVERIFY(!modeFromName(u""));
        QCOMPARE(QByteArray(severityName(Finding::Severity::Info)), QByteArray("info"));
        QCOMPARE(QByteArray(severityName(Finding::Severity::Warning)), QByteArray("warning"));
        QCOMPARE(QByteArray(severityName(Finding::Severity::Error)), QByteArray("error"));
    }

    // One key, two modes: one press, its start the earliest, its level the in-band measurement.
    void mergesOneKeyAcrossModes()
    {
        Analyzer a;
        DigitEvent r = in('5', Mode::Rfc4733, 40, 100);
        r.levelDbm0 = -10;
        DigitEvent i = in('5', Mode::Inband, 20, 120);
        i.levelDbm0 = -7.5;
        a.add(r);
        a.add(i);
        const auto d = a.digits();
        QCOMPARE(summary(d), QStringList {"5 In rfc4733+inband @20 120ms"});
        QCOMPARE(d[0].levelDbm0.value(), -7.5);
        QCOMPARE(d[0].events.size(), 2);
    }

    // The slack between modes: 150 ms between one mode's end and the other's start still merges.
    void mergeSlack_data()
    {
        QTest::addColumn<int>("secondAt");
        QTest::addColumn<int>("merged");
        QTest::newRow("same time") << 0 << 1;
        QTest::newRow("overlapping") << 60 << 1;
        QTest::newRow("150 ms after the end") << 250 << 1;
        QTest::newRow("151 ms after the end") << 251 << 2;
        QTest::newRow("150 ms before the start") << -250 << 1;
        QTest::newRow("far apart") << 5000 << 2;
    }
    void mergeSlack()
    {
        QFETCH(int, secondAt);
        QFETCH(int, merged);
        Analyzer a;
        a.add(in('1', Mode::Inband, 0, 100));
        a.add(in('1', Mode::Rfc4733, secondAt, 100));
        QCOMPARE(a.digits().size(), merged);
    }

    // A key pressed twice quickly is two presses, even within the slack; each takes its own copy
    // from the other mode.
    void keepsRepeatedPressesApart()
    {
        Analyzer a;
        a.add(in('5', Mode::Rfc4733, 0, 100));
        a.add(in('5', Mode::Rfc4733, 200, 100));
        a.add(in('5', Mode::Inband, 10, 90));
        a.add(in('5', Mode::Inband, 215, 90));
        QCOMPARE(summary(a.digits()), (QStringList {"5 In rfc4733+inband @0 100ms", "5 In rfc4733+inband @200 100ms"}));
    }

    // Different keys, or the two directions, never merge.
    void differentKeysAndDirectionsStayApart()
    {
        Analyzer a;
        a.add(in('5', Mode::Rfc4733, 0));
        a.add(in('6', Mode::Inband, 0));
        a.add(out('5', Mode::Inband, 0));
        QCOMPARE(a.digits().size(), 3);
    }

    // Modes interleave (the in-band detector reports late): digits() is in time order anyway.
    void timeOrder()
    {
        Analyzer a;
        a.add(in('1', Mode::Rfc4733, 0));
        a.add(in('2', Mode::Rfc4733, 500));
        a.add(in('3', Mode::Rfc4733, 1000));
        a.add(in('1', Mode::Inband, 5)); // late reports
        a.add(in('2', Mode::Inband, 490));
        a.add(in('0', Mode::Inband, 250)); // only in-band
        QCOMPARE(summary(a.digits()),
            (QStringList {"1 In rfc4733+inband @0 100ms", "0 In inband @250 100ms", "2 In rfc4733+inband @490 100ms", "3 In rfc4733 @1000 100ms"}));
    }

    // A call where everything works: no findings at all.
    void cleanCallHasNoFindings_data()
    {
        QTest::addColumn<QByteArray>("codec");
        QTest::addColumn<int>("mode");
        QTest::newRow("RFC 4733 over opus") << QByteArray("opus") << int(Mode::Rfc4733);
        QTest::newRow("RFC 4733 over PCMU") << QByteArray("PCMU") << int(Mode::Rfc4733);
        QTest::newRow("in-band over PCMA, sent") << QByteArray("PCMA") << int(Mode::Inband);
        QTest::newRow("in-band over G722, sent") << QByteArray("g722") << int(Mode::Inband);
        QTest::newRow("INFO, sent and answered 200") << QByteArray("opus") << int(Mode::Info);
    }
    void cleanCallHasNoFindings()
    {
        QFETCH(QByteArray, codec);
        QFETCH(int, mode);
        Analyzer a;
        a.setNegotiation(true, true, codec);
        for (int k = 0; k < 10; ++k) {
            DigitEvent e = out(char('0' + k), Mode(mode), k * 400);
            if (Mode(mode) == Mode::Info)
                e.infoStatus = 200;
            a.add(e);
            if (Mode(mode) == Mode::Rfc4733)
                a.add(in(char('0' + k), Mode::Rfc4733, k * 400 + 50)); // the far end answers in kind
        }
        a.finish();
        QCOMPARE(codes(a.findings()), QStringList());
        QVERIFY(a.takeNewFindings().isEmpty());
    }

    // The far end sends each key twice: RFC 4733 and in-band.
    void doubleDigits()
    {
        Analyzer a;
        a.setNegotiation(true, true, "PCMU");
        a.add(in('7', Mode::Inband, 10)); // the detector may report first
        QVERIFY(a.findings().isEmpty());
        a.add(in('7', Mode::Rfc4733, 0));
        a.add(in('8', Mode::Rfc4733, 400));
        a.add(in('8', Mode::Inband, 410));
        a.finish();
        QCOMPARE(codes(a.findings()), QStringList {"double-digits"});
        const Finding f = a.findings().first();
        QCOMPARE(f.severity, Finding::Severity::Warning);
        QVERIFY2(f.text.contains(QLatin1String("digit 7")), qPrintable(f.text));
        QVERIFY2(f.text.contains(QLatin1String("in-band")), qPrintable(f.text));
    }

    // Sending in two modes on purpose, or two different keys at once, is not "double digits".
    void doubleDigitsAbsent()
    {
        Analyzer a;
        a.setNegotiation(true, true, "PCMU");
        a.add(out('7', Mode::Rfc4733, 0));
        a.add(out('7', Mode::Inband, 0));
        a.add(in('1', Mode::Rfc4733, 500));
        a.add(in('2', Mode::Inband, 500));
        QVERIFY(!find(a.findings(), QStringLiteral("double-digits")));
    }

    // telephone-event offered, the far end sends tones only: said once the digits have moved on
    // (its RFC 4733 copy could still be on its way) or when the call ends, naming the negotiation.
    void inbandOnly_data()
    {
        QTest::addColumn<bool>("negotiated");
        QTest::addColumn<QString>("mentions");
        QTest::newRow("negotiated") << true << "was negotiated";
        QTest::newRow("left out of the answer") << false << "left it out";
    }
    void inbandOnly()
    {
        QFETCH(bool, negotiated);
        QFETCH(QString, mentions);
        Analyzer a;
        a.setNegotiation(true, negotiated, "PCMU");
        a.takeNewFindings();
        a.add(in('1', Mode::Inband, 0));
        a.add(in('2', Mode::Inband, 1500));
        QVERIFY(a.takeNewFindings().isEmpty()); // not yet settled
        a.add(in('3', Mode::Inband, 3000));
        const auto fresh = a.takeNewFindings();
        QCOMPARE(codes(fresh), QStringList {"inband-only"});
        QVERIFY2(fresh[0].text.contains(mentions), qPrintable(fresh[0].text));
        a.finish();
        QVERIFY(a.takeNewFindings().isEmpty());
    }

    void inbandOnlySettledByTheEndOfTheCall()
    {
        Analyzer a;
        a.setNegotiation(true, true, "PCMA");
        a.add(in('9', Mode::Inband, 0));
        QVERIFY(a.findings().isEmpty());
        a.finish();
        QCOMPARE(codes(a.findings()), QStringList {"inband-only"});
    }

    void inbandOnlyAbsent()
    {
        // Not offered: in-band is all the far end could do.
        Analyzer notOffered;
        notOffered.setNegotiation(false, false, "PCMU");
        notOffered.add(in('1', Mode::Inband, 0));
        notOffered.finish();
        QVERIFY(!find(notOffered.findings(), QStringLiteral("inband-only")));
        // The RFC 4733 copy arrives after the tone's report: double digits, not in-band only.
        Analyzer both;
        both.setNegotiation(true, true, "PCMU");
        both.add(in('1', Mode::Inband, 0));
        both.add(in('1', Mode::Rfc4733, 0));
        both.add(in('2', Mode::Inband, 5000));
        both.finish();
        QCOMPARE(codes(both.findings()), QStringList {"double-digits"});
    }

    // Tones over a compressed codec, either way.
    void inbandOverCompressedCodec_data()
    {
        QTest::addColumn<QByteArray>("codec");
        QTest::addColumn<int>("dir");
        QTest::addColumn<bool>("found");
        QTest::newRow("received over opus") << QByteArray("opus") << int(Direction::In) << true;
        QTest::newRow("sent over opus") << QByteArray("opus") << int(Direction::Out) << true;
        QTest::newRow("sent over G729") << QByteArray("G729") << int(Direction::Out) << true;
        QTest::newRow("received over PCMU") << QByteArray("PCMU") << int(Direction::In) << false;
        QTest::newRow("sent over pcma") << QByteArray("pcma") << int(Direction::Out) << false;
        QTest::newRow("sent over L16") << QByteArray("L16") << int(Direction::Out) << false;
        QTest::newRow("codec not known") << QByteArray() << int(Direction::Out) << false;
    }
    void inbandOverCompressedCodec()
    {
        QFETCH(QByteArray, codec);
        QFETCH(int, dir);
        QFETCH(bool, found);
        Analyzer a;
        a.setNegotiation(false, true, codec);
        a.add(ev('4', Mode::Inband, Direction(dir), 0));
        const Finding *f = find(a.findings(), QStringLiteral("inband-over-opus"));
        QCOMPARE(f != nullptr, found);
        if (f) {
            QCOMPARE(f->severity, Finding::Severity::Warning);
            QVERIFY2(f->text.contains(QString::fromLatin1(codec)), qPrintable(f->text));
            QVERIFY2(f->text.contains(QLatin1String("Digit 4")) || f->text.contains(QLatin1String("digit 4")), qPrintable(f->text));
        }
    }

    // The end packet never came, the receiver closed the event after its timeout.
    void eventWithoutEnd()
    {
        Analyzer a;
        a.setNegotiation(true, true, "PCMU");
        a.add(in('1', Mode::Rfc4733, 0));
        DigitEvent cut = in('2', Mode::Rfc4733, 400);
        cut.endSeen = false;
        DigitEvent cutOut = out('3', Mode::Rfc4733, 800);
        cutOut.endSeen = false; // ours: not the far end's fault, not reported
        a.add(cutOut);
        QVERIFY(a.findings().isEmpty());
        a.add(cut);
        a.add(cut);
        QCOMPARE(codes(a.findings()), QStringList {"event-without-end"});
        QVERIFY(a.findings()[0].text.contains(QLatin1String("digit 2")));
    }

    // An INFO we sent was refused: the status and the digit, and what to do.
    void infoError_data()
    {
        QTest::addColumn<int>("status");
        QTest::addColumn<bool>("found");
        QTest::addColumn<QString>("mentions");
        QTest::newRow("415") << 415 << true << "415 Unsupported Media Type";
        QTest::newRow("405") << 405 << true << "does not take SIP INFO";
        QTest::newRow("481") << 481 << true << "481";
        QTest::newRow("timeout (408)") << 408 << true << "No answer";
        QTest::newRow("unusual 599") << 599 << true << "599";
        QTest::newRow("200") << 200 << false << "";
        QTest::newRow("202") << 202 << false << "";
        QTest::newRow("still pending") << -1 << false << "";
    }
    void infoError()
    {
        QFETCH(int, status);
        QFETCH(bool, found);
        QFETCH(QString, mentions);
        Analyzer a;
        a.setNegotiation(true, true, "PCMU");
        DigitEvent e = out('#', Mode::Info, 0);
        if (status >= 0)
            e.infoStatus = status;
        a.add(e);
        const Finding *f = find(a.findings(), QStringLiteral("info-error"));
        QCOMPARE(f != nullptr, found);
        if (f) {
            QCOMPARE(f->severity, Finding::Severity::Error);
            QVERIFY2(f->text.contains(mentions), qPrintable(f->text));
            QVERIFY2(f->text.contains(QLatin1String("digit #")), qPrintable(f->text));
        }
    }

    void rfc4733Refused()
    {
        Analyzer a;
        a.setNegotiation(true, false, "PCMU");
        a.takeNewFindings();
        a.noteRefused(Mode::Rfc4733, QStringLiteral("the far end did not accept telephone-event"));
        a.noteRefused(Mode::Rfc4733, QStringLiteral("again"));
        const auto fresh = a.takeNewFindings();
        QCOMPARE(codes(fresh), QStringList {"rfc4733-refused"});
        QCOMPARE(fresh[0].severity, Finding::Severity::Error);
        QVERIFY(fresh[0].text.contains(QLatin1String("the far end did not accept telephone-event")));
        QVERIFY(fresh[0].text.contains(QLatin1String("no telephone-event")));
        a.noteRefused(Mode::Info, QStringLiteral("INFO is not in the far end's Allow header"));
        QCOMPARE(codes(a.takeNewFindings()), QStringList {"info-refused"});
    }

    // Digits that came only as SIP INFO: fine here, invisible to anything reading RTP.
    void infoOnly()
    {
        Analyzer a;
        a.setNegotiation(true, true, "PCMU");
        a.add(in('1', Mode::Info, 0));
        QVERIFY(a.findings().isEmpty());
        a.finish();
        QCOMPARE(codes(a.findings()), QStringList {"info-only"});
        QCOMPARE(a.findings()[0].severity, Finding::Severity::Info);

        Analyzer both;
        both.setNegotiation(true, true, "PCMU");
        both.add(in('1', Mode::Info, 0));
        both.add(in('1', Mode::Rfc4733, 0));
        both.finish();
        QVERIFY(both.findings().isEmpty());
    }

    void noTelephoneEvent()
    {
        Analyzer offered;
        offered.setNegotiation(true, false, "PCMU");
        QCOMPARE(codes(offered.findings()), QStringList {"no-telephone-event"});
        QCOMPARE(offered.findings()[0].severity, Finding::Severity::Info);
        QVERIFY(offered.findings()[0].text.contains(QLatin1String("answer")));
        offered.setNegotiation(true, false, "PCMU"); // a re-INVITE: said once
        offered.setNegotiation(true, true, "PCMU");
        QCOMPARE(offered.findings().size(), 1);

        Analyzer notOffered;
        notOffered.setNegotiation(false, false, "PCMU");
        QVERIFY(notOffered.findings()[0].text.contains(QLatin1String("not offered")));

        Analyzer negotiated;
        negotiated.setNegotiation(true, true, "opus");
        QVERIFY(negotiated.findings().isEmpty());
    }

    // Findings come in the order they were found, each once; takeNewFindings() hands each out once.
    void orderAndCursor()
    {
        Analyzer a;
        a.setNegotiation(true, false, "opus");
        QCOMPARE(codes(a.takeNewFindings()), QStringList {"no-telephone-event"});
        QVERIFY(a.takeNewFindings().isEmpty());
        DigitEvent info = out('1', Mode::Info, 0);
        info.infoStatus = 488;
        a.add(info);
        a.add(in('2', Mode::Inband, 500));
        QCOMPARE(codes(a.takeNewFindings()), (QStringList {"info-error", "inband-over-opus"}));
        a.add(in('3', Mode::Inband, 5000)); // settles "in-band only"
        a.add(in('4', Mode::Inband, 6000));
        QCOMPARE(codes(a.takeNewFindings()), QStringList {"inband-only"});
        a.finish();
        QVERIFY(a.takeNewFindings().isEmpty());
        QCOMPARE(codes(a.findings()), (QStringList {"no-telephone-event", "info-error", "inband-over-opus", "inband-only"}));
    }

    // A runaway peer cannot grow the analysis without bound.
    void boundedEvents()
    {
        Analyzer a;
        a.setNegotiation(true, true, "PCMU");
        for (qsizetype k = 0; k < Analyzer::kMaxEvents + 5; ++k)
            a.add(in(char('0' + k % 10), Mode::Rfc4733, k * 200, 100));
        QCOMPARE(a.digits().size(), Analyzer::kMaxEvents);
        QCOMPARE(a.droppedEvents(), qsizetype(5));
        QCOMPARE(codes(a.findings()), QStringList {"too-many-events"});
        QVERIFY(a.findings()[0].text.contains(QLatin1String("10000")));
    }
};

QTEST_GUILESS_MAIN(TestAnalyzer)
#include "tst_analyzer.moc"
