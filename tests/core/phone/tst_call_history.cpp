// The call history and the contacts as files a person keeps for years: which calls count as
// dialled, received or missed (from real calls between two phones on loopback), the bounds, the
// round trip through the file, a broken file set aside with a clear error and nothing lost, writes
// that replace the file whole, and addresses compared the way people mean them.

#include "phone/call_center.h"
#include "phone/call_history.h"
#include "phone/contacts.h"

#include "media/media_engine.h"

#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

#include <unistd.h>

using namespace ds;
using namespace Qt::StringLiterals;
using phone::CallHistory;
using phone::CallRecord;
using phone::Contact;
using phone::Contacts;
using Kind = phone::CallRecord::Kind;

namespace {

CallRecord record(const QString &id, const QDateTime &start, Kind kind = Kind::Dialled, const QString &address = QStringLiteral("sip:bob@example.com"))
{
    CallRecord r;
    r.id = id;
    r.accountId = QStringLiteral("acc1");
    r.accountName = QStringLiteral("Work");
    r.kind = kind;
    r.address = address;
    r.start = start;
    r.outcome = QStringLiteral("answered");
    r.seen = kind != Kind::Missed;
    return r;
}

const QDateTime kT0 = QDateTime(QDate(2024, 5, 6), QTime(12, 0), Qt::UTC);

QByteArray readAll(const QString &path)
{
    QFile f(path);
    return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray("<unreadable>");
}

bool writeAll(const QString &path, const QByteArray &bytes)
{
    QFile f(path);
    return f.open(QIODevice::WriteOnly | QIODevice::Truncate) && f.write(bytes) == bytes.size();
}

// One phone on loopback taking direct calls (as tst_call_center's).
struct TestPhone {
    TestPhone(media::MediaEngine &engine, const QString &user, const QString &displayName, int autoAnswerMs)
    {
        phone::Account a;
        a.id = user;
        a.user = user;
        a.displayName = displayName;
        phone::AgentOptions o;
        o.bindAddress = QHostAddress(QHostAddress::LocalHost);
        agent = std::make_unique<phone::UserAgent>(a, o, clock);
        center = std::make_unique<phone::CallCenter>(*agent, nullptr, engine, QByteArray());
        phone::CallSettings s;
        s.autoAnswerMs = autoAnswerMs;
        center->setSettings(s);
        QObject::connect(
            center.get(), &phone::CallCenter::callEnded, [this, user](phone::Call *c) { ended << CallRecord::fromCall(*c, user, user.toUpper()); });
    }
    bool start()
    {
        QSignalSpy ready(agent.get(), &phone::UserAgent::ready);
        agent->start();
        return agent->isReady() || ready.wait(5000);
    }
    QString uri() const { return QStringLiteral("%1@%2").arg(agent->account().user, agent->localEndpoint().toString()); }

    sip::SystemClock clock;
    std::unique_ptr<phone::UserAgent> agent;
    std::unique_ptr<phone::CallCenter> center;
    QList<CallRecord> ended;
};

} // namespace

class TestCallHistory : public QObject {
    Q_OBJECT
private slots:
    void init() { QVERIFY(m_tmp.isValid()); }

    void kindsFromRealCalls();
    void addressesAreDialable_data();
    void addressesAreDialable();
    void addressesCompareNormalised_data();
    void addressesCompareNormalised();
    void newestFirstAndBounded();
    void removeClearAndUnseenMissed();
    void roundTrip();
    void writesAfterEachChangeWithoutFlush();
    void brokenFileIsKeptAside_data();
    void brokenFileIsKeptAside();
    void secondBrokenFileDoesNotReplaceTheFirst();
    void writeReplacesTheFileWhole();
    void contactsNormaliseAndDedupe();
    void contactsBoundedAndRoundTrip();
    void brokenContactsFileIsKeptAside();
    void peopleFromHistory();

private:
    QString path(const QString &name) const { return m_tmp.filePath(name); }
    QTemporaryDir m_tmp;
};

