// `dialscope demo` as the far end, called by `dialscope call` and by baresip: the echo sends back the
// caller's tone about 300 ms later, the tone extension plays 1004 Hz at -10 dBFS peak, the DTMF reporter
// reports each digit in the mode it came in (the caller's `dtmf` events with "dir":"far-end"), an
// unknown extension gets 404 naming the real ones, `dialscope register` registers with the password,
// a non-loopback bind is refused, and SIGTERM ends it cleanly with a result.

#include "support/baresip.h"
#include "support/dialscope_cli.h"
#include "support/test_case_dir.h"
#include "support/wav_analysis.h"

#include <QDir>
#include <QJsonDocument>
#include <QTemporaryDir>
#include <QTest>

#include <memory>

using namespace ds::test;
using namespace Qt::StringLiterals;

namespace {

// When the audio of a recording starts: the first 10 ms whose level is above -30 dBFS, in ms; -1 never.
double onsetMs(const QString &path, QString *error)
{
    int rate = 0;
    const std::vector<std::int16_t> x = readWavMono(path, &rate, error);
    if (x.empty() || rate <= 0)
        return -1;
    const std::size_t win = std::size_t(rate) / 100;
    for (std::size_t i = 0; i + win <= x.size(); i += win)
        if (20 * std::log10(std::max(rms(std::span(x).subspan(i, win)), 1e-9) / 32768.0) > -30)
            return 1000.0 * double(i) / rate;
    return -1;
}

QString digitsOf(const QList<QJsonObject> &events, const QString &dir, const QString &mode, QString *otherModes)
{
    QString digits;
    for (const QJsonObject &e : events) {
        if (e.value(u"dir").toString() != dir)
            continue;
        digits += e.value(u"digit").toString();
        if (e.value(u"mode").toString() != mode)
            *otherModes += e.value(u"digit").toString() + u'/' + e.value(u"mode").toString() + u' ';
    }
    return digits;
}

} // namespace

class TstDemoInterop : public QObject {
    Q_OBJECT
private slots:
    void initTestCase();
    void cleanup();

    void echoSendsBackTheToneDelayed();
    void toneExtensionPlaysTheTestTone();
    void dtmfReporterReportsEachMode_data();
    void dtmfReporterReportsEachMode();
    void unknownExtensionIsNotFound();
    void registersWithThePassword();
    void baresipCallsTheEcho();
    void baresipRegistersWithMd5Digest();
    void nonLoopbackBindIsRefused_data();
    void nonLoopbackBindIsRefused();
    void sigtermStopsItCleanly();

private:
    // Starts `dialscope demo --json` on a free port; false (m_error says why) when it does not listen.
    bool startDemo(const QStringList &extra = {}, const QList<std::pair<QString, QString>> &env = {});
    QString target(const QString &extension) const { return u"sip:%1@127.0.0.1:%2"_s.arg(extension).arg(m_port); }
    DialscopeRun &call(const QStringList &args);
    QString details();

    std::unique_ptr<QTemporaryDir> m_tmp;
    std::unique_ptr<DialscopeProcess> m_demo;
    std::optional<DialscopeRun> m_call;
    std::unique_ptr<BaresipPeer> m_baresip;
    quint16 m_port = 0;
    QString m_caseDir;
    QString m_error;
};

void TstDemoInterop::initTestCase()
{
    QVERIFY2(QFileInfo::exists(QStringLiteral(DIALSCOPE_BIN)), "dialscope is not built at " DIALSCOPE_BIN);
    m_tmp = std::make_unique<QTemporaryDir>(QDir::tempPath() + u"/dialscope-demo-XXXXXX"_s);
    QVERIFY(m_tmp->isValid());
}

void TstDemoInterop::cleanup()
{
    if (QTest::currentTestFailed() && m_tmp) {
        m_tmp->setAutoRemove(false);
        qWarning().noquote() << details() << "\n(files kept in" << m_tmp->path() << ")";
    }
    m_baresip.reset();
    m_demo.reset();
    m_call.reset();
    m_port = 0;
    m_error.clear();
}

