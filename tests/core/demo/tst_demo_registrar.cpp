// DemoRegistrar against real clients over UDP on 127.0.0.1: our own Registration (SHA-256 picked,
// wrong password, unknown user, unregister, 423, stale nonce, expiry), hand-written REGISTERs for
// the refusals and bindings rules of RFC 3261 10.3, SIPp answering with MD5, and baresip.

#include "demo/demo_registrar.h"
#include "interop/support/baresip.h"
#include "interop/support/peer.h"
#include "phone/registration.h"
#include "sip/parser.h"
#include "sip/random.h"
#include "sip/response_builder.h"
#include "sip/udp_transport.h"

#include <QDeadlineTimer>
#include <QTemporaryDir>
#include <QTest>
#include <QUdpSocket>

#include <algorithm>

using namespace ds;

namespace {

const QByteArray kPassword = "demo-secret";

// The minimal owner of a registrar (demo_peer is the real one): a UDP transport and a transaction
// layer on 127.0.0.1, every new request handed to the registrar. Its clock is simulated, so the
// test moves the registrar's time (nonce age, binding expiry) while the sockets stay real.
struct Host {
    sip::SimulatedClock clock;
    sip::UdpTransport transport;
    std::unique_ptr<sip::TransactionLayer> layer;
    std::unique_ptr<demo::DemoRegistrar> registrar;
    QList<QByteArray> in, out; // raw messages as they crossed the socket
    QStringList refusals;
    int changes = 0;

    bool start()
    {
        if (transport.bind(QHostAddress::LocalHost, 0))
            return false;
        layer = std::make_unique<sip::TransactionLayer>(transport, clock);
        registrar = std::make_unique<demo::DemoRegistrar>(clock, kPassword);
        QObject::connect(layer.get(), &sip::TransactionLayer::traced, layer.get(),
            [this](const sip::TraceEvent &e) { (e.direction == sip::TraceEvent::Direction::In ? in : out).append(e.raw); });
        QObject::connect(layer.get(), &sip::TransactionLayer::requestReceived, layer.get(), [this](const sip::Message &m, sip::ServerTransaction *t) {
            if (!registrar->handle(m, t))
                t->respond(sip::makeResponse(m, 501, "Not Implemented", "host"), 501);
        });
        QObject::connect(registrar.get(), &demo::DemoRegistrar::refused, registrar.get(), [this](const QString &e) { refusals.append(e); });
        QObject::connect(registrar.get(), &demo::DemoRegistrar::bindingsChanged, registrar.get(), [this] { ++changes; });
        return true;
    }
    quint16 port() const { return transport.localEndpoint().port; }
    QByteArray lastOut(QByteArrayView startsWith) const
    {
        for (qsizetype i = out.size() - 1; i >= 0; --i)
            if (out[i].startsWith(startsWith))
                return out[i];
        return {};
    }
};

// Our own phone: a UserAgent and a Registration, as the GUI and `dialscope register` use them.
struct Client {
    sip::SystemClock clock;
    std::unique_ptr<phone::UserAgent> agent;
    std::unique_ptr<phone::Registration> registration;
    QList<phone::Diagnosis> results;
    QList<sip::AuthExplanation> auths;
    QStringList findings;

