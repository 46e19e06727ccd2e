// Support for interop and GUI tests: a Kamailio registrar and call proxy (kamailio/registrar.cfg,
// auth_db over db_text, digest MD5 or SHA-256) on free loopback ports, with its own throw-away TLS CA.
#pragma once

#include "peer.h"

#include <QList>
#include <QString>

#include <expected>
#include <memory>

namespace ds::test {

// Runs Kamailio as the registrar and call proxy (407-challenged INVITEs routed to the callee's
// registered contact) of one test case at a time; destruction stops it.
class KamailioRegistrar {
public:
    // A user the registrar knows, in the domain (and digest realm) 127.0.0.1.
    struct Subscriber {
        QString user;
        QString password;
    };

    // Why no registrar runs. skip: Kamailio, its TLS module or openssl is not installed here, and
    // message names the Debian package; otherwise a failure, with what was tried and the log.
    struct Failure {
        bool skip = false;
        QString message;
    };
    using Result = std::expected<void, Failure>;

    // Keeps the certificates in workDir, which the test owns (and removes).
    explicit KamailioRegistrar(QString workDir);
    ~KamailioRegistrar();
    KamailioRegistrar(const KamailioRegistrar &) = delete;
    KamailioRegistrar &operator=(const KamailioRegistrar &) = delete;

    // Finds kamailio and openssl, makes a CA and a server certificate for 127.0.0.1, and checks
    // once that the configuration loads (kamailio -c loads every module, the TLS one included).
    // Done by the first start() when not called before; nothing to do the second time.
    Result prepare();

    // Stops the running Kamailio, if any, and starts a fresh one on new ports, knowing only
    // subscribers and challenging with algorithm ("MD5", "SHA-256"). Its configuration, tables
    // and log go to caseDir. Returns once it answers OPTIONS over UDP and TCP and accepts TLS
    // connections: its sockets are bound before its workers fork, and a Kamailio stopped while
    // still starting may hang in shutdown.
    Result start(const QString &algorithm, const QList<Subscriber> &subscribers, const QString &caseDir);
    // SIGTERM, then SIGKILL, to Kamailio and its workers. Idempotent.
    void stop();

    quint16 udpPort() const { return m_sipPort; }
    quint16 tcpPort() const { return m_sipPort; } // the same number as UDP
    quint16 tlsPort() const { return m_tlsPort; }
    // The CA that signed the server certificate (for dialscope's --ca).
    QString caFile() const;
    // The command line and the last maxChars characters of the log of the last Kamailio
    // started, for failure messages; empty when none was.
    QString logTail(int maxChars = 3000) const;
    // The whole log of the last Kamailio started (its script logs each REGISTER, call request
    // and challenge, see registrar.cfg); empty when none was.
    QString log() const;

private:
    // Fills registrar.cfg in dir for new ports; returns the config's path.
    std::expected<QString, Failure> writeConfig(const QString &dir, const QString &algorithm, const QList<Subscriber> &subscribers);

    QString m_workDir;
    QString m_kamailioBin; // empty until prepared
    quint16 m_sipPort = 0; // UDP and TCP
    quint16 m_tlsPort = 0;
    std::unique_ptr<PeerProcess> m_kamailio;
};

} // namespace ds::test

// In a Qt Test function (initTestCase): starts the registrar with start()'s arguments, or skips the
// test when Kamailio is not installed here, or fails it with the reason.
#define DS_START_KAMAILIO(registrar, ...)                                                                                                                      \
    do {                                                                                                                                                       \
        if (const ::ds::test::KamailioRegistrar::Result dsStarted = (registrar).start(__VA_ARGS__); !dsStarted) {                                              \
            if (dsStarted.error().skip)                                                                                                                        \
                QSKIP(qPrintable(dsStarted.error().message));                                                                                                  \
            QFAIL(qPrintable(dsStarted.error().message));                                                                                                      \
        }                                                                                                                                                      \
    } while (false)
