#pragma once
// CallPanel: one call as a person follows it — who, state, timer, codec and remote address; hold,
// mute, hang up; live quality, where the audio stops, the call's findings, and the offer/answer
// side by side with what actually arrives. Keeps its last figures once the call is gone.

#include "media/stream_params.h"
#include "phone/call.h"

#include <QDateTime>
#include <QFrame>
#include <QPointer>

class QLabel;
class QListWidget;
class QPushButton;
class QTimer;
class QToolButton;
class QTreeWidget;

namespace ds::ui {

class DtmfPanel;

class CallPanel final : public QFrame {
    Q_OBJECT
public:
    CallPanel(ds::phone::Call *call, const QString &accountName, QWidget *parent = nullptr);

    ds::phone::Call *call() const { return m_call; } // null once the call is deleted
    bool isEnded() const { return m_ended; }
    QString stateText() const;
    QString remoteParty() const { return m_remoteParty; }

signals:
    void closeRequested(); // the Close button of an ended call

private:
    void buildNegotiation();
    void buildDtmf();
    void onStateChanged();
    void onStats(const ds::media::StreamStats &stats);
    void onNegotiated();
    void onFinding(const QString &severity, const QString &text);
    void onEnded(const ds::sip::SessionEnd &end);
    void tick();
    void updateButtons();
    void updateQuality();
    void updateSecurity();
    void updateNegotiation();
    void updateTiming();
    void setHold(bool hold);

    QPointer<ds::phone::Call> m_call;
    QString m_remoteParty;
    ds::phone::Call::State m_state;
    bool m_ended = false;
    bool m_offerIsOurs; // in the negotiation table: the offer is ours, the answer theirs
    bool m_offerSettled = false; // the first offer/answer has been seen
    bool m_ourOfferPending = false; // Hold/Resume sent a re-INVITE with our offer
    bool m_soundCard;
    ds::media::StreamStats m_stats;
    std::optional<ds::sdp::Negotiated> m_negotiated;
    QByteArray m_localSdp, m_remoteSdp;
    QDateTime m_startTime;
    QDateTime m_answeredAt;
    qint64 m_connectedMs = 0;
    qint64 m_pddMs = -1;
    QString m_endText;

    QLabel *m_party;
    QLabel *m_direction;
    QLabel *m_stateLabel;
    QLabel *m_timer;
    QLabel *m_codec;
    QLabel *m_security; // "SRTP AES_CM_128_HMAC_SHA1_80" or "RTP (not encrypted)", and SRTP authentication failures
    QLabel *m_remote;
    QPushButton *m_answer;
    QPushButton *m_hold;
    QPushButton *m_mute;
    QPushButton *m_hangUp;
    QPushButton *m_close;
    QLabel *m_sent;
    QLabel *m_received;
    QLabel *m_lost;
    QLabel *m_jitter;
    QLabel *m_rtt;
    QLabel *m_mos;
    QLabel *m_audioPath;
    QLabel *m_timing;
    QListWidget *m_findings;
    QToolButton *m_negotiationToggle;
    QTreeWidget *m_negotiation;
    QToolButton *m_dtmfToggle;
    DtmfPanel *m_dtmf; // the call's digits per mode, the analyzer's findings, the received spectrogram
    QTimer *m_clock;
};

} // namespace ds::ui
