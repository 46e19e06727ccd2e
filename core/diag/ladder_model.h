#pragma once
// LadderModel: the sequence diagram of a TraceStore without any widget (after Wireshark's
// seq_analysis) — columns (endpoints, named), rows (the messages that pass the filter), calls
// (one per Call-ID, related ones merged on demand), arrow labels and the transaction links.
// It grows incrementally with the store (live mode); label work is done only for rows shown,
// so the GUI view, the text/SVG/PNG renderers and the CLI all draw from the same model.

#include "rtp_tracker.h"
#include "trace_store.h"

#include <QHash>
#include <QList>
#include <QSet>
#include <QString>

#include <vector>

namespace ds::diag {

struct LadderColumn {
    quint32 endpoint = 0;
    QString address; // "10.0.0.1:5060", "[::1]:5060"
    QString name; // "dialscope", "PBX", or empty
    bool unsolicited = false; // only ever sent requests nobody asked for (scanners): drawn apart
    QString title() const { return name.isEmpty() ? address : name + QLatin1Char(' ') + address; }
};

// One row of the call list next to the ladder.
struct LadderCallSummary {
    quint32 call = 0;
    QString callId;
    QString method; // what the Call-ID was created for: INVITE, REGISTER, OPTIONS, ...
    QString from, to; // the URIs of the first message
    QString state; // "answered", "busy (486)", "cancelled", "ended", "registered", "challenged", ...
    qint64 firstUs = 0, lastUs = 0;
    quint32 messages = 0;
    bool unsolicited = false;
};

struct LadderFilter {
    QSet<quint32> calls; // empty: every call
    QSet<QByteArray> methods; // request methods (responses follow their CSeq method); empty: all
    // Status classes shown: bit 0 requests, bit k responses kxx (1..6); all by default.
    quint8 statusClasses = 0x7f;
    QString text; // case-insensitive search in the raw messages; empty: no search
    bool showUnsolicited = true;
    bool showRetransmissions = true;
    bool operator==(const LadderFilter &) const = default;
};

class LadderModel {
public:
    explicit LadderModel(const TraceStore &store, const RtpTracker *rtp = nullptr);

    const TraceStore &store() const { return m_store; }
    const RtpTracker *rtp() const { return m_rtp; }

    // Names for endpoints: our own UA ("dialscope"), the registrar/proxy ("PBX"). Trusted
    // endpoints (registrar, proxy) never count as unsolicited.
    void setEndpointName(const NetAddress &address, const QString &name);
    void addTrusted(const NetAddress &address);

    // Takes in the messages the store gained since the last call; returns how many rows were
    // added (0 when the new messages were filtered out).
    int update();

    void setFilter(const LadderFilter &filter);
    const LadderFilter &filter() const { return m_filter; }
    // When set, Call-IDs related through Replaces, Refer-To or X-Call-ID / X-Orig-Call-ID
    // hints count as one call for the call filter.
    void setMergeRelated(bool merge);
    bool mergeRelated() const { return m_merge; }

    int rowCount() const { return int(m_rows.size()); }
    quint32 messageAt(int row) const { return m_rows[size_t(row)]; }
    int rowOf(quint32 message) const; // -1 when filtered out
    const std::vector<quint32> &rows() const { return m_rows; }

    int columnCount() const { return int(m_columns.size()); }
    const LadderColumn &column(int c) const { return m_columns[size_t(c)]; }
    int columnOf(quint32 endpoint) const { return endpoint < m_columnOf.size() ? m_columnOf[endpoint] : -1; }
    int fromColumn(quint32 message) const { return columnOf(m_store.record(message).src); }
    int toColumn(quint32 message) const { return columnOf(m_store.record(message).dst); }

    // Arrow text: "INVITE", "200 OK", with the SDP summary ("SDP PCMU,PCMA 10.0.0.1:4000
    // sendrecv"), DTMF INFO digits ("DTMF 5"), auth marks ("challenge", "with credentials").
    QString label(quint32 message) const; // shortLabel + annotations
    QString shortLabel(quint32 message) const; // "INVITE", "200 OK", "(retransmission)" marked
    QString annotations(quint32 message) const; // "[challenge] Digest realm=... ", "SDP ...", "DTMF 5"
    // Below the arrow: "CSeq 1 INVITE", retransmission and its timer, the link it belongs to.
    QString detail(quint32 message) const;
    QString sdpSummary(quint32 message) const; // empty without SDP
    double seconds(quint32 message) const; // since the first message of the store
    double delta(int row) const; // seconds since the previous row shown (0 for the first)

    // Calls: one per Call-ID in the store, in order of appearance.
    quint32 callCount() const { return m_store.callCount(); }
    LadderCallSummary callSummary(quint32 call) const;
    bool isUnsolicited(quint32 call) const { return call < m_unsolicited.size() && m_unsolicited[call]; }
    quint32 unsolicitedRequests() const { return m_unsolicitedRequests; }
    // The group a call belongs to (itself unless merged with related Call-IDs).
    quint32 groupOf(quint32 call) const;

    // Messages that match the search text, among the rows shown.
    bool matchesText(quint32 message) const;

private:
    bool accepts(quint32 message) const;
    void classify(quint32 message);
    void nameOwnTrace(const MessageRecord &r);
    bool isUnregister(quint32 request) const;
    void addColumnFor(quint32 endpoint, bool unsolicited);
    void rebuildRows();
    void rebuildColumns();
    quint32 findRoot(quint32 call) const;
    void refreshFilterRoots();
    QString challengeState(quint32 challenge) const; // "challenged (401)", or "failed (401)" when credentials were refused

    const TraceStore &m_store;
    const RtpTracker *m_rtp = nullptr;
    QHash<NetAddress, QString> m_names;
    QSet<NetAddress> m_trusted;
    QSet<quint32> m_knownPeers; // endpoints we sent requests to: not scanners
    QSet<quint32> m_named; // endpoints of our own trace already considered for a name
    LadderFilter m_filter;
    QByteArray m_needle; // the search text, lower case
    bool m_merge = false;
    QSet<quint32> m_filterRoots; // with merging: the groups of the filtered calls
    quint32 m_seen = 0; // messages of the store taken in
    std::vector<quint32> m_rows;
    std::vector<LadderColumn> m_columns;
    std::vector<int> m_columnOf; // by endpoint id, -1 when the endpoint has no column
    std::vector<bool> m_unsolicited; // by call
    std::vector<quint32> m_group; // by call: union-find parent for merged Call-IDs
    quint32 m_unsolicitedRequests = 0;
};

} // namespace ds::diag
