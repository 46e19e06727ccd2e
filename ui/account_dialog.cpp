#include "account_dialog.h"

#include "sip/resolver.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDialogButtonBox>
#include <QFormLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QSpinBox>
#include <QVBoxLayout>

namespace ds::ui {

namespace {
QLineEdit *lineEdit(const char *objectName, const QString &placeholder, QWidget *parent)
{
    auto *e = new QLineEdit(parent);
    e->setObjectName(QLatin1String(objectName));
    e->setPlaceholderText(placeholder);
    e->setClearButtonEnabled(true);
    return e;
}
} // namespace

AccountDialog::AccountDialog(QWidget *parent)
    : QDialog(parent)
{
    setWindowTitle(tr("Add account"));
    m_displayName = lineEdit("displayName", tr("optional, e.g. Alice at the office"), this);
    m_user = lineEdit("user", tr("user part of the address, e.g. alice or 1001"), this);
    m_authUser = lineEdit("authUser", tr("only when it differs from the user"), this);
    m_password = lineEdit("password", QString(), this);
    m_password->setEchoMode(QLineEdit::Password);
    m_password->setClearButtonEnabled(false);
    m_domain = lineEdit("domain", tr("only when it differs from the server's host"), this);
    m_server = lineEdit("server", tr("pbx.example.com, 192.0.2.10:5060 or sip:pbx.example.com;transport=tls"), this);
    m_transport = new QComboBox(this);
    m_transport->setObjectName(QStringLiteral("transport"));
    m_transport->addItem(tr("UDP"), QStringLiteral("udp"));
    m_transport->addItem(tr("TCP"), QStringLiteral("tcp"));
    m_transport->addItem(tr("TLS"), QStringLiteral("tls"));
    m_expires = new QSpinBox(this);
    m_expires->setObjectName(QStringLiteral("expires"));
    m_expires->setRange(10, 7 * 24 * 3600);
    m_expires->setValue(3600);
    m_expires->setSuffix(tr(" s"));
    m_expires->setToolTip(tr("How long the registration should last; the registrar may grant less or ask for more"));

    m_dtmfMode = new QComboBox(this);
    m_dtmfMode->setObjectName(QStringLiteral("dtmfMode"));
    m_dtmfMode->addItem(tr("Auto (RFC 4733 when negotiated, else in-band)"), QStringLiteral("auto"));
    m_dtmfMode->addItem(tr("RFC 4733 events"), QStringLiteral("rfc4733"));
    m_dtmfMode->addItem(tr("In-band tones"), QStringLiteral("inband"));
    m_dtmfMode->addItem(tr("SIP INFO"), QStringLiteral("info"));
    m_dtmfMode->setToolTip(tr("How this account's calls send DTMF; received digits are detected in every mode"));

    m_srtp = new QComboBox(this);
    m_srtp->setObjectName(QStringLiteral("srtp"));
    m_srtp->addItem(tr("Off (plain RTP)"), QStringLiteral("off"));
    m_srtp->addItem(tr("Optional (SRTP when the far end agrees)"), QStringLiteral("optional"));
    m_srtp->addItem(tr("Mandatory (refuse unencrypted calls)"), QStringLiteral("mandatory"));
    m_srtp->setToolTip(tr("Media encryption with SRTP, keys exchanged in the SDP (SDES). The keys are only as secret as the signalling: "
                          "use the TLS transport with it"));

    m_callsOnlyThroughServer = new QCheckBox(tr("Take calls only through the server"), this);
    m_callsOnlyThroughServer->setObjectName(QStringLiteral("callsOnlyThroughServer"));
    m_callsOnlyThroughServer->setToolTip(tr("Refuse (403) calls that come straight to this phone's address instead of through the registrar / "
                                            "proxy: what SIP scanners on the internet send"));
    m_echoTest = new QLineEdit(this);
    m_echoTest->setObjectName(QStringLiteral("echoTest"));
    m_echoTest->setPlaceholderText(tr("e.g. *43 or 600; empty: the built-in demo peer's echo"));
    m_echoTest->setToolTip(tr("The number of your PBX's echo test: Calls > Test call > Echo test calls it from this account"));
    auto *form = new QFormLayout;
    form->addRow(tr("&Display name:"), m_displayName);
    form->addRow(tr("&User:"), m_user);
    form->addRow(tr("&Authentication user:"), m_authUser);
    form->addRow(tr("&Password:"), m_password);
    form->addRow(tr("Do&main:"), m_domain);
    form->addRow(tr("&Server / outbound proxy:"), m_server);
    form->addRow(tr("&Transport:"), m_transport);
    form->addRow(tr("&Expires:"), m_expires);
    form->addRow(tr("DT&MF:"), m_dtmfMode);
    form->addRow(tr("Media &encryption:"), m_srtp);
    form->addRow(QString(), m_callsOnlyThroughServer);
    form->addRow(tr("Ec&ho test:"), m_echoTest);

    m_problem = new QLabel(this);
    m_problem->setObjectName(QStringLiteral("problem"));
    m_problem->setWordWrap(true);

    m_buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel, this);
    connect(m_buttons, &QDialogButtonBox::accepted, this, &QDialog::accept);
    connect(m_buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);

