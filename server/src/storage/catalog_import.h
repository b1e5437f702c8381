// Reading a product catalog from CSV, as a chain exports it from its merchandising
// system. Columns by header name: sku, name, department, category, product_type, brand,
// package_size, price (decimal in the chain's currency), and optionally couponable
// (1/0, true/false; default 1).
#pragma once

#include <istream>
#include <string>
#include <vector>

#include "loyalty/domain/catalog.h"

namespace loyalty::server {

struct CatalogCsv {
  std::vector<domain::Product> products;  // the good rows
  std::vector<std::string> rejected;      // "line 12: price: '1,99' is not a decimal amount"
};

// Reads every row; a bad row is reported with its line number and the rest still load.
// Fails as a whole only when the header lacks a required column.
Result<CatalogCsv> ReadCatalogCsv(std::istream& input, const Currency& currency);

}  // namespace loyalty::server
