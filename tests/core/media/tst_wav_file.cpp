// WAV files: round trips through WavWriter/WavReader, the 8-bit, float and G.711 encodings, and
// malformed or quirky files (tests/data/media/*.wav) that must give a named error, never a crash.

#include "media/wav_file.h"

#include <QFile>
#include <QProcess>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>
#include <QtEndian>

#include <cmath>
#include <numbers>
#include <vector>

using namespace ds::media;

namespace {

// A WAVE file image with one fmt chunk (tag, bits) and one data chunk.
QByteArray wavImage(quint16 tag, int channels, int rate, int bits, const QByteArray &data)
{
    auto le16 = [](quint16 v) { return QByteArray(1, char(v & 0xFF)) + char(v >> 8); };
    auto le32 = [&](quint32 v) { return le16(quint16(v)) + le16(quint16(v >> 16)); };
    const int blockAlign = channels * bits / 8;
    QByteArray fmt
        = le16(tag) + le16(quint16(channels)) + le32(quint32(rate)) + le32(quint32(rate * blockAlign)) + le16(quint16(blockAlign)) + le16(quint16(bits));
    QByteArray body = "WAVEfmt " + le32(16) + fmt + "data" + le32(quint32(data.size())) + data;
    if (data.size() % 2)
        body += '\0';
    return "RIFF" + le32(quint32(body.size())) + body;
}

QString writeFile(const QTemporaryDir &dir, const QString &name, const QByteArray &bytes)
{
    const QString path = dir.filePath(name);
    QFile f(path);
    if (!f.open(QIODevice::WriteOnly) || f.write(bytes) != bytes.size())
        return {};
    return path;
}

// The error text for QVERIFY2, which evaluates its message even when the check passes.
template <typename T> QByteArray why(const std::expected<T, Error> &e) { return e ? QByteArray() : e.error().toString().toUtf8(); }

std::vector<std::int16_t> readAll(WavReader &r, std::size_t frame)
{
    std::vector<std::int16_t> all, buf(frame);
    while (!r.atEnd()) {
        auto n = r.read(buf);
        if (!n || *n == 0)
            break;
        all.insert(all.end(), buf.begin(), buf.begin() + std::ptrdiff_t(*n));
    }
    return all;
}

} // namespace

class TestWavFile : public QObject {
    Q_OBJECT
private slots:
    void roundTrip_data()
    {
        QTest::addColumn<int>("rate");
        QTest::addColumn<int>("channels");
        QTest::addColumn<int>("frames");
        QTest::addColumn<int>("readFrame");
        QTest::newRow("8k mono, 20 ms frames") << 8000 << 1 << 8000 << 160;
        QTest::newRow("48k stereo, odd frame") << 48000 << 2 << 10007 << 2 * 441;
        QTest::newRow("44.1k mono, empty") << 44100 << 1 << 0 << 160;
        QTest::newRow("16k mono, frame larger than file") << 16000 << 1 << 100 << 4096;
    }
    void roundTrip()
    {
        QFETCH(int, rate);
        QFETCH(int, channels);
        QFETCH(int, frames);
        QFETCH(int, readFrame);
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("t.wav"));
        std::vector<std::int16_t> samples(std::size_t(frames) * channels);
        for (std::size_t i = 0; i < samples.size(); ++i)
            samples[i] = std::int16_t((i * 7919) % 65536 - 32768);
        {
            auto w = WavWriter::create(path, rate, channels);
            QVERIFY2(w, why(w).constData());
            // Written in uneven pieces, as a capture port would.
            std::size_t at = 0;
            for (std::size_t piece = std::size_t(channels) * 3; at < samples.size(); piece = piece * 2) {
                const std::size_t n = std::min(piece, samples.size() - at);
                QVERIFY(w->write(std::span(samples).subspan(at, n)));
                at += n;
            }
            QCOMPARE(w->framesWritten(), qint64(frames));
            QVERIFY(w->close());
        }
        QFile f(path);
        QVERIFY(f.open(QIODevice::ReadOnly));
        const QByteArray raw = f.readAll();
        QCOMPARE(raw.size(), 44 + frames * channels * 2);
        QCOMPARE(qFromLittleEndian<quint32>(raw.constData() + 4), quint32(raw.size() - 8));
        QCOMPARE(qFromLittleEndian<quint32>(raw.constData() + 40), quint32(frames * channels * 2));

