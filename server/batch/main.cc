#include "batch/batch_main.h"
#include "batch/huge_pages.h"

int main(int argc, char** argv) {
  loyalty::server::batch::RestartWithHugePages(argv);
  return loyalty::server::batch::BatchMain(argc, argv);
}
