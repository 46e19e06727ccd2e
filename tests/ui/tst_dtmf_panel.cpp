// The DTMF panel of a call: each digit in the lane of its mode and direction at its time, one key
// press in several modes linked, an event without end hatched, a refused INFO in red with its
// status; tooltips, findings, following the newest digit; the spectrogram of generated tone pairs
// bright on the rows of the digit's two frequencies; at most ten minutes of audio kept; painting
// in a light and a dark palette.

#include "dtmf/spectrogram.h"
#include "support/palettes.h"
#include "ui/dtmf_panel.h"
#include "ui/dtmf_timeline.h"
#include "ui/spectrogram_view.h"

#include <QHelpEvent>
#include <QImage>
#include <QListWidget>
#include <QScrollBar>
#include <QSignalSpy>
#include <QTest>
#include <QToolTip>

#include <cmath>
#include <cstring>
#include <numbers>
#include <span>

using namespace ds;
using dtmf::DigitEvent;
using dtmf::Direction;
using dtmf::Finding;
using dtmf::MergedDigit;
using dtmf::Mode;
using ui::DtmfPanel;
using ui::DtmfTimeline;
using ui::SpectrogramView;

namespace {

DigitEvent digitEvent(char digit, Mode mode, Direction dir, qint64 atMs, int durationMs)
{
    return {.digit = digit, .mode = mode, .dir = dir, .atMs = atMs, .durationMs = durationMs};
}

// What the analyzer makes of events of one key press.
MergedDigit merged(const QList<DigitEvent> &events)
{
    MergedDigit m;
    m.digit = events.front().digit;
    m.dir = events.front().dir;
    m.atMs = events.front().atMs;
    for (const DigitEvent &e : events) {
        m.atMs = std::min(m.atMs, e.atMs);
        m.durationMs = std::max(m.durationMs, e.durationMs);
        m.modes |= std::uint8_t(e.mode);
        if (e.levelDbm0 && (!m.levelDbm0 || e.mode == Mode::Inband))
            m.levelDbm0 = e.levelDbm0;
    }
    m.events = events;
    return m;
}

// A call's DTMF touching all six lanes.
QList<MergedDigit> sampleDigits()
{
    QList<MergedDigit> d;
    DigitEvent rfc = digitEvent('1', Mode::Rfc4733, Direction::Out, 100, 120);
    rfc.levelDbm0 = -10;
    DigitEvent tone = digitEvent('1', Mode::Inband, Direction::Out, 110, 110);
    tone.levelDbm0 = -9;
    d << merged({rfc, tone}); // 0: one key press sent both ways
    DigitEvent ok = digitEvent('2', Mode::Info, Direction::Out, 500, 250);
    ok.infoStatus = 200;
    d << merged({ok}); // 1
    DigitEvent refused = digitEvent('3', Mode::Info, Direction::Out, 900, 250);
    refused.infoStatus = 488;
    d << merged({refused}); // 2: INFO refused
    DigitEvent inRfc = digitEvent('4', Mode::Rfc4733, Direction::In, 1300, 100);
    DigitEvent inTone = digitEvent('4', Mode::Inband, Direction::In, 1310, 90);
    inTone.levelDbm0 = -11.5;
    inTone.twistDb = -1.25;
    d << merged({inRfc, inTone, digitEvent('4', Mode::Info, Direction::In, 1320, 160)}); // 3: received three ways
    DigitEvent five = digitEvent('5', Mode::Inband, Direction::In, 1800, 80);
    five.levelDbm0 = -12;
    five.twistDb = 2;
    d << merged({five}); // 4
    DigitEvent open = digitEvent('#', Mode::Rfc4733, Direction::In, 2200, 40);
    open.endSeen = false;
    d << merged({open}); // 5: the end packet never came
    return d;
}

using ds::test::darkPalette;
using ds::test::lightPalette;

double distance(const QColor &a, const QColor &b) { return std::hypot(a.red() - b.red(), a.green() - b.green(), a.blue() - b.blue()); }

// 8 kHz audio: silence, with each digit's tone pair (-13 dBFS per tone) over [from, to) ms.
struct Burst {
    int from, to;
    double low, high;
};
std::vector<std::int16_t> audio(int ms, const QList<Burst> &bursts)
{
    std::vector<std::int16_t> v(std::size_t(ms * 8));
    for (const Burst &b : bursts)
        for (int i = b.from * 8; i < b.to * 8; ++i) {
            const double t = i / 8000.0;
            v[std::size_t(i)] = std::int16_t(std::lround(7336 * (std::sin(2 * std::numbers::pi * b.low * t) + std::sin(2 * std::numbers::pi * b.high * t))));
        }
    return v;
}

// The audio through a Spectrogram in 20 ms frames, into the panel as the media thread would send it.
void feed(DtmfPanel &panel, const std::vector<std::int16_t> &samples)
{
    dtmf::Spectrogram s;
    for (std::size_t at = 0; at < samples.size(); at += 160) {
        const qint64 firstMs = s.columns() * dtmf::Spectrogram::kColumnMs;
        const auto cols = s.process(std::span(samples).subspan(at, std::min<std::size_t>(160, samples.size() - at)));
        if (!cols.empty())
            panel.appendSpectrum(QByteArray(reinterpret_cast<const char *>(cols.data()), qsizetype(cols.size())), firstMs);
    }
}

const QList<int> kDtmfHz = {697, 770, 852, 941, 1209, 1336, 1477, 1633};

// The colour at a point in widget coordinates of a grab (which may have a device pixel ratio).
QColor at(const QImage &img, int x, int y)
{
    const qreal r = img.devicePixelRatio();
    return QColor(img.pixel(int((x + 0.5) * r), int((y + 0.5) * r)));
}
QColor at(const QImage &img, const QPoint &p) { return at(img, p.x(), p.y()); }

// Shown (offscreen), so that the layout gives the views their width.
void show(QWidget &w, int width, int height)
{
    w.resize(width, height);
    w.show();
    QVERIFY(QTest::qWaitForWindowExposed(&w));
}

} // namespace

