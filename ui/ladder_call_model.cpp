#include "ladder_call_model.h"

#include <QBrush>
#include <QColor>
#include <QDateTime>
#include <QFont>
#include <QGuiApplication>
#include <QPalette>

namespace ds::ui {

LadderCallModel::LadderCallModel(QObject *parent)
    : QAbstractTableModel(parent)
{
}

void LadderCallModel::setLadder(const diag::LadderModel *ladder)
{
    beginResetModel();
    m_ladder = ladder;
    m_cache.clear();
    m_rows = ladder ? int(ladder->callCount()) : 0;
    m_seenMessages = ladder ? ladder->store().size() : 0;
    endResetModel();
}

void LadderCallModel::refresh()
{
    if (!m_ladder)
        return;
    const diag::TraceStore &store = m_ladder->store();
    const int calls = int(store.callCount());
    if (calls < m_rows || store.size() < m_seenMessages) { // the store was cleared
        setLadder(m_ladder);
        return;
    }
    // The calls that gained messages: only the new messages are looked at.
    int firstChanged = m_rows, lastChanged = -1;
    for (quint32 i = m_seenMessages; i < store.size(); ++i) {
        const quint32 call = store.record(i).call;
        if (call < quint32(m_rows)) {
            m_cache.remove(call);
            firstChanged = std::min(firstChanged, int(call));
            lastChanged = std::max(lastChanged, int(call));
        }
    }
    m_seenMessages = store.size();
    if (calls > m_rows) {
        beginInsertRows({}, m_rows, calls - 1);
        m_rows = calls;
        endInsertRows();
    }
    if (lastChanged >= 0)
        emit dataChanged(index(firstChanged, 0), index(lastChanged, ColumnCount - 1));
}

const diag::LadderCallSummary &LadderCallModel::summary(quint32 call) const
{
    if (const diag::LadderCallSummary *s = m_cache.object(call))
        return *s;
    auto *s = new diag::LadderCallSummary(m_ladder->callSummary(call));
    m_cache.insert(call, s);
    return *s;
}

int LadderCallModel::rowCount(const QModelIndex &parent) const { return parent.isValid() ? 0 : m_rows; }

int LadderCallModel::columnCount(const QModelIndex &parent) const { return parent.isValid() ? 0 : ColumnCount; }

QVariant LadderCallModel::data(const QModelIndex &index, int role) const
{
    if (!m_ladder || !checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const quint32 call = callAt(index.row());
    switch (role) {
    case CallRole:
        return call;
    case CallIdRole:
        return QString::fromUtf8(m_ladder->store().callId(call));
    case UnsolicitedRole:
        return m_ladder->isUnsolicited(call);
    case Qt::FontRole:
        if (m_ladder->isUnsolicited(call)) {
            QFont f;
            f.setItalic(true);
            return f;
        }
        return {};
    case Qt::ForegroundRole:
        if (m_ladder->isUnsolicited(call))
            return QGuiApplication::palette().brush(QPalette::Disabled, QPalette::Text);
        return {};
    case Qt::TextAlignmentRole:
        if (index.column() == DurationColumn || index.column() == MessagesColumn)
            return QVariant::fromValue(Qt::Alignment(Qt::AlignRight | Qt::AlignVCenter));
        return {};
    case Qt::DisplayRole:
    case Qt::ToolTipRole:
    case SortRole:
        break;
    default:
        return {};
    }

    const diag::LadderCallSummary &s = summary(call);
    if (role == Qt::ToolTipRole) {
        QString tip = tr("Call-ID: %1").arg(s.callId);
        if (index.column() == FromColumn || index.column() == ToColumn)
            tip = (index.column() == FromColumn ? s.from : s.to) + QLatin1Char('\n') + tip;
        if (s.unsolicited)
            tip += QLatin1Char('\n')
                + tr("Unsolicited: requests from an endpoint nobody talked to, such as a SIP scanner probing for accounts. Hide them with the "
                     "Unsolicited toggle.");
        return tip;
    }
    const bool sort = role == SortRole;
    switch (index.column()) {
    case FromColumn:
        return s.from;
    case ToColumn:
        return s.to;
    case MethodColumn:
        return s.method;
    case StateColumn:
        return s.state;
    case DurationColumn:
        return sort ? QVariant(s.lastUs - s.firstUs) : QVariant(formatDuration(s.lastUs - s.firstUs));
    case FirstColumn:
        return sort ? QVariant(s.firstUs) : QVariant(formatTime(s.firstUs));
    case LastColumn:
        return sort ? QVariant(s.lastUs) : QVariant(formatTime(s.lastUs));
    case MessagesColumn:
        return s.messages;
    }
    return {};
}

QVariant LadderCallModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return QAbstractTableModel::headerData(section, orientation, role);
    switch (section) {
    case FromColumn:
        return tr("From");
    case ToColumn:
        return tr("To");
    case MethodColumn:
        return tr("Method");
    case StateColumn:
        return tr("State");
    case DurationColumn:
        return tr("Duration");
    case FirstColumn:
        return tr("First");
    case LastColumn:
        return tr("Last");
    case MessagesColumn:
        return tr("Messages");
    }
    return {};
}

QString LadderCallModel::formatTime(qint64 timeUs) { return QDateTime::fromMSecsSinceEpoch(timeUs / 1000).toString(QStringLiteral("hh:mm:ss.zzz")); }

QString LadderCallModel::formatDuration(qint64 us)
{
    const qint64 ms = std::max<qint64>(0, us) / 1000;
    if (ms < 60'000)
        return tr("%1 s").arg(double(ms) / 1000.0, 0, 'f', 3);
    const qint64 h = ms / 3'600'000, m = ms / 60'000 % 60, s = ms / 1000 % 60;
    if (h == 0)
        return QStringLiteral("%1:%2.%3").arg(m).arg(s, 2, 10, QLatin1Char('0')).arg(ms % 1000, 3, 10, QLatin1Char('0'));
    return QStringLiteral("%1:%2:%3").arg(h).arg(m, 2, 10, QLatin1Char('0')).arg(s, 2, 10, QLatin1Char('0'));
}

} // namespace ds::ui
