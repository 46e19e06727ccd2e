#include "main_window.h"

#include "icons.h"

#include "ladder_panel.h"

#include "account_dialog.h"
#include "account_list_model.h"
#include "account_store.h"
#include "auth_explainer.h"
#include "call_list.h"
#include "dial_pad.h"
#include "finding_list_model.h"
#include "message_log_model.h"
#include "regtest_panel.h"
#include "theme.h"

#include "demo/demo_peer.h"
#include "phone/call.h"
#include "phone/phone.h"

#include <QApplication>
#include <QDockWidget>
#include <QFileDialog>
#include <QFileInfo>
#include <QFontDatabase>
#include <QHeaderView>
#include <QLabel>
#include <QMenuBar>
#include <QMessageBox>
#include <QPlainTextEdit>
#include <QScrollBar>
#include <QSplitter>
#include <QStatusBar>
#include <QTabBar>
#include <QTabWidget>
#include <QTableView>
#include <QToolBar>
#include <QToolButton>
#include <QVBoxLayout>

namespace ds::ui {

using phone::Registration;

namespace {

QTableView *tableView(const char *objectName, QAbstractItemModel *model, QWidget *parent)
{
    auto *v = new QTableView(parent);
    v->setObjectName(QLatin1String(objectName));
    v->setModel(model);
    v->setSelectionBehavior(QAbstractItemView::SelectRows);
    v->setSelectionMode(QAbstractItemView::SingleSelection);
    v->setEditTriggers(QAbstractItemView::NoEditTriggers);
    v->setWordWrap(false);
    v->setAlternatingRowColors(true);
    v->verticalHeader()->hide();
    v->verticalHeader()->setSectionResizeMode(QHeaderView::Fixed);
    v->verticalHeader()->setDefaultSectionSize(v->fontMetrics().height() + 6);
    v->horizontalHeader()->setStretchLastSection(true);
    v->horizontalHeader()->setHighlightSections(false);
    v->horizontalHeader()->setDefaultAlignment(Qt::AlignLeft | Qt::AlignVCenter);
    return v;
}

// Column widths that fit a sample text, so the views need no per-row measuring.
void setWidths(QTableView *v, const QList<QPair<int, QString>> &samples)
{
    const QFontMetrics fm = v->fontMetrics();
    for (const auto &[column, sample] : samples)
        v->setColumnWidth(column, fm.horizontalAdvance(sample) + 24);
}

QString severityOf(phone::Outcome o)
{
    return o == phone::Outcome::Registered || o == phone::Outcome::Unregistered ? QStringLiteral("info") : QStringLiteral("error");
}

} // namespace

MainWindow::MainWindow(phone::Phone &phone, AccountStore &store, QWidget *parent)
    : QMainWindow(parent)
    , m_phone(phone)
    , m_store(store)
    , m_accountModel(new AccountListModel(this))
    , m_logModel(new MessageLogModel(this))
    , m_findingModel(new FindingListModel(this))
{
    setWindowTitle(tr("dialscope"));
    createActions();
    createCentralWidget();
    createDocks();
    createCallsDock();
    m_status = new QLabel(this);
    m_status->setObjectName(QStringLiteral("statusText"));
    statusBar()->addWidget(m_status, 1);
    createHistoryDock();
    connectPhone();
    connectCalls();
    connectStore();
    loadAccounts();
    applySavedCallSettings();
    updateBanner();
    updateActions();
    updateDialPad();
    resize(1280, 860);
}

MainWindow::~MainWindow()
{
    // The demo account's calls and registration end over the demo peer's sockets: the account goes first.
    if (m_demo)
        m_phone.removeAccount(m_demo->account().id);
}

DialPad *MainWindow::dialPad() const { return m_calls->dialPad(); }

QList<CallPanel *> MainWindow::callPanels() const { return m_calls->panels(); }

void MainWindow::createActions()
{
    const auto action = [this](const char *name, const QString &text, const QString &icon, const QString &tip, void (MainWindow::*slot)()) {
        auto *a = new QAction(ds::ui::icon(icon), text, this);
        a->setObjectName(QLatin1String(name));
        a->setToolTip(tip);
        a->setStatusTip(tip);
        connect(a, &QAction::triggered, this, slot);
        return a;
    };
    m_addAction = action("addAccount", tr("&Add"), QStringLiteral("account-add"), tr("Add a SIP account"), &MainWindow::addAccount);
    m_editAction = action("editAccount", tr("&Edit"), QStringLiteral("account-edit"), tr("Edit the selected account"), &MainWindow::editAccount);
    m_removeAction = action("removeAccount", tr("Re&move"), QStringLiteral("account-remove"), tr("Remove the selected account and its stored password"),
        &MainWindow::removeAccount);
    m_registerAction
        = action("registerAccount", tr("&Register"), QStringLiteral("register"), tr("Register the selected account now"), &MainWindow::registerSelected);
    m_unregisterAction = action("unregisterAccount", tr("&Unregister"), QStringLiteral("unregister"),
        tr("Remove the selected account's binding from the registrar"), &MainWindow::unregisterSelected);

    auto *toolbar = addToolBar(tr("Accounts"));
    toolbar->setObjectName(QStringLiteral("accountToolBar"));
    toolbar->setMovable(false);
    toolbar->setToolButtonStyle(Qt::ToolButtonTextBesideIcon);
    for (QAction *a : {m_addAction, m_editAction, m_removeAction}) {
        toolbar->addAction(a);
        toolbar->widgetForAction(a)->setObjectName(a->objectName());
    }
    toolbar->addSeparator();
    for (QAction *a : {m_registerAction, m_unregisterAction}) {
        toolbar->addAction(a);
        toolbar->widgetForAction(a)->setObjectName(a->objectName());
    }

    QMenu *file = menuBar()->addMenu(tr("&File"));
    QAction *open = file->addAction(icon(u"capture-open"), tr("&Open capture…"), this, &MainWindow::openCaptureDialog);
    open->setObjectName(QStringLiteral("openCapture"));
    open->setShortcut(QKeySequence::Open);
    open->setStatusTip(tr("Read a pcap or pcapng file and show its SIP ladder"));
    file->addSeparator();
    QAction *quit = file->addAction(tr("&Quit"), this, &QWidget::close);
    quit->setShortcut(QKeySequence::Quit);
    QMenu *accounts = menuBar()->addMenu(tr("&Accounts"));
    accounts->addActions({m_addAction, m_editAction, m_removeAction});
    accounts->addSeparator();
    accounts->addActions({m_registerAction, m_unregisterAction});
    accounts->addSeparator();
    QAction *regtest = accounts->addAction(tr("Registration &test…"), this, [this] { m_tabs->setCurrentWidget(m_regtest); });
    regtest->setObjectName(QStringLiteral("showRegtest"));
    regtest->setStatusTip(tr("Register many accounts at a set rate, SIPp-style, and see who failed and why"));
    QMenu *calls = menuBar()->addMenu(tr("&Calls"));
    m_audioAction = calls->addAction(icon(u"audio-settings"), tr("&Audio settings…"), this, &MainWindow::openAudioSettings);
    m_audioAction->setObjectName(QStringLiteral("audioSettings"));
    m_audioAction->setStatusTip(tr("Sound card, WAV files or tone, and codecs for calls"));
    m_recordAction = calls->addAction(tr("&Record calls for bundles"));
    m_recordAction->setObjectName(QStringLiteral("recordCalls"));
    m_recordAction->setCheckable(true);
    m_recordAction->setStatusTip(tr("Keep a WAV of each direction of every call, so a call bundle for a ticket holds the audio too"));
    connect(m_recordAction, &QAction::toggled, this, &MainWindow::setRecordCalls);
    calls->addSeparator();
    createTestCallMenu(calls);
    accounts->addSeparator();
    accounts->addAction(m_showDemoAction);
    QMenu *log = menuBar()->addMenu(tr("&Log"));
    log->addAction(tr("&Clear messages"), this, [this] {
        m_logModel->clear();
        m_raw->clear();
        m_ladder->clear();
    });
}

void MainWindow::createCentralWidget()
{
    m_banner = new QLabel(tr("No keychain service is available: passwords are kept for this session only and must be entered again after "
                             "dialscope restarts."),
        this);
    m_banner->setObjectName(QStringLiteral("keychainBanner"));
    m_banner->setWordWrap(true);
    m_banner->setMargin(6);
    setWarningBanner(m_banner); // readable in light and dark themes
    m_banner->hide();

    m_accountView = tableView("accounts", m_accountModel, this);
    setWidths(m_accountView,
        {{AccountListModel::NameColumn, QStringLiteral("Alice at the office")}, {AccountListModel::AddressColumn, QStringLiteral("alice@pbx.example.com")},
            {AccountListModel::ServerColumn, QStringLiteral("pbx.example.com:5060")}, {AccountListModel::TransportColumn, QStringLiteral("Transport")},
            {AccountListModel::StateColumn, QStringLiteral("failed: wrong credentials")}, {AccountListModel::ExpiresColumn, QStringLiteral("86400 s")},
            {AccountListModel::RefreshColumn, QStringLiteral("Next refresh")}});
    // Few rows, long sentences: the explanation wraps instead of being cut.
    m_accountView->setWordWrap(true);
    m_accountView->setTextElideMode(Qt::ElideNone);
    m_accountView->verticalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);
    connect(m_accountView->selectionModel(), &QItemSelectionModel::selectionChanged, this, &MainWindow::updateActions);
    connect(m_accountModel, &QAbstractItemModel::dataChanged, this, &MainWindow::updateActions);
    connect(m_accountView, &QAbstractItemView::doubleClicked, this, &MainWindow::editAccount);

