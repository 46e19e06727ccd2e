#pragma once
// LadderPanel: the ladder of one trace — our own live traffic or an imported capture — with
// the filter bar above, the call list at the left, the ladder in the middle and the raw message
// at the right. Live messages are taken in batches (one model update per tick, not per
// message); a capture is read on a worker thread and handed over whole when it is done.

#include "diag/capture_import.h"
#include "diag/ladder_model.h"
#include "diag/wire_log.h"

#include <QPointer>
#include <QThread>
#include <QWidget>

#include <expected>
#include <functional>
#include <memory>
#include <optional>

class QLabel;
class QTableView;
class QTimer;
class QToolButton;

namespace ds::ui {

class LadderView;
class LadderCallModel;
class LadderFilterBar;
class RawMessageView;

class LadderPanel final : public QWidget {
    Q_OBJECT
public:
    explicit LadderPanel(QWidget *parent = nullptr);
    ~LadderPanel() override;

    const diag::TraceStore &store() const { return *m_store; }
    const diag::LadderModel &model() const { return *m_model; }
    LadderView *view() const { return m_view; }
    LadderFilterBar *filterBar() const { return m_filterBar; }
    QTableView *callList() const { return m_callView; }
    RawMessageView *rawView() const { return m_raw; }

    // Live: a message of our own, shown within one batching tick.
    void appendLive(const sip::TraceEvent &event);
    // Our TLS connections' encrypted bytes and key log, for the pcapng export (kept in memory,
    // bounded, never written anywhere else).
    void appendWire(const sip::WireEvent &event) { m_wire.add(event); }
    void appendKeyLogLine(const QByteArray &line) { m_wire.addKeyLogLine(line); }
    // Names our own address and the registrar/proxy, which are never unsolicited.
    void nameEndpoint(const sip::Endpoint &endpoint, const QString &name, bool trusted);
    // Applies pending live messages now (tests and exports call it).
    void flush();
    void clear();

    // Reads a capture on a worker thread; loaded() or failed() follows.
    void openCapture(const QString &path);
    bool loading() const { return m_loader != nullptr; }
    QString summary() const { return m_summary; }

    // Exports of what the filter shows (a call list selection restricts it to those calls).
    std::expected<void, QString> exportText(const QString &path) const;
    std::expected<void, QString> exportJson(const QString &path) const;
    std::expected<void, QString> exportSvg(const QString &path) const;
    std::expected<void, QString> exportPng(const QString &path) const;
    std::expected<void, QString> exportCapture(const QString &path, bool pcapng) const;
    // The one-call bundle (ZIP: pcapng, JSON timeline, HTML ladder, recordings) of `call`.
    std::expected<void, QString> exportBundle(quint32 call, const QString &path) const;
    // The call a bundle would be made of: the one selected in the call list, else the call of
    // the selected message; nullopt when neither.
    std::optional<quint32> currentCall() const;
    // Where the recordings of a call are (by Call-ID), for bundles.
    void setRecordingLookup(std::function<QStringList(const QByteArray &callId)> lookup) { m_recordingLookup = std::move(lookup); }

signals:
    void loaded(const QString &summary);
    void failed(const QString &error);
    void progress(quint64 messages);

private:
    void buildUi();
    void install(std::unique_ptr<diag::TraceStore> store, std::unique_ptr<diag::RtpTracker> rtp);
    void refresh();
    void applyFilter(const diag::LadderFilter &filter);
    void showMessage(quint32 message);
    void findNext();
    void exportVia(const QString &format);

    std::unique_ptr<diag::TraceStore> m_store;
    std::unique_ptr<diag::RtpTracker> m_rtp;
    std::unique_ptr<diag::LadderModel> m_model;
    diag::WireLog m_wire;
    std::function<QStringList(const QByteArray &)> m_recordingLookup;
    QList<std::tuple<diag::NetAddress, QString, bool>> m_names;
    QString m_capturePath; // the capture this panel shows; empty for our live trace
    QString m_summary;

    LadderView *m_view = nullptr;
    LadderFilterBar *m_filterBar = nullptr;
    LadderCallModel *m_callModel = nullptr;
    QTableView *m_callView = nullptr;
    RawMessageView *m_raw = nullptr;
    QLabel *m_status = nullptr;
    QToolButton *m_export = nullptr;
    QTimer *m_tick = nullptr;
    bool m_dirty = false;
    QPointer<QThread> m_loader;
    std::shared_ptr<std::atomic<bool>> m_stopLoading; // set: the loader stops within a few thousand frames
};

} // namespace ds::ui
