// The dialscope command line run as a black box by the interop tests: to completion
// (runDialscope) or in the background (DialscopeProcess), its JSON Lines parsed, and small
// readers for the raw SIP messages its `sip` events carry.
#pragma once

#include "peer.h"

#include <QByteArray>
#include <QJsonObject>
#include <QList>
#include <QProcess>
#include <QString>
#include <QStringList>

#include <functional>

namespace ds::test {

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

// `dialscope ARGS` running in the background (e.g. `answer --json`, waiting for calls): its
// stdout is parsed as JSON Lines as they arrive, into a DialscopeRun, so the same helpers read
// it. Environment as for runDialscope. Its own process group, SIGTERM if the test process dies
// (like PeerProcess); the destructor kills the group. Every wait is bounded by its timeout.
class DialscopeProcess {
public:
    explicit DialscopeProcess(QStringList args, QList<std::pair<QString, QString>> extraEnv = {});
    ~DialscopeProcess();
    DialscopeProcess(const DialscopeProcess &) = delete;
    DialscopeProcess &operator=(const DialscopeProcess &) = delete;

    // False, with the reason in run().err, when it does not start within 10 s.
    bool start();
    // Until an event matching found has been printed (every event since the start is
    // offered); false at the timeout or when dialscope exits first.
    bool waitFor(const std::function<bool(const QJsonObject &)> &found, int timeoutMs);
    // Until the "waiting for calls" finding of `dialscope answer`.
    bool waitListening(int timeoutMs);
    // Until `dialscope answer --server ...` has registered (a registration event with state
    // registered) and then says it is waiting for calls.
    bool waitRegistered(int timeoutMs);
    // Until dialscope exits by itself; past timeoutMs its group is killed (finished stays
    // false). Returns run().finished.
    bool waitFinished(int timeoutMs);
    // What it printed so far; finished, crashed and exitCode once it has exited by itself.
    const DialscopeRun &run();
    // As DialscopeRun::describe(), saying "still running" while it runs.
    QString describe();

private:
    void read();
    void kill();

    QList<std::pair<QString, QString>> m_extraEnv;
    QProcess m_process;
    qint64 m_pgid = 0;
    bool m_killed = false;
    QByteArray m_pending; // the start of a line whose end has not arrived
    DialscopeRun m_run;
};

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
