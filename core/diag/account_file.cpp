#include "diag/account_file.h"

#include <QFile>

#include <algorithm>
#include <cctype>

namespace ds::diag {

namespace {

QByteArrayView trimmed(QByteArrayView v)
{
    while (!v.isEmpty() && (v.front() == ' ' || v.front() == '\t'))
        v = v.sliced(1);
    while (!v.isEmpty() && (v.back() == ' ' || v.back() == '\t' || v.back() == '\r'))
        v.chop(1);
    return v;
}

QList<QByteArrayView> fields(QByteArrayView line)
{
    QList<QByteArrayView> out;
    qsizetype start = 0;
    for (qsizetype i = 0; i <= line.size(); ++i)
        if (i == line.size() || line[i] == ';') {
            out.append(trimmed(line.sliced(start, i - start)));
            start = i + 1;
        }
    return out;
}

// SIPp's authentication field: "[authentication username=joe password=schmo]" (the scenario puts
// [field1] where the keyword goes). Values end at a space or the closing bracket.
bool parseSippAuth(QByteArrayView f, TestAccount &a)
{
    if (!f.startsWith("[authentication") || !f.endsWith("]"))
        return false;
    const QByteArrayView inner = f.sliced(15, f.size() - 16);
    bool sawPassword = false;
    for (QByteArrayView word : QByteArray::fromRawData(inner.data(), inner.size()).split(' ')) {
        word = trimmed(word);
        if (word.startsWith("username="))
            a.authUser = QString::fromUtf8(word.sliced(9));
        else if (word.startsWith("password=")) {
            a.password = word.sliced(9).toByteArray();
            sawPassword = true;
        }
    }
    return sawPassword;
}

bool validUser(QByteArrayView u)
{
    if (u.isEmpty())
        return false;
    for (char c : u)
        if (c <= ' ' || c == '@' || c == ':' || c == '<' || c == '>' || c == '"')
            return false;
    return true;
}

// A host for the AOR: letters, digits, '.', '-', and an IPv6 literal's brackets and colons.
bool validDomain(QByteArrayView d)
{
    if (d.isEmpty() || d.size() > 253)
        return false;
    for (char c : d)
        if (!std::isalnum(static_cast<unsigned char>(c)) && c != '.' && c != '-' && c != '[' && c != ']' && c != ':')
            return false;
    return true;
}

// How a warning names the account: its user, unless the user field may hold more than a user
// (`alice,secret` from a comma-separated file): warnings must never carry a password.
QString accountName(const QString &user)
{
    if (user.contains(QLatin1Char(',')) || user.size() > 64)
        return QStringLiteral("the account");
    return QStringLiteral("account ") + user;
}

} // namespace

std::expected<AccountFile, QString> parseAccountFile(QByteArrayView text, const QString &name)
{
    if (text.size() > kMaxAccountFileBytes)
        return std::unexpected(QStringLiteral("%1: larger than %2 MB; not an account list").arg(name).arg(kMaxAccountFileBytes / (1024 * 1024)));
    if (text.contains('\0'))
        return std::unexpected(QStringLiteral("%1: binary data, not a text file of accounts").arg(name));
    AccountFile file;
    int lineNo = 0;
    bool first = true;
    qsizetype pos = 0;
    while (pos < text.size()) {
        qsizetype end = text.indexOf('\n', pos);
        if (end < 0)
            end = text.size();
        const QByteArrayView raw = text.sliced(pos, end - pos);
        pos = end + 1;
        ++lineNo;
        const QByteArrayView line = trimmed(raw);
        if (line.isEmpty() || line.startsWith('#'))
            continue;
        if (raw.size() > kMaxAccountLineBytes) {
            file.warnings << QStringLiteral("line %1: longer than %2 bytes, skipped").arg(lineNo).arg(kMaxAccountLineBytes);
            continue;
        }
        if (first) {
            first = false;
            // SIPp injection files name their order first (SIPp also accepts ",PRINTF=..." after it).
            const qsizetype comma = line.indexOf(',');
            const QByteArray word = trimmed(comma < 0 ? line : line.first(comma)).toByteArray().toUpper();
            if (word == "SEQUENTIAL" || word == "RANDOM" || word == "USER") {
                file.format = AccountFile::Format::Sipp;
                file.order = word == "RANDOM" ? AccountFile::Order::Random : word == "USER" ? AccountFile::Order::User : AccountFile::Order::Sequential;
                continue;
            }
        }
        const QList<QByteArrayView> f = fields(line);
        TestAccount a;
        a.line = lineNo;
        // The field itself is never quoted: a line in the wrong form may hold the password there.
        if (!validUser(f[0])) {
            file.warnings << QStringLiteral("line %1: the first field is not a SIP user name (no spaces, '@', ':', '<', '>' or quotes), skipped").arg(lineNo);
            continue;
        }
        a.user = QString::fromUtf8(f[0]);
        if (f.size() < 2 || f[1].isEmpty()) {
            file.warnings << (f[0].contains(',')
                    ? QStringLiteral("line %1: no ';' between the fields (they are separated by ';', not ','), skipped").arg(lineNo)
                    : QStringLiteral("line %1: %2 has no password field, skipped").arg(lineNo).arg(accountName(a.user)));
            continue;
        }
        // SIPp's keyword may be in any field (its documentation's example is
        // `Sarah;sipphone32;[authentication username=Sarah password=sarahpass]`); the other fields
        // then belong to the SIPp scenario and mean nothing here.
        const auto authField = std::find_if(f.begin() + 1, f.end(), [](QByteArrayView v) { return v.startsWith("[authentication"); });
        if (authField != f.end() || f[1].startsWith('[')) {
            const QByteArrayView auth = authField != f.end() ? *authField : f[1];
            if (!parseSippAuth(auth, a)) {
                file.warnings << QStringLiteral("line %1: %2: the [authentication ...] field has no password=, skipped").arg(lineNo).arg(accountName(a.user));
                continue;
            }
            if (authField == f.begin() + 1 && f.size() > 2 && file.format == AccountFile::Format::Csv)
                a.domain = QString::fromUtf8(f[2]); // our CSV may carry SIPp's keyword, then a domain
        } else {
            a.password = f[1].toByteArray();
            if (f.size() > 2)
                a.authUser = QString::fromUtf8(f[2]);
            if (f.size() > 3)
                a.domain = QString::fromUtf8(f[3]);
            if (f.size() > 4)
                file.warnings << QStringLiteral("line %1: %2: fields after the fourth ignored").arg(lineNo).arg(accountName(a.user));
        }
        if (!a.authUser.isEmpty() && !validUser(a.authUser.toUtf8())) {
            file.warnings << QStringLiteral("line %1: %2: the authentication user is not a SIP user name, skipped").arg(lineNo).arg(accountName(a.user));
            continue;
        }
        if (!a.domain.isEmpty() && !validDomain(a.domain.toUtf8())) {
            file.warnings << QStringLiteral("line %1: %2: the domain is not a host name, skipped").arg(lineNo).arg(accountName(a.user));
            continue;
        }
        if (file.accounts.size() == kMaxAccounts)
            return std::unexpected(QStringLiteral("%1: more than %2 accounts").arg(name).arg(kMaxAccounts));
        file.accounts.append(std::move(a));
    }
    if (file.accounts.isEmpty())
        return std::unexpected(file.warnings.isEmpty() ? QStringLiteral("%1: no account in it (lines are user;password[;auth_user[;domain]])").arg(name)
                                                       : QStringLiteral("%1: no usable account (%2)").arg(name, file.warnings.first()));
    return file;
}

std::expected<AccountFile, QString> readAccountFile(const QString &path)
{
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly))
        return std::unexpected(QStringLiteral("%1: %2").arg(path, f.errorString()));
    if (f.size() > kMaxAccountFileBytes)
        return std::unexpected(QStringLiteral("%1: larger than %2 MB; not an account list").arg(path).arg(kMaxAccountFileBytes / (1024 * 1024)));
    return parseAccountFile(f.readAll(), path);
}

} // namespace ds::diag
