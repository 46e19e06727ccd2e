// Support for interop tests: free loopback ports, peer processes (Kamailio, SIPp)
// that never outlive the test, and the dialscope command line run as a black box.
#pragma once

#include <QByteArray>
#include <QJsonObject>
#include <QList>
#include <QProcess>
#include <QProcessEnvironment>
#include <QString>
#include <QStringList>

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

// ---- the dialscope command line ------------------------------------------------

// Whether a list of sent messages keeps UDP retransmissions (the same raw bytes again).
enum class Retransmissions { Folded, Kept };

// One run of `dialscope ...` and what it printed.
struct DialscopeRun {
    QStringList args;
    bool finished = false; // false: killed at the hard timeout, or could not start
    bool crashed = false;
    int exitCode = -1;
    QByteArray out;
    QByteArray err;
    QList<QJsonObject> events; // stdout parsed as JSON Lines (with --json)
    QStringList badLines; // lines that are not a JSON object with "event" and "t"

    // The last event when it is {"event":"result"}, else an empty object.
    QJsonObject result() const;
    QList<QJsonObject> eventsOf(const QString &kind) const;
    // "sip" events, optionally only those with "dir" == dir ("in"/"out").
    QList<QJsonObject> sip(const QString &dir = {}) const;
    // One line per distinct SIP message, in order: "out REGISTER", "out REGISTER auth" (with
    // credentials), "in 401"; retransmissions folded.
    QStringList exchange() const;
    // The raw REGISTERs sent, in order: each distinct one once, or every copy.
    QList<QByteArray> sentRegisters(Retransmissions retransmissions) const;
    // Command line, exit status, stderr and stdout, for failure messages.
    QString describe() const;
};

// Runs DIALSCOPE_BIN with args. extraEnv is added to a copy of the test's
// environment from which DIALSCOPE_PASSWORD is removed (pass it in extraEnv to
// set it). Killed past hardTimeoutMs (then finished == false).
DialscopeRun runDialscope(const QStringList &args, const QList<std::pair<QString, QString>> &extraEnv = {}, int hardTimeoutMs = 60000);

// ---- reading SIP messages from "raw" -------------------------------------------

namespace sip {

QByteArray startLine(const QByteArray &raw);
// The request method ("REGISTER"), or empty for a response.
QByteArray method(const QByteArray &raw);
// The status code of a response, or 0 for a request.
int status(const QByteArray &raw);
// The values of every header named name (case-insensitive; compact is the RFC 3261
// 7.3.3 short form, e.g. 'v' for Via, 0 for none), one per line, trimmed, in order.
QList<QByteArray> headers(const QByteArray &raw, const QByteArray &name, char compact = 0);
QByteArray header(const QByteArray &raw, const QByteArray &name, char compact = 0);
// A parameter of a header value: branch of a Via, nonce of an Authorization,
// expires of a Contact... Quotes removed; empty when absent.
QByteArray param(const QByteArray &value, const QByteArray &name);
// The expiry a REGISTER asks for: the Contact's expires parameter, else the Expires
// header; -1 when neither is there.
int requestedExpires(const QByteArray &raw);

} // namespace sip

} // namespace ds::test
