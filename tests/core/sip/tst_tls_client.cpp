// TlsClient and StreamTransport over TLS: handshakes against a real OpenSSL server (in process,
// over memory and over a loopback TCP socket) with a throw-away CA made here; certificate
// verification refuses what a browser refuses and names why; the key log lines and the wire tap
// are the real session: the test decrypts the tapped records with the logged secrets.

#include "sip/stream_transport.h"
#include "sip/tls_client.h"

#include <QCryptographicHash>
#include <QFile>
#include <QMessageAuthenticationCode>
#include <QRegularExpression>
#include <QSignalSpy>
#include <QTcpServer>
#include <QTcpSocket>
#include <QTemporaryDir>
#include <QTest>

#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>

#include <memory>

using namespace ds::sip;

namespace {

const QByteArray kRequest = "OPTIONS sip:127.0.0.1 SIP/2.0\r\nVia: SIP/2.0/TLS 127.0.0.1:5061;branch=z9hG4bK1\r\nCall-ID: tls-1\r\nCSeq: 1 "
                            "OPTIONS\r\nContent-Length: 0\r\n\r\n";
const QByteArray kResponse
    = "SIP/2.0 200 OK\r\nVia: SIP/2.0/TLS 127.0.0.1:5061;branch=z9hG4bK1\r\nCall-ID: tls-1\r\nCSeq: 1 OPTIONS\r\nContent-Length: 0\r\n\r\n";
const QRegularExpression kKeyLogLine(QStringLiteral("^(CLIENT_RANDOM|CLIENT_HANDSHAKE_TRAFFIC_SECRET|SERVER_HANDSHAKE_TRAFFIC_SECRET|CLIENT_TRAFFIC_SECRET_0|"
                                                    "SERVER_TRAFFIC_SECRET_0|EXPORTER_SECRET) [0-9a-f]{64} [0-9a-f]+$"));

// ---- a throw-away PKI, made with OpenSSL in memory ---------------------------------------

struct Identity {
    std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)> key {nullptr, &EVP_PKEY_free};
    std::unique_ptr<X509, decltype(&X509_free)> cert {nullptr, &X509_free};
    QByteArray pem() const
    {
        BIO *bio = BIO_new(BIO_s_mem());
        PEM_write_bio_X509(bio, cert.get());
        char *data = nullptr;
        const long n = BIO_get_mem_data(bio, &data);
        QByteArray text(data, n);
        BIO_free(bio);
        return text;
    }
};

struct CertSpec {
    const char *commonName;
    const Identity *issuer = nullptr; // self-signed when null
    const char *subjectAltName = nullptr; // "IP:127.0.0.1", "DNS:sip.example.test"
    bool ca = false;
    long validFromDays = -1;
    long validToDays = 2;
};

// EC P-256 key and X.509 v3 certificate, as the interop suite's openssl commands make them.
Identity makeIdentity(const CertSpec &spec)
{
    static long serial = 1;
    Identity id;
    id.key.reset(EVP_EC_gen("P-256"));
    id.cert.reset(X509_new());
    X509 *cert = id.cert.get();
    if (!id.key || !cert)
        qFatal("cannot make a test key");
    X509_set_version(cert, X509_VERSION_3);
    ASN1_INTEGER_set(X509_get_serialNumber(cert), serial++);
    X509_gmtime_adj(X509_getm_notBefore(cert), spec.validFromDays * 86400);
    X509_gmtime_adj(X509_getm_notAfter(cert), spec.validToDays * 86400);
    X509_set_pubkey(cert, id.key.get());
    X509_NAME_add_entry_by_txt(X509_get_subject_name(cert), "CN", MBSTRING_UTF8, reinterpret_cast<const unsigned char *>(spec.commonName), -1, -1, 0);
    X509 *issuer = spec.issuer ? spec.issuer->cert.get() : cert;
    X509_set_issuer_name(cert, X509_get_subject_name(issuer));
    X509V3_CTX v3;
    X509V3_set_ctx_nodb(&v3);
    X509V3_set_ctx(&v3, issuer, cert, nullptr, nullptr, 0);
    const auto add = [&](int nid, const char *value) {
        X509_EXTENSION *ext = X509V3_EXT_conf_nid(nullptr, &v3, nid, value);
        if (!ext)
            qFatal("bad test certificate extension %s", value);
        X509_add_ext(cert, ext, -1);
        X509_EXTENSION_free(ext);
    };
    add(NID_basic_constraints, spec.ca ? "critical,CA:TRUE" : "critical,CA:FALSE");
    add(NID_key_usage, spec.ca ? "critical,keyCertSign,cRLSign" : "critical,digitalSignature");
    if (!spec.ca)
        add(NID_ext_key_usage, "serverAuth");
    if (spec.subjectAltName)
        add(NID_subject_alt_name, spec.subjectAltName);
    add(NID_subject_key_identifier, "hash");
    if (spec.issuer)
        add(NID_authority_key_identifier, "keyid");
    if (X509_sign(cert, spec.issuer ? spec.issuer->key.get() : id.key.get(), EVP_sha256()) <= 0)
        qFatal("cannot sign a test certificate");
    return id;
}

