// DigestServer: our challenges answered by the client side (Authenticator, computeDigest) verify,
// and every way credentials can be wrong, old, replayed or garbage is refused with the right check.

#include "sip/authenticator.h"
#include "sip/digest_server.h"
#include "sip/header_values.h"
#include "sip/parser.h"
#include "sip/response_builder.h"

#include <QTest>

using namespace ds::sip;
using Check = DigestServer::Check;

namespace {

const QByteArray kRealm = "dialscope-demo";
const QByteArray kPassword = "Circle of Life"; // RFC 7616 3.9.1's password
const QByteArray kUri = "sip:127.0.0.1:5060";

Message request(const QByteArray &headers, const QByteArray &uri = kUri)
{
    const QByteArray raw = "REGISTER " + uri
        + " SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.1:5070;branch=z9hG4bK1\r\nFrom: <sip:demo@127.0.0.1>;tag=1\r\n"
          "To: <sip:demo@127.0.0.1>\r\nCall-ID: c1\r\nCSeq: 1 REGISTER\r\n"
        + headers + "Content-Length: 0\r\n\r\n";
    auto m = Parser::parse(raw);
    Q_ASSERT(m);
    return *m;
}

QByteArray authorization(const QByteArray &value) { return "Authorization: " + value + "\r\n"; }

// Credentials written by hand, the response computed with sip/digest.h as a client does.
struct Creds {
    QByteArray username = "demo";
    QByteArray realm = kRealm;
    QByteArray password = kPassword;
    QByteArray nonce;
    QByteArray uri = kUri;
    QByteArray algorithm = "SHA-256";
    QByteArray qop = "auth";
    QByteArray cnonce = "f2/wE4q74E6zIJEtWaHKaf5wv/H5QzzpXusqGemxURZJ"; // RFC 7616 3.9.1's cnonce
    std::uint32_t nc = 1;
    QByteArray extra; // appended parameters
    QByteArray value() const
    {
        DigestInput in;
        in.algorithm = digestAlgorithmFromName(algorithm).value_or(DigestAlgorithm::Md5);
        in.username = username;
        in.realm = realm;
        in.password = password;
        in.method = "REGISTER";
        in.uri = uri;
        in.nonce = nonce;
        in.cnonce = cnonce;
        in.nc = nc;
        in.qop = qop;
        const DigestResult r = computeDigest(in);
        QByteArray v = "Digest username=" + quoted(username) + ", realm=" + quoted(realm) + ", nonce=" + quoted(nonce) + ", uri=" + quoted(uri)
            + ", response=" + quoted(r.response) + ", algorithm=" + algorithm;
        if (!qop.isEmpty())
            v += ", qop=" + qop + ", nc=" + r.ncText + ", cnonce=" + quoted(cnonce);
        return v + extra;
    }
};

QByteArray nonceOf(const QByteArray &challenge) { return parseAuthValues(challenge)->front().param("nonce"); }

// The 401 a registrar would send with these challenges, as the client receives it.
Message challengeResponse(const DigestServer &server, bool stale = false)
{
    auto m = Parser::parse(makeResponse(request({}), 401, "Unauthorized", "t1", server.challengeHeaders(stale)));
    Q_ASSERT(m);
    return *m;
}

} // namespace

class TestDigestServer : public QObject {
    Q_OBJECT
private slots:
    void challengesOfferSha256ThenMd5()
    {
        SimulatedClock clock;
        DigestServer server(clock, {kRealm});
        const QList<QByteArray> c = server.challenges();
        QCOMPARE(c.size(), 2);
        const AuthValue sha = parseAuthValues(c[0])->front(), md5 = parseAuthValues(c[1])->front();
        QCOMPARE(sha.param("algorithm"), "SHA-256");
        QCOMPARE(md5.param("algorithm"), "MD5");
        for (const AuthValue &v : {sha, md5}) {
            QCOMPARE(v.param("realm"), kRealm);
            QCOMPARE(v.param("qop"), "auth");
            QVERIFY(!v.param("opaque").isEmpty());
            QVERIFY(!v.has("stale"));
        }
        QVERIFY(sha.param("nonce") != md5.param("nonce"));
        QVERIFY(server.challengeHeaders(true).contains("stale=true"));
        QCOMPARE(server.challengeHeaders().count("WWW-Authenticate: Digest "), 2);
        QCOMPARE(server.challengeHeaders(false, HeaderId::ProxyAuthenticate).count("Proxy-Authenticate: Digest "), 2);
    }

