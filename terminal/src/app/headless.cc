#include "app/headless.h"

#include <iostream>
#include <memory>
#include <mutex>
#include <thread>

#include "loyalty/codec/json_reader.h"
#include "loyalty/crypto/coupon_token.h"

namespace loyalty::terminal {
namespace {

// stdout carries only events, one JSON object a line, from the till's and the input
// thread.
class EventWriter {
 public:
  void Emit(const std::string& event, nlohmann::json fields = nlohmann::json::object()) {
    fields["event"] = event;
    std::lock_guard lock(mutex_);
    std::cout << fields.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) << std::endl;
  }
  void EmitError(const Error& error) {
    nlohmann::json fields = {{"code", ErrorCodeName(error.code)}, {"message", error.message}};
    if (!error.field.empty()) fields["field"] = error.field;
    Emit("error", std::move(fields));
  }

 private:
  std::mutex mutex_;
};

nlohmann::json CouponBrief(const domain::Coupon& coupon) {
  return {{"id", coupon.id.str()},
          {"title", coupon.title},
          {"expires_at", FormatUtc(coupon.expires_at)}};
}

nlohmann::json StatusJson(const TillStatus& status) {
  return {{"online", status.online},
          {"reader", status.reader_state},
          {"backlog", status.backlog},
          {"catalog_version", status.catalog_version},
          {"products", status.products},
          {"printer", status.printer},
          {"cashier_id", status.cashier_id ? nlohmann::json(*status.cashier_id) : nullptr}};
}

class JsonEvents : public TillListener {
 public:
  JsonEvents(Till& till, EventWriter& writer) : till_(till), writer_(writer) {}

  void OnReady(const TillStatus& status) override {
    auto fields = StatusJson(status);
    fields["store"] = till_.options().server.store_id;
    fields["terminal"] = till_.options().server.terminal_id;
    writer_.Emit("ready", std::move(fields));
  }
  void OnLineAdded(std::size_t line, const BasketLine& added) override {
    nlohmann::json fields = {{"line", line},
                             {"sku", added.sku},
                             {"name", added.name},
                             {"quantity", added.quantity},
                             {"amount", added.AmountMinor()},
                             {"total", Total()}};
    if (added.weight_grams) fields["weight_grams"] = *added.weight_grams;
    writer_.Emit("line_added", std::move(fields));
  }
  void OnLineVoided(std::size_t line) override {
    writer_.Emit("line_voided", {{"line", line}, {"total", Total()}});
  }
  void OnShopper(const Shopper& shopper, const std::string& source,
                 bool nfc_authenticated) override {
    nlohmann::json coupons = nlohmann::json::array();
    for (const auto& coupon : shopper.coupons) coupons.push_back(CouponBrief(coupon));
    nlohmann::json event = {{"card", shopper.card.Masked()},
                            {"source", source},
                            {"nfc_authenticated", nfc_authenticated},
                            {"online", shopper.online},
                            {"customer_id", nullptr},
                            {"coupons", std::move(coupons)}};
    if (shopper.customer) {
      event["customer_id"] = shopper.customer->id;
      event["visits"] = shopper.customer->visits;
    }
    writer_.Emit("card", std::move(event));
  }
  void OnCoupons(const CouponOutcome& outcome, const Totals& totals) override {
    nlohmann::json applied = nlohmann::json::array();
    for (const auto& coupon : outcome.applied) {
      auto brief = CouponBrief(coupon.coupon);
      brief["discount"] = coupon.discount_minor;
      applied.push_back(std::move(brief));
    }
    nlohmann::json not_applied = nlohmann::json::array();
    for (const auto& coupon : outcome.not_applied) {
      auto brief = CouponBrief(coupon.coupon);
      brief["reason"] = coupon.reason;
      not_applied.push_back(std::move(brief));
    }
    writer_.Emit("coupons", {{"applied", std::move(applied)},
                             {"not_applied", std::move(not_applied)},
                             {"total", totals.total_minor}});
  }
  void OnSaleFinished(const FinishedSale& sale) override {
    const Receipt& receipt = sale.receipt;
    nlohmann::json next = nlohmann::json::array();
    if (receipt.next_visit_coupons) {
      for (const auto& issued : *receipt.next_visit_coupons) {
        auto brief = CouponBrief(issued.coupon);
        brief["token"] = issued.token;
        next.push_back(std::move(brief));
      }
    }
    nlohmann::json taxes = nlohmann::json::array();
    for (const auto& tax : receipt.totals.taxes) {
      taxes.push_back({{"rate_bp", tax.rate_bp}, {"gross", tax.gross_minor}, {"tax", tax.tax_minor}});
    }
    writer_.Emit("sale_finished", {{"sale_id", receipt.sale_id},
                                   {"subtotal", receipt.totals.subtotal_minor},
                                   {"discount", receipt.totals.discount_minor},
                                   {"total", receipt.totals.total_minor},
                                   {"taxes", std::move(taxes)},
                                   {"coupons_redeemed", sale.coupons.applied.size()},
                                   {"next_visit_coupons", std::move(next)},
                                   {"receipt", sale.receipt_text}});
  }
  void OnCancelled() override { writer_.Emit("cancelled"); }
  void OnStatus(const TillStatus& status) override {
    auto fields = StatusJson(status);
    fields["lines"] = till_.basket().lines().size();
    writer_.Emit("status", std::move(fields));
  }
  void OnReaderState(const std::string& state, const std::string& detail) override {
    writer_.Emit("reader", {{"state", state}, {"detail", detail}});
  }
  void OnUploaded(const std::string& sale_id, UploadOutcome outcome, std::size_t next_visit_coupons,
                  const std::string& error) override {
    if (outcome == UploadOutcome::kUploaded) {
      writer_.Emit("uploaded", {{"sale_id", sale_id}, {"next_visit_coupons", next_visit_coupons}});
    } else {
      writer_.Emit("upload_rejected", {{"sale_id", sale_id}, {"error", error}});
    }
  }
  void OnCatalogUpdated(std::int64_t version, std::size_t products) override {
    writer_.Emit("catalog", {{"version", version}, {"products", products}});
  }
  void OnConnectivity(bool online) override {
    writer_.Emit("connectivity", {{"online", online}, {"backlog", till_.status().backlog}});
  }
  void OnError(const Error& error) override { writer_.EmitError(error); }

