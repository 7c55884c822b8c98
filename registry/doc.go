// Package registry holds what the national registry clients share: the
// look-up cache, single flight, the audit hook that records why personal data
// was fetched, and the typed errors (not found, gone, forbidden, rate
// limited).
//
// The clients are registry/brreg (Enhetsregisteret), registry/folkeregisteret,
// registry/krr (Kontakt- og reservasjonsregisteret) and registry/adresse
// (Kartverket's address API); registry/rediscache is a Cache on Redis, and
// registry/registrytest holds a fake of each registry.
//
// Every client:
//
//   - is made by New(Config) (*Client, error), which refuses a bad
//     configuration, and read from the environment by ConfigFromEnv
//     (GRUNNMUR_BRREG_BASE_URL, ...);
//
//   - talks to the registry's test environment when Config.BaseURL is empty.
//     Production is reached only by setting BaseURL, typically to the
//     package's ProductionBaseURL constant;
//
//   - retries what is safe to retry and returns a *Error whose Kind is one of
//     the sentinels here, so one errors.Is works everywhere:
//
//     _, err := krrClient.Person(ctx, fnr)
//     switch {
//     case errors.Is(err, registry.ErrForbidden):   // the Maskinporten token lacks the scope
//     case errors.Is(err, registry.ErrRateLimited): // slow down; see (*Error).RetryAfter
//     }
//
//   - caches answers for a TTL in a Cache (a MemoryCache unless configured;
//     NoCache turns it off; registry/rediscache shares one between
//     instances), and collapses concurrent identical look-ups into one
//     upstream request (Group), cache or no cache. A cache that fails is
//     logged (never the key) and treated as a miss: a look-up does not fail
//     because its cache did;
//
//   - sends every person look-up to its Auditor first, with the Purpose the
//     caller put in the context, and refuses look-ups without one:
//
//     cfg.Audit = registry.SlogAuditor{Logger: auditLog}
//     ctx = registry.WithPurpose(ctx, registry.Purpose{
//     Actor: officer.ID, Reason: "vedtak i sak 2026/123", LegalBasis: "alkoholloven § 1-7"})
//
//   - keeps personal numbers out of errors and logs: they are ident.Fodselsnummer
//     values, which redact themselves, and server text is masked.
//
// Maskinporten tokens come from the *http.Client the caller configures (a
// Transport from auth/maskinporten, say); the clients never fetch tokens.
//
// Dates in the registries' answers are civil.Date values; the registries'
// null and "" are the zero date. Timestamps are Timestamp values, which read
// the registries' several RFC 3339 dialects.
package registry
