#pragma once
// StreamDtmf: the DTMF of one RTP stream — digits queued for sending as RFC 4733 events or in-band
// tones, and digits received in every mode at once (events in RTP, tones in the decoded audio),
// plus a spectrogram of the received audio; media thread, driven by RtpStream once per frame.

#include "dtmf/digit_event.h"
#include "dtmf/inband_detector.h"
#include "dtmf/rfc4733.h"
#include "dtmf/spectrogram.h"
#include "dtmf/tone_generator.h"
#include "media/resampler.h"

#include <array>
#include <cstdint>
#include <optional>
#include <span>
#include <vector>

namespace ds::dtmf {

// How digits are sent: tone and pause of each digit, the pause a ',' makes, tone levels, event volume.
struct SendSettings {
    int toneMs = 100;
    int pauseMs = 100;
    int commaMs = 1000; // ',' in a sequence: the pause a dial string's comma traditionally means
    ToneLevels levels;
    std::uint8_t volume = 10; // RFC 4733 2.3.4: power of the tone, -dBm0 (10 is what phones send)
};

class StreamDtmf {
public:
    static constexpr std::size_t kMaxQueued = 256; // digits and pauses waiting; more are refused
    static constexpr std::size_t kMaxSpectrumColumns = 128; // between two publications (2 s); more are dropped

    StreamDtmf();

    // On start and on a codec change: the codec's clock (8000 or 48000), the packet time, whether
    // telephone-event is negotiated. Queued digits stay; a digit being sent is finished quietly.
    void configure(int codecRate, int ptimeMs, bool eventsNegotiated);
    void setSpectrogramEnabled(bool on) { m_spectrogramOn = on; }

    // Queues digits ('0'-'9', '*', '#', 'A'-'D', ',' for a pause) in Rfc4733 or Inband mode. Returns
    // how many characters were queued (fewer when the queue is full); unknown characters are skipped.
    // batch: the caller's id for this sequence, reported back by queueDrained().
    std::size_t enqueue(std::span<const char> digits, Mode mode, const SendSettings &settings, std::uint64_t batch = 0);
    // Forgets what waits and ends a digit under way at once (hold, telephone-event gone, stop).
    void clearQueue();
    bool sending() const { return m_current.has_value() || m_queueCount > 0; }

    // Send path, once per packet time, with the frame captured at the codec rate. An in-band digit
    // overwrites the frame; while an RFC 4733 event runs, the returned event is sent instead of audio.
    std::optional<OutgoingEvent> onSendFrame(std::span<std::int16_t> frame, std::uint32_t timestamp, std::int64_t nowMs);

    // Receive path: one telephone-event packet; every frame handed to the sink (codec rate, at its
    // play-out time); time passing (closes an event whose end never came).
    // playoutDelayMs: the jitter buffer's delay, so an event's time is when its audio would play,
    // the time base of the in-band detector (one key seen both ways lines up).
    void onEventPacket(std::uint32_t timestamp, std::span<const std::uint8_t> payload, std::int64_t nowMs, int playoutDelayMs = 0);
    void onPlayed(std::span<const std::int16_t> decoded, std::int64_t atMs);
    void tick(std::int64_t nowMs);

    // What happened since the last take: digits (sent ones when they start, received ones when they
    // complete) and spectrogram columns (Spectrogram::kBins bytes each, the first at firstColumnMs).
    std::span<const DigitEvent> takeDigits();
    // The batch of the last enqueue(), once each time the send queue has run empty.
    std::optional<std::uint64_t> queueDrained();
    std::span<const std::uint8_t> takeSpectrum(std::int64_t *firstColumnMs);
    std::uint64_t spectrumDropped() const { return m_spectrumDropped; }

private:
    struct Item {
        char digit = 0; // 0: a pause
        Mode mode = Mode::Rfc4733;
        int toneMs = 0, pauseMs = 0;
        std::uint8_t volume = 10;
        ToneLevels levels;
    };
    void startNext(std::uint32_t timestamp, std::int64_t nowMs);
    void feedDetector(std::span<const std::int16_t> pcm); // 8 kHz, at most Spectrogram::kMaxInput samples
    void report(const DigitEvent &e);
    void received(char digit, Mode mode, std::int64_t atMs, int durationMs, std::optional<double> level, std::optional<double> twist, bool endSeen);

    int m_codecRate = 8000;
    int m_ptimeMs = 20;
    bool m_eventsNegotiated = false;

    // Send side: a bounded ring of items.
    std::array<Item, kMaxQueued> m_queue {};
    std::size_t m_queueHead = 0, m_queueCount = 0;
    std::optional<Item> m_current;
    int m_pauseLeftMs = 0; // after the current item's tone or event
    bool m_drainPending = false;
    std::uint64_t m_batch = 0;
    EventSender m_sender;
    InbandGenerator m_generator;

    // Receive side.
    EventReceiver m_receiver;
    struct Arrival {
        std::uint32_t timestamp = 0;
        std::int64_t atMs = 0;
    };
    std::array<Arrival, 4> m_arrivals {}; // first arrival of recent event timestamps
    std::size_t m_arrivalNext = 0;
    std::optional<media::Resampler> m_toDetector; // codec rate -> 8000
    std::vector<std::int16_t> m_detectBuffer;
    InbandDetector m_detector;
    std::int64_t m_detectorBaseMs = -1; // media time of the detector's sample 0
    std::int64_t m_detectorSamples = 0; // fed to the detector since then, at 8 kHz
    bool m_spectrogramOn = false;
    Spectrogram m_spectrogram;
    std::vector<std::uint8_t> m_spectrum; // columns since the last take, bounded
    std::int64_t m_spectrumFirstMs = 0;
    std::int64_t m_columnsSeen = 0;
    std::uint64_t m_spectrumDropped = 0;
    bool m_spectrumTaken = false; // as m_digitsTaken

    std::array<DigitEvent, 16> m_digits {};
    std::size_t m_digitCount = 0;
    bool m_digitsTaken = false; // the span handed out is stale: the next report starts over
};

} // namespace ds::dtmf
