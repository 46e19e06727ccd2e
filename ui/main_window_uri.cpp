// MainWindow::openUri: a sip:/sips:/tel:/callto: link from the desktop (or from a later start of
// dialscope) goes into the dial pad and is called from the registered account the dial pad offers —
// at once, or as soon as one registers (MicroSIP dials such a link after its registration too).

#include "main_window.h"

#include "account_list_model.h"
#include "call_list.h"
#include "dial_pad.h"
#include "finding_list_model.h"

#include "phone/dial_uri.h"

#include <QDateTime>
#include <QLabel>
#include <QLoggingCategory>
#include <QTimer>

Q_LOGGING_CATEGORY(lcLink, "dialscope.ui.link", QtInfoMsg)

namespace ds::ui {

namespace {

constexpr int kWaitForAccountMs = 30000; // how long a link waits for an account to register
const QString kPendingName = QStringLiteral("pendingLink"); // the child that waits, one at a time

QString clipped(const QString &s) { return s.size() > 80 ? s.first(79) + QChar(0x2026) : s; }

} // namespace

// The account a link is called from: the dial pad's choice, but never the demo account (a link names
// someone out there, whom the demo peer cannot reach); else the first registered account of the
// user's own. Empty: none is ready yet.
QString MainWindow::linkAccount() const
{
    const QString chosen = dialPad()->currentAccountId();
    bool own = false;
    for (int row = 0; row < m_accountModel->rowCount(); ++row) {
        const QString id = m_accountModel->idAt(row);
        if (isDemoAccount(id))
            continue;
        own = true;
        if (id == chosen)
            return id;
    }
    if (!own)
        return {};
    for (int row = 0; row < m_accountModel->rowCount(); ++row)
        if (!isDemoAccount(m_accountModel->idAt(row)) && m_accountModel->stateAt(row) == phone::Registration::State::Registered)
            return m_accountModel->idAt(row);
    return {};
}

void MainWindow::openUri(const QString &uri)
{
    delete findChild<QObject *>(kPendingName, Qt::FindDirectChildrenOnly); // a newer link replaces a waiting one
    const auto link = phone::parseDialUri(uri);
    const QString source = tr("link");
    if (!link) {
        const QString why = tr("Cannot call the link %1: %2").arg(clipped(uri.trimmed()), link.error());
        m_status->setText(why);
        m_findingModel->add(QDateTime::currentDateTime(), source, QStringLiteral("error"), why);
        qCInfo(lcLink, "dialscope: cannot call the link: %s", qUtf8Printable(link.error()));
        return;
    }
    if (link->droppedAnything())
        m_findingModel->add(QDateTime::currentDateTime(), source, QStringLiteral("warning"), link->droppedText());
    const QString target = link->target;
    DialPad *pad = dialPad();
    pad->setTarget(target);
    const auto dial = [this, target] {
        qCInfo(lcLink, "dialscope: calling %s", qUtf8Printable(target));
        m_calls->dial(linkAccount(), target); // its status ("Calling ... from ...") or failure goes to the status bar
    };
    if (!linkAccount().isEmpty()) {
        dial();
        return;
    }
    if (m_accountModel->rowCount() == (m_demo ? 1 : 0)) {
        const QString why = tr("%1 is in the dial pad: add an account to call it").arg(target);
        m_status->setText(why);
        qCInfo(lcLink, "dialscope: not calling %s: there is no account", qUtf8Printable(target));
        return;
    }
    m_status->setText(tr("%1 is called as soon as an account has registered (waiting %2 s)").arg(target, QString::number(kWaitForAccountMs / 1000)));
    qCInfo(lcLink, "dialscope: %s waits for a registered account", qUtf8Printable(target));

    auto *pending = new QObject(this);
    pending->setObjectName(kPendingName);
    const auto check = [this, pending, pad, target, dial] {
        if (pad->target() != target) {
            pending->deleteLater(); // the user typed something else: theirs wins
            return;
        }
        if (linkAccount().isEmpty())
            return;
        // Once: a registration changes several cells in one go, each a dataChanged.
        QObject::disconnect(m_accountModel, nullptr, pending, nullptr);
        pending->deleteLater();
        dial();
    };
    // Connected after updateDialPad (connectCalls): the dial pad knows the new state when this runs.
    connect(m_accountModel, &QAbstractItemModel::dataChanged, pending, check);
    connect(m_accountModel, &QAbstractItemModel::rowsInserted, pending, check);
    connect(m_accountModel, &QAbstractItemModel::modelReset, pending, check);
    QTimer::singleShot(kWaitForAccountMs, pending, [this, pending, pad, target] {
        pending->deleteLater();
        if (pad->target() != target)
            return;
        m_status->setText(tr("%1 was not called: no account registered within %2 s").arg(target, QString::number(kWaitForAccountMs / 1000)));
        qCInfo(lcLink, "dialscope: %s was not called: no account registered", qUtf8Printable(target));
    });
}

} // namespace ds::ui
