// LadderModel: columns, rows, filters, call summaries, unsolicited traffic and related Call-IDs,
// over the flows in tests/data/ladder; the text ladders are compared with the expected files.

#include "ladder_flow.h"

#include "diag/capture_import.h"
#include "diag/capture_writer.h"
#include "diag/ladder_model.h"
#include "diag/ladder_text.h"

#include <QBuffer>
#include <QTest>

Q_DECLARE_METATYPE(ds::diag::LadderFilter)

using namespace ds::diag;
using ds::test::Flow;
using ds::test::FlowLink;

namespace {

struct Built {
    Flow flow;
    std::unique_ptr<TraceStore> store = std::make_unique<TraceStore>();
    std::unique_ptr<LadderModel> model;
};

// A flow in a store, and a model over it with the flow's names (all of it, or its first `count`).
Built build(const QString &name, qsizetype count = -1)
{
    Built b;
    auto f = ds::test::loadFlow(name);
    if (!f)
        qFatal("%s", qPrintable(f.error()));
    b.flow = *f;
    if (count >= 0)
        b.flow.messages.resize(count);
    ds::test::feedAll(*b.store, b.flow);
    b.model = std::make_unique<LadderModel>(*b.store);
    for (const auto &[address, title] : std::as_const(b.flow.names))
        b.model->setEndpointName(address, title);
    b.model->update();
    return b;
}

QList<int> rowNumbers(const LadderModel &m) // the F numbers of the rows shown
{
    QList<int> out;
    for (int r = 0; r < m.rowCount(); ++r)
        out << int(m.messageAt(r)) + 1;
    return out;
}

QList<int> range(int first, int last)
{
    QList<int> out;
    for (int i = first; i <= last; ++i)
        out << i;
    return out;
}

QStringList columnTitles(const LadderModel &m)
{
    QStringList out;
    for (int c = 0; c < m.columnCount(); ++c)
        out << m.column(c).title() + (m.column(c).unsolicited ? QStringLiteral(" (unsolicited)") : QString());
    return out;
}

QString readLadder(const QString &name)
{
    QFile f(ds::test::ladderDataDir() + name + QStringLiteral(".ladder"));
    return f.open(QIODevice::ReadOnly) ? QString::fromUtf8(f.readAll()).remove(QLatin1Char('\r')) : QString();
}

// Checks an expected ladder against its flow without the model: each row's time, the lifelines
// its arrow joins and its direction, dotted for exactly the retransmissions, and the label's
// method or status code.
void checkLadderAgainstFlow(const QString &ladder, const Flow &flow)
{
    const QStringList lines = ladder.split(QLatin1Char('\n'), Qt::SkipEmptyParts);
    QCOMPARE(lines.size(), flow.messages.size() + 1);
    const QString &header = lines[0];
    QList<int> lifelines;
    for (qsizetype k = 1; k < lines.size(); ++k)
        for (qsizetype x = 0; x < lines[k].size(); ++x)
            if (lines[k][x] == QLatin1Char('|') && !lifelines.contains(int(x)))
                lifelines << int(x);
    std::sort(lifelines.begin(), lifelines.end());
    // Each endpoint's title is centred on its lifeline.
    auto lifelineOf = [&](const NetAddress &a) {
        QString title = a.toEndpoint().toString();
        for (const auto &[address, name] : flow.names)
            if (address == a && !name.isEmpty())
                title = name + QLatin1Char(' ') + title;
        qsizetype at = header.indexOf(title);
        while (at >= 0 && at + title.size() < header.size() && header[at + title.size()] != QLatin1Char(' '))
            at = header.indexOf(title, at + 1); // "192.0.2.10:5060" is not "192.0.2.101:5060"
        if (at < 0)
            return -1;
        qsizetype size = title.size();
        if (header.mid(at + size).startsWith(QLatin1String(" (unsolicited)")))
            size += 14;
        const int centre = int(at + size / 2);
        for (int k = 0; k < lifelines.size(); ++k)
            if (std::abs(lifelines[k] - centre) <= 1)
                return k;
        return -1;
    };
    const double t0 = flow.messages[0].seconds;
    for (qsizetype k = 0; k < flow.messages.size(); ++k) {
        const auto &m = flow.messages[k];
        const QString &row = lines[k + 1];
        const QString where = QStringLiteral("F%1: %2").arg(m.number).arg(row);
        QCOMPARE(row.left(11), QString::asprintf("%10.3f ", m.seconds - t0));
        const int from = lifelineOf(m.src), to = lifelineOf(m.dst);
        QVERIFY2(from >= 0 && to >= 0 && from != to, qPrintable(where));
        const int head = to > from ? lifelines[to] - 1 : lifelines[to] + 1;
        QVERIFY2(row[head] == (to > from ? QLatin1Char('>') : QLatin1Char('<')), qPrintable(where));
        QVERIFY2(row[lifelines[from]] == QLatin1Char('|') && row[lifelines[to]] == QLatin1Char('|'), qPrintable(where));
        const QChar dash = row[to > from ? lifelines[from] + 1 : lifelines[from] - 1];
        QVERIFY2(dash == (m.link.kind == FlowLink::Retransmits ? QLatin1Char('.') : QLatin1Char('-')), qPrintable(where));
        const QByteArray startLine = m.raw.left(m.raw.indexOf('\r'));
        const QString token = QString::fromLatin1(startLine.startsWith("SIP/2.0 ") ? startLine.mid(8, 3) : startLine.left(startLine.indexOf(' ')));
        const QString arrow = row.mid(std::min(lifelines[from], lifelines[to]), std::abs(lifelines[to] - lifelines[from]));
        QVERIFY2(arrow.contains(token), qPrintable(where));
    }
}

} // namespace

