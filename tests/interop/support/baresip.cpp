#include "baresip.h"

#include <array>
#include <cstring>

#include <QDeadlineTimer>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QHostAddress>
#include <QJsonDocument>
#include <QRegularExpression>
#include <QTcpServer>
#include <QTcpSocket>
#include <QThread>
#include <QtEndian>

namespace ds::test {

namespace {

const QString kHost = QStringLiteral("127.0.0.1");
const QString kModuleDir = QStringLiteral("/usr/lib/baresip/modules");
// Everything the configuration loads; all of it ships in baresip-core.
const QStringList kModules {QStringLiteral("account"), QStringLiteral("menu"), QStringLiteral("ctrl_tcp"), QStringLiteral("ausine"), QStringLiteral("sndfile"),
    QStringLiteral("g711"), QStringLiteral("g722"), QStringLiteral("opus")};

std::unexpected<BaresipPeer::Failure> failed(QString message) { return std::unexpected(BaresipPeer::Failure {false, std::move(message)}); }
std::unexpected<BaresipPeer::Failure> skipped(QString message) { return std::unexpected(BaresipPeer::Failure {true, std::move(message)}); }

// A SIP port for baresip: free over UDP and TCP, with the next one free over TCP as well, since
// baresip 1.0 always adds a TLS listener on sip_listen's port + 1.
quint16 freeSipPort(quint16 avoid)
{
    for (int attempt = 0; attempt < 50; ++attempt) {
        const quint16 port = freePort(PortKind::UdpAndTcp);
        if (port == 0 || port == 65535 || port == avoid || port + 1 == avoid)
            continue;
        QTcpServer tls;
        if (tls.listen(QHostAddress::LocalHost, port + 1))
            return port;
    }
    return 0;
}

// baresip's account parameter audio_codecs wants name/rate/channels when the rate is not
// 8000 Hz mono ("opus" alone is looked up as opus/8000/1 and not found).
QString codecSpec(const QString &codec)
{
    if (codec.compare(u"opus", Qt::CaseInsensitive) == 0)
        return QStringLiteral("opus/48000/2");
    if (codec.compare(u"G722", Qt::CaseInsensitive) == 0)
        return QStringLiteral("G722/16000/1");
    return codec;
}

// The accounts file: one line, <AOR>;parameters (baresip's doc/accounts).
QString accountLine(const BaresipOptions &o)
{
    QString line;
    if (o.registrarPort != 0) {
        line = QStringLiteral("<sip:%1@%2:%3;transport=%4>;auth_pass=%5;regint=3600").arg(o.user, kHost).arg(o.registrarPort).arg(o.transport, o.password);
    } else {
        line = QStringLiteral("<sip:%1@%2>;regint=0").arg(o.user, kHost);
    }
    line += o.autoAnswer ? QStringLiteral(";answermode=auto") : QStringLiteral(";answermode=manual");
    if (!o.codec.isEmpty())
        line += QStringLiteral(";audio_codecs=") + codecSpec(o.codec);
    if (!o.mediaEnc.isEmpty())
        line += QStringLiteral(";mediaenc=") + o.mediaEnc;
    return line + u'\n';
}

// The config file. No audio player: baresip 1.0 then decodes (and records) what it receives
// without playing it, so no sound card is needed. ausine only runs at 48 kHz stereo; baresip
// resamples to the codec's rate ("audio: enable ausrc resampler" in the log).
QString configText(const BaresipOptions &o, quint16 sipPort, quint16 ctrlPort, const QString &recordingDir)
{
    return QStringLiteral("# baresip 1.0 configuration written by dialscope's interop tests (tests/interop/support/baresip.cpp)\n"
                          "poll_method\t\tepoll\n"
                          "sip_listen\t\t%1:%2\n" // UDP and TCP on this port, TLS on the next
                          "net_interface\t\t%1\n" // SIP and RTP on loopback only
                          "call_local_timeout\t120\n"
                          "call_max_calls\t\t4\n"
                          "audio_source\t\tausine,%3\n"
                          "ausrc_srate\t\t48000\n"
                          "ausrc_channels\t\t2\n"
                          "audio_level\t\tno\n"
                          "rtcp_mux\t\tno\n"
                          "jitter_buffer_delay\t5-10\n"
                          "module_path\t\t%4\n"
                          "module\t\t\tg711.so\n"
                          "module\t\t\tg722.so\n"
                          "module\t\t\topus.so\n"
                          "module\t\t\tausine.so\n"
                          "module\t\t\tsndfile.so\n" // one WAV per call and direction
                          "module_tmp\t\taccount.so\n"
                          "module_app\t\tmenu.so\n" // dial, accept, hangup, reginfo... commands
                          "module_app\t\tctrl_tcp.so\n"
                          "ctrl_tcp_listen\t\t%1:%5\n"
                          "snd_path\t\t%6\n"
                          "opus_bitrate\t\t32000\n"
                          "statmode_default\toff\n"
                          "ringback_disabled\tyes\n"
                          "%7")
        .arg(kHost)
        .arg(sipPort)
        .arg(o.toneHz)
        .arg(kModuleDir)
        .arg(ctrlPort)
        .arg(recordingDir)
        .arg(o.mediaEnc.isEmpty() ? QString() : QStringLiteral("module\t\t\tsrtp.so\n")); // SDES-keyed SRTP (mediaenc)
}

QByteArray netstring(const QByteArray &payload) { return QByteArray::number(payload.size()) + ':' + payload + ','; }

QString stripAnsi(QString text)
{
    static const QRegularExpression escape(QStringLiteral("\x1B\\[[0-9;]*m"));
    return text.remove(escape);
}

// True when path is a whole RIFF/WAVE file with some audio: the RIFF size that libsndfile
// writes when it closes the file matches the file's size (it is stale while still recording).
bool wavComplete(const QString &path)
{
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly))
        return false;
    const QByteArray head = f.read(12);
    if (head.size() < 12 || !head.startsWith("RIFF") || head.mid(8, 4) != "WAVE")
        return false;
    const quint32 riffSize = qFromLittleEndian<quint32>(head.constData() + 4);
    return f.size() > 44 && qint64(riffSize) + 8 == f.size();
}

} // namespace

