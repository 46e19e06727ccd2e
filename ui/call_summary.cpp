#include "call_summary.h"

#include "sdp/session_description.h"

namespace ds::ui {

using phone::Call;

QString CallSummary::stateText(Call::State state)
{
    switch (state) {
    case Call::State::Dialing:
        return tr("Dialing");
    case Call::State::Ringing:
        return tr("Ringing");
    case Call::State::EarlyMedia:
        return tr("Early media");
    case Call::State::Incoming:
        return tr("Incoming");
    case Call::State::Connecting:
        return tr("Connecting");
    case Call::State::Active:
        return tr("Active");
    case Call::State::Held:
        return tr("On hold");
    case Call::State::RemoteHeld:
        return tr("Held by far end");
    case Call::State::Ending:
        return tr("Ending");
    case Call::State::Ended:
        return tr("Ended");
    }
    return {};
}

QString CallSummary::endText(const sip::SessionEnd &end)
{
    using Cause = sip::SessionEnd::Cause;
    const QString reason = QString::fromUtf8(end.reason);
    const QString status = end.status ? QStringLiteral("%1 %2").arg(end.status).arg(reason).trimmed() : reason;
    const auto with = [&status](const QString &words) { return status.isEmpty() ? words : QStringLiteral("%1 (%2)").arg(words, status); };
    switch (end.cause) {
    case Cause::LocalBye:
        return tr("you hung up");
    case Cause::RemoteBye:
        return tr("the far end hung up");
    case Cause::LocalCancel:
        return tr("cancelled before the answer");
    case Cause::RemoteCancel:
        return tr("the caller gave up before the answer");
    case Cause::Declined:
        return with(tr("you refused the call"));
    case Cause::Timeout:
        return with(tr("no response in time"));
    case Cause::TransportError:
        return with(tr("network error"));
    case Cause::AuthFailed:
        return with(tr("authentication failed"));
    case Cause::Rejected:
        break;
    }
    switch (end.status) {
    case 486:
    case 600:
        return with(tr("busy"));
    case 603:
        return with(tr("declined"));
    case 404:
    case 604:
        return with(tr("no such user"));
    case 480:
        return with(tr("not available"));
    case 408:
    case 487:
        return with(tr("no answer"));
    case 488:
    case 606:
        return with(tr("no common codec"));
    default:
        return with(tr("refused"));
    }
}

QString CallSummary::durationText(qint64 ms)
{
    const qint64 s = qMax<qint64>(0, ms) / 1000;
    if (s >= 3600)
        return QStringLiteral("%1:%2:%3").arg(s / 3600).arg((s / 60) % 60, 2, 10, QLatin1Char('0')).arg(s % 60, 2, 10, QLatin1Char('0'));
    return QStringLiteral("%1:%2").arg(s / 60, 2, 10, QLatin1Char('0')).arg(s % 60, 2, 10, QLatin1Char('0'));
}

QString CallSummary::msText(std::optional<double> ms) { return ms ? tr("%1 ms").arg(*ms, 0, 'f', 1) : QStringLiteral("—"); }

QStringList CallSummary::audioProblems(const media::StreamStats &s, const std::optional<sdp::Negotiated> &negotiated, qint64 connectedMs, bool soundCard)
{
    if (!negotiated)
        return {tr("no media negotiated yet")};
    const sdp::Negotiated &n = *negotiated;
    const QString remote = QStringLiteral("%1:%2").arg(QString::fromLatin1(n.remoteAddress)).arg(n.remotePort);
    const bool send = sdp::sends(n.direction);
    const bool receive = sdp::receives(n.direction);
    QStringList p;
    if (!send && !receive)
        p << tr("media inactive: both sides on hold");
    if (s.muted)
        p << tr("muted: silence goes out");
    if (send) {
        if (s.portUnreachable > 0)
            p << tr("nobody listens at %1 (ICMP port unreachable)").arg(remote);
        if (s.sendErrors > 0)
            p << tr("%1 packets could not be sent").arg(s.sendErrors);
        if (connectedMs > 1000 && s.rtpSent == 0)
            p << tr("no RTP sent");
        if (soundCard && !s.muted && s.framesCaptured > 50 && s.sendLevelDbfs < -80)
            p << tr("microphone silent");
    }
    if (receive) {
        if (s.rtpReceived == 0 && connectedMs > 3000)
            p << tr("no RTP arriving from %1").arg(remote);
        if (s.rtpFromUnexpected > 0)
            p << tr("RTP from unexpected address %1").arg(s.lastSource);
        if (s.rtpMalformed > 0)
            p << tr("%1 datagrams are not RTP").arg(s.rtpMalformed);
        if (s.unknownPayloadType > 0)
            p << tr("%1 packets with unexpected payload type %2").arg(s.unknownPayloadType).arg(s.lastUnknownPayloadType);
        if (s.decodeErrors > 0)
            p << tr("decode errors: %1").arg(s.decodeErrors);
        else if (s.rtpReceived > 0 && s.decoded == 0 && s.unknownPayloadType == 0 && s.eventPackets < s.rtpReceived && connectedMs > 3000)
            p << tr("RTP arrives but nothing is decoded");
        if (s.fractionLost >= 0.05)
            p << tr("%1% of packets lost").arg(qRound(s.fractionLost * 100));
    }
    return p;
}

QString CallSummary::audioPath(const media::StreamStats &s, const std::optional<sdp::Negotiated> &negotiated, qint64 connectedMs, bool soundCard)
{
    const QStringList problems = audioProblems(s, negotiated, connectedMs, soundCard);
    if (!problems.isEmpty())
        return problems.join(QStringLiteral(" · "));
    const bool send = negotiated && sdp::sends(negotiated->direction);
    const bool receive = negotiated && sdp::receives(negotiated->direction);
    if (send && !receive)
        return tr("sending only (hold): %1 packets sent").arg(s.rtpSent);
    if (receive && !send)
        return tr("receiving only (hold): %1 packets received").arg(s.rtpReceived);
    if (s.rtpSent == 0 && s.rtpReceived == 0)
        return tr("waiting for audio");
    if (s.rtpReceived == 0)
        return tr("waiting for the far end's RTP: %1 packets sent").arg(s.rtpSent);
    return tr("audio flows: %1 packets sent, %2 received").arg(s.rtpSent).arg(s.rtpReceived);
}

namespace {

// The audio m= line the negotiation accepted (same index in offer and answer, RFC 3264 6), else the first.
const sdp::MediaDescription *audioOf(const std::optional<sdp::SessionDescription> &d, qsizetype index)
{
    if (!d)
        return nullptr;
    if (index >= 0 && index < d->media.size())
        return &d->media[index];
    for (const sdp::MediaDescription &m : d->media)
        if (m.media == "audio")
            return &m;
    return nullptr;
}

qsizetype indexOf(const std::optional<sdp::SessionDescription> &d, const sdp::MediaDescription *m) { return d && m ? qsizetype(m - d->media.constData()) : -1; }

QString codecList(const sdp::MediaDescription *m, bool events)
{
    if (!m)
        return {};
    QStringList out;
    for (const sdp::Codec &c : m->codecs())
        if (c.is("telephone-event") == events)
            out << QStringLiteral("%1 (%2)").arg(QString::fromLatin1(c.toString())).arg(c.payloadType);
    return out.join(QStringLiteral(", "));
}

QString payloadTypes(const sdp::MediaDescription *m)
{
    if (!m)
        return {};
    QStringList out;
    for (int pt : m->payloadTypes())
        out << QString::number(pt);
    return out.join(u' ');
}

std::optional<sdp::Codec> codecFor(int pt, const sdp::MediaDescription *answer, const sdp::MediaDescription *offer)
{
    for (const sdp::MediaDescription *m : {answer, offer})
        if (m)
            for (const sdp::Codec &c : m->codecs())
                if (c.payloadType == pt)
                    return c;
    return sdp::staticCodec(pt);
}

QString address(const std::optional<sdp::SessionDescription> &d, const sdp::MediaDescription *m)
{
    if (!m)
        return {};
    const auto c = d->connectionOf(indexOf(d, m));
    return QStringLiteral("%1:%2").arg(c ? QString::fromLatin1(c->address) : QStringLiteral("?")).arg(m->port);
}

QString direction(const std::optional<sdp::SessionDescription> &d, const sdp::MediaDescription *m)
{
    return m ? QString::fromLatin1(sdp::directionName(d->directionOf(indexOf(d, m)))) : QString();
}

} // namespace

QString CallSummary::offeredTitle(bool offerIsOurs) { return offerIsOurs ? tr("Our offer") : tr("Their offer"); }

QString CallSummary::answeredTitle(bool offerIsOurs) { return offerIsOurs ? tr("Their answer") : tr("Our answer"); }

QList<NegotiationRow> CallSummary::negotiationRows(
    const QByteArray &offerSdp, const QByteArray &answerSdp, const std::optional<sdp::Negotiated> &negotiated, const media::StreamStats &s, bool offerIsOurs)
{
    std::optional<sdp::SessionDescription> offer, answer;
    if (auto o = sdp::SessionDescription::parse(offerSdp); o && !offerSdp.isEmpty())
        offer = *o;
    if (auto a = sdp::SessionDescription::parse(answerSdp); a && !answerSdp.isEmpty())
        answer = *a;
    const qsizetype index = negotiated ? negotiated->mediaIndex : -1;
    const sdp::MediaDescription *om = audioOf(offer, index);
    const sdp::MediaDescription *am = audioOf(answer, index);
    const bool receiving = s.receivedPayloadType >= 0;

    QList<NegotiationRow> rows;
    NegotiationRow codec {tr("Codec"), codecList(om, false), codecList(am, false), {}, {}};
    NegotiationRow pt {tr("Payload type"), payloadTypes(om), payloadTypes(am), {}, {}};
    if (receiving) {
        const auto c = codecFor(s.receivedPayloadType, am, om);
        codec.received = c ? QString::fromLatin1(c->toString()) : tr("unknown");
        pt.received = QString::number(s.receivedPayloadType);
        if (negotiated && s.receivedPayloadType != negotiated->codec.payloadType)
            pt.problem = codec.problem = tr("payload type %1 arrives, %2 (%3) was negotiated")
                                             .arg(s.receivedPayloadType)
                                             .arg(negotiated->codec.payloadType)
                                             .arg(QString::fromLatin1(negotiated->codec.toString()));
    }
    if (s.unknownPayloadType > 0) {
        pt.received
            += (pt.received.isEmpty() ? QString() : QStringLiteral("; ")) + tr("%1 packets of PT %2").arg(s.unknownPayloadType).arg(s.lastUnknownPayloadType);
        if (pt.problem.isEmpty())
            pt.problem = tr("payload type %1 is neither the codec nor telephone-event of the answer").arg(s.lastUnknownPayloadType);
    }
    rows << codec << pt;

    NegotiationRow ptime {tr("ptime"), {}, {}, {}, {}};
    const auto ptimeText = [](const std::optional<sdp::SessionDescription> &d, const sdp::MediaDescription *m) {
        if (!m)
            return QString();
        const auto p = d->ptimeOf(indexOf(d, m));
        return p ? tr("%1 ms").arg(*p) : tr("not given");
    };
    ptime.offered = ptimeText(offer, om);
    ptime.answered = ptimeText(answer, am);
    if (s.receivedPtimeMs > 0) {
        ptime.received = tr("%1 ms").arg(s.receivedPtimeMs);
        // RFC 4566 6: a=ptime is what the receiver of the media wants: ours is what should arrive.
        const auto &ours = offerIsOurs ? offer : answer;
        const sdp::MediaDescription *mine = offerIsOurs ? om : am;
        std::optional<int> wanted = mine ? ours->ptimeOf(indexOf(ours, mine)) : std::nullopt;
        if (!wanted && negotiated)
            wanted = negotiated->ptime;
        if (wanted && *wanted != s.receivedPtimeMs)
            ptime.problem = tr("%1 ms packets arrive, %2 ms were asked for").arg(s.receivedPtimeMs).arg(*wanted);
    }
    rows << ptime;

    NegotiationRow events {tr("DTMF events"), codecList(om, true), codecList(am, true), {}, {}};
    if (om && events.offered.isEmpty())
        events.offered = tr("not offered");
    if (am && events.answered.isEmpty())
        events.answered = tr("not accepted");
    if (s.eventPackets > 0)
        events.received = tr("%1 event packets").arg(s.eventPackets);
    rows << events;

    NegotiationRow dir {tr("Direction"), direction(offer, om), direction(answer, am), {}, {}};
    if (s.rtpReceived > 0)
        dir.received = tr("%1 packets received").arg(s.rtpReceived);
    rows << dir;

    NegotiationRow addr {tr("RTP address"), address(offer, om), address(answer, am), s.lastSource, {}};
    if (s.rtpFromUnexpected > 0 && negotiated)
        addr.problem
            = tr("RTP comes from %1, the SDP said %2:%3").arg(s.lastSource, QString::fromLatin1(negotiated->remoteAddress)).arg(negotiated->remotePort);
    rows << addr;
    return rows;
}

} // namespace ds::ui
