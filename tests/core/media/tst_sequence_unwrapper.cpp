// Sequence unwrapping: extended RTP sequence numbers across wrap-around, loss, reordering,
// duplicates and sender restarts (RFC 3550 A.1), as scripted sequences.

#include "media/sequence_unwrapper.h"

#include <QTest>

using namespace ds::media;
using Kind = SequenceUnwrapper::Kind;

class TestSequenceUnwrapper : public QObject {
    Q_OBJECT
private slots:
    // Each row: the sequence numbers received, and for each the extended number expected
    // ("-" when the packet is held back as an unconfirmed jump) and its kind.
    void sequences_data()
    {
        QTest::addColumn<QList<int>>("seq");
        QTest::addColumn<QStringList>("expected");
        QTest::newRow("in order") << QList<int> {10, 11, 12} << QStringList {"10 first", "11 in", "12 in"};
        QTest::newRow("wrap") << QList<int> {65534, 65535, 0, 1} << QStringList {"65534 first", "65535 in", "65536 in", "65537 in"};
        QTest::newRow("loss across wrap") << QList<int> {65000, 1000} << QStringList {"65000 first", "66536 in"};
        QTest::newRow("late across wrap") << QList<int> {65535, 1, 0, 65534} << QStringList {"65535 first", "65537 in", "65536 late", "65534 late"};
        QTest::newRow("duplicate") << QList<int> {5, 6, 6, 5} << QStringList {"5 first", "6 in", "6 late", "5 late"};
        QTest::newRow("late before first") << QList<int> {0, 65535} << QStringList {"0 first", "-1 late"};
        QTest::newRow("reorder within the misorder limit") << QList<int> {1000, 901} << QStringList {"1000 first", "901 late"};
        QTest::newRow("jump past dropout, one-off") << QList<int> {1000, 5000, 1001} << QStringList {"1000 first", "-", "1001 in"};
        QTest::newRow("jump, then confirmed: restart")
            << QList<int> {1000, 30000, 30001, 30002} << QStringList {"1000 first", "-", "30001 restart", "30002 in"};
        QTest::newRow("just under dropout") << QList<int> {0, 2999} << QStringList {"0 first", "2999 in"};
        QTest::newRow("step back of 100 is a jump") << QList<int> {1000, 900} << QStringList {"1000 first", "-"};
        QTest::newRow("many wraps") << QList<int> {0, 2000, 4000, 6000, 8000, 10000, 12000, 14000, 16000, 18000, 20000, 22000, 24000, 26000, 28000, 30000,
            32000, 34000, 36000, 38000, 40000, 42000, 44000, 46000, 48000, 50000, 52000, 54000, 56000, 58000, 60000, 62000, 64000, 464}
                                    << QStringList {"0 first", "2000 in", "4000 in", "6000 in", "8000 in", "10000 in", "12000 in", "14000 in", "16000 in",
                                           "18000 in", "20000 in", "22000 in", "24000 in", "26000 in", "28000 in", "30000 in", "32000 in", "34000 in",
                                           "36000 in", "38000 in", "40000 in", "42000 in", "44000 in", "46000 in", "48000 in", "50000 in", "52000 in",
                                           "54000 in", "56000 in", "58000 in", "60000 in", "62000 in", "64000 in", "66000 in"};
    }
    void sequences()
    {
        QFETCH(QList<int>, seq);
        QFETCH(QStringList, expected);
        QCOMPARE(seq.size(), expected.size());
        SequenceUnwrapper u;
        QVERIFY(!u.started());
        for (int i = 0; i < seq.size(); ++i) {
            const auto r = u.update(std::uint16_t(seq[i]));
            QString got = QStringLiteral("-");
            if (r) {
                static const char *names[] = {"first", "in", "late", "restart"};
                got = QStringLiteral("%1 %2").arg(r->extended).arg(QLatin1String(names[int(r->kind)]));
            }
            QCOMPARE(got, expected[i]);
        }
        QVERIFY(u.started());
    }

    void extendedMaxForRtcp()
    {
        SequenceUnwrapper u;
        for (std::uint32_t s = 65530; s < 65530 + 20; ++s)
            QVERIFY(u.update(std::uint16_t(s)));
        QCOMPARE(u.extendedMax(), 65549u);
        QVERIFY(u.update(65535)); // late: does not move the maximum
        QCOMPARE(u.extendedMax(), 65549u);
        u.reset();
        QVERIFY(!u.started());
    }

    void longRunStaysMonotonic()
    {
        // 300,000 packets (about 4.5 wraps) with a packet swapped with its successor every 97:
        // in-order results strictly increase and every extended number is exact.
        SequenceUnwrapper u;
        std::int64_t lastInOrder = -1;
        for (std::int64_t i = 0; i < 300000; ++i) {
            std::int64_t n = i;
            if (i % 97 == 1)
                n = i + 1;
            else if (i % 97 == 2)
                n = i - 1;
            const auto r = u.update(std::uint16_t(n));
            QVERIFY(r);
            QCOMPARE(r->extended, n);
            if (r->kind == Kind::InOrder) {
                QVERIFY(r->extended > lastInOrder);
                lastInOrder = r->extended;
            }
        }
    }
};

QTEST_GUILESS_MAIN(TestSequenceUnwrapper)
#include "tst_sequence_unwrapper.moc"
