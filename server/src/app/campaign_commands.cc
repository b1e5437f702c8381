#include "app/campaign_commands.h"

#include <fstream>
#include <sstream>

#include "campaigns/campaign_actions.h"
#include "loyalty/codec/json_reader.h"

namespace loyalty::server {
namespace {

const CampaignActor kOperator{std::nullopt, "command line"};

int Report(const Error& error, std::ostream& err) {
  err << error.ToString() << "\n";
  return error.code == ErrorCode::kInvalidArgument ? 2 : 1;
}

Result<domain::Campaign> ReadCampaignFile(const std::string& path) {
  std::ifstream file(path, std::ios::binary);
  if (!file) return InvalidArgument("--file", "cannot read " + path);
  std::ostringstream text;
  text << file.rdbuf();
  auto json = codec::ParseJson(text.str());
  if (!json.ok()) return json.error();
  return domain::CampaignFromJson(*json);
}

void PrintRow(const StoredCampaign& stored, Timestamp now, std::ostream& out) {
  const auto& campaign = stored.campaign;
  const std::string state = campaign.paused           ? "paused"
                            : campaign.RunsAt(now)    ? "running"
                            : now < campaign.starts_at ? "planned"
                                                       : "ended";
  out << campaign.id << "  " << state << "  " << FormatUtc(campaign.starts_at) << " .. "
      << FormatUtc(campaign.ends_at) << "  " << domain::CampaignKindName(campaign.kind) << "  "
      << (campaign.target_segment ? domain::SegmentName(*campaign.target_segment) : "everyone")
      << "  " << campaign.name << "\n";
}

}  // namespace

int RunCampaignCommand(const std::vector<std::string>& command, const Args& args, Store& store,
                       std::ostream& out, std::ostream& err) {
  const std::string verb = command.size() > 1 ? command[1] : "";
  const Timestamp now = Now();
  if (verb == "add" && command.size() == 2) {
    const auto path = args.Value("file");
    if (!path) return Report(InvalidArgument("--file", "campaign add needs --file FILE"), err);
    auto campaign = ReadCampaignFile(*path);
    if (!campaign.ok()) return Report(campaign.error(), err);
    auto created = CreateCampaignAudited(store, *campaign, kOperator, now);
    if (!created.ok()) return Report(created.error(), err);
    out << "campaign " << created->campaign.id << " added\n";
    return 0;
  }
  if (verb == "list" && command.size() == 2) {
    const auto campaigns =
        store.ListCampaigns(args.Flag("running") ? std::optional(now) : std::nullopt);
    for (const auto& stored : campaigns) PrintRow(stored, now, out);
    return 0;
  }
  if ((verb == "pause" || verb == "resume") && command.size() == 3) {
    const bool pause = verb == "pause";
    auto set = SetCampaignPausedAudited(store, command[2], pause, kOperator, now);
    if (!set.ok()) return Report(set.error(), err);
    out << "campaign " << command[2] << (pause ? " paused" : " resumed") << "\n";
    return 0;
  }
  return Report(InvalidArgument("campaign", "use: campaign add --file FILE, campaign list, "
                                            "campaign pause ID or campaign resume ID"),
                err);
}

}  // namespace loyalty::server
