#include "tls_client.h"

#include <QDateTime>
#include <QDir>
#include <QFile>
#include <QHostAddress>
#include <QUrl>

#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>

#include <ctime>

namespace ds::sip {

namespace {

constexpr qsizetype kReadChunk = 16 * 1024; // one TLS record's plaintext at most (RFC 8446 5.1)
constexpr qsizetype kMaxKeyLogLines = 16; // a handshake derives 1 (TLS 1.2) or 5 (TLS 1.3)

QString nameText(const X509_NAME *name)
{
    if (!name)
        return {};
    BIO *bio = BIO_new(BIO_s_mem());
    if (!bio)
        return {};
    X509_NAME_print_ex(bio, name, 0, XN_FLAG_RFC2253 & ~ASN1_STRFLGS_ESC_MSB); // "CN=sip.example.com,O=Example"
    char *data = nullptr;
    const long n = BIO_get_mem_data(bio, &data);
    QString text = QString::fromUtf8(data, n);
    BIO_free(bio);
    return text;
}

QString timeText(const ASN1_TIME *time)
{
    std::tm tm {};
    if (!time || ASN1_TIME_to_tm(time, &tm) != 1)
        return QStringLiteral("an unreadable date");
    return QDateTime(QDate(tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday), QTime(tm.tm_hour, tm.tm_min, tm.tm_sec), Qt::UTC).toString(Qt::ISODate);
}

// The names a certificate is for (RFC 6125 6.4): its subjectAltName entries, else its CN.
QString namesText(X509 *cert)
{
    QStringList names;
    if (auto *sans = static_cast<GENERAL_NAMES *>(X509_get_ext_d2i(cert, NID_subject_alt_name, nullptr, nullptr))) {
        for (int i = 0; i < sk_GENERAL_NAME_num(sans); ++i) {
            const GENERAL_NAME *name = sk_GENERAL_NAME_value(sans, i);
            if (name->type == GEN_DNS) {
                names << QString::fromLatin1(reinterpret_cast<const char *>(ASN1_STRING_get0_data(name->d.dNSName)), ASN1_STRING_length(name->d.dNSName));
            } else if (name->type == GEN_IPADD) {
                const unsigned char *ip = ASN1_STRING_get0_data(name->d.iPAddress);
                const int length = ASN1_STRING_length(name->d.iPAddress);
                if (length == 4)
                    names << QHostAddress(quint32(ip[0]) << 24 | quint32(ip[1]) << 16 | quint32(ip[2]) << 8 | ip[3]).toString();
                else if (length == 16)
                    names << QHostAddress(ip).toString();
            }
        }
        GENERAL_NAMES_free(sans);
    }
    if (names.isEmpty()) {
        const QString subject = nameText(X509_get_subject_name(cert));
        return subject.isEmpty() ? QStringLiteral("no name") : subject;
    }
    return names.join(QStringLiteral(", "));
}

// One certificate problem in plain words, with OpenSSL's own wording in parentheses.
QString problemText(int error, X509 *cert, const QString &serverName)
{
    // OpenSSL reports a missing issuer up to three ways; one sentence says it.
    const bool unknownIssuer = error == X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT || error == X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY
        || error == X509_V_ERR_UNABLE_TO_VERIFY_LEAF_SIGNATURE;
    const QString reason = QString::fromLatin1(X509_verify_cert_error_string(unknownIssuer ? X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY : error));
    if (!cert)
        return reason;
    const QString subject = nameText(X509_get_subject_name(cert));
    switch (error) {
    case X509_V_ERR_HOSTNAME_MISMATCH:
    case X509_V_ERR_IP_ADDRESS_MISMATCH:
        return QStringLiteral("the certificate is not for %1 but for %2 (%3)").arg(serverName, namesText(cert), reason);
    case X509_V_ERR_CERT_HAS_EXPIRED:
        return QStringLiteral("the certificate \"%1\" expired on %2 (%3)").arg(subject, timeText(X509_get0_notAfter(cert)), reason);
    case X509_V_ERR_CERT_NOT_YET_VALID:
        return QStringLiteral("the certificate \"%1\" is not valid before %2 (%3)").arg(subject, timeText(X509_get0_notBefore(cert)), reason);
    case X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT:
        return QStringLiteral("the certificate \"%1\" is self-signed and not trusted (%2)").arg(subject, reason);
    case X509_V_ERR_SELF_SIGNED_CERT_IN_CHAIN:
        return QStringLiteral("the certificate chain ends in \"%1\", a CA that is not trusted (%2)").arg(subject, reason);
    case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT:
    case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY:
    case X509_V_ERR_UNABLE_TO_VERIFY_LEAF_SIGNATURE:
        return QStringLiteral("the certificate \"%1\" is issued by an unknown CA \"%2\" (%3)").arg(subject, nameText(X509_get_issuer_name(cert)), reason);
    default:
        return QStringLiteral("the certificate \"%1\": %2").arg(subject, reason);
    }
}

// What OpenSSL's error queue says went wrong (emptying it), with a hint for the usual causes.
QString errorQueueText()
{
    QStringList reasons;
    while (const unsigned long e = ERR_get_error()) {
        const char *r = ERR_reason_error_string(e);
        const QString text = r ? QString::fromLatin1(r) : QStringLiteral("OpenSSL error %1").arg(e, 0, 16);
        if (!reasons.contains(text))
            reasons << text;
    }
    if (reasons.isEmpty())
        return QStringLiteral("the TLS library failed without saying why");
    QString text = reasons.join(QStringLiteral("; "));
    if (text.contains(u"wrong version number") || text.contains(u"packet length too long") || text.contains(u"record layer failure"))
        text += QStringLiteral(" (does that port speak TLS?)");
    else if (text.contains(u"unsupported protocol") || text.contains(u"protocol version"))
        text += QStringLiteral(" (no TLS version in common: TLS 1.2 at least is required)");
    return text;
}

// The system's trusted CAs, set up once and shared by every client (an X509_STORE is reference
// counted and locks its own cache): OpenSSL's default places, or SSL_CERT_FILE / SSL_CERT_DIR.
// Like Qt, prefer the hashed directory, from which OpenSSL reads an issuer when a chain needs
// it; parsing the whole bundle file costs tens of milliseconds, so it is the fallback.
X509_STORE *systemTrustStore()
{
    static X509_STORE *const store = [] { // kept for the life of the process, like Qt's CA cache
        X509_STORE *s = X509_STORE_new();
        if (!s)
            return s;
        const QString dirEnv = qEnvironmentVariable(X509_get_default_cert_dir_env());
        const QString fileEnv = qEnvironmentVariable(X509_get_default_cert_file_env());
        if (!dirEnv.isEmpty() || !fileEnv.isEmpty()) {
            if (!dirEnv.isEmpty())
                X509_STORE_load_path(s, QFile::encodeName(dirEnv).constData());
            if (!fileEnv.isEmpty())
                X509_STORE_load_file(s, QFile::encodeName(fileEnv).constData());
        } else if (!QDir(QString::fromLocal8Bit(X509_get_default_cert_dir()))
                        .entryList({QStringLiteral("*.0")}, QDir::Files | QDir::System | QDir::NoDotAndDotDot)
                        .isEmpty()) {
            X509_STORE_load_path(s, X509_get_default_cert_dir()); // c_rehash'd, as Debian keeps it
        } else {
            X509_STORE_load_file(s, X509_get_default_cert_file());
        }
        ERR_clear_error(); // a missing place is not an error: verification will say what is unknown
        return s;
    }();
    return store;
}

} // namespace

void TlsClient::Free::operator()(ssl_st *ssl) const { SSL_free(ssl); }
void TlsClient::Free::operator()(ssl_ctx_st *ctx) const { SSL_CTX_free(ctx); }

TlsClient::TlsClient(const TlsClientOptions &options)
    : m_options(options)
{
}

TlsClient::~TlsClient() = default; // SSL_free frees both BIOs

std::expected<std::unique_ptr<TlsClient>, QString> TlsClient::create(const TlsClientOptions &options)
{
    std::unique_ptr<TlsClient> client(new TlsClient(options));
    ERR_clear_error(); // the queue is per thread and shared with anything else using OpenSSL
    if (auto ok = client->setUp(); !ok) {
        ERR_clear_error();
        return std::unexpected(ok.error());
    }
    return client;
}

std::expected<void, QString> TlsClient::setUp()
{
    m_ctx.reset(SSL_CTX_new(TLS_client_method()));
    if (!m_ctx)
        return std::unexpected(QStringLiteral("cannot set up TLS: ") + errorQueueText());
    SSL_CTX *ctx = m_ctx.get();
    SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION); // RFC 8996: TLS 1.0 and 1.1 are deprecated
    SSL_CTX_set_options(ctx, SSL_OP_NO_RENEGOTIATION | SSL_OP_NO_COMPRESSION);
    if (m_options.caPem.isEmpty()) {
        X509_STORE *system = systemTrustStore();
        if (!system)
            return std::unexpected(QStringLiteral("cannot load the system's trusted CA certificates: ") + errorQueueText());
        SSL_CTX_set1_cert_store(ctx, system);
    } else {
        BIO *pem = BIO_new_mem_buf(m_options.caPem.constData(), int(m_options.caPem.size()));
        if (!pem)
            return std::unexpected(QStringLiteral("cannot read the CA certificates: ") + errorQueueText());
        X509_STORE *store = SSL_CTX_get_cert_store(ctx);
        int loaded = 0;
        while (X509 *cert = PEM_read_bio_X509(pem, nullptr, nullptr, nullptr)) {
            loaded += X509_STORE_add_cert(store, cert) == 1 ? 1 : 0;
            X509_free(cert);
        }
        BIO_free(pem);
        ERR_clear_error(); // the end of the PEM text reads as an error
        if (loaded == 0)
            return std::unexpected(QStringLiteral("the CA certificates hold no usable PEM certificate"));
    }
    // Every certificate problem is collected (verifyEach), then verifyChain decides: refuse, or
    // go on and report them as warnings when insecure.
    SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, &TlsClient::verifyEach);
    SSL_CTX_set_cert_verify_callback(ctx, &TlsClient::verifyChain, nullptr);
    SSL_CTX_set_keylog_callback(ctx, &TlsClient::keyLog);

    m_ssl.reset(SSL_new(ctx));
    if (!m_ssl)
        return std::unexpected(QStringLiteral("cannot set up TLS: ") + errorQueueText());
    SSL *ssl = m_ssl.get();
    SSL_set_app_data(ssl, this);
    m_in = BIO_new(BIO_s_mem());
    m_out = BIO_new(BIO_s_mem());
    if (!m_in || !m_out) {
        BIO_free(m_in);
        BIO_free(m_out);
        m_in = m_out = nullptr;
        return std::unexpected(QStringLiteral("cannot set up TLS: out of memory"));
    }
    BIO_set_mem_eof_return(m_in, -1); // empty means "more to come", not end of stream
    SSL_set_bio(ssl, m_in, m_out); // ssl owns them from here
    SSL_set_connect_state(ssl);

    QString name = m_options.serverName.trimmed();
    if (name.startsWith(u'[') && name.endsWith(u']'))
        name = name.mid(1, name.size() - 2);
    if (name.endsWith(u'.'))
        name.chop(1);
    if (name.isEmpty())
        return std::unexpected(QStringLiteral("no server name to check the certificate against"));
    if (QHostAddress ip; ip.setAddress(name)) {
        // An IP literal: matched against iPAddress subjectAltNames, never sent as SNI (RFC 6066 3).
        ip.setScopeId({});
        bool v4 = false;
        if (const quint32 mapped = ip.toIPv4Address(&v4); v4)
            ip = QHostAddress(mapped); // ::ffff:192.0.2.1 is 192.0.2.1 to a certificate
        if (X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(ssl), ip.toString().toLatin1().constData()) != 1)
            return std::unexpected(QStringLiteral("cannot check the certificate against %1: ").arg(name) + errorQueueText());
    } else {
        const QByteArray ace = QUrl::toAce(name);
        if (ace.isEmpty())
            return std::unexpected(QStringLiteral("\"%1\" is not a valid host name").arg(name));
        SSL_set_hostflags(ssl, X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS);
        if (SSL_set1_host(ssl, ace.constData()) != 1 || SSL_set_tlsext_host_name(ssl, ace.constData()) != 1)
            return std::unexpected(QStringLiteral("cannot check the certificate against %1: ").arg(name) + errorQueueText());
    }
    return {};
}

