#pragma once
// CallList: the calls area — the dial pad on top and one CallPanel per call below, newest first —
// placing calls through the Phone, ringing for incoming ones and keeping the last ended calls.

#include "phone/call_settings.h"

#include <QList>
#include <QWidget>

#include <functional>

class QLabel;
class QVBoxLayout;

namespace ds::phone {
class Call;
class Phone;
} // namespace ds::phone

namespace ds::ui {

class CallPanel;
class DialPad;

class CallList final : public QWidget {
    Q_OBJECT
public:
    using AccountName = std::function<QString(const QString &accountId)>;
    static constexpr int kKeepEnded = 5; // ended calls shown before the oldest goes

    // settingsFile: where the dial pad keeps its history (empty: the application's QSettings).
    CallList(ds::phone::Phone &phone, const QString &settingsFile, AccountName accountName, QWidget *parent = nullptr);

    DialPad *dialPad() const { return m_dialPad; }
    QList<CallPanel *> panels() const { return m_panels; }
    // The panel of a call, null when it has none (or the call is gone).
    CallPanel *panelOf(const ds::phone::Call *call) const;
    // Calls TARGET from the account; a failure goes to the status bar and the findings (redial, test calls).
    void dial(const QString &accountId, const QString &target);

signals:
    void status(const QString &text); // for the status bar
    // A call's diagnosis or a failed dial, for the findings pane.
    void finding(const QString &accountName, const QString &severity, const QString &text);
    void activity(); // a call was added: worth bringing the area to the front

private:
    void addPanel(const QString &accountId, ds::phone::Call *call);
    void ring(const QString &accountId, ds::phone::Call *call);
    void ended(const QString &accountId, ds::phone::Call *call);
    void removePanel(CallPanel *panel);
    void sendDtmf(QChar digit, std::optional<ds::phone::DtmfMode> mode);
    ds::phone::Call *activeCall() const; // the newest connected call: where the pad's digits go
    void updateDialPadMode();

    ds::phone::Phone &m_phone;
    AccountName m_accountName;
    DialPad *m_dialPad;
    QVBoxLayout *m_list;
    QLabel *m_noCalls;
    QList<CallPanel *> m_panels; // newest first
};

} // namespace ds::ui
