// RTP media path end to end on loopback: two sessions of one MediaEngine call each other, a tone goes in one
// side and is measured (Goertzel) at the other for each codec and port rate; RTCP, hold, mute, strangers,
// garbage, an echo peer and the RFC 3550 header fields a raw socket sees.

#include "media/echo_port.h"
#include "media/media_engine.h"
#include "media/media_session.h"
#include "media/rtcp.h"
#include "media/rtp_packet.h"
#include "media/tone_port.h"
#include "support/signal.h"

#include <QNetworkDatagram>
#include <QSet>
#include <QSignalSpy>
#include <QTest>
#include <QUdpSocket>

#include <mutex>
#include <vector>

using namespace ds::media;

Q_DECLARE_METATYPE(ds::media::SrtpProfile)

namespace {

const QHostAddress kLoopback(QHostAddress::LocalHost);

// A sink that keeps everything written to it; written on the media thread, read by the test.
class RecordingPort final : public AudioPort {
public:
    explicit RecordingPort(int rate)
        : m_rate(rate)
    {
        m_samples.reserve(std::size_t(rate) * 10);
    }
    int sampleRate() const override { return m_rate; }
    Capabilities capabilities() const override { return {false, true}; }
    std::size_t read(std::span<std::int16_t>) override { return 0; }
    void write(std::span<const std::int16_t> frame) override
    {
        std::lock_guard lock(m_mutex);
        m_samples.insert(m_samples.end(), frame.begin(), frame.end());
    }
    std::vector<std::int16_t> tail(std::size_t n) const
    {
        std::lock_guard lock(m_mutex);
        n = std::min(n, m_samples.size());
        return {m_samples.end() - std::ptrdiff_t(n), m_samples.end()};
    }

private:
    int m_rate;
    mutable std::mutex m_mutex;
    std::vector<std::int16_t> m_samples;
};

StreamParams params(const QByteArray &codec, int pt, quint16 remotePort)
{
    StreamParams p;
    p.codec = codec;
    p.payloadType = pt;
    p.clockRate = codec == "opus" ? 48000 : 8000;
    p.telephoneEventPt = 101;
    p.remoteAddress = kLoopback;
    p.remotePort = remotePort;
    p.rtcpIntervalMs = 200;
    return p;
}

// Peak level in dBFS of the `hz` component (Goertzel amplitude) and the share of the power it holds: the medians
// over 100 ms windows, so one concealed frame on a loaded machine does not decide the verdict.
std::pair<double, double> tone(std::span<const std::int16_t> x, double hz, int rate)
{
    std::vector<double> levels, purities;
    const std::size_t window = std::size_t(rate) / 10;
    for (std::size_t at = 0; at + window <= x.size(); at += window) {
        const auto w = x.subspan(at, window);
        const double amplitude = 2.0 * std::sqrt(ds::test::toneEnergy(w, hz, rate)) / double(window);
        const double total = ds::test::rms(w);
        levels.push_back(20.0 * std::log10(amplitude / 32767.0 + 1e-12));
        purities.push_back(total > 0 ? amplitude * amplitude / 2.0 / (total * total) : 0.0);
    }
    const auto median = [](std::vector<double> &v) {
        std::nth_element(v.begin(), v.begin() + std::ptrdiff_t(v.size() / 2), v.end());
        return v.empty() ? -200.0 : v[v.size() / 2];
    };
    return {median(levels), median(purities)};
}

struct Call {
    MediaEngine engine;
    MediaSession *a = nullptr;
    MediaSession *b = nullptr;
    Call()
    {
        auto x = engine.openSession(kLoopback);
        auto y = engine.openSession(kLoopback);
        if (x && y) {
            a = *x;
            b = *y;
        }
    }
};

QByteArray dump(const StreamStats &s)
{
    return QStringLiteral("cap %1 enc %2 sent %3 recv %4 dec %5 conc %6 played %7 lost %8 mal %9 unexp %10 rtcp %11/%12 level %13/%14")
        .arg(s.framesCaptured)
        .arg(s.framesEncoded)
        .arg(s.rtpSent)
        .arg(s.rtpReceived)
        .arg(s.decoded)
        .arg(s.concealed)
        .arg(s.played)
        .arg(s.lost)
        .arg(s.rtpMalformed)
        .arg(s.rtpFromUnexpected)
        .arg(s.rtcpSent)
        .arg(s.rtcpReceived)
        .arg(s.sendLevelDbfs)
        .arg(s.receiveLevelDbfs)
        .toUtf8();
}

SrtpKey testKey(std::uint8_t seed, int size = 30)
{
    std::array<std::uint8_t, SrtpKey::kMaxSize> k {};
    for (int i = 0; i < size; ++i)
        k[std::size_t(i)] = std::uint8_t(seed * 31 + i);
    return SrtpKey(k.data(), size);
}

// SRTP with each side sending with its own key (RFC 4568 6.1): a sends with ka, b with kb.
SrtpParams srtpFor(const SrtpKey &send, const SrtpKey &receive, SrtpProfile profile = SrtpProfile::AesCm128HmacSha1_80)
{
    SrtpParams p;
    p.profile = profile;
    p.sendKey = send;
    p.receiveKey = receive;
    return p;
}

} // namespace