class TestLadderModel : public QObject {
    Q_OBJECT
private slots:
    // The whole flow as a text ladder, equal to the expected file, which is itself checked
    // against the flow (times, directions, retransmission marks, labels).
    void ladders_data()
    {
        QTest::addColumn<QString>("flow");
        for (const QString &name : ds::test::flowNames())
            QTest::newRow(qPrintable(name)) << name;
    }
    // The same flows written as captures (Ethernet/IP/UDP or TCP packets), read back through the
    // capture importer: the same ladders. Our-own-trace flows (with a local side) have no capture.
    void laddersFromCaptures_data() { ladders_data(); }
    void laddersFromCaptures()
    {
        QFETCH(QString, flow);
        auto f = ds::test::loadFlow(flow);
        QVERIFY2(f, f ? "" : qPrintable(f.error()));
        if (f->local)
            QSKIP("our own trace: not a capture");
        QBuffer pcap;
        pcap.open(QIODevice::WriteOnly);
        {
            auto w = CaptureWriter::open(&pcap, CaptureWriter::Format::Pcapng);
            QVERIFY(w);
            for (const ds::test::FlowMessage &m : f->messages) {
                CaptureAddress src, dst;
                src.ip = m.src.ip, src.v6 = m.src.v6, src.port = m.src.port;
                dst.ip = m.dst.ip, dst.v6 = m.dst.v6, dst.port = m.dst.port;
                QVERIFY((*w)->writeMessage(ds::test::flowTimeUs(m), m.transport, src, dst, m.raw));
            }
            QVERIFY((*w)->flush());
        }
        TraceStore store;
        RtpTracker rtp;
        const auto imported = importCaptureBytes(pcap.data(), store, rtp);
        QVERIFY2(imported, imported ? "" : qPrintable(imported.error().text));
        QCOMPARE(store.size(), quint32(f->messages.size()));
        LadderModel model(store);
        for (const auto &[address, title] : std::as_const(f->names))
            model.setEndpointName(address, title);
        model.update();
        const QStringList got = renderTextLadder(model).split(QLatin1Char('\n')), want = readLadder(flow).split(QLatin1Char('\n'));
        for (qsizetype i = 0; i < std::min(got.size(), want.size()); ++i)
            QVERIFY2(got[i] == want[i], qPrintable(QStringLiteral("line %1\n got: %2\nwant: %3").arg(i + 1).arg(got[i], want[i])));
        QCOMPARE(got.size(), want.size());
    }

    void ladders()
    {
        QFETCH(QString, flow);
        const Built b = build(flow);
        const QString text = renderTextLadder(*b.model);
        if (const QString dir = qEnvironmentVariable("DS_LADDER_OUT"); !dir.isEmpty()) {
            QFile out(dir + QLatin1Char('/') + flow + QStringLiteral(".ladder"));
            QVERIFY(out.open(QIODevice::WriteOnly));
            out.write(text.toUtf8());
        }
        const QString expected = readLadder(flow);
        QVERIFY2(!expected.isEmpty(), qPrintable(flow + QStringLiteral(".ladder is missing")));
        checkLadderAgainstFlow(expected, b.flow);
        if (QTest::currentTestFailed())
            return;
        const QStringList got = text.split(QLatin1Char('\n')), want = expected.split(QLatin1Char('\n'));
        for (qsizetype i = 0; i < std::min(got.size(), want.size()); ++i)
            QVERIFY2(got[i] == want[i], qPrintable(QStringLiteral("line %1\n got: %2\nwant: %3").arg(i + 1).arg(got[i], want[i])));
        QCOMPARE(got.size(), want.size());
    }

