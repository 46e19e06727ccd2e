// bench_ladder_import: imports a capture of a million SIP messages with `dialscope ladder FILE --json`, the product
// path, and reads the same file with `tshark -r FILE -Y sip` (and sngrep, when it runs headless) in the same run,
// each as a child process: wall time and peak memory side by side (ARCHITECTURE.md, Tests; issue "ladder import").
// Target: five times faster than tshark, peak memory under 1.5 times the file size. Never asserts on time: it fails
// only when a tool does not see the N messages the bench wrote, or exits with an error.
//
//   bench_ladder_import [--messages N] [--rounds R] [--seed S] [--tcp PERCENT] [--phones P] [--keep DIR]
//                       [--dialscope PATH] [--compare PATH] [--no-tshark] [--no-sngrep] [--timeout S] [--json]
//   bench_ladder_import --smoke     5,000 messages, everything once: proves the bench works (CTest bench_ladder_import_smoke)
//
// The dialscope binary: --dialscope, else $DIALSCOPE_BIN, else the one this bench was built with (measure a Release
// build). Exit status: 0 measured, 1 a count was wrong or a tool failed, 2 bad usage. tshark or sngrep missing: that
// tool is skipped with a message.
//
// The capture (deterministic: the same bytes for the same --seed, --messages, --phones and --tcp) is written with
// ds::diag::CaptureWriter as Ethernet/IPv4/UDP pcap: P phones (default 500) behind one PBX (a B2BUA, as Asterisk),
//   - calls: INVITE with SDP, 100, 407, ACK, INVITE with Proxy-Authorization, 100, 180, 200 with SDP, ACK, BYE, 200 on
//     the caller's leg and INVITE, 100, 180, 200, ACK, BYE, 200 on the callee's (its own Call-ID), about one call per
//     phone every 5 minutes, ringing 6 s and talking 60 s on average (exponential);
//   - registrations every 10 minutes: REGISTER, 401, REGISTER with Authorization, 200 (one Call-ID per phone);
//   - OPTIONS keep-alives from the PBX to every phone each minute, with the phone's 200;
//   - retransmissions: 2% of authenticated INVITEs (Timer A), 1% of 200s to INVITE (Timer G), 2% of OPTIONS (Timer E);
//   - with --tcp PERCENT, that share of the phones talks SIP over TCP (no retransmissions there).
// Call-IDs, branches and tags are unique; timestamps advance as the traffic of such an office would (about 50
// messages a second), so a million messages span about 5.5 hours.
//
// Measured, R rounds (default 3) after one untimed check pass, the order of the tools alternating each round:
//   (a) `dialscope ladder FILE --json`, stdout to a file: its result line must say "messages": N;
//   (b) `tshark -r FILE -Y sip`, stdout to /dev/null (the check pass counts its lines through a pipe: N);
//   (c) `sngrep -I FILE -N -q -l N`: reads the file headless and exits (checked in the check pass).
// Each child is started with fork + exec, its wall time is taken around it and its CPU time and peak RSS come from
// wait4's rusage (ru_maxrss). Linux carries the RSS the bench had at fork() into the child's ru_maxrss, so the bench
// keeps itself small when it spawns (the capture is streamed to disk, the in-process part runs in a child of its own)
// and reports that floor (`/bin/true` spawned the same way). Figures are medians over the rounds.
// In-process, in a forked child per round, in CPU time: CaptureReader::readFile alone (decode), decode + TraceStore,
// importCapture (decode + TraceStore + RtpTracker), LadderModel::update, building the CLI's call events (callJson per
// Call-ID); TraceStore::overheadBytes() per message, and the heap each part holds (mallinfo2, n/a under sanitizers).
// --compare PATH measures a second dialscope binary in the same rounds (before/after a change).

#include "diag/capture_import.h"
#include "diag/capture_reader.h"
#include "diag/capture_writer.h"
#include "diag/ladder_json.h"
#include "diag/ladder_model.h"
#include "diag/rtp_tracker.h"
#include "diag/trace_store.h"

#include <QByteArray>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QJsonDocument>
#include <QJsonObject>
#include <QStandardPaths>
#include <QString>
#include <QTemporaryDir>

#include <fcntl.h>
#include <malloc.h>
#include <poll.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#ifndef DIALSCOPE_BIN
#define DIALSCOPE_BIN ""
#endif

using ds::diag::CaptureAddress;
using ds::sip::TransportKind;