QString TstDemoInterop::details()
{
    QString text;
    if (m_call)
        text += u"\n=== the caller:"_s + m_call->describe();
    if (m_demo)
        text += u"\n=== the demo peer:"_s + m_demo->describe();
    if (m_baresip)
        text += u"\n=== baresip:\n"_s + m_baresip->describe();
    return text + m_error;
}

bool TstDemoInterop::startDemo(const QStringList &extra, const QList<std::pair<QString, QString>> &env)
{
    m_caseDir = testCaseDir(m_tmp->path());
    // --duration: a safety net; each case ends it long before.
    m_demo = std::make_unique<DialscopeProcess>(QStringList {u"demo"_s, u"--json"_s, u"--duration"_s, u"60"_s} + extra, env);
    if (!m_demo->start()) {
        m_error = u"dialscope demo did not start"_s;
        return false;
    }
    QJsonObject listening;
    const bool ok = m_demo->waitFor(
        [&listening](const QJsonObject &e) {
            if (e.value(u"event").toString() != u"listening")
                return false;
            listening = e;
            return true;
        },
        10000);
    m_port = quint16(listening.value(u"port").toInt());
    if (!ok || !m_port || listening.value(u"address").toString() != u"127.0.0.1") {
        m_error = u"dialscope demo did not say where it listens"_s;
        return false;
    }
    return true;
}

DialscopeRun &TstDemoInterop::call(const QStringList &args)
{
    m_call = runDialscope(QStringList {u"call"_s} + args + QStringList {u"--json"_s, u"--bind"_s, u"127.0.0.1:0"_s, u"--timeout"_s, u"20"_s}, {}, 40000);
    return *m_call;
}

// The caller's 1000 Hz comes back, and not before the echo delay (300 ms): without the delay the
// recording would start some 40-80 ms in (the two jitter buffers).
void TstDemoInterop::echoSendsBackTheToneDelayed()
{
    QVERIFY2(startDemo(), qPrintable(m_error));
    const QString recording = m_caseDir + u"/echo.wav"_s;
    const DialscopeRun &run = call({target(u"echo"_s), u"--tone"_s, u"1000"_s, u"--record"_s, recording, u"--duration"_s, u"3"_s});
    QVERIFY2(run.finished && run.exitCode == 0, qPrintable(run.describe()));
    QCOMPARE(run.result().value(u"outcome").toString(), u"answered"_s);
    const ToneCheck tone = checkTone(recording, 1000);
    QVERIFY2(tone.ok, qPrintable(tone.error));
    QVERIFY2(tone.toneShare > 0.8, qPrintable(u"only %1 of the echo's energy is at 1000 Hz"_s.arg(tone.toneShare)));
    QVERIFY2(tone.rmsDbfs > -20 && tone.rmsDbfs < -8, qPrintable(u"echo level %1 dBFS"_s.arg(tone.rmsDbfs)));
    QString error;
    const double onset = onsetMs(recording, &error);
    QVERIFY2(onset >= 250 && onset <= 1000, qPrintable(u"the echo starts %1 ms into the call, not about 300 ms %2"_s.arg(onset).arg(error)));
    // The demo peer said what happened.
    QVERIFY(m_demo->waitFor(
        [](const QJsonObject &e) {
            return e.value(u"event").toString() == u"call" && e.value(u"state").toString() == u"ended" && e.value(u"extension").toString() == u"echo";
        },
        5000));
}

void TstDemoInterop::toneExtensionPlaysTheTestTone()
{
    QVERIFY2(startDemo(), qPrintable(m_error));
    const QString recording = m_caseDir + u"/tone.wav"_s;
    const DialscopeRun &run = call({target(u"tone"_s), u"--record"_s, recording, u"--duration"_s, u"2"_s});
    QVERIFY2(run.finished && run.exitCode == 0, qPrintable(run.describe()));
    const ToneCheck at1004 = checkTone(recording, 1004);
    QVERIFY2(at1004.ok, qPrintable(at1004.error));
    QVERIFY2(at1004.toneShare > 0.8, qPrintable(u"only %1 of the energy is at 1004 Hz"_s.arg(at1004.toneShare)));
    // -10 dBFS peak: a sine's RMS is 3 dB below its peak.
    QVERIFY2(at1004.rmsDbfs > -15 && at1004.rmsDbfs < -11, qPrintable(u"tone level %1 dBFS RMS, not about -13 (-10 peak)"_s.arg(at1004.rmsDbfs)));
    // 1004 Hz, not the 1000 Hz of a careless test set (a one-second window tells them apart).
    QVERIFY(checkTone(recording, 1000).toneShare < at1004.toneShare);
}