class TestRtpStream : public QObject {
    Q_OBJECT
private slots:
    void toneCrossesTheCall_data()
    {
        QTest::addColumn<QByteArray>("codec");
        QTest::addColumn<int>("pt");
        QTest::addColumn<int>("rate");
        QTest::addColumn<int>("ptime"); // what the sender uses; the receiver was told 20 ms
        QTest::newRow("PCMU, 8 kHz ports") << QByteArray("PCMU") << 0 << 8000 << 20;
        QTest::newRow("PCMU, 48 kHz ports") << QByteArray("PCMU") << 0 << 48000 << 20;
        QTest::newRow("PCMA, 8 kHz ports") << QByteArray("PCMA") << 8 << 8000 << 20;
        QTest::newRow("PCMA, 48 kHz ports") << QByteArray("PCMA") << 8 << 48000 << 20;
        QTest::newRow("opus, 48 kHz ports") << QByteArray("opus") << 111 << 48000 << 20;
        QTest::newRow("opus, 8 kHz ports") << QByteArray("opus") << 111 << 8000 << 20;
        QTest::newRow("PCMA, peer sends 30 ms") << QByteArray("PCMA") << 8 << 8000 << 30;
        QTest::newRow("opus, peer sends 60 ms") << QByteArray("opus") << 111 << 48000 << 60;
    }
    void toneCrossesTheCall()
    {
        QFETCH(QByteArray, codec);
        QFETCH(int, pt);
        QFETCH(int, rate);
        QFETCH(int, ptime);
        Call call;
        QVERIFY(call.a && call.b);
        auto recorder = std::make_shared<RecordingPort>(rate);
        call.a->setPorts(std::make_shared<TonePort>(rate, TonePort::Tone {1000.0, -10.0}), nullptr);
        call.b->setPorts(nullptr, recorder);
        StreamParams pa = params(codec, pt, call.b->localPort());
        pa.ptime = ptime;
        // The receiver first: a stream not started yet drops what arrives uncounted, and the sender's
        // first packet goes out as soon as it starts.
        call.b->start(params(codec, pt, call.a->localPort()));
        call.a->start(pa);
        QTRY_VERIFY2_WITH_TIMEOUT(call.b->stats().played * quint64(ptime) >= 800, dump(call.b->stats()), 5000);

        const auto [level, purity] = tone(recorder->tail(std::size_t(rate) / 2), 1000.0, rate);
        QVERIFY2(qAbs(level + 10.0) < 1.5, qPrintable(QString::number(level)));
        QVERIFY2(purity > 0.9, qPrintable(QString::number(purity)));

        call.a->stop();
        QTRY_VERIFY2(
            call.a->stats().rtpSent > 0 && call.b->stats().rtpReceived == call.a->stats().rtpSent, dump(call.a->stats()) + " / " + dump(call.b->stats()));
        const StreamStats a = call.a->stats(), b = call.b->stats();
        QVERIFY2(a.framesCaptured >= a.rtpSent && a.framesEncoded == a.rtpSent, dump(a));
        QVERIFY2(qAbs(a.sendLevelDbfs + 10.0) < 0.5, dump(a));
        if (codec == "opus")
            QVERIFY(a.octetsSent > a.rtpSent * 10);
        else
            QCOMPARE(a.octetsSent, a.rtpSent * quint64(8 * ptime)); // payload octets (RFC 3550 6.4.1), one byte a sample
        QVERIFY2(b.decoded > 0 && b.played >= b.decoded && b.decodeErrors == 0, dump(b));
        QCOMPARE(b.lost, 0);
        QCOMPARE(b.rtpMalformed, 0u);
        QCOMPARE(b.rtpFromUnexpected, 0u);
        QCOMPARE(b.receivedPayloadType, pt);
        QCOMPARE(b.receivedPtimeMs, ptime); // measured, and followed by the jitter buffer
        QCOMPARE(b.lastSource, QStringLiteral("127.0.0.1:%1").arg(call.a->localPort()));
        QVERIFY2(b.mos > 4.0, qPrintable(QString::number(b.mos)));
    }

