// Support for interop tests: free loopback ports and peer processes (Kamailio, SIPp,
// baresip) that never outlive the test. The dialscope command line is in dialscope_cli.h.
#pragma once

#include <QByteArray>
#include <QJsonObject>
#include <QList>
#include <QProcess>
#include <QProcessEnvironment>
#include <QString>
#include <QStringList>

#include <functional>
#include <memory>

namespace ds::test {

// ---- ports -------------------------------------------------------------------

enum class PortKind { Udp, Tcp, UdpAndTcp };

// A port on 127.0.0.1 that nothing is bound to right now (bind to port 0, read the
// port, close). With UdpAndTcp the same number is free for both. Never returns a
// port it returned before in this process, so two peers of one test cannot collide.
quint16 freePort(PortKind kind = PortKind::Udp);

// A UDP port p on 127.0.0.1 with p + 2 free as well (SIPp's -mp binds both).
quint16 freeUdpPortPair();

// True when a UDP socket is bound to port on any local address (read from
// /proc/net/udp, so the probe itself never takes the port from the peer).
bool udpPortBound(quint16 port);

// True when a TCP connection to 127.0.0.1:port is accepted.
bool tcpPortAccepts(quint16 port);

// True when an OPTIONS sent to 127.0.0.1:port (over UDP, or TCP if tcp) gets a
// final response within timeoutMs: the peer's SIP workers are running, not only its
// sockets bound (Kamailio binds before it forks them).
bool sipOptionsAnswered(quint16 port, bool tcp, int timeoutMs = 300);

// ---- programs ----------------------------------------------------------------

// Full path of an installed program, searching PATH and the sbin directories
// (kamailio lives in /usr/sbin); empty when missing.
QString findProgram(const QString &name);

// Runs a short helper command (openssl...) to completion. False, with its output
// in *log, when it could not start, timed out or exited non-zero.
bool runTool(const QString &program, const QStringList &args, const QString &workDir, QString *log, int timeoutMs = 30000);

// Replaces every @NAME@ in text by its value.
QString fillTemplate(QString text, const QList<std::pair<QString, QString>> &values);

// Reads a whole text file; empty when it cannot.
QString readTextFile(const QString &path);
bool writeTextFile(const QString &path, const QString &text);

// ---- peer processes ----------------------------------------------------------

// For QProcess::setChildProcessModifier: runs in the child between fork and exec, giving it a
// process group of its own (so the whole group can be killed) and SIGTERM when the test dies.
void detachChild();

// What tells us a peer is ready to talk to.
struct ReadyProbe {
    enum Kind { TcpAccepts, UdpBound, SipOptionsUdp, SipOptionsTcp } kind;
    quint16 port;
};

// A peer program started for one test and stopped by it. The peer runs in its own
// process group; destruction sends SIGTERM to the group, then SIGKILL, so no
// process (nor any of its children, e.g. Kamailio's workers) is left behind, even
// when a QVERIFY returns early. If the test process dies, the peer gets SIGTERM
// (PR_SET_PDEATHSIG). Its stdout and stderr go to one log file.
class PeerProcess {
public:
    PeerProcess(QString name, QString logPath);
    ~PeerProcess();
    PeerProcess(const PeerProcess &) = delete;
    PeerProcess &operator=(const PeerProcess &) = delete;

    // Starts program and waits until every probe succeeds. False when the program
    // cannot start, exits, or is not ready within timeoutMs; see errorString().
    bool start(const QString &program, const QStringList &args, const QString &workDir, const QList<ReadyProbe> &probes, int timeoutMs = 15000);

    // Waits for the peer to exit on its own (e.g. SIPp after -m 1 calls).
    bool waitForExit(int timeoutMs);
    bool running() const;
    int exitCode() const;
    qint64 pid() const;

    // SIGTERM to the process group, SIGKILL after graceMs. Idempotent.
    void stop(int graceMs = 3000);

    QString name() const { return m_name; }
    QString logPath() const { return m_logPath; }
    QString commandLine() const { return m_commandLine; }
    QString errorString() const { return m_error; }
    // The last maxChars characters of the log, for failure messages.
    QString logTail(int maxChars = 4000) const;

private:
    QString m_name;
    QString m_logPath;
    QString m_commandLine;
    QString m_error;
    qint64 m_pgid = 0;
    std::unique_ptr<QProcess> m_process;
};

} // namespace ds::test