    Client(quint16 port, const QString &user, const QByteArray &password, int expires = 600)
    {
        phone::Account a;
        a.id = QStringLiteral("demo");
        a.user = user;
        a.server = QStringLiteral("127.0.0.1:%1").arg(port);
        a.expires = expires;
        agent = std::make_unique<phone::UserAgent>(a, phone::AgentOptions {}, clock);
        registration = std::make_unique<phone::Registration>(*agent, password);
        QObject::connect(registration.get(), &phone::Registration::finished, registration.get(), [this](const phone::Diagnosis &d) { results.append(d); });
        QObject::connect(
            registration.get(), &phone::Registration::authComputed, registration.get(), [this](const sip::AuthExplanation &e) { auths.append(e); });
        QObject::connect(
            registration.get(), &phone::Registration::finding, registration.get(), [this](const QString &, const QString &t) { findings.append(t); });
    }
    phone::Diagnosis run(bool unregister = false)
    {
        const qsizetype before = results.size();
        unregister ? registration->unregister() : registration->registerNow();
        for (QDeadlineTimer d(10000); results.size() == before && !d.hasExpired();)
            QTest::qWait(10);
        return results.size() > before ? results.back() : phone::Diagnosis {phone::Outcome::Timeout, 0, QStringLiteral("no result in 10 s")};
    }
};

// Hand-written REGISTERs from a plain UDP socket, answering challenges with sip::Authenticator.
class RawClient {
public:
    RawClient(quint16 serverPort, QByteArray callId = sip::randomHex(8))
        : m_port(serverPort)
        , m_callId(std::move(callId))
        , m_auth("demo", kPassword)
    {
        m_socket.bind(QHostAddress::LocalHost, 0);
    }
    // A REGISTER with these headers (Contact, Expires...), credentials added as needed.
    std::optional<sip::Message> send(const QByteArray &headers, std::optional<std::uint32_t> cseq = {}, QByteArray toUser = "demo")
    {
        const QByteArray uri = "sip:127.0.0.1:" + QByteArray::number(m_port);
        for (int attempt = 0; attempt < 2; ++attempt) {
            QByteArray r = "REGISTER " + uri + " SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.1:" + QByteArray::number(m_socket.localPort())
                + ";rport;branch=" + sip::TransactionLayer::newBranch() + "\r\nMax-Forwards: 70\r\nFrom: <sip:demo@127.0.0.1>;tag=raw\r\nTo: <sip:" + toUser
                + "@127.0.0.1>\r\nCall-ID: " + m_callId + "\r\nCSeq: " + QByteArray::number(cseq.value_or(++m_cseq)) + " REGISTER\r\n";
            for (const auto &h : m_auth.hasCredentials() ? m_auth.authorize("REGISTER", uri, {}) : QList<QPair<QByteArray, QByteArray>> {})
                r += h.first + ": " + h.second + "\r\n";
            r += headers + "Content-Length: 0\r\n\r\n";
            auto response = exchange(r);
            if (!response || response->statusCode() != 401 || attempt == 1 || m_auth.onChallenge(*response).verdict != sip::Authenticator::Verdict::Answered)
                return response;
        }
        return std::nullopt;
    }
    QByteArray contact(int port) const { return "Contact: <sip:demo@127.0.0.1:" + QByteArray::number(port) + ">"; }

private:
    std::optional<sip::Message> exchange(const QByteArray &request)
    {
        m_socket.writeDatagram(request, QHostAddress::LocalHost, m_port);
        for (QDeadlineTimer d(5000); !d.hasExpired(); QTest::qWait(5)) {
            while (m_socket.hasPendingDatagrams()) {
                QByteArray b(m_socket.pendingDatagramSize(), Qt::Uninitialized);
                m_socket.readDatagram(b.data(), b.size());
                auto m = sip::Parser::parse(b);
                if (m && m->statusCode() >= 200)
                    return *m;
            }
        }
        return std::nullopt;
    }
    QUdpSocket m_socket;
    quint16 m_port;
    QByteArray m_callId;
    std::uint32_t m_cseq = 0;
    sip::Authenticator m_auth;
};

int status(const std::optional<sip::Message> &r) { return r ? r->statusCode() : 0; }

QString describe(const Host &h) { return QString::fromUtf8((h.in + h.out).join("\n----\n").right(4000)); }

} // namespace

