// StreamDtmf, the DTMF of one RTP stream, driven frame by frame as RtpStream drives it: what goes
// out per packet time in each mode, and what the receive side reports from events and tones.

#include "dtmf/stream_dtmf.h"
#include "media/g711.h"

#include <QTest>

#include <cmath>
#include <vector>

using namespace ds::dtmf;

namespace {

// One send frame after another at `rate` and `ptimeMs`, as RtpStream::sendFrame calls it.
struct Sender {
    StreamDtmf dtmf;
    int rate;
    int ptime;
    std::uint32_t ts = 1000;
    std::int64_t now = 0;
    std::vector<std::int16_t> frame;

    Sender(int rate_, int ptime_, bool events)
        : rate(rate_)
        , ptime(ptime_)
        , frame(std::size_t(rate_ * ptime_ / 1000))
    {
        dtmf.configure(rate, ptime, events);
    }
    // One packet time with the microphone at `mic`: the event to send instead of audio, if any.
    std::optional<OutgoingEvent> step(std::int16_t mic = 0)
    {
        std::fill(frame.begin(), frame.end(), mic);
        auto ev = dtmf.onSendFrame(frame, ts, now);
        ts += std::uint32_t(frame.size());
        now += ptime;
        return ev;
    }
};

double rms(std::span<const std::int16_t> s)
{
    double sum = 0;
    for (auto v : s)
        sum += double(v) * v;
    return s.empty() ? 0 : std::sqrt(sum / double(s.size()));
}

} // namespace

class TestStreamDtmf : public QObject {
    Q_OBJECT
private slots:
    void rfc4733ReplacesAudioAndEnds_data()
    {
        QTest::addColumn<int>("rate");
        QTest::newRow("PCMU 8 kHz") << 8000;
        QTest::newRow("opus 48 kHz") << 48000;
    }
    void rfc4733ReplacesAudioAndEnds()
    {
        QFETCH(int, rate);
        Sender s(rate, 20, true);
        SendSettings settings; // 100 ms tone, 100 ms pause
        QCOMPARE(s.dtmf.enqueue(std::span("5", 1), Mode::Rfc4733, settings), std::size_t(1));
        QVERIFY(s.dtmf.sending());
        const std::uint32_t start = s.ts;
        QList<OutgoingEvent> events;
        int audioFrames = 0;
        for (int i = 0; i < 20; ++i) {
            if (auto ev = s.step(1000))
                events << *ev;
            else if (events.isEmpty() || events.size() >= 7)
                ++audioFrames;
        }
        // 100 ms at 20 ms: five updates (the last one the first end), then two more ends (RFC 4733 2.5.1.4).
        QVERIFY2(events.size() >= 7, qPrintable(QString::number(events.size())));
        QVERIFY(events[0].marker);
        for (qsizetype i = 1; i < events.size(); ++i)
            QVERIFY(!events[i].marker);
        for (const OutgoingEvent &e : events) {
            QCOMPARE(e.timestamp, start); // one timestamp for the whole event
            QCOMPARE(e.payload.event, std::uint8_t(5));
            QCOMPARE(e.payload.volume, std::uint8_t(10));
        }
        const std::uint32_t full = std::uint32_t(rate / 10);
        int ends = 0;
        for (const OutgoingEvent &e : events)
            if (e.payload.end) {
                ++ends;
                QCOMPARE(e.payload.duration, std::uint16_t(full));
            }
        QCOMPARE(ends, 3);
        QVERIFY(events.last().payload.end);
        QVERIFY(!s.dtmf.sending());
        const auto out = s.dtmf.takeDigits();
        QCOMPARE(out.size(), std::size_t(1));
        QCOMPARE(out[0].digit, '5');
        QCOMPARE(out[0].dir, Direction::Out);
        QCOMPARE(out[0].mode, Mode::Rfc4733);
        QVERIFY(s.dtmf.queueDrained());
        QVERIFY(!s.dtmf.queueDrained()); // once
        QVERIFY(audioFrames > 0); // the microphone comes back after the event and its pause
    }

    void inbandReplacesMicrophone()
    {
        Sender s(8000, 20, false);
        SendSettings settings;
        s.dtmf.enqueue(std::span("1", 1), Mode::Inband, settings);
        std::vector<std::int16_t> sent;
        for (int i = 0; i < 12; ++i) {
            QVERIFY(!s.step(0));
            sent.insert(sent.end(), s.frame.begin(), s.frame.end());
        }
        // 100 ms of tone at about -7 dBm0 per tone, then the microphone (silent here).
        const double toneRms = rms(std::span(sent).subspan(80, 640));
        QVERIFY2(toneRms > 3000 && toneRms < 12000, qPrintable(QString::number(toneRms)));
        QCOMPARE(rms(std::span(sent).subspan(800, 800)), 0.0);
        QVERIFY(!s.dtmf.sending());
    }

