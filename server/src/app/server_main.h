#pragma once

namespace loyalty::server {

// loyalty-server's command line: serve (the default) and the admin commands.
int ServerMain(int argc, char** argv);

}  // namespace loyalty::server
