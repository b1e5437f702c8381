#include <cstring>

#include "batch/batch_main.h"
#include "batch/huge_pages.h"

int main(int argc, char** argv) {
  // The jobs that hold a chain's history in memory; the others start as they are.
  if (argc > 1) {
    for (const char* job : {"coupons", "evaluate", "import"}) {
      if (std::strcmp(argv[1], job) == 0) loyalty::server::batch::RestartWithHugePages(argv);
    }
  }
  return loyalty::server::batch::BatchMain(argc, argv);
}
