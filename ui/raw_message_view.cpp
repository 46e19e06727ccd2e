#include "raw_message_view.h"

#include "header_help.h"
#include "sip_highlighter.h"

#include "sdp/session_description.h"
#include "sip/digest.h"
#include "sip/header_values.h"

#include <QDateTime>
#include <QFontDatabase>
#include <QHelpEvent>
#include <QLabel>
#include <QPlainTextEdit>
#include <QTabWidget>
#include <QTextBlock>
#include <QToolTip>
#include <QVBoxLayout>

namespace ds::ui {

namespace {

// The length of a valid UTF-8 sequence at p (RFC 3629 4), 0 when the bytes are not one.
int utf8Length(const unsigned char *p, qsizetype left)
{
    const unsigned char c = p[0];
    int n = 0;
    if (c >= 0xc2 && c <= 0xdf)
        n = 2;
    else if (c >= 0xe0 && c <= 0xef)
        n = 3;
    else if (c >= 0xf0 && c <= 0xf4)
        n = 4;
    if (n == 0 || left < n)
        return 0;
    for (int k = 1; k < n; ++k)
        if ((p[k] & 0xc0) != 0x80)
            return 0;
    // Overlong forms, surrogates and code points past U+10FFFF.
    if ((c == 0xe0 && p[1] < 0xa0) || (c == 0xed && p[1] > 0x9f) || (c == 0xf0 && p[1] < 0x90) || (c == 0xf4 && p[1] > 0x8f))
        return 0;
    return n;
}

QPlainTextEdit *makeTextPane(const QString &placeholder, QWidget *parent)
{
    auto *edit = new QPlainTextEdit(parent);
    edit->setReadOnly(true);
    edit->setLineWrapMode(QPlainTextEdit::WidgetWidth);
    edit->setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
    edit->setPlaceholderText(placeholder);
    edit->setTextInteractionFlags(Qt::TextSelectableByMouse | Qt::TextSelectableByKeyboard);
    return edit;
}

QString text(QByteArrayView b) { return QString::fromUtf8(b); }

} // namespace

RawMessageView::RawMessageView(QWidget *parent)
    : QWidget(parent)
{
    m_summary = new QLabel(this);
    m_summary->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_summary->setWordWrap(true);
    m_tabs = new QTabWidget(this);
    m_text = makeTextPane(tr("Click an arrow of the ladder to see its message."), m_tabs);
    m_text->setLineWrapMode(QPlainTextEdit::NoWrap);
    m_text->viewport()->installEventFilter(this);
    m_highlighter = new SipHighlighter(m_text->document());
    m_digest = makeTextPane(tr("The digest inputs of a message with credentials or a challenge appear here."), m_tabs);
    m_sdp = makeTextPane(tr("The session description of a message with SDP appears here."), m_tabs);
    m_tabs->addTab(m_text, tr("Message"));
    m_tabs->addTab(m_digest, tr("Digest"));
    m_tabs->addTab(m_sdp, tr("SDP"));
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(m_summary);
    layout->addWidget(m_tabs, 1);
    clear();
}

void RawMessageView::clear()
{
    m_message = diag::kNoMessage;
    m_headerEnd = 0;
    m_summary->setText(tr("No message selected"));
    m_highlighter->setEscapes({});
    m_text->clear();
    m_digest->clear();
    m_sdp->clear();
    m_tabs->setTabEnabled(DigestTab, false);
    m_tabs->setTabEnabled(SdpTab, false);
}

void RawMessageView::showMessage(const diag::TraceStore &store, quint32 message, const QString &searchText)
{
    if (message >= store.size()) {
        clear();
        return;
    }
    m_message = message;
    m_summary->setText(summary(store, message));

    QList<std::pair<int, int>> escapes;
    const QString shown = displayText(store.raw(message), &escapes);
    m_text->clear();
    m_highlighter->setSearchText(searchText);
    m_highlighter->setEscapes(std::move(escapes));
    m_text->setPlainText(shown);
    // The header section ends at the first empty line (RFC 3261 7); without one, everything is header.
    const qsizetype blank = shown.indexOf(QLatin1String("\n\n"));
    m_headerEnd = blank < 0 ? m_text->document()->blockCount() : m_text->document()->findBlock(int(blank + 1)).blockNumber();
    setSearchText(searchText);

    const diag::MessageRecord &r = store.record(message);
    const auto parsed = store.parse(message);
    QString digest, sdp;
    if (parsed) {
        std::optional<sip::Message> challenge;
        if (r.is(diag::MessageRecord::AuthRetry) && r.related < store.size())
            if (auto c = store.parse(r.related))
                challenge = std::move(*c);
        digest = digestExplanation(*parsed, challenge ? &*challenge : nullptr);
        if (r.is(diag::MessageRecord::HasSdp) || parsed->header(sip::HeaderId::ContentType).contains("sdp"))
            sdp = sdpExplanation(parsed->body());
    }
    m_digest->setPlainText(digest);
    m_sdp->setPlainText(sdp);
    m_tabs->setTabEnabled(DigestTab, !digest.isEmpty());
    m_tabs->setTabEnabled(SdpTab, !sdp.isEmpty());
    if (!m_tabs->isTabEnabled(m_tabs->currentIndex()))
        m_tabs->setCurrentIndex(MessageTab);
}

void RawMessageView::setSearchText(const QString &searchText)
{
    m_highlighter->setSearchText(searchText);
    if (searchText.isEmpty())
        return;
    // Scroll the first hit into view without selecting it.
    const QTextCursor hit = m_text->document()->find(searchText);
    if (hit.isNull())
        return;
    QTextCursor at(m_text->document());
    at.setPosition(hit.selectionStart());
    m_text->setTextCursor(at);
    m_text->ensureCursorVisible();
}

QString RawMessageView::summaryText() const { return m_summary->text(); }
QString RawMessageView::messageText() const { return m_text->toPlainText(); }
QString RawMessageView::digestText() const { return m_digest->toPlainText(); }
QString RawMessageView::sdpText() const { return m_sdp->toPlainText(); }
bool RawMessageView::isTabEnabled(Tab tab) const { return m_tabs->isTabEnabled(tab); }

QString RawMessageView::toolTipForLine(int line) const
{
    if (line <= 0 || line >= m_headerEnd)
        return {};
    QTextBlock block = m_text->document()->findBlockByNumber(line);
    while (block.isValid() && block.blockNumber() > 1 && !block.text().isEmpty() && block.text().front().isSpace())
        block = block.previous(); // a folded line: the header it continues
    return block.isValid() ? HeaderHelp::toolTipForLine(block.text()) : QString();
}

bool RawMessageView::eventFilter(QObject *watched, QEvent *event)
{
    if (watched == m_text->viewport() && event->type() == QEvent::ToolTip) {
        const auto *help = static_cast<QHelpEvent *>(event);
        const QTextCursor cursor = m_text->cursorForPosition(help->pos());
        const QString tip = toolTipForLine(cursor.block().blockNumber());
        if (tip.isEmpty())
            QToolTip::hideText();
        else
            QToolTip::showText(help->globalPos(), tip, m_text->viewport());
        return true;
    }
    return QWidget::eventFilter(watched, event);
}

QString RawMessageView::displayText(QByteArrayView raw, QList<std::pair<int, int>> *escapes)
{
    QString out;
    out.reserve(raw.size());
    const auto *p = reinterpret_cast<const unsigned char *>(raw.data());
    const qsizetype n = raw.size();
    for (qsizetype i = 0; i < n;) {
        const unsigned char c = p[i];
        if (c == '\r' && i + 1 < n && p[i + 1] == '\n') {
            ++i; // CR LF ends a line (RFC 3261 7); the LF below makes the line break
            continue;
        }
        if (c == '\n' || c == '\t' || (c >= 0x20 && c < 0x7f)) {
            out += QLatin1Char(char(c));
            ++i;
            continue;
        }
        if (const int len = c >= 0x80 ? utf8Length(p + i, n - i) : 0; len > 0) {
            out += QString::fromUtf8(raw.sliced(i, len));
            i += len;
            continue;
        }
        if (escapes)
            escapes->append({int(out.size()), 4});
        out += QStringLiteral("\\x%1").arg(uint(c), 2, 16, QLatin1Char('0'));
        ++i;
    }
    return out;
}

QString RawMessageView::summary(const diag::TraceStore &store, quint32 message)
{
    const diag::MessageRecord &r = store.record(message);
    const QDateTime time = QDateTime::fromMSecsSinceEpoch(r.timeUs / 1000);
    const double since = double(r.timeUs - store.record(0).timeUs) / 1e6;
    const QString src = store.endpoint(r.src).toEndpoint().toString();
    const QString dst = store.endpoint(r.dst).toEndpoint().toString();
    QString s = tr("#%1  %2 (+%3 s)  %4  %5 → %6")
                    .arg(message + 1)
                    .arg(time.toString(QStringLiteral("hh:mm:ss.zzz")))
                    .arg(since, 0, 'f', 3)
                    .arg(QString::fromLatin1(sip::transportName(sip::TransportKind(r.transport))), src, dst);
    if (r.is(diag::MessageRecord::Directional))
        s += QStringLiteral("  ") + (r.is(diag::MessageRecord::Outgoing) ? tr("sent") : tr("received"));
    if (r.frame != 0)
        s += QStringLiteral("  ") + tr("frame %1").arg(r.frame);
    if (r.is(diag::MessageRecord::Retransmission))
        s += QStringLiteral("  ") + (r.timer ? tr("retransmission (Timer %1)").arg(QLatin1Char(r.timer)) : tr("retransmission"));
    if (r.is(diag::MessageRecord::Malformed)) {
        const auto parsed = store.parse(message);
        s += QStringLiteral("  ") + tr("malformed: %1").arg(parsed ? tr("not parsed when captured") : parsed.error().toString());
    }
    return s;
}

QString RawMessageView::digestExplanation(const sip::Message &m, const sip::Message *challenge)
{
    QString out;
    const auto line = [&out](const QString &label, const QString &value) { out += QStringLiteral("  ") + label.leftJustified(11) + value + QLatin1Char('\n'); };
    const auto note = [&out](const QString &text) { out += QStringLiteral("  ! ") + text + QLatin1Char('\n'); };
    const QString none = tr("(absent)");

    // The challenge a request answers, for comparison (RFC 3261 22.2, 22.3).
    sip::AuthValue offered;
    if (challenge)
        for (const sip::HeaderField &h : challenge->headers())
            if (h.id == sip::HeaderId::WwwAuthenticate || h.id == sip::HeaderId::ProxyAuthenticate)
                if (const auto v = sip::parseAuthValues(challenge->value(h)); v && !v->isEmpty()) {
                    offered = v->first();
                    break;
                }

    for (const sip::HeaderField &h : m.headers()) {
        const bool credentials = h.id == sip::HeaderId::Authorization || h.id == sip::HeaderId::ProxyAuthorization;
        const bool challengeHeader = h.id == sip::HeaderId::WwwAuthenticate || h.id == sip::HeaderId::ProxyAuthenticate;
        if (!credentials && !challengeHeader && h.id != sip::HeaderId::AuthenticationInfo)
            continue;
        if (!out.isEmpty())
            out += QLatin1Char('\n');
        const QString name = text(sip::headerLongName(h.id));
        if (h.id == sip::HeaderId::AuthenticationInfo) {
            out += tr("%1 (RFC 3261 20.6): the server accepted the credentials").arg(name) + QLatin1Char('\n');
            QList<QByteArrayView> items;
            sip::splitList(m.value(h), items);
            for (const QByteArrayView item : items) {
                const qsizetype eq = item.indexOf('=');
                line(eq < 0 ? text(item) : text(sip::trimmed(item.first(eq))), eq < 0 ? QString() : text(sip::trimmed(item.sliced(eq + 1))));
            }
            continue;
        }
        const auto values = sip::parseAuthValues(m.value(h));
        if (!values) {
            out += tr("%1 does not parse: %2").arg(name, values.error().what) + QLatin1Char('\n');
            continue;
        }
        for (const sip::AuthValue &v : *values) {
            // RFC 3261 22.2 (user to user: 401, Authorization) and 22.3 (proxy to user: 407, Proxy-Authorization).
            const bool proxy = h.id == sip::HeaderId::ProxyAuthorization || h.id == sip::HeaderId::ProxyAuthenticate;
            if (credentials)
                out += (proxy ? tr("%1 — credentials for a proxy, answering a 407 (RFC 3261 22.3)")
                              : tr("%1 — credentials for a registrar or user agent, answering a 401 (RFC 3261 22.2)"))
                           .arg(name)
                    + QLatin1Char('\n');
            else
                out += (proxy ? tr("%1 — challenge from a proxy in a %2 (RFC 3261 22.3)")
                              : tr("%1 — challenge from a registrar or user agent in a %2 (RFC 3261 22.2)"))
                           .arg(name)
                           .arg(m.statusCode())
                    + QLatin1Char('\n');
            line(tr("scheme"), text(v.scheme));
            if (!sip::equalsNoCase(v.scheme, "Digest")) {
                // Basic carries the password itself (base64): it stays out of this pane.
                note(credentials ? tr("not a digest: its parameters are not shown") : tr("not a digest challenge"));
                continue;
            }
            const QByteArray algName = v.param("algorithm");
            const auto alg = sip::digestAlgorithmFromName(algName);
            const QString algText = algName.isEmpty() ? tr("MD5 (absent: MD5 by default, RFC 2617 3.2.1)") : text(algName);
            if (challengeHeader) {
                line(tr("realm"), text(v.param("realm")));
                line(tr("nonce"), text(v.param("nonce")));
                line(tr("algorithm"), algText);
                line(tr("qop"), v.has("qop") ? tr("%1 (offered)").arg(text(v.param("qop"))) : tr("(absent: RFC 2069 compatibility, no cnonce/nc)"));
                const QByteArray stale = v.param("stale");
                line(tr("stale"),
                    stale.isEmpty()                        ? none
                        : sip::equalsNoCase(stale, "true") ? tr("true — the nonce expired; the credentials were right, retry with the new nonce")
                                                           : text(stale));
                line(tr("opaque"), v.has("opaque") ? text(v.param("opaque")) : none);
                for (const char *extra : {"domain", "userhash", "charset"})
                    if (v.has(extra))
                        line(QString::fromLatin1(extra), text(v.param(extra)));
                if (!alg)
                    note(tr("unknown algorithm \"%1\": the client cannot answer this challenge").arg(text(algName)));
                continue;
            }
            const QByteArray uri = v.param("uri"), qop = v.param("qop"), nonce = v.param("nonce"), nc = v.param("nc"), cnonce = v.param("cnonce");
            line(tr("username"), text(v.param("username")));
            line(tr("realm"), text(v.param("realm")));
            line(tr("nonce"), text(nonce));
            line(tr("uri"), text(uri));
            line(tr("qop"), qop.isEmpty() ? none : text(qop));
            line(tr("nc"), nc.isEmpty() ? none : text(nc));
            line(tr("cnonce"), cnonce.isEmpty() ? none : text(cnonce));
            line(tr("algorithm"), algText);
            if (v.has("opaque"))
                line(tr("opaque"), text(v.param("opaque")));
            line(tr("response"), text(v.param("response")));
            if (!alg) {
                note(tr("unknown algorithm \"%1\": nothing can be computed").arg(text(algName)));
                continue;
            }
            // RFC 2617 3.2.2.1-3.2.2.3, RFC 7616 3.4.1-3.4.3.
            const QString h_ = text(sip::digestAlgorithmName(*alg));
            const bool authInt = sip::equalsNoCase(qop, "auth-int");
            const QByteArray method = m.method().toByteArray();
            QByteArray ha2Input = method + ':' + uri;
            if (authInt)
                ha2Input += ':' + sip::digestHash(*alg, m.body());
            const QByteArray ha2 = sip::digestHash(*alg, ha2Input);
            const QByteArray ha1Input = v.param("username") + ':' + v.param("realm") + ':' + sip::kPasswordMask.toByteArray();
            out += QLatin1Char('\n');
            if (sip::digestAlgorithmIsSession(*alg)) {
                out += tr("  HA1      = %1(%1(username:realm:password):nonce:cnonce)").arg(h_) + QLatin1Char('\n');
                out += QStringLiteral("           = %1(%1(%2):%3:%4)").arg(h_, text(ha1Input), text(nonce), text(cnonce)) + QLatin1Char('\n');
            } else {
                out += tr("  HA1      = %1(username:realm:password)").arg(h_) + QLatin1Char('\n');
                out += QStringLiteral("           = %1(%2)").arg(h_, text(ha1Input)) + QLatin1Char('\n');
            }
            out += tr("             the password is not in the message: HA1 cannot be computed here") + QLatin1Char('\n');
            out += (authInt ? tr("  HA2      = %1(method:uri:%1(body))") : tr("  HA2      = %1(method:uri)")).arg(h_) + QLatin1Char('\n');
            out += QStringLiteral("           = %1(%2)").arg(h_, text(ha2Input)) + QLatin1Char('\n');
            out += QStringLiteral("           = ") + text(ha2) + QLatin1Char('\n');
            if (qop.isEmpty()) {
                out += tr("  response = %1(HA1:nonce:HA2)").arg(h_) + QLatin1Char('\n');
                out += QStringLiteral("           = %1(HA1:%2:%3)").arg(h_, text(nonce), text(ha2)) + QLatin1Char('\n');
            } else {
                out += tr("  response = %1(HA1:nonce:nc:cnonce:qop:HA2)").arg(h_) + QLatin1Char('\n');
                out += QStringLiteral("           = %1(HA1:%2:%3:%4:%5:%6)").arg(h_, text(nonce), text(nc), text(cnonce), text(qop), text(ha2))
                    + QLatin1Char('\n');
            }
            out += tr("           = %1 (as sent)").arg(text(v.param("response"))) + QLatin1Char('\n');

            // What a server would object to.
            if (m.isRequest() && uri != m.requestUri())
                note(tr("the digest uri differs from the Request-URI (%1); servers compare them (RFC 2617 3.2.2.5)").arg(text(m.requestUri())));
            if (!qop.isEmpty() && (nc.isEmpty() || cnonce.isEmpty()))
                note(tr("qop is set but nc or cnonce is missing (RFC 2617 3.2.2)"));
            if (challenge && !offered.scheme.isEmpty()) {
                if (offered.param("realm") != v.param("realm"))
                    note(tr("the realm differs from the challenge's (\"%1\")").arg(text(offered.param("realm"))));
                if (offered.param("nonce") != nonce)
                    note(tr("the nonce differs from the challenge's (\"%1\")").arg(text(offered.param("nonce"))));
                if (offered.param("opaque") != v.param("opaque"))
                    note(tr("opaque is not echoed as the challenge sent it (RFC 2617 3.2.2)"));
                if (!qop.isEmpty() && !offered.param("qop").split(',').contains(qop))
                    note(tr("qop \"%1\" was not offered by the challenge").arg(text(qop)));
            }
        }
    }
    return out;
}

QString RawMessageView::sdpExplanation(QByteArrayView body)
{
    if (body.isEmpty())
        return {};
    const auto parsed = sdp::SessionDescription::parse(body);
    if (!parsed)
        return tr("The SDP does not parse: %1").arg(parsed.error().toString()) + QLatin1Char('\n');
    const sdp::SessionDescription &s = *parsed;
    QString out;
    const auto connection = [](const std::optional<sdp::Connection> &c) { return c ? text(c->address) : QString(); };
    out += tr("Origin      %1 (session %2, version %3) at %4 %5 %6")
               .arg(text(s.origin.username), text(s.origin.sessionId))
               .arg(s.origin.sessionVersion)
               .arg(text(s.origin.netType), text(s.origin.addrType), text(s.origin.address))
        + QLatin1Char('\n');
    out += tr("Session     %1").arg(text(s.sessionName)) + QLatin1Char('\n');
    if (s.connection)
        out += tr("Connection  %1 %2 %3").arg(text(s.connection->netType), text(s.connection->addrType), text(s.connection->address)) + QLatin1Char('\n');
    for (qsizetype i = 0; i < s.media.size(); ++i) {
        const sdp::MediaDescription &m = s.media[i];
        const QString address = connection(s.connectionOf(i));
        out += QLatin1Char('\n');
        out += tr("%1  %2:%3  %4  %5")
                   .arg(text(m.media), address.isEmpty() ? tr("(no c= line)") : address)
                   .arg(m.port)
                   .arg(text(m.proto), text(sdp::directionName(s.directionOf(i))));
        if (const auto ptime = s.ptimeOf(i))
            out += tr("  ptime %1 ms").arg(*ptime);
        out += QLatin1Char('\n');
        if (m.port == 0)
            out += tr("  port 0: the stream is rejected or disabled (RFC 3264 6)") + QLatin1Char('\n');
        if (const auto c = s.connectionOf(i); c && c->isNullHold())
            out += tr("  c=0.0.0.0: on hold, the RFC 2543 way (RFC 3264 8.4)") + QLatin1Char('\n');
        if (!m.isRtp()) {
            out += tr("  formats %1").arg(text(m.formats.join(' '))) + QLatin1Char('\n');
            continue;
        }
        const QList<sdp::Codec> codecs = m.codecs();
        int dtmf = -1;
        for (const QByteArray &format : m.formats) {
            bool ok = false;
            const int pt = format.toInt(&ok);
            const auto codec = std::find_if(codecs.cbegin(), codecs.cend(), [pt](const sdp::Codec &c) { return c.payloadType == pt; });
            QString row = QStringLiteral("  %1").arg(text(format), -5);
            if (!ok || codec == codecs.cend()) {
                row += tr("(no rtpmap: an unknown dynamic payload type)");
            } else {
                row += text(codec->toString()).leftJustified(22);
                if (!codec->fmtp.isEmpty())
                    row += tr("fmtp %1").arg(text(codec->fmtp));
                if (codec->is("telephone-event"))
                    dtmf = pt;
            }
            out += row.trimmed().prepend(QStringLiteral("  ")) + QLatin1Char('\n');
        }
        if (m.media == "audio")
            out += (dtmf >= 0 ? tr("  DTMF: telephone-event (RFC 4733) on payload type %1").arg(dtmf)
                              : tr("  DTMF: no telephone-event — digits can only go in-band or by SIP INFO"))
                + QLatin1Char('\n');
        // SRTP keys (RFC 4568) are secrets: the suites are named, the keys are not shown.
        QStringList suites;
        for (const QByteArray &crypto : m.attributeValues("crypto")) {
            const QList<QByteArray> parts = crypto.simplified().split(' ');
            suites << (parts.size() > 1 ? text(parts[1]) : text(crypto));
        }
        if (!suites.isEmpty())
            out += tr("  crypto: SRTP (RFC 4568) %1 (keys not shown)").arg(suites.join(QStringLiteral(", "))) + QLatin1Char('\n');
        else if (m.hasAttribute("fingerprint") || s.hasAttribute("fingerprint"))
            out += tr("  crypto: DTLS-SRTP fingerprint (RFC 5763)") + QLatin1Char('\n');
        else
            out += tr("  crypto: none (plain RTP)") + QLatin1Char('\n');
        if (m.rtcpMux())
            out += tr("  rtcp-mux: RTCP on the RTP port (RFC 5761)") + QLatin1Char('\n');
        else if (const auto rtcp = m.rtcpPort())
            out += tr("  rtcp port %1 (RFC 3605)").arg(*rtcp) + QLatin1Char('\n');
    }
    if (s.media.isEmpty())
        out += QLatin1Char('\n') + tr("No m= line: no media is offered.") + QLatin1Char('\n');
    return out;
}

} // namespace ds::ui
