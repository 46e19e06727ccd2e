// SrtpContext over libsrtp2: libsrtp's own known-answer packets (srtp_validate: RFC 3711 key derivation and
// AES-CM with HMAC-SHA1), round trips for every suite, tampering, replay, RTCP, and bounded buffers.

#include "media/srtp_context.h"

#include <QTest>

#include <vector>

using namespace ds::media;

Q_DECLARE_METATYPE(ds::media::SrtpProfile)

namespace {

// libsrtp test/srtp_driver.c srtp_validate(): master key || master salt, SSRC 0xcafebabe, sequence 0x1234.
const std::vector<std::uint8_t> kMasterKeySalt {0xe1, 0xf9, 0x7a, 0x0d, 0x3e, 0x01, 0x8b, 0xe0, 0xd6, 0x4f, 0xa3, 0x2c, 0x06, 0xde, 0x41, 0x39, // key
    0x0e, 0xc6, 0x75, 0xad, 0x49, 0x8a, 0xfe, 0xeb, 0xb6, 0x96, 0x0b, 0x3a, 0xab, 0xe6}; // salt
const std::vector<std::uint8_t> kRtpPlain {0x80, 0x0f, 0x12, 0x34, 0xde, 0xca, 0xfb, 0xad, 0xca, 0xfe, 0xba, 0xbe, 0xab, 0xab, 0xab, 0xab, 0xab, 0xab, 0xab,
    0xab, 0xab, 0xab, 0xab, 0xab, 0xab, 0xab, 0xab, 0xab};
const std::vector<std::uint8_t> kSrtp80 {0x80, 0x0f, 0x12, 0x34, 0xde, 0xca, 0xfb, 0xad, 0xca, 0xfe, 0xba, 0xbe, 0x4e, 0x55, 0xdc, 0x4c, 0xe7, 0x99, 0x78, 0xd8,
    0x8c, 0xa4, 0xd2, 0x15, 0x94, 0x9d, 0x24, 0x02, 0xb7, 0x8d, 0x6a, 0xcc, 0x99, 0xea, 0x17, 0x9b, 0x8d, 0xbb};
const std::vector<std::uint8_t> kRtcpPlain {
    0x81, 0xc8, 0x00, 0x0b, 0xca, 0xfe, 0xba, 0xbe, 0xab, 0xab, 0xab, 0xab, 0xab, 0xab, 0xab, 0xab, 0xab, 0xab, 0xab, 0xab, 0xab, 0xab, 0xab, 0xab};
const std::vector<std::uint8_t> kSrtcp80 {0x81, 0xc8, 0x00, 0x0b, 0xca, 0xfe, 0xba, 0xbe, 0x71, 0x28, 0x03, 0x5b, 0xe4, 0x87, 0xb9, 0xbd, 0xbe, 0xf8, 0x90,
    0x41, 0xf9, 0x77, 0xa5, 0xa8, 0x80, 0x00, 0x00, 0x01, 0x99, 0x3e, 0x08, 0xcd, 0x54, 0xd6, 0xc1, 0x23, 0x07, 0x98};

SrtpKey key(const std::vector<std::uint8_t> &bytes) { return SrtpKey(bytes.data(), int(bytes.size())); }

SrtpKey patternKey(SrtpProfile p, std::uint8_t seed)
{
    std::vector<std::uint8_t> k(std::size_t(srtpMasterKeySize(p)));
    for (std::size_t i = 0; i < k.size(); ++i)
        k[i] = std::uint8_t(seed + i * 7);
    return key(k);
}

std::unique_ptr<SrtpContext> context(SrtpProfile p, const SrtpKey &send, const SrtpKey &receive)
{
    SrtpParams params;
    params.profile = p;
    params.sendKey = send;
    params.receiveKey = receive;
    auto c = SrtpContext::create(params);
    if (!c)
        qFatal("%s", qPrintable(c.error()));
    return std::move(*c);
}

// An RTP packet (RFC 3550 5.1) with a recognisable payload, in a buffer with room for the trailer.
std::vector<std::uint8_t> rtp(quint16 seq, std::size_t payload = 160, quint32 ssrc = 0x11223344)
{
    std::vector<std::uint8_t> b(12 + payload + SrtpContext::kMaxTrailer);
    b[0] = 0x80;
    b[1] = 0;
    b[2] = std::uint8_t(seq >> 8);
    b[3] = std::uint8_t(seq);
    const quint32 ts = quint32(seq) * 160;
    for (int i = 0; i < 4; ++i) {
        b[std::size_t(4 + i)] = std::uint8_t(ts >> (24 - 8 * i));
        b[std::size_t(8 + i)] = std::uint8_t(ssrc >> (24 - 8 * i));
    }
    for (std::size_t i = 0; i < payload; ++i)
        b[12 + i] = std::uint8_t(i ^ seq);
    return b;
}

std::vector<std::uint8_t> withRoom(const std::vector<std::uint8_t> &plain)
{
    std::vector<std::uint8_t> b = plain;
    b.resize(plain.size() + SrtpContext::kMaxTrailer);
    return b;
}

} // namespace