    // Columns in order of first appearance, titled by name and address; names given later rename.
    void columns()
    {
        Built b = build(QStringLiteral("rfc3665-3.2-call-through-proxy"));
        QCOMPARE(columnTitles(*b.model),
            (QStringList {QStringLiteral("Alice 192.0.2.101:5060"), QStringLiteral("Proxy 192.0.2.10:5060"), QStringLiteral("Bob 192.0.2.201:5060")}));
        QCOMPARE(b.model->column(1).address, QStringLiteral("192.0.2.10:5060"));
        QCOMPARE(b.model->column(1).name, QStringLiteral("Proxy"));
        QCOMPARE(b.model->fromColumn(5), 1); // F6: proxy to Bob
        QCOMPARE(b.model->toColumn(5), 2);
        QCOMPARE(b.model->columnOf(b.store->record(12).src), 2); // F13: Bob's BYE
        b.model->setEndpointName(b.flow.messages[0].dst, QStringLiteral("ss1"));
        QCOMPARE(b.model->column(1).title(), QStringLiteral("ss1 192.0.2.10:5060"));
        QVERIFY(renderTextLadder(*b.model).section(QLatin1Char('\n'), 0, 0).contains(QStringLiteral("ss1 192.0.2.10:5060")));

        TraceStore s; // unnamed, IPv6
        LadderModel m(s);
        const NetAddress a = *ds::test::flowAddress(u"[2001:db8::1]:5060"), c = *ds::test::flowAddress(u"[2001:db8::2]:5062");
        const Built reg = build(QStringLiteral("rfc3665-2.1-registration"));
        s.append(ds::test::kFlowEpochUs, ds::sip::TransportKind::Tls, a, c, reg.flow.messages[0].raw, 1);
        QCOMPARE(m.update(), 1);
        QCOMPARE(columnTitles(m), (QStringList {QStringLiteral("[2001:db8::1]:5060"), QStringLiteral("[2001:db8::2]:5062")}));
    }

