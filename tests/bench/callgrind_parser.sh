#!/usr/bin/env bash
# Instructions per parsed message, dialscope vs GNU oSIP2, counted by valgrind's callgrind: unlike
# wall-clock time this does not move with the load of a shared machine, so the ratio is repeatable.
#   tests/bench/callgrind_parser.sh [BUILD_DIR [N [OUT_DIR]]]
# BUILD_DIR defaults to build-bench (the Release tree of `scripts/dev bench`), N (parses per message
# and parser) to 2000. `bench_parser --callgrind N` switches collection on around exactly N parses
# of one message by one parser, then dumps: one callgrind file per row. They stay in OUT_DIR (a
# temporary directory by default) for `callgrind_annotate --inclusive=yes OUT_DIR/callgrind.out.<pid>.<k>`
# (add `--auto=yes` on a tree built with -g for costs per source line).
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
build=${1:-$root/build-bench}
n=${2:-2000}
out=${3:-$(mktemp -d)}
bin=$build/tests/bench/bench_parser
[ -x "$bin" ] || { echo "callgrind_parser.sh: $bin is not built (cmake --build $build --target bench_parser)" >&2; exit 2; }
command -v valgrind >/dev/null || { echo "callgrind_parser.sh: valgrind is not installed" >&2; exit 2; }
mkdir -p "$out"
rm -f "$out"/callgrind.out.*

# --compress-strings=no: every dump names its own functions, so each file annotates on its own.
# LD_BIND_NOW: no lazy symbol binding inside the measured loops (the warm-up absorbs it anyway).
LD_BIND_NOW=1 valgrind --tool=callgrind --collect-atstart=no --compress-strings=no \
  --callgrind-out-file="$out/callgrind.out.%p" "$bin" --callgrind "$n" >/dev/null 2>"$out/valgrind.log" \
  || { cat "$out/valgrind.log" >&2; exit 1; }

# The calls into the first collected function are recorded with a count of 0, which makes
# callgrind_annotate book their whole cost as the caller's own; count them as 1.
for f in "$out"/callgrind.out.*.*; do sed -i 's/^calls=0 /calls=1 /' "$f"; done

for f in "$out"/callgrind.out.*.*; do
  desc=$(sed -n 's/^desc: Trigger: Client Request: //p' "$f")
  ir=$(sed -n 's/^summary: //p' "$f")
  [ -n "$desc" ] && echo "$desc ir=$ir"
done | awk '
  { for (i = 1; i <= NF; i++) { split($i, kv, "="); v[kv[1]] = kv[2] }
    m = v["message"]
    if (!(m in bytes)) order[++count] = m
    bytes[m] = v["bytes"]; per[m, v["parser"]] = v["ir"] / v["n"] }
  END {
    printf "%-22s %6s  %-10s %10s %10s %8s\n", "message", "bytes", "parser", "instr/msg", "instr/byte", "ratio"
    for (k = 1; k <= count; k++) {
      m = order[k]; d = per[m, "dialscope"]; o = per[m, "osip2"]
      printf "%-22s %6d  %-10s %10.0f %10.2f %7.1fx\n", m, bytes[m], "dialscope", d, d / bytes[m], o / d
      printf "%-22s %6d  %-10s %10.0f %10.2f\n", "", bytes[m], "osip2", o, o / bytes[m]
    }
    for (k = 1; k <= count; k++) {
      m = order[k]; d = per[m, "dialscope"]; o = per[m, "osip2"]
      printf "{\"bench\":\"parser_callgrind\",\"message\":\"%s\",\"bytes\":%d,\"instr_per_msg_dialscope\":%.0f,\"instr_per_msg_osip2\":%.0f,\"ratio_osip2_over_dialscope\":%.2f}\n", m, bytes[m], d, o, o / d
    }
  }'
echo "callgrind files: $out" >&2
