#pragma once

namespace loyalty::server::batch {

// loyalty-batch's command line: the offline jobs (evaluate, import).
int BatchMain(int argc, char** argv);

}  // namespace loyalty::server::batch
