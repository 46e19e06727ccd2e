// SDES a=crypto (RFC 4568): the RFC's own examples, malformed lines each named by what is wrong,
// round trips, fresh keys, and the answerer's and offerer's choice of a line.

#include "sdp/crypto_attribute.h"

#include <QTest>

using namespace ds::sdp;

Q_DECLARE_METATYPE(ds::sdp::CryptoError::Code)

namespace {

QByteArray keyText(const MasterKey &k) { return QByteArray(reinterpret_cast<const char *>(k.data()), k.size()).toBase64(); }

// A 30-octet key||salt in base64, as AES_CM_128 suites carry it (RFC 4568 section 4's example key).
constexpr char kKey30[] = "PS1uQCVeeCFCanVmcjkpPywjNWhcYD0mXXtxaVBR";

} // namespace

class TestCryptoAttribute : public QObject {
    Q_OBJECT
private slots:
    void parsesRfcExamples_data()
    {
        QTest::addColumn<QByteArray>("value");
        QTest::addColumn<quint32>("tag");
        QTest::addColumn<QByteArray>("suite");
        QTest::addColumn<bool>("known");
        QTest::addColumn<int>("keys");
        QTest::addColumn<quint64>("lifetime"); // 0: none
        QTest::addColumn<quint64>("mki"); // of the first key; with mkiLength 0: none
        QTest::addColumn<int>("mkiLength");
        QTest::addColumn<QByteArrayList>("params");
        // RFC 4568 4: the example of the attribute.
        QTest::newRow("RFC 4568 4") << QByteArray("1 AES_CM_128_HMAC_SHA1_80 inline:PS1uQCVeeCFCanVmcjkpPywjNWhcYD0mXXtxaVBR|2^20|1:32") << 1u
                                    << QByteArray("AES_CM_128_HMAC_SHA1_80") << true << 1 << (quint64(1) << 20) << quint64(1) << 32 << QByteArrayList {};
        // RFC 4568 8.1: the offer's lines, one with two keys told apart by MKI, and session parameters.
        QTest::newRow("RFC 4568 8.1 first") << QByteArray(
            "1 AES_CM_128_HMAC_SHA1_80 inline:WVNfX19zZW1jdGwgKCkgewkyMjA7fQp9CnVubGVz|2^20|1:4 FEC_ORDER=FEC_SRTP")
                                            << 1u << QByteArray("AES_CM_128_HMAC_SHA1_80") << true << 1 << (quint64(1) << 20) << quint64(1) << 4
                                            << QByteArrayList {"FEC_ORDER=FEC_SRTP"};
        QTest::newRow("RFC 4568 8.1 F8, two keys") << QByteArray("2 F8_128_HMAC_SHA1_80 inline:MTIzNDU2Nzg5QUJDREUwMTIzNDU2Nzg5QUJjZGVm|2^20|1:4;"
                                                                 "inline:QUJjZGVmMTIzNDU2Nzg5QUJDREUwMTIzNDU2Nzg5|2^20|2:4 FEC_ORDER=FEC_SRTP")
                                                   << 2u << QByteArray("F8_128_HMAC_SHA1_80") << false << 2 << (quint64(1) << 20) << quint64(1) << 4
                                                   << QByteArrayList {"FEC_ORDER=FEC_SRTP"};
        // What baresip, Linphone and Asterisk send: no lifetime, no MKI.
        QTest::newRow("bare key") << QByteArray("1 AES_CM_128_HMAC_SHA1_32 inline:") + kKey30 << 1u << QByteArray("AES_CM_128_HMAC_SHA1_32") << true << 1
                                  << quint64(0) << quint64(0) << 0 << QByteArrayList {};
        QTest::newRow("decimal lifetime, session params")
            << QByteArray("99 AES_CM_128_HMAC_SHA1_80 inline:") + kKey30 + "|1048576 KDR=0 WSH=256" << 99u << QByteArray("AES_CM_128_HMAC_SHA1_80") << true << 1
            << quint64(1048576) << quint64(0) << 0 << QByteArrayList {"KDR=0", "WSH=256"};
        QTest::newRow("GCM, padded key") << QByteArray("3 AEAD_AES_128_GCM inline:AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGw==") << 3u
                                         << QByteArray("AEAD_AES_128_GCM") << true << 1 << quint64(0) << quint64(0) << 0 << QByteArrayList {};
        QTest::newRow("GCM, padding stripped") << QByteArray("3 AEAD_AES_128_GCM inline:AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGw") << 3u
                                               << QByteArray("AEAD_AES_128_GCM") << true << 1 << quint64(0) << quint64(0) << 0 << QByteArrayList {};
        QTest::newRow("tabs and runs of spaces") << QByteArray("7\tAES_CM_128_HMAC_SHA1_80   inline:") + kKey30 + "  UNENCRYPTED_SRTCP" << 7u
                                                 << QByteArray("AES_CM_128_HMAC_SHA1_80") << true << 1 << quint64(0) << quint64(0) << 0
                                                 << QByteArrayList {"UNENCRYPTED_SRTCP"};
    }
    void parsesRfcExamples()
    {
        QFETCH(QByteArray, value);
        QFETCH(quint32, tag);
        QFETCH(QByteArray, suite);
        QFETCH(bool, known);
        QFETCH(int, keys);
        QFETCH(quint64, lifetime);
        QFETCH(quint64, mki);
        QFETCH(int, mkiLength);
        QFETCH(QByteArrayList, params);
        auto a = CryptoAttribute::parse(value);
        QVERIFY2(a, a ? "" : qPrintable(a.error().what));
        QCOMPARE(a->tag, tag);
        QCOMPARE(a->suiteName, suite);
        QCOMPARE(a->suite.has_value(), known);
        QCOMPARE(a->keys.size(), keys);
        QCOMPARE(a->keys[0].lifetime.value_or(0), lifetime);
        QCOMPARE(a->keys[0].mkiLength, mkiLength);
        if (mkiLength)
            QCOMPARE(a->keys[0].mki.value_or(0), mki);
        else
            QVERIFY(!a->keys[0].mki);
        QCOMPARE(a->sessionParams, params);
        if (known)
            QCOMPARE(a->keys[0].keySalt.size(), cryptoKeyLength(*a->suite) + cryptoSaltLength(*a->suite));
    }

