// The command-line contract (ARCHITECTURE.md) for what needs no peer: lint, usage errors,
// `dtmf detect` on a recording.

#include "dtmf/tone_generator.h"
#include "media/wav_file.h"

#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QTemporaryDir>
#include <QTest>

#include <vector>

class TestCli : public QObject {
    Q_OBJECT

    struct Run {
        int code = -1;
        QByteArray out, err;
    };
    static Run run(const QStringList &args, const QByteArray &input = {})
    {
        QProcess p;
        p.start(QStringLiteral(DIALSCOPE_BIN), args);
        if (!p.waitForStarted(10000))
            return {};
        if (!input.isEmpty())
            p.write(input);
        p.closeWriteChannel();
        if (!p.waitForFinished(60000)) {
            p.kill();
            p.waitForFinished();
        }
        return {p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -1, p.readAllStandardOutput(), p.readAllStandardError()};
    }

private slots:
    void lintExitStatus_data()
    {
        QTest::addColumn<QString>("file");
        QTest::addColumn<int>("code");
        QTest::newRow("valid") << QStringLiteral(DS_TEST_DATA "/sip/valid/wsinv.sip") << 0;
        QTest::newRow("invalid") << QStringLiteral(DS_TEST_DATA "/sip/invalid/mismatch01.sip") << 1;
        QTest::newRow("missing") << QStringLiteral("/nonexistent/message.sip") << 2;
    }
    void lintExitStatus()
    {
        QFETCH(QString, file);
        QFETCH(int, code);
        const Run r = run({QStringLiteral("lint"), file});
        QCOMPARE(r.code, code);
        if (code == 1)
            QVERIFY(r.out.contains("CSeq method"));
        if (code == 2)
            QVERIFY(r.err.contains("cannot read"));
    }
    void lintStdinJson()
    {
        const Run r = run({QStringLiteral("lint"), QStringLiteral("-"), QStringLiteral("--json")},
            "OPTIONS sip:a@b SIP/2.0\r\nVia: SIP/2.0/UDP h;branch=z9hG4bK1\r\nTo: <sip:a@b>\r\nFrom: <sip:c@d>;tag=1\r\nCSeq: 1 INVITE\r\n"
            "Max-Forwards: 70\r\n\r\n");
        QCOMPARE(r.code, 1);
        const QList<QByteArray> lines = r.out.trimmed().split('\n');
        QVERIFY(lines.size() >= 3);
        for (const QByteArray &l : lines) {
            const QJsonObject o = QJsonDocument::fromJson(l).object();
            QVERIFY2(o.contains(QLatin1String("event")) && o.contains(QLatin1String("t")), l.constData());
        }
        const QJsonObject last = QJsonDocument::fromJson(lines.last()).object();
        QCOMPARE(last.value(QLatin1String("event")).toString(), QStringLiteral("result"));
        QCOMPARE(last.value(QLatin1String("outcome")).toString(), QStringLiteral("invalid"));
        QVERIFY(r.out.contains("Call-ID header is missing"));
    }
    void usageErrors_data()
    {
        QTest::addColumn<QStringList>("args");
        QTest::newRow("unknown command") << QStringList {QStringLiteral("frobnicate")};
        QTest::newRow("register without user") << QStringList {QStringLiteral("register"), QStringLiteral("127.0.0.1")};
        QTest::newRow("register without server") << QStringList {QStringLiteral("register"), QStringLiteral("--user"), QStringLiteral("a")};
        QTest::newRow("bad transport") << QStringList {QStringLiteral("register"), QStringLiteral("h"), QStringLiteral("--user"), QStringLiteral("a"),
            QStringLiteral("--transport"), QStringLiteral("sctp")};
        QTest::newRow("bad expires") << QStringList {QStringLiteral("register"), QStringLiteral("h"), QStringLiteral("--user"), QStringLiteral("a"),
            QStringLiteral("--expires"), QStringLiteral("soon")};
        QTest::newRow("unreadable ca") << QStringList {QStringLiteral("register"), QStringLiteral("h"), QStringLiteral("--user"), QStringLiteral("a"),
            QStringLiteral("--ca"), QStringLiteral("/nonexistent.pem")};
        QTest::newRow("bad bind") << QStringList {QStringLiteral("register"), QStringLiteral("h"), QStringLiteral("--user"), QStringLiteral("a"),
            QStringLiteral("--bind"), QStringLiteral("not-an-ip")};
    }
    void usageErrors()
    {
        QFETCH(QStringList, args);
        const Run r = run(args);
        QCOMPARE(r.code, 2);
        QVERIFY(!r.err.isEmpty());
    }
    // Failures that need no peer: nothing listens, no DNS server answers.
    void networkOutcomes_data()
    {
        QTest::addColumn<QStringList>("args");
        QTest::addColumn<QString>("outcome");
        QTest::newRow("tcp refused") << QStringList {QStringLiteral("127.0.0.1:9"), QStringLiteral("--transport"), QStringLiteral("tcp")}
                                     << QStringLiteral("network-error");
        QTest::newRow("tls refused") << QStringList {QStringLiteral("sips:127.0.0.1:9")} << QStringLiteral("network-error");
        QTest::newRow("dns") << QStringList {QStringLiteral("pbx.invalid"), QStringLiteral("--dns-server"), QStringLiteral("127.0.0.1")}
                             << QStringLiteral("dns-error");
    }
    void networkOutcomes()
    {
        QFETCH(QStringList, args);
        QFETCH(QString, outcome);
        const Run r
            = run(QStringList {QStringLiteral("register")} + args + QStringList {QStringLiteral("--user"), QStringLiteral("a"), QStringLiteral("--json")});
        QCOMPARE(r.code, 3);
        const QJsonObject last = QJsonDocument::fromJson(r.out.trimmed().split('\n').last()).object();
        QCOMPARE(last.value(QLatin1String("event")).toString(), QStringLiteral("result"));
        QCOMPARE(last.value(QLatin1String("outcome")).toString(), outcome);
        QVERIFY(!last.value(QLatin1String("reason")).toString().isEmpty());
    }

