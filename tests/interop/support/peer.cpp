#include "peer.h"

#include <QDeadlineTimer>
#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QFileInfo>
#include <QJsonDocument>
#include <QSet>
#include <QStandardPaths>
#include <QTcpSocket>
#include <QThread>
#include <QUdpSocket>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <utility>

namespace ds::test {

namespace {

// Binds a socket of type (SOCK_DGRAM / SOCK_STREAM) to addr:port; returns the fd
// (the caller closes it) and the bound port in *bound, or -1.
int bindSocket(int type, in_addr_t addr, quint16 port, quint16 *bound)
{
    const int fd = ::socket(AF_INET, type | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return -1;
    sockaddr_in sa {};
    sa.sin_family = AF_INET;
    sa.sin_addr.s_addr = addr;
    sa.sin_port = htons(port);
    if (::bind(fd, reinterpret_cast<sockaddr *>(&sa), sizeof sa) != 0) {
        ::close(fd);
        return -1;
    }
    socklen_t len = sizeof sa;
    ::getsockname(fd, reinterpret_cast<sockaddr *>(&sa), &len);
    if (bound)
        *bound = ntohs(sa.sin_port);
    return fd;
}

bool canBind(int type, in_addr_t addr, quint16 port)
{
    const int fd = bindSocket(type, addr, port, nullptr);
    if (fd < 0)
        return false;
    ::close(fd);
    return true;
}

QSet<quint16> &portsGiven()
{
    static QSet<quint16> ports;
    return ports;
}

QString quoteArgs(const QString &program, const QStringList &args)
{
    QStringList parts {program};
    for (const QString &a : args)
        parts << (a.contains(QLatin1Char(' ')) || a.isEmpty() ? u'\'' + a + u'\'' : a);
    return parts.join(u' ');
}

} // namespace

void detachChild()
{
    ::setpgid(0, 0);
    ::prctl(PR_SET_PDEATHSIG, SIGTERM);
}

// ---- ports -------------------------------------------------------------------

quint16 freePort(PortKind kind)
{
    const in_addr_t lo = htonl(INADDR_LOOPBACK);
    for (int attempt = 0; attempt < 200; ++attempt) {
        const int first = kind == PortKind::Tcp ? SOCK_STREAM : SOCK_DGRAM;
        quint16 port = 0;
        const int fd = bindSocket(first, lo, 0, &port);
        if (fd < 0)
            continue;
        bool ok = !portsGiven().contains(port);
        if (ok && kind == PortKind::UdpAndTcp)
            ok = canBind(SOCK_STREAM, lo, port);
        ::close(fd);
        if (ok) {
            portsGiven().insert(port);
            return port;
        }
    }
    return 0;
}

quint16 freeUdpPortPair()
{
    const in_addr_t lo = htonl(INADDR_LOOPBACK);
    for (int attempt = 0; attempt < 200; ++attempt) {
        const quint16 port = freePort(PortKind::Udp);
        if (port != 0 && port < 65533 && canBind(SOCK_DGRAM, lo, port + 2) && !portsGiven().contains(port + 2)) {
            portsGiven().insert(port + 2);
            return port;
        }
    }
    return 0;
}

bool udpPortBound(quint16 port)
{
    // Lines look like: "  12: 0100007F:3AFE 00000000:0000 07 ..."
    const QByteArray needle = ':' + QByteArray::number(port, 16).toUpper().rightJustified(4, '0');
    for (const char *table : {"/proc/net/udp", "/proc/net/udp6"}) {
        QFile f(QString::fromLatin1(table));
        if (!f.open(QIODevice::ReadOnly))
            continue;
        const QList<QByteArray> lines = f.readAll().split('\n');
        for (qsizetype i = 1; i < lines.size(); ++i) {
            const QList<QByteArray> fields = lines[i].simplified().split(' ');
            if (fields.size() > 1 && fields[1].endsWith(needle))
                return true;
        }
    }
    return false;
}

bool tcpPortAccepts(quint16 port)
{
    QTcpSocket socket;
    socket.connectToHost(QStringLiteral("127.0.0.1"), port);
    const bool ok = socket.waitForConnected(300);
    socket.abort();
    return ok;
}

bool sipOptionsAnswered(quint16 port, bool tcp, int timeoutMs)
{
    static int sequence = 0;
    ++sequence;
    const QByteArray transport = tcp ? "TCP" : "UDP";
    const QByteArray tag = QByteArray::number(::getpid()) + '-' + QByteArray::number(sequence);
    const QByteArray request = "OPTIONS sip:127.0.0.1:" + QByteArray::number(port)
        + " SIP/2.0\r\n"
          "Via: SIP/2.0/"
        + transport + " 127.0.0.1:9;rport;branch=z9hG4bK-probe-" + tag
        + "\r\n"
          "Max-Forwards: 70\r\n"
          "From: <sip:probe@127.0.0.1>;tag="
        + tag
        + "\r\n"
          "To: <sip:127.0.0.1>\r\n"
          "Call-ID: probe-"
        + tag
        + "@127.0.0.1\r\n"
          "CSeq: 1 OPTIONS\r\n"
          "Content-Length: 0\r\n\r\n";
    QByteArray reply;
    if (tcp) {
        QTcpSocket socket;
        socket.connectToHost(QStringLiteral("127.0.0.1"), port);
        if (!socket.waitForConnected(timeoutMs))
            return false;
        socket.write(request);
        if (socket.waitForReadyRead(timeoutMs))
            reply = socket.readAll();
        socket.abort();
    } else {
        QUdpSocket socket;
        if (!socket.bind(QHostAddress::LocalHost, 0))
            return false;
        socket.writeDatagram(request, QHostAddress::LocalHost, port);
        if (socket.waitForReadyRead(timeoutMs) && socket.hasPendingDatagrams()) {
            reply.resize(socket.pendingDatagramSize());
            socket.readDatagram(reply.data(), reply.size());
        }
    }
    return reply.startsWith("SIP/2.0 ") && reply.size() > 9 && reply[8] >= '2';
}

// ---- programs ----------------------------------------------------------------

QString findProgram(const QString &name)
{
    QString path = QStandardPaths::findExecutable(name);
    if (path.isEmpty()) {
        path = QStandardPaths::findExecutable(
            name, {QStringLiteral("/usr/sbin"), QStringLiteral("/sbin"), QStringLiteral("/usr/local/sbin"), QStringLiteral("/usr/local/bin")});
    }
    return path;
}

bool runTool(const QString &program, const QStringList &args, const QString &workDir, QString *log, int timeoutMs)
{
    QProcess p;
    p.setWorkingDirectory(workDir);
    p.setProcessChannelMode(QProcess::MergedChannels);
    p.setChildProcessModifier(detachChild);
    p.start(program, args);
    bool ok = p.waitForStarted(10000) && p.waitForFinished(timeoutMs);
    if (p.state() != QProcess::NotRunning) {
        p.kill();
        p.waitForFinished(5000);
        ok = false;
    }
    ok = ok && p.exitStatus() == QProcess::NormalExit && p.exitCode() == 0;
    if (log) {
        *log = quoteArgs(program, args) + QStringLiteral(" -> exit %1\n").arg(p.exitCode()) + QString::fromLocal8Bit(p.readAll());
    }
    return ok;
}

QString fillTemplate(QString text, const QList<std::pair<QString, QString>> &values)
{
    for (const auto &[name, value] : values)
        text.replace(u'@' + name + u'@', value);
    return text;
}

QString readTextFile(const QString &path)
{
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly))
        return {};
    return QString::fromUtf8(f.readAll());
}

