// The Registration Test tab against a real Kamailio registrar on loopback: a pasted SIPp injection
// file of 50 accounts (two wrong passwords, one unknown user) registered through the panel — the
// progress, counters, histogram, the failed accounts with their explanations, the ladder of a
// failed attempt, the copied report without a password; a SIPp file loaded from disk; bad
// pasted text; Stop and Abort against a server that never answers; the histogram in light and
// dark palettes; and the tab in the main window.

#include "support/kamailio_registrar.h"
#include "support/palettes.h"

#include "diag/ladder_model.h"
#include "diag/regtest_trace.h"
#include "phone/phone.h"
#include "ui/account_store.h"
#include "ui/ladder_view.h"
#include "ui/latency_histogram.h"
#include "ui/main_window.h"
#include "ui/regtest_failure_model.h"
#include "ui/regtest_panel.h"

#include <QAbstractItemModelTester>
#include <QAction>
#include <QCheckBox>
#include <QClipboard>
#include <QComboBox>
#include <QDir>
#include <QFile>
#include <QGuiApplication>
#include <QLabel>
#include <QLineEdit>
#include <QPlainTextEdit>
#include <QProgressBar>
#include <QPushButton>
#include <QSignalSpy>
#include <QSpinBox>
#include <QTabWidget>
#include <QTableView>
#include <QTemporaryDir>
#include <QTest>
#include <QUdpSocket>

#include <memory>

using namespace ds;
using namespace ds::test;
using ui::RegTestPanel;
using Subscriber = KamailioRegistrar::Subscriber;

namespace {

constexpr int kRunTimeout = 60000; // a generous bound: the test waits for events, not for time

// user0000..user0048, each with a password of its own.
QList<Subscriber> subscribers(int n)
{
    QList<Subscriber> list;
    for (int i = 0; i < n; ++i)
        list.append({QStringLiteral("user%1").arg(i, 4, 10, QLatin1Char('0')), QStringLiteral("Pw-%1-secret").arg(i * 7919 % 10007)});
    return list;
}

QByteArray sippLine(const QString &user, const QString &password)
{
    return user.toUtf8() + ";[authentication username=" + user.toUtf8() + " password=" + password.toUtf8() + "]\n";
}

const QString kWrong1 = QStringLiteral("Wr0ng-first-pass");
const QString kWrong2 = QStringLiteral("Wr0ng-second-pass");
const QString kUnknownPassword = QStringLiteral("Nobody-knows-me");

} // namespace

class TestRegtestPanel : public QObject {
    Q_OBJECT
private slots:
    void initTestCase();
    void cleanup();
    void cleanupTestCase();

    void pastedSippFileShowsFailuresAndLadders();
    void loadsSippFileFromDisk();
    void badPastedTextKeepsStartDisabled_data();
    void badPastedTextKeepsStartDisabled();
    void binaryFileIsRefused();
    void stopThenAbortEndsAttemptsInFlight();
    void histogramFollowsThePalette();
    void failureModelPassesTheTester();
    void traceKeepsFailuresOnlyAndStaysBounded();
    void mainWindowHasTheTab();

private:
    template <typename T> T *child(RegTestPanel &panel, const char *name) const { return panel.findChild<T *>(QLatin1String(name)); }
    QString label(RegTestPanel &panel, const char *name) const
    {
        const auto *l = child<QLabel>(panel, name);
        return l ? l->text() : QStringLiteral("<no label %1>").arg(QLatin1String(name));
    }
    void showPanel(RegTestPanel &panel);
    QString server() const { return QStringLiteral("127.0.0.1:%1").arg(m_kamailio->udpPort()); }
    QStringList allPasswords() const;

    std::unique_ptr<QTemporaryDir> m_tmp;
    std::unique_ptr<KamailioRegistrar> m_kamailio;
    QList<Subscriber> m_subscribers;
};

void TestRegtestPanel::initTestCase()
{
    m_tmp = std::make_unique<QTemporaryDir>(QDir::tempPath() + QStringLiteral("/dialscope-regtest-panel-XXXXXX"));
    QVERIFY(m_tmp->isValid());
    m_subscribers = subscribers(49);
    m_kamailio = std::make_unique<KamailioRegistrar>(m_tmp->path());
    DS_START_KAMAILIO(*m_kamailio, QStringLiteral("MD5"), m_subscribers, m_tmp->path());
}

