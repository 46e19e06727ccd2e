#pragma once
// RegTestFailureModel: the failed attempts of a registration test as a table — start order,
// account, outcome, deciding status and the explanation — appended in batches by the panel's
// refresh tick (never per attempt); bounded by RegReport's own list of failures.

#include "diag/reg_report.h"

#include <QAbstractTableModel>

namespace ds::ui {

class RegTestFailureModel final : public QAbstractTableModel {
    Q_OBJECT
public:
    enum Column { IndexColumn, UserColumn, OutcomeColumn, StatusColumn, ExplanationColumn, ColumnCount };
    // Numbers sort as numbers under this role (a proxy's sortRole).
    static constexpr int SortRole = Qt::UserRole;

    explicit RegTestFailureModel(QObject *parent = nullptr);

    // Takes the failures the report lists beyond those already shown (report.failures() only grows).
    void update(const QList<ds::diag::RegAttempt> &failures);
    void clear();
    const ds::diag::RegAttempt &attemptAt(int row) const { return m_rows[row]; }

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

private:
    QList<ds::diag::RegAttempt> m_rows;
};

} // namespace ds::ui
