#include "app/server_main.h"

int main(int argc, char** argv) { return loyalty::server::ServerMain(argc, argv); }
