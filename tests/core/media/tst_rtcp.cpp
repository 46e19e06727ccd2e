// RTCP: SR/RR and SR|RR + SDES CNAME compounds built to hand-checked bytes and parsed back, malformed
// packets rejected with the right error, and the RFC 3550 6.4.1 round-trip time example.

#include "media/rtcp.h"

#include <QByteArray>
#include <QTest>

#include <array>
#include <optional>
#include <random>
#include <vector>

using namespace ds::media;

Q_DECLARE_METATYPE(ds::media::RtcpError)
Q_DECLARE_METATYPE(ds::media::RtcpReport)

namespace {

std::span<const std::uint8_t> bytes(const QByteArray &b) { return {reinterpret_cast<const std::uint8_t *>(b.constData()), std::size_t(b.size())}; }
QByteArray toBytes(std::span<const std::uint8_t> s) { return QByteArray(reinterpret_cast<const char *>(s.data()), qsizetype(s.size())); }

const ReportBlock kBlock {0xAABBCCDD, 51, -1, 0x00010006, 23, 0xB7052000, 0x00054000};
const SenderInfo kSender {0xE8A1B2C380000000ull, 8000, 100, 16000};

RtcpReport report(std::optional<SenderInfo> sender, std::optional<ReportBlock> block)
{
    RtcpReport r;
    r.ssrc = 0x11223344;
    r.sender = sender;
    r.block = block;
    return r;
}

} // namespace

class TestRtcp : public QObject {
    Q_OBJECT
private slots:
    void roundTrip_data()
    {
        QTest::addColumn<RtcpReport>("report");
        QTest::addColumn<QByteArray>("wire");
        // RR, RC=1, PT 201, length 7 words-1; cumulative lost -1 is 0xFFFFFF in 24 bits, fraction 51 = 0x33.
        QTest::newRow("RR with block") << report(std::nullopt, kBlock)
                                       << QByteArray::fromHex("81c90007 11223344 aabbccdd 33ffffff 00010006 00000017 b7052000 00054000");
        // SR, RC=0, PT 200, length 6: NTP e8a1b2c3.80000000, RTP ts 8000, 100 packets, 16000 octets.
        QTest::newRow("SR without block") << report(kSender, std::nullopt)
                                          << QByteArray::fromHex("80c80006 11223344 e8a1b2c3 80000000 00001f40 00000064 00003e80");
        QTest::newRow("SR with block") << report(kSender, kBlock)
                                       << QByteArray::fromHex("81c8000c 11223344 e8a1b2c3 80000000 00001f40 00000064 00003e80"
                                                              "aabbccdd 33ffffff 00010006 00000017 b7052000 00054000");
        QTest::newRow("empty RR") << report(std::nullopt, std::nullopt) << QByteArray::fromHex("80c90001 11223344");
    }
    void roundTrip()
    {
        QFETCH(RtcpReport, report);
        QFETCH(QByteArray, wire);
        std::array<std::uint8_t, 64> out {};
        auto n = rtcp::buildReport(report, out);
        QVERIFY(n);
        QCOMPARE(toBytes(std::span(out).first(*n)), wire);

        auto r = rtcp::parseReport(bytes(wire));
        QVERIFY2(r, r ? "" : describe(r.error()));
        QCOMPARE(r->ssrc, report.ssrc);
        QCOMPARE(r->sender, report.sender);
        QCOMPARE(r->block, report.block);
        QCOMPARE(r->reportCount, std::uint8_t(report.block ? 1 : 0));

        QCOMPARE(rtcp::buildReport(report, std::span(out).first(std::size_t(wire.size() - 1))).error(), RtcpError::BufferTooSmall);
    }