    // One call per Call-ID with its state in the words of the call list; flows cut short give
    // the states of a call still in progress.
    void callSummary_data()
    {
        QTest::addColumn<QString>("flow");
        QTest::addColumn<int>("count"); // messages of the flow taken, -1 all
        QTest::addColumn<int>("call");
        QTest::addColumn<QString>("method");
        QTest::addColumn<QString>("state");
        QTest::addColumn<QString>("from");
        QTest::addColumn<QString>("to");
        QTest::addColumn<int>("messages");
        const QString bob = QStringLiteral("sips:bob@biloxi.example.com");
        const QString alice = QStringLiteral("sip:alice@atlanta.example.com"), bobSip = QStringLiteral("sip:bob@biloxi.example.com");
        QTest::newRow("2.1 registered") << "rfc3665-2.1-registration" << -1 << 0 << "REGISTER"
                                        << "registered" << bob << bob << 4;
        QTest::newRow("2.1 challenged") << "rfc3665-2.1-registration" << 2 << 0 << "REGISTER"
                                        << "challenged (401)" << bob << bob << 2;
        QTest::newRow("2.1 no final response") << "rfc3665-2.1-registration" << 3 << 0 << "REGISTER"
                                               << "no final response" << bob << bob << 3;
        QTest::newRow("2.5 wrong password") << "rfc3665-2.5-unsuccessful-registration" << -1 << 0 << "REGISTER"
                                            << "failed (401)" << bob << bob << 4;
        QTest::newRow("3.2 ended") << "rfc3665-3.2-call-through-proxy" << -1 << 0 << "INVITE"
                                   << "ended" << alice << bobSip << 16;
        QTest::newRow("3.2 answered") << "rfc3665-3.2-call-through-proxy" << 12 << 0 << "INVITE"
                                      << "answered" << alice << bobSip << 12;
        QTest::newRow("3.2 ringing") << "rfc3665-3.2-call-through-proxy" << 8 << 0 << "INVITE"
                                     << "ringing" << alice << bobSip << 8;
        QTest::newRow("3.2 challenged") << "rfc3665-3.2-call-through-proxy" << 3 << 0 << "INVITE"
                                        << "challenged (407)" << alice << bobSip << 3;
        QTest::newRow("3.7 busy") << "rfc3665-3.7-busy" << -1 << 0 << "INVITE"
                                  << "busy (486)" << alice << bobSip << 7;
        QTest::newRow("3.8 cancelled") << "rfc3665-3.8-cancel" << -1 << 0 << "INVITE"
                                       << "cancelled" << alice << bobSip << 7;
        QTest::newRow("3.8 cancelling") << "rfc3665-3.8-cancel" << 5 << 0 << "INVITE"
                                        << "cancelled" << alice << bobSip << 5;
        QTest::newRow("retransmitted register") << "udp-retransmissions" << -1 << 0 << "REGISTER"
                                                << "registered" << alice << alice << 3;
        QTest::newRow("retransmitted call") << "udp-retransmissions" << -1 << 1 << "INVITE"
                                            << "ended" << alice << bobSip << 12;
        QTest::newRow("forked") << "forked-invite" << -1 << 0 << "INVITE"
                                << "ended" << alice << bobSip << 28;
        QTest::newRow("replaced call") << "replaces" << -1 << 0 << "INVITE"
                                       << "ended" << bobSip << alice << 5;
        QTest::newRow("replacing call") << "replaces" << -1 << 1 << "INVITE"
                                        << "answered"
                                        << "sip:carol@chicago.example.com" << alice << 3;
        QTest::newRow("options") << "replaces" << -1 << 2 << "OPTIONS"
                                 << "ok (200)" << bobSip << "sip:alice@192.0.2.101" << 2;
        QTest::newRow("scanner invite") << "scanner" << -1 << 2 << "INVITE"
                                        << "failed (404)"
                                        << "sip:100@192.0.2.101"
                                        << "sip:100@192.0.2.101" << 3;
    }
    void callSummary()
    {
        QFETCH(QString, flow);
        QFETCH(int, count);
        QFETCH(int, call);
        QFETCH(QString, method);
        QFETCH(QString, state);
        QFETCH(QString, from);
        QFETCH(QString, to);
        QFETCH(int, messages);
        const Built b = build(flow, count);
        const LadderCallSummary s = b.model->callSummary(quint32(call));
        QCOMPARE(s.call, quint32(call));
        QCOMPARE(s.method, method);
        QCOMPARE(s.state, state);
        QCOMPARE(s.from, from);
        QCOMPARE(s.to, to);
        QCOMPARE(s.messages, quint32(messages));
        QCOMPARE(s.callId, QString::fromUtf8(b.store->callId(quint32(call))));
        QVERIFY(s.lastUs >= s.firstUs);
    }

    // A 401 to credentials only saying the nonce went stale (RFC 7616 3.3) is a new challenge,
    // not a refusal.
    void staleNonce()
    {
        auto f = ds::test::loadFlow(QStringLiteral("rfc3665-2.5-unsuccessful-registration"));
        QVERIFY2(f, qPrintable(f.error()));
        f->messages[3].raw.replace("stale=FALSE", "stale=TRUE");
        TraceStore s;
        ds::test::feedAll(s, *f);
        LadderModel m(s);
        m.update();
        QCOMPARE(m.callSummary(0).state, QStringLiteral("challenged (401)"));
    }

    void grouping()
    {
        const Built b = build(QStringLiteral("udp-retransmissions"));
        QCOMPARE(b.model->callCount(), 2u);
        const LadderCallSummary reg = b.model->callSummary(0), call = b.model->callSummary(1);
        QCOMPARE(reg.callId, QStringLiteral("a84b4c76e66710@client.atlanta.example.com"));
        QCOMPARE(call.callId, QStringLiteral("77c8b3a@192.0.2.101"));
        QCOMPARE(reg.firstUs, ds::test::kFlowEpochUs);
        QCOMPARE(reg.lastUs, ds::test::kFlowEpochUs + 523000);
        QCOMPARE(call.firstUs, ds::test::kFlowEpochUs + 2000000);
        QCOMPARE(call.lastUs, ds::test::kFlowEpochUs + 9021000);
        QVERIFY(!reg.unsolicited && !call.unsolicited);
        for (int r = 0; r < b.model->rowCount(); ++r)
            QCOMPARE(b.model->groupOf(b.store->record(b.model->messageAt(r)).call), r < 3 ? 0u : 1u);
    }

