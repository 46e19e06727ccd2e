#pragma once
// DemoPeer: dialscope's built-in demo peer — a small SIP peer on loopback only, talking real SIP and
// RTP over real sockets: a registrar for the user `demo` (DemoRegistrar) and three extensions, `echo`
// (what it hears comes back ~300 ms later), `tone` (1004 Hz at -10 dBFS peak) and `dtmf` (reports every
// digit it detects, in any mode, in an in-dialog MESSAGE). Not a PBX: it never calls anyone. Main thread.

#include "phone/account.h"
#include "phone/call.h"
#include "phone/call_center.h"
#include "phone/user_agent.h"

#include "demo/demo_registrar.h"
#include "dtmf/digit_event.h"
#include "sip/clock.h"
#include "sip/trace_event.h"

#include <QHostAddress>
#include <QObject>
#include <QStringList>

#include <expected>
#include <memory>

namespace ds::media {
class MediaEngine;
}

namespace ds::demo {

class DemoPeer final : public QObject {
    Q_OBJECT
public:
    // The extensions, by the user part of the Request-URI (any case).
    enum class Extension { Echo, Tone, Dtmf };
    static constexpr int kEchoDelayMs = 300; // how much later the echo comes back
    static constexpr double kToneHz = 1004; // ITU-T O.6 / the digital milliwatt's test frequency
    static constexpr double kToneDbfs = -10; // peak (TonePort's level): -13 dBFS RMS
    static QString extensionName(Extension e); // "echo", "tone", "dtmf"
    static QStringList extensionNames();

    // Calls take their RTP streams from media (e.g. Phone::mediaEngine()); it must outlive the peer.
    explicit DemoPeer(media::MediaEngine &media, QObject *parent = nullptr);
    ~DemoPeer() override; // hangs up the calls under way

    // The password of the user `demo`; set before start(), else a random one. Never logged.
    void setPassword(const QByteArray &password);
    QByteArray password() const { return m_password; }

    // Listens for SIP on address:port over UDP (port 0: a free one). Loopback only (127.0.0.0/8,
    // ::1): any other address is refused with an error, and so is a port that cannot be bound.
    std::expected<void, QString> start(const QHostAddress &address = QHostAddress(QHostAddress::LocalHost), quint16 port = 0);
    bool isRunning() const;
    sip::Endpoint endpoint() const; // where it listens; empty before start()
    // An account registered at the peer, ready for Phone::setAccount with password(): id "demo",
    // "Demo (built-in)", user demo, server "127.0.0.1:PORT" over UDP, DTMF auto. Empty before start().
    phone::Account account() const;
    // "sip:echo@127.0.0.1:PORT": where to call an extension directly. Empty before start().
    QString uriOf(Extension e) const;

    DemoRegistrar *registrar() const { return m_registrar.get(); } // null before start()
    QList<phone::Call *> calls() const;

signals:
    // A binding of the user demo was added or refreshed (contact URI, seconds granted).
    void registered(const QString &contact, int expires);
    // A binding went: removed by its client or expired.
    void unregistered(const QString &contact);
    void registrationRefused(const QString &explanation); // wrong password, bad request...
    // A call to an extension was answered / ended (the call is deleted soon after callEnded: copy
    // what you need; remoteParty(), codec(), end().reason say who, how and why).
    void callStarted(const QString &extension, ds::phone::Call *call);
    void callEnded(const QString &extension, ds::phone::Call *call);
    // An INVITE for no extension (answered 404), or refused otherwise; user: its Request-URI user.
    void callRefused(const QString &user, int status, const QString &reason);
    // The DTMF reporter detected a digit (dir In) and queued its report to the caller.
    void digitReported(ds::phone::Call *call, const ds::dtmf::DigitEvent &event);
    // Every SIP message in and out, for logs and ladders.
    void traced(const ds::sip::TraceEvent &event);
    void finding(const QString &severity, const QString &text);

private:
    std::expected<phone::CallSettings, sip::InviteRefusal> settingsFor(const sip::Message &invite);
    void onCallAdded(phone::Call *call);
    void onBindingsChanged();

    media::MediaEngine &m_media;
    sip::SystemClock m_clock;
    QByteArray m_password;
    std::unique_ptr<phone::UserAgent> m_agent;
    std::unique_ptr<DemoRegistrar> m_registrar;
    std::unique_ptr<phone::CallCenter> m_center; // destroyed first: hangs up over the stack
    QList<DemoRegistrar::Binding> m_bindings; // as last reported
};

} // namespace ds::demo
