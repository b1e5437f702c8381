// loyalty-terminal in headless mode: JSON lines in on stdin, JSON events out on stdout,
// for automation and tests. Commands:
//   {"cmd":"scan","sku":"123","quantity":2}   add a line (quantity defaults to 1)
//   {"cmd":"card","number":"2000000000015"}   key in a card by hand (damaged barcode)
//   {"cmd":"finish"}                          end the sale: journal, receipt, upload
//   {"cmd":"cancel"}                          drop the sale in progress
//   {"cmd":"status"}                          reader state, backlog, catalog
//   {"cmd":"quit"}
// Card reads come from the reader device. Events: ready, reader, line_added, card,
// coupons, sale_finished, uploaded, upload_rejected, status, error.
#pragma once

namespace loyalty::terminal {

int TerminalMain(int argc, char** argv);

}  // namespace loyalty::terminal
