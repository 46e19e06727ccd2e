// Interop: DTMF between real phones, every way a key travels — RFC 4733 telephone-events, in-band
// tones in the audio and SIP INFO bodies — judged by what the far end reports:
//  - dialscope calls `dialscope answer`, for each send mode and codec: the answerer reports exactly
//    the keys sent, in that mode only (no in-band copy of RFC 4733 keys: events replace the audio);
//  - without telephone-event: auto falls back to in-band, RFC 4733 is refused with an error;
//  - in-band over opus: still detected, and the analyzer says in-band over opus is fragile;
//  - SIPp plays a capture of a phone that sends each key as events and as tones at once: one key
//    press each, and the double-digit finding;
//  - SIPp sends INFO bodies as PBXs write them: 200 for each key, 415 and 400 for the others;
//  - baresip receives RFC 4733 and INFO keys from dialscope, and sends RFC 4733 keys to it.
// Peers start on free loopback ports and stop with the case; a missing one skips its cases.
#include "support/baresip.h"
#include "support/dialscope_cli.h"
#include "support/test_case_dir.h"

#include "media/g711.h"

#include <QDateTime>
#include <QDir>
#include <QFile>
#include <QJsonDocument>
#include <QMap>
#include <QTemporaryDir>
#include <QtEndian>
#include <QtTest>

#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cmath>
#include <cstring>
#include <memory>
#include <numbers>
#include <optional>

using namespace ds::test;
using namespace Qt::StringLiterals;