    void filters_data()
    {
        QTest::addColumn<QString>("flow");
        QTest::addColumn<LadderFilter>("filter");
        QTest::addColumn<QList<int>>("rows");
        QTest::addColumn<int>("columns");
        const QString proxy = QStringLiteral("rfc3665-3.2-call-through-proxy"), udp = QStringLiteral("udp-retransmissions");
        LadderFilter f;
        QTest::newRow("none") << proxy << f << range(1, 16) << 3;
        f = {};
        f.calls = {1};
        QTest::newRow("call") << udp << f << range(4, 15) << 2;
        f.calls = {0};
        QTest::newRow("register call") << udp << f << range(1, 3) << 2;
        f = {};
        f.methods = {"INVITE"};
        QTest::newRow("INVITE and its responses") << proxy << f << QList<int> {1, 2, 4, 5, 6, 7, 8, 9, 10} << 3;
        f.methods = {"BYE", "ACK"};
        QTest::newRow("BYE and ACK") << proxy << f << QList<int> {3, 11, 12, 13, 14, 15, 16} << 3;
        f = {};
        f.statusClasses = 1u << 0;
        QTest::newRow("requests") << proxy << f << QList<int> {1, 3, 4, 6, 11, 12, 13, 14} << 3;
        f.statusClasses = 1u << 2;
        QTest::newRow("2xx") << proxy << f << QList<int> {9, 10, 15, 16} << 3;
        f.statusClasses = 1u << 1 | 1u << 4;
        QTest::newRow("1xx and 4xx") << proxy << f << QList<int> {2, 5, 7, 8} << 3;
        f.statusClasses = 1u << 4;
        QTest::newRow("4xx") << proxy << f << QList<int> {2} << 2;
        f = {};
        f.text = QStringLiteral("PROXY-AUTHORIZATION: digest");
        QTest::newRow("text, other case") << proxy << f << QList<int> {4} << 2;
        f.text = QStringLiteral("z9HG4bk2d4790.1");
        QTest::newRow("text, branch") << proxy << f << QList<int> {6, 7, 9} << 2;
        f.text = QStringLiteral("nobody says this");
        QTest::newRow("text, nothing") << proxy << f << QList<int> {} << 0;
        f = {};
        f.showRetransmissions = false;
        QTest::newRow("no retransmissions") << udp << f << QList<int> {1, 3, 4, 7, 8, 10, 11, 14, 15} << 3;
        f.calls = {1};
        f.statusClasses = 1u << 1;
        QTest::newRow("combined") << udp << f << QList<int> {7, 8} << 2;
    }
    void filters()
    {
        QFETCH(QString, flow);
        QFETCH(LadderFilter, filter);
        QFETCH(QList<int>, rows);
        QFETCH(int, columns);
        Built b = build(flow);
        b.model->setFilter(filter);
        QCOMPARE(b.model->filter(), filter);
        QCOMPARE(rowNumbers(*b.model), rows);
        QCOMPARE(b.model->columnCount(), columns);
        // The rows are found the same way when the filter is set before the messages arrive.
        TraceStore s;
        LadderModel m(s);
        m.setFilter(filter);
        ds::test::feedAll(s, b.flow);
        QCOMPARE(m.update(), int(rows.size()));
        QCOMPARE(rowNumbers(m), rows);
        // And back to everything.
        b.model->setFilter({});
        QCOMPARE(b.model->rowCount(), int(b.flow.messages.size()));
    }

    void textMatches()
    {
        Built b = build(QStringLiteral("rfc3665-2.1-registration"));
        QVERIFY(!b.model->matchesText(0)); // no search, no match
        LadderFilter f;
        f.text = QStringLiteral("WWW-authenticate");
        b.model->setFilter(f);
        QVERIFY(b.model->matchesText(1));
        QVERIFY(!b.model->matchesText(0));
        QCOMPARE(rowNumbers(*b.model), QList<int> {2});
    }