    m_logView = tableView("messageLog", m_logModel, this);
    setWidths(m_logView,
        {{MessageLogModel::TimeColumn, QStringLiteral("00:00:00.000")}, {MessageLogModel::DirectionColumn, QStringLiteral("Dir")},
            {MessageLogModel::TransportColumn, QStringLiteral("Transport")}, {MessageLogModel::PeerColumn, QStringLiteral("[2001:db8::1]:5060")}});
    connect(m_logView->selectionModel(), &QItemSelectionModel::currentRowChanged, this, &MainWindow::showSelectedMessage);
    // Follow new messages while the view is scrolled to the end.
    connect(m_logModel, &QAbstractItemModel::rowsAboutToBeInserted, this, [this] {
        const QScrollBar *bar = m_logView->verticalScrollBar();
        m_followLog = bar->value() >= bar->maximum();
    });
    connect(m_logModel, &QAbstractItemModel::rowsInserted, this, [this] {
        if (m_followLog)
            m_logView->scrollToBottom();
    });

    m_raw = new QPlainTextEdit(this);
    m_raw->setObjectName(QStringLiteral("rawMessage"));
    m_raw->setReadOnly(true);
    m_raw->setLineWrapMode(QPlainTextEdit::NoWrap);
    m_raw->setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
    m_raw->setPlaceholderText(tr("Select a message to see it as it was on the wire."));