    // Offering MD5 alone (for clients that stop at the first challenge): SHA-256 credentials are refused.
    void algorithmsCanBeNarrowed()
    {
        SimulatedClock clock;
        DigestServer server(clock, {kRealm});
        Creds c;
        c.nonce = nonceOf(server.challenges()[0]);
        server.setAlgorithms({DigestAlgorithm::Md5});
        QCOMPARE(server.challenges().size(), 1);
        QVERIFY(server.challenges()[0].contains("algorithm=MD5"));
        QCOMPARE(server.verify(request(authorization(c.value())), "demo", kPassword).check, Check::Algorithm);
        c.algorithm = "MD5";
        QVERIFY(server.verify(request(authorization(c.value())), "demo", kPassword).ok());
    }

    // Our own client answers our challenge: it picks SHA-256, and nc counts up on reuse.
    void roundTripWithAuthenticator_data()
    {
        QTest::addColumn<QList<DigestAlgorithm>>("offered");
        QTest::addColumn<QByteArray>("picked");
        QTest::newRow("SHA-256 and MD5") << QList<DigestAlgorithm> {DigestAlgorithm::Sha256, DigestAlgorithm::Md5} << QByteArray("SHA-256");
        QTest::newRow("MD5 only") << QList<DigestAlgorithm> {DigestAlgorithm::Md5} << QByteArray("MD5");
        QTest::newRow("SHA-256 only") << QList<DigestAlgorithm> {DigestAlgorithm::Sha256} << QByteArray("SHA-256");
    }
    void roundTripWithAuthenticator()
    {
        QFETCH(QList<DigestAlgorithm>, offered);
        QFETCH(QByteArray, picked);
        SimulatedClock clock;
        DigestServer server(clock, {kRealm, offered});
        Authenticator client("demo", kPassword);
        QCOMPARE(client.onChallenge(challengeResponse(server)).verdict, Authenticator::Verdict::Answered);
        for (std::uint32_t n = 1; n <= 3; ++n) {
            const auto auth = client.authorize("REGISTER", kUri, {});
            QCOMPARE(auth.size(), 1);
            const auto v = server.verify(request(authorization(auth[0].second)), "demo", kPassword);
            QVERIFY2(v.ok(), qPrintable(v.explanation));
            QCOMPARE(digestAlgorithmName(v.algorithm), picked);
            QCOMPARE(v.nc, n);
            QCOMPARE(v.username, "demo");
        }
    }

    // RFC 7616 3.9.1's user, password and cnonce with our nonce, for both algorithms.
    void handWrittenCredentials_data()
    {
        QTest::addColumn<QByteArray>("algorithm");
        QTest::newRow("MD5") << QByteArray("MD5");
        QTest::newRow("SHA-256") << QByteArray("SHA-256");
        QTest::newRow("md5 lower case") << QByteArray("md5");
    }
    void handWrittenCredentials()
    {
        QFETCH(QByteArray, algorithm);
        SimulatedClock clock;
        DigestServer server(clock, {kRealm});
        Creds c;
        c.username = "Mufasa";
        c.algorithm = algorithm;
        c.nonce = nonceOf(server.challenges()[0]);
        const auto v = server.verify(request(authorization(c.value())), "Mufasa", kPassword);
        QVERIFY2(v.ok(), qPrintable(v.explanation));
    }