    void rtcpGivesRoundTripTime()
    {
        Call call;
        call.a->setPorts(std::make_shared<TonePort>(8000, TonePort::Tone {}), nullptr);
        call.b->setPorts(nullptr, nullptr); // sends silence: still a sender, so both sides get SRs
        call.a->start(params("PCMU", 0, call.b->localPort()));
        call.b->start(params("PCMU", 0, call.a->localPort()));
        for (MediaSession *s : {call.a, call.b}) {
            QTRY_VERIFY2_WITH_TIMEOUT(s->stats().rttMs.has_value(), dump(s->stats()), 5000);
            const StreamStats st = s->stats();
            QVERIFY(st.rtcpSent > 0 && st.rtcpReceived > 0 && st.rtcpMalformed == 0);
            QVERIFY2(*st.rttMs >= 0 && *st.rttMs < 500, qPrintable(QString::number(*st.rttMs))); // sanity, not timing
            QCOMPARE(st.remoteFractionLost, 0.0);
            QCOMPARE(st.fractionLost, 0.0);
        }
        QVERIFY(call.b->stats().played == 0); // no sink: decoded, not played
        QVERIFY(call.b->stats().decoded > 0);
    }

    void holdStopsPacketsAndResumeRestartsThem()
    {
        Call call;
        call.a->setPorts(std::make_shared<TonePort>(8000, TonePort::Tone {}), nullptr);
        call.b->setPorts(nullptr, std::make_shared<RecordingPort>(8000));
        StreamParams pa = params("PCMA", 8, call.b->localPort());
        call.a->start(pa);
        call.b->start(params("PCMA", 8, call.a->localPort()));
        QTRY_VERIFY(call.b->stats().played > 10);

        pa.send = false; // a=recvonly
        call.a->update(pa);
        // Held once the count stands still over three publications (750 ms) while RTCP keeps arriving.
        QList<quint64> counts;
        connect(call.b, &MediaSession::statsUpdated, this, [&counts](const StreamStats &s) { counts.append(s.rtpReceived); });
        QTRY_VERIFY_WITH_TIMEOUT(counts.size() >= 4 && counts.last() == counts[counts.size() - 4], 5000);
        const quint64 held = counts.last();
        const quint64 rtcp = call.b->stats().rtcpReceived;
        QTRY_VERIFY(call.b->stats().rtcpReceived > rtcp);
        QTRY_COMPARE(call.b->stats().receiveLevelDbfs, StreamStats::silentDbfs);

        pa.send = true;
        call.a->update(pa);
        QTRY_VERIFY(call.b->stats().rtpReceived > held + 10);
        QTRY_VERIFY(call.b->stats().receiveLevelDbfs > -20);
        QCOMPARE(call.b->stats().lost, 0); // the sequence carried on over the hold
    }

    void notReceivingCountsButDoesNotPlay()
    {
        Call call;
        call.a->setPorts(std::make_shared<TonePort>(8000, TonePort::Tone {}), nullptr);
        call.b->setPorts(nullptr, std::make_shared<RecordingPort>(8000));
        call.a->start(params("PCMU", 0, call.b->localPort()));
        StreamParams pb = params("PCMU", 0, call.a->localPort());
        call.b->start(pb);
        QTRY_VERIFY(call.b->stats().played > 10);

        pb.receive = false; // b=sendonly: the peer should stop, but if it does not, nothing is heard
        call.b->update(pb);
        QTRY_COMPARE(call.b->stats().receiveLevelDbfs, StreamStats::silentDbfs);
        const StreamStats b = call.b->stats();
        QTRY_VERIFY(call.b->stats().rtpReceived > b.rtpReceived + 10);
        QCOMPARE(call.b->stats().played, b.played);
        QCOMPARE(call.b->stats().decoded, b.decoded);
        QVERIFY(call.b->stats().rtpSent > b.rtpSent); // still sending

        pb.receive = true;
        call.b->update(pb);
        QTRY_VERIFY(call.b->stats().played > b.played + 10 && call.b->stats().receiveLevelDbfs > -20);
    }

