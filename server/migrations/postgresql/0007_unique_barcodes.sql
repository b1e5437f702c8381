-- A barcode names one product: two products with the same code would make a scan sell
-- whichever the till indexed first (as migrations/sqlite/0007_unique_barcodes.sql).
CREATE UNIQUE INDEX products_by_barcode ON products(barcode) WHERE barcode <> '';