// ---- an OpenSSL TLS server over memory BIOs ------------------------------------------------

class TlsServer {
public:
    struct Options {
        int minVersion = 0;
        int maxVersion = 0;
        const char *ciphersuites = nullptr; // TLS 1.3 suites, OpenSSL's default when null
    };

    TlsServer(const Identity &identity, const Options &options)
        : m_ctx(SSL_CTX_new(TLS_server_method()), &SSL_CTX_free)
    {
        SSL_CTX *ctx = m_ctx.get();
        SSL_CTX_use_certificate(ctx, identity.cert.get());
        SSL_CTX_use_PrivateKey(ctx, identity.key.get());
        if (options.maxVersion && options.maxVersion < TLS1_2_VERSION)
            SSL_CTX_set_security_level(ctx, 0); // let it offer what a client must refuse
        if (options.minVersion)
            SSL_CTX_set_min_proto_version(ctx, options.minVersion);
        if (options.maxVersion)
            SSL_CTX_set_max_proto_version(ctx, options.maxVersion);
        if (options.ciphersuites)
            SSL_CTX_set_ciphersuites(ctx, options.ciphersuites);
        SSL_CTX_set_num_tickets(ctx, 1);
        SSL_CTX_set_keylog_callback(ctx, [](const SSL *ssl, const char *line) { static_cast<TlsServer *>(SSL_get_app_data(ssl))->keyLog << line; });
        m_ssl.reset(SSL_new(ctx));
        SSL_set_app_data(m_ssl.get(), this);
        m_in = BIO_new(BIO_s_mem());
        m_out = BIO_new(BIO_s_mem());
        BIO_set_mem_eof_return(m_in, -1);
        SSL_set_bio(m_ssl.get(), m_in, m_out);
        SSL_set_accept_state(m_ssl.get());
    }

    void receive(QByteArrayView bytes)
    {
        BIO_write(m_in, bytes.data(), int(bytes.size()));
        if (!established && !failed) {
            const int r = SSL_do_handshake(m_ssl.get());
            if (r == 1)
                established = true;
            else if (SSL_get_error(m_ssl.get(), r) != SSL_ERROR_WANT_READ)
                fail();
        }
        while (established && !failed) {
            char buffer[16384];
            size_t n = 0;
            const int r = SSL_read_ex(m_ssl.get(), buffer, sizeof buffer, &n);
            if (r == 1) {
                plaintext.append(buffer, qsizetype(n));
                continue;
            }
            const int e = SSL_get_error(m_ssl.get(), r);
            if (e == SSL_ERROR_ZERO_RETURN)
                closeNotify = true;
            else if (e != SSL_ERROR_WANT_READ)
                fail();
            break;
        }
    }
    void send(QByteArrayView plain)
    {
        size_t n = 0;
        SSL_write_ex(m_ssl.get(), plain.data(), size_t(plain.size()), &n);
    }
    void shutdown() { SSL_shutdown(m_ssl.get()); }
    QByteArray takeOutgoing()
    {
        QByteArray bytes(qsizetype(BIO_ctrl_pending(m_out)), Qt::Uninitialized);
        if (!bytes.isEmpty())
            BIO_read(m_out, bytes.data(), int(bytes.size()));
        return bytes;
    }
    QByteArray serverName() const
    {
        const char *name = SSL_get_servername(m_ssl.get(), TLSEXT_NAMETYPE_host_name);
        return name ? QByteArray(name) : QByteArray();
    }
    QByteArray version() const { return SSL_get_version(m_ssl.get()); }

    bool established = false;
    bool failed = false;
    bool closeNotify = false;
    QString error; // why the handshake failed on this side (e.g. the client's alert)
    QByteArray plaintext;
    QList<QByteArray> keyLog;

private:
    void fail()
    {
        failed = true;
        const unsigned long e = ERR_get_error();
        error = QString::fromLatin1(e ? ERR_reason_error_string(e) : "?");
        ERR_clear_error();
    }