// Alice calls bob three times: he answers, she gives up while it rings, he declines. Her side
// has three dialled calls; his a received one and two missed ones, the declined one seen already.
void TestCallHistory::kindsFromRealCalls()
{
    media::MediaEngine engine;
    TestPhone alice(engine, QStringLiteral("alice"), QStringLiteral("Alice Liddell"), 0);
    TestPhone bob(engine, QStringLiteral("bob"), QString(), -1);
    QVERIFY(alice.start() && bob.start());
    QSignalSpy incoming(bob.center.get(), &phone::CallCenter::incomingCall);

    // 1: answered, talks, alice hangs up.
    auto call = alice.center->dial(bob.uri());
    QVERIFY2(call, call ? "" : qPrintable(call.error()));
    QVERIFY(incoming.wait(5000));
    QTRY_VERIFY_WITH_TIMEOUT(bob.center->calls().size() == 1 && bob.center->calls().first()->state() == phone::Call::State::Incoming, 5000);
    bob.center->calls().first()->answer();
    QTRY_VERIFY_WITH_TIMEOUT((*call)->state() == phone::Call::State::Active, 5000);
    QTest::qWait(300);
    (*call)->hangUp();
    QTRY_COMPARE_WITH_TIMEOUT(bob.ended.size(), 1, 5000);
    QTRY_COMPARE_WITH_TIMEOUT(alice.ended.size(), 1, 5000);

    // 2: alice gives up while it rings.
    call = alice.center->dial(bob.uri());
    QVERIFY(call);
    QVERIFY(incoming.wait(5000));
    QTRY_VERIFY_WITH_TIMEOUT((*call)->state() == phone::Call::State::Ringing, 5000);
    (*call)->hangUp();
    QTRY_COMPARE_WITH_TIMEOUT(bob.ended.size(), 2, 5000);
    QTRY_COMPARE_WITH_TIMEOUT(alice.ended.size(), 2, 5000);

    // 3: bob declines.
    call = alice.center->dial(bob.uri());
    QVERIFY(call);
    QVERIFY(incoming.wait(5000));
    QTRY_VERIFY_WITH_TIMEOUT(bob.center->calls().size() == 1 && bob.center->calls().first()->state() == phone::Call::State::Incoming, 5000);
    bob.center->calls().first()->reject(603);
    QTRY_COMPARE_WITH_TIMEOUT(bob.ended.size(), 3, 5000);
    QTRY_COMPARE_WITH_TIMEOUT(alice.ended.size(), 3, 5000);

    const QString aliceAddress = QStringLiteral("sip:alice@127.0.0.1"); // her AOR: direct calls use her own address
    const QString bobAddress = QStringLiteral("sip:") + bob.uri();
    const QList<CallRecord> &a = alice.ended;
    const QList<CallRecord> &b = bob.ended;
    for (const CallRecord &r : a) {
        QCOMPARE(r.kind, Kind::Dialled);
        QCOMPARE(r.address, bobAddress); // the To we sent, without a tag
        QCOMPARE(r.accountId, QStringLiteral("alice"));
        QCOMPARE(r.accountName, QStringLiteral("ALICE"));
        QVERIFY(r.seen);
        QCOMPARE(r.start.timeSpec(), Qt::UTC);
        QVERIFY(qAbs(r.start.secsTo(QDateTime::currentDateTimeUtc())) < 600);
    }
    QCOMPARE(a[0].outcome, QStringLiteral("answered"));
    QVERIFY2(a[0].durationMs >= 250, qPrintable(QString::number(a[0].durationMs)));
    QCOMPARE(a[0].cause, sip::SessionEnd::Cause::LocalBye);
    QCOMPARE(a[1].outcome, QStringLiteral("no-answer"));
    QCOMPARE(a[1].durationMs, qint64(0));
    QCOMPARE(a[1].cause, sip::SessionEnd::Cause::LocalCancel);
    QCOMPARE(a[2].outcome, QStringLiteral("rejected"));
    QCOMPARE(a[2].status, 603);

    QCOMPARE(b[0].kind, Kind::Received);
    QVERIFY(b[0].durationMs >= 250);
    QCOMPARE(b[0].cause, sip::SessionEnd::Cause::RemoteBye);
    QCOMPARE(b[1].kind, Kind::Missed); // the caller gave up
    QCOMPARE(b[1].cause, sip::SessionEnd::Cause::RemoteCancel);
    QVERIFY(!b[1].seen);
    QCOMPARE(b[2].kind, Kind::Missed); // declined here: missed, but seen by whoever declined
    QCOMPARE(b[2].cause, sip::SessionEnd::Cause::Declined);
    QVERIFY(b[2].seen);
    for (const CallRecord &r : b) {
        QCOMPARE(r.address, aliceAddress); // her From, without its tag
        QCOMPARE(r.displayName, QStringLiteral("Alice Liddell"));
    }
    CallHistory history(path(QStringLiteral("kinds.json")));
    for (const CallRecord &r : b)
        history.add(r);
    QCOMPARE(history.unseenMissed(), 1);
}

