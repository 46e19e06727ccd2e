#pragma once
// Outcome: how a registration attempt ended, classified as ARCHITECTURE.md lists, with the
// sentence a support engineer would say about it.

#include <QMetaType>
#include <QString>

namespace ds::phone {

enum class Outcome {
    Registered,
    Unregistered,
    WrongCredentials,
    Forbidden,
    NotFound,
    Timeout,
    TlsError,
    DnsError,
    NetworkError,
    ServerError,
    Refused,
};

QString outcomeName(Outcome o); // "wrong-credentials"
bool outcomeIsNetwork(Outcome o); // timeout, TLS, DNS or network: exit status 3

struct Diagnosis {
    Outcome outcome = Outcome::Refused;
    int status = 0; // the deciding SIP status, 0 when none
    QString reason; // one sentence
};

struct ResponseContext {
    int status = 0;
    QString reasonPhrase;
    bool credentialsSent = false; // the refused request carried digest credentials
    QString user;
    QString domain;
    QString server; // "HOST:PORT over UDP"
    QString warning; // the Warning header text, if any
};

// Classifies a final non-2xx response to REGISTER (2xx is Registered).
Diagnosis classifyResponse(const ResponseContext &c);

} // namespace ds::phone

Q_DECLARE_METATYPE(ds::phone::Diagnosis)
