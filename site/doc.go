// Package site is the web side of a municipal e-service: what every service
// built on grunnmur needs around its own pages, so that an agency writes
// only what is particular to its service.
//
// It gives:
//   - the page layout (Templates, Page, Render), in the class names of
//     Designsystemet, the Norwegian public sector's design system, with a
//     skip link, the menu, the logout button, and the language switch; its
//     stylesheet is CSS;
//   - the citizen's language, bokmål, nynorsk or English (Lang, from the
//     lang parameter, the cookie RememberLang sets, or Accept-Language),
//     and the service's texts in all three (Messages, over Common);
//   - security headers with a strict Content-Security-Policy (Headers);
//   - a request log without personal data or secrets (Log, LoggedPath);
//   - health and readiness (Health) and graceful serving (Serve);
//   - error pages in the citizen's language (ErrorPages);
//   - calendar and PDF responses (ServeICS, ServePDF);
//   - a runner for the SDK's background jobs (RunJobs);
//   - PDF letters with embedded fonts that print æ, ø and å and never fail
//     on what a citizen typed (NewPDF, PDFString);
//   - a per-login rate limiter (Limiter);
//   - for a Service (New), the parts most services share: the case a
//     request asks for as its officer or its own applicant may see it (Case,
//     Actor), the officers' paged case list (CaseList), booking an
//     appointment for a case (Appointment), the site's header on a form's
//     pages (FormPages) and a form's answers in a letter (Answers).
//   - acting for an organisation, checked in Enhetsregisteret and kept in
//     the login session (Service.ActFor, Party, ActForPage), and pages for
//     a service's own allow-list of citizens (AllowList, ForListed).
//
// A minimal service, with its page templates in templates/*.html (each
// defines "content"):
//
//	//go:embed templates
//	var templateFS embed.FS
//
//	var messages = site.Messages{
//		"service": {"nb": "Hundeskatt", "nn": "Hundeskatt", "en": "Dog tax"},
//		"start":   {"nb": "Velkommen", "nn": "Velkomen", "en": "Welcome"},
//	}
//
//	func main() {
//		log := slog.New(slog.NewJSONHandler(os.Stderr, nil))
//		pages, err := site.Templates(templateFS, nil, "templates/*.html")
//		if err != nil {
//			log.Error("templates", "error", err)
//			os.Exit(1)
//		}
//		errs := site.ErrorPages{Log: log, Templates: pages, Messages: messages}
//		mux := http.NewServeMux()
//		mux.HandleFunc("GET /static/site.css", site.Static("text/css; charset=utf-8", site.CSS()))
//		site.Health(mux, nil)
//		mux.HandleFunc("GET /{$}", func(w http.ResponseWriter, r *http.Request) {
//			site.Render(w, log, pages, "start", http.StatusOK, site.NewPage(r, messages, "start", nil))
//		})
//		mux.Handle("/", errs.NotFoundHandler())
//		handler := site.Headers{}.Secure(site.Log(log, site.RememberLang(mux)))
//
//		ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
//		defer stop()
//		go site.RunJobs(ctx, log) // add the SDK's jobs here: payments, sessions, outbox
//		ln, err := net.Listen("tcp", ":8080")
//		if err != nil {
//			log.Error("listen", "error", err)
//			os.Exit(1)
//		}
//		srv := &http.Server{Handler: handler, ReadHeaderTimeout: 10 * time.Second}
//		if err := site.Serve(ctx, srv, ln, 20*time.Second); err != nil && !errors.Is(err, http.ErrServerClosed) {
//			log.Error("serve", "error", err)
//		}
//	}
//
// Main, Config and Setup wire the outside services (ID-porten, Vipps,
// SvarUT, the registries, Altinn Notifications) from GRUNNMUR_* variables,
// with in-process fakes in development; the examples under examples/ show a
// whole service.
//
// # Events
//
// A Service's stores record their domain events in its outbox (package
// events: Service.Events in memory, postgres.EventOutbox with a database),
// and RunJobs runs the outbox's one relay (two would share its events out
// between them). Without GRUNNMUR_NATS_URL the relay hands them in process
// to Service.MinSide. With it (NATSConfigFromEnv: also _STREAM,
// _SUBJECT_PREFIX, _MAX_AGE), New connects, makes sure of the service's
// stream (default GRUNNMUR_<NAME>, taking grunnmur.<name>.>, where the name
// is Config.Name or Main's) and RunJobs relays to it, each event a
// CloudEvent on grunnmur.<name>.<package>.<aggregate>.<id> with
// Nats-Msg-Id set to its id; Min side is then fed from the stream by a
// durable pull consumer of the process's own (events.Consumer), so it and
// every other subscriber read the same stream:
//
//	GRUNNMUR_NATS_URL=nats://127.0.0.1:4222 go run ./examples/skjenkebevilling
//
// Service.EventsLag is the relay's lag (events.Relay.Lag); RunJobs logs it
// at debug level every minute.
//
// # Notifications
//
// ServiceConfig.Notify gives a service a notify.Sender (Service.Notify) and
// Service.NotifyCitizen, which sends a notice on the channel the citizen
// chose on Min side (the "notifychoice" partial with Service.ChannelChoice),
// within KRR's rules:
//
//	Notify: &notify.Config{Templates: templates}, // "kvittering.email", "kvittering.sms", ...
//	...
//	res, err := svc.NotifyCitizen(ctx, pid, notify.Notice{Key: c.ID + "/kvittering",
//		Template: "kvittering", Values: map[string]string{"sak": c.Number()}})
//	if res.Refused != "" { ... reserved in KRR: nothing was sent ... }
//
// ServiceConfig.BookingNotices does it for a booking service's Bookings:
// a confirmation when a booking is confirmed, a reminder 24 hours before it
// begins (with a condition, so a cancelled booking sends none) and a notice
// when it is cancelled, to the citizen who held it, also when a webhook or
// an admin is the one who acts (BookingNotices, BookingTemplates).
package site