bool writeTextFile(const QString &path, const QString &text)
{
    QFile f(path);
    if (!f.open(QIODevice::WriteOnly | QIODevice::Truncate))
        return false;
    return f.write(text.toUtf8()) >= 0;
}

// ---- peer processes ----------------------------------------------------------

PeerProcess::PeerProcess(QString name, QString logPath)
    : m_name(std::move(name))
    , m_logPath(std::move(logPath))
{
}

PeerProcess::~PeerProcess() { stop(); }

bool PeerProcess::start(const QString &program, const QStringList &args, const QString &workDir, const QList<ReadyProbe> &probes, int timeoutMs)
{
    stop();
    m_commandLine = quoteArgs(program, args);
    m_process = std::make_unique<QProcess>();
    m_process->setWorkingDirectory(workDir);
    m_process->setProcessChannelMode(QProcess::MergedChannels);
    m_process->setStandardOutputFile(m_logPath, QIODevice::Append);
    m_process->setStandardInputFile(QProcess::nullDevice());
    m_process->setChildProcessModifier(detachChild);
    writeTextFile(m_logPath, QStringLiteral("# %1\n# in %2\n").arg(m_commandLine, workDir));
    m_process->start(program, args);
    if (!m_process->waitForStarted(10000)) {
        m_error = QStringLiteral("%1 did not start (%2): %3").arg(m_name, m_process->errorString(), m_commandLine);
        m_process.reset();
        return false;
    }
    m_pgid = m_process->processId();

    QDeadlineTimer deadline(timeoutMs);
    QList<ReadyProbe> pending = probes;
    while (!pending.isEmpty()) {
        if (m_process->waitForFinished(0) || m_process->state() == QProcess::NotRunning) {
            m_error = QStringLiteral("%1 exited (status %2) before it was ready: %3\n--- log %4:\n%5")
                          .arg(m_name)
                          .arg(m_process->exitCode())
                          .arg(m_commandLine, m_logPath, logTail());
            stop();
            return false;
        }
        for (qsizetype i = pending.size() - 1; i >= 0; --i) {
            const ReadyProbe &p = pending[i];
            bool ready = false;
            switch (p.kind) {
            case ReadyProbe::TcpAccepts:
                ready = tcpPortAccepts(p.port);
                break;
            case ReadyProbe::UdpBound:
                ready = udpPortBound(p.port);
                break;
            case ReadyProbe::SipOptionsUdp:
                ready = sipOptionsAnswered(p.port, false);
                break;
            case ReadyProbe::SipOptionsTcp:
                ready = sipOptionsAnswered(p.port, true);
                break;
            }
            if (ready)
                pending.removeAt(i);
        }
        if (pending.isEmpty())
            break;
        if (deadline.hasExpired()) {
            QStringList ports;
            for (const ReadyProbe &p : pending)
                ports << QStringLiteral("%1/%2").arg(p.port).arg(p.kind == ReadyProbe::TcpAccepts ? "tcp"
                        : p.kind == ReadyProbe::UdpBound                                          ? "udp"
                        : p.kind == ReadyProbe::SipOptionsUdp                                     ? "SIP OPTIONS over udp"
                                                                                                  : "SIP OPTIONS over tcp");
            m_error = QStringLiteral("%1 not ready after %2 ms (waiting for %3): %4\n--- log %5:\n%6")
                          .arg(m_name)
                          .arg(timeoutMs)
                          .arg(ports.join(u", "), m_commandLine, m_logPath, logTail());
            stop();
            return false;
        }
        QThread::msleep(25);
    }
    return true;
}

