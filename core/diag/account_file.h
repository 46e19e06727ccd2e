#pragma once
// AccountFile: the accounts of a bulk registration test, read from our CSV (`user;password
// [;auth_user[;domain]]`) or from a SIPp injection file (a first line SEQUENTIAL, RANDOM or USER,
// then `user;[authentication username=U password=P]`), so existing SIPp test files work
// unchanged. Pure parsing, any thread; errors name the file and the line.

#include <QByteArray>
#include <QList>
#include <QString>

#include <expected>

namespace ds::diag {

struct TestAccount {
    QString user; // user part of the address of record
    QByteArray password; // never printed: AccountFile's errors and warnings leave it out
    QString authUser; // digest user name; empty: user
    QString domain; // empty: the server's
    int line = 0; // 1-based line of the file, for reports ("line 12: ...")

    QString effectiveAuthUser() const { return authUser.isEmpty() ? user : authUser; }
};

struct AccountFile {
    enum class Format { Csv, Sipp };
    enum class Order { Sequential, Random, User }; // SIPp's first line; our CSV is sequential
    Format format = Format::Csv;
    Order order = Order::Sequential;
    QList<TestAccount> accounts;
    QStringList warnings; // lines skipped, each with its number and why (never a password)
};

// Limits: a registration test file is a few hundred thousand lines at most.
inline constexpr qsizetype kMaxAccountFileBytes = 64 * 1024 * 1024;
inline constexpr qsizetype kMaxAccountLineBytes = 4096;
inline constexpr qsizetype kMaxAccounts = 1'000'000;

// `name` is only used in messages. Lines may end in LF or CRLF; empty lines and lines starting
// with '#' are skipped. An error when no account is left, or the text is not a text file.
std::expected<AccountFile, QString> parseAccountFile(QByteArrayView text, const QString &name);
std::expected<AccountFile, QString> readAccountFile(const QString &path);

} // namespace ds::diag