namespace {

// Every key: the keypad row by row, then A-D.
const QString kAllKeys = u"123456789*0#ABCD"_s;

QString scenario(const QString &name) { return QStringLiteral(DS_INTEROP_DIR "/sipp/") + name; }

// ---- reading dialscope's events --------------------------------------------------

// The keys of the `dtmf` events of one direction ("in"/"out"), per mode, in one line that a
// QCOMPARE shows whole: "inband=- info=- rfc4733=123". A mode dialscope should not name shows too.
QString keysByMode(const DialscopeRun &run, const QString &dir)
{
    QMap<QString, QString> byMode {{u"rfc4733"_s, {}}, {u"inband"_s, {}}, {u"info"_s, {}}};
    for (const QJsonObject &e : run.eventsOf(u"dtmf"_s)) {
        if (e.value(u"dir").toString() == dir)
            byMode[e.value(u"mode").toString()] += e.value(u"digit").toString();
    }
    QStringList parts;
    for (auto it = byMode.cbegin(); it != byMode.cend(); ++it)
        parts << it.key() + u'=' + (it.value().isEmpty() ? u"-"_s : it.value());
    return parts.join(u' ');
}

// What keysByMode says when exactly `keys` went in `mode`, e.g. "inband=- info=- rfc4733=123".
QString onlyIn(const QString &mode, const QString &keys)
{
    QMap<QString, QString> byMode {{u"rfc4733"_s, u"-"_s}, {u"inband"_s, u"-"_s}, {u"info"_s, u"-"_s}};
    byMode[mode] = keys.isEmpty() ? u"-"_s : keys;
    QStringList parts;
    for (auto it = byMode.cbegin(); it != byMode.cend(); ++it)
        parts << it.key() + u'=' + it.value();
    return parts.join(u' ');
}

QList<QJsonObject> dtmfEvents(const DialscopeRun &run, const QString &dir)
{
    QList<QJsonObject> found;
    for (const QJsonObject &e : run.eventsOf(u"dtmf"_s)) {
        if (e.value(u"dir").toString() == dir)
            found << e;
    }
    return found;
}

// A finding of the DTMF analyzer: by its stable `code` when dialscope prints one, else by the
// words of its text (lower case), which are free-form.
bool isFinding(const QJsonObject &e, const QString &code, const std::function<bool(const QString &)> &textSays)
{
    if (e.value(u"event").toString() != u"finding")
        return false;
    if (e.contains(u"code"))
        return e.value(u"code").toString() == code;
    return textSays(e.value(u"text").toString().toLower());
}

// The same key reported as RFC 4733 events and as in-band tones.
bool isDoubleDigits(const QJsonObject &e)
{
    return isFinding(e, u"double-digits"_s,
        [](const QString &t) { return t.contains(u"rfc 4733") && t.contains(u"in-band") && (t.contains(u"twice") || t.contains(u"double")); });
}

// In-band tones through opus, which is not made to carry them.
bool isInbandOverOpus(const QJsonObject &e)
{
    return isFinding(e, u"inband-over-opus"_s, [](const QString &t) { return t.contains(u"opus") && t.contains(u"in-band"); });
}

QList<QJsonObject> findings(const DialscopeRun &run, const std::function<bool(const QJsonObject &)> &which)
{
    QList<QJsonObject> found;
    for (const QJsonObject &e : run.eventsOf(u"finding"_s)) {
        if (which(e))
            found << e;
    }
    return found;
}

// The body of the first 200 OK to an INVITE that this run received: the answer to its offer.
QByteArray answerSdp(const DialscopeRun &caller)
{
    for (const QJsonObject &e : caller.sip(u"in"_s)) {
        const QByteArray raw = e.value(u"raw").toString().toUtf8();
        if (sip::status(raw) == 200 && sip::header(raw, "CSeq").endsWith(" INVITE")) {
            const qsizetype end = raw.indexOf("\r\n\r\n");
            return end < 0 ? QByteArray() : raw.mid(end + 4);
        }
    }
    return {};
}

// The responses this run sent to requests of method, as "STATUS" strings in order (distinct
// messages only: UDP retransmissions folded).
QStringList responsesSent(const DialscopeRun &run, const QByteArray &method, QList<QByteArray> *raws = nullptr)
{
    QStringList statuses;
    QList<QByteArray> seen;
    for (const QJsonObject &e : run.sip(u"out"_s)) {
        const QByteArray raw = e.value(u"raw").toString().toUtf8();
        if (sip::status(raw) == 0 || !sip::header(raw, "CSeq").endsWith(' ' + method) || seen.contains(raw))
            continue;
        seen << raw;
        statuses << QString::number(sip::status(raw));
    }
    if (raws)
        *raws = seen;
    return statuses;
}

// The DTMF part of a run in a few lines (its dtmf and finding events and its result), for
// failure messages: the whole output is mostly SIP.
QString dtmfSummary(const QString &who, const DialscopeRun &run)
{
    QString text = u"\n--- %1, DTMF and findings:"_s.arg(who);
    for (const QJsonObject &e : run.events) {
        const QString kind = e.value(u"event").toString();
        if (kind == u"dtmf" || kind == u"finding" || kind == u"result" || kind == u"call")
            text += u"\n  "_s + QString::fromUtf8(QJsonDocument(e).toJson(QJsonDocument::Compact));
    }
    return text;
}

// ---- the capture of a phone that sends each key twice ----------------------------

constexpr int kRate = 8000; // PCMU and its telephone-event
constexpr int kFrameSamples = 160; // 20 ms
constexpr quint8 kPcmuPt = 0;
constexpr quint8 kEventPt = 101; // as dtmf_both.xml offers it
constexpr quint32 kSsrc = 0x5eed0d7f;
constexpr int kKeyFrames = 5; // each key: 100 ms of tone, and events of 100 ms
constexpr double kToneDbm0 = -7; // each of the two tones (a phone's usual level)

// ITU-T Q.23: the low (row) and high (column) frequency of a key.
std::pair<double, double> q23Pair(char key)
{
    static constexpr char keys[] = "123A456B789C*0#D";
    static constexpr double rows[] = {697, 770, 852, 941};
    static constexpr double columns[] = {1209, 1336, 1477, 1633};
    const char *at = std::strchr(keys, key);
    Q_ASSERT(at && key);
    const auto i = at - keys;
    return {rows[i / 4], columns[i % 4]};
}

// RFC 4733 3.2: the event code of a key.
quint8 eventCode(char key)
{
    static constexpr char keys[] = "0123456789*#ABCD";
    return quint8(std::strchr(keys, key) - keys);
}

// The peak, in 16-bit linear PCM, of a sine at dbm0: ITU-T G.711's µ-law full scale is +3.14 dBm0.
double peakOfDbm0(double dbm0) { return 32767.0 * std::pow(10.0, (dbm0 - 3.14) / 20.0); }

// One PCMU frame of a key's two tones (sample offset `from` into the tone), or of silence.
QByteArray pcmuFrame(std::optional<char> key, int from)
{
    QByteArray frame(kFrameSamples, char(ds::media::G711::ulawSilence));
    if (!key)
        return frame;
    const auto [low, high] = q23Pair(*key);
    const double peak = peakOfDbm0(kToneDbm0);
    for (int i = 0; i < kFrameSamples; ++i) {
        const double t = double(from + i) / kRate;
        const double v = peak * (std::sin(2 * std::numbers::pi * low * t) + std::sin(2 * std::numbers::pi * high * t));
        frame[i] = char(ds::media::G711::encode(ds::media::G711::Law::Ulaw, std::int16_t(std::lround(v))));
    }
    return frame;
}

// RFC 4733 2.3: the 4-byte event block.
QByteArray eventBlock(char key, bool end, quint16 duration)
{
    QByteArray block(4, '\0');
    block[0] = char(eventCode(key));
    block[1] = char((end ? 0x80 : 0) | 10); // E, R = 0, volume 10 (-10 dBm0)
    qToBigEndian<quint16>(duration, block.data() + 2);
    return block;
}

QByteArray rtpPacket(bool marker, quint8 payloadType, quint16 sequence, quint32 timestamp, const QByteArray &payload)
{
    QByteArray header(12, '\0');
    header[0] = char(0x80); // RFC 3550 5.1: version 2, no padding, extension or CSRC
    header[1] = char((marker ? 0x80 : 0) | payloadType);
    qToBigEndian<quint16>(sequence, header.data() + 2);
    qToBigEndian<quint32>(timestamp, header.data() + 4);
    qToBigEndian<quint32>(kSsrc, header.data() + 8);
    return header + payload;
}

struct CapturedRtp {
    qint64 atUs = 0;
    QByteArray rtp;
};

// What a phone that sends every key twice puts on the wire, one RTP stream (one SSRC, one sequence
// space: RFC 4733 2.1): PCMU every 20 ms — 1 s of silence, then for each key 100 ms of its tones,
// and, with the same 20 ms pace and interleaved with that audio, its RFC 4733 event (marker on
// the first packet, the event's timestamp that of its first tone frame, durations growing by one
// frame, the end packet three times: 2.5.1.2-2.5.1.4), then silence up to a second per key; 200 ms
// of silence at the end.
QList<CapturedRtp> doubleDtmfStream(const QString &keys, qint64 startUs)
{
    QList<CapturedRtp> packets;
    quint16 sequence = 4711;
    quint32 timestamp = 160000;
    int frame = 0; // 20 ms ticks since the start
    const auto at = [&](int extraUs = 0) { return startUs + qint64(frame) * 20000 + extraUs; };
    const auto audio = [&](std::optional<char> key, int from) {
        packets << CapturedRtp {at(), rtpPacket(false, kPcmuPt, sequence++, timestamp, pcmuFrame(key, from))};
    };
    const auto event = [&](bool marker, quint32 eventTimestamp, char key, bool end, int frames) {
        // A millisecond after the frame's audio: the phone sends both each tick.
        packets << CapturedRtp {at(1000), rtpPacket(marker, kEventPt, sequence++, eventTimestamp, eventBlock(key, end, quint16(frames * kFrameSamples)))};
    };
    const auto next = [&] {
        ++frame;
        timestamp += kFrameSamples;
    };
    for (int i = 0; i < 50; ++i, next())
        audio(std::nullopt, 0);
    for (const QChar c : keys) {
        const char key = c.toLatin1();
        const quint32 eventTimestamp = timestamp;
        int block = 0;
        for (; block < kKeyFrames; ++block, next()) {
            audio(key, block * kFrameSamples);
            event(block == 0, eventTimestamp, key, false, block + 1);
        }
        for (; block < 50; ++block, next()) {
            audio(std::nullopt, 0);
            if (block < kKeyFrames + 3)
                event(false, eventTimestamp, key, true, kKeyFrames);
        }
    }
    for (int i = 0; i < 10; ++i, next())
        audio(std::nullopt, 0);
    return packets;
}

// RFC 791 3.1: the one's complement of the one's complement sum of the header's 16-bit words.
quint16 ipv4Checksum(const QByteArray &header)
{
    quint32 sum = 0;
    for (qsizetype i = 0; i + 1 < header.size(); i += 2)
        sum += qFromBigEndian<quint16>(header.constData() + i);
    while (sum >> 16)
        sum = (sum & 0xffff) + (sum >> 16);
    return quint16(~sum);
}

// A classic pcap file (microsecond timestamps, LINKTYPE_ETHERNET) of these RTP packets in
// Ethernet / IPv4 / UDP from 127.0.0.1:fromPort to 127.0.0.1:toPort. SIPp's play_pcap_audio keeps
// the RTP as it is and sends each packet to the callee's media port, as far apart as the capture's
// timestamps are.
QByteArray pcapFile(const QList<CapturedRtp> &packets, quint16 fromPort, quint16 toPort)
{
    QByteArray file;
    const auto le32 = [&file](quint32 v) {
        char b[4];
        qToLittleEndian(v, b);
        file.append(b, 4);
    };
    const auto le16 = [&file](quint16 v) {
        char b[2];
        qToLittleEndian(v, b);
        file.append(b, 2);
    };
    le32(0xa1b2c3d4);
    le16(2);
    le16(4);
    le32(0); // thiszone
    le32(0); // sigfigs
    le32(65535); // snaplen
    le32(1); // LINKTYPE_ETHERNET
    quint16 id = 1;
    for (const CapturedRtp &p : packets) {
        const QByteArray ethernet = QByteArray::fromHex("020000000002"
                                                        "020000000001"
                                                        "0800");
        QByteArray ip = QByteArray::fromHex("4500000000004000401100007f0000017f000001");
        qToBigEndian<quint16>(quint16(20 + 8 + p.rtp.size()), ip.data() + 2);
        qToBigEndian<quint16>(id++, ip.data() + 4);
        qToBigEndian<quint16>(ipv4Checksum(ip), ip.data() + 10);
        QByteArray udp(8, '\0');
        qToBigEndian<quint16>(fromPort, udp.data());
        qToBigEndian<quint16>(toPort, udp.data() + 2);
        qToBigEndian<quint16>(quint16(8 + p.rtp.size()), udp.data() + 4); // checksum 0: none (RFC 768); SIPp computes its own
        const QByteArray frame = ethernet + ip + udp + p.rtp;
        le32(quint32(p.atUs / 1000000));
        le32(quint32(p.atUs % 1000000));
        le32(quint32(frame.size()));
        le32(quint32(frame.size()));
        file += frame;
    }
    return file;
}

// SIPp's play_pcap_audio writes its own IP headers on a raw socket: root or CAP_NET_RAW.
bool rawUdpSocketAllowed()
{
    const int fd = ::socket(AF_INET, SOCK_RAW, IPPROTO_UDP);
    if (fd < 0)
        return false;
    ::close(fd);
    return true;
}

} // namespace

