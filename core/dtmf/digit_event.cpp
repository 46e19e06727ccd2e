#include "digit_event.h"

namespace ds::dtmf {

const char *modeName(Mode mode)
{
    switch (mode) {
    case Mode::Rfc4733:
        return "rfc4733";
    case Mode::Inband:
        return "inband";
    case Mode::Info:
        return "info";
    }
    return "?";
}

// The names of modeName(), in any case; "rfc2833" too, the name most PBX menus still use for
// RFC 4733 (which obsoletes RFC 2833 with the same payload).
std::optional<Mode> modeFromName(QStringView name)
{
    name = name.trimmed();
    const auto is = [name](const char *s) { return name.compare(QLatin1StringView(s), Qt::CaseInsensitive) == 0; };
    if (is("rfc4733") || is("rfc2833"))
        return Mode::Rfc4733;
    if (is("inband"))
        return Mode::Inband;
    if (is("info"))
        return Mode::Info;
    return std::nullopt;
}

const char *severityName(Finding::Severity severity)
{
    switch (severity) {
    case Finding::Severity::Info:
        return "info";
    case Finding::Severity::Warning:
        return "warning";
    case Finding::Severity::Error:
        return "error";
    }
    return "?";
}

} // namespace ds::dtmf
