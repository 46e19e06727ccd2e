#pragma once
// FindingListModel: the diagnoses in plain words — registration findings (NAT detected,
// Min-Expires raised, expiry granted) and how each attempt ended — newest last, bounded.

#include <QAbstractTableModel>
#include <QDateTime>

#include <deque>

namespace ds::ui {

class FindingListModel final : public QAbstractTableModel {
    Q_OBJECT
public:
    enum Column { TimeColumn, AccountColumn, SeverityColumn, TextColumn, ColumnCount };
    static constexpr int kDefaultCapacity = 1000;

    explicit FindingListModel(QObject *parent = nullptr, int capacity = kDefaultCapacity);

    // severity: "info", "warning" or "error" (Phone::finding's words).
    void add(const QDateTime &time, const QString &account, const QString &severity, const QString &text);
    void clear();

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

private:
    struct Row {
        QDateTime time;
        QString account;
        QString severity;
        QString text;
    };
    int m_capacity;
    std::deque<Row> m_rows;
};

} // namespace ds::ui
