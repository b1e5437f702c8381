// The receipt as plain text, for screens, logs and the demo.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "receipt/receipt.h"

namespace loyalty::terminal {

inline constexpr std::size_t kReceiptWidth = 42;

std::string RenderReceiptText(const Receipt& receipt);

}  // namespace loyalty::terminal