class TestDtmfPanel : public QObject {
    Q_OBJECT
private slots:
    void digitsInTheirLanes()
    {
        DtmfPanel panel;
        show(panel, 1000, 600);
        panel.setDigits(sampleDigits());
        const DtmfTimeline *t = panel.timeline();
        QCOMPARE(t->timeScale().startMs, 0); // 2.2 s fit: nothing to scroll
        QCOMPARE(t->timeScale().pxPerMs, DtmfPanel::kDefaultPxPerMs);
        QVERIFY(t->timeScale().left >= t->gutterWidth());

        for (int lane = 1; lane < DtmfTimeline::kLanes; ++lane)
            QVERIFY(t->laneRect(lane).top() >= t->laneRect(lane - 1).bottom());
        QCOMPARE(DtmfTimeline::laneOf(Mode::Rfc4733, Direction::Out), 0);
        QCOMPARE(DtmfTimeline::laneOf(Mode::Info, Direction::In), 5);
        QCOMPARE(DtmfTimeline::laneName(1), QStringLiteral("Sent in-band"));
        QCOMPARE(DtmfTimeline::laneName(3), QStringLiteral("Received RFC 4733"));

        QList<QList<char>> lanes(DtmfTimeline::kLanes);
        const auto digits = sampleDigits();
        for (int d = 0; d < digits.size(); ++d)
            for (int e = 0; e < digits[d].events.size(); ++e) {
                const DigitEvent &ev = digits[d].events[e];
                const QRect r = t->eventRect(d, e);
                const int lane = DtmfTimeline::laneOf(ev.mode, ev.dir);
                QVERIFY(t->laneRect(lane).contains(r));
                lanes[lane] << ev.digit;
                // At its time, as long as it lasted (boxes have a minimum width for the digit).
                QCOMPARE(r.left(), t->timeScale().left + int(std::lround(ev.atMs * 0.25)));
                QCOMPARE(r.width(), std::max(int(std::lround(ev.durationMs * 0.25)), t->eventRect(5, 0).width()));
                const DtmfTimeline::Hit hit = t->hitAt(r.center());
                QCOMPARE(hit.digit, d);
                QCOMPARE(hit.event, e);
            }
        QCOMPARE(lanes[0], (QList<char> {'1'}));
        QCOMPARE(lanes[1], (QList<char> {'1'}));
        QCOMPARE(lanes[2], (QList<char> {'2', '3'}));
        QCOMPARE(lanes[3], (QList<char> {'4', '#'}));
        QCOMPARE(lanes[4], (QList<char> {'4', '5'}));
        QCOMPARE(lanes[5], (QList<char> {'4'}));
        QCOMPARE(t->eventRect(0, 0).width(), 30); // 120 ms
        QCOMPARE(t->digitRect(3), t->eventRect(3, 0) | t->eventRect(3, 1) | t->eventRect(3, 2));
        QVERIFY(t->eventRect(6, 0).isNull());
        QCOMPARE(t->hitAt(QPoint(t->timeScale().left + 10, t->laneRect(0).center().y())).digit, -1);
    }

