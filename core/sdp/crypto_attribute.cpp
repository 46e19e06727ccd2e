#include "crypto_attribute.h"

#include <openssl/crypto.h>
#include <openssl/rand.h>

#include <algorithm>
#include <bit>

namespace ds::sdp {

namespace {

struct SuiteInfo {
    CryptoSuite suite;
    QByteArrayView name;
    int keyLength;
    int saltLength;
};

constexpr SuiteInfo kSuites[] = {
    {CryptoSuite::AesCm128HmacSha1_80, "AES_CM_128_HMAC_SHA1_80", 16, 14},
    {CryptoSuite::AesCm128HmacSha1_32, "AES_CM_128_HMAC_SHA1_32", 16, 14},
    {CryptoSuite::Aes256CmHmacSha1_80, "AES_256_CM_HMAC_SHA1_80", 32, 14},
    {CryptoSuite::Aes256CmHmacSha1_32, "AES_256_CM_HMAC_SHA1_32", 32, 14},
    {CryptoSuite::AeadAes128Gcm, "AEAD_AES_128_GCM", 16, 12},
    {CryptoSuite::AeadAes256Gcm, "AEAD_AES_256_GCM", 32, 12},
};

const SuiteInfo &info(CryptoSuite s)
{
    for (const SuiteInfo &i : kSuites)
        if (i.suite == s)
            return i;
    return kSuites[0];
}

std::unexpected<CryptoError> fail(CryptoError::Code code, QString what) { return std::unexpected(CryptoError {code, std::move(what)}); }

QString shown(QByteArrayView v) { return QStringLiteral("\"%1\"").arg(QString::fromLatin1(v.first(std::min<qsizetype>(v.size(), 40)))); }

bool allDigits(QByteArrayView v)
{
    return !v.isEmpty() && std::all_of(v.begin(), v.end(), [](char c) { return c >= '0' && c <= '9'; });
}

std::optional<quint64> decimal(QByteArrayView v, int maxDigits)
{
    if (!allDigits(v) || v.size() > maxDigits)
        return std::nullopt;
    quint64 n = 0;
    for (char c : v)
        n = n * 10 + quint64(c - '0');
    return n;
}

bool isBase64Char(char c) { return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '+' || c == '/' || c == '='; }

// RFC 4568 9.1: srtp-key-info = key-salt ["|" lifetime] ["|" mki]
std::expected<CryptoKeyParam, CryptoError> parseKeyParam(QByteArrayView param, std::optional<CryptoSuite> suite)
{
    constexpr QByteArrayView inlinePrefix = "inline:";
    if (!param.startsWith(inlinePrefix))
        return fail(CryptoError::Code::BadKeyMethod,
            QStringLiteral("the key parameter must start with \"inline:\" (RFC 4568 6.1), got %1")
                .arg(shown(param.first(std::min<qsizetype>(param.size(), 10)))));
    const QList<QByteArrayView> parts = [&] {
        QList<QByteArrayView> out;
        QByteArrayView rest = param.sliced(inlinePrefix.size());
        for (qsizetype bar; (bar = rest.indexOf('|')) >= 0; rest = rest.sliced(bar + 1))
            out.append(rest.first(bar));
        out.append(rest);
        return out;
    }();
    if (parts.size() > 3)
        return fail(CryptoError::Code::BadKeyMethod, QStringLiteral("the key has more than key|lifetime|MKI fields"));
    CryptoKeyParam k;
    const QByteArrayView b64 = parts[0];
    if (b64.isEmpty() || !std::all_of(b64.begin(), b64.end(), isBase64Char))
        return fail(CryptoError::Code::BadBase64, QStringLiteral("the key is not base64 (RFC 4568 6.1)"));
    // Padding is optional on the wire: some peers strip it.
    QByteArray padded = b64.toByteArray();
    while (padded.size() % 4)
        padded.append('=');
    auto decoded = QByteArray::fromBase64Encoding(padded, QByteArray::AbortOnBase64DecodingErrors);
    if (!decoded)
        return fail(CryptoError::Code::BadBase64, QStringLiteral("the key is not valid base64 (RFC 4568 6.1)"));
    const qsizetype size = decoded.decoded.size();
    if (size == 0 || size > MasterKey::kMaxSize) {
        OPENSSL_cleanse(decoded.decoded.data(), size_t(size));
        return fail(CryptoError::Code::WrongKeyLength, QStringLiteral("the key||salt is %1 octets; no suite uses that").arg(size));
    }
    if (suite && size != cryptoKeyLength(*suite) + cryptoSaltLength(*suite)) {
        OPENSSL_cleanse(decoded.decoded.data(), size_t(size));
        return fail(CryptoError::Code::WrongKeyLength,
            QStringLiteral("%1 needs a %2-octet key||salt, the line has %3")
                .arg(QString::fromLatin1(cryptoSuiteName(*suite)))
                .arg(cryptoKeyLength(*suite) + cryptoSaltLength(*suite))
                .arg(size));
    }
    k.keySalt = MasterKey(reinterpret_cast<const std::uint8_t *>(decoded.decoded.constData()), int(size));
    OPENSSL_cleanse(decoded.decoded.data(), size_t(size));
    for (qsizetype i = 1; i < parts.size(); ++i) {
        const QByteArrayView f = parts[i];
        if (const qsizetype colon = f.indexOf(':'); colon >= 0) {
            // mki = mki-value ":" mki-length; mki-length 1*3DIGIT, 1..128
            if (k.mki)
                return fail(CryptoError::Code::BadMki, QStringLiteral("the key has two MKI fields"));
            const auto value = decimal(f.first(colon), 19);
            const auto length = decimal(f.sliced(colon + 1), 3);
            if (!value || !length || *length < 1 || *length > 128)
                return fail(CryptoError::Code::BadMki, QStringLiteral("the MKI must be <value>:<length 1-128>, got %1").arg(shown(f)));
            if (*length < 8 && *value >= (quint64(1) << (8 * *length)))
                return fail(CryptoError::Code::BadMki, QStringLiteral("the MKI value %1 does not fit in %2 octets").arg(*value).arg(*length));
            k.mki = *value;
            k.mkiLength = int(*length);
        } else {
            // lifetime = ["2^"] 1*(DIGIT)
            if (k.lifetime || k.mki)
                return fail(CryptoError::Code::BadLifetime, QStringLiteral("the lifetime must come once, before the MKI, got %1").arg(shown(f)));
            if (f.startsWith("2^")) {
                const auto power = decimal(f.sliced(2), 2);
                if (!power || *power > 63 || *power == 0)
                    return fail(CryptoError::Code::BadLifetime, QStringLiteral("the lifetime must be 2^1..2^63, got %1").arg(shown(f)));
                k.lifetime = quint64(1) << *power;
                k.lifetimeAsPower = true;
            } else {
                const auto n = decimal(f, 19);
                if (!n || *n == 0)
                    return fail(CryptoError::Code::BadLifetime, QStringLiteral("the lifetime must be a number of packets or 2^n, got %1").arg(shown(f)));
                k.lifetime = *n;
                k.lifetimeAsPower = false;
            }
        }
    }
    return k;
}

bool isKnownSessionParam(QByteArrayView p)
{
    // RFC 4568 6.3.1-6.3.7, as far as the grammar of 9.2 goes.
    if (p == "UNENCRYPTED_SRTCP" || p == "UNENCRYPTED_SRTP" || p == "UNAUTHENTICATED_SRTP")
        return true;
    if (p.startsWith("KDR="))
        return decimal(p.sliced(4), 2).has_value();
    if (p.startsWith("WSH="))
        return decimal(p.sliced(4), 9).has_value();
    if (p.startsWith("FEC_ORDER="))
        return p.sliced(10) == "FEC_SRTP" || p.sliced(10) == "SRTP_FEC";
    if (p.startsWith("FEC_KEY="))
        return p.size() > 8;
    return false;
}

} // namespace

QByteArray cryptoSuiteName(CryptoSuite suite) { return info(suite).name.toByteArray(); }

std::optional<CryptoSuite> cryptoSuiteFromName(QByteArrayView name)
{
    for (const SuiteInfo &i : kSuites)
        if (i.name == name)
            return i.suite;
    return std::nullopt;
}

int cryptoKeyLength(CryptoSuite suite) { return info(suite).keyLength; }
int cryptoSaltLength(CryptoSuite suite) { return info(suite).saltLength; }

QList<CryptoSuite> defaultCryptoSuites()
{
    return {CryptoSuite::AesCm128HmacSha1_80, CryptoSuite::AesCm128HmacSha1_32, CryptoSuite::AeadAes128Gcm, CryptoSuite::AeadAes256Gcm,
        CryptoSuite::Aes256CmHmacSha1_80, CryptoSuite::Aes256CmHmacSha1_32};
}

QList<CryptoSuite> offeredCryptoSuites()
{
    return {CryptoSuite::AesCm128HmacSha1_80, CryptoSuite::AesCm128HmacSha1_32, CryptoSuite::AeadAes128Gcm, CryptoSuite::Aes256CmHmacSha1_80};
}

// ---- MasterKey ---------------------------------------------------------------

MasterKey::MasterKey(const std::uint8_t *data, int size)
    : m_size(std::clamp(size, 0, kMaxSize))
{
    std::copy_n(data, m_size, m_bytes.begin());
}

MasterKey::MasterKey(const MasterKey &other)
    : m_bytes(other.m_bytes)
    , m_size(other.m_size)
{
}

MasterKey &MasterKey::operator=(const MasterKey &other)
{
    if (this != &other) {
        m_bytes = other.m_bytes;
        m_size = other.m_size;
    }
    return *this;
}

MasterKey::~MasterKey() { clear(); }

void MasterKey::clear()
{
    OPENSSL_cleanse(m_bytes.data(), m_bytes.size());
    m_size = 0;
}

bool MasterKey::operator==(const MasterKey &other) const
{
    return m_size == other.m_size && CRYPTO_memcmp(m_bytes.data(), other.m_bytes.data(), m_bytes.size()) == 0;
}

// ---- parse / serialize --------------------------------------------------------

std::expected<CryptoAttribute, CryptoError> CryptoAttribute::parse(QByteArrayView value)
{
    // a=crypto:<tag> 1*WSP <crypto-suite> 1*WSP <key-params> *(1*WSP <session-param>)
    QList<QByteArrayView> fields;
    for (qsizetype i = 0; i < value.size();) {
        while (i < value.size() && (value[i] == ' ' || value[i] == '\t'))
            ++i;
        qsizetype j = i;
        while (j < value.size() && value[j] != ' ' && value[j] != '\t')
            ++j;
        if (j > i)
            fields.append(value.sliced(i, j - i));
        i = j;
    }
    if (fields.isEmpty())
        return fail(CryptoError::Code::MissingTag, QStringLiteral("a=crypto is empty: it needs <tag> <suite> inline:<key>"));
    const auto tag = decimal(fields[0], 9);
    if (!tag)
        return fail(CryptoError::Code::BadTag, QStringLiteral("the tag must be 1 to 9 digits (RFC 4568 9.1), got %1").arg(shown(fields[0])));
    if (fields.size() < 2)
        return fail(CryptoError::Code::MissingSuite, QStringLiteral("a=crypto:%1 names no crypto suite").arg(*tag));
    if (fields.size() < 3)
        return fail(CryptoError::Code::MissingKeyParams, QStringLiteral("a=crypto:%1 has no inline:<key> parameter").arg(*tag));
    CryptoAttribute a;
    a.tag = quint32(*tag);
    a.suiteName = fields[1].toByteArray();
    a.suite = cryptoSuiteFromName(fields[1]);
    for (QByteArrayView rest = fields[2];;) {
        const qsizetype semi = rest.indexOf(';');
        auto key = parseKeyParam(semi < 0 ? rest : rest.first(semi), a.suite);
        if (!key)
            return std::unexpected(key.error());
        a.keys.append(std::move(*key));
        if (semi < 0)
            break;
        rest = rest.sliced(semi + 1);
        if (a.keys.size() >= 16)
            return fail(CryptoError::Code::BadKeyMethod, QStringLiteral("more than 16 keys in one a=crypto line"));
    }
    if (a.keys.size() > 1 && std::any_of(a.keys.begin(), a.keys.end(), [](const CryptoKeyParam &k) { return !k.mki; }))
        return fail(CryptoError::Code::BadMki, QStringLiteral("several keys in one line need an MKI each (RFC 4568 6.1)"));
    for (qsizetype i = 3; i < fields.size(); ++i) {
        const QByteArrayView p = fields[i];
        if (!std::all_of(p.begin(), p.end(), [](char c) { return c > 0x20 && c < 0x7f; }))
            return fail(CryptoError::Code::BadSessionParam, QStringLiteral("session parameter %1 is not visible characters").arg(shown(p)));
        a.sessionParams.append(p.toByteArray());
    }
    return a;
}

QByteArray CryptoAttribute::toValue() const
{
    QByteArray out = QByteArray::number(tag) + ' ' + suiteName + ' ';
    for (qsizetype i = 0; i < keys.size(); ++i) {
        const CryptoKeyParam &k = keys[i];
        if (i)
            out += ';';
        QByteArray raw(reinterpret_cast<const char *>(k.keySalt.data()), k.keySalt.size());
        out += "inline:" + raw.toBase64();
        OPENSSL_cleanse(raw.data(), size_t(raw.size()));
        if (k.lifetime) {
            const quint64 v = *k.lifetime;
            if (k.lifetimeAsPower && v && !(v & (v - 1)))
                out += "|2^" + QByteArray::number(std::countr_zero(v));
            else
                out += '|' + QByteArray::number(v);
        }
        if (k.mki)
            out += '|' + QByteArray::number(*k.mki) + ':' + QByteArray::number(k.mkiLength);
    }
    for (const QByteArray &p : sessionParams)
        out += ' ' + p;
    return out;
}

// ---- keys and choice ------------------------------------------------------------

std::expected<MasterKey, QString> generateMasterKey(CryptoSuite suite)
{
    std::array<std::uint8_t, MasterKey::kMaxSize> bytes {};
    const int size = cryptoKeyLength(suite) + cryptoSaltLength(suite);
    if (RAND_bytes(bytes.data(), size) != 1)
        return std::unexpected(QStringLiteral("the random number generator failed: no SRTP key"));
    MasterKey k(bytes.data(), size);
    OPENSSL_cleanse(bytes.data(), bytes.size());
    return k;
}

std::expected<CryptoAttribute, QString> makeCryptoAttribute(quint32 tag, CryptoSuite suite)
{
    auto key = generateMasterKey(suite);
    if (!key)
        return std::unexpected(key.error());
    CryptoAttribute a;
    a.tag = tag;
    a.suite = suite;
    a.suiteName = cryptoSuiteName(suite);
    a.keys.append(CryptoKeyParam {*key, std::nullopt, true, std::nullopt, 0});
    return a;
}

std::optional<CryptoError> usableCrypto(const CryptoAttribute &a, const QList<CryptoSuite> &supported)
{
    if (!a.suite || !supported.contains(*a.suite))
        return CryptoError {CryptoError::Code::UnsupportedSuite, QStringLiteral("suite %1 is not one we use").arg(QString::fromLatin1(a.suiteName))};
    if (a.keys.size() != 1)
        return CryptoError {CryptoError::Code::UnsupportedParam, QStringLiteral("a=crypto:%1 has %2 master keys; we use one").arg(a.tag).arg(a.keys.size())};
    for (const QByteArray &p : a.sessionParams) {
        // RFC 4568 6.3: a session parameter the answerer does not implement makes the line unusable. KDR=0 is the
        // default (no re-derivation); WSH only sizes the replay window.
        if (p == "KDR=0" || (p.startsWith("WSH=") && isKnownSessionParam(p)))
            continue;
        if (!isKnownSessionParam(p))
            return CryptoError {
                CryptoError::Code::BadSessionParam, QStringLiteral("a=crypto:%1 has the unknown session parameter %2").arg(a.tag).arg(shown(p))};
        return CryptoError {CryptoError::Code::UnsupportedParam, QStringLiteral("a=crypto:%1 asks for %2, which we do not implement").arg(a.tag).arg(shown(p))};
    }
    return std::nullopt;
}

std::expected<CryptoChoice, CryptoError> chooseAnswerCrypto(const QList<QByteArray> &offered, const QList<CryptoSuite> &supported)
{
    if (offered.isEmpty())
        return fail(CryptoError::Code::NoCrypto, QStringLiteral("the offer has no a=crypto line"));
    QStringList why;
    for (const QByteArray &value : offered) {
        auto a = CryptoAttribute::parse(value);
        if (!a) {
            why.append(a.error().what);
            continue;
        }
        if (auto problem = usableCrypto(*a, supported)) {
            why.append(problem->what);
            continue;
        }
        auto local = makeCryptoAttribute(a->tag, *a->suite); // RFC 4568 6.1: the same tag, our own key
        if (!local)
            return fail(CryptoError::Code::UnsupportedParam, local.error());
        return CryptoChoice {std::move(*a), std::move(*local)};
    }
    return fail(CryptoError::Code::UnsupportedSuite, QStringLiteral("no usable a=crypto line: %1").arg(why.join(QStringLiteral("; "))));
}

std::expected<CryptoAttribute, CryptoError> checkAnswerCrypto(const QList<QByteArray> &answered, const QList<CryptoAttribute> &offered)
{
    if (answered.isEmpty())
        return fail(CryptoError::Code::NoCrypto, QStringLiteral("the answer has no a=crypto line"));
    if (answered.size() > 1) // RFC 4568 5.1.2: exactly one in the answer
        return fail(CryptoError::Code::UnsupportedParam, QStringLiteral("the answer has %1 a=crypto lines; RFC 4568 wants one").arg(answered.size()));
    auto a = CryptoAttribute::parse(answered.first());
    if (!a)
        return std::unexpected(a.error());
    const auto ours = std::find_if(offered.begin(), offered.end(), [&](const CryptoAttribute &o) { return o.tag == a->tag; });
    if (ours == offered.end())
        return fail(CryptoError::Code::BadTag, QStringLiteral("the answer's a=crypto tag %1 is not one we offered").arg(a->tag));
    if (ours->suiteName != a->suiteName)
        return fail(CryptoError::Code::UnsupportedSuite,
            QStringLiteral("the answer's a=crypto:%1 says %2 where we offered %3")
                .arg(a->tag)
                .arg(QString::fromLatin1(a->suiteName), QString::fromLatin1(ours->suiteName)));
    QList<CryptoSuite> suites;
    if (ours->suite)
        suites.append(*ours->suite);
    if (auto problem = usableCrypto(*a, suites))
        return std::unexpected(*problem);
    return *a;
}

} // namespace ds::sdp
