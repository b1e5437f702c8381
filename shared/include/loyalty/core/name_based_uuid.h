// Name-based UUIDs (RFC 9562 version 5): the SHA-1 of a namespace UUID and a name, so
// the same name always gives the same id. What an import wants for the records it makes
// from another system's keys: importing the same file again makes the same ids, which
// the store already holds. (Apart from uuid.h, which nearly every file includes.)
#pragma once

#include <string_view>

#include "loyalty/core/uuid.h"

namespace loyalty {

Uuid NameBasedUuid(const Uuid& name_space, std::string_view name);

}  // namespace loyalty
