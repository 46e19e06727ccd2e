#pragma once
// Contacts: the people saved to call (name, address, the account to call them from), kept in a JSON
// file beside the call history with the same rules (atomic writes, bounded, a broken file set
// aside); and the people the history knows, derived from it.

#include "call_history.h"
#include "json_file.h"

#include <QDateTime>
#include <QHash>
#include <QList>
#include <QObject>

#include <expected>

namespace ds::phone {

struct Contact {
    QString id {};
    QString name {};
    QString address {}; // dialable (dialableAddress()); compared by addressKey()
    QString accountId {}; // the account to call from; empty: whichever is at hand

    bool operator==(const Contact &) const = default;
    // What "Add to contacts" offers for a call: the far end's name (else the address's user) and address,
    // and the account the call was on.
    static Contact fromRecord(const CallRecord &record);
};

// Someone the call history knows: one per address (by addressKey()).
struct Person {
    QString address {}; // as the latest call had it
    QString displayName {}; // the latest display name the far end gave, empty when none ever did
    QString accountId {}; // of the latest call
    int calls = 0;
    int missed = 0;
    QDateTime lastCall {}; // UTC
};

class Contacts final : public QObject {
    Q_OBJECT
public:
    static constexpr int kMaxContacts = 2000;
    static constexpr int kMaxPeople = 500; // people derived from the history
    static constexpr qint64 kMaxFileBytes = 16 * 1024 * 1024;

    // fileName: the JSON file, e.g. contacts.json in the profile directory. Nothing is read until load().
    explicit Contacts(const QString &fileName, QObject *parent = nullptr);
    ~Contacts() override; // writes what is pending

    // Reads the file; a missing one is no contacts. On error there are none, the file has been
    // renamed *.corrupt (the error says so, and what was wrong and where).
    std::expected<void, QString> load();
    QString fileName() const { return m_file.fileName(); }

    const QList<Contact> &contacts() const { return m_contacts; } // by name
    int size() const { return int(m_contacts.size()); }
    int indexOf(const QString &id) const; // -1 when absent
    int indexOfAddress(const QString &address) const; // by addressKey(); -1 when absent

    // Adds a contact and returns its id. The address is made dialable; an error when it is not an
    // address, is a contact already (the error names whom) or the list is full.
    std::expected<QString, QString> add(Contact contact);
    // Changes the contact with contact.id; errors as add() (a duplicate is another contact's address).
    std::expected<void, QString> update(Contact contact);
    bool remove(const QString &id);

    // The people in `records` (newest first), one per address, most recent call first, at most `limit`.
    static QList<Person> people(const QList<CallRecord> &records, int limit = kMaxPeople);

    std::expected<void, QString> flush() { return m_file.flush(); }

signals:
    void changed(); // the list changed (added, edited, removed, loaded)
    void saveFailed(const QString &error);

private:
    std::expected<Contact, QString> checked(Contact contact) const;
    void insertSorted(Contact contact); // by name, and indexed by address
    QJsonObject toJson() const;

    QList<Contact> m_contacts;
    QHash<QString, QString> m_idByKey; // addressKey() -> id: a look-up without parsing every address
    JsonFile m_file;
};

} // namespace ds::phone