class TstDtmfInterop : public QObject {
    Q_OBJECT

private slots:
    void initTestCase();
    void cleanup();
    void cleanupTestCase();

    // dialscope calls dialscope.
    void everyModeArrivesAsSent_data();
    void everyModeArrivesAsSent();
    void autoFallsBackToInbandWithoutTelephoneEvent();
    void rfc4733WithoutTelephoneEventIsRefused();
    void inbandOverOpus();
    // SIPp calls dialscope.
    void bothModesAtOnceAreOneKeyPress();
    void infoBodiesAsPbxsSendThem();
    // baresip.
    void baresipReceivesDialscopeKeys_data();
    void baresipReceivesDialscopeKeys();
    void dialscopeReceivesBaresipKeys();

private:
    QStringList callArgs(const QString &target, const QStringList &extra) const;
    bool startAnswerer(const QStringList &extra, quint16 *port);
    bool finishAnswerer();
    DialscopeRun &call(const QStringList &args);
    void checkAnsweredCall(const DialscopeRun &run, const QString &expectedCodec);
    // Stops the answerer and checks it answered and heard exactly `keys`, all in `mode`.
    void checkAnswererHeard(const QString &mode, const QString &keys);
    bool startSippCaller(const QString &scenarioFile, quint16 dialscopePort, const QStringList &extra = {});
    void checkSippCompleted();
    QString details();

    std::unique_ptr<QTemporaryDir> m_tmp;
    QString m_sippBin;
    std::unique_ptr<DialscopeProcess> m_answerer; // `dialscope answer` of the current case
    std::optional<DialscopeRun> m_call; // `dialscope call` of the current case
    std::unique_ptr<PeerProcess> m_sipp;
    std::unique_ptr<BaresipPeer> m_bob;
    QString m_caseDir;
    QString m_error;
};