class TestDemoRegistrar : public QObject {
    Q_OBJECT
private slots:
    void ownClientRegistersWithSha256()
    {
        Host host;
        QVERIFY(host.start());
        Client c(host.port(), QStringLiteral("demo"), kPassword);
        const phone::Diagnosis d = c.run();
        QVERIFY2(d.outcome == phone::Outcome::Registered, qPrintable(d.reason + u'\n' + describe(host)));
        QCOMPARE(c.registration->grantedExpires(), 600);
        QVERIFY(!c.auths.isEmpty());
        QCOMPARE(c.auths.back().algorithm, "SHA-256"); // RFC 8760: the stronger of the two offered
        const QByteArray challenge = host.lastOut("SIP/2.0 401");
        QCOMPARE(challenge.count("WWW-Authenticate: Digest"), 2);
        QVERIFY(challenge.indexOf("algorithm=SHA-256") < challenge.indexOf("algorithm=MD5"));
        const QByteArray ok = host.lastOut("SIP/2.0 200");
        QVERIFY2(ok.contains("\r\nDate: ") && ok.contains(";expires=600"), ok.constData());
        const auto bindings = host.registrar->bindings();
        QCOMPARE(bindings.size(), 1);
        QCOMPARE(bindings[0].contact, c.registration->contact());
        QVERIFY2(host.registrar->contactFor("demo") == c.agent->localEndpoint(), qPrintable(c.agent->localEndpoint().toString()));
        QVERIFY(!host.registrar->contactFor("alice"));
        QCOMPARE(host.changes, 1);
        QVERIFY2(host.refusals.isEmpty(), qPrintable(host.refusals.join(u'\n')));
    }

    void wrongPasswordIsWrongCredentials()
    {
        Host host;
        QVERIFY(host.start());
        Client c(host.port(), QStringLiteral("demo"), "not-the-password");
        const phone::Diagnosis d = c.run();
        QVERIFY2(d.outcome == phone::Outcome::WrongCredentials, qPrintable(phone::outcomeName(d.outcome) + u' ' + d.reason));
        QCOMPARE(d.status, 401);
        QVERIFY(host.registrar->bindings().isEmpty());
        QCOMPARE(host.refusals.size(), 1);
        QVERIFY2(host.registrar->lastFailure().contains(QLatin1String("password is wrong")), qPrintable(host.registrar->lastFailure()));
        for (const QString &s : host.refusals + QStringList {d.reason})
            QVERIFY(!s.contains(QLatin1String("demo-secret")) && !s.contains(QLatin1String("not-the-password")));
    }

    void unknownUserIsNotFound()
    {
        Host host;
        QVERIFY(host.start());
        Client c(host.port(), QStringLiteral("alice"), kPassword);
        const phone::Diagnosis d = c.run();
        QVERIFY2(d.outcome == phone::Outcome::NotFound, qPrintable(phone::outcomeName(d.outcome) + u' ' + d.reason));
        QCOMPARE(d.status, 404);
        QVERIFY(host.registrar->lastFailure().contains(QLatin1String("alice")));
    }

    void unregisterRemovesTheBinding()
    {
        Host host;
        QVERIFY(host.start());
        Client c(host.port(), QStringLiteral("demo"), kPassword);
        QCOMPARE(c.run().outcome, phone::Outcome::Registered);
        QCOMPARE(host.registrar->bindings().size(), 1);
        const phone::Diagnosis d = c.run(true);
        QVERIFY2(d.outcome == phone::Outcome::Unregistered, qPrintable(d.reason));
        QVERIFY(host.registrar->bindings().isEmpty());
        QVERIFY(!host.registrar->contactFor("demo"));
        QCOMPARE(host.changes, 2);
    }

    // 423 with Min-Expires: 30, which our client follows.
    void tooBriefIntervalIsRaised()
    {
        Host host;
        QVERIFY(host.start());
        Client c(host.port(), QStringLiteral("demo"), kPassword, 10);
        const phone::Diagnosis d = c.run();
        QVERIFY2(d.outcome == phone::Outcome::Registered, qPrintable(d.reason + u'\n' + describe(host)));
        QCOMPARE(c.registration->grantedExpires(), 30);
        QVERIFY(host.lastOut("SIP/2.0 423").contains("Min-Expires: 30\r\n"));
        QVERIFY2(c.findings.join(u'\n').contains(QLatin1String("423")), qPrintable(c.findings.join(u'\n')));
    }

