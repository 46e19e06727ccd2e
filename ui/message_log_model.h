#pragma once
// MessageLogModel: the SIP messages of every account, one row per message in the order they
// crossed the wire, bounded to the most recent ones; rows arrive in batches so that a burst of
// traffic costs one view update, not one per message.

#include "sip/trace_event.h"

#include <QAbstractTableModel>
#include <QTimer>

#include <deque>
#include <vector>

namespace ds::ui {

class MessageLogModel final : public QAbstractTableModel {
    Q_OBJECT
public:
    enum Column { TimeColumn, DirectionColumn, TransportColumn, PeerColumn, FirstLineColumn, ColumnCount };
    enum Role {
        RawTextRole = Qt::UserRole + 1, // the whole message as text (malformed bytes escaped)
        MalformedRole, // bool
        ErrorRole, // the parse error of malformed bytes
        AccountIdRole,
    };

    static constexpr int kDefaultCapacity = 10000;

    explicit MessageLogModel(QObject *parent = nullptr, int capacity = kDefaultCapacity);

    int capacity() const { return m_capacity; }

    // Queues one message; it becomes a row at the next flush (soon, on the event loop).
    void append(const QString &accountId, const ds::sip::TraceEvent &event);
    // Turns the queued messages into rows now, dropping the oldest beyond the capacity.
    void flush();
    void clear();

    // The message of a row as text for a person: the raw bytes, or for malformed bytes the parse
    // error followed by the bytes with non-printable ones escaped.
    QString rawText(int row) const;

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

    // The bytes as readable text: UTF-8, CR LF as line breaks; other control bytes as \xNN.
    static QString printable(QByteArrayView bytes);

private:
    struct Row {
        QString accountId;
        ds::sip::TraceEvent event;
        QString firstLine; // computed once, on arrival
    };
    static QString firstLineOf(const QByteArray &raw);

    int m_capacity;
    std::deque<Row> m_rows;
    std::vector<Row> m_pending;
    QTimer m_flushTimer;
};

} // namespace ds::ui