        auto r = WavReader::open(path);
        QVERIFY2(r, why(r).constData());
        QCOMPARE(r->format().sampleRate, rate);
        QCOMPARE(r->format().channels, channels);
        QCOMPARE(r->format().encoding, WavEncoding::Pcm16);
        QCOMPARE(r->frameCount(), qint64(frames));
        QCOMPARE(readAll(*r, std::size_t(readFrame)), samples);
        QVERIFY(r->atEnd());
        std::vector<std::int16_t> more(16);
        QCOMPARE(r->read(more).value(), std::size_t(0));
    }

    void destructorFinalises()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("d.wav"));
        {
            auto w = WavWriter::create(path, 8000, 1);
            QVERIFY(w);
            const std::vector<std::int16_t> s(80, 1234);
            QVERIFY(w->write(s));
        }
        auto r = WavReader::open(path);
        QVERIFY(r);
        QCOMPARE(r->frameCount(), qint64(80));
    }

    void otherEncodings_data()
    {
        QTest::addColumn<int>("tag");
        QTest::addColumn<int>("bits");
        QTest::addColumn<QByteArray>("data");
        QTest::addColumn<QList<int>>("expected");
        QTest::addColumn<int>("encoding");
        QTest::newRow("8-bit unsigned") << 1 << 8 << QByteArray("\x80\x00\xff\x81\x7f", 5) << QList<int> {0, -32768, 32512, 256, -256}
                                        << int(WavEncoding::Pcm8);
        auto f32 = [](std::initializer_list<float> v) {
            QByteArray b;
            for (float x : v) {
                char c[4];
                qToLittleEndian(x, c);
                b.append(c, 4);
            }
            return b;
        };
        QTest::newRow("32-bit float") << 3 << 32 << f32({0.0f, 0.5f, -0.5f, 1.0f, -1.0f, 2.0f, -3.0f, NAN})
                                      << QList<int> {0, 16384, -16384, 32767, -32768, 32767, -32768, 0} << int(WavEncoding::Float32);
        QTest::newRow("24-bit") << 1 << 24 << QByteArray("\x00\x00\x00\xff\xff\x7f\x00\x00\x80\x56\x34\x12", 12) << QList<int> {0, 32767, -32768, 0x1234}
                                << int(WavEncoding::Pcm24);
        QTest::newRow("32-bit int") << 1 << 32 << QByteArray("\x00\x00\x00\x00\xff\xff\xff\x7f\x00\x00\x00\x80", 12) << QList<int> {0, 32767, -32768}
                                    << int(WavEncoding::Pcm32);
        QTest::newRow("A-law") << 6 << 8 << QByteArray("\xd5\xaa\x2a", 3) << QList<int> {8, 32256, -32256} << int(WavEncoding::Alaw);
        QTest::newRow("µ-law") << 7 << 8 << QByteArray("\xff\x80\x00", 3) << QList<int> {0, 32124, -32124} << int(WavEncoding::Ulaw);
    }
    void otherEncodings()
    {
        QFETCH(int, tag);
        QFETCH(int, bits);
        QFETCH(QByteArray, data);
        QFETCH(QList<int>, expected);
        QFETCH(int, encoding);
        QTemporaryDir dir;
        const QString path = writeFile(dir, QStringLiteral("e.wav"), wavImage(quint16(tag), 1, 8000, bits, data));
        auto r = WavReader::open(path);
        QVERIFY2(r, why(r).constData());
        QCOMPARE(int(r->format().encoding), encoding);
        const std::vector<std::int16_t> got = readAll(*r, 2);
        QCOMPARE(QList<int>(got.begin(), got.end()), expected);
    }

    // Each file under tests/data/media: an error naming the problem, or what a reader sees.
    void fixtures_data()
    {
        QTest::addColumn<QString>("file");
        QTest::addColumn<QString>("error"); // empty: the file is readable
        QTest::addColumn<int>("frames");
        QTest::newRow("wrong magic") << "wrong_magic.wav"
                                     << "RIFX files are not supported" << 0;
        QTest::newRow("not RIFF") << "not_riff.wav"
                                  << "not a RIFF file" << 0;
        QTest::newRow("too short") << "too_short.wav"
                                   << "not a RIFF file" << 0;
        QTest::newRow("not WAVE") << "not_wave.wav"
                                  << "not a WAVE file: RIFF form type is 'AVI '" << 0;
        QTest::newRow("truncated data") << "truncated.wav"
                                        << "data chunk truncated: header says 96000 bytes, file has 1000" << 0;
        QTest::newRow("truncated fmt") << "truncated_fmt.wav"
                                       << "fmt chunk truncated: header says 16 bytes, file has 4" << 0;
        QTest::newRow("no fmt") << "no_fmt.wav"
                                << "fmt chunk missing" << 0;
        QTest::newRow("no data") << "no_data.wav"
                                 << "data chunk missing" << 0;
        QTest::newRow("IMA ADPCM") << "ima_adpcm.wav"
                                   << "unsupported format 0x0011 (IMA ADPCM)" << 0;
        QTest::newRow("bad block align") << "bad_block_align.wav"
                                         << "block align is 3 but 2 channels of 2 bytes need 4" << 0;
        QTest::newRow("huge chunk size") << "huge_chunk.wav"
                                         << "chunk 'junk' truncated: header says 4294967280 bytes, file has 16" << 0;
        QTest::newRow("odd chunks, padded") << "odd_chunk_padded.wav" << QString() << 8;
        QTest::newRow("odd chunk, pad byte missing") << "odd_chunk_unpadded.wav" << QString() << 8;
        QTest::newRow("data before fmt") << "data_before_fmt.wav" << QString() << 8;
        QTest::newRow("streaming size 0xFFFFFFFF") << "streaming_size.wav" << QString() << 8;
        QTest::newRow("trailing partial frame") << "trailing_partial_frame.wav" << QString() << 8;
    }
    void fixtures()
    {
        QFETCH(QString, file);
        QFETCH(QString, error);
        QFETCH(int, frames);
        auto r = WavReader::open(QStringLiteral(DS_TEST_DATA "/media/") + file);
        if (!error.isEmpty()) {
            QVERIFY(!r);
            QCOMPARE(r.error().what, error);
            return;
        }
        QVERIFY2(r, why(r).constData());
        QCOMPARE(r->frameCount(), qint64(frames));
        const std::vector<std::int16_t> got = readAll(*r, 3);
        const std::vector<std::int16_t> want {0, 1000, -1000, 32767, -32768, 1, -1, 0};
        QCOMPARE(got, want);
    }

    void missingFile()
    {
        auto r = WavReader::open(QStringLiteral("/nonexistent/dir/x.wav"));
        QVERIFY(!r);
        QVERIFY(r.error().what.startsWith(QLatin1String("cannot open /nonexistent/dir/x.wav")));
        auto w = WavWriter::create(QStringLiteral("/nonexistent/dir/x.wav"), 8000, 1);
        QVERIFY(!w);
        QVERIFY(w.error().what.startsWith(QLatin1String("cannot create")));
    }

    // Every prefix of a valid file, and that file with random bytes flipped, opens or fails cleanly.
    void damagedFilesNeverCrash()
    {
        QTemporaryDir dir;
        const QByteArray good = wavImage(1, 2, 8000, 16, QByteArray(400, '\x11'));
        for (int len = 0; len <= good.size(); ++len) {
            auto r = WavReader::open(writeFile(dir, QStringLiteral("p.wav"), good.left(len)));
            if (r)
                readAll(*r, 64);
        }
        quint32 seed = 12345;
        for (int i = 0; i < 500; ++i) {
            QByteArray bad = good;
            for (int k = 0; k < 4; ++k) {
                seed = seed * 1664525u + 1013904223u;
                bad[int((seed >> 8) % quint32(qMin(bad.size(), 60)))] = char(seed >> 24);
            }
            auto r = WavReader::open(writeFile(dir, QStringLiteral("f.wav"), bad));
            if (r)
                QVERIFY(readAll(*r, 64).size() <= 400);
        }
    }

    // A file made by another program: sox's 1 kHz sine has about 2000 zero crossings a second.
    void readsSoxOutput()
    {
        const QString sox = QStandardPaths::findExecutable(QStringLiteral("sox"));
        if (sox.isEmpty())
            QSKIP("sox not installed (Debian package sox)");
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("t.wav"));
        QCOMPARE(QProcess::execute(sox,
                     {QStringLiteral("-n"), QStringLiteral("-r"), QStringLiteral("8000"), QStringLiteral("-c"), QStringLiteral("1"), QStringLiteral("-b"),
                         QStringLiteral("16"), path, QStringLiteral("synth"), QStringLiteral("0.1"), QStringLiteral("sine"), QStringLiteral("1000")}),
            0);
        auto r = WavReader::open(path);
        QVERIFY2(r, why(r).constData());
        QCOMPARE(r->format().sampleRate, 8000);
        QCOMPARE(r->format().channels, 1);
        QCOMPARE(r->frameCount(), qint64(800));
        const std::vector<std::int16_t> s = readAll(*r, 160);
        int crossings = 0;
        for (std::size_t i = 1; i < s.size(); ++i)
            crossings += (s[i - 1] < 0) != (s[i] < 0);
        const double hz = crossings / 2.0 / 0.1;
        QVERIFY2(std::abs(hz - 1000) < 100, qPrintable(QStringLiteral("%1 Hz").arg(hz)));
    }
};

QTEST_GUILESS_MAIN(TestWavFile)
#include "tst_wav_file.moc"