 private:
  std::int64_t Total() const {
    const auto coupons = till_.basket().Coupons(till_.Now());
    return till_.basket().ComputeTotals(coupons).total_minor;
  }

  Till& till_;
  EventWriter& writer_;
};

// One stdin line to a command, or the error naming what is wrong with it.
Result<Command> ParseCommand(const std::string& text) {
  auto json = codec::ParseJson(text, 4);
  if (!json.ok()) return json.error();
  codec::FieldErrors errors;
  codec::ObjectReader command(*json, "", errors);
  const std::string name = command.RequiredString("cmd", 16);
  if (!errors.ok()) return errors.error();
  Command parsed = StatusCommand{};
  if (name == "scan") {
    ScanCommand scan;
    auto code = command.OptionalString("code", 32);
    auto sku = command.OptionalString("sku", domain::kMaxSkuLength);
    if (code.has_value() == sku.has_value() && errors.ok()) {
      errors.Add("code", "give the barcode or SKU as code (or sku), once");
    }
    scan.code = code ? *code : sku.value_or("");
    scan.weight_grams = command.OptionalInt("weight_grams", 1, domain::kMaxLineWeightGrams);
    if (scan.weight_grams) {
      command.OptionalInt("quantity", 1, 1);
    } else {
      scan.quantity = command.OptionalInt("quantity", 1, domain::kMaxLineQuantity).value_or(1);
    }
    parsed = scan;
  } else if (name == "void") {
    parsed = VoidCommand{static_cast<std::size_t>(
        command.RequiredInt("line", 1, static_cast<std::int64_t>(domain::kMaxPurchaseLines)))};
  } else if (name == "card") {
    parsed = CardCommand{command.RequiredString("number", 32)};
  } else if (name == "coupon") {
    parsed = CouponCommand{command.RequiredString("token", crypto::kMaxCouponTokenLength)};
  } else if (name == "finish") {
    parsed = FinishCommand{};
  } else if (name == "cancel") {
    parsed = CancelCommand{};
  } else if (name == "cashier") {
    // Checked here as well as by the till, so the error names the field as sent.
    auto id = domain::ParseCashierId(
        command.RequiredString("cashier_id", 4 * domain::kMaxCashierIdLength), "cashier_id");
    if (errors.ok() && !id.ok()) return id.error();
    parsed = SignOnCommand{id.ok() ? *id : ""};
  } else if (name == "status") {
    parsed = StatusCommand{};
  } else if (name == "quit") {
    parsed = QuitCommand{};
  } else {
    return InvalidArgument("cmd",
                           "unknown command '" + name +
                               "' (scan, void, card, coupon, cashier, finish, cancel, status,"
                               " quit)");
  }
  command.Finish();
  if (!errors.ok()) return errors.error();
  return parsed;
}

}  // namespace

int RunHeadless(Till& till) {
  // The stdin reader cannot be joined (a blocked read of stdin cannot be interrupted),
  // so it reaches the till and the writer only through this link, which RunHeadless
  // cuts before they go: a line that arrives after quit is dropped, not posted to a
  // till that no longer exists.
  struct InputLink {
    std::mutex mutex;
    Till* till = nullptr;
    EventWriter* writer = nullptr;
  };
  auto link = std::make_shared<InputLink>();
  EventWriter writer;
  link->till = &till;
  link->writer = &writer;
  JsonEvents events(till, writer);
  std::thread input([link] {
    std::string line;
    while (std::getline(std::cin, line)) {
      if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
      auto command = ParseCommand(line);
      std::lock_guard lock(link->mutex);
      if (link->till == nullptr) return;
      if (!command.ok()) {
        link->writer->EmitError(command.error());
        continue;
      }
      link->till->Post(std::move(command).value());
    }
    std::lock_guard lock(link->mutex);
    if (link->till != nullptr) link->till->PostInputClosed();
  });
  input.detach();
  // Cut on every way out, an exception from Run included, before `writer` goes.
  struct Cut {
    std::shared_ptr<InputLink> link;
    ~Cut() {
      std::lock_guard lock(link->mutex);
      link->till = nullptr;
      link->writer = nullptr;
    }
  } cut{link};
  return till.Run(events);
}

}  // namespace loyalty::terminal