    void marksOnTheBoxes()
    {
        DtmfPanel panel;
        panel.setPalette(lightPalette());
        show(panel, 1000, 600);
        panel.setDigits(sampleDigits());
        DtmfTimeline *t = panel.timeline();
        const QImage img = t->grab().toImage();
        const QColor base = lightPalette().color(QPalette::Base);
        QCOMPARE(at(img, 1, 1), base);
        // The refused INFO is red.
        const QColor refused = at(img, t->eventRect(2, 0).topLeft() + QPoint(2, 2));
        QVERIFY2(refused.red() > refused.green() + 40 && refused.red() > refused.blue() + 40, qPrintable(refused.name()));
        const QColor answered = at(img, t->eventRect(1, 0).topLeft() + QPoint(2, 2));
        QVERIFY2(!(answered.red() > answered.green() + 40 && answered.red() > answered.blue() + 40), qPrintable(answered.name()));
        // The connector between the two boxes of the merged key press crosses the gap between lanes.
        const QRect upper = t->eventRect(0, 0), lower = t->eventRect(0, 1);
        const int gapY = (upper.bottom() + lower.top()) / 2;
        const QColor laneColor = at(img, upper.left() - 4, gapY);
        bool linked = false;
        for (int x = upper.left(); x <= upper.right(); ++x)
            linked = linked || distance(at(img, x, gapY), laneColor) > 60;
        QVERIFY(linked);
        // Not between the boxes of the digit sent by INFO alone.
        const QRect info = t->eventRect(1, 0);
        for (int x = info.left() + 2; x <= info.right(); ++x) // (a grid line may run along its left edge)
            QVERIFY(distance(at(img, x, info.top() - 2), at(img, info.left() - 4, info.top() - 2)) < 30);
        // The event without end is hatched: its box holds more than its fill and the digit.
        const QRect open = t->eventRect(5, 0);
        QSet<QRgb> colors;
        for (int y = open.top() + 1; y < open.bottom(); ++y)
            colors.insert(at(img, open.left() + 1, y).rgb());
        QVERIFY2(colors.size() >= 2, "hatched");
        const QRect closed = t->eventRect(4, 0);
        colors.clear();
        for (int y = closed.top() + 1; y < closed.bottom(); ++y)
            colors.insert(at(img, closed.left() + 1, y).rgb());
        QCOMPARE(colors.size(), 1);
    }

    void toolTips()
    {
        DtmfPanel panel;
        show(panel, 1000, 600);
        panel.setDigits(sampleDigits());
        const DtmfTimeline *t = panel.timeline();
        const QString five = t->toolTipFor(4, 0);
        for (const char *part : {"Digit 5 received as in-band", "At 0:01.800, 80 ms", "Level -12.0 dBm0", "Twist +2.0 dB"})
            QVERIFY2(five.contains(QLatin1String(part)), qPrintable(five));
        QVERIFY(t->toolTipFor(3, 1).contains(QStringLiteral("Twist -1.2 dB")) || t->toolTipFor(3, 1).contains(QStringLiteral("Twist -1.3 dB")));
        QVERIFY2(t->toolTipFor(3, 1).contains(QStringLiteral("also seen as RFC 4733, INFO")), qPrintable(t->toolTipFor(3, 1)));
        QVERIFY2(t->toolTipFor(2, 0).contains(QStringLiteral("INFO refused with 488")), qPrintable(t->toolTipFor(2, 0)));
        QVERIFY(t->toolTipFor(1, 0).contains(QStringLiteral("INFO answered 200")));
        QVERIFY(t->toolTipFor(5, 0).contains(QStringLiteral("No end packet")));
        QVERIFY(!t->toolTipFor(4, 0).contains(QStringLiteral("No end packet")));
        QVERIFY(t->toolTipFor(9, 0).isEmpty());

        const QPoint at = t->eventRect(2, 0).center();
        QHelpEvent help(QEvent::ToolTip, at, t->mapToGlobal(at));
        QCoreApplication::sendEvent(panel.timeline(), &help);
        QTRY_VERIFY2(QToolTip::text().contains(QStringLiteral("Digit 3 sent as INFO")), qPrintable(QToolTip::text()));
        QToolTip::hideText();
    }