    auto *layout = new QVBoxLayout(this);
    layout->addLayout(form);
    layout->addWidget(m_problem);
    layout->addWidget(m_buttons);

    for (QLineEdit *e : {m_user, m_server})
        connect(e, &QLineEdit::textChanged, this, &AccountDialog::validate);
    setMinimumWidth(520);
    validate();
}

void AccountDialog::setAccount(const phone::Account &account)
{
    setWindowTitle(tr("Edit account"));
    m_editing = true;
    m_id = account.id;
    m_displayName->setText(account.displayName);
    m_user->setText(account.user);
    m_authUser->setText(account.authUser);
    m_password->clear();
    m_password->setPlaceholderText(tr("unchanged; type to replace"));
    m_domain->setText(account.domain);
    m_server->setText(account.server);
    const int t = m_transport->findData(account.transport.toLower());
    m_transport->setCurrentIndex(t < 0 ? 0 : t);
    m_expires->setValue(account.expires);
    const int d = m_dtmfMode->findData(account.dtmfMode.toLower());
    m_dtmfMode->setCurrentIndex(d < 0 ? 0 : d);
    const int e = m_srtp->findData(account.srtp.toLower());
    m_srtp->setCurrentIndex(e < 0 ? 0 : e);
    m_callsOnlyThroughServer->setChecked(account.callsOnlyThroughServer);
    m_echoTest->setText(account.echoTest);
    validate();
}

phone::Account AccountDialog::account() const
{
    phone::Account a;
    a.id = m_id;
    a.displayName = m_displayName->text().trimmed();
    a.user = m_user->text().trimmed();
    a.authUser = m_authUser->text().trimmed();
    a.domain = m_domain->text().trimmed();
    a.server = m_server->text().trimmed();
    a.transport = m_transport->currentData().toString();
    a.expires = m_expires->value();
    a.dtmfMode = m_dtmfMode->currentData().toString();
    a.srtp = m_srtp->currentData().toString();
    a.callsOnlyThroughServer = m_callsOnlyThroughServer->isChecked();
    a.echoTest = m_echoTest->text().trimmed();
    return a;
}

std::optional<QByteArray> AccountDialog::password() const
{
    if (m_editing && m_password->text().isEmpty())
        return std::nullopt;
    return m_password->text().toUtf8();
}

void AccountDialog::validate()
{
    QString problem;
    const QString server = m_server->text().trimmed();
    if (m_user->text().trimmed().isEmpty())
        problem = tr("Enter the user.");
    else if (server.isEmpty())
        problem = tr("Enter the server: the registrar, or the outbound proxy when a domain is given.");
    else if (const auto spec = sip::parseServerSpec(server); !spec)
        problem = tr("The server is not usable: %1").arg(spec.error());
    m_problem->setText(problem);
    m_problem->setVisible(!problem.isEmpty());
    m_buttons->button(QDialogButtonBox::Ok)->setEnabled(problem.isEmpty());
}

} // namespace ds::ui