void TestCallHistory::addressesAreDialable_data()
{
    QTest::addColumn<QString>("text");
    QTest::addColumn<QString>("address"); // empty: an error
    QTest::addColumn<QString>("name");
    QTest::newRow("name-addr with tag") << u"\"Alice A.\" <sip:alice@example.com;transport=tcp>;tag=8a7b"_s << u"sip:alice@example.com"_s << u"Alice A."_s;
    QTest::newRow("addr-spec with tag") << u"sip:bob@192.0.2.1:5070;tag=1"_s << u"sip:bob@192.0.2.1:5070"_s << QString();
    QTest::newRow("headers dropped") << u"<sip:carol@example.com?Subject=hi>"_s << u"sip:carol@example.com"_s << QString();
    QTest::newRow("password dropped") << u"sip:dave:secret@example.com"_s << u"sip:dave@example.com"_s << QString();
    QTest::newRow("sips kept") << u"sips:erin@example.com"_s << u"sips:erin@example.com"_s << QString();
    QTest::newRow("ipv6") << u"<sip:frank@[2001:db8::1]:5062>"_s << u"sip:frank@[2001:db8::1]:5062"_s << QString();
    QTest::newRow("user@host") << u"grace@example.com"_s << u"sip:grace@example.com"_s << QString();
    QTest::newRow("tel with params") << u"<tel:+1-555-0100;phone-context=example.com>"_s << u"tel:+1-555-0100"_s << QString();
    QTest::newRow("bare number") << u"+44 20 7946 0000"_s << u"+44 20 7946 0000"_s << QString();
    QTest::newRow("star code") << u"*97"_s << u"*97"_s << QString();
    QTest::newRow("empty") << u"  "_s << QString() << QString();
    QTest::newRow("http") << u"<http://example.com/>"_s << QString() << QString();
    QTest::newRow("broken") << u"Alice <sip:alice@example.com"_s << QString() << QString();
    QTest::newRow("spaces and brackets") << u"a b {c}"_s << QString() << QString();
}

void TestCallHistory::addressesAreDialable()
{
    QFETCH(QString, text);
    QFETCH(QString, address);
    QFETCH(QString, name);
    QString gotName;
    const auto got = phone::dialableAddress(text, &gotName);
    if (address.isEmpty()) {
        QVERIFY2(!got, qPrintable(got.value_or(QString())));
        QVERIFY(!got.error().isEmpty());
        return;
    }
    QVERIFY2(got, qPrintable(got.error()));
    QCOMPARE(*got, address);
    QCOMPARE(gotName, name);
}

void TestCallHistory::addressesCompareNormalised_data()
{
    QTest::addColumn<QString>("a");
    QTest::addColumn<QString>("b");
    QTest::addColumn<bool>("same");
    QTest::newRow("case") << u"sip:Alice@Example.COM"_s << u"sip:alice@example.com"_s << true;
    QTest::newRow("scheme case") << u"SIP:alice@example.com"_s << u"sip:alice@example.com"_s << true;
    QTest::newRow("default port") << u"sip:alice@example.com:5060"_s << u"sip:alice@example.com"_s << true;
    QTest::newRow("sips default port") << u"sips:alice@example.com:5061"_s << u"sips:alice@example.com"_s << true;
    QTest::newRow("other port") << u"sip:alice@example.com:5070"_s << u"sip:alice@example.com"_s << false;
    QTest::newRow("sip vs sips") << u"sips:alice@example.com"_s << u"sip:alice@example.com"_s << false;
    QTest::newRow("params and tag") << u"\"A\" <sip:alice@example.com;transport=udp>;tag=9"_s << u"sip:alice@example.com"_s << true;
    QTest::newRow("user@host") << u"alice@example.com"_s << u"sip:alice@example.com:5060"_s << true;
    QTest::newRow("tel separators") << u"tel:+1-555-0100"_s << u"tel:+15550100"_s << true;
    QTest::newRow("other user") << u"sip:alice@example.com"_s << u"sip:alicia@example.com"_s << false;
}

