// Package adresse is a client for Kartverket's open address API
// (ws.geonorge.no/adresser/v1): Search (the API's sok) with the documented
// parameters and paging, and SearchPoint (punktsok) for the addresses within a
// radius of a point, with matrikkel numbers (gnr/bnr/fnr) and coordinates. No
// authentication is needed.
//
//	c, err := adresse.New(adresse.Config{}) // in-memory cache
//	...
//	r, err := c.Search(ctx, adresse.Query{Sok: "storgata 12 oslo"})
//	// The neighbours of a building, for a nabovarsel:
//	for a, err := range c.SearchPointAll(ctx, adresse.PointQuery{Lat: 59.91458, Lon: 10.7559, Radius: 50}) {
//		...a.Matrikkel(), a.MeterDistanseTilPunkt...
//	}
//
// The API is open data with one host and no test environment of its own, so
// TestBaseURL and ProductionBaseURL are the same URL; an empty Config.BaseURL
// means TestBaseURL, as in every grunnmur client. ConfigFromEnv reads
// GRUNNMUR_ADRESSE_BASE_URL.
//
// Input the API would refuse (a three-digit kommunenummer, more than 1000 hits
// a page) fails with registry.ErrInvalid before any request. Concurrent
// callers of the same search share its Result: treat it as read-only.
//
// Query fields and the Adresse type keep the API's Norwegian parameter and
// field names; methods are English. Glossary:
//   - sok: free-text search; punktsok: search around a point;
//   - adresse: an official address, a vegadresse (street and number) or a
//     matrikkeladresse (cadastral, where no streets are named);
//   - matrikkel, gardsnummer (gnr), bruksnummer (bnr), festenummer (fnr):
//     the cadastre and a property's numbers in it;
//   - kommunenummer: municipality number; postnummer, poststed: postcode and
//     post town; treffPerSide, side: hits per page, page.
package adresse
