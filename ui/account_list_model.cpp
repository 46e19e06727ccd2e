#include "account_list_model.h"

#include "theme.h"

#include "sip/resolver.h"

#include <QBrush>

namespace ds::ui {

using phone::Registration;

AccountListModel::AccountListModel(QObject *parent)
    : QAbstractTableModel(parent)
{
}

AccountListModel::Row AccountListModel::rowFor(const phone::Account &account)
{
    Row r;
    r.account = account;
    return r;
}

void AccountListModel::setAccounts(const QList<phone::Account> &accounts)
{
    beginResetModel();
    m_rows.clear();
    for (const phone::Account &a : accounts)
        m_rows.push_back(rowFor(a));
    endResetModel();
}

int AccountListModel::upsertAccount(const phone::Account &account)
{
    if (const int row = rowOf(account.id); row >= 0) {
        m_rows[size_t(row)].account = account;
        rowChanged(row);
        return row;
    }
    const int row = int(m_rows.size());
    beginInsertRows({}, row, row);
    m_rows.push_back(rowFor(account));
    endInsertRows();
    return row;
}

void AccountListModel::removeAccount(const QString &id)
{
    const int row = rowOf(id);
    if (row < 0)
        return;
    beginRemoveRows({}, row, row);
    m_rows.erase(m_rows.begin() + row);
    endRemoveRows();
}

void AccountListModel::setRegistrationState(const QString &id, Registration::State state, int status, int expires)
{
    const int row = rowOf(id);
    if (row < 0)
        return;
    Row &r = m_rows[size_t(row)];
    r.state = state;
    r.status = status;
    if (state == Registration::State::Registered)
        r.grantedExpires = expires;
    else
        r.nextRefresh = {};
    rowChanged(row);
}

void AccountListModel::setOutcome(const QString &id, const phone::Diagnosis &diagnosis, const QDateTime &nextRefresh)
{
    const int row = rowOf(id);
    if (row < 0)
        return;
    Row &r = m_rows[size_t(row)];
    r.outcome = diagnosis;
    r.nextRefresh = nextRefresh;
    rowChanged(row);
}

void AccountListModel::resetRegistration(const QString &id)
{
    const int row = rowOf(id);
    if (row < 0)
        return;
    m_rows[size_t(row)] = rowFor(m_rows[size_t(row)].account);
    rowChanged(row);
}

int AccountListModel::rowOf(const QString &id) const
{
    for (size_t i = 0; i < m_rows.size(); ++i)
        if (m_rows[i].account.id == id)
            return int(i);
    return -1;
}

QString AccountListModel::idAt(int row) const { return row >= 0 && row < int(m_rows.size()) ? m_rows[size_t(row)].account.id : QString(); }

std::optional<phone::Account> AccountListModel::accountAt(int row) const
{
    if (row < 0 || row >= int(m_rows.size()))
        return std::nullopt;
    return m_rows[size_t(row)].account;
}

Registration::State AccountListModel::stateAt(int row) const
{
    return row >= 0 && row < int(m_rows.size()) ? m_rows[size_t(row)].state : Registration::State::Idle;
}

void AccountListModel::rowChanged(int row) { emit dataChanged(index(row, 0), index(row, ColumnCount - 1)); }

QString AccountListModel::stateText(Registration::State state)
{
    switch (state) {
    case Registration::State::Idle:
        return tr("not registered");
    case Registration::State::Registering:
        return tr("registering…");
    case Registration::State::Registered:
        return tr("registered");
    case Registration::State::Unregistering:
        return tr("unregistering…");
    case Registration::State::Unregistered:
        return tr("unregistered");
    case Registration::State::Failed:
        return tr("failed");
    }
    return {};
}

QString AccountListModel::outcomeText(phone::Outcome outcome)
{
    using phone::Outcome;
    switch (outcome) {
    case Outcome::Registered:
        return tr("registered");
    case Outcome::Unregistered:
        return tr("unregistered");
    case Outcome::WrongCredentials:
        return tr("wrong credentials");
    case Outcome::Forbidden:
        return tr("forbidden");
    case Outcome::NotFound:
        return tr("unknown user");
    case Outcome::Timeout:
        return tr("no answer");
    case Outcome::TlsError:
        return tr("TLS error");
    case Outcome::DnsError:
        return tr("DNS error");
    case Outcome::NetworkError:
        return tr("network error");
    case Outcome::ServerError:
        return tr("server error");
    case Outcome::Refused:
        return tr("refused");
    }
    return {};
}

QString AccountListModel::addressOf(const phone::Account &account)
{
    QString domain = account.domain;
    if (domain.isEmpty()) {
        if (const auto spec = sip::parseServerSpec(account.server))
            domain = spec->host.contains(QLatin1Char(':')) ? QLatin1Char('[') + spec->host + QLatin1Char(']') : spec->host;
    }
    return domain.isEmpty() ? account.user : account.user + QLatin1Char('@') + domain;
}

QString AccountListModel::transportOf(const phone::Account &account)
{
    if (const auto spec = sip::parseServerSpec(account.server); spec && spec->transport)
        return QString::fromLatin1(sip::transportName(*spec->transport));
    return account.transport.toUpper();
}

int AccountListModel::rowCount(const QModelIndex &parent) const { return parent.isValid() ? 0 : int(m_rows.size()); }

int AccountListModel::columnCount(const QModelIndex &parent) const { return parent.isValid() ? 0 : ColumnCount; }

QVariant AccountListModel::display(const Row &r, int column) const
{
    const bool registered = r.state == Registration::State::Registered;
    switch (column) {
    case NameColumn:
        return r.account.displayName.isEmpty() ? r.account.user : r.account.displayName;
    case AddressColumn:
        return addressOf(r.account);
    case ServerColumn:
        return r.account.server;
    case TransportColumn:
        return transportOf(r.account);
    case StateColumn:
        if (r.state == Registration::State::Failed && r.outcome)
            return tr("failed: %1").arg(outcomeText(r.outcome->outcome));
        return stateText(r.state);
    case ExpiresColumn:
        return registered && r.grantedExpires > 0 ? tr("%1 s").arg(r.grantedExpires) : QString();
    case RefreshColumn:
        return registered && r.nextRefresh.isValid() ? r.nextRefresh.toString(QStringLiteral("hh:mm:ss")) : QString();
    case DetailsColumn:
        return r.outcome ? r.outcome->reason : QString();
    }
    return {};
}

QVariant AccountListModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const Row &r = m_rows[size_t(index.row())];
    switch (role) {
    case Qt::DisplayRole:
        return display(r, index.column());
    case Qt::ToolTipRole:
        if (index.column() == DetailsColumn && r.outcome)
            return r.outcome->reason;
        if (index.column() == AddressColumn && !r.account.authUser.isEmpty())
            return tr("authenticates as %1").arg(r.account.authUser);
        if (index.column() == RefreshColumn && r.nextRefresh.isValid())
            return tr("the registration is refreshed at %1").arg(r.nextRefresh.toString(Qt::ISODate));
        return {};
    case Qt::ForegroundRole:
        if (index.column() != StateColumn)
            return {};
        if (r.state == Registration::State::Registered)
            return QBrush(toneColor(Tone::Good));
        if (r.state == Registration::State::Failed)
            return QBrush(toneColor(Tone::Bad));
        return {};
    case AccountIdRole:
        return r.account.id;
    case StateRole:
        return QVariant::fromValue(r.state);
    }
    return {};
}

QVariant AccountListModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return QAbstractTableModel::headerData(section, orientation, role);
    switch (section) {
    case NameColumn:
        return tr("Name");
    case AddressColumn:
        return tr("Address");
    case ServerColumn:
        return tr("Server");
    case TransportColumn:
        return tr("Transport");
    case StateColumn:
        return tr("State");
    case ExpiresColumn:
        return tr("Expires");
    case RefreshColumn:
        return tr("Next refresh");
    case DetailsColumn:
        return tr("Details");
    }
    return {};
}

} // namespace ds::ui
