// Digest: known-answer vectors (tests/data/digest) and the Authenticator's handling of
// challenges: strongest algorithm, stale nonces, credential failures, nc and cnonce.

#include "sip/authenticator.h"
#include "sip/digest.h"
#include "sip/header_values.h"
#include "sip/parser.h"

#include <QFile>
#include <QTest>

using namespace ds::sip;

namespace {

Message challenge(QByteArray headers, int code = 401)
{
    QByteArray raw = "SIP/2.0 " + QByteArray::number(code)
        + " Unauthorized\r\nVia: SIP/2.0/UDP h;branch=z9hG4bK1\r\n"
          "From: <sip:a@b>;tag=1\r\nTo: <sip:a@b>;tag=2\r\nCall-ID: c\r\nCSeq: 1 REGISTER\r\n"
        + headers + "Content-Length: 0\r\n\r\n";
    auto m = Parser::parse(raw);
    Q_ASSERT(m);
    return *m;
}

} // namespace

class TestDigest : public QObject {
    Q_OBJECT
private slots:
    void knownAnswers_data()
    {
        QTest::addColumn<QStringList>("f");
        QFile file(QStringLiteral(DS_TEST_DATA "/digest/known_answers.tsv"));
        QVERIFY(file.open(QIODevice::ReadOnly));
        int n = 0;
        for (const QByteArray &line : file.readAll().split('\n')) {
            if (line.isEmpty() || line.startsWith('#'))
                continue;
            const QStringList f = QString::fromUtf8(line).split(QLatin1Char('\t'));
            QCOMPARE(f.size(), 12);
            QTest::newRow(qPrintable(f[0])) << f;
            ++n;
        }
        QVERIFY(n >= 5);
    }
    void knownAnswers()
    {
        QFETCH(QStringList, f);
        DigestInput in;
        in.algorithm = *digestAlgorithmFromName(f[1].toLatin1());
        in.username = f[2].toUtf8();
        in.realm = f[3].toUtf8();
        in.password = f[4].toUtf8();
        in.method = f[5].toUtf8();
        in.uri = f[6].toUtf8();
        in.nonce = f[7].toUtf8();
        in.cnonce = f[8].toUtf8();
        in.nc = f[9].toUInt();
        in.qop = f[10].toUtf8();
        const DigestResult r = computeDigest(in);
        QCOMPARE(QString::fromLatin1(r.response), f[11]);
        QVERIFY(!r.ha1Input.contains(in.password));
        QVERIFY(r.ha1Input.contains(kPasswordMask.toByteArray()));
    }

    void picksStrongestAndCountsNonces()
    {
        Authenticator a("alice", "secret");
        a.setCnonceForTesting("abcdef");
        const Message m = challenge("WWW-Authenticate: Digest realm=\"r\", nonce=\"n1\", qop=\"auth\", algorithm=MD5\r\n"
                                    "WWW-Authenticate: Digest realm=\"r\", nonce=\"n2\", qop=\"auth,auth-int\", algorithm=SHA-256, opaque=\"op\"\r\n"
                                    "WWW-Authenticate: Digest realm=\"r\", nonce=\"n3\", algorithm=SHA-1\r\n");
        QCOMPARE(a.onChallenge(m).verdict, Authenticator::Verdict::Answered);
        QList<AuthExplanation> ex;
        auto h = a.authorize("REGISTER", "sip:b", {}, &ex);
        QCOMPARE(h.size(), 1);
        QCOMPARE(h[0].first, "Authorization");
        QCOMPARE(ex[0].algorithm, "SHA-256");
        QCOMPARE(ex[0].nonce, "n2");
        QVERIFY(h[0].second.contains("nc=00000001"));
        QVERIFY(h[0].second.contains("opaque=\"op\""));
        QVERIFY(h[0].second.contains("qop=auth,") || h[0].second.contains("qop=auth, ") || h[0].second.contains("qop=auth"));
        QVERIFY(!h[0].second.contains("secret"));
        auto values = parseAuthValues(h[0].second);
        QVERIFY(values);
        QCOMPARE(values->first().param("response"), ex[0].digest.response);
        h = a.authorize("REGISTER", "sip:b", {});
        QVERIFY(h[0].second.contains("nc=00000002"));
    }

    void wrongCredentialsDetectedOnce()
    {
        Authenticator a("alice", "wrong");
        const Message m = challenge("WWW-Authenticate: Digest realm=\"r\", nonce=\"n1\", qop=\"auth\"\r\n");
        QCOMPARE(a.onChallenge(m).verdict, Authenticator::Verdict::Answered);
        a.authorize("REGISTER", "sip:b", {});
        const auto second = a.onChallenge(challenge("WWW-Authenticate: Digest realm=\"r\", nonce=\"n2\", qop=\"auth\"\r\n"));
        QCOMPARE(second.verdict, Authenticator::Verdict::WrongCredentials);
        QVERIFY(second.reason.contains(QLatin1String("wrong")));
    }

    void staleAnsweredOnce()
    {
        Authenticator a("alice", "secret");
        QCOMPARE(a.onChallenge(challenge("WWW-Authenticate: Digest realm=\"r\", nonce=\"n1\", qop=\"auth\"\r\n")).verdict, Authenticator::Verdict::Answered);
        a.authorize("REGISTER", "sip:b", {});
        QCOMPARE(a.onChallenge(challenge("WWW-Authenticate: Digest realm=\"r\", nonce=\"n2\", stale=true, qop=\"auth\"\r\n")).verdict,
            Authenticator::Verdict::Answered);
        QList<AuthExplanation> ex;
        a.authorize("REGISTER", "sip:b", {}, &ex);
        QCOMPARE(ex[0].nonce, "n2");
        QVERIFY(ex[0].stale);
        QCOMPARE(ex[0].digest.ncText, "00000001");
        // A second stale in a row is a failure: never loop.
        QCOMPARE(a.onChallenge(challenge("WWW-Authenticate: Digest realm=\"r\", nonce=\"n3\", stale=true, qop=\"auth\"\r\n")).verdict,
            Authenticator::Verdict::WrongCredentials);
    }

    void proxyAndAuthInt()
    {
        Authenticator a("alice", "secret");
        QCOMPARE(a.onChallenge(challenge("Proxy-Authenticate: Digest realm=\"p\", nonce=\"n\", qop=\"auth-int\", algorithm=MD5-sess\r\n", 407)).verdict,
            Authenticator::Verdict::Answered);
        QList<AuthExplanation> ex;
        auto h = a.authorize("INVITE", "sip:bob@b", "v=0\r\n", &ex);
        QCOMPARE(h[0].first, "Proxy-Authorization");
        QCOMPARE(ex[0].qop, "auth-int");
        QVERIFY(ex[0].digest.ha2Input.startsWith("INVITE:sip:bob@b:"));
        QVERIFY(ex[0].digest.ha1Input.startsWith("H(alice:p:********)"));
    }

    void unsupportedAndMalformed()
    {
        Authenticator a("alice", "secret");
        QCOMPARE(a.onChallenge(challenge("WWW-Authenticate: Basic realm=\"r\"\r\n")).verdict, Authenticator::Verdict::Unsupported);
        QCOMPARE(a.onChallenge(challenge("WWW-Authenticate: Digest realm=\"r, nonce=\"n\r\n")).verdict, Authenticator::Verdict::Malformed);
        QCOMPARE(a.onChallenge(challenge("")).verdict, Authenticator::Verdict::Malformed);
    }
};

QTEST_GUILESS_MAIN(TestDigest)
#include "tst_digest.moc"
