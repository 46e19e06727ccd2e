#include "startup_profile.h"

#include "support/peer.h"

#include "phone/account.h"
#include "ui/account_store.h"

#include <QDeadlineTimer>
#include <QDir>
#include <QEventLoop>
#include <QFile>
#include <QFileInfo>
#include <QHash>
#include <QList>
#include <QRegularExpression>
#include <QTimer>

#include <algorithm>

using namespace Qt::StringLiterals;

namespace ds::bench {

namespace {

// Runs the event loop until done() or timeoutMs; true when done.
template <typename F> bool spinUntil(F done, int timeoutMs)
{
    QDeadlineTimer deadline(timeoutMs);
    while (!done()) {
        if (deadline.hasExpired())
            return false;
        QEventLoop loop;
        QTimer::singleShot(20, &loop, &QEventLoop::quit);
        loop.exec();
    }
    return true;
}

// The process and its descendants (from /proc/*/stat: "pid (comm) state ppid ...").
QList<qint64> processTree(qint64 root)
{
    QHash<qint64, qint64> parent;
    for (const QString &entry : QDir(u"/proc"_s).entryList(QDir::Dirs)) {
        bool ok = false;
        const qint64 pid = entry.toLongLong(&ok);
        if (!ok)
            continue;
        const QString stat = test::readTextFile(u"/proc/%1/stat"_s.arg(pid));
        const qsizetype close = stat.lastIndexOf(u')');
        const QStringList fields = stat.mid(close + 2).split(u' ');
        if (close > 0 && fields.size() > 1)
            parent.insert(pid, fields[1].toLongLong());
    }
    QList<qint64> tree {root};
    for (qsizetype i = 0; i < tree.size(); ++i)
        for (auto it = parent.cbegin(); it != parent.cend(); ++it)
            if (it.value() == tree[i] && !tree.contains(it.key()))
                tree.append(it.key());
    return tree;
}

// "Name:   1234 kB" -> 1234; 0 when absent.
qint64 fieldKb(const QString &text, const QString &name)
{
    const QRegularExpression re(u"^"_s + QRegularExpression::escape(name) + u":\\s+(\\d+)"_s, QRegularExpression::MultilineOption);
    const QRegularExpressionMatch m = re.match(text);
    return m.hasMatch() ? m.captured(1).toLongLong() : 0;
}

} // namespace

std::expected<void, QString> seedDialscopeProfile(const QString &iniPath, const QString &user, const QString &password, quint16 registrarPort)
{
    using ui::AccountStore;
    const AccountStore::Options opts {iniPath, u"dialscope"_s, AccountStore::KeychainMode::Auto};
    AccountStore store(opts);
    if (!spinUntil([&] { return store.keychainChecked(); }, 10000) || !store.keychainAvailable())
        return std::unexpected(u"no Secret Service answered on the session bus (gnome-keyring)"_s);
    phone::Account account;
    account.displayName = u"bench "_s + user;
    account.user = user;
    account.server = u"127.0.0.1:%1"_s.arg(registrarPort);
    const QString id = store.save(account, password.toUtf8());
    // The write job belongs to store: keep it alive until a fresh store reads the password back.
    for (QDeadlineTimer deadline(10000); !deadline.hasExpired(); spinUntil([] { return false; }, 200)) {
        AccountStore check(opts);
        if (spinUntil([&] { return check.keychainChecked() && !check.passwordPending(id); }, 5000) && check.password(id) == password.toUtf8())
            return {};
    }
    return std::unexpected(u"the password written to the keychain did not read back within 10 s"_s);
}

bool seedLinphoneProfile(const QString &rcPath, const QString &user, const QString &password, quint16 registrarPort)
{
    // A random UDP port instead of 5060 and no TCP or TLS listener: a UDP registration needs nothing else, and
    // nothing else on the machine can hold the port linphone wants.
    return QDir().mkpath(QFileInfo(rcPath).path())
        && test::writeTextFile(rcPath,
            u"[sip]\n"
            "sip_port=-1\n"
            "sip_tcp_port=0\n"
            "sip_tls_port=0\n"
            "default_proxy=0\n"
            "\n"
            "[proxy_0]\n"
            "reg_proxy=<sip:127.0.0.1:%1;transport=udp>\n"
            "reg_identity=\"bench %2\" <sip:%2@127.0.0.1>\n"
            "reg_expires=3600\n"
            "reg_sendregister=1\n"
            "publish=0\n"
            "dial_escape_plus=0\n"
            "\n"
            "[auth_info_0]\n"
            "username=%2\n"
            "passwd=%3\n"
            "realm=127.0.0.1\n"
            "domain=127.0.0.1\n"_s.arg(registrarPort)
                .arg(user, password));
}

bool dropPageCache()
{
    QFile f(u"/proc/sys/vm/drop_caches"_s);
    return f.open(QIODevice::WriteOnly) && f.write("3\n") == 2 && f.flush();
}

MemoryUse memoryOf(qint64 pid)
{
    MemoryUse m;
    for (const qint64 p : processTree(pid)) {
        const QString status = test::readTextFile(u"/proc/%1/status"_s.arg(p));
        if (status.isEmpty())
            continue; // exited meanwhile
        ++m.processes;
        m.rssKb += fieldKb(status, u"VmRSS"_s);
        m.pssKb += fieldKb(test::readTextFile(u"/proc/%1/smaps_rollup"_s.arg(p)), u"Pss"_s);
        m.threads += static_cast<int>(fieldKb(status, u"Threads"_s));
    }
    return m;
}

} // namespace ds::bench
