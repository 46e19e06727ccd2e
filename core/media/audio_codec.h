#pragma once
// AudioCodec: one voice codec as the media path sees it (mono 16-bit frames <-> RTP payloads); media thread.

#include "media/error.h"

#include <algorithm>
#include <array>
#include <cassert>
#include <cstddef>
#include <cstdint>
#include <expected>
#include <span>
#include <string_view>

namespace ds::media {

class AudioCodec {
public:
    virtual ~AudioCodec() = default;

    virtual std::string_view name() const = 0; // SDP encoding name (RFC 4566 rtpmap): "opus", "PCMU", "PCMA"
    virtual int clockRate() const = 0; // RTP clock rate; also the PCM sample rate of the frames
    virtual std::size_t frameSamples() const = 0; // samples in one encoded frame (20 ms)

    // Encodes exactly frameSamples() samples into `out`; returns the payload size in bytes.
    virtual std::expected<std::size_t, Error> encode(std::span<const std::int16_t> frame, std::span<std::uint8_t> out) = 0;
    // Decodes one received payload into `out`; returns the samples written. Bad payloads are errors.
    virtual std::expected<std::size_t, Error> decode(std::span<const std::uint8_t> payload, std::span<std::int16_t> out) = 0;
    // Produces one frame for a lost packet (packet loss concealment); returns the samples written.
    virtual std::expected<std::size_t, Error> conceal(std::span<std::int16_t> out) = 0;

protected:
    AudioCodec() = default;
    AudioCodec(const AudioCodec &) = default;
    AudioCodec &operator=(const AudioCodec &) = default;
};

} // namespace ds::media
