// OpusCodec and G711Codec: what a listener would notice — a tone survives the codec at its pitch
// and level, bitrate shapes packet sizes, losses are concealed or recovered from FEC, and corrupt
// packets are reported instead of crashing.

#include "media/audio_codec.h"
#include "media/g711_codec.h"
#include "media/opus_codec.h"
#include "support/signal.h"

#include <QRandomGenerator>
#include <QTest>

#include <cmath>
#include <numbers>
#include <vector>

using namespace ds::media;

namespace {

constexpr int rate = OpusCodec::sampleRate;
constexpr std::size_t frame = 960; // 20 ms

std::vector<std::int16_t> sine(double hz, double amplitude, std::size_t n, int sampleRate = rate) { return ds::test::sine(hz, amplitude, n, sampleRate); }

// Speech-like test signal: a gliding tone whose pitch and loudness change every few milliseconds,
// so that concealment by extrapolation is audibly wrong and real data (FEC) makes a difference.
std::vector<std::int16_t> glide(std::size_t n)
{
    std::vector<std::int16_t> v(n);
    double phase = 0;
    for (std::size_t i = 0; i < n; ++i) {
        const double t = double(i) / rate;
        const double hz = 300 + 250 * std::sin(2 * std::numbers::pi * 3 * t);
        phase += 2 * std::numbers::pi * hz / rate;
        const double env = 0.55 + 0.45 * std::sin(2 * std::numbers::pi * 5 * t);
        v[i] = std::int16_t(std::lround(8000 * env * (std::sin(phase) + 0.4 * std::sin(2 * phase))));
    }
    return v;
}

using ds::test::rms;
double toneEnergy(std::span<const std::int16_t> x, double hz, int sampleRate = rate) { return ds::test::toneEnergy(x, hz, sampleRate); }

double errorEnergy(std::span<const std::int16_t> a, std::span<const std::int16_t> b)
{
    double e = 0;
    for (std::size_t i = 0; i < std::min(a.size(), b.size()); ++i)
        e += double(a[i] - b[i]) * (a[i] - b[i]);
    return e;
}

using Packet = std::vector<std::uint8_t>;

std::vector<Packet> encodeAll(OpusCodec &codec, std::span<const std::int16_t> pcm)
{
    std::vector<Packet> packets;
    std::vector<std::uint8_t> buf(OpusCodec::maxPayloadBytes);
    for (std::size_t pos = 0; pos + frame <= pcm.size(); pos += frame) {
        auto n = codec.encode(pcm.subspan(pos, frame), buf);
        if (!n)
            qFatal("encode failed: %s", qPrintable(n.error().toString()));
        packets.emplace_back(buf.begin(), buf.begin() + std::ptrdiff_t(*n));
    }
    return packets;
}

} // namespace

class TestOpusCodec : public QObject {
    Q_OBJECT
private slots:
    void createRejectsBadSettings()
    {
        QVERIFY(OpusCodec::create().has_value());
        QVERIFY(!OpusCodec::create({.frameMs = 25}).has_value());
        QVERIFY(!OpusCodec::create({.bitrate = 1000}).has_value());
        auto bad = OpusCodec::create({.complexity = 11});
        QVERIFY(!bad.has_value());
        QVERIFY(!bad.error().what.isEmpty()); // libopus's message, e.g. "invalid argument"
        auto codec = OpusCodec::create();
        QCOMPARE(codec->name(), std::string_view("opus"));
        QCOMPARE(codec->clockRate(), 48000);
        QCOMPARE(codec->frameSamples(), frame);
        QVERIFY(!codec->setBitrate(600000).has_value());
        QVERIFY(!codec->setFec(true, 101).has_value());
        QVERIFY(codec->setBitrate(40000).has_value());
        QCOMPARE(codec->config().bitrate, 40000);
    }

