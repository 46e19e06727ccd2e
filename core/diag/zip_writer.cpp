#include "zip_writer.h"

#include <QtEndian>

#include <array>

namespace ds::diag {

namespace {

constexpr std::array<quint32, 256> makeCrcTable()
{
    std::array<quint32, 256> t {};
    for (quint32 i = 0; i < 256; ++i) {
        quint32 c = i;
        for (int k = 0; k < 8; ++k)
            c = c & 1 ? 0xedb88320u ^ (c >> 1) : c >> 1;
        t[i] = c;
    }
    return t;
}
constexpr std::array<quint32, 256> kCrcTable = makeCrcTable();

void le16(QByteArray &b, quint16 v) { b.append(char(v & 0xff)).append(char(v >> 8)); }

void le32(QByteArray &b, quint32 v)
{
    le16(b, quint16(v & 0xffff));
    le16(b, quint16(v >> 16));
}

} // namespace

quint32 crc32(QByteArrayView data, quint32 crc)
{
    crc = ~crc;
    for (const char c : data)
        crc = kCrcTable[(crc ^ quint8(c)) & 0xff] ^ (crc >> 8);
    return ~crc;
}

ZipWriter::ZipWriter(QIODevice &out)
    : m_out(out)
{
}

bool ZipWriter::put(QByteArrayView bytes)
{
    if (m_out.write(bytes.data(), bytes.size()) != bytes.size()) {
        m_error = QStringLiteral("cannot write the archive: %1").arg(m_out.errorString());
        return false;
    }
    m_offset += quint64(bytes.size());
    return true;
}

bool ZipWriter::add(const QString &name, QByteArrayView data, const QDateTime &modified)
{
    const QByteArray n = name.toUtf8();
    if (n.isEmpty() || n.startsWith('/') || n.contains("..") || n.size() > 0xffff) {
        m_error = QStringLiteral("\"%1\" is not a valid entry name").arg(name);
        return false;
    }
    if (quint64(data.size()) >= 0xffffffffull || m_offset + quint64(data.size()) >= 0xffffffffull || m_entries.size() >= 0xffff) {
        m_error = QStringLiteral("\"%1\" does not fit a ZIP archive without ZIP64").arg(name);
        return false;
    }
    Entry e;
    e.name = n;
    e.crc = crc32(data);
    e.size = quint32(data.size());
    e.offset = quint32(m_offset);
    // APPNOTE 4.4.6: MS-DOS time and date, local time, 2-second resolution.
    const QDateTime t = modified.toLocalTime();
    e.time = quint16(t.time().hour() << 11 | t.time().minute() << 5 | t.time().second() / 2);
    e.date = quint16(std::max(0, t.date().year() - 1980) << 9 | t.date().month() << 5 | t.date().day());
    QByteArray h;
    le32(h, 0x04034b50); // local file header
    le16(h, 20); // version needed: 2.0
    le16(h, 0x0800); // general purpose: names in UTF-8
    le16(h, 0); // stored
    le16(h, e.time);
    le16(h, e.date);
    le32(h, e.crc);
    le32(h, e.size);
    le32(h, e.size);
    le16(h, quint16(n.size()));
    le16(h, 0);
    h += n;
    if (!put(h) || !put(data))
        return false;
    m_entries.append(e);
    return true;
}

bool ZipWriter::finish()
{
    const quint64 start = m_offset;
    for (const Entry &e : m_entries) {
        QByteArray c;
        le32(c, 0x02014b50); // central directory header
        le16(c, 0x0314); // made by: UNIX, 2.0
        le16(c, 20);
        le16(c, 0x0800);
        le16(c, 0);
        le16(c, e.time);
        le16(c, e.date);
        le32(c, e.crc);
        le32(c, e.size);
        le32(c, e.size);
        le16(c, quint16(e.name.size()));
        le16(c, 0); // extra
        le16(c, 0); // comment
        le16(c, 0); // disk
        le16(c, 0); // internal attributes
        le32(c, quint32(0100644) << 16); // external: a regular file, rw-r--r--
        le32(c, e.offset);
        c += e.name;
        if (!put(c))
            return false;
    }
    QByteArray end;
    le32(end, 0x06054b50);
    le16(end, 0);
    le16(end, 0);
    le16(end, quint16(m_entries.size()));
    le16(end, quint16(m_entries.size()));
    le32(end, quint32(m_offset - start));
    le32(end, quint32(start));
    le16(end, 0);
    return put(end);
}

} // namespace ds::diag
