#pragma once
// Account: what a user configures for one SIP identity. The password is not part of it: it
// travels separately (keychain, environment, prompt) so that nothing that stores or prints an
// Account can leak it.

#include <QString>

namespace ds::phone {

struct Account {
    QString id; // stable key for settings and the keychain
    QString displayName;
    QString user; // user part of the AOR
    QString authUser; // digest user name when it differs from user
    QString domain; // AOR domain; when empty the server's host is the domain
    QString server; // registrar / outbound proxy: host[:port] or a SIP URI
    QString transport = QStringLiteral("udp"); // udp, tcp or tls
    int expires = 3600;
    QString dtmfMode = QStringLiteral("auto"); // how this account's calls send DTMF: auto, rfc4733, inband, info
    // Media security: off (RTP/AVP, the interoperable default, as Linphone's), optional (best-effort SRTP: RTP/AVP
    // with a=crypto), mandatory (RTP/SAVP; unencrypted calls are refused). SDES keys belong over TLS.
    QString srtp = QStringLiteral("off");
    bool callsOnlyThroughServer = false; // new calls from any address but the server's are refused (403)
    // The PBX's echo test ("*43" on FreePBX, "600" in Asterisk's sample dialplan): Calls > Test call's
    // echo test from this account. Empty: the built-in demo peer's echo.
    QString echoTest;

    bool operator==(const Account &) const = default;
    QString effectiveAuthUser() const { return authUser.isEmpty() ? user : authUser; }
};

} // namespace ds::phone
