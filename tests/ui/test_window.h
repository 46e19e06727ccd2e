#pragma once
// The GUI call tests' window over a real Phone: a settings file holding the calls' audio (a tone, a
// WAV file: no sound card needed), a session-only keychain, the accounts given, and the MainWindow
// (not shown yet: each test shows it its own way).

#include "phone/account.h"
#include "phone/call_settings.h"
#include "phone/phone.h"
#include "ui/account_list_model.h"
#include "ui/account_store.h"
#include "ui/audio_settings_dialog.h"
#include "ui/main_window.h"

#include <QTest>
#include <QToolButton>

#include <memory>

namespace ds::test {

// An account registering at a registrar on loopback ("127.0.0.1:PORT").
inline phone::Account registrarAccount(const QString &displayName, const QString &user, const QString &server)
{
    phone::Account a;
    a.displayName = displayName;
    a.user = user;
    a.server = server;
    return a;
}

// Fills store, phone and window; the accounts are stored with password.
inline void makeTestWindow(std::unique_ptr<ui::AccountStore> &store, std::unique_ptr<phone::Phone> &phone, std::unique_ptr<ui::MainWindow> &window,
    const QString &ini, const phone::CallSettings &settings, const QList<phone::Account> &accounts, const QString &password)
{
    ui::AudioSettingsDialog::save(ini, settings, std::unexpected(QStringLiteral("not listed")));
    ui::AccountStore::Options o;
    o.settingsPath = ini;
    o.keychain = ui::AccountStore::KeychainMode::Disabled;
    o.keychainService = QStringLiteral("dialscope-test");
    store = std::make_unique<ui::AccountStore>(o);
    for (const phone::Account &a : accounts)
        store->save(a, password.toUtf8());
    phone = std::make_unique<phone::Phone>();
    window = std::make_unique<ui::MainWindow>(*phone, *store);
}

// Registers the first account through the Register button, as a user does, and waits until it is.
inline void registerFirstAccount(ui::MainWindow &window, int timeoutMs)
{
    auto *registerButton = window.findChild<QToolButton *>(QStringLiteral("registerAccount"));
    QVERIFY(registerButton && registerButton->isEnabled());
    QTest::mouseClick(registerButton, Qt::LeftButton);
    QTRY_COMPARE_WITH_TIMEOUT(window.accountModel()->index(0, ui::AccountListModel::StateColumn).data().toString(), QStringLiteral("registered"), timeoutMs);
}

} // namespace ds::test
