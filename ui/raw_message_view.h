#pragma once
// RawMessageView: the side pane of the ladder — one message of a TraceStore as it crossed the
// wire (highlighted, malformed bytes escaped, header meanings on hover), its digest inputs and
// challenge, and its SDP as codecs, addresses and directions, under a one-line summary.

#include "diag/trace_store.h"

#include <QWidget>

#include <utility>

class QLabel;
class QPlainTextEdit;
class QTabWidget;

namespace ds::ui {

class SipHighlighter;

class RawMessageView final : public QWidget {
    Q_OBJECT
public:
    enum Tab { MessageTab, DigestTab, SdpTab };

    explicit RawMessageView(QWidget *parent = nullptr);

    // Shows one message; `searchText` is highlighted and the first hit scrolled into view. The
    // store must outlive the call only: everything shown is copied.
    void showMessage(const ds::diag::TraceStore &store, quint32 message, const QString &searchText = {});
    // Highlights another search text in the message shown.
    void setSearchText(const QString &searchText);
    void clear();
    quint32 message() const { return m_message; } // diag::kNoMessage when none

    QString summaryText() const; // the one-line header: time, transport, source → destination, frame
    QString messageText() const;
    QString digestText() const;
    QString sdpText() const;
    bool isTabEnabled(Tab tab) const;
    QTabWidget *tabs() const { return m_tabs; }
    QPlainTextEdit *messageEdit() const { return m_text; }
    SipHighlighter *highlighter() const { return m_highlighter; }
    // The tooltip of a line of the message text (0-based; a folded line belongs to its header):
    // what the header means and where it is defined. Empty outside the header section.
    QString toolTipForLine(int line) const;

    // The bytes as text: UTF-8 where valid, CR LF as line breaks, every other control byte and
    // every byte that is not UTF-8 as \xNN; the document ranges of those escapes in `escapes`.
    static QString displayText(QByteArrayView raw, QList<std::pair<int, int>> *escapes = nullptr);
    // The summary line of a message of the store.
    static QString summary(const ds::diag::TraceStore &store, quint32 message);
    // The digest inputs of a message's credentials and challenges, with HA2 computed and HA1 and
    // the response as formulas (the password is never known here). `challenge` is the 401/407 the
    // credentials answer, when known, to compare realm and nonce with. Empty without either.
    static QString digestExplanation(const ds::sip::Message &message, const ds::sip::Message *challenge = nullptr);
    // Per media line: address:port, direction, ptime, codecs with rtpmap/fmtp, DTMF, crypto;
    // the error when the body does not parse.
    static QString sdpExplanation(QByteArrayView body);

protected:
    bool eventFilter(QObject *watched, QEvent *event) override;

private:
    QLabel *m_summary = nullptr;
    QTabWidget *m_tabs = nullptr;
    QPlainTextEdit *m_text = nullptr;
    QPlainTextEdit *m_digest = nullptr;
    QPlainTextEdit *m_sdp = nullptr;
    SipHighlighter *m_highlighter = nullptr;
    quint32 m_message = ds::diag::kNoMessage;
    int m_headerEnd = 0; // the block of the empty line that ends the header section
};

} // namespace ds::ui