    void roundTrips_data()
    {
        QTest::addColumn<QByteArray>("value");
        QTest::newRow("RFC 4568 4") << QByteArray("1 AES_CM_128_HMAC_SHA1_80 inline:PS1uQCVeeCFCanVmcjkpPywjNWhcYD0mXXtxaVBR|2^20|1:32");
        QTest::newRow("two keys") << QByteArray("2 F8_128_HMAC_SHA1_80 inline:MTIzNDU2Nzg5QUJDREUwMTIzNDU2Nzg5QUJjZGVm|2^20|1:4;"
                                                "inline:QUJjZGVmMTIzNDU2Nzg5QUJDREUwMTIzNDU2Nzg5|2^20|2:4 FEC_ORDER=FEC_SRTP");
        QTest::newRow("decimal lifetime") << QByteArray("12 AES_CM_128_HMAC_SHA1_32 inline:") + kKey30 + "|1000 KDR=0";
        QTest::newRow("256-bit key") << QByteArray("4 AES_256_CM_HMAC_SHA1_80 inline:8PBJFLUT8nY6Gx+hMPEOKZj29uQ+QwnR5iKg4zK58bY7BIA95R7nyWQjq1t40g==");
    }
    void roundTrips()
    {
        QFETCH(QByteArray, value);
        auto a = CryptoAttribute::parse(value);
        QVERIFY2(a, a ? "" : qPrintable(a.error().what));
        QCOMPARE(a->toValue(), value);
        auto again = CryptoAttribute::parse(a->toValue());
        QVERIFY(again);
        QVERIFY(again->keys[0].keySalt == a->keys[0].keySalt);
    }

