#include "regtest_panel.h"

#include "icons.h"
#include "ladder_view.h"
#include "latency_histogram.h"
#include "regtest_failure_model.h"
#include "theme.h"

#include "sip/resolver.h"

#include <QCheckBox>
#include <QClipboard>
#include <QComboBox>
#include <QFileDialog>
#include <QFileInfo>
#include <QFormLayout>
#include <QGroupBox>
#include <QGuiApplication>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QPlainTextEdit>
#include <QProgressBar>
#include <QPushButton>
#include <QSortFilterProxyModel>
#include <QSpinBox>
#include <QSplitter>
#include <QTableView>
#include <QTimer>
#include <QVBoxLayout>

namespace ds::ui {

namespace {

constexpr int kRefreshMs = 250; // counters, histogram and table: four times a second, never per attempt
constexpr int kParseDelayMs = 300; // pasted text is parsed once typing pauses
constexpr int kMaxWarningsShown = 200;

QString orderName(diag::AccountFile::Order o)
{
    switch (o) {
    case diag::AccountFile::Order::Sequential:
        return QStringLiteral("SEQUENTIAL");
    case diag::AccountFile::Order::Random:
        return QStringLiteral("RANDOM");
    case diag::AccountFile::Order::User:
        return QStringLiteral("USER");
    }
    return {};
}

// "1 account", "50 accounts" (English without a translation loaded, unlike "%n account(s)").
QString counted(qint64 n, const QString &one, const QString &many) { return n == 1 ? one : many.arg(n); }

QLabel *counter(const char *name, QWidget *parent)
{
    auto *l = new QLabel(QStringLiteral("0"), parent);
    l->setObjectName(QLatin1String(name));
    l->setTextInteractionFlags(Qt::TextSelectableByMouse);
    QFont f = l->font();
    f.setBold(true);
    l->setFont(f);
    return l;
}

QSpinBox *spin(const char *name, int min, int max, int value, QWidget *parent)
{
    auto *s = new QSpinBox(parent);
    s->setObjectName(QLatin1String(name));
    s->setRange(min, max);
    s->setValue(value);
    s->setGroupSeparatorShown(true);
    return s;
}

} // namespace

RegTestPanel::RegTestPanel(QWidget *parent)
    : QWidget(parent)
    , m_accounts(std::unexpected(QString()))
{
    buildUi();
    m_refresh = new QTimer(this);
    m_refresh->setInterval(kRefreshMs);
    connect(m_refresh, &QTimer::timeout, this, &RegTestPanel::refresh);
    m_parseDelay = new QTimer(this);
    m_parseDelay->setSingleShot(true);
    m_parseDelay->setInterval(kParseDelayMs);
    connect(m_parseDelay, &QTimer::timeout, this, &RegTestPanel::parsePasted);
    resetLadder();
    parsePasted();
    refresh();
}

RegTestPanel::~RegTestPanel()
{
    // The view holds the model, and the tester its clock: both go before what they point into.
    m_ladder->setModel(nullptr);
    m_tester.reset();
}

void RegTestPanel::buildUi()
{
    auto *split = new QSplitter(Qt::Horizontal, this);
    split->addWidget(buildSettings());
    split->addWidget(buildResults());
    split->setStretchFactor(0, 2);
    split->setStretchFactor(1, 5);
    split->setChildrenCollapsible(false);
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(split);
}

QWidget *RegTestPanel::buildSettings()
{
    auto *box = new QWidget(this);

    m_server = new QLineEdit(box);
    m_server->setObjectName(QStringLiteral("regtestServer"));
    m_server->setPlaceholderText(tr("pbx.example.com:5060 or sip:pbx.example.com;transport=tcp"));
    m_transport = new QComboBox(box);
    m_transport->setObjectName(QStringLiteral("regtestTransport"));
    m_transport->addItem(tr("UDP"), QStringLiteral("udp"));
    m_transport->addItem(tr("TCP"), QStringLiteral("tcp"));
    m_transport->addItem(tr("TLS"), QStringLiteral("tls"));
    m_domain = new QLineEdit(box);
    m_domain->setObjectName(QStringLiteral("regtestDomain"));
    m_domain->setPlaceholderText(tr("the server's (accounts may name their own)"));
    m_domain->setToolTip(tr("Domain of the addresses of record; the server then is the outbound proxy"));

    m_count = spin("regtestCount", 0, int(phone::RegTester::kMaxCount), 0, box);
    m_count->setSpecialValueText(tr("each account once"));
    m_count->setToolTip(tr("Registrations in all, cycling through the accounts"));
    m_rate = spin("regtestRateLimit", 0, 1'000'000, 0, box);
    m_rate->setSuffix(tr(" /s"));
    m_rate->setSpecialValueText(tr("unlimited"));
    m_rate->setToolTip(tr("New registrations per second; unlimited: as fast as the concurrency allows"));
    m_concurrency = spin("regtestConcurrency", 1, phone::RegTester::kMaxConcurrency, 200, box);
    m_concurrency->setToolTip(tr("Registrations in flight at most"));
    m_expires = spin("regtestExpires", 0, 7 * 24 * 3600, 3600, box);
    m_expires->setSuffix(tr(" s"));
    m_unregister = new QCheckBox(tr("Unregister each account once registered"), box);
    m_unregister->setObjectName(QStringLiteral("regtestUnregister"));

    auto *form = new QFormLayout;
    form->addRow(tr("&Server:"), m_server);
    form->addRow(tr("&Transport:"), m_transport);
    form->addRow(tr("&Domain:"), m_domain);
    form->addRow(tr("&Count:"), m_count);
    form->addRow(tr("&Rate:"), m_rate);
    form->addRow(tr("C&oncurrency:"), m_concurrency);
    form->addRow(tr("&Expires:"), m_expires);
    form->addRow(QString(), m_unregister);

    auto *accounts = new QGroupBox(tr("Accounts"), box);
    m_load = new QPushButton(tr("&Load file…"), accounts);
    m_load->setObjectName(QStringLiteral("regtestLoad"));
    m_load->setToolTip(tr("A CSV of user;password[;auth_user[;domain]] or a SIPp injection file"));
    m_paste = new QPlainTextEdit(accounts);
    m_paste->setObjectName(QStringLiteral("regtestAccounts"));
    m_paste->setLineWrapMode(QPlainTextEdit::NoWrap);
    m_paste->setPlaceholderText(tr("…or paste them here, one per line:\nuser;password[;auth_user[;domain]]\n\nor a SIPp injection file:\n"
                                   "SEQUENTIAL\nuser;[authentication username=user password=secret]"));
    m_accountSummary = new QLabel(accounts);
    m_accountSummary->setObjectName(QStringLiteral("regtestAccountSummary"));
    m_accountSummary->setWordWrap(true);
    m_accountSummary->setTextFormat(Qt::PlainText);
    m_warnings = new QPlainTextEdit(accounts);
    m_warnings->setObjectName(QStringLiteral("regtestWarnings"));
    m_warnings->setReadOnly(true);
    m_warnings->setLineWrapMode(QPlainTextEdit::NoWrap);
    m_warnings->setMaximumHeight(5 * fontMetrics().height());
    m_warnings->hide();
    auto *accountLayout = new QVBoxLayout(accounts);
    accountLayout->addWidget(m_load, 0, Qt::AlignLeft);
    accountLayout->addWidget(m_paste, 1);
    accountLayout->addWidget(m_accountSummary);
    accountLayout->addWidget(m_warnings);

    m_start = new QPushButton(icon(u"test-start"), tr("S&tart"), box);
    m_start->setObjectName(QStringLiteral("regtestStart"));
    m_stop = new QPushButton(icon(u"test-stop"), tr("Sto&p"), box);
    m_stop->setObjectName(QStringLiteral("regtestStop"));
    m_stop->setToolTip(tr("Start no new registration; those in flight finish on their own"));
    m_abort = new QPushButton(tr("&Abort"), box);
    m_abort->setObjectName(QStringLiteral("regtestAbort"));
    m_abort->setToolTip(tr("Stop, and end the registrations in flight now (counted as \"stopped\")"));
    auto *buttons = new QHBoxLayout;
    buttons->addWidget(m_start);
    buttons->addWidget(m_stop);
    buttons->addWidget(m_abort);
    buttons->addStretch(1);

    auto *layout = new QVBoxLayout(box);
    layout->addLayout(form);
    layout->addWidget(accounts, 1);
    layout->addLayout(buttons);

    connect(m_server, &QLineEdit::textChanged, this, &RegTestPanel::updateButtons);
    connect(m_paste, &QPlainTextEdit::textChanged, this, &RegTestPanel::accountsEdited);
    connect(m_load, &QPushButton::clicked, this, [this] {
        const QString path = QFileDialog::getOpenFileName(this, tr("Load accounts"), QString(), tr("Account files (*.csv *.txt);;All files (*)"));
        if (!path.isEmpty())
            loadAccountFile(path);
    });
    connect(m_start, &QPushButton::clicked, this, &RegTestPanel::start);
    connect(m_stop, &QPushButton::clicked, this, &RegTestPanel::stop);
    connect(m_abort, &QPushButton::clicked, this, &RegTestPanel::abort);
    return box;
}

QWidget *RegTestPanel::buildResults()
{
    auto *box = new QWidget(this);
    m_state = new QLabel(box);
    m_state->setObjectName(QStringLiteral("regtestState"));
    m_state->setWordWrap(true);
    m_state->setTextFormat(Qt::PlainText);
    m_copy = new QPushButton(icon(u"copy"), tr("&Copy report"), box);
    m_copy->setObjectName(QStringLiteral("regtestCopy"));
    m_copy->setToolTip(tr("The text report (counts, percentiles, histogram, failed accounts) to the clipboard"));
    connect(m_copy, &QPushButton::clicked, this, &RegTestPanel::copyReport);
    m_progress = new QProgressBar(box);
    m_progress->setObjectName(QStringLiteral("regtestProgress"));
    m_progress->setFormat(tr("%v of %m attempted (%p%)"));

    m_registered = counter("regtestRegistered", box);
    m_failed = counter("regtestFailed", box);
    m_inFlight = counter("regtestInFlight", box);
    m_ratePerS = counter("regtestRatePerSecond", box);
    m_percentiles = counter("regtestPercentiles", box);
    auto *counters = new QFormLayout;
    counters->addRow(tr("Registered:"), m_registered);
    counters->addRow(tr("Failed:"), m_failed);
    counters->addRow(tr("In flight:"), m_inFlight);
    counters->addRow(tr("Rate (per second):"), m_ratePerS);
    counters->addRow(tr("p50 / p95 / p99:"), m_percentiles);
    m_histogram = new LatencyHistogram(box);
    m_histogram->setObjectName(QStringLiteral("regtestHistogram"));
    auto *figures = new QHBoxLayout;
    figures->addLayout(counters);
    figures->addWidget(m_histogram, 1);

    m_failureModel = new RegTestFailureModel(this);
    m_failureProxy = new QSortFilterProxyModel(this);
    m_failureProxy->setSourceModel(m_failureModel);
    m_failureProxy->setSortRole(RegTestFailureModel::SortRole);
    m_failures = new QTableView(box);
    m_failures->setObjectName(QStringLiteral("regtestFailures"));
    m_failures->setModel(m_failureProxy);
    m_failures->setSortingEnabled(true);
    m_failures->sortByColumn(RegTestFailureModel::IndexColumn, Qt::AscendingOrder);
    m_failures->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_failures->setSelectionMode(QAbstractItemView::SingleSelection);
    m_failures->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_failures->setWordWrap(false);
    m_failures->setAlternatingRowColors(true);
    m_failures->verticalHeader()->hide();
    m_failures->horizontalHeader()->setStretchLastSection(true);
    const QFontMetrics fm = fontMetrics();
    m_failures->setColumnWidth(RegTestFailureModel::IndexColumn, fm.horizontalAdvance(QStringLiteral("100000")) + 24);
    m_failures->setColumnWidth(RegTestFailureModel::UserColumn, fm.horizontalAdvance(QStringLiteral("user0000@example")) + 24);
    m_failures->setColumnWidth(RegTestFailureModel::OutcomeColumn, fm.horizontalAdvance(QStringLiteral("wrong-credentials")) + 24);
    m_failures->setColumnWidth(RegTestFailureModel::StatusColumn, fm.horizontalAdvance(QStringLiteral("Status")) + 24);
    connect(m_failures->selectionModel(), &QItemSelectionModel::currentRowChanged, this, [this](const QModelIndex &current) {
        if (current.isValid())
            showFailure(current.row());
    });

    m_ladderNote = new QLabel(tr("Click a failed account to see its messages."), box);
    m_ladderNote->setObjectName(QStringLiteral("regtestLadderNote"));
    m_ladderNote->setTextFormat(Qt::PlainText);
    m_ladderNote->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_ladder = new LadderView(box);
    m_ladder->setObjectName(QStringLiteral("regtestLadder"));
    auto *ladderBox = new QWidget(box);
    auto *ladderLayout = new QVBoxLayout(ladderBox);
    ladderLayout->setContentsMargins(0, 0, 0, 0);
    ladderLayout->addWidget(m_ladderNote);
    ladderLayout->addWidget(m_ladder, 1);

    auto *split = new QSplitter(Qt::Vertical, box);
    split->addWidget(m_failures);
    split->addWidget(ladderBox);
    split->setStretchFactor(0, 2);
    split->setStretchFactor(1, 3);

    auto *top = new QHBoxLayout;
    top->addWidget(m_state, 1);
    top->addWidget(m_copy);
    auto *layout = new QVBoxLayout(box);
    layout->addLayout(top);
    layout->addWidget(m_progress);
    layout->addLayout(figures);
    layout->addWidget(split, 1);
    return box;
}

// ---- accounts

void RegTestPanel::accountsEdited()
{
    m_pastePending = true;
    m_parseDelay->start();
}

void RegTestPanel::parsePasted()
{
    m_parseDelay->stop();
    m_pastePending = false;
    const QString text = m_paste->toPlainText();
    if (text.trimmed().isEmpty()) {
        if (m_fileAccounts)
            setAccounts(*m_fileAccounts, m_fileName);
        else
            setAccounts(std::unexpected(QString()), {});
        return;
    }
    setAccounts(diag::parseAccountFile(text.toUtf8(), tr("pasted text")), {});
}

void RegTestPanel::loadAccountFile(const QString &path)
{
    auto file = diag::readAccountFile(path);
    m_fileName = QFileInfo(path).fileName();
    m_fileAccounts.reset();
    if (file)
        m_fileAccounts = *file;
    {
        const QSignalBlocker block(m_paste);
        m_paste->clear();
    }
    m_pastePending = false;
    m_parseDelay->stop();
    setAccounts(std::move(file), m_fileName);
}

void RegTestPanel::setAccounts(std::expected<diag::AccountFile, QString> accounts, const QString &source)
{
    m_accounts = std::move(accounts);
    QStringList warnings;
    if (!m_accounts) {
        m_accountSummary->setText(m_accounts.error().isEmpty() ? tr("Load an account file or paste accounts.") : m_accounts.error());
        m_accountSummary->setProperty("error", !m_accounts.error().isEmpty());
        setTone(m_accountSummary, m_accounts.error().isEmpty() ? std::nullopt : std::optional(Tone::Bad));
    } else {
        const diag::AccountFile &f = *m_accounts;
        const QString kind = f.format == diag::AccountFile::Format::Sipp ? tr("SIPp file, %1").arg(orderName(f.order)) : tr("CSV");
        QString text = counted(f.accounts.size(), tr("1 account"), tr("%1 accounts")) + QStringLiteral(" (%1)").arg(kind);
        if (!source.isEmpty())
            text += tr(" from %1").arg(source);
        if (!f.warnings.isEmpty())
            text += QStringLiteral("; ") + counted(f.warnings.size(), tr("1 line skipped"), tr("%1 lines skipped"));
        m_accountSummary->setText(text);
        m_accountSummary->setProperty("error", false);
        setTone(m_accountSummary, std::nullopt);
        warnings = f.warnings;
    }
    if (warnings.size() > kMaxWarningsShown) {
        const qsizetype more = warnings.size() - kMaxWarningsShown;
        warnings.resize(kMaxWarningsShown);
        warnings << tr("… and %1 more").arg(more);
    }
    m_warnings->setPlainText(warnings.join(QLatin1Char('\n'))); // the parser leaves passwords out
    m_warnings->setVisible(!warnings.isEmpty());
    updateButtons();
}

// ---- the test

const diag::RegReport &RegTestPanel::report() const { return m_tester ? m_tester->report() : m_lastReport; }

void RegTestPanel::resetLadder()
{
    m_ladder->setModel(nullptr);
    m_ladderModel.reset();
    m_trace.reset(m_concurrency->value());
    m_ladderModel = std::make_unique<diag::LadderModel>(m_trace.store());
    m_ladder->setModel(m_ladderModel.get());
    m_ladderNote->setText(tr("Click a failed account to see its messages."));
}

void RegTestPanel::start()
{
    if (isRunning())
        return;
    if (m_pastePending)
        parsePasted();
    if (!m_accounts)
        return;
    const QString server = m_server->text().trimmed();
    if (const auto spec = sip::parseServerSpec(server); !spec) {
        m_state->setText(tr("Server: %1").arg(spec.error()));
        return;
    }
    phone::RegTestOptions o;
    o.server = server;
    o.transport = m_transport->currentData().toString();
    o.domain = m_domain->text().trimmed();
    o.count = m_count->value();
    o.rate = m_rate->value();
    o.concurrency = m_concurrency->value();
    o.expires = m_expires->value();
    o.unregisterAfter = m_unregister->isChecked();
    o.agent = m_agentOptions;

    m_tester.reset(); // the last test's (not inside its own signal: this runs from a click)
    m_lastReport = {};
    m_failureModel->clear();
    resetLadder();
    m_startError = false;
    m_stopping = false;
    m_tester = std::make_unique<phone::RegTester>(*m_accounts, o, m_clock);
    m_planned = m_tester->planned();
    connect(&m_tester->agent(), &phone::UserAgent::traced, this, [this](const sip::TraceEvent &e) { m_trace.add(e); });
    connect(m_tester.get(), &phone::RegTester::attemptFinished, this, [this](const diag::RegAttempt &a) { m_trace.finish(a); });
    connect(m_tester.get(), &phone::RegTester::failedToStart, this, &RegTestPanel::failedToStart);
    connect(m_tester.get(), &phone::RegTester::finished, this, &RegTestPanel::testFinished);
    m_state->setText(tr("%1 with %2…").arg(counted(m_planned, tr("1 registration"), tr("%1 registrations")), server));
    m_tester->start();
    if (m_tester && m_tester->isRunning())
        m_refresh->start();
    refresh();
    updateButtons();
}

void RegTestPanel::stop()
{
    if (!isRunning() || m_stopping)
        return;
    m_stopping = true;
    m_tester->stop(); // may finish at once when nothing is in flight
    if (isRunning())
        m_state->setText(tr("Stopping: no new registrations; waiting for those in flight (Abort ends them now)."));
    updateButtons();
}

void RegTestPanel::abort()
{
    if (!isRunning())
        return;
    m_stopping = true;
    m_tester->abort(QStringLiteral("stopped"), tr("stopped by the user before it finished"));
}

void RegTestPanel::failedToStart(const phone::Diagnosis &diagnosis)
{
    m_startError = true;
    m_state->setText(tr("Could not start (%1): %2").arg(phone::outcomeName(diagnosis.outcome), diagnosis.reason));
}

void RegTestPanel::testFinished()
{
    m_refresh->stop();
    m_lastReport = m_tester->report();
    refresh();
    if (!m_startError) {
        const diag::RegReport &r = m_lastReport;
        m_state->setText(tr("%1 %2 attempted: %3 registered, %4 failed in %5 s.")
                             .arg(m_stopping ? tr("Stopped.") : tr("Finished."))
                             .arg(r.attempted())
                             .arg(r.registered())
                             .arg(r.failed())
                             .arg(r.elapsedSeconds(), 0, 'f', 2));
    }
    // The tester goes once its signal has returned; its report stays as m_lastReport.
    QMetaObject::invokeMethod(
        this,
        [this, t = m_tester.get()] {
            if (m_tester.get() == t) {
                m_tester.reset();
                updateButtons();
            }
        },
        Qt::QueuedConnection);
    updateButtons();
    emit finished();
}

void RegTestPanel::refresh()
{
    const diag::RegReport &r = report();
    m_progress->setRange(0, int(std::max<qint64>(1, m_planned)));
    m_progress->setValue(int(std::min<qint64>(r.attempted(), m_progress->maximum())));
    m_registered->setText(QString::number(r.registered()));
    m_failed->setText(QString::number(r.failed()));
    m_inFlight->setText(QString::number(m_tester ? m_tester->inFlight() : 0));
    m_ratePerS->setText(QString::number(r.ratePerSecond(), 'f', 1));
    const diag::LatencyStats &t = r.total();
    m_percentiles->setText(t.count()
            ? QStringLiteral("%1 / %2 / %3").arg(diag::formatMs(t.percentile(50)), diag::formatMs(t.percentile(95)), diag::formatMs(t.percentile(99)))
            : QStringLiteral("—"));
    m_histogram->setBins(t.histogram());
    m_failureModel->update(r.failures());
    // A shown ladder takes in late messages (retransmissions) of its attempt.
    if (m_ladderModel && m_ladderModel->update() > 0)
        m_ladder->modelChanged();
    m_copy->setEnabled(r.attempted() > 0);
}

void RegTestPanel::updateButtons()
{
    const bool running = isRunning();
    const QString server = m_server->text().trimmed();
    m_start->setEnabled(!running && m_accounts.has_value() && !server.isEmpty());
    m_stop->setEnabled(running && !m_stopping);
    m_abort->setEnabled(running);
    m_copy->setEnabled(report().attempted() > 0);
    for (QWidget *w :
        std::initializer_list<QWidget *> {m_server, m_transport, m_domain, m_load, m_paste, m_count, m_rate, m_concurrency, m_expires, m_unregister})
        w->setEnabled(!running);
}

void RegTestPanel::showFailure(int viewRow)
{
    const QModelIndex source = m_failureProxy->mapToSource(m_failureProxy->index(viewRow, 0));
    if (!source.isValid())
        return;
    const diag::RegAttempt &a = m_failureModel->attemptAt(source.row());
    m_ladderModel->update();
    diag::LadderFilter filter;
    if (const auto call = m_trace.store().findCall(a.callId)) {
        filter.calls = {*call};
        m_ladderNote->setText(tr("#%1 %2: %3 — Call-ID %4").arg(QString::number(a.index + 1), a.user, a.outcome, QString::fromLatin1(a.callId)));
    } else {
        filter.calls = {diag::kNoMessage}; // no such call: an empty ladder
        m_ladderNote->setText(tr("The messages of #%1 %2 were not kept: only the first %3 failed attempts' are.")
                                  .arg(QString::number(a.index + 1), a.user, QString::number(diag::RegTestTrace::kMaxLadders)));
    }
    m_ladderModel->setFilter(filter);
    m_ladder->modelChanged();
}

void RegTestPanel::copyReport()
{
    if (QClipboard *clipboard = QGuiApplication::clipboard())
        clipboard->setText(report().text()); // users, outcomes and reasons: never a password
}

} // namespace ds::ui
