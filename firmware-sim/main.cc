#include "sim_main.h"

int main(int argc, char** argv) { return loyalty::firmware_sim::RunReaderSim(argc, argv); }
