#pragma once
// The headless subcommands (ARCHITECTURE.md, "The command line"); each returns the exit status.

#include <QStringList>

namespace ds::cli {

// Exit statuses shared by every subcommand.
enum Exit { ExitOk = 0, ExitRefused = 1, ExitUsage = 2, ExitNetwork = 3 };

int runRegister(const QStringList &args);
int runLint(const QStringList &args);
int runCall(const QStringList &args);
int runAnswer(const QStringList &args);
int runLadder(const QStringList &args);
int runDtmf(const QStringList &args); // `dialscope dtmf detect FILE.wav`
int runRegtest(const QStringList &args);
int runDemo(const QStringList &args); // `dialscope demo`: the built-in demo peer on loopback

} // namespace ds::cli