    void compound()
    {
        std::array<std::uint8_t, 128> out {};
        auto n = rtcp::buildCompound(report(kSender, kBlock), "ab@host", out);
        QVERIFY(n);
        // SDES: SC=1, PT 202, 20 bytes = length 4; CNAME item type 1, length 7, then three null octets to a word boundary.
        const QByteArray sdes = QByteArray::fromHex("81ca0004 11223344 0107") + "ab@host" + QByteArray(3, '\0');
        QCOMPARE(*n, std::size_t(52 + 20));
        QCOMPARE(toBytes(std::span(out).subspan(52, 20)), sdes);

        auto c = rtcp::parseCompound(std::span(out).first(*n));
        QVERIFY2(c, c ? "" : describe(c.error()));
        QCOMPARE(c->report.ssrc, 0x11223344u);
        QCOMPARE(c->report.sender, std::optional(kSender));
        QCOMPARE(c->report.block, std::optional(kBlock));
        QVERIFY(c->cname);
        QCOMPARE(QByteArray(c->cname->data(), qsizetype(c->cname->size())), QByteArray("ab@host"));

        // A CNAME that fills a word exactly still gets a whole word of nulls (RFC 3550 6.5).
        n = rtcp::buildCompound(report(std::nullopt, std::nullopt), "ab", out);
        QVERIFY(n);
        QCOMPARE(toBytes(std::span(out).first(*n)), QByteArray::fromHex("80c90001 11223344 81ca0003 11223344 0102 6162 00000000"));

        QCOMPARE(rtcp::buildCompound(report(std::nullopt, std::nullopt), std::string(256, 'x'), out).error(), RtcpError::BadField);
        QCOMPARE(rtcp::buildCompound(report(kSender, kBlock), "ab@host", std::span(out).first(60)).error(), RtcpError::BufferTooSmall);
    }

    void compoundFromPeer()
    {
        // RR, then a BYE (skipped), then SDES with two chunks: a NOTE-only one for another SSRC and ours with CNAME.
        const QByteArray p = QByteArray::fromHex("80c90001 11223344"
                                                 "81cb0001 11223344"
                                                 "82ca0005 99999999 070178 00 11223344 0103")
            + "xyz" + QByteArray::fromHex("000000");
        auto c = rtcp::parseCompound(bytes(p));
        QVERIFY2(c, c ? "" : describe(c.error()));
        QVERIFY(!c->report.sender);
        QCOMPARE(c->report.reportCount, std::uint8_t(0));
        QVERIFY(c->cname);
        QCOMPARE(QByteArray(c->cname->data(), qsizetype(c->cname->size())), QByteArray("xyz"));

        // Padding on the last packet (RFC 3550 6.4.1) is stripped before the report is read.
        const QByteArray padded = QByteArray::fromHex("a0c90002 11223344 00000004");
        auto r = rtcp::parseReport(bytes(padded));
        QVERIFY2(r, r ? "" : describe(r.error()));
        QCOMPARE(r->ssrc, 0x11223344u);
    }

    void malformed_data()
    {
        QTest::addColumn<QByteArray>("packet");
        QTest::addColumn<bool>("compound");
        QTest::addColumn<RtcpError>("error");
        const QByteArray rr = QByteArray::fromHex("81c90007 11223344 aabbccdd 33ffffff 00010006 00000017 b7052000 00054000");
        QTest::newRow("empty") << QByteArray() << false << RtcpError::TooShort;
        QTest::newRow("three bytes") << QByteArray::fromHex("81c900") << false << RtcpError::TooShort;
        QTest::newRow("empty compound") << QByteArray() << true << RtcpError::TooShort;
        QTest::newRow("version 1") << QByteArray::fromHex("41c90001 11223344") << false << RtcpError::BadVersion;
        QTest::newRow("length past end") << QByteArray::fromHex("81c90008") + rr.mid(4) << false << RtcpError::BadLength;
        QTest::newRow("truncated") << rr.left(20) << false << RtcpError::BadLength;
        QTest::newRow("trailing bytes") << rr + QByteArray(4, '\0') << false << RtcpError::BadLength;
        QTest::newRow("RC exceeds length") << QByteArray::fromHex("81c90001 11223344") << false << RtcpError::BadLength;
        QTest::newRow("SR without sender info") << QByteArray::fromHex("80c80001 11223344") << false << RtcpError::TooShort;
        QTest::newRow("zero padding count") << QByteArray::fromHex("a0c90001 11223300") << false << RtcpError::BadPadding;
        QTest::newRow("padding past header") << QByteArray::fromHex("a0c90001 11223309") << false << RtcpError::BadPadding;
        QTest::newRow("not SR or RR") << QByteArray::fromHex("81cb0001 11223344") << false << RtcpError::NotCompound;
        QTest::newRow("compound starts with SDES") << QByteArray::fromHex("81ca0002 11223344 01000000 80c90001 11223344") << true << RtcpError::NotCompound;
        QTest::newRow("compound second packet past end") << QByteArray::fromHex("80c90001 11223344 81ca0005 11223344") << true << RtcpError::BadLength;
        QTest::newRow("SDES item past chunk") << QByteArray::fromHex("80c90001 11223344 81ca0002 11223344 01097800") << true << RtcpError::BadLength;
        QTest::newRow("SDES chunk count past end") << QByteArray::fromHex("80c90001 11223344 82ca0002 11223344 01017800") << true << RtcpError::BadLength;
        QTest::newRow("compound bad version inside") << QByteArray::fromHex("80c90001 11223344 41ca0001 11223344") << true << RtcpError::BadVersion;
    }
    void malformed()
    {
        QFETCH(QByteArray, packet);
        QFETCH(bool, compound);
        QFETCH(RtcpError, error);
        // Exact-size heap copy so ASan catches any read past the end.
        const std::vector<std::uint8_t> exact(packet.begin(), packet.end());
        if (compound) {
            auto r = rtcp::parseCompound(exact);
            QVERIFY(!r);
            QCOMPARE(r.error(), error);
        } else {
            auto r = rtcp::parseReport(exact);
            QVERIFY(!r);
            QCOMPARE(r.error(), error);
        }
        QVERIFY(describe(error)[0] != '\0');
    }