    void sineKeepsPitchAndLevel()
    {
        auto codec = OpusCodec::create({.bitrate = 32000});
        QVERIFY(codec);
        const auto in = sine(1000, 8000, rate); // 1 s
        const auto packets = encodeAll(*codec, in);
        QCOMPARE(packets.size(), std::size_t(50));
        std::vector<std::int16_t> out;
        std::vector<std::int16_t> buf(OpusCodec::maxPacketSamples);
        for (const Packet &p : packets) {
            auto n = codec->decode(p, buf);
            QVERIFY2(n, qPrintable(n ? QString() : n.error().toString()));
            QCOMPARE(*n, frame);
            out.insert(out.end(), buf.begin(), buf.begin() + std::ptrdiff_t(*n));
        }
        QCOMPARE(out.size(), in.size());
        // Skip the codec delay and the encoder's start-up (100 ms).
        const std::span<const std::int16_t> steady = std::span<const std::int16_t>(out).subspan(4800);
        const double at1k = toneEnergy(steady, 1000);
        for (double hz : {500.0, 800.0, 1200.0, 1500.0, 2000.0, 3000.0})
            QVERIFY2(at1k > 1000 * toneEnergy(steady, hz), qPrintable(QStringLiteral("energy at %1 Hz too high").arg(hz)));
        const double dB = 20 * std::log10(rms(steady) / rms(std::span<const std::int16_t>(in).subspan(4800)));
        QVERIFY2(std::abs(dB) < 2, qPrintable(QStringLiteral("level changed by %1 dB").arg(dB)));
    }

    void bitrateShapesPacketSize_data()
    {
        QTest::addColumn<int>("bitrate");
        QTest::newRow("12k") << 12000;
        QTest::newRow("24k") << 24000;
        QTest::newRow("64k") << 64000;
    }
    void bitrateShapesPacketSize()
    {
        QFETCH(int, bitrate);
        auto codec = OpusCodec::create({.bitrate = bitrate, .fec = false, .expectedLossPercent = 0});
        QVERIFY(codec);
        // A busy signal (tones plus noise) so VBR spends the budget it is given.
        auto pcm = glide(rate);
        QRandomGenerator rng(7);
        for (auto &s : pcm)
            s = std::int16_t(s / 2 + int(rng.bounded(6000)) - 3000);
        const auto packets = encodeAll(*codec, pcm);
        double bytes = 0;
        for (const Packet &p : packets)
            bytes += double(p.size());
        const double kbps = bytes * 8 / 1000; // 1 s of audio
        QVERIFY2(kbps > bitrate / 1000.0 * 0.6 && kbps < bitrate / 1000.0 * 1.4,
            qPrintable(QStringLiteral("%1 kbit/s asked, %2 kbit/s produced").arg(bitrate / 1000).arg(kbps)));
    }

    void dtxShrinksSilence()
    {
        auto codec = OpusCodec::create({.dtx = true});
        QVERIFY(codec);
        const std::vector<std::int16_t> silence(rate, 0);
        const auto packets = encodeAll(*codec, silence);
        QVERIFY(packets.back().size() <= 2); // RFC 7587 3.1.3: DTX frames are not worth sending
    }

    void lossIsConcealedWithAFullFrame()
    {
        auto codec = OpusCodec::create();
        QVERIFY(codec);
        const auto packets = encodeAll(*codec, sine(1000, 8000, rate / 5));
        std::vector<std::int16_t> buf(OpusCodec::maxPacketSamples);
        // Concealment before anything arrived is a full frame too.
        auto first = codec->decodeLost(buf);
        QVERIFY(first);
        QCOMPARE(*first, frame);
        for (const Packet &p : packets)
            QVERIFY(codec->decode(p, buf));
        std::fill(buf.begin(), buf.end(), 0);
        auto n = codec->decodeLost(buf);
        QVERIFY(n);
        QCOMPARE(*n, frame);
        QVERIFY(rms(std::span(buf).first(frame)) > 2000); // continues the tone rather than going silent
        QVERIFY(toneEnergy(std::span(buf).first(frame), 1000) > 10 * toneEnergy(std::span(buf).first(frame), 2000));
        // A buffer shorter than the frame is an error, not an overrun.
        std::vector<std::int16_t> small(100);
        QVERIFY(!codec->decodeLost(small).has_value());
        QVERIFY(!codec->decode(packets.front(), small).has_value());
    }

