#include "contact_list_model.h"

#include "phone/call_history.h"
#include "phone/contacts.h"

#include <QFont>
#include <QHash>
#include <QLocale>

namespace ds::ui {

ContactListModel::ContactListModel(phone::Contacts &contacts, phone::CallHistory &history, AccountName accountName, QObject *parent)
    : QAbstractTableModel(parent)
    , m_contacts(contacts)
    , m_history(history)
    , m_accountName(std::move(accountName))
{
    connect(&contacts, &phone::Contacts::changed, this, &ContactListModel::rebuild);
    for (auto signal : {&phone::CallHistory::inserted, &phone::CallHistory::removed})
        connect(&history, signal, this, &ContactListModel::rebuild);
    connect(&history, &phone::CallHistory::reset, this, &ContactListModel::rebuild);
    rebuild();
}

void ContactListModel::rebuild()
{
    beginResetModel();
    m_rows.clear();
    const QList<phone::Person> people = phone::Contacts::people(m_history.records());
    QHash<QString, qsizetype> personOf; // addressKey -> index in people
    for (qsizetype i = 0; i < people.size(); ++i)
        personOf.insert(phone::addressKey(people[i].address), i);
    QList<bool> taken(people.size(), false);
    for (const phone::Contact &c : m_contacts.contacts()) {
        Row r {true, c.id, c.name, c.address, c.accountId, 0, {}};
        if (const auto it = personOf.constFind(phone::addressKey(c.address)); it != personOf.cend()) {
            r.calls = people[*it].calls;
            r.lastCall = people[*it].lastCall;
            taken[*it] = true;
        }
        m_rows.append(r);
    }
    for (qsizetype i = 0; i < people.size(); ++i)
        if (!taken[i]) {
            const phone::Person &p = people[i];
            m_rows.append({false, {}, p.displayName, p.address, p.accountId, p.calls, p.lastCall});
        }
    endResetModel();
}

const ContactListModel::Row *ContactListModel::row(const QModelIndex &index) const
{
    if (!index.isValid() || index.model() != this || !checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return nullptr;
    return &m_rows[index.row()];
}

int ContactListModel::rowCount(const QModelIndex &parent) const { return parent.isValid() ? 0 : int(m_rows.size()); }

int ContactListModel::columnCount(const QModelIndex &parent) const { return parent.isValid() ? 0 : ColumnCount; }

QVariant ContactListModel::data(const QModelIndex &index, int role) const
{
    const Row *r = row(index);
    if (!r)
        return {};
    const QString account = r->accountId.isEmpty() ? QString() : (m_accountName ? m_accountName(r->accountId) : r->accountId);
    switch (role) {
    case ContactIdRole:
        return r->contactId;
    case AddressRole:
        return r->address;
    case AccountIdRole:
        return r->accountId;
    case SavedRole:
        return r->saved;
    case SearchRole:
        return r->name + QLatin1Char('\n') + r->address;
    case Qt::FontRole:
        if (r->saved && index.column() == NameColumn) {
            QFont bold;
            bold.setBold(true);
            return bold;
        }
        return {};
    case Qt::ToolTipRole:
        if (r->saved)
            return account.isEmpty() ? tr("Saved contact %1 <%2>").arg(r->name, r->address)
                                     : tr("Saved contact %1 <%2>, called from %3").arg(r->name, r->address, account);
        return tr("%1 from the call history: %n call(s)", nullptr, r->calls).arg(r->name.isEmpty() ? r->address : r->name);
    case Qt::DisplayRole:
        break;
    default:
        return {};
    }
    switch (index.column()) {
    case NameColumn:
        return r->name;
    case AddressColumn:
        return r->address;
    case AccountColumn:
        return r->saved && account.isEmpty() ? tr("any") : account;
    case LastCallColumn:
        return r->lastCall.isValid() ? QLocale().toString(r->lastCall.toLocalTime(), QLocale::ShortFormat) : QString();
    case CallsColumn:
        return r->calls > 0 ? QString::number(r->calls) : QString();
    }
    return {};
}

QVariant ContactListModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return QAbstractTableModel::headerData(section, orientation, role);
    switch (section) {
    case NameColumn:
        return tr("Name");
    case AddressColumn:
        return tr("Address");
    case AccountColumn:
        return tr("Account");
    case LastCallColumn:
        return tr("Last call");
    case CallsColumn:
        return tr("Calls");
    }
    return {};
}

} // namespace ds::ui
