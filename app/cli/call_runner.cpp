#include "call_runner.h"

#include "commands.h"
#include "trace_output.h"

#include "dtmf/rfc4733.h"
#include "sip/resolver.h"

#include <QCoreApplication>
#include <QFileInfo>
#include <QMetaEnum>

#include <cmath>

namespace ds::cli {

void addCallOptions(QCommandLineParser &p)
{
    p.addOption({QStringLiteral("server"), QStringLiteral("Registrar / proxy: host[:port] or SIP URI."), QStringLiteral("SERVER")});
    p.addOption({QStringLiteral("user"), QStringLiteral("User part of our address of record."), QStringLiteral("U")});
    p.addOption({QStringLiteral("password"), QStringLiteral("Password (else $DIALSCOPE_PASSWORD)."), QStringLiteral("P")});
    p.addOption({QStringLiteral("auth-user"), QStringLiteral("Digest user name, when it differs from --user."), QStringLiteral("A")});
    p.addOption({QStringLiteral("domain"), QStringLiteral("Domain of the address of record; the server becomes the outbound proxy."), QStringLiteral("D")});
    p.addOption({QStringLiteral("display-name"), QStringLiteral("Display name in From."), QStringLiteral("NAME")});
    p.addOption({QStringLiteral("no-register"), QStringLiteral("Do not register before calling / answering.")});
    p.addOption({QStringLiteral("codecs"), QStringLiteral("Codecs in preference order (default PCMU,PCMA,opus)."), QStringLiteral("LIST")});
    p.addOption({QStringLiteral("play"), QStringLiteral("Send this WAV file (looped)."), QStringLiteral("FILE")});
    p.addOption({QStringLiteral("tone"), QStringLiteral("Send a sine of this frequency in Hz."), QStringLiteral("HZ")});
    p.addOption({QStringLiteral("record"), QStringLiteral("Record the received audio into this WAV file."), QStringLiteral("FILE")});
    p.addOption({QStringLiteral("duration"), QStringLiteral("Hang up after S seconds of answered call."), QStringLiteral("S")});
    p.addOption({QStringLiteral("dtmf"), QStringLiteral("Send these DTMF digits once answered (0-9 * # A-D, ',' pauses 1 s)."), QStringLiteral("DIGITS")});
    p.addOption({QStringLiteral("dtmf-mode"),
        QStringLiteral("How to send DTMF: rfc4733, inband, info or auto (default: RFC 4733 when negotiated, else in-band)."), QStringLiteral("MODE")});
    p.addOption({QStringLiteral("dtmf-delay"), QStringLiteral("Wait S seconds after the answer before the first digit (default 1)."), QStringLiteral("S")});
    p.addOption({QStringLiteral("dtmf-duration"), QStringLiteral("Tone / event duration of each digit in ms (default 100)."), QStringLiteral("MS")});
    p.addOption({QStringLiteral("dtmf-pause"), QStringLiteral("Pause between digits in ms (default 100)."), QStringLiteral("MS")});
    p.addOption({QStringLiteral("dtmf-info-type"), QStringLiteral("INFO body: dtmf-relay (default) or dtmf."), QStringLiteral("TYPE")});
    p.addOption({QStringLiteral("no-telephone-event"), QStringLiteral("Neither offer nor accept RFC 4733 telephone-event.")});
    p.addOption({QStringLiteral("sound-card"), QStringLiteral("Use the sound card for what --play/--tone/--record do not cover.")});
    p.addOption({QStringLiteral("calls-only-through-server"),
        QStringLiteral("Refuse (403) new calls that do not come from the server's address: scanners calling the port directly never ring.")});
    p.addOption({QStringLiteral("srtp"),
        QStringLiteral("Media encryption: off (default), optional (SRTP when the far end agrees) or mandatory (refuse plain RTP); SDES keys, use "
                       "--transport tls."),
        QStringLiteral("MODE")});
}

std::optional<QString> readDtmfOptions(const QCommandLineParser &p, CallOptions &o)
{
    phone::DtmfSettings &d = o.settings.dtmf;
    o.settings.telephoneEvent = !p.isSet(QStringLiteral("no-telephone-event"));
    o.dtmfDigits = p.value(QStringLiteral("dtmf"));
    for (QChar c : o.dtmfDigits)
        if (c != QLatin1Char(',') && !dtmf::eventOfDigit(c.toLatin1()))
            return QStringLiteral("--dtmf: \"%1\" is not a DTMF digit (0-9 * # A-D, ',' for a pause)").arg(c);
    if (p.isSet(QStringLiteral("dtmf-mode"))) {
        o.dtmfMode = phone::dtmfModeFromName(p.value(QStringLiteral("dtmf-mode")));
        if (!o.dtmfMode)
            return QStringLiteral("--dtmf-mode: \"%1\" is not one of rfc4733, inband, info, auto").arg(p.value(QStringLiteral("dtmf-mode")));
        d.mode = *o.dtmfMode;
    }
    const auto number = [&p](const QString &name, double min, double max, double *out) -> std::optional<QString> {
        if (!p.isSet(name))
            return std::nullopt;
        bool ok = false;
        *out = p.value(name).toDouble(&ok);
        if (!ok || *out < min || *out > max)
            return QStringLiteral("--%1: give a number from %2 to %3").arg(name).arg(min).arg(max);
        return std::nullopt;
    };
    double tone = d.send.toneMs, pause = d.send.pauseMs;
    for (auto error : {number(QStringLiteral("dtmf-delay"), 0, 3600, &o.dtmfDelayS), number(QStringLiteral("dtmf-duration"), 40, 10000, &tone),
             number(QStringLiteral("dtmf-pause"), 0, 10000, &pause)})
        if (error)
            return error;
    d.send.toneMs = int(tone);
    d.send.pauseMs = int(pause);
    if (!o.dtmfDigits.isEmpty() && o.durationS >= 0) {
        qint64 ms = qint64(o.dtmfDelayS * 1000);
        for (QChar c : o.dtmfDigits)
            ms += c == QLatin1Char(',') ? d.send.commaMs : d.send.toneMs + d.send.pauseMs;
        if (ms > qint64(o.durationS * 1000))
            EventWriter::error(QStringLiteral("warning: --duration %1 s ends the call before the last DTMF digit (about %2 s after the answer)")
                                   .arg(o.durationS)
                                   .arg(double(ms) / 1000.0, 0, 'f', 1));
    }
    if (p.isSet(QStringLiteral("dtmf-info-type"))) {
        const QString t = p.value(QStringLiteral("dtmf-info-type")).toLower();
        if (t == QLatin1String("dtmf-relay") || t == QLatin1String("relay"))
            d.infoBody = dtmf::InfoBodyType::DtmfRelay;
        else if (t == QLatin1String("dtmf"))
            d.infoBody = dtmf::InfoBodyType::Dtmf;
        else
            return QStringLiteral("--dtmf-info-type: \"%1\" is not dtmf-relay or dtmf").arg(t);
    }
    return std::nullopt;
}

std::expected<CallOptions, QString> readCallOptions(const QCommandLineParser &p, const CommonOptions &common, const QString &target)
{
    CallOptions o;
    phone::Account &a = o.account;
    a.user = p.value(QStringLiteral("user"));
    a.authUser = p.value(QStringLiteral("auth-user"));
    a.domain = p.value(QStringLiteral("domain"));
    a.displayName = p.value(QStringLiteral("display-name"));
    a.server = p.value(QStringLiteral("server"));
    a.transport = common.transport;
    o.password = passwordFrom(p);
    if (!a.server.isEmpty()) {
        if (auto spec = sip::parseServerSpec(a.server); !spec)
            return std::unexpected(QStringLiteral("--server: %1").arg(spec.error()));
        if (a.user.isEmpty())
            return std::unexpected(QStringLiteral("--user is required with --server"));
        o.registerFirst = !p.isSet(QStringLiteral("no-register"));
    } else {
        o.registerFirst = false;
        if (a.user.isEmpty())
            a.user = QStringLiteral("dialscope");
        if (!target.isEmpty()) {
            // A direct call: the target's host is where the INVITE goes.
            auto uri = phone::CallCenter::targetUri(target, QString());
            if (!uri)
                return std::unexpected(uri.error());
            auto parsed = sip::Uri::parse(*uri);
            if (!parsed || parsed->host.isEmpty())
                return std::unexpected(QStringLiteral("without --server, TARGET must name a host: user@host[:port] or a SIP URI"));
            a.server = QString::fromUtf8(parsed->scheme == sip::Uri::Scheme::Sips ? "sips:" + parsed->hostPort() : parsed->hostPort());
        }
    }
    if (p.isSet(QStringLiteral("codecs"))) {
        o.settings.codecs.clear();
        for (const QString &c : p.value(QStringLiteral("codecs")).split(QLatin1Char(','), Qt::SkipEmptyParts)) {
            const QByteArray name = c.trimmed().toLatin1();
            if (!sdp::isSupportedCodec(name) || name.compare("G722", Qt::CaseInsensitive) == 0)
                return std::unexpected(QStringLiteral("--codecs: unknown codec \"%1\"; use PCMU, PCMA and opus").arg(c));
            o.settings.codecs.append(name);
        }
        if (o.settings.codecs.isEmpty())
            return std::unexpected(QStringLiteral("--codecs: give at least one codec"));
    }
    phone::AudioSettings &audio = o.settings.audio;
    audio.playFile = p.value(QStringLiteral("play"));
    audio.recordFile = p.value(QStringLiteral("record"));
    audio.soundCard = p.isSet(QStringLiteral("sound-card"));
    if (!audio.playFile.isEmpty() && !QFileInfo(audio.playFile).isReadable())
        return std::unexpected(QStringLiteral("--play: cannot read \"%1\"").arg(audio.playFile));
    if (p.isSet(QStringLiteral("tone"))) {
        bool ok = false;
        audio.toneHz = p.value(QStringLiteral("tone")).toDouble(&ok);
        if (!ok || audio.toneHz <= 0 || audio.toneHz >= 4000)
            return std::unexpected(QStringLiteral("--tone: give a frequency between 0 and 4000 Hz"));
    }
    if (p.isSet(QStringLiteral("duration"))) {
        bool ok = false;
        o.durationS = p.value(QStringLiteral("duration")).toDouble(&ok);
        if (!ok || o.durationS < 0)
            return std::unexpected(QStringLiteral("--duration must be a number of seconds"));
    }
    if (auto error = readDtmfOptions(p, o))
        return std::unexpected(*error);
    if (p.isSet(QStringLiteral("srtp"))) {
        const auto mode = sdp::srtpModeFromName(p.value(QStringLiteral("srtp")).toLatin1());
        if (!mode)
            return std::unexpected(QStringLiteral("--srtp: \"%1\" is not one of off, optional, mandatory").arg(p.value(QStringLiteral("srtp"))));
        o.settings.srtp = *mode;
        o.account.srtp = QString::fromLatin1(sdp::srtpModeName(*mode));
    }
    o.account.callsOnlyThroughServer = p.isSet(QStringLiteral("calls-only-through-server"));
    if (o.account.callsOnlyThroughServer && o.account.server.isEmpty())
        return std::unexpected(QStringLiteral("--calls-only-through-server needs --server"));
    return o;
}

CallRunner::CallRunner(CallOptions options, CommonOptions common, EventWriter &out)
    : m_options(std::move(options))
    , m_common(std::move(common))
    , m_out(out)
{
    m_media = std::make_unique<media::MediaEngine>();
    m_agent = std::make_unique<phone::UserAgent>(m_options.account, m_common.agentOptions(), m_clock);
    if (m_options.registerFirst)
        m_registration = std::make_unique<phone::Registration>(*m_agent, m_options.password);
    m_center = std::make_unique<phone::CallCenter>(*m_agent, m_registration.get(), *m_media, m_options.password);
    m_center->setSettings(m_options.settings);

    m_capture.attach(*m_agent, !m_common.pcapPath.isEmpty());
    connect(m_agent.get(), &phone::UserAgent::traced, this, [this](const sip::TraceEvent &e) { reportTrace(m_out, e); });
    connect(m_agent.get(), &phone::UserAgent::resolved, this, [this](const QString &s) { reportFinding(m_out, QStringLiteral("info"), s); });
    // Floods and scanners: one line when a source starts flooding and one when it stops.
    connect(m_agent.get(), &phone::UserAgent::finding, this, [this](const QString &severity, const QString &text) { reportFinding(m_out, severity, text); });
    connect(m_center.get(), &phone::CallCenter::authComputed, this, [this](const sip::AuthExplanation &e) { reportAuth(m_out, e); });
    if (m_registration) {
        connect(m_registration.get(), &phone::Registration::authComputed, this, [this](const sip::AuthExplanation &e) { reportAuth(m_out, e); });
        connect(m_registration.get(), &phone::Registration::finding, this, [this](const QString &s, const QString &t) { reportFinding(m_out, s, t); });
        connect(m_registration.get(), &phone::Registration::stateChanged, this, [this](phone::Registration::State s, int status, int exp) {
            static const char *names[] = {"idle", "registering", "registered", "unregistering", "unregistered", "failed"};
            m_out.event(QStringLiteral("registration"),
                {{QStringLiteral("state"), QString::fromLatin1(names[int(s)])}, {QStringLiteral("status"), status}, {QStringLiteral("expires"), exp}});
        });
    }
    m_overall.setSingleShot(true);
}

CallRunner::~CallRunner()
{
    m_center.reset(); // hangs up what is left while the agent still exists
    m_registration.reset();
    m_agent.reset();
}

void CallRunner::start(std::function<void()> ready)
{
    connect(m_agent.get(), &phone::UserAgent::failed, this, [this](const phone::Diagnosis &d) {
        fail(phone::outcomeName(d.outcome), d.status, d.reason, phone::outcomeIsNetwork(d.outcome) ? ExitNetwork : ExitRefused);
    });
    connect(m_agent.get(), &phone::UserAgent::ready, this, [this, ready] {
        if (!m_registration) {
            ready();
            return;
        }
        connect(m_registration.get(), &phone::Registration::finished, this, [this, ready](const phone::Diagnosis &d) {
            if (d.outcome == phone::Outcome::Registered) {
                if (!std::exchange(m_options.registerFirst, false))
                    return; // a refresh
                ready();
                return;
            }
            if (d.outcome == phone::Outcome::Unregistered)
                return;
            fail(phone::outcomeName(d.outcome), d.status, QStringLiteral("registration failed: %1").arg(d.reason),
                phone::outcomeIsNetwork(d.outcome) ? ExitNetwork : ExitRefused);
        });
        m_registration->registerNow();
    });
    connect(&m_overall, &QTimer::timeout, this, [this] {
        if (!m_center->calls().isEmpty()) {
            // A call still rings or runs: end it and let it report itself (no-answer after CANCEL),
            // giving the far end a few seconds to confirm before we give up on it too.
            const QList<phone::Call *> calls = m_center->calls();
            for (phone::Call *c : calls)
                c->hangUp();
            QTimer::singleShot(5000, this, [this] {
                QJsonObject r {{QStringLiteral("outcome"), QStringLiteral("failed")},
                    {QStringLiteral("reason"), QStringLiteral("the call did not end within 5 s of hanging up at --timeout")}};
                finish(r, ExitNetwork);
            });
            return;
        }
        QJsonObject r {{QStringLiteral("outcome"), QStringLiteral("failed")},
            {QStringLiteral("reason"), QStringLiteral("no outcome within %1 s (--timeout)").arg(m_common.timeoutSeconds)}};
        finish(r, ExitNetwork);
    });
    m_overall.start(std::chrono::milliseconds(qint64(m_common.timeoutSeconds * 1000)));
    m_agent->start();
}

QJsonObject CallRunner::rtpFields(const media::StreamStats &s)
{
    QJsonObject o {{QStringLiteral("sent"), qint64(s.rtpSent)}, {QStringLiteral("received"), qint64(s.rtpReceived)}, {QStringLiteral("lost"), qint64(s.lost)},
        {QStringLiteral("late"), qint64(s.late)}, {QStringLiteral("duplicates"), qint64(s.duplicates)},
        {QStringLiteral("from_unexpected"), qint64(s.rtpFromUnexpected)}, {QStringLiteral("malformed"), qint64(s.rtpMalformed)},
        {QStringLiteral("captured"), qint64(s.framesCaptured)}, {QStringLiteral("encoded"), qint64(s.framesEncoded)},
        {QStringLiteral("decoded"), qint64(s.decoded)}, {QStringLiteral("decode_errors"), qint64(s.decodeErrors)},
        {QStringLiteral("concealed"), qint64(s.concealed)}, {QStringLiteral("played"), qint64(s.played)}, {QStringLiteral("rtcp_sent"), qint64(s.rtcpSent)},
        {QStringLiteral("rtcp_received"), qint64(s.rtcpReceived)}, {QStringLiteral("jitter_ms"), s.jitterMs}, {QStringLiteral("loss"), s.fractionLost},
        {QStringLiteral("mos"), s.mos}, {QStringLiteral("source"), s.lastSource}, {QStringLiteral("ignored"), qint64(s.rtpIgnored)}};
    if (s.rttMs)
        o.insert(QStringLiteral("rtt_ms"), *s.rttMs);
    if (!s.latchedSource.isEmpty())
        o.insert(QStringLiteral("latched"), s.latchedSource);
    if (!s.srtpSuite.isEmpty() || s.srtpAuthFailures || s.srtpReplays || s.srtpErrors) {
        o.insert(QStringLiteral("srtp"), s.srtpSuite.isEmpty() ? QStringLiteral("off") : s.srtpSuite);
        o.insert(QStringLiteral("srtp_decrypted"), qint64(s.srtpDecrypted));
        o.insert(QStringLiteral("srtp_auth_failures"), qint64(s.srtpAuthFailures));
        o.insert(QStringLiteral("srtp_replays"), qint64(s.srtpReplays));
        o.insert(QStringLiteral("srtp_errors"), qint64(s.srtpErrors));
    }
    return o;
}

void CallRunner::follow(phone::Call *call, std::function<void(phone::Call *)> done)
{
    auto callEvent = [this, call](int status) {
        const QString state = QString::fromLatin1(QMetaEnum::fromType<phone::Call::State>().valueToKey(int(call->state()))).toLower();
        QJsonObject f {{QStringLiteral("state"), state}, {QStringLiteral("status"), status}, {QStringLiteral("codec"), call->codec()},
            {QStringLiteral("remote"), call->remoteParty()}, {QStringLiteral("call_id"), QString::fromUtf8(call->session()->callId())}};
        m_out.event(QStringLiteral("call"), f);
        m_out.text(QStringLiteral("   call %1%2%3")
                       .arg(state, status ? QStringLiteral(" (%1)").arg(status) : QString(),
                           call->codec().isEmpty() ? QString() : QStringLiteral(", codec %1").arg(call->codec())));
    };
    connect(call, &phone::Call::stateChanged, this, [callEvent, call, this](phone::Call::State s) {
        callEvent(s == phone::Call::State::Ended ? call->end().status : 0);
        if (s == phone::Call::State::Active && m_options.durationS >= 0 && !call->property("ds_duration_armed").toBool()) {
            call->setProperty("ds_duration_armed", true);
            m_overall.stop(); // answered: --duration ends it, not --timeout (which bounds the wait)
            QTimer::singleShot(std::chrono::milliseconds(qint64(m_options.durationS * 1000)), Qt::PreciseTimer, call, [call] { call->hangUp(); });
        }
    });
    connect(call, &phone::Call::finding, this, [this](const QString &s, const QString &t) { reportFinding(m_out, s, t); });
    auto lastMedia = std::make_shared<qint64>(-1000000);
    connect(call, &phone::Call::statsUpdated, this, [this, lastMedia](const media::StreamStats &s) {
        if (s.elapsedMs - *lastMedia < 1000)
            return; // one media event a second is plenty for a log
        *lastMedia = s.elapsedMs;
        m_out.event(QStringLiteral("media"), rtpFields(s));
    });
    // Before done(): the result it builds goes through finish(), which adds what the call said about SRTP.
    connect(call, &phone::Call::ended, this, [this, call] {
        m_srtp = call->srtpSuite().isEmpty() ? QStringLiteral("off") : call->srtpSuite();
        m_srtpFinding = call->srtpFinding();
    });
    connect(call, &phone::Call::ended, this, [call, done] { done(call); });
    followDtmf(call);
    callEvent(0);
}

void CallRunner::followDtmf(phone::Call *call)
{
    connect(call, &phone::Call::dtmf, this, [this](const dtmf::DigitEvent &e) {
        QJsonObject f {{QStringLiteral("digit"), QString(QChar::fromLatin1(e.digit))}, {QStringLiteral("mode"), QString::fromLatin1(dtmf::modeName(e.mode))},
            {QStringLiteral("dir"), e.dir == dtmf::Direction::In ? QStringLiteral("in") : QStringLiteral("out")}, {QStringLiteral("duration_ms"), e.durationMs},
            {QStringLiteral("at_ms"), qint64(e.atMs)}};
        if (e.levelDbm0)
            f.insert(QStringLiteral("level_dbm0"), std::round(*e.levelDbm0 * 10) / 10);
        if (e.twistDb)
            f.insert(QStringLiteral("twist_db"), std::round(*e.twistDb * 10) / 10);
        if (!e.endSeen)
            f.insert(QStringLiteral("end_seen"), false);
        if (e.infoStatus)
            f.insert(QStringLiteral("status"), *e.infoStatus);
        m_out.event(QStringLiteral("dtmf"), f);
        m_out.text(QStringLiteral("   dtmf %1 %2 (%3, %4 ms%5)")
                       .arg(e.dir == dtmf::Direction::In ? QStringLiteral("in") : QStringLiteral("out"), QChar::fromLatin1(e.digit),
                           QString::fromLatin1(dtmf::modeName(e.mode)))
                       .arg(e.durationMs)
                       .arg(e.infoStatus ? QStringLiteral(", %1").arg(*e.infoStatus) : QString()));
    });
    // What the far end says it heard (a DTMF reporter such as `dialscope demo`'s dtmf extension).
    connect(call, &phone::Call::messageReceived, this, [this](const QByteArray &type, const QByteArray &body) {
        m_out.event(QStringLiteral("message"), {{QStringLiteral("content_type"), QString::fromUtf8(type)}, {QStringLiteral("body"), QString::fromUtf8(body)}});
        m_out.text(QStringLiteral("   message (%1): %2").arg(QString::fromUtf8(type), QString::fromUtf8(body.trimmed().left(200))));
    });
    connect(call, &phone::Call::farEndDtmf, this, [this](const dtmf::DigitEvent &e) {
        m_out.event(QStringLiteral("dtmf"),
            {{QStringLiteral("digit"), QString(QChar::fromLatin1(e.digit))}, {QStringLiteral("mode"), QString::fromLatin1(dtmf::modeName(e.mode))},
                {QStringLiteral("dir"), QStringLiteral("far-end")}, {QStringLiteral("duration_ms"), e.durationMs}, {QStringLiteral("at_ms"), qint64(e.atMs)}});
        m_out.text(QStringLiteral("   dtmf far end heard %1 (%2, %3 ms)")
                       .arg(QString(QChar::fromLatin1(e.digit)), QString::fromLatin1(dtmf::modeName(e.mode)), QString::number(e.durationMs)));
    });
    connect(call, &phone::Call::dtmfFinding, this,
        [this](const dtmf::Finding &f) { reportFinding(m_out, QString::fromLatin1(dtmf::severityName(f.severity)), f.text, f.code); });
    if (m_options.dtmfDigits.isEmpty())
        return;
    connect(call, &phone::Call::stateChanged, this, [this, call](phone::Call::State s) {
        if (s != phone::Call::State::Active || call->property("ds_dtmf_armed").toBool())
            return;
        call->setProperty("ds_dtmf_armed", true);
        const bool hangUpAfter = m_options.durationS < 0; // no --duration: the digits are the call
        QTimer::singleShot(std::chrono::milliseconds(qint64(m_options.dtmfDelayS * 1000)), Qt::PreciseTimer, call, [this, call, hangUpAfter] {
            if (hangUpAfter) {
                // --timeout now bounds the digits: their own time plus the timeout, so a sequence
                // that never completes (a far end that never answers an INFO) still ends.
                m_overall.start(std::chrono::milliseconds(dtmfSequenceMs() + qint64(m_common.timeoutSeconds * 1000)));
                // Hang up a moment after the last digit: the far end's detector needs its pause too.
                connect(call, &phone::Call::dtmfSent, call, [call] { QTimer::singleShot(1000, call, [call] { call->hangUp(); }); });
            }
            // A refusal is the analyzer's finding (with its code), reported by the dtmfFinding connection.
            if (!call->sendDtmf(m_options.dtmfDigits, m_options.dtmfMode) && hangUpAfter)
                call->hangUp();
        });
    });
}

qint64 CallRunner::dtmfSequenceMs() const
{
    const phone::DtmfSettings &d = m_options.settings.dtmf;
    qint64 ms = 0;
    for (QChar c : m_options.dtmfDigits)
        ms += c == QLatin1Char(',') ? d.send.commaMs : d.send.toneMs + d.send.pauseMs + 60; // 60: the end packets
    return ms;
}

void CallRunner::addDtmfFields(QJsonObject &result, const phone::Call &call)
{
    QString sent, received;
    int failed = 0;
    for (const dtmf::MergedDigit &d : call.dtmfAnalyzer().digits()) {
        if (d.dir == dtmf::Direction::In) {
            received += QChar::fromLatin1(d.digit);
            continue;
        }
        // An INFO answered with an error (or not at all) did not deliver its digit.
        const bool delivered = std::any_of(d.events.begin(), d.events.end(),
            [](const dtmf::DigitEvent &e) { return e.mode != dtmf::Mode::Info || (e.infoStatus && *e.infoStatus >= 200 && *e.infoStatus < 300); });
        if (delivered)
            sent += QChar::fromLatin1(d.digit);
        else
            ++failed;
    }
    result.insert(QStringLiteral("dtmf_sent"), sent);
    result.insert(QStringLiteral("dtmf_received"), received);
    if (failed)
        result.insert(QStringLiteral("dtmf_failed"), failed);
    result.insert(QStringLiteral("dtmf_findings"), qsizetype(call.dtmfAnalyzer().findings().size()));
}

void CallRunner::fail(const QString &outcome, int status, const QString &reason, int code)
{
    QJsonObject r {{QStringLiteral("outcome"), outcome}, {QStringLiteral("reason"), reason}};
    if (status)
        r.insert(QStringLiteral("status"), status);
    finish(r, code);
}

void CallRunner::finish(QJsonObject result, int code)
{
    if (std::exchange(m_finishing, true))
        return;
    if (!m_srtp.isEmpty() && !result.contains(QStringLiteral("srtp")))
        result.insert(QStringLiteral("srtp"), m_srtp); // the suite of the last call, or "off"
    if (!m_srtpFinding.isEmpty() && !result.contains(QStringLiteral("finding")))
        result.insert(QStringLiteral("finding"), m_srtpFinding); // mandatory SRTP refused, or keys that crossed in clear
    m_overall.stop();
    m_center->setAccepting(false); // no new call rings while we wind down
    const QList<phone::Call *> calls = m_center->calls();
    for (phone::Call *c : calls)
        c->hangUp();
    auto conclude = [this, result, code] {
        if (m_common.ladder)
            reportLadder(m_out, m_capture.ladder());
        writeCapture(m_capture, m_common.pcapPath);
        m_out.event(QStringLiteral("result"), result);
        m_out.text(QStringLiteral("%1: %2").arg(result.value(QStringLiteral("outcome")).toString(), result.value(QStringLiteral("reason")).toString()));
        QCoreApplication::exit(code);
    };
    // Let the last transactions (BYE, CANCEL) finish and remove our binding, within a few seconds.
    auto settle = std::make_shared<QTimer>();
    auto deadline = std::make_shared<QElapsedTimer>();
    deadline->start();
    const bool unregister = m_registration && m_registration->state() == phone::Registration::State::Registered;
    if (unregister)
        m_registration->unregister();
    connect(settle.get(), &QTimer::timeout, this, [this, settle, deadline, conclude, unregister] {
        const bool busy = !m_center->calls().isEmpty() || (unregister && m_registration->state() == phone::Registration::State::Unregistering);
        if (busy && deadline->elapsed() < 4000)
            return;
        settle->stop();
        conclude();
    });
    settle->start(50);
}

} // namespace ds::cli
