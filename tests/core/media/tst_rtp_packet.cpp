// RTP packets: hand-built RFC 3550 packets parsed field by field, serialize/parse round trips,
// malformed headers rejected with the right error, and random buffers that must never crash.

#include "media/rtp_packet.h"

#include <QByteArray>
#include <QTest>

#include <array>
#include <random>
#include <vector>

using namespace ds::media;

Q_DECLARE_METATYPE(ds::media::RtpError)

namespace {

std::span<const std::uint8_t> bytes(const QByteArray &b) { return {reinterpret_cast<const std::uint8_t *>(b.constData()), std::size_t(b.size())}; }
QByteArray toBytes(std::span<const std::uint8_t> s) { return QByteArray(reinterpret_cast<const char *>(s.data()), qsizetype(s.size())); }

} // namespace

class TestRtpPacket : public QObject {
    Q_OBJECT
private slots:
    void parsesMinimal()
    {
        // V=2, PT 0 (PCMU), seq 0x1234, ts 0xDEADBEEF, SSRC 0x01020304, 4 payload octets.
        const QByteArray p = QByteArray::fromHex("80001234deadbeef01020304") + QByteArray("\xff\xfe\x7f\x00", 4);
        auto r = RtpPacket::parse(bytes(p));
        QVERIFY(r);
        QCOMPARE(r->marker, false);
        QCOMPARE(r->payloadType, std::uint8_t(0));
        QCOMPARE(r->sequence, std::uint16_t(0x1234));
        QCOMPARE(r->timestamp, 0xDEADBEEFu);
        QCOMPARE(r->ssrc, 0x01020304u);
        QCOMPARE(r->csrcCount, std::uint8_t(0));
        QVERIFY(!r->hasExtension);
        QCOMPARE(r->padding, std::uint8_t(0));
        QCOMPARE(toBytes(r->payload), QByteArray("\xff\xfe\x7f\x00", 4));
        QCOMPARE(r->headerSize(), std::size_t(12));
        QCOMPARE(r->size(), std::size_t(p.size()));
    }

    void parsesEverything()
    {
        // V=2 P X CC=2, M PT=101 (telephone-event), two CSRCs, RFC 8285 one-byte extension of
        // one word, 3 payload octets, 5 padding octets.
        const QByteArray p = QByteArray::fromHex("b2e5ffff0000a0000000000a"
                                                 "000000b1000000b2"
                                                 "bede0001"
                                                 "10ff0000"
                                                 "01020a"
                                                 "0000000005");
        auto r = RtpPacket::parse(bytes(p));
        QVERIFY2(r, r ? "" : describe(r.error()));
        QVERIFY(r->marker);
        QCOMPARE(r->payloadType, std::uint8_t(101));
        QCOMPARE(r->sequence, std::uint16_t(0xFFFF));
        QCOMPARE(r->timestamp, 0xA000u);
        QCOMPARE(r->ssrc, 10u);
        QCOMPARE(r->csrcCount, std::uint8_t(2));
        QCOMPARE(r->csrcs[0], 0xB1u);
        QCOMPARE(r->csrcs[1], 0xB2u);
        QVERIFY(r->hasExtension);
        QVERIFY(r->hasOneByteExtensions());
        QVERIFY(!r->hasTwoByteExtensions());
        QCOMPARE(r->extensionProfile, std::uint16_t(0xBEDE));
        QCOMPARE(toBytes(r->extension), QByteArray::fromHex("10ff0000"));
        QCOMPARE(toBytes(r->payload), QByteArray::fromHex("01020a"));
        QCOMPARE(r->padding, std::uint8_t(5));
        QCOMPARE(r->size(), std::size_t(p.size()));

        // Serializing what was parsed gives the same bytes back.
        std::array<std::uint8_t, 64> out {};
        auto n = r->serialize(out);
        QVERIFY(n);
        QCOMPARE(toBytes(std::span(out).first(*n)), p);
    }

    void twoByteExtensionAndEmptyPayload()
    {
        // RFC 8285 4.3: profile 0x100 in the top 12 bits, appbits in the low 4.
        const QByteArray p = QByteArray::fromHex("9008000100000002000000031003000201020304aabbccdd");
        auto r = RtpPacket::parse(bytes(p));
        QVERIFY(r);
        QVERIFY(r->hasTwoByteExtensions());
        QCOMPARE(r->extension.size(), std::size_t(8));
        QVERIFY(r->payload.empty());
        // A zero-length extension is legal too.
        auto z = RtpPacket::parse(bytes(QByteArray::fromHex("90080001000000020000000312340000")));
        QVERIFY(z);
        QCOMPARE(z->extensionProfile, std::uint16_t(0x1234));
        QVERIFY(z->extension.empty());
    }

