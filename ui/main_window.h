#pragma once
// MainWindow: the registration workbench — the accounts and their registration state, the SIP
// messages on the wire, findings and the digest explainer — driving core/phone's Phone facade.

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
class FindingListModel;
class MessageLogModel;

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

private:
    void createActions();
    void createCentralWidget();
    void createDocks();
    void connectPhone();
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
    QTableView *m_findingView = nullptr;
    AuthExplainer *m_auth = nullptr;
    bool m_followLog = true;

    QAction *m_addAction = nullptr;
    QAction *m_editAction = nullptr;
    QAction *m_removeAction = nullptr;
    QAction *m_registerAction = nullptr;
    QAction *m_unregisterAction = nullptr;

    QSet<QString> m_registerWhenReady; // Register clicked before the keychain answered
};

} // namespace ds::ui
