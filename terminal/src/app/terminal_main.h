// loyalty-terminal's command line: enrollment, options from flags and the environment,
// and the choice of front end (cashier screen or headless JSON lines).
#pragma once

namespace loyalty::terminal {

int TerminalMain(int argc, char** argv);

}  // namespace loyalty::terminal