BaresipPeer::BaresipPeer(QString name, QString workDir)
    : m_name(std::move(name))
    , m_dir(workDir + u'/' + m_name)
{
}

BaresipPeer::~BaresipPeer() { stop(); }

QString BaresipPeer::program() { return findProgram(QStringLiteral("baresip")); }

BaresipPeer::Result BaresipPeer::installed()
{
    if (program().isEmpty())
        return skipped(QStringLiteral("baresip not found: install the Debian package baresip-core"));
    for (const QString &module : kModules) {
        if (!QFileInfo::exists(kModuleDir + u'/' + module + QStringLiteral(".so")))
            return skipped(QStringLiteral("baresip module %1.so missing in %2: install the Debian package baresip-core").arg(module, kModuleDir));
    }
    return {};
}

BaresipPeer::Result BaresipPeer::start(const BaresipOptions &options, int timeoutMs)
{
    stop();
    if (const Result ready = installed(); !ready)
        return ready;
    if (options.toneHz < 10 || options.toneHz > 20000)
        return failed(QStringLiteral("ausine sends 10..20000 Hz, not %1").arg(options.toneHz));
    // Ports are free when chosen, but another process may take one before baresip binds it.
    Result result;
    for (int attempt = 0; attempt < 3; ++attempt) {
        result = startOnce(options, timeoutMs);
        if (result || !readTextFile(logPath()).contains(u"Address already in use"))
            break;
    }
    return result;
}

BaresipPeer::Result BaresipPeer::startOnce(const BaresipOptions &options, int timeoutMs)
{
    stop();
    m_options = options;
    m_events.clear();
    m_returned.clear();
    m_responses.clear();
    m_buffer.clear();
    m_error.clear();
    if (!QDir().mkpath(recordingDir()))
        return failed(QStringLiteral("cannot create ") + recordingDir());
    m_ctrlPort = freePort(PortKind::Tcp);
    m_sipPort = freeSipPort(m_ctrlPort);
    if (m_ctrlPort == 0 || m_sipPort == 0)
        return failed(QStringLiteral("no free port on 127.0.0.1"));
    if (!writeTextFile(m_dir + QStringLiteral("/config"), configText(options, m_sipPort, m_ctrlPort, recordingDir()))
        || !writeTextFile(m_dir + QStringLiteral("/accounts"), accountLine(options)))
        return failed(QStringLiteral("cannot write the configuration in ") + m_dir);

    // -v: debug lines (codecs, resampler, audio pipelines); -s: every SIP message. Its stdin is
    // /dev/null and no console UI module is loaded, so it runs without a terminal, in the
    // foreground (no -d: a daemon would leave the process group PeerProcess stops).
    m_process = std::make_unique<PeerProcess>(QStringLiteral("baresip ") + m_name, logPath());
    if (!m_process->start(
            program(), {QStringLiteral("-f"), m_dir, QStringLiteral("-v"), QStringLiteral("-s")}, m_dir, {{ReadyProbe::UdpBound, m_sipPort}}, timeoutMs))
        return failed(m_process->errorString());
    // Not a TcpAccepts probe: ctrl_tcp keeps one connection, and a probe's connection closing
    // late could take ours down with it.
    if (!connectControl(timeoutMs)) {
        const QString message = m_error + QStringLiteral("\n") + describe();
        stop();
        return failed(message);
    }
    return {};
}