void TstDemoInterop::dtmfReporterReportsEachMode_data()
{
    QTest::addColumn<QString>("mode");
    QTest::newRow("rfc4733") << u"rfc4733"_s;
    QTest::newRow("inband") << u"inband"_s;
    QTest::newRow("info") << u"info"_s;
}

// The caller sends 123# in one mode; the reporter's MESSAGEs come back as `message` events and as
// `dtmf` events with "dir":"far-end": exactly those digits, all in that mode.
void TstDemoInterop::dtmfReporterReportsEachMode()
{
    QFETCH(QString, mode);
    QVERIFY2(startDemo(), qPrintable(m_error));
    const QString keys = u"123#"_s;
    const DialscopeRun &run
        = call({target(u"dtmf"_s), u"--codecs"_s, u"PCMU"_s, u"--dtmf"_s, keys, u"--dtmf-mode"_s, mode, u"--dtmf-delay"_s, u"0.5"_s, u"--duration"_s, u"4"_s});
    QVERIFY2(run.finished && run.exitCode == 0, qPrintable(run.describe()));
    QString others;
    QCOMPARE(digitsOf(run.eventsOf(u"dtmf"_s), u"out"_s, mode, &others), keys);
    const QString heard = digitsOf(run.eventsOf(u"dtmf"_s), u"far-end"_s, mode, &others);
    QVERIFY2(others.isEmpty(), qPrintable(u"digits in another mode: "_s + others));
    QCOMPARE(heard, keys);
    const QList<QJsonObject> messages = run.eventsOf(u"message"_s);
    QCOMPARE(messages.size(), keys.size());
    QCOMPARE(messages.first().value(u"content_type").toString(), u"text/plain"_s);
    QVERIFY2(messages.first().value(u"body").toString().startsWith(u"DTMF 1 "_s + mode + u' '), qPrintable(messages.first().value(u"body").toString()));
    // The MESSAGEs are in the caller's trace as well, each answered 200.
    int messagesIn = 0, okOut = 0;
    for (const QJsonObject &e : run.sip()) {
        const QByteArray raw = e.value(u"raw").toString().toUtf8();
        if (e.value(u"dir").toString() == u"in" && ds::test::sip::method(raw) == "MESSAGE")
            ++messagesIn;
        if (e.value(u"dir").toString() == u"out" && ds::test::sip::status(raw) == 200 && ds::test::sip::header(raw, "CSeq").endsWith(" MESSAGE"))
            ++okOut;
    }
    QCOMPARE(messagesIn, keys.size());
    QCOMPARE(okOut, keys.size());
    // The demo peer reported the same digits.
    QVERIFY(m_demo->waitFor([](const QJsonObject &e) { return e.value(u"event").toString() == u"dtmf" && e.value(u"digit").toString() == u"#"; }, 5000));
}

void TstDemoInterop::unknownExtensionIsNotFound()
{
    QVERIFY2(startDemo(), qPrintable(m_error));
    const DialscopeRun &run = call({target(u"nobody"_s)});
    QVERIFY2(run.finished && run.exitCode == 1, qPrintable(run.describe()));
    const QJsonObject result = run.result();
    QCOMPARE(result.value(u"outcome").toString(), u"rejected"_s);
    QCOMPARE(result.value(u"status").toInt(), 404);
    QVERIFY2(result.value(u"reason").toString().contains(u"echo, tone, dtmf"), qPrintable(result.value(u"reason").toString()));
    QVERIFY(m_demo->waitFor([](const QJsonObject &e) { return e.value(u"event").toString() == u"call" && e.value(u"state").toString() == u"refused"; }, 5000));
}

