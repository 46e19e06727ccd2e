#include "contacts.h"

#include "sip/uri.h"

#include <QHash>
#include <QJsonArray>
#include <QUuid>

#include <algorithm>

namespace ds::phone {

namespace {

const QString kFormat = QStringLiteral("dialscope-contacts");
constexpr int kVersion = 1;

// The user part of an address ("alice" of sip:alice@example.com, the number of tel:+1555), else it whole.
QString userOf(const QString &address)
{
    if (auto u = sip::Uri::parse(address.toUtf8()); u && !u->user.isEmpty())
        return QString::fromUtf8(u->user);
    return address;
}

} // namespace

Contact Contact::fromRecord(const CallRecord &record)
{
    Contact c;
    c.name = record.displayName.isEmpty() ? userOf(record.address) : record.displayName;
    c.address = record.address;
    c.accountId = record.accountId;
    return c;
}

Contacts::Contacts(const QString &fileName, QObject *parent)
    : QObject(parent)
    , m_file(fileName, kMaxFileBytes, [this] { return toJson(); })
{
    connect(&m_file, &JsonFile::writeFailed, this, &Contacts::saveFailed);
}

Contacts::~Contacts() { (void)m_file.flush(); }

int Contacts::indexOf(const QString &id) const
{
    for (int i = 0; i < size(); ++i)
        if (m_contacts[i].id == id)
            return i;
    return -1;
}

int Contacts::indexOfAddress(const QString &address) const
{
    const auto it = m_idByKey.constFind(addressKey(address));
    return it == m_idByKey.cend() ? -1 : indexOf(*it);
}

std::expected<Contact, QString> Contacts::checked(Contact contact) const
{
    auto address = dialableAddress(contact.address);
    if (!address)
        return std::unexpected(address.error());
    contact.address = *address;
    contact.name = contact.name.simplified().left(CallHistory::kMaxText);
    contact.accountId = contact.accountId.trimmed().left(CallHistory::kMaxText);
    if (const int other = indexOfAddress(contact.address); other >= 0 && m_contacts[other].id != contact.id) {
        const Contact &o = m_contacts[other];
        return std::unexpected(tr("%1 is a contact already: %2").arg(contact.address, o.name.isEmpty() ? o.address : o.name));
    }
    return contact;
}

std::expected<QString, QString> Contacts::add(Contact contact)
{
    if (size() >= kMaxContacts)
        return std::unexpected(tr("the contact list is full (%1 contacts): remove some first").arg(kMaxContacts));
    contact.id = QUuid::createUuid().toString(QUuid::WithoutBraces);
    auto c = checked(std::move(contact));
    if (!c)
        return std::unexpected(c.error());
    insertSorted(*c);
    emit changed();
    m_file.scheduleWrite();
    return c->id;
}

std::expected<void, QString> Contacts::update(Contact contact)
{
    const int row = indexOf(contact.id);
    if (row < 0)
        return std::unexpected(tr("no such contact (it was removed)"));
    auto c = checked(std::move(contact));
    if (!c)
        return std::unexpected(c.error());
    if (m_contacts[row] == *c)
        return {};
    m_idByKey.remove(addressKey(m_contacts[row].address));
    m_contacts.removeAt(row);
    insertSorted(*c);
    emit changed();
    m_file.scheduleWrite();
    return {};
}

bool Contacts::remove(const QString &id)
{
    const int row = indexOf(id);
    if (row < 0)
        return false;
    m_idByKey.remove(addressKey(m_contacts[row].address));
    m_contacts.removeAt(row);
    emit changed();
    m_file.scheduleWrite();
    return true;
}

void Contacts::insertSorted(Contact contact)
{
    const auto sortKey = [](const Contact &c) { return (c.name.isEmpty() ? c.address : c.name).toCaseFolded(); };
    const QString key = sortKey(contact);
    const auto at = std::upper_bound(
        m_contacts.begin(), m_contacts.end(), key, [&sortKey](const QString &k, const Contact &c) { return QString::localeAwareCompare(k, sortKey(c)) < 0; });
    m_idByKey.insert(addressKey(contact.address), contact.id);
    m_contacts.insert(at, std::move(contact));
}

QList<Person> Contacts::people(const QList<CallRecord> &records, int limit)
{
    QList<Person> out;
    QHash<QString, qsizetype> byKey;
    for (const CallRecord &r : records) { // newest first: the first call of each address is its latest
        const QString key = addressKey(r.address);
        auto it = byKey.find(key);
        if (it == byKey.end()) {
            if (out.size() >= limit)
                continue;
            it = byKey.insert(key, out.size());
            out.append({r.address, r.displayName, r.accountId, 0, 0, r.start});
        }
        Person &p = out[*it];
        ++p.calls;
        p.missed += r.kind == CallRecord::Kind::Missed ? 1 : 0;
        if (p.displayName.isEmpty())
            p.displayName = r.displayName; // the latest name given, when the latest call gave none
    }
    return out;
}

// ---- the file --------------------------------------------------------------------

QJsonObject Contacts::toJson() const
{
    QJsonArray list;
    for (const Contact &c : m_contacts) {
        QJsonObject o {{QStringLiteral("id"), c.id}, {QStringLiteral("name"), c.name}, {QStringLiteral("address"), c.address}};
        if (!c.accountId.isEmpty())
            o.insert(QStringLiteral("account"), c.accountId);
        list.append(o);
    }
    return {{QStringLiteral("format"), kFormat}, {QStringLiteral("version"), kVersion}, {QStringLiteral("contacts"), list}};
}

std::expected<void, QString> Contacts::load()
{
    m_contacts.clear();
    m_idByKey.clear();
    const auto fail = [this](const QString &why) -> std::expected<void, QString> {
        return std::unexpected(tr("The contacts could not be read: %1; %2. The contact list starts empty.").arg(why, m_file.setAside()));
    };
    auto doc = m_file.read();
    std::expected<void, QString> result;
    if (!doc) {
        result = fail(doc.error());
    } else if (*doc) {
        const QJsonObject &o = **doc;
        const int version = o.value(QLatin1String("version")).toInt(0);
        if (o.value(QLatin1String("format")).toString() != kFormat || !o.value(QLatin1String("contacts")).isArray()) {
            result = fail(tr("%1 is not a dialscope contact list (no \"format\": \"%2\" with a \"contacts\" list)").arg(fileName(), kFormat));
        } else if (version != kVersion) {
            result = fail(tr("%1 has version %2; this dialscope reads version %3").arg(fileName(), QString::number(version), QString::number(kVersion)));
        } else {
            const QJsonArray list = o.value(QLatin1String("contacts")).toArray();
            for (int i = 0; i < list.size() && result && size() < kMaxContacts; ++i) {
                const QJsonObject c = list.at(i).toObject();
                const QString where = QStringLiteral("contacts[%1]").arg(i);
                Contact contact {c.value(QLatin1String("id")).toString(), c.value(QLatin1String("name")).toString(),
                    c.value(QLatin1String("address")).toString(), c.value(QLatin1String("account")).toString()};
                if (!list.at(i).isObject() || contact.id.isEmpty() || indexOf(contact.id) >= 0) {
                    result = fail(tr("%1: %2 is not an object with an id of its own").arg(fileName(), where));
                    break;
                }
                auto ok = checked(contact);
                if (!ok && indexOfAddress(contact.address) >= 0)
                    continue; // a second entry for one address: the first one stays
                if (!ok)
                    result = fail(tr("%1: %2: %3").arg(fileName(), where, ok.error()));
                else
                    insertSorted(*ok);
            }
        }
    }
    if (!result) {
        m_contacts.clear();
        m_idByKey.clear();
    }
    emit changed();
    return result;
}

} // namespace ds::phone