namespace {

using Clock = std::chrono::steady_clock;

double secondsSince(Clock::time_point t0) { return std::chrono::duration<double>(Clock::now() - t0).count(); }

double median(std::vector<double> v)
{
    if (v.empty())
        return 0;
    std::sort(v.begin(), v.end());
    const size_t n = v.size();
    return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

// ---- The capture ---------------------------------------------------------------------------------

// splitmix64: the same numbers from the same seed with every compiler and standard library.
class Rng {
public:
    explicit Rng(quint64 seed)
        : m_state(seed)
    {
    }
    static quint64 mix(quint64 z)
    {
        z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
        z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
        return z ^ (z >> 31);
    }
    quint64 next() { return mix(m_state += 0x9e3779b97f4a7c15ull); }
    quint64 below(quint64 n) { return next() % n; }
    bool chance(double p) { return unit() < p; }
    double unit() { return double(next() >> 11) * 0x1.0p-53; }
    qint64 ms(int lo, int hi) { return (lo + qint64(below(quint64(hi - lo + 1)))) * 1000; } // microseconds
    qint64 expUs(double meanS, double minS) { return qint64(std::max(minS, -std::log(1.0 - unit()) * meanS) * 1e6); }
    // A value never returned before: mix() is a bijection, so distinct counters give distinct values.
    QByteArray unique(int hexDigits = 16) { return QByteArray::number(mix(++m_unique ^ 0x5a17), 16).rightJustified(16, '0').right(hexDigits); }
    QByteArray hex(int digits)
    {
        QByteArray s;
        while (s.size() < digits)
            s += QByteArray::number(next(), 16).rightJustified(16, '0');
        return s.left(digits);
    }

private:
    quint64 m_state;
    quint64 m_unique = 0;
};

struct Phone {
    quint32 ip = 0; // host order
    quint16 port = 5060;
    int ext = 0;
    bool tcp = false;
    QByteArray userAgent, ipText, callId; // callId: of its registrations
    quint32 regCseq = 0, callCseq = 0;
};

struct CaptureFacts {
    quint64 messages = 0, bytes = 0, retransmissions = 0, tcpMessages = 0;
    quint64 callMessages = 0, registerMessages = 0, optionsMessages = 0;
    quint64 fileBytes = 0;
    double spanS = 0, seconds = 0; // capture time covered; time to write it
};

// Writes N SIP messages of an office PBX, in time order, through CaptureWriter. Scenarios put their messages into a
// time-ordered heap as they start; the heap holds only what is due in the next minutes, so memory stays small.
class CaptureGenerator {
public:
    CaptureGenerator(quint64 seed, int phones, int tcpPercent)
        : m_rng(seed)
    {
        static const char *kAgents[]
            = {"Yealink SIP-T46S 66.86.0.15", "Yealink SIP-T54W 96.86.0.100", "PolycomVVX-VVX_450-UA/6.4.3.5018", "Grandstream GXP2170 1.0.11.23",
                "Cisco-CP8841/12.8.1", "snom D785/10.1.141.13", "Zoiper rv2.10.19.5", "MicroSIP/3.21.3", "Linphone-Desktop/5.2.1 (belle-sip/5.2.94)"};
        for (int i = 0; i < phones; ++i) {
            Phone p;
            p.ip = 0x0a140000u | quint32(1 + i / 250) << 8 | quint32(2 + i % 250); // 10.20.1.2 ...
            p.ext = 1001 + i;
            p.userAgent = kAgents[m_rng.below(std::size(kAgents))];
            p.port = p.userAgent.startsWith("Zoiper") || p.userAgent.startsWith("Micro") || p.userAgent.startsWith("Linphone")
                ? quint16(40000 + m_rng.below(20000))
                : quint16(5060);
            p.tcp = int(i % 100) < tcpPercent;
            p.ipText = ipText(p.ip);
            p.callId = m_rng.unique() + "@" + p.ipText;
            p.regCseq = quint32(1 + m_rng.below(1000));
            p.callCseq = quint32(1 + m_rng.below(30000));
            m_phones.push_back(p);
        }
    }

    std::optional<CaptureFacts> write(const QString &path, quint64 messages)
    {
        const auto t0 = Clock::now();
        auto writer = ds::diag::CaptureWriter::open(path, ds::diag::CaptureWriter::Format::Pcap, ds::diag::CaptureWriter::kLinkEthernet);
        if (!writer) {
            std::fprintf(stderr, "bench_ladder_import: %s\n", qPrintable(writer.error().text));
            return std::nullopt;
        }
        // Every phone's first registration, keep-alive and call at a random phase of its period.
        for (int i = 0; i < int(m_phones.size()); ++i) {
            pushStart(kStart + qint64(m_rng.below(kRegisterEveryUs)), Kind::Register, i);
            pushStart(kStart + qint64(m_rng.below(kOptionsEveryUs)), Kind::Options, i);
            pushStart(kStart + m_rng.expUs(kCallEveryS, 0), Kind::Call, i);
        }
        qint64 last = kStart;
        while (m_facts.messages < messages && !m_heap.empty()) {
            std::pop_heap(m_heap.begin(), m_heap.end(), Later {});
            Pending p = std::move(m_heap.back());
            m_heap.pop_back();
            if (p.kind != Kind::Message) {
                start(p.kind, p.phone, p.timeUs);
                continue;
            }
            const bool tcp = p.phone >= 0 && m_phones[size_t(p.phone)].tcp;
            if (!(*writer)->writeMessage(p.timeUs, tcp ? TransportKind::Tcp : TransportKind::Udp, p.src, p.dst, p.bytes)) {
                std::fprintf(stderr, "bench_ladder_import: writing %s: %s\n", qPrintable(path), qPrintable((*writer)->errorString()));
                return std::nullopt;
            }
            ++m_facts.messages;
            m_facts.bytes += quint64(p.bytes.size());
            m_facts.tcpMessages += tcp;
            m_facts.retransmissions += p.retransmission;
            (p.scenario == Kind::Call ? m_facts.callMessages : p.scenario == Kind::Register ? m_facts.registerMessages : m_facts.optionsMessages) += 1;
            last = p.timeUs;
        }
        if (!(*writer)->flush())
            return std::nullopt;
        writer->reset();
        m_facts.fileBytes = quint64(QFileInfo(path).size());
        m_facts.spanS = double(last - kStart) / 1e6;
        m_facts.seconds = secondsSince(t0);
        return m_facts;
    }

private:
    enum class Kind { Message, Register, Options, Call };
    struct Pending {
        qint64 timeUs = 0;
        quint64 seq = 0;
        Kind kind = Kind::Message;
        Kind scenario = Kind::Call;
        int phone = -1; // the phone of the scenario (TCP or UDP is the phone's)
        bool retransmission = false;
        CaptureAddress src, dst;
        QByteArray bytes;
    };
    struct Later {
        bool operator()(const Pending &a, const Pending &b) const { return a.timeUs != b.timeUs ? a.timeUs > b.timeUs : a.seq > b.seq; }
    };
    static constexpr qint64 kStart = 1795507200LL * 1000000; // 2026-11-24 08:00:00 UTC
    static constexpr qint64 kRegisterEveryUs = 600LL * 1000000, kOptionsEveryUs = 60LL * 1000000;
    static constexpr double kCallEveryS = 300, kRingS = 6, kTalkS = 60;
    static constexpr quint32 kPbxIp = 0x0a14000a; // 10.20.0.10
    static constexpr int kPbx = -1;

    static QByteArray ipText(quint32 ip)
    {
        return QByteArray::number(ip >> 24) + '.' + QByteArray::number(ip >> 16 & 0xff) + '.' + QByteArray::number(ip >> 8 & 0xff) + '.'
            + QByteArray::number(ip & 0xff);
    }
    CaptureAddress address(int who) const
    {
        return who == kPbx ? CaptureAddress::ipv4(kPbxIp, 5060) : CaptureAddress::ipv4(m_phones[size_t(who)].ip, m_phones[size_t(who)].port);
    }
    QByteArray hostPort(int who) const
    {
        return who == kPbx ? QByteArray("10.20.0.10:5060") : m_phones[size_t(who)].ipText + ':' + QByteArray::number(m_phones[size_t(who)].port);
    }
    QByteArray transport(int phone) const { return m_phones[size_t(phone)].tcp ? "TCP" : "UDP"; }

    void pushStart(qint64 t, Kind kind, int phone)
    {
        Pending p;
        p.timeUs = t;
        p.seq = m_seq++;
        p.kind = kind;
        p.phone = phone;
        m_heap.push_back(std::move(p));
        std::push_heap(m_heap.begin(), m_heap.end(), Later {});
    }
    // A message from `from` to `to` (phone index or kPbx); `phone` is the scenario's phone on this leg.
    void push(qint64 t, Kind scenario, int phone, int from, int to, QByteArray bytes, bool retransmission = false)
    {
        Pending p;
        p.timeUs = t;
        p.seq = m_seq++;
        p.scenario = scenario;
        p.phone = phone;
        p.retransmission = retransmission;
        p.src = address(from);
        p.dst = address(to);
        p.bytes = std::move(bytes);
        m_heap.push_back(std::move(p));
        std::push_heap(m_heap.begin(), m_heap.end(), Later {});
    }

    void start(Kind kind, int phone, qint64 t)
    {
        switch (kind) {
        case Kind::Register:
            registration(phone, t);
            pushStart(t + kRegisterEveryUs + m_rng.ms(-2000, 2000), kind, phone);
            return;
        case Kind::Options:
            options(phone, t);
            pushStart(t + kOptionsEveryUs + m_rng.ms(0, 50), kind, phone);
            return;
        case Kind::Call: {
            int callee = int(m_rng.below(m_phones.size() - 1));
            callee += callee >= phone;
            call(phone, callee, t);
            pushStart(t + m_rng.expUs(kCallEveryS, 1), kind, phone);
            return;
        }
        case Kind::Message:
            return;
        }
    }

    static QByteArray finish(QByteArray head, const QByteArray &body = {}, const QByteArray &contentType = "application/sdp")
    {
        if (!body.isEmpty())
            head += "Content-Type: " + contentType + "\r\n";
        return head + "Content-Length: " + QByteArray::number(body.size()) + "\r\n\r\n" + body;
    }
    QByteArray phoneSdp(int phone)
    {
        const Phone &p = m_phones[size_t(phone)];
        const QByteArray session = QByteArray::number(m_rng.below(4000000000u));
        QByteArray s = "v=0\r\no=" + QByteArray::number(p.ext) + ' ' + session + ' ' + session + " IN IP4 " + p.ipText + "\r\ns=SDP data\r\nc=IN IP4 "
            + p.ipText + "\r\nt=0 0\r\nm=audio " + QByteArray::number(10000 + 2 * m_rng.below(10000)) + " RTP/AVP 9 0 8 18 101\r\n"
            + "a=rtpmap:9 G722/8000\r\na=rtpmap:0 PCMU/8000\r\na=rtpmap:8 PCMA/8000\r\na=rtpmap:18 G729/8000\r\na=fmtp:18 annexb=no\r\n"
            + "a=rtpmap:101 telephone-event/8000\r\na=fmtp:101 0-15\r\na=ptime:20\r\na=sendrecv\r\n";
        return s;
    }
    QByteArray pbxSdp()
    {
        const QByteArray session = QByteArray::number(m_rng.below(2000000000u));
        return "v=0\r\no=- " + session + ' ' + session + " IN IP4 10.20.0.10\r\ns=Asterisk\r\nc=IN IP4 10.20.0.10\r\nt=0 0\r\nm=audio "
            + QByteArray::number(10000 + 2 * m_rng.below(10000))
            + " RTP/AVP 9 101\r\na=rtpmap:9 G722/8000\r\na=rtpmap:101 telephone-event/8000\r\na=fmtp:101 0-16\r\na=ptime:20\r\na=maxptime:150\r\n"
              "a=sendrecv\r\n";
    }

    // One side of a dialog with the PBX: its headers, as the phone or the PBX writes them.
    struct Leg {
        int phone = 0; // the phone on this leg; the other side is the PBX
        bool phoneCalls = true; // the phone sent the INVITE (From is the phone)
        QByteArray callId, from, to, toTag; // From and To of the INVITE, with From's tag; the tag To gets
        QByteArray requestUri;
    };
    // Via of a request sent by `sender`; `response` gives the PBX's received/rport additions.
    QByteArray via(const Leg &l, int sender, const QByteArray &branch, bool response) const
    {
        if (sender == kPbx)
            return "Via: SIP/2.0/" + transport(l.phone) + " 10.20.0.10:5060;rport;branch=" + branch + "\r\n";
        const Phone &p = m_phones[size_t(l.phone)];
        return "Via: SIP/2.0/" + transport(l.phone) + ' ' + hostPort(l.phone) + ";branch=" + branch
            + (response ? ";received=" + p.ipText + ";rport=" + QByteArray::number(p.port) : QByteArray(";rport")) + "\r\n";
    }
    QByteArray request(const Leg &l, const QByteArray &method, const QByteArray &uri, bool fromCaller, const QByteArray &branch, quint32 cseq,
        const QByteArray &extra, bool withToTag = true)
    {
        const int sender = fromCaller == l.phoneCalls ? l.phone : kPbx;
        const QByteArray toTag = withToTag && !l.toTag.isEmpty() ? ";tag=" + l.toTag : QByteArray();
        QByteArray m = method + ' ' + uri + " SIP/2.0\r\n" + via(l, sender, branch, false) + "Max-Forwards: 70\r\n";
        m += fromCaller ? "From: " + l.from + "\r\nTo: " + l.to + toTag + "\r\n" : "From: " + l.to + toTag + "\r\nTo: " + l.from + "\r\n";
        m += "Call-ID: " + l.callId + "\r\nCSeq: " + QByteArray::number(cseq) + ' ' + method + "\r\n";
        if (sender == kPbx)
            m += "User-Agent: Asterisk PBX 20.5.2\r\n";
        else
            m += "User-Agent: " + m_phones[size_t(l.phone)].userAgent + "\r\n";
        return m + extra;
    }
    QByteArray response(const Leg &l, int code, const QByteArray &reason, const QByteArray &method, bool toCaller, const QByteArray &branch, quint32 cseq,
        const QByteArray &extra, bool withToTag = true)
    {
        const int sender = toCaller == l.phoneCalls ? kPbx : l.phone;
        const int receiver = sender == kPbx ? l.phone : kPbx;
        const QByteArray toTag = withToTag && !l.toTag.isEmpty() ? ";tag=" + l.toTag : QByteArray();
        QByteArray m = "SIP/2.0 " + QByteArray::number(code) + ' ' + reason + "\r\n" + via(l, receiver, branch, true);
        m += toCaller ? "From: " + l.from + "\r\nTo: " + l.to + toTag + "\r\n" : "From: " + l.to + toTag + "\r\nTo: " + l.from + "\r\n";
        m += "Call-ID: " + l.callId + "\r\nCSeq: " + QByteArray::number(cseq) + ' ' + method + "\r\n";
        m += sender == kPbx ? QByteArray("Server: Asterisk PBX 20.5.2\r\n") : "Server: " + m_phones[size_t(l.phone)].userAgent + "\r\n";
        return m + extra;
    }
    static QByteArray branch(Rng &rng) { return "z9hG4bK" + rng.unique(); }

    void registration(int phone, qint64 t)
    {
        Phone &p = m_phones[size_t(phone)];
        Leg l;
        l.phone = phone;
        l.callId = p.callId;
        l.from = "<sip:" + QByteArray::number(p.ext) + "@10.20.0.10>;tag=" + m_rng.unique(12);
        l.to = "<sip:" + QByteArray::number(p.ext) + "@10.20.0.10>";
        const QByteArray contact = "Contact: <sip:" + QByteArray::number(p.ext) + '@' + hostPort(phone) + (p.tcp ? ";transport=tcp" : "") + ">\r\n";
        const QByteArray nonce = m_rng.hex(32), b1 = branch(m_rng), b2 = branch(m_rng);
        const QByteArray common = contact + "Expires: 600\r\nAllow: INVITE, ACK, CANCEL, BYE, NOTIFY, REFER, OPTIONS, INFO, SUBSCRIBE, UPDATE\r\n";
        const quint32 cseq = p.regCseq++;
        ++p.regCseq;
        const qint64 rtt = m_rng.ms(2, 30);
        push(t, Kind::Register, phone, phone, kPbx, finish(request(l, "REGISTER", "sip:10.20.0.10", true, b1, cseq, common)));
        l.toTag = m_rng.unique(12);
        push(t + 800, Kind::Register, phone, kPbx, phone,
            finish(response(l, 401, "Unauthorized", "REGISTER", true, b1, cseq,
                "WWW-Authenticate: Digest realm=\"asterisk\",nonce=\"" + QByteArray::number(t / 1000000) + '/' + nonce + "\",opaque=\"" + m_rng.hex(16)
                    + "\",algorithm=md5,qop=\"auth\"\r\n")));
        const QByteArray auth = "Authorization: Digest username=\"" + QByteArray::number(p.ext) + "\",realm=\"asterisk\",nonce=\""
            + QByteArray::number(t / 1000000) + '/' + nonce + "\",uri=\"sip:10.20.0.10\",response=\"" + m_rng.hex(32) + "\",algorithm=MD5,cnonce=\""
            + m_rng.hex(8) + "\",qop=auth,nc=00000001\r\n";
        const QByteArray tag = l.toTag;
        l.toTag.clear();
        push(t + rtt, Kind::Register, phone, phone, kPbx, finish(request(l, "REGISTER", "sip:10.20.0.10", true, b2, cseq + 1, common + auth)));
        l.toTag = tag + "a";
        push(t + rtt + 900, Kind::Register, phone, kPbx, phone,
            finish(response(l, 200, "OK", "REGISTER", true, b2, cseq + 1,
                "Contact: <sip:" + QByteArray::number(p.ext) + '@' + hostPort(phone) + (p.tcp ? ";transport=tcp" : "")
                    + ">;expires=600\r\nDate: Tue, 24 Nov 2026 08:00:00 GMT\r\n")));
    }

    void options(int phone, qint64 t)
    {
        Leg l;
        l.phone = phone;
        l.phoneCalls = false;
        l.callId = m_rng.unique(32);
        l.from = "<sip:asterisk@10.20.0.10>;tag=" + m_rng.unique(12);
        l.to = "<sip:" + QByteArray::number(m_phones[size_t(phone)].ext) + '@' + hostPort(phone) + '>';
        const QByteArray b = branch(m_rng);
        const quint32 cseq = quint32(1 + m_rng.below(60000));
        const QByteArray uri = "sip:" + QByteArray::number(m_phones[size_t(phone)].ext) + '@' + hostPort(phone);
        const QByteArray msg = finish(request(l, "OPTIONS", uri, true, b, cseq, "Contact: <sip:asterisk@10.20.0.10:5060>\r\nAccept: application/sdp\r\n"));
        push(t, Kind::Options, phone, kPbx, phone, msg);
        qint64 at = t + m_rng.ms(2, 30);
        if (!m_phones[size_t(phone)].tcp && m_rng.chance(0.02)) { // RFC 3261 17.1.2.2 Timer E: the first answer was lost
            push(t + 500000, Kind::Options, phone, kPbx, phone, msg, true);
            at += 500000;
        }
        l.toTag = m_rng.unique(12);
        push(at, Kind::Options, phone, phone, kPbx,
            finish(response(l, 200, "OK", "OPTIONS", true, b, cseq,
                "Contact: <sip:" + QByteArray::number(m_phones[size_t(phone)].ext) + '@' + hostPort(phone)
                    + ">\r\nAllow: INVITE, ACK, CANCEL, BYE, NOTIFY, REFER, OPTIONS, INFO, SUBSCRIBE, UPDATE\r\nAccept: application/sdp\r\n"
                      "Supported: replaces, timer\r\n")));
    }

    void call(int caller, int callee, qint64 t)
    {
        Phone &a = m_phones[size_t(caller)];
        const QByteArray aExt = QByteArray::number(a.ext), bExt = QByteArray::number(m_phones[size_t(callee)].ext);
        const QByteArray allow = "Allow: INVITE, ACK, CANCEL, BYE, NOTIFY, REFER, OPTIONS, INFO, SUBSCRIBE, UPDATE, PRACK, MESSAGE\r\n";
        const QByteArray pbxContact = "Contact: <sip:10.20.0.10:5060>\r\n";
        const qint64 rttA = m_rng.ms(2, 30), rttB = m_rng.ms(2, 30);

        // The caller's leg.
        Leg A;
        A.phone = caller;
        A.callId = m_rng.unique() + "@" + a.ipText;
        A.from = "\"Ext " + aExt + "\" <sip:" + aExt + "@10.20.0.10>;tag=" + m_rng.unique(12);
        A.to = "<sip:" + bExt + "@10.20.0.10>";
        const QByteArray aUri = "sip:" + bExt + "@10.20.0.10";
        const QByteArray aContact = "Contact: <sip:" + aExt + '@' + hostPort(caller) + (a.tcp ? ";transport=tcp" : "") + ">\r\n";
        const QByteArray offer = phoneSdp(caller);
        const QByteArray inviteHeaders = aContact + allow + "Supported: replaces, timer, 100rel\r\nSession-Expires: 1800\r\nMin-SE: 90\r\n";
        const quint32 c = a.callCseq;
        a.callCseq += 3;
        const QByteArray b1 = branch(m_rng), b2 = branch(m_rng);
        qint64 at = t;
        push(at, Kind::Call, caller, caller, kPbx, finish(request(A, "INVITE", aUri, true, b1, c, inviteHeaders), offer));
        push(at += 400, Kind::Call, caller, kPbx, caller, finish(response(A, 100, "Trying", "INVITE", true, b1, c, {}, false)));
        A.toTag = m_rng.unique(12);
        const QByteArray nonce = m_rng.hex(32);
        push(at += 600, Kind::Call, caller, kPbx, caller,
            finish(response(A, 407, "Proxy Authentication Required", "INVITE", true, b1, c,
                allow + "Proxy-Authenticate: Digest realm=\"asterisk\",nonce=\"" + QByteArray::number(t / 1000000) + '/' + nonce + "\",opaque=\""
                    + m_rng.hex(16) + "\",algorithm=md5,qop=\"auth\"\r\n")));
        push(at += rttA, Kind::Call, caller, caller, kPbx, finish(request(A, "ACK", aUri, true, b1, c, {})));
        const QByteArray auth = "Proxy-Authorization: Digest username=\"" + aExt + "\",realm=\"asterisk\",nonce=\"" + QByteArray::number(t / 1000000) + '/'
            + nonce + "\",uri=\"" + aUri + "\",response=\"" + m_rng.hex(32) + "\",algorithm=MD5,cnonce=\"" + m_rng.hex(8) + "\",opaque=\"" + m_rng.hex(16)
            + "\",qop=auth,nc=00000001\r\n";
        const QByteArray tag407 = A.toTag;
        A.toTag.clear();
        const QByteArray invite2 = finish(request(A, "INVITE", aUri, true, b2, c + 1, inviteHeaders + auth), offer);
        push(at += 5000, Kind::Call, caller, caller, kPbx, invite2);
        if (!a.tcp && m_rng.chance(0.02)) // RFC 3261 17.1.1.2 Timer A: the 100 Trying was lost
            push(at += 500000, Kind::Call, caller, caller, kPbx, invite2, true);
        push(at += 500, Kind::Call, caller, kPbx, caller, finish(response(A, 100, "Trying", "INVITE", true, b2, c + 1, {}, false)));

        // The callee's leg: the PBX calls it with a Call-ID of its own.
        Leg B;
        B.phone = callee;
        B.phoneCalls = false;
        B.callId = m_rng.unique(8) + '-' + m_rng.unique(4) + '-' + m_rng.unique(4) + '-' + m_rng.unique(4) + '-' + m_rng.unique(12);
        B.from = "\"Ext " + aExt + "\" <sip:" + aExt + "@10.20.0.10>;tag=" + m_rng.unique(12);
        B.to = "<sip:" + bExt + '@' + hostPort(callee) + '>';
        const Phone &b = m_phones[size_t(callee)];
        const QByteArray bUri = "sip:" + bExt + '@' + hostPort(callee) + (b.tcp ? ";transport=tcp" : "");
        const QByteArray bContact = "Contact: <sip:" + bExt + '@' + hostPort(callee) + (b.tcp ? ";transport=tcp" : "") + ">\r\n";
        const QByteArray b3 = branch(m_rng), b4 = branch(m_rng);
        const quint32 cb = quint32(1 + m_rng.below(30000));
        push(at += 1200, Kind::Call, callee, kPbx, callee,
            finish(request(B, "INVITE", bUri, true, b3, cb, pbxContact + allow + "Supported: 100rel, timer, replaces, norefersub\r\n"), pbxSdp()));
        qint64 bt = at + rttB;
        push(bt, Kind::Call, callee, callee, kPbx, finish(response(B, 100, "Trying", "INVITE", true, b3, cb, {}, false)));
        B.toTag = m_rng.unique(12);
        push(bt += m_rng.ms(50, 300), Kind::Call, callee, callee, kPbx, finish(response(B, 180, "Ringing", "INVITE", true, b3, cb, bContact + allow)));
        A.toTag = tag407 + "b";
        push(bt += 700, Kind::Call, caller, kPbx, caller, finish(response(A, 180, "Ringing", "INVITE", true, b2, c + 1, pbxContact + allow)));
        push(bt += m_rng.expUs(kRingS, 1), Kind::Call, callee, callee, kPbx,
            finish(response(B, 200, "OK", "INVITE", true, b3, cb, bContact + allow + "Supported: replaces, timer\r\n"), phoneSdp(callee)));
        push(bt += 600, Kind::Call, callee, kPbx, callee, finish(request(B, "ACK", bUri, true, b4, cb, {})));
        const QByteArray ok = finish(response(A, 200, "OK", "INVITE", true, b2, c + 1, pbxContact + allow + "Supported: replaces, timer\r\n"), pbxSdp());
        push(bt += 700, Kind::Call, caller, kPbx, caller, ok);
        if (!a.tcp && m_rng.chance(0.01)) // RFC 3261 13.3.1.4: the 2xx again until the ACK comes
            push(bt += 500000, Kind::Call, caller, kPbx, caller, ok, true);
        push(bt += rttA, Kind::Call, caller, caller, kPbx, finish(request(A, "ACK", "sip:10.20.0.10:5060", true, branch(m_rng), c + 1, {})));

        // Someone hangs up; the PBX passes the BYE to the other leg.
        bt += m_rng.expUs(kTalkS, 2);
        const QByteArray b5 = branch(m_rng), b6 = branch(m_rng);
        const quint32 pbxCseqA = quint32(1 + m_rng.below(30000));
        if (m_rng.chance(0.5)) {
            push(bt, Kind::Call, caller, caller, kPbx, finish(request(A, "BYE", "sip:10.20.0.10:5060", true, b5, c + 2, {})));
            push(bt += 700, Kind::Call, caller, kPbx, caller, finish(response(A, 200, "OK", "BYE", true, b5, c + 2, {})));
            push(bt += 300, Kind::Call, callee, kPbx, callee, finish(request(B, "BYE", bUri, true, b6, cb + 1, {})));
            push(bt + rttB, Kind::Call, callee, callee, kPbx, finish(response(B, 200, "OK", "BYE", true, b6, cb + 1, {})));
        } else {
            const quint32 byeCseq = quint32(1 + m_rng.below(30000));
            push(bt, Kind::Call, callee, callee, kPbx, finish(request(B, "BYE", "sip:10.20.0.10:5060", false, b6, byeCseq, {})));
            push(bt += 700, Kind::Call, callee, kPbx, callee, finish(response(B, 200, "OK", "BYE", false, b6, byeCseq, {})));
            push(bt += 300, Kind::Call, caller, kPbx, caller, finish(request(A, "BYE", "sip:" + aExt + '@' + hostPort(caller), false, b5, pbxCseqA, {})));
            push(bt + rttA, Kind::Call, caller, caller, kPbx, finish(response(A, 200, "OK", "BYE", false, b5, pbxCseqA, {})));
        }
    }

    Rng m_rng;
    std::vector<Phone> m_phones;
    std::vector<Pending> m_heap;
    quint64 m_seq = 0;
    CaptureFacts m_facts;
};

// ---- Child processes -----------------------------------------------------------------------------

struct Run {
    bool started = false, timedOut = false;
    int status = -1; // as from wait4
    double wallS = 0, userS = 0, sysS = 0;
    quint64 maxRssBytes = 0;
    quint64 lines = 0; // newlines on stdout, when counted
    QByteArray output; // stdout, when captured through the pipe
    bool ok() const { return started && !timedOut && WIFEXITED(status) && WEXITSTATUS(status) == 0; }
    QString why() const
    {
        if (!started)
            return QStringLiteral("could not start");
        if (timedOut)
            return QStringLiteral("timed out");
        if (WIFSIGNALED(status))
            return QStringLiteral("killed by signal %1").arg(WTERMSIG(status));
        return QStringLiteral("exit status %1").arg(WEXITSTATUS(status));
    }
};

enum class Stdout { DevNull, File, CountLines, Capture };

// Runs argv with fork + exec (never posix_spawn: its CLONE_VM child would inherit this process's peak RSS as its own),
// stdout as asked and stderr into errPath, and waits at most timeoutS.
Run spawn(const std::vector<QByteArray> &args, Stdout out, const QString &outPath, const QString &errPath, double timeoutS)
{
    Run run;
    std::vector<char *> argv;
    for (const QByteArray &a : args)
        argv.push_back(const_cast<char *>(a.constData()));
    argv.push_back(nullptr);
    const QByteArray outFile = QFile::encodeName(out == Stdout::File ? outPath : QStringLiteral("/dev/null"));
    const QByteArray errFile = QFile::encodeName(errPath);
    int pipeFds[2] = {-1, -1};
    const bool piped = out == Stdout::CountLines || out == Stdout::Capture;
    if (piped && ::pipe2(pipeFds, O_CLOEXEC) != 0)
        return run;
    std::fflush(stdout);
    std::fflush(stderr);
    const auto t0 = Clock::now();
    const pid_t pid = ::fork();
    if (pid == 0) {
        const int o = piped ? pipeFds[1] : ::open(outFile.constData(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
        const int e = ::open(errFile.constData(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
        const int in = ::open("/dev/null", O_RDONLY);
        if (o < 0 || e < 0 || in < 0 || ::dup2(in, 0) < 0 || ::dup2(o, 1) < 0 || ::dup2(e, 2) < 0)
            ::_exit(127);
        ::execvp(argv[0], argv.data());
        ::_exit(127);
    }
    if (pid < 0)
        return run;
    run.started = true;
    const auto deadline = t0 + std::chrono::milliseconds(qint64(timeoutS * 1000));
    const auto msLeft = [&] { return int(std::max<qint64>(0, std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count())); };
    if (piped) {
        ::close(pipeFds[1]);
        char buffer[1 << 16];
        for (;;) {
            pollfd p {pipeFds[0], POLLIN, 0};
            if (::poll(&p, 1, msLeft()) <= 0) {
                run.timedOut = true;
                break;
            }
            const ssize_t n = ::read(pipeFds[0], buffer, sizeof buffer);
            if (n <= 0)
                break;
            run.lines += quint64(std::count(buffer, buffer + n, '\n'));
            if (out == Stdout::Capture)
                run.output.append(buffer, n);
        }
        ::close(pipeFds[0]);
    }
    // Wait for the exit with a deadline: a pidfd polls readable when the process ends (Linux 5.3).
    const int pidfd = int(::syscall(SYS_pidfd_open, pid, 0));
    if (!run.timedOut && pidfd >= 0) {
        pollfd p {pidfd, POLLIN, 0};
        run.timedOut = ::poll(&p, 1, msLeft()) == 0;
    }
    if (pidfd >= 0)
        ::close(pidfd);
    if (run.timedOut)
        ::kill(pid, SIGKILL);
    rusage usage {};
    ::wait4(pid, &run.status, 0, &usage);
    run.wallS = secondsSince(t0);
    run.userS = double(usage.ru_utime.tv_sec) + double(usage.ru_utime.tv_usec) / 1e6;
    run.sysS = double(usage.ru_stime.tv_sec) + double(usage.ru_stime.tv_usec) / 1e6;
    run.maxRssBytes = quint64(usage.ru_maxrss) * 1024; // Linux: kilobytes
    return run;
}

// ---- In-process figures (in a forked child, so that this process stays small) -------------------

quint64 statusKb(const char *field)
{
    QFile f(QStringLiteral("/proc/self/status"));
    if (!f.open(QIODevice::ReadOnly))
        return 0;
    for (const QByteArray &line : f.readAll().split('\n'))
        if (line.startsWith(field))
            return line.mid(qsizetype(std::strlen(field)) + 1).trimmed().split(' ').value(0).toULongLong();
    return 0;
}

// Wall and CPU time of a phase; on a shared machine the CPU time of this single-threaded process is the steadier one.
class Stopwatch {
public:
    void put(QJsonObject &o, const QString &phase) const
    {
        o[phase + QStringLiteral("_s")] = secondsSince(m_wall);
        o[phase + QStringLiteral("_cpu_s")] = cpuSeconds() - m_cpu;
    }
    static double cpuSeconds()
    {
        timespec ts {};
        ::clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
        return double(ts.tv_sec) + double(ts.tv_nsec) / 1e9;
    }

private:
    Clock::time_point m_wall = Clock::now();
    double m_cpu = cpuSeconds();
};

// Bytes the heap holds for the program (glibc: allocated chunks plus mmapped blocks); differences between two points are
// what was built in between, whatever malloc keeps around for reuse.
qint64 heapBytes()
{
    const struct mallinfo2 m = ::mallinfo2();
    return qint64(m.uordblks + m.hblkhd);
}

QJsonObject measureInProcess(const QString &path)
{
    using namespace ds::diag;
    QJsonObject o;
    const auto fail = [&o](const QString &error) {
        o[QStringLiteral("error")] = error;
        return o;
    };
    // Decoding alone: libpcap, Ethernet/IP/UDP, the copy of each message out of the frame.
    std::optional<Stopwatch> t(std::in_place);
    quint64 decoded = 0;
    const auto counts = CaptureReader::readFile(path, [&decoded](CapturedSip &&) { ++decoded; });
    t->put(o, QStringLiteral("decode"));
    if (!counts)
        return fail(counts.error().text);
    // The TraceStore alone (no RTP tracker): decode + index.
    qint64 heap0 = heapBytes();
    {
        TraceStore store;
        t.emplace();
        const auto read = CaptureReader::readFile(path, [&store](CapturedSip &&m) { store.append(m.timeUs, m.transport, m.src, m.dst, m.raw, m.lastFrame); });
        t->put(o, QStringLiteral("store_only"));
        if (!read)
            return fail(read.error().text);
        o[QStringLiteral("store_heap_bytes")] = heapBytes() - heap0;
    }
    // importCapture as the CLI calls it: decode + TraceStore + RtpTracker (SDP of every message that has one).
    heap0 = heapBytes();
    const quint64 rss0 = statusKb("VmRSS:");
    TraceStore store;
    RtpTracker rtp;
    t.emplace();
    const auto imported = importCapture(path, store, rtp);
    t->put(o, QStringLiteral("import"));
    if (!imported)
        return fail(imported.error().text);
    const qint64 heap1 = heapBytes();
    const quint64 rss1 = statusKb("VmRSS:");
    o[QStringLiteral("import_heap_bytes")] = heap1 - heap0;
    o[QStringLiteral("import_rss_bytes")] = qint64((rss1 - std::min(rss0, rss1)) * 1024);
    t.emplace();
    LadderModel model(store, &rtp);
    model.update();
    t->put(o, QStringLiteral("update"));
    o[QStringLiteral("model_heap_bytes")] = heapBytes() - heap1;
    // What `dialscope ladder --json` prints: a call event per Call-ID, in order of appearance.
    t.emplace();
    std::vector<bool> seen(store.callCount(), false);
    quint64 jsonBytes = 0, calls = 0;
    for (const quint32 m : model.rows()) {
        const quint32 c = store.record(m).call;
        if (!seen[c]) {
            seen[c] = true;
            ++calls;
            jsonBytes += quint64(QJsonDocument(callJson(model, c)).toJson(QJsonDocument::Compact).size()) + 1;
        }
    }
    t->put(o, QStringLiteral("call_events"));
    o[QStringLiteral("decoded")] = qint64(decoded);
    o[QStringLiteral("messages")] = qint64(store.size());
    o[QStringLiteral("rows")] = model.rowCount();
    o[QStringLiteral("call_ids")] = qint64(calls);
    o[QStringLiteral("endpoints")] = qint64(store.endpointCount());
    o[QStringLiteral("call_events_bytes")] = qint64(jsonBytes);
    o[QStringLiteral("raw_bytes")] = qint64(store.rawBytes());
    o[QStringLiteral("overhead_bytes")] = qint64(store.overheadBytes());
    return o;
}

std::optional<QJsonObject> inProcess(const QString &path, double timeoutS, quint64 &maxRssBytes)
{
    int fds[2];
    if (::pipe2(fds, O_CLOEXEC) != 0)
        return std::nullopt;
    std::fflush(stdout);
    std::fflush(stderr);
    const pid_t pid = ::fork();
    if (pid == 0) {
        ::close(fds[0]);
        const QByteArray line = QJsonDocument(measureInProcess(path)).toJson(QJsonDocument::Compact);
        const bool written = ::write(fds[1], line.constData(), size_t(line.size())) == line.size();
        ::_exit(written ? 0 : 1);
    }
    ::close(fds[1]);
    if (pid < 0) {
        ::close(fds[0]);
        return std::nullopt;
    }
    QByteArray line;
    char buffer[4096];
    const auto t0 = Clock::now();
    for (;;) {
        pollfd p {fds[0], POLLIN, 0};
        const int left = int(std::max(0.0, timeoutS - secondsSince(t0)) * 1000);
        if (::poll(&p, 1, left) <= 0) {
            ::kill(pid, SIGKILL);
            break;
        }
        const ssize_t n = ::read(fds[0], buffer, sizeof buffer);
        if (n <= 0)
            break;
        line.append(buffer, n);
    }
    ::close(fds[0]);
    rusage usage {};
    int status = 0;
    ::wait4(pid, &status, 0, &usage);
    maxRssBytes = quint64(usage.ru_maxrss) * 1024;
    const QJsonDocument doc = QJsonDocument::fromJson(line);
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0 || !doc.isObject())
        return std::nullopt;
    return doc.object();
}

// ---- The bench -----------------------------------------------------------------------------------

struct Options {
    quint64 messages = 1'000'000;
    int rounds = 3;
    quint64 seed = 1;
    int phones = 500;
    int tcpPercent = 0;
    double timeoutS = 900;
    QString keep, dialscope, compare; // compare: a second dialscope binary measured in the same rounds (before/after a change)
    bool tshark = true, sngrep = true, json = false, smoke = false;
};

struct Tool {
    QString name;
    std::vector<QByteArray> args;
    std::vector<Run> runs; // the timed rounds
    double wall() const { return median(pick(&Run::wallS)); }
    double cpu() const
    {
        std::vector<double> v;
        for (const Run &r : runs)
            v.push_back(r.userS + r.sysS);
        return median(v);
    }
    double rss() const
    {
        std::vector<double> v;
        for (const Run &r : runs)
            v.push_back(double(r.maxRssBytes));
        return median(v);
    }
    std::vector<double> pick(double Run::*field) const
    {
        std::vector<double> v;
        for (const Run &r : runs)
            v.push_back(r.*field);
        return v;
    }
};

// Prints only without --json; progress and failures go to stderr in both modes.
class Output {
public:
    explicit Output(bool json)
        : m_json(json)
    {
    }
    template <typename... A> void text(const char *format, A... args)
    {
        if (!m_json) {
            std::printf(format, args...);
            std::fflush(stdout);
        }
    }
    void json(const QJsonObject &o) { m_lines << QJsonDocument(o).toJson(QJsonDocument::Compact); }
    void flushJson()
    {
        for (const QByteArray &l : std::as_const(m_lines))
            std::printf("%s\n", l.constData());
    }

private:
    bool m_json;
    QList<QByteArray> m_lines;
};

double mb(double bytes) { return bytes / 1e6; }

// The "messages" of dialscope's result line, or -1.
qint64 resultMessages(const QString &outPath, QString &outcome)
{
    QFile f(outPath);
    if (!f.open(QIODevice::ReadOnly))
        return -1;
    const QList<QByteArray> lines = f.readAll().trimmed().split('\n');
    const QJsonObject last = QJsonDocument::fromJson(lines.value(lines.size() - 1)).object();
    if (last.value(QStringLiteral("event")).toString() != QLatin1String("result"))
        return -1;
    outcome = last.value(QStringLiteral("outcome")).toString();
    return last.value(QStringLiteral("messages")).toInteger(-1);
}

int usage()
{
    std::fprintf(stderr,
        "usage: bench_ladder_import [--messages N] [--rounds R] [--seed S] [--phones P] [--tcp PERCENT] [--keep DIR] [--dialscope PATH]\n"
        "                           [--compare PATH] [--no-tshark] [--no-sngrep] [--timeout S] [--json] [--smoke]\n");
    return 2;
}

std::optional<Options> parseOptions(int argc, char **argv)
{
    Options o;
    o.dialscope = qEnvironmentVariable("DIALSCOPE_BIN", QStringLiteral(DIALSCOPE_BIN));
    bool messagesSet = false;
    for (int i = 1; i < argc; ++i) {
        const std::string a = argv[i];
        const char *v = i + 1 < argc ? argv[i + 1] : nullptr;
        const auto number = [&](double min) -> std::optional<double> {
            if (!v)
                return std::nullopt;
            char *end = nullptr;
            const double x = std::strtod(argv[++i], &end);
            return *end || x < min ? std::nullopt : std::optional(x);
        };
        if (a == "--smoke") {
            o.smoke = true;
        } else if (a == "--json") {
            o.json = true;
        } else if (a == "--no-tshark") {
            o.tshark = false;
        } else if (a == "--no-sngrep") {
            o.sngrep = false;
        } else if (a == "--keep" || a == "--dialscope" || a == "--compare") {
            if (!v)
                return std::nullopt;
            (a == "--keep" ? o.keep : a == "--dialscope" ? o.dialscope : o.compare) = QString::fromLocal8Bit(argv[++i]);
        } else if (a == "--messages" || a == "--rounds" || a == "--seed" || a == "--phones" || a == "--tcp" || a == "--timeout") {
            const auto x = number(a == "--seed" || a == "--tcp" ? 0 : a == "--phones" ? 2 : 1);
            if (!x || (a == "--tcp" && *x > 100))
                return std::nullopt;
            if (a == "--messages")
                o.messages = quint64(*x), messagesSet = true;
            else if (a == "--rounds")
                o.rounds = int(*x);
            else if (a == "--seed")
                o.seed = quint64(*x);
            else if (a == "--phones")
                o.phones = int(*x);
            else if (a == "--tcp")
                o.tcpPercent = int(*x);
            else
                o.timeoutS = *x;
        } else {
            return std::nullopt;
        }
    }
    if (o.smoke) {
        o.messages = messagesSet ? o.messages : 5000;
        o.rounds = 1;
        o.timeoutS = std::min(o.timeoutS, 120.0);
    }
    return o;
}

} // namespace

int main(int argc, char **argv)
{
    const auto parsed = parseOptions(argc, argv);
    if (!parsed)
        return usage();
    const Options o = *parsed;
    Output out(o.json);
    const quint64 n = o.messages;

    // The capture.
    std::unique_ptr<QTemporaryDir> tmp;
    QString dir = o.keep;
    if (dir.isEmpty()) {
        tmp = std::make_unique<QTemporaryDir>(QDir::tempPath() + QStringLiteral("/dialscope-bench-ladder-XXXXXX"));
        if (!tmp->isValid()) {
            std::fprintf(stderr, "bench_ladder_import: cannot create a temporary directory\n");
            return 1;
        }
        dir = tmp->path();
    } else if (!QDir().mkpath(dir)) {
        std::fprintf(stderr, "bench_ladder_import: cannot create %s\n", qPrintable(dir));
        return 1;
    }
    const QString capture = QDir(dir).filePath(
        QStringLiteral("ladder-%1-seed%2%3.pcap").arg(n).arg(o.seed).arg(o.tcpPercent ? QStringLiteral("-tcp%1").arg(o.tcpPercent) : QString()));
    std::fprintf(stderr, "bench_ladder_import: writing %llu SIP messages to %s\n", static_cast<unsigned long long>(n), qPrintable(capture));
    std::optional<CaptureFacts> facts;
    {
        CaptureGenerator generator(o.seed, o.phones, o.tcpPercent);
        facts = generator.write(capture, n);
    }
    if (!facts || facts->messages != n) {
        std::fprintf(stderr, "bench_ladder_import: could not write the capture\n");
        return 1;
    }
    const double fileBytes = double(facts->fileBytes);
    out.text("Ladder import: %llu SIP messages (calls %.0f%%, registrations %.0f%%, OPTIONS %.0f%%; %llu retransmissions, %llu over TCP), "
             "%d phones, seed %llu\n",
        static_cast<unsigned long long>(n), 100.0 * double(facts->callMessages) / double(n), 100.0 * double(facts->registerMessages) / double(n),
        100.0 * double(facts->optionsMessages) / double(n), static_cast<unsigned long long>(facts->retransmissions),
        static_cast<unsigned long long>(facts->tcpMessages), o.phones, static_cast<unsigned long long>(o.seed));
    out.text("capture: %s, %.1f MB (%.0f bytes of SIP per message on average), %.1f hours of traffic, written in %.1f s%s\n", qPrintable(capture),
        mb(fileBytes), double(facts->bytes) / double(n), facts->spanS / 3600, facts->seconds, o.smoke ? " (smoke run: figures are meaningless)" : "");
    out.json({{QStringLiteral("bench"), QStringLiteral("ladder_import")}, {QStringLiteral("result"), QStringLiteral("capture")},
        {QStringLiteral("messages"), qint64(n)}, {QStringLiteral("file_bytes"), qint64(facts->fileBytes)}, {QStringLiteral("sip_bytes"), qint64(facts->bytes)},
        {QStringLiteral("call_messages"), qint64(facts->callMessages)}, {QStringLiteral("register_messages"), qint64(facts->registerMessages)},
        {QStringLiteral("options_messages"), qint64(facts->optionsMessages)}, {QStringLiteral("retransmissions"), qint64(facts->retransmissions)},
        {QStringLiteral("tcp_messages"), qint64(facts->tcpMessages)}, {QStringLiteral("phones"), o.phones}, {QStringLiteral("seed"), qint64(o.seed)},
        {QStringLiteral("span_s"), facts->spanS}, {QStringLiteral("smoke"), o.smoke}});

    // The tools.
    const QString errPath = QDir(dir).filePath(QStringLiteral("stderr.txt"));
    const QString dsOut = QDir(dir).filePath(QStringLiteral("dialscope.out"));
    const QByteArray file = QFile::encodeName(capture);
    if (o.dialscope.isEmpty() || !QFileInfo(o.dialscope).isExecutable()) {
        std::fprintf(stderr, "bench_ladder_import: no dialscope binary at \"%s\" (--dialscope or $DIALSCOPE_BIN)\n", qPrintable(o.dialscope));
        return 1;
    }
    std::vector<Tool> tools;
    tools.push_back({QStringLiteral("dialscope"), {QFile::encodeName(o.dialscope), "ladder", file, "--json"}, {}});
    if (!o.compare.isEmpty()) {
        if (!QFileInfo(o.compare).isExecutable()) {
            std::fprintf(stderr, "bench_ladder_import: no dialscope binary at \"%s\" (--compare)\n", qPrintable(o.compare));
            return 1;
        }
        tools.push_back({QStringLiteral("dialscope-b"), {QFile::encodeName(o.compare), "ladder", file, "--json"}, {}});
    }
    const QString tshark = o.tshark ? QStandardPaths::findExecutable(QStringLiteral("tshark")) : QString();
    if (o.tshark && tshark.isEmpty())
        std::fprintf(stderr, "bench_ladder_import: tshark is not installed: skipping it (apt-get install tshark)\n");
    if (!tshark.isEmpty())
        tools.push_back({QStringLiteral("tshark"), {QFile::encodeName(tshark), "-r", file, "-Y", "sip"}, {}});
    const QString sngrep = o.sngrep ? QStandardPaths::findExecutable(QStringLiteral("sngrep")) : QString();
    if (o.sngrep && sngrep.isEmpty())
        std::fprintf(stderr, "bench_ladder_import: sngrep is not installed: skipping it\n");
    // -N: no interface, reads the file and exits; -l: its dialog limit (20,000 by default) above any capture here.
    if (!sngrep.isEmpty())
        tools.push_back({QStringLiteral("sngrep"), {QFile::encodeName(sngrep), "-I", file, "-N", "-q", "-l", QByteArray::number(n)}, {}});

    const auto failed = [&](const QString &what, const Run &r) {
        QFile err(errPath);
        const QByteArray text = err.open(QIODevice::ReadOnly) ? err.readAll().right(2000) : QByteArray();
        std::fprintf(stderr, "bench_ladder_import: %s: %s\n%s\n", qPrintable(what), qPrintable(r.why()), text.constData());
        return 1;
    };
    // What spawning costs in ru_maxrss (see the top of this file): a process that does nothing.
    const Run floor = spawn({"/bin/true"}, Stdout::DevNull, {}, errPath, 10);

    // The check pass (untimed; it also brings the file into the page cache): every tool sees the N messages.
    for (const Tool &t : tools) {
        if (!t.name.startsWith(QLatin1String("dialscope")))
            continue;
        const Run r = spawn(t.args, Stdout::File, dsOut, errPath, o.timeoutS);
        if (!r.ok())
            return failed(t.name + QStringLiteral(" ladder"), r);
        QString outcome;
        const qint64 got = resultMessages(dsOut, outcome);
        if (got != qint64(n) || outcome != QLatin1String("ok")) {
            std::fprintf(stderr, "bench_ladder_import: %s ladder reported %lld messages (outcome \"%s\"), the capture holds %llu\n", qPrintable(t.name),
                static_cast<long long>(got), qPrintable(outcome), static_cast<unsigned long long>(n));
            return 1;
        }
    }
    quint64 maxRssInProcess = 0;
    const auto checked = inProcess(capture, o.timeoutS, maxRssInProcess);
    if (!checked || checked->contains(QStringLiteral("error")) || quint64(checked->value(QStringLiteral("messages")).toInteger()) != n) {
        std::fprintf(stderr, "bench_ladder_import: the in-process import did not find the %llu messages: %s\n", static_cast<unsigned long long>(n),
            checked ? QJsonDocument(*checked).toJson(QJsonDocument::Compact).constData() : "it failed");
        return 1;
    }
    const qint64 callIds = checked->value(QStringLiteral("call_ids")).toInteger();
    qint64 tsharkLines = -1, sngrepDialogs = -1;
    for (Tool &t : tools) {
        if (t.name == QLatin1String("tshark")) {
            const Run r = spawn(t.args, Stdout::CountLines, {}, errPath, o.timeoutS);
            if (!r.ok())
                return failed(QStringLiteral("tshark"), r);
            tsharkLines = qint64(r.lines);
            if (quint64(tsharkLines) != n) {
                std::fprintf(stderr, "bench_ladder_import: tshark -Y sip shows %lld packets, the capture holds %llu SIP messages\n",
                    static_cast<long long>(tsharkLines), static_cast<unsigned long long>(n));
                return 1;
            }
        } else if (t.name == QLatin1String("sngrep")) {
            std::vector<QByteArray> args = t.args;
            args.erase(std::find(args.begin(), args.end(), QByteArray("-q"))); // without -q it prints "Dialog count: N"
            const Run r = spawn(args, Stdout::Capture, {}, errPath, o.timeoutS);
            if (!r.ok())
                return failed(QStringLiteral("sngrep"), r);
            const qsizetype at = r.output.lastIndexOf("Dialog count: ");
            sngrepDialogs = at < 0 ? -1 : r.output.mid(at + 14).trimmed().toLongLong();
            if (sngrepDialogs != callIds) {
                std::fprintf(stderr, "bench_ladder_import: sngrep counts %lld dialogs, the capture holds %lld Call-IDs\n",
                    static_cast<long long>(sngrepDialogs), static_cast<long long>(callIds));
                return 1;
            }
        }
    }

    // The timed rounds: the order of the tools alternates, the in-process figures close each round.
    std::vector<QJsonObject> inProcessRuns;
    std::vector<double> inProcessRss;
    for (int round = 0; round < o.rounds; ++round) {
        std::vector<size_t> order(tools.size());
        for (size_t i = 0; i < order.size(); ++i)
            order[i] = round % 2 ? order.size() - 1 - i : i;
        for (const size_t i : order) {
            Tool &t = tools[i];
            std::fprintf(stderr, "bench_ladder_import: round %d/%d: %s\n", round + 1, o.rounds, qPrintable(t.name));
            const bool ds = t.name.startsWith(QLatin1String("dialscope"));
            const Run r = spawn(t.args, ds ? Stdout::File : Stdout::DevNull, dsOut, errPath, o.timeoutS);
            if (!r.ok())
                return failed(t.name, r);
            QString outcome;
            if (ds && resultMessages(dsOut, outcome) != qint64(n)) {
                std::fprintf(stderr, "bench_ladder_import: dialscope ladder did not report the %llu messages in round %d\n", static_cast<unsigned long long>(n),
                    round + 1);
                return 1;
            }
            t.runs.push_back(r);
        }
        quint64 rss = 0;
        const auto r = inProcess(capture, o.timeoutS, rss);
        if (!r || r->contains(QStringLiteral("error"))) {
            std::fprintf(stderr, "bench_ladder_import: the in-process import failed in round %d\n", round + 1);
            return 1;
        }
        inProcessRuns.push_back(*r);
        inProcessRss.push_back(double(rss));
    }

    // The table.
    const Tool &ds = tools[0];
    out.text("\n%d rounds, median (min..max) wall time; CPU = user + sys; peak RSS from wait4 (spawn floor %.1f MB: /bin/true)%s\n", o.rounds,
        mb(double(floor.maxRssBytes)), o.smoke ? " - smoke run: figures are meaningless" : "");
    out.text("%-11s %20s %9s %12s %9s %14s %13s\n", "tool", "wall s", "CPU s", "peak RSS MB", "RSS/file", "wall/dialscope", "CPU/dialscope");
    for (const Tool &t : tools) {
        const auto walls = t.pick(&Run::wallS);
        const auto [mn, mx] = std::minmax_element(walls.begin(), walls.end());
        char range[48];
        std::snprintf(range, sizeof range, "%.2f (%.2f..%.2f)", t.wall(), *mn, *mx);
        out.text("%-11s %20s %9.2f %12.1f %8.2fx %13.2fx %12.2fx\n", qPrintable(t.name), range, t.cpu(), mb(t.rss()), t.rss() / fileBytes, t.wall() / ds.wall(),
            t.cpu() / ds.cpu());
        out.json({{QStringLiteral("bench"), QStringLiteral("ladder_import")}, {QStringLiteral("result"), QStringLiteral("tool")},
            {QStringLiteral("tool"), t.name}, {QStringLiteral("messages"), qint64(n)}, {QStringLiteral("rounds"), int(t.runs.size())},
            {QStringLiteral("wall_s"), t.wall()}, {QStringLiteral("wall_s_min"), *mn}, {QStringLiteral("wall_s_max"), *mx}, {QStringLiteral("cpu_s"), t.cpu()},
            {QStringLiteral("user_s"), median(t.pick(&Run::userS))}, {QStringLiteral("sys_s"), median(t.pick(&Run::sysS))},
            {QStringLiteral("peak_rss_bytes"), qint64(t.rss())}, {QStringLiteral("rss_over_file"), t.rss() / fileBytes},
            {QStringLiteral("wall_over_dialscope"), t.wall() / ds.wall()}, {QStringLiteral("cpu_over_dialscope"), t.cpu() / ds.cpu()},
            {QStringLiteral("msgs_per_s"), double(n) / t.wall()}, {QStringLiteral("smoke"), o.smoke}});
    }

    // In-process: medians of the rounds.
    const auto inMedian = [&](const char *key) {
        std::vector<double> v;
        for (const QJsonObject &r : inProcessRuns)
            v.push_back(r.value(QLatin1String(key)).toDouble());
        return median(v);
    };
    const double perMsg = 1.0 / double(n);
    const double raw = inMedian("raw_bytes"), storeHeap = inMedian("store_heap_bytes"), importHeap = inMedian("import_heap_bytes");
    out.text("\nin-process, CPU s (median of %d): decode only %.2f; decode + TraceStore %.2f; importCapture %.2f (+ RtpTracker); LadderModel::update %.2f; "
             "%lld call events built %.2f\n",
        o.rounds, inMedian("decode_cpu_s"), inMedian("store_only_cpu_s"), inMedian("import_cpu_s"), inMedian("update_cpu_s"), static_cast<long long>(callIds),
        inMedian("call_events_cpu_s"));
    if (storeHeap <= 0) // mallinfo2() knows nothing of a sanitizer's allocator
        out.text("memory per message: raw %.0f B; TraceStore::overheadBytes %.1f B beyond raw; heap figures n/a (sanitizer build)\n", raw * perMsg,
            inMedian("overhead_bytes") * perMsg);
    else
        out.text("memory per message: raw %.0f B; TraceStore::overheadBytes %.1f B beyond raw; heap held by the TraceStore %.0f B (%.0f beyond raw); "
                 "by importCapture %.0f B (RtpTracker %.0f); by LadderModel %.1f B\n",
            raw * perMsg, inMedian("overhead_bytes") * perMsg, storeHeap * perMsg, (storeHeap - raw) * perMsg, importHeap * perMsg,
            (importHeap - storeHeap) * perMsg, inMedian("model_heap_bytes") * perMsg);
    QJsonObject inJson {{QStringLiteral("bench"), QStringLiteral("ladder_import")}, {QStringLiteral("result"), QStringLiteral("in_process")},
        {QStringLiteral("messages"), qint64(n)}, {QStringLiteral("rounds"), o.rounds}, {QStringLiteral("call_ids"), callIds},
        {QStringLiteral("raw_bytes"), qint64(raw)}, {QStringLiteral("overhead_bytes_per_msg"), inMedian("overhead_bytes") * perMsg},
        {QStringLiteral("store_heap_beyond_raw_per_msg"), (storeHeap - raw) * perMsg},
        {QStringLiteral("rtp_tracker_heap_bytes"), qint64(importHeap - storeHeap)}, {QStringLiteral("child_peak_rss_bytes"), qint64(median(inProcessRss))},
        {QStringLiteral("smoke"), o.smoke}};
    for (const char *key : {"decode_s", "decode_cpu_s", "store_only_s", "store_only_cpu_s", "import_s", "import_cpu_s", "update_s", "update_cpu_s",
             "call_events_s", "call_events_cpu_s"})
        inJson.insert(QLatin1String(key), inMedian(key));
    for (const char *key : {"call_events_bytes", "overhead_bytes", "store_heap_bytes", "import_heap_bytes", "import_rss_bytes", "model_heap_bytes"})
        inJson.insert(QLatin1String(key), qint64(inMedian(key)));
    out.json(inJson);

    // The targets.
    QJsonObject verdict {{QStringLiteral("bench"), QStringLiteral("ladder_import")}, {QStringLiteral("result"), QStringLiteral("targets")},
        {QStringLiteral("messages"), qint64(n)}, {QStringLiteral("file_bytes"), qint64(facts->fileBytes)},
        {QStringLiteral("dialscope_rss_over_file"), ds.rss() / fileBytes}, {QStringLiteral("rss_target"), 1.5},
        {QStringLiteral("rss_met"), ds.rss() / fileBytes < 1.5}, {QStringLiteral("spawn_floor_rss_bytes"), qint64(floor.maxRssBytes)},
        {QStringLiteral("tshark_lines"), tsharkLines}, {QStringLiteral("sngrep_dialogs"), sngrepDialogs}, {QStringLiteral("smoke"), o.smoke}};
    out.text("\ntargets: dialscope peak RSS %.2fx the file (target < 1.5x: %s)", ds.rss() / fileBytes, ds.rss() / fileBytes < 1.5 ? "met" : "NOT met");
    for (const Tool &t : tools) {
        if (t.name == QLatin1String("dialscope-b")) {
            out.text("; dialscope-b: peak RSS %.2fx the file, %.2fx dialscope's CPU", t.rss() / fileBytes, t.cpu() / ds.cpu());
            verdict.insert(QStringLiteral("compare_rss_over_file"), t.rss() / fileBytes);
            verdict.insert(QStringLiteral("compare_cpu_over_dialscope"), t.cpu() / ds.cpu());
        }
        if (t.name != QLatin1String("tshark"))
            continue;
        const double speedup = t.wall() / ds.wall(), cpuSpeedup = t.cpu() / ds.cpu();
        out.text("; tshark/dialscope %.2fx in wall time, %.2fx in CPU (target >= 5x: %s)", speedup, cpuSpeedup, speedup >= 5 ? "met" : "NOT met");
        verdict.insert(QStringLiteral("tshark_over_dialscope"), speedup);
        verdict.insert(QStringLiteral("tshark_over_dialscope_cpu"), cpuSpeedup);
        verdict.insert(QStringLiteral("speed_target"), 5);
        verdict.insert(QStringLiteral("speed_met"), speedup >= 5);
        for (const Tool &b : tools)
            if (b.name == QLatin1String("dialscope-b")) {
                out.text("; tshark/dialscope-b %.2fx in wall time, %.2fx in CPU", t.wall() / b.wall(), t.cpu() / b.cpu());
                verdict.insert(QStringLiteral("tshark_over_compare"), t.wall() / b.wall());
                verdict.insert(QStringLiteral("tshark_over_compare_cpu"), t.cpu() / b.cpu());
            }
    }
    out.text("\n\n");
    out.json(verdict);
    out.flushJson(); // one machine-readable line per result, after the table: grep '^{"bench"'
    return 0;
}