    void randomBytesNeverCrash()
    {
        std::mt19937 rng(4733);
        std::vector<std::uint8_t> buf;
        for (int i = 0; i < 20000; ++i) {
            buf.resize(rng() % 96);
            for (auto &b : buf)
                b = std::uint8_t(rng());
            for (std::size_t at = 0; at < buf.size(); at += 4 + 4 * (rng() % 6)) { // plausible headers, to go deeper
                buf[at] = std::uint8_t(0x80 | (buf[at] & 0x3F));
                if (at + 3 < buf.size()) {
                    buf[at + 1] = std::uint8_t(200 + rng() % 5);
                    buf[at + 2] = 0;
                    buf[at + 3] = std::uint8_t(rng() % 8);
                }
            }
            const std::vector<std::uint8_t> exact(buf); // exact size so ASan catches reads past the end
            if (auto c = rtcp::parseCompound(exact); c && c->cname) {
                const auto *p = reinterpret_cast<const std::uint8_t *>(c->cname->data());
                QVERIFY(c->cname->empty() || (p >= exact.data() && p + c->cname->size() <= exact.data() + exact.size()));
            }
            (void)rtcp::parseReport(exact);
        }
    }

    void cumulativeLostClamps()
    {
        std::array<std::uint8_t, 32> out {};
        ReportBlock b = kBlock;
        b.cumulativeLost = -10'000'000; // below the 24-bit range
        auto n = rtcp::buildReport(report(std::nullopt, b), out);
        QVERIFY(n);
        QCOMPARE(rtcp::parseReport(std::span(out).first(*n))->block->cumulativeLost, -0x800000);
        b.cumulativeLost = 10'000'000;
        n = rtcp::buildReport(report(std::nullopt, b), out);
        QCOMPARE(rtcp::parseReport(std::span(out).first(*n))->block->cumulativeLost, 0x7FFFFF);
    }

    void roundTripTime_data()
    {
        QTest::addColumn<quint32>("arrival");
        QTest::addColumn<quint32>("lsr");
        QTest::addColumn<quint32>("dlsr");
        QTest::addColumn<quint32>("rtt");
        // RFC 3550 6.4.1 figure 2: A 46864.500 s, LSR 46853.125 s, DLSR 5.250 s -> 6.125 s.
        QTest::newRow("RFC 3550 example") << 0xB7108000u << 0xB7052000u << 0x00054000u << 0x00062000u;
        QTest::newRow("across the 16-bit seconds wrap") << 0x00010000u << 0xFFFF8000u << 0x00004000u << 0x00014000u;
    }
    void roundTripTime()
    {
        QFETCH(quint32, arrival);
        QFETCH(quint32, lsr);
        QFETCH(quint32, dlsr);
        QFETCH(quint32, rtt);
        QCOMPARE(ds::media::roundTripTime(arrival, lsr, dlsr), std::optional<std::uint32_t>(rtt));
    }

    void rttHelpers()
    {
        QCOMPARE(rtcpUnitsToMs(0x00062000), 6125.0);
        QVERIFY(!ds::media::roundTripTime(0xB7108000, 0, 0).has_value()); // no SR received yet
        // Middle 32 bits: the low 16 bits of the seconds and the high 16 bits of the fraction.
        QCOMPARE(ntpMiddle32(0x1234B7052000ABCDull), 0xB7052000u);
        static_assert(ntpMiddle32(0xE8A1B2C380000000ull) == 0xB2C38000u);
    }
};

QTEST_GUILESS_MAIN(TestRtcp)
#include "tst_rtcp.moc"
