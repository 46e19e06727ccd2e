#include "call_history_model.h"

#include "icons.h"

#include "call_summary.h"

#include "phone/contacts.h"
#include "sip/uri.h"

#include <QFont>
#include <QLocale>

namespace ds::ui {

using phone::CallRecord;

CallHistoryModel::CallHistoryModel(phone::CallHistory &history, const phone::Contacts *contacts, QObject *parent)
    : QAbstractTableModel(parent)
    , m_history(history)
    , m_contacts(contacts)
{
    connect(&history, &phone::CallHistory::aboutToInsert, this, [this](int row) { beginInsertRows({}, row, row); });
    connect(&history, &phone::CallHistory::inserted, this, [this] { endInsertRows(); });
    connect(&history, &phone::CallHistory::aboutToRemove, this, [this](int row) { beginRemoveRows({}, row, row); });
    connect(&history, &phone::CallHistory::removed, this, [this] { endRemoveRows(); });
    connect(&history, &phone::CallHistory::aboutToReset, this, [this] { beginResetModel(); });
    connect(&history, &phone::CallHistory::reset, this, [this] { endResetModel(); });
    connect(&history, &phone::CallHistory::changed, this, [this](int first, int last) { emit dataChanged(index(first, 0), index(last, ColumnCount - 1)); });
    if (m_contacts)
        connect(m_contacts, &phone::Contacts::changed, this, &CallHistoryModel::updateContactNames);
    updateContactNames();
}

void CallHistoryModel::updateContactNames()
{
    m_contactNames.clear();
    if (m_contacts)
        for (const phone::Contact &c : m_contacts->contacts())
            if (!c.name.isEmpty())
                m_contactNames.insert(phone::addressKey(c.address), c.name);
    if (rowCount() > 0)
        emit dataChanged(index(0, NameColumn), index(rowCount() - 1, NameColumn));
}

const CallRecord *CallHistoryModel::record(const QModelIndex &index) const
{
    if (!index.isValid() || index.model() != this || !checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return nullptr;
    return &m_history.at(index.row());
}

QString CallHistoryModel::nameOf(const CallRecord &r) const
{
    if (!r.displayName.isEmpty())
        return r.displayName;
    if (const auto it = m_contactNames.constFind(phone::addressKey(r.address)); it != m_contactNames.cend())
        return *it;
    if (auto u = sip::Uri::parse(r.address.toUtf8()); u && !u->user.isEmpty())
        return QString::fromUtf8(u->user);
    return r.address;
}

QIcon CallHistoryModel::kindIcon(CallRecord::Kind kind)
{
    switch (kind) {
    case CallRecord::Kind::Dialled:
        return icon(u"call-outgoing");
    case CallRecord::Kind::Received:
        return icon(u"call-incoming");
    case CallRecord::Kind::Missed:
        return icon(u"call-missed");
    }
    return {};
}

QString CallHistoryModel::kindText(CallRecord::Kind kind)
{
    switch (kind) {
    case CallRecord::Kind::Dialled:
        return tr("Dialled");
    case CallRecord::Kind::Received:
        return tr("Received");
    case CallRecord::Kind::Missed:
        return tr("Missed");
    }
    return {};
}

int CallHistoryModel::rowCount(const QModelIndex &parent) const { return parent.isValid() ? 0 : m_history.size(); }

int CallHistoryModel::columnCount(const QModelIndex &parent) const { return parent.isValid() ? 0 : ColumnCount; }

QString CallHistoryModel::describe(const CallRecord &r) const
{
    const QString when = QLocale().toString(r.start.toLocalTime(), QLocale::LongFormat);
    const QString who = r.displayName.isEmpty() ? r.address : QStringLiteral("%1 <%2>").arg(r.displayName, r.address);
    const QString how = r.durationMs > 0 ? tr("connected for %1").arg(CallSummary::durationText(r.durationMs)) : CallSummary::endText(r.end());
    switch (r.kind) {
    case CallRecord::Kind::Dialled:
        return tr("Dialled %1 from %2, %3: %4").arg(who, r.accountName, when, how);
    case CallRecord::Kind::Received:
        return tr("Received from %1 on %2, %3: %4").arg(who, r.accountName, when, how);
    case CallRecord::Kind::Missed:
        return tr("Missed call from %1 on %2, %3: %4").arg(who, r.accountName, when, how);
    }
    return {};
}

QVariant CallHistoryModel::data(const QModelIndex &index, int role) const
{
    const CallRecord *r = record(index);
    if (!r)
        return {};
    switch (role) {
    case KindRole:
        return phone::callKindName(r->kind);
    case IdRole:
        return r->id;
    case AddressRole:
        return r->address;
    case AccountIdRole:
        return r->accountId;
    case Qt::ToolTipRole:
        return describe(*r);
    case Qt::AccessibleTextRole:
        return index.column() == KindColumn ? kindText(r->kind) : data(index, Qt::DisplayRole);
    case Qt::DecorationRole:
        return index.column() == KindColumn ? kindIcon(r->kind) : QVariant();
    case Qt::FontRole:
        if (r->kind == CallRecord::Kind::Missed && !r->seen) { // new missed calls stand out in bold
            QFont bold;
            bold.setBold(true);
            return bold;
        }
        return {};
    case Qt::DisplayRole:
        break;
    default:
        return {};
    }
    switch (index.column()) {
    case KindColumn:
        return kindIcon(r->kind).isNull() ? kindText(r->kind) : QString(); // the text stands in for a missing icon
    case NameColumn:
        return nameOf(*r);
    case AddressColumn:
        return r->address;
    case AccountColumn:
        return r->accountName;
    case TimeColumn: {
        const QDateTime local = r->start.toLocalTime();
        if (local.date() == QDate::currentDate())
            return QLocale().toString(local.time(), QLocale::ShortFormat);
        return QLocale().toString(local, QLocale::ShortFormat);
    }
    case DurationColumn:
        return r->durationMs > 0 ? CallSummary::durationText(r->durationMs) : CallSummary::endText(r->end());
    }
    return {};
}

QVariant CallHistoryModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return QAbstractTableModel::headerData(section, orientation, role);
    switch (section) {
    case KindColumn:
        return QString();
    case NameColumn:
        return tr("Name");
    case AddressColumn:
        return tr("Address");
    case AccountColumn:
        return tr("Account");
    case TimeColumn:
        return tr("Time");
    case DurationColumn:
        return tr("Duration");
    }
    return {};
}

} // namespace ds::ui