    void refusesMalformed_data()
    {
        QTest::addColumn<QByteArray>("value");
        QTest::addColumn<CryptoError::Code>("code");
        QTest::addColumn<QString>("says");
        const QByteArray suite = "AES_CM_128_HMAC_SHA1_80 ";
        const QByteArray key = QByteArray("inline:") + kKey30;
        using C = CryptoError::Code;
        QTest::newRow("empty") << QByteArray("") << C::MissingTag << "empty";
        QTest::newRow("tag not a number") << "x " + suite + key << C::BadTag << "tag";
        QTest::newRow("tag of ten digits") << "1234567890 " + suite + key << C::BadTag << "1 to 9 digits";
        QTest::newRow("no suite") << QByteArray("1") << C::MissingSuite << "no crypto suite";
        QTest::newRow("no key") << "1 " + suite.trimmed() << C::MissingKeyParams << "inline";
        QTest::newRow("key method not inline") << "1 " + suite + "uri:https://keys.example/1" << C::BadKeyMethod << "inline:";
        QTest::newRow("key not base64") << "1 " + suite + "inline:PS1uQCVeeCFC*nVmcjkpPywjNWhcYD0mXXtxaVBR" << C::BadBase64 << "base64";
        QTest::newRow("key empty") << "1 " + suite + "inline:" << C::BadBase64 << "base64";
        QTest::newRow("key too short for the suite") << "1 " + suite + "inline:AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGw" << C::WrongKeyLength << "30-octet";
        QTest::newRow("key longer than any suite") << "1 F8_128_HMAC_SHA1_80 inline:" + QByteArray(60, 'A').toBase64() << C::WrongKeyLength << "no suite";
        QTest::newRow("lifetime 2^ without power") << "1 " + suite + key + "|2^" << C::BadLifetime << "2^1..2^63";
        QTest::newRow("lifetime 2^64") << "1 " + suite + key + "|2^64" << C::BadLifetime << "2^1..2^63";
        QTest::newRow("lifetime not a number") << "1 " + suite + key + "|abc" << C::BadLifetime << "lifetime";
        QTest::newRow("lifetime after MKI") << "1 " + suite + key + "|1:4|2^20" << C::BadLifetime << "before the MKI";
        QTest::newRow("MKI length 0") << "1 " + suite + key + "|1:0" << C::BadMki << "1-128";
        QTest::newRow("MKI length 129") << "1 " + suite + key + "|1:129" << C::BadMki << "1-128";
        QTest::newRow("MKI value too big for its length") << "1 " + suite + key + "|300:1" << C::BadMki << "does not fit";
        QTest::newRow("two MKIs") << "1 " + suite + key + "|1:4|2:4" << C::BadMki << "two MKI";
        QTest::newRow("too many fields") << "1 " + suite + key + "|2^20|1:4|9" << C::BadKeyMethod << "key|lifetime|MKI";
        QTest::newRow("two keys without MKI") << "1 " + suite + key + ";" + key << C::BadMki << "need an MKI";
    }
    void refusesMalformed()
    {
        QFETCH(QByteArray, value);
        QFETCH(CryptoError::Code, code);
        QFETCH(QString, says);
        auto a = CryptoAttribute::parse(value);
        QVERIFY(!a);
        QCOMPARE(a.error().code, code);
        QVERIFY2(a.error().what.contains(says), qPrintable(a.error().what));
        // The sentence never repeats a key.
        QVERIFY(!a.error().what.contains(QLatin1String(kKey30)));
    }

    void suitesAndFreshKeys()
    {
        for (CryptoSuite s : defaultCryptoSuites()) {
            QCOMPARE(cryptoSuiteFromName(cryptoSuiteName(s)), s);
            auto a = makeCryptoAttribute(5, s);
            QVERIFY(a);
            QCOMPARE(a->keys.size(), 1);
            QCOMPARE(a->keys[0].keySalt.size(), cryptoKeyLength(s) + cryptoSaltLength(s));
            auto b = makeCryptoAttribute(5, s);
            QVERIFY(b);
            QVERIFY(!(a->keys[0].keySalt == b->keys[0].keySalt)); // RAND_bytes: two keys never agree
            auto parsed = CryptoAttribute::parse(a->toValue()); // what the peer reads is the key we hold
            QVERIFY(parsed);
            QVERIFY(parsed->keys[0].keySalt == a->keys[0].keySalt);
            QCOMPARE(parsed->suite, s);
        }
        QCOMPARE(cryptoSuiteName(CryptoSuite::AesCm128HmacSha1_80), "AES_CM_128_HMAC_SHA1_80");
        QCOMPARE(cryptoSuiteName(CryptoSuite::AeadAes256Gcm), "AEAD_AES_256_GCM");
        QVERIFY(!cryptoSuiteFromName("aes_cm_128_hmac_sha1_80")); // RFC 4568 9.1 names are case-sensitive
        QCOMPARE(offeredCryptoSuites().first(), CryptoSuite::AesCm128HmacSha1_80);
        MasterKey k = makeCryptoAttribute(1, CryptoSuite::AesCm128HmacSha1_80)->keys[0].keySalt;
        QCOMPARE(k.size(), 30);
        k.clear();
        QVERIFY(k.isEmpty());
    }

