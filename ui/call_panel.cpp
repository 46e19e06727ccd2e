#include "call_panel.h"

#include "call_summary.h"
#include "dtmf_panel.h"
#include "icons.h"
#include "theme.h"

#include <QGridLayout>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QListWidget>
#include <QPushButton>
#include <QTimer>
#include <QToolButton>
#include <QTreeWidget>
#include <QVBoxLayout>

#include <climits>

namespace ds::ui {

using phone::Call;

namespace {

// A section header that opens and closes the widget below it (negotiation, DTMF).
QToolButton *sectionToggle(const char *objectName, const QString &text, const QString &toolTip, QWidget *parent)
{
    auto *t = new QToolButton(parent);
    t->setObjectName(QLatin1String(objectName));
    t->setText(text);
    t->setToolButtonStyle(Qt::ToolButtonTextBesideIcon);
    t->setArrowType(Qt::RightArrow);
    t->setCheckable(true);
    t->setAutoRaise(true);
    t->setToolTip(toolTip);
    return t;
}

QLabel *label(const char *objectName, QWidget *parent, const QString &text = {})
{
    auto *l = new QLabel(text, parent);
    l->setObjectName(QLatin1String(objectName));
    l->setTextFormat(Qt::PlainText);
    return l;
}

QPushButton *button(const char *objectName, const QString &text, QStringView iconName, const QString &tip, QWidget *parent)
{
    auto *b = new QPushButton(icon(iconName), text, parent);
    b->setObjectName(QLatin1String(objectName));
    b->setToolTip(tip);
    return b;
}

} // namespace

CallPanel::CallPanel(Call *call, const QString &accountName, QWidget *parent)
    : QFrame(parent)
    , m_call(call)
    , m_remoteParty(call->remoteParty())
    , m_state(call->state())
    , m_offerIsOurs(call->direction() == Call::Direction::Outgoing)
    , m_soundCard(call->settings().audio.soundCard)
    , m_startTime(call->startTime())
{
    setObjectName(QStringLiteral("callPanel"));
    setFrameShape(QFrame::StyledPanel);
    setAutoFillBackground(true);

    m_party = label("remoteParty", this, m_remoteParty);
    QFont big = m_party->font();
    big.setBold(true);
    big.setPointSizeF(big.pointSizeF() * 1.2);
    m_party->setFont(big);
    m_party->setTextInteractionFlags(Qt::TextSelectableByMouse);
    const bool outgoing = call->direction() == Call::Direction::Outgoing;
    m_direction = label("callDirection", this, outgoing ? tr("→ called from %1").arg(accountName) : tr("← calling %1").arg(accountName));
    m_stateLabel = label("callState", this);
    m_stateLabel->setFont(big);
    m_timer = label("callTimer", this, CallSummary::durationText(0));
    m_timer->setToolTip(tr("Time since the answer"));
    m_codec = label("callCodec", this);
    m_codec->setToolTip(tr("The codec both sides agreed on"));
    m_remote = label("callRemoteAddress", this);
    m_remote->setToolTip(tr("Where our RTP goes, and where the far end's comes from"));
    m_security = label("callSecurity", this);
    m_security->setToolTip(tr("Media encryption: the SRTP suite both sides agreed on (keys exchanged in the SDP), or plain RTP"));

    m_answer = button("answerCallButton", tr("&Answer"), u"call-start", tr("Answer this call"), this);
    m_hold = button("holdButton", tr("&Hold"), u"call-hold", tr("Put the call on hold (re-INVITE with sendonly)"), this);
    m_hold->setCheckable(true);
    m_mute = button("muteButton", tr("&Mute"), u"mic-muted", tr("Send silence instead of the audio source"), this);
    m_mute->setCheckable(true);
    m_hangUp = button("hangUpButton", tr("Hang &up"), u"call-stop", tr("End the call"), this);
    m_close = button("closeButton", tr("&Close"), u"close", tr("Remove this ended call from the list"), this);

    // Live quality: counters a few times a second.
    m_sent = label("rtpSent", this, QStringLiteral("0"));
    m_received = label("rtpReceived", this, QStringLiteral("0"));
    m_lost = label("rtpLost", this, QStringLiteral("0"));
    m_jitter = label("jitter", this, QStringLiteral("—"));
    m_rtt = label("rtt", this, QStringLiteral("—"));
    m_mos = label("mos", this, QStringLiteral("—"));
    auto *quality = new QGridLayout;
    quality->setHorizontalSpacing(16);
    const QList<std::pair<QString, QLabel *>> figures {
        {tr("Sent"), m_sent}, {tr("Received"), m_received}, {tr("Lost"), m_lost}, {tr("Jitter"), m_jitter}, {tr("RTT"), m_rtt}, {tr("MOS"), m_mos}};
    for (int i = 0; i < figures.size(); ++i) {
        auto *title = new QLabel(figures[i].first, this);
        title->setEnabled(false); // the dimmed look of a caption
        quality->addWidget(title, 0, i);
        quality->addWidget(figures[i].second, 1, i);
    }
    quality->setColumnStretch(int(figures.size()), 1);
    m_sent->setToolTip(tr("RTP packets sent"));
    m_received->setToolTip(tr("RTP packets received"));
    m_lost->setToolTip(tr("RTP packets lost (RFC 3550 cumulative), and the fraction lost over the last report interval"));
    m_jitter->setToolTip(tr("Interarrival jitter (RFC 3550 A.8)"));
    m_rtt->setToolTip(tr("Round-trip time from the far end's RTCP reports"));
    m_mos->setToolTip(tr("E-model estimate of the listening quality, 1 (bad) to 4.5 (best for narrowband)"));
    m_audioPath = label("audioPath", this, tr("waiting for audio"));
    m_audioPath->setWordWrap(true);
    m_audioPath->setToolTip(tr("Where the audio stops, from the counters of both media paths"));
    m_timing = label("callTiming", this);
    m_timing->setWordWrap(true);

    m_findings = new QListWidget(this);
    m_findings->setObjectName(QStringLiteral("callFindings"));
    m_findings->setWordWrap(true);
    m_findings->setMaximumHeight(m_findings->fontMetrics().height() * 5);
    m_findings->hide();

    buildNegotiation();
    buildDtmf();

    auto *head = new QHBoxLayout;
    head->addWidget(m_party, 1);
    head->addWidget(m_stateLabel);
    auto *info = new QHBoxLayout;
    info->addWidget(m_timer);
    info->addSpacing(12);
    info->addWidget(m_codec);
    info->addSpacing(12);
    info->addWidget(m_security);
    info->addSpacing(12);
    info->addWidget(m_remote, 1);
    auto *buttons = new QHBoxLayout;
    for (QPushButton *b : {m_answer, m_hold, m_mute, m_hangUp, m_close})
        buttons->addWidget(b);
    buttons->addStretch();
    auto *layout = new QVBoxLayout(this);
    layout->addLayout(head);
    layout->addWidget(m_direction);
    layout->addLayout(info);
    layout->addLayout(buttons);
    layout->addLayout(quality);
    layout->addWidget(m_audioPath);
    layout->addWidget(m_timing);
    layout->addWidget(m_findings);
    layout->addWidget(m_negotiationToggle);
    layout->addWidget(m_negotiation);
    layout->addWidget(m_dtmfToggle);
    layout->addWidget(m_dtmf);

    m_clock = new QTimer(this);
    m_clock->setInterval(1000);
    connect(m_clock, &QTimer::timeout, this, &CallPanel::tick);
    m_clock->start();

    connect(m_answer, &QPushButton::clicked, this, [this] {
        if (m_call)
            m_call->answer();
    });
    connect(m_hold, &QPushButton::clicked, this, &CallPanel::setHold);
    connect(m_mute, &QPushButton::toggled, this, [this](bool muted) {
        if (m_call)
            m_call->setMuted(muted);
        m_mute->setText(muted ? tr("Un&mute") : tr("&Mute"));
    });
    connect(m_hangUp, &QPushButton::clicked, this, [this] {
        if (!m_call)
            return;
        if (m_call->state() == Call::State::Incoming)
            m_call->reject(603);
        else
            m_call->hangUp();
    });
    connect(m_close, &QPushButton::clicked, this, &CallPanel::closeRequested);

    connect(call, &Call::stateChanged, this, &CallPanel::onStateChanged);
    connect(call, &Call::statsUpdated, this, &CallPanel::onStats);
    connect(call, &Call::negotiated, this, &CallPanel::onNegotiated);
    connect(call, &Call::finding, this, &CallPanel::onFinding);
    connect(call, &Call::ended, this, &CallPanel::onEnded);
    connect(call, &QObject::destroyed, this, [this] {
        if (!m_ended)
            onEnded(sip::SessionEnd {sip::SessionEnd::Cause::TransportError, 0, "the call went away"});
    });

    m_stats = call->stats();
    onNegotiated();
    onStateChanged();
}

QString CallPanel::stateText() const { return m_stateLabel->text(); }

void CallPanel::buildDtmf()
{
    m_dtmfToggle = sectionToggle(
        "dtmfToggle", tr("DTMF"), tr("Digits sent and received in each mode, what the far end really does, and the spectrogram of what arrives"), this);
    m_dtmf = new DtmfPanel(this);
    m_dtmf->setObjectName(QStringLiteral("dtmfPanel"));
    m_dtmf->setMinimumHeight(260);
    m_dtmf->hide();
    connect(m_dtmfToggle, &QToolButton::toggled, this, [this](bool open) {
        m_dtmfToggle->setArrowType(open ? Qt::DownArrow : Qt::RightArrow);
        m_dtmf->setVisible(open);
    });
    if (!m_call)
        return;
    Call *call = m_call;
    auto refresh = [this] {
        if (!m_call)
            return;
        m_dtmf->setDigits(m_call->dtmfAnalyzer().digits());
        m_dtmf->setFindings(m_call->dtmfAnalyzer().findings());
    };
    connect(call, &Call::dtmf, this, [this, refresh] {
        refresh();
        if (!m_dtmfToggle->isChecked())
            m_dtmfToggle->setText(tr("DTMF (%1)").arg(m_call->dtmfAnalyzer().digits().size()));
    });
    connect(call, &Call::dtmfFinding, this, [this, refresh](const dtmf::Finding &f) {
        refresh();
        onFinding(QString::fromLatin1(dtmf::severityName(f.severity)), f.text);
    });
    connect(call, &Call::spectrum, m_dtmf, &DtmfPanel::appendSpectrum);
    connect(call, &Call::farEndDtmf, m_dtmf, &DtmfPanel::addFarEndDigit);
    call->setSpectrogramEnabled(true); // a few µs per 16 ms of audio: always on, so the picture is there when opened
    refresh();
}

void CallPanel::buildNegotiation()
{
    m_negotiationToggle
        = sectionToggle("negotiationToggle", tr("Negotiation"), tr("The SDP offer and answer side by side with what arrives on the wire"), this);

    m_negotiation = new QTreeWidget(this);
    m_negotiation->setObjectName(QStringLiteral("negotiation"));
    m_negotiation->setColumnCount(4);
    m_negotiation->setRootIsDecorated(false);
    m_negotiation->setUniformRowHeights(true);
    m_negotiation->setWordWrap(false);
    m_negotiation->header()->setSectionResizeMode(QHeaderView::ResizeToContents);
    m_negotiation->hide();
    connect(m_negotiationToggle, &QToolButton::toggled, this, [this](bool open) {
        m_negotiationToggle->setArrowType(open ? Qt::DownArrow : Qt::RightArrow);
        m_negotiation->setVisible(open);
        if (open)
            updateNegotiation();
    });
}

void CallPanel::onStateChanged()
{
    if (!m_call || m_ended)
        return;
    m_state = m_call->state();
    if (!m_answeredAt.isValid() && (m_state == Call::State::Connecting || m_state == Call::State::Active))
        m_answeredAt = QDateTime::currentDateTime();
    m_pddMs = m_call->postDialDelayMs();
    m_stateLabel->setText(CallSummary::stateText(m_state));
    if (m_state == Call::State::Held && !m_offerIsOurs) {
        m_offerIsOurs = true; // we held: our re-INVITE offered (also when the phone held this call for another)
        updateNegotiation();
    }
    updateButtons();
    updateTiming();
}

void CallPanel::onStats(const media::StreamStats &stats)
{
    m_stats = stats;
    if (m_call)
        m_connectedMs = m_call->connectedMs();
    updateQuality();
    if (m_negotiation->isVisible())
        updateNegotiation();
}

void CallPanel::onNegotiated()
{
    if (!m_call)
        return;
    // Who offered: outgoing calls in the INVITE; incoming ones the caller, unless its INVITE had no
    // SDP (RFC 3261 13.2.1: then our 200 offers). Later, a re-INVITE from whoever sent it: ours from
    // the Hold button (or a hold by the phone, see onStateChanged), else the far end's.
    if (!m_offerSettled && !m_call->localSdp().isEmpty()) {
        m_offerSettled = true;
        m_offerIsOurs = m_call->direction() == Call::Direction::Outgoing || m_call->remoteSdp().isEmpty();
    } else if (m_ourOfferPending) {
        m_offerIsOurs = true;
    } else if (m_answeredAt.isValid() && m_call->remoteSdp() != m_remoteSdp) {
        m_offerIsOurs = false;
    }
    m_ourOfferPending = false;
    m_negotiated = m_call->negotiation();
    m_localSdp = m_call->localSdp();
    m_remoteSdp = m_call->remoteSdp();
    m_codec->setText(m_call->codec());
    if (m_negotiated)
        m_remote->setText(tr("RTP to %1:%2").arg(QString::fromLatin1(m_negotiated->remoteAddress)).arg(m_negotiated->remotePort));
    updateQuality();
    updateNegotiation();
}

void CallPanel::updateSecurity()
{
    if (!m_negotiated) {
        m_security->clear();
        return;
    }
    QString text = m_negotiated->srtp ? tr("SRTP %1").arg(QString::fromLatin1(sdp::cryptoSuiteName(m_negotiated->srtp->suite))) : tr("RTP (not encrypted)");
    const media::StreamStats &s = m_stats;
    const bool failing = m_negotiated->srtp && s.srtpAuthFailures > 0;
    if (failing)
        text += tr(", %n packet(s) failed authentication", nullptr, int(std::min<quint64>(s.srtpAuthFailures, INT_MAX)));
    if (m_security->text() != text)
        m_security->setText(text);
    if (m_security->property("problem").toBool() != failing) {
        m_security->setProperty("problem", failing);
        setTone(m_security, failing ? std::optional(Tone::Bad) : std::nullopt);
    }
}

void CallPanel::onFinding(const QString &severity, const QString &text)
{
    auto *item = new QListWidgetItem(QStringLiteral("%1: %2").arg(severity, text), m_findings);
    if (severity != QLatin1String("info"))
        item->setBackground(toneBackground(Tone::Bad));
    m_findings->show();
    m_findings->scrollToBottom();
}

void CallPanel::onEnded(const sip::SessionEnd &end)
{
    if (m_ended)
        return;
    if (m_call) {
        m_stats = m_call->stats();
        m_connectedMs = m_call->connectedMs();
    }
    m_ended = true;
    m_state = Call::State::Ended;
    m_clock->stop();
    m_endText = CallSummary::endText(end);
    m_stateLabel->setText(tr("Ended: %1").arg(m_endText));
    m_timer->setText(CallSummary::durationText(m_connectedMs));
    updateButtons();
    updateQuality();
    updateTiming();
}

void CallPanel::tick()
{
    if (m_call && m_answeredAt.isValid()) {
        m_connectedMs = m_call->connectedMs();
        m_timer->setText(CallSummary::durationText(m_connectedMs));
    }
}

void CallPanel::updateButtons()
{
    const bool live = !m_ended && m_state != Call::State::Ending;
    const bool established = m_state == Call::State::Active || m_state == Call::State::Held || m_state == Call::State::RemoteHeld;
    m_answer->setVisible(m_state == Call::State::Incoming && !m_ended);
    m_hold->setEnabled(live && established);
    {
        const QSignalBlocker block(m_hold);
        m_hold->setChecked(m_state == Call::State::Held);
    }
    m_hold->setText(m_hold->isChecked() ? tr("&Resume") : tr("&Hold"));
    m_mute->setEnabled(live);
    m_hangUp->setEnabled(live);
    m_hangUp->setText(m_state == Call::State::Incoming ? tr("&Decline") : tr("Hang &up"));
    m_hangUp->setVisible(!m_ended);
    m_close->setVisible(m_ended);
}

void CallPanel::updateQuality()
{
    const media::StreamStats &s = m_stats;
    updateSecurity();
    m_sent->setText(QString::number(s.rtpSent));
    m_received->setText(QString::number(s.rtpReceived));
    m_lost->setText(s.fractionLost > 0 ? tr("%1 (%2%)").arg(s.lost).arg(s.fractionLost * 100, 0, 'f', 1) : QString::number(s.lost));
    m_jitter->setText(CallSummary::msText(s.rtpReceived > 1 ? std::optional<double>(s.jitterMs) : std::nullopt));
    m_rtt->setText(CallSummary::msText(s.rttMs));
    m_mos->setText(s.mos > 0 ? QString::number(s.mos, 'f', 2) : QStringLiteral("—"));
    const QStringList problems = m_ended ? QStringList() : CallSummary::audioProblems(s, m_negotiated, m_connectedMs, m_soundCard);
    m_audioPath->setText(m_ended ? tr("call ended: %1 packets sent, %2 received").arg(s.rtpSent).arg(s.rtpReceived)
                                 : CallSummary::audioPath(s, m_negotiated, m_connectedMs, m_soundCard));
    // Only when the verdict flips, not at every update.
    if (const bool problem = !problems.isEmpty(); m_audioPath->property("problem").toBool() != problem) {
        m_audioPath->setProperty("problem", problem);
        setTone(m_audioPath, problem ? std::optional(Tone::Bad) : std::nullopt);
    }
    if (m_negotiated && !s.lastSource.isEmpty()) {
        const QString expected = QStringLiteral("%1:%2").arg(QString::fromLatin1(m_negotiated->remoteAddress)).arg(m_negotiated->remotePort);
        m_remote->setText(s.lastSource == expected ? tr("RTP to and from %1").arg(expected) : tr("RTP to %1, from %2").arg(expected, s.lastSource));
    }
}

void CallPanel::updateNegotiation()
{
    const QByteArray &offer = m_offerIsOurs ? m_localSdp : m_remoteSdp;
    const QByteArray &answer = m_offerIsOurs ? m_remoteSdp : m_localSdp;
    const QList<NegotiationRow> rows = CallSummary::negotiationRows(offer, answer, m_negotiated, m_stats, m_offerIsOurs);
    if (m_negotiation->headerItem()->text(1) != CallSummary::offeredTitle(m_offerIsOurs))
        m_negotiation->setHeaderLabels({QString(), CallSummary::offeredTitle(m_offerIsOurs), CallSummary::answeredTitle(m_offerIsOurs), tr("On the wire")});
    // Items are kept and only their texts change: stats arrive a few times a second.
    while (m_negotiation->topLevelItemCount() > rows.size())
        delete m_negotiation->takeTopLevelItem(m_negotiation->topLevelItemCount() - 1);
    while (m_negotiation->topLevelItemCount() < rows.size())
        new QTreeWidgetItem(m_negotiation);
    for (int i = 0; i < rows.size(); ++i) {
        const NegotiationRow &r = rows[i];
        QTreeWidgetItem *item = m_negotiation->topLevelItem(i);
        const QStringList texts {r.item, r.offered, r.answered, r.received};
        for (int c = 0; c < texts.size(); ++c) {
            if (item->text(c) != texts[c])
                item->setText(c, texts[c]);
            const QBrush brush = !r.problem.isEmpty() && c == 3 ? toneBackground(Tone::Bad) : QBrush();
            if (item->background(c) != brush)
                item->setBackground(c, brush);
            if (item->toolTip(c) != r.problem)
                item->setToolTip(c, r.problem);
        }
    }
}

void CallPanel::updateTiming()
{
    QStringList parts;
    if (m_pddMs >= 0)
        parts << tr("post-dial delay %1 ms").arg(m_pddMs);
    if (m_answeredAt.isValid()) {
        parts << tr("answered at %1, %2 s after the start")
                     .arg(QLocale().toString(m_answeredAt.time(), QLocale::LongFormat))
                     .arg(m_startTime.msecsTo(m_answeredAt) / 1000.0, 0, 'f', 1);
    }
    m_timing->setText(parts.join(QStringLiteral(" · ")));
    m_timing->setVisible(!parts.isEmpty());
}

void CallPanel::setHold(bool hold)
{
    if (!m_call)
        return;
    m_ourOfferPending = true;
    m_call->setHold(hold);
    // The button follows the call's state once the far end has answered the re-INVITE.
    const QSignalBlocker block(m_hold);
    m_hold->setChecked(m_call->state() == Call::State::Held);
}

} // namespace ds::ui
