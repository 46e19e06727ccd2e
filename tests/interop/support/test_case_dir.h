// The working directory of the running Qt Test case, for the logs and files of its peers.
// Header-only: the benchmarks share peer.cpp but do not link Qt Test.
#pragma once

#include <QDir>
#include <QRegularExpression>
#include <QString>
#include <QTest>

namespace ds::test {

// A directory of its own under root for the running case ("function-datatag", made safe for a
// file name; "init" outside a test function), created.
inline QString testCaseDir(const QString &root)
{
    QString name = QString::fromLatin1(QTest::currentTestFunction());
    if (QTest::currentDataTag())
        name += u'-' + QString::fromLatin1(QTest::currentDataTag());
    name.replace(QRegularExpression(QStringLiteral("[^A-Za-z0-9_.-]")), QStringLiteral("_"));
    const QString dir = root + u'/' + (name.isEmpty() ? QStringLiteral("init") : name);
    QDir().mkpath(dir);
    return dir;
}

} // namespace ds::test
