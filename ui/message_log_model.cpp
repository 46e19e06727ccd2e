#include "message_log_model.h"

#include "theme.h"

#include <QBrush>
#include <QStringDecoder>

namespace ds::ui {

namespace {
constexpr int kFlushIntervalMs = 30; // at most ~30 view updates a second under load
constexpr qsizetype kFirstLineMax = 300;
} // namespace

MessageLogModel::MessageLogModel(QObject *parent, int capacity)
    : QAbstractTableModel(parent)
    , m_capacity(qMax(1, capacity))
{
    m_flushTimer.setSingleShot(true);
    m_flushTimer.setInterval(kFlushIntervalMs);
    connect(&m_flushTimer, &QTimer::timeout, this, &MessageLogModel::flush);
}

void MessageLogModel::append(const QString &accountId, const sip::TraceEvent &event)
{
    m_pending.push_back({accountId, event, firstLineOf(event.raw)});
    // More than a whole log's worth waiting: the oldest would be dropped on arrival anyway.
    if (m_pending.size() > size_t(m_capacity))
        m_pending.erase(m_pending.begin(), m_pending.begin() + qsizetype(m_pending.size() - size_t(m_capacity)));
    if (!m_flushTimer.isActive())
        m_flushTimer.start();
}

void MessageLogModel::flush()
{
    m_flushTimer.stop();
    if (m_pending.empty())
        return;
    const int incoming = int(m_pending.size());
    const int overflow = int(m_rows.size()) + incoming - m_capacity;
    if (overflow > 0) {
        const int drop = qMin(overflow, int(m_rows.size()));
        if (drop > 0) {
            beginRemoveRows({}, 0, drop - 1);
            m_rows.erase(m_rows.begin(), m_rows.begin() + drop);
            endRemoveRows();
        }
    }
    const int first = int(m_rows.size());
    beginInsertRows({}, first, first + incoming - 1);
    for (Row &r : m_pending)
        m_rows.push_back(std::move(r));
    m_pending.clear();
    endInsertRows();
}

void MessageLogModel::clear()
{
    m_flushTimer.stop();
    m_pending.clear();
    if (m_rows.empty())
        return;
    beginRemoveRows({}, 0, int(m_rows.size()) - 1);
    m_rows.clear();
    endRemoveRows();
}

int MessageLogModel::rowCount(const QModelIndex &parent) const { return parent.isValid() ? 0 : int(m_rows.size()); }

int MessageLogModel::columnCount(const QModelIndex &parent) const { return parent.isValid() ? 0 : ColumnCount; }

QVariant MessageLogModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const Row &r = m_rows[size_t(index.row())];
    const sip::TraceEvent &e = r.event;
    const bool out = e.direction == sip::TraceEvent::Direction::Out;
    switch (role) {
    case Qt::DisplayRole:
        switch (index.column()) {
        case TimeColumn:
            return e.time.toLocalTime().toString(QStringLiteral("hh:mm:ss.zzz"));
        case DirectionColumn:
            return out ? QStringLiteral("→") : QStringLiteral("←");
        case TransportColumn:
            return QString::fromLatin1(sip::transportName(e.transport));
        case PeerColumn:
            return e.remote.toString();
        case FirstLineColumn:
            return e.malformed ? tr("⚠ %1 (malformed: %2)").arg(r.firstLine, e.error) : r.firstLine;
        }
        return {};
    case Qt::ToolTipRole:
        switch (index.column()) {
        case DirectionColumn:
            return out ? tr("sent to %1 from %2").arg(e.remote.toString(), e.local.toString())
                       : tr("received from %1 on %2").arg(e.remote.toString(), e.local.toString());
        case PeerColumn:
            return tr("local %1, remote %2").arg(e.local.toString(), e.remote.toString());
        case FirstLineColumn:
            return e.malformed ? tr("Malformed message: %1").arg(e.error) : QVariant();
        }
        return {};
    case Qt::ForegroundRole:
        if (e.malformed)
            return QBrush(toneColor(Tone::Bad));
        return {};
    case Qt::TextAlignmentRole:
        if (index.column() == DirectionColumn)
            return QVariant::fromValue(Qt::Alignment(Qt::AlignCenter));
        return {};
    case RawTextRole:
        return rawText(index.row());
    case MalformedRole:
        return e.malformed;
    case ErrorRole:
        return e.error;
    case AccountIdRole:
        return r.accountId;
    }
    return {};
}

QVariant MessageLogModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return QAbstractTableModel::headerData(section, orientation, role);
    switch (section) {
    case TimeColumn:
        return tr("Time");
    case DirectionColumn:
        return tr("Dir");
    case TransportColumn:
        return tr("Transport");
    case PeerColumn:
        return tr("Peer");
    case FirstLineColumn:
        return tr("Message");
    }
    return {};
}

QString MessageLogModel::rawText(int row) const
{
    if (row < 0 || row >= int(m_rows.size()))
        return {};
    const sip::TraceEvent &e = m_rows[size_t(row)].event;
    if (!e.malformed)
        return printable(e.raw);
    return tr("Malformed message (%1 bytes): %2").arg(e.raw.size()).arg(e.error) + QStringLiteral("\n\n") + printable(e.raw);
}

QString MessageLogModel::firstLineOf(const QByteArray &raw)
{
    qsizetype end = raw.indexOf('\n');
    if (end < 0)
        end = raw.size();
    if (end > 0 && raw[end - 1] == '\r')
        --end;
    const bool cut = end > kFirstLineMax;
    QString line = printable(QByteArrayView(raw).first(qMin(end, kFirstLineMax)));
    if (cut)
        line += QStringLiteral("…");
    return line;
}

QString MessageLogModel::printable(QByteArrayView bytes)
{
    bool plain = true;
    for (const char c : bytes) {
        const auto u = static_cast<unsigned char>(c);
        if ((u < 0x20 && c != '\r' && c != '\n' && c != '\t') || u == 0x7f) {
            plain = false;
            break;
        }
    }
    if (plain) {
        QStringDecoder utf8(QStringDecoder::Utf8, QStringDecoder::Flag::Stateless);
        QString text = utf8(bytes);
        if (!utf8.hasError()) {
            text.remove(QLatin1Char('\r'));
            return text;
        }
    }
    // Bytes that are not text: keep what is printable ASCII and show the rest as \xNN.
    QString text;
    text.reserve(bytes.size() * 2);
    for (qsizetype i = 0; i < bytes.size(); ++i) {
        const auto u = static_cast<unsigned char>(bytes[i]);
        if (u == '\r' && i + 1 < bytes.size() && bytes[i + 1] == '\n')
            continue;
        if ((u >= 0x20 && u < 0x7f) || u == '\n' || u == '\t')
            text += QLatin1Char(char(u));
        else
            text += QStringLiteral("\\x%1").arg(u, 2, 16, QLatin1Char('0'));
    }
    return text;
}

} // namespace ds::ui
