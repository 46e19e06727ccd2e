#pragma once
// MainWindow: the workbench — the accounts and their registration state, the SIP messages on the
// wire, findings, the digest explainer, and the calls (dial pad and one panel per call) — driving
// core/phone's Phone facade.

#include <QHash>
#include <QList>
#include <QMainWindow>
#include <QSet>

class QAction;
class QApplication;
class QLabel;
class QPlainTextEdit;
class QTableView;

namespace ds::phone {
class Phone;
}

namespace ds::ui {

class AccountListModel;
class AccountStore;
class AuthExplainer;
class CallList;
class CallPanel;
class DialPad;
class FindingListModel;
class LadderPanel;
class MessageLogModel;
class RegTestPanel;

// Builds the Phone, the AccountStore and the MainWindow, and runs the event loop.
int runMainWindow(QApplication &app);

class MainWindow final : public QMainWindow {
    Q_OBJECT
public:
    MainWindow(ds::phone::Phone &phone, AccountStore &store, QWidget *parent = nullptr);
    ~MainWindow() override;

    AccountListModel *accountModel() const { return m_accountModel; }
    MessageLogModel *messageLog() const { return m_logModel; }
    FindingListModel *findings() const { return m_findingModel; }
    CallList *calls() const { return m_calls; }
    LadderPanel *ladder() const { return m_ladder; }
    RegTestPanel *regtest() const { return m_regtest; }
    // Opens a capture in a tab of its own (File > Open capture).
    LadderPanel *openCapture(const QString &path);
    DialPad *dialPad() const;
    QList<CallPanel *> callPanels() const;

private:
    void createActions();
    void createCentralWidget();
    void createDocks();
    void createCallsDock();
    void connectPhone();
    void connectCalls();
    void applySavedCallSettings();
    void connectStore();
    void loadAccounts();

    QString selectedId() const;
    QString accountName(const QString &id) const;
    void selectAccount(const QString &id);
    void updateActions();
    void updateBanner();
    void showSelectedMessage();

    void addAccount();
    void editAccount();
    void removeAccount();
    void registerSelected();
    void unregisterSelected();
    void registerNow(const QString &id);

    void updateDialPad();
    void openAudioSettings();
    void openCaptureDialog();
    void setRecordCalls(bool on);

    ds::phone::Phone &m_phone;
    AccountStore &m_store;
    AccountListModel *m_accountModel;
    MessageLogModel *m_logModel;
    FindingListModel *m_findingModel;

    QLabel *m_banner = nullptr;
    QLabel *m_status = nullptr;
    QTableView *m_accountView = nullptr;
    QTableView *m_logView = nullptr;
    QPlainTextEdit *m_raw = nullptr;
    class QTabWidget *m_tabs = nullptr;
    LadderPanel *m_ladder = nullptr;
    RegTestPanel *m_regtest = nullptr;
    QAction *m_recordAction = nullptr;
    QHash<QByteArray, QStringList> m_recordings; // by Call-ID, for call bundles
    QTableView *m_findingView = nullptr;
    AuthExplainer *m_auth = nullptr;
    bool m_followLog = true;

    QAction *m_addAction = nullptr;
    QAction *m_editAction = nullptr;
    QAction *m_removeAction = nullptr;
    QAction *m_registerAction = nullptr;
    QAction *m_unregisterAction = nullptr;
    QAction *m_audioAction = nullptr;

    CallList *m_calls = nullptr;

    QSet<QString> m_registerWhenReady; // Register clicked before the keychain answered
};

} // namespace ds::ui
