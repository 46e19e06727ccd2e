#pragma once
// RegTestPanel: the "Registration Test" tab — a SIPp-style bulk registration test driven through
// phone::RegTester: accounts loaded from a file or pasted (our CSV or SIPp injection files),
// rate, concurrency, start/stop/abort, live progress and counters refreshed a few times a second,
// the registration time histogram, the failed accounts with their explanations, and the ladder
// of the failed attempt clicked. Passwords are never shown or logged.

#include "diag/account_file.h"
#include "diag/ladder_model.h"
#include "diag/reg_report.h"
#include "diag/regtest_trace.h"
#include "phone/reg_tester.h"
#include "sip/clock.h"

#include <QWidget>

#include <expected>
#include <memory>
#include <optional>

class QCheckBox;
class QComboBox;
class QLabel;
class QLineEdit;
class QPlainTextEdit;
class QProgressBar;
class QPushButton;
class QSortFilterProxyModel;
class QSpinBox;
class QTableView;
class QTimer;

namespace ds::ui {

class LadderView;
class LatencyHistogram;
class RegTestFailureModel;

class RegTestPanel final : public QWidget {
    Q_OBJECT
public:
    explicit RegTestPanel(QWidget *parent = nullptr);
    ~RegTestPanel() override;

    // Reads an account file (File… does this after asking for the path); the paste box is
    // cleared, and typing in it again takes over from the file.
    void loadAccountFile(const QString &path);
    // The accounts the test would use now, or why there are none.
    const std::expected<ds::diag::AccountFile, QString> &accounts() const { return m_accounts; }
    // Stack options the form does not show (a CA for TLS, timers): tests and advanced use.
    void setAgentOptions(const ds::phone::AgentOptions &options) { m_agentOptions = options; }

    bool isRunning() const { return m_tester != nullptr && m_tester->isRunning(); }
    // The report of the test running, else of the last one (empty before any).
    const ds::diag::RegReport &report() const;
    const diag::RegTestTrace &trace() const { return m_trace; }
    const ds::diag::LadderModel *ladderModel() const { return m_ladderModel.get(); }

    void start();
    void stop(); // starts no new attempt
    void abort(); // also ends those in flight, as "stopped"
    void copyReport();
    // Shows the ladder of the failure in this row of the failures table (view order).
    void showFailure(int viewRow);

signals:
    void finished();

private:
    void buildUi();
    QWidget *buildSettings();
    QWidget *buildResults();
    void accountsEdited();
    void parsePasted();
    void setAccounts(std::expected<ds::diag::AccountFile, QString> accounts, const QString &source);
    void updateButtons();
    void refresh();
    void testFinished();
    void failedToStart(const ds::phone::Diagnosis &diagnosis);
    void resetLadder();

    // Widgets (named for tests: regtestServer, regtestStart, ...).
    QLineEdit *m_server = nullptr;
    QComboBox *m_transport = nullptr;
    QLineEdit *m_domain = nullptr;
    QPushButton *m_load = nullptr;
    QPlainTextEdit *m_paste = nullptr;
    QLabel *m_accountSummary = nullptr;
    QPlainTextEdit *m_warnings = nullptr;
    QSpinBox *m_count = nullptr;
    QSpinBox *m_rate = nullptr;
    QSpinBox *m_concurrency = nullptr;
    QSpinBox *m_expires = nullptr;
    QCheckBox *m_unregister = nullptr;
    QPushButton *m_start = nullptr;
    QPushButton *m_stop = nullptr;
    QPushButton *m_abort = nullptr;
    QPushButton *m_copy = nullptr;
    QLabel *m_state = nullptr;
    QProgressBar *m_progress = nullptr;
    QLabel *m_registered = nullptr;
    QLabel *m_failed = nullptr;
    QLabel *m_inFlight = nullptr;
    QLabel *m_ratePerS = nullptr;
    QLabel *m_percentiles = nullptr;
    LatencyHistogram *m_histogram = nullptr;
    RegTestFailureModel *m_failureModel = nullptr;
    QSortFilterProxyModel *m_failureProxy = nullptr;
    QTableView *m_failures = nullptr;
    QLabel *m_ladderNote = nullptr;
    LadderView *m_ladder = nullptr;
    QTimer *m_refresh = nullptr;
    QTimer *m_parseDelay = nullptr;

    std::expected<ds::diag::AccountFile, QString> m_accounts;
    std::optional<ds::diag::AccountFile> m_fileAccounts; // loaded with Load file…
    QString m_fileName;
    bool m_pastePending = false;

    ds::phone::AgentOptions m_agentOptions;
    ds::sip::SystemClock m_clock;
    // Declared after the clock it uses: destroyed first.
    std::unique_ptr<ds::phone::RegTester> m_tester;
    ds::diag::RegReport m_lastReport;
    qint64 m_planned = 0;
    bool m_stopping = false;
    bool m_startError = false;
    diag::RegTestTrace m_trace;
    std::unique_ptr<ds::diag::LadderModel> m_ladderModel;
};

} // namespace ds::ui
