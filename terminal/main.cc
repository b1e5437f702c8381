#include "app/terminal_main.h"

int main(int argc, char** argv) { return loyalty::terminal::TerminalMain(argc, argv); }
