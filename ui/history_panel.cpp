#include "history_panel.h"

#include "icons.h"

#include "call_history_model.h"
#include "contact_list_model.h"

#include "phone/call_history.h"
#include "phone/contacts.h"

#include <QAction>
#include <QClipboard>
#include <QComboBox>
#include <QDialog>
#include <QDialogButtonBox>
#include <QFormLayout>
#include <QGuiApplication>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QMessageBox>
#include <QPushButton>
#include <QRegularExpression>
#include <QSortFilterProxyModel>
#include <QTabWidget>
#include <QTreeView>
#include <QVBoxLayout>

#include <algorithm>

namespace ds::ui {

using phone::CallRecord;
using phone::Contact;

namespace {

QTreeView *makeView(const char *name, QAbstractItemModel *model, QWidget *parent)
{
    auto *view = new QTreeView(parent);
    view->setObjectName(QLatin1String(name));
    view->setModel(model);
    view->setRootIsDecorated(false);
    view->setUniformRowHeights(true);
    view->setAllColumnsShowFocus(true);
    view->setSelectionBehavior(QAbstractItemView::SelectRows);
    view->setEditTriggers(QAbstractItemView::NoEditTriggers);
    view->setContextMenuPolicy(Qt::ActionsContextMenu);
    view->header()->setStretchLastSection(true);
    return view;
}

} // namespace

HistoryPanel::HistoryPanel(phone::CallHistory &history, phone::Contacts &contacts, AccountName accountName, QWidget *parent)
    : QWidget(parent)
    , m_history(history)
    , m_contacts(contacts)
    , m_accountName(std::move(accountName))
{
    m_historyModel = new CallHistoryModel(history, &contacts, this);
    m_recentProxy = new QSortFilterProxyModel(this);
    m_recentProxy->setObjectName(QStringLiteral("recentProxy"));
    m_recentProxy->setSourceModel(m_historyModel);
    m_recentProxy->setFilterRole(CallHistoryModel::KindRole);
    m_recentProxy->setFilterKeyColumn(CallHistoryModel::KindColumn);
    m_contactModel = new ContactListModel(contacts, history, m_accountName, this);
    m_contactProxy = new QSortFilterProxyModel(this);
    m_contactProxy->setObjectName(QStringLiteral("contactProxy"));
    m_contactProxy->setSourceModel(m_contactModel);
    m_contactProxy->setFilterRole(ContactListModel::SearchRole);
    m_contactProxy->setFilterKeyColumn(ContactListModel::NameColumn);
    m_contactProxy->setFilterCaseSensitivity(Qt::CaseInsensitive);

    m_tabs = new QTabWidget(this);
    m_tabs->setObjectName(QStringLiteral("historyTabs"));
    m_tabs->setDocumentMode(true);
    m_recentTab = makeRecentTab();
    m_tabs->addTab(m_recentTab, tr("&Recent"));
    m_tabs->addTab(makeContactsTab(), tr("C&ontacts"));
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(m_tabs);

    connect(m_tabs, &QTabWidget::currentChanged, this, &HistoryPanel::markSeenIfShown);
    connect(&history, &phone::CallHistory::unseenMissedChanged, this, [this](int count) {
        emit missedCountChanged(count);
        // In front of someone looking at it, a missed call is seen as it arrives.
        if (count > 0 && isVisible() && m_tabs->currentWidget() == m_recentTab && window()->isActiveWindow())
            QMetaObject::invokeMethod(this, &HistoryPanel::markSeenIfShown, Qt::QueuedConnection);
    });
    for (QAbstractItemModel *m : {static_cast<QAbstractItemModel *>(m_recentProxy), static_cast<QAbstractItemModel *>(m_contactProxy)}) {
        connect(m, &QAbstractItemModel::rowsInserted, this, &HistoryPanel::updateActions);
        connect(m, &QAbstractItemModel::rowsRemoved, this, &HistoryPanel::updateActions);
        connect(m, &QAbstractItemModel::modelReset, this, &HistoryPanel::updateActions);
    }
    updateActions();
}

QAction *HistoryPanel::addAction(QTreeView *view, const QString &icon, const QString &text, const char *name)
{
    auto *a = new QAction(ds::ui::icon(icon), text, view);
    a->setObjectName(QLatin1String(name));
    a->setShortcutContext(Qt::WidgetWithChildrenShortcut);
    view->addAction(a);
    return a;
}

QWidget *HistoryPanel::makeRecentTab()
{
    auto *tab = new QWidget(this);
    tab->setObjectName(QStringLiteral("recentTab"));
    m_filter = new QComboBox(tab);
    m_filter->setObjectName(QStringLiteral("historyFilter"));
    // In the order of Filter; the data is the kind a row must have (callKindName()), empty for all.
    m_filter->addItem(tr("All calls"), QString());
    m_filter->addItem(tr("Missed"), phone::callKindName(CallRecord::Kind::Missed));
    m_filter->addItem(tr("Dialled"), phone::callKindName(CallRecord::Kind::Dialled));
    m_filter->addItem(tr("Received"), phone::callKindName(CallRecord::Kind::Received));
    auto *show = new QLabel(tr("&Show:"), tab);
    show->setBuddy(m_filter);
    connect(m_filter, &QComboBox::currentIndexChanged, this, [this] {
        const QString kind = m_filter->currentData().toString();
        m_recentProxy->setFilterRegularExpression(kind.isEmpty() ? QString() : QStringLiteral("^%1$").arg(QRegularExpression::escape(kind)));
        updateActions();
    });

    m_recentView = makeView("recentView", m_recentProxy, tab);
    m_recentView->setSelectionMode(QAbstractItemView::ExtendedSelection);
    m_recentView->header()->setSectionResizeMode(CallHistoryModel::KindColumn, QHeaderView::ResizeToContents);
    m_recentView->setToolTip(tr("Double-click or press Enter to call back"));
    m_call = addAction(m_recentView, QStringLiteral("call-start"), tr("&Call"), "callAction");
    m_copy = addAction(m_recentView, QStringLiteral("edit-copy"), tr("Copy &address"), "copyAddressAction");
    m_copy->setShortcut(QKeySequence::Copy);
    m_addToContacts = addAction(m_recentView, QStringLiteral("contact-add"), tr("Add to c&ontacts…"), "addToContactsAction");
    auto *separator = new QAction(m_recentView);
    separator->setSeparator(true);
    m_recentView->addAction(separator);
    m_delete = addAction(m_recentView, QStringLiteral("delete"), tr("&Delete"), "deleteCallAction");
    m_delete->setShortcut(QKeySequence::Delete);
    m_clear = addAction(m_recentView, QStringLiteral("clear-history"), tr("C&lear history…"), "clearHistoryAction");
    connect(m_recentView, &QAbstractItemView::activated, this, &HistoryPanel::redial);
    connect(m_call, &QAction::triggered, this, [this] { redial(m_recentView->currentIndex()); });
    connect(m_copy, &QAction::triggered, this, &HistoryPanel::copyRecentAddress);
    connect(m_addToContacts, &QAction::triggered, this, &HistoryPanel::addRecentToContacts);
    connect(m_delete, &QAction::triggered, this, &HistoryPanel::deleteSelectedRecent);
    connect(m_clear, &QAction::triggered, this, &HistoryPanel::confirmClear);
    connect(m_recentView->selectionModel(), &QItemSelectionModel::selectionChanged, this, &HistoryPanel::updateActions);
    connect(m_recentView->selectionModel(), &QItemSelectionModel::currentChanged, this, &HistoryPanel::updateActions);

    auto *top = new QHBoxLayout;
    top->addWidget(show);
    top->addWidget(m_filter);
    top->addStretch();
    auto *layout = new QVBoxLayout(tab);
    layout->addLayout(top);
    layout->addWidget(m_recentView, 1);
    return tab;
}

QWidget *HistoryPanel::makeContactsTab()
{
    auto *tab = new QWidget(this);
    tab->setObjectName(QStringLiteral("contactsTab"));
    m_search = new QLineEdit(tab);
    m_search->setObjectName(QStringLiteral("contactSearch"));
    m_search->setPlaceholderText(tr("Search names and addresses"));
    m_search->setClearButtonEnabled(true);
    connect(m_search, &QLineEdit::textChanged, this, [this](const QString &text) {
        m_contactProxy->setFilterFixedString(text.trimmed());
        updateActions();
    });
    // Enter in the search calls the first match.
    connect(m_search, &QLineEdit::returnPressed, this, [this] {
        if (m_contactProxy->rowCount() > 0)
            callContact(m_contactProxy->index(0, 0));
    });
    auto *add = new QPushButton(icon(u"contact-add"), tr("&New contact…"), tab);
    add->setObjectName(QStringLiteral("newContact"));
    connect(add, &QPushButton::clicked, this, [this] { openContactDialog({}); });

    m_contactView = makeView("contactView", m_contactProxy, tab);
    m_contactView->setSelectionMode(QAbstractItemView::SingleSelection);
    m_contactView->setToolTip(tr("Double-click or press Enter to call"));
    m_callContact = addAction(m_contactView, QStringLiteral("call-start"), tr("&Call"), "callContactAction");
    m_editContact = addAction(m_contactView, QStringLiteral("contact-edit"), tr("&Edit…"), "editContactAction");
    m_removeContact = addAction(m_contactView, QStringLiteral("delete"), tr("&Remove"), "removeContactAction");
    m_removeContact->setShortcut(QKeySequence::Delete);
    m_copyContact = addAction(m_contactView, QStringLiteral("edit-copy"), tr("Copy &address"), "copyContactAddressAction");
    m_copyContact->setShortcut(QKeySequence::Copy);
    connect(m_contactView, &QAbstractItemView::activated, this, &HistoryPanel::callContact);
    connect(m_callContact, &QAction::triggered, this, [this] { callContact(m_contactView->currentIndex()); });
    connect(m_editContact, &QAction::triggered, this, &HistoryPanel::editContact);
    connect(m_removeContact, &QAction::triggered, this, &HistoryPanel::removeContact);
    connect(m_copyContact, &QAction::triggered, this, &HistoryPanel::copyContactAddress);
    connect(m_contactView->selectionModel(), &QItemSelectionModel::currentChanged, this, &HistoryPanel::updateActions);

    auto *top = new QHBoxLayout;
    top->addWidget(m_search, 1);
    top->addWidget(add);
    auto *layout = new QVBoxLayout(tab);
    layout->addLayout(top);
    layout->addWidget(m_contactView, 1);
    return tab;
}

// ---- state ---------------------------------------------------------------------

void HistoryPanel::setAccounts(const QList<DialPad::AccountChoice> &accounts)
{
    m_accounts = accounts;
    m_accountsKnown = true;
}

void HistoryPanel::setFilter(Filter filter) { m_filter->setCurrentIndex(int(filter)); }

HistoryPanel::Filter HistoryPanel::filter() const { return Filter(m_filter->currentIndex()); }

void HistoryPanel::showRecent() { m_tabs->setCurrentWidget(m_recentTab); }

void HistoryPanel::showContacts() { m_tabs->setCurrentIndex(1); }

int HistoryPanel::missedCount() const { return m_history.unseenMissed(); }

QAbstractItemModel *HistoryPanel::recentModel() const { return m_recentProxy; }

QAbstractItemModel *HistoryPanel::contactModel() const { return m_contactProxy; }

void HistoryPanel::showEvent(QShowEvent *event)
{
    QWidget::showEvent(event);
    markSeenIfShown();
}

void HistoryPanel::markSeenIfShown()
{
    if (isVisible() && m_tabs->currentWidget() == m_recentTab)
        m_history.markAllSeen();
}

void HistoryPanel::updateActions()
{
    const QModelIndex recent = currentRecent();
    for (QAction *a : {m_call, m_copy, m_addToContacts})
        a->setEnabled(recent.isValid());
    if (const CallRecord *r = m_historyModel->record(recent))
        m_addToContacts->setText(m_contacts.indexOfAddress(r->address) >= 0 ? tr("Edit c&ontact…") : tr("Add to c&ontacts…"));
    m_delete->setEnabled(m_recentView->selectionModel()->hasSelection() || recent.isValid());
    m_clear->setEnabled(m_history.size() > 0);

    const ContactListModel::Row *row = m_contactModel->row(currentContact());
    m_callContact->setEnabled(row);
    m_copyContact->setEnabled(row);
    m_editContact->setEnabled(row);
    m_editContact->setText(row && !row->saved ? tr("Add to c&ontacts…") : tr("&Edit…"));
    m_removeContact->setEnabled(row && row->saved);
}

QString HistoryPanel::accountFor(const QString &preferred) const
{
    if (!m_accountsKnown)
        return preferred;
    const auto registered = [this](const QString &id) {
        return std::any_of(m_accounts.begin(), m_accounts.end(), [&id](const DialPad::AccountChoice &a) { return a.id == id && a.registered; });
    };
    if (!preferred.isEmpty() && registered(preferred))
        return preferred;
    for (const DialPad::AccountChoice &a : m_accounts)
        if (a.registered)
            return a.id;
    return preferred;
}

void HistoryPanel::dial(const QString &accountId, const QString &address)
{
    if (!address.isEmpty())
        emit dialRequested(accountFor(accountId), address);
}

// ---- Recent ----------------------------------------------------------------------

QModelIndex HistoryPanel::currentRecent() const
{
    const QModelIndex current = m_recentView->currentIndex();
    return current.isValid() ? m_recentProxy->mapToSource(current) : QModelIndex();
}

void HistoryPanel::redial(const QModelIndex &proxyIndex)
{
    if (const CallRecord *r = m_historyModel->record(m_recentProxy->mapToSource(proxyIndex)))
        dial(r->accountId, r->address);
}

void HistoryPanel::copyRecentAddress()
{
    if (const CallRecord *r = m_historyModel->record(currentRecent()))
        QGuiApplication::clipboard()->setText(r->address);
}

void HistoryPanel::addRecentToContacts()
{
    const CallRecord *r = m_historyModel->record(currentRecent());
    if (!r)
        return;
    if (const int saved = m_contacts.indexOfAddress(r->address); saved >= 0)
        openContactDialog(m_contacts.contacts().at(saved)); // a contact already: edit it instead of refusing a second one
    else
        openContactDialog(Contact::fromRecord(*r));
}

void HistoryPanel::deleteSelectedRecent()
{
    QStringList ids;
    QModelIndexList rows = m_recentView->selectionModel()->selectedRows();
    if (rows.isEmpty() && m_recentView->currentIndex().isValid())
        rows << m_recentView->currentIndex();
    for (const QModelIndex &i : std::as_const(rows))
        ids << i.data(CallHistoryModel::IdRole).toString();
    for (const QString &id : std::as_const(ids))
        m_history.remove(id);
}

void HistoryPanel::confirmClear()
{
    if (m_history.size() == 0)
        return;
    auto *box = new QMessageBox(QMessageBox::Question, tr("Clear history"),
        tr("Delete all %n call(s) from the history? Saved contacts stay.", nullptr, m_history.size()), QMessageBox::Yes | QMessageBox::Cancel, this);
    box->setObjectName(QStringLiteral("clearHistoryConfirm"));
    box->setDefaultButton(QMessageBox::Cancel);
    box->setAttribute(Qt::WA_DeleteOnClose);
    connect(box, &QMessageBox::finished, this, [this, box] {
        if (box->clickedButton() == box->button(QMessageBox::Yes))
            m_history.clear();
    });
    box->open();
}

// ---- Contacts --------------------------------------------------------------------

QModelIndex HistoryPanel::currentContact() const
{
    const QModelIndex current = m_contactView->currentIndex();
    return current.isValid() ? m_contactProxy->mapToSource(current) : QModelIndex();
}

void HistoryPanel::callContact(const QModelIndex &proxyIndex)
{
    if (const ContactListModel::Row *r = m_contactModel->row(m_contactProxy->mapToSource(proxyIndex)))
        dial(r->accountId, r->address);
}

void HistoryPanel::editContact()
{
    const ContactListModel::Row *r = m_contactModel->row(currentContact());
    if (!r)
        return;
    if (const int saved = m_contacts.indexOf(r->contactId); r->saved && saved >= 0)
        openContactDialog(m_contacts.contacts().at(saved));
    else
        openContactDialog({{}, r->name, r->address, r->accountId});
}

void HistoryPanel::removeContact()
{
    const ContactListModel::Row *r = m_contactModel->row(currentContact());
    if (r && r->saved)
        m_contacts.remove(r->contactId);
}

void HistoryPanel::copyContactAddress()
{
    if (const ContactListModel::Row *r = m_contactModel->row(currentContact()))
        QGuiApplication::clipboard()->setText(r->address);
}

void HistoryPanel::openContactDialog(const Contact &contact)
{
    auto *dialog = new QDialog(this);
    dialog->setObjectName(QStringLiteral("contactDialog"));
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    dialog->setWindowTitle(contact.id.isEmpty() ? tr("Add contact") : tr("Edit contact"));
    auto *name = new QLineEdit(contact.name, dialog);
    name->setObjectName(QStringLiteral("contactName"));
    auto *address = new QLineEdit(contact.address, dialog);
    address->setObjectName(QStringLiteral("contactAddress"));
    address->setPlaceholderText(tr("sip:alice@example.com, alice@192.0.2.1 or a number"));
    auto *account = new QComboBox(dialog);
    account->setObjectName(QStringLiteral("contactAccount"));
    account->addItem(tr("Any account"), QString());
    for (const DialPad::AccountChoice &a : std::as_const(m_accounts))
        account->addItem(a.name, a.id);
    if (!contact.accountId.isEmpty() && account->findData(contact.accountId) < 0)
        account->addItem(m_accountName ? m_accountName(contact.accountId) : contact.accountId, contact.accountId);
    account->setCurrentIndex(std::max(0, account->findData(contact.accountId)));
    auto *error = new QLabel(dialog);
    error->setObjectName(QStringLiteral("contactError"));
    error->setWordWrap(true);
    error->hide();
    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Save | QDialogButtonBox::Cancel, dialog);

    auto *form = new QFormLayout;
    form->addRow(tr("&Name:"), name);
    form->addRow(tr("&Address:"), address);
    form->addRow(tr("Call &from:"), account);
    auto *layout = new QVBoxLayout(dialog);
    layout->addLayout(form);
    layout->addWidget(error);
    layout->addWidget(buttons);

    const QString id = contact.id;
    connect(buttons, &QDialogButtonBox::rejected, dialog, &QDialog::reject);
    connect(buttons, &QDialogButtonBox::accepted, dialog, [this, dialog, id, name, address, account, error] {
        const Contact edited {id, name->text(), address->text(), account->currentData().toString()};
        QString problem;
        if (id.isEmpty()) {
            if (auto added = m_contacts.add(edited); !added)
                problem = added.error();
        } else if (auto updated = m_contacts.update(edited); !updated) {
            problem = updated.error();
        }
        if (problem.isEmpty()) {
            dialog->accept();
            return;
        }
        error->setText(problem);
        error->show();
        emit status(tr("Contact not saved: %1").arg(problem));
    });
    dialog->open();
}

} // namespace ds::ui