    auto *messages = new QSplitter(Qt::Horizontal, this);
    messages->addWidget(m_logView);
    messages->addWidget(m_raw);
    messages->setStretchFactor(0, 3);
    messages->setStretchFactor(1, 2);

    // Our own traffic live: the message list and the ladder side by side as tabs; captures
    // opened from the File menu get tabs of their own.
    m_ladder = new LadderPanel(this);
    m_ladder->setObjectName(QStringLiteral("liveLadder"));
    m_tabs = new QTabWidget(this);
    m_tabs->setObjectName(QStringLiteral("traceTabs"));
    m_tabs->setDocumentMode(true);
    m_tabs->addTab(m_ladder, tr("Ladder"));
    m_tabs->addTab(messages, tr("Messages"));
    m_regtest = new RegTestPanel(this);
    m_regtest->setObjectName(QStringLiteral("regtestPanel"));
    m_tabs->addTab(m_regtest, tr("Registration Test"));
    m_tabs->setTabsClosable(true);
    constexpr int kFixedTabs = 3; // the live tabs and the registration test stay
    for (int i = 0; i < kFixedTabs; ++i)
        m_tabs->tabBar()->setTabButton(i, QTabBar::RightSide, nullptr);
    connect(m_tabs, &QTabWidget::tabCloseRequested, this, [this](int i) {
        if (i >= kFixedTabs) {
            QWidget *w = m_tabs->widget(i);
            m_tabs->removeTab(i);
            w->deleteLater();
        }
    });

