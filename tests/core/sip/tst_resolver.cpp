// Resolver: RFC 3263 server location (NAPTR -> SRV -> A) against a real DNS server, dnsmasq,
// started by the test on a loopback address of its own.

#include "sip/resolver.h"

#include <QProcess>
#include <QRandomGenerator>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTest>
#include <QUdpSocket>

#include <unistd.h>

using namespace ds::sip;

class TestResolver : public QObject {
    Q_OBJECT
    QProcess m_dns;
    QHostAddress m_server;

    struct Outcome {
        QList<ServerTarget> targets;
        QString error;
        QStringList steps;
    };
    Outcome resolve(ServerSpec spec)
    {
        Resolver r;
        r.setNameserver(m_server);
        QSignalSpy ok(&r, &Resolver::resolved), bad(&r, &Resolver::failed);
        r.resolve(spec);
        [&] { QTRY_VERIFY_WITH_TIMEOUT(ok.size() + bad.size() > 0, 15000); }();
        Outcome o;
        if (!ok.isEmpty())
            o.targets = ok.first().first().value<QList<ServerTarget>>();
        if (!bad.isEmpty())
            o.error = bad.first().first().toString();
        o.steps = r.steps();
        return o;
    }

private slots:
    void initTestCase()
    {
        const QString dnsmasq = QStandardPaths::findExecutable(QStringLiteral("dnsmasq"), {QStringLiteral("/usr/sbin"), QStringLiteral("/sbin")});
        if (dnsmasq.isEmpty())
            QSKIP("dnsmasq is not installed (Debian package dnsmasq-base)");
        if (geteuid() != 0)
            QSKIP("dnsmasq needs root to listen on port 53");
        // A loopback address of our own, so port 53 is free whatever else runs.
        m_server
            = QHostAddress(QStringLiteral("127.53.%1.%2").arg(QRandomGenerator::global()->bounded(1, 250)).arg(QRandomGenerator::global()->bounded(1, 250)));
        m_dns.setProgram(dnsmasq);
        m_dns.setArguments({QStringLiteral("--no-daemon"), QStringLiteral("--conf-file=/dev/null"), QStringLiteral("--port=53"),
            QStringLiteral("--listen-address=") + m_server.toString(), QStringLiteral("--bind-interfaces"), QStringLiteral("--no-resolv"),
            QStringLiteral("--no-hosts"), QStringLiteral("--host-record=sip1.pbx.test,127.0.0.1"), QStringLiteral("--host-record=sip2.pbx.test,127.0.0.2"),
            QStringLiteral("--srv-host=_sip._tcp.pbx.test,sip1.pbx.test,5070,10,10"), QStringLiteral("--srv-host=_sips._tcp.pbx.test,sip2.pbx.test,5071,10,10"),
            QStringLiteral("--srv-host=_sip._udp.udp.test,sip2.pbx.test,5080,20,10"), QStringLiteral("--srv-host=_sip._udp.udp.test,sip1.pbx.test,5081,10,10"),
            QStringLiteral("--naptr-record=pbx.test,10,10,S,SIP+D2T,,_sip._tcp.pbx.test"),
            QStringLiteral("--naptr-record=pbx.test,20,10,S,SIP+D2U,,_sip._udp.pbx.test"), QStringLiteral("--host-record=plain.test,127.0.0.9")});
        m_dns.setProcessChannelMode(QProcess::MergedChannels);
        m_dns.start();
        QVERIFY2(m_dns.waitForStarted(5000), qPrintable(m_dns.errorString()));
        // Ready when it answers.
        for (int i = 0; i < 50; ++i) {
            Resolver r;
            r.setNameserver(m_server);
            QSignalSpy ok(&r, &Resolver::resolved), bad(&r, &Resolver::failed);
            r.resolve({QStringLiteral("plain.test"), 5060, std::nullopt, false});
            QTRY_VERIFY_WITH_TIMEOUT(ok.size() + bad.size() > 0, 5000);
            if (!ok.isEmpty())
                return;
            QTest::qWait(100);
        }
        QFAIL(qPrintable(QStringLiteral("dnsmasq did not answer: ") + QString::fromLocal8Bit(m_dns.readAll())));
    }
    void cleanupTestCase()
    {
        m_dns.terminate();
        if (!m_dns.waitForFinished(3000))
            m_dns.kill();
        m_dns.waitForFinished(3000);
    }

