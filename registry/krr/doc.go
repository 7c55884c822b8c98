// Package krr is a client for Kontakt- og reservasjonsregisteret (KRR, Digdir's
// oppslagstjenesten REST): batch look-up of reservation, status,
// varslingsstatus, contact information, digital mailbox and certificate, and
// whether a person may be sent digital mail.
//
//	c, err := krr.New(krr.Config{
//		BaseURL:    krr.ProductionBaseURL, // "" is Digdir's test environment
//		HTTPClient: maskinportenClient,    // scopes krr:global/kontaktinformasjon.read, krr:global/digitalpost.read
//	})
//	...
//	people, err := c.Persons(ctx, fnrs) // any number: split into requests of at most 1000
//	for _, p := range people {
//		if p.CanSendDigital() { ... } else { ... send on paper ... }
//	}
//
// An empty Config.BaseURL means TestBaseURL, Digdir's test environment;
// production is reached only by setting BaseURL to ProductionBaseURL.
// ConfigFromEnv reads GRUNNMUR_KRR_BASE_URL.
//
// CanSendDigital follows eForvaltningsforskriften: the person is active in KRR,
// has not reserved, and the contact information is fresh enough to notify by
// (KAN_VARSLES). What a person's answer holds depends on the token's scopes:
// without kontaktinformasjon.read there is no varslingsstatus, and so no
// digital mail.
//
// KRR writes timestamps with hour-only offsets ("2018-06-29T10:14:52+02"); Time
// reads those, and keeps a value that does not parse as Raw text rather than
// fail a batch of a thousand persons over one optional field.
//
// The answer's types and fields keep KRR's Norwegian names; methods are
// English. Glossary:
//   - reservasjon: the person has reserved against digital communication;
//   - varslingsstatus: whether the contact information may be used to notify
//     (KAN_VARSLES, KAN_IKKE_VARSLES);
//   - kontaktinformasjon: e-mail address and mobile number;
//   - digital post, postkasse: the digital mailbox (Digipost, e-Boks);
//   - sertifikat: the encryption certificate for digital post;
//   - personidentifikator: fødselsnummer or D-nummer; spraak: language.
package krr