    // The digest uri may add or drop the Request-URI's port (SIPp writes host:port), nothing else.
    void uriWithOrWithoutPort_data()
    {
        QTest::addColumn<QByteArray>("requestUri");
        QTest::addColumn<QByteArray>("digestUri");
        QTest::newRow("same") << kUri << kUri;
        QTest::newRow("port added") << QByteArray("sip:127.0.0.1") << QByteArray("sip:127.0.0.1:5060");
        QTest::newRow("port dropped") << kUri << QByteArray("sip:127.0.0.1");
        QTest::newRow("case of the scheme") << kUri << QByteArray("SIP:127.0.0.1:5060");
    }
    void uriWithOrWithoutPort()
    {
        QFETCH(QByteArray, requestUri);
        QFETCH(QByteArray, digestUri);
        SimulatedClock clock;
        DigestServer server(clock, {kRealm});
        Creds c;
        c.nonce = nonceOf(server.challenges()[0]);
        c.uri = digestUri;
        const auto v = server.verify(request(authorization(c.value()), requestUri), "demo", kPassword);
        QVERIFY2(v.ok(), qPrintable(v.explanation));
    }

    void refusals_data()
    {
        QTest::addColumn<QByteArray>("field");
        QTest::addColumn<QByteArray>("value");
        QTest::addColumn<int>("check");
        QTest::newRow("wrong password") << QByteArray("password") << QByteArray("Circle Of Life") << int(Check::Response);
        QTest::newRow("other user") << QByteArray("username") << QByteArray("Mufasa") << int(Check::Username);
        QTest::newRow("other realm") << QByteArray("realm") << QByteArray("elsewhere") << int(Check::Realm);
        QTest::newRow("uri of another request") << QByteArray("uri") << QByteArray("sip:10.0.0.1") << int(Check::Uri);
        // A nonce not ours with the right digest over it: stale (a fresh nonce, never a 200), as after a restart.
        QTest::newRow("not our nonce") << QByteArray("nonce") << QByteArray("7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v") << int(Check::Stale);
        QTest::newRow("tampered nonce") << QByteArray("nonce-flip") << QByteArray() << int(Check::Stale);
        QTest::newRow("algorithm not offered") << QByteArray("algorithm") << QByteArray("MD5-sess") << int(Check::Algorithm);
        QTest::newRow("unknown algorithm") << QByteArray("algorithm") << QByteArray("SHA-1") << int(Check::Algorithm);
        QTest::newRow("no qop") << QByteArray("qop") << QByteArray() << int(Check::Qop);
        QTest::newRow("auth-int") << QByteArray("qop") << QByteArray("auth-int") << int(Check::Qop);
        QTest::newRow("no cnonce") << QByteArray("cnonce") << QByteArray() << int(Check::Qop);
        QTest::newRow("uri of another user") << QByteArray("uri") << QByteArray("sip:bob@127.0.0.1:5060") << int(Check::Uri);
        QTest::newRow("other opaque") << QByteArray("extra") << QByteArray(", opaque=\"0123\"") << int(Check::Opaque);
    }
    void refusals()
    {
        QFETCH(QByteArray, field);
        QFETCH(QByteArray, value);
        QFETCH(int, check);
        SimulatedClock clock;
        DigestServer server(clock, {kRealm});
        Creds c;
        c.nonce = nonceOf(server.challenges()[0]);
        if (field == "password")
            c.password = value;
        else if (field == "username")
            c.username = value;
        else if (field == "realm")
            c.realm = value;
        else if (field == "uri")
            c.uri = value; // the digest is right for that URI, but the request goes elsewhere
        else if (field == "nonce")
            c.nonce = value;
        else if (field == "nonce-flip")
            c.nonce[5] = c.nonce[5] == 'A' ? 'B' : 'A';
        else if (field == "algorithm")
            c.algorithm = value;
        else if (field == "qop")
            c.qop = value;
        else if (field == "cnonce")
            c.cnonce = value;
        else if (field == "extra")
            c.extra = value;
        const auto v = server.verify(request(authorization(c.value())), "demo", kPassword);
        QVERIFY2(int(v.check) == check, qPrintable(DigestServer::checkName(v.check) + QLatin1String(": ") + v.explanation));
        QVERIFY(!v.explanation.isEmpty());
        QVERIFY(!v.explanation.contains(QLatin1String("Circle")));
    }