void TestRegtestPanel::cleanup()
{
    if (QTest::currentTestFailed() && m_kamailio)
        qWarning().noquote() << m_kamailio->logTail(3000);
}

void TestRegtestPanel::cleanupTestCase() { m_kamailio.reset(); }

void TestRegtestPanel::showPanel(RegTestPanel &panel)
{
    panel.resize(1280, 800);
    panel.show();
    QVERIFY(QTest::qWaitForWindowExposed(&panel));
}

QStringList TestRegtestPanel::allPasswords() const
{
    QStringList list {kWrong1, kWrong2, kUnknownPassword};
    for (const Subscriber &s : m_subscribers)
        list << s.password;
    return list;
}

// 50 accounts pasted: 47 register, two wrong passwords and one unknown user are listed with their
// explanations; the first failure's ladder is its challenge, credentials, and refusal.
void TestRegtestPanel::pastedSippFileShowsFailuresAndLadders()
{
    QByteArray file = "SEQUENTIAL\n";
    file += "# two wrong passwords first, then the good ones, then a user the registrar does not know\n";
    file += sippLine(m_subscribers[0].user, kWrong1);
    file += sippLine(m_subscribers[1].user, kWrong2);
    for (int i = 2; i < 49; ++i)
        file += sippLine(m_subscribers[i].user, m_subscribers[i].password);
    file += sippLine(QStringLiteral("nosuchuser"), kUnknownPassword);

    RegTestPanel panel;
    showPanel(panel);
    auto *start = child<QPushButton>(panel, "regtestStart");
    QVERIFY(start);
    QVERIFY(!start->isEnabled()); // no server, no accounts yet
    child<QLineEdit>(panel, "regtestServer")->setText(server());
    child<QPlainTextEdit>(panel, "regtestAccounts")->setPlainText(QString::fromUtf8(file));
    QTRY_VERIFY(start->isEnabled());
    QCOMPARE(label(panel, "regtestAccountSummary"), QStringLiteral("50 accounts (SIPp file, SEQUENTIAL)"));
    child<QSpinBox>(panel, "regtestConcurrency")->setValue(10);

    QSignalSpy finished(&panel, &RegTestPanel::finished);
    QTest::mouseClick(start, Qt::LeftButton);
    QVERIFY(panel.isRunning());
    QVERIFY(!start->isEnabled());
    QVERIFY(child<QPushButton>(panel, "regtestStop")->isEnabled());
    QTRY_COMPARE_WITH_TIMEOUT(finished.count(), 1, kRunTimeout);
    QTRY_VERIFY(!panel.isRunning() && start->isEnabled());

    auto *progress = child<QProgressBar>(panel, "regtestProgress");
    QCOMPARE(progress->maximum(), 50);
    QCOMPARE(progress->value(), 50);
    QCOMPARE(label(panel, "regtestRegistered"), QStringLiteral("47"));
    QCOMPARE(label(panel, "regtestFailed"), QStringLiteral("3"));
    QCOMPARE(label(panel, "regtestInFlight"), QStringLiteral("0"));
    QVERIFY2(label(panel, "regtestPercentiles").count(QLatin1Char('/')) == 2, qPrintable(label(panel, "regtestPercentiles")));
    QVERIFY2(label(panel, "regtestState").contains(QStringLiteral("47 registered, 3 failed")), qPrintable(label(panel, "regtestState")));
    auto *histogram = child<ui::LatencyHistogram>(panel, "regtestHistogram");
    QCOMPARE(histogram->total(), 47);
    QVERIFY(!histogram->bins().isEmpty());
    for (const auto &b : histogram->bins())
        QVERIFY(b.fromMs < b.toMs);

    // The failed accounts, by start order: the two wrong passwords, then the unknown user.
    auto *failures = child<QTableView>(panel, "regtestFailures");
    const QAbstractItemModel *m = failures->model();
    QCOMPARE(m->rowCount(), 3);
    auto cell = [&](int row, int column) { return m->index(row, column).data().toString(); };
    using F = ui::RegTestFailureModel;
    QCOMPARE(cell(0, F::UserColumn), QStringLiteral("user0000"));
    QCOMPARE(cell(0, F::IndexColumn), QStringLiteral("1"));
    QCOMPARE(cell(0, F::OutcomeColumn), QStringLiteral("wrong-credentials"));
    QCOMPARE(cell(0, F::StatusColumn), QStringLiteral("401"));
    QVERIFY2(cell(0, F::ExplanationColumn).contains(QStringLiteral("password")), qPrintable(cell(0, F::ExplanationColumn)));
    QCOMPARE(cell(1, F::UserColumn), QStringLiteral("user0001"));
    QCOMPARE(cell(1, F::OutcomeColumn), QStringLiteral("wrong-credentials"));
    QCOMPARE(cell(2, F::UserColumn), QStringLiteral("nosuchuser"));
    QCOMPARE(cell(2, F::IndexColumn), QStringLiteral("50"));
    QCOMPARE(cell(2, F::OutcomeColumn), QStringLiteral("not-found"));
    QVERIFY(!cell(2, F::ExplanationColumn).isEmpty());

    // Sortable: by user, descending, the unknown user comes first.
    failures->sortByColumn(F::UserColumn, Qt::DescendingOrder);
    QCOMPARE(cell(0, F::UserColumn), QStringLiteral("user0001"));
    QCOMPARE(cell(2, F::UserColumn), QStringLiteral("nosuchuser"));
    failures->sortByColumn(F::IndexColumn, Qt::AscendingOrder);
    QCOMPARE(cell(0, F::UserColumn), QStringLiteral("user0000"));

    // Clicking the first failure shows its ladder: challenged, credentials refused.
    QByteArray callId; // the report lists failures as they ended; the table sorts them by start
    for (const diag::RegAttempt &a : panel.report().failures())
        if (a.user == QStringLiteral("user0000"))
            callId = a.callId;
    QVERIFY(!callId.isEmpty());
    const QRect rowRect = failures->visualRect(m->index(0, F::UserColumn));
    QVERIFY(!rowRect.isEmpty());
    QTest::mouseClick(failures->viewport(), Qt::LeftButton, {}, rowRect.center());
    auto *ladder = child<ui::LadderView>(panel, "regtestLadder");
    QVERIFY(ladder && ladder->model() == panel.ladderModel());
    const diag::LadderModel *lm = panel.ladderModel();
    QStringList arrows;
    QSet<QString> callIds;
    for (int row = 0; row < lm->rowCount(); ++row) {
        const quint32 message = lm->messageAt(row);
        callIds.insert(QString::fromLatin1(lm->store().callId(lm->store().record(message).call)));
        if (!lm->store().record(message).is(diag::MessageRecord::Retransmission))
            arrows << lm->shortLabel(message);
    }
    QCOMPARE(callIds, QSet<QString> {QString::fromLatin1(callId)});
    QCOMPARE(arrows.size(), 4);
    QVERIFY2(arrows[0].startsWith(QStringLiteral("REGISTER")) && arrows[1].startsWith(QStringLiteral("401")) && arrows[2].startsWith(QStringLiteral("REGISTER"))
            && arrows[3].startsWith(QStringLiteral("401")),
        qPrintable(arrows.join(QStringLiteral(" | "))));
    QVERIFY(!ladder->rowRect(0).isEmpty());
    QVERIFY2(label(panel, "regtestLadderNote").contains(QString::fromLatin1(callId)), qPrintable(label(panel, "regtestLadderNote")));
    // Only failed attempts' messages are kept: three Call-IDs, none of a registered account.
    QCOMPARE(panel.trace().laddersKept(), 3);
    QCOMPARE(lm->store().callCount(), 3u);
    QCOMPARE(panel.trace().waiting(), 0);

    // The unknown user's ladder too.
    QTest::mouseClick(failures->viewport(), Qt::LeftButton, {}, failures->visualRect(m->index(2, F::UserColumn)).center());
    QVERIFY(lm->rowCount() >= 2);
    QVERIFY(lm->shortLabel(lm->messageAt(0)).startsWith(QStringLiteral("REGISTER")));

    // Copy report: the text report on the clipboard, and never a password anywhere.
    QGuiApplication::clipboard()->clear();
    auto *copy = child<QPushButton>(panel, "regtestCopy");
    QVERIFY(copy->isEnabled());
    QTest::mouseClick(copy, Qt::LeftButton);
    const QString copied = QGuiApplication::clipboard()->text();
    QVERIFY2(copied.contains(QStringLiteral("50 attempted, 47 registered, 3 failed")), qPrintable(copied));
    QVERIFY2(copied.contains(QStringLiteral("nosuchuser not-found")), qPrintable(copied));
    QVERIFY2(copied.contains(QStringLiteral("registration time histogram")), qPrintable(copied));
    QStringList shown {copied};
    for (const QLabel *l : panel.findChildren<QLabel *>())
        shown << l->text() << l->toolTip();
    shown << child<QPlainTextEdit>(panel, "regtestWarnings")->toPlainText();
    for (int row = 0; row < m->rowCount(); ++row)
        for (int column = 0; column < m->columnCount(); ++column)
            shown << cell(row, column) << m->index(row, column).data(Qt::ToolTipRole).toString();
    const QString everything = shown.join(QLatin1Char('\n'));
    for (const QString &pw : allPasswords())
        QVERIFY2(!everything.contains(pw), "a password is shown");
}