    // Messages taken in one at a time (live) give the same rows, columns and ladder as the whole
    // trace taken in at once, whatever the filter.
    void incremental_data()
    {
        QTest::addColumn<QString>("flow");
        QTest::addColumn<LadderFilter>("filter");
        for (const QString &name : ds::test::flowNames()) {
            QTest::newRow(qPrintable(name)) << name << LadderFilter {};
            LadderFilter f;
            f.showRetransmissions = false;
            f.showUnsolicited = false;
            f.statusClasses = 0x7f & ~(1u << 1);
            QTest::newRow(qPrintable(name + QStringLiteral(" filtered"))) << name << f;
        }
    }
    void incremental()
    {
        QFETCH(QString, flow);
        QFETCH(LadderFilter, filter);
        const Built whole = build(flow);
        whole.model->setFilter(filter);

        TraceStore s;
        LadderModel live(s);
        for (const auto &[address, title] : whole.flow.names)
            live.setEndpointName(address, title);
        live.setFilter(filter);
        int added = 0;
        for (const auto &m : whole.flow.messages) {
            ds::test::feed(s, whole.flow, m);
            added += live.update();
            QCOMPARE(live.update(), 0); // nothing new, nothing added
        }
        QCOMPARE(added, whole.model->rowCount());
        QCOMPARE(live.rows(), whole.model->rows());
        QCOMPARE(columnTitles(live), columnTitles(*whole.model));
        QCOMPARE(live.unsolicitedRequests(), whole.model->unsolicitedRequests());
        QCOMPARE(renderTextLadder(live), renderTextLadder(*whole.model));
    }

    void rowsAndMessages()
    {
        Built b = build(QStringLiteral("udp-retransmissions"));
        LadderFilter f;
        f.showRetransmissions = false;
        b.model->setFilter(f);
        QCOMPARE(b.model->rowCount(), 9);
        for (int r = 0; r < b.model->rowCount(); ++r)
            QCOMPARE(b.model->rowOf(b.model->messageAt(r)), r);
        QCOMPARE(b.model->rowOf(1), -1); // F2, the REGISTER's retransmission, is hidden
        QCOMPARE(b.model->rowOf(4), -1);
        QCOMPARE(b.model->rowOf(6), 3); // F7 100 Trying is the fourth row
        QCOMPARE(b.model->messageAt(3), 6u);
        QCOMPARE(b.model->seconds(6), 3.505);
        QCOMPARE(b.model->delta(0), 0.0);
        QCOMPARE(b.model->delta(3), 1.505); // F4 at 2.000, F7 at 3.505: the retransmissions between are hidden
        QCOMPARE(b.model->delta(b.model->rowCount()), 0.0);
    }

    // Labels and details on the arrows: retransmission marks and timers, credentials and
    // challenges, SDP.
    void labels_data()
    {
        QTest::addColumn<QString>("flow");
        QTest::addColumn<int>("message"); // F number
        QTest::addColumn<QString>("label");
        QTest::addColumn<QString>("detail");
        const QString udp = QStringLiteral("udp-retransmissions"), proxy = QStringLiteral("rfc3665-3.2-call-through-proxy");
        QTest::newRow("timer E") << udp << 2 << "REGISTER (retransmission)"
                                 << "CSeq 1 REGISTER, Timer E";
        QTest::newRow("timer A") << udp << 6 << "INVITE (retransmission) SDP PCMU,PCMA,telephone-event 192.0.2.101:49170 sendrecv"
                                 << "CSeq 314159 INVITE, Timer A";
        QTest::newRow("duplicate 180") << udp << 9 << "180 Ringing (retransmission)"
                                       << "CSeq 314159 INVITE";
        QTest::newRow("timer G") << udp << 12 << "200 OK (retransmission) SDP PCMA,telephone-event 192.0.2.201:3456 sendrecv"
                                 << "CSeq 314159 INVITE, Timer G";
        QTest::newRow("ACK again") << udp << 13 << "ACK (retransmission)"
                                   << "CSeq 314159 ACK";
        QTest::newRow("challenge") << proxy << 2 << "407 Proxy Authorization Required [challenge] Digest realm=\"atlanta.example.com\" MD5 qop=auth"
                                   << "CSeq 1 INVITE";
        QTest::newRow("credentials") << proxy << 4 << "INVITE [credentials] SDP PCMU 192.0.2.101:49172 sendrecv"
                                     << "CSeq 2 INVITE, retry after 407";
        QTest::newRow("plain") << proxy << 13 << "BYE"
                               << "CSeq 1 BYE";
        QTest::newRow("www-authenticate") << "rfc3665-2.1-registration" << 2 << "401 Unauthorized [challenge] Digest realm=\"atlanta.example.com\" MD5 qop=auth"
                                          << "CSeq 1 REGISTER";
        QTest::newRow("sha-256") << "scanner" << 2 << "401 Unauthorized [challenge] Digest realm=\"pbx.atlanta.example.com\" SHA-256 qop=auth"
                                 << "CSeq 1 REGISTER";
        QTest::newRow("retry after 401") << "rfc3665-2.1-registration" << 3 << "REGISTER [credentials]"
                                         << "CSeq 2 REGISTER, retry after 401";
    }
    void labels()
    {
        QFETCH(QString, flow);
        QFETCH(int, message);
        QFETCH(QString, label);
        QFETCH(QString, detail);
        const Built b = build(flow);
        QCOMPARE(b.model->label(quint32(message - 1)), label);
        QCOMPARE(b.model->detail(quint32(message - 1)), detail);
        QVERIFY(label.startsWith(b.model->shortLabel(quint32(message - 1))));
    }