    std::unique_ptr<SSL_CTX, decltype(&SSL_CTX_free)> m_ctx;
    std::unique_ptr<SSL, decltype(&SSL_free)> m_ssl {nullptr, &SSL_free};
    BIO *m_in = nullptr;
    BIO *m_out = nullptr;
};

// Carries bytes between a client and a server until both are silent; records the wire.
struct Wire {
    QByteArray toServer, toClient;
};

Wire pump(TlsClient &client, TlsServer &server)
{
    Wire wire;
    for (int round = 0; round < 16; ++round) {
        const QByteArray up = client.takeOutgoing();
        wire.toServer += up;
        if (!up.isEmpty())
            server.receive(up);
        const QByteArray down = server.takeOutgoing();
        wire.toClient += down;
        if (!down.isEmpty())
            (void)client.receive(down); // the outcome is in client.state()
        if (up.isEmpty() && down.isEmpty())
            break;
    }
    return wire;
}

// ---- decrypting TLS 1.3 records with key log secrets (RFC 8446 5.2, 7.1, 7.3) ------------

QHash<QByteArray, QByteArray> secretsOf(const QList<QByteArray> &keyLog)
{
    QHash<QByteArray, QByteArray> secrets;
    for (const QByteArray &line : keyLog) {
        const QList<QByteArray> fields = line.split(' ');
        if (fields.size() == 3)
            secrets.insert(fields[0], QByteArray::fromHex(fields[2]));
    }
    return secrets;
}

// HKDF-Expand-Label with an empty context; one HMAC since length <= 32 (RFC 5869 2.3).
QByteArray expandLabel(const QByteArray &secret, const QByteArray &label, int length)
{
    const QByteArray full = "tls13 " + label;
    QByteArray info;
    info.append(char(0)).append(char(length)).append(char(full.size())).append(full).append(char(0));
    return QMessageAuthenticationCode::hash(info + char(1), secret, QCryptographicHash::Sha256).left(length);
}

struct TrafficKey {
    QByteArray key, iv;
    quint64 sequence = 0;
    explicit TrafficKey(const QByteArray &secret)
        : key(expandLabel(secret, "key", 16))
        , iv(expandLabel(secret, "iv", 12))
    {
    }
    // TLS_AES_128_GCM_SHA256: the inner plaintext, or nullopt when the tag does not match.
    std::optional<QByteArray> open(QByteArrayView header, QByteArrayView payload)
    {
        if (payload.size() < 16)
            return std::nullopt;
        QByteArray nonce = iv;
        for (int i = 0; i < 8; ++i)
            nonce[11 - i] = char(nonce[11 - i] ^ char(sequence >> (8 * i)));
        std::unique_ptr<EVP_CIPHER_CTX, decltype(&EVP_CIPHER_CTX_free)> ctx(EVP_CIPHER_CTX_new(), &EVP_CIPHER_CTX_free);
        QByteArray plain(payload.size() - 16, Qt::Uninitialized);
        int n = 0;
        const auto u = [](const auto *p) { return reinterpret_cast<const unsigned char *>(p); };
        bool ok = EVP_DecryptInit_ex(ctx.get(), EVP_aes_128_gcm(), nullptr, u(key.constData()), u(nonce.constData())) == 1
            && EVP_DecryptUpdate(ctx.get(), nullptr, &n, u(header.data()), int(header.size())) == 1
            && EVP_DecryptUpdate(ctx.get(), reinterpret_cast<unsigned char *>(plain.data()), &n, u(payload.data()), int(plain.size())) == 1
            && EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_SET_TAG, 16, const_cast<char *>(payload.data() + plain.size())) == 1;
        ok = ok && EVP_DecryptFinal_ex(ctx.get(), reinterpret_cast<unsigned char *>(plain.data()) + n, &n) == 1;
        if (!ok)
            return std::nullopt;
        ++sequence;
        return plain;
    }
};

// The application data in one direction of a tapped TLS 1.3 stream: records under the handshake
// secret, then under the first traffic secret. Empty when a record does not decrypt.
QByteArray decryptApplicationData(QByteArrayView wire, const QByteArray &handshakeSecret, const QByteArray &trafficSecret)
{
    TrafficKey handshake(handshakeSecret), traffic(trafficSecret);
    TrafficKey *current = &handshake;
    QByteArray data;
    for (qsizetype at = 0; at + 5 <= wire.size();) {
        const int type = quint8(wire[at]);
        const qsizetype length = quint8(wire[at + 3]) << 8 | quint8(wire[at + 4]);
        const QByteArrayView header = wire.sliced(at, 5);
        const QByteArrayView payload = wire.sliced(at + 5, qMin(length, wire.size() - at - 5));
        at += 5 + length;
        if (type != 23)
            continue; // ClientHello/ServerHello, ChangeCipherSpec: not encrypted
        std::optional<QByteArray> inner = current->open(header, payload);
        if (!inner && current == &handshake) {
            current = &traffic;
            inner = current->open(header, payload);
        }
        if (!inner)
            return {};
        while (!inner->isEmpty() && inner->back() == 0)
            inner->chop(1); // padding (RFC 8446 5.4)
        if (!inner->isEmpty() && inner->back() == 23)
            data += inner->chopped(1);
    }
    return data;
}