// A SIPp file on disk (RANDOM order), loaded rather than pasted, registered over TCP.
void TestRegtestPanel::loadsSippFileFromDisk()
{
    QByteArray file = "RANDOM\n";
    for (int i = 0; i < 6; ++i)
        file += sippLine(m_subscribers[i].user, m_subscribers[i].password);
    const QString path = m_tmp->filePath(QStringLiteral("sipp-users.csv"));
    QFile f(path);
    QVERIFY(f.open(QIODevice::WriteOnly));
    QCOMPARE(f.write(file), file.size());
    f.close();

    RegTestPanel panel;
    showPanel(panel);
    child<QLineEdit>(panel, "regtestServer")->setText(server());
    child<QComboBox>(panel, "regtestTransport")->setCurrentIndex(1); // TCP
    panel.loadAccountFile(path);
    QCOMPARE(label(panel, "regtestAccountSummary"), QStringLiteral("6 accounts (SIPp file, RANDOM) from sipp-users.csv"));
    QVERIFY(child<QPlainTextEdit>(panel, "regtestAccounts")->toPlainText().isEmpty()); // the file's passwords are not echoed
    child<QSpinBox>(panel, "regtestCount")->setValue(12);
    child<QSpinBox>(panel, "regtestConcurrency")->setValue(3);
    child<QCheckBox>(panel, "regtestUnregister")->setChecked(true);
    auto *start = child<QPushButton>(panel, "regtestStart");
    QVERIFY(start->isEnabled());
    QSignalSpy finished(&panel, &RegTestPanel::finished);
    QTest::mouseClick(start, Qt::LeftButton);
    QTRY_COMPARE_WITH_TIMEOUT(finished.count(), 1, kRunTimeout);
    QCOMPARE(child<QProgressBar>(panel, "regtestProgress")->value(), 12);
    QCOMPARE(child<QProgressBar>(panel, "regtestProgress")->maximum(), 12);
    QCOMPARE(label(panel, "regtestRegistered"), QStringLiteral("12"));
    QCOMPARE(label(panel, "regtestFailed"), QStringLiteral("0"));
    QCOMPARE(panel.report().unregistered(), 12);
    QCOMPARE(child<ui::LatencyHistogram>(panel, "regtestHistogram")->total(), 12);
    QCOMPARE(child<QTableView>(panel, "regtestFailures")->model()->rowCount(), 0);
    QCOMPARE(panel.ladderModel()->store().size(), 0u); // nothing failed: no message kept
    QTRY_VERIFY(start->isEnabled());
}

