#pragma once
// screenInvite: whether a new incoming INVITE is for us at all — addressed to our user (and, when
// it names one, to our instance: RFC 5626 +sip.instance, RFC 5627 GRUU gr=) and, when the account
// takes calls only through its server, coming from the server's address. What scanners (sipvicious
// svmap/svwar) send fails these, and is refused without ringing.

#include "message.h"

#include <QHostAddress>
#include <QList>

#include <optional>

namespace ds::sip {

struct InviteScreen {
    QList<QByteArray> users; // Request-URI user parts we answer to; empty: any (direct calls)
    QByteArray instance; // our +sip.instance ("<urn:uuid:...>"); empty: not checked
    QHostAddress onlyFrom; // calls only through this address (the registrar/proxy); null: from anywhere
};

struct InviteRefusal {
    int status = 404;
    QByteArray reason; // the reason phrase
    QString why; // in plain words, for the trace reader
};

// nullopt: ring. Otherwise the response to refuse it with: 403 from an address that is not the
// server's when calls come only through it, 404 for a user or instance that is not ours.
std::optional<InviteRefusal> screenInvite(const Message &invite, const QHostAddress &source, const InviteScreen &screen);

} // namespace ds::sip
