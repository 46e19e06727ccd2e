#include "trace_output.h"

#include <QJsonObject>

namespace ds::cli {

namespace {

QJsonObject authFields(const sip::AuthExplanation &e)
{
    return {
        {QStringLiteral("header"), QString::fromLatin1(e.headerName)},
        {QStringLiteral("algorithm"), QString::fromLatin1(e.algorithm)},
        {QStringLiteral("realm"), QString::fromUtf8(e.realm)},
        {QStringLiteral("qop"), QString::fromLatin1(e.qop)},
        {QStringLiteral("username"), QString::fromUtf8(e.username)},
        {QStringLiteral("method"), QString::fromLatin1(e.method)},
        {QStringLiteral("uri"), QString::fromUtf8(e.uri)},
        {QStringLiteral("nonce"), QString::fromUtf8(e.nonce)},
        {QStringLiteral("cnonce"), QString::fromLatin1(e.cnonce)},
        {QStringLiteral("nc"), QString::fromLatin1(e.digest.ncText)},
        {QStringLiteral("opaque"), QString::fromUtf8(e.opaque)},
        {QStringLiteral("stale"), e.stale},
        {QStringLiteral("ha1_input"), QString::fromUtf8(e.digest.ha1Input)},
        {QStringLiteral("ha1"), QString::fromLatin1(e.digest.ha1)},
        {QStringLiteral("ha2_input"), QString::fromUtf8(e.digest.ha2Input)},
        {QStringLiteral("ha2"), QString::fromLatin1(e.digest.ha2)},
        {QStringLiteral("response_input"), QString::fromUtf8(e.digest.responseInput)},
        {QStringLiteral("response"), QString::fromLatin1(e.digest.response)},
    };
}

QString firstLine(const QByteArray &raw)
{
    const qsizetype e = raw.indexOf('\n');
    return QString::fromUtf8(raw.left(e < 0 ? raw.size() : e)).trimmed();
}

} // namespace

void reportTrace(EventWriter &out, const sip::TraceEvent &e)
{
    const bool in = e.direction == sip::TraceEvent::Direction::In;
    QJsonObject f {{QStringLiteral("dir"), in ? QStringLiteral("in") : QStringLiteral("out")},
        {QStringLiteral("transport"), QString::fromLatin1(sip::transportName(e.transport))}, {QStringLiteral("local"), e.local.toString()},
        {QStringLiteral("remote"), e.remote.toString()}, {QStringLiteral("raw"), QString::fromUtf8(e.raw)}};
    if (e.malformed)
        f.insert(QStringLiteral("error"), e.error);
    out.event(QStringLiteral("sip"), f);
    out.text(QStringLiteral("%1 %2 %3 %4%5")
                 .arg(in ? QStringLiteral("<-") : QStringLiteral("->"), firstLine(e.raw), in ? QStringLiteral("from") : QStringLiteral("to"),
                     e.remote.toString(), e.malformed ? QStringLiteral(" (malformed: %1)").arg(e.error) : QString()));
}

void reportAuth(EventWriter &out, const sip::AuthExplanation &e)
{
    out.event(QStringLiteral("auth"), authFields(e));
    out.text(QStringLiteral("   digest %1 realm \"%2\" qop %3%4\n     HA1 = %5(%6) = %7\n     HA2 = %5(%8) = %9\n     response = %5(%10) = %11")
                 .arg(QString::fromLatin1(e.algorithm), QString::fromUtf8(e.realm), e.qop.isEmpty() ? QStringLiteral("none") : QString::fromLatin1(e.qop),
                     e.stale ? QStringLiteral(" (stale nonce renewed)") : QString(), QString::fromLatin1(e.algorithm.startsWith("MD5") ? "MD5" : e.algorithm),
                     QString::fromUtf8(e.digest.ha1Input), QString::fromLatin1(e.digest.ha1), QString::fromUtf8(e.digest.ha2Input),
                     QString::fromLatin1(e.digest.ha2))
                 .arg(QString::fromUtf8(e.digest.responseInput), QString::fromLatin1(e.digest.response)));
}

void reportFinding(EventWriter &out, const QString &severity, const QString &text, const QString &code)
{
    QJsonObject f {{QStringLiteral("severity"), severity}, {QStringLiteral("text"), text}};
    if (!code.isEmpty())
        f.insert(QStringLiteral("code"), code);
    out.event(QStringLiteral("finding"), f);
    out.text(QStringLiteral("   %1: %2").arg(severity, text));
}

void reportLadder(EventWriter &out, const QString &ladder)
{
    if (out.json())
        EventWriter::error(ladder);
    else
        out.text(ladder);
}

} // namespace ds::cli