void TestRegtestPanel::badPastedTextKeepsStartDisabled_data()
{
    QTest::addColumn<QString>("text");
    QTest::addColumn<QString>("expected");
    QTest::newRow("binary") << QString::fromLatin1("\x7f"
                                                   "ELF\x02\x01\x01\0\0\0\0\x03\0>\0",
        16) << QString();
    QTest::newRow("only comments") << QStringLiteral("# nothing here\n\n") << QStringLiteral("no account");
    QTest::newRow("no passwords") << QStringLiteral("alice\nbob\n") << QStringLiteral("no password");
    QTest::newRow("SIPp header only") << QStringLiteral("SEQUENTIAL\n") << QStringLiteral("no account");
}

// Text that holds no account: the reason is shown and Start stays disabled; good text enables it.
void TestRegtestPanel::badPastedTextKeepsStartDisabled()
{
    QFETCH(QString, text);
    QFETCH(QString, expected);
    RegTestPanel panel;
    showPanel(panel);
    child<QLineEdit>(panel, "regtestServer")->setText(QStringLiteral("127.0.0.1:5060"));
    auto *start = child<QPushButton>(panel, "regtestStart");
    auto *summary = child<QLabel>(panel, "regtestAccountSummary");
    child<QPlainTextEdit>(panel, "regtestAccounts")->setPlainText(text);
    QTRY_VERIFY(summary->property("error").toBool());
    QVERIFY2(summary->text().contains(QStringLiteral("pasted text")), qPrintable(summary->text()));
    if (!expected.isEmpty())
        QVERIFY2(summary->text().contains(expected, Qt::CaseInsensitive), qPrintable(summary->text()));
    QVERIFY(!start->isEnabled());
    QTest::mouseClick(start, Qt::LeftButton);
    QVERIFY(!panel.isRunning());

    child<QPlainTextEdit>(panel, "regtestAccounts")->setPlainText(QStringLiteral("alice;secret-one\n"));
    QTRY_VERIFY(start->isEnabled());
    QCOMPARE(summary->text(), QStringLiteral("1 account (CSV)"));
    QVERIFY(!summary->property("error").toBool());
}

