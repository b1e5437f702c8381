#pragma once

#include <string>
#include <string_view>
#include <sys/types.h>

#include "loyalty/core/result.h"

namespace loyalty {

// Writes `contents` to `path` so that a crash leaves either the old file or the whole new
// one: a temporary created with O_EXCL and `mode` (never readable by others even for a
// moment, whatever the umask), fsynced, renamed over `path`, then the directory fsynced.
// For keys and credentials, whose loss or leak is costly.
Status WriteFileAtomically(const std::string& path, std::string_view contents, mode_t mode);

}  // namespace loyalty
