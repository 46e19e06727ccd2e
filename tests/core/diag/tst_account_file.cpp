// AccountFile: the account lists of a registration test, in our CSV form and in SIPp's injection
// form, as people write them (CRLF, comments, spaces) and as they get them wrong.

#include "diag/account_file.h"

#include <QTemporaryDir>
#include <QTest>

using namespace ds::diag;

class TestAccountFile : public QObject {
    Q_OBJECT
private slots:
    void csv()
    {
        const auto f
            = parseAccountFile("# our test PBX\r\n1001;secret\r\n\r\n1002 ; pw2 ; auth1002\r\n1003;pw3;a3;pbx.example.com\r\n", QStringLiteral("a.csv"));
        QVERIFY2(f, qPrintable(f ? QString() : f.error()));
        QCOMPARE(f->format, AccountFile::Format::Csv);
        QCOMPARE(f->order, AccountFile::Order::Sequential);
        QCOMPARE(f->accounts.size(), 3);
        QCOMPARE(f->accounts[0].user, QStringLiteral("1001"));
        QCOMPARE(f->accounts[0].password, "secret");
        QCOMPARE(f->accounts[0].effectiveAuthUser(), QStringLiteral("1001"));
        QCOMPARE(f->accounts[0].line, 2);
        QCOMPARE(f->accounts[1].password, "pw2");
        QCOMPARE(f->accounts[1].effectiveAuthUser(), QStringLiteral("auth1002"));
        QCOMPARE(f->accounts[2].domain, QStringLiteral("pbx.example.com"));
        QCOMPARE(f->accounts[2].line, 5);
        QVERIFY(f->warnings.isEmpty());
    }

    void sippInjectionFile_data()
    {
        QTest::addColumn<QByteArray>("text");
        QTest::addColumn<int>("order");
        // SIPp's own registration example: field0 the user, field1 the keyword [authentication ...].
        QTest::newRow("sequential") << QByteArray("SEQUENTIAL\nalice;[authentication username=alice password=wonderland]\n"
                                                  "bob;[authentication username=bob-auth password=b0b]\n")
                                    << int(AccountFile::Order::Sequential);
        QTest::newRow("random, crlf") << QByteArray("RANDOM\r\nalice;[authentication username=alice password=wonderland]\r\n"
                                                    "bob;[authentication username=bob-auth password=b0b]\r\n")
                                      << int(AccountFile::Order::Random);
        QTest::newRow("user, printf") << QByteArray("USER,PRINTF=2\nalice;[authentication username=alice password=wonderland]\n"
                                                    "bob;[authentication username=bob-auth password=b0b]\n")
                                      << int(AccountFile::Order::User);
        // The keyword in a later field, scenario fields around it (SIPp's documentation example).
        QTest::newRow("keyword in the third field") << QByteArray("SEQUENTIAL\n"
                                                                  "alice;sipphone32;[authentication username=alice password=wonderland];x\n"
                                                                  "bob;sipphone33;[authentication username=bob-auth password=b0b]\n")
                                                    << int(AccountFile::Order::Sequential);
    }
    void sippInjectionFile()
    {
        QFETCH(QByteArray, text);
        QFETCH(int, order);
        const auto f = parseAccountFile(text, QStringLiteral("users.csv"));
        QVERIFY2(f, qPrintable(f ? QString() : f.error()));
        QCOMPARE(f->format, AccountFile::Format::Sipp);
        QCOMPARE(int(f->order), order);
        QCOMPARE(f->accounts.size(), 2);
        QCOMPARE(f->accounts[0].user, QStringLiteral("alice"));
        QCOMPARE(f->accounts[0].password, "wonderland");
        QCOMPARE(f->accounts[1].effectiveAuthUser(), QStringLiteral("bob-auth"));
        QCOMPARE(f->accounts[1].password, "b0b");
        QCOMPARE(f->accounts[1].line, 3);
    }

