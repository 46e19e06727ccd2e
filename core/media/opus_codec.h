#pragma once
// OpusCodec: libopus encoder and decoder for one VoIP stream, 48 kHz mono (RFC 6716, RTP per RFC 7587); media thread.

#include "media/audio_codec.h"
#include "media/error.h"

#include <cstddef>
#include <cstdint>
#include <expected>
#include <memory>
#include <span>
#include <string_view>

struct OpusEncoder;
struct OpusDecoder;

namespace ds::media {

class OpusCodec final : public AudioCodec {
public:
    static constexpr int sampleRate = 48000; // RFC 7587 4.1: the RTP clock is always 48000
    static constexpr std::size_t maxPacketSamples = 5760; // 120 ms, the longest Opus packet (RFC 6716 3.2.5)
    static constexpr std::size_t maxPayloadBytes = 1275; // RFC 6716 3.4 R2: the largest single frame

    struct Config {
        int frameMs = 20; // 10, 20, 40 or 60
        int bitrate = 24000; // bits per second, 6000..510000
        int complexity = 5; // 0..10
        bool fec = true; // in-band forward error correction (LBRR, RFC 6716 2.1.7)
        int expectedLossPercent = 5; // 0..100; FEC is only spent when this is > 0
        bool dtx = false; // discontinuous transmission: silent frames become 1-2 byte packets
    };

    // Creates encoder and decoder; all allocation happens here. Invalid settings are errors.
    static std::expected<OpusCodec, Error> create(const Config &config);
    static std::expected<OpusCodec, Error> create() { return create(Config {}); }

    OpusCodec(OpusCodec &&) noexcept;
    OpusCodec &operator=(OpusCodec &&) noexcept;
    ~OpusCodec() override;

    std::string_view name() const override { return "opus"; }
    int clockRate() const override { return sampleRate; }
    std::size_t frameSamples() const override { return m_frameSamples; }
    const Config &config() const { return m_config; }

    // Encoder settings, changeable between frames.
    std::expected<void, Error> setBitrate(int bitsPerSecond);
    std::expected<void, Error> setComplexity(int complexity);
    std::expected<void, Error> setFec(bool on, int expectedLossPercent);
    std::expected<void, Error> setDtx(bool on);

    // Encodes exactly frameSamples() samples; returns the payload size. With DTX a result of
    // 1 or 2 bytes means "nothing to send" (RFC 7587 3.1.3) and the caller may skip the packet.
    std::expected<std::size_t, Error> encode(std::span<const std::int16_t> frame, std::span<std::uint8_t> out) override;

    // Decodes one packet; returns the samples written. Corrupt or oversized packets are errors.
    // `out` should hold maxPacketSamples to accept any packet the peer may send.
    std::expected<std::size_t, Error> decode(std::span<const std::uint8_t> packet, std::span<std::int16_t> out) override;
    // Packet loss concealment: one frame as long as the last decoded packet (frameSamples() before any).
    std::expected<std::size_t, Error> decodeLost(std::span<std::int16_t> out);
    // Recovers the lost frame *before* `nextPacket` from its in-band FEC data (falls back to PLC
    // inside libopus when the packet carries none). Then decode(nextPacket) as usual.
    std::expected<std::size_t, Error> decodeFec(std::span<const std::uint8_t> nextPacket, std::span<std::int16_t> out);
    std::expected<std::size_t, Error> conceal(std::span<std::int16_t> out) override { return decodeLost(out); }

private:
    struct EncoderDeleter {
        void operator()(OpusEncoder *e) const;
    };
    struct DecoderDeleter {
        void operator()(OpusDecoder *d) const;
    };

    OpusCodec() = default;
    std::size_t lostFrameSamples() const;

    std::unique_ptr<OpusEncoder, EncoderDeleter> m_encoder;
    std::unique_ptr<OpusDecoder, DecoderDeleter> m_decoder;
    Config m_config;
    std::size_t m_frameSamples = 960;
};

} // namespace ds::media
