#include "session_capture.h"

#include "event_writer.h"

#include "diag/ladder_export.h"
#include "diag/ladder_text.h"
#include "phone/user_agent.h"

namespace ds::cli {

void SessionCapture::attach(phone::UserAgent &agent, bool keepWire)
{
    QObject::connect(&agent, &phone::UserAgent::traced, &agent, [this](const sip::TraceEvent &e) { add(e); });
    if (!keepWire)
        return;
    QObject::connect(&agent, &phone::UserAgent::wire, &agent, [this](const sip::WireEvent &e) { m_wire.add(e); });
    QObject::connect(&agent, &phone::UserAgent::tlsKeyLogLine, &agent, [this](const QByteArray &line) { m_wire.addKeyLogLine(line); });
}

QString SessionCapture::ladder() const
{
    diag::LadderModel model(m_store);
    model.update();
    return diag::renderTextLadder(model);
}

std::expected<quint64, QString> SessionCapture::write(const QString &path) const
{
    diag::LadderModel model(m_store);
    model.update();
    diag::CaptureExportOptions options;
    options.format = path.endsWith(QLatin1String(".pcap"), Qt::CaseInsensitive) ? diag::CaptureWriter::Format::Pcap : diag::CaptureWriter::Format::Pcapng;
    options.wire = &m_wire;
    options.comment = QStringLiteral("dialscope %1").arg(QStringLiteral(DS_VERSION));
    return diag::exportCapture(model, path, options);
}

void writeCapture(const SessionCapture &capture, const QString &path)
{
    if (path.isEmpty())
        return;
    if (const auto written = capture.write(path); !written)
        EventWriter::error(QStringLiteral("warning: the capture was not written: %1").arg(written.error()));
}

} // namespace ds::cli
