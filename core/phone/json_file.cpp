#include "json_file.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QJsonDocument>
#include <QJsonParseError>
#include <QSaveFile>

namespace ds::phone {

namespace {

// Line and column (from 1) of a byte offset, for a parse error a person can find.
QString position(const QByteArray &text, int offset)
{
    const QByteArray before = text.left(offset);
    const int line = int(before.count('\n')) + 1;
    const int column = int(before.size() - (before.lastIndexOf('\n') + 1)) + 1;
    return JsonFile::tr("line %1, column %2").arg(line).arg(column);
}

} // namespace

JsonFile::JsonFile(QString fileName, qint64 maxBytes, std::function<QJsonObject()> snapshot, QObject *parent)
    : QObject(parent)
    , m_fileName(std::move(fileName))
    , m_maxBytes(maxBytes)
    , m_snapshot(std::move(snapshot))
{
    m_timer.setSingleShot(true);
    m_timer.setInterval(kWriteDelayMs);
    connect(&m_timer, &QTimer::timeout, this, [this] {
        if (auto ok = flush(); !ok)
            emit writeFailed(ok.error());
    });
}

JsonFile::~JsonFile() { (void)flush(); }

std::expected<std::optional<QJsonObject>, QString> JsonFile::read() const
{
    const QFileInfo info(m_fileName);
    if (!info.exists() && !info.isSymLink())
        return std::optional<QJsonObject>();
    if (info.isDir())
        return std::unexpected(tr("%1 is a directory, not a file").arg(m_fileName));
    if (info.size() > m_maxBytes)
        return std::unexpected(tr("%1 is %2 bytes, more than the %3 it may have").arg(m_fileName, QString::number(info.size()), QString::number(m_maxBytes)));
    QFile f(m_fileName);
    if (!f.open(QIODevice::ReadOnly))
        return std::unexpected(tr("cannot read %1: %2").arg(m_fileName, f.errorString()));
    const QByteArray text = f.read(m_maxBytes + 1);
    if (text.size() > m_maxBytes)
        return std::unexpected(tr("%1 is larger than the %2 bytes it may have").arg(m_fileName, QString::number(m_maxBytes)));
    QJsonParseError error;
    const QJsonDocument doc = QJsonDocument::fromJson(text, &error);
    if (error.error != QJsonParseError::NoError)
        return std::unexpected(tr("%1 is not valid JSON (%2 at %3)").arg(m_fileName, error.errorString(), position(text, error.offset)));
    if (!doc.isObject())
        return std::unexpected(tr("%1 holds %2, not a JSON object").arg(m_fileName, doc.isArray() ? tr("an array") : tr("a single value")));
    return std::optional<QJsonObject>(doc.object());
}

QString JsonFile::setAside()
{
    QString aside = m_fileName + QStringLiteral(".corrupt");
    for (int n = 2; QFileInfo::exists(aside) && n < 1000; ++n)
        aside = m_fileName + QStringLiteral(".%1.corrupt").arg(n);
    if (!QFileInfo::exists(aside) && QFile::rename(m_fileName, aside))
        return tr("it was kept as %1").arg(aside);
    m_writable = false;
    m_timer.stop();
    m_pending = false;
    return tr("it could not be moved aside, so nothing will be written to it in this session");
}

void JsonFile::scheduleWrite()
{
    if (!m_writable)
        return;
    m_pending = true;
    m_timer.start();
}

std::expected<void, QString> JsonFile::flush()
{
    m_timer.stop();
    if (!m_writable)
        return std::unexpected(tr("%1 could not be read and was not moved aside: it is not written in this session").arg(m_fileName));
    if (!m_pending)
        return {};
    m_pending = false;
    return write();
}

std::expected<void, QString> JsonFile::write()
{
    const QString dir = QFileInfo(m_fileName).absolutePath();
    if (!QDir().mkpath(dir))
        return std::unexpected(tr("cannot create the directory %1").arg(dir));
    // QSaveFile writes a temporary file beside it and renames it over the old one on commit(): a
    // reader, or a crash in the middle, sees the old document or the new one, never half of one.
    QSaveFile f(m_fileName);
    if (!f.open(QIODevice::WriteOnly))
        return std::unexpected(tr("cannot write %1: %2").arg(m_fileName, f.errorString()));
    f.write(QJsonDocument(m_snapshot()).toJson(QJsonDocument::Indented));
    if (!f.commit())
        return std::unexpected(tr("cannot write %1: %2").arg(m_fileName, f.errorString()));
    return {};
}

} // namespace ds::phone