    void strangersAndGarbageAreCountedNotPlayed()
    {
        Call call;
        auto recorder = std::make_shared<RecordingPort>(8000);
        call.a->setPorts(std::make_shared<TonePort>(8000, TonePort::Tone {1000.0, -10.0}), nullptr);
        call.b->setPorts(nullptr, recorder);
        call.a->start(params("PCMU", 0, call.b->localPort()));
        call.b->start(params("PCMU", 0, call.a->localPort()));
        QTRY_VERIFY(call.b->stats().played > 10);
        const quint32 ssrc = call.b->stats().remoteSsrc;

        QUdpSocket stranger;
        QVERIFY(stranger.bind(kLoopback, 0));
        std::array<std::uint8_t, 172> buffer {};
        std::array<std::uint8_t, 160> silence;
        silence.fill(0xFF);
        for (int i = 0; i < 5; ++i) { // well-formed RTP from the wrong address, another SSRC
            RtpPacket p;
            p.payloadType = 0;
            p.sequence = quint16(1000 + i);
            p.timestamp = quint32(160 * i);
            p.ssrc = 0x5712A6E2;
            p.payload = silence;
            const auto n = p.serialize(buffer);
            QVERIFY(n);
            stranger.writeDatagram(reinterpret_cast<const char *>(buffer.data()), qint64(*n), kLoopback, call.b->localPort());
        }
        const QList<QByteArray> garbage {
            "x", "hello, world", QByteArray(12, '\0'), QByteArray::fromHex("8f00000100000001000000010000"), QByteArray(5000, '\x80')};
        for (const QByteArray &g : garbage) {
            stranger.writeDatagram(g, kLoopback, call.b->localPort());
            stranger.writeDatagram(g, kLoopback, call.b->localRtcpPort());
        }
        QTRY_VERIFY2(call.b->stats().rtpMalformed == quint64(garbage.size()) && call.b->stats().rtpFromUnexpected >= 5, dump(call.b->stats()));
        QVERIFY2(call.b->stats().rtpIgnored >= 5, dump(call.b->stats())); // the negotiated peer spoke first: no latching
        QCOMPARE(call.b->stats().ignoredSource, QStringLiteral("127.0.0.1:%1").arg(stranger.localPort()));
        QVERIFY(call.b->stats().latchedSource.isEmpty());
        QTRY_VERIFY(call.b->stats().rtcpMalformed == quint64(garbage.size()));
        QVERIFY(call.b->stats().lastSource.startsWith(QStringLiteral("127.0.0.1:")));

        const quint64 played = call.b->stats().played;
        QTRY_VERIFY(call.b->stats().played > played + 10); // still playing the real peer
        QCOMPARE(call.b->stats().remoteSsrc, ssrc);
        QCOMPARE(call.b->stats().lost, 0);
        const auto [level, purity] = tone(recorder->tail(4000), 1000.0, 8000);
        QVERIFY2(qAbs(level + 10.0) < 1.5 && purity > 0.9, qPrintable(QStringLiteral("%1 %2").arg(level).arg(purity)));
    }

    void srtpCarriesToneAndRtcp_data()
    {
        QTest::addColumn<SrtpProfile>("profile");
        QTest::addColumn<int>("keySize");
        QTest::newRow("AES_CM_128_HMAC_SHA1_80") << SrtpProfile::AesCm128HmacSha1_80 << 30;
        QTest::newRow("AES_CM_128_HMAC_SHA1_32") << SrtpProfile::AesCm128HmacSha1_32 << 30;
        QTest::newRow("AEAD_AES_256_GCM") << SrtpProfile::AeadAes256Gcm << 44;
    }
    void srtpCarriesToneAndRtcp()
    {
        QFETCH(SrtpProfile, profile);
        QFETCH(int, keySize);
        Call call;
        auto recorder = std::make_shared<RecordingPort>(8000);
        call.a->setPorts(std::make_shared<TonePort>(8000, TonePort::Tone {1000.0, -10.0}), nullptr);
        call.b->setPorts(nullptr, recorder);
        const SrtpKey ka = testKey(1, keySize), kb = testKey(2, keySize);
        StreamParams pa = params("PCMU", 0, call.b->localPort()), pb = params("PCMU", 0, call.a->localPort());
        pa.srtp = srtpFor(ka, kb, profile);
        pb.srtp = srtpFor(kb, ka, profile);
        call.b->start(pb);
        call.a->start(pa);
        QTRY_VERIFY2_WITH_TIMEOUT(call.b->stats().played >= 40 && call.a->stats().rtcpReceived > 0 && call.b->stats().rtcpReceived > 0,
            dump(call.b->stats()) + " / " + dump(call.a->stats()), 5000);
        const auto [level, purity] = tone(recorder->tail(4000), 1000.0, 8000);
        QVERIFY2(qAbs(level + 10.0) < 1.5 && purity > 0.9, qPrintable(QStringLiteral("%1 %2").arg(level).arg(purity)));
        const StreamStats b = call.b->stats();
        QCOMPARE(b.srtpSuite, QString::fromLatin1(srtpProfileName(profile)));
        QCOMPARE(b.srtpAuthFailures, 0u);
        QCOMPARE(b.srtpReplays, 0u);
        QCOMPARE(b.rtpMalformed, 0u);
        QCOMPARE(b.rtcpMalformed, 0u); // SRTCP unprotected before parsing
        QVERIFY(b.srtpDecrypted >= b.decoded);
        // RFC 4733 events are RTP too: protected and read back.
        call.a->sendDtmf("5", ds::dtmf::Mode::Rfc4733, ds::dtmf::SendSettings {});
        QTRY_VERIFY2(call.b->stats().eventPackets > 0, dump(call.b->stats()));
        QCOMPARE(call.b->stats().srtpAuthFailures, 0u);
    }

