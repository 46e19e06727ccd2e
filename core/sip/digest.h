#pragma once
// Digest computation (RFC 2617 3.2.2, RFC 7616 3.4.1, RFC 8760): a pure function of its inputs,
// returning every intermediate value so a person can compare with what the PBX logs. The
// password itself never appears in the result: its inputs show it masked.

#include <QByteArray>
#include <QByteArrayView>

#include <cstdint>
#include <optional>

namespace ds::sip {

enum class DigestAlgorithm { Md5, Md5Sess, Sha256, Sha256Sess, Sha512_256, Sha512_256Sess };

// "MD5", "SHA-256-sess"... case-insensitive; an absent algorithm means MD5 (RFC 2617 3.2.1).
std::optional<DigestAlgorithm> digestAlgorithmFromName(QByteArrayView name);
QByteArray digestAlgorithmName(DigestAlgorithm a);
// Higher is stronger; used to pick among several challenges (RFC 7616 3.7).
int digestAlgorithmStrength(DigestAlgorithm a);
bool digestAlgorithmIsSession(DigestAlgorithm a);

struct DigestInput {
    DigestAlgorithm algorithm = DigestAlgorithm::Md5;
    QByteArray username;
    QByteArray realm;
    QByteArray password;
    QByteArray method;
    QByteArray uri;
    QByteArray nonce;
    QByteArray cnonce; // required with qop or -sess
    std::uint32_t nc = 1; // nonce count
    QByteArray qop; // "", "auth" or "auth-int"
    QByteArray body; // entity body, for auth-int
};

struct DigestResult {
    QByteArray ha1Input; // "alice:example.com:********" (password masked)
    QByteArray ha1;
    QByteArray ha2Input; // "REGISTER:sip:example.com" (+ ":H(body)" for auth-int)
    QByteArray ha2;
    QByteArray responseInput; // "HA1:nonce:nc:cnonce:qop:HA2"
    QByteArray response;
    QByteArray ncText; // "00000001"
};

DigestResult computeDigest(const DigestInput &in);

// Lower-case hex digest of data with the algorithm's hash.
QByteArray digestHash(DigestAlgorithm a, QByteArrayView data);

inline constexpr QByteArrayView kPasswordMask = "********";

} // namespace ds::sip
