#pragma once
// Field parsers and writers shared by the SDP model's parts (RFC 4566 5): one function per
// line type or attribute, each returning a sentence on failure. Internal to core/sdp.

#include "session_description.h"

#include <QString>

#include <expected>
#include <limits>
#include <optional>

namespace ds::sdp::lines {

using Fail = std::unexpected<QString>;

QString quoted(QByteArrayView v);
QList<QByteArrayView> fields(QByteArrayView v);
std::optional<quint64> number(QByteArrayView v, quint64 max = std::numeric_limits<quint64>::max());
bool isToken(QByteArrayView v);
bool isDottedQuad(QByteArrayView v);
std::expected<Connection, QString> parseConnection(QByteArrayView value);
std::expected<Origin, QString> parseOrigin(QByteArrayView value);
std::expected<Bandwidth, QString> parseBandwidth(QByteArrayView value);
std::expected<Timing, QString> parseTiming(QByteArrayView value);
std::expected<MediaDescription, QString> parseMedia(QByteArrayView value);
std::expected<RtpMap, QString> parseRtpMap(QByteArrayView value);
std::optional<int> parsePtime(QByteArrayView value);
std::optional<QString> checkAttribute(const Attribute &a);
void writeLine(QByteArray &out, char type, QByteArrayView value);
QByteArray connectionText(const Connection &c);
void writeAttributes(QByteArray &out, const AttributeList &list);

} // namespace ds::sdp::lines