    void srtpRefusesWrongKeyAndPlainRtp()
    {
        Call call;
        call.a->setPorts(std::make_shared<TonePort>(8000, TonePort::Tone {1000.0, -10.0}), nullptr);
        call.b->setPorts(nullptr, std::make_shared<RecordingPort>(8000));
        StreamParams pa = params("PCMU", 0, call.b->localPort()), pb = params("PCMU", 0, call.a->localPort());
        pa.srtp = srtpFor(testKey(1), testKey(2));
        pb.srtp = srtpFor(testKey(2), testKey(3)); // b expects a key a does not use
        call.b->start(pb);
        call.a->start(pa);
        QTRY_VERIFY2(call.b->stats().srtpAuthFailures >= 20, dump(call.b->stats()));
        QCOMPARE(call.b->stats().decoded, 0u);
        QCOMPARE(call.b->stats().played, 0u);
        // a plain-RTP peer: nothing of it is played either.
        pa.srtp.reset();
        call.a->update(pa);
        const quint64 failures = call.b->stats().srtpAuthFailures;
        QTRY_VERIFY2(call.b->stats().srtpAuthFailures > failures + 20, dump(call.b->stats()));
        QCOMPARE(call.b->stats().decoded, 0u);
        // Rekeyed by a re-INVITE: the same stream now reads a.
        pa.srtp = srtpFor(testKey(1), testKey(2));
        pb.srtp = srtpFor(testKey(2), testKey(1));
        call.a->update(pa);
        call.b->update(pb);
        QTRY_VERIFY2(call.b->stats().decoded > 20, dump(call.b->stats()));
    }

    void latchesOnlyEarlyAndOnlyOnce()
    {
        // b was told a's address wrongly (a NAT rewrote it): b follows a's packets, and answers there (symmetric RTP).
        Call call;
        QUdpSocket nowhere; // the negotiated address, from which nothing ever comes
        QVERIFY(nowhere.bind(kLoopback, 0));
        auto recorder = std::make_shared<RecordingPort>(8000);
        call.a->setPorts(std::make_shared<TonePort>(8000, TonePort::Tone {1000.0, -10.0}), std::make_shared<RecordingPort>(8000));
        call.b->setPorts(std::make_shared<TonePort>(8000, TonePort::Tone {500.0, -10.0}), recorder);
        call.b->start(params("PCMU", 0, nowhere.localPort()));
        call.a->start(params("PCMU", 0, call.b->localPort()));
        QTRY_VERIFY2(call.b->stats().played > 20, dump(call.b->stats()));
        QCOMPARE(call.b->stats().latchedSource, QStringLiteral("127.0.0.1:%1").arg(call.a->localPort()));
        QCOMPARE(call.b->stats().rtpIgnored, 0u);
        QTRY_VERIFY2(call.a->stats().decoded > 20, dump(call.a->stats())); // b's RTP now goes to a
        // A second stranger after the latch is ignored: one latch per negotiation.
        QUdpSocket stranger;
        QVERIFY(stranger.bind(kLoopback, 0));
        std::array<std::uint8_t, 172> buffer {};
        std::array<std::uint8_t, 160> payload;
        payload.fill(0x55);
        for (int i = 0; i < 10; ++i) {
            RtpPacket p;
            p.sequence = quint16(i);
            p.timestamp = quint32(160 * i);
            p.ssrc = 0xBAD;
            p.payload = payload;
            const auto n = p.serialize(buffer);
            QVERIFY(n);
            stranger.writeDatagram(reinterpret_cast<const char *>(buffer.data()), qint64(*n), kLoopback, call.b->localPort());
        }
        QTRY_VERIFY2(call.b->stats().rtpIgnored == 10, dump(call.b->stats()));
        QCOMPARE(call.b->stats().ignoredSource, QStringLiteral("127.0.0.1:%1").arg(stranger.localPort()));
        QCOMPARE(call.b->stats().latchedSource, QStringLiteral("127.0.0.1:%1").arg(call.a->localPort()));
    }

    void noLatchOutsideTheWindow()
    {
        // With the window closed (0: as if the call had run past its start), the wrong-address peer is never played.
        Call call;
        QUdpSocket nowhere;
        QVERIFY(nowhere.bind(kLoopback, 0));
        call.a->setPorts(std::make_shared<TonePort>(8000, TonePort::Tone {1000.0, -10.0}), nullptr);
        call.b->setPorts(nullptr, std::make_shared<RecordingPort>(8000));
        StreamParams pb = params("PCMU", 0, nowhere.localPort());
        pb.latchWindowMs = 0;
        call.b->start(pb);
        call.a->start(params("PCMU", 0, call.b->localPort()));
        QTRY_VERIFY2(call.b->stats().rtpIgnored >= 30, dump(call.b->stats()));
        QCOMPARE(call.b->stats().decoded, 0u);
        QVERIFY(call.b->stats().latchedSource.isEmpty());
    }

