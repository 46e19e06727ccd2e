#pragma once
// AccountListModel: one row per configured account with its registration as the Phone reports
// it — state, the sentence explaining the last outcome, the granted expiry and next refresh.

#include "phone/account.h"
#include "phone/outcome.h"
#include "phone/registration.h"

#include <QAbstractTableModel>
#include <QDateTime>

#include <optional>
#include <vector>

namespace ds::ui {

class AccountListModel final : public QAbstractTableModel {
    Q_OBJECT
public:
    enum Column { NameColumn, AddressColumn, ServerColumn, TransportColumn, StateColumn, ExpiresColumn, RefreshColumn, DetailsColumn, ColumnCount };
    enum Role {
        AccountIdRole = Qt::UserRole + 1,
        StateRole, // ds::phone::Registration::State
    };

    explicit AccountListModel(QObject *parent = nullptr);

    void setAccounts(const QList<ds::phone::Account> &accounts);
    // Adds the account, or updates the row with its id; returns the row.
    int upsertAccount(const ds::phone::Account &account);
    void removeAccount(const QString &id);

    // What the Phone reported (Phone::registrationChanged).
    void setRegistrationState(const QString &id, ds::phone::Registration::State state, int status, int expires);
    // How the last attempt ended (Phone::registrationFinished); nextRefresh is invalid when none.
    void setOutcome(const QString &id, const ds::phone::Diagnosis &diagnosis, const QDateTime &nextRefresh);
    // Back to "not registered", e.g. after the account was changed.
    void resetRegistration(const QString &id);

    int rowOf(const QString &id) const;
    QString idAt(int row) const;
    std::optional<ds::phone::Account> accountAt(int row) const;
    ds::phone::Registration::State stateAt(int row) const;

    static QString stateText(ds::phone::Registration::State state);
    static QString outcomeText(ds::phone::Outcome outcome);
    // "alice@example.com": the AOR, with the server's host when the account has no domain.
    static QString addressOf(const ds::phone::Account &account);
    // The transport used: the server URI's ;transport= wins over the account's setting.
    static QString transportOf(const ds::phone::Account &account);

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

private:
    struct Row {
        ds::phone::Account account;
        ds::phone::Registration::State state = ds::phone::Registration::State::Idle;
        int status = 0;
        int grantedExpires = 0;
        QDateTime nextRefresh;
        std::optional<ds::phone::Diagnosis> outcome;
    };
    static Row rowFor(const ds::phone::Account &account);
    QVariant display(const Row &r, int column) const;
    void rowChanged(int row);

    std::vector<Row> m_rows;
};

} // namespace ds::ui