    void malformedRow()
    {
        TraceStore s;
        LadderModel m(s);
        const NetAddress a = *ds::test::flowAddress(u"192.0.2.1:5060"), b = *ds::test::flowAddress(u"192.0.2.2:5060");
        s.append(ds::test::kFlowEpochUs, ds::sip::TransportKind::Udp, a, b, "INVITE sip:bob@h SIP/2.0\r\nVia SIP/2.0/UDP h\r\nCall-ID: x\r\n\r\n", 1);
        QCOMPARE(m.update(), 1);
        QCOMPARE(m.label(0), QStringLiteral("malformed: INVITE sip:bob@h SIP/2.0"));
        QCOMPARE(m.detail(0), QStringLiteral("does not parse"));
        QCOMPARE(m.callSummary(0).callId, QStringLiteral("x"));
    }

    // A scanner probing our own trace: its calls are unsolicited (even after we answered its
    // OPTIONS), drawn in a lane of their own at the right, hidden on demand, never merged.
    void scanner()
    {
        Built b = build(QStringLiteral("scanner"));
        LadderModel &m = *b.model;
        QCOMPARE(m.callCount(), 4u);
        QVERIFY(!m.isUnsolicited(0)); // our REGISTER
        QVERIFY(m.isUnsolicited(1)); // its OPTIONS
        QVERIFY(m.isUnsolicited(2)); // its INVITE, after we answered the OPTIONS
        QVERIFY(!m.isUnsolicited(3)); // the PBX's OPTIONS: we registered there
        QVERIFY(m.callSummary(1).unsolicited);
        QCOMPARE(m.unsolicitedRequests(), 3u); // OPTIONS, INVITE, ACK
        QCOMPARE(columnTitles(m),
            (QStringList {
                QStringLiteral("dialscope 192.0.2.101:5060"), QStringLiteral("PBX 192.0.2.10:5060"), QStringLiteral("203.0.113.66:5071 (unsolicited)")}));

        LadderFilter hide;
        hide.showUnsolicited = false;
        m.setFilter(hide);
        QCOMPARE(rowNumbers(m), (QList<int> {1, 2, 3, 4, 10, 11}));
        QCOMPARE(m.columnCount(), 2);

        // A scanner INVITE naming our registration in Replaces is not merged into it.
        const NetAddress scannerAddress = b.flow.messages[4].src;
        ds::sip::TraceEvent e;
        e.direction = ds::sip::TraceEvent::Direction::In;
        e.time = QDateTime::fromMSecsSinceEpoch(ds::test::kFlowEpochUs / 1000 + 70000, Qt::UTC);
        e.local = b.flow.local->toEndpoint();
        e.remote = scannerAddress.toEndpoint();
        e.raw = QByteArray(b.flow.messages[6].raw)
                    .replace("Call-ID: 1276592437203498601324737", "Call-ID: 99\r\nReplaces: 7d5e9f1a2b3c4d5e@192.0.2.101;to-tag=as1d2f3g4;from-tag=44f2e3a0")
                    .replace("z9hG4bK-3914106236", "z9hG4bK-3914106299");
        b.store->append(e);
        m.setFilter({});
        m.setMergeRelated(true);
        QCOMPARE(m.update(), 1);
        QVERIFY(m.isUnsolicited(4));
        QCOMPARE(m.groupOf(4), 4u);
        QCOMPARE(m.groupOf(0), 0u);
        LadderFilter ours;
        ours.calls = {0};
        m.setFilter(ours);
        QCOMPARE(rowNumbers(m), range(1, 4));
    }