    void commaPausesAndQueueIsBounded()
    {
        Sender s(8000, 20, true);
        SendSettings settings;
        settings.commaMs = 400;
        s.dtmf.enqueue(std::span("1,2", 3), Mode::Rfc4733, settings);
        QList<std::int64_t> starts;
        for (int i = 0; i < 60; ++i)
            if (auto ev = s.step(); ev && ev->marker)
                starts << s.now - 20;
        QCOMPARE(starts.size(), 2);
        // 100 ms event, about 60 ms of end packets, 100 ms pause, then the comma's 400 ms.
        QVERIFY2(starts[1] - starts[0] >= 600, qPrintable(QString::number(starts[1] - starts[0])));

        std::string many(StreamDtmf::kMaxQueued + 10, '1');
        QCOMPARE(s.dtmf.enqueue(std::span(many.data(), many.size()), Mode::Inband, settings), StreamDtmf::kMaxQueued);
        s.dtmf.clearQueue();
        QCOMPARE(s.dtmf.enqueue(std::span("x?", 2), Mode::Inband, settings), std::size_t(0)); // not digits
    }

    void receivesEventsWithTheirArrivalTime()
    {
        StreamDtmf d;
        d.configure(8000, 20, true);
        // A far end's '#' at timestamp 5000: updates from 40 ms, three ends.
        std::array<std::uint8_t, 4> p {};
        for (int i = 1; i <= 5; ++i) {
            EventPayload e {11, false, 10, std::uint16_t(160 * i)};
            QVERIFY(writeEvent(e, p));
            d.onEventPacket(5000, p, 40 + 20 * i);
        }
        QVERIFY(d.takeDigits().empty());
        for (int i = 0; i < 3; ++i) {
            EventPayload e {11, true, 10, 960};
            QVERIFY(writeEvent(e, p));
            d.onEventPacket(5000, p, 160 + 20 * i);
        }
        const auto got = d.takeDigits();
        QCOMPARE(got.size(), std::size_t(1));
        QCOMPARE(got[0].digit, '#');
        QCOMPARE(got[0].mode, Mode::Rfc4733);
        QCOMPARE(got[0].dir, Direction::In);
        QCOMPARE(got[0].durationMs, 120);
        QCOMPARE(got[0].atMs, std::int64_t(60)); // the first packet's arrival
        QCOMPARE(got[0].levelDbm0, std::optional<double>(-10.0));
        QVERIFY(got[0].endSeen);
    }

    void eventWithoutEndTimesOut()
    {
        StreamDtmf d;
        d.configure(8000, 20, true);
        std::array<std::uint8_t, 4> p {};
        QVERIFY(writeEvent({3, false, 10, 160}, p));
        d.onEventPacket(100, p, 1000);
        d.tick(1100);
        QVERIFY(d.takeDigits().empty());
        d.tick(2000);
        const auto got = d.takeDigits();
        QCOMPARE(got.size(), std::size_t(1));
        QCOMPARE(got[0].digit, '3');
        QVERIFY(!got[0].endSeen);
    }

    void detectsTonesInPlayedAudio_data()
    {
        QTest::addColumn<int>("rate");
        QTest::newRow("8 kHz") << 8000;
        QTest::newRow("48 kHz") << 48000;
    }
    void detectsTonesInPlayedAudio()
    {
        // What one dialscope sends in-band, another hears: the generator's frames through G.711
        // (at 8 kHz) into the receive side, which reports the digits with their times.
        QFETCH(int, rate);
        Sender tx(rate, 20, false);
        StreamDtmf rx;
        rx.configure(rate, 20, false);
        rx.setSpectrogramEnabled(true);
        SendSettings settings;
        const char digits[] = "159#";
        tx.dtmf.enqueue(std::span(digits, 4), Mode::Inband, settings);
        QString heard;
        QList<std::int64_t> at;
        std::size_t columns = 0;
        for (int i = 0; i < 70; ++i) {
            tx.step(0);
            if (rate == 8000)
                for (auto &v : tx.frame)
                    v = ds::media::G711::decode(ds::media::G711::Law::Ulaw, ds::media::G711::encode(ds::media::G711::Law::Ulaw, v));
            rx.onPlayed(tx.frame, std::int64_t(i) * 20);
            for (const DigitEvent &e : rx.takeDigits()) {
                QCOMPARE(e.mode, Mode::Inband);
                QCOMPARE(e.dir, Direction::In);
                QVERIFY2(e.durationMs >= 80 && e.durationMs <= 120, qPrintable(QString::number(e.durationMs)));
                QVERIFY(e.levelDbm0 && *e.levelDbm0 > -9 && *e.levelDbm0 < -4);
                heard += QChar::fromLatin1(e.digit);
                at << e.atMs;
            }
            std::int64_t first = 0;
            columns += rx.takeSpectrum(&first).size() / Spectrogram::kBins;
        }
        QCOMPARE(heard, QStringLiteral("159#"));
        for (qsizetype i = 0; i < at.size(); ++i) // 200 ms apart, within a couple of frames of the filter delay
            QVERIFY2(std::abs(at[i] - 200 * i) <= 30, qPrintable(QStringLiteral("digit %1 at %2 ms").arg(i).arg(at[i])));
        QVERIFY2(columns >= 80 && columns <= 90, qPrintable(QString::number(columns))); // 1.4 s of 16 ms columns
    }
};

QTEST_GUILESS_MAIN(TestStreamDtmf)
#include "tst_stream_dtmf.moc"
