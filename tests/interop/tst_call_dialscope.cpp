// dialscope calls dialscope: `answer` records what arrives while `call` sends a known tone, and the
// recording must hold that tone — for each codec, directly on loopback.

#include "support/dialscope_cli.h"
#include "support/wav_analysis.h"

#include <QJsonArray>
#include <QTemporaryDir>
#include <QTest>

using namespace ds::test;

namespace {

// `dialscope answer --json` with args, for the caller to call.
QStringList answerArgs(const QStringList &args) { return QStringList {QStringLiteral("answer"), QStringLiteral("--json")} + args; }

} // namespace

class TestCallDialscope : public QObject {
    Q_OBJECT
private slots:
    void toneArrives_data();
    void toneArrives();
    void busyIsReported();
    void ringbackPlaysUntilAnswer();
    void echoSendsBackWhatArrives();
};

void TestCallDialscope::toneArrives_data()
{
    QTest::addColumn<QString>("codec");
    QTest::addColumn<QString>("expectedCodec");
    QTest::newRow("PCMU") << "PCMU"
                          << "PCMU/8000";
    QTest::newRow("PCMA") << "PCMA"
                          << "PCMA/8000";
    QTest::newRow("opus") << "opus"
                          << "opus/48000/2";
}

void TestCallDialscope::toneArrives()
{
    QFETCH(QString, codec);
    QFETCH(QString, expectedCodec);
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const quint16 port = freePort(PortKind::Udp);
    const QString recording = dir.filePath(QStringLiteral("received.wav"));
    DialscopeProcess answerer(answerArgs({QStringLiteral("--bind"), QStringLiteral("127.0.0.1:%1").arg(port), QStringLiteral("--record"), recording,
        QStringLiteral("--codecs"), codec, QStringLiteral("--timeout"), QStringLiteral("30")}));
    QVERIFY2(answerer.start(), qPrintable(answerer.describe()));
    QVERIFY2(answerer.waitListening(10000), qPrintable(answerer.describe()));

    const DialscopeRun call = runDialscope({QStringLiteral("call"), QStringLiteral("alice@127.0.0.1:%1").arg(port), QStringLiteral("--tone"),
        QStringLiteral("1000"), QStringLiteral("--duration"), QStringLiteral("2"), QStringLiteral("--codecs"), codec, QStringLiteral("--json"),
        QStringLiteral("--bind"), QStringLiteral("127.0.0.1:0"), QStringLiteral("--timeout"), QStringLiteral("20")});
    QVERIFY2(call.finished && call.exitCode == 0, qPrintable(call.describe()));
    const QJsonObject r = call.result();
    QCOMPARE(r.value(QStringLiteral("outcome")).toString(), QStringLiteral("answered"));
    QCOMPARE(r.value(QStringLiteral("codec")).toString(), expectedCodec);
    const QJsonObject rtp = r.value(QStringLiteral("rtp")).toObject();
    QVERIFY2(rtp.value(QStringLiteral("sent")).toInteger() > 50, qPrintable(call.describe()));

    QVERIFY2(answerer.waitFinished(15000), qPrintable(answerer.describe()));
    QVERIFY2(answerer.run().exitCode == 0, qPrintable(answerer.describe()));
    const QJsonObject ar = answerer.run().result();
    QCOMPARE(ar.value(QStringLiteral("outcome")).toString(), QStringLiteral("answered"));
    QVERIFY2(ar.value(QStringLiteral("rtp")).toObject().value(QStringLiteral("received")).toInteger() > 50, qPrintable(answerer.describe()));

    const ToneCheck tone = checkTone(recording, 1000);
    QVERIFY2(tone.ok, qPrintable(tone.error));
    QVERIFY2(tone.seconds > 1.0, qPrintable(QStringLiteral("only %1 s recorded").arg(tone.seconds)));
    // The caller sends -12 dBFS peak (about -15 dBFS RMS); codecs keep it within a few dB.
    QVERIFY2(tone.rmsDbfs > -22 && tone.rmsDbfs < -9, qPrintable(QStringLiteral("level %1 dBFS").arg(tone.rmsDbfs)));
    QVERIFY2(tone.toneShare > 0.8, qPrintable(QStringLiteral("only %1 of the energy is at 1000 Hz").arg(tone.toneShare)));
}

void TestCallDialscope::busyIsReported()
{
    const quint16 port = freePort(PortKind::Udp);
    DialscopeProcess answerer(answerArgs({QStringLiteral("--bind"), QStringLiteral("127.0.0.1:%1").arg(port), QStringLiteral("--reject"), QStringLiteral("486"),
        QStringLiteral("--timeout"), QStringLiteral("20")}));
    QVERIFY2(answerer.start(), qPrintable(answerer.describe()));
    QVERIFY2(answerer.waitListening(10000), qPrintable(answerer.describe()));
    const DialscopeRun call = runDialscope({QStringLiteral("call"), QStringLiteral("sip:bob@127.0.0.1:%1").arg(port), QStringLiteral("--json"),
        QStringLiteral("--bind"), QStringLiteral("127.0.0.1:0"), QStringLiteral("--timeout"), QStringLiteral("20")});
    QVERIFY2(call.finished && call.exitCode == 1, qPrintable(call.describe()));
    QCOMPARE(call.result().value(QStringLiteral("outcome")).toString(), QStringLiteral("busy"));
    QCOMPARE(call.result().value(QStringLiteral("status")).toInt(), 486);
    QVERIFY2(answerer.waitFinished(15000), qPrintable(answerer.describe()));
    QCOMPARE(answerer.run().exitCode, 0);
}

