#include "media/srtp_context.h"

#include <openssl/crypto.h>

#include <srtp2/srtp.h>

#include <algorithm>
#include <mutex>

namespace ds::media {

namespace {

struct ProfileInfo {
    SrtpProfile profile;
    const char *name;
    int keySize; // key || salt
};

constexpr ProfileInfo kProfiles[] = {
    {SrtpProfile::AesCm128HmacSha1_80, "AES_CM_128_HMAC_SHA1_80", 30},
    {SrtpProfile::AesCm128HmacSha1_32, "AES_CM_128_HMAC_SHA1_32", 30},
    {SrtpProfile::Aes256CmHmacSha1_80, "AES_256_CM_HMAC_SHA1_80", 46},
    {SrtpProfile::Aes256CmHmacSha1_32, "AES_256_CM_HMAC_SHA1_32", 46},
    {SrtpProfile::AeadAes128Gcm, "AEAD_AES_128_GCM", 28},
    {SrtpProfile::AeadAes256Gcm, "AEAD_AES_256_GCM", 44},
};

const ProfileInfo &info(SrtpProfile p)
{
    for (const ProfileInfo &i : kProfiles)
        if (i.profile == p)
            return i;
    return kProfiles[0];
}

void quietLog(srtp_log_level_t, const char *, void *) { } // errors come back as values; nothing per packet on stderr

// libsrtp's crypto kernel is global: initialised once for the process, by whichever thread comes first.
std::optional<QString> initLibrary()
{
    static std::once_flag once;
    static srtp_err_status_t status = srtp_err_status_ok;
    std::call_once(once, [] {
        status = srtp_init();
        if (status == srtp_err_status_ok)
            srtp_install_log_handler(quietLog, nullptr);
    });
    if (status != srtp_err_status_ok)
        return QStringLiteral("libsrtp2 did not initialise (error %1)").arg(int(status));
    return std::nullopt;
}

void setCryptoPolicies(SrtpProfile p, srtp_policy_t &policy)
{
    switch (p) {
    case SrtpProfile::AesCm128HmacSha1_80:
        srtp_crypto_policy_set_aes_cm_128_hmac_sha1_80(&policy.rtp);
        srtp_crypto_policy_set_aes_cm_128_hmac_sha1_80(&policy.rtcp);
        break;
    case SrtpProfile::AesCm128HmacSha1_32: // RFC 4568 6.2.2: SRTCP keeps the 80-bit tag
        srtp_crypto_policy_set_aes_cm_128_hmac_sha1_32(&policy.rtp);
        srtp_crypto_policy_set_aes_cm_128_hmac_sha1_80(&policy.rtcp);
        break;
    case SrtpProfile::Aes256CmHmacSha1_80:
        srtp_crypto_policy_set_aes_cm_256_hmac_sha1_80(&policy.rtp);
        srtp_crypto_policy_set_aes_cm_256_hmac_sha1_80(&policy.rtcp);
        break;
    case SrtpProfile::Aes256CmHmacSha1_32: // RFC 6188 7.1: likewise
        srtp_crypto_policy_set_aes_cm_256_hmac_sha1_32(&policy.rtp);
        srtp_crypto_policy_set_aes_cm_256_hmac_sha1_80(&policy.rtcp);
        break;
    case SrtpProfile::AeadAes128Gcm: // RFC 7714 14.2: 16-octet tag on both
        srtp_crypto_policy_set_aes_gcm_128_16_auth(&policy.rtp);
        srtp_crypto_policy_set_aes_gcm_128_16_auth(&policy.rtcp);
        break;
    case SrtpProfile::AeadAes256Gcm:
        srtp_crypto_policy_set_aes_gcm_256_16_auth(&policy.rtp);
        srtp_crypto_policy_set_aes_gcm_256_16_auth(&policy.rtcp);
        break;
    }
}

SrtpStatus statusOf(srtp_err_status_t e)
{
    switch (e) {
    case srtp_err_status_auth_fail:
        return SrtpStatus::AuthFailed;
    case srtp_err_status_replay_fail:
    case srtp_err_status_replay_old:
        return SrtpStatus::Replay;
    case srtp_err_status_bad_param:
    case srtp_err_status_parse_err:
        return SrtpStatus::Malformed;
    default:
        return SrtpStatus::Failed;
    }
}

} // namespace

QByteArray srtpProfileName(SrtpProfile profile) { return QByteArray(info(profile).name); }
int srtpMasterKeySize(SrtpProfile profile) { return info(profile).keySize; }

QString srtpStatusName(SrtpStatus status)
{
    switch (status) {
    case SrtpStatus::AuthFailed:
        return QStringLiteral("authentication failed");
    case SrtpStatus::Replay:
        return QStringLiteral("replayed");
    case SrtpStatus::Malformed:
        return QStringLiteral("malformed");
    case SrtpStatus::Failed:
        return QStringLiteral("failed");
    }
    return {};
}

// ---- SrtpKey -------------------------------------------------------------------

SrtpKey::SrtpKey(const std::uint8_t *data, int size)
    : m_size(std::clamp(size, 0, kMaxSize))
{
    std::copy_n(data, m_size, m_bytes.begin());
}

SrtpKey::SrtpKey(const SrtpKey &other)
    : m_bytes(other.m_bytes)
    , m_size(other.m_size)
{
}

SrtpKey &SrtpKey::operator=(const SrtpKey &other)
{
    if (this != &other) {
        m_bytes = other.m_bytes;
        m_size = other.m_size;
    }
    return *this;
}

bool SrtpKey::operator==(const SrtpKey &other) const
{
    return m_size == other.m_size && CRYPTO_memcmp(m_bytes.data(), other.m_bytes.data(), m_bytes.size()) == 0;
}

SrtpKey::~SrtpKey() { OPENSSL_cleanse(m_bytes.data(), m_bytes.size()); }

// ---- SrtpContext ---------------------------------------------------------------

std::expected<std::unique_ptr<SrtpContext>, QString> SrtpContext::create(const SrtpParams &params)
{
    if (auto error = initLibrary())
        return std::unexpected(*error);
    const int size = srtpMasterKeySize(params.profile);
    const QString name = QString::fromLatin1(srtpProfileName(params.profile));
    if (params.sendKey.size() != size || params.receiveKey.size() != size)
        return std::unexpected(QStringLiteral("%1 needs %2-octet master keys").arg(name).arg(size));
    if (params.receiveMki && (params.receiveMkiLength < 1 || params.receiveMkiLength > 128))
        return std::unexpected(QStringLiteral("an MKI of %1 octets is outside 1-128").arg(params.receiveMkiLength));

    // libsrtp reads the keys while srtp_create derives the session keys; these copies are wiped right after.
    std::array<unsigned char, SrtpKey::kMaxSize> sendKey {}, receiveKey {};
    std::copy_n(params.sendKey.data(), size, sendKey.begin());
    std::copy_n(params.receiveKey.data(), size, receiveKey.begin());
    std::array<unsigned char, 128> mkiId {};
    srtp_master_key_t mkiKey {receiveKey.data(), mkiId.data(), 0};
    srtp_master_key_t *mkiKeys[] = {&mkiKey};

    srtp_policy_t outbound {}, inbound {};
    setCryptoPolicies(params.profile, outbound);
    setCryptoPolicies(params.profile, inbound);
    outbound.ssrc.type = ssrc_any_outbound; // whatever SSRC we send with (RFC 3711 8.1: one key per direction)
    outbound.key = sendKey.data();
    outbound.window_size = 128;
    inbound.ssrc.type = ssrc_any_inbound; // the peer's SSRC is learnt from its first authentic packet
    inbound.window_size = std::clamp<unsigned long>(static_cast<unsigned long>(params.replayWindow), 64, 0x7fff);
    if (params.receiveMki) {
        // The MKI travels big-endian in mkiLength octets (RFC 3711 3.1).
        quint64 v = *params.receiveMki;
        for (int i = params.receiveMkiLength - 1; i >= 0 && v; --i, v >>= 8)
            mkiId[std::size_t(i)] = static_cast<unsigned char>(v & 0xff);
        mkiKey.mki_size = unsigned(params.receiveMkiLength);
        inbound.keys = mkiKeys;
        inbound.num_master_keys = 1;
    } else {
        inbound.key = receiveKey.data();
    }

    std::unique_ptr<SrtpContext> c(new SrtpContext);
    c->m_profile = params.profile;
    c->m_mki = params.receiveMki.has_value();
    srtp_err_status_t status = srtp_create(&c->m_send, &outbound);
    if (status != srtp_err_status_ok)
        c->m_send = nullptr;
    else if ((status = srtp_create(&c->m_receive, &inbound)) != srtp_err_status_ok)
        c->m_receive = nullptr;
    OPENSSL_cleanse(sendKey.data(), sendKey.size());
    OPENSSL_cleanse(receiveKey.data(), receiveKey.size());
    if (status != srtp_err_status_ok)
        return std::unexpected(QStringLiteral("libsrtp2 refused the %1 policy (error %2)").arg(name).arg(int(status)));
    return c;
}

SrtpContext::~SrtpContext()
{
    for (srtp_ctx_t *session : {m_send, m_receive})
        if (session)
            srtp_dealloc(session); // wipes the session keys
}

std::expected<std::size_t, SrtpStatus> SrtpContext::protectRtp(std::span<std::uint8_t> buffer, std::size_t length)
{
    if (length < 12 || length > buffer.size() || buffer.size() - length < kMaxTrailer || length > std::size_t(INT32_MAX) / 2)
        return std::unexpected(SrtpStatus::Malformed);
    int len = int(length);
    const srtp_err_status_t e = srtp_protect(m_send, buffer.data(), &len);
    if (e != srtp_err_status_ok)
        return std::unexpected(statusOf(e));
    return std::size_t(len);
}

std::expected<std::size_t, SrtpStatus> SrtpContext::protectRtcp(std::span<std::uint8_t> buffer, std::size_t length)
{
    if (length < 8 || length > buffer.size() || buffer.size() - length < kMaxTrailer || length > std::size_t(INT32_MAX) / 2)
        return std::unexpected(SrtpStatus::Malformed);
    int len = int(length);
    const srtp_err_status_t e = srtp_protect_rtcp(m_send, buffer.data(), &len);
    if (e != srtp_err_status_ok)
        return std::unexpected(statusOf(e));
    return std::size_t(len);
}

std::expected<std::size_t, SrtpStatus> SrtpContext::unprotectRtp(std::span<std::uint8_t> packet)
{
    if (packet.size() < 12 || packet.size() > std::size_t(INT32_MAX) / 2)
        return std::unexpected(SrtpStatus::Malformed);
    int len = int(packet.size());
    const srtp_err_status_t e = srtp_unprotect_mki(m_receive, packet.data(), &len, m_mki ? 1 : 0);
    if (e != srtp_err_status_ok)
        return std::unexpected(statusOf(e));
    return std::size_t(len);
}

std::expected<std::size_t, SrtpStatus> SrtpContext::unprotectRtcp(std::span<std::uint8_t> packet)
{
    if (packet.size() < 8 || packet.size() > std::size_t(INT32_MAX) / 2)
        return std::unexpected(SrtpStatus::Malformed);
    int len = int(packet.size());
    const srtp_err_status_t e = srtp_unprotect_rtcp_mki(m_receive, packet.data(), &len, m_mki ? 1 : 0);
    if (e != srtp_err_status_ok)
        return std::unexpected(statusOf(e));
    return std::size_t(len);
}

} // namespace ds::media
