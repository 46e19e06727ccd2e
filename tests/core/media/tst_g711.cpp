// G.711: known answers from tests/data/media/g711_known_answers.tsv (ITU-T G.191 reference) and
// the properties a decoder relies on: idempotent requantisation, monotonicity, silence codes.

#include "media/g711.h"

#include <QFile>
#include <QTest>

#include <algorithm>
#include <array>
#include <cstdlib>
#include <vector>

using namespace ds::media;
using Law = G711::Law;

Q_DECLARE_METATYPE(G711::Law)

class TestG711 : public QObject {
    Q_OBJECT
private slots:
    void knownAnswers_data()
    {
        QTest::addColumn<Law>("law");
        QTest::addColumn<int>("sample");
        QTest::addColumn<int>("code");
        QTest::addColumn<int>("decoded");
        QFile file(QStringLiteral(DS_TEST_DATA "/media/g711_known_answers.tsv"));
        QVERIFY(file.open(QIODevice::ReadOnly));
        int n = 0;
        for (const QByteArray &line : file.readAll().split('\n')) {
            if (line.isEmpty() || line.startsWith('#'))
                continue;
            const QList<QByteArray> f = line.split('\t');
            QCOMPARE(f.size(), 4);
            QVERIFY(f[0] == "ulaw" || f[0] == "alaw");
            bool ok1, ok2, ok3;
            const Law law = f[0] == "ulaw" ? Law::Ulaw : Law::Alaw;
            QTest::addRow("%s %s", f[0].constData(), f[1].constData()) << law << f[1].toInt(&ok1) << f[2].toInt(&ok2, 16) << f[3].toInt(&ok3);
            QVERIFY(ok1 && ok2 && ok3);
            ++n;
        }
        QVERIFY(n >= 100);
    }
    void knownAnswers()
    {
        QFETCH(Law, law);
        QFETCH(int, sample);
        QFETCH(int, code);
        QFETCH(int, decoded);
        QCOMPARE(int(G711::encode(law, std::int16_t(sample))), code);
        QCOMPARE(int(G711::decode(law, std::uint8_t(code))), decoded);
        // The span functions agree with the scalar ones.
        const std::array<std::int16_t, 3> in {std::int16_t(sample), 0, std::int16_t(sample)};
        std::array<std::uint8_t, 3> out {};
        QCOMPARE(G711::encode(law, in, out), std::size_t(3));
        QCOMPARE(int(out[0]), code);
        QCOMPARE(int(out[2]), code);
        std::array<std::int16_t, 3> back {};
        QCOMPARE(G711::decode(law, out, back), std::size_t(3));
        QCOMPARE(int(back[0]), decoded);
        QCOMPARE(int(back[2]), decoded);
    }

    void properties_data()
    {
        QTest::addColumn<Law>("law");
        QTest::newRow("ulaw") << Law::Ulaw;
        QTest::newRow("alaw") << Law::Alaw;
    }
    void properties()
    {
        QFETCH(Law, law);
        // Requantising a decoded value gives back the same value, for every code.
        for (int c = 0; c < 256; ++c) {
            const std::int16_t d = G711::decode(law, std::uint8_t(c));
            QCOMPARE(G711::decode(law, G711::encode(law, d)), d);
        }
        // The encoder is monotonic: a larger input never decodes to a smaller value. The
        // decoder output is symmetric about zero (sign-magnitude codes).
        std::int16_t prev = G711::decode(law, G711::encode(law, -32768));
        for (int s = -32767; s <= 32767; ++s) {
            const std::int16_t d = G711::decode(law, G711::encode(law, std::int16_t(s)));
            QVERIFY2(d >= prev, qPrintable(QStringLiteral("not monotonic at %1").arg(s)));
            prev = d;
        }
        for (int c = 0; c < 128; ++c)
            QCOMPARE(G711::decode(law, std::uint8_t(c)), std::int16_t(-G711::decode(law, std::uint8_t(c | 0x80))));
        // Every code is reachable from some linear input.
        std::vector<bool> seen(256);
        for (int s = -32768; s <= 32767; ++s)
            seen[G711::encode(law, std::int16_t(s))] = true;
        QCOMPARE(int(std::count(seen.begin(), seen.end(), true)), 256);
    }

    void silenceAndBitInversion()
    {
        // G.711 table 2a: µ-law transmits all bits inverted, so +0 is 0xFF.
        QCOMPARE(G711::encode(Law::Ulaw, 0), G711::ulawSilence);
        QCOMPARE(G711::ulawSilence, std::uint8_t(0xFF));
        QCOMPARE(G711::decode(Law::Ulaw, 0xFF), std::int16_t(0));
        // G.711 table 1a: A-law inverts the even bits (XOR 0x55), so +0 is 0xD5 and -0 is 0x55.
        QCOMPARE(G711::encode(Law::Alaw, 0), G711::alawSilence);
        QCOMPARE(G711::alawSilence, std::uint8_t(0xD5));
        QCOMPARE(G711::encode(Law::Alaw, -1), std::uint8_t(0x55));
        for (int s : {0, 1, 100, 1000, 5000, 20000, 32767}) {
            // Undoing the inversion leaves the segment in bits 6..4 and the sign in bit 7.
            const std::uint8_t raw = G711::encode(Law::Alaw, std::int16_t(s)) ^ 0x55;
            QVERIFY(raw & 0x80);
            QCOMPARE(G711::encode(Law::Alaw, std::int16_t(-s - 1)) ^ 0x55, raw & 0x7F);
        }
        // Full scale is the top of segment 7 in both laws.
        QCOMPARE(G711::encode(Law::Ulaw, 32767), std::uint8_t(0x80));
        QCOMPARE(G711::encode(Law::Alaw, 32767), std::uint8_t(0xAA));
    }

    void spanSizes()
    {
        // Equal sizes are the contract; the empty span is fine.
        QCOMPARE(G711::encode(Law::Ulaw, std::span<const std::int16_t> {}, std::span<std::uint8_t> {}), std::size_t(0));
        std::vector<std::int16_t> pcm(160);
        for (std::size_t i = 0; i < pcm.size(); ++i)
            pcm[i] = std::int16_t(i * 400 - 32000);
        std::vector<std::uint8_t> enc(pcm.size());
        std::vector<std::int16_t> dec(pcm.size());
        for (Law law : {Law::Ulaw, Law::Alaw}) {
            QCOMPARE(G711::encode(law, pcm, enc), pcm.size());
            QCOMPARE(G711::decode(law, enc, dec), pcm.size());
            for (std::size_t i = 0; i < pcm.size(); ++i) {
                QCOMPARE(enc[i], G711::encode(law, pcm[i]));
                // G.711 error is at most half a step: 1/32 of the value, and 8 near zero (16 for µ-law's first step).
                QVERIFY(std::abs(dec[i] - pcm[i]) <= std::max(16, std::abs(int(pcm[i])) / 16));
            }
        }
    }
};

QTEST_GUILESS_MAIN(TestG711)
#include "tst_g711.moc"
