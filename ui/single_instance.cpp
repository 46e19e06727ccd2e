#include "single_instance.h"

#include <QCoreApplication>
#include <QCryptographicHash>
#include <QDeadlineTimer>
#include <QDir>
#include <QFileInfo>
#include <QLocalServer>
#include <QLocalSocket>
#include <QLoggingCategory>
#include <QStandardPaths>
#include <QThread>
#include <QTimer>
#include <QtEndian>

#include <unistd.h>

Q_LOGGING_CATEGORY(lcInstance, "dialscope.ui.instance", QtInfoMsg)

namespace ds::ui {

namespace {

// The message a later start sends: magic, payload length (big-endian), the arguments in UTF-8
// separated by NULs. The answer is the acknowledgement, four bytes.
constexpr QByteArrayView kMagic = "DSI1";
constexpr QByteArrayView kAck = "DSOK";
constexpr int kHeader = 8;

int remaining(const QDeadlineTimer &deadline) { return int(std::max<qint64>(0, deadline.remainingTime())); }

} // namespace

SingleInstance::SingleInstance(const QString &profileDir, QObject *parent)
    : QObject(parent)
{
    // Per user (the uid), application and profile: another user's or another profile's instance
    // is not ours. The socket goes to the user's private runtime directory when there is one.
    const QByteArray key = QByteArray::number(::getuid()) + '\n' + QCoreApplication::organizationName().toUtf8() + '\n'
        + QCoreApplication::applicationName().toUtf8() + '\n' + QDir::cleanPath(QFileInfo(profileDir).absoluteFilePath()).toUtf8();
    const QString hash = QString::fromLatin1(QCryptographicHash::hash(key, QCryptographicHash::Sha256).toHex().left(16));
    // $XDG_RUNTIME_DIR, else Qt's /tmp/runtime-USER, which it creates 0700 and refuses when another
    // user owns it: a predictable name in /tmp itself could be taken first by someone else, who
    // would then receive our links.
    const QString runtime = QStandardPaths::writableLocation(QStandardPaths::RuntimeLocation);
    const QString app = QCoreApplication::applicationName().isEmpty() ? QStringLiteral("dialscope") : QCoreApplication::applicationName();
    if (!runtime.isEmpty() && QFileInfo(runtime).isDir() && QFileInfo(runtime).ownerId() == ::getuid()) {
        m_name = QDir(runtime).filePath(QStringLiteral("%1-%2.sock").arg(app, hash));
        m_lockPath = m_name + QStringLiteral(".lock");
    }
}

SingleInstance::~SingleInstance()
{
    if (m_server)
        m_server->close(); // removes the socket before the lock goes
}

QString SingleInstance::defaultProfileDir()
{
    // Where QSettings keeps the application's settings on Unix: $XDG_CONFIG_HOME/<organization>/<application>.conf.
    const QString org = QCoreApplication::organizationName().isEmpty() ? QCoreApplication::applicationName() : QCoreApplication::organizationName();
    return QDir(QStandardPaths::writableLocation(QStandardPaths::GenericConfigLocation)).filePath(org);
}

bool SingleInstance::claim()
{
    if (m_primary)
        return true;
    if (m_name.isEmpty()) {
        qCWarning(lcInstance, "dialscope: no private runtime directory; later starts will open windows of their own");
        m_primary = true;
        return true;
    }
    m_lock = std::make_unique<QLockFile>(m_lockPath);
    // A live instance keeps the lock however long it runs; one that died (its pid is gone) loses it.
    m_lock->setStaleLockTime(0);
    if (!m_lock->tryLock(0)) {
        if (m_lock->error() == QLockFile::LockFailedError) {
            m_lock.reset();
            return false;
        }
        // The directory is not writable or the like: run alone rather than not at all.
        qCWarning(
            lcInstance, "dialscope: cannot take %s (error %d); later starts will open windows of their own", qUtf8Printable(m_lockPath), int(m_lock->error()));
        m_lock.reset();
        m_primary = true;
        return true;
    }
    m_primary = true;
    // Holding the lock, nothing listens on a socket file still there: a crashed instance left it.
    QLocalServer::removeServer(m_name);
    m_server = new QLocalServer(this);
    m_server->setSocketOptions(QLocalServer::UserAccessOption);
    m_server->setMaxPendingConnections(kMaxClients);
    connect(m_server, &QLocalServer::newConnection, this, &SingleInstance::accept);
    if (!m_server->listen(m_name))
        qCWarning(lcInstance, "dialscope: cannot listen on %s: %s; later starts cannot hand over their links", qUtf8Printable(m_name),
            qUtf8Printable(m_server->errorString()));
    return true;
}

std::expected<void, QString> SingleInstance::sendToPrimary(const QStringList &args, int timeoutMs)
{
    const QByteArray payload = args.join(QChar(0)).toUtf8();
    if (args.size() > kMaxArguments || payload.size() > kMaxMessage)
        return std::unexpected(tr("the arguments are too long to hand over (%1 bytes; at most %2)").arg(payload.size()).arg(kMaxMessage));
    QByteArray message = kMagic.toByteArray();
    message.resize(kHeader);
    qToBigEndian<quint32>(quint32(payload.size()), message.data() + kMagic.size());
    message += payload;

    const QDeadlineTimer deadline(timeoutMs);
    QLocalSocket socket;
    // The running instance takes its lock before it listens: while it starts, try again.
    for (;;) {
        socket.connectToServer(m_name);
        if (socket.waitForConnected(remaining(deadline)))
            break;
        if (deadline.hasExpired())
            return std::unexpected(tr("another dialscope is running but does not answer on %1: %2").arg(m_name, socket.errorString()));
        socket.abort();
        QThread::msleep(50);
    }
    socket.write(message);
    while (socket.bytesToWrite() > 0)
        if (!socket.waitForBytesWritten(remaining(deadline)))
            return std::unexpected(tr("the running dialscope did not take the arguments: %1").arg(socket.errorString()));
    while (socket.bytesAvailable() < kAck.size())
        if (!socket.waitForReadyRead(remaining(deadline)))
            return std::unexpected(tr("the running dialscope did not acknowledge the arguments in time"));
    if (socket.read(kAck.size()) != kAck)
        return std::unexpected(tr("the running dialscope answered something unexpected"));
    return {};
}

void SingleInstance::accept()
{
    while (QLocalSocket *socket = m_server->nextPendingConnection()) {
        socket->setParent(this);
        if (m_clients >= kMaxClients) {
            socket->abort();
            socket->deleteLater();
            continue;
        }
        ++m_clients;
        connect(socket, &QObject::destroyed, this, [this] { --m_clients; });
        // A client that connects and says nothing (or too little) is dropped, never waited for.
        QTimer::singleShot(kReadTimeoutMs, socket, [socket] {
            socket->abort();
            socket->deleteLater();
        });
        connect(socket, &QLocalSocket::disconnected, socket, &QObject::deleteLater);
        connect(socket, &QLocalSocket::readyRead, this, [this, socket] { readFrom(socket); });
        readFrom(socket);
    }
}

void SingleInstance::readFrom(QLocalSocket *socket)
{
    const auto drop = [socket](const char *why) {
        qCWarning(lcInstance, "dialscope: a local client was dropped: %s", why);
        socket->abort();
        socket->deleteLater();
    };
    if (socket->bytesAvailable() < kHeader)
        return;
    const QByteArray header = socket->peek(kHeader);
    if (!header.startsWith(kMagic))
        return drop("it did not speak the hand-over protocol");
    const quint32 length = qFromBigEndian<quint32>(header.constData() + kMagic.size());
    if (length > quint32(kMaxMessage))
        return drop("its message was too long");
    if (socket->bytesAvailable() < kHeader + qint64(length))
        return;
    socket->skip(kHeader);
    const QByteArray payload = socket->read(length);
    const QStringList args = payload.isEmpty() ? QStringList() : QString::fromUtf8(payload).split(QChar(0));
    if (args.size() > kMaxArguments)
        return drop("it sent too many arguments");
    if (socket->bytesAvailable() > 0)
        return drop("it sent more than one message");
    socket->write(kAck.data(), kAck.size());
    socket->flush();
    socket->disconnectFromServer();
    qCInfo(lcInstance, "dialscope: a later start handed over %d argument(s)", int(args.size())); // not their text: a link may hold a password
    emit received(args);
}

} // namespace ds::ui
