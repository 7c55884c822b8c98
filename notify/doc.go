// Package notify sends e-mail and SMS to citizens (receipts, reminders,
// status changes), once per idempotency key, from checked nb/nn/en
// templates, within the rules of Kontakt- og reservasjonsregisteret (KRR),
// through SMTP, Altinn Notifications or a municipality's SMS gateway.
//
//	templates, err := notify.ParseTemplates(templatesJSON) // checked: every language, every placeholder
//	smtpCfg, err := notify.SMTPConfigFromEnv("GRUNNMUR_SMTP_", os.Getenv)
//	mail, err := notify.NewSMTP(smtpCfg)
//	s, err := notify.New(notify.Config{
//		Email:     mail,
//		SMS:       gateway,          // notify.NewGateway, or an *notify.Altinn
//		Templates: templates,
//		Contacts:  krrClient,        // *krr.Client
//		Store:     postgres.NewNotifyStore(db), // nil: in memory
//	})
//	res, err := s.Notify(ctx, notify.Notice{
//		Key:      "sak-2026-17/kvittering", // the same key never sends twice
//		Template: "kvittering",
//		Values:   map[string]string{"navn": name, "sak": "2026/17"},
//		Person:   fnr, // KRR's address and language, and KRR's rules
//	})
//	if res.Refused != "" { ... send on paper: reserved, not in KRR, stale contact details ... }
//	go s.Run(ctx, time.Minute) // held SMS, retries, sends a crash left behind
//
// # Sending once
//
// Every message carries an idempotency key. The Store keeps one record per
// key, so a key sent twice, from two goroutines or two processes, sends
// once. A send claims its record with a lease; a process that dies after the
// provider accepted leaves the record to be taken over when the lease ends,
// and the provider gets the same key again: Altinn (idempotencyId) and the
// SMS gateway (Idempotency-Key) answer that with 200 and send nothing more.
// SMTP has no such answer: over SMTP a message is delivered at least once,
// and exactly once only where the receiver deduplicates by Message-ID, which
// is derived from the key and so the same on every send (Mailpit does with
// --ignore-duplicate-ids; see SMTP).
//
// # Status
//
// A record moves queued → sending → delivered, failed-temporary or
// failed-permanent (see Status). A temporary failure is tried again with a
// backoff, up to Config.MaxAttempts; a permanent one never. Providers'
// delivery reports fold in through Sender.Update: GatewayCallback for the
// SMS gateway, Altinn.FoldFeed for Altinn's status feed. A move the state
// machine does not allow is a *TransitionError.
//
// # Reminders
//
// Message.SendAt schedules a notification ("24 hours before the booking"),
// and Message.Condition names a Config.Conditions entry asked when it is due
// ("3 days before the deadline, if the case still waits"), as Altinn asks a
// conditionEndpoint: false cancels it (Cancelled), an error tries again.
//
// # Templates
//
// A Template has a text in each of nb, nn and en, with ((placeholder))s.
// NewTemplates and ParseTemplates refuse, with a *TemplateError naming the
// template, language and placeholder, a language without a text and a
// placeholder that is not declared or not used in every language. An e-mail
// is plain text plus an accessible HTML document made from it (lang, title,
// paragraphs, lists, links of the template's own text), in which the
// personalisation is always escaped. An SMS is counted in GSM-7 or UCS-2
// segments (CountSegments: 160/153 and 70/67, extension characters
// such as € count twice) and may not pass its template's MaxSegments.
//
// # The law
//
// Notify to a Person applies KRR's rules and returns a Refusal, not an
// error, when they stop the message: Reserved (the person has reserved
// against digital communication, unless the Notice states a LegalBasis,
// which is logged with the key and template and never the person),
// NotActive, NoContact, and Stale (contact details KRR marks
// KAN_IKKE_VARSLES or older than Config.StaleAfter, 18 months, unless
// UseStale). Phone numbers are normalised to E.164 (+4791234567) with
// libphonenumber; an invalid or fixed-line number is ErrInvalidPhone. SMS
// that is not urgent waits for the Window, 09:00–17:00 Oslo time.
//
// # Personal data
//
// Addresses are an Address, which prints masked ("k***@example.no",
// "+47******67") under every verb and in slog. Errors carry SMTP stages and
// codes and Altinn's titles, never the recipient; a fødselsnummer is never
// logged.
//
// # Providers and configuration
//
//   - SMTP (go-mail): GRUNNMUR_SMTP_URL, smtp:// (STARTTLS), smtps://
//     (implicit TLS), user and password in the URL, ?from= and ?name=;
//     without TLS only to a loopback host. DKIM signing is optional.
//   - Altinn Notifications: GRUNNMUR_ALTINN_NOTIFICATIONS_BASE_URL; empty is
//     TT02 (AltinnTestBaseURL), production is AltinnProductionBaseURL. A
//     Maskinporten token (AltinnScope) is exchanged for an Altinn token.
//     Instant SMS and e-mail, Order with reminders and conditionEndpoint,
//     Shipment, Feed. NOT-00001 matches ErrNoContact.
//   - The SMS gateway shape (Gateway, GatewayCallback): a JSON contract a
//     vendor implements in about 30 lines (see the Gateway example).
//
// notifytest holds the Store conformance suite and a fake Altinn
// Notifications API with simulator recipients.
package notify