bool startsWithHandshakeRecord(const QByteArray &bytes) { return bytes.size() >= 5 && bytes[0] == 0x16 && bytes[1] == 0x03; }

// ---- a TLS (or plain TCP) server on a loopback port, for StreamTransport ------------------

class LoopbackServer {
public:
    LoopbackServer(const Identity *identity, TlsServer::Options options = {})
    {
        if (!m_listener.listen(QHostAddress::LocalHost, 0))
            qFatal("cannot listen on loopback");
        QObject::connect(&m_listener, &QTcpServer::newConnection, [this, identity, options] {
            socket = m_listener.nextPendingConnection();
            if (identity)
                tls = std::make_unique<TlsServer>(*identity, options);
            QObject::connect(socket, &QTcpSocket::readyRead, [this] {
                const QByteArray bytes = socket->readAll();
                rawIn += bytes;
                if (!tls) {
                    plaintext += bytes;
                    return;
                }
                tls->receive(bytes);
                plaintext += std::exchange(tls->plaintext, {});
                flush();
            });
        });
    }
    void send(const QByteArray &plain)
    {
        if (!tls) {
            rawOut += plain;
            socket->write(plain);
            return;
        }
        tls->send(plain);
        flush();
    }
    void flush()
    {
        const QByteArray out = tls->takeOutgoing();
        rawOut += out;
        socket->write(out);
    }
    Endpoint endpoint() const { return {QHostAddress(QHostAddress::LocalHost), m_listener.serverPort()}; }

    QTcpSocket *socket = nullptr;
    std::unique_ptr<TlsServer> tls;
    QByteArray rawIn, rawOut, plaintext;

private:
    QTcpServer m_listener;
};

// What a StreamTransport said, in order.
struct TransportWatch {
    explicit TransportWatch(StreamTransport &t)
    {
        QObject::connect(&t, &StreamTransport::wireBytes, [this](bool outgoing, const QByteArray &bytes, qint64 timeUs) {
            (outgoing ? out : in) += bytes;
            (outgoing ? firstOut : firstIn) += (outgoing ? firstOut : firstIn).isEmpty() ? bytes : QByteArray();
            timesOk = timesOk && timeUs > 1'600'000'000'000'000LL;
        });
        QObject::connect(&t, &StreamTransport::tlsKeyLogLine, [this](const QByteArray &line) { keyLog << line; });
        QObject::connect(&t, &StreamTransport::tlsWarning, [this](const QString &text) { warnings << text; });
        QObject::connect(&t, &StreamTransport::connectedToPeer, [this] { ++connected; });
        QObject::connect(&t, &Transport::received, [this](const Message &m, const Endpoint &) { received << m.raw(); });
        QObject::connect(&t, &Transport::failed, [this](const TransportError &e) { failures << e; });
    }
    QByteArray in, out, firstIn, firstOut;
    bool timesOk = true;
    QList<QByteArray> keyLog, received;
    QStringList warnings;
    QList<TransportError> failures;
    int connected = 0;
};

} // namespace

class TestTlsClient : public QObject {
    Q_OBJECT

private slots:
    void initTestCase()
    {
        m_ca = makeIdentity({"dialscope test CA", nullptr, nullptr, true, -1, 30});
        m_otherCa = makeIdentity({"some other CA", nullptr, nullptr, true, -1, 30});
        m_leafIp = makeIdentity({"127.0.0.1", &m_ca, "IP:127.0.0.1"});
        m_leafDns = makeIdentity({"sip.example.test", &m_ca, "DNS:sip.example.test"});
        m_expired = makeIdentity({"127.0.0.1", &m_ca, "IP:127.0.0.1", false, -10, -1});
        m_notYetValid = makeIdentity({"127.0.0.1", &m_ca, "IP:127.0.0.1", false, 5, 10});
        m_selfSigned = makeIdentity({"127.0.0.1", nullptr, "IP:127.0.0.1"});
    }