    void dtmfDetectReadsARecording()
    {
        // A customer's recording: 16 kHz stereo, the digits of a card number with speech-like
        // noise around them. `dtmf detect` finds exactly those digits, at their times.
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        const QString path = dir.filePath(QStringLiteral("ivr.wav"));
        {
            auto w = ds::media::WavWriter::create(path, 16000, 2);
            QVERIFY(w.has_value());
            ds::dtmf::InbandGenerator gen(16000);
            std::vector<std::int16_t> mono(16000 * 3, 0), stereo;
            const char digits[] = "40#9A";
            for (int i = 0; i < 5; ++i) {
                QVERIFY(gen.start(digits[i], 120, 0));
                gen.fill(std::span(mono).subspan(std::size_t(8000 + i * 6400), 1920)); // every 400 ms from 0.5 s
            }
            for (std::int16_t v : mono)
                stereo.insert(stereo.end(), {v, v});
            QVERIFY(w->write(stereo).has_value());
        }
        const Run r = run({QStringLiteral("dtmf"), QStringLiteral("detect"), path, QStringLiteral("--json")});
        QCOMPARE(r.code, 0);
        QString digits;
        QList<qint64> at;
        for (const QByteArray &line : r.out.trimmed().split('\n')) {
            const QJsonObject o = QJsonDocument::fromJson(line).object();
            if (o.value(QLatin1String("event")).toString() == QLatin1String("dtmf")) {
                digits += o.value(QLatin1String("digit")).toString();
                at << o.value(QLatin1String("at_ms")).toInteger();
                QCOMPARE(o.value(QLatin1String("mode")).toString(), QStringLiteral("inband"));
            }
        }
        QCOMPARE(digits, QStringLiteral("40#9A"));
        for (qsizetype i = 0; i < at.size(); ++i)
            QVERIFY2(std::abs(at[i] - (500 + 400 * i)) <= 5, qPrintable(QStringLiteral("digit %1 at %2 ms").arg(i).arg(at[i])));

        const Run text = run({QStringLiteral("dtmf"), QStringLiteral("detect"), path});
        QCOMPARE(text.code, 0);
        QVERIFY2(text.out.contains("40#9A"), text.out.constData());
    }

    void dtmfDetectRefusesBadInput_data()
    {
        QTest::addColumn<QStringList>("args");
        QTest::addColumn<QByteArray>("says");
        QTest::newRow("no subcommand") << QStringList {QStringLiteral("dtmf")} << QByteArray("detect");
        QTest::newRow("unknown subcommand") << QStringList {QStringLiteral("dtmf"), QStringLiteral("send")} << QByteArray("send");
        QTest::newRow("missing file") << QStringList {QStringLiteral("dtmf"), QStringLiteral("detect"), QStringLiteral("/nonexistent/x.wav")}
                                      << QByteArray("x.wav");
        QTest::newRow("not a wav") << QStringList {QStringLiteral("dtmf"), QStringLiteral("detect"), QStringLiteral(DIALSCOPE_BIN)} << QByteArray("RIFF");
    }
    void dtmfDetectRefusesBadInput()
    {
        QFETCH(QStringList, args);
        QFETCH(QByteArray, says);
        const Run r = run(args);
        QCOMPARE(r.code, 2);
        QVERIFY2(r.err.contains(says), r.err.constData());
    }

    void malformedServerIsReported()
    {
        const Run r = run({QStringLiteral("register"), QStringLiteral("sip:[::1"), QStringLiteral("--user"), QStringLiteral("a"), QStringLiteral("--json")});
        QCOMPARE(r.code, 2); // bad input, not a network failure
        QVERIFY2(r.err.contains("IPv6"), r.err.constData());
    }
};

QTEST_GUILESS_MAIN(TestCli)
#include "tst_cli.moc"