bool PeerProcess::waitForExit(int timeoutMs)
{
    if (!m_process)
        return true;
    if (m_process->state() == QProcess::NotRunning)
        return true;
    return m_process->waitForFinished(timeoutMs);
}

bool PeerProcess::running() const { return m_process && m_process->state() != QProcess::NotRunning; }

int PeerProcess::exitCode() const
{
    if (!m_process || m_process->state() != QProcess::NotRunning)
        return -1;
    return m_process->exitStatus() == QProcess::NormalExit ? m_process->exitCode() : -1;
}

qint64 PeerProcess::pid() const { return m_pgid; }

void PeerProcess::stop(int graceMs)
{
    if (!m_process)
        return;
    if (m_process->state() != QProcess::NotRunning) {
        ::kill(-static_cast<pid_t>(m_pgid), SIGTERM);
        if (!m_process->waitForFinished(graceMs)) {
            ::kill(-static_cast<pid_t>(m_pgid), SIGKILL);
            m_process->waitForFinished(5000);
        }
    }
    // Workers the leader left behind (it exited first) are still in its group.
    if (m_pgid > 0 && ::kill(-static_cast<pid_t>(m_pgid), 0) == 0)
        ::kill(-static_cast<pid_t>(m_pgid), SIGKILL);
    // Keep m_process: exitCode() stays readable after stop().
    m_pgid = 0;
}

QString PeerProcess::logTail(int maxChars) const
{
    const QString log = readTextFile(m_logPath);
    return log.size() > maxChars ? QStringLiteral("[...]") + log.right(maxChars) : log;
}

} // namespace ds::test
