#include "batch/batch_main.h"

int main(int argc, char** argv) { return loyalty::server::batch::BatchMain(argc, argv); }