    void rejects_data()
    {
        QTest::addColumn<QByteArray>("packet");
        QTest::addColumn<RtpError>("error");
        const QByteArray h = QByteArray::fromHex("80001234deadbeef01020304");
        QTest::newRow("empty") << QByteArray() << RtpError::TooShort;
        QTest::newRow("11 bytes") << h.left(11) << RtpError::TooShort;
        QTest::newRow("version 0") << QByteArray::fromHex("00001234deadbeef01020304") << RtpError::BadVersion;
        QTest::newRow("version 1") << QByteArray::fromHex("40001234deadbeef01020304") << RtpError::BadVersion;
        QTest::newRow("version 3") << QByteArray::fromHex("c0001234deadbeef01020304") << RtpError::BadVersion;
        QTest::newRow("CC 15, no CSRCs") << QByteArray::fromHex("8f001234deadbeef01020304") << RtpError::CsrcTruncated;
        QTest::newRow("CC 1, half a CSRC") << QByteArray::fromHex("81001234deadbeef010203040000") << RtpError::CsrcTruncated;
        QTest::newRow("X, no extension header") << QByteArray::fromHex("90001234deadbeef01020304bede") << RtpError::ExtensionTruncated;
        QTest::newRow("X, length past end") << QByteArray::fromHex("90001234deadbeef01020304bede000211111111") << RtpError::ExtensionTruncated;
        QTest::newRow("X, length 0xFFFF") << QByteArray::fromHex("90001234deadbeef01020304bedeffff") << RtpError::ExtensionTruncated;
        QTest::newRow("P, count 0") << QByteArray::fromHex("a0001234deadbeef010203040000") << RtpError::BadPadding;
        QTest::newRow("P, count past payload") << QByteArray::fromHex("a0001234deadbeef010203040003") << RtpError::BadPadding;
        QTest::newRow("P, no payload byte for the count") << QByteArray::fromHex("a0001234deadbeef01020304") << RtpError::BadPadding;
        QTest::newRow("P, count eats the extension") << QByteArray::fromHex("b0001234deadbeef01020304bede00000000000000000009") << RtpError::BadPadding;
    }
    void rejects()
    {
        QFETCH(QByteArray, packet);
        QFETCH(RtpError, error);
        auto r = RtpPacket::parse(bytes(packet));
        QVERIFY(!r);
        QCOMPARE(r.error(), error);
        QVERIFY(describe(error)[0] != '\0');
    }

    void paddingExactlyToHeader()
    {
        // The padding may take every octet after the header: an empty payload.
        auto r = RtpPacket::parse(bytes(QByteArray::fromHex("a0001234deadbeef0102030400000004")));
        QVERIFY(r);
        QVERIFY(r->payload.empty());
        QCOMPARE(r->padding, std::uint8_t(4));
    }

    void serializeInPlaceAndErrors()
    {
        std::array<std::uint8_t, 200> buf {};
        RtpPacket p;
        p.payloadType = 8;
        p.sequence = 7;
        p.timestamp = 160;
        p.ssrc = 0xCAFEBABE;
        p.marker = true;
        p.csrcCount = 1;
        p.csrcs[0] = 42;
        // Build the payload in place after the header, then serialize around it.
        const std::size_t h = p.headerSize();
        QCOMPARE(h, std::size_t(16));
        for (std::size_t i = 0; i < 160; ++i)
            buf[h + i] = std::uint8_t(i);
        p.payload = std::span<const std::uint8_t>(buf).subspan(h, 160);
        auto n = p.serialize(buf);
        QVERIFY(n);
        QCOMPARE(*n, std::size_t(176));
        auto back = RtpPacket::parse(std::span<const std::uint8_t>(buf).first(*n));
        QVERIFY(back);
        QCOMPARE(back->payloadType, std::uint8_t(8));
        QVERIFY(back->marker);
        QCOMPARE(back->csrcs[0], 42u);
        QCOMPARE(back->ssrc, 0xCAFEBABEu);
        for (std::size_t i = 0; i < 160; ++i)
            QCOMPARE(back->payload[i], std::uint8_t(i));

        QCOMPARE(p.serialize(std::span(buf).first(175)).error(), RtpError::BufferTooSmall);
        RtpPacket bad = p;
        bad.payloadType = 128;
        QCOMPARE(bad.serialize(buf).error(), RtpError::BadField);
        bad = p;
        bad.csrcCount = 16;
        QCOMPARE(bad.serialize(buf).error(), RtpError::BadField);
        bad = p;
        const std::array<std::uint8_t, 3> ext {1, 2, 3};
        bad.hasExtension = true;
        bad.extension = ext;
        QCOMPARE(bad.serialize(buf).error(), RtpError::BadExtension);
    }

