#pragma once
// Helpers shared by the fuzz targets: keep the reads of parse results from being optimised away.

#include <cstddef>

namespace ds::fuzz {

// Like benchmark::DoNotOptimize: the value counts as used, so the accessors that made it run.
inline void keep(std::size_t value) { asm volatile("" : : "r"(value) : "memory"); }

} // namespace ds::fuzz