void TestCallHistory::addressesCompareNormalised()
{
    QFETCH(QString, a);
    QFETCH(QString, b);
    QFETCH(bool, same);
    QCOMPARE(phone::addressKey(a) == phone::addressKey(b), same);
}

void TestCallHistory::newestFirstAndBounded()
{
    CallHistory h(path(QStringLiteral("bounded.json")));
    QSignalSpy inserted(&h, &CallHistory::inserted);
    QSignalSpy removed(&h, &CallHistory::removed);
    // Out of order: each goes in by its start time.
    QVERIFY(h.add(record(u"b"_s, kT0.addSecs(10))));
    QVERIFY(h.add(record(u"a"_s, kT0)));
    QVERIFY(h.add(record(u"c"_s, kT0.addSecs(20))));
    QCOMPARE(h.at(0).id, u"c"_s);
    QCOMPARE(h.at(1).id, u"b"_s);
    QCOMPARE(h.at(2).id, u"a"_s);
    QCOMPARE(inserted.count(), 3);
    QCOMPARE(inserted.at(1).first().toInt(), 1); // "a" went below "b"
    // The same id again replaces the record.
    CallRecord again = record(u"b"_s, kT0.addSecs(10));
    again.durationMs = 42;
    QVERIFY(h.add(again));
    QCOMPARE(h.size(), 3);
    QCOMPARE(h.at(1).durationMs, 42);

    for (int i = 0; i < CallHistory::kMaxRecords + 5; ++i)
        h.add(record(QStringLiteral("n%1").arg(i), kT0.addSecs(100 + i)));
    QCOMPARE(h.size(), CallHistory::kMaxRecords);
    QCOMPARE(h.at(0).id, QStringLiteral("n%1").arg(CallHistory::kMaxRecords + 4)); // newest first
    QCOMPARE(h.at(h.size() - 1).id, u"n5"_s); // a, b, c and n0..n4 went, oldest first
    QCOMPARE(h.indexOf(u"a"_s), -1);
    // Older than everything in a full history: not kept.
    QVERIFY(!h.add(record(u"ancient"_s, kT0.addYears(-1))));
    QCOMPARE(h.size(), CallHistory::kMaxRecords);
    QCOMPARE(h.indexOf(u"ancient"_s), -1);
    // Bounded text.
    CallRecord huge = record(u"huge"_s, kT0.addYears(1));
    huge.displayName = QString(5000, QLatin1Char('x'));
    h.add(huge);
    QCOMPARE(h.at(0).displayName.size(), CallHistory::kMaxText);
    QVERIFY(removed.count() >= 9);
}

void TestCallHistory::removeClearAndUnseenMissed()
{
    CallHistory h(path(QStringLiteral("unseen.json")));
    QSignalSpy unseen(&h, &CallHistory::unseenMissedChanged);
    h.add(record(u"d"_s, kT0, Kind::Dialled));
    h.add(record(u"m1"_s, kT0.addSecs(1), Kind::Missed));
    h.add(record(u"m2"_s, kT0.addSecs(2), Kind::Missed));
    QCOMPARE(h.unseenMissed(), 2);
    QCOMPARE(unseen.count(), 2);
    QCOMPARE(unseen.last().first().toInt(), 2);
    QVERIFY(h.remove(u"m1"_s));
    QVERIFY(!h.remove(u"m1"_s));
    QCOMPARE(h.unseenMissed(), 1);
    QSignalSpy changed(&h, &CallHistory::changed);
    h.markAllSeen();
    QCOMPARE(h.unseenMissed(), 0);
    QCOMPARE(unseen.last().first().toInt(), 0);
    QCOMPARE(changed.count(), 1);
    h.markAllSeen(); // nothing left to mark: no signal
    QCOMPARE(changed.count(), 1);
    QSignalSpy reset(&h, &CallHistory::reset);
    h.clear();
    QCOMPARE(h.size(), 0);
    QCOMPARE(reset.count(), 1);
}