    void srtpLatchesOnlyOnAuthenticPackets()
    {
        // A stranger sending SRTP-looking packets with the wrong key first does not win the latch; the real peer,
        // from an unexpected address but with the right key, does.
        Call call;
        QUdpSocket nowhere;
        QVERIFY(nowhere.bind(kLoopback, 0));
        call.b->setPorts(nullptr, std::make_shared<RecordingPort>(8000));
        StreamParams pb = params("PCMU", 0, nowhere.localPort());
        pb.srtp = srtpFor(testKey(2), testKey(1));
        call.b->start(pb);
        QUdpSocket stranger;
        QVERIFY(stranger.bind(kLoopback, 0));
        auto forged = SrtpContext::create(srtpFor(testKey(9), testKey(8)));
        QVERIFY(forged);
        for (int i = 0; i < 10; ++i) {
            std::array<std::uint8_t, 172 + SrtpContext::kMaxTrailer> buffer {};
            std::array<std::uint8_t, 160> payload;
            payload.fill(0x55);
            RtpPacket p;
            p.sequence = quint16(i);
            p.timestamp = quint32(160 * i);
            p.ssrc = 0xBAD;
            p.payload = payload;
            const auto n = p.serialize(buffer);
            QVERIFY(n);
            const auto protectedSize = (*forged)->protectRtp(buffer, *n);
            QVERIFY(protectedSize);
            stranger.writeDatagram(reinterpret_cast<const char *>(buffer.data()), qint64(*protectedSize), kLoopback, call.b->localPort());
        }
        QTRY_VERIFY2(call.b->stats().srtpAuthFailures == 10, dump(call.b->stats()));
        QVERIFY(call.b->stats().latchedSource.isEmpty());
        QCOMPARE(call.b->stats().rtpIgnored, 10u);

        call.a->setPorts(std::make_shared<TonePort>(8000, TonePort::Tone {1000.0, -10.0}), nullptr);
        StreamParams pa = params("PCMU", 0, call.b->localPort());
        pa.srtp = srtpFor(testKey(1), testKey(2));
        call.a->start(pa);
        QTRY_VERIFY2(call.b->stats().decoded > 20, dump(call.b->stats()));
        QCOMPARE(call.b->stats().latchedSource, QStringLiteral("127.0.0.1:%1").arg(call.a->localPort()));
    }

    void muteSendsSilentPackets()
    {
        Call call;
        call.a->setPorts(std::make_shared<TonePort>(48000, TonePort::Tone {1000.0, -10.0}), nullptr);
        call.b->setPorts(nullptr, std::make_shared<RecordingPort>(48000));
        call.a->start(params("opus", 111, call.b->localPort()));
        call.b->start(params("opus", 111, call.a->localPort()));
        QTRY_VERIFY(call.b->stats().played > 10 && call.b->stats().receiveLevelDbfs > -20);

        call.a->setMuted(true);
        QVERIFY(call.a->stats().muted);
        QTRY_VERIFY2(call.b->stats().receiveLevelDbfs < -60, dump(call.b->stats()));
        const StreamStats a = call.a->stats(), b = call.b->stats();
        QTRY_VERIFY(call.b->stats().rtpReceived > b.rtpReceived + 10); // packets still flow: pinholes stay open
        QTRY_VERIFY(call.a->stats().framesCaptured > a.framesCaptured);
        QVERIFY2(call.a->stats().sendLevelDbfs > -11, dump(call.a->stats())); // the microphone is heard locally: "you are muted"

        call.a->setMuted(false);
        QTRY_VERIFY(call.b->stats().receiveLevelDbfs > -20);
    }

    void echoPeerReturnsTheTone()
    {
        Call call;
        auto recorder = std::make_shared<RecordingPort>(8000);
        auto echo = std::make_shared<EchoPort>(48000);
        call.a->setPorts(std::make_shared<TonePort>(8000, TonePort::Tone {1000.0, -10.0}), recorder);
        call.b->setPorts(echo, echo);
        call.a->start(params("PCMU", 0, call.b->localPort()));
        call.b->start(params("PCMU", 0, call.a->localPort()));
        QTRY_VERIFY2_WITH_TIMEOUT(call.a->stats().played >= 40, dump(call.a->stats()), 5000);
        const auto [level, purity] = tone(recorder->tail(4000), 1000.0, 8000);
        QVERIFY2(qAbs(level + 10.0) < 2.0 && purity > 0.9, qPrintable(QStringLiteral("%1 %2").arg(level).arg(purity)));
        QVERIFY(call.b->stats().framesCaptured > 0 && call.b->stats().played > 0);
    }

