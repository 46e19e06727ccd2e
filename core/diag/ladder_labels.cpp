#include "ladder_labels.h"

#include "dtmf/info_body.h"
#include "sdp/session_description.h"
#include "sip/header_values.h"
#include "sip/message.h"

#include <QStringList>

namespace ds::diag {

QString sdpSummary(QByteArrayView body)
{
    if (body.isEmpty())
        return {};
    const auto sdp = sdp::SessionDescription::parse(body);
    if (!sdp)
        return QStringLiteral("(bad SDP)");
    QStringList parts;
    for (qsizetype m = 0; m < sdp->media.size(); ++m) {
        const sdp::MediaDescription &media = sdp->media[m];
        QStringList codecs;
        for (const sdp::Codec &c : media.codecs())
            codecs << QString::fromLatin1(c.encoding);
        if (codecs.isEmpty())
            for (const QByteArray &f : media.formats)
                codecs << QString::fromLatin1(f);
        const auto c = sdp->connectionOf(m);
        QString address = c ? QString::fromLatin1(c->address) : QStringLiteral("?");
        if (address.contains(QLatin1Char(':')))
            address = QLatin1Char('[') + address + QLatin1Char(']');
        QString part = codecs.join(QLatin1Char(',')) + QLatin1Char(' ') + address + QLatin1Char(':') + QString::number(media.port);
        if (media.media != "audio")
            part.prepend(QString::fromLatin1(media.media) + QLatin1Char(' '));
        if (media.port == 0)
            part += QStringLiteral(" rejected");
        else
            part += QLatin1Char(' ') + QString::fromLatin1(sdp::directionName(sdp->directionOf(m)));
        if (media.proto.contains("SAVP"))
            part += QStringLiteral(" SRTP");
        parts << part;
    }
    return parts.join(QStringLiteral("; "));
}

// The INFO body parsed as the phone does (dtmf/info_body.h); a flash shows as "flash".
QString dtmfInfoDigits(QByteArrayView contentType, QByteArrayView body)
{
    const auto d = dtmf::parseInfoBody(contentType, body);
    if (!d)
        return {};
    return d->digit == dtmf::kFlash ? QStringLiteral("flash") : QString(QLatin1Char(d->digit));
}

QString challengeSummary(QByteArrayView value)
{
    const auto values = sip::parseAuthValues(value);
    if (!values || values->isEmpty())
        return QStringLiteral("challenge");
    const sip::AuthValue &c = values->first();
    QString s = QString::fromLatin1(c.scheme);
    if (c.has("realm"))
        s += QStringLiteral(" realm=\"%1\"").arg(QString::fromUtf8(c.param("realm")));
    // RFC 7616 3.3: a Digest challenge without algorithm means MD5; other schemes (Bearer,
    // RFC 8898) have none.
    if (c.has("algorithm"))
        s += QLatin1Char(' ') + QString::fromLatin1(c.param("algorithm"));
    else if (sip::equalsNoCase(c.scheme, "Digest"))
        s += QStringLiteral(" MD5");
    if (c.has("qop"))
        s += QStringLiteral(" qop=") + QString::fromLatin1(c.param("qop"));
    return s;
}

} // namespace ds::diag