void TestCallHistory::roundTrip()
{
    const QString file = path(QStringLiteral("profile/calls.json")); // the directory is made on the first write
    QList<CallRecord> written;
    {
        CallHistory h(file);
        QVERIFY(h.load()); // no file yet: empty, no error
        QCOMPARE(h.size(), 0);
        CallRecord r = record(u"x1"_s, kT0.addMSecs(123), Kind::Missed, u"sip:zoë@example.com"_s);
        r.displayName = u"Zoë \"Z\" Ünal"_s;
        r.cause = sip::SessionEnd::Cause::RemoteCancel;
        r.status = 487;
        r.reason = u"the caller cancelled"_s;
        r.outcome = u"no-answer"_s;
        h.add(r);
        CallRecord r2 = record(u"x2"_s, kT0.addSecs(60), Kind::Received, u"tel:+15550100"_s);
        r2.durationMs = 61234;
        r2.accountName = QString();
        h.add(r2);
        written = h.records();
        QVERIFY(h.flush());
    }
    CallHistory h(file);
    QSignalSpy unseen(&h, &CallHistory::unseenMissedChanged);
    const auto loaded = h.load();
    QVERIFY2(loaded, qPrintable(loaded.error()));
    QCOMPARE(h.records(), written);
    QCOMPARE(h.at(1).start, kT0.addMSecs(123));
    QCOMPARE(h.unseenMissed(), 1); // seen or not survives a restart: the badge comes back
    QCOMPARE(unseen.count(), 1);
}

void TestCallHistory::writesAfterEachChangeWithoutFlush()
{
    const QString file = path(QStringLiteral("auto.json"));
    CallHistory h(file);
    QVERIFY(h.load());
    h.add(record(u"auto1"_s, kT0));
    QTRY_VERIFY_WITH_TIMEOUT(readAll(file).contains("auto1"), 5000);
    h.remove(u"auto1"_s);
    QTRY_VERIFY_WITH_TIMEOUT(!readAll(file).contains("auto1"), 5000);
    const QJsonDocument doc = QJsonDocument::fromJson(readAll(file));
    QCOMPARE(doc.object().value(u"calls"_s).toArray().size(), 0);
}

void TestCallHistory::brokenFileIsKeptAside_data()
{
    QTest::addColumn<QByteArray>("content");
    QTest::addColumn<QString>("said"); // part of the error

    QTest::newRow("garbage") << QByteArray("{\"format\": \"dialscope-call-history\",\n  \"calls\": [ oops") << u"line 2"_s;
    QTest::newRow("binary") << QByteArray("\x00\x01\xff\xfe", 4) << u"not valid JSON"_s;
    QTest::newRow("array") << QByteArray("[1,2]") << u"an array"_s;
    QTest::newRow("other format") << QByteArray(R"({"format":"something-else","calls":[]})") << u"not a dialscope call history"_s;
    QTest::newRow("newer version") << QByteArray(R"({"format":"dialscope-call-history","version":9,"calls":[]})") << u"version 9"_s;
    QTest::newRow("bad kind") << QByteArray(
        R"({"format":"dialscope-call-history","version":1,"calls":[{"id":"1","kind":"forwarded","address":"sip:a@b","start":"2024-05-06T12:00:00.000Z"}]})")
                              << u"calls[0].kind is \"forwarded\""_s;
    QTest::newRow("bad start") << QByteArray(
        R"({"format":"dialscope-call-history","version":1,"calls":[{"id":"1","kind":"missed","address":"sip:a@b","start":"yesterday"}]})")
                               << u"calls[0].start"_s;
    QTest::newRow("no address") << QByteArray(
        R"({"format":"dialscope-call-history","version":1,"calls":[{"id":"1","kind":"missed","start":"2024-05-06T12:00:00Z"}]})")
                                << u"calls[0].address"_s;
    QTest::newRow("too large") << QByteArray(CallHistory::kMaxFileBytes + 10, ' ') << u"more than"_s;
}

void TestCallHistory::brokenFileIsKeptAside()
{
    QFETCH(QByteArray, content);
    QFETCH(QString, said);
    const QString file = path(QStringLiteral("broken-%1.json").arg(QString::fromLatin1(QTest::currentDataTag()).replace(QLatin1Char(' '), QLatin1Char('-'))));
    QVERIFY(writeAll(file, content));
    CallHistory h(file);
    h.add(record(u"before-load"_s, kT0)); // load() replaces whatever was there
    const auto loaded = h.load();
    QVERIFY(!loaded);
    QVERIFY2(loaded.error().contains(said), qPrintable(loaded.error()));
    QVERIFY2(loaded.error().contains(file + u".corrupt"_s), qPrintable(loaded.error()));
    QCOMPARE(h.size(), 0);
    QCOMPARE(readAll(file + u".corrupt"_s), content); // nothing lost
    // Life goes on: the next call is written to a fresh file.
    h.add(record(u"after"_s, kT0));
    QVERIFY(h.flush());
    CallHistory again(file);
    QVERIFY(again.load());
    QCOMPARE(again.size(), 1);
    QCOMPARE(readAll(file + u".corrupt"_s), content);
}

