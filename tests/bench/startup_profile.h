// For bench_startup: what a start needs around the program itself. Fresh profiles seeded with one account the way
// each program reads it, the page cache emptied, and the memory of a process tree.
#pragma once

#include <QString>

#include <expected>

namespace ds::bench {

// dialscope's profile: the account written to the INI file the GUI reads (QSettings of organisation and
// application "dialscope": $XDG_CONFIG_HOME/dialscope/dialscope.conf) and its password to the Secret Service under
// the service the GUI uses, both by the GUI's own AccountStore, then read back through a second AccountStore (so
// the keychain really holds it). Needs a Secret Service on the session bus and runs the event loop meanwhile; the
// error says what did not work.
std::expected<void, QString> seedDialscopeProfile(const QString &iniPath, const QString &user, const QString &password, quint16 registrarPort);

// linphone's profile: liblinphone's configuration file on Linux ($HOME/.config/linphone/linphonerc, which linphone
// 4.4 logs as "Using (r/w) config information from ..."), one account (proxy_0) with its credentials (auth_info_0)
// for a registrar on 127.0.0.1 over UDP. False when the file cannot be written.
bool seedLinphoneProfile(const QString &rcPath, const QString &user, const QString &password, quint16 registrarPort);

// Evicts clean pages (executables, libraries, fonts, icon themes) from the page cache, so the next start reads them
// from disk: echo 3 > /proc/sys/vm/drop_caches. False when not allowed (needs root).
bool dropPageCache();

// Resident memory of a process and its descendants (/proc/*/stat), summed.
struct MemoryUse {
    qint64 rssKb = 0; // VmRSS of /proc/PID/status
    qint64 pssKb = 0; // Pss of /proc/PID/smaps_rollup: shared pages divided among their users
    int processes = 0;
    int threads = 0;
};
MemoryUse memoryOf(qint64 pid);

} // namespace ds::bench
