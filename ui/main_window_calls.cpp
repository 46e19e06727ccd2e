// MainWindow's calls area: the dial pad and call panels dock, the audio settings and the call recording switch.

#include "main_window.h"

#include "account_list_model.h"
#include "account_store.h"
#include "audio_settings_dialog.h"
#include "call_list.h"
#include "dial_pad.h"
#include "finding_list_model.h"
#include "history_panel.h"

#include "phone/call_history.h"
#include "phone/contacts.h"
#include "phone/history_recorder.h"

#include "phone/phone.h"

#include <QAction>
#include <QDateTime>
#include <QDir>
#include <QDockWidget>
#include <QFileInfo>
#include <QLabel>
#include <QSettings>
#include <QStandardPaths>

#include <algorithm>

namespace ds::ui {

using phone::Registration;

void MainWindow::createCallsDock()
{
    m_calls = new CallList(
        m_phone, m_store.settingsFileName(), [this](const QString &id) { return accountName(id); }, this);
    auto *dock = new QDockWidget(tr("Calls"), this);
    dock->setObjectName(QStringLiteral("callsDock"));
    dock->setWidget(m_calls);
    addDockWidget(Qt::RightDockWidgetArea, dock);
    resizeDocks({dock}, {440}, Qt::Horizontal);
    connect(m_calls, &CallList::activity, dock, &QDockWidget::raise);
}

void MainWindow::createHistoryDock()
{
    const QString dir = QFileInfo(m_store.settingsFileName()).absolutePath();
    m_callHistory = new phone::CallHistory(dir + QStringLiteral("/calls.json"), this);
    m_contacts = new phone::Contacts(dir + QStringLiteral("/contacts.json"), this);
    const auto problem = [this](const QString &text) { m_findingModel->add(QDateTime::currentDateTime(), tr("history"), QStringLiteral("error"), text); };
    if (auto loaded = m_callHistory->load(); !loaded)
        problem(loaded.error());
    if (auto loaded = m_contacts->load(); !loaded)
        problem(loaded.error());
    connect(m_callHistory, &phone::CallHistory::saveFailed, this, problem);
    connect(m_contacts, &phone::Contacts::saveFailed, this, problem);
    const auto name = [this](const QString &id) { return accountName(id); };
    new phone::HistoryRecorder(m_phone, *m_callHistory, name, m_callHistory);

    m_historyPanel = new HistoryPanel(*m_callHistory, *m_contacts, name, this);
    m_historyPanel->setObjectName(QStringLiteral("historyPanel"));
    auto *dock = new QDockWidget(tr("History"), this);
    dock->setObjectName(QStringLiteral("historyDock"));
    dock->setWidget(m_historyPanel);
    addDockWidget(Qt::BottomDockWidgetArea, dock);
    if (auto *findings = findChild<QDockWidget *>(QStringLiteral("findingsDock"))) {
        tabifyDockWidget(findings, dock);
        findings->raise();
    }
    const auto badge = [dock](int missed) { dock->setWindowTitle(missed > 0 ? tr("History (%n missed)", nullptr, missed) : tr("History")); };
    connect(m_historyPanel, &HistoryPanel::missedCountChanged, dock, badge);
    badge(m_historyPanel->missedCount());
    connect(m_historyPanel, &HistoryPanel::status, m_status, &QLabel::setText);
    connect(m_historyPanel, &HistoryPanel::dialRequested, this, [this](const QString &accountId, const QString &target) {
        const QString from = accountId.isEmpty() ? m_calls->dialPad()->currentAccountId() : accountId;
        if (from.isEmpty()) {
            m_status->setText(tr("Cannot call %1: no account is registered").arg(target));
            return;
        }
        m_calls->dial(from, target);
    });
}

void MainWindow::connectCalls()
{
    for (auto signal : {&QAbstractItemModel::rowsInserted, &QAbstractItemModel::rowsRemoved})
        connect(m_accountModel, signal, this, &MainWindow::updateDialPad);
    connect(m_accountModel, &QAbstractItemModel::dataChanged, this, &MainWindow::updateDialPad);
    connect(m_accountModel, &QAbstractItemModel::modelReset, this, &MainWindow::updateDialPad);
    connect(m_calls, &CallList::status, m_status, &QLabel::setText);
    connect(m_calls, &CallList::finding, this, [this](const QString &account, const QString &severity, const QString &text) {
        m_findingModel->add(QDateTime::currentDateTime(), account, severity, text);
    });
}

// The saved audio settings, and once, whether this machine has a sound card (calls run without one).
void MainWindow::applySavedCallSettings()
{
    const auto devices = media::listAudioDevices();
    const QString availability = media::describeAudioAvailability(devices);
    const auto isDefault = [&devices](bool input) {
        return devices
            && std::any_of(devices->begin(), devices->end(), [input](const media::AudioDevice &d) { return input ? d.isDefaultInput : d.isDefaultOutput; });
    };
    const bool card = isDefault(true) && isDefault(false);
    m_findingModel->add(QDateTime::currentDateTime(), tr("audio"), card ? QStringLiteral("info") : QStringLiteral("warning"), availability);
    phone::CallSettings defaults = m_phone.callSettings();
    const phone::AudioSettings &a = defaults.audio;
    if (card && !a.echo && a.playFile.isEmpty() && a.toneHz <= 0 && a.recordFile.isEmpty())
        defaults.audio.soundCard = true; // nothing else chosen: the sound card
    m_phone.setCallSettings(AudioSettingsDialog::load(m_store.settingsFileName(), defaults, devices));
    const bool record = QSettings(m_store.settingsFileName(), QSettings::IniFormat).value(QStringLiteral("calls/recordForBundles"), false).toBool();
    m_recordAction->setChecked(record);
    setRecordCalls(record);
}

void MainWindow::setRecordCalls(bool on)
{
    phone::CallSettings s = m_phone.callSettings();
    s.audio.recordBothTo.clear();
    if (on) {
        const QString dir = QStandardPaths::writableLocation(QStandardPaths::AppDataLocation) + QStringLiteral("/recordings/");
        if (!QDir().mkpath(dir)) {
            m_findingModel->add(QDateTime::currentDateTime(), tr("audio"), QStringLiteral("error"), tr("cannot create %1: calls are not recorded").arg(dir));
            m_recordAction->setChecked(false);
            return;
        }
        s.audio.recordBothTo = dir;
    }
    m_phone.setCallSettings(s);
    QSettings(m_store.settingsFileName(), QSettings::IniFormat).setValue(QStringLiteral("calls/recordForBundles"), on);
}

void MainWindow::updateDialPad()
{
    QList<DialPad::AccountChoice> choices;
    for (int row = 0; row < m_accountModel->rowCount(); ++row)
        choices.append({m_accountModel->idAt(row), m_accountModel->index(row, AccountListModel::NameColumn).data().toString(),
            m_accountModel->stateAt(row) == Registration::State::Registered});
    m_calls->dialPad()->setAccounts(choices);
    m_historyPanel->setAccounts(choices);
}

void MainWindow::openAudioSettings()
{
    // Listed again: a headset may have been plugged in since the start.
    auto devices = media::listAudioDevices();
    auto *dialog = new AudioSettingsDialog(m_phone.callSettings(), devices, this);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    connect(dialog, &QDialog::accepted, this, [this, dialog, devices] {
        const phone::CallSettings settings = dialog->callSettings();
        AudioSettingsDialog::save(m_store.settingsFileName(), settings, devices);
        phone::CallSettings applied = settings;
        applied.audio.recordBothTo = m_phone.callSettings().audio.recordBothTo; // the Calls menu's switch
        m_phone.setCallSettings(applied);
        m_status->setText(tr("Audio settings saved; they apply to the next call"));
    });
    dialog->open();
}

} // namespace ds::ui
