#include "media/opus_codec.h"

#include <opus/opus.h>

#include <algorithm>
#include <cassert>
#include <climits>

namespace ds::media {

namespace {

Error opusError(const char *where, int code) { return Error {QStringLiteral("%1: %2").arg(QLatin1StringView(where), QString::fromUtf8(opus_strerror(code)))}; }

std::expected<void, Error> check(const char *where, int code)
{
    if (code != OPUS_OK)
        return std::unexpected(opusError(where, code));
    return {};
}

int clampOut(std::span<std::int16_t> out) { return int(std::min<std::size_t>(out.size(), OpusCodec::maxPacketSamples)); }

} // namespace

void OpusCodec::EncoderDeleter::operator()(OpusEncoder *e) const { opus_encoder_destroy(e); }
void OpusCodec::DecoderDeleter::operator()(OpusDecoder *d) const { opus_decoder_destroy(d); }

OpusCodec::OpusCodec(OpusCodec &&) noexcept = default;
OpusCodec &OpusCodec::operator=(OpusCodec &&) noexcept = default;
OpusCodec::~OpusCodec() = default;

std::expected<OpusCodec, Error> OpusCodec::create(const Config &config)
{
    if (config.frameMs != 10 && config.frameMs != 20 && config.frameMs != 40 && config.frameMs != 60)
        return std::unexpected(Error {QStringLiteral("Opus frame duration %1 ms is not 10, 20, 40 or 60").arg(config.frameMs)});
    OpusCodec codec;
    codec.m_frameSamples = std::size_t(sampleRate / 1000 * config.frameMs);
    int err = OPUS_OK;
    codec.m_encoder.reset(opus_encoder_create(sampleRate, 1, OPUS_APPLICATION_VOIP, &err));
    if (err != OPUS_OK || !codec.m_encoder)
        return std::unexpected(opusError("opus_encoder_create", err));
    codec.m_decoder.reset(opus_decoder_create(sampleRate, 1, &err));
    if (err != OPUS_OK || !codec.m_decoder)
        return std::unexpected(opusError("opus_decoder_create", err));
    if (auto r = codec.setBitrate(config.bitrate); !r)
        return std::unexpected(r.error());
    if (auto r = codec.setComplexity(config.complexity); !r)
        return std::unexpected(r.error());
    if (auto r = codec.setFec(config.fec, config.expectedLossPercent); !r)
        return std::unexpected(r.error());
    if (auto r = codec.setDtx(config.dtx); !r)
        return std::unexpected(r.error());
    codec.m_config.frameMs = config.frameMs;
    return codec;
}

std::expected<void, Error> OpusCodec::setBitrate(int bitsPerSecond)
{
    if (bitsPerSecond < 6000 || bitsPerSecond > 510000)
        return std::unexpected(Error {QStringLiteral("Opus bitrate %1 is outside 6000..510000").arg(bitsPerSecond)});
    auto r = check("OPUS_SET_BITRATE", opus_encoder_ctl(m_encoder.get(), OPUS_SET_BITRATE(bitsPerSecond)));
    if (r)
        m_config.bitrate = bitsPerSecond;
    return r;
}

std::expected<void, Error> OpusCodec::setComplexity(int complexity)
{
    auto r = check("OPUS_SET_COMPLEXITY", opus_encoder_ctl(m_encoder.get(), OPUS_SET_COMPLEXITY(complexity)));
    if (r)
        m_config.complexity = complexity;
    return r;
}

std::expected<void, Error> OpusCodec::setFec(bool on, int expectedLossPercent)
{
    if (auto r = check("OPUS_SET_INBAND_FEC", opus_encoder_ctl(m_encoder.get(), OPUS_SET_INBAND_FEC(on ? 1 : 0))); !r)
        return r;
    if (auto r = check("OPUS_SET_PACKET_LOSS_PERC", opus_encoder_ctl(m_encoder.get(), OPUS_SET_PACKET_LOSS_PERC(expectedLossPercent))); !r)
        return r;
    m_config.fec = on;
    m_config.expectedLossPercent = expectedLossPercent;
    return {};
}

std::expected<void, Error> OpusCodec::setDtx(bool on)
{
    auto r = check("OPUS_SET_DTX", opus_encoder_ctl(m_encoder.get(), OPUS_SET_DTX(on ? 1 : 0)));
    if (r)
        m_config.dtx = on;
    return r;
}

std::expected<std::size_t, Error> OpusCodec::encode(std::span<const std::int16_t> frame, std::span<std::uint8_t> out)
{
    assert(frame.size() == m_frameSamples);
    const int n = opus_encode(m_encoder.get(), frame.data(), int(m_frameSamples), out.data(), opus_int32(std::min<std::size_t>(out.size(), INT_MAX)));
    if (n < 0)
        return std::unexpected(opusError("opus_encode", n));
    return std::size_t(n);
}

std::expected<std::size_t, Error> OpusCodec::decode(std::span<const std::uint8_t> packet, std::span<std::int16_t> out)
{
    if (packet.empty())
        return std::unexpected(Error {QStringLiteral("empty Opus packet")});
    if (packet.size() > std::size_t(INT_MAX))
        return std::unexpected(Error {QStringLiteral("Opus packet of %1 bytes is too large").arg(packet.size())});
    const int n = opus_decode(m_decoder.get(), packet.data(), opus_int32(packet.size()), out.data(), clampOut(out), 0);
    if (n < 0)
        return std::unexpected(opusError("opus_decode", n));
    return std::size_t(n);
}

std::size_t OpusCodec::lostFrameSamples() const
{
    opus_int32 last = 0;
    if (opus_decoder_ctl(m_decoder.get(), OPUS_GET_LAST_PACKET_DURATION(&last)) != OPUS_OK || last <= 0)
        return m_frameSamples;
    return std::size_t(last);
}

std::expected<std::size_t, Error> OpusCodec::decodeLost(std::span<std::int16_t> out)
{
    const std::size_t want = lostFrameSamples();
    if (out.size() < want)
        return std::unexpected(Error {QStringLiteral("Opus concealment needs %1 samples, buffer has %2").arg(want).arg(out.size())});
    const int n = opus_decode(m_decoder.get(), nullptr, 0, out.data(), int(want), 0);
    if (n < 0)
        return std::unexpected(opusError("opus_decode (PLC)", n));
    return std::size_t(n);
}

std::expected<std::size_t, Error> OpusCodec::decodeFec(std::span<const std::uint8_t> nextPacket, std::span<std::int16_t> out)
{
    if (nextPacket.empty())
        return decodeLost(out);
    if (nextPacket.size() > std::size_t(INT_MAX))
        return std::unexpected(Error {QStringLiteral("Opus packet of %1 bytes is too large").arg(nextPacket.size())});
    const std::size_t want = lostFrameSamples();
    if (out.size() < want)
        return std::unexpected(Error {QStringLiteral("Opus FEC needs %1 samples, buffer has %2").arg(want).arg(out.size())});
    // RFC 6716 / opus_decode docs: with decode_fec=1 the frame size must be exactly the lost duration.
    const int n = opus_decode(m_decoder.get(), nextPacket.data(), opus_int32(nextPacket.size()), out.data(), int(want), 1);
    if (n < 0)
        return std::unexpected(opusError("opus_decode (FEC)", n));
    return std::size_t(n);
}

} // namespace ds::media
