#include "offer_answer.h"

#include <QStringList>

namespace ds::sdp {

namespace {

struct KnownCodec {
    QByteArrayView name;
    int clockRate;
    int channels;
    int staticPayloadType; // -1 for a dynamic one
    QByteArrayView fmtp; // what we say we receive (RFC 7587 6.1 for opus)
};

constexpr KnownCodec kKnownCodecs[] = {
    {"PCMU", 8000, 1, 0, ""}, {"PCMA", 8000, 1, 8, ""}, {"G722", 8000, 1, 9, ""}, // RFC 3551 4.5.2: clock 8000 for a 16 kHz codec
    {"opus", 48000, 2, -1, "useinbandfec=1;maxplaybackrate=48000;stereo=0;sprop-stereo=0"}, // RFC 7587 4.1: always /48000/2
};

constexpr int kFirstDynamicPayloadType = 96; // RFC 3551 3
constexpr QByteArrayView kTelephoneEvent = "telephone-event";
constexpr QByteArrayView kDtmfEvents = "0-16"; // RFC 4733 3.2: DTMF 0-15 and flash

const KnownCodec *knownCodec(QByteArrayView name)
{
    for (const KnownCodec &k : kKnownCodecs)
        if (name.compare(k.name, Qt::CaseInsensitive) == 0)
            return &k;
    return nullptr;
}

// The codec of `local` that an offered codec matches by name, clock rate and channels.
const KnownCodec *localMatch(const Codec &offered, const LocalMedia &local)
{
    for (const QByteArray &name : local.codecs) {
        const KnownCodec *k = knownCodec(name);
        if (k && offered.is(k->name) && offered.clockRate == k->clockRate && offered.channels == k->channels)
            return k;
    }
    return nullptr;
}

bool isAudioCodec(const Codec &c) { return !c.is(kTelephoneEvent) && !c.is("CN"); }

bool isHeld(Direction d) { return d == Direction::SendOnly || d == Direction::Inactive; }

SessionDescription baseDescription(const LocalMedia &local)
{
    SessionDescription s;
    const QByteArray addrType = local.address.contains(':') ? "IP6" : "IP4";
    s.origin = Origin {local.username, QByteArray::number(local.sessionId), local.sessionVersion, "IN", addrType, local.address};
    s.sessionName = "dialscope";
    s.connection = Connection {"IN", addrType, local.address, {}};
    return s;
}

// Where we send, and the legacy hold of RFC 3264 8.4: nothing is sent to c=0.0.0.0.
void fillRemote(Negotiated &n, const Connection &c, int port, Direction ours, bool held)
{
    n.remoteAddress = c.address;
    n.remotePort = port;
    n.direction = c.isNullHold() ? makeDirection(false, receives(ours)) : ours;
    n.onHold = held || c.isNullHold();
}

void pickTelephoneEvent(Negotiated &n, const QList<Codec> &events)
{
    for (const Codec &e : events)
        if (e.clockRate == n.codec.clockRate) {
            n.telephoneEventPayloadType = e.payloadType;
            n.telephoneEventClockRate = e.clockRate;
            return;
        }
    if (!events.isEmpty()) {
        n.telephoneEventPayloadType = events.first().payloadType;
        n.telephoneEventClockRate = events.first().clockRate;
    }
}

std::unexpected<Error> badAnswer(QString what) { return std::unexpected(Error {Error::Code::BadAnswer, std::move(what), 0}); }

constexpr QByteArrayView kAvp = "RTP/AVP";
constexpr QByteArrayView kSavp = "RTP/SAVP"; // RFC 3711 12

// RFC 4568 6.1 on the answerer's side: what our SRTP mode makes of one offered audio stream.
struct SrtpVerdict {
    bool usable = true; // false: reject the stream
    std::optional<CryptoChoice> choice; // SRTP with these lines
    QString problem; // why there is no SRTP, when the offer had some
};

SrtpVerdict judgeSrtp(const MediaDescription &om, const LocalMedia &local)
{
    SrtpVerdict v;
    const bool savp = om.proto == kSavp;
    const QList<QByteArray> lines = om.attributeValues("crypto");
    if (local.srtp == SrtpMode::Off) {
        if (savp) {
            v.usable = false;
            v.problem = QStringLiteral("the offer is RTP/SAVP (SRTP only) and SRTP is off for this account");
        }
        return v; // a=crypto in an RTP/AVP offer is ignored: plain RTP
    }
    if (lines.isEmpty()) {
        v.problem = savp ? QStringLiteral("the RTP/SAVP offer has no a=crypto line (RFC 4568 needs one)")
                         : QStringLiteral("the offer has no a=crypto line (plain RTP)");
    } else if (auto c = chooseAnswerCrypto(lines, local.cryptoSuites)) {
        v.choice = std::move(*c);
        return v;
    } else {
        v.problem = c.error().what;
    }
    v.usable = !savp && local.srtp != SrtpMode::Mandatory;
    if (!v.usable && local.srtp == SrtpMode::Mandatory)
        v.problem = QStringLiteral("SRTP is mandatory and %1").arg(v.problem);
    return v;
}

} // namespace

bool isSupportedCodec(QByteArrayView name) { return knownCodec(name) != nullptr; }

QByteArray srtpModeName(SrtpMode mode)
{
    switch (mode) {
    case SrtpMode::Off:
        return "off";
    case SrtpMode::Optional:
        return "optional";
    case SrtpMode::Mandatory:
        return "mandatory";
    }
    return "off";
}

std::optional<SrtpMode> srtpModeFromName(QByteArrayView name)
{
    for (SrtpMode m : {SrtpMode::Off, SrtpMode::Optional, SrtpMode::Mandatory})
        if (name.compare(srtpModeName(m), Qt::CaseInsensitive) == 0)
            return m;
    return std::nullopt;
}

std::expected<QList<CryptoAttribute>, QString> makeOfferCrypto(SrtpMode mode, const QList<CryptoSuite> &suites)
{
    QList<CryptoAttribute> out;
    if (mode == SrtpMode::Off)
        return out;
    quint32 tag = 1;
    for (CryptoSuite s : suites) {
        auto a = makeCryptoAttribute(tag++, s);
        if (!a)
            return std::unexpected(a.error());
        out.append(std::move(*a));
    }
    return out;
}

SessionDescription makeOffer(const LocalMedia &local)
{
    SessionDescription s = baseDescription(local);
    MediaDescription m;
    m.media = "audio";
    m.port = local.audioPort;
    // RFC 4568 / RFC 3711: SAVP when only SRTP will do; the best-effort offer stays AVP with a=crypto, which
    // every peer can answer (one that ignores a=crypto just answers plain RTP).
    m.proto = (local.srtp == SrtpMode::Mandatory ? kSavp : kAvp).toByteArray();
    Q_ASSERT_X(local.srtp == SrtpMode::Off || !local.crypto.isEmpty(), "makeOffer", "SRTP wanted but no a=crypto line given");
    int nextDynamic = kFirstDynamicPayloadType;
    bool opus = false;
    QList<const KnownCodec *> added;
    for (const QByteArray &name : local.codecs) {
        const KnownCodec *k = knownCodec(name);
        if (!k || added.contains(k))
            continue;
        added.append(k);
        const int pt = k->staticPayloadType >= 0 ? k->staticPayloadType : nextDynamic++;
        m.addCodec(Codec {pt, k->name.toByteArray(), k->clockRate, k->channels, k->fmtp.toByteArray()});
        opus = opus || k->name == "opus";
    }
    Q_ASSERT_X(!added.isEmpty(), "makeOffer", "no supported codec in LocalMedia::codecs");
    if (local.telephoneEvent) {
        // RFC 4733 2.1: the event clock rate follows the audio codec's, so one per rate offered.
        m.addCodec(Codec {nextDynamic++, kTelephoneEvent.toByteArray(), 8000, 1, kDtmfEvents.toByteArray()});
        if (opus)
            m.addCodec(Codec {nextDynamic++, kTelephoneEvent.toByteArray(), 48000, 1, kDtmfEvents.toByteArray()});
    }
    m.addAttribute("ptime", QByteArray::number(local.ptime));
    if (local.srtp != SrtpMode::Off)
        for (const CryptoAttribute &c : local.crypto)
            m.addAttribute("crypto", c.toValue());
    if (local.rtcpMux)
        m.addAttribute("rtcp-mux");
    m.setDirection(local.direction);
    s.media.append(m);
    return s;
}

std::expected<Negotiated, Error> answerOffer(const SessionDescription &offer, const LocalMedia &local)
{
    Negotiated n;
    n.answer = baseDescription(local);
    QStringList offered, srtpRefusals;
    for (qsizetype i = 0; i < offer.media.size(); ++i) {
        const MediaDescription &om = offer.media[i];
        // RFC 3264 6: a rejected stream keeps its m= line with port 0 and the offered formats.
        MediaDescription am;
        am.media = om.media;
        am.proto = om.proto;
        am.portCount = 1;
        am.port = 0;
        am.formats = om.formats;
        const auto connection = offer.connectionOf(i);
        // One audio stream, RTP or SRTP (RTP/SAVP); no feedback profiles (RTP/AVPF) yet.
        const bool rtpProfile = om.proto == kAvp || om.proto == kSavp;
        SrtpVerdict srtp;
        if (n.mediaIndex < 0 && om.media == "audio" && om.port != 0 && rtpProfile && connection) {
            srtp = judgeSrtp(om, local);
            if (!srtp.usable)
                srtpRefusals.append(srtp.problem);
        }
        if (n.mediaIndex < 0 && om.media == "audio" && om.port != 0 && rtpProfile && connection && srtp.usable) {
            const QList<Codec> codecs = om.codecs();
            QList<Codec> common, events;
            for (const Codec &c : codecs) {
                if (isAudioCodec(c))
                    offered.append(QString::fromLatin1(c.toString()));
                if (isAudioCodec(c) && localMatch(c, local))
                    common.append(c);
            }
            if (!common.isEmpty()) {
                // RFC 3264 6.1: same payload type numbers as the offer; we keep the offerer's
                // order (the answerer may reorder, but following the offerer avoids a mismatch
                // of preferences on the two sides).
                am.port = local.audioPort;
                am.formats.clear();
                for (const Codec &c : common)
                    am.addCodec(Codec {c.payloadType, c.encoding, c.clockRate, c.channels, localMatch(c, local)->fmtp.toByteArray()});
                // RFC 4733 2.1: keep telephone-event at a rate one of the accepted codecs uses.
                for (const Codec &c : codecs)
                    if (local.telephoneEvent && c.is(kTelephoneEvent)
                        && std::any_of(common.begin(), common.end(), [&](const Codec &a) { return a.clockRate == c.clockRate; })) {
                        am.addCodec(Codec {c.payloadType, c.encoding, c.clockRate, 1, kDtmfEvents.toByteArray()});
                        events.append(c);
                    }
                am.addAttribute("ptime", QByteArray::number(local.ptime));
                if (srtp.choice) {
                    // RFC 4568 6.1: one line in the answer, the offer's tag and suite with our own key.
                    am.addAttribute("crypto", srtp.choice->local.toValue());
                    n.srtp = NegotiatedSrtp {*srtp.choice->remote.suite, srtp.choice->local, srtp.choice->remote};
                } else if (local.srtp != SrtpMode::Off && !om.attributeValues("crypto").isEmpty()) {
                    n.srtpNote = srtp.problem; // keyed, but not in a way we can use: plain RTP
                }
                n.rtcpMux = local.rtcpMux && om.rtcpMux(); // RFC 5761 5.1.1: only when offered
                if (n.rtcpMux)
                    am.addAttribute("rtcp-mux");
                // RFC 3264 6.1: sendonly is answered recvonly, recvonly sendonly, inactive inactive;
                // our own direction can only narrow that.
                const Direction theirs = offer.directionOf(i);
                const Direction ours = makeDirection(sends(local.direction) && receives(theirs), receives(local.direction) && sends(theirs));
                am.setDirection(ours);
                n.mediaIndex = i;
                n.codec = common.first();
                pickTelephoneEvent(n, events);
                n.ptime = offer.ptimeOf(i).value_or(local.ptime); // a=ptime is what the receiver wants
                fillRemote(n, *connection, om.port, ours, isHeld(theirs) || isHeld(local.direction));
            }
        }
        n.answer.media.append(std::move(am));
    }
    if (n.mediaIndex < 0 && !srtpRefusals.isEmpty() && offered.isEmpty())
        return std::unexpected(
            Error {Error::Code::NotAcceptableHere, QStringLiteral("no usable audio stream: %1").arg(srtpRefusals.join(QStringLiteral("; "))), 0});
    if (n.mediaIndex < 0) {
        QStringList ours;
        for (const QByteArray &c : local.codecs)
            ours.append(QString::fromLatin1(c));
        return std::unexpected(Error {Error::Code::NotAcceptableHere,
            QStringLiteral("no usable audio stream: offered %1, we support %2")
                .arg(offered.isEmpty() ? QStringLiteral("no RTP/AVP audio codec") : offered.join(QStringLiteral(", ")), ours.join(QStringLiteral(", "))),
            0});
    }
    return n;
}

namespace {

// RFC 4568 7.1.3 / 7.5: the offerer's side. Fills n.srtp, or says why the answer cannot be used.
std::optional<Error> checkSrtpAnswer(const MediaDescription &om, const MediaDescription &am, Negotiated &n)
{
    const QList<QByteArray> ours = om.attributeValues("crypto");
    const bool mandatory = om.proto == kSavp;
    if (mandatory && am.proto != kSavp) // RFC 3264 6: the answer keeps the offer's transport
        return Error {Error::Code::BadAnswer, QStringLiteral("we offered SRTP only (RTP/SAVP) and the answer says %1").arg(QString::fromLatin1(am.proto)), 0};
    if (ours.isEmpty())
        return std::nullopt; // we offered plain RTP: an a=crypto in the answer (baresip's best effort adds one) means nothing
    const QList<QByteArray> theirs = am.attributeValues("crypto");
    if (theirs.isEmpty()) {
        if (mandatory)
            return Error {Error::Code::BadAnswer, QStringLiteral("SRTP is mandatory and the answer has no a=crypto line"), 0};
        n.srtpNote = QStringLiteral("the far end answered without a=crypto: plain RTP, not encrypted");
        return std::nullopt;
    }
    QList<CryptoAttribute> offered;
    for (const QByteArray &v : ours)
        if (auto a = CryptoAttribute::parse(v))
            offered.append(std::move(*a));
    auto answered = checkAnswerCrypto(theirs, offered);
    if (!answered)
        return Error {Error::Code::BadAnswer, QStringLiteral("the answer's a=crypto is unusable: %1").arg(answered.error().what), 0};
    const auto local = std::find_if(offered.begin(), offered.end(), [&](const CryptoAttribute &o) { return o.tag == answered->tag; });
    n.srtp = NegotiatedSrtp {*answered->suite, *local, *answered};
    return std::nullopt;
}

} // namespace

std::expected<Negotiated, Error> processAnswer(const SessionDescription &offer, const SessionDescription &answer)
{
    // RFC 3264 6: one m= line in the answer for each in the offer, same order, same media type.
    if (answer.media.size() != offer.media.size())
        return badAnswer(QStringLiteral("the answer has %1 m= lines but the offer had %2").arg(answer.media.size()).arg(offer.media.size()));
    Negotiated n;
    for (qsizetype i = 0; i < offer.media.size(); ++i) {
        const MediaDescription &om = offer.media[i];
        const MediaDescription &am = answer.media[i];
        if (am.media != om.media)
            return badAnswer(QStringLiteral("m= line %1 is %2 in the answer but %3 in the offer")
                                 .arg(i + 1)
                                 .arg(QString::fromLatin1(am.media), QString::fromLatin1(om.media)));
        if (om.port == 0 && am.port != 0)
            return badAnswer(QStringLiteral("m= line %1 was disabled in the offer but the answer accepts it").arg(i + 1));
        if (n.mediaIndex >= 0 || om.media != "audio" || am.port == 0 || om.port == 0)
            continue;

        // Strict subset: RFC 3264 6.1 lets a recvonly answer add formats, but we could not send
        // them and a sendrecv answer may not, so anything not offered is refused.
        const QList<Codec> offered = om.codecs();
        const QList<int> offeredTypes = om.payloadTypes();
        const QList<Codec> answered = am.codecs();
        for (int pt : am.payloadTypes()) {
            const auto it = std::find_if(answered.begin(), answered.end(), [&](const Codec &c) { return c.payloadType == pt; });
            const auto match = std::find_if(offered.begin(), offered.end(),
                [&](const Codec &c) { return c.payloadType == pt && it != answered.end() && c.is(it->encoding) && c.clockRate == it->clockRate; });
            if (!offeredTypes.contains(pt) || (it != answered.end() && match == offered.end()))
                return badAnswer(QStringLiteral("the answer lists %1 (payload type %2), which the offer did not")
                                     .arg(it != answered.end() ? QString::fromLatin1(it->toString()) : QStringLiteral("a format"))
                                     .arg(pt));
        }
        // RFC 3264 6.1: the answerer may only send what we receive and receive what we send.
        const Direction ourOffer = offer.directionOf(i);
        const Direction theirAnswer = answer.directionOf(i);
        if ((sends(theirAnswer) && !receives(ourOffer)) || (receives(theirAnswer) && !sends(ourOffer)))
            return badAnswer(QStringLiteral("the answer says %1 to our %2 offer")
                                 .arg(QString::fromLatin1(directionName(theirAnswer)), QString::fromLatin1(directionName(ourOffer))));
        const auto codec = std::find_if(answered.begin(), answered.end(), isAudioCodec);
        if (codec == answered.end())
            return badAnswer(QStringLiteral("the answer accepts the audio stream but names no audio codec"));
        const auto connection = answer.connectionOf(i);
        if (!connection)
            return badAnswer(QStringLiteral("the answer gives no c= address for the audio stream"));
        QList<Codec> events;
        for (const Codec &c : answered)
            if (c.is(kTelephoneEvent))
                events.append(c);
        n.mediaIndex = i;
        n.codec = *codec;
        pickTelephoneEvent(n, events);
        n.ptime = answer.ptimeOf(i).value_or(20);
        n.rtcpMux = om.rtcpMux() && am.rtcpMux();
        if (auto error = checkSrtpAnswer(om, am, n))
            return std::unexpected(*error);
        fillRemote(n, *connection, am.port, reversed(theirAnswer), isHeld(ourOffer) || isHeld(theirAnswer));
    }
    if (n.mediaIndex < 0)
        return std::unexpected(Error {Error::Code::NotAcceptableHere, QStringLiteral("the answer rejected every audio stream"), 0});
    return n;
}

SessionDescription withDirection(const SessionDescription &previous, Direction direction)
{
    SessionDescription s = previous;
    ++s.origin.sessionVersion; // RFC 3264 8: a changed description increments the version by one
    s.setDirection(std::nullopt);
    for (MediaDescription &m : s.media)
        if (m.media == "audio" && m.port != 0)
            m.setDirection(direction);
    return s;
}

SessionDescription holdOffer(const SessionDescription &previous)
{
    Direction current = Direction::SendRecv;
    for (qsizetype i = 0; i < previous.media.size(); ++i)
        if (previous.media[i].media == "audio" && previous.media[i].port != 0) {
            current = previous.directionOf(i);
            break;
        }
    return withDirection(previous, makeDirection(sends(current), false));
}

SessionDescription resumeOffer(const SessionDescription &previous, Direction direction) { return withDirection(previous, direction); }

} // namespace ds::sdp
