// Package folkeregisteret is a client for Skatteetaten's Folkeregisteret API
// (the konsumenttjenester' oppslag): person look-up by rettighetspakke with part
// selection, bulk look-up, and helpers that pick the current name, address and
// status and never reveal a protected address.
//
//	c, err := folkeregisteret.New(folkeregisteret.Config{
//		BaseURL:         folkeregisteret.ProductionBaseURL, // "" is the consumer test environment
//		Rettighetspakke: folkeregisteret.OffentligMedHjemmel,
//		HTTPClient:      maskinportenClient, // scope folkeregister:deling/offentligmedhjemmel
//	})
//	...
//	addr, err := c.PostalAddress(ctx, fnr) // a registry.PostalAddress for a letter
//	if errors.Is(err, folkeregisteret.ErrProtectedAddress) {
//		// fortrolig, strengt fortrolig or klientadresse: addr holds the name
//		// alone; send digital-only (svarut.Shipment.DigitalOnly), never on paper
//	}
//
// An empty Config.BaseURL means TestBaseURL, Skatteetaten's consumer test
// environment; production is reached only by setting BaseURL to
// ProductionBaseURL. New refuses a Config without a known Rettighetspakke.
// ConfigFromEnv reads GRUNNMUR_FOLKEREGISTERET_BASE_URL.
//
// Every fact in a person document is a list of values, current and earlier;
// the helpers (CurrentName, CurrentStatus, CurrentBostedsadresse, ...) pick
// the one with erGjeldende. Asking for an address part always brings the
// adressebeskyttelse part along, and an address whose protection cannot be
// told is treated as protected. A Person prints only its redacted number and
// status, so a log line cannot leak a name or a protected address.
//
// Skatteetaten publishes the API's OpenAPI description on SwaggerHub only; this
// client follows the public documentation (github.com/Skatteetaten/
// folkeregisteret-api-dokumentasjon) and its examples, in testdata.
//
// The document types and fields keep the API's Norwegian names; methods are
// English. Glossary:
//   - rettighetspakke: the legal access package a consumer is granted;
//   - part: a section of the person document (navn, bostedsadresse, ...);
//   - bostedsadresse: home address; postadresse: postal address;
//     oppholdsadresse: where the person stays;
//   - adressebeskyttelse, gradering: address protection and its level
//     (ugradert, fortrolig, strengtFortrolig);
//   - erGjeldende: the current value; bulkoppslag: look-up of many persons;
//   - foedsel, doedsfall, sivilstand: birth, death, marital status.
package folkeregisteret
