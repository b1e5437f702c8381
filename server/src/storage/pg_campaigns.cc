// PostgresStore: campaigns.
#include "storage/campaign_rows.h"
#include "storage/pg_store.h"

namespace loyalty::server {
namespace {

using postgres::Params;

Params ToParams(const std::vector<ColumnValue>& values) {
  Params params;
  for (const auto& value : values) {
    if (const auto* integer = std::get_if<std::int64_t>(&value)) {
      params.Add(*integer);
    } else if (const auto* text = std::get_if<std::string>(&value)) {
      params.Add(*text);
    } else {
      params.AddNull();
    }
  }
  return params;
}

std::vector<StoredCampaign> ToCampaigns(const postgres::Rows& rows) {
  std::vector<StoredCampaign> campaigns;
  for (int r = 0; r < rows.size(); ++r) {
    campaigns.push_back(CampaignFromRow({[&](int i) { return rows.IsNull(r, i); },
                                         [&](int i) { return rows.Int(r, i); },
                                         [&](int i) { return rows.Text(r, i); }}));
  }
  return campaigns;
}

std::optional<StoredCampaign> LoadCampaign(postgres::Connection& db, const std::string& id,
                                           bool for_update) {
  auto found = ToCampaigns(db.Run("SELECT " + CampaignSelectList() +
                                      " FROM campaigns WHERE id = $1::text" +
                                      (for_update ? " FOR UPDATE" : ""),
                                  Params().Add(id)));
  if (found.empty()) return std::nullopt;
  return std::move(found.front());
}

Error NoSuchCampaign(const std::string& id) { return NotFound("no campaign " + id); }

}  // namespace

Result<StoredCampaign> PostgresStore::CreateCampaign(const domain::Campaign& campaign,
                                                     std::optional<std::int64_t> created_by,
                                                     Timestamp now) {
  std::string columns;
  std::string marks;
  int index = 1;
  for (const auto& column : CampaignFieldColumns()) {
    columns += column + ", ";
    marks += "$" + std::to_string(index++) + ", ";
  }
  const std::string sql = "INSERT INTO campaigns(" + columns +
                          "created_at, updated_at, created_by) VALUES (" + marks + "$" +
                          std::to_string(index) + ", $" + std::to_string(index + 1) + ", $" +
                          std::to_string(index + 2) + ") ON CONFLICT (id) DO NOTHING";
  const Status status = writer_->Run([&](postgres::Connection& db) -> Status {
    auto values = CampaignFieldValues(campaign);
    values.emplace_back(ToUnixSeconds(now));
    values.emplace_back(ToUnixSeconds(now));
    // Two statements, not a conditional of two variants: GCC 12 warns that the moved
    // string of one may be uninitialized.
    if (created_by) {
      values.emplace_back(*created_by);
    } else {
      values.emplace_back(std::monostate());
    }
    if (db.Run(sql, ToParams(values)).affected() == 0) {
      return Error{ErrorCode::kAlreadyExists, "a campaign with the id " + campaign.id + " exists",
                   "id"};
    }
    return Status();
  });
  if (!status.ok()) return status.error();
  return GetCampaign(campaign.id);
}

Result<StoredCampaign> PostgresStore::UpdateCampaign(const domain::Campaign& campaign,
                                                     Timestamp now) {
  std::string assignments;
  int index = 1;
  for (const auto& column : CampaignFieldColumns()) {
    if (column != "id") assignments += column + " = $" + std::to_string(index++) + ", ";
  }
  const std::string sql = "UPDATE campaigns SET " + assignments + "updated_at = $" +
                          std::to_string(index) + " WHERE id = $" + std::to_string(index + 1);
  std::optional<StoredCampaign> before;
  const Status status = writer_->Run([&](postgres::Connection& db) -> Status {
    // Locked, so the version returned is the one this update replaced.
    before = LoadCampaign(db, campaign.id, /*for_update=*/true);
    if (!before) return NoSuchCampaign(campaign.id);
    auto values = CampaignFieldValues(campaign);
    values.erase(values.begin());  // the id goes last, in the WHERE clause
    values.emplace_back(ToUnixSeconds(now));
    values.emplace_back(campaign.id);
    db.Run(sql, ToParams(values));
    return Status();
  });
  if (!status.ok()) return status.error();
  return *before;
}

Result<StoredCampaign> PostgresStore::GetCampaign(const std::string& campaign_id) {
  auto lease = Read();
  auto campaign = LoadCampaign(*lease, campaign_id, /*for_update=*/false);
  if (!campaign) return NoSuchCampaign(campaign_id);
  return *campaign;
}

std::vector<StoredCampaign> PostgresStore::ListCampaigns(std::optional<Timestamp> running_at) {
  std::string sql = "SELECT " + CampaignSelectList() + " FROM campaigns";
  Params params;
  if (running_at) {
    sql += " WHERE paused = 0 AND starts_at <= $1::bigint AND ends_at > $1::bigint";
    params.Add(ToUnixSeconds(*running_at));
  }
  sql += " ORDER BY created_at DESC, id COLLATE \"C\"";
  auto lease = Read();
  return ToCampaigns((*lease).Run(sql, params));
}

Status PostgresStore::SetCampaignPaused(const std::string& campaign_id, bool paused,
                                        Timestamp now) {
  return writer_->Run([&](postgres::Connection& db) -> Status {
    const auto updated = db.Run(
        "UPDATE campaigns SET paused = $1::integer, updated_at = CASE WHEN paused = $1::integer"
        " THEN updated_at ELSE $2::bigint END WHERE id = $3::text",
        Params().Add(std::int64_t{paused ? 1 : 0}).Add(ToUnixSeconds(now)).Add(campaign_id));
    if (updated.affected() == 0) return NoSuchCampaign(campaign_id);
    return Status();
  });
}

}  // namespace loyalty::server
