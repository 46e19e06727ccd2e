// What a benchmark prints about the machine it ran on: the figures of a shared, noisy machine only
// mean something next to its CPU and load.
#pragma once

#include <QFile>
#include <QString>
#include <QSysInfo>
#include <QThread>

namespace ds::bench {

// "AMD EPYC, 2 CPUs, linux 6.1.0"
inline QString machineNote()
{
    QString model;
    QFile cpuinfo(QStringLiteral("/proc/cpuinfo"));
    if (cpuinfo.open(QIODevice::ReadOnly))
        for (const QByteArray &line : cpuinfo.readAll().split('\n'))
            if (line.startsWith("model name")) {
                model = QString::fromUtf8(line.mid(line.indexOf(':') + 1).trimmed());
                break;
            }
    return QStringLiteral("%1, %2 CPUs, %3 %4").arg(model).arg(QThread::idealThreadCount()).arg(QSysInfo::kernelType(), QSysInfo::kernelVersion());
}

// The 1, 5 and 15 minute load averages: "1.70 3.33 3.02".
inline QString loadAverage()
{
    QFile f(QStringLiteral("/proc/loadavg"));
    return f.open(QIODevice::ReadOnly) ? QString::fromUtf8(f.readAll().split(' ').mid(0, 3).join(' ')) : QString();
}

} // namespace ds::bench
