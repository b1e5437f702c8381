#include "api/terminal_auth.h"

namespace loyalty::server {

http::AsyncHandler Authenticated(Store& store, TerminalHandler handler) {
  return [&store, handler = std::move(handler)](const http::Request& request, http::Reply reply) {
    const auto header = request.headers.find("authorization");
    constexpr std::string_view kBearer = "Bearer ";
    if (header == request.headers.end() || !header->second.starts_with(kBearer)) {
      return reply(Error{ErrorCode::kUnauthenticated,
                         "missing terminal credential (Authorization: Bearer ...)",
                         "authorization"});
    }
    auto terminal = store.AuthenticateTerminal(header->second.substr(kBearer.size()));
    if (!terminal.ok()) return reply(terminal.error());
    handler(request, *terminal, std::move(reply));
  };
}

}  // namespace loyalty::server