// `dialscope register` with the password given to `dialscope demo` (the environment here), and a
// wrong one refused; the password appears nowhere in what either printed.
void TstDemoInterop::registersWithThePassword()
{
    const QString password = u"Demo-pw-7"_s;
    QVERIFY2(startDemo({}, {{u"DIALSCOPE_PASSWORD"_s, password}}), qPrintable(m_error));
    m_call = runDialscope(
        {u"register"_s, u"127.0.0.1:%1"_s.arg(m_port), u"--user"_s, u"demo"_s, u"--password"_s, password, u"--json"_s, u"--bind"_s, u"127.0.0.1:0"_s});
    QVERIFY2(m_call->finished && m_call->exitCode == 0, qPrintable(m_call->describe()));
    QVERIFY(m_demo->waitFor(
        [](const QJsonObject &e) { return e.value(u"event").toString() == u"registration" && e.value(u"state").toString() == u"registered"; }, 5000));
    m_call = runDialscope(
        {u"register"_s, u"127.0.0.1:%1"_s.arg(m_port), u"--user"_s, u"demo"_s, u"--password"_s, u"wrong"_s, u"--json"_s, u"--bind"_s, u"127.0.0.1:0"_s});
    QVERIFY2(m_call->finished && m_call->exitCode == 1, qPrintable(m_call->describe()));
    QCOMPARE(m_call->result().value(u"outcome").toString(), u"wrong-credentials"_s);
    QVERIFY(m_demo->waitFor(
        [](const QJsonObject &e) { return e.value(u"event").toString() == u"registration" && e.value(u"state").toString() == u"refused"; }, 5000));
    const DialscopeRun &demo = m_demo->run();
    QVERIFY(!demo.out.contains(password.toUtf8()) && !demo.err.contains(password.toUtf8()));
    bool said = false;
    for (const QJsonObject &e : demo.eventsOf(u"listening"_s))
        said = e.value(u"password").toString() == u"environment";
    QVERIFY(said);
}

// A softphone that is not dialscope calls the echo: 200, and its own 440 Hz comes back over RTP.
void TstDemoInterop::baresipCallsTheEcho()
{
    if (const BaresipPeer::Result installed = BaresipPeer::installed(); !installed)
        QSKIP(qPrintable(installed.error().message));
    QVERIFY2(startDemo(), qPrintable(m_error));
    m_baresip = std::make_unique<BaresipPeer>(u"bob"_s, m_caseDir);
    BaresipOptions options;
    options.user = u"bob"_s;
    options.codec = u"PCMU"_s;
    options.toneHz = 440;
    const BaresipPeer::Result started = m_baresip->start(options);
    QVERIFY2(started, qPrintable(started ? QString() : started.error().message));
    QVERIFY2(m_baresip->dial(target(u"echo"_s)), qPrintable(m_baresip->errorString()));
    QVERIFY2(m_baresip->waitEvent(u"CALL_ESTABLISHED"_s), qPrintable(m_baresip->errorString()));
    QVERIFY2(m_baresip->waitEvent(u"CALL_RTPESTAB"_s, 5000), qPrintable(m_baresip->errorString()));
    QVERIFY2(m_baresip->waitForAudio(BaresipPeer::Stream::Received, 2.0), qPrintable(m_baresip->errorString()));
    QVERIFY2(m_baresip->hangup(), qPrintable(m_baresip->errorString()));
    QVERIFY2(m_baresip->waitEvent(u"CALL_CLOSED"_s), qPrintable(m_baresip->errorString()));
    const auto recording = m_baresip->lastRecording(BaresipPeer::Stream::Received);
    QVERIFY2(recording, qPrintable(recording ? QString() : recording.error()));
    const ToneCheck tone = checkTone(*recording, 440);
    QVERIFY2(tone.ok, qPrintable(tone.error));
    QVERIFY2(tone.toneShare > 0.7, qPrintable(u"only %1 of what baresip heard is its own 440 Hz"_s.arg(tone.toneShare)));
    QVERIFY(m_demo->waitFor(
        [](const QJsonObject &e) {
            return e.value(u"event").toString() == u"call" && e.value(u"state").toString() == u"answered"
                && e.value(u"remote").toString().contains(u"sip:bob@");
        },
        5000));
}

