#pragma once
// LadderCallModel: the call list next to the ladder — one row per Call-ID of the LadderModel's
// store, in order of appearance. It grows incrementally: refresh() inserts the new calls and
// marks the calls that gained messages as changed; summaries are computed lazily for the rows
// a view asks for and kept in a small cache, so 100k calls cost nothing until shown.

#include "diag/ladder_model.h"

#include <QAbstractTableModel>
#include <QCache>

namespace ds::ui {

class LadderCallModel final : public QAbstractTableModel {
    Q_OBJECT
public:
    enum Column { FromColumn, ToColumn, MethodColumn, StateColumn, DurationColumn, FirstColumn, LastColumn, MessagesColumn, ColumnCount };
    enum Role {
        CallRole = Qt::UserRole + 1, // quint32: the call index
        CallIdRole, // QString
        UnsolicitedRole, // bool
        SortRole, // numbers for the numeric and time columns, text otherwise
    };

    explicit LadderCallModel(QObject *parent = nullptr);

    // The ladder (and through it the store) must outlive the model or be replaced first;
    // nullptr empties the model.
    void setLadder(const ds::diag::LadderModel *ladder);
    const ds::diag::LadderModel *ladder() const { return m_ladder; }
    // Takes in what the store gained since the last refresh: rows for new calls, dataChanged
    // for calls with new messages. Costs the number of new messages, not the number of calls.
    void refresh();
    quint32 callAt(int row) const { return quint32(row); }
    int rowOfCall(quint32 call) const { return call < quint32(m_rows) ? int(call) : -1; }

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

    // "hh:mm:ss.zzz" in local time; "1.234 s", "2:05.300", "1:02:03" for durations.
    static QString formatTime(qint64 timeUs);
    static QString formatDuration(qint64 us);

private:
    const ds::diag::LadderCallSummary &summary(quint32 call) const;

    static constexpr int kCacheSize = 512; // more than the rows of any view on screen
    const ds::diag::LadderModel *m_ladder = nullptr;
    int m_rows = 0; // calls shown
    quint32 m_seenMessages = 0; // messages of the store taken in
    mutable QCache<quint32, ds::diag::LadderCallSummary> m_cache {kCacheSize};
};

} // namespace ds::ui