    void headersSeenByARawPeer()
    {
        MediaEngine engine;
        auto opened = engine.openSession(kLoopback);
        QVERIFY2(opened, qPrintable(opened ? QString() : opened.error()));
        MediaSession *s = *opened;
        QUdpSocket peer, peerRtcp;
        QVERIFY(peer.bind(kLoopback, 0) && peerRtcp.bind(kLoopback, 0));
        StreamParams p = params("PCMU", 0, peer.localPort());
        p.remoteRtcpPort = peerRtcp.localPort();
        s->setPorts(std::make_shared<TonePort>(8000, TonePort::Tone {}), nullptr);
        s->start(p);

        QList<QByteArray> got;
        QSet<quint16> senders;
        const auto receive = [&](qsizetype n) {
            return QTest::qWaitFor(
                [&] {
                    while (peer.hasPendingDatagrams()) {
                        const QNetworkDatagram d = peer.receiveDatagram();
                        senders.insert(quint16(d.senderPort()));
                        got.append(d.data());
                    }
                    return got.size() >= n;
                },
                3000);
        };
        const auto packet = [&](qsizetype i) {
            auto r = RtpPacket::parse(std::span(reinterpret_cast<const std::uint8_t *>(got[i].constData()), std::size_t(got[i].size())));
            return r ? *r : RtpPacket {};
        };
        QVERIFY(receive(10));
        QCOMPARE(senders, QSet<quint16> {s->localPort()}); // symmetric RTP: sent from the port we receive on
        QVERIFY(packet(0).marker);
        for (qsizetype i = 1; i < 10; ++i) {
            QVERIFY(!packet(i).marker);
            QCOMPARE(packet(i).payloadType, 0);
            QCOMPARE(packet(i).ssrc, packet(0).ssrc);
            QCOMPARE(quint16(packet(i).sequence - packet(i - 1).sequence), 1);
            QCOMPARE(quint32(packet(i).timestamp - packet(i - 1).timestamp), 160u);
            QCOMPARE(packet(i).payload.size(), std::size_t(160));
        }

        // The peer sends DTMF events and a comfort-noise packet from where the SDP said: counted, not decoded.
        std::array<std::uint8_t, 64> buffer {};
        const std::array<std::uint8_t, 4> event {1, 0x0a, 0, 160};
        for (int i = 0; i < 3; ++i) {
            RtpPacket e;
            e.payloadType = std::uint8_t(i < 2 ? 101 : 13);
            e.sequence = quint16(i);
            e.ssrc = 42;
            e.payload = event;
            const auto n = e.serialize(buffer);
            QVERIFY(n);
            peer.writeDatagram(reinterpret_cast<const char *>(buffer.data()), qint64(*n), kLoopback, s->localPort());
        }
        QTRY_VERIFY(s->stats().eventPackets == 2 && s->stats().unknownPayloadType == 1);
        QCOMPARE(s->stats().lastUnknownPayloadType, 13);
        QCOMPARE(s->stats().decoded, 0u);
        QCOMPARE(s->stats().rtpFromUnexpected, 0u);

        // RTCP goes to a=rtcp: an SR (we sent) with an SDES CNAME.
        QTRY_VERIFY(peerRtcp.hasPendingDatagrams());
        const QByteArray sr = peerRtcp.receiveDatagram().data();
        const auto compound = rtcp::parseCompound(std::span(reinterpret_cast<const std::uint8_t *>(sr.constData()), std::size_t(sr.size())));
        QVERIFY(compound);
        QCOMPARE(compound->report.ssrc, packet(0).ssrc);
        QVERIFY(compound->report.sender.has_value());
        QVERIFY(compound->cname && compound->cname->size() >= 16);

        // Hold and resume: a new talkspurt (marker) with the sequence carrying on and the timestamp following time.
        p.send = false;
        s->update(p);
        QTest::qWait(200); // long enough for a gap the timestamp must show
        receive(0);
        const qsizetype beforeResume = got.size();
        p.send = true;
        s->update(p);
        QVERIFY(receive(beforeResume + 1));
        const RtpPacket last = packet(beforeResume - 1), resumed = packet(beforeResume);
        QVERIFY(resumed.marker);
        QCOMPARE(quint16(resumed.sequence - last.sequence), 1);
        QVERIFY(quint32(resumed.timestamp - last.timestamp) > 160u * 5);

        // Codec change by re-INVITE: new PT and payload, same SSRC, sequence still continuous.
        p.codec = "PCMA";
        p.payloadType = 8;
        s->update(p);
        QTRY_VERIFY(receive(got.size() + 1) && packet(got.size() - 1).payloadType == 8);
        for (qsizetype i = beforeResume + 1; i < got.size(); ++i) {
            QCOMPARE(packet(i).ssrc, packet(0).ssrc);
            QCOMPARE(quint16(packet(i).sequence - packet(i - 1).sequence), 1);
        }

        // stop(): RTCP BYE (RFC 3550 6.6) closes the last compound.
        while (peerRtcp.hasPendingDatagrams())
            peerRtcp.receiveDatagram();
        s->stop();
        QTRY_VERIFY(peerRtcp.hasPendingDatagrams());
        QByteArray bye;
        while (peerRtcp.hasPendingDatagrams())
            bye = peerRtcp.receiveDatagram().data();
        QVERIFY(bye.size() >= 8);
        QCOMPARE(quint8(bye[bye.size() - 7]), quint8(203));
    }

