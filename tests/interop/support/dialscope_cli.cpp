#include "dialscope_cli.h"

#include <QDeadlineTimer>
#include <QJsonDocument>

#include <signal.h>

#include <algorithm>
#include <cctype>

namespace ds::test {

// ---- the dialscope command line ------------------------------------------------

QJsonObject DialscopeRun::result() const
{
    if (events.isEmpty() || events.last().value(u"event").toString() != u"result")
        return {};
    return events.last();
}

QList<QJsonObject> DialscopeRun::eventsOf(const QString &kind) const
{
    QList<QJsonObject> found;
    for (const QJsonObject &e : events) {
        if (e.value(u"event").toString() == kind)
            found << e;
    }
    return found;
}

QList<QJsonObject> DialscopeRun::sip(const QString &dir) const
{
    QList<QJsonObject> found;
    for (const QJsonObject &e : eventsOf(QStringLiteral("sip"))) {
        if (dir.isEmpty() || e.value(u"dir").toString() == dir)
            found << e;
    }
    return found;
}

QStringList DialscopeRun::exchange() const
{
    QStringList lines;
    QSet<QString> seen;
    for (const QJsonObject &e : sip()) {
        const QString dir = e.value(u"dir").toString();
        const QString rawText = e.value(u"raw").toString();
        if (seen.contains(dir + rawText))
            continue;
        seen.insert(dir + rawText);
        const QByteArray raw = rawText.toUtf8();
        const QByteArray method = sip::method(raw);
        if (!method.isEmpty()) {
            const bool auth = !sip::header(raw, "Authorization").isEmpty();
            lines << dir + u' ' + QString::fromLatin1(method) + (auth ? QStringLiteral(" auth") : QString());
        } else {
            lines << dir + u' ' + QString::number(sip::status(raw));
        }
    }
    return lines;
}

QList<QByteArray> DialscopeRun::sentRegisters(Retransmissions retransmissions) const
{
    QList<QByteArray> sent;
    for (const QJsonObject &e : sip(QStringLiteral("out"))) {
        const QByteArray raw = e.value(u"raw").toString().toUtf8();
        if (sip::method(raw) == "REGISTER" && (retransmissions == Retransmissions::Kept || !sent.contains(raw)))
            sent << raw;
    }
    return sent;
}

namespace {

// Command line, the status given, stderr and stdout, for failure messages.
QString describeRun(const DialscopeRun &run, const QString &status)
{
    QString text = QStringLiteral("\n$ dialscope %1\n%2").arg(run.args.join(u' '), status);
    if (!run.badLines.isEmpty())
        text += QStringLiteral("\nlines that are not JSON events:\n  ") + run.badLines.join(u"\n  ");
    text += QStringLiteral("\n--- stderr:\n") + QString::fromUtf8(run.err);
    QString o = QString::fromUtf8(run.out);
    if (o.size() > 12000)
        o = QStringLiteral("[...]") + o.right(12000);
    text += QStringLiteral("--- stdout:\n") + o;
    return text;
}

// One line of `dialscope --json` output: an event, or a bad line; blank lines are skipped.
void parseEventLine(DialscopeRun &run, const QByteArray &line)
{
    if (line.trimmed().isEmpty())
        return;
    QJsonParseError error {};
    const QJsonDocument doc = QJsonDocument::fromJson(line, &error);
    const QJsonObject o = doc.object();
    if (error.error != QJsonParseError::NoError || !doc.isObject() || !o.value(u"event").isString() || !o.value(u"t").isDouble())
        run.badLines << QString::fromUtf8(line.left(300));
    else
        run.events << o;
}

} // namespace

QString DialscopeRun::describe() const
{
    return describeRun(*this,
        !finished     ? QStringLiteral("did not finish (killed at the hard timeout)")
            : crashed ? QStringLiteral("crashed")
                      : QStringLiteral("exit %1").arg(exitCode));
}

DialscopeRun runDialscope(const QStringList &args, const QList<std::pair<QString, QString>> &extraEnv, int hardTimeoutMs)
{
    DialscopeProcess process(args, extraEnv);
    if (process.start())
        process.waitFinished(hardTimeoutMs);
    return process.run();
}

DialscopeProcess::DialscopeProcess(QStringList args, QList<std::pair<QString, QString>> extraEnv)
    : m_extraEnv(std::move(extraEnv))
{
    m_run.args = std::move(args);
}

DialscopeProcess::~DialscopeProcess() { kill(); }

bool DialscopeProcess::start()
{
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.remove(QStringLiteral("DIALSCOPE_PASSWORD"));
    for (const auto &[name, value] : m_extraEnv)
        env.insert(name, value);
    m_process.setProcessEnvironment(env);
    m_process.setStandardInputFile(QProcess::nullDevice());
    m_process.setChildProcessModifier(detachChild);
    m_process.start(QStringLiteral(DIALSCOPE_BIN), m_run.args);
    if (!m_process.waitForStarted(10000)) {
        m_run.err = "could not start " DIALSCOPE_BIN ": " + m_process.errorString().toUtf8();
        return false;
    }
    m_pgid = m_process.processId();
    return true;
}

bool DialscopeProcess::waitFor(const std::function<bool(const QJsonObject &)> &found, int timeoutMs)
{
    const QDeadlineTimer deadline(timeoutMs);
    qsizetype checked = 0;
    while (true) {
        read();
        for (; checked < m_run.events.size(); ++checked) {
            if (found(m_run.events[checked]))
                return true;
        }
        if (m_process.state() == QProcess::NotRunning || deadline.hasExpired())
            return false;
        m_process.waitForReadyRead(int(std::clamp<qint64>(deadline.remainingTime(), 1, 100)));
    }
}

bool DialscopeProcess::waitListening(int timeoutMs)
{
    return waitFor(
        [](const QJsonObject &e) { return e.value(u"event").toString() == u"finding" && e.value(u"text").toString().startsWith(u"waiting for calls"); },
        timeoutMs);
}

bool DialscopeProcess::waitRegistered(int timeoutMs)
{
    bool registered = false;
    return waitFor(
        [&registered](const QJsonObject &e) {
            const QString kind = e.value(u"event").toString();
            if (kind == u"registration" && e.value(u"state").toString() == u"registered")
                registered = true;
            return registered && kind == u"finding" && e.value(u"text").toString().startsWith(u"waiting for calls");
        },
        timeoutMs);
}

bool DialscopeProcess::waitFinished(int timeoutMs)
{
    if (m_process.state() != QProcess::NotRunning && !m_process.waitForFinished(timeoutMs))
        kill();
    read();
    return m_run.finished;
}

const DialscopeRun &DialscopeProcess::run()
{
    read();
    return m_run;
}

QString DialscopeProcess::describe()
{
    read();
    return m_process.state() != QProcess::NotRunning ? describeRun(m_run, QStringLiteral("still running")) : m_run.describe();
}

// Takes what dialscope printed since the last call: stdout's complete lines are parsed (a
// partial one waits for its end, or for the exit); once it has exited by itself, its status.
void DialscopeProcess::read()
{
    const bool exited = m_pgid != 0 && m_process.state() == QProcess::NotRunning;
    const QByteArray chunk = m_process.readAllStandardOutput();
    m_run.out += chunk;
    m_pending += chunk;
    m_run.err += m_process.readAllStandardError();
    qsizetype start = 0;
    for (qsizetype end; (end = m_pending.indexOf('\n', start)) >= 0; start = end + 1)
        parseEventLine(m_run, m_pending.sliced(start, end - start));
    m_pending.remove(0, start);
    if (!exited)
        return;
    parseEventLine(m_run, std::exchange(m_pending, {}));
    if (!m_killed && !m_run.finished) {
        m_run.finished = true;
        m_run.crashed = m_process.exitStatus() != QProcess::NormalExit;
        m_run.exitCode = m_run.crashed ? -1 : m_process.exitCode();
    }
}

void DialscopeProcess::kill()
{
    if (m_process.state() == QProcess::NotRunning)
        return;
    if (m_pgid > 0)
        ::kill(-static_cast<pid_t>(m_pgid), SIGKILL);
    else
        m_process.kill(); // still starting: no group of its own yet
    m_process.waitForFinished(5000);
    m_killed = true;
}

// ---- reading SIP messages from "raw" -------------------------------------------

namespace sip {

namespace {

QList<QByteArray> headerLines(const QByteArray &raw)
{
    // Header section only, with folded lines (RFC 3261 7.3.1) unfolded.
    qsizetype end = raw.indexOf("\r\n\r\n");
    QByteArray head = end >= 0 ? raw.left(end) : raw;
    head.replace("\r\n", "\n");
    QList<QByteArray> lines;
    for (const QByteArray &line : head.split('\n')) {
        if (!lines.isEmpty() && (line.startsWith(' ') || line.startsWith('\t')))
            lines.last() += ' ' + line.trimmed();
        else
            lines << line;
    }
    return lines;
}

} // namespace

QByteArray startLine(const QByteArray &raw)
{
    const qsizetype eol = raw.indexOf('\n');
    return (eol >= 0 ? raw.left(eol) : raw).trimmed();
}

QByteArray method(const QByteArray &raw)
{
    const QByteArray line = startLine(raw);
    if (line.startsWith("SIP/"))
        return {};
    return line.left(line.indexOf(' '));
}

int status(const QByteArray &raw)
{
    const QByteArray line = startLine(raw);
    if (!line.startsWith("SIP/"))
        return 0;
    const QList<QByteArray> parts = line.split(' ');
    return parts.size() > 1 ? parts[1].toInt() : 0;
}

QList<QByteArray> headers(const QByteArray &raw, const QByteArray &name, char compact)
{
    QList<QByteArray> values;
    const QList<QByteArray> lines = headerLines(raw);
    for (qsizetype i = 1; i < lines.size(); ++i) {
        const qsizetype colon = lines[i].indexOf(':');
        if (colon <= 0)
            continue;
        const QByteArray hname = lines[i].left(colon).trimmed();
        const bool match = hname.compare(name, Qt::CaseInsensitive) == 0
            || (compact && hname.size() == 1 && std::tolower(static_cast<unsigned char>(hname[0])) == std::tolower(static_cast<unsigned char>(compact)));
        if (match)
            values << lines[i].mid(colon + 1).trimmed();
    }
    return values;
}

QByteArray header(const QByteArray &raw, const QByteArray &name, char compact)
{
    const QList<QByteArray> values = headers(raw, name, compact);
    return values.isEmpty() ? QByteArray() : values.first();
}

QByteArray param(const QByteArray &value, const QByteArray &name)
{
    // Scan name=value pairs separated by ';' or ',' outside quotes and <>.
    qsizetype i = 0;
    const qsizetype n = value.size();
    while (i < n) {
        while (i < n && (value[i] == ';' || value[i] == ',' || value[i] == ' ' || value[i] == '\t'))
            ++i;
        const qsizetype keyStart = i;
        while (i < n && value[i] != '=' && value[i] != ';' && value[i] != ',' && value[i] != '<' && value[i] != '"')
            ++i;
        const QByteArray key = value.mid(keyStart, i - keyStart).trimmed();
        QByteArray val;
        if (i < n && value[i] == '=') {
            ++i;
            while (i < n && value[i] == ' ')
                ++i;
            if (i < n && value[i] == '"') {
                const qsizetype close = value.indexOf('"', i + 1);
                val = value.mid(i + 1, (close < 0 ? n : close) - i - 1);
                i = close < 0 ? n : close + 1;
            } else {
                const qsizetype s = i;
                while (i < n && value[i] != ';' && value[i] != ',')
                    ++i;
                val = value.mid(s, i - s).trimmed();
            }
            // "Digest username=..." has the scheme before the first key.
            const QByteArray bare = key.contains(' ') ? key.mid(key.lastIndexOf(' ') + 1) : key;
            if (bare.compare(name, Qt::CaseInsensitive) == 0)
                return val;
        } else if (i < n && value[i] == '<') {
            const qsizetype close = value.indexOf('>', i);
            i = close < 0 ? n : close + 1;
        } else if (i < n && value[i] == '"') {
            const qsizetype close = value.indexOf('"', i + 1);
            i = close < 0 ? n : close + 1;
        }
        if (i == keyStart)
            ++i;
    }
    return {};
}

int requestedExpires(const QByteArray &raw)
{
    const QByteArray contact = header(raw, "Contact", 'm');
    const QByteArray fromContact = param(contact, "expires");
    if (!fromContact.isEmpty())
        return fromContact.toInt();
    const QByteArray expires = header(raw, "Expires");
    return expires.isEmpty() ? -1 : expires.trimmed().toInt();
}

} // namespace sip

} // namespace ds::test
