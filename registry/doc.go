// Package registry holds what the national registry clients share: the look-up
// cache, single flight, the audit hook that records why personal data was
// fetched, and the typed errors (not found, gone, forbidden, rate limited).
//
// The clients are registry/brreg (Enhetsregisteret), registry/folkeregisteret,
// registry/krr (Kontakt- og reservasjonsregisteret) and registry/adresse
// (Kartverket's address API); registry/registrytest holds a fake of each.
//
// Every client:
//
//   - retries what is safe to retry (internal/httpx) and returns a *Error whose
//     Kind is one of the sentinels here, so one errors.Is works everywhere:
//
//     _, err := krrClient.Person(ctx, fnr)
//     switch {
//     case errors.Is(err, registry.ErrForbidden):   // the Maskinporten token lacks the scope
//     case errors.Is(err, registry.ErrRateLimited): // slow down; see (*Error).RetryAfter
//     }
//
//   - caches answers for a TTL in a Cache (a MemoryCache unless configured;
//     NoCache turns it off), and collapses concurrent identical look-ups into
//     one upstream request (Group), cache or no cache;
//
//   - sends every person look-up to its Auditor first, with the Purpose the
//     caller put in the context, and refuses look-ups without one:
//
//     client.Audit = registry.SlogAuditor{Logger: auditLog}
//     ctx = registry.WithPurpose(ctx, registry.Purpose{
//     Actor: officer.ID, Reason: "vedtak i sak 2026/123", LegalBasis: "alkoholloven § 1-7"})
//
//   - keeps personal numbers out of errors and logs: they are ident.Fodselsnummer
//     values, which redact themselves, and server text is masked.
//
// Maskinporten tokens come from the *http.Client the caller configures (a
// Transport from auth/maskinporten, say); the clients never fetch tokens.
package registry