    void verification_data()
    {
        QTest::addColumn<int>("server"); // index into identities()
        QTest::addColumn<int>("trust"); // 0 the test CA, 1 another CA, 2 the system store
        QTest::addColumn<QString>("serverName");
        QTest::addColumn<bool>("insecure");
        QTest::addColumn<bool>("accepted");
        QTest::addColumn<QStringList>("saying"); // in the error, or in the warnings when accepted
        QTest::addColumn<QByteArray>("sni");

        QTest::newRow("CA-signed, IP address") << 0 << 0 << u"127.0.0.1"_qs << false << true << QStringList() << QByteArray();
        QTest::newRow("CA-signed, host name (SNI)") << 1 << 0 << u"sip.example.test"_qs << false << true << QStringList() << QByteArray("sip.example.test");
        QTest::newRow("host name, any case") << 1 << 0 << u"SIP.Example.TEST"_qs << false << true << QStringList() << QByteArray("sip.example.test");
        QTest::newRow("wrong host name") << 0 << 0 << u"sip.example.test"_qs << false << false
                                         << QStringList {u"not for sip.example.test but for 127.0.0.1"_qs, u"hostname mismatch"_qs} << QByteArray();
        QTest::newRow("wrong IP address") << 0 << 0 << u"127.0.0.2"_qs << false << false
                                          << QStringList {u"not for 127.0.0.2 but for 127.0.0.1"_qs, u"IP address mismatch"_qs} << QByteArray();
        QTest::newRow("name for an IP certificate") << 1 << 0 << u"127.0.0.1"_qs << false << false << QStringList {u"but for sip.example.test"_qs}
                                                    << QByteArray();
        QTest::newRow("unknown CA (--ca of another CA)")
            << 0 << 1 << u"127.0.0.1"_qs << false << false << QStringList {u"issued by an unknown CA \"CN=dialscope test CA\""_qs} << QByteArray();
        QTest::newRow("unknown CA (system store)") << 0 << 2 << u"127.0.0.1"_qs << false << false << QStringList {u"unknown CA"_qs, u"local issuer"_qs}
                                                   << QByteArray();
        QTest::newRow("expired") << 2 << 0 << u"127.0.0.1"_qs << false << false << QStringList {u"expired on 20"_qs, u"certificate has expired"_qs}
                                 << QByteArray();
        QTest::newRow("not yet valid") << 3 << 0 << u"127.0.0.1"_qs << false << false << QStringList {u"is not valid before"_qs} << QByteArray();
        QTest::newRow("self-signed") << 4 << 0 << u"127.0.0.1"_qs << false << false << QStringList {u"\"CN=127.0.0.1\" is self-signed"_qs} << QByteArray();
        QTest::newRow("insecure: unknown CA and wrong name")
            << 0 << 2 << u"sip.example.test"_qs << true << true << QStringList {u"unknown CA"_qs, u"not for sip.example.test"_qs}
            << QByteArray("sip.example.test");
        QTest::newRow("insecure: nothing wrong") << 0 << 0 << u"127.0.0.1"_qs << true << true << QStringList() << QByteArray();
    }

    void verification()
    {
        QFETCH(int, server);
        QFETCH(int, trust);
        QFETCH(QString, serverName);
        QFETCH(bool, insecure);
        QFETCH(bool, accepted);
        QFETCH(QStringList, saying);
        QFETCH(QByteArray, sni);

        const QByteArray ca = trust == 0 ? m_ca.pem() : trust == 1 ? m_otherCa.pem() : QByteArray();
        auto client = TlsClient::create({ca, insecure, serverName});
        QVERIFY2(client, qPrintable(client ? QString() : client.error()));
        TlsServer peer(*identities()[server], {});
        QVERIFY((*client)->start());
        const Wire wire = pump(**client, peer);
        QVERIFY(startsWithHandshakeRecord(wire.toServer));

        const QString said = accepted ? (*client)->warnings().join(u'\n') : (*client)->errorString();
        if (accepted) {
            QVERIFY2((*client)->state() == TlsClient::State::Established, qPrintable((*client)->errorString()));
            QVERIFY(peer.established);
            QVERIFY((*client)->summary().startsWith(u"TLSv1."));
            QCOMPARE(peer.serverName(), sni);
            if (saying.isEmpty())
                QVERIFY2((*client)->warnings().isEmpty(), qPrintable(said));
        } else {
            QVERIFY((*client)->state() == TlsClient::State::Failed);
            QVERIFY(!peer.established);
            QVERIFY2(peer.error.contains(u"alert"), qPrintable(peer.error)); // the server was told why
        }
        for (const QString &words : saying)
            QVERIFY2(said.contains(words), qPrintable(u"\"%1\" does not say \"%2\""_qs.arg(said, words)));
    }