    void fecRecoversBetterThanPlc()
    {
        const auto pcm = glide(rate);
        auto enc = OpusCodec::create({.bitrate = 32000, .fec = true, .expectedLossPercent = 20});
        QVERIFY(enc);
        const auto packets = encodeAll(*enc, pcm);

        std::vector<std::int16_t> buf(OpusCodec::maxPacketSamples);
        double plcError = 0, fecError = 0;
        int lossesWithFec = 0;
        // Drop every 7th packet; decode the reference (no loss), PLC-only and FEC streams side by side.
        auto ref = OpusCodec::create();
        auto plc = OpusCodec::create();
        auto fec = OpusCodec::create();
        std::vector<std::int16_t> want(frame), got(frame);
        for (std::size_t i = 0; i + 1 < packets.size(); ++i) {
            auto r = ref->decode(packets[i], buf);
            QVERIFY(r);
            std::copy_n(buf.begin(), frame, want.begin());
            if (i % 7 == 3) {
                auto a = plc->decodeLost(buf);
                QVERIFY(a);
                QCOMPARE(*a, frame);
                plcError += errorEnergy(want, std::span(buf).first(frame));
                auto b = fec->decodeFec(packets[i + 1], buf);
                QVERIFY(b);
                QCOMPARE(*b, frame);
                QVERIFY(rms(std::span(buf).first(frame)) > 500); // real audio, not silence
                fecError += errorEnergy(want, std::span(buf).first(frame));
                ++lossesWithFec;
            } else {
                QVERIFY(plc->decode(packets[i], buf));
                QVERIFY(fec->decode(packets[i], buf));
            }
        }
        QVERIFY(lossesWithFec >= 6);
        qInfo("error energy over %d losses: PLC %.3g, FEC %.3g (%.1f dB better)", lossesWithFec, plcError, fecError, 10 * std::log10(plcError / fecError));
        QVERIFY(fecError < plcError / 2);
    }

    void garbageNeverCrashes()
    {
        auto codec = OpusCodec::create();
        QVERIFY(codec);
        QRandomGenerator rng(20240611);
        std::vector<std::uint8_t> packet(1600);
        std::vector<std::int16_t> out(OpusCodec::maxPacketSamples);
        int errors = 0, frames = 0;
        for (int i = 0; i < 5000; ++i) {
            const std::size_t len = 1 + rng.bounded(i % 2 ? 8u : 1600u);
            for (std::size_t j = 0; j < len; ++j)
                packet[j] = std::uint8_t(rng.bounded(256));
            const std::span<const std::uint8_t> p(packet.data(), len);
            auto n = (i % 5 == 0) ? codec->decodeFec(p, out) : codec->decode(p, out);
            if (n) {
                QVERIFY(*n <= out.size());
                ++frames;
            } else {
                QVERIFY(!n.error().what.isEmpty());
                ++errors;
            }
        }
        QVERIFY(errors > 0);
        QVERIFY(codec->decode({}, out).has_value() == false);
        // The decoder still works afterwards.
        auto good = OpusCodec::create();
        const auto packets = encodeAll(*good, sine(1000, 8000, frame));
        QCOMPARE(codec->decode(packets.front(), out).value_or(0), frame);
        qInfo("garbage: %d errors, %d decoded", errors, frames);
    }

    void g711ConcealsByRepeatAndFade()
    {
        G711Codec codec(G711::Law::Ulaw);
        QCOMPARE(codec.name(), std::string_view("PCMU"));
        QCOMPARE(G711Codec(G711::Law::Alaw).name(), std::string_view("PCMA"));
        QCOMPARE(codec.clockRate(), 8000);
        QCOMPARE(codec.frameSamples(), std::size_t(160));
        AudioCodec &c = codec;
        std::vector<std::int16_t> buf(160);
        // Nothing received yet: a silent frame.
        QCOMPARE(c.conceal(buf).value_or(0), std::size_t(160));
        QCOMPARE(rms(buf), 0.0);

        const auto in = sine(1000, 8000, 160, 8000);
        std::vector<std::uint8_t> payload(160);
        QCOMPARE(c.encode(in, payload).value_or(0), std::size_t(160));
        std::vector<std::int16_t> decoded(160);
        QCOMPARE(c.decode(payload, decoded).value_or(0), std::size_t(160));
        QVERIFY(std::abs(rms(decoded) - rms(in)) < 100);

        // First concealed frame starts at full level from the last frame, then fades to silence.
        QCOMPARE(c.conceal(buf).value_or(0), std::size_t(160));
        QCOMPARE(buf[0], decoded[0]);
        QVERIFY(std::abs(buf[2] - decoded[2]) <= std::abs(decoded[2]) / 100); // the fade has barely begun
        double prev = rms(decoded);
        for (int k = 0; k < G711Codec::fadeFrames; ++k) {
            const double now = rms(buf);
            QVERIFY(now < prev);
            prev = now;
            QVERIFY(c.conceal(buf));
        }
        QCOMPARE(rms(buf), 0.0);
        // A good packet ends the fade.
        QVERIFY(c.decode(payload, decoded));
        QVERIFY(c.conceal(buf));
        QCOMPARE(buf[0], decoded[0]);
        QVERIFY(std::abs(buf[2] - decoded[2]) <= std::abs(decoded[2]) / 100);
        QVERIFY(!c.decode({}, decoded).has_value());
    }
};

QTEST_GUILESS_MAIN(TestOpusCodec)
#include "tst_opus_codec.moc"