void TstDtmfInterop::initTestCase()
{
    QVERIFY2(QFileInfo::exists(QStringLiteral(DIALSCOPE_BIN)), "dialscope is not built at " DIALSCOPE_BIN);
    const DialscopeRun help = runDialscope({u"call"_s, u"--help"_s}, {}, 20000);
    QVERIFY2(help.out.contains("--dtmf-mode") && help.out.contains("--no-telephone-event"),
        qPrintable(u"this dialscope has no --dtmf-mode / --no-telephone-event:"_s + help.describe()));
    m_sippBin = findProgram(u"sipp"_s);
    m_tmp = std::make_unique<QTemporaryDir>(QDir::tempPath() + u"/dialscope-dtmf-XXXXXX"_s);
    QVERIFY(m_tmp->isValid());
}

void TstDtmfInterop::cleanup()
{
    if (QTest::currentTestFailed() && m_tmp) {
        m_tmp->setAutoRemove(false);
        qWarning().noquote() << details() << "\n(files kept in" << m_tmp->path() << ")";
    }
    m_bob.reset();
    m_sipp.reset();
    m_answerer.reset();
    m_call.reset();
    m_caseDir.clear();
    m_error.clear();
}

void TstDtmfInterop::cleanupTestCase() { m_tmp.reset(); }

// What went on in the failed case: the DTMF of both dialscopes first, then their whole output,
// SIPp's messages and errors, baresip's events and log.
QString TstDtmfInterop::details()
{
    QString text = m_error.isEmpty() ? QString() : u"\n"_s + m_error;
    if (m_call)
        text += dtmfSummary(u"dialscope call"_s, *m_call);
    if (m_answerer)
        text += dtmfSummary(u"dialscope answer"_s, m_answerer->run());
    if (m_call)
        text += m_call->describe();
    if (m_answerer)
        text += m_answerer->describe();
    if (m_sipp) {
        text += u"\n--- SIPp: "_s + m_sipp->commandLine() + u"\n--- screen:\n"_s + m_sipp->logTail(2000) + u"\n--- messages SIPp saw:\n"_s
            + readTextFile(m_caseDir + u"/sipp-messages.log"_s).right(8000) + u"\n--- errors:\n"_s
            + readTextFile(m_caseDir + u"/sipp-errors.log"_s).right(3000);
    }
    if (m_bob)
        text += m_bob->describe(5000);
    return text;
}

// `dialscope call TARGET` straight to the far end on loopback (no registrar), JSON events.
QStringList TstDtmfInterop::callArgs(const QString &target, const QStringList &extra) const
{
    return QStringList {u"call"_s, target, u"--bind"_s, u"127.0.0.1:0"_s, u"--json"_s, u"--timeout"_s, u"20"_s} + extra;
}

// `dialscope answer` for one call on a free port of 127.0.0.1, listening when this returns true.
bool TstDtmfInterop::startAnswerer(const QStringList &extra, quint16 *port)
{
    *port = freePort(PortKind::Udp);
    m_answerer = std::make_unique<DialscopeProcess>(
        QStringList {u"answer"_s, u"--bind"_s, u"127.0.0.1:%1"_s.arg(*port), u"--json"_s, u"--timeout"_s, u"30"_s} + extra);
    if (!m_answerer->start() || !m_answerer->waitListening(10000)) {
        m_error = u"dialscope answer is not listening"_s;
        return false;
    }
    return true;
}

// The answerer exits by itself once its call has ended (the caller hung up).
bool TstDtmfInterop::finishAnswerer()
{
    if (!m_answerer->waitFinished(15000)) {
        m_error = u"dialscope answer did not exit after the call"_s;
        return false;
    }
    return true;
}

DialscopeRun &TstDtmfInterop::call(const QStringList &args)
{
    m_call = runDialscope(args, {}, 60000);
    return *m_call;
}

// The call was answered with that codec, and dialscope's output is all JSON events.
void TstDtmfInterop::checkAnsweredCall(const DialscopeRun &run, const QString &expectedCodec)
{
    QVERIFY2(run.finished && !run.crashed, "dialscope call did not finish by itself");
    QVERIFY2(run.badLines.isEmpty(), qPrintable(run.badLines.join(u'\n')));
    QCOMPARE(run.result().value(u"outcome").toString(), u"answered"_s);
    QCOMPARE(run.result().value(u"codec").toString(), expectedCodec);
}

// SIPp plays scenarioFile once as the caller of dialscope listening on dialscopePort; its logs go
// to the case's directory, its working directory (where a scenario finds its pcap files).
bool TstDtmfInterop::startSippCaller(const QString &scenarioFile, quint16 dialscopePort, const QStringList &extra)
{
    const quint16 port = freePort(PortKind::Udp);
    const quint16 mediaPort = freeUdpPortPair(); // SIPp binds -mp and -mp + 2
    const quint16 controlPort = freePort(PortKind::Udp);
    if (port == 0 || mediaPort == 0 || controlPort == 0) {
        m_error = u"no free UDP port on 127.0.0.1"_s;
        return false;
    }
    const QStringList args = QStringList {u"127.0.0.1:%1"_s.arg(dialscopePort), u"-s"_s, u"dialscope"_s, u"-sf"_s, scenarioFile, u"-i"_s, u"127.0.0.1"_s,
                                 u"-p"_s, QString::number(port), u"-mp"_s, QString::number(mediaPort), u"-cp"_s, QString::number(controlPort), u"-m"_s, u"1"_s,
                                 u"-nostdin"_s, u"-timeout"_s, u"30"_s, u"-timeout_error"_s, u"-recv_timeout"_s, u"10000"_s, u"-trace_err"_s, u"-error_file"_s,
                                 m_caseDir + u"/sipp-errors.log"_s, u"-trace_msg"_s, u"-message_file"_s, m_caseDir + u"/sipp-messages.log"_s}
        + extra;
    m_sipp = std::make_unique<PeerProcess>(u"sipp"_s, m_caseDir + u"/sipp-screen.log"_s);
    // The caller starts calling at once: no probe could see it ready.
    if (!m_sipp->start(m_sippBin, args, m_caseDir, {})) {
        m_error = m_sipp->errorString();
        return false;
    }
    return true;
}