    void refusesTls11()
    {
        auto client = TlsClient::create({m_ca.pem(), false, u"127.0.0.1"_qs});
        QVERIFY(client);
        TlsServer peer(m_leafIp, {TLS1_VERSION, TLS1_1_VERSION});
        QVERIFY((*client)->start());
        pump(**client, peer);
        QVERIFY((*client)->state() == TlsClient::State::Failed);
        QVERIFY2((*client)->errorString().contains(u"TLS 1.2 at least"), qPrintable((*client)->errorString()));
    }

    void exchangesDataAndLogsKeys_data()
    {
        QTest::addColumn<int>("version");
        QTest::addColumn<QStringList>("labels");
        QTest::newRow("TLS 1.2") << int(TLS1_2_VERSION) << QStringList {u"CLIENT_RANDOM"_qs};
        QTest::newRow("TLS 1.3") << int(TLS1_3_VERSION)
                                 << QStringList {u"CLIENT_HANDSHAKE_TRAFFIC_SECRET"_qs, u"CLIENT_TRAFFIC_SECRET_0"_qs, u"EXPORTER_SECRET"_qs,
                                        u"SERVER_HANDSHAKE_TRAFFIC_SECRET"_qs, u"SERVER_TRAFFIC_SECRET_0"_qs};
    }

    void exchangesDataAndLogsKeys()
    {
        QFETCH(int, version);
        QFETCH(QStringList, labels);
        auto client = TlsClient::create({m_ca.pem(), false, u"127.0.0.1"_qs});
        QVERIFY(client);
        TlsServer peer(m_leafIp, {version, version});
        QVERIFY((*client)->start());
        pump(**client, peer);
        QVERIFY2((*client)->state() == TlsClient::State::Established, qPrintable((*client)->errorString()));

        QVERIFY((*client)->send(kRequest));
        pump(**client, peer);
        QCOMPARE(peer.plaintext, kRequest);
        peer.send(kResponse);
        pump(**client, peer);
        QCOMPARE((*client)->takePlaintext(), kResponse);

        // The NSS key log format, and the very secrets the server derived.
        QList<QByteArray> lines = (*client)->takeKeyLogLines();
        QStringList seen;
        for (const QByteArray &line : lines) {
            QVERIFY2(kKeyLogLine.match(QString::fromLatin1(line)).hasMatch(), line.constData());
            seen << QString::fromLatin1(line.left(line.indexOf(' ')));
        }
        seen.sort();
        QCOMPARE(seen, labels);
        std::sort(lines.begin(), lines.end());
        std::sort(peer.keyLog.begin(), peer.keyLog.end());
        QCOMPARE(lines, peer.keyLog);
        QVERIFY((*client)->takeKeyLogLines().isEmpty()); // handed out once
    }

    // The key log decrypts what the wire carried, both ways (what Wireshark does with it).
    void keyLogDecryptsTheWire()
    {
        auto client = TlsClient::create({m_ca.pem(), false, u"127.0.0.1"_qs});
        QVERIFY(client);
        TlsServer peer(m_leafIp, {TLS1_3_VERSION, TLS1_3_VERSION, "TLS_AES_128_GCM_SHA256"});
        QVERIFY((*client)->start());
        Wire wire = pump(**client, peer);
        QVERIFY((*client)->send(kRequest));
        peer.send(kResponse);
        const Wire more = pump(**client, peer);
        wire.toServer += more.toServer;
        wire.toClient += more.toClient;
        QVERIFY(startsWithHandshakeRecord(wire.toServer));
        QVERIFY(startsWithHandshakeRecord(wire.toClient));
        QVERIFY(!wire.toServer.contains("OPTIONS")); // encrypted

        const auto secrets = secretsOf((*client)->takeKeyLogLines());
        QCOMPARE(decryptApplicationData(wire.toServer, secrets["CLIENT_HANDSHAKE_TRAFFIC_SECRET"], secrets["CLIENT_TRAFFIC_SECRET_0"]), kRequest);
        QCOMPARE(decryptApplicationData(wire.toClient, secrets["SERVER_HANDSHAKE_TRAFFIC_SECRET"], secrets["SERVER_TRAFFIC_SECRET_0"]), kResponse);
    }

