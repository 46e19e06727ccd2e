#pragma once
// HistoryPanel: the call history and contacts, for a dock — "Recent" (all, missed, dialled or
// received calls; call back, copy, add to contacts, delete, clear) and "Contacts" (search; call,
// edit, remove) — asking its owner to dial, and counting the missed calls nobody has seen yet.

#include "dial_pad.h"

#include <QList>
#include <QWidget>

#include <functional>

class QAbstractItemModel;
class QAction;
class QComboBox;
class QLineEdit;
class QModelIndex;
class QSortFilterProxyModel;
class QTabWidget;
class QTreeView;

namespace ds::phone {
class CallHistory;
class Contacts;
struct Contact;
} // namespace ds::phone

namespace ds::ui {

class CallHistoryModel;
class ContactListModel;

class HistoryPanel final : public QWidget {
    Q_OBJECT
public:
    using AccountName = std::function<QString(const QString &accountId)>;
    enum class Filter { All, Missed, Dialled, Received };

    // history and contacts outlive the panel (load() them first). accountName: an account id as people
    // see it; null: the id.
    HistoryPanel(ds::phone::CallHistory &history, ds::phone::Contacts &contacts, AccountName accountName = {}, QWidget *parent = nullptr);

    // The accounts calls can go from (as the dial pad's). A call back goes from the account the call
    // was on when it is registered, else from the first registered one. Until this is called the
    // record's (or contact's) own account is asked for as it is.
    void setAccounts(const QList<DialPad::AccountChoice> &accounts);

    void setFilter(Filter filter);
    Filter filter() const;
    void showRecent();
    void showContacts();
    // Missed calls nobody has looked at yet (shown with the Recent tab in front, they are seen).
    int missedCount() const;

    // The views' models (proxies over the ones below), in the order the views show them.
    QAbstractItemModel *recentModel() const;
    QAbstractItemModel *contactModel() const;
    CallHistoryModel *callHistoryModel() const { return m_historyModel; }
    ContactListModel *contactListModel() const { return m_contactModel; }

signals:
    // Call target from accountId (empty when no account is known: the owner picks one).
    void dialRequested(const QString &accountId, const QString &target);
    void missedCountChanged(int count);
    // A contact could not be saved, or similar, in words for the status bar.
    void status(const QString &text);

protected:
    void showEvent(QShowEvent *event) override;

private:
    QWidget *makeRecentTab();
    QWidget *makeContactsTab();
    QAction *addAction(QTreeView *view, const QString &icon, const QString &text, const char *name);
    void updateActions();
    void markSeenIfShown();
    QString accountFor(const QString &preferred) const;
    void dial(const QString &accountId, const QString &address);

    // Recent.
    QModelIndex currentRecent() const; // in the CallHistoryModel
    void redial(const QModelIndex &proxyIndex);
    void copyRecentAddress();
    void addRecentToContacts();
    void deleteSelectedRecent();
    void confirmClear();

    // Contacts.
    QModelIndex currentContact() const; // in the ContactListModel
    void callContact(const QModelIndex &proxyIndex);
    void editContact(); // a saved one; a person from the history is offered for adding
    void removeContact();
    void copyContactAddress();
    // The add/edit dialog; contact.id empty: a new contact.
    void openContactDialog(const ds::phone::Contact &contact);

    ds::phone::CallHistory &m_history;
    ds::phone::Contacts &m_contacts;
    AccountName m_accountName;
    QList<DialPad::AccountChoice> m_accounts;
    bool m_accountsKnown = false;

    QTabWidget *m_tabs;
    QWidget *m_recentTab = nullptr;
    QComboBox *m_filter = nullptr;
    QTreeView *m_recentView = nullptr;
    CallHistoryModel *m_historyModel;
    QSortFilterProxyModel *m_recentProxy;
    QAction *m_call = nullptr, *m_copy = nullptr, *m_addToContacts = nullptr, *m_delete = nullptr, *m_clear = nullptr;

    QLineEdit *m_search = nullptr;
    QTreeView *m_contactView = nullptr;
    ContactListModel *m_contactModel;
    QSortFilterProxyModel *m_contactProxy;
    QAction *m_callContact = nullptr, *m_editContact = nullptr, *m_removeContact = nullptr, *m_copyContact = nullptr;
};

} // namespace ds::ui