    auto *split = new QSplitter(Qt::Vertical, this);
    split->addWidget(m_accountView);
    split->addWidget(m_tabs);
    split->setStretchFactor(0, 1);
    split->setStretchFactor(1, 3);
    split->setChildrenCollapsible(false);
    // Room for a few accounts (a wrapped explanation makes a row two or three lines high) whatever the
    // ladder asks for.
    m_accountView->setMinimumHeight(m_accountView->horizontalHeader()->sizeHint().height() + m_accountView->fontMetrics().height() * 6);

    auto *central = new QWidget(this);
    auto *layout = new QVBoxLayout(central);
    layout->setContentsMargins(4, 4, 4, 0);
    layout->addWidget(m_banner);
    layout->addWidget(split, 1);
    setCentralWidget(central);
}

void MainWindow::createDocks()
{
    m_findingView = tableView("findings", m_findingModel, this);
    setWidths(m_findingView,
        {{FindingListModel::TimeColumn, QStringLiteral("00:00:00")}, {FindingListModel::AccountColumn, QStringLiteral("Alice at the office")},
            {FindingListModel::SeverityColumn, QStringLiteral("Severity")}});
    m_findingView->setSelectionMode(QAbstractItemView::ExtendedSelection);
    m_findingView->setWordWrap(true);
    m_findingView->verticalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);
    connect(m_findingModel, &QAbstractItemModel::rowsInserted, m_findingView, &QTableView::scrollToBottom);

    m_auth = new AuthExplainer(this);
    m_auth->setObjectName(QStringLiteral("authExplainer"));

    auto *findings = new QDockWidget(tr("Findings"), this);
    findings->setObjectName(QStringLiteral("findingsDock"));
    findings->setWidget(m_findingView);
    auto *auth = new QDockWidget(tr("Authentication"), this);
    auth->setObjectName(QStringLiteral("authDock"));
    auth->setWidget(m_auth);
    addDockWidget(Qt::BottomDockWidgetArea, findings);
    addDockWidget(Qt::BottomDockWidgetArea, auth);
    tabifyDockWidget(findings, auth);
    findings->raise();
    resizeDocks({findings}, {220}, Qt::Vertical);
}

void MainWindow::connectPhone()
{
    connect(&m_phone, &phone::Phone::registrationChanged, this, [this](const QString &id, Registration::State state, int status, int expires) {
        m_accountModel->setRegistrationState(id, state, status, expires);
        if (isDemoAccount(id))
            updateTestCallActions();
    });
    connect(&m_phone, &phone::Phone::registrationFinished, this, [this](const QString &id, const phone::Diagnosis &d) {
        QDateTime next;
        if (const Registration *r = m_phone.registration(id); r && d.outcome == phone::Outcome::Registered)
            next = r->nextRefreshTime();
        m_accountModel->setOutcome(id, d, next);
        const QString name = accountName(id);
        m_findingModel->add(QDateTime::currentDateTime(), name, severityOf(d.outcome), d.reason);
        m_status->setText(tr("%1: %2").arg(name, d.reason));
    });
    connect(&m_phone, &phone::Phone::traced, m_logModel, &MessageLogModel::append);
    connect(&m_phone, &phone::Phone::traced, m_ladder, [this](const QString &, const sip::TraceEvent &e) { m_ladder->appendLive(e); });
    connect(&m_phone, &phone::Phone::callEnded, this, [this](const QString &, phone::Call *call) {
        if (call && call->session() && !call->recordings().isEmpty())
            m_recordings.insert(call->session()->callId(), call->recordings());
    });
    m_ladder->setRecordingLookup([this](const QByteArray &callId) { return m_recordings.value(callId); });
    connect(&m_phone, &phone::Phone::wire, m_ladder, [this](const QString &, const sip::WireEvent &e) { m_ladder->appendWire(e); });
    connect(&m_phone, &phone::Phone::tlsKeyLogLine, m_ladder, [this](const QString &, const QByteArray &line) { m_ladder->appendKeyLogLine(line); });
    connect(&m_phone, &phone::Phone::finding, this, [this](const QString &id, const QString &severity, const QString &text) {
        m_findingModel->add(QDateTime::currentDateTime(), accountName(id), severity, text);
    });
    connect(
        &m_phone, &phone::Phone::authComputed, this, [this](const QString &id, const sip::AuthExplanation &x) { m_auth->setExplanation(accountName(id), x); });
}