bool BaresipPeer::connectControl(int timeoutMs)
{
    const QDeadlineTimer deadline(timeoutMs);
    while (true) {
        if (!m_process || !m_process->running()) {
            m_error = QStringLiteral("baresip %1 exited before its control port %2 was up").arg(m_name).arg(m_ctrlPort);
            return false;
        }
        m_ctrl = std::make_unique<QTcpSocket>();
        m_ctrl->connectToHost(kHost, m_ctrlPort);
        if (m_ctrl->waitForConnected(300))
            break;
        m_ctrl.reset();
        if (readTextFile(logPath()).contains(u"ctrl_tcp: failed to listen")) {
            m_error = QStringLiteral("baresip %1: ctrl_tcp could not listen on port %2").arg(m_name).arg(m_ctrlPort);
            return false;
        }
        if (deadline.hasExpired()) {
            m_error = QStringLiteral("baresip %1: no ctrl_tcp on port %2 after %3 ms").arg(m_name).arg(m_ctrlPort).arg(timeoutMs);
            return false;
        }
        QThread::msleep(25);
    }
    // One answered command proves the connection is the one ctrl_tcp kept.
    const auto answer = command(QStringLiteral("reginfo"), {}, int(qMax<qint64>(1000, deadline.remainingTime())));
    if (!answer) {
        m_error = QStringLiteral("baresip %1: ctrl_tcp does not answer: %2").arg(m_name, answer.error());
        return false;
    }
    return true;
}

void BaresipPeer::stop()
{
    if (m_ctrl) {
        m_ctrl->abort();
        m_ctrl.reset();
    }
    if (m_process)
        m_process->stop();
}

bool BaresipPeer::running() const { return m_process && m_process->running(); }

bool BaresipPeer::pump(int timeoutMs)
{
    if (!m_ctrl || m_ctrl->state() != QAbstractSocket::ConnectedState)
        return false;
    if (m_ctrl->bytesAvailable() == 0 && !m_ctrl->waitForReadyRead(timeoutMs))
        return false;
    m_buffer += m_ctrl->readAll();
    parseNetstrings();
    return true;
}

void BaresipPeer::parseNetstrings()
{
    // "LENGTH:PAYLOAD," one after the other; a partial one stays in the buffer.
    while (true) {
        const qsizetype colon = m_buffer.indexOf(':');
        if (colon <= 0)
            return;
        bool ok = false;
        const qsizetype length = m_buffer.left(colon).toLongLong(&ok);
        if (!ok || length < 0) {
            m_error = QStringLiteral("baresip %1: bad netstring from ctrl_tcp: %2").arg(m_name, QString::fromUtf8(m_buffer.left(80)));
            m_buffer.clear();
            return;
        }
        if (m_buffer.size() < colon + 1 + length + 1)
            return;
        const QByteArray payload = m_buffer.mid(colon + 1, length);
        m_buffer.remove(0, colon + 1 + length + 1);
        const QJsonObject message = QJsonDocument::fromJson(payload).object();
        if (message.value(u"response").toBool()) {
            m_responses << message;
        } else if (message.value(u"event").toBool()) {
            m_events << message;
            m_returned << false;
        }
    }
}

