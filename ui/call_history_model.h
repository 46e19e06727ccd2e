#pragma once
// CallHistoryModel: the call history as a table for the Recent tab — direction, name, address,
// account, time and duration — following the history row by row as calls end.

#include "phone/call_history.h"

#include <QAbstractTableModel>
#include <QHash>
#include <QIcon>

namespace ds::phone {
class Contacts;
}

namespace ds::ui {

class CallHistoryModel final : public QAbstractTableModel {
    Q_OBJECT
public:
    enum Column { KindColumn, NameColumn, AddressColumn, AccountColumn, TimeColumn, DurationColumn, ColumnCount };
    enum Role {
        KindRole = Qt::UserRole + 1, // callKindName(): "dialled", "received", "missed"
        IdRole, // the record's id
        AddressRole, // the dialable address
        AccountIdRole,
    };

    // contacts (optional): names the far end by its saved contact when the call gave no name.
    explicit CallHistoryModel(ds::phone::CallHistory &history, const ds::phone::Contacts *contacts = nullptr, QObject *parent = nullptr);

    const ds::phone::CallRecord *record(const QModelIndex &index) const;
    // The name shown for a record: the far end's display name, its contact's, else the address's user.
    QString nameOf(const ds::phone::CallRecord &record) const;

    // The direction icon from the icon theme, null when the theme has none (then the text shows).
    static QIcon kindIcon(ds::phone::CallRecord::Kind kind);
    static QString kindText(ds::phone::CallRecord::Kind kind); // "Dialled", "Received", "Missed"

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

private:
    void updateContactNames();
    QString describe(const ds::phone::CallRecord &r) const; // the tooltip

    ds::phone::CallHistory &m_history;
    const ds::phone::Contacts *m_contacts;
    QHash<QString, QString> m_contactNames; // addressKey -> saved name
};

} // namespace ds::ui