    // Five minutes on, the nonce is stale: the refresh is challenged with stale=true and goes
    // through; and a binding nobody refreshes runs out on the registrar's clock.
    void staleNonceThenExpiry()
    {
        Host host;
        QVERIFY(host.start());
        Client c(host.port(), QStringLiteral("demo"), kPassword, 120);
        QCOMPARE(c.run().outcome, phone::Outcome::Registered);
        host.clock.advance(sip::DigestServer::kDefaultNonceLifetimeMs + 1000);
        QVERIFY(host.registrar->bindings().isEmpty()); // 120 s are long gone
        QCOMPARE(host.changes, 2);
        const phone::Diagnosis d = c.run();
        QVERIFY2(d.outcome == phone::Outcome::Registered, qPrintable(d.reason + u'\n' + describe(host)));
        QVERIFY(host.lastOut("SIP/2.0 401").contains("stale=true"));
        QVERIFY(host.refusals.isEmpty());
        QCOMPARE(host.registrar->bindings().size(), 1);
        host.clock.advance(119'000);
        QCOMPARE(host.registrar->bindings().size(), 1);
        host.clock.advance(2000);
        QVERIFY(host.registrar->bindings().isEmpty());
    }

    void refusals_data()
    {
        QTest::addColumn<QByteArray>("headers");
        QTest::addColumn<int>("code");
        QTest::addColumn<QByteArray>("reason");
        const QByteArray c = "Contact: <sip:demo@127.0.0.1:6000>\r\n";
        QTest::newRow("Expires not a number") << c + "Expires: soon\r\n" << 400 << QByteArray("Bad Expires header");
        QTest::newRow("negative expires param") << QByteArray("Contact: <sip:demo@127.0.0.1:6000>;expires=-5\r\n") << 400
                                                << QByteArray("Bad expires parameter");
        QTest::newRow("star without Expires 0") << QByteArray("Contact: *\r\nExpires: 60\r\n") << 400 << QByteArray("Bad Expires header");
        QTest::newRow("star with a contact") << QByteArray("Contact: *, <sip:demo@127.0.0.1:6000>\r\nExpires: 0\r\n") << 400
                                             << QByteArray("Bad Contact header");
        QTest::newRow("unclosed Contact") << QByteArray("Contact: <sip:demo@127.0.0.1:6000\r\n") << 400 << QByteArray("Bad Contact header");
        QTest::newRow("too brief") << c + "Expires: 5\r\n" << 423 << QByteArray("Interval Too Brief");
        QTest::newRow("extension required") << c + "Require: gruu\r\n" << 420 << QByteArray("Bad Extension");
    }
    void refusals()
    {
        QFETCH(QByteArray, headers);
        QFETCH(int, code);
        QFETCH(QByteArray, reason);
        Host host;
        QVERIFY(host.start());
        RawClient raw(host.port());
        const auto r = raw.send(headers);
        QVERIFY2(r, qPrintable(describe(host)));
        QCOMPARE(r->statusCode(), code);
        QCOMPARE(r->reasonPhrase(), reason);
        QVERIFY(host.registrar->bindings().isEmpty());
        QCOMPARE(host.refusals.size(), 1);
        QCOMPARE(host.registrar->lastFailure(), host.refusals[0]);
        QVERIFY(host.refusals[0].startsWith(QString::number(code)));
    }

    // RFC 3261 10.3: add, clamp, query, remove one, remove all with "*".
    void bindingsFollowTheRequests()
    {
        Host host;
        QVERIFY(host.start());
        RawClient raw(host.port());
        auto r = raw.send(raw.contact(6001) + "\r\nExpires: 120\r\n");
        QVERIFY2(r && r->statusCode() == 200, qPrintable(describe(host)));
        r = raw.send(raw.contact(6002) + ";expires=7200\r\n");
        QVERIFY(r && r->statusCode() == 200);
        QCOMPARE(host.registrar->bindings().size(), 2);
        host.clock.advance(20'000);
        r = raw.send({}); // a query
        QVERIFY(r && r->statusCode() == 200);
        const QList<QByteArrayView> contacts = r->values(sip::HeaderId::Contact);
        QCOMPARE(contacts.size(), 2);
        QCOMPARE(contacts[0], "<sip:demo@127.0.0.1:6001>;expires=100");
        QCOMPARE(contacts[1], "<sip:demo@127.0.0.1:6002>;expires=3580"); // clamped to 3600
        QVERIFY(r->hasHeader(sip::HeaderId::Date));
        QCOMPARE(host.changes, 2);
        r = raw.send(raw.contact(6001) + ";expires=0\r\n");
        QVERIFY(r && r->statusCode() == 200);
        QCOMPARE(r->values(sip::HeaderId::Contact).size(), 1);
        QCOMPARE(host.registrar->bindings().at(0).contact, "sip:demo@127.0.0.1:6002");
        r = raw.send("Contact: *\r\nExpires: 0\r\n");
        QVERIFY(r && r->statusCode() == 200);
        QVERIFY(!r->hasHeader(sip::HeaderId::Contact));
        QVERIFY(host.registrar->bindings().isEmpty());
        QVERIFY2(host.refusals.isEmpty(), qPrintable(host.refusals.join(u'\n')));
    }

    // RFC 3261 10.3 step 7: the same Call-ID with a CSeq not above the binding's fails.
    void outOfOrderCSeqFails()
    {
        Host host;
        QVERIFY(host.start());
        RawClient raw(host.port());
        QCOMPARE(status(raw.send(raw.contact(6001) + "\r\n", 10)), 200);
        const auto r = raw.send(raw.contact(6001) + ";expires=0\r\n", 10);
        QVERIFY(r);
        QCOMPARE(r->statusCode(), 500);
        QCOMPARE(host.registrar->bindings().size(), 1);
        QVERIFY2(host.registrar->lastFailure().contains(QLatin1String("CSeq 10")), qPrintable(host.registrar->lastFailure()));
        // Another Call-ID (another phone, or ours after a restart) may replace it with any CSeq.
        RawClient other(host.port());
        QCOMPARE(status(other.send(raw.contact(6001) + ";expires=0\r\n", 1)), 200);
        QVERIFY(host.registrar->bindings().isEmpty());
    }

    void atMostSixteenBindings()
    {
        Host host;
        QVERIFY(host.start());
        RawClient raw(host.port());
        for (int port = 7001; port <= 7020; ++port)
            QCOMPARE(status(raw.send(raw.contact(port) + "\r\n")), 200);
        const auto bindings = host.registrar->bindings();
        QCOMPARE(bindings.size(), demo::DemoRegistrar::kMaxBindings);
        QCOMPARE(bindings.front().contact, "sip:demo@127.0.0.1:7005"); // the four oldest went
        QCOMPARE(bindings.back().contact, "sip:demo@127.0.0.1:7020");
    }

    void otherMethodsAreNotTaken()
    {
        Host host;
        QVERIFY(host.start());
        auto options = sip::Parser::parse("OPTIONS sip:127.0.0.1 SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.1:9;branch=z9hG4bK1\r\nFrom: <sip:a@b>;tag=1\r\n"
                                          "To: <sip:demo@127.0.0.1>\r\nCall-ID: x\r\nCSeq: 1 OPTIONS\r\nContent-Length: 0\r\n\r\n");
        QVERIFY(options);
        QVERIFY(!host.registrar->handle(*options, nullptr));
    }

    // SIPp's [authentication] registers with the bench scenario. SIPp 3.6 reads only the first
    // challenge and knows only MD5, so the registrar offers MD5 alone here; its digest uri carries the
    // port the Request-URI omits, which the registrar accepts.
    void sippRegistersWithMd5()
    {
        const QString sipp = test::findProgram(QStringLiteral("sipp"));
        if (sipp.isEmpty())
            QSKIP("sipp not found: install the Debian package sip-tester");
        Host host;
        QVERIFY(host.start());
        host.registrar->setAlgorithms({sip::DigestAlgorithm::Md5});
        QTemporaryDir dir;
        QVERIFY(test::writeTextFile(dir.filePath(QStringLiteral("accounts.csv")),
            QStringLiteral("SEQUENTIAL\ndemo;[authentication username=demo password=%1]\n").arg(QString::fromLatin1(kPassword))));
        const quint16 port = test::freePort();
        test::PeerProcess peer(QStringLiteral("sipp"), dir.filePath(QStringLiteral("sipp.log")));
        QVERIFY2(
            peer.start(sipp,
                {QStringLiteral("127.0.0.1:%1").arg(host.port()), QStringLiteral("-sf"), QStringLiteral(DS_SOURCE_DIR "/tests/bench/sipp/register_auth.xml"),
                    QStringLiteral("-inf"), dir.filePath(QStringLiteral("accounts.csv")), QStringLiteral("-i"), QStringLiteral("127.0.0.1"),
                    QStringLiteral("-p"), QString::number(port), QStringLiteral("-m"), QStringLiteral("1"), QStringLiteral("-nostdin"),
                    QStringLiteral("-trace_err"), QStringLiteral("-error_file"), dir.filePath(QStringLiteral("errors.log"))},
                dir.path(), {{test::ReadyProbe::UdpBound, port}}),
            qPrintable(peer.errorString()));
        for (QDeadlineTimer d(15000); peer.running() && !d.hasExpired();)
            QTest::qWait(20);
        const QString log
            = peer.logTail() + test::readTextFile(dir.filePath(QStringLiteral("errors.log"))) + u'\n' + host.refusals.join(u'\n') + u'\n' + describe(host);
        QVERIFY2(!peer.running() && peer.exitCode() == 0, qPrintable(log));
        const auto bindings = host.registrar->bindings();
        QCOMPARE(bindings.size(), 1);
        QCOMPARE(bindings[0].contact, "sip:demo@127.0.0.1:" + QByteArray::number(port));
        QCOMPARE(bindings[0].source.port, port);
        const QByteArray last = host.in.isEmpty() ? QByteArray() : host.in.last();
        QVERIFY2(last.contains("algorithm=MD5"), last.constData());
    }

    // baresip 1.0 (libre 1.x) gives up on a 401 holding any challenge but MD5 ("Function not
    // implemented"), so the registrar offers MD5 alone here too.
    void baresipRegisters()
    {
        if (const test::BaresipPeer::Result installed = test::BaresipPeer::installed(); !installed)
            QSKIP(qPrintable(installed.error().message));
        Host host;
        QVERIFY(host.start());
        host.registrar->setAlgorithms({sip::DigestAlgorithm::Md5});
        QTemporaryDir dir;
        test::BaresipPeer peer(QStringLiteral("demo"), dir.path());
        test::BaresipOptions o;
        o.user = QStringLiteral("demo");
        o.password = QString::fromLatin1(kPassword);
        o.registrarPort = host.port();
        const auto started = peer.start(o);
        if (!started && started.error().skip)
            QSKIP(qPrintable(started.error().message));
        if (!started)
            QFAIL(qPrintable(started.error().message));
        // baresip's helper blocks while it asks; our registrar answers in between.
        bool registered = false;
        for (QDeadlineTimer d(15000); !registered && !d.hasExpired();) {
            QTest::qWait(50);
            registered = peer.waitRegistered(200);
            if (!registered && peer.errorString().contains(QLatin1String("failed")))
                break;
        }
        QVERIFY2(registered, qPrintable(peer.errorString() + u'\n' + describe(host)));
        const auto bindings = host.registrar->bindings();
        QCOMPARE(bindings.size(), 1);
        QCOMPARE(bindings[0].source.port, peer.sipPort());
        QVERIFY(std::any_of(host.in.cbegin(), host.in.cend(), [](const QByteArray &m) { return m.contains("\nAuthorization: Digest "); }));
        QVERIFY2(host.refusals.isEmpty(), qPrintable(host.refusals.join(u'\n')));
    }
};

QTEST_GUILESS_MAIN(TestDemoRegistrar)
#include "tst_demo_registrar.moc"