std::expected<void, QString> TlsClient::start()
{
    Q_ASSERT(m_state == State::Idle);
    m_state = State::Handshaking;
    ERR_clear_error();
    const int r = SSL_do_handshake(m_ssl.get()); // writes the ClientHello, then wants the ServerHello
    if (r != 1 && SSL_get_error(m_ssl.get(), r) != SSL_ERROR_WANT_READ)
        return fail(errorQueueText());
    return {};
}

std::expected<void, QString> TlsClient::receive(QByteArrayView ciphertext)
{
    if (m_state == State::Failed)
        return std::unexpected(m_error);
    if (m_state != State::Handshaking && m_state != State::Established)
        return {}; // closed: what follows close_notify is ignored (RFC 8446 6.1)
    if (pendingInput() + ciphertext.size() > kMaxPending)
        return fail(QStringLiteral("the server sent more than %1 KiB that could not be processed").arg(kMaxPending / 1024));
    if (!ciphertext.isEmpty() && BIO_write(m_in, ciphertext.data(), int(ciphertext.size())) != int(ciphertext.size()))
        return fail(QStringLiteral("out of memory"));
    ERR_clear_error();
    if (m_state == State::Handshaking) {
        const int r = SSL_do_handshake(m_ssl.get());
        if (r != 1) {
            if (SSL_get_error(m_ssl.get(), r) == SSL_ERROR_WANT_READ)
                return {};
            return fail(handshakeError());
        }
        m_state = State::Established;
    }
    return readApplicationData();
}

