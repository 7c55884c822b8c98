-- 0310 booking: Resource.PriceOre (an int64 of øre) became Price, a
-- money.Amount, which is still a whole number of øre in JSON: rename the key
-- in the stored resources. The reservations' price_ore column is unchanged.
UPDATE booking_resources
   SET doc = (doc - 'priceOre') || jsonb_build_object('price', doc -> 'priceOre')
 WHERE doc ? 'priceOre';
