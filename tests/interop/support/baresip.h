// Support for interop tests: baresip 1.0 (Debian baresip-core) as the far end of a call, a
// second softphone that registers at the test's Kamailio (or takes direct calls), answers or
// dials, sends a known tone and records what it hears, driven over its ctrl_tcp interface.
#pragma once

#include "peer.h"

#include <QByteArray>
#include <QJsonObject>
#include <QList>
#include <QString>

#include <expected>
#include <memory>
#include <optional>

class QTcpSocket;

namespace ds::test {

// How one baresip is set up.
struct BaresipOptions {
    QString user; // its address of record is sip:USER@127.0.0.1
    QString password; // its digest password at the registrar (written into baresip's accounts file: no ';')
    // Kamailio on 127.0.0.1 (KamailioRegistrar::udpPort(), the same number for TCP); 0: no
    // registration, the peer only takes calls sent straight to directUri().
    quint16 registrarPort = 0;
    QString transport = QStringLiteral("udp"); // to the registrar: "udp" or "tcp"
    // The only audio codec offered and accepted: "PCMU", "PCMA", "G722", "opus", or baresip's
    // "name/rate/channels"; empty: all of them, in that order.
    QString codec;
    bool autoAnswer = true; // answer every incoming call at once; else answer() does
    int toneHz = 440; // the sine it sends (ausine: 10..20000 Hz, half of full scale, -6 dBFS)
    // Media encryption (the account's mediaenc, srtp.so loaded): "srtp" (best effort: RTP/AVP with
    // a=crypto), "srtp-mand" (RTP/SAVP) or "srtp-mandf" (RTP/SAVPF); empty: plain RTP.
    QString mediaEnc;
};

// BaresipPeer: one baresip process (a PeerProcess, so it never outlives the test) with its own
// configuration directory, ports and recordings, and the TCP connection to its ctrl_tcp module:
// commands go out and answers and call events come back as JSON in netstrings. Every call
// blocks for at most its timeout; nothing needs a Qt event loop.
class BaresipPeer {
public:
    // Why the peer is not running. skip: baresip or one of its modules is missing, and message
    // names the Debian package; otherwise a failure with the log.
    struct Failure {
        bool skip = false;
        QString message;
    };
    using Result = std::expected<void, Failure>;

    // The audio of a call as baresip's sndfile module saves it: what the peer heard (decoded
    // from RTP) or what it sent (before encoding).
    enum class Stream { Received, Sent };

    // name tells the peers of one test apart ("alice", "far-end"); its configuration,
    // recordings and log go to workDir/name, which the test owns (and removes).
    BaresipPeer(QString name, QString workDir);
    ~BaresipPeer();
    BaresipPeer(const BaresipPeer &) = delete;
    BaresipPeer &operator=(const BaresipPeer &) = delete;

    // Empty when baresip is not installed here.
    static QString program();
    // Whether baresip and every module the configuration loads are installed (else a skip
    // naming the Debian package); start() checks it too.
    static Result installed();

    // Stops a running baresip, writes the configuration, starts baresip on free loopback ports
    // and connects to its control interface. Does not wait for the registration: see
    // waitRegistered().
    Result start(const BaresipOptions &options, int timeoutMs = 10000);
    // SIGTERM, then SIGKILL, to baresip. Idempotent.
    void stop();
    bool running() const;

    // True once the account is registered at the registrar (at once without one); false when the
    // registrar refused it or timeoutMs passed.
    bool waitRegistered(int timeoutMs = 10000);

    // Calls any SIP URI: aor() or directUri() of another peer, dialscope on its --bind address...
    // True when baresip took the command; the call's progress comes as events.
    bool dial(const QString &uri);
    // Answers the ringing incoming call (with autoAnswer off).
    bool answer();
    // Ends the current call (BYE, or CANCEL while it rings).
    bool hangup();
    // Any baresip command ("reginfo", "listcalls", "sndcode 1"...): what it printed, or why it
    // failed.
    std::expected<QString, QString> command(const QString &name, const QString &params = {}, int timeoutMs = 5000);

    // Waits for an event of this type (ctrl_tcp's "type": REGISTER_OK, REGISTER_FAIL,
    // CALL_INCOMING, CALL_RINGING, CALL_PROGRESS, CALL_ESTABLISHED, CALL_RTPESTAB,
    // CALL_CLOSED...) that no earlier wait returned, oldest first: each event is returned once.
    // nullopt at the timeout. CALL_CLOSED's "param" says why ("Connection reset by peer",
    // "404 Not Found"...). With autoAnswer, baresip 1.0 reports no CALL_INCOMING: the call
    // goes straight to CALL_ESTABLISHED.
    std::optional<QJsonObject> waitEvent(const QString &type, int timeoutMs = 10000);
    // Every event received so far (reads what is pending first).
    QList<QJsonObject> events();

    // Where other peers reach it: through the registrar (sip:USER@127.0.0.1:REGISTRAR_PORT),
    // or straight at its own SIP port (sip:USER@127.0.0.1:PORT; baresip answers 404 to any
    // other user part).
    QString aor() const;
    QString directUri() const;
    quint16 sipPort() const { return m_sipPort; }

    // Waits until the newest recording in that direction (the call in progress) holds at least
    // seconds of audio: what a test waits for instead of sleeping through a call. False at the
    // timeout, or when baresip exits.
    bool waitForAudio(Stream stream, double seconds, int timeoutMs = 10000);

    // The WAV of the newest call in that direction, once baresip has closed it (a moment after
    // CALL_CLOSED): 16-bit PCM at the codec's rate and channels (8000 Hz mono for G.711,
    // 48000 Hz stereo for opus). Files are named by the second the call's audio started, so
    // two calls of one peer must not start in the same second.
    std::expected<QString, QString> lastRecording(Stream stream, int timeoutMs = 5000);
    QString recordingDir() const;

    QString logPath() const;
    // Command line, ports, the events received and the end of the log, for failure messages.
    QString describe(int maxLogChars = 6000);
    QString errorString() const { return m_error; }

private:
    Result startOnce(const BaresipOptions &options, int timeoutMs);
    bool connectControl(int timeoutMs);
    // Reads what baresip sent, waiting up to timeoutMs for something when nothing is pending.
    bool pump(int timeoutMs);
    QString newestRecording(Stream stream) const;
    void parseNetstrings();

    QString m_name;
    QString m_dir;
    BaresipOptions m_options;
    quint16 m_sipPort = 0;
    quint16 m_ctrlPort = 0;
    QString m_error;
    std::unique_ptr<PeerProcess> m_process;
    std::unique_ptr<QTcpSocket> m_ctrl;
    QByteArray m_buffer; // netstrings received, not parsed yet
    QList<QJsonObject> m_events;
    QList<bool> m_returned; // per event: waitEvent returned it
    QList<QJsonObject> m_responses; // command answers not claimed yet
    int m_nextToken = 1;
};

} // namespace ds::test
