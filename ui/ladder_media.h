#pragma once
// LadderMedia: where a ladder draws the RTP streams — between the lifelines of the endpoints that
// send and receive them, from the last SIP row before the first packet down to the last row
// before the last packet — as a pure function of the model (no fonts, no pixels).

#include "diag/ladder_model.h"

#include <vector>

namespace ds::ui {

struct MediaPlacement {
    size_t stream = 0; // index into model.rtp()->streams()
    int from = -1, to = -1; // columns
    int afterRow = -1; // the stream's line follows this row (-1: before the first row)
    int endRow = -1; // the stream lasts to the end of this row (never before afterRow)
};

// The streams that begin within the first `rows` rows (all rows: model.rowCount()), by afterRow.
// Costs O(streams × log rows); captures are taken to be in time order.
std::vector<MediaPlacement> placeMediaStreams(const ds::diag::LadderModel &model, int rows);

// The column of an RTP address in a call, -1 when none: the endpoint with the same IP; when
// several share it (one host, several ports) or none has it (a media relay), the one whose SDP
// announced this address (RFC 4566 5.7 c=, 5.14 m=; symmetric RTP sends from the port it
// receives on).
int mediaColumn(const ds::diag::LadderModel &model, const ds::diag::NetAddress &address, quint32 call);

} // namespace ds::ui