    void closeNotifyBothWays()
    {
        auto client = TlsClient::create({m_ca.pem(), false, u"127.0.0.1"_qs});
        QVERIFY(client);
        TlsServer peer(m_leafIp, {});
        QVERIFY((*client)->start());
        pump(**client, peer);
        (*client)->shutdown();
        QVERIFY((*client)->state() == TlsClient::State::Closed);
        pump(**client, peer);
        QVERIFY(peer.closeNotify);

        auto second = TlsClient::create({m_ca.pem(), false, u"127.0.0.1"_qs});
        TlsServer other(m_leafIp, {});
        QVERIFY((*second)->start());
        pump(**second, other);
        other.shutdown();
        pump(**second, other);
        QVERIFY((*second)->state() == TlsClient::State::Closed); // and it answered with its own
        QVERIFY(other.closeNotify);
    }

    // A server that sends faster than the application takes: cut off at kMaxPending.
    void boundedWhenFlooded()
    {
        auto client = TlsClient::create({m_ca.pem(), false, u"127.0.0.1"_qs});
        TlsServer peer(m_leafIp, {});
        QVERIFY((*client)->start());
        pump(**client, peer);
        const QByteArray block(16 * 1024, 'x');
        bool cutOff = false;
        for (int i = 0; i < 2 * TlsClient::kMaxPending / block.size() && !cutOff; ++i) {
            peer.send(block);
            cutOff = !(*client)->receive(peer.takeOutgoing());
        }
        QVERIFY(cutOff);
        QVERIFY2((*client)->errorString().contains(u"more than 1024 KiB"), qPrintable((*client)->errorString()));
        QVERIFY((*client)->takePlaintext().size() <= TlsClient::kMaxPending);
    }

    void notTls()
    {
        auto client = TlsClient::create({m_ca.pem(), false, u"127.0.0.1"_qs});
        QVERIFY((*client)->start());
        QVERIFY(!(*client)->receive(kResponse)); // a plain SIP server on the TLS port
        QVERIFY2((*client)->errorString().contains(u"does that port speak TLS?"), qPrintable((*client)->errorString()));
        QVERIFY(!(*client)->send(kRequest));
    }

    void badOptions()
    {
        auto noCa = TlsClient::create({"not a certificate", false, u"127.0.0.1"_qs});
        QVERIFY(!noCa);
        QVERIFY2(noCa.error().contains(u"no usable PEM certificate"), qPrintable(noCa.error()));
        auto noName = TlsClient::create({m_ca.pem(), false, QString()});
        QVERIFY(!noName);
    }

    // ---- StreamTransport over a loopback TCP connection ----

    void transportOverTls()
    {
        LoopbackServer server(&m_leafIp, {TLS1_3_VERSION, TLS1_3_VERSION, "TLS_AES_128_GCM_SHA256"});
        StreamTransport transport(TransportKind::Tls);
        transport.setTlsOptions({QSslCertificate::fromData(m_ca.pem()), false, {}});
        TransportWatch watch(transport);
        transport.send(kRequest, server.endpoint()); // connects, then sends once the handshake is done

        QTRY_COMPARE(server.plaintext, kRequest);
        QCOMPARE(watch.connected, 1);
        QVERIFY(transport.isConnected());
        QVERIFY(transport.tlsSummary().startsWith(u"TLSv1.3"));
        server.send(kResponse);
        QTRY_COMPARE(watch.received.size(), 1);
        QCOMPARE(watch.received.first(), kResponse);
        QVERIFY(watch.failures.isEmpty());
        QVERIFY(watch.warnings.isEmpty());

        // The wire tap holds exactly what crossed the socket, from the first handshake record.
        QTRY_COMPARE(watch.in, server.rawOut);
        QCOMPARE(watch.out, server.rawIn);
        QVERIFY(startsWithHandshakeRecord(watch.firstOut));
        QVERIFY(startsWithHandshakeRecord(watch.firstIn));
        QVERIFY(watch.timesOk);
        QCOMPARE(watch.keyLog.size(), 5);
        for (const QByteArray &line : std::as_const(watch.keyLog))
            QVERIFY2(kKeyLogLine.match(QString::fromLatin1(line)).hasMatch(), line.constData());
        const auto secrets = secretsOf(watch.keyLog);
        QCOMPARE(decryptApplicationData(watch.out, secrets["CLIENT_HANDSHAKE_TRAFFIC_SECRET"], secrets["CLIENT_TRAFFIC_SECRET_0"]), kRequest);
        QCOMPARE(decryptApplicationData(watch.in, secrets["SERVER_HANDSHAKE_TRAFFIC_SECRET"], secrets["SERVER_TRAFFIC_SECRET_0"]), kResponse);

        transport.close(); // close_notify first
        QTRY_VERIFY(server.tls->closeNotify);
        QVERIFY(watch.failures.isEmpty());
    }