    // Every column title is printed whole, the "(unsolicited)" mark included, however long.
    void longTitles()
    {
        auto f = ds::test::loadFlow(QStringLiteral("scanner"));
        QVERIFY2(f, qPrintable(f.error()));
        const NetAddress v6 = *ds::test::flowAddress(u"[2001:db8:85a3::8a2e:370:7334]:5060");
        const NetAddress scanner = f->messages[4].src;
        for (auto &m : f->messages) {
            if (m.src == scanner)
                m.src = v6;
            if (m.dst == scanner)
                m.dst = v6;
        }
        TraceStore s;
        ds::test::feedAll(s, *f);
        LadderModel m(s);
        m.setEndpointName(*f->local, QStringLiteral("dialscope on the front desk phone"));
        m.update();
        const QString header = renderTextLadder(m).section(QLatin1Char('\n'), 0, 0);
        for (const QString &title : columnTitles(m))
            QVERIFY2(header.contains(title), qPrintable(header));
    }

    // In a capture (no direction known) only a scanner's User-Agent gives it away.
    void scannerInCapture()
    {
        auto f = ds::test::loadFlow(QStringLiteral("scanner"));
        QVERIFY2(f, qPrintable(f.error()));
        f->local.reset();
        TraceStore s;
        ds::test::feedAll(s, *f);
        LadderModel m(s);
        m.update();
        QVERIFY(!m.isUnsolicited(0));
        QVERIFY(m.isUnsolicited(1));
        QVERIFY(m.isUnsolicited(2));
        QVERIFY(!m.isUnsolicited(3));
        QCOMPARE(m.column(m.columnCount() - 1).address, QStringLiteral("203.0.113.66:5071"));
        QVERIFY(m.column(m.columnCount() - 1).unsolicited);
    }

    // An endpoint the trusted list names is never a scanner, even unasked.
    void trusted()
    {
        auto f = ds::test::loadFlow(QStringLiteral("scanner"));
        QVERIFY2(f, qPrintable(f.error()));
        f->messages = f->messages.mid(9); // only the PBX's OPTIONS and our answer
        TraceStore s;
        LadderModel plain(s), withTrust(s), otherRegistrar(s);
        withTrust.addTrusted(f->messages[0].src);
        NetAddress elsewhere;
        elsewhere.ip = {198, 51, 100, 7};
        elsewhere.port = 5060;
        otherRegistrar.addTrusted(elsewhere);
        ds::test::feedAll(s, *f);
        plain.update();
        withTrust.update();
        otherRegistrar.update();
        // Taking direct calls (no registrar or proxy known): only scanners by their User-Agent.
        QVERIFY(!plain.isUnsolicited(0));
        QVERIFY(!withTrust.isUnsolicited(0));
        // Calls come through a registrar elsewhere: unasked, from someone we never talked to.
        QVERIFY(otherRegistrar.isUnsolicited(0));
    }

    // Related Call-IDs: with merging on, a call filter on either call of a Replaces pair shows
    // both; an unrelated call stays out.
    void mergeRelated_data()
    {
        QTest::addColumn<bool>("merge");
        QTest::addColumn<quint32>("call");
        QTest::addColumn<QList<int>>("rows");
        QTest::newRow("replaced, alone") << false << 0u << QList<int> {1, 2, 3, 7, 8};
        QTest::newRow("replacing, alone") << false << 1u << QList<int> {4, 5, 6};
        QTest::newRow("replaced, merged") << true << 0u << range(1, 8);
        QTest::newRow("replacing, merged") << true << 1u << range(1, 8);
        QTest::newRow("unrelated, merged") << true << 2u << QList<int> {9, 10};
    }
    void mergeRelated()
    {
        QFETCH(bool, merge);
        QFETCH(quint32, call);
        QFETCH(QList<int>, rows);
        Built b = build(QStringLiteral("replaces"));
        b.model->setMergeRelated(merge);
        QCOMPARE(b.model->mergeRelated(), merge);
        LadderFilter f;
        f.calls = {call};
        b.model->setFilter(f);
        QCOMPARE(rowNumbers(*b.model), rows);
        QCOMPARE(b.model->groupOf(1) == b.model->groupOf(0), merge);
        QVERIFY(b.model->groupOf(2) != b.model->groupOf(0));
    }
};

QTEST_GUILESS_MAIN(TestLadderModel)
#include "tst_ladder_model.moc"