void TestRegtestPanel::binaryFileIsRefused()
{
    const QString path = m_tmp->filePath(QStringLiteral("a.out"));
    QFile f(path);
    QVERIFY(f.open(QIODevice::WriteOnly));
    f.write(QByteArray("\x7f"
                       "ELF\x02\x01\x01\0\0\0\0",
        12));
    f.close();
    RegTestPanel panel;
    showPanel(panel);
    child<QLineEdit>(panel, "regtestServer")->setText(QStringLiteral("127.0.0.1:5060"));
    panel.loadAccountFile(path);
    const QString summary = label(panel, "regtestAccountSummary");
    QVERIFY2(summary.contains(QStringLiteral("not a text file")) && summary.contains(path), qPrintable(summary));
    QVERIFY(!child<QPushButton>(panel, "regtestStart")->isEnabled());
}

// Stop starts nothing new while those in flight wait; Abort ends them as "stopped".
void TestRegtestPanel::stopThenAbortEndsAttemptsInFlight()
{
    QUdpSocket silent; // bound, never read: nothing answers
    QVERIFY(silent.bind(QHostAddress::LocalHost, 0));
    RegTestPanel panel;
    showPanel(panel);
    child<QLineEdit>(panel, "regtestServer")->setText(QStringLiteral("127.0.0.1:%1").arg(silent.localPort()));
    child<QPlainTextEdit>(panel, "regtestAccounts")->setPlainText(QStringLiteral("a;pa55-a\nb;pa55-b\nc;pa55-c\nd;pa55-d\ne;pa55-e\n"));
    child<QSpinBox>(panel, "regtestConcurrency")->setValue(2);
    auto *start = child<QPushButton>(panel, "regtestStart");
    QTRY_VERIFY(start->isEnabled());
    QTest::mouseClick(start, Qt::LeftButton);
    QTRY_COMPARE_WITH_TIMEOUT(label(panel, "regtestInFlight"), QStringLiteral("2"), kRunTimeout);

    auto *stop = child<QPushButton>(panel, "regtestStop");
    auto *abort = child<QPushButton>(panel, "regtestAbort");
    QVERIFY(stop->isEnabled() && abort->isEnabled());
    QTest::mouseClick(stop, Qt::LeftButton);
    QVERIFY(panel.isRunning()); // the two in flight go on
    QVERIFY(!stop->isEnabled() && abort->isEnabled() && !start->isEnabled());
    QSignalSpy finished(&panel, &RegTestPanel::finished);
    QTest::mouseClick(abort, Qt::LeftButton);
    QCOMPARE(finished.count(), 1);
    QVERIFY(!panel.isRunning());
    QCOMPARE(panel.report().attempted(), 2);
    QCOMPARE(panel.report().byOutcome().value(QStringLiteral("stopped")), 2);
    QCOMPARE(child<QProgressBar>(panel, "regtestProgress")->value(), 2);
    QCOMPARE(child<QProgressBar>(panel, "regtestProgress")->maximum(), 5);
    QCOMPARE(child<QTableView>(panel, "regtestFailures")->model()->rowCount(), 2);
    QCOMPARE(
        child<QTableView>(panel, "regtestFailures")->model()->index(0, ui::RegTestFailureModel::OutcomeColumn).data().toString(), QStringLiteral("stopped"));
    QVERIFY2(label(panel, "regtestState").startsWith(QStringLiteral("Stopped.")), qPrintable(label(panel, "regtestState")));
    // Their messages (retransmitted REGISTERs) are kept for the ladder.
    QCOMPARE(panel.trace().laddersKept(), 2);
    QTRY_VERIFY(start->isEnabled());

    // Closing the tab's window mid-test ends it quietly.
    auto running = std::make_unique<RegTestPanel>();
    child<QLineEdit>(*running, "regtestServer")->setText(QStringLiteral("127.0.0.1:%1").arg(silent.localPort()));
    running->loadAccountFile(QString()); // no file: an error, then pasted accounts take over
    child<QPlainTextEdit>(*running, "regtestAccounts")->setPlainText(QStringLiteral("a;pa55-a\nb;pa55-b\n"));
    running->start();
    QVERIFY(running->isRunning());
    QTRY_COMPARE_WITH_TIMEOUT(running->trace().waiting(), qsizetype(2), kRunTimeout);
    running.reset();
}

