#include "message.h"

namespace ds::sip {

namespace {
constexpr bool isWsp(char c) noexcept { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }

// The comma-separated element starting at `pos` (quotes and <> respected), trimmed; `pos`
// moves past its comma, or past the end when it was the last.
QByteArrayView nextListItem(QByteArrayView value, qsizetype &pos)
{
    bool inQuotes = false;
    int angle = 0;
    const qsizetype start = pos;
    for (qsizetype i = start; i < value.size(); ++i) {
        const char c = value[i];
        if (inQuotes) {
            if (c == '\\')
                ++i; // quoted-pair
            else if (c == '"')
                inQuotes = false;
        } else if (c == '"') {
            inQuotes = true;
        } else if (c == '<') {
            ++angle;
        } else if (c == '>') {
            if (angle > 0)
                --angle;
        } else if (c == ',' && angle == 0) {
            pos = i + 1;
            return trimmed(value.sliced(start, i - start));
        }
    }
    pos = value.size() + 1;
    return start < value.size() ? trimmed(value.sliced(start)) : QByteArrayView();
}

// The first non-empty element of a comma list, as splitList() would give it, without building
// the list.
QByteArrayView firstListItem(QByteArrayView value)
{
    qsizetype pos = 0;
    while (pos <= value.size()) {
        const QByteArrayView item = nextListItem(value, pos);
        if (!item.isEmpty())
            return item;
    }
    return {};
}
} // namespace

QByteArrayView trimmed(QByteArrayView v) noexcept
{
    qsizetype b = 0, e = v.size();
    while (b < e && isWsp(v[b]))
        ++b;
    while (e > b && isWsp(v[e - 1]))
        --e;
    return v.sliced(b, e - b);
}

bool equalsNoCase(QByteArrayView a, QByteArrayView b) noexcept
{
    if (a.size() != b.size())
        return false;
    // Equal bytes are the common case; otherwise the two may differ only in the case bit (0x20)
    // of a letter.
    for (qsizetype i = 0; i < a.size(); ++i) {
        const unsigned char x = static_cast<unsigned char>(a[i]), y = static_cast<unsigned char>(b[i]);
        if (x != y && ((x ^ y) != 0x20 || unsigned((x | 0x20) - 'a') > 25u))
            return false;
    }
    return true;
}

void splitList(QByteArrayView value, QList<QByteArrayView> &out)
{
    qsizetype pos = 0;
    while (pos <= value.size()) {
        const QByteArrayView item = nextListItem(value, pos);
        if (!item.isEmpty())
            out.append(item);
    }
}

QByteArrayView Message::value(const HeaderField &h) const
{
    if (h.unfolded)
        return QByteArrayView(m_unfolded.constData() + h.valueOffset, h.valueLength);
    return view(h.valueOffset, h.valueLength);
}

const HeaderField *Message::find(HeaderId id) const
{
    for (const HeaderField &h : m_headers)
        if (h.id == id)
            return &h;
    return nullptr;
}

QByteArrayView Message::header(HeaderId id) const
{
    const HeaderField *h = find(id);
    return h ? value(*h) : QByteArrayView();
}

QByteArrayView Message::header(QByteArrayView name) const
{
    const HeaderId id = headerIdFromName(name);
    if (id != HeaderId::Other)
        return header(id);
    for (const HeaderField &h : m_headers)
        if (h.id == HeaderId::Other && equalsNoCase(this->name(h), name))
            return value(h);
    return {};
}

int Message::headerCount(HeaderId id) const
{
    int n = 0;
    for (const HeaderField &h : m_headers)
        n += h.id == id;
    return n;
}

QList<QByteArrayView> Message::values(HeaderId id) const
{
    QList<QByteArrayView> out;
    const bool list = headerIsList(id);
    for (const HeaderField &h : m_headers) {
        if (h.id != id)
            continue;
        if (list)
            splitList(value(h), out);
        else
            out.append(value(h));
    }
    return out;
}

std::uint32_t Message::cseqNumber() const
{
    const QByteArrayView v = header(HeaderId::CSeq);
    std::uint64_t n = 0;
    qsizetype i = 0;
    for (; i < v.size() && v[i] >= '0' && v[i] <= '9'; ++i) {
        n = n * 10 + std::uint64_t(v[i] - '0');
        if (n > 0xffffffffULL)
            return 0;
    }
    return i == 0 ? 0 : std::uint32_t(n);
}

QByteArrayView Message::cseqMethod() const
{
    const QByteArrayView v = header(HeaderId::CSeq);
    qsizetype i = 0;
    while (i < v.size() && v[i] >= '0' && v[i] <= '9')
        ++i;
    return trimmed(v.sliced(i));
}

QByteArrayView Message::topViaBranch() const
{
    const HeaderField *h = find(HeaderId::Via);
    if (!h)
        return {};
    QByteArrayView v = value(*h);
    // Only the first value of a comma list (RFC 3261 7.3.1), cut in place; a Via header field
    // seldom holds more than one, so look for a comma before walking quotes.
    if (v.contains(','))
        v = firstListItem(v);
    qsizetype pos = 0;
    while ((pos = v.indexOf(';', pos)) >= 0) {
        ++pos;
        while (pos < v.size() && (v[pos] == ' ' || v[pos] == '\t'))
            ++pos;
        if (v.size() - pos > 7 && equalsNoCase(v.sliced(pos, 6), "branch")) {
            qsizetype q = pos + 6;
            while (q < v.size() && (v[q] == ' ' || v[q] == '\t'))
                ++q;
            if (q < v.size() && v[q] == '=') {
                ++q;
                while (q < v.size() && (v[q] == ' ' || v[q] == '\t'))
                    ++q;
                qsizetype e = q;
                while (e < v.size() && v[e] != ';' && v[e] != ' ' && v[e] != '\t' && v[e] != ',')
                    ++e;
                return v.sliced(q, e - q);
            }
        }
    }
    return {};
}

} // namespace ds::sip
