#pragma once
// SrtpContext: one stream's SRTP/SRTCP protection over libsrtp2 (RFC 3711) — an outbound and an inbound
// policy, packets protected and unprotected in place in the caller's buffer; media thread.

#include <QByteArray>
#include <QString>

#include <array>
#include <cstdint>
#include <expected>
#include <memory>
#include <optional>
#include <span>

struct srtp_ctx_t_;

namespace ds::media {

// The SDES suites (RFC 4568 6.2, RFC 6188, RFC 7714) in media's own words; media/ knows nothing of SDP.
enum class SrtpProfile {
    AesCm128HmacSha1_80,
    AesCm128HmacSha1_32,
    Aes256CmHmacSha1_80,
    Aes256CmHmacSha1_32,
    AeadAes128Gcm,
    AeadAes256Gcm,
};
QByteArray srtpProfileName(SrtpProfile profile); // "AES_CM_128_HMAC_SHA1_80", as SDES names it
int srtpMasterKeySize(SrtpProfile profile); // key || salt octets: 30, 46, 28 or 44

// Master key || master salt: a secret, copied only into libsrtp, never printed; zeroed when destroyed.
class SrtpKey {
public:
    static constexpr int kMaxSize = 46;
    SrtpKey() = default;
    SrtpKey(const std::uint8_t *data, int size);
    SrtpKey(const SrtpKey &other);
    SrtpKey &operator=(const SrtpKey &other);
    ~SrtpKey();
    const std::uint8_t *data() const { return m_bytes.data(); }
    int size() const { return m_size; }
    bool operator==(const SrtpKey &other) const; // constant time

private:
    std::array<std::uint8_t, kMaxSize> m_bytes {};
    int m_size = 0;
};

// What a stream needs to protect its packets (from the SDES negotiation).
struct SrtpParams {
    SrtpProfile profile = SrtpProfile::AesCm128HmacSha1_80;
    SrtpKey sendKey; // ours: what we put in our a=crypto
    SrtpKey receiveKey; // theirs: what the peer put in its a=crypto
    std::optional<quint64> receiveMki; // RFC 4568 6.1: the peer's packets carry this MKI
    int receiveMkiLength = 0;
    int replayWindow = 128; // RFC 3711 3.3.2 (at least 64); RFC 4568 WSH may raise it
    bool operator==(const SrtpParams &) const = default;
};

// Why a packet could not be protected or unprotected. Counted by the caller, never logged per packet.
enum class SrtpStatus {
    AuthFailed, // the tag does not match: wrong key, tampering, or plain RTP where SRTP was agreed
    Replay, // a packet index seen before, or too old for the window (RFC 3711 3.3.2)
    Malformed, // too short, or too long for the buffer
    Failed, // anything else libsrtp reports (key expired, cipher failure)
};
QString srtpStatusName(SrtpStatus status);

// Not copyable; one per RTP stream, created on the control path (allocation), used on the media thread
// without allocating: libsrtp builds its per-SSRC stream once, on the first packet of each direction.
class SrtpContext {
public:
    // Room a protected packet needs beyond the plain one: tag, MKI, and SRTCP's index (RFC 3711 3.4).
    static constexpr std::size_t kMaxTrailer = 16 + 128 + 4;

    static std::expected<std::unique_ptr<SrtpContext>, QString> create(const SrtpParams &params);
    ~SrtpContext();
    SrtpContext(const SrtpContext &) = delete;
    SrtpContext &operator=(const SrtpContext &) = delete;

    SrtpProfile profile() const { return m_profile; }

    // `buffer` holds `length` octets of plain RTP (RTCP) and has room for kMaxTrailer more; gives the
    // protected length.
    std::expected<std::size_t, SrtpStatus> protectRtp(std::span<std::uint8_t> buffer, std::size_t length);
    std::expected<std::size_t, SrtpStatus> protectRtcp(std::span<std::uint8_t> buffer, std::size_t length);
    // `packet` is one protected datagram; gives the plain length (the plain packet starts where it did).
    std::expected<std::size_t, SrtpStatus> unprotectRtp(std::span<std::uint8_t> packet);
    std::expected<std::size_t, SrtpStatus> unprotectRtcp(std::span<std::uint8_t> packet);

private:
    SrtpContext() = default;
    // libsrtp allows one wildcard (any-SSRC) policy per session: one session for each direction.
    srtp_ctx_t_ *m_send = nullptr;
    srtp_ctx_t_ *m_receive = nullptr;
    SrtpProfile m_profile = SrtpProfile::AesCm128HmacSha1_80;
    bool m_mki = false; // inbound packets carry an MKI
};

} // namespace ds::media
