#pragma once
// AccountDialog: the form to add or edit one account — identity, password, server and
// transport — accepting only when the user and a usable server are filled in.

#include "phone/account.h"

#include <QDialog>

#include <optional>

class QCheckBox;
class QComboBox;
class QDialogButtonBox;
class QLabel;
class QLineEdit;
class QSpinBox;

namespace ds::ui {

class AccountDialog final : public QDialog {
    Q_OBJECT
public:
    explicit AccountDialog(QWidget *parent = nullptr);

    // Edit mode: fills the form from account. The password field stays empty: left empty, the
    // stored password is kept.
    void setAccount(const ds::phone::Account &account);
    // The account as entered (its id is the one given to setAccount, empty for a new account).
    ds::phone::Account account() const;
    // The password typed, or std::nullopt when editing and the field was left empty.
    std::optional<QByteArray> password() const;

private:
    void validate();

    QString m_id;
    bool m_editing = false;
    QLineEdit *m_displayName;
    QLineEdit *m_user;
    QLineEdit *m_authUser;
    QLineEdit *m_password;
    QLineEdit *m_domain;
    QLineEdit *m_server;
    QComboBox *m_transport;
    QSpinBox *m_expires;
    QComboBox *m_dtmfMode;
    QComboBox *m_srtp;
    QCheckBox *m_callsOnlyThroughServer;
    QLineEdit *m_echoTest;
    QLabel *m_problem;
    QDialogButtonBox *m_buttons;
};

} // namespace ds::ui
