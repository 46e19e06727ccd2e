#include "dtmf_panel.h"

#include "spectrogram_view.h"
#include "theme.h"

#include <QCoreApplication>
#include <QEvent>
#include <QLabel>
#include <QListWidget>
#include <QScrollBar>
#include <QStyle>
#include <QVBoxLayout>
#include <QWheelEvent>

#include <algorithm>
#include <climits>
#include <cmath>

namespace ds::ui {

using dtmf::Finding;

DtmfPanel::DtmfPanel(QWidget *parent)
    : QWidget(parent)
    , m_timeline(new DtmfTimeline(this))
    , m_spectrogram(new SpectrogramView(this))
    , m_scroll(new QScrollBar(Qt::Horizontal, this))
    , m_findings(new QListWidget(this))
    , m_farEnd(new QLabel(this))
{
    m_scale.pxPerMs = kDefaultPxPerMs;
    m_timeline->setObjectName(QStringLiteral("dtmfTimeline"));
    m_spectrogram->setObjectName(QStringLiteral("dtmfSpectrogram"));
    m_scroll->setObjectName(QStringLiteral("dtmfTimeScroll"));
    m_findings->setObjectName(QStringLiteral("dtmfFindings"));
    m_findings->setWordWrap(true);
    m_findings->setTextElideMode(Qt::ElideNone);
    m_findings->setResizeMode(QListView::Adjust);
    m_findings->setSelectionMode(QAbstractItemView::NoSelection);
    m_findings->setMaximumHeight(m_findings->fontMetrics().height() * 7);
    m_findings->hide();
    m_farEnd->setObjectName(QStringLiteral("dtmfFarEnd"));
    m_farEnd->setWordWrap(true);
    m_farEnd->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_farEnd->hide();

    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->setSpacing(0);
    layout->addWidget(m_timeline);
    layout->addWidget(m_spectrogram, 1);
    layout->addWidget(m_scroll);
    layout->addSpacing(4);
    layout->addWidget(m_farEnd);
    layout->addWidget(m_findings);

    m_timeline->installEventFilter(this);
    m_spectrogram->installEventFilter(this);
    connect(m_scroll, &QScrollBar::valueChanged, this, &DtmfPanel::scrolled);
    connect(m_timeline, &DtmfTimeline::digitClicked, this, &DtmfPanel::digitSelected);
    updateRange();
}

void DtmfPanel::setDigits(const QList<dtmf::MergedDigit> &digits)
{
    m_timeline->setDigits(digits);
    updateRange();
}

void DtmfPanel::setFindings(const QList<Finding> &findings)
{
    m_findingData = findings;
    fillFindings();
}

void DtmfPanel::fillFindings()
{
    m_findings->clear();
    for (const Finding &f : m_findingData) {
        QStyle::StandardPixmap icon = QStyle::SP_MessageBoxInformation;
        QString severity = tr("Information");
        QColor color; // the palette's text for information
        if (f.severity == Finding::Severity::Warning) {
            icon = QStyle::SP_MessageBoxWarning;
            severity = tr("Warning");
            color = toneColor(Tone::Warning, palette());
        } else if (f.severity == Finding::Severity::Error) {
            icon = QStyle::SP_MessageBoxCritical;
            severity = tr("Problem");
            color = toneColor(Tone::Bad, palette());
        }
        auto *item = new QListWidgetItem(style()->standardIcon(icon), f.text, m_findings);
        item->setData(Qt::UserRole, f.code);
        item->setToolTip(f.code.isEmpty() ? severity : tr("%1 (%2)").arg(severity, f.code));
        if (color.isValid())
            item->setForeground(color);
    }
    m_findings->setVisible(!m_findingData.isEmpty());
}

void DtmfPanel::addFarEndDigit(const dtmf::DigitEvent &event)
{
    if (m_farEndDigits.size() >= kMaxFarEnd)
        m_farEndDigits.removeFirst();
    m_farEndDigits.append(event);
    QStringList digits;
    QStringList details;
    for (const dtmf::DigitEvent &e : std::as_const(m_farEndDigits)) {
        digits << QString(QLatin1Char(e.digit));
        details << tr("%1 by %2, %3 ms").arg(QString(QLatin1Char(e.digit)), QString::fromLatin1(dtmf::modeName(e.mode))).arg(e.durationMs);
    }
    m_farEnd->setText(tr("The far end heard: %1").arg(digits.join(QLatin1Char(' '))));
    m_farEnd->setToolTip(details.join(QLatin1Char('\n')));
    m_farEnd->show();
}

QString DtmfPanel::farEndText() const { return m_farEnd->isVisible() ? m_farEnd->text() : QString(); }

void DtmfPanel::appendSpectrum(const QByteArray &columns, qint64 firstColumnMs)
{
    m_spectrogram->appendColumns(columns, firstColumnMs);
    updateRange();
}

void DtmfPanel::clear()
{
    m_timeline->setDigits({});
    m_timeline->setSelected(-1);
    m_spectrogram->clear();
    m_findingData.clear();
    fillFindings();
    m_farEndDigits.clear();
    m_farEnd->clear();
    m_farEnd->hide();
    setFollow(true);
}

void DtmfPanel::setFollow(bool follow)
{
    setFollowState(follow);
    updateRange();
}

void DtmfPanel::setFollowState(bool follow)
{
    if (follow == m_follow)
        return;
    m_follow = follow;
    emit followChanged(follow);
}

void DtmfPanel::setPixelsPerMs(double pxPerMs)
{
    const int x = m_follow ? m_timeline->width() : m_scale.left;
    zoom(pxPerMs / m_scale.pxPerMs, x);
}

void DtmfPanel::zoom(double factor, double atX)
{
    const double px = std::clamp(m_scale.pxPerMs * factor, kMinPxPerMs, kMaxPxPerMs);
    const double t = m_scale.startMs + (atX - m_scale.left) / m_scale.pxPerMs; // stays under atX
    const qint64 start = std::max<qint64>(0, qint64(std::llround(t - (atX - m_scale.left) / px)));
    m_scale.pxPerMs = px;
    updateRange(); // in follow mode: the end stays in view
    if (!m_follow) {
        m_updating = true;
        m_scroll->setValue(int(std::min<qint64>(start, INT_MAX)));
        m_updating = false;
        applyScale();
    }
}

void DtmfPanel::updateRange()
{
    m_scale.left = std::max(m_timeline->gutterWidth(), m_spectrogram->gutterWidth());
    const int plotWidth = std::max(1, m_timeline->width() - m_scale.left);
    const qint64 visible = qint64(plotWidth / m_scale.pxPerMs);
    const qint64 end = std::max(m_timeline->endMs(), m_spectrogram->endMs()) + qint64(16 / m_scale.pxPerMs); // a little room after the newest
    const qint64 maximum = std::clamp<qint64>(end - visible, 0, INT_MAX);
    m_updating = true;
    m_scroll->setRange(0, int(maximum));
    m_scroll->setPageStep(int(std::min<qint64>(visible, INT_MAX)));
    m_scroll->setSingleStep(int(std::max<qint64>(1, visible / 10)));
    if (m_follow)
        m_scroll->setValue(m_scroll->maximum());
    m_updating = false;
    applyScale();
}

void DtmfPanel::applyScale()
{
    m_scale.startMs = m_scroll->value();
    m_timeline->setTimeScale(m_scale);
    m_spectrogram->setTimeScale(m_scale);
}

void DtmfPanel::scrolled(int value)
{
    if (!m_updating)
        setFollowState(value >= m_scroll->maximum());
    applyScale();
}

bool DtmfPanel::eventFilter(QObject *watched, QEvent *event)
{
    if (watched == m_timeline || watched == m_spectrogram) {
        if (event->type() == QEvent::Resize) {
            updateRange();
        } else if (event->type() == QEvent::FontChange || event->type() == QEvent::StyleChange) {
            QMetaObject::invokeMethod(this, &DtmfPanel::updateRange, Qt::QueuedConnection); // once the view has its new gutter
        } else if (event->type() == QEvent::Wheel) {
            auto *wheel = static_cast<QWheelEvent *>(event);
            if (wheel->modifiers() & Qt::ControlModifier) {
                zoom(std::pow(1.25, wheel->angleDelta().y() / 120.0), wheel->position().x());
                return true;
            }
            return QCoreApplication::sendEvent(m_scroll, event); // the wheel scrolls through time
        }
    }
    return QWidget::eventFilter(watched, event);
}

void DtmfPanel::changeEvent(QEvent *event)
{
    QWidget::changeEvent(event);
    if (event->type() == QEvent::PaletteChange || event->type() == QEvent::StyleChange)
        fillFindings();
}

} // namespace ds::ui
