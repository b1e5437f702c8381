// The simulated serial line: a pseudo-terminal whose slave side the terminal opens as
// if it were the reader's serial port, reachable through a stable symlink.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <string>

#include "loyalty/core/result.h"
#include "pty/unique_fd.h"

namespace loyalty::firmware_sim {

class PseudoTerminal {
 public:
  // Opens a pty pair in raw mode (cfmakeraw: 8 bits, no echo, no line editing), makes
  // the master non-blocking, and points `link_path` at the slave. An existing symlink
  // at link_path (left by a previous run) is replaced atomically; anything else there
  // is refused rather than deleted. An empty link_path makes no link.
  //
  // The object keeps a slave fd open for its whole life: without it, writes to the
  // master fail with EIO until the terminal opens the slave, and they would fail again
  // each time the terminal closes it to reconnect.
  static Result<std::unique_ptr<PseudoTerminal>> Create(const std::string& link_path);

  // Removes the link if it still points at this pty (a newer simulator may own it now).
  ~PseudoTerminal();
  PseudoTerminal(const PseudoTerminal&) = delete;
  PseudoTerminal& operator=(const PseudoTerminal&) = delete;

  int master_fd() const { return master_.get(); }
  const std::string& slave_path() const { return slave_path_; }
  const std::string& link_path() const { return link_path_; }

  // Bytes the terminal wrote; 0 when none are waiting (never blocks).
  Result<std::size_t> Read(std::span<uint8_t> buffer);
  // Writes what the slave's input queue accepts now; may be fewer than given, or 0
  // when the queue is full because the terminal is not reading (never blocks).
  Result<std::size_t> Write(std::span<const uint8_t> bytes);

  // Removes the link now if it still points at this pty; safe to call twice.
  void RemoveLink();

 private:
  PseudoTerminal() = default;

  UniqueFd master_;
  UniqueFd slave_;
  std::string slave_path_;
  std::string link_path_;
};

}  // namespace loyalty::firmware_sim
