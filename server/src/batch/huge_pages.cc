#include "batch/huge_pages.h"

#include <unistd.h>
#if defined(__linux__) && defined(__GLIBC__)
#include <sys/auxv.h>
#endif

#include <cstdlib>
#include <string_view>

namespace loyalty::server::batch {

std::optional<std::string> TunablesWithHugePages(const char* current) {
  constexpr std::string_view kTunable = "glibc.malloc.hugetlb";
  if (current == nullptr || *current == '\0') return std::string(kTunable) + "=1";
  // A colon-separated list of name=value.
  const std::string_view tunables = current;
  for (std::size_t at = 0; at <= tunables.size();) {
    std::size_t end = tunables.find(':', at);
    if (end == std::string_view::npos) end = tunables.size();
    const std::string_view entry = tunables.substr(at, end - at);
    if (entry.substr(0, entry.find('=')) == kTunable) return std::nullopt;
    at = end + 1;
  }
  return std::string(tunables) + ":" + std::string(kTunable) + "=1";
}

void RestartWithHugePages(char** argv) {
#if defined(__linux__) && defined(__GLIBC__)
  // Set by the start before: whatever the tunables say now, never a third start.
  constexpr const char* kRestarted = "LOYALTY_BATCH_RESTARTED";
  if (std::getenv(kRestarted) != nullptr) {
    ::unsetenv(kRestarted);
    return;
  }
  // A set-user-ID or capability-raised start ignores the tunables, and could strip the
  // variable too: started again, it would start again for ever.
  if (::getauxval(AT_SECURE) != 0) return;
  const char* current = std::getenv("GLIBC_TUNABLES");
  const auto tunables = TunablesWithHugePages(current);
  if (!tunables) return;
  const std::optional<std::string> before =
      current ? std::optional<std::string>(current) : std::nullopt;
  // The program's own file by its path, not /proc/self/exe: a process is named after the
  // file it runs, and ps and top should go on saying loyalty-batch.
  char path[4096];
  const ssize_t size = ::readlink("/proc/self/exe", path, sizeof path - 1);
  if (size <= 0 || static_cast<std::size_t>(size) >= sizeof path - 1) return;
  path[size] = '\0';
  // Only a start of this very file (not one through the dynamic loader, "ld.so
  // ./loyalty-batch", whose file is the loader), so that argv means the same again.
  const std::string_view file(path), name(argv[0] ? argv[0] : "");
  if (file.substr(file.rfind('/') + 1) != name.substr(name.rfind('/') + 1)) return;
  if (::setenv("GLIBC_TUNABLES", tunables->c_str(), 1) != 0) return;
  if (::setenv(kRestarted, "1", 1) != 0) return;
  ::execv(path, argv);
  ::unsetenv(kRestarted);
  // Not started again (no /proc, say): on as before, with the variable as it was, so that
  // a program this one starts is not given the tunable either.
  if (before) {
    ::setenv("GLIBC_TUNABLES", before->c_str(), 1);
  } else {
    ::unsetenv("GLIBC_TUNABLES");
  }
#else
  (void)argv;
#endif
}

}  // namespace loyalty::server::batch
