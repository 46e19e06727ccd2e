#pragma once
// LadderOverlay: the transaction of a selected ladder message — its request, the responses, the
// retransmissions, the ACK/CANCEL of an INVITE — and the 401/407 challenges answered by a retry
// with credentials, found from the store's transaction links with bounded work, for the view to
// highlight (RFC 3261 17, 22.2).

#include "diag/ladder_model.h"

#include <vector>

namespace ds::ui {

// A 401/407 challenge and the request that answers it with credentials.
struct AuthLink {
    quint32 challenge = diag::kNoMessage;
    quint32 retry = diag::kNoMessage;
};

struct LadderOverlay {
    std::vector<quint32> messages; // sorted: the transaction and both ends of its auth links
    std::vector<AuthLink> authLinks;
    bool contains(quint32 message) const;
};

// Looks at the messages of the same call within a few thousand of the transaction's request.
LadderOverlay ladderOverlay(const ds::diag::LadderModel &model, quint32 message);

} // namespace ds::ui