void TestCallHistory::secondBrokenFileDoesNotReplaceTheFirst()
{
    const QString file = path(QStringLiteral("twice.json"));
    QVERIFY(writeAll(file, "first"));
    CallHistory h(file);
    QVERIFY(!h.load());
    QVERIFY(writeAll(file, "second"));
    const auto loaded = h.load();
    QVERIFY(!loaded);
    QVERIFY2(loaded.error().contains(file + u".2.corrupt"_s), qPrintable(loaded.error()));
    QCOMPARE(readAll(file + u".corrupt"_s), QByteArray("first"));
    QCOMPARE(readAll(file + u".2.corrupt"_s), QByteArray("second"));

    // A directory where the file should be: a clear error, and it is moved aside as well.
    const QString dirFile = path(QStringLiteral("dir.json"));
    QVERIFY(QDir().mkpath(dirFile));
    CallHistory d(dirFile);
    const auto fromDir = d.load();
    QVERIFY(!fromDir);
    QVERIFY2(fromDir.error().contains(u"directory"_s), qPrintable(fromDir.error()));
    QVERIFY(QFileInfo(dirFile + u".corrupt"_s).isDir());
}

// A reader holding the old file (a second link to it, as a backup tool or another process would)
// keeps the old document whole: a write makes a new file and renames it over the old name, it never
// rewrites the old one in place. Nothing of the temporary file is left behind.
void TestCallHistory::writeReplacesTheFileWhole()
{
    QTemporaryDir dir;
    const QString file = dir.filePath(QStringLiteral("calls.json"));
    CallHistory h(file);
    h.add(record(u"old"_s, kT0));
    QVERIFY(h.flush());
    const QByteArray before = readAll(file);
    const QString link = dir.filePath(QStringLiteral("held-by-a-reader"));
    QCOMPARE(::link(QFile::encodeName(file).constData(), QFile::encodeName(link).constData()), 0);

    h.add(record(u"new"_s, kT0.addSecs(1)));
    QVERIFY(h.flush());
    QCOMPARE(readAll(link), before);
    QVERIFY(readAll(file).contains("\"new\""));
    QVERIFY(!QJsonDocument::fromJson(readAll(file)).isNull());
    QCOMPARE(QDir(dir.path()).entryList(QDir::Files | QDir::Hidden).size(), 2); // calls.json and the reader's link
}

void TestCallHistory::contactsNormaliseAndDedupe()
{
    Contacts c(path(QStringLiteral("contacts-dedupe.json")));
    QSignalSpy changed(&c, &Contacts::changed);
    const auto alice = c.add({{}, u"  Alice   Liddell "_s, u"\"A\" <sip:Alice@Example.com:5060;transport=udp>;tag=x"_s, u"acc1"_s});
    QVERIFY2(alice, qPrintable(alice.error()));
    QCOMPARE(changed.count(), 1);
    QCOMPARE(c.contacts().first().name, u"Alice Liddell"_s);
    QCOMPARE(c.contacts().first().address, u"sip:Alice@Example.com:5060"_s); // dialable, as written
    // The same person written otherwise is refused, naming who has the address.
    const auto dup = c.add({{}, u"Other"_s, u"sip:alice@example.com"_s, {}});
    QVERIFY(!dup);
    QVERIFY2(dup.error().contains(u"Alice Liddell"_s), qPrintable(dup.error()));
    QCOMPARE(c.indexOfAddress(u"alice@EXAMPLE.com"_s), 0);
    // Not an address.
    const auto bad = c.add({{}, u"Nobody"_s, u"<http://example.com>"_s, {}});
    QVERIFY(!bad);
    // Sorted by name; an edit keeps the id, and may not take another's address.
    const auto bob = c.add({{}, u"bob"_s, u"sip:bob@example.com"_s, {}});
    QVERIFY(bob);
    QCOMPARE(c.contacts().at(0).name, u"Alice Liddell"_s);
    QCOMPARE(c.contacts().at(1).name, u"bob"_s);
    QVERIFY(!c.update({*bob, u"Bob"_s, u"sip:alice@example.com"_s, {}}));
    QVERIFY(c.update({*bob, u"Aaron"_s, u"sip:bob@example.com"_s, {}}));
    QCOMPARE(c.contacts().at(0).id, *bob);
    QVERIFY(c.remove(*alice));
    QVERIFY(!c.remove(*alice));
    QCOMPARE(c.size(), 1);

    // "Add to contacts" from a call: its name and address and account.
    CallRecord r = record(u"r"_s, kT0, Kind::Missed, u"sip:carol@example.com"_s);
    r.displayName = u"Carol"_s;
    const Contact pre = Contact::fromRecord(r);
    QCOMPARE(pre.name, u"Carol"_s);
    QCOMPARE(pre.address, u"sip:carol@example.com"_s);
    QCOMPARE(pre.accountId, u"acc1"_s);
    r.displayName.clear();
    QCOMPARE(Contact::fromRecord(r).name, u"carol"_s); // no name given: the user part
}