std::expected<QString, QString> BaresipPeer::command(const QString &name, const QString &params, int timeoutMs)
{
    if (!m_ctrl || m_ctrl->state() != QAbstractSocket::ConnectedState)
        return std::unexpected(QStringLiteral("not connected to baresip's ctrl_tcp"));
    const QString token = QStringLiteral("ds-%1").arg(m_nextToken++);
    QJsonObject request {{QStringLiteral("command"), name}, {QStringLiteral("token"), token}};
    if (!params.isEmpty())
        request.insert(QStringLiteral("params"), params);
    m_ctrl->write(netstring(QJsonDocument(request).toJson(QJsonDocument::Compact)));
    if (!m_ctrl->waitForBytesWritten(timeoutMs))
        return std::unexpected(QStringLiteral("cannot send '%1' to baresip: %2").arg(name, m_ctrl->errorString()));

    const QDeadlineTimer deadline(timeoutMs);
    while (true) {
        for (qsizetype i = 0; i < m_responses.size(); ++i) {
            if (m_responses[i].value(u"token").toString() != token)
                continue;
            const QJsonObject response = m_responses.takeAt(i);
            const QString data = stripAnsi(response.value(u"data").toString());
            if (!response.value(u"ok").toBool())
                return std::unexpected(QStringLiteral("baresip refused '%1 %2': %3").arg(name, params, data.trimmed()));
            return data;
        }
        if (deadline.hasExpired())
            return std::unexpected(QStringLiteral("no answer from baresip to '%1 %2' within %3 ms").arg(name, params).arg(timeoutMs));
        if (!pump(int(qMax<qint64>(1, deadline.remainingTime()))) && m_ctrl->state() != QAbstractSocket::ConnectedState)
            return std::unexpected(QStringLiteral("baresip closed its control connection"));
    }
}

bool BaresipPeer::dial(const QString &uri)
{
    const auto done = command(QStringLiteral("dial"), uri);
    if (!done)
        m_error = done.error();
    return done.has_value();
}

bool BaresipPeer::answer()
{
    const auto done = command(QStringLiteral("accept"));
    if (!done)
        m_error = done.error();
    return done.has_value();
}

bool BaresipPeer::hangup()
{
    const auto done = command(QStringLiteral("hangup"));
    if (!done)
        m_error = done.error();
    return done.has_value();
}

std::optional<QJsonObject> BaresipPeer::waitEvent(const QString &type, int timeoutMs)
{
    const QDeadlineTimer deadline(timeoutMs);
    while (true) {
        while (pump(0)) { }
        for (qsizetype i = 0; i < m_events.size(); ++i) {
            if (!m_returned[i] && m_events[i].value(u"type").toString() == type) {
                m_returned[i] = true;
                return m_events[i];
            }
        }
        if (deadline.hasExpired()) {
            m_error = QStringLiteral("baresip %1: no %2 event within %3 ms").arg(m_name, type).arg(timeoutMs);
            return std::nullopt;
        }
        if (!pump(int(qMin<qint64>(100, qMax<qint64>(1, deadline.remainingTime())))) && !running()) {
            m_error = QStringLiteral("baresip %1 exited while waiting for %2").arg(m_name, type);
            return std::nullopt;
        }
    }
}

QList<QJsonObject> BaresipPeer::events()
{
    while (pump(0)) { }
    return m_events;
}

bool BaresipPeer::waitRegistered(int timeoutMs)
{
    if (m_options.registrarPort == 0)
        return true;
    const QDeadlineTimer deadline(timeoutMs);
    while (true) {
        // The REGISTER may be answered before we connected, so ask rather than only
        // wait for REGISTER_OK. reginfo prints "> sip:USER@HOST:PORT  OK  server Expires 3600s".
        for (const QJsonObject &e : events()) {
            if (e.value(u"type").toString() == u"REGISTER_FAIL") {
                m_error = QStringLiteral("baresip %1: registration failed: %2").arg(m_name, e.value(u"param").toString());
                return false;
            }
        }
        const auto info = command(QStringLiteral("reginfo"), {}, int(qMax<qint64>(1000, deadline.remainingTime())));
        if (!info) {
            m_error = info.error();
            return false;
        }
        for (const QString &line : info->split(u'\n')) {
            if (!line.contains(QStringLiteral("sip:%1@").arg(m_options.user)))
                continue;
            if (line.contains(u" OK "))
                return true;
            if (line.contains(u"ERR")) {
                m_error = QStringLiteral("baresip %1: registration failed: %2").arg(m_name, line.trimmed());
                return false;
            }
        }
        if (deadline.hasExpired()) {
            m_error = QStringLiteral("baresip %1: not registered after %2 ms: %3").arg(m_name).arg(timeoutMs).arg(info->trimmed());
            return false;
        }
        pump(100);
    }
}

QString BaresipPeer::aor() const
{
    if (m_options.registrarPort == 0)
        return directUri();
    return QStringLiteral("sip:%1@%2:%3").arg(m_options.user, kHost).arg(m_options.registrarPort);
}

QString BaresipPeer::directUri() const { return QStringLiteral("sip:%1@%2:%3").arg(m_options.user, kHost).arg(m_sipPort); }

QString BaresipPeer::recordingDir() const { return m_dir + QStringLiteral("/recordings"); }

