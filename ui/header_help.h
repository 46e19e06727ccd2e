#pragma once
// HeaderHelp: what a SIP header field means, in one sentence, with the RFC section that defines
// it — for the headers of sip::HeaderId and the common extensions met in real traces.

#include <QByteArrayView>
#include <QCoreApplication>
#include <QString>
#include <QStringList>

#include <optional>

namespace ds::ui {

struct HeaderMeaning {
    QString name; // canonical spelling: "Call-ID", "P-Asserted-Identity"
    QString meaning; // one sentence, translated
    QString reference; // "RFC 3261 20.8"; empty for vendor headers
};

class HeaderHelp {
    Q_DECLARE_TR_FUNCTIONS(ds::ui::HeaderHelp)
public:
    // By long or compact name, case-insensitively; any X-* name gets the generic meaning of a
    // private extension. Unknown names give nothing.
    static std::optional<HeaderMeaning> lookup(QByteArrayView name);
    // Rich text for a tooltip ("<b>Via</b> — RFC 3261 20.42<br>…"); empty for unknown names.
    static QString toolTip(QByteArrayView name);
    // The tooltip of one header line as shown ("Via: SIP/2.0/UDP …"); empty when the line is
    // not a header line or the header is unknown.
    static QString toolTipForLine(QStringView line);
    // Every canonical name the table knows (for tests and completion).
    static QStringList knownNames();
};

} // namespace ds::ui