void TestCallHistory::contactsBoundedAndRoundTrip()
{
    const QString file = path(QStringLiteral("contacts-many.json"));
    {
        Contacts c(file);
        QVERIFY(c.load());
        for (int i = 0; i < Contacts::kMaxContacts; ++i)
            QVERIFY(c.add({{}, QStringLiteral("n%1").arg(i), QStringLiteral("sip:u%1@example.com").arg(i), i % 2 ? u"acc1"_s : QString()}));
        const auto full = c.add({{}, u"one too many"_s, u"sip:extra@example.com"_s, {}});
        QVERIFY(!full);
        QVERIFY2(full.error().contains(u"full"_s), qPrintable(full.error()));
        QCOMPARE(c.size(), Contacts::kMaxContacts);
    } // written on the way out
    Contacts c(file);
    QVERIFY(c.load());
    QCOMPARE(c.size(), Contacts::kMaxContacts);
    const int i = c.indexOfAddress(u"sip:u7@example.com"_s);
    QVERIFY(i >= 0);
    QCOMPARE(c.contacts().at(i).name, u"n7"_s);
    QCOMPARE(c.contacts().at(i).accountId, u"acc1"_s);
}

void TestCallHistory::brokenContactsFileIsKeptAside()
{
    const QString file = path(QStringLiteral("contacts-broken.json"));
    const QByteArray content = R"({"format":"dialscope-contacts","version":1,"contacts":[{"id":"1","name":"x","address":"<http://nope>"}]})";
    QVERIFY(writeAll(file, content));
    Contacts c(file);
    const auto loaded = c.load();
    QVERIFY(!loaded);
    QVERIFY2(loaded.error().contains(u"contacts[0]"_s) && loaded.error().contains(u".corrupt"_s), qPrintable(loaded.error()));
    QCOMPARE(c.size(), 0);
    QCOMPARE(readAll(file + u".corrupt"_s), content);
}

void TestCallHistory::peopleFromHistory()
{
    QList<CallRecord> records; // newest first, as the history keeps them
    CallRecord r1 = record(u"1"_s, kT0.addSecs(30), Kind::Dialled, u"sip:alice@example.com:5060"_s); // no name: dialled
    CallRecord r2 = record(u"2"_s, kT0.addSecs(20), Kind::Missed, u"sip:Alice@example.com"_s);
    r2.displayName = u"Alice L."_s;
    CallRecord r3 = record(u"3"_s, kT0.addSecs(10), Kind::Received, u"sip:bob@example.com"_s);
    CallRecord r4 = record(u"4"_s, kT0, Kind::Received, u"sip:alice@example.com"_s);
    r4.displayName = u"Alice (old name)"_s;
    records << r1 << r2 << r3 << r4;
    const QList<phone::Person> people = Contacts::people(records);
    QCOMPARE(people.size(), 2);
    QCOMPARE(people[0].address, r1.address);
    QCOMPARE(people[0].displayName, u"Alice L."_s); // the latest name given
    QCOMPARE(people[0].calls, 3);
    QCOMPARE(people[0].missed, 1);
    QCOMPARE(people[0].lastCall, r1.start);
    QCOMPARE(people[1].address, r3.address);
    QCOMPARE(people[1].calls, 1);
    QCOMPARE(Contacts::people(records, 1).size(), 1); // bounded
}

QTEST_GUILESS_MAIN(TestCallHistory)
#include "tst_call_history.moc"