std::expected<void, QString> TlsClient::readApplicationData()
{
    while (true) {
        const qsizetype old = m_plain.size();
        m_plain.resize(old + kReadChunk);
        size_t n = 0;
        const int r = SSL_read_ex(m_ssl.get(), m_plain.data() + old, size_t(kReadChunk), &n);
        m_plain.resize(old + (r == 1 ? qsizetype(n) : 0));
        if (r == 1)
            continue;
        switch (SSL_get_error(m_ssl.get(), r)) {
        case SSL_ERROR_WANT_READ:
            return {}; // also after post-handshake messages (RFC 8446 4.6.1 NewSessionTicket)
        case SSL_ERROR_ZERO_RETURN:
            shutdown(); // the server's close_notify: answer with ours
            return {};
        default:
            return fail(errorQueueText());
        }
    }
}

std::expected<void, QString> TlsClient::send(QByteArrayView plaintext)
{
    if (m_state == State::Failed)
        return std::unexpected(m_error);
    if (m_state != State::Established)
        return std::unexpected(QStringLiteral("the TLS connection is not open"));
    if (plaintext.isEmpty())
        return {};
    ERR_clear_error();
    size_t written = 0;
    // A memory BIO never pushes back, so all of it is encrypted at once (no partial writes).
    if (SSL_write_ex(m_ssl.get(), plaintext.data(), size_t(plaintext.size()), &written) != 1)
        return fail(errorQueueText());
    return {};
}

