#include "app/headless.h"

int main(int argc, char** argv) { return loyalty::terminal::TerminalMain(argc, argv); }