void TestCallDialscope::echoSendsBackWhatArrives()
{
    // `answer --echo` sends nothing of its own: the caller's tone must come back to the caller.
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const quint16 port = freePort(PortKind::Udp);
    DialscopeProcess answerer(answerArgs({QStringLiteral("--bind"), QStringLiteral("127.0.0.1:%1").arg(port), QStringLiteral("--echo"),
        QStringLiteral("--codecs"), QStringLiteral("PCMA"), QStringLiteral("--timeout"), QStringLiteral("20")}));
    QVERIFY2(answerer.start(), qPrintable(answerer.describe()));
    QVERIFY2(answerer.waitListening(10000), qPrintable(answerer.describe()));
    const QString recording = dir.filePath(QStringLiteral("echo.wav"));
    const DialscopeRun call = runDialscope({QStringLiteral("call"), QStringLiteral("bob@127.0.0.1:%1").arg(port), QStringLiteral("--tone"),
        QStringLiteral("750"), QStringLiteral("--record"), recording, QStringLiteral("--duration"), QStringLiteral("2"), QStringLiteral("--json"),
        QStringLiteral("--bind"), QStringLiteral("127.0.0.1:0"), QStringLiteral("--timeout"), QStringLiteral("20")});
    QVERIFY2(call.finished && call.exitCode == 0, qPrintable(call.describe()));
    const ToneCheck tone = checkTone(recording, 750);
    QVERIFY2(tone.ok, qPrintable(tone.error));
    QVERIFY2(tone.toneShare > 0.8, qPrintable(QStringLiteral("only %1 of the echo's energy is at 750 Hz").arg(tone.toneShare)));
    QVERIFY2(tone.rmsDbfs > -24 && tone.rmsDbfs < -9, qPrintable(QStringLiteral("echo level %1 dBFS").arg(tone.rmsDbfs)));
    QVERIFY2(answerer.waitFinished(15000), qPrintable(answerer.describe()));
    QCOMPARE(answerer.run().exitCode, 0);
}

void TestCallDialscope::ringbackPlaysUntilAnswer()
{
    // The callee rings for 2 s (180, no early media): the caller hears 425 Hz ringback, then the
    // callee's 1000 Hz tone once answered.
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const quint16 port = freePort(PortKind::Udp);
    DialscopeProcess answerer(answerArgs(
        {QStringLiteral("--bind"), QStringLiteral("127.0.0.1:%1").arg(port), QStringLiteral("--answer-after"), QStringLiteral("2"), QStringLiteral("--tone"),
            QStringLiteral("1000"), QStringLiteral("--codecs"), QStringLiteral("PCMU"), QStringLiteral("--timeout"), QStringLiteral("30")}));
    QVERIFY2(answerer.start(), qPrintable(answerer.describe()));
    QVERIFY2(answerer.waitListening(10000), qPrintable(answerer.describe()));
    const QString recording = dir.filePath(QStringLiteral("heard.wav"));
    const DialscopeRun call = runDialscope({QStringLiteral("call"), QStringLiteral("bob@127.0.0.1:%1").arg(port), QStringLiteral("--record"), recording,
        QStringLiteral("--duration"), QStringLiteral("1.5"), QStringLiteral("--json"), QStringLiteral("--bind"), QStringLiteral("127.0.0.1:0"),
        QStringLiteral("--timeout"), QStringLiteral("20")});
    QVERIFY2(call.finished && call.exitCode == 0, qPrintable(call.describe()));
    int rate = 0;
    QString error;
    const std::vector<std::int16_t> heard = readWavMono(recording, &rate, &error);
    QVERIFY2(!heard.empty(), qPrintable(error));
    QCOMPARE(rate, 8000);
    // The first ringback burst (0.2-0.9 s) and the answered call (the last second).
    const auto burst = std::span(heard).subspan(std::size_t(rate) / 5, std::size_t(rate) * 7 / 10);
    QVERIFY2(heard.size() > std::size_t(rate) * 3, qPrintable(QStringLiteral("%1 samples recorded").arg(heard.size())));
    const auto answered = std::span(heard).last(std::size_t(rate));
    auto share = [rate](std::span<const std::int16_t> x, double hz) {
        double total = 0;
        for (std::int16_t v : x)
            total += double(v) * v;
        return total > 0 ? toneEnergy(x, hz, rate) / (total * double(x.size()) / 2.0) : 0.0;
    };
    QVERIFY2(rms(burst) > 500, qPrintable(QStringLiteral("ringback RMS %1").arg(rms(burst))));
    QVERIFY2(share(burst, 425) > 0.8, qPrintable(QStringLiteral("425 Hz share %1").arg(share(burst, 425))));
    QVERIFY2(share(answered, 1000) > 0.8, qPrintable(QStringLiteral("1000 Hz share %1").arg(share(answered, 1000))));
    QVERIFY2(answerer.waitFinished(15000), qPrintable(answerer.describe()));
}

QTEST_GUILESS_MAIN(TestCallDialscope)
#include "tst_call_dialscope.moc"