    void portUnreachableIsCountedNotFatal()
    {
        MediaEngine engine;
        auto opened = engine.openSession(kLoopback);
        QVERIFY(opened);
        MediaSession *s = *opened;
        quint16 closed = 0;
        {
            QUdpSocket probe;
            QVERIFY(probe.bind(kLoopback, 0));
            closed = probe.localPort();
        }
        QSignalSpy failed(s, &MediaSession::failed);
        s->setPorts(std::make_shared<TonePort>(8000, TonePort::Tone {}), nullptr);
        s->start(params("PCMU", 0, closed));
        QTRY_VERIFY2(s->stats().portUnreachable > 0, dump(s->stats()));
        const quint64 sent = s->stats().rtpSent;
        QTRY_VERIFY(s->stats().rtpSent > sent + 5); // carries on
        QCOMPARE(failed.size(), 0);
    }

    void srtpSurvivesPortUnreachable()
    {
        // Nobody listens at first (the far end opens its port late): SRTP packets that could not leave must not
        // wedge the sender, whose next packets need fresh SRTP indexes.
        Call call;
        quint16 closed = 0;
        {
            QUdpSocket probe;
            QVERIFY(probe.bind(kLoopback, 0));
            closed = probe.localPort();
        }
        call.a->setPorts(std::make_shared<TonePort>(8000, TonePort::Tone {1000.0, -10.0}), nullptr);
        call.b->setPorts(nullptr, std::make_shared<RecordingPort>(8000));
        StreamParams pa = params("PCMU", 0, closed), pb = params("PCMU", 0, call.a->localPort());
        pa.srtp = srtpFor(testKey(1), testKey(2));
        pb.srtp = srtpFor(testKey(2), testKey(1));
        call.a->start(pa);
        QTRY_VERIFY2(call.a->stats().portUnreachable > 3, dump(call.a->stats()));
        call.b->start(pb);
        pa.remotePort = call.b->localPort();
        call.a->update(pa);
        QTRY_VERIFY2(call.b->stats().decoded > 20, dump(call.b->stats()));
        QCOMPARE(call.b->stats().srtpAuthFailures, 0u);
        QCOMPARE(call.a->stats().srtpErrors, 0u);
    }

    void bindErrorsNameAddressAndRange()
    {
        MediaEngine engine;
        auto first = engine.openSession(kLoopback, 40000, 40999);
        QVERIFY2(first, qPrintable(first ? QString() : first.error()));
        const quint16 port = (*first)->localPort();
        QCOMPARE(port % 2, 0);
        QVERIFY(port >= 40000 && port < 40999);

        auto taken = engine.openSession(kLoopback, port, quint16(port + 1));
        QVERIFY(!taken);
        QVERIFY2(taken.error().contains(QStringLiteral("127.0.0.1")) && taken.error().contains(QStringLiteral("%1-%2").arg(port).arg(port + 1)),
            qPrintable(taken.error()));

        // The even port free but the odd one taken: the pair is not used.
        QUdpSocket blocker, probe;
        if (blocker.bind(kLoopback, quint16(port + 3), QAbstractSocket::DontShareAddress)
            && probe.bind(kLoopback, quint16(port + 2), QAbstractSocket::DontShareAddress)) {
            probe.close();
            auto skipped = engine.openSession(kLoopback, quint16(port + 2), quint16(port + 3));
            QVERIFY2(!skipped && skipped.error().startsWith(QStringLiteral("no free")), qPrintable(skipped ? QString() : skipped.error()));
        }

        QVERIFY(!engine.openSession(kLoopback, 5000, 4000));
        QVERIFY(!engine.openSession(kLoopback, 5001, 5001));
        auto foreign = engine.openSession(QHostAddress(QStringLiteral("192.0.2.1")), 40000, 40010); // TEST-NET-1, not ours
        QVERIFY(!foreign);
        QVERIFY2(foreign.error().contains(QStringLiteral("192.0.2.1")), qPrintable(foreign.error()));
    }

    void sessionsOutliveTheirEngine()
    {
        MediaSession *s = nullptr;
        QObject owner;
        {
            MediaEngine engine;
            auto opened = engine.openSession(kLoopback, 16384, 32767, &owner);
            QVERIFY(opened);
            s = *opened;
            s->setPorts(std::make_shared<TonePort>(8000, TonePort::Tone {}), nullptr);
            s->start(params("PCMU", 0, 9));
            QVERIFY(s->isAttached());
        }
        QVERIFY(!s->isAttached()); // the engine stopped and deleted its stream; the session is inert
        s->setMuted(true);
        s->stop();
    }
};

QTEST_GUILESS_MAIN(TestRtpStream)
#include "tst_rtp_stream.moc"