    void badLinesAreSkippedAndNamed()
    {
        const auto f
            = parseAccountFile("1001;pw\nno-password\n;orphan\nsip:x@y;pw\n1005;[authentication username=1005]\n1006;pw;a;d;extra\n", QStringLiteral("a.csv"));
        QVERIFY2(f, qPrintable(f ? QString() : f.error()));
        QCOMPARE(f->accounts.size(), 2);
        QCOMPARE(f->warnings.size(), 5);
        QVERIFY2(f->warnings[0].startsWith(u"line 2:"), qPrintable(f->warnings[0]));
        QVERIFY(f->warnings[0].contains(u"no password"));
        QVERIFY(f->warnings[2].contains(u"not a SIP user name"));
        QVERIFY(f->warnings[3].contains(u"password="));
        QVERIFY(f->warnings[4].contains(u"ignored"));
        for (const QString &w : f->warnings)
            QVERIFY2(!w.contains(u"pw"), qPrintable(w)); // never a password in a report
    }

    // Lines in the wrong form hold the password where the user or a name should be: no warning
    // may quote them (a comma-separated file, spaces, SIPp's keyword in the first field).
    void warningsNeverQuoteTheLine()
    {
        const auto f = parseAccountFile("1001;pw-ok\n"
                                        "alice,secret123\n"
                                        "bob secret456\n"
                                        "[authentication username=joe password=schmo789];joe\n"
                                        "carol;pw1;bad user name778\n"
                                        "dave;pw2;dave;exa mple.com999\n",
            QStringLiteral("a.csv"));
        QVERIFY2(f, qPrintable(f ? QString() : f.error()));
        QCOMPARE(f->accounts.size(), 1);
        QCOMPARE(f->warnings.size(), 5);
        QVERIFY2(f->warnings[0].contains(u"separated by ';'"), qPrintable(f->warnings[0]));
        QVERIFY2(f->warnings[3].contains(u"authentication user"), qPrintable(f->warnings[3]));
        QVERIFY2(f->warnings[4].contains(u"domain"), qPrintable(f->warnings[4]));
        for (const QString &w : f->warnings)
            for (const char *secret : {"secret123", "secret456", "schmo789", "778", "999"})
                QVERIFY2(!w.contains(QLatin1String(secret)), qPrintable(w));
    }

    void unusableFiles_data()
    {
        QTest::addColumn<QByteArray>("text");
        QTest::addColumn<QString>("says");
        QTest::newRow("empty") << QByteArray() << QStringLiteral("no account");
        QTest::newRow("only comments") << QByteArray("# nothing\n\n") << QStringLiteral("no account");
        QTest::newRow("only a sipp header") << QByteArray("SEQUENTIAL\n") << QStringLiteral("no account");
        QTest::newRow("binary") << QByteArray("\x7f"
                                              "ELF\0\0\x01",
            7) << QStringLiteral("binary");
        QTest::newRow("no usable line") << QByteArray("x\ny\n") << QStringLiteral("line 1");
    }
    void unusableFiles()
    {
        QFETCH(QByteArray, text);
        QFETCH(QString, says);
        const auto f = parseAccountFile(text, QStringLiteral("bad.csv"));
        QVERIFY(!f);
        QVERIFY2(f.error().startsWith(u"bad.csv: "), qPrintable(f.error()));
        QVERIFY2(f.error().contains(says), qPrintable(f.error()));
    }

    void readsAFile()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("accounts.csv"));
        QFile out(path);
        QVERIFY(out.open(QIODevice::WriteOnly));
        QByteArray text;
        for (int i = 0; i < 5000; ++i)
            text += QByteArray::number(2000 + i) + ";pw" + QByteArray::number(i) + "\n";
        out.write(text);
        out.close();
        const auto f = readAccountFile(path);
        QVERIFY2(f, qPrintable(f ? QString() : f.error()));
        QCOMPARE(f->accounts.size(), 5000);
        QCOMPARE(f->accounts.last().password, "pw4999");
        const auto missing = readAccountFile(dir.filePath(QStringLiteral("none.csv")));
        QVERIFY(!missing);
        QVERIFY2(missing.error().contains(u"none.csv"), qPrintable(missing.error()));
    }
};

QTEST_GUILESS_MAIN(TestAccountFile)
#include "tst_account_file.moc"
