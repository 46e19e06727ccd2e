#pragma once
// CryptoAttribute: the SDES a=crypto attribute of RFC 4568 (9.1 grammar) for SRTP — parse, serialize,
// fresh keys, and the answerer's choice among the offered lines (RFC 4568 6.1).

#include <QByteArray>
#include <QList>
#include <QString>
#include <QStringList>

#include <array>
#include <cstdint>
#include <expected>
#include <optional>

namespace ds::sdp {

// The SRTP crypto suites we can negotiate (RFC 4568 6.2, RFC 6188 7.1, RFC 7714 14.2).
enum class CryptoSuite {
    AesCm128HmacSha1_80, // AES_CM_128_HMAC_SHA1_80: 128-bit key, 112-bit salt, 80-bit tag
    AesCm128HmacSha1_32, // AES_CM_128_HMAC_SHA1_32: the same with a 32-bit SRTP tag (SRTCP keeps 80)
    Aes256CmHmacSha1_80, // AES_256_CM_HMAC_SHA1_80 (RFC 6188)
    Aes256CmHmacSha1_32,
    AeadAes128Gcm, // AEAD_AES_128_GCM (RFC 7714): 128-bit key, 96-bit salt, 16-octet tag
    AeadAes256Gcm,
};

QByteArray cryptoSuiteName(CryptoSuite suite); // "AES_CM_128_HMAC_SHA1_80"
std::optional<CryptoSuite> cryptoSuiteFromName(QByteArrayView name); // case-sensitive, as RFC 4568 9.1 writes them
int cryptoKeyLength(CryptoSuite suite); // master key octets: 16 or 32
int cryptoSaltLength(CryptoSuite suite); // master salt octets: 14 (AES-CM) or 12 (GCM)
// What we offer, strongest-first is not the custom: the interoperable default goes first (RFC 4568 6.1 lets
// the answerer pick, and almost every peer takes the first line it supports).
QList<CryptoSuite> defaultCryptoSuites(); // what we accept, in our order of preference
QList<CryptoSuite> offeredCryptoSuites(); // what we offer: fewer lines, the usual suites first

// Master key || master salt (RFC 4568 6.1 key-salt): a secret. Never printed; zeroed when destroyed.
class MasterKey {
public:
    static constexpr int kMaxSize = 46; // 32-octet key + 14-octet salt
    MasterKey() = default;
    MasterKey(const std::uint8_t *data, int size);
    MasterKey(const MasterKey &other);
    MasterKey &operator=(const MasterKey &other);
    ~MasterKey();

    const std::uint8_t *data() const { return m_bytes.data(); }
    int size() const { return m_size; }
    bool isEmpty() const { return m_size == 0; }
    bool operator==(const MasterKey &other) const; // constant time over kMaxSize octets
    void clear();

private:
    std::array<std::uint8_t, kMaxSize> m_bytes {};
    int m_size = 0;
};

// One key-param: inline:<key||salt>[|lifetime][|MKI:length] (RFC 4568 6.1, 9.1).
struct CryptoKeyParam {
    MasterKey keySalt;
    std::optional<quint64> lifetime; // packets; "2^31" is kept as its value
    bool lifetimeAsPower = true; // written as 2^n when it is a power of two
    std::optional<quint64> mki; // the MKI value, when the key has one
    int mkiLength = 0; // its length on the wire, 1..128 octets
};

// Why an a=crypto value (or an offer's set of them) is not usable, in a word and a sentence.
struct CryptoError {
    enum class Code {
        MissingTag, // no tag before the suite
        BadTag, // not 1-9 digits
        MissingSuite,
        MissingKeyParams,
        BadKeyMethod, // not "inline:" (RFC 4568 6.1: the only key method defined)
        BadBase64,
        WrongKeyLength, // the key||salt does not fit the suite
        BadLifetime,
        BadMki,
        BadSessionParam, // a session parameter out of its grammar
        UnsupportedSuite, // parsed, but not one we implement (choosing only)
        UnsupportedParam, // a session parameter we do not implement (RFC 4568 6.3: the line is then unusable)
        NoCrypto, // an SAVP offer without any a=crypto line (choosing only)
    };
    Code code = Code::MissingTag;
    QString what;
    QString toString() const { return what; }
};

struct CryptoAttribute {
    quint32 tag = 1; // 1..999999999 (RFC 4568 9.1: 1*9DIGIT)
    QByteArray suiteName; // as written
    std::optional<CryptoSuite> suite; // when the name is one we know
    QList<CryptoKeyParam> keys; // at least one (several only with MKIs or lifetimes)
    QList<QByteArray> sessionParams; // as written: "KDR=0", "UNENCRYPTED_SRTCP", "WSH=128"...

    // The attribute value, after "a=crypto:". Contains the key: send it, never log it.
    QByteArray toValue() const;
    // A crypto attribute value with an unknown suite still parses (the suite names stay extensible); the key of
    // a known suite is checked against its length.
    static std::expected<CryptoAttribute, CryptoError> parse(QByteArrayView value);
};

// A fresh random key||salt for the suite from OpenSSL's RAND_bytes (RFC 3711 9.2 wants a
// cryptographically random master key); fails only when the RNG does.
std::expected<MasterKey, QString> generateMasterKey(CryptoSuite suite);

// One crypto line with a fresh key and no lifetime or MKI, the way we offer.
std::expected<CryptoAttribute, QString> makeCryptoAttribute(quint32 tag, CryptoSuite suite);

// RFC 4568 6.1 / 7.1.1: the answerer takes the first offered line it supports and answers with the same tag and
// suite and a key of its own. `offered` are the a=crypto values of one m= section in order.
struct CryptoChoice {
    CryptoAttribute remote; // the offered line chosen: the key the offerer sends with
    CryptoAttribute local; // our answer line: same tag and suite, a new key
};
std::expected<CryptoChoice, CryptoError> chooseAnswerCrypto(const QList<QByteArray> &offered, const QList<CryptoSuite> &supported);

// The offerer's check of the answer (RFC 4568 7.1.3): exactly one line, whose tag is one we offered, with the
// same suite. `offered` are our lines. Gives the answer's line (its key is what the answerer sends with).
std::expected<CryptoAttribute, CryptoError> checkAnswerCrypto(const QList<QByteArray> &answered, const QList<CryptoAttribute> &offered);

// Whether a parsed line can drive our SRTP context: a known suite, session parameters we implement
// (none, or KDR=0 and WSH), one key.
std::optional<CryptoError> usableCrypto(const CryptoAttribute &a, const QList<CryptoSuite> &supported);

} // namespace ds::sdp