void MainWindow::connectStore()
{
    connect(&m_store, &AccountStore::keychainAvailabilityChanged, this, &MainWindow::updateBanner);
    connect(&m_store, &AccountStore::passwordLoaded, this, [this](const QString &id) {
        const auto account = m_store.account(id);
        if (!account)
            return;
        if (!m_phone.registration(id))
            m_phone.setAccount(*account, m_store.password(id));
        if (m_registerWhenReady.remove(id))
            registerNow(id);
    });
    connect(&m_store, &AccountStore::keychainError, this,
        [this](const QString &message) { m_findingModel->add(QDateTime::currentDateTime(), tr("keychain"), QStringLiteral("warning"), message); });
}

void MainWindow::loadAccounts()
{
    const QList<phone::Account> accounts = m_store.accounts();
    for (const phone::Account &a : accounts)
        m_phone.setAccount(a, m_store.password(a.id));
    m_accountModel->setAccounts(accounts);
    if (!accounts.isEmpty())
        selectAccount(accounts.first().id);
}

QString MainWindow::selectedId() const
{
    const QModelIndexList rows = m_accountView->selectionModel()->selectedRows();
    return rows.isEmpty() ? QString() : m_accountModel->idAt(rows.first().row());
}

QString MainWindow::accountName(const QString &id) const
{
    const int row = m_accountModel->rowOf(id);
    return row < 0 ? id : m_accountModel->index(row, AccountListModel::NameColumn).data().toString();
}

void MainWindow::selectAccount(const QString &id)
{
    const int row = m_accountModel->rowOf(id);
    if (row >= 0)
        m_accountView->selectionModel()->setCurrentIndex(m_accountModel->index(row, 0), QItemSelectionModel::ClearAndSelect | QItemSelectionModel::Rows);
    updateActions();
}

void MainWindow::updateActions()
{
    const QString id = selectedId();
    const bool selected = !id.isEmpty();
    const Registration::State state = m_accountModel->stateAt(m_accountModel->rowOf(id));
    const bool active = state == Registration::State::Registered || state == Registration::State::Registering;
    // The demo account is not the user's to edit or remove: the Accounts menu hides it.
    m_editAction->setEnabled(selected && !isDemoAccount(id));
    m_removeAction->setEnabled(selected && !isDemoAccount(id));
    m_registerAction->setEnabled(selected && state != Registration::State::Unregistering);
    m_unregisterAction->setEnabled(selected && active);
}

void MainWindow::updateBanner() { m_banner->setVisible(m_store.keychainChecked() && !m_store.keychainAvailable()); }

void MainWindow::showSelectedMessage()
{
    const QModelIndex current = m_logView->selectionModel()->currentIndex();
    m_raw->setPlainText(current.isValid() ? m_logModel->rawText(current.row()) : QString());
}

void MainWindow::addAccount()
{
    auto *dialog = new AccountDialog(this);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    connect(dialog, &QDialog::accepted, this, [this, dialog] {
        const QString id = m_store.save(dialog->account(), dialog->password());
        const phone::Account account = *m_store.account(id);
        m_phone.setAccount(account, m_store.password(id));
        m_accountModel->upsertAccount(account);
        selectAccount(id);
    });
    dialog->open();
}