    void naptrToSrvToA()
    {
        const Outcome o = resolve({QStringLiteral("pbx.test"), 0, std::nullopt, false});
        QVERIFY2(o.error.isEmpty(), qPrintable(o.error));
        QCOMPARE(o.targets.first().endpoint.address, QHostAddress(QStringLiteral("127.0.0.1")));
        QCOMPARE(o.targets.first().endpoint.port, 5070);
        QCOMPARE(o.targets.first().transport, TransportKind::Tcp); // NAPTR order 10 beats UDP's 20
        QVERIFY(o.steps.join(QLatin1Char(' ')).contains(QLatin1String("NAPTR pbx.test: SIP+D2T")));
    }
    void explicitTransportUsesSrv()
    {
        const Outcome o = resolve({QStringLiteral("pbx.test"), 0, TransportKind::Tls, false});
        QCOMPARE(o.targets.first().endpoint.port, 5071);
        QCOMPARE(o.targets.first().transport, TransportKind::Tls);
        QCOMPARE(o.targets.first().endpoint.address, QHostAddress(QStringLiteral("127.0.0.2")));
    }
    void srvWithoutNaptrHonoursPriority()
    {
        const Outcome o = resolve({QStringLiteral("udp.test"), 0, std::nullopt, false});
        QVERIFY2(o.error.isEmpty(), qPrintable(o.error));
        QCOMPARE(o.targets.first().endpoint.port, 5081); // priority 10 before 20
        QCOMPARE(o.targets.first().transport, TransportKind::Udp);
    }
    void explicitPortSkipsSrv()
    {
        const Outcome o = resolve({QStringLiteral("plain.test"), 5999, std::nullopt, false});
        QCOMPARE(o.targets.first().endpoint.address, QHostAddress(QStringLiteral("127.0.0.9")));
        QCOMPARE(o.targets.first().endpoint.port, 5999);
        QVERIFY(!o.steps.join(QLatin1Char(' ')).contains(QLatin1String("SRV")));
    }
    void noRecordsFallsBackToA()
    {
        const Outcome o = resolve({QStringLiteral("plain.test"), 0, std::nullopt, false});
        QCOMPARE(o.targets.first().endpoint.port, 5060);
        QCOMPARE(o.targets.first().transport, TransportKind::Udp);
    }
    void unknownNameFails()
    {
        const Outcome o = resolve({QStringLiteral("missing.test"), 0, std::nullopt, false});
        QVERIFY(o.targets.isEmpty());
        QVERIFY(o.error.contains(QLatin1String("missing.test")));
    }
    void serverSpecs()
    {
        auto a = parseServerSpec(QStringLiteral("sips:pbx.example.com"));
        QVERIFY(a && a->sips && a->transport == TransportKind::Tls && a->port == 0);
        auto b = parseServerSpec(QStringLiteral("sip:10.0.0.1:5070;transport=tcp"));
        QVERIFY(b && b->host == QLatin1String("10.0.0.1") && b->port == 5070 && b->transport == TransportKind::Tcp);
        auto c = parseServerSpec(QStringLiteral("[2001:db8::1]:5062"));
        QVERIFY(c && c->host == QLatin1String("2001:db8::1") && c->port == 5062);
        QVERIFY(!parseServerSpec(QStringLiteral("pbx:99999")));
        QVERIFY(!parseServerSpec(QStringLiteral("sip:pbx;transport=sctp")));
        QVERIFY(!parseServerSpec(QStringLiteral("bad host")));
    }
};

QTEST_GUILESS_MAIN(TestResolver)
#include "tst_resolver.moc"
