#include "ladder_model.h"

#include "ladder_labels.h"

#include "sip/header_names.h"
#include "sip/header_values.h"

#include <QStringList>

#include <algorithm>

namespace ds::diag {

namespace {

// User agents of SIP scanners (sipvicious and friends): unsolicited in captures too.
bool isScannerAgent(QByteArrayView ua)
{
    static const char *kScanners[] = {"friendly-scanner", "sipvicious", "sipcli", "sundayddr", "iwar", "sipscan", "pplsip", "vaxsipuseragent", "sip-scan"};
    const QByteArray lower = ua.toByteArray().toLower();
    for (const char *s : kScanners)
        if (lower.contains(s))
            return true;
    return false;
}

QString reasonOf(const TraceStore &store, quint32 message)
{
    const QByteArrayView line = store.firstLine(message);
    const qsizetype sp1 = line.indexOf(' ');
    const qsizetype sp2 = sp1 < 0 ? -1 : line.indexOf(' ', sp1 + 1);
    return sp2 < 0 ? QString() : QString::fromUtf8(line.sliced(sp2 + 1));
}

} // namespace

LadderModel::LadderModel(const TraceStore &store, const RtpTracker *rtp)
    : m_store(store)
    , m_rtp(rtp)
{
}

void LadderModel::setEndpointName(const NetAddress &address, const QString &name)
{
    m_names.insert(address, name);
    for (LadderColumn &c : m_columns)
        if (m_store.endpoint(c.endpoint) == address)
            c.name = name;
}

void LadderModel::addTrusted(const NetAddress &address) { m_trusted.insert(address); }

int LadderModel::update()
{
    const size_t before = m_rows.size();
    const quint32 n = m_store.size();
    m_unsolicited.resize(m_store.callCount(), false);
    for (quint32 c = quint32(m_group.size()); c < m_store.callCount(); ++c)
        m_group.push_back(c);
    if (m_merge && !m_filter.calls.isEmpty())
        refreshFilterRoots();
    for (; m_seen < n; ++m_seen) {
        classify(m_seen);
        if (!accepts(m_seen))
            continue;
        const MessageRecord &r = m_store.record(m_seen);
        const bool scanner = isUnsolicited(r.call);
        addColumnFor(r.src, scanner);
        addColumnFor(r.dst, scanner);
        m_rows.push_back(m_seen);
    }
    return int(m_rows.size() - before);
}

void LadderModel::classify(quint32 message)
{
    const MessageRecord &r = m_store.record(message);
    // Only a request we sent makes a peer known: answering a scanner does not invite it in.
    if (r.is(MessageRecord::Directional) && r.is(MessageRecord::Outgoing) && r.is(MessageRecord::Request))
        m_knownPeers.insert(r.dst);
    if (r.is(MessageRecord::Directional))
        nameOwnTrace(r);
    if (r.call >= m_unsolicited.size())
        m_unsolicited.resize(r.call + 1, false);
    if (r.call >= m_group.size())
        for (quint32 c = quint32(m_group.size()); c <= r.call; ++c)
            m_group.push_back(c);
    const CallRecord &call = m_store.call(r.call);
    // The first request of a Call-ID is parsed once, for both questions below; nothing else is.
    std::optional<sip::Message> parsed;
    if (call.firstMessage == message && r.is(MessageRecord::Request) && !r.is(MessageRecord::Malformed))
        if (auto m = m_store.parse(message))
            parsed = std::move(*m);
    if (call.firstMessage == message && r.is(MessageRecord::Request) && !r.is(MessageRecord::Malformed) && r.toTag.length == 0) {
        bool unsolicited = false;
        if (r.is(MessageRecord::Directional)) {
            // A request out of any dialog from someone we never talked to and do not trust, while
            // calls come through a registrar or proxy; taking direct calls (no registrar), only
            // scanners by their User-Agent.
            if (!r.is(MessageRecord::Outgoing) && !m_knownPeers.contains(r.src) && !m_trusted.contains(m_store.endpoint(r.src))) {
                if (!m_trusted.isEmpty())
                    unsolicited = true;
                else if (parsed)
                    unsolicited = isScannerAgent(parsed->header(sip::HeaderId::UserAgent));
            }
        } else if (parsed) {
            unsolicited = isScannerAgent(parsed->header(sip::HeaderId::UserAgent));
        }
        m_unsolicited[r.call] = unsolicited;
    }
    if (isUnsolicited(r.call) && r.is(MessageRecord::Request))
        ++m_unsolicitedRequests;
    // Related Call-IDs (merged on demand): Replaces / Refer-To's Replaces, X-Call-ID hints.
    if (r.is(MessageRecord::Request) && call.firstMessage == message) {
        {
            if (const auto &m = parsed) {
                QList<QByteArrayView> hints;
                if (const QByteArrayView v = m->header("Replaces"); !v.isEmpty())
                    hints << v.first(std::max<qsizetype>(0, v.indexOf(';') < 0 ? v.size() : v.indexOf(';')));
                for (const char *h : {"X-Call-ID", "X-Orig-Call-ID"})
                    if (const QByteArrayView v = m->header(QByteArrayView(h)); !v.isEmpty())
                        hints << sip::trimmed(v);
                for (const QByteArrayView hint : hints) {
                    // A scanner naming one of our Call-IDs is not let into that call.
                    if (const auto other = m_store.findCall(sip::trimmed(hint));
                        other && *other != r.call && !isUnsolicited(r.call) && !isUnsolicited(*other)) {
                        const quint32 a = findRoot(r.call), b = findRoot(*other);
                        m_group[std::max(a, b)] = std::min(a, b);
                    }
                }
            }
        }
    }
}

void LadderModel::nameOwnTrace(const MessageRecord &r)
{
    // Our own trace names itself: the local side is dialscope, where we register is the PBX
    // (and trusted: requests from it are never unsolicited). Names set by the caller win.
    const quint32 local = r.is(MessageRecord::Outgoing) ? r.src : r.dst;
    if (!m_named.contains(local)) {
        m_named.insert(local);
        const NetAddress &a = m_store.endpoint(local);
        if (!m_names.contains(a))
            setEndpointName(a, QStringLiteral("dialscope"));
    }
    if (r.is(MessageRecord::Outgoing) && r.is(MessageRecord::Request) && !m_named.contains(r.dst) && m_store.methodName(r.method) == "REGISTER") {
        m_named.insert(r.dst);
        const NetAddress &a = m_store.endpoint(r.dst);
        if (!m_names.contains(a))
            setEndpointName(a, QStringLiteral("PBX"));
        addTrusted(a);
    }
}

quint32 LadderModel::findRoot(quint32 call) const
{
    while (call < m_group.size() && m_group[call] != call)
        call = m_group[call];
    return call;
}

quint32 LadderModel::groupOf(quint32 call) const { return m_merge ? findRoot(call) : call; }

bool LadderModel::accepts(quint32 message) const
{
    const MessageRecord &r = m_store.record(message);
    if (!m_filter.calls.isEmpty() && !m_filter.calls.contains(r.call)) {
        // Merged: any call of the group selects the whole group, not only its root.
        if (!m_merge)
            return false;
        if (!m_filterRoots.contains(findRoot(r.call)))
            return false;
    }
    if (!m_filter.showUnsolicited && isUnsolicited(r.call))
        return false;
    if (!m_filter.showRetransmissions && r.is(MessageRecord::Retransmission))
        return false;
    if (m_filter.statusClasses != 0x7f) {
        const int cls = r.is(MessageRecord::Request) ? 0 : std::clamp(r.status / 100, 1, 6);
        if (!(m_filter.statusClasses & (1u << cls)))
            return false;
    }
    if (!m_filter.methods.isEmpty() && !m_filter.methods.contains(m_store.methodName(r.method).toByteArray()))
        return false;
    if (!m_needle.isEmpty() && !matchesText(message))
        return false;
    return true;
}

bool LadderModel::matchesText(quint32 message) const
{
    if (m_needle.isEmpty())
        return false;
    const QByteArrayView raw = m_store.raw(message);
    const char first = m_needle[0];
    const char firstUpper = char(QChar::toUpper(uchar(first)));
    const qsizetype n = m_needle.size();
    for (qsizetype i = 0; i + n <= raw.size(); ++i) {
        const char c = raw[i];
        if (c != first && c != firstUpper)
            continue;
        if (sip::equalsNoCase(raw.sliced(i, n), m_needle))
            return true;
    }
    return false;
}

void LadderModel::setFilter(const LadderFilter &filter)
{
    if (filter == m_filter)
        return;
    m_filter = filter;
    m_needle = filter.text.toUtf8().toLower();
    rebuildRows();
}

void LadderModel::setMergeRelated(bool merge)
{
    if (merge == m_merge)
        return;
    m_merge = merge;
    rebuildRows();
}

void LadderModel::refreshFilterRoots()
{
    // The groups the call filter selects, once per rebuild rather than once per message.
    m_filterRoots.clear();
    for (const quint32 c : std::as_const(m_filter.calls))
        m_filterRoots.insert(findRoot(c));
}

void LadderModel::rebuildRows()
{
    refreshFilterRoots();
    m_rows.clear();
    for (quint32 i = 0; i < m_seen; ++i)
        if (accepts(i))
            m_rows.push_back(i);
    rebuildColumns();
}

void LadderModel::rebuildColumns()
{
    m_columns.clear();
    m_columnOf.assign(m_store.endpointCount(), -1);
    for (const quint32 i : m_rows) {
        const MessageRecord &r = m_store.record(i);
        const bool scanner = isUnsolicited(r.call);
        addColumnFor(r.src, scanner);
        addColumnFor(r.dst, scanner);
    }
}

void LadderModel::addColumnFor(quint32 endpoint, bool unsolicited)
{
    if (endpoint >= m_columnOf.size())
        m_columnOf.resize(m_store.endpointCount(), -1);
    if (m_columnOf[endpoint] >= 0) {
        LadderColumn &c = m_columns[size_t(m_columnOf[endpoint])];
        if (c.unsolicited && !unsolicited) {
            // It took part in ordinary traffic after all: no longer a scanner column. Keep the
            // order simple: move it before the unsolicited lane.
            c.unsolicited = false;
            std::stable_partition(m_columns.begin(), m_columns.end(), [](const LadderColumn &x) { return !x.unsolicited; });
            for (size_t k = 0; k < m_columns.size(); ++k)
                m_columnOf[m_columns[k].endpoint] = int(k);
        }
        return;
    }
    LadderColumn c;
    c.endpoint = endpoint;
    const NetAddress &a = m_store.endpoint(endpoint);
    c.address = a.toEndpoint().toString();
    c.name = m_names.value(a);
    c.unsolicited = unsolicited;
    if (unsolicited) {
        m_columns.push_back(c);
        m_columnOf[endpoint] = int(m_columns.size() - 1);
        return;
    }
    // Ordinary endpoints stay left of the unsolicited lane.
    const auto at = std::find_if(m_columns.begin(), m_columns.end(), [](const LadderColumn &x) { return x.unsolicited; });
    const int index = int(at - m_columns.begin());
    m_columns.insert(at, c);
    for (size_t k = size_t(index); k < m_columns.size(); ++k)
        m_columnOf[m_columns[k].endpoint] = int(k);
}

int LadderModel::rowOf(quint32 message) const
{
    const auto it = std::lower_bound(m_rows.begin(), m_rows.end(), message);
    return it != m_rows.end() && *it == message ? int(it - m_rows.begin()) : -1;
}

double LadderModel::seconds(quint32 message) const
{
    if (m_store.isEmpty())
        return 0;
    return double(m_store.record(message).timeUs - m_store.record(0).timeUs) / 1e6;
}

double LadderModel::delta(int row) const
{
    if (row <= 0 || row >= rowCount())
        return 0;
    return double(m_store.record(messageAt(row)).timeUs - m_store.record(messageAt(row - 1)).timeUs) / 1e6;
}

QString LadderModel::sdpSummary(quint32 message) const
{
    if (!m_store.record(message).is(MessageRecord::HasSdp))
        return {};
    const auto m = m_store.parse(message);
    return m ? diag::sdpSummary(m->body()) : QString();
}

QString LadderModel::shortLabel(quint32 message) const
{
    const MessageRecord &r = m_store.record(message);
    if (r.is(MessageRecord::Malformed)) {
        const QByteArrayView line = m_store.firstLine(message);
        return QStringLiteral("malformed: %1").arg(QString::fromUtf8(line.first(std::min<qsizetype>(40, line.size()))));
    }
    QString s = r.is(MessageRecord::Request) ? QString::fromLatin1(m_store.methodName(r.method))
                                             : QString::number(r.status) + QLatin1Char(' ') + reasonOf(m_store, message);
    if (r.is(MessageRecord::Retransmission))
        s += QStringLiteral(" (retransmission)");
    return s;
}

QString LadderModel::annotations(quint32 message) const
{
    const MessageRecord &r = m_store.record(message);
    const bool info = r.is(MessageRecord::Request) && m_store.methodName(r.method) == "INFO";
    if (r.is(MessageRecord::Malformed) || !(r.status == 401 || r.status == 407 || r.is(MessageRecord::HasAuthorization) || r.is(MessageRecord::HasSdp) || info))
        return {};
    const auto m = m_store.parse(message);
    if (!m)
        return {};
    QStringList parts;
    if (r.status == 401 || r.status == 407)
        parts << QStringLiteral("[challenge] ")
                + challengeSummary(m->header(r.status == 401 ? sip::HeaderId::WwwAuthenticate : sip::HeaderId::ProxyAuthenticate));
    else if (r.is(MessageRecord::HasAuthorization))
        parts << QStringLiteral("[credentials]");
    if (r.is(MessageRecord::HasSdp))
        parts << QStringLiteral("SDP ") + diag::sdpSummary(m->body());
    if (info) {
        const QString digits = dtmfInfoDigits(m->header(sip::HeaderId::ContentType), m->body());
        if (!digits.isEmpty())
            parts << QStringLiteral("DTMF ") + digits;
    }
    return parts.join(QLatin1Char(' '));
}

QString LadderModel::label(quint32 message) const
{
    const QString notes = annotations(message);
    return notes.isEmpty() ? shortLabel(message) : shortLabel(message) + QLatin1Char(' ') + notes;
}

QString LadderModel::detail(quint32 message) const
{
    const MessageRecord &r = m_store.record(message);
    if (r.is(MessageRecord::Malformed))
        return QStringLiteral("does not parse");
    QString s = QStringLiteral("CSeq %1 %2").arg(r.cseq).arg(QString::fromLatin1(m_store.methodName(r.method)));
    if (r.is(MessageRecord::Retransmission) && r.timer)
        s += QStringLiteral(", Timer %1").arg(QLatin1Char(r.timer));
    if (r.is(MessageRecord::AuthRetry) && r.related != kNoMessage && r.related < m_store.size())
        s += QStringLiteral(", retry after %1").arg(m_store.record(r.related).status);
    return s;
}

bool LadderModel::isUnregister(quint32 request) const
{
    // RFC 3261 10.2.2: Expires: 0, or every contact with expires=0, or Contact: * removes bindings.
    if (request == kNoMessage || request >= m_store.size())
        return false;
    const auto m = m_store.parse(request);
    if (!m)
        return false;
    const QList<QByteArrayView> contacts = m->values(sip::HeaderId::Contact);
    if (contacts.size() == 1 && sip::trimmed(contacts.first()) == "*")
        return true;
    if (sip::trimmed(m->header(sip::HeaderId::Expires)) == "0")
        return true;
    if (contacts.isEmpty())
        return false;
    for (const QByteArrayView c : contacts) {
        const QByteArray lower = c.toByteArray().toLower().replace(" ", "");
        const qsizetype at = lower.lastIndexOf(";expires=");
        if (at < 0)
            return false; // this binding takes the default (non-zero) expiry
        qsizetype end = at + 9;
        while (end < lower.size() && std::isdigit(uchar(lower[end])))
            ++end;
        if (end == at + 9 || lower.sliced(at + 9, end - at - 9).toLongLong() != 0)
            return false;
    }
    return true;
}

QString LadderModel::challengeState(quint32 challenge) const
{
    // A 401/407 to a request that carried credentials refuses them (RFC 3665 2.5: a wrong
    // password), unless it only says the nonce went stale (RFC 7616 3.3: stale=true).
    const MessageRecord &r = m_store.record(challenge);
    bool refused = r.related != kNoMessage && m_store.record(r.related).is(MessageRecord::HasAuthorization);
    if (refused) {
        if (const auto m = m_store.parse(challenge)) {
            const auto values = sip::parseAuthValues(m->header(r.status == 401 ? sip::HeaderId::WwwAuthenticate : sip::HeaderId::ProxyAuthenticate));
            refused = !(values && !values->isEmpty() && sip::equalsNoCase(values->first().param("stale"), "true"));
        }
    }
    return (refused ? QStringLiteral("failed (%1)") : QStringLiteral("challenged (%1)")).arg(r.status);
}

LadderCallSummary LadderModel::callSummary(quint32 call) const
{
    LadderCallSummary s;
    const CallRecord &c = m_store.call(call);
    s.call = call;
    s.callId = QString::fromUtf8(m_store.callId(call));
    s.method = QString::fromLatin1(m_store.methodName(c.firstMethod));
    s.messages = c.messages;
    s.unsolicited = isUnsolicited(call);
    if (c.firstMessage != kNoMessage) {
        s.firstUs = m_store.record(c.firstMessage).timeUs;
        s.lastUs = m_store.record(c.lastMessage).timeUs;
        {
            // The URI as written inside <> (or before the parameters): no full name-addr parse
            // per call, a capture has hundreds of thousands.
            const auto uriOf = [](QByteArrayView v) {
                v = sip::trimmed(v);
                qsizetype from = 0;
                if (v.startsWith('"'))
                    for (from = 1; from < v.size() && v[from] != '"'; ++from)
                        from += v[from] == '\\';
                const qsizetype lt = v.indexOf('<', from), gt = lt < 0 ? -1 : v.indexOf('>', lt);
                if (lt >= 0 && gt > lt)
                    return QString::fromUtf8(sip::trimmed(v.sliced(lt + 1, gt - lt - 1)));
                const qsizetype semi = v.indexOf(';');
                return QString::fromUtf8(sip::trimmed(semi < 0 ? v : v.first(semi)));
            };
            // From and To read off the header lines in place (folded values are rare in From/To
            // and show their first line): no parse per call.
            const QByteArrayView raw = m_store.raw(c.firstMessage);
            bool haveFrom = false, haveTo = false;
            for (qsizetype pos = raw.indexOf('\n') + 1; pos > 0 && pos < raw.size() && !(haveFrom && haveTo);) {
                qsizetype end = raw.indexOf('\n', pos);
                if (end < 0)
                    end = raw.size();
                const QByteArrayView line = sip::trimmed(raw.sliced(pos, end - pos));
                pos = end + 1;
                if (line.isEmpty())
                    break; // the body starts
                const qsizetype colon = line.indexOf(':');
                if (colon <= 0)
                    continue;
                const sip::HeaderId id = sip::headerIdFromName(sip::trimmed(line.first(colon)));
                if (id == sip::HeaderId::From && !haveFrom) {
                    s.from = uriOf(line.sliced(colon + 1));
                    haveFrom = true;
                } else if (id == sip::HeaderId::To && !haveTo) {
                    s.to = uriOf(line.sliced(colon + 1));
                    haveTo = true;
                }
            }
        }
    }
    // The state, in the words of the call list.
    if (s.method == QLatin1String("INVITE")) {
        if (c.inviteStatus >= 200 && c.inviteStatus < 300)
            s.state = c.byeSeen ? QStringLiteral("ended") : QStringLiteral("answered");
        else if (c.inviteStatus == 487 || (c.cancelSeen && c.inviteStatus == 0))
            s.state = QStringLiteral("cancelled");
        else if (c.inviteStatus == 486 || c.inviteStatus == 600)
            s.state = QStringLiteral("busy (%1)").arg(c.inviteStatus);
        else if (c.inviteStatus >= 300)
            s.state = QStringLiteral("failed (%1)").arg(c.inviteStatus);
        else if (c.lastChallenge != kNoMessage) // challenged, and no retry (yet)
            s.state = challengeState(c.lastChallenge);
        else
            s.state = QStringLiteral("ringing");
    } else {
        // Other methods: the last final response says it, unless a later request is unanswered
        // (credentials sent after a 401 and lost: "no final response", not "challenged").
        quint32 last = kNoMessage;
        quint32 pendingCseq = 0;
        if (c.lastMessage != kNoMessage)
            for (quint32 i = c.lastMessage + 1; i-- > c.firstMessage && i >= c.firstMessage;) {
                const MessageRecord &r = m_store.record(i);
                if (r.call == call && r.status >= 200) {
                    last = i;
                    break;
                }
                if (r.call == call && r.is(MessageRecord::Request) && m_store.methodName(r.method) != "ACK")
                    pendingCseq = std::max(pendingCseq, r.cseq);
                if (c.lastMessage - i > 64) // long non-INVITE Call-IDs: do not walk far
                    break;
            }
        const quint16 status = last == kNoMessage ? 0 : m_store.record(last).status;
        if (status == 0 || pendingCseq > m_store.record(last).cseq)
            s.state = QStringLiteral("no final response");
        else if (status < 300)
            s.state = s.method == QLatin1String("REGISTER")
                ? (isUnregister(m_store.record(last).related) ? QStringLiteral("unregistered") : QStringLiteral("registered"))
                : QStringLiteral("ok (%1)").arg(status);
        else if (status == 401 || status == 407)
            s.state = challengeState(last);
        else
            s.state = QStringLiteral("failed (%1)").arg(status);
    }
    return s;
}

} // namespace ds::diag