// Bars in the highlight colour on the base colour, whichever the palette.
void TestRegtestPanel::histogramFollowsThePalette()
{
    diag::LatencyStats stats;
    for (int i = 0; i < 30; ++i)
        stats.add(3 + i % 5);
    for (int i = 0; i < 5; ++i)
        stats.add(40);
    for (const QPalette &palette : {lightPalette(), darkPalette()}) {
        ui::LatencyHistogram h;
        h.setPalette(palette);
        h.resize(600, 200);
        h.setBins(stats.histogram());
        QCOMPARE(h.total(), 35);
        const QImage img = h.grab().toImage();
        QCOMPARE(img.pixelColor(1, 1), palette.color(QPalette::Base));
        int bars = 0;
        for (int i = 0; i < h.bins().size(); ++i) {
            const QRect bar = h.barRect(i);
            if (h.bins()[i].count == 0) {
                QVERIFY(bar.isEmpty());
                continue;
            }
            QVERIFY(!bar.isEmpty());
            QCOMPARE(img.pixelColor(bar.center()), palette.color(QPalette::Highlight));
            ++bars;
        }
        QVERIFY(bars >= 2);
        QVERIFY(h.barRect(0).height() > 0);
        QVERIFY(ui::LatencyHistogram::rangeLabel(h.bins().first()).contains(QStringLiteral("ms")));
    }
}

void TestRegtestPanel::failureModelPassesTheTester()
{
    ui::RegTestFailureModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    QList<diag::RegAttempt> list;
    list.append({.index = 4, .user = QStringLiteral("bob"), .outcome = QStringLiteral("timeout"), .status = 0, .reason = QStringLiteral("no answer")});
    model.update(list);
    list.append({.index = 1, .user = QStringLiteral("al"), .outcome = QStringLiteral("forbidden"), .status = 403, .reason = QStringLiteral("refused")});
    model.update(list);
    QCOMPARE(model.rowCount(), 2);
    QCOMPARE(model.index(0, ui::RegTestFailureModel::StatusColumn).data().toString(), QStringLiteral("—"));
    QCOMPARE(model.index(1, ui::RegTestFailureModel::StatusColumn).data(ui::RegTestFailureModel::SortRole).toInt(), 403);
    model.update({});
    QCOMPARE(model.rowCount(), 0);
}

