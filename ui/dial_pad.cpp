#include "dial_pad.h"

#include "icons.h"

#include <QComboBox>
#include <QCompleter>
#include <QGridLayout>
#include <QHBoxLayout>
#include <QKeyEvent>
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
const QString kDtmfModeKey = QStringLiteral("dtmf/mode");

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
    if (c.isLetter())
        return QStringLiteral("digit_%1").arg(c.toLower());
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

    m_call = new QPushButton(icon(u"call-start"), tr("&Call"), this);
    m_call->setObjectName(QStringLiteral("callButton"));
    m_call->setToolTip(tr("Call the address from the chosen account"));

    auto *keys = new QGridLayout;
    keys->setSpacing(2);
    // The sixteen keys of ITU-T Q.23, A-D in the fourth column as on a test set.
    const QString digits = QStringLiteral("123A456B789C*0#D");
    for (int i = 0; i < digits.size(); ++i) {
        const QChar c = digits[i];
        auto *key = new QToolButton(this);
        key->setObjectName(keyName(c));
        key->setText(c);
        key->setSizePolicy(QSizePolicy::Expanding, QSizePolicy::Fixed);
        key->setFocusPolicy(Qt::NoFocus); // typing goes on in the address field
        connect(key, &QToolButton::clicked, this, [this, c] { keyPressed(c); });
        keys->addWidget(key, i / 4, i % 4);
        m_keys << key;
    }

    m_dtmfMode = new QComboBox(this);
    m_dtmfMode->setObjectName(QStringLiteral("dtmfMode"));
    m_dtmfMode->addItem(tr("Account's"), QStringLiteral("account"));
    m_dtmfMode->addItem(tr("Auto"), QStringLiteral("auto"));
    m_dtmfMode->addItem(tr("RFC 4733"), QStringLiteral("rfc4733"));
    m_dtmfMode->addItem(tr("In-band"), QStringLiteral("inband"));
    m_dtmfMode->addItem(tr("SIP INFO"), QStringLiteral("info"));
    m_dtmfMode->setToolTip(tr("How the keys send DTMF during a call: the account's setting, or Auto (RFC 4733 events when the "
                              "call negotiated telephone-event, else in-band tones), or one mode. Received digits are detected in every mode."));
    const int saved = m_dtmfMode->findData(openSettings(m_settingsFile)->value(kDtmfModeKey, QStringLiteral("account")).toString());
    m_dtmfMode->setCurrentIndex(saved < 0 ? 0 : saved);
    connect(m_dtmfMode, &QComboBox::currentIndexChanged, this,
        [this] { openSettings(m_settingsFile)->setValue(kDtmfModeKey, m_dtmfMode->currentData().toString()); });
    auto *modeRow = new QHBoxLayout;
    auto *modeLabel = new QLabel(tr("&DTMF:"), this);
    modeLabel->setBuddy(m_dtmfMode);
    modeRow->addWidget(modeLabel);
    modeRow->addWidget(m_dtmfMode, 1);

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
    layout->addLayout(modeRow);
    layout->addLayout(from);

    connect(m_target, &QLineEdit::returnPressed, this, &DialPad::call);
    connect(m_target, &QLineEdit::textChanged, this, &DialPad::updateCallButton);
    connect(m_account, &QComboBox::currentIndexChanged, this, &DialPad::updateCallButton);
    connect(m_call, &QPushButton::clicked, this, &DialPad::call);
    for (QWidget *w : {static_cast<QWidget *>(m_target), static_cast<QWidget *>(m_account), static_cast<QWidget *>(m_dtmfMode)})
        w->installEventFilter(this);
    setInCall(false);
    updateCallButton();
}

void DialPad::setInCall(bool inCall)
{
    m_inCall = inCall;
    for (QToolButton *key : m_keys)
        key->setToolTip(inCall ? tr("Sends %1 as DTMF in the chosen mode").arg(key->text()) : tr("Adds %1 to the address").arg(key->text()));
}

std::optional<phone::DtmfMode> DialPad::dtmfMode() const { return phone::dtmfModeFromName(m_dtmfMode->currentData().toString()); }

void DialPad::setDtmfMode(std::optional<phone::DtmfMode> mode)
{
    m_dtmfMode->setCurrentIndex(std::max(0, m_dtmfMode->findData(mode ? phone::dtmfModeName(*mode) : QStringLiteral("account"))));
}

bool DialPad::takeDtmfKey(QKeyEvent *event)
{
    const QString t = event->text().toUpper();
    if (!m_inCall || t.size() != 1 || !QStringLiteral("0123456789*#ABCD").contains(t[0]))
        return false;
    if (!event->isAutoRepeat()) // a held key is one digit, not a flood
        keyPressed(t[0]);
    return true;
}

void DialPad::keyPressEvent(QKeyEvent *event)
{
    if (!takeDtmfKey(event))
        QWidget::keyPressEvent(event);
}

bool DialPad::eventFilter(QObject *watched, QEvent *event)
{
    // In a call, digits typed in the address field or on the combo boxes are DTMF too.
    if (event->type() == QEvent::KeyPress && takeDtmfKey(static_cast<QKeyEvent *>(event)))
        return true;
    return QWidget::eventFilter(watched, event);
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

void DialPad::keyPressed(QChar digit)
{
    if (m_inCall) {
        emit dtmfRequested(digit, dtmfMode());
        return;
    }
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
