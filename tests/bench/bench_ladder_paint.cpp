// Paint time of one frame of the ladder at the top, the middle and the end of a big capture
// (issue "live SIP ladder": under 8 ms on this machine, offscreen). The frame is what LadderView
// paints: a 1280x800 viewport through LadderPainter into a QImage.
//
//   bench_ladder_paint --capture FILE [--frames N] [--json]
//   bench_ladder_paint --smoke        (a synthetic 50,000-message trace; what CTest runs)

#include "diag/capture_import.h"
#include "diag/ladder_model.h"
#include "ui/ladder_painter.h"

#include <QElapsedTimer>
#include <QGuiApplication>
#include <QImage>
#include <QPainter>

#include <algorithm>
#include <cstdio>
#include <vector>

using namespace ds;

namespace {

void fillSynthetic(diag::TraceStore &store, int messages)
{
    diag::NetAddress a, b;
    a.ip = {192, 0, 2, 1};
    a.port = 5060;
    b.ip = {192, 0, 2, 2};
    b.port = 5060;
    qint64 t = 1'760'000'000'000'000;
    for (int i = 0; i < messages; ++i) {
        const QByteArray id = "bench-" + QByteArray::number(i / 2) + "@192.0.2.1";
        const bool request = i % 2 == 0;
        const QByteArray m = (request ? QByteArray("OPTIONS sip:b@192.0.2.2 SIP/2.0") : QByteArray("SIP/2.0 200 OK"))
            + "\r\nVia: SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bK" + QByteArray::number(i / 2) + "\r\nFrom: <sip:a@192.0.2.1>;tag=1\r\nTo: <sip:b@192.0.2.2>"
            + (request ? "" : ";tag=2") + "\r\nCall-ID: " + id + "\r\nCSeq: 1 OPTIONS\r\nContent-Length: 0\r\n\r\n";
        store.append(t += 1000, sip::TransportKind::Udp, request ? a : b, request ? b : a, m, 0);
    }
}

double median(std::vector<double> v)
{
    std::sort(v.begin(), v.end());
    return v.empty() ? 0 : v[v.size() / 2];
}

} // namespace

int main(int argc, char **argv)
{
    qputenv("QT_QPA_PLATFORM", "offscreen");
    QGuiApplication app(argc, argv);
    const QStringList args = app.arguments();
    const bool smoke = args.contains(QLatin1String("--smoke"));
    const bool json = args.contains(QLatin1String("--json"));
    const qsizetype at = args.indexOf(QLatin1String("--capture"));
    const qsizetype framesAt = args.indexOf(QLatin1String("--frames"));
    const int frames = framesAt > 0 && framesAt + 1 < args.size() ? args[framesAt + 1].toInt() : (smoke ? 3 : 50);
    if (!smoke && (at < 0 || at + 1 >= args.size())) {
        std::fputs("usage: bench_ladder_paint --capture FILE [--frames N] [--json] | --smoke\n", stderr);
        return 2;
    }

    diag::TraceStore store;
    diag::RtpTracker rtp;
    if (smoke) {
        fillSynthetic(store, 50'000);
    } else if (const auto imported = diag::importCapture(args[at + 1], store, rtp); !imported) {
        std::fprintf(stderr, "bench_ladder_paint: %s\n", qPrintable(imported.error().text));
        return 2;
    }
    diag::LadderModel model(store, &rtp);
    model.update();
    ui::LadderPainter painter(model);
    painter.setAvailableWidth(1280);
    painter.layout();
    QImage image(1280, 800, QImage::Format_ARGB32_Premultiplied);

    if (!json)
        std::printf("%d messages, %d rows, scene %dx%d\n%-8s %12s %12s\n", int(store.size()), model.rowCount(), painter.sceneSize().width(),
            painter.sceneSize().height(), "where", "median ms", "max ms");
    const int sceneHeight = painter.sceneSize().height();
    for (const auto &[name, fraction] : {std::pair {"top", 0.0}, std::pair {"middle", 0.5}, std::pair {"end", 1.0}}) {
        const int y = std::clamp(int(fraction * (sceneHeight - 800)), 0, std::max(0, sceneHeight - 800));
        const QRect exposed(0, y, 1280, 800);
        std::vector<double> ms;
        for (int f = 0; f < frames; ++f) {
            QElapsedTimer timer;
            timer.start();
            QPainter p(&image);
            p.translate(0, -y);
            painter.paint(p, exposed, {});
            p.end();
            ms.push_back(double(timer.nsecsElapsed()) / 1e6);
        }
        const double max = *std::max_element(ms.begin(), ms.end());
        if (json)
            std::printf(
                "{\"bench\":\"ladder_paint\",\"where\":\"%s\",\"messages\":%u,\"median_ms\":%.3f,\"max_ms\":%.3f}\n", name, store.size(), median(ms), max);
        else
            std::printf("%-8s %12.3f %12.3f\n", name, median(ms), max);
    }
    return 0;
}
