#include "regtest_failure_model.h"

namespace ds::ui {

RegTestFailureModel::RegTestFailureModel(QObject *parent)
    : QAbstractTableModel(parent)
{
}

void RegTestFailureModel::update(const QList<diag::RegAttempt> &failures)
{
    if (failures.size() < m_rows.size()) // another test's report
        clear();
    if (failures.size() == m_rows.size())
        return;
    beginInsertRows({}, int(m_rows.size()), int(failures.size()) - 1);
    m_rows.append(failures.sliced(m_rows.size()));
    endInsertRows();
}

void RegTestFailureModel::clear()
{
    if (m_rows.isEmpty())
        return;
    beginRemoveRows({}, 0, int(m_rows.size()) - 1);
    m_rows.clear();
    endRemoveRows();
}

int RegTestFailureModel::rowCount(const QModelIndex &parent) const { return parent.isValid() ? 0 : int(m_rows.size()); }

int RegTestFailureModel::columnCount(const QModelIndex &parent) const { return parent.isValid() ? 0 : ColumnCount; }

QVariant RegTestFailureModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const diag::RegAttempt &a = m_rows[index.row()];
    if (role == SortRole) {
        switch (index.column()) {
        case IndexColumn:
            return a.index + 1;
        case StatusColumn:
            return a.status;
        default:
            break;
        }
        role = Qt::DisplayRole;
    }
    if (role == Qt::DisplayRole) {
        switch (index.column()) {
        case IndexColumn:
            return a.index + 1; // as people count: the first attempt is #1
        case UserColumn:
            return a.user;
        case OutcomeColumn:
            return a.outcome;
        case StatusColumn:
            return a.status ? QVariant(a.status) : QVariant(QStringLiteral("—"));
        case ExplanationColumn:
            return a.reason;
        }
        return {};
    }
    if (role == Qt::ToolTipRole && index.column() == ExplanationColumn)
        return a.reason;
    if (role == Qt::TextAlignmentRole && (index.column() == IndexColumn || index.column() == StatusColumn))
        return int(Qt::AlignRight | Qt::AlignVCenter);
    return {};
}

QVariant RegTestFailureModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return QAbstractTableModel::headerData(section, orientation, role);
    switch (section) {
    case IndexColumn:
        return tr("#");
    case UserColumn:
        return tr("User");
    case OutcomeColumn:
        return tr("Outcome");
    case StatusColumn:
        return tr("Status");
    case ExplanationColumn:
        return tr("Explanation");
    }
    return {};
}

} // namespace ds::ui
