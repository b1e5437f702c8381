// SqliteStore: campaigns.
#include "storage/campaign_rows.h"
#include "storage/sqlite_store.h"

namespace loyalty::server {
namespace {

void BindValues(sqlite::Statement& statement, const std::vector<ColumnValue>& values) {
  int index = 1;
  for (const auto& value : values) {
    if (const auto* integer = std::get_if<std::int64_t>(&value)) {
      statement.Bind(index, *integer);
    } else if (const auto* text = std::get_if<std::string>(&value)) {
      statement.Bind(index, *text);
    } else {
      statement.BindNull(index);
    }
    ++index;
  }
}

StoredCampaign CurrentRow(const sqlite::Statement& query) {
  return CampaignFromRow({[&](int i) { return query.IsNull(i); },
                          [&](int i) { return query.Int(i); },
                          [&](int i) { return query.Text(i); }});
}

std::optional<StoredCampaign> LoadCampaign(sqlite::Connection& db, const std::string& id) {
  auto& query = db.Prepared("SELECT " + CampaignSelectList() + " FROM campaigns WHERE id = ?");
  query.Bind(1, id);
  if (!query.Step()) return std::nullopt;
  StoredCampaign campaign = CurrentRow(query);
  query.Reset();
  return campaign;
}

Error NoSuchCampaign(const std::string& id) { return NotFound("no campaign " + id); }

}  // namespace

Result<StoredCampaign> SqliteStore::CreateCampaign(const domain::Campaign& campaign,
                                                   std::optional<std::int64_t> created_by,
                                                   Timestamp now) {
  std::string columns;
  std::string marks;
  for (const auto& column : CampaignFieldColumns()) {
    columns += column + ", ";
    marks += "?, ";
  }
  const std::string sql = "INSERT INTO campaigns(" + columns +
                          "created_at, updated_at, created_by) VALUES (" + marks + "?, ?, ?)";
  const Status status = writer_->Run([&](sqlite::Connection& db) -> Status {
    if (LoadCampaign(db, campaign.id)) {
      return Error{ErrorCode::kAlreadyExists, "a campaign with the id " + campaign.id + " exists",
                   "id"};
    }
    auto& insert = db.Prepared(sql);
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
    BindValues(insert, values);
    insert.Run();
    return Status();
  });
  if (!status.ok()) return status.error();
  return GetCampaign(campaign.id);
}

Result<StoredCampaign> SqliteStore::UpdateCampaign(const domain::Campaign& campaign,
                                                   Timestamp now) {
  std::string assignments;
  for (const auto& column : CampaignFieldColumns()) {
    if (column != "id") assignments += column + " = ?, ";
  }
  const std::string sql = "UPDATE campaigns SET " + assignments + "updated_at = ? WHERE id = ?";
  std::optional<StoredCampaign> before;
  const Status status = writer_->Run([&](sqlite::Connection& db) -> Status {
    before = LoadCampaign(db, campaign.id);
    if (!before) return NoSuchCampaign(campaign.id);
    auto values = CampaignFieldValues(campaign);
    values.erase(values.begin());  // the id goes last, in the WHERE clause
    values.emplace_back(ToUnixSeconds(now));
    values.emplace_back(campaign.id);
    auto& update = db.Prepared(sql);
    BindValues(update, values);
    update.Run();
    return Status();
  });
  if (!status.ok()) return status.error();
  return *before;
}

Result<StoredCampaign> SqliteStore::GetCampaign(const std::string& campaign_id) {
  auto lease = Read();
  auto campaign = LoadCampaign(*lease, campaign_id);
  if (!campaign) return NoSuchCampaign(campaign_id);
  return *campaign;
}

std::vector<StoredCampaign> SqliteStore::ListCampaigns(std::optional<Timestamp> running_at) {
  std::string sql = "SELECT " + CampaignSelectList() + " FROM campaigns";
  if (running_at) sql += " WHERE paused = 0 AND starts_at <= ?1 AND ends_at > ?1";
  sql += " ORDER BY created_at DESC, id";
  auto lease = Read();
  sqlite::Connection& db = *lease;
  auto& query = db.Prepared(sql);
  if (running_at) query.Bind(1, ToUnixSeconds(*running_at));
  std::vector<StoredCampaign> campaigns;
  while (query.Step()) campaigns.push_back(CurrentRow(query));
  return campaigns;
}

Status SqliteStore::SetCampaignPaused(const std::string& campaign_id, bool paused,
                                      Timestamp now) {
  return writer_->Run([&](sqlite::Connection& db) -> Status {
    db.Prepared(
          "UPDATE campaigns SET paused = ?, updated_at = CASE WHEN paused = ? THEN updated_at"
          " ELSE ? END WHERE id = ?")
        .Bind(1, std::int64_t{paused ? 1 : 0})
        .Bind(2, std::int64_t{paused ? 1 : 0})
        .Bind(3, ToUnixSeconds(now))
        .Bind(4, campaign_id)
        .Run();
    if (db.Changes() == 0) return NoSuchCampaign(campaign_id);
    return Status();
  });
}

}  // namespace loyalty::server
