#include "dial_pad.h"

#include <QComboBox>
#include <QCompleter>
#include <QGridLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QSettings>
#include <QStandardItemModel>
#include <QStringListModel>
#include <QToolButton>
#include <QVBoxLayout>

#include <memory>

namespace ds::ui {

namespace {

const QString kHistoryKey = QStringLiteral("history/dialled");

std::unique_ptr<QSettings> openSettings(const QString &file)
{
    return file.isEmpty() ? std::make_unique<QSettings>() : std::make_unique<QSettings>(file, QSettings::IniFormat);
}

// The object name of a digit key: digit_0..digit_9, digit_star, digit_hash.
QString keyName(QChar c)
{
    if (c == u'*')
        return QStringLiteral("digit_star");
    if (c == u'#')
        return QStringLiteral("digit_hash");
    return QStringLiteral("digit_%1").arg(c);
}

} // namespace

DialPad::DialPad(const QString &settingsFile, QWidget *parent)
    : QWidget(parent)
    , m_settingsFile(settingsFile)
{
    m_target = new QLineEdit(this);
    m_target->setObjectName(QStringLiteral("dialTarget"));
    m_target->setPlaceholderText(tr("number, user, user@host or sip: URI"));
    m_target->setClearButtonEnabled(true);
    m_target->setToolTip(tr("Whom to call; Enter calls"));

    m_history = new QStringListModel(openSettings(m_settingsFile)->value(kHistoryKey).toStringList().mid(0, kMaxHistory), this);
    m_completer = new QCompleter(m_history, this);
    m_completer->setCaseSensitivity(Qt::CaseInsensitive);
    m_completer->setFilterMode(Qt::MatchContains);
    m_target->setCompleter(m_completer);

    m_account = new QComboBox(this);
    m_account->setObjectName(QStringLiteral("dialAccount"));
    m_account->setToolTip(tr("The account to call from; only registered accounts can place calls"));

    m_call = new QPushButton(QIcon::fromTheme(QStringLiteral("call-start")), tr("&Call"), this);
    m_call->setObjectName(QStringLiteral("callButton"));
    m_call->setToolTip(tr("Call the address from the chosen account"));

    auto *keys = new QGridLayout;
    keys->setSpacing(2);
    const QString digits = QStringLiteral("123456789*0#");
    for (int i = 0; i < digits.size(); ++i) {
        const QChar c = digits[i];
        auto *key = new QToolButton(this);
        key->setObjectName(keyName(c));
        key->setText(c);
        key->setToolTip(tr("Adds %1 to the address").arg(c));
        key->setSizePolicy(QSizePolicy::Expanding, QSizePolicy::Fixed);
        key->setFocusPolicy(Qt::NoFocus); // typing goes on in the address field
        connect(key, &QToolButton::clicked, this, [this, c] { appendDigit(c); });
        keys->addWidget(key, i / 3, i % 3);
    }

    auto *from = new QHBoxLayout;
    auto *fromLabel = new QLabel(tr("&From:"), this);
    fromLabel->setBuddy(m_account);
    from->addWidget(fromLabel);
    from->addWidget(m_account, 1);
    from->addWidget(m_call);

    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(m_target);
    layout->addLayout(keys);
    layout->addLayout(from);

    connect(m_target, &QLineEdit::returnPressed, this, &DialPad::call);
    connect(m_target, &QLineEdit::textChanged, this, &DialPad::updateCallButton);
    connect(m_account, &QComboBox::currentIndexChanged, this, &DialPad::updateCallButton);
    connect(m_call, &QPushButton::clicked, this, &DialPad::call);
    updateCallButton();
}

void DialPad::setAccounts(const QList<AccountChoice> &accounts)
{
    const QString current = m_account->currentData().toString();
    const QSignalBlocker block(m_account);
    m_account->clear();
    auto *model = qobject_cast<QStandardItemModel *>(m_account->model());
    int select = -1;
    for (const AccountChoice &a : accounts) {
        m_account->addItem(a.registered ? a.name : tr("%1 (not registered)").arg(a.name), a.id);
        const int row = m_account->count() - 1;
        if (model)
            model->item(row)->setEnabled(a.registered);
        // The current account when still registered, else the first registered one.
        if (a.registered && (select < 0 || a.id == current))
            select = row;
    }
    m_account->setCurrentIndex(select);
    updateCallButton();
}

QString DialPad::currentAccountId() const
{
    const int row = m_account->currentIndex();
    if (row < 0)
        return {};
    if (auto *model = qobject_cast<QStandardItemModel *>(m_account->model()); model && !model->item(row)->isEnabled())
        return {};
    return m_account->itemData(row).toString();
}

QString DialPad::target() const { return m_target->text().trimmed(); }

void DialPad::setTarget(const QString &target) { m_target->setText(target); }

QStringList DialPad::history() const { return m_history->stringList(); }

void DialPad::call()
{
    const QString id = currentAccountId();
    const QString to = target();
    if (id.isEmpty() || to.isEmpty())
        return;
    remember(to);
    emit dialRequested(id, to);
}

void DialPad::appendDigit(QChar digit)
{
    m_target->insert(QString(digit));
    m_target->setFocus();
}

void DialPad::remember(const QString &target)
{
    QStringList list = m_history->stringList();
    list.removeAll(target);
    list.prepend(target);
    while (list.size() > kMaxHistory)
        list.removeLast();
    m_history->setStringList(list);
    openSettings(m_settingsFile)->setValue(kHistoryKey, list);
}

void DialPad::updateCallButton()
{
    const bool account = !currentAccountId().isEmpty();
    m_call->setEnabled(account && !target().isEmpty());
    m_call->setToolTip(account ? tr("Call the address from the chosen account") : tr("Register an account to place calls"));
}

} // namespace ds::ui
