// The batch's memory in huge pages. Its arrays (the history of a million customers, the
// model's buyer lists and neighbours, the plan's candidates) are gigabytes read in no
// particular order, and on 4 KiB pages most of those reads also miss the TLB and walk the
// page tables, which on a virtual machine means walking two of them. Debian's kernel gives
// huge pages only to memory that asks for them (transparent_hugepage=madvise), and glibc's
// malloc asks only when its tunable says so, read from the environment at start-up; so
// the batch starts itself again with the tunable set. At a million customers the night
// went from 50.8 to 38.7 s (docs/benchmarks.md, "Beside the model, on huge pages").
#pragma once

#include <optional>
#include <string>

namespace loyalty::server::batch {

// The GLIBC_TUNABLES value to start again with, given the variable's value (null when
// unset); nothing when it already sets glibc.malloc.hugetlb, to whatever value: an
// operator who turned huge pages off with glibc.malloc.hugetlb=0 keeps them off.
std::optional<std::string> TunablesWithHugePages(const char* current);

// Replaces the process with itself (same pid and arguments; the environment with the
// tunable added, which programs it starts inherit) with huge pages asked for. Returns
// when they already are, when this is the second start, when the start is secure or
// through the dynamic loader, or when the new start failed: the batch then runs on small
// pages, as it did before.
void RestartWithHugePages(char** argv);

}  // namespace loyalty::server::batch
