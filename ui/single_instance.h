#pragma once
// SingleInstance: one running dialscope per user and profile — the first start listens on a local
// socket, a later start hands its arguments (a sip: link) to it and exits.

#include <QLockFile>
#include <QObject>
#include <QStringList>

#include <expected>
#include <memory>

class QLocalServer;
class QLocalSocket;

namespace ds::ui {

class SingleInstance final : public QObject {
    Q_OBJECT
public:
    static constexpr int kMaxMessage = 4096; // bytes of arguments a later start may hand over
    static constexpr int kMaxArguments = 64;
    static constexpr int kMaxClients = 4; // connections served at once; more are closed
    static constexpr int kReadTimeoutMs = 2000; // a client that has not said everything by then is dropped
    static constexpr int kAckTimeoutMs = 2000; // how long a later start waits for the first one's answer

    // profileDir: the settings directory the instance is unique for (defaultProfileDir()).
    explicit SingleInstance(const QString &profileDir, QObject *parent = nullptr);
    ~SingleInstance() override;

    // The directory of the application's QSettings: $XDG_CONFIG_HOME/<organization>.
    static QString defaultProfileDir();
    // The socket and lock names for this user, organization, application and profile.
    QString serverName() const { return m_name; }

    // True: this is the first instance, listening for later starts (a lock left by a crashed one
    // and its socket are taken over). False: another instance runs; hand it the arguments.
    bool claim();
    bool isPrimary() const { return m_primary; }
    // The arguments to the running instance; succeeds once it acknowledged them (bounded wait).
    std::expected<void, QString> sendToPrimary(const QStringList &args, int timeoutMs = kAckTimeoutMs);

signals:
    void received(const QStringList &args); // from a later start, already acknowledged

private:
    void accept();
    void readFrom(QLocalSocket *socket);

    QString m_name;
    QString m_lockPath;
    std::unique_ptr<QLockFile> m_lock;
    QLocalServer *m_server = nullptr;
    int m_clients = 0;
    bool m_primary = false;
};

} // namespace ds::ui
