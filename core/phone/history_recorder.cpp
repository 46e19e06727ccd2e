#include "history_recorder.h"

#include "call.h"
#include "call_history.h"
#include "phone.h"

#include <QPointer>

namespace ds::phone {

HistoryRecorder::HistoryRecorder(Phone &phone, CallHistory &history, AccountName accountName, QObject *parent)
    : QObject(parent)
{
    QPointer<CallHistory> target(&history); // the history may go first
    connect(&phone, &Phone::callEnded, this, [target, accountName = std::move(accountName)](const QString &accountId, Call *call) {
        if (call && target)
            target->add(CallRecord::fromCall(*call, accountId, accountName ? accountName(accountId) : accountId));
    });
}

} // namespace ds::phone
