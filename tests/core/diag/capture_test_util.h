// Helpers shared by the capture reader and writer tests: addresses, and a pcap parsed by hand,
// independently of the code under test.
#pragma once

#include "diag/capture_reader.h"

#include <QByteArray>
#include <QList>
#include <QtEndian>

namespace ds::test {

inline diag::CaptureAddress v6(quint8 last, quint16 port)
{
    diag::CaptureAddress a;
    a.v6 = true;
    a.ip = {0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, last};
    a.port = port;
    return a;
}

struct Frame {
    qint64 timeUs = 0;
    QByteArray data;
    quint32 length = 0;
};

// A little-endian microsecond pcap: its frames.
inline QList<Frame> parsePcap(const QByteArray &pcap)
{
    QList<Frame> frames;
    for (qsizetype at = 24; at + 16 <= pcap.size();) {
        const char *h = pcap.constData() + at;
        const quint32 caplen = qFromLittleEndian<quint32>(h + 8);
        frames.append({qint64(qFromLittleEndian<quint32>(h)) * 1'000'000 + qFromLittleEndian<quint32>(h + 4), pcap.mid(at + 16, caplen),
            qFromLittleEndian<quint32>(h + 12)});
        at += 16 + caplen;
    }
    return frames;
}

} // namespace ds::test