void TlsClient::shutdown()
{
    if (m_state == State::Established) {
        ERR_clear_error();
        SSL_shutdown(m_ssl.get()); // queues close_notify; the server's answer is not waited for
        ERR_clear_error();
    }
    if (m_state != State::Failed)
        m_state = State::Closed;
}

QByteArray TlsClient::takeOutgoing()
{
    const size_t pending = m_out ? BIO_ctrl_pending(m_out) : 0;
    if (pending == 0)
        return {};
    QByteArray bytes(qsizetype(pending), Qt::Uninitialized);
    const int n = BIO_read(m_out, bytes.data(), int(pending));
    bytes.resize(qMax(n, 0));
    return bytes;
}

QByteArray TlsClient::takePlaintext() { return std::exchange(m_plain, {}); }

QList<QByteArray> TlsClient::takeKeyLogLines() { return std::exchange(m_keyLog, {}); }

QString TlsClient::summary() const
{
    if (m_state != State::Established && m_state != State::Closed)
        return {};
    const SSL_CIPHER *cipher = SSL_get_current_cipher(m_ssl.get());
    return QString::fromLatin1(SSL_get_version(m_ssl.get())) + u' ' + QString::fromLatin1(cipher ? SSL_CIPHER_get_name(cipher) : "?");
}

