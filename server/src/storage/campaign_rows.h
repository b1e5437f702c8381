// The campaigns table's row, shared by both engines so the column list and the way a
// campaign becomes columns and back are written once.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <variant>
#include <vector>

#include "storage/store.h"

namespace loyalty::server {

// The campaign's own columns, in the order of CampaignFieldValues; "id" first.
const std::vector<std::string>& CampaignFieldColumns();
// The SELECT list CampaignFromRow reads: the fields, then created_at, updated_at,
// created_by.
const std::string& CampaignSelectList();

// One value to bind: NULL, an integer or text.
using ColumnValue = std::variant<std::monostate, std::int64_t, std::string>;
std::vector<ColumnValue> CampaignFieldValues(const domain::Campaign& campaign);

// How an engine hands over the columns of one row of CampaignSelectList(), by index.
struct RowColumns {
  std::function<bool(int)> is_null;
  std::function<std::int64_t(int)> integer;
  std::function<std::string(int)> text;
};
// Throws std::runtime_error for a row the codec refuses: the database was changed by
// hand, and serving a campaign nobody checked is worse than stopping.
StoredCampaign CampaignFromRow(const RowColumns& row);

}  // namespace loyalty::server
