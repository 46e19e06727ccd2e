#pragma once
// HistoryRecorder: puts every call the Phone ends into a CallHistory, copied the moment it ends
// (the Call is deleted soon after).

#include <QObject>

#include <functional>

namespace ds::phone {

class CallHistory;
class Phone;

class HistoryRecorder final : public QObject {
    Q_OBJECT
public:
    using AccountName = std::function<QString(const QString &accountId)>;

    // accountName: the account's name as people see it (kept with each record); null: the id.
    HistoryRecorder(Phone &phone, CallHistory &history, AccountName accountName, QObject *parent = nullptr);
};

} // namespace ds::phone
