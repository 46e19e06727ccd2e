#include "digest_server.h"

#include "header_values.h"
#include "random.h"
#include "uri.h"

#include <QtEndian>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <optional>

namespace ds::sip {

namespace {

// nonce = base64url(time(8, big-endian ms of the Clock) || salt(8) || HMAC-SHA256(secret, time || salt || realm))
constexpr qsizetype kTimeSize = 8;
constexpr qsizetype kSaltSize = 8;
constexpr qsizetype kMacSize = 32;
constexpr qsizetype kNonceSize = kTimeSize + kSaltSize + kMacSize;
constexpr auto kBase64 = QByteArray::Base64UrlEncoding | QByteArray::OmitTrailingEquals;

DigestServer::Verdict verdict(DigestServer::Check c, QString explanation) { return {c, std::move(explanation), DigestAlgorithm::Md5, {}, 0}; }

QString text(QByteArrayView v) { return QString::fromUtf8(clip(v, 80)); }

// nc is exactly 8 hex digits (RFC 7616 3.4).
std::optional<std::uint32_t> parseNonceCount(QByteArrayView v)
{
    if (v.size() != 8)
        return std::nullopt;
    std::uint32_t n = 0;
    for (char c : v) {
        int d = -1;
        if (c >= '0' && c <= '9')
            d = c - '0';
        else if (c >= 'a' && c <= 'f')
            d = c - 'a' + 10;
        else if (c >= 'A' && c <= 'F')
            d = c - 'A' + 10;
        if (d < 0)
            return std::nullopt;
        n = n * 16 + std::uint32_t(d);
    }
    return n;
}

bool sameUri(QByteArrayView a, QByteArrayView b)
{
    if (a == b)
        return true;
    // The same URI written differently (case of the scheme or host, escaping) is the same URI; and
    // so is one that only adds or drops the port: SIPp's [authentication] writes the registrar's
    // host:port whatever the Request-URI says (Kamailio accepts it too). Another host or user is not.
    const auto ua = Uri::parse(a);
    const auto ub = Uri::parse(b);
    if (!ua || !ub)
        return false;
    if (ua->toString() == ub->toString())
        return true;
    return ua->scheme == ub->scheme && ua->scheme != Uri::Scheme::Other && ua->scheme != Uri::Scheme::Tel && ua->user == ub->user
        && equalsNoCase(ua->host, ub->host);
}

} // namespace

DigestServer::DigestServer(Clock &clock, Options options)
    : m_clock(clock)
    , m_options(std::move(options))
{
    Q_ASSERT(!m_options.algorithms.isEmpty());
    m_secret.resize(32);
    secureRandom(m_secret.data(), m_secret.size());
    m_opaque = randomHex(8);
}

void DigestServer::setAlgorithms(QList<DigestAlgorithm> algorithms)
{
    Q_ASSERT(!algorithms.isEmpty());
    m_options.algorithms = std::move(algorithms);
}

QByteArray DigestServer::mac(QByteArrayView data) const
{
    unsigned char out[EVP_MAX_MD_SIZE];
    unsigned int len = 0;
    HMAC(EVP_sha256(), m_secret.constData(), int(m_secret.size()), reinterpret_cast<const unsigned char *>(data.data()), size_t(data.size()), out, &len);
    return QByteArray(reinterpret_cast<const char *>(out), int(len));
}

QByteArray DigestServer::newNonce() const
{
    QByteArray raw(kTimeSize + kSaltSize, Qt::Uninitialized);
    qToBigEndian<qint64>(m_clock.nowMs(), raw.data());
    secureRandom(raw.data() + kTimeSize, kSaltSize);
    raw += mac(raw + m_options.realm);
    return raw.toBase64(kBase64);
}

DigestServer::NonceState DigestServer::checkNonce(QByteArrayView nonce) const
{
    if (nonce.size() > kNonceSize * 2)
        return NonceState::Invalid;
    const auto decoded = QByteArray::fromBase64Encoding(nonce.toByteArray(), kBase64 | QByteArray::AbortOnBase64DecodingErrors);
    if (!decoded || decoded.decoded.size() != kNonceSize)
        return NonceState::Invalid;
    const QByteArray &raw = decoded.decoded;
    const QByteArray expected = mac(raw.first(kTimeSize + kSaltSize) + m_options.realm);
    if (CRYPTO_memcmp(expected.constData(), raw.constData() + kTimeSize + kSaltSize, kMacSize) != 0)
        return NonceState::Invalid;
    const qint64 issued = qFromBigEndian<qint64>(raw.constData());
    const qint64 now = m_clock.nowMs();
    if (issued > now)
        return NonceState::Invalid; // the clock is monotonic: a nonce from the future is not ours
    return now - issued > m_options.nonceLifetimeMs ? NonceState::Stale : NonceState::Valid;
}

QList<QByteArray> DigestServer::challenges(bool stale) const
{
    QList<QByteArray> out;
    for (DigestAlgorithm a : m_options.algorithms) {
        QByteArray v = "Digest realm=" + quoted(m_options.realm) + ", nonce=" + quoted(newNonce()) + ", opaque=" + quoted(m_opaque)
            + ", algorithm=" + digestAlgorithmName(a) + ", qop=\"auth\"";
        if (stale)
            v += ", stale=true";
        out.append(v);
    }
    return out;
}

QByteArray DigestServer::challengeHeaders(bool stale, HeaderId header) const
{
    QByteArray out;
    const QByteArray name = headerLongName(header).toByteArray();
    for (const QByteArray &c : challenges(stale))
        out += name + ": " + c + "\r\n";
    return out;
}

std::uint32_t DigestServer::lastCount(const QByteArray &nonce) const
{
    const auto it = m_recentIndex.constFind(nonce);
    return it == m_recentIndex.cend() ? 0 : (*it)->second;
}

void DigestServer::remember(const QByteArray &nonce, std::uint32_t nc)
{
    if (const auto it = m_recentIndex.find(nonce); it != m_recentIndex.end()) {
        (*it)->second = nc;
        m_recent.splice(m_recent.begin(), m_recent, *it);
        return;
    }
    m_recent.emplace_front(nonce, nc);
    m_recentIndex.insert(nonce, m_recent.begin());
    while (m_recent.size() > std::size_t(kMaxRecentNonces)) {
        m_recentIndex.remove(m_recent.back().first);
        m_recent.pop_back();
    }
}

DigestServer::Verdict DigestServer::verify(const Message &request, QByteArrayView username, QByteArrayView password, HeaderId header)
{
    const QString name = QString::fromLatin1(headerLongName(header));
    // RFC 3261 22.4: a request may carry credentials for several realms; ours are the ones to check.
    std::optional<AuthValue> cred;
    std::optional<Verdict> problem;
    int seen = 0;
    for (const HeaderField &h : request.headers()) {
        if (h.id != header)
            continue;
        if (++seen > kMaxCredentialHeaders)
            break;
        const QByteArrayView value = request.value(h);
        if (value.size() > kMaxCredentialsSize) {
            problem = verdict(
                Check::Malformed, QStringLiteral("the %1 header is %2 bytes long, more than %3").arg(name).arg(value.size()).arg(kMaxCredentialsSize));
            continue;
        }
        auto parsed = parseAuthValues(value);
        if (!parsed) {
            problem = verdict(Check::Malformed, QStringLiteral("the %1 header is malformed: %2").arg(name, parsed.error().what));
            continue;
        }
        if (parsed->size() != 1) {
            problem = verdict(Check::Malformed, QStringLiteral("the %1 header holds %2 credentials instead of one").arg(name).arg(parsed->size()));
            continue;
        }
        const AuthValue &a = parsed->front();
        if (!equalsNoCase(a.scheme, "Digest")) {
            problem = verdict(Check::Scheme, QStringLiteral("the %1 header uses the scheme \"%2\", not Digest").arg(name, text(a.scheme)));
            continue;
        }
        if (a.params.size() > kMaxParams) {
            problem = verdict(Check::Malformed, QStringLiteral("the %1 header has %2 parameters, more than %3").arg(name).arg(a.params.size()).arg(kMaxParams));
            continue;
        }
        bool bad = false;
        for (qsizetype i = 0; i < a.params.size() && !bad; ++i) {
            if (a.params[i].second.size() > kMaxParamSize) {
                problem = verdict(
                    Check::Malformed, QStringLiteral("the %1 parameter \"%2\" is longer than %3 bytes").arg(name, text(a.params[i].first)).arg(kMaxParamSize));
                bad = true;
            }
            for (qsizetype j = 0; j < i && !bad; ++j)
                if (a.params[j].first == a.params[i].first) {
                    problem = verdict(Check::Malformed, QStringLiteral("the %1 header repeats the parameter \"%2\"").arg(name, text(a.params[i].first)));
                    bad = true;
                }
        }
        if (bad)
            continue;
        if (a.param("realm") != m_options.realm) {
            problem = verdict(Check::Realm,
                QStringLiteral("the credentials are for realm \"%1\", not \"%2\"").arg(text(a.param("realm")), QString::fromUtf8(m_options.realm)));
            continue;
        }
        cred = a;
        break;
    }
    if (!cred)
        return problem ? *problem : verdict(Check::Missing, QStringLiteral("the request carries no %1 header").arg(name));

    const AuthValue &a = *cred;
    const QByteArray user = a.param("username");
    if (user != username)
        return verdict(Check::Username, QStringLiteral("the credentials are for user \"%1\", not \"%2\"").arg(text(user), QString::fromUtf8(username)));
    const QByteArray nonce = a.param("nonce");
    const NonceState nonceState = checkNonce(nonce);
    // Not ours: forged, or from before a restart (a new secret). Decided once the digest is known:
    // right credentials get stale=true (a fresh nonce), as for an old one; wrong ones a refusal.
    const bool foreign = nonceState == NonceState::Invalid;
    const auto foreignNonce = [&] { return verdict(Check::Nonce, QStringLiteral("the nonce \"%1\" was not issued by this server").arg(text(nonce))); };
    if (foreign) {
        // Only well-formed credentials for what we offer can be "right": anything else is refused.
        const auto alg = digestAlgorithmFromName(a.param("algorithm"));
        const auto count = parseNonceCount(a.param("nc"));
        if (!alg || !m_options.algorithms.contains(*alg) || !sameUri(a.param("uri"), request.requestUri()) || !equalsNoCase(a.param("qop"), "auth") || !count
            || *count == 0 || a.param("cnonce").isEmpty())
            return foreignNonce();
    }
    if (!foreign && a.has("opaque") && a.param("opaque") != m_opaque)
        return verdict(Check::Opaque, QStringLiteral("the opaque value \"%1\" is not the one of the challenge").arg(text(a.param("opaque"))));
    const auto algorithm = digestAlgorithmFromName(a.param("algorithm"));
    if (!algorithm || !m_options.algorithms.contains(*algorithm))
        return verdict(Check::Algorithm,
            QStringLiteral("the algorithm \"%1\" was not offered").arg(a.has("algorithm") ? text(a.param("algorithm")) : QStringLiteral("MD5 (by default)")));
    const QByteArray uri = a.param("uri");
    if (!sameUri(uri, request.requestUri()))
        return verdict(Check::Uri, QStringLiteral("the digest uri \"%1\" differs from the Request-URI \"%2\"").arg(text(uri), text(request.requestUri())));
    // We offer qop="auth" only, so the client must use it (RFC 7616 3.4), with nc and cnonce.
    if (!equalsNoCase(a.param("qop"), "auth"))
        return verdict(Check::Qop,
            a.has("qop") ? QStringLiteral("the qop \"%1\" was not offered (only auth)").arg(text(a.param("qop")))
                         : QStringLiteral("the credentials have no qop"));
    const auto nc = parseNonceCount(a.param("nc"));
    if (!nc || *nc == 0)
        return verdict(Check::Qop, QStringLiteral("the nonce count \"%1\" is not 8 hex digits above zero").arg(text(a.param("nc"))));
    const QByteArray cnonce = a.param("cnonce");
    if (cnonce.isEmpty())
        return verdict(Check::Qop, QStringLiteral("the credentials have qop=auth but no cnonce"));

    DigestInput in;
    in.algorithm = *algorithm;
    in.username = user;
    in.realm = m_options.realm;
    in.password = password.toByteArray();
    in.method = request.method().toByteArray();
    in.uri = uri;
    in.nonce = nonce;
    in.cnonce = cnonce;
    in.nc = *nc;
    in.qop = "auth";
    const QByteArray expected = computeDigest(in).response;
    const QByteArray got = a.param("response").toLower();
    const QString algorithmName = QString::fromLatin1(digestAlgorithmName(*algorithm));
    Verdict v {Check::Ok, {}, *algorithm, user, *nc};
    if (got.size() != expected.size() || CRYPTO_memcmp(got.constData(), expected.constData(), size_t(expected.size())) != 0) {
        if (foreign)
            return foreignNonce();
        v.check = Check::Response;
        v.explanation = QStringLiteral("the %1 digest response for user \"%2\" does not match: the password is wrong").arg(algorithmName, text(user));
        return v;
    }
    if (foreign) {
        v.check = Check::Stale;
        v.explanation = QStringLiteral("the nonce was not issued by this server (it restarted?); the credentials were right");
        return v;
    }
    // RFC 7616 3.3: stale only when the digest was right for the old nonce.
    if (nonceState == NonceState::Stale) {
        v.check = Check::Stale;
        v.explanation = QStringLiteral("the nonce is older than %1 s; the credentials were right").arg(m_options.nonceLifetimeMs / 1000);
        return v;
    }
    const std::uint32_t last = lastCount(nonce);
    if (last == 0 && *nc != 1) {
        // Not remembered (evicted from the bounded memory): a fresh nonce restores the count.
        v.check = Check::Stale;
        v.explanation = QStringLiteral("the nonce count %1 continues a nonce this server no longer tracks").arg(*nc);
        return v;
    }
    if (last != 0 && *nc <= last) {
        v.check = Check::Replay;
        v.explanation = QStringLiteral("the nonce count %1 is not above %2, already accepted with this nonce: a replay").arg(*nc).arg(last);
        return v;
    }
    remember(nonce, *nc);
    v.explanation = QStringLiteral("%1 digest of user \"%2\" verified").arg(algorithmName, text(user));
    return v;
}

QString DigestServer::checkName(Check c)
{
    switch (c) {
    case Check::Ok:
        return QStringLiteral("ok");
    case Check::Missing:
        return QStringLiteral("missing");
    case Check::Malformed:
        return QStringLiteral("malformed");
    case Check::Scheme:
        return QStringLiteral("scheme");
    case Check::Realm:
        return QStringLiteral("realm");
    case Check::Username:
        return QStringLiteral("username");
    case Check::Nonce:
        return QStringLiteral("nonce");
    case Check::Opaque:
        return QStringLiteral("opaque");
    case Check::Algorithm:
        return QStringLiteral("algorithm");
    case Check::Uri:
        return QStringLiteral("uri");
    case Check::Qop:
        return QStringLiteral("qop");
    case Check::Response:
        return QStringLiteral("wrong-password");
    case Check::Stale:
        return QStringLiteral("stale-nonce");
    case Check::Replay:
        return QStringLiteral("replay");
    }
    return QStringLiteral("malformed");
}

} // namespace ds::sip
