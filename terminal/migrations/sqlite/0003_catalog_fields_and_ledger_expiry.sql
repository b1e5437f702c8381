-- Products saved by terminals before the catalog carried tax, barcodes and the sale unit
-- get the defaults (untaxed, no barcode, sold each), so an upgraded till still sells from
-- its copy offline; the version goes back to 0 so the first sync online takes the whole
-- catalog again, with the real values.
UPDATE catalog_products
   SET json = json_set(json, '$.tax_rate_bp', 0, '$.barcode', '', '$.sold_by', 'each')
 WHERE json_extract(json, '$.sold_by') IS NULL;
UPDATE meta SET value = '0' WHERE key = 'catalog_version';

-- A ledger entry is kept until its coupon has expired, not for a fixed time: a coupon
-- still valid is never forgotten, whatever the clock did. Entries from before this
-- change keep 400 days from their redemption.
ALTER TABLE coupon_ledger ADD COLUMN expires_at INTEGER;
UPDATE coupon_ledger SET expires_at = redeemed_at + 400 * 86400 WHERE expires_at IS NULL;