// SIPp ran its scenario to the end (every <recv> got the status it expects): exit status 0.
void TstDtmfInterop::checkAnswererHeard(const QString &mode, const QString &keys)
{
    QVERIFY2(finishAnswerer(), qPrintable(m_error));
    const DialscopeRun &answerer = m_answerer->run();
    QVERIFY2(answerer.badLines.isEmpty(), qPrintable(answerer.badLines.join(u'\n')));
    QCOMPARE(answerer.exitCode, 0);
    QCOMPARE(answerer.result().value(u"outcome").toString(), u"answered"_s);
    QCOMPARE(keysByMode(answerer, u"in"_s), onlyIn(mode, keys));
    QCOMPARE(answerer.result().value(u"dtmf_received").toString(), keys);
}

void TstDtmfInterop::checkSippCompleted()
{
    QVERIFY2(m_sipp->waitForExit(20000), "SIPp is still in the scenario");
    QVERIFY2(m_sipp->exitCode() == 0, qPrintable(u"SIPp exit status %1 (its call failed)"_s.arg(m_sipp->exitCode())));
}

void TstDtmfInterop::everyModeArrivesAsSent_data()
{
    QTest::addColumn<QStringList>("sendOptions"); // the caller's --dtmf-mode and friends
    QTest::addColumn<QString>("codec"); // both sides' --codecs
    QTest::addColumn<QString>("expectedCodec");
    QTest::addColumn<QString>("telephoneEvent"); // in the answer's SDP
    QTest::addColumn<QString>("expectedMode"); // what both sides report
    QTest::addColumn<QString>("keys");

    const QString pcmuEvents = u"telephone-event/8000"_s;
    QTest::newRow("rfc4733-PCMU") << QStringList {u"--dtmf-mode"_s, u"rfc4733"_s} << u"PCMU"_s << u"PCMU/8000"_s << pcmuEvents << u"rfc4733"_s << kAllKeys;
    // RFC 4733 2.1: the events of opus run at its 48 kHz clock.
    QTest::newRow("rfc4733-opus") << QStringList {u"--dtmf-mode"_s, u"rfc4733"_s} << u"opus"_s << u"opus/48000/2"_s << u"telephone-event/48000"_s
                                  << u"rfc4733"_s << kAllKeys;
    QTest::newRow("inband-PCMU") << QStringList {u"--dtmf-mode"_s, u"inband"_s} << u"PCMU"_s << u"PCMU/8000"_s << pcmuEvents << u"inband"_s << kAllKeys;
    QTest::newRow("inband-PCMA") << QStringList {u"--dtmf-mode"_s, u"inband"_s} << u"PCMA"_s << u"PCMA/8000"_s << u"telephone-event/8000"_s << u"inband"_s
                                 << kAllKeys;
    QTest::newRow("info-dtmf-relay") << QStringList {u"--dtmf-mode"_s, u"info"_s} << u"PCMU"_s << u"PCMU/8000"_s << pcmuEvents << u"info"_s << kAllKeys;
    QTest::newRow("info-dtmf") << QStringList {u"--dtmf-mode"_s, u"info"_s, u"--dtmf-info-type"_s, u"dtmf"_s} << u"PCMU"_s << u"PCMU/8000"_s << pcmuEvents
                               << u"info"_s << kAllKeys;
    // Auto is RFC 4733 when the answer has telephone-event, as dialscope's answer does.
    QTest::newRow("auto-PCMU") << QStringList {u"--dtmf-mode"_s, u"auto"_s} << u"PCMU"_s << u"PCMU/8000"_s << pcmuEvents << u"rfc4733"_s << kAllKeys;
}

// dialscope calls `dialscope answer` and sends every key in one mode: the answerer reports exactly
// those keys, in order, in that mode and in no other — in particular no in-band copy of keys sent as
// RFC 4733 events, since the events stand in for the audio while a key is down (RFC 4733 2.5.1.2).
void TstDtmfInterop::everyModeArrivesAsSent()
{
    QFETCH(QStringList, sendOptions);
    QFETCH(QString, codec);
    QFETCH(QString, expectedCodec);
    QFETCH(QString, telephoneEvent);
    QFETCH(QString, expectedMode);
    QFETCH(QString, keys);

    quint16 port = 0;
    QVERIFY2(startAnswerer({u"--codecs"_s, codec}, &port), qPrintable(m_error));
    const DialscopeRun &caller = call(callArgs(u"alice@127.0.0.1:%1"_s.arg(port), QStringList {u"--codecs"_s, codec, u"--dtmf"_s, keys} + sendOptions));
    checkAnsweredCall(caller, expectedCodec);
    if (QTest::currentTestFailed())
        return;
    QVERIFY2(answerSdp(caller).contains(telephoneEvent.toUtf8()), qPrintable(u"the answer has no "_s + telephoneEvent));

    // The caller says it sent each key once, in the mode asked for (INFO: each answered 200).
    QCOMPARE(keysByMode(caller, u"out"_s), onlyIn(expectedMode, keys));
    QCOMPARE(caller.result().value(u"dtmf_sent").toString(), keys);
    for (const QJsonObject &e : dtmfEvents(caller, u"out"_s)) {
        if (expectedMode == u"info")
            QCOMPARE(e.value(u"status").toInt(), 200);
        QCOMPARE(e.value(u"duration_ms").toInt(), 100); // the default --dtmf-duration
    }

    checkAnswererHeard(expectedMode, keys);
    if (QTest::currentTestFailed())
        return;
    const DialscopeRun &answer = m_answerer->run();
    QVERIFY2(findings(answer, isDoubleDigits).isEmpty(), "a double-digit finding, with each key sent one way only");
    // What the far end measured of each key: RFC 4733 from the events' own durations (800 units of
    // 8 kHz, or 4800 of 48 kHz, are 100 ms); INFO from the dtmf-relay body's Duration.
    for (const QJsonObject &e : dtmfEvents(answer, u"in"_s)) {
        const int ms = e.value(u"duration_ms").toInt();
        const QString what = u"key %1 received in %2 lasting %3 ms"_s.arg(e.value(u"digit").toString(), e.value(u"mode").toString()).arg(ms);
        if (expectedMode == u"rfc4733")
            QVERIFY2(ms >= 80 && ms <= 120, qPrintable(what));
        else if (expectedMode == u"info" && !sendOptions.contains(u"--dtmf-info-type"_s))
            QVERIFY2(ms == 100, qPrintable(what));
    }
}

