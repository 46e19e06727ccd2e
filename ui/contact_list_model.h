#pragma once
// ContactListModel: the Contacts tab — the saved contacts first (by name), then the people the call
// history knows who are not saved (latest call first) — rebuilt when either changes.

#include <QAbstractTableModel>
#include <QDateTime>

#include <functional>

namespace ds::phone {
class CallHistory;
class Contacts;
} // namespace ds::phone

namespace ds::ui {

class ContactListModel final : public QAbstractTableModel {
    Q_OBJECT
public:
    using AccountName = std::function<QString(const QString &accountId)>;
    enum Column { NameColumn, AddressColumn, AccountColumn, LastCallColumn, CallsColumn, ColumnCount };
    enum Role {
        ContactIdRole = Qt::UserRole + 1, // the saved contact's id; empty for a person from the history
        AddressRole, // the dialable address
        AccountIdRole, // the account to call from; empty: any
        SavedRole, // bool: a saved contact
        SearchRole, // the text a search matches: name and address
    };

    struct Row {
        bool saved = false;
        QString contactId {};
        QString name {};
        QString address {};
        QString accountId {};
        int calls = 0;
        QDateTime lastCall {}; // UTC; invalid when never called
    };

    // accountName: shows an account id as its name; null: the id.
    ContactListModel(ds::phone::Contacts &contacts, ds::phone::CallHistory &history, AccountName accountName = {}, QObject *parent = nullptr);

    const Row *row(const QModelIndex &index) const;

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

private:
    void rebuild();

    ds::phone::Contacts &m_contacts;
    ds::phone::CallHistory &m_history;
    AccountName m_accountName;
    QList<Row> m_rows;
};

} // namespace ds::ui