class TestSrtpContext : public QObject {
    Q_OBJECT
private slots:
    void knownAnswerRtp_data()
    {
        QTest::addColumn<SrtpProfile>("profile");
        QTest::addColumn<int>("tagLength");
        QTest::newRow("AES_CM_128_HMAC_SHA1_80") << SrtpProfile::AesCm128HmacSha1_80 << 10;
        // The 32-bit tag is the 80-bit one truncated (RFC 3711 4.2): the first 4 octets of the same tag.
        QTest::newRow("AES_CM_128_HMAC_SHA1_32") << SrtpProfile::AesCm128HmacSha1_32 << 4;
    }
    void knownAnswerRtp()
    {
        QFETCH(SrtpProfile, profile);
        QFETCH(int, tagLength);
        const std::vector<std::uint8_t> expected(kSrtp80.begin(), kSrtp80.begin() + 28 + tagLength);
        auto sender = context(profile, key(kMasterKeySalt), key(kMasterKeySalt));
        std::vector<std::uint8_t> b = withRoom(kRtpPlain);
        auto n = sender->protectRtp(b, kRtpPlain.size());
        QVERIFY(n);
        QCOMPARE(*n, expected.size());
        QCOMPARE(std::vector<std::uint8_t>(b.begin(), b.begin() + std::ptrdiff_t(*n)), expected);

        // The receiver with the same key reads the reference packet back.
        auto receiver = context(profile, patternKey(profile, 1), key(kMasterKeySalt));
        std::vector<std::uint8_t> in = expected;
        auto plain = receiver->unprotectRtp(in);
        QVERIFY(plain);
        QCOMPARE(std::vector<std::uint8_t>(in.begin(), in.begin() + std::ptrdiff_t(*plain)), kRtpPlain);

        // salt || key instead of key || salt: a different packet, which the receiver refuses.
        std::vector<std::uint8_t> swapped(kMasterKeySalt.begin() + 16, kMasterKeySalt.end());
        swapped.insert(swapped.end(), kMasterKeySalt.begin(), kMasterKeySalt.begin() + 16);
        auto wrong = context(profile, key(swapped), key(swapped));
        std::vector<std::uint8_t> w = withRoom(kRtpPlain);
        auto wn = wrong->protectRtp(w, kRtpPlain.size());
        QVERIFY(wn);
        QVERIFY(std::vector<std::uint8_t>(w.begin(), w.begin() + std::ptrdiff_t(*wn)) != expected);
        std::vector<std::uint8_t> again = expected;
        QCOMPARE(wrong->unprotectRtp(again).error(), SrtpStatus::AuthFailed);
    }

    void knownAnswerRtcp()
    {
        auto sender = context(SrtpProfile::AesCm128HmacSha1_80, key(kMasterKeySalt), key(kMasterKeySalt));
        std::vector<std::uint8_t> b = withRoom(kRtcpPlain);
        auto n = sender->protectRtcp(b, kRtcpPlain.size());
        QVERIFY(n);
        // RFC 3711 3.4: E flag and SRTCP index 1, then the 80-bit tag.
        QCOMPARE(std::vector<std::uint8_t>(b.begin(), b.begin() + std::ptrdiff_t(*n)), kSrtcp80);
        auto receiver = context(SrtpProfile::AesCm128HmacSha1_80, patternKey(SrtpProfile::AesCm128HmacSha1_80, 3), key(kMasterKeySalt));
        std::vector<std::uint8_t> in = kSrtcp80;
        auto plain = receiver->unprotectRtcp(in);
        QVERIFY(plain);
        QCOMPARE(std::vector<std::uint8_t>(in.begin(), in.begin() + std::ptrdiff_t(*plain)), kRtcpPlain);
        std::vector<std::uint8_t> replay = kSrtcp80;
        QCOMPARE(receiver->unprotectRtcp(replay).error(), SrtpStatus::Replay);
    }

