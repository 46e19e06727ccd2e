// dialscope calls dialscope: `answer` records what arrives while `call` sends a known tone, and the
// recording must hold that tone — for each codec, directly on loopback.

#include "support/peer.h"
#include "support/wav_analysis.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QTemporaryDir>
#include <QTest>

using namespace ds::test;

namespace {

// `dialscope answer` in the background: its JSON Lines are collected until it exits.
class Answerer {
public:
    bool start(const QStringList &args)
    {
        m_process.setProgram(QStringLiteral(DIALSCOPE_BIN));
        m_process.setArguments(QStringList {QStringLiteral("answer"), QStringLiteral("--json")} + args);
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        env.remove(QStringLiteral("DIALSCOPE_PASSWORD"));
        m_process.setProcessEnvironment(env);
        m_process.start();
        return m_process.waitForStarted(10000);
    }
    // Until the answerer says it is waiting for calls.
    bool waitListening(int ms)
    {
        QElapsedTimer t;
        t.start();
        while (t.elapsed() < ms) {
            m_process.waitForReadyRead(100);
            m_out += m_process.readAllStandardOutput();
            if (m_out.contains("waiting for calls"))
                return true;
            if (m_process.state() == QProcess::NotRunning)
                return false;
        }
        return false;
    }
    bool waitFinished(int ms)
    {
        const bool ok = m_process.state() == QProcess::NotRunning || m_process.waitForFinished(ms);
        m_out += m_process.readAllStandardOutput();
        m_err += m_process.readAllStandardError();
        return ok;
    }
    ~Answerer()
    {
        if (m_process.state() != QProcess::NotRunning) {
            m_process.kill();
            m_process.waitForFinished(3000);
        }
    }
    int exitCode() const { return m_process.exitCode(); }
    QJsonObject result() const
    {
        QJsonObject last;
        for (const QByteArray &line : m_out.split('\n')) {
            const QJsonObject o = QJsonDocument::fromJson(line).object();
            if (o.value(QStringLiteral("event")).toString() == QLatin1String("result"))
                last = o;
        }
        return last;
    }
    QString describe() const
    {
        return QStringLiteral("answer stdout:\n%1\nstderr:\n%2").arg(QString::fromUtf8(m_out.right(6000)), QString::fromUtf8(m_err.right(3000)));
    }

private:
    QProcess m_process;
    QByteArray m_out, m_err;
};

} // namespace

class TestCallDialscope : public QObject {
    Q_OBJECT
private slots:
    void toneArrives_data();
    void toneArrives();
    void busyIsReported();
    void ringbackPlaysUntilAnswer();
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
    Answerer answerer;
    QVERIFY(answerer.start({QStringLiteral("--bind"), QStringLiteral("127.0.0.1:%1").arg(port), QStringLiteral("--record"), recording,
        QStringLiteral("--codecs"), codec, QStringLiteral("--timeout"), QStringLiteral("30")}));
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
    QVERIFY2(answerer.exitCode() == 0, qPrintable(answerer.describe()));
    const QJsonObject ar = answerer.result();
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
    Answerer answerer;
    QVERIFY(answerer.start({QStringLiteral("--bind"), QStringLiteral("127.0.0.1:%1").arg(port), QStringLiteral("--reject"), QStringLiteral("486"),
        QStringLiteral("--timeout"), QStringLiteral("20")}));
    QVERIFY2(answerer.waitListening(10000), qPrintable(answerer.describe()));
    const DialscopeRun call = runDialscope({QStringLiteral("call"), QStringLiteral("sip:bob@127.0.0.1:%1").arg(port), QStringLiteral("--json"),
        QStringLiteral("--bind"), QStringLiteral("127.0.0.1:0"), QStringLiteral("--timeout"), QStringLiteral("20")});
    QVERIFY2(call.finished && call.exitCode == 1, qPrintable(call.describe()));
    QCOMPARE(call.result().value(QStringLiteral("outcome")).toString(), QStringLiteral("busy"));
    QCOMPARE(call.result().value(QStringLiteral("status")).toInt(), 486);
    QVERIFY2(answerer.waitFinished(15000), qPrintable(answerer.describe()));
    QCOMPARE(answerer.exitCode(), 0);
}

void TestCallDialscope::ringbackPlaysUntilAnswer()
{
    // The callee rings for 2 s (180, no early media): the caller hears 425 Hz ringback, then the
    // callee's 1000 Hz tone once answered.
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const quint16 port = freePort(PortKind::Udp);
    Answerer answerer;
    QVERIFY(answerer.start(
        {QStringLiteral("--bind"), QStringLiteral("127.0.0.1:%1").arg(port), QStringLiteral("--answer-after"), QStringLiteral("2"), QStringLiteral("--tone"),
            QStringLiteral("1000"), QStringLiteral("--codecs"), QStringLiteral("PCMU"), QStringLiteral("--timeout"), QStringLiteral("30")}));
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
