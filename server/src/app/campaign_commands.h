// `loyalty-server campaign add|list|pause|resume`: an operator's way to the campaigns,
// audited like the portal's but with no user id.
#pragma once

#include <ostream>
#include <string>
#include <vector>

#include "loyalty/core/args.h"
#include "storage/store.h"

namespace loyalty::server {

inline constexpr char kCampaignUsage[] =
    R"(  loyalty-server campaign add --file CAMPAIGN.json
                                              store a new campaign (docs/campaigns.md;
                                              example: docs/examples/campaign.json)
  loyalty-server campaign list [--running]    newest first; --running: only those
                                              running now
  loyalty-server campaign pause ID            stop issuing its coupons until resumed
  loyalty-server campaign resume ID
)";

// `command` is the positional arguments, "campaign" first. Prints results to `out`,
// errors to `err`; returns the exit code: 0, 2 for bad input, 1 for other failures.
int RunCampaignCommand(const std::vector<std::string>& command, const Args& args, Store& store,
                       std::ostream& out, std::ostream& err);

}  // namespace loyalty::server