void MainWindow::editAccount()
{
    const QString id = selectedId();
    const auto account = m_store.account(id);
    if (!account)
        return;
    auto *dialog = new AccountDialog(this);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    dialog->setAccount(*account);
    connect(dialog, &QDialog::accepted, this, [this, dialog, id] {
        const Registration::State before = m_accountModel->stateAt(m_accountModel->rowOf(id));
        const std::optional<phone::Account> previous = m_store.account(id);
        m_store.save(dialog->account(), dialog->password());
        const phone::Account changed = *m_store.account(id);
        // The Phone unregisters the old binding and builds a new stack on the next register, unless
        // only the DTMF mode changed: that keeps the registration and the calls.
        m_phone.setAccount(changed, m_store.password(id));
        m_accountModel->upsertAccount(changed);
        phone::Account dtmfOnly = changed; // or the echo test number: neither touches the stack
        if (previous) {
            dtmfOnly.dtmfMode = previous->dtmfMode;
            dtmfOnly.echoTest = previous->echoTest;
        }
        if (previous && dtmfOnly == *previous && !dialog->password()) {
            updateActions();
            return;
        }
        m_accountModel->resetRegistration(id);
        if (before == Registration::State::Registered || before == Registration::State::Registering)
            registerNow(id);
        updateActions();
    });
    dialog->open();
}

void MainWindow::removeAccount()
{
    const QString id = selectedId();
    if (id.isEmpty())
        return;
    auto *box = new QMessageBox(QMessageBox::Question, tr("Remove account"),
        tr("Remove the account %1 and its stored password? A registered account is unregistered first.").arg(accountName(id)),
        QMessageBox::Yes | QMessageBox::Cancel, this);
    box->setAttribute(Qt::WA_DeleteOnClose);
    box->setDefaultButton(QMessageBox::Cancel);
    connect(box, &QMessageBox::finished, this, [this, box, id] {
        if (box->standardButton(box->clickedButton()) != QMessageBox::Yes)
            return;
        m_registerWhenReady.remove(id);
        m_phone.removeAccount(id);
        m_store.remove(id);
        m_accountModel->removeAccount(id);
        updateActions();
    });
    box->open();
}

void MainWindow::registerStoredAccounts()
{
    for (const phone::Account &a : m_store.accounts())
        registerNow(a.id);
}

void MainWindow::registerSelected()
{
    if (const QString id = selectedId(); !id.isEmpty())
        registerNow(id);
}

void MainWindow::registerNow(const QString &id)
{
    if (m_store.passwordPending(id)) {
        // The keychain has not answered yet: register as soon as it does.
        m_registerWhenReady.insert(id);
        m_accountModel->setRegistrationState(id, Registration::State::Registering, 0, 0);
        return;
    }
    m_phone.registerAccount(id);
}

void MainWindow::unregisterSelected()
{
    if (const QString id = selectedId(); !id.isEmpty())
        m_phone.unregisterAccount(id);
}

LadderPanel *MainWindow::openCapture(const QString &path)
{
    auto *panel = new LadderPanel(m_tabs);
    panel->setObjectName(QStringLiteral("captureLadder"));
    const int tab = m_tabs->addTab(panel, QFileInfo(path).fileName());
    m_tabs->setTabToolTip(tab, path);
    m_tabs->setCurrentIndex(tab);
    connect(panel, &LadderPanel::progress, this, [this](quint64 n) { m_status->setText(tr("Reading the capture: %n SIP message(s)…", nullptr, int(n))); });
    connect(panel, &LadderPanel::loaded, this, [this](const QString &summary) { m_status->setText(summary); });
    connect(panel, &LadderPanel::failed, this, [this, path](const QString &error) {
        m_status->setText(error);
        m_findingModel->add(QDateTime::currentDateTime(), QFileInfo(path).fileName(), QStringLiteral("error"), error);
    });
    panel->openCapture(path);
    return panel;
}

void MainWindow::openCaptureDialog()
{
    const QString path = QFileDialog::getOpenFileName(this, tr("Open a capture"), QString(), tr("Captures (*.pcap *.pcapng *.cap);;All files (*)"));
    if (!path.isEmpty())
        openCapture(path);
}

} // namespace ds::ui
