#pragma once
// MainWindow: the workbench — the accounts and their registration state, the SIP messages on the
// wire, findings, the digest explainer, and the calls (dial pad and one panel per call) — driving
// core/phone's Phone facade.

#include <QHash>
#include <QList>
#include <QMainWindow>
#include <QSet>

#include <memory>

class QAction;
class QApplication;
class QLabel;
class QPlainTextEdit;
class QTableView;

namespace ds::demo {
class DemoPeer;
}
namespace ds::phone {
class CallHistory;
class Contacts;
class Phone;
} // namespace ds::phone

namespace ds::ui {

class AccountListModel;
class AccountStore;
class AuthExplainer;
class CallList;
class CallPanel;
class DialPad;
class FindingListModel;
class HistoryPanel;
class LadderPanel;
class MessageLogModel;
class RegTestPanel;

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
    HistoryPanel *history() const { return m_historyPanel; }
    // Opens a capture in a tab of its own (File > Open capture).
    LadderPanel *openCapture(const QString &path);
    DialPad *dialPad() const;
    QList<CallPanel *> callPanels() const;

    // The built-in demo peer (main_window_demo.cpp): started, with its account registered, on an empty
    // profile or when "Show the built-in demo account" is on (what the GUI's start calls). False when
    // the peer cannot start (said in the findings).
    bool startDemoIfWanted();
    // Registers every stored account (as a phone does when it starts; the keychain's answer first).
    void registerStoredAccounts();
    bool startDemo();
    void stopDemo();
    ds::demo::DemoPeer *demoPeer() const { return m_demo.get(); }
    QString demoAccountId() const; // empty without the demo peer
    // Calls an extension of the demo peer (echo, tone, dtmf) from the demo account.
    void placeTestCall(const QString &extension);
    void openUri(const QString &uri); // a sip:/sips:/tel:/callto: link: dials it (main_window_uri.cpp)

private:
    void createActions();
    void createCentralWidget();
    void createDocks();
    void createCallsDock();
    void createHistoryDock(); // the call history and contacts, kept beside the settings file
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
    void createTestCallMenu(class QMenu *calls);
    void updateTestCallActions();
    bool isDemoAccount(const QString &id) const;
    QString linkAccount() const; // main_window_uri.cpp
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
    ds::phone::CallHistory *m_callHistory = nullptr;
    ds::phone::Contacts *m_contacts = nullptr;
    HistoryPanel *m_historyPanel = nullptr;

    QSet<QString> m_registerWhenReady; // Register clicked before the keychain answered

    std::unique_ptr<ds::demo::DemoPeer> m_demo; // before the Phone's account goes: see ~MainWindow
    QList<QAction *> m_testCallActions;
    QAction *m_showDemoAction = nullptr;
};

} // namespace ds::ui