// A long test keeps the messages of the first kMaxLadders failures and nothing of the successes;
// messages no attempt claims (late retransmissions) wait in a bounded queue.
void TestRegtestPanel::traceKeepsFailuresOnlyAndStaysBounded()
{
    auto event = [](int i, bool out) {
        sip::TraceEvent e;
        e.direction = out ? sip::TraceEvent::Direction::Out : sip::TraceEvent::Direction::In;
        e.time = QDateTime::currentDateTimeUtc();
        e.local = {QHostAddress::LocalHost, 5070};
        e.remote = {QHostAddress::LocalHost, 5060};
        const QByteArray n = QByteArray::number(i);
        e.raw = (out ? QByteArray("REGISTER sip:127.0.0.1 SIP/2.0\r\n") : QByteArray("SIP/2.0 401 Unauthorized\r\n"))
            + "Via: SIP/2.0/UDP 127.0.0.1:5070;branch=z9hG4bK" + n + "\r\nFrom: <sip:u" + n + "@127.0.0.1>;tag=f" + n + "\r\nTo: <sip:u" + n
            + "@127.0.0.1>\r\nCall-ID: c" + n + "\r\nCSeq: 1 REGISTER\r\nContent-Length: 0\r\n\r\n";
        return e;
    };
    constexpr int kConcurrency = 10;
    diag::RegTestTrace trace(kConcurrency);
    const int attempts = 3 * diag::RegTestTrace::kMaxLadders;
    for (int i = 0; i < attempts; ++i) {
        trace.add(event(i, true));
        trace.add(event(i, false));
        diag::RegAttempt a;
        a.index = i;
        a.callId = "c" + QByteArray::number(i);
        a.registered = i % 2 == 0; // every other one fails
        trace.finish(a);
    }
    QCOMPARE(trace.waiting(), qsizetype(0));
    QCOMPARE(trace.laddersKept(), diag::RegTestTrace::kMaxLadders);
    QCOMPARE(trace.laddersDropped(), qint64(attempts / 2 - diag::RegTestTrace::kMaxLadders));
    QCOMPARE(trace.store().callCount(), quint32(diag::RegTestTrace::kMaxLadders));
    QCOMPARE(trace.store().size(), quint32(2 * diag::RegTestTrace::kMaxLadders));
    QVERIFY(trace.hasLadder("c1"));
    QVERIFY(!trace.hasLadder("c0")); // registered: not kept
    QVERIFY(!trace.hasLadder("c" + QByteArray::number(attempts - 1))); // failed after the store was full

    // Messages nobody claims: the oldest go once more than about twice the concurrency wait.
    for (int i = attempts; i < attempts + 5000; ++i)
        trace.add(event(i, false));
    QVERIFY2(trace.waiting() <= 2 * kConcurrency + 64, qPrintable(QString::number(trace.waiting())));
    // A kept failure's late retransmission joins its ladder.
    trace.add(event(1, false));
    QCOMPARE(trace.store().size(), quint32(2 * diag::RegTestTrace::kMaxLadders + 1));
}

void TestRegtestPanel::mainWindowHasTheTab()
{
    ui::AccountStore::Options o;
    o.settingsPath = m_tmp->filePath(QStringLiteral("window.ini"));
    o.keychain = ui::AccountStore::KeychainMode::Disabled;
    o.keychainService = QStringLiteral("dialscope-test");
    ui::AccountStore store(o);
    phone::Phone phone;
    ui::MainWindow window(phone, store);
    auto *tabs = window.findChild<QTabWidget *>(QStringLiteral("traceTabs"));
    QVERIFY(tabs);
    const int tab = tabs->indexOf(window.regtest());
    QVERIFY(tab >= 0);
    QCOMPARE(tabs->tabText(tab), QStringLiteral("Registration Test"));
    auto *show = window.findChild<QAction *>(QStringLiteral("showRegtest"));
    QVERIFY(show);
    show->trigger();
    QCOMPARE(tabs->currentWidget(), window.regtest());
}

QTEST_MAIN(TestRegtestPanel)
#include "tst_regtest_panel.moc"