    void answererTakesFirstUsableLine()
    {
        // RFC 4568 6.1: a suite we lack and a line asking for unencrypted SRTP are passed over.
        const QList<QByteArray> offered {
            QByteArray("1 F8_128_HMAC_SHA1_80 inline:MTIzNDU2Nzg5QUJDREUwMTIzNDU2Nzg5QUJjZGVm"),
            QByteArray("2 AES_CM_128_HMAC_SHA1_80 inline:") + kKey30 + " UNENCRYPTED_SRTP",
            QByteArray("3 AES_CM_128_HMAC_SHA1_32 inline:") + kKey30,
            QByteArray("4 AES_CM_128_HMAC_SHA1_80 inline:") + kKey30,
        };
        auto c = chooseAnswerCrypto(offered, defaultCryptoSuites());
        QVERIFY2(c, c ? "" : qPrintable(c.error().what));
        QCOMPARE(c->remote.tag, 3u);
        QCOMPARE(c->local.tag, 3u);
        QCOMPARE(c->local.suite, CryptoSuite::AesCm128HmacSha1_32);
        QCOMPARE(keyText(c->remote.keys[0].keySalt), QByteArray(kKey30));
        QVERIFY(!(c->local.keys[0].keySalt == c->remote.keys[0].keySalt)); // our own key, not an echo of theirs
        QVERIFY(c->local.toValue().startsWith("3 AES_CM_128_HMAC_SHA1_32 inline:"));

        // Only what we support: with just the 80-bit suite, tag 4.
        auto only80 = chooseAnswerCrypto(offered, {CryptoSuite::AesCm128HmacSha1_80});
        QVERIFY(only80);
        QCOMPARE(only80->local.tag, 4u);

        auto none = chooseAnswerCrypto(offered.first(2), defaultCryptoSuites());
        QVERIFY(!none);
        QVERIFY2(none.error().what.contains("F8_128_HMAC_SHA1_80") && none.error().what.contains("UNENCRYPTED_SRTP"), qPrintable(none.error().what));
        auto empty = chooseAnswerCrypto({}, defaultCryptoSuites());
        QVERIFY(!empty);
        QCOMPARE(empty.error().code, CryptoError::Code::NoCrypto);
        // A line with an MKI is still usable (the key is told by it on the wire).
        auto mki = chooseAnswerCrypto({QByteArray("1 AES_CM_128_HMAC_SHA1_80 inline:") + kKey30 + "|2^31|1:1"}, defaultCryptoSuites());
        QVERIFY(mki);
        QCOMPARE(mki->remote.keys[0].mkiLength, 1);
        QVERIFY(!mki->local.keys[0].mki);
    }

    void offererChecksTheAnswer()
    {
        auto ours = makeCryptoAttribute(1, CryptoSuite::AesCm128HmacSha1_80);
        auto ours2 = makeCryptoAttribute(2, CryptoSuite::AesCm128HmacSha1_32);
        QVERIFY(ours && ours2);
        const QList<CryptoAttribute> offered {*ours, *ours2};
        const QByteArray answer = QByteArray("2 AES_CM_128_HMAC_SHA1_32 inline:") + kKey30;
        auto a = checkAnswerCrypto({answer}, offered);
        QVERIFY2(a, a ? "" : qPrintable(a.error().what));
        QCOMPARE(a->tag, 2u);

        auto wrongTag = checkAnswerCrypto({QByteArray("7 AES_CM_128_HMAC_SHA1_32 inline:") + kKey30}, offered);
        QVERIFY(!wrongTag);
        QCOMPARE(wrongTag.error().code, CryptoError::Code::BadTag);
        auto wrongSuite = checkAnswerCrypto({QByteArray("1 AES_CM_128_HMAC_SHA1_32 inline:") + kKey30}, offered);
        QVERIFY(!wrongSuite);
        QVERIFY(wrongSuite.error().what.contains("where we offered AES_CM_128_HMAC_SHA1_80"));
        auto two = checkAnswerCrypto({answer, answer}, offered);
        QVERIFY(!two);
        QVERIFY(two.error().what.contains("wants one"));
        auto none = checkAnswerCrypto({}, offered);
        QCOMPARE(none.error().code, CryptoError::Code::NoCrypto);
    }
};

QTEST_GUILESS_MAIN(TestCryptoAttribute)
#include "tst_crypto_attribute.moc"