std::expected<void, QString> TlsClient::fail(QString error)
{
    m_state = State::Failed;
    m_error = std::move(error);
    ERR_clear_error();
    return std::unexpected(m_error);
}

QString TlsClient::handshakeError()
{
    if (!m_problems.isEmpty()) {
        ERR_clear_error(); // "certificate verify failed": the problems say it better
        return m_problems.join(QStringLiteral("; "));
    }
    return errorQueueText();
}

qsizetype TlsClient::pendingInput() const { return qsizetype(BIO_ctrl_pending(m_in)) + m_plain.size(); }

int TlsClient::verifyEach(int ok, X509_STORE_CTX *store)
{
    if (ok)
        return 1;
    auto *ssl = static_cast<SSL *>(X509_STORE_CTX_get_ex_data(store, SSL_get_ex_data_X509_STORE_CTX_idx()));
    auto *self = ssl ? static_cast<TlsClient *>(SSL_get_app_data(ssl)) : nullptr;
    if (!self)
        return 0;
    const int error = X509_STORE_CTX_get_error(store);
    const QString text = problemText(error, X509_STORE_CTX_get_current_cert(store), self->m_options.serverName);
    if (!self->m_problems.contains(text))
        self->m_problems << text;
    if (self->m_firstError == X509_V_OK)
        self->m_firstError = error;
    return 1; // go on, to find every problem
}

int TlsClient::verifyChain(X509_STORE_CTX *store, void *)
{
    auto *ssl = static_cast<SSL *>(X509_STORE_CTX_get_ex_data(store, SSL_get_ex_data_X509_STORE_CTX_idx()));
    auto *self = ssl ? static_cast<TlsClient *>(SSL_get_app_data(ssl)) : nullptr;
    if (!self)
        return 0;
    self->m_problems.clear();
    self->m_firstError = X509_V_OK;
    if (X509_verify_cert(store) != 1 && self->m_problems.isEmpty()) // failed before any certificate was looked at
        self->m_problems << QString::fromLatin1(X509_verify_cert_error_string(X509_STORE_CTX_get_error(store)));
    if (self->m_problems.isEmpty())
        return 1;
    if (self->m_options.insecure) {
        self->m_warnings = self->m_problems;
        return 1;
    }
    // Refused: the server gets the alert for the first problem (RFC 8446 6.2, e.g. unknown_ca).
    X509_STORE_CTX_set_error(store, self->m_firstError != X509_V_OK ? self->m_firstError : X509_V_ERR_UNSPECIFIED);
    return 0;
}

void TlsClient::keyLog(const SSL *ssl, const char *line)
{
    auto *self = static_cast<TlsClient *>(SSL_get_app_data(ssl));
    if (self && self->m_keyLog.size() < kMaxKeyLogLines)
        self->m_keyLog.append(QByteArray(line));
}

} // namespace ds::sip
