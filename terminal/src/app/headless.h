// loyalty-terminal in headless mode: JSON lines in on stdin, JSON events out on stdout,
// for automation and tests. Commands:
//   {"cmd":"scan","code":"0000010049064","quantity":2}   by barcode or SKU ("sku" also
//                                             accepted); quantity defaults to 1
//   {"cmd":"scan","code":"161354","weight_grams":755}    a weighed item, from the scale
//   {"cmd":"void","line":2}                   void line 2 of the sale (1-based)
//   {"cmd":"card","number":"2000000000015"}   key in a card by hand (damaged barcode)
//   {"cmd":"coupon","token":"..."}            a receipt coupon's QR code, from a scanner
//   {"cmd":"finish"}                          end the sale: journal, receipt, upload
//   {"cmd":"cancel"}                          drop the sale in progress
//   {"cmd":"status"}                          online, reader state, backlog, catalog
//   {"cmd":"quit"}
// Card reads come from the reader device. Events: ready, reader, line_added,
// line_voided, card, coupons, sale_finished, uploaded, upload_rejected, catalog,
// connectivity (the server became reachable or not), status, error.
#pragma once

#include "app/till.h"

namespace loyalty::terminal {

// Reads commands from stdin until it closes or a quit, writing events to stdout.
int RunHeadless(Till& till);

}  // namespace loyalty::terminal
