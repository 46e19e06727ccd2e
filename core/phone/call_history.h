#pragma once
// CallHistory: the calls dialled, received and missed here, newest first and bounded, kept in a
// JSON file that is written atomically after each change; a file that cannot be read is set aside
// (*.corrupt) and the history starts empty, so nothing is lost.

#include "json_file.h"

#include "sip/invite_session.h"

#include <QDateTime>
#include <QList>
#include <QObject>

#include <expected>
#include <optional>

namespace ds::phone {

class Call;

// One call as the history keeps it.
struct CallRecord {
    // How the call went for the person here.
    //
    // Missed is every incoming call that was never answered here: nobody picked up, the caller gave
    // up (CANCEL, 487), or it was declined. MicroSIP files an incoming call as missed the moment it
    // rings (MSIP_CALL_MISS) and only an answer turns it into a received one (MSIP_CALL_IN), so a
    // declined call stays missed. Linphone's call log marks the caller's CANCEL as Missed and a
    // decline as Declined, and only Missed counts in its missed-calls badge. We follow both: the kind
    // is Missed for every unanswered incoming call (the Missed filter lists them all, as MicroSIP's
    // list does), but a call someone here declined is born `seen`, so the unseen-missed count, like
    // Linphone's, only counts calls nobody here acted on.
    enum class Kind { Dialled, Received, Missed };

    QString id {}; // unique in the history: the Call's id
    QString accountId {};
    QString accountName {}; // as the account was named at the time of the call
    Kind kind = Kind::Dialled;
    // Dialable: "sip:alice@example.com", "sip:bob@192.0.2.1:5070", "tel:+15551234"; without the
    // tag, URI parameters or headers.
    QString address {};
    QString displayName {}; // the far end's display name, when it gave one
    QDateTime start {}; // UTC: when the INVITE went or came
    qint64 durationMs = 0; // connected time; 0 when never answered
    QString outcome {}; // callOutcomeName(): answered, busy, rejected, no-answer, failed
    sip::SessionEnd::Cause cause = sip::SessionEnd::Cause::LocalBye; // how it ended
    int status = 0; // the deciding SIP status, 0 when none
    QString reason {}; // its reason phrase, or our own words
    bool seen = true; // Missed: false until someone has looked at the history

    bool operator==(const CallRecord &) const = default;
    sip::SessionEnd end() const { return {cause, status, reason.toUtf8()}; }

    // The record of a call that has just ended. Call it from Phone::callEnded at once: the Call is
    // deleted soon after.
    static CallRecord fromCall(const Call &call, const QString &accountId, const QString &accountName);
};

QString callKindName(CallRecord::Kind kind); // "dialled", "received", "missed"
std::optional<CallRecord::Kind> callKindFromName(QStringView name);
QString sessionEndCauseName(sip::SessionEnd::Cause cause); // "remote-cancel"...
std::optional<sip::SessionEnd::Cause> sessionEndCauseFromName(QStringView name);

// The dialable form of what a person or a peer wrote: a SIP, SIPS or tel URI, a name-addr
// ("Alice <sip:alice@example.com>;tag=1") or user@host. Keeps scheme, user, host and port; drops
// the display name (into *displayName), the tag, URI parameters and headers. An error says why the
// text is not an address.
std::expected<QString, QString> dialableAddress(const QString &text, QString *displayName = nullptr);
// The form two addresses are compared in: scheme, user and host lowercase, the scheme's default
// port dropped (5060 for sip, 5061 for sips), a tel number without its visual separators. Text
// that is no address compares as itself, trimmed and lowercase.
QString addressKey(const QString &address);

class CallHistory final : public QObject {
    Q_OBJECT
public:
    static constexpr int kMaxRecords = 1000; // past it the oldest go
    static constexpr qint64 kMaxFileBytes = 16 * 1024 * 1024;
    static constexpr int kMaxText = 1024; // characters kept of a name, an address, a reason

    // fileName: the JSON file, e.g. calls.json in the profile directory. Nothing is read until load().
    explicit CallHistory(const QString &fileName, QObject *parent = nullptr);
    ~CallHistory() override; // writes what is pending

    // Reads the file; a missing one is an empty history. On error the history is empty, the file has
    // been renamed *.corrupt (the error says so, and what was wrong and where).
    std::expected<void, QString> load();
    QString fileName() const { return m_file.fileName(); }

    const QList<CallRecord> &records() const { return m_records; } // newest first
    int size() const { return int(m_records.size()); }
    const CallRecord &at(int row) const { return m_records.at(row); }
    int indexOf(const QString &id) const; // -1 when absent

    // Puts the record in place by its start time (newest first); a record with the id of one already
    // there replaces it. Beyond kMaxRecords the oldest goes. False when it was older than all of a
    // full history (and so not kept).
    bool add(CallRecord record);
    bool remove(const QString &id);
    void clear();

    int unseenMissed() const;
    void markAllSeen();

    // Writes now when a change is waiting; the error when the file could not be written.
    std::expected<void, QString> flush() { return m_file.flush(); }

signals:
    // Around each change, for item models (rows of records()).
    void aboutToInsert(int row);
    void inserted(int row);
    void aboutToRemove(int row);
    void removed(int row);
    void aboutToReset();
    void reset();
    void changed(int firstRow, int lastRow);
    void unseenMissedChanged(int count);
    // A write after a change failed (the change stays in memory).
    void saveFailed(const QString &error);

private:
    void removeAt(int row);
    void changedSeen(int before);
    QJsonObject toJson() const;

    QList<CallRecord> m_records;
    JsonFile m_file;
};

} // namespace ds::phone
