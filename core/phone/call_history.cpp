#include "call_history.h"

#include "call.h"

#include "sip/header_values.h"
#include "sip/uri.h"

#include <QJsonArray>
#include <QRegularExpression>

#include <algorithm>
#include <tuple>

namespace ds::phone {

namespace {

using Cause = sip::SessionEnd::Cause;

constexpr std::pair<Cause, const char *> kCauseNames[] = {
    {Cause::LocalBye, "local-bye"},
    {Cause::RemoteBye, "remote-bye"},
    {Cause::LocalCancel, "local-cancel"},
    {Cause::RemoteCancel, "remote-cancel"},
    {Cause::Rejected, "rejected"},
    {Cause::Declined, "declined"},
    {Cause::Timeout, "timeout"},
    {Cause::TransportError, "transport-error"},
    {Cause::AuthFailed, "auth-failed"},
};

constexpr std::pair<CallRecord::Kind, const char *> kKindNames[] = {
    {CallRecord::Kind::Dialled, "dialled"},
    {CallRecord::Kind::Received, "received"},
    {CallRecord::Kind::Missed, "missed"},
};

const QString kFormat = QStringLiteral("dialscope-call-history");
constexpr int kVersion = 1;

// A number or user name dialled through the account's domain ("201", "+44 20 7946 0000", "*97", "alice").
bool isBareUser(const QString &t)
{
    static const QRegularExpression bare(QStringLiteral("^[A-Za-z0-9+*#._~!$&'()=,/\\- ]+$"));
    return bare.match(t).hasMatch();
}

QString telNumber(QString number)
{
    // RFC 3966 5.1.1: visual separators carry no meaning.
    number.remove(QRegularExpression(QStringLiteral("[-.() ]")));
    return number;
}

} // namespace

QString callKindName(CallRecord::Kind kind)
{
    for (const auto &[k, name] : kKindNames)
        if (k == kind)
            return QString::fromLatin1(name);
    return {};
}

std::optional<CallRecord::Kind> callKindFromName(QStringView name)
{
    for (const auto &[k, n] : kKindNames)
        if (name == QLatin1String(n))
            return k;
    return std::nullopt;
}

QString sessionEndCauseName(Cause cause)
{
    for (const auto &[c, name] : kCauseNames)
        if (c == cause)
            return QString::fromLatin1(name);
    return {};
}

std::optional<Cause> sessionEndCauseFromName(QStringView name)
{
    for (const auto &[c, n] : kCauseNames)
        if (name == QLatin1String(n))
            return c;
    return std::nullopt;
}

std::expected<QString, QString> dialableAddress(const QString &text, QString *displayName)
{
    const QString t = text.trimmed();
    if (t.isEmpty())
        return std::unexpected(CallHistory::tr("no address: give sip:user@host, user@host, tel:number or a number"));
    if (t.size() > CallHistory::kMaxText)
        return std::unexpected(CallHistory::tr("the address is longer than %1 characters").arg(CallHistory::kMaxText));
    const bool hasScheme = t.startsWith(QLatin1String("sip:"), Qt::CaseInsensitive) || t.startsWith(QLatin1String("sips:"), Qt::CaseInsensitive)
        || t.startsWith(QLatin1String("tel:"), Qt::CaseInsensitive);
    if (!t.contains(QLatin1Char('<')) && !hasScheme) {
        if (!t.contains(QLatin1Char('@'))) {
            if (!isBareUser(t))
                return std::unexpected(CallHistory::tr("\"%1\" is not an address: give sip:user@host, user@host, tel:number or a number").arg(t));
            return t; // dialled through the account's domain, as the dial pad does
        }
        return dialableAddress(QStringLiteral("sip:") + t, displayName);
    }
    auto na = sip::parseNameAddr(t.toUtf8());
    if (!na)
        return std::unexpected(CallHistory::tr("\"%1\" is not an address: %2").arg(t, na.error().toString()));
    const sip::Uri &u = na->uri;
    if (displayName)
        *displayName = QString::fromUtf8(na->displayName).trimmed();
    switch (u.scheme) {
    case sip::Uri::Scheme::Tel:
        if (u.user.isEmpty())
            return std::unexpected(CallHistory::tr("the tel address \"%1\" has no number").arg(t));
        return QStringLiteral("tel:") + QString::fromUtf8(u.user);
    case sip::Uri::Scheme::Other:
        return std::unexpected(CallHistory::tr("\"%1\" is not a SIP or tel address").arg(t));
    case sip::Uri::Scheme::Sip:
    case sip::Uri::Scheme::Sips:
        break;
    }
    sip::Uri clean;
    clean.scheme = u.scheme;
    clean.user = u.user;
    clean.host = u.host;
    clean.ipv6 = u.ipv6;
    clean.port = u.port;
    return QString::fromUtf8(clean.toString());
}

QString addressKey(const QString &address)
{
    const auto dialable = dialableAddress(address);
    if (!dialable)
        return address.trimmed().toLower();
    if (!dialable->contains(QLatin1Char(':')))
        return dialable->toLower(); // a bare user or number
    auto u = sip::Uri::parse(dialable->toUtf8());
    if (!u)
        return dialable->toLower();
    if (u->scheme == sip::Uri::Scheme::Tel)
        return QStringLiteral("tel:") + telNumber(QString::fromUtf8(u->user)).toLower();
    // RFC 3261 19.1.4 compares the user part case-sensitively; people do not tell "Alice" from "alice".
    u->user = u->user.toLower();
    u->host = u->host.toLower();
    if (u->port == (u->scheme == sip::Uri::Scheme::Sips ? 5061 : 5060))
        u->port = 0;
    return QString::fromUtf8(u->toString());
}

CallRecord CallRecord::fromCall(const Call &call, const QString &accountId, const QString &accountName)
{
    CallRecord r;
    r.id = call.id();
    r.accountId = accountId;
    r.accountName = accountName.left(CallHistory::kMaxText);
    const bool answered = call.outcome() == CallOutcome::Answered;
    if (call.direction() == Call::Direction::Outgoing)
        r.kind = Kind::Dialled;
    else
        r.kind = answered ? Kind::Received : Kind::Missed;
    // Outgoing: the To we sent (the target); incoming: the caller's From. Its tag is no part of an address.
    const QString identity = call.session() ? QString::fromUtf8(call.session()->remoteIdentity()) : call.remoteParty();
    QString name;
    const auto address = dialableAddress(identity, &name);
    r.address = (address ? *address : identity.trimmed()).left(CallHistory::kMaxText);
    r.displayName = name.left(CallHistory::kMaxText);
    r.start = call.startTime().toUTC();
    r.durationMs = answered ? call.connectedMs() : 0;
    r.outcome = callOutcomeName(call.outcome());
    const sip::SessionEnd &end = call.end();
    r.cause = end.cause;
    r.status = end.status;
    r.reason = QString::fromUtf8(end.reason).left(CallHistory::kMaxText);
    // A call declined here was seen by whoever declined it (see Kind).
    r.seen = r.kind != Kind::Missed || end.cause == Cause::Declined;
    return r;
}

// ---- the history ---------------------------------------------------------------

CallHistory::CallHistory(const QString &fileName, QObject *parent)
    : QObject(parent)
    , m_file(fileName, kMaxFileBytes, [this] { return toJson(); })
{
    connect(&m_file, &JsonFile::writeFailed, this, &CallHistory::saveFailed);
}

CallHistory::~CallHistory() { (void)m_file.flush(); }

int CallHistory::indexOf(const QString &id) const
{
    for (int i = 0; i < size(); ++i)
        if (m_records[i].id == id)
            return i;
    return -1;
}

int CallHistory::unseenMissed() const
{
    return int(std::count_if(m_records.begin(), m_records.end(), [](const CallRecord &r) { return r.kind == CallRecord::Kind::Missed && !r.seen; }));
}

bool CallHistory::add(CallRecord record)
{
    const int before = unseenMissed();
    record.displayName.truncate(kMaxText);
    record.accountName.truncate(kMaxText);
    record.address.truncate(kMaxText);
    record.reason.truncate(kMaxText);
    record.start = record.start.toUTC();
    if (const int existing = indexOf(record.id); existing >= 0 && !record.id.isEmpty())
        removeAt(existing);
    // Newest first; among equal start times the one added last comes first.
    const auto at = std::find_if(m_records.begin(), m_records.end(), [&record](const CallRecord &r) { return r.start <= record.start; });
    const int row = int(at - m_records.begin());
    if (row >= kMaxRecords) {
        changedSeen(before);
        return false;
    }
    while (size() >= kMaxRecords)
        removeAt(size() - 1);
    emit aboutToInsert(row);
    m_records.insert(row, std::move(record));
    emit inserted(row);
    changedSeen(before);
    m_file.scheduleWrite();
    return true;
}

void CallHistory::removeAt(int row)
{
    emit aboutToRemove(row);
    m_records.removeAt(row);
    emit removed(row);
}

bool CallHistory::remove(const QString &id)
{
    const int row = indexOf(id);
    if (row < 0)
        return false;
    const int before = unseenMissed();
    removeAt(row);
    changedSeen(before);
    m_file.scheduleWrite();
    return true;
}

void CallHistory::clear()
{
    if (m_records.isEmpty())
        return;
    const int before = unseenMissed();
    emit aboutToReset();
    m_records.clear();
    emit reset();
    changedSeen(before);
    m_file.scheduleWrite();
}

void CallHistory::markAllSeen()
{
    int first = -1, last = -1;
    for (int i = 0; i < size(); ++i) {
        CallRecord &r = m_records[i];
        if (r.kind == CallRecord::Kind::Missed && !r.seen) {
            r.seen = true;
            first = first < 0 ? i : first;
            last = i;
        }
    }
    if (first < 0)
        return;
    emit changed(first, last);
    emit unseenMissedChanged(0);
    m_file.scheduleWrite();
}

void CallHistory::changedSeen(int before)
{
    if (const int now = unseenMissed(); now != before)
        emit unseenMissedChanged(now);
}

// ---- the file --------------------------------------------------------------------

QJsonObject CallHistory::toJson() const
{
    QJsonArray calls;
    for (const CallRecord &r : m_records) {
        QJsonObject o {
            {QStringLiteral("id"), r.id},
            {QStringLiteral("account"), r.accountId},
            {QStringLiteral("accountName"), r.accountName},
            {QStringLiteral("kind"), callKindName(r.kind)},
            {QStringLiteral("address"), r.address},
            {QStringLiteral("start"), r.start.toUTC().toString(Qt::ISODateWithMs)},
            {QStringLiteral("durationMs"), double(r.durationMs)},
            {QStringLiteral("outcome"), r.outcome},
            {QStringLiteral("cause"), sessionEndCauseName(r.cause)},
            {QStringLiteral("status"), r.status},
            {QStringLiteral("reason"), r.reason},
            {QStringLiteral("seen"), r.seen},
        };
        if (!r.displayName.isEmpty())
            o.insert(QStringLiteral("name"), r.displayName);
        calls.append(o);
    }
    return {{QStringLiteral("format"), kFormat}, {QStringLiteral("version"), kVersion}, {QStringLiteral("calls"), calls}};
}

namespace {

// One entry of the file, or what is wrong with it ("calls[3]: ...").
std::expected<CallRecord, QString> recordFromJson(const QJsonValue &value, int index)
{
    const QString where = QStringLiteral("calls[%1]").arg(index);
    if (!value.isObject())
        return std::unexpected(CallHistory::tr("%1 is not an object").arg(where));
    const QJsonObject o = value.toObject();
    auto text = [&](const char *key, bool required) -> std::expected<QString, QString> {
        const QJsonValue v = o.value(QLatin1String(key));
        if (v.isUndefined() && !required)
            return QString();
        if (!v.isString())
            return std::unexpected(CallHistory::tr("%1.%2 is missing or not a string").arg(where, QLatin1String(key)));
        if (v.toString().size() > CallHistory::kMaxText)
            return std::unexpected(
                CallHistory::tr("%1.%2 is longer than %3 characters").arg(where, QLatin1String(key), QString::number(CallHistory::kMaxText)));
        return v.toString();
    };
    CallRecord r;
    for (auto [key, field, required] : {std::tuple {"id", &r.id, true}, {"account", &r.accountId, false}, {"accountName", &r.accountName, false},
             {"address", &r.address, true}, {"name", &r.displayName, false}, {"outcome", &r.outcome, false}, {"reason", &r.reason, false}}) {
        auto v = text(key, required);
        if (!v)
            return std::unexpected(v.error());
        *field = *v;
    }
    if (r.id.isEmpty() || r.address.trimmed().isEmpty())
        return std::unexpected(CallHistory::tr("%1 has an empty id or address").arg(where));
    const auto kind = callKindFromName(o.value(QLatin1String("kind")).toString());
    if (!kind)
        return std::unexpected(CallHistory::tr("%1.kind is \"%2\", not dialled, received or missed").arg(where, o.value(QLatin1String("kind")).toString()));
    r.kind = *kind;
    r.start = QDateTime::fromString(o.value(QLatin1String("start")).toString(), Qt::ISODateWithMs).toUTC();
    if (!r.start.isValid())
        return std::unexpected(CallHistory::tr("%1.start is not an ISO 8601 date and time").arg(where));
    const double duration = o.value(QLatin1String("durationMs")).toDouble(0);
    if (duration < 0 || duration > 1e12)
        return std::unexpected(CallHistory::tr("%1.durationMs is out of range").arg(where));
    r.durationMs = qint64(duration);
    if (const QJsonValue c = o.value(QLatin1String("cause")); !c.isUndefined()) {
        const auto cause = sessionEndCauseFromName(c.toString());
        if (!cause)
            return std::unexpected(CallHistory::tr("%1.cause \"%2\" is not a known cause").arg(where, c.toString()));
        r.cause = *cause;
    }
    r.status = o.value(QLatin1String("status")).toInt(0);
    if (r.status != 0 && (r.status < 100 || r.status > 699))
        return std::unexpected(CallHistory::tr("%1.status %2 is not a SIP status").arg(where, QString::number(r.status)));
    r.seen = o.value(QLatin1String("seen")).toBool(true);
    return r;
}

} // namespace

std::expected<void, QString> CallHistory::load()
{
    const int before = unseenMissed();
    emit aboutToReset();
    m_records.clear();
    const auto fail = [this](const QString &why) -> std::expected<void, QString> {
        return std::unexpected(tr("The call history could not be read: %1; %2. The history starts empty.").arg(why, m_file.setAside()));
    };
    std::expected<void, QString> result;
    QList<CallRecord> loaded;
    if (auto doc = m_file.read(); !doc) {
        result = fail(doc.error());
    } else if (*doc) {
        const QJsonObject &o = **doc;
        const int version = o.value(QLatin1String("version")).toInt(0);
        if (o.value(QLatin1String("format")).toString() != kFormat || !o.value(QLatin1String("calls")).isArray())
            result = fail(tr("%1 is not a dialscope call history (no \"format\": \"%2\" with a \"calls\" list)").arg(fileName(), kFormat));
        else if (version != kVersion)
            result = fail(tr("%1 has version %2; this dialscope reads version %3").arg(fileName(), QString::number(version), QString::number(kVersion)));
        else {
            const QJsonArray calls = o.value(QLatin1String("calls")).toArray();
            for (int i = 0; i < calls.size() && result; ++i) {
                auto r = recordFromJson(calls.at(i), i);
                if (!r)
                    result = fail(tr("%1: %2").arg(fileName(), r.error()));
                else if (std::none_of(loaded.begin(), loaded.end(), [&r](const CallRecord &l) { return l.id == r->id; }))
                    loaded.append(std::move(*r));
            }
        }
    }
    if (result) {
        std::stable_sort(loaded.begin(), loaded.end(), [](const CallRecord &a, const CallRecord &b) { return a.start > b.start; });
        if (loaded.size() > kMaxRecords)
            loaded.resize(kMaxRecords);
        m_records = std::move(loaded);
    }
    emit reset();
    changedSeen(before);
    return result;
}

} // namespace ds::phone
