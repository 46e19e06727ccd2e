#include "ladder_export_image.h"

#include "ladder_painter.h"

#include <QGuiApplication>
#include <QImage>
#include <QPainter>
#include <QSaveFile>
#include <QSvgGenerator>

namespace ds::ui {

namespace {

constexpr int kDpi = 96; // the painter's font metrics and the image agree on this

std::expected<void, QString> needsGui(const QString &path)
{
    // Text needs fonts, and fonts need a QGuiApplication (the offscreen platform is enough).
    if (!qobject_cast<QGuiApplication *>(QCoreApplication::instance()))
        return std::unexpected(QStringLiteral("cannot render %1: no QGuiApplication (run with QT_QPA_PLATFORM=offscreen)").arg(path));
    return {};
}

void setUp(LadderPainter &painter, int maxRows)
{
    QFont font = QGuiApplication::font();
    font.setPixelSize(13); // device independent: the same layout in SVG and PNG
    painter.setFont(font);
    painter.setPalette(LadderPainter::exportPalette());
    painter.setRowLimit(std::max(0, maxRows));
    painter.setAvailableWidth(painter.model().columnCount() * 340); // room for SDP summaries
    painter.layout();
}

std::expected<void, QString> commit(QSaveFile &file, const QString &path)
{
    if (!file.commit())
        return std::unexpected(QStringLiteral("cannot write %1: %2").arg(path, file.errorString()));
    return {};
}

} // namespace

std::expected<void, QString> exportLadderSvg(const diag::LadderModel &model, const QString &path, int maxRows)
{
    if (auto gui = needsGui(path); !gui)
        return gui;
    LadderPainter painter(model);
    setUp(painter, maxRows);
    const QSize size = painter.sceneSize();
    QSaveFile file(path);
    if (!file.open(QIODevice::WriteOnly))
        return std::unexpected(QStringLiteral("cannot write %1: %2").arg(path, file.errorString()));
    QSvgGenerator svg;
    svg.setOutputDevice(&file);
    svg.setResolution(kDpi);
    svg.setSize(size);
    svg.setViewBox(QRect(QPoint(0, 0), size));
    svg.setTitle(QStringLiteral("SIP ladder"));
    svg.setDescription(QStringLiteral("%1 SIP messages, drawn by dialscope").arg(model.rowCount()));
    QPainter p;
    if (!p.begin(&svg))
        return std::unexpected(QStringLiteral("cannot write %1: the SVG generator did not start").arg(path));
    painter.paint(p, QRect(QPoint(0, 0), size), {});
    p.end();
    return commit(file, path);
}

std::expected<void, QString> exportLadderPng(const diag::LadderModel &model, const QString &path, int maxRows)
{
    if (auto gui = needsGui(path); !gui)
        return gui;
    LadderPainter painter(model);
    setUp(painter, maxRows);
    if (painter.sceneSize().height() > kMaxPngHeight) { // cut further: a taller PNG is of no use to anyone
        const int rows = std::max(1, (kMaxPngHeight - painter.headerHeight()) / painter.rowHeight() - 2 - painter.mediaLines());
        setUp(painter, std::min(rows, maxRows));
    }
    const QSize size = painter.sceneSize();
    QImage image(size, QImage::Format_RGB32);
    if (image.isNull())
        return std::unexpected(QStringLiteral("cannot render %1: a %2x%3 image does not fit in memory").arg(path).arg(size.width()).arg(size.height()));
    const int dotsPerMeter = qRound(kDpi / 0.0254);
    image.setDotsPerMeterX(dotsPerMeter);
    image.setDotsPerMeterY(dotsPerMeter);
    {
        QPainter p(&image);
        painter.paint(p, QRect(QPoint(0, 0), size), {});
    }
    QSaveFile file(path);
    if (!file.open(QIODevice::WriteOnly))
        return std::unexpected(QStringLiteral("cannot write %1: %2").arg(path, file.errorString()));
    if (!image.save(&file, "PNG"))
        return std::unexpected(QStringLiteral("cannot write %1: PNG encoding failed").arg(path));
    return commit(file, path);
}

} // namespace ds::ui
