#include "auth_explainer.h"

#include <QFontDatabase>

namespace ds::ui {

AuthExplainer::AuthExplainer(QWidget *parent)
    : QPlainTextEdit(parent)
{
    setReadOnly(true);
    setLineWrapMode(QPlainTextEdit::WidgetWidth);
    setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
    setPlaceholderText(tr("The digest computation of the next authenticated request appears here."));
}

void AuthExplainer::setExplanation(const QString &accountName, const sip::AuthExplanation &explanation) { setPlainText(explain(accountName, explanation)); }

QString AuthExplainer::explain(const QString &accountName, const sip::AuthExplanation &x)
{
    const auto s = [](const QByteArray &b) { return QString::fromUtf8(b); };
    const QString alg = s(x.algorithm.isEmpty() ? QByteArrayLiteral("MD5") : x.algorithm);
    const QString none = tr("(none)");
    QString text;
    const auto line = [&text](const QString &label, const QString &value) { text += label.leftJustified(12, QLatin1Char(' ')) + value + QLatin1Char('\n'); };
    text += tr("%1 for %2 (%3 %4)").arg(s(x.headerName), accountName, s(x.method), s(x.uri)) + QLatin1Char('\n');
    if (x.stale)
        text += tr("Answering a stale nonce: the password was right, the nonce had expired.") + QLatin1Char('\n');
    text += QLatin1Char('\n');
    line(tr("algorithm"), alg);
    line(tr("realm"), s(x.realm));
    line(tr("qop"), x.qop.isEmpty() ? none : s(x.qop));
    line(tr("username"), s(x.username));
    line(tr("uri"), s(x.uri));
    line(tr("nonce"), s(x.nonce));
    if (!x.cnonce.isEmpty())
        line(tr("cnonce"), s(x.cnonce));
    if (!x.digest.ncText.isEmpty() && !x.qop.isEmpty())
        line(tr("nc"), s(x.digest.ncText));
    if (!x.opaque.isEmpty())
        line(tr("opaque"), s(x.opaque));
    text += QLatin1Char('\n');
    text += tr("HA1      = %1(%2)").arg(alg, s(x.digest.ha1Input)) + QLatin1Char('\n');
    text += QStringLiteral("         = ") + s(x.digest.ha1) + QLatin1Char('\n');
    text += tr("HA2      = %1(%2)").arg(alg, s(x.digest.ha2Input)) + QLatin1Char('\n');
    text += QStringLiteral("         = ") + s(x.digest.ha2) + QLatin1Char('\n');
    text += tr("response = %1(%2)").arg(alg, s(x.digest.responseInput)) + QLatin1Char('\n');
    text += QStringLiteral("         = ") + s(x.digest.response) + QLatin1Char('\n');
    return text;
}

} // namespace ds::ui
