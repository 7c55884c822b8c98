// Package devenv runs the development sandbox: every fake that grunnmur ships,
// configured and connected, each on a localhost port of its own. It is what
// `grunnmur dev` serves, and what an example or an end-to-end test starts
// in-process to get the same set.
//
//	env, err := devenv.Start(ctx, devenv.Options{}) // 127.0.0.1:9000 up; Addr "127.0.0.1:0" for free ports
//	if err != nil { ... }
//	defer env.Close(context.Background())
//	cfg, err := idporten.ConfigFromEnv("GRUNNMUR_IDPORTEN_", env.Getenv)
//	ts, err := env.MaskinportenSource(nil) // a token for SvarUT and the registries
//	svarutClient, err := svarut.New(svarut.Config{BaseURL: env.Credentials.SvarUT.BaseURL, HTTPClient: ts.Client(nil), ...})
//
// The fakes, in port order from Options.Addr:
//
//	+0  ID-porten at /, Ansattporten at /ansattporten, Maskinporten at /maskinporten/ (auth/idportentest)
//	+1  Vipps ePayment and Webhooks, with the landing page (payment/vippstest)
//	+2  SvarUT and SvarInn (svarut/svaruttest)
//	+3  Enhetsregisteret (registry/registrytest)
//	+4  Folkeregisteret
//	+5  KRR
//	+6  Kartverket's address API, at /adresser/v1
//	+7  Altinn Notifications at /notifications/api/v1, with Altinn's token exchange (notify/notifytest)
//	+8  Fiks IO's REST side: send, katalog, Dokumentlager (fiksio/fiksiotest)
//	+9  Fiks IO's AMQP side, a login proxy in front of Options.BrokerURL
//
// Fiks IO needs a real RabbitMQ (Options.BrokerURL; `grunnmur dev` uses
// DefaultBrokerURL). Without one, or when it does not answer, its two ports
// stay free, Env.FiksIO is nil and Env.FiksIOUnavailable (ErrNoBroker) says
// why; every other fake starts as before. When it runs, the sandbox
// registers one account of the agency, with a fresh encryption key and a
// fresh signing key and certificate written next to the Maskinporten key
// for GRUNNMUR_FIKSIO_PRIVATE_KEY_FILE, _SIGNING_KEY_FILE and
// _SIGNING_CERT_FILE; Env.FiksIOConfig gives a client for it.
//
// They are connected as the real services are: SvarUT, Folkeregisteret, KRR,
// Enhetsregisteret's authorised roles and Altinn's token exchange accept only
// bearer tokens from the fake Maskinporten, with their scope; the sandbox registers a Maskinporten
// client with every scope (MaskinportenScopes) and writes its private key to
// a PEM file for GRUNNMUR_MASKINPORTEN_KEY_FILE. The people who can log in at
// the fake ID-porten are the registries' synthetic persons, so a login as
// Sigrid Haugland can act for SESAM AS in Enhetsregisteret and has a digital
// mailbox in KRR, plus one case officer for Ansattporten. ID-porten and
// Ansattporten clients are registered for the agency service at
// Options.AppURLs with the paths /auth/callback, /auth/logged-out and
// /auth/frontchannel-logout.
//
// Letters sent to the fake SvarUT move along their route on their own when
// Options.LetterStep is set (`grunnmur dev` uses 10 s), or on command through
// Env.SvarUT. Every fake keeps its test helpers and fault injection: drive
// them through the Env's fields.
//
// [Env.Environ] lists the GRUNNMUR_* variables (the names in DESIGN.md) that
// point a service at the sandbox, and [Env.Getenv] serves them to the
// packages' ConfigFromEnv functions, so the code path that reads the real
// configuration is the one the sandbox exercises. All credentials are the
// fakes' own (see the constants): they open nothing else.
package devenv
