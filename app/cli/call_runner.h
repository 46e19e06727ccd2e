#pragma once
// CallRunner: what `dialscope call` and `dialscope answer` share — the account options, the stack
// (agent, optional registration, media thread, call center), the `call`/`media`/`finding` events
// of each call, and the unregistration and exit at the end.

#include "event_writer.h"
#include "options.h"
#include "session_capture.h"

#include "media/media_engine.h"
#include "phone/call_center.h"
#include "phone/registration.h"

#include <QCommandLineParser>
#include <QJsonObject>
#include <QTimer>

#include <memory>

namespace ds::cli {

// --server --user --password --auth-user --domain --display-name --no-register --codecs --play
// --record --duration --srtp, on top of the common options.
void addCallOptions(QCommandLineParser &p);

struct CallOptions {
    phone::Account account;
    QByteArray password;
    bool registerFirst = true; // a server was given and --no-register was not
    phone::CallSettings settings;
    double durationS = -1; // hang up after this long in the call; -1: wait for the far end
    QString dtmfDigits; // --dtmf: sent once the call is answered (after --dtmf-delay)
    std::optional<phone::DtmfMode> dtmfMode; // --dtmf-mode; else the settings' (auto)
    double dtmfDelayS = 1.0;
};
// For `call`, target is the TARGET argument (its host is the server of a direct call).
std::expected<CallOptions, QString> readCallOptions(const QCommandLineParser &p, const CommonOptions &common, const QString &target);

class CallRunner final : public QObject {
    Q_OBJECT
public:
    CallRunner(CallOptions options, CommonOptions common, EventWriter &out);
    ~CallRunner() override;

    // Starts the agent and registers; then calls ready().
    void start(std::function<void()> ready);
    phone::CallCenter &center() { return *m_center; }
    phone::UserAgent &agent() { return *m_agent; }
    const CallOptions &options() const { return m_options; }
    // Reports a call's events, hangs it up after --duration; done() when it ended.
    void follow(phone::Call *call, std::function<void(phone::Call *)> done);
    // The `rtp` object of a call's result.
    static QJsonObject rtpFields(const media::StreamStats &s);
    // dtmf_sent / dtmf_received (digit strings) and dtmf_findings of a call's result.
    static void addDtmfFields(QJsonObject &result, const phone::Call &call);
    // Unregisters (when registered), prints the ladder and the result, exits the event loop with code.
    void finish(QJsonObject result, int code);
    // A failure before any call: registration or stack.
    void fail(const QString &outcome, int status, const QString &reason, int code);

private:
    void followDtmf(phone::Call *call);
    qint64 dtmfSequenceMs() const; // how long --dtmf takes to send, roughly

    CallOptions m_options;
    CommonOptions m_common;
    EventWriter &m_out;
    sip::SystemClock m_clock;
    std::unique_ptr<media::MediaEngine> m_media;
    std::unique_ptr<phone::UserAgent> m_agent;
    std::unique_ptr<phone::Registration> m_registration;
    std::unique_ptr<phone::CallCenter> m_center;
    SessionCapture m_capture;
    QTimer m_overall;
    bool m_finishing = false;
    QString m_srtp; // "off" or the suite of the last call that ended
    QString m_srtpFinding; // what that call said about its media security
};

} // namespace ds::cli