// The answerer neither offers nor accepts telephone-event: `--dtmf-mode auto` must send the keys as
// in-band tones, and they arrive as such.
void TstDtmfInterop::autoFallsBackToInbandWithoutTelephoneEvent()
{
    const QString keys = u"159#"_s;
    quint16 port = 0;
    QVERIFY2(startAnswerer({u"--codecs"_s, u"PCMU"_s, u"--no-telephone-event"_s}, &port), qPrintable(m_error));
    const DialscopeRun &caller = call(callArgs(u"alice@127.0.0.1:%1"_s.arg(port), {u"--codecs"_s, u"PCMU"_s, u"--dtmf"_s, keys, u"--dtmf-mode"_s, u"auto"_s}));
    checkAnsweredCall(caller, u"PCMU/8000"_s);
    if (QTest::currentTestFailed())
        return;
    const QByteArray answer = answerSdp(caller);
    QVERIFY2(!answer.isEmpty() && !answer.contains("telephone-event"), qPrintable(u"--no-telephone-event answered with:\n"_s + QString::fromUtf8(answer)));
    QCOMPARE(keysByMode(caller, u"out"_s), onlyIn(u"inband"_s, keys));

    checkAnswererHeard(u"inband"_s, keys);
}

// RFC 4733 asked for, but the answer has no telephone-event: nothing is sent, and the caller says
// why in an error finding that names telephone-event.
void TstDtmfInterop::rfc4733WithoutTelephoneEventIsRefused()
{
    quint16 port = 0;
    QVERIFY2(startAnswerer({u"--codecs"_s, u"PCMU"_s, u"--no-telephone-event"_s}, &port), qPrintable(m_error));
    const DialscopeRun &caller
        = call(callArgs(u"alice@127.0.0.1:%1"_s.arg(port), {u"--codecs"_s, u"PCMU"_s, u"--dtmf"_s, u"159#"_s, u"--dtmf-mode"_s, u"rfc4733"_s}));
    checkAnsweredCall(caller, u"PCMU/8000"_s);
    if (QTest::currentTestFailed())
        return;
    const QList<QJsonObject> refused = findings(caller, [](const QJsonObject &e) {
        // The analyzer's rfc4733-refused, or the command line's own error: both must name the cause.
        const bool names = e.value(u"text").toString().contains(u"telephone-event", Qt::CaseInsensitive);
        return e.value(u"severity").toString() == u"error" && names && isFinding(e, u"rfc4733-refused"_s, [](const QString &) { return true; });
    });
    QVERIFY2(!refused.isEmpty(), "no error finding naming telephone-event");
    QCOMPARE(keysByMode(caller, u"out"_s), onlyIn(u"rfc4733"_s, {}));
    QCOMPARE(caller.result().value(u"dtmf_sent").toString(), QString());

    checkAnswererHeard(u"rfc4733"_s, {});
}

// In-band tones through opus: a codec made for speech and music, not for tones, yet at its default
// rate the keys still arrive; the analyzer warns that this is fragile, on either side.
void TstDtmfInterop::inbandOverOpus()
{
    quint16 port = 0;
    QVERIFY2(startAnswerer({u"--codecs"_s, u"opus"_s}, &port), qPrintable(m_error));
    const DialscopeRun &caller
        = call(callArgs(u"alice@127.0.0.1:%1"_s.arg(port), {u"--codecs"_s, u"opus"_s, u"--dtmf"_s, kAllKeys, u"--dtmf-mode"_s, u"inband"_s}));
    checkAnsweredCall(caller, u"opus/48000/2"_s);
    if (QTest::currentTestFailed())
        return;
    QCOMPARE(keysByMode(caller, u"out"_s), onlyIn(u"inband"_s, kAllKeys));

    checkAnswererHeard(u"inband"_s, kAllKeys);
    if (QTest::currentTestFailed())
        return;
    const DialscopeRun &answerer = m_answerer->run();
    QVERIFY2(!findings(caller, isInbandOverOpus).isEmpty() || !findings(answerer, isInbandOverOpus).isEmpty(),
        "neither side found in-band DTMF over opus worth a finding");
}