// baresip 1.0 gives up on a 401 that holds any SHA-256 challenge: `--digest md5` lets it register.
void TstDemoInterop::baresipRegistersWithMd5Digest()
{
    if (const BaresipPeer::Result installed = BaresipPeer::installed(); !installed)
        QSKIP(qPrintable(installed.error().message));
    const QString password = u"Demo-Md5-pass9"_s;
    QVERIFY2(startDemo({u"--digest"_s, u"md5"_s}, {{u"DIALSCOPE_PASSWORD"_s, password}}), qPrintable(m_error));
    m_baresip = std::make_unique<BaresipPeer>(u"demo"_s, m_caseDir);
    BaresipOptions options;
    options.user = u"demo"_s;
    options.password = password;
    options.registrarPort = m_port;
    const BaresipPeer::Result started = m_baresip->start(options);
    QVERIFY2(started, qPrintable(started ? QString() : started.error().message));
    QVERIFY2(m_baresip->waitRegistered(), qPrintable(m_baresip->errorString()));
    QVERIFY(m_demo->waitFor(
        [](const QJsonObject &e) { return e.value(u"event").toString() == u"registration" && e.value(u"state").toString() == u"registered"; }, 5000));
}

void TstDemoInterop::nonLoopbackBindIsRefused_data()
{
    QTest::addColumn<QString>("bind");
    QTest::newRow("any") << u"0.0.0.0"_s;
    QTest::newRow("any with port") << u"0.0.0.0:5060"_s;
    QTest::newRow("documentation") << u"192.0.2.1:5060"_s;
    QTest::newRow("any v6") << u"[::]:5060"_s;
}

void TstDemoInterop::nonLoopbackBindIsRefused()
{
    QFETCH(QString, bind);
    m_call = runDialscope({u"demo"_s, u"--bind"_s, bind, u"--json"_s}, {}, 20000);
    QVERIFY2(m_call->finished && m_call->exitCode == 2, qPrintable(m_call->describe()));
    QVERIFY2(m_call->err.contains("loopback only"), qPrintable(m_call->describe()));
    QVERIFY(m_call->events.isEmpty()); // it never listened
}

void TstDemoInterop::sigtermStopsItCleanly()
{
    m_caseDir = testCaseDir(m_tmp->path());
    QProcess demo;
    demo.setStandardInputFile(QProcess::nullDevice());
    demo.setChildProcessModifier(detachChild);
    demo.start(QStringLiteral(DIALSCOPE_BIN), {u"demo"_s, u"--json"_s, u"--duration"_s, u"60"_s});
    QVERIFY(demo.waitForStarted(10000));
    QByteArray out;
    QDeadlineTimer deadline(10000);
    while (!out.contains("\"listening\"") && !deadline.hasExpired() && demo.waitForReadyRead(int(std::max<qint64>(1, deadline.remainingTime()))))
        out += demo.readAllStandardOutput();
    QVERIFY2(out.contains("\"listening\""), out.constData());
    demo.terminate(); // SIGTERM
    QVERIFY(demo.waitForFinished(10000));
    out += demo.readAllStandardOutput();
    const QByteArray err = demo.readAllStandardError();
    QCOMPARE(demo.exitStatus(), QProcess::NormalExit);
    QVERIFY2(demo.exitCode() == 0, err.constData());
    const QList<QByteArray> lines = out.trimmed().split('\n');
    const QJsonObject last = QJsonDocument::fromJson(lines.last()).object();
    QCOMPARE(last.value(u"event").toString(), u"result"_s);
    QCOMPARE(last.value(u"outcome").toString(), u"stopped"_s);
    QVERIFY2(last.value(u"reason").toString().contains(u"SIGTERM"), lines.last().constData());
}

QTEST_GUILESS_MAIN(TstDemoInterop)
#include "tst_demo_interop.moc"