    // RFC 7616 3.3: an old nonce with the right digest is stale; with a wrong one it is a wrong password.
    void staleNonce()
    {
        SimulatedClock clock;
        DigestServer server(clock, {kRealm});
        Authenticator client("demo", kPassword);
        client.onChallenge(challengeResponse(server));
        QVERIFY(server.verify(request(authorization(client.authorize("REGISTER", kUri, {})[0].second)), "demo", kPassword).ok());
        clock.advance(DigestServer::kDefaultNonceLifetimeMs + 1000);
        const QByteArray late = client.authorize("REGISTER", kUri, {})[0].second;
        QCOMPARE(server.verify(request(authorization(late)), "demo", kPassword).check, Check::Stale);
        QCOMPARE(server.verify(request(authorization(late)), "demo", "guess").check, Check::Response);
        // The client answers the stale=true challenge once, and the fresh nonce verifies.
        QCOMPARE(client.onChallenge(challengeResponse(server, true)).verdict, Authenticator::Verdict::Answered);
        const auto v = server.verify(request(authorization(client.authorize("REGISTER", kUri, {})[0].second)), "demo", kPassword);
        QVERIFY2(v.ok(), qPrintable(v.explanation));
    }

    void replayedNonceCount()
    {
        SimulatedClock clock;
        DigestServer server(clock, {kRealm});
        Creds c;
        c.nonce = nonceOf(server.challenges()[0]);
        const Message first = request(authorization(c.value()));
        QVERIFY(server.verify(first, "demo", kPassword).ok());
        QCOMPARE(server.verify(first, "demo", kPassword).check, Check::Replay);
        c.nc = 3;
        QVERIFY(server.verify(request(authorization(c.value())), "demo", kPassword).ok());
        c.nc = 2; // going back
        QCOMPARE(server.verify(request(authorization(c.value())), "demo", kPassword).check, Check::Replay);
        // A count that continues a nonce never seen: a fresh nonce is needed, the credentials are right.
        Creds other;
        other.nonce = nonceOf(server.challenges()[1]);
        other.algorithm = "MD5";
        other.nc = 7;
        QCOMPARE(server.verify(request(authorization(other.value())), "demo", kPassword).check, Check::Stale);
    }

    // The memory of nonce counts is bounded: the oldest nonce is forgotten, then asked to renew.
    void recentNoncesAreBounded()
    {
        SimulatedClock clock;
        DigestServer server(clock, {kRealm, {DigestAlgorithm::Md5}});
        Creds first;
        first.algorithm = "MD5";
        first.nonce = nonceOf(server.challenges()[0]);
        QVERIFY(server.verify(request(authorization(first.value())), "demo", kPassword).ok());
        for (int i = 0; i < DigestServer::kMaxRecentNonces; ++i) {
            Creds c = first;
            c.nonce = nonceOf(server.challenges()[0]);
            QVERIFY(server.verify(request(authorization(c.value())), "demo", kPassword).ok());
        }
        first.nc = 2;
        QCOMPARE(server.verify(request(authorization(first.value())), "demo", kPassword).check, Check::Stale);
    }

    void severalCredentialHeaders()
    {
        SimulatedClock clock;
        DigestServer server(clock, {kRealm});
        Creds ours, theirs;
        ours.nonce = nonceOf(server.challenges()[0]);
        theirs.nonce = "abc";
        theirs.realm = "proxy.example.com";
        const auto v = server.verify(request(authorization(theirs.value()) + authorization(ours.value())), "demo", kPassword);
        QVERIFY2(v.ok(), qPrintable(v.explanation));
        QCOMPARE(server.verify(request(authorization(theirs.value())), "demo", kPassword).check, Check::Realm);
        QCOMPARE(server.verify(request({}), "demo", kPassword).check, Check::Missing);
        // A proxy checks Proxy-Authorization, not Authorization.
        QCOMPARE(server.verify(request(authorization(ours.value())), "demo", kPassword, HeaderId::ProxyAuthorization).check, Check::Missing);
    }