    void clickSelects()
    {
        DtmfPanel panel;
        show(panel, 1000, 600);
        panel.setDigits(sampleDigits());
        QSignalSpy selected(&panel, &DtmfPanel::digitSelected);
        QTest::mouseClick(panel.timeline(), Qt::LeftButton, {}, panel.timeline()->eventRect(4, 0).center());
        QCOMPARE(selected.size(), 1);
        QCOMPARE(selected.takeFirst().at(0).toInt(), 4);
        QCOMPARE(panel.timeline()->selected(), 4);
        QTest::mouseClick(panel.timeline(), Qt::LeftButton, {}, QPoint(panel.timeline()->width() - 5, panel.timeline()->laneRect(0).center().y()));
        QCOMPARE(selected.takeFirst().at(0).toInt(), -1);
        QCOMPARE(panel.timeline()->selected(), -1);
    }

    void followsTheNewestDigit()
    {
        DtmfPanel panel;
        show(panel, 800, 500);
        QSignalSpy follow(&panel, &DtmfPanel::followChanged);
        QList<MergedDigit> digits;
        for (int i = 0; i < 60; ++i)
            digits << merged({digitEvent(char('0' + i % 10), Mode::Rfc4733, Direction::In, i * 1000, 100)});
        panel.setDigits(digits);
        const DtmfTimeline *t = panel.timeline();
        QVERIFY(panel.follows());
        QVERIFY(t->timeScale().startMs > 50'000);
        QVERIFY2(t->plotRect().contains(t->digitRect(59)), "the newest digit is in view");
        QVERIFY(!t->plotRect().intersects(t->digitRect(0)));

        // The user scrolls back: a new digit does not pull the view away.
        panel.timeScrollBar()->setValue(0);
        QVERIFY(!panel.follows());
        QCOMPARE(follow.size(), 1);
        digits << merged({digitEvent('#', Mode::Rfc4733, Direction::In, 61'000, 100)});
        panel.setDigits(digits);
        QCOMPARE(t->timeScale().startMs, 0);
        QVERIFY(t->plotRect().contains(t->digitRect(0)));
        QCOMPARE(panel.spectrogram()->timeScale(), t->timeScale());

        // Back at the end it follows again.
        panel.timeScrollBar()->setValue(panel.timeScrollBar()->maximum());
        QVERIFY(panel.follows());
        digits << merged({digitEvent('*', Mode::Rfc4733, Direction::In, 75'000, 100)});
        panel.setDigits(digits);
        QVERIFY(t->plotRect().contains(t->digitRect(61)));

        // Zooming keeps following and keeps both views on one scale.
        panel.setPixelsPerMs(1.0);
        QCOMPARE(t->timeScale().pxPerMs, 1.0);
        QVERIFY(t->plotRect().contains(t->digitRect(61)));
        QCOMPARE(panel.spectrogram()->timeScale(), t->timeScale());
        panel.setPixelsPerMs(100);
        QCOMPARE(t->timeScale().pxPerMs, DtmfPanel::kMaxPxPerMs);
    }

    void findings()
    {
        DtmfPanel panel;
        show(panel, 420, 600);
        QListWidget *list = panel.findingsList();
        QVERIFY(list->isHidden());
        const QString longText = QStringLiteral("The far end sends every digit both as RFC 4733 events and as in-band tones, so a receiver "
                                                "that listens to both may see each key press twice.");
        panel.setFindings({
            Finding {Finding::Severity::Info, QStringLiteral("rfc4733-used"), QStringLiteral("Digits are sent as RFC 4733 events.")},
            Finding {Finding::Severity::Warning, QStringLiteral("double-digits"), longText},
            Finding {Finding::Severity::Error, QStringLiteral("info-error"), QStringLiteral("The far end refused INFO with 488.")},
        });
        QVERIFY(!list->isHidden());
        QCOMPARE(list->count(), 3);
        QCOMPARE(list->item(0)->text(), QStringLiteral("Digits are sent as RFC 4733 events."));
        QCOMPARE(list->item(1)->text(), longText);
        QCOMPARE(list->item(2)->data(Qt::UserRole).toString(), QStringLiteral("info-error"));
        QVERIFY(list->item(2)->toolTip().contains(QStringLiteral("info-error")));
        QVERIFY(!list->item(1)->icon().isNull());
        QVERIFY(list->item(2)->foreground().color() != list->item(1)->foreground().color());
        QVERIFY(list->item(2)->foreground().color().red() > list->item(2)->foreground().color().green());
        // The long finding wraps onto several lines instead of being cut off.
        QTRY_VERIFY(list->visualItemRect(list->item(1)).height() >= 2 * list->fontMetrics().height());
        QVERIFY(list->visualItemRect(list->item(1)).width() <= list->viewport()->width());
        panel.setFindings({});
        QVERIFY(list->isHidden());
    }

    void spectrogramShowsTheTones_data()
    {
        QTest::addColumn<bool>("dark");
        QTest::newRow("light") << false;
        QTest::newRow("dark") << true;
    }
    void spectrogramShowsTheTones()
    {
        QFETCH(bool, dark);
        DtmfPanel panel;
        panel.setPalette(dark ? darkPalette() : lightPalette());
        show(panel, 1000, 700);
        // '1' (697 + 1209 Hz) at 500..700 ms and '9' (852 + 1477 Hz) at 1000..1200 ms, as received.
        panel.setDigits({merged({digitEvent('1', Mode::Inband, Direction::In, 500, 200)}), merged({digitEvent('9', Mode::Inband, Direction::In, 1000, 200)})});
        feed(panel, audio(1500, {{500, 700, 697, 1209}, {1000, 1200, 852, 1477}}));
        SpectrogramView *s = panel.spectrogram();
        QCOMPARE(s->columnCount(), (1500 * 8 - 64) / 128);
        QCOMPARE(s->firstMs(), 0);
        QCOMPARE(s->timeScale(), panel.timeline()->timeScale());

        const QImage img = s->grab().toImage();
        const QColor base = panel.palette().color(QPalette::Base);
        struct Case {
            qint64 ms;
            int low, high;
        };
        for (const Case &c : {Case {600, 697, 1209}, Case {1100, 852, 1477}}) {
            // The stored column peaks in the bins of the two tones.
            const QByteArrayView view = s->column(c.ms);
            QCOMPARE(view.size(), SpectrogramView::kBins);
            const auto col = std::span(reinterpret_cast<const std::uint8_t *>(view.data()), std::size_t(view.size()));
            const int lowBin = int(std::max_element(col.begin(), col.begin() + 35) - col.begin());
            const int highBin = int(std::max_element(col.begin() + 35, col.end()) - col.begin());
            QVERIFY(std::abs(lowBin - c.low / 31.25) <= 1);
            QVERIFY(std::abs(highBin - c.high / 31.25) <= 1);
            // On screen, under the digit's box on the timeline: bright on the rows of its two
            // frequencies, dim on the rows of the other six DTMF frequencies.
            const int x = int(std::lround(s->timeScale().x(c.ms))) + 1;
            QVERIFY(s->plotRect().contains(x, s->yOfHz(c.low)));
            QCOMPARE(x, int(std::lround(panel.timeline()->timeScale().x(c.ms))) + 1);
            double dim = 0, bright = 1e9;
            for (int hz : kDtmfHz) {
                const double d = distance(at(img, x, s->yOfHz(hz)), base);
                if (hz == c.low || hz == c.high)
                    bright = std::min(bright, d);
                else
                    dim = std::max(dim, d);
            }
            QVERIFY2(bright > 150 && dim < 0.8 * bright, qPrintable(QStringLiteral("%1 ms: bright %2, dim %3").arg(c.ms).arg(bright).arg(dim)));
        }
        // Silence before the first digit is empty: the background shows.
        const int quietX = int(std::lround(s->timeScale().x(200)));
        QVERIFY(distance(at(img, quietX, s->yOfHz(1100)), base) < 40);
        // The indexed image holds the same bytes.
        const QImage raw = s->image(592, 608);
        QCOMPARE(raw.width(), 1);
        QCOMPARE(raw.pixelIndex(0, raw.height() - 1 - 22), int(std::uint8_t(s->column(600)[22])));
    }

    void keepsTenMinutes()
    {
        SpectrogramView view;
        QCOMPARE(view.capacity(), 10 * 60'000 / 16);
        // 20 minutes of columns, 50 per message; each column's bytes say which it is.
        const int total = 20 * 60'000 / 16;
        QByteArray chunk(50 * SpectrogramView::kBins, 0);
        for (int first = 0; first < total; first += 50) {
            for (int i = 0; i < 50; ++i)
                std::memset(chunk.data() + SpectrogramView::kBins * i, (first + i) % 251 + 1, SpectrogramView::kBins);
            view.appendColumns(chunk, qint64(first) * 16);
        }
        QCOMPARE(view.columnCount(), view.capacity());
        QCOMPARE(view.endMs(), qint64(total) * 16);
        QCOMPARE(view.firstMs(), view.endMs() - 10 * 60'000);
        QVERIFY(view.column(0).isEmpty());
        QVERIFY(view.column(view.firstMs() - 1).isEmpty());
        QCOMPARE(int(std::uint8_t(view.column(view.firstMs())[0])), (total - view.capacity()) % 251 + 1);
        QCOMPARE(int(std::uint8_t(view.column(view.endMs() - 1)[5])), (total - 1) % 251 + 1);
        view.resize(800, 300);
        view.grab();

        // A gap stays empty, a column for a slot already held replaces it, a long gap starts over.
        QByteArray one(SpectrogramView::kBins, char(200));
        view.appendColumns(one, view.endMs() + 160);
        QCOMPARE(view.columnCount(), view.capacity());
        QCOMPARE(int(std::uint8_t(view.column(view.endMs() - 1)[0])), 200);
        QCOMPARE(int(std::uint8_t(view.column(view.endMs() - 20)[0])), 0);
        view.appendColumns(QByteArray(SpectrogramView::kBins, char(7)), view.endMs() - 16);
        QCOMPARE(int(std::uint8_t(view.column(view.endMs() - 1)[0])), 7);
        view.appendColumns(one, view.endMs() + 11 * 60'000);
        QCOMPARE(view.columnCount(), 1);
        view.setCapacity(100);
        view.clear();
        QCOMPARE(view.columnCount(), 0);
        view.grab(); // the placeholder
    }

    void panelKeepsTenMinutes()
    {
        DtmfPanel panel;
        show(panel, 900, 500);
        QByteArray chunk(60 * SpectrogramView::kBins, char(100));
        for (qint64 ms = 0; ms < 20 * 60'000; ms += 60 * 16)
            panel.appendSpectrum(chunk, ms);
        QCOMPARE(panel.spectrogram()->columnCount(), 10 * 60'000 / 16);
        QVERIFY(panel.follows());
        QVERIFY(panel.timeScale().startMs > 19 * 60'000);
        panel.clear();
        QCOMPARE(panel.spectrogram()->columnCount(), 0);
        QCOMPARE(panel.timeScale().startMs, 0);
    }

    void paintsInLightAndDark()
    {
        for (const QPalette &palette : {lightPalette(), darkPalette()}) {
            DtmfPanel panel;
            panel.setPalette(palette);
            show(panel, 900, 600);
            panel.setDigits(sampleDigits());
            panel.setFindings({Finding {Finding::Severity::Error, QStringLiteral("info-error"), QStringLiteral("INFO refused.")}});
            feed(panel, audio(2500, {{110, 220, 697, 1209}, {1310, 1400, 770, 1336}, {1800, 1880, 770, 1336}}));
            panel.timeline()->setSelected(3);
            const QImage shot = panel.grab().toImage();
            if (const QByteArray dir = qgetenv("DS_DTMF_SHOTS"); !dir.isEmpty()) // to look at
                shot.save(QString::fromLocal8Bit(dir)
                    + (palette.color(QPalette::Base).lightnessF() < 0.5 ? QStringLiteral("/dark.png") : QStringLiteral("/light.png")));
            QCOMPARE(shot.deviceIndependentSize().toSize(), QSize(900, 600));
            const QColor base = palette.color(QPalette::Base);
            QCOMPARE(at(panel.timeline()->grab().toImage(), 1, 1), base);
            const SpectrogramView *s = panel.spectrogram();
            QCOMPARE(s->colorOf(0).alpha(), 0); // silence: the background
            QVERIFY(distance(s->colorOf(255), base) > 200); // loud tones stand out
            QVERIFY(distance(s->colorOf(180), base) > 100);
            // The frequency labels are there, in a colour readable on the background.
            QVERIFY(s->gutterWidth() > 0);
        }
    }
};

QTEST_MAIN(TestDtmfPanel)
#include "tst_dtmf_panel.moc"
