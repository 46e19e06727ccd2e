#pragma once
// CallCenter: the calls of one account — places outgoing calls, takes incoming INVITEs, routes
// each in-dialog request and stray 2xx to its call, and keeps one call active (others held).

#include "call.h"
#include "call_settings.h"
#include "registration.h"
#include "user_agent.h"

#include "sip/authenticator.h"
#include "sip/invite_screen.h"

#include <QObject>
#include <QPointer>

#include <functional>

namespace ds::media {
class MediaEngine;
}

namespace ds::phone {

class CallCenter final : public QObject {
    Q_OBJECT
public:
    // Calls at once (ringing, active, held); a new INVITE beyond gets 486 Busy Here.
    static constexpr int kMaxCalls = 8;

    // registration may be null (calls without registering: direct calls, --no-register).
    CallCenter(UserAgent &agent, Registration *registration, media::MediaEngine &media, QByteArray password, QObject *parent = nullptr);
    ~CallCenter() override;

    // Settings for calls from now on (codecs, audio, auto-answer).
    void setSettings(CallSettings settings) { m_settings = std::move(settings); }
    const CallSettings &settings() const { return m_settings; }

    // Calls TARGET: a number or user ("1000"), user@host, or a sip:/sips:/tel: URI. The agent
    // must be ready. The call is owned by the center and deleted after it ended.
    std::expected<Call *, QString> dial(const QString &target);
    std::expected<Call *, QString> dial(const QString &target, const CallSettings &settings);
    QList<Call *> calls() const;
    // Decides, per new incoming INVITE that passed the screen, the settings of its call, or the final
    // response that refuses it (status, reason phrase). Unset: every call gets settings().
    using IncomingPolicy = std::function<std::expected<CallSettings, sip::InviteRefusal>(const sip::Message &invite)>;
    void setIncomingPolicy(IncomingPolicy policy) { m_incomingPolicy = std::move(policy); }
    // Whether new incoming calls are taken (else 480); calls under way go on either way.
    void setAccepting(bool accepting) { m_accepting = accepting; }

    // What a new INVITE must satisfy to ring: our user (and instance) when registered through a
    // server, and the server's address when the account takes calls only through it.
    sip::InviteScreen inviteScreen() const;

    // The Request-URI for TARGET in our domain; an error names what is wrong with it.
    static std::expected<QByteArray, QString> targetUri(const QString &target, const QString &domain);

signals:
    void callAdded(ds::phone::Call *call); // outgoing or incoming, before it rings
    void incomingCall(ds::phone::Call *call);
    void callEnded(ds::phone::Call *call); // deleted soon after; copy what you need
    void authComputed(const ds::sip::AuthExplanation &explanation);

private:
    bool onRequest(const sip::Message &request, sip::ServerTransaction *transaction);
    void onStrayResponse(const sip::Message &response);
    bool refuse(const sip::Message &request, sip::ServerTransaction *transaction);
    void respondRefusal(const sip::Message &request, sip::ServerTransaction *transaction, const sip::InviteRefusal &refusal);
    bool matchesDialog(const sip::Message &request) const;
    sip::SessionContext sessionContext();
    QByteArray contactValue() const;
    QByteArray aorUri() const;
    void adopt(Call *call);
    void holdOthers(Call *active);

    UserAgent &m_agent;
    QPointer<Registration> m_registration;
    media::MediaEngine &m_media;
    sip::Authenticator m_auth;
    CallSettings m_settings;
    IncomingPolicy m_incomingPolicy;
    QList<Call *> m_calls;
    bool m_accepting = true;
};

} // namespace ds::phone
