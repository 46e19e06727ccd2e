#pragma once
// DtmfPanel: one call's DTMF at a glance — the digits sent and received in each mode on a timeline,
// the spectrogram of the received audio under it on the same time axis, and the analyzer's findings
// in plain words. Follows the newest digit until the user scrolls away; Ctrl+wheel zooms. Main thread.

#include "dtmf/analyzer.h"
#include "dtmf_timeline.h"

#include <QByteArray>
#include <QList>
#include <QWidget>

class QLabel;
class QListWidget;
class QScrollBar;

namespace ds::ui {

class SpectrogramView;

class DtmfPanel final : public QWidget {
    Q_OBJECT
public:
    static constexpr double kMinPxPerMs = 0.02, kMaxPxPerMs = 4.0, kDefaultPxPerMs = 0.25;

    explicit DtmfPanel(QWidget *parent = nullptr);

    // The analyzer's digits (Analyzer::digits(), in time order); replaces the previous ones.
    void setDigits(const QList<ds::dtmf::MergedDigit> &digits);
    // The analyzer's findings; replaces the list.
    void setFindings(const QList<ds::dtmf::Finding> &findings);
    // Received-audio columns from ds::dtmf::Spectrogram (n * Spectrogram::kBins bytes), the first
    // for the 16 ms slot at firstColumnMs, on the digits' clock (ms since the call's media started).
    void appendSpectrum(const QByteArray &columns, qint64 firstColumnMs);
    // A digit the far end reports it detected (a DTMF report in a MESSAGE, Call::farEndDtmf): shown
    // under the timeline as "The far end heard: 1 2 3 #", so what was sent and what arrived compare at
    // a glance. The last kMaxFarEnd are kept.
    static constexpr int kMaxFarEnd = 64;
    void addFarEndDigit(const ds::dtmf::DigitEvent &event);
    QString farEndText() const;
    void clear(); // digits, findings, far-end reports and spectrum; following again

    // Follow mode (on at first): new digits and audio scroll into view. Scrolling back turns it
    // off; scrolling to the end or setFollow(true) turns it on again.
    bool follows() const { return m_follow; }
    void setFollow(bool follow);
    double pixelsPerMs() const { return m_scale.pxPerMs; }
    void setPixelsPerMs(double pxPerMs); // clamped to kMinPxPerMs .. kMaxPxPerMs
    const DtmfTimeScale &timeScale() const { return m_scale; }

    DtmfTimeline *timeline() const { return m_timeline; }
    SpectrogramView *spectrogram() const { return m_spectrogram; }
    QListWidget *findingsList() const { return m_findings; }
    QScrollBar *timeScrollBar() const { return m_scroll; }

signals:
    void digitSelected(int index); // a digit clicked on the timeline, an index into setDigits(); -1: none
    void followChanged(bool follows);

protected:
    bool eventFilter(QObject *watched, QEvent *event) override;
    void changeEvent(QEvent *event) override;

private:
    void updateRange(); // the scroll range from what there is to show; in follow mode to the end
    void applyScale();
    void scrolled(int value);
    void setFollowState(bool follow);
    void zoom(double factor, double atX);
    void fillFindings();

    DtmfTimeline *m_timeline;
    SpectrogramView *m_spectrogram;
    QScrollBar *m_scroll;
    QListWidget *m_findings;
    QLabel *m_farEnd;
    QList<ds::dtmf::DigitEvent> m_farEndDigits;
    QList<ds::dtmf::Finding> m_findingData;
    DtmfTimeScale m_scale;
    bool m_follow = true;
    bool m_updating = false; // the panel moves the scroll bar itself: not the user's doing
};

} // namespace ds::ui
