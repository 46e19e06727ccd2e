#include "digest.h"

#include "message.h"

#include <openssl/evp.h>

namespace ds::sip {

std::optional<DigestAlgorithm> digestAlgorithmFromName(QByteArrayView name)
{
    if (name.isEmpty() || equalsNoCase(name, "MD5"))
        return DigestAlgorithm::Md5;
    if (equalsNoCase(name, "MD5-sess"))
        return DigestAlgorithm::Md5Sess;
    if (equalsNoCase(name, "SHA-256"))
        return DigestAlgorithm::Sha256;
    if (equalsNoCase(name, "SHA-256-sess"))
        return DigestAlgorithm::Sha256Sess;
    if (equalsNoCase(name, "SHA-512-256"))
        return DigestAlgorithm::Sha512_256;
    if (equalsNoCase(name, "SHA-512-256-sess"))
        return DigestAlgorithm::Sha512_256Sess;
    return std::nullopt;
}

QByteArray digestAlgorithmName(DigestAlgorithm a)
{
    switch (a) {
    case DigestAlgorithm::Md5:
        return "MD5";
    case DigestAlgorithm::Md5Sess:
        return "MD5-sess";
    case DigestAlgorithm::Sha256:
        return "SHA-256";
    case DigestAlgorithm::Sha256Sess:
        return "SHA-256-sess";
    case DigestAlgorithm::Sha512_256:
        return "SHA-512-256";
    case DigestAlgorithm::Sha512_256Sess:
        return "SHA-512-256-sess";
    }
    return "MD5";
}

int digestAlgorithmStrength(DigestAlgorithm a)
{
    switch (a) {
    case DigestAlgorithm::Md5:
        return 1;
    case DigestAlgorithm::Md5Sess:
        return 2;
    case DigestAlgorithm::Sha256:
        return 3;
    case DigestAlgorithm::Sha256Sess:
        return 4;
    case DigestAlgorithm::Sha512_256:
        return 5;
    case DigestAlgorithm::Sha512_256Sess:
        return 6;
    }
    return 0;
}

bool digestAlgorithmIsSession(DigestAlgorithm a)
{
    return a == DigestAlgorithm::Md5Sess || a == DigestAlgorithm::Sha256Sess || a == DigestAlgorithm::Sha512_256Sess;
}

namespace {

// OpenSSL 3 looks the implementation up in its providers on every EVP_Digest() given a legacy
// EVP_md5()-style handle; fetched once, it does not (a registration test hashes thousands a second).
const EVP_MD *fetched(const char *name, const EVP_MD *legacy)
{
    const EVP_MD *md = EVP_MD_fetch(nullptr, name, nullptr);
    return md ? md : legacy;
}

} // namespace

QByteArray digestHash(DigestAlgorithm a, QByteArrayView data)
{
    static const EVP_MD *const md5 = fetched("MD5", EVP_md5());
    static const EVP_MD *const sha256 = fetched("SHA2-256", EVP_sha256());
    static const EVP_MD *const sha512_256 = fetched("SHA2-512/256", EVP_sha512_256());
    const EVP_MD *md = nullptr;
    switch (a) {
    case DigestAlgorithm::Md5:
    case DigestAlgorithm::Md5Sess:
        md = md5;
        break;
    case DigestAlgorithm::Sha256:
    case DigestAlgorithm::Sha256Sess:
        md = sha256;
        break;
    case DigestAlgorithm::Sha512_256:
    case DigestAlgorithm::Sha512_256Sess:
        md = sha512_256;
        break;
    }
    unsigned char out[EVP_MAX_MD_SIZE];
    unsigned int len = 0;
    EVP_Digest(data.data(), size_t(data.size()), out, &len, md, nullptr);
    return QByteArray(reinterpret_cast<const char *>(out), int(len)).toHex();
}

DigestResult computeDigest(const DigestInput &in)
{
    DigestResult r;
    const QByteArray userRealm = in.username + ':' + in.realm + ':';
    // RFC 7616 3.4.2: A1 = username:realm:passwd; -sess: H(username:realm:passwd):nonce:cnonce
    r.ha1 = digestHash(in.algorithm, userRealm + in.password);
    r.ha1Input = userRealm + kPasswordMask.toByteArray();
    if (digestAlgorithmIsSession(in.algorithm)) {
        const QByteArray tail = ':' + in.nonce + ':' + in.cnonce;
        r.ha1Input = "H(" + r.ha1Input + ")" + tail;
        r.ha1 = digestHash(in.algorithm, r.ha1 + tail);
    }
    // RFC 7616 3.4.3: A2 = method:uri, or method:uri:H(entity-body) for auth-int
    r.ha2Input = in.method + ':' + in.uri;
    if (in.qop == "auth-int")
        r.ha2Input += ':' + digestHash(in.algorithm, in.body);
    r.ha2 = digestHash(in.algorithm, r.ha2Input);
    r.ncText = QByteArray::number(in.nc, 16).rightJustified(8, '0');
    if (in.qop.isEmpty()) // RFC 2069 compatibility (RFC 2617 3.2.2.1)
        r.responseInput = r.ha1 + ':' + in.nonce + ':' + r.ha2;
    else
        r.responseInput = r.ha1 + ':' + in.nonce + ':' + r.ncText + ':' + in.cnonce + ':' + in.qop + ':' + r.ha2;
    r.response = digestHash(in.algorithm, r.responseInput);
    return r;
}

} // namespace ds::sip
