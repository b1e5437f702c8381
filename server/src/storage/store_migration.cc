#include "storage/store_migration.h"

#include <algorithm>
#include <charconv>
#include <filesystem>
#include <functional>
#include <set>

#include "loyalty/crypto/hash.h"
#include "loyalty/postgres/postgres.h"
#include "loyalty/sqlite/sqlite.h"
#include "storage/pg_schema.h"
#include "storage/sqlite_migrations.h"

namespace loyalty::server {
namespace {

enum class ColumnType { kInteger, kReal, kText };

struct Column {
  std::string name;
  ColumnType type = ColumnType::kText;
};

struct TableShape {
  std::string name;
  std::vector<Column> columns;
  std::vector<std::string> key;  // primary key columns, in order
};

// COPY sends this much text to the server at a time.
constexpr std::size_t kCopyChunkBytes = 256 * 1024;

std::string DoubleText(double value) {
  // The shortest text that reads back as the same double: both sides print alike.
  char buffer[32];
  return std::string(buffer, std::to_chars(buffer, buffer + sizeof buffer, value).ptr);
}

// One value, typed and length-prefixed so that no two different rows hash alike.
void AppendCanonical(std::string& row, ColumnType type, bool is_null, const std::string& text) {
  if (is_null) {
    row += "N;";
    return;
  }
  switch (type) {
    case ColumnType::kInteger:
      row += "I" + text + ";";
      break;
    case ColumnType::kReal:
      row += "R" + text + ";";
      break;
    case ColumnType::kText:
      row += "T" + std::to_string(text.size()) + ":" + text + ";";
      break;
  }
}

std::string ColumnList(const TableShape& shape) {
  std::string list;
  for (const auto& column : shape.columns) list += (list.empty() ? "" : ", ") + column.name;
  return list;
}

// ORDER BY the primary key. PostgreSQL compares text bytewise only under COLLATE "C",
// which is how SQLite compares it, so both sides list rows in the same order.
std::string KeyOrder(const TableShape& shape, bool postgres) {
  std::string order;
  for (const auto& key : shape.key) {
    const auto column = std::find_if(shape.columns.begin(), shape.columns.end(),
                                     [&](const Column& c) { return c.name == key; });
    order += (order.empty() ? "" : ", ") + key;
    if (postgres && column != shape.columns.end() && column->type == ColumnType::kText) {
      order += " COLLATE \"C\"";
    }
  }
  return order;
}

Result<std::vector<TableShape>> ReadShapes(postgres::Connection& target) {
  std::set<std::string> present;
  const auto tables = target.Run(
      "SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema()"
      " AND table_type = 'BASE TABLE' AND table_name <> 'schema_migrations'");
  for (int i = 0; i < tables.size(); ++i) present.insert(tables.Text(i, 0));
  const std::set<std::string> copied(MigratedTables().begin(), MigratedTables().end());
  for (const auto& table : present) {
    if (copied.count(table) == 0) {
      return Internal("table " + table + " is in the schema but not in MigratedTables()");
    }
  }
  std::vector<TableShape> shapes;
  for (const auto& table : MigratedTables()) {
    if (present.count(table) == 0) {
      return Internal("table " + table + " of MigratedTables() is not in the schema");
    }
    TableShape shape{table, {}, {}};
    const auto columns = target.Run(
        "SELECT column_name, data_type FROM information_schema.columns"
        " WHERE table_schema = current_schema() AND table_name = $1::text"
        " ORDER BY ordinal_position",
        postgres::Params().Add(table));
    for (int i = 0; i < columns.size(); ++i) {
      const std::string type = columns.Text(i, 1);
      shape.columns.push_back(
          {columns.Text(i, 0), type == "bigint" || type == "integer" ? ColumnType::kInteger
                               : type == "double precision"          ? ColumnType::kReal
                                                                     : ColumnType::kText});
    }
    const auto key = target.Run(
        "SELECT a.attname FROM pg_index i JOIN pg_attribute a"
        " ON a.attrelid = i.indrelid AND a.attnum = ANY(i.indkey)"
        " WHERE i.indrelid = $1::regclass AND i.indisprimary"
        " ORDER BY array_position(i.indkey::int2[], a.attnum)",
        postgres::Params().Add(table));
    for (int i = 0; i < key.size(); ++i) shape.key.push_back(key.Text(i, 0));
    if (shape.key.empty()) return Internal("table " + table + " has no primary key");
    shapes.push_back(std::move(shape));
  }
  return shapes;
}

// The source must be at exactly this program's migrations: the PostgreSQL schema the
// copy goes into is, and the columns must match.
Status CheckSource(sqlite::Connection& source, const std::vector<TableShape>& shapes) {
  std::vector<std::string> applied;
  auto& migrations = source.Prepared("SELECT name FROM schema_migrations ORDER BY version");
  while (migrations.Step()) applied.push_back(migrations.Text(0));
  std::vector<std::string> known;
  for (const auto& [name, sql] : SqliteMigrations()) known.emplace_back(name);
  if (applied != known) {
    return InvalidArgument(
        "--from", "the SQLite database is at migration " +
                      (applied.empty() ? std::string("none") : applied.back()) +
                      " and this loyalty-server's is " + known.back() +
                      ": open it once with this loyalty-server (e.g. `loyalty-server terminal "
                      "list --storage-url sqlite://PATH`) so that it is migrated, then retry");
  }
  for (const auto& shape : shapes) {
    std::set<std::string> names;
    auto& info = source.Prepared("SELECT name FROM pragma_table_info(?)");
    info.Bind(1, shape.name);
    while (info.Step()) names.insert(info.Text(0));
    for (const auto& column : shape.columns) {
      if (names.erase(column.name) == 0) {
        return InvalidArgument("--from",
                               "the SQLite table " + shape.name + " has no column " + column.name);
      }
    }
    if (!names.empty()) {
      return InvalidArgument("--from", "the SQLite table " + shape.name + " has column " +
                                           *names.begin() + " that PostgreSQL lacks");
    }
  }
  return {};
}

// Reads every row of a source table in key order, feeding the checksum, and hands each
// row's values (as COPY text) to `copy_line` when there is one.
TableCheck ReadSourceTable(sqlite::Connection& source, const TableShape& shape,
                           const std::function<void(const std::string&)>& copy_line) {
  TableCheck check;
  check.table = shape.name;
  crypto::Sha256 digest;
  auto& rows = source.Prepared("SELECT " + ColumnList(shape) + " FROM " + shape.name +
                               " ORDER BY " + KeyOrder(shape, /*postgres=*/false));
  std::string canonical, line;
  while (rows.Step()) {
    canonical.clear();
    line.clear();
    for (std::size_t i = 0; i < shape.columns.size(); ++i) {
      const int column = static_cast<int>(i);
      const bool is_null = rows.IsNull(column);
      std::string text;
      if (!is_null) {
        switch (shape.columns[i].type) {
          case ColumnType::kInteger:
            text = std::to_string(rows.Int(column));
            break;
          case ColumnType::kReal:
            text = DoubleText(rows.Double(column));
            break;
          case ColumnType::kText:
            text = rows.Text(column);
            break;
        }
      }
      AppendCanonical(canonical, shape.columns[i].type, is_null, text);
      if (copy_line) {
        if (i > 0) line += '\t';
        if (is_null) {
          line += "\\N";
        } else {
          postgres::AppendCopyField(line, text);
        }
      }
    }
    digest.Update(canonical);
    digest.Update("\n");
    ++check.source_rows;
    if (copy_line) copy_line(line + "\n");
  }
  check.source_sha256 = digest.HexDigest();
  return check;
}

void ReadTargetTable(postgres::Connection& target, const TableShape& shape, TableCheck& check) {
  crypto::Sha256 digest;
  std::string canonical;
  check.target_rows = 0;
  target.ForEachRow("SELECT " + ColumnList(shape) + " FROM " + shape.name + " ORDER BY " +
                        KeyOrder(shape, /*postgres=*/true),
                    {}, [&](const postgres::Rows& rows, int row) {
                      canonical.clear();
                      for (std::size_t i = 0; i < shape.columns.size(); ++i) {
                        const int column = static_cast<int>(i);
                        const bool is_null = rows.IsNull(row, column);
                        std::string text;
                        if (!is_null) {
                          text = shape.columns[i].type == ColumnType::kReal
                                     ? DoubleText(rows.Double(row, column))
                                     : rows.Text(row, column);
                        }
                        AppendCanonical(canonical, shape.columns[i].type, is_null, text);
                      }
                      digest.Update(canonical);
                      digest.Update("\n");
                      ++check.target_rows;
                    });
  check.target_sha256 = digest.HexDigest();
}

Result<sqlite::Connection*> OpenSource(const std::string& sqlite_path,
                                       std::unique_ptr<sqlite::Connection>& holder) {
  if (!std::filesystem::exists(sqlite_path)) {
    return InvalidArgument("--from", "no SQLite database at " + sqlite_path);
  }
  holder = std::make_unique<sqlite::Connection>(sqlite_path,
                                                sqlite::ConnectionOptions{.read_only = true});
  return holder.get();
}

Result<MigrationReport> Run(const std::string& sqlite_path, const std::string& postgres_url,
                            bool copy) {
  std::unique_ptr<sqlite::Connection> source_holder;
  auto opened = OpenSource(sqlite_path, source_holder);
  if (!opened.ok()) return opened.error();
  sqlite::Connection& source = **opened;
  postgres::Connection target(postgres_url, {.application_name = "loyalty-server migrate"});
  if (copy) MigratePostgres(target);
  auto shapes = ReadShapes(target);
  if (!shapes.ok()) return shapes.error();
  if (auto checked = CheckSource(source, *shapes); !checked.ok()) return checked.error();

  MigrationReport report;
  {
    // One snapshot of the source for the copy and its checksums, however the live
    // server writes meanwhile.
    sqlite::ReadTransaction snapshot(source);
    postgres::Transaction transaction(target);
    if (copy) {
      for (const auto& shape : *shapes) {
        // meta holds the defaults migration 0001 inserted; the source's replace them.
        if (shape.name == "meta") continue;
        const auto rows = target.RunOnce("SELECT EXISTS (SELECT 1 FROM " + shape.name + ")");
        if (rows.Text(0, 0) == "t") {
          return InvalidArgument("--to", "the PostgreSQL database holds data already (table " +
                                             shape.name +
                                             "): migrate copies into an empty database");
        }
      }
      target.Exec("DELETE FROM meta");
    }
    for (const auto& shape : *shapes) {
      // dashboard_hours is kept by triggers on both engines: the copy's purchases and
      // coupons fill it, and its checksum against the source's checks that they did.
      if (!copy || shape.name == "dashboard_hours") {
        report.tables.push_back(ReadSourceTable(source, shape, nullptr));
        continue;
      }
      // Rows stream from SQLite into COPY a chunk at a time: no table is held whole.
      TableCheck check;
      target.Copy("COPY " + shape.name + " (" + ColumnList(shape) + ") FROM STDIN",
                  [&](const postgres::Connection::CopySend& send) {
                    std::string pending;
                    check = ReadSourceTable(source, shape, [&](const std::string& line) {
                      pending += line;
                      if (pending.size() >= kCopyChunkBytes) {
                        send(pending);
                        pending.clear();
                      }
                    });
                    if (!pending.empty()) send(pending);
                  });
      report.tables.push_back(std::move(check));
    }
    if (copy) {
      // Identity columns go on from the highest copied key, so new rows do not collide.
      const auto identities = target.Run(
          "SELECT table_name, column_name FROM information_schema.columns"
          " WHERE table_schema = current_schema() AND is_identity = 'YES'");
      for (int i = 0; i < identities.size(); ++i) {
        const std::string table = identities.Text(i, 0);
        const std::string column = identities.Text(i, 1);
        target.RunOnce(
            "SELECT setval(pg_get_serial_sequence($1::text, $2::text),"
            " COALESCE(MAX(" +
                column + "), 0) + 1, false) FROM " + table,
            postgres::Params().Add(table).Add(column));
      }
    }
    transaction.Commit();
  }
  postgres::Transaction reading(target, "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY");
  for (std::size_t i = 0; i < shapes->size(); ++i) {
    ReadTargetTable(target, (*shapes)[i], report.tables[i]);
  }
  reading.Commit();
  return report;
}

}  // namespace

bool MigrationReport::ok() const {
  return std::all_of(tables.begin(), tables.end(),
                     [](const TableCheck& table) { return table.matches(); });
}

const std::vector<std::string>& MigratedTables() {
  static const std::vector<std::string> tables{"meta",
                                               "stores",
                                               "products",
                                               "customers",
                                               "customer_details",
                                               "cards",
                                               "imported_customers",
                                               "purchases",
                                               "purchase_lines",
                                               "customer_category_stats",
                                               "customer_product_stats",
                                               "coupons",
                                               "dashboard_hours",
                                               "coupon_redemptions",
                                               "coupon_conflicts",
                                               "returns",
                                               "return_lines",
                                               "terminals",
                                               "enrollment_codes",
                                               "portal_users",
                                               "portal_user_stores",
                                               "portal_sessions",
                                               "audit_log",
                                               "campaign_offers",
                                               "next_visit_candidates",
                                               "campaign_budgets",
                                               "batch_runs",
                                               "batch_locks",
                                               "campaigns",
                                               "customer_stores",
                                               "customer_contacts",
                                               "customer_features",
                                               "acquisition_sources",
                                               "acquisition_costs"};
  return tables;
}

Result<MigrationReport> MigrateSqliteToPostgres(const std::string& sqlite_path,
                                                const std::string& postgres_url) {
  return Run(sqlite_path, postgres_url, /*copy=*/true);
}

Result<MigrationReport> CompareSqliteWithPostgres(const std::string& sqlite_path,
                                                  const std::string& postgres_url) {
  return Run(sqlite_path, postgres_url, /*copy=*/false);
}

}  // namespace loyalty::server