    void roundTripsRandomHeaders()
    {
        std::mt19937 rng(2024);
        std::array<std::uint8_t, 1500> out {};
        std::vector<std::uint8_t> payload(400), ext(64);
        for (int i = 0; i < 2000; ++i) {
            RtpPacket p;
            p.marker = rng() & 1;
            p.payloadType = std::uint8_t(rng() % 128);
            p.sequence = std::uint16_t(rng());
            p.timestamp = std::uint32_t(rng());
            p.ssrc = std::uint32_t(rng());
            p.csrcCount = std::uint8_t(rng() % 16);
            for (int k = 0; k < p.csrcCount; ++k)
                p.csrcs[k] = std::uint32_t(rng());
            p.hasExtension = rng() & 1;
            p.extensionProfile = std::uint16_t(rng());
            for (auto &b : ext)
                b = std::uint8_t(rng());
            for (auto &b : payload)
                b = std::uint8_t(rng());
            p.extension = p.hasExtension ? std::span<const std::uint8_t>(ext).first(4 * (rng() % 17)) : std::span<const std::uint8_t> {};
            p.payload = std::span<const std::uint8_t>(payload).first(rng() % 401);
            p.padding = std::uint8_t(rng() % 4 == 0 ? 1 + rng() % 255 : 0);
            auto n = p.serialize(out);
            QVERIFY(n);
            auto q = RtpPacket::parse(std::span<const std::uint8_t>(out).first(*n));
            QVERIFY(q);
            QCOMPARE(q->marker, p.marker);
            QCOMPARE(q->payloadType, p.payloadType);
            QCOMPARE(q->sequence, p.sequence);
            QCOMPARE(q->timestamp, p.timestamp);
            QCOMPARE(q->ssrc, p.ssrc);
            QCOMPARE(q->csrcCount, p.csrcCount);
            QVERIFY(std::equal(p.csrcs.begin(), p.csrcs.begin() + p.csrcCount, q->csrcs.begin()));
            QCOMPARE(q->hasExtension, p.hasExtension);
            if (p.hasExtension)
                QCOMPARE(q->extensionProfile, p.extensionProfile);
            QVERIFY(std::ranges::equal(q->extension, p.extension));
            QVERIFY(std::ranges::equal(q->payload, p.payload));
            QCOMPARE(q->padding, p.padding);
        }
    }

    // Random and mutated buffers: parse returns a value or an error, and every span it returns
    // lies inside the buffer (ASan in CI checks the rest).
    void randomBuffersNeverCrash()
    {
        std::mt19937 rng(7);
        std::vector<std::uint8_t> buf;
        for (int i = 0; i < 200000; ++i) {
            buf.resize(rng() % 80);
            for (auto &b : buf)
                b = std::uint8_t(rng());
            if (!buf.empty() && (i & 1))
                buf[0] = std::uint8_t(0x80 | (buf[0] & 0x3F)); // version 2 half the time, to go deeper
            // Heap-allocated exact-size copy so ASan catches any read past the end.
            const std::vector<std::uint8_t> exact(buf);
            auto r = RtpPacket::parse(exact);
            if (!r)
                continue;
            const auto *begin = exact.data(), *end = exact.data() + exact.size();
            QVERIFY(r->payload.empty() || (r->payload.data() >= begin && r->payload.data() + r->payload.size() <= end));
            QVERIFY(r->extension.empty() || (r->extension.data() >= begin && r->extension.data() + r->extension.size() <= end));
            QCOMPARE(r->size(), exact.size());
        }
    }
};

QTEST_GUILESS_MAIN(TestRtpPacket)
#include "tst_rtp_packet.moc"
