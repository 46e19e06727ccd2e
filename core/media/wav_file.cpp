#include "media/wav_file.h"

#include "media/g711.h"

#include <QFile>
#include <QtEndian>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <optional>

namespace ds::media {

namespace {

constexpr qint64 kScratchBytes = 4096;
constexpr quint32 kMaxRiffBytes = 0xFFFFFFFFu;

std::unexpected<Error> fail(QString what, qint64 offset = -1) { return std::unexpected(Error {std::move(what), offset}); }

QString fourcc(const char *id)
{
    QString s;
    for (int i = 0; i < 4; ++i) {
        const auto c = static_cast<unsigned char>(id[i]);
        s += c >= 0x20 && c < 0x7F ? QChar(c) : QChar(u'?');
    }
    return s;
}

bool looksLikeChunkId(const char *id)
{
    return std::all_of(id, id + 4, [](char c) { return static_cast<unsigned char>(c) >= 0x20 && static_cast<unsigned char>(c) < 0x7F; });
}

QString formatName(quint16 tag)
{
    switch (tag) {
    case 0x0002:
        return QStringLiteral("Microsoft ADPCM");
    case 0x0011:
        return QStringLiteral("IMA ADPCM");
    case 0x0031:
        return QStringLiteral("GSM 6.10");
    case 0x0040:
        return QStringLiteral("G.721 ADPCM");
    case 0x0050:
        return QStringLiteral("MPEG");
    case 0x0055:
        return QStringLiteral("MPEG Layer 3");
    case 0x0064:
        return QStringLiteral("G.726 ADPCM");
    case 0x0161:
        return QStringLiteral("Windows Media Audio");
    case 0x00FF:
        return QStringLiteral("AAC");
    case 0xF1AC:
        return QStringLiteral("FLAC");
    default:
        return QStringLiteral("unknown");
    }
}

QString hex4(quint16 v) { return QStringLiteral("0x%1").arg(v, 4, 16, QLatin1Char('0')); }

// Reads exactly n bytes at pos; false when the file is shorter.
bool readAt(QFile &f, qint64 pos, char *buf, qint64 n) { return f.seek(pos) && f.read(buf, n) == n; }

// The WAVEFORMAT(EX/EXTENSIBLE) fields dialscope needs (Microsoft "Multimedia Programming Interface
// and Data Specifications 1.0", fmt chunk; WAVE_FORMAT_EXTENSIBLE's sub-format GUID starts with the tag).
std::expected<WavFormat, Error> parseFmt(const char *p, quint32 size, qint64 offset)
{
    if (size < 16)
        return fail(QStringLiteral("fmt chunk too short: %1 bytes, need 16").arg(size), offset);
    quint16 tag = qFromLittleEndian<quint16>(p);
    const int channels = qFromLittleEndian<quint16>(p + 2);
    const quint32 rate = qFromLittleEndian<quint32>(p + 4);
    const int blockAlign = qFromLittleEndian<quint16>(p + 12);
    const int bits = qFromLittleEndian<quint16>(p + 14);
    if (tag == 0xFFFE) {
        if (size < 40)
            return fail(QStringLiteral("fmt chunk too short for WAVE_FORMAT_EXTENSIBLE: %1 bytes, need 40").arg(size), offset);
        tag = qFromLittleEndian<quint16>(p + 24);
    }
    WavFormat f;
    switch (tag) {
    case 0x0001:
        switch (bits) {
        case 8:
            f.encoding = WavEncoding::Pcm8;
            break;
        case 16:
            f.encoding = WavEncoding::Pcm16;
            break;
        case 24:
            f.encoding = WavEncoding::Pcm24;
            break;
        case 32:
            f.encoding = WavEncoding::Pcm32;
            break;
        default:
            return fail(QStringLiteral("unsupported PCM sample size: %1 bits").arg(bits), offset);
        }
        break;
    case 0x0003:
        if (bits != 32)
            return fail(QStringLiteral("unsupported float sample size: %1 bits").arg(bits), offset);
        f.encoding = WavEncoding::Float32;
        break;
    case 0x0006:
    case 0x0007:
        if (bits != 8)
            return fail(QStringLiteral("unsupported G.711 sample size: %1 bits").arg(bits), offset);
        f.encoding = tag == 0x0006 ? WavEncoding::Alaw : WavEncoding::Ulaw;
        break;
    default:
        return fail(QStringLiteral("unsupported format %1 (%2)").arg(hex4(tag), formatName(tag)), offset);
    }
    if (channels < 1 || channels > 32)
        return fail(QStringLiteral("unsupported channel count: %1").arg(channels), offset);
    if (rate < 1 || rate > 1'000'000)
        return fail(QStringLiteral("unsupported sample rate: %1 Hz").arg(rate), offset);
    f.channels = channels;
    f.sampleRate = static_cast<int>(rate);
    if (blockAlign != channels * f.bytesPerSample())
        return fail(QStringLiteral("block align is %1 but %2 channels of %3 bytes need %4")
                        .arg(blockAlign)
                        .arg(channels)
                        .arg(f.bytesPerSample())
                        .arg(channels * f.bytesPerSample()),
            offset);
    return f;
}

std::int16_t toLinear16(const char *p, WavEncoding e)
{
    switch (e) {
    case WavEncoding::Pcm8:
        return static_cast<std::int16_t>((static_cast<unsigned char>(*p) - 128) * 256); // 8-bit WAVE is unsigned
    case WavEncoding::Pcm16:
        return qFromLittleEndian<qint16>(p);
    case WavEncoding::Pcm24:
        return qFromLittleEndian<qint16>(p + 1); // top 16 of 24 bits
    case WavEncoding::Pcm32:
        return qFromLittleEndian<qint16>(p + 2);
    case WavEncoding::Float32: {
        const float v = qFromLittleEndian<float>(p);
        if (!(v == v)) // NaN
            return 0;
        return static_cast<std::int16_t>(std::clamp(std::lround(double(v) * 32768.0), -32768L, 32767L));
    }
    case WavEncoding::Alaw:
        return G711::decode(G711::Law::Alaw, static_cast<std::uint8_t>(*p));
    case WavEncoding::Ulaw:
        return G711::decode(G711::Law::Ulaw, static_cast<std::uint8_t>(*p));
    }
    return 0;
}

} // namespace

int WavFormat::bytesPerSample() const
{
    switch (encoding) {
    case WavEncoding::Pcm8:
    case WavEncoding::Alaw:
    case WavEncoding::Ulaw:
        return 1;
    case WavEncoding::Pcm16:
        return 2;
    case WavEncoding::Pcm24:
        return 3;
    case WavEncoding::Pcm32:
    case WavEncoding::Float32:
        return 4;
    }
    return 2;
}

WavReader::WavReader() = default;
WavReader::WavReader(WavReader &&) noexcept = default;
WavReader &WavReader::operator=(WavReader &&) noexcept = default;
WavReader::~WavReader() = default;

// RIFF layout: "RIFF" size "WAVE" then chunks of id(4) size(4, little-endian) data, each padded to
// an even length. Unknown chunks are skipped; no size field is ever used to allocate.
std::expected<WavReader, Error> WavReader::open(const QString &path)
{
    WavReader r;
    r.m_file = std::make_unique<QFile>(path);
    QFile &f = *r.m_file;
    if (!f.open(QIODevice::ReadOnly))
        return fail(QStringLiteral("cannot open %1: %2").arg(path, f.errorString()));
    const qint64 fileSize = f.size();
    char head[12];
    if (!readAt(f, 0, head, 12) || std::memcmp(head, "RIFF", 4) != 0) {
        if (fileSize >= 4 && (std::memcmp(head, "RF64", 4) == 0 || std::memcmp(head, "RIFX", 4) == 0))
            return fail(QStringLiteral("%1 files are not supported").arg(fourcc(head)), 0);
        return fail(QStringLiteral("not a RIFF file"), 0);
    }
    if (std::memcmp(head + 8, "WAVE", 4) != 0)
        return fail(QStringLiteral("not a WAVE file: RIFF form type is '%1'").arg(fourcc(head + 8)), 8);

    std::optional<WavFormat> format;
    qint64 dataOffset = -1;
    qint64 dataBytes = 0;
    qint64 pos = 12;
    char chunk[8];
    while (pos + 8 <= fileSize && !(format && dataOffset >= 0)) {
        if (!readAt(f, pos, chunk, 8))
            return fail(QStringLiteral("read failed"), pos);
        const quint32 size = qFromLittleEndian<quint32>(chunk + 4);
        const qint64 body = pos + 8;
        const qint64 available = fileSize - body;
        if (std::memcmp(chunk, "fmt ", 4) == 0) {
            char fmt[40] = {};
            const qint64 n = std::min<qint64>({size, 40, available});
            if (!readAt(f, body, fmt, n))
                return fail(QStringLiteral("read failed"), body);
            if (size > available)
                return fail(QStringLiteral("fmt chunk truncated: header says %1 bytes, file has %2").arg(size).arg(available), pos);
            auto parsed = parseFmt(fmt, static_cast<quint32>(n), pos);
            if (!parsed)
                return std::unexpected(parsed.error());
            format = *parsed;
        } else if (std::memcmp(chunk, "data", 4) == 0) {
            dataOffset = body;
            // 0xFFFFFFFF is what streaming writers leave when they cannot seek back: data runs to the end.
            if (size == kMaxRiffBytes)
                dataBytes = available;
            else if (size > available)
                return fail(QStringLiteral("data chunk truncated: header says %1 bytes, file has %2").arg(size).arg(available), pos);
            else
                dataBytes = size;
        } else if (size > available) {
            return fail(QStringLiteral("chunk '%1' truncated: header says %2 bytes, file has %3").arg(fourcc(chunk)).arg(size).arg(available), pos);
        }
        qint64 next = body + size;
        if (size % 2 == 1) {
            // RIFF pads odd chunks to even length; some writers forget the pad byte, so take the
            // unpadded position when only it holds something that looks like a chunk id.
            char a[4], b[4];
            const bool padded = readAt(f, next + 1, a, 4) && looksLikeChunkId(a);
            const bool unpadded = readAt(f, next, b, 4) && looksLikeChunkId(b);
            next += padded || !unpadded ? 1 : 0;
        }
        pos = next;
    }
    if (!format)
        return fail(QStringLiteral("fmt chunk missing"));
    if (dataOffset < 0)
        return fail(QStringLiteral("data chunk missing"));
    r.m_format = *format;
    const int frameBytes = format->channels * format->bytesPerSample();
    r.m_frames = dataBytes / frameBytes; // a trailing partial frame is ignored
    r.m_scratch.resize(static_cast<std::size_t>(std::max<qint64>(kScratchBytes / frameBytes, 1) * frameBytes));
    if (!f.seek(dataOffset))
        return fail(QStringLiteral("seek failed"), dataOffset);
    return r;
}

std::expected<std::size_t, Error> WavReader::read(std::span<std::int16_t> out)
{
    const int channels = m_format.channels;
    const int bps = m_format.bytesPerSample();
    const qint64 frameBytes = qint64(channels) * bps;
    qint64 frames = std::min<qint64>(qint64(out.size()) / channels, framesLeft());
    std::size_t written = 0;
    while (frames > 0) {
        const qint64 batch = std::min<qint64>(frames, qint64(m_scratch.size()) / frameBytes);
        const qint64 bytes = batch * frameBytes;
        if (m_file->read(m_scratch.data(), bytes) != bytes)
            return fail(QStringLiteral("file ended inside the data chunk"), m_file->pos());
        for (qint64 i = 0; i < batch * channels; ++i)
            out[written++] = toLinear16(m_scratch.data() + i * bps, m_format.encoding);
        frames -= batch;
        m_framesRead += batch;
    }
    return written;
}

WavWriter::WavWriter() = default;
WavWriter::WavWriter(WavWriter &&) noexcept = default;
WavWriter &WavWriter::operator=(WavWriter &&) noexcept = default;
WavWriter::~WavWriter() { (void)close(); }

std::expected<WavWriter, Error> WavWriter::create(const QString &path, int sampleRate, int channels)
{
    Q_ASSERT(sampleRate > 0 && channels > 0 && channels <= 32);
    WavWriter w;
    w.m_channels = channels;
    w.m_file = std::make_unique<QFile>(path);
    if (!w.m_file->open(QIODevice::WriteOnly | QIODevice::Truncate))
        return fail(QStringLiteral("cannot create %1: %2").arg(path, w.m_file->errorString()));
    // 44-byte canonical header; the two sizes are written by close().
    char h[44] = {};
    std::memcpy(h, "RIFF", 4);
    std::memcpy(h + 8, "WAVEfmt ", 8);
    qToLittleEndian<quint32>(16, h + 16);
    qToLittleEndian<quint16>(1, h + 20); // WAVE_FORMAT_PCM
    qToLittleEndian<quint16>(quint16(channels), h + 22);
    qToLittleEndian<quint32>(quint32(sampleRate), h + 24);
    qToLittleEndian<quint32>(quint32(sampleRate * channels * 2), h + 28);
    qToLittleEndian<quint16>(quint16(channels * 2), h + 32);
    qToLittleEndian<quint16>(16, h + 34);
    std::memcpy(h + 36, "data", 4);
    if (w.m_file->write(h, 44) != 44)
        return fail(QStringLiteral("cannot write %1: %2").arg(path, w.m_file->errorString()));
    w.m_scratch.resize(kScratchBytes);
    return w;
}

std::expected<void, Error> WavWriter::write(std::span<const std::int16_t> samples)
{
    Q_ASSERT(samples.size() % std::size_t(m_channels) == 0);
    if (!m_file || !m_file->isOpen())
        return fail(QStringLiteral("WAV file is closed"));
    if (m_dataBytes + qint64(samples.size()) * 2 > qint64(kMaxRiffBytes) - 36)
        return fail(QStringLiteral("WAV file would exceed 4 GiB"), 44 + m_dataBytes);
    const std::size_t perBatch = m_scratch.size() / 2;
    for (std::size_t i = 0; i < samples.size(); i += perBatch) {
        const std::size_t n = std::min(perBatch, samples.size() - i);
        qToLittleEndian<qint16>(samples.data() + i, qsizetype(n), m_scratch.data());
        if (m_file->write(m_scratch.data(), qint64(n * 2)) != qint64(n * 2))
            return fail(QStringLiteral("write failed: %1").arg(m_file->errorString()), 44 + m_dataBytes);
        m_dataBytes += qint64(n * 2);
    }
    return {};
}

std::expected<void, Error> WavWriter::close()
{
    if (!m_file || !m_file->isOpen())
        return {};
    char size[4];
    bool ok = true;
    qToLittleEndian<quint32>(quint32(36 + m_dataBytes), size);
    ok = ok && m_file->seek(4) && m_file->write(size, 4) == 4;
    qToLittleEndian<quint32>(quint32(m_dataBytes), size);
    ok = ok && m_file->seek(40) && m_file->write(size, 4) == 4;
    ok = ok && m_file->flush();
    const QString why = m_file->errorString();
    m_file->close();
    if (!ok)
        return fail(QStringLiteral("cannot finalise WAV header: %1").arg(why));
    return {};
}

} // namespace ds::media
