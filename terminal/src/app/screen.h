// loyalty-terminal's cashier screen: a full-screen, keyboard-driven terminal UI over
// the till (ncursesw). The basket, the customer panel with the coupons applied and the
// reasons of those not applied, the till's status, a prompt and a message line; how
// they are laid out is screen_layout.h, what the cashier can type is cashier_input.h.
//
// Curses owns the terminal while it runs, so nothing else may print: when stderr is
// the terminal too, log lines go to terminal.log beside the journal until the screen
// ends. The terminal is restored on quit, on SIGTERM/SIGHUP/SIGINT and when the till
// throws.
#pragma once

#include "app/till.h"

namespace loyalty::terminal {

// Runs the till with the screen on stdin/stdout (a terminal) until the cashier quits.
// Returns the exit code; throws std::runtime_error when the terminal cannot be used
// (TERM unset or unknown).
int RunScreen(Till& till);

}  // namespace loyalty::terminal
