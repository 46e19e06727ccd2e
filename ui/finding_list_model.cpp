#include "finding_list_model.h"

#include "theme.h"

#include <QBrush>

namespace ds::ui {

FindingListModel::FindingListModel(QObject *parent, int capacity)
    : QAbstractTableModel(parent)
    , m_capacity(qMax(1, capacity))
{
}

void FindingListModel::add(const QDateTime &time, const QString &account, const QString &severity, const QString &text)
{
    if (int(m_rows.size()) >= m_capacity) {
        beginRemoveRows({}, 0, 0);
        m_rows.pop_front();
        endRemoveRows();
    }
    const int row = int(m_rows.size());
    beginInsertRows({}, row, row);
    m_rows.push_back({time, account, severity, text});
    endInsertRows();
}

void FindingListModel::clear()
{
    if (m_rows.empty())
        return;
    beginRemoveRows({}, 0, int(m_rows.size()) - 1);
    m_rows.clear();
    endRemoveRows();
}

int FindingListModel::rowCount(const QModelIndex &parent) const { return parent.isValid() ? 0 : int(m_rows.size()); }

int FindingListModel::columnCount(const QModelIndex &parent) const { return parent.isValid() ? 0 : ColumnCount; }

QVariant FindingListModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const Row &r = m_rows[size_t(index.row())];
    if (role == Qt::DisplayRole) {
        switch (index.column()) {
        case TimeColumn:
            return r.time.toLocalTime().toString(QStringLiteral("hh:mm:ss"));
        case AccountColumn:
            return r.account;
        case SeverityColumn:
            if (r.severity == QLatin1String("error"))
                return tr("error");
            if (r.severity == QLatin1String("warning"))
                return tr("warning");
            if (r.severity == QLatin1String("info"))
                return tr("info");
            return r.severity;
        case TextColumn:
            return r.text;
        }
        return {};
    }
    if (role == Qt::ToolTipRole && index.column() == TextColumn)
        return r.text;
    if (role == Qt::ForegroundRole && index.column() == SeverityColumn) {
        if (r.severity == QLatin1String("error"))
            return QBrush(toneColor(Tone::Bad));
        if (r.severity == QLatin1String("warning"))
            return QBrush(toneColor(Tone::Warning));
    }
    return {};
}

QVariant FindingListModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return QAbstractTableModel::headerData(section, orientation, role);
    switch (section) {
    case TimeColumn:
        return tr("Time");
    case AccountColumn:
        return tr("Account");
    case SeverityColumn:
        return tr("Severity");
    case TextColumn:
        return tr("Finding");
    }
    return {};
}

} // namespace ds::ui
