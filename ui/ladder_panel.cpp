#include "ladder_panel.h"

#include "ladder_call_model.h"
#include "ladder_export_image.h"
#include "ladder_filter_bar.h"
#include "ladder_view.h"
#include "raw_message_view.h"

#include "diag/call_bundle.h"
#include "diag/ladder_export.h"
#include "diag/ladder_json.h"
#include "diag/ladder_text.h"

#include <QCoreApplication>
#include <QFile>
#include <QFileDialog>
#include <QFileInfo>
#include <QHeaderView>
#include <QItemSelectionModel>
#include <QLabel>
#include <QMenu>
#include <QMessageBox>
#include <QSaveFile>
#include <QSplitter>
#include <QTableView>
#include <QThread>
#include <QTimer>
#include <QToolButton>
#include <QVBoxLayout>

namespace ds::ui {

namespace {

constexpr int kTickMs = 50; // live messages are shown within this much time, in one batch

std::expected<void, QString> saveText(const QString &path, const QByteArray &bytes)
{
    QSaveFile f(path);
    if (!f.open(QIODevice::WriteOnly) || f.write(bytes) != bytes.size() || !f.commit())
        return std::unexpected(QObject::tr("cannot write %1: %2").arg(path, f.errorString()));
    return {};
}

} // namespace

LadderPanel::LadderPanel(QWidget *parent)
    : QWidget(parent)
    , m_store(std::make_unique<diag::TraceStore>())
    , m_rtp(std::make_unique<diag::RtpTracker>())
    , m_model(std::make_unique<diag::LadderModel>(*m_store, m_rtp.get()))
{
    buildUi();
    m_tick = new QTimer(this);
    m_tick->setSingleShot(true);
    m_tick->setInterval(kTickMs);
    connect(m_tick, &QTimer::timeout, this, &LadderPanel::flush);
}

LadderPanel::~LadderPanel()
{
    if (m_loader) {
        // The reader polls the flag every few thousand frames: a closed tab stops a big load
        // promptly instead of reading the whole file.
        m_stopLoading->store(true);
        m_loader->requestInterruption();
        m_loader->wait();
    }
}

void LadderPanel::buildUi()
{
    m_filterBar = new LadderFilterBar(this);
    m_filterBar->setObjectName(QStringLiteral("ladderFilterBar"));
    m_export = new QToolButton(this);
    m_export->setObjectName(QStringLiteral("ladderExport"));
    m_export->setText(tr("Export"));
    m_export->setPopupMode(QToolButton::InstantPopup);
    auto *menu = new QMenu(m_export);
    const QList<std::pair<QString, QString>> formats {{tr("Text ladder…"), QStringLiteral("txt")}, {tr("SVG…"), QStringLiteral("svg")},
        {tr("PNG…"), QStringLiteral("png")}, {tr("pcap…"), QStringLiteral("pcap")}, {tr("pcapng…"), QStringLiteral("pcapng")},
        {tr("JSON…"), QStringLiteral("json")}, {tr("Call bundle (ZIP)…"), QStringLiteral("zip")}};
    for (const auto &[text, format] : formats)
        menu->addAction(text, this, [this, format = format] { exportVia(format); });
    m_export->setMenu(menu);

    m_callModel = new LadderCallModel(this);
    m_callModel->setLadder(m_model.get());
    m_callView = new QTableView(this);
    m_callView->setObjectName(QStringLiteral("ladderCalls"));
    m_callView->setModel(m_callModel);
    m_callView->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_callView->setSelectionMode(QAbstractItemView::ExtendedSelection);
    m_callView->verticalHeader()->hide();
    m_callView->horizontalHeader()->setStretchLastSection(true);
    connect(m_callView->selectionModel(), &QItemSelectionModel::selectionChanged, this, [this] {
        QSet<quint32> calls;
        for (const QModelIndex &i : m_callView->selectionModel()->selectedRows())
            calls.insert(m_callModel->callAt(i.row()));
        m_filterBar->setCalls(calls);
    });

    m_view = new LadderView(this);
    m_view->setObjectName(QStringLiteral("ladderView"));
    m_view->setModel(m_model.get());
    connect(m_view, &LadderView::messageSelected, this, &LadderPanel::showMessage);

    m_raw = new RawMessageView(this);
    m_raw->setObjectName(QStringLiteral("ladderRaw"));

    connect(m_filterBar, &LadderFilterBar::filterChanged, this, &LadderPanel::applyFilter);
    connect(m_filterBar, &LadderFilterBar::findNextRequested, this, &LadderPanel::findNext);
    connect(m_filterBar, &LadderFilterBar::mergeRelatedChanged, this, [this](bool merge) {
        m_model->setMergeRelated(merge);
        m_view->modelChanged();
    });

    m_status = new QLabel(this);
    m_status->setObjectName(QStringLiteral("ladderStatus"));

    auto *split = new QSplitter(Qt::Horizontal, this);
    split->addWidget(m_callView);
    split->addWidget(m_view);
    split->addWidget(m_raw);
    split->setStretchFactor(0, 2);
    split->setStretchFactor(1, 5);
    split->setStretchFactor(2, 3);

    auto *top = new QHBoxLayout;
    top->addWidget(m_filterBar, 1);
    top->addWidget(m_export);
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addLayout(top);
    layout->addWidget(split, 1);
    layout->addWidget(m_status);
}

void LadderPanel::appendLive(const sip::TraceEvent &event)
{
    m_store->append(event);
    m_dirty = true;
    if (!m_tick->isActive())
        m_tick->start();
}

void LadderPanel::nameEndpoint(const sip::Endpoint &endpoint, const QString &name, bool trusted)
{
    const diag::NetAddress a = diag::NetAddress::fromEndpoint(endpoint);
    m_names.append({a, name, trusted});
    m_model->setEndpointName(a, name);
    if (trusted)
        m_model->addTrusted(a);
    m_view->modelChanged();
}

void LadderPanel::flush()
{
    m_tick->stop();
    if (!m_dirty)
        return;
    m_dirty = false;
    refresh();
}

void LadderPanel::refresh()
{
    m_model->update();
    m_callModel->refresh();
    m_view->modelChanged();
    const int shown = m_model->rowCount();
    const quint32 all = m_store->size();
    QString text = shown == int(all) ? tr("%n message(s)", nullptr, shown) : tr("%1 of %2 messages", nullptr, shown).arg(shown).arg(all);
    if (m_model->unsolicitedRequests())
        text += tr(", %n unsolicited request(s) (scanners)", nullptr, int(m_model->unsolicitedRequests()));
    if (!m_summary.isEmpty())
        text = m_summary + QStringLiteral(" — ") + text;
    m_status->setText(text);
}

void LadderPanel::clear()
{
    install(std::make_unique<diag::TraceStore>(), std::make_unique<diag::RtpTracker>());
    m_wire.clear();
    m_capturePath.clear();
    m_summary.clear();
    refresh();
}

void LadderPanel::install(std::unique_ptr<diag::TraceStore> store, std::unique_ptr<diag::RtpTracker> rtp)
{
    // The widgets hold pointers into the old model: detach them before it goes. The call list's
    // selection names calls of the old store: cleared, with the filter bar told.
    m_callView->clearSelection();
    m_filterBar->setCalls({});
    m_view->setModel(nullptr);
    m_callModel->setLadder(nullptr);
    m_raw->clear();
    m_model.reset();
    m_store = std::move(store);
    m_rtp = std::move(rtp);
    m_model = std::make_unique<diag::LadderModel>(*m_store, m_rtp.get());
    for (const auto &[a, name, trusted] : m_names) {
        m_model->setEndpointName(a, name);
        if (trusted)
            m_model->addTrusted(a);
    }
    m_model->setMergeRelated(m_filterBar->mergeRelated());
    m_model->setFilter(m_filterBar->filter());
    m_model->update();
    m_callModel->setLadder(m_model.get());
    m_view->setModel(m_model.get());
}

void LadderPanel::openCapture(const QString &path)
{
    if (m_loader)
        return;
    m_summary = tr("reading %1…").arg(QFileInfo(path).fileName());
    m_status->setText(m_summary);
    auto store = std::make_shared<std::unique_ptr<diag::TraceStore>>(std::make_unique<diag::TraceStore>());
    auto rtp = std::make_shared<std::unique_ptr<diag::RtpTracker>>(std::make_unique<diag::RtpTracker>());
    auto result = std::make_shared<std::expected<diag::ImportSummary, diag::CaptureError>>(std::unexpected(diag::CaptureError {}));
    QPointer<LadderPanel> self(this);
    m_stopLoading = std::make_shared<std::atomic<bool>>(false);
    QThread *thread = QThread::create([store, rtp, result, path, self, stop = m_stopLoading] {
        QThread *me = QThread::currentThread();
        *result = diag::importCapture(
            path, **store, **rtp,
            [me, self](quint64 n) {
                if (self)
                    QMetaObject::invokeMethod(self, [self, n] {
                        if (self)
                            emit self->progress(n);
                    });
                return !me->isInterruptionRequested();
            },
            stop.get());
    });
    m_loader = thread;
    connect(thread, &QThread::finished, this, [this, thread, store, rtp, result, path] {
        thread->deleteLater();
        m_loader = nullptr;
        if (!*result) {
            m_summary.clear();
            refresh();
            emit failed(result->error().text);
            return;
        }
        const diag::CaptureCounts &n = (*result)->counts;
        m_capturePath = path;
        m_summary = tr("%1: %2 frames, %3 SIP, %4 RTP packets; skipped %5 truncated, %6 garbage")
                        .arg(QFileInfo(path).fileName())
                        .arg(n.frames)
                        .arg(n.sipMessages)
                        .arg((*result)->rtpPackets)
                        .arg(n.truncated)
                        .arg(n.garbage);
        install(std::move(*store), std::move(*rtp));
        refresh();
        emit loaded(m_summary);
    });
    thread->start();
}

void LadderPanel::applyFilter(const diag::LadderFilter &filter)
{
    m_model->setFilter(filter);
    m_view->modelChanged();
    const quint32 selected = m_view->selectedMessage();
    if (selected != diag::kNoMessage && m_model->rowOf(selected) >= 0)
        showMessage(selected);
    refresh();
}

void LadderPanel::findNext()
{
    // The rows shown already match the search; Enter walks through them.
    const int n = m_model->rowCount();
    if (n == 0)
        return;
    const int current = m_view->selectedMessage() == diag::kNoMessage ? -1 : m_model->rowOf(m_view->selectedMessage());
    m_view->setFollow(false);
    m_view->selectMessage(m_model->messageAt((current + 1) % n));
}

void LadderPanel::showMessage(quint32 message)
{
    if (message == diag::kNoMessage || message >= m_store->size()) {
        m_raw->clear();
        return;
    }
    m_raw->showMessage(*m_store, message, m_model->filter().text);
}

std::expected<void, QString> LadderPanel::exportText(const QString &path) const { return saveText(path, diag::renderTextLadder(*m_model).toUtf8()); }

std::expected<void, QString> LadderPanel::exportJson(const QString &path) const
{
    QSaveFile f(path);
    if (!f.open(QIODevice::WriteOnly))
        return std::unexpected(tr("cannot write %1: %2").arg(path, f.errorString()));
    if (auto written = diag::writeLadderJson(*m_model, f); !written)
        return std::unexpected(written.error());
    if (!f.commit())
        return std::unexpected(tr("cannot write %1: %2").arg(path, f.errorString()));
    return {};
}

std::expected<void, QString> LadderPanel::exportSvg(const QString &path) const { return exportLadderSvg(*m_model, path); }

std::expected<void, QString> LadderPanel::exportPng(const QString &path) const { return exportLadderPng(*m_model, path); }

std::expected<void, QString> LadderPanel::exportCapture(const QString &path, bool pcapng) const
{
    diag::CaptureExportOptions options;
    options.format = pcapng ? diag::CaptureWriter::Format::Pcapng : diag::CaptureWriter::Format::Pcap;
    options.sourceCapture = m_capturePath;
    options.wire = &m_wire;
    options.comment = tr("Exported by dialscope %1").arg(QCoreApplication::applicationVersion());
    const auto n = diag::exportCapture(*m_model, path, options);
    if (!n)
        return std::unexpected(n.error());
    return {};
}

std::optional<quint32> LadderPanel::currentCall() const
{
    const QModelIndexList rows = m_callView->selectionModel()->selectedRows();
    if (rows.size() == 1)
        return m_callModel->callAt(rows.first().row());
    const quint32 selected = m_view->selectedMessage();
    if (selected != diag::kNoMessage && selected < m_store->size())
        return m_store->record(selected).call;
    return std::nullopt;
}

std::expected<void, QString> LadderPanel::exportBundle(quint32 call, const QString &path) const
{
    diag::BundleInputs inputs;
    inputs.sourceCapture = m_capturePath;
    inputs.wire = &m_wire;
    inputs.mergeRelated = m_model->mergeRelated();
    if (m_recordingLookup)
        inputs.audioFiles = m_recordingLookup(m_store->callId(call).toByteArray());
    return diag::writeCallBundle(*m_store, m_rtp.get(), call, path, inputs);
}

void LadderPanel::exportVia(const QString &format)
{
    std::optional<quint32> call;
    if (format == QLatin1String("zip")) {
        call = currentCall();
        if (!call) {
            QMessageBox::information(this, tr("Call bundle"), tr("Select a call in the list (or a message of it) first."));
            return;
        }
    }
    const QString filter = format == QLatin1String("txt") ? tr("Text (*.txt)") : tr("%1 files (*.%2)").arg(format.toUpper(), format);
    QString path = QFileDialog::getSaveFileName(this, tr("Export the ladder"), QStringLiteral("ladder.%1").arg(format), filter);
    if (path.isEmpty())
        return;
    flush();
    std::expected<void, QString> r;
    if (format == QLatin1String("txt"))
        r = exportText(path);
    else if (format == QLatin1String("svg"))
        r = exportSvg(path);
    else if (format == QLatin1String("png"))
        r = exportPng(path);
    else if (format == QLatin1String("json"))
        r = exportJson(path);
    else if (format == QLatin1String("zip"))
        r = exportBundle(*call, path);
    else
        r = exportCapture(path, format == QLatin1String("pcapng"));
    if (!r)
        QMessageBox::warning(this, tr("Export"), r.error());
}

} // namespace ds::ui