    void roundTripEverySuite_data()
    {
        QTest::addColumn<SrtpProfile>("profile");
        for (SrtpProfile p : {SrtpProfile::AesCm128HmacSha1_80, SrtpProfile::AesCm128HmacSha1_32, SrtpProfile::Aes256CmHmacSha1_80,
                 SrtpProfile::Aes256CmHmacSha1_32, SrtpProfile::AeadAes128Gcm, SrtpProfile::AeadAes256Gcm})
            QTest::newRow(srtpProfileName(p).constData()) << p;
    }
    void roundTripEverySuite()
    {
        QFETCH(SrtpProfile, profile);
        const SrtpKey a = patternKey(profile, 10), b = patternKey(profile, 99);
        auto alice = context(profile, a, b);
        auto bob = context(profile, b, a);
        for (quint16 seq = 65500; seq != 40; ++seq) { // across the sequence wrap: the ROC follows (RFC 3711 3.3.1)
            std::vector<std::uint8_t> p = rtp(seq);
            const std::vector<std::uint8_t> plain(p.begin(), p.begin() + 172);
            auto n = alice->protectRtp(p, 172);
            QVERIFY(n);
            QVERIFY(*n > 172);
            QVERIFY(std::vector<std::uint8_t>(p.begin() + 12, p.begin() + 172) != std::vector<std::uint8_t>(plain.begin() + 12, plain.end()));
            auto got = bob->unprotectRtp(std::span(p).first(*n));
            QVERIFY2(got, qPrintable(srtpStatusName(got.error())));
            QCOMPARE(*got, std::size_t(172));
            QCOMPARE(std::vector<std::uint8_t>(p.begin(), p.begin() + 172), plain);
        }
        // SRTCP the other way, with the peer's key.
        std::vector<std::uint8_t> r = withRoom(kRtcpPlain);
        auto n = bob->protectRtcp(r, kRtcpPlain.size());
        QVERIFY(n);
        auto got = alice->unprotectRtcp(std::span(r).first(*n));
        QVERIFY(got);
        QCOMPARE(std::vector<std::uint8_t>(r.begin(), r.begin() + std::ptrdiff_t(*got)), kRtcpPlain);
        QCOMPARE(srtpProfileName(alice->profile()), srtpProfileName(profile));
    }

    void refusesTamperingReplayAndPlainRtp()
    {
        const SrtpProfile p = SrtpProfile::AesCm128HmacSha1_80;
        const SrtpKey a = patternKey(p, 1), b = patternKey(p, 2);
        auto alice = context(p, a, b);
        auto bob = context(p, b, a);
        std::vector<std::uint8_t> pkt = rtp(100);
        auto n = alice->protectRtp(pkt, 172);
        QVERIFY(n);
        const std::vector<std::uint8_t> sent(pkt.begin(), pkt.begin() + std::ptrdiff_t(*n));

        std::vector<std::uint8_t> payloadFlip = sent;
        payloadFlip[40] ^= 0x01;
        QCOMPARE(bob->unprotectRtp(payloadFlip).error(), SrtpStatus::AuthFailed);
        std::vector<std::uint8_t> tagFlip = sent;
        tagFlip.back() ^= 0x80;
        QCOMPARE(bob->unprotectRtp(tagFlip).error(), SrtpStatus::AuthFailed);
        std::vector<std::uint8_t> headerFlip = sent; // the header is authenticated too
        headerFlip[1] = 8;
        QCOMPARE(bob->unprotectRtp(headerFlip).error(), SrtpStatus::AuthFailed);

        std::vector<std::uint8_t> first = sent;
        QVERIFY(bob->unprotectRtp(first));
        std::vector<std::uint8_t> replay = sent;
        QCOMPARE(bob->unprotectRtp(replay).error(), SrtpStatus::Replay);

        // Plain RTP where SRTP was agreed: no valid tag.
        std::vector<std::uint8_t> plain = rtp(101);
        QCOMPARE(bob->unprotectRtp(std::span(plain).first(172)).error(), SrtpStatus::AuthFailed);
        // Our own key on the far side's context: a misconfigured peer echoing our key cannot read us.
        auto echo = context(p, a, b);
        std::vector<std::uint8_t> mine = rtp(7);
        auto m = alice->protectRtp(mine, 172);
        QVERIFY(m);
        QCOMPARE(echo->unprotectRtp(std::span(mine).first(*m)).error(), SrtpStatus::AuthFailed);
    }

    void boundsAndBadParams()
    {
        const SrtpProfile p = SrtpProfile::AesCm128HmacSha1_80;
        auto c = context(p, patternKey(p, 1), patternKey(p, 2));
        std::vector<std::uint8_t> tight = rtp(1);
        QCOMPARE(c->protectRtp(std::span(tight).first(172 + 4), 172).error(), SrtpStatus::Malformed); // no room for the tag
        QCOMPARE(c->protectRtp(tight, 8).error(), SrtpStatus::Malformed); // shorter than an RTP header
        std::vector<std::uint8_t> tiny(6, 0x80);
        QCOMPARE(c->unprotectRtp(tiny).error(), SrtpStatus::Malformed);
        QCOMPARE(c->unprotectRtcp(std::span(tiny).first(4)).error(), SrtpStatus::Malformed);

        SrtpParams bad;
        bad.profile = SrtpProfile::Aes256CmHmacSha1_80;
        bad.sendKey = patternKey(SrtpProfile::AesCm128HmacSha1_80, 1); // 30 octets for a 46-octet suite
        bad.receiveKey = bad.sendKey;
        auto refused = SrtpContext::create(bad);
        QVERIFY(!refused);
        QVERIFY(refused.error().contains("46-octet"));
        QCOMPARE(srtpMasterKeySize(SrtpProfile::AeadAes256Gcm), 44);
        QCOMPARE(srtpMasterKeySize(SrtpProfile::AeadAes128Gcm), 28);
    }
};

QTEST_GUILESS_MAIN(TestSrtpContext)
#include "tst_srtp_context.moc"