// SIPp calls `dialscope answer` and plays a capture of a phone that sends the keys 5 and 9 both as
// RFC 4733 events and as in-band tones (dtmf_both.xml). The answerer reports each key in both modes,
// counts each as one key press, and says the far end sends its keys twice.
void TstDtmfInterop::bothModesAtOnceAreOneKeyPress()
{
    if (m_sippBin.isEmpty())
        QSKIP("sipp not found: install the Debian package sip-tester");
    if (!rawUdpSocketAllowed())
        QSKIP("SIPp's play_pcap_audio needs a raw socket: run as root or with CAP_NET_RAW");
    m_caseDir = testCaseDir(m_tmp->path());
    const QString keys = u"59"_s;

    // The scenario finds its capture next to itself: a copy of it, in the case's directory.
    const QByteArray capture = pcapFile(doubleDtmfStream(keys, QDateTime::currentMSecsSinceEpoch() * 1000), 40000, 30000);
    QFile pcap(m_caseDir + u"/dtmf_both.pcap"_s);
    QVERIFY(pcap.open(QIODevice::WriteOnly) && pcap.write(capture) == capture.size());
    pcap.close();
    const QString scenarioCopy = m_caseDir + u"/dtmf_both.xml"_s;
    QVERIFY(QFile::copy(scenario(u"dtmf_both.xml"_s), scenarioCopy));

    quint16 port = 0;
    QVERIFY2(startAnswerer({u"--codecs"_s, u"PCMU"_s}, &port), qPrintable(m_error));
    QVERIFY2(startSippCaller(scenarioCopy, port), qPrintable(m_error));
    checkSippCompleted(); // and the answer kept telephone-event/101
    if (QTest::currentTestFailed())
        return;
    QVERIFY2(finishAnswerer(), qPrintable(m_error));
    const DialscopeRun &answerer = m_answerer->run();
    QVERIFY2(answerer.badLines.isEmpty(), qPrintable(answerer.badLines.join(u'\n')));
    QCOMPARE(answerer.result().value(u"outcome").toString(), u"answered"_s);

    QCOMPARE(keysByMode(answerer, u"in"_s), u"inband=%1 info=- rfc4733=%1"_s.arg(keys));
    QCOMPARE(answerer.result().value(u"dtmf_received").toString(), keys); // merged: one press each
    QVERIFY2(!findings(answerer, isDoubleDigits).isEmpty(), "no finding that the far end sends its keys both as RFC 4733 events and in-band");
    // The event packets between the tone packets are not missing audio: the 100 ms tones keep their
    // length (the jitter buffer once concealed a frame per event packet, doubling them).
    for (const QJsonObject &e : answerer.eventsOf(u"dtmf"_s))
        if (e.value(u"mode").toString() == u"inband")
            QVERIFY2(e.value(u"duration_ms").toInt() >= 80 && e.value(u"duration_ms").toInt() <= 130,
                qPrintable(u"in-band %1 lasted %2 ms"_s.arg(e.value(u"digit").toString()).arg(e.value(u"duration_ms").toInt())));
    QVERIFY(answerer.result().value(u"dtmf_findings").toInt() >= 1);
}

// SIPp calls `dialscope answer` and sends its keys in INFO bodies written the ways PBXs write them
// (dtmf_info_bodies.xml, which also checks every status). dialscope reports exactly the keys of
// the valid bodies, in order, as INFO; it answers a body that is not DTMF 415 with an Accept header,
// and a DTMF body with no such key 400.
void TstDtmfInterop::infoBodiesAsPbxsSendThem()
{
    if (m_sippBin.isEmpty())
        QSKIP("sipp not found: install the Debian package sip-tester");
    m_caseDir = testCaseDir(m_tmp->path());
    quint16 port = 0;
    QVERIFY2(startAnswerer({u"--codecs"_s, u"PCMU"_s}, &port), qPrintable(m_error));
    // The body with bare LF line ends (SIPp would write CRLF for a scenario's lines).
    QVERIFY2(startSippCaller(scenario(u"dtmf_info_bodies.xml"_s), port, {u"-key"_s, u"lf_body"_s, u"signal= 11\nduration=100"_s}), qPrintable(m_error));
    checkSippCompleted();
    if (QTest::currentTestFailed())
        return;
    QVERIFY2(finishAnswerer(), qPrintable(m_error));
    const DialscopeRun &answerer = m_answerer->run();
    QVERIFY2(answerer.badLines.isEmpty(), qPrintable(answerer.badLines.join(u'\n')));
    QCOMPARE(answerer.result().value(u"outcome").toString(), u"answered"_s);

    const QString keys = u"5#A7*9"_s;
    QCOMPARE(keysByMode(answerer, u"in"_s), onlyIn(u"info"_s, keys));
    QCOMPARE(answerer.result().value(u"dtmf_received").toString(), keys);
    // The durations the bodies gave, and none for the ones without a Duration line.
    const QList<QJsonObject> received = dtmfEvents(answerer, u"in"_s);
    QCOMPARE(received.size(), keys.size());
    QCOMPARE(received[0].value(u"duration_ms").toInt(), 160);
    QCOMPARE(received[1].value(u"duration_ms").toInt(), 100);
    QCOMPARE(received[4].value(u"duration_ms").toInt(), 250);
    QCOMPARE(received[5].value(u"duration_ms").toInt(), 100);

    // dialscope's side of the same exchange: RFC 3261 21.4.13, a 415 says what is accepted.
    QList<QByteArray> raws;
    const QStringList statuses = responsesSent(answerer, "INFO", &raws);
    QCOMPARE(statuses, (QStringList {u"200"_s, u"200"_s, u"200"_s, u"200"_s, u"200"_s, u"415"_s, u"400"_s, u"200"_s}));
    const QByteArray accept = sip::header(raws[5], "Accept");
    QVERIFY2(accept.contains("application/dtmf-relay") && accept.contains("application/dtmf"), accept.constData());
}

void TstDtmfInterop::baresipReceivesDialscopeKeys_data()
{
    QTest::addColumn<QString>("mode");
    QTest::addColumn<QString>("keys");
    QTest::newRow("rfc4733") << u"rfc4733"_s << u"123"_s;
    // baresip 1.0 takes application/dtmf-relay INFO (a body matching Signal=[0-9*#a-d]+ with a Duration).
    QTest::newRow("info") << u"info"_s << u"456"_s;
}

