#pragma once
// LoopbackTransport: a test transport that records every message sent (bytes, destination and
// simulated time) and lets the test deliver what "arrives" from the peer (STYLE.md 13).

#include "sip/clock.h"
#include "sip/parser.h"
#include "sip/transport.h"

#include <QList>
#include <QTest>

#include <algorithm>

namespace ds::sip::test {

class LoopbackTransport final : public Transport {
public:
    struct Sent {
        Message message;
        Endpoint to;
        qint64 at = 0;
    };

    explicit LoopbackTransport(const Clock &clock, bool reliable = false)
        : m_clock(clock)
        , m_reliable(reliable)
    {
    }
    TransportKind kind() const override { return m_reliable ? TransportKind::Tcp : TransportKind::Udp; }
    Endpoint localEndpoint() const override { return {QHostAddress(QStringLiteral("127.0.0.1")), 5060}; }
    void send(const QByteArray &bytes, const Endpoint &to) override
    {
        auto m = Parser::parse(bytes);
        if (!m)
            qFatal("the stack sent bytes that do not parse: %s\n%s", qPrintable(m.error().toString()), bytes.constData());
        wire.append({*m, to, m_clock.nowMs()});
        emit sent(bytes, to);
    }
    void close() override { }

    void deliver(const QByteArray &bytes, const Endpoint &from = {QHostAddress(QStringLiteral("127.0.0.1")), 5070})
    {
        auto m = Parser::parse(bytes);
        if (!m)
            qFatal("test message does not parse: %s\n%s", qPrintable(m.error().toString()), bytes.constData());
        emit received(*m, from);
    }

    // What was sent since index `from`, filtered: requests by method, responses by status code.
    QList<Sent> requests(QByteArrayView method, qsizetype from = 0) const
    {
        QList<Sent> out;
        for (qsizetype i = from; i < wire.size(); ++i)
            if (wire[i].message.isRequest() && wire[i].message.method() == method)
                out.append(wire[i]);
        return out;
    }
    QList<Sent> responses(int status, qsizetype from = 0) const
    {
        QList<Sent> out;
        for (qsizetype i = from; i < wire.size(); ++i)
            if (wire[i].message.statusCode() == status)
                out.append(wire[i]);
        return out;
    }
    const Message &last() const { return wire.last().message; }

    QList<Sent> wire; // everything sent, in order

private:
    const Clock &m_clock;
    bool m_reliable;
};

// Drops retransmissions (the same bytes again), keeping each message's first send.
inline QList<LoopbackTransport::Sent> firstSends(const QList<LoopbackTransport::Sent> &sent)
{
    QList<LoopbackTransport::Sent> out;
    for (const auto &s : sent)
        if (std::none_of(out.begin(), out.end(), [&](const auto &o) { return o.message.raw() == s.message.raw(); }))
            out.append(s);
    return out;
}

// When each was sent, relative to t0.
inline QList<qint64> timesSince(const QList<LoopbackTransport::Sent> &sent, qint64 t0)
{
    QList<qint64> out;
    for (const auto &s : sent)
        out.append(s.at - t0);
    return out;
}

} // namespace ds::sip::test