QString BaresipPeer::logPath() const { return m_dir + QStringLiteral("/baresip.log"); }

QString BaresipPeer::newestRecording(Stream stream) const
{
    // sndfile names them dump-YYYY-MM-DD-hh-mm-ss-{dec,enc}.wav: sorting by name sorts by time.
    const QString pattern = stream == Stream::Received ? QStringLiteral("dump-*-dec.wav") : QStringLiteral("dump-*-enc.wav");
    const QStringList files = QDir(recordingDir()).entryList({pattern}, QDir::Files, QDir::Name);
    return files.isEmpty() ? QString() : recordingDir() + u'/' + files.last();
}

bool BaresipPeer::waitForAudio(Stream stream, double seconds, int timeoutMs)
{
    const QDeadlineTimer deadline(timeoutMs);
    double have = 0;
    while (true) {
        // libsndfile writes a 44-byte PCM header when it opens the file, then appends samples.
        QFile f(newestRecording(stream));
        if (f.open(QIODevice::ReadOnly)) {
            const QByteArray head = f.read(44);
            if (head.size() == 44 && head.mid(36, 4) == "data") {
                std::array<uchar, 44> h {}; // a copy: GCC 12 -O2 misreads QByteArray's bounds (array-bounds)
                std::memcpy(h.data(), head.constData(), h.size());
                const qint64 channels = qFromLittleEndian<quint16>(h.data() + 22);
                const qint64 rate = qFromLittleEndian<quint32>(h.data() + 24);
                const qint64 bits = qFromLittleEndian<quint16>(h.data() + 34);
                const qint64 bytesPerSecond = rate * channels * bits / 8;
                have = bytesPerSecond > 0 ? double(f.size() - 44) / double(bytesPerSecond) : 0;
                if (have >= seconds)
                    return true;
            }
        }
        if (deadline.hasExpired() || !running()) {
            m_error = QStringLiteral("baresip %1: %2 s of %3 audio recorded, not %4, after %5 ms%6")
                          .arg(m_name)
                          .arg(have, 0, 'f', 2)
                          .arg(stream == Stream::Received ? QStringLiteral("received") : QStringLiteral("sent"))
                          .arg(seconds)
                          .arg(timeoutMs)
                          .arg(running() ? QString() : QStringLiteral(" (baresip exited)"));
            return false;
        }
        // Keeps reading events meanwhile; returns early when one comes.
        if (!pump(50))
            QThread::msleep(10);
    }
}

std::expected<QString, QString> BaresipPeer::lastRecording(Stream stream, int timeoutMs)
{
    // A command round trip first: baresip closes the file when it frees the call, right after it
    // reported CALL_CLOSED.
    (void)command(QStringLiteral("reginfo"));
    const QDeadlineTimer deadline(timeoutMs);
    while (true) {
        const QString file = newestRecording(stream);
        if (!file.isEmpty() && wavComplete(file))
            return file;
        if (deadline.hasExpired()) {
            return std::unexpected(file.isEmpty() ? QStringLiteral("baresip %1 recorded nothing in %2").arg(m_name, recordingDir())
                                                  : QStringLiteral("baresip %1 did not finish %2").arg(m_name, file));
        }
        QThread::msleep(20);
    }
}

QString BaresipPeer::describe(int maxLogChars)
{
    QString text = QStringLiteral("\n--- baresip %1: %2\nSIP %3:%4 (TLS %5), ctrl_tcp %3:%6, AOR %7, codec %8, tone %9 Hz\n")
                       .arg(m_name, m_process ? m_process->commandLine() : QStringLiteral("(not started)"), kHost)
                       .arg(m_sipPort)
                       .arg(m_sipPort + 1)
                       .arg(m_ctrlPort)
                       .arg(aor(), m_options.codec.isEmpty() ? QStringLiteral("any") : m_options.codec)
                       .arg(m_options.toneHz);
    if (!m_error.isEmpty())
        text += QStringLiteral("last error: ") + m_error + u'\n';
    QStringList seen;
    for (const QJsonObject &e : events())
        seen << e.value(u"type").toString() + QStringLiteral("(") + e.value(u"param").toString() + u')';
    text += QStringLiteral("events: ") + (seen.isEmpty() ? QStringLiteral("none") : seen.join(u", ")) + u'\n';
    text += QStringLiteral("--- log %1:\n").arg(logPath());
    const QString log = readTextFile(logPath());
    text += log.size() > maxLogChars ? QStringLiteral("[...]") + log.right(maxLogChars) : log;
    return text;
}

} // namespace ds::test