// dialscope calls baresip directly and sends keys; baresip reports each (ctrl_tcp's
// CALL_DTMF_START carries the key), in order, once.
void TstDtmfInterop::baresipReceivesDialscopeKeys()
{
    QFETCH(QString, mode);
    QFETCH(QString, keys);
    if (const BaresipPeer::Result installed = BaresipPeer::installed(); !installed)
        QSKIP(qPrintable(installed.error().message));
    m_caseDir = testCaseDir(m_tmp->path());
    m_bob = std::make_unique<BaresipPeer>(u"bob"_s, m_caseDir);
    BaresipOptions options;
    options.user = u"bob"_s;
    options.codec = u"PCMU"_s;
    options.autoAnswer = true;
    const BaresipPeer::Result started = m_bob->start(options);
    QVERIFY2(started, qPrintable(started ? QString() : started.error().message));

    const DialscopeRun &caller = call(callArgs(m_bob->directUri(), {u"--codecs"_s, u"PCMU"_s, u"--dtmf"_s, keys, u"--dtmf-mode"_s, mode}));
    checkAnsweredCall(caller, u"PCMU/8000"_s);
    if (QTest::currentTestFailed())
        return;
    QCOMPARE(keysByMode(caller, u"out"_s), onlyIn(mode, keys));
    for (const QJsonObject &e : dtmfEvents(caller, u"out"_s)) {
        if (mode == u"info")
            QCOMPARE(e.value(u"status").toInt(), 200);
    }

    QVERIFY2(m_bob->waitEvent(u"CALL_CLOSED"_s, 5000), qPrintable(m_bob->errorString()));
    QString heard;
    for (const QJsonObject &e : m_bob->events()) {
        if (e.value(u"type").toString() == u"CALL_DTMF_START")
            heard += e.value(u"param").toString();
    }
    QCOMPARE(heard, keys);
}

// baresip calls `dialscope answer` and sends keys with its sndcode command, which sends RFC 4733
// events (while its audio goes on, interleaved in the same RTP stream). baresip 1.0 cannot send
// DTMF in SIP INFO at all (it only receives it), so there is no INFO case this way round.
// dialscope reports exactly those keys as RFC 4733 — and no in-band copy: baresip's audio is its
// 440 Hz sine.
void TstDtmfInterop::dialscopeReceivesBaresipKeys()
{
    if (const BaresipPeer::Result installed = BaresipPeer::installed(); !installed)
        QSKIP(qPrintable(installed.error().message));
    m_caseDir = testCaseDir(m_tmp->path());
    const QString keys = u"159#"_s;
    quint16 port = 0;
    QVERIFY2(startAnswerer({u"--codecs"_s, u"PCMU"_s}, &port), qPrintable(m_error));
    m_bob = std::make_unique<BaresipPeer>(u"bob"_s, m_caseDir);
    BaresipOptions options;
    options.user = u"bob"_s;
    options.codec = u"PCMU"_s;
    const BaresipPeer::Result started = m_bob->start(options);
    QVERIFY2(started, qPrintable(started ? QString() : started.error().message));

    QVERIFY2(m_bob->dial(u"sip:alice@127.0.0.1:%1"_s.arg(port)), qPrintable(m_bob->errorString()));
    QVERIFY2(m_bob->waitEvent(u"CALL_ESTABLISHED"_s), qPrintable(m_bob->errorString()));
    // Media both ways: baresip has dialscope's RTP, so dialscope's stream runs as well.
    QVERIFY2(m_bob->waitEvent(u"CALL_RTPESTAB"_s, 5000), qPrintable(m_bob->errorString()));
    for (const QChar key : keys) {
        const auto sent = m_bob->command(u"sndcode"_s, QString(key));
        QVERIFY2(sent, qPrintable(sent ? QString() : sent.error()));
        // One key at a time, as a person presses them: the next once dialscope has this one.
        const bool arrived = m_answerer->waitFor(
            [key](const QJsonObject &e) {
                return e.value(u"event").toString() == u"dtmf" && e.value(u"dir").toString() == u"in" && e.value(u"digit").toString() == key;
            },
            5000);
        QVERIFY2(arrived, qPrintable(u"dialscope did not report key %1"_s.arg(key)));
    }
    QVERIFY2(m_bob->hangup(), qPrintable(m_bob->errorString()));
    QVERIFY2(m_bob->waitEvent(u"CALL_CLOSED"_s), qPrintable(m_bob->errorString()));

    checkAnswererHeard(u"rfc4733"_s, keys);
    if (QTest::currentTestFailed())
        return;
    const DialscopeRun &answerer = m_answerer->run();
    QVERIFY2(findings(answerer, isDoubleDigits).isEmpty(), "a double-digit finding for keys baresip sent as events only");
    // baresip keeps sending audio beside its events: on loopback neither the jitter figure nor the
    // concealment may count the events (an event keeps its start timestamp for its whole length).
    const QJsonObject rtp = answerer.result().value(u"rtp").toObject();
    QVERIFY2(rtp.value(u"jitter_ms").toDouble() < 20, qPrintable(u"jitter %1 ms"_s.arg(rtp.value(u"jitter_ms").toDouble())));
    QVERIFY2(rtp.value(u"concealed").toInteger() * 5 < rtp.value(u"decoded").toInteger(),
        qPrintable(u"%1 frames concealed, %2 decoded"_s.arg(rtp.value(u"concealed").toInteger()).arg(rtp.value(u"decoded").toInteger())));
}

QTEST_GUILESS_MAIN(TstDtmfInterop)
#include "tst_dtmf_interop.moc"