    void garbage_data()
    {
        QTest::addColumn<QByteArray>("value");
        QTest::addColumn<int>("check");
        QTest::newRow("scheme only") << QByteArray("Digest") << int(Check::Realm);
        QTest::newRow("basic") << QByteArray("Basic ZGVtbzpwdw==") << int(Check::Scheme);
        QTest::newRow("unterminated quote") << QByteArray("Digest username=\"demo") << int(Check::Malformed);
        QTest::newRow("no scheme") << QByteArray("username=\"demo\"") << int(Check::Malformed);
        QTest::newRow("two schemes") << QByteArray("Digest realm=\"dialscope-demo\", Digest realm=\"x\"") << int(Check::Malformed);
        QTest::newRow("commas") << QByteArray("Digest ,,,,") << int(Check::Realm);
        QTest::newRow("repeated response") << QByteArray("Digest realm=\"dialscope-demo\", username=\"demo\", response=\"00\", response=\"11\"")
                                           << int(Check::Malformed);
        QTest::newRow("huge") << QByteArray("Digest realm=\"dialscope-demo\", username=\"" + QByteArray(5000, 'a') + "\"") << int(Check::Malformed);
        QTest::newRow("long parameter") << QByteArray("Digest realm=\"dialscope-demo\", nonce=\"" + QByteArray(2000, 'a') + "\"") << int(Check::Malformed);
        QByteArray many = "Digest realm=\"dialscope-demo\"";
        for (int i = 0; i < 40; ++i)
            many += ", p" + QByteArray::number(i) + "=1";
        QTest::newRow("many parameters") << many << int(Check::Malformed);
        QTest::newRow("nonce not base64") << QByteArray("Digest realm=\"dialscope-demo\", username=\"demo\", nonce=\"!!!!\"") << int(Check::Nonce);
        QTest::newRow("no nonce") << QByteArray("Digest realm=\"dialscope-demo\", username=\"demo\"") << int(Check::Nonce);
        QTest::newRow("binary") << QByteArray("Digest realm=\"dialscope-demo\", username=\"demo\", nonce=\"\x01\x02\xff\"") << int(Check::Nonce);
    }
    void garbage()
    {
        QFETCH(QByteArray, value);
        QFETCH(int, check);
        SimulatedClock clock;
        DigestServer server(clock, {kRealm});
        const auto v = server.verify(request(authorization(value)), "demo", kPassword);
        QVERIFY2(int(v.check) == check, qPrintable(DigestServer::checkName(v.check) + QLatin1String(": ") + v.explanation));
        QVERIFY(!v.explanation.isEmpty());
    }

    void nonceCountFormat()
    {
        SimulatedClock clock;
        DigestServer server(clock, {kRealm});
        Creds c;
        c.nonce = nonceOf(server.challenges()[0]);
        QByteArray v = c.value();
        v.replace("nc=00000001", "nc=1");
        QCOMPARE(server.verify(request(authorization(v)), "demo", kPassword).check, Check::Qop);
    }

    // Nonces are this instance's: another server (another secret, as after a restart) never accepts
    // them; right credentials get stale=true (a fresh nonce), wrong ones are refused.
    void noncesBelongToTheirServer()
    {
        SimulatedClock clock;
        DigestServer a(clock, {kRealm}), b(clock, {kRealm});
        Creds c;
        c.nonce = nonceOf(a.challenges()[0]);
        QCOMPARE(b.verify(request(authorization(c.value())), "demo", kPassword).check, Check::Stale);
        QCOMPARE(b.verify(request(authorization(c.value())), "demo", "guess").check, Check::Nonce);
        QVERIFY(a.verify(request(authorization(c.value())), "demo", kPassword).ok());
    }
};

QTEST_GUILESS_MAIN(TestDigestServer)
#include "tst_digest_server.moc"