    void transportRefusesWrongName()
    {
        LoopbackServer server(&m_leafIp);
        StreamTransport transport(TransportKind::Tls);
        transport.setTlsOptions({QSslCertificate::fromData(m_ca.pem()), false, u"sip.example.test"_qs});
        TransportWatch watch(transport);
        transport.send(kRequest, server.endpoint());
        QTRY_COMPARE(watch.failures.size(), 1);
        const TransportError e = watch.failures.first();
        QVERIFY(e.kind == TransportError::Kind::Tls);
        const QString prefix = u"TLS handshake with 127.0.0.1:%1 failed: the certificate is not for sip.example.test"_qs.arg(server.endpoint().port);
        QVERIFY2(e.text.startsWith(prefix), qPrintable(e.text));
        QCOMPARE(watch.connected, 0);
        QVERIFY(!transport.isConnected());
        QTRY_VERIFY(server.tls && server.tls->failed); // told with an alert
        QVERIFY(server.plaintext.isEmpty()); // the queued request never left
    }

    void transportInsecureWarns()
    {
        LoopbackServer server(&m_leafIp);
        StreamTransport transport(TransportKind::Tls);
        transport.setTlsOptions({{}, true, {}}); // the system store does not know the test CA
        TransportWatch watch(transport);
        transport.send(kRequest, server.endpoint());
        QTRY_COMPARE(server.plaintext, kRequest);
        QCOMPARE(watch.warnings.size(), 1);
        QVERIFY2(watch.warnings.first().contains(u"without verification: the certificate \"CN=127.0.0.1\" is issued by an unknown CA"),
            qPrintable(watch.warnings.first()));
    }

    void transportTcpTapsThePlainStream()
    {
        LoopbackServer server(nullptr);
        StreamTransport transport(TransportKind::Tcp);
        TransportWatch watch(transport);
        transport.send(kRequest, server.endpoint());
        QTRY_COMPARE(server.plaintext, kRequest);
        QCOMPARE(watch.out, kRequest);
        server.send(kResponse);
        QTRY_COMPARE(watch.received.size(), 1);
        QCOMPARE(watch.in, kResponse);
        QVERIFY(watch.keyLog.isEmpty());
        QVERIFY(transport.tlsSummary().isEmpty());
    }

    void transportKeyLogFileIsOptIn()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(u"keys.log"_qs);
        qputenv("SSLKEYLOGFILE", QFile::encodeName(path));
        LoopbackServer server(&m_leafIp);
        StreamTransport transport(TransportKind::Tls);
        qunsetenv("SSLKEYLOGFILE");
        transport.setTlsOptions({QSslCertificate::fromData(m_ca.pem()), false, {}});
        TransportWatch watch(transport);
        transport.send(kRequest, server.endpoint());
        QTRY_COMPARE(server.plaintext, kRequest);
        QFile file(path);
        QVERIFY(file.open(QIODevice::ReadOnly));
        QCOMPARE(file.readAll(), watch.keyLog.join('\n') + '\n');
        QCOMPARE(file.permissions() & (QFileDevice::ReadGroup | QFileDevice::ReadOther), QFileDevice::Permissions());

        StreamTransport unset(TransportKind::Tls); // the variable is read when a transport is made
        unset.setTlsOptions({QSslCertificate::fromData(m_ca.pem()), false, {}});
        TransportWatch other(unset);
        LoopbackServer second(&m_leafIp);
        unset.send(kRequest, second.endpoint());
        QTRY_COMPARE(second.plaintext, kRequest);
        QCOMPARE(QFile(path).size(), file.size());
    }

    void transportServerClosesDuringHandshake()
    {
        QTcpServer listener;
        QVERIFY(listener.listen(QHostAddress::LocalHost, 0));
        QObject::connect(&listener, &QTcpServer::newConnection, [&] {
            QTcpSocket *s = listener.nextPendingConnection();
            QObject::connect(s, &QTcpSocket::readyRead, s, [s] { s->close(); });
        });
        StreamTransport transport(TransportKind::Tls);
        TransportWatch watch(transport);
        transport.connectTo({QHostAddress(QHostAddress::LocalHost), listener.serverPort()});
        QTRY_COMPARE(watch.failures.size(), 1);
        QVERIFY2(watch.failures.first().text.contains(u"closed the connection during the TLS handshake"), qPrintable(watch.failures.first().text));
    }

private:
    QList<const Identity *> identities() const { return {&m_leafIp, &m_leafDns, &m_expired, &m_notYetValid, &m_selfSigned}; }

    Identity m_ca, m_otherCa, m_leafIp, m_leafDns, m_expired, m_notYetValid, m_selfSigned;
};

QTEST_GUILESS_MAIN(TestTlsClient)
#include "tst_tls_client.moc"
